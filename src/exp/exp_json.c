/*
 * exp_json.c - the `cli exp --json` document: the best experiment's name and, per
 * experiment in file order, its name, whether it produced results, its status ("ok",
 * "failed": checked or searched without results, "invalid": rejected when the file was
 * read), why not, and the `cli default --json` document of its search. Rejected
 * experiments sit where the file defined them, so a script sees every experiment.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "exp/exp_int.h"
#include "report/report_int.h"
#include "util/util.h"

/* A JSON string of s, cut back to whole UTF-8 characters (messages are cut to a size). */
static json_t *text(const char *s)
{
    char *t = strdup(s);
    json_t *j;
    if (!t)
        return NULL;
    aic_utf8_trim(t);
    j = json_string(t);
    free(t);
    return j;
}

static json_t *run_entry(const struct aic_exp_run *r)
{
    json_t *e = json_object();
    json_object_set_new(e, "name", text(r->exp->name));
    json_object_set_new(e, "ok", json_boolean(r->ok));
    json_object_set_new(e, "status", json_string(r->ok ? "ok" : "failed"));
    json_object_set_new(e, "error", r->ok ? json_null() : text(r->msg));
    json_object_set_new(e, "result", r->ok ? aic_report_json_obj(&r->res) : json_null());
    return e;
}

/* A rejected experiment: its problems joined by "; ". */
static json_t *rejected_entry(const struct aic_exp_set *set, const struct aic_exp_rejected *x)
{
    struct aic_buf b = {0};
    for (size_t i = 0; i < x->n_msg && x->first_msg + i < set->n_msg; i++) {
        char line[AIC_EXP_MSG_MAX];
        aic_strlcpy(line, set->msg[x->first_msg + i], sizeof line);
        aic_utf8_trim(line);
        aic_buf_printf(&b, "%s%s", i ? "; " : "", line);
    }
    json_t *e = json_object();
    json_object_set_new(e, "name", text(x->name));
    json_object_set_new(e, "ok", json_false());
    json_object_set_new(e, "status", json_string("invalid"));
    json_object_set_new(e, "error", json_string(b.s ? b.s : "rejected when the file was read"));
    json_object_set_new(e, "result", json_null());
    aic_buf_release(&b);
    return e;
}

/* Rejected experiments of set that stood before run `at`, appended to list from *k on. */
static void add_rejected(json_t *list, const struct aic_exp_set *set, size_t at, size_t *k)
{
    for (; set && *k < set->n_rejected && set->rejected[*k].at <= at; (*k)++)
        json_array_append_new(list, rejected_entry(set, &set->rejected[*k]));
}

/* The file's notes, then the caller's lines. */
static json_t *warnings(const struct aic_exp_set *set, const char *const *warn, size_t n_warn)
{
    json_t *a = json_array();

    for (size_t i = 0; set && i < set->n_note; i++)
        json_array_append_new(a, text(set->note[i]));
    for (size_t i = 0; i < n_warn; i++)
        json_array_append_new(a, text(warn[i]));
    return a;
}

char *aic_exp_report_json(const struct aic_exp_set *set, const struct aic_exp_run *runs, size_t n,
                          const char *const *warn, size_t n_warn)
{
    json_t *root = json_object(), *list = json_array();
    int best = aic_exp_best(runs, n);
    size_t k = 0;

    json_object_set_new(root, "mode", json_string("exp"));
    json_object_set_new(root, "best", best >= 0 ? json_string(runs[best].exp->name) : json_null());
    for (size_t i = 0; i < n; i++) {
        add_rejected(list, set, i, &k);
        json_array_append_new(list, run_entry(&runs[i]));
    }
    add_rejected(list, set, (size_t)-1, &k);
    json_object_set_new(root, "experiments", list);
    json_object_set_new(root, "warnings", warnings(set, warn, n_warn));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    return s;
}
