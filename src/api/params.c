/*
 * params.c - reads a request object into a C struct through a table of parameters (name,
 * aliases, type, offset, range, choices), the API's counterpart of the CLI option tables.
 * Unknown keys are refused with the closest valid key; null values count as not given;
 * numbers may also come as numeric strings (HTML forms send text).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "util/util.h"

/* Whether `key` is the row's name or one of its aliases. */
static int row_matches(const struct api_param *p, const char *key)
{
    const char *a = p->aliases;
    size_t n = strlen(key);

    if (!strcmp(p->name, key))
        return 1;
    while (a && *a) {
        size_t len = strcspn(a, " ");
        if (len == n && !strncmp(a, key, n))
            return 1;
        a += len;
        a += *a == ' ';
    }
    return 0;
}

static int unknown_key(const struct api_param *tab, const char *key, struct aic_error *err)
{
    const char *best = NULL;
    int best_d = 1 << 30;

    for (const struct api_param *p = tab; p->name; p++) {
        int d = aic_edit_distance(key, p->name);
        if (d < best_d) {
            best_d = d;
            best = p->name;
        }
    }
    if (best && best_d <= 3)
        return aic_err(err, AIC_ERR_USAGE, "unknown parameter '%s' (did you mean '%s'?)", key,
                       best);
    return aic_err(err, AIC_ERR_USAGE, "unknown parameter '%s' for this op", key);
}

/* A number from a JSON number or a numeric string; -1 when it is neither. */
static int get_number(const json_t *v, double *out)
{
    char *end;

    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (!json_is_string(v) || !*json_string_value(v))
        return -1;
    *out = strtod(json_string_value(v), &end);
    return *end ? -1 : 0;
}

static int read_number(const struct api_param *p, const json_t *v, void *dst, struct aic_error *err)
{
    double x;

    if (p->type == AP_INT_AUTO && json_is_string(v) && !strcasecmp(json_string_value(v), "auto")) {
        *(int *)dst = -1;
        return 0;
    }
    if (get_number(v, &x) || !isfinite(x))
        return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be a number%s", p->name,
                       p->type == AP_INT_AUTO ? " or \"auto\"" : "");
    if (p->type != AP_FLOAT && x != floor(x))
        return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be an integer (got %.15g)", p->name,
                       x);
    if (p->max > p->min && (x < p->min || x > p->max))
        return aic_err(err, AIC_ERR_USAGE, "parameter '%s' = %.15g is out of range [%g, %g]",
                       p->name, x, p->min, p->max);
    if (p->type != AP_FLOAT && fabs(x) > 2e9) /* an int parameter without its own range */
        return aic_err(err, AIC_ERR_USAGE, "parameter '%s' = %.15g is out of range [-2e+09, 2e+09]",
                       p->name, x);
    if (p->type == AP_FLOAT)
        *(double *)dst = x;
    else
        *(int *)dst = (int)x;
    return 0;
}

static int read_enum(const struct api_param *p, const json_t *v, void *dst, struct aic_error *err)
{
    char valid[256] = "";
    size_t k = 0;

    for (int i = 0; json_is_string(v) && p->choices[i]; i++)
        if (!strcasecmp(json_string_value(v), p->choices[i])) {
            *(int *)dst = i;
            return 0;
        }
    for (int i = 0; p->choices[i]; i++)
        k += (size_t)snprintf(valid + k, k < sizeof(valid) ? sizeof(valid) - k : 0, "%s%s",
                              i ? ", " : "", p->choices[i]);
    if (json_is_string(v))
        return aic_err(err, AIC_ERR_USAGE, "unknown %s '%s' (valid: %s)", p->name,
                       json_string_value(v), valid);
    return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be a string (valid: %s)", p->name,
                   valid);
}

static int read_list(const struct api_param *p, const json_t *v, struct api_strlist *l,
                     struct aic_error *err)
{
    size_t i;
    const json_t *e;

    l->n = 0;
    if (json_is_string(v)) {
        l->v[l->n++] = json_string_value(v);
        return 0;
    }
    if (!json_is_array(v))
        return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be a list of strings", p->name);
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be a list of strings", p->name);
        if (l->n >= API_MAX_LIST)
            return aic_err(err, AIC_ERR_USAGE, "parameter '%s' has more than %d entries", p->name,
                           API_MAX_LIST);
        l->v[l->n++] = json_string_value(e);
    }
    return 0;
}

static int read_one(const struct api_param *p, const json_t *v, void *dst, struct aic_error *err)
{
    switch (p->type) {
    case AP_INT:
    case AP_INT_AUTO:
    case AP_FLOAT:
        return read_number(p, v, dst, err);
    case AP_BOOL:
        if (json_is_boolean(v) ||
            (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 1)) {
            *(int *)dst = json_is_boolean(v) ? json_is_true(v) : (int)json_integer_value(v);
            return 0;
        }
        return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be true or false", p->name);
    case AP_STRING:
        if (!json_is_string(v))
            return aic_err(err, AIC_ERR_USAGE, "parameter '%s' must be a string", p->name);
        *(const char **)dst = json_string_value(v);
        return 0;
    case AP_ENUM:
        return read_enum(p, v, dst, err);
    case AP_STRLIST:
        return read_list(p, v, dst, err);
    }
    return aic_err(err, AIC_ERR_RUNTIME, "parameter '%s' has an unknown type", p->name);
}

int api_params_read(const json_t *req, const struct api_param *tab, void *dst,
                    struct api_given *given, struct aic_error *err)
{
    const char *key;
    const json_t *v;

    if (given)
        memset(given, 0, sizeof(*given));
    json_object_foreach((json_t *)req, key, v)
    {
        const struct api_param *p = tab;
        if (!strcmp(key, "op") || !strcmp(key, "systems_paths"))
            continue;
        while (p->name && !row_matches(p, key))
            p++;
        if (!p->name)
            return unknown_key(tab, key, err);
        if (json_is_null(v))
            continue;
        int rc = read_one(p, v, (char *)dst + p->off, err);
        if (rc)
            return rc;
        if (given && p - tab < API_MAX_PARAMS)
            given->row[p - tab] = 1;
    }
    return 0;
}

int api_given(const struct api_param *tab, const struct api_given *given, const char *name)
{
    for (int i = 0; tab[i].name && i < API_MAX_PARAMS; i++)
        if (!strcmp(tab[i].name, name))
            return given->row[i];
    return 0;
}

int api_quant(const char *key, const char *val, unsigned use, enum aic_quant *out,
              struct aic_error *err)
{
    if (!val || !*val) {
        *out = AIC_Q_NONE;
        return 0;
    }
    *out = aic_quant_parse(val, use);
    if (*out == AIC_Q_NONE)
        return aic_err(err, AIC_ERR_USAGE, "unknown %s '%s' (valid: %s)", key, val,
                       aic_quant_names(use));
    return 0;
}
