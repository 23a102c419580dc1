/*
 * api.c - aic_api_call(): parses the request, picks the op from a table, runs it with a
 * context and wraps the outcome in the response envelope ({"ok", "result", "warnings"} or
 * {"ok": false, "error": {"code", "message"}}).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "util/util.h"

static int op_version(struct api_call *c, json_t **result)
{
    (void)c;
    *result = json_pack("{s:s}", "version", aic_version());
    return 0;
}

static const struct {
    const char *name;
    api_op_fn fn;
} ops[] = {
    {"estimate", api_op_estimate}, {"default", api_op_default},   {"recommend", api_op_recommend},
    {"exp", api_op_exp},           {"generate", api_op_generate}, {"support", api_op_support},
    {"models", api_op_models},     {"systems", api_op_systems},   {"version", op_version},
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

const char *aic_api_version(void)
{
    return aic_version();
}

void aic_api_free(void *p)
{
    free(p);
}

const char *aic_api_error_code(int status)
{
    static const char *const names[] = {"ok",  "usage", "not_found", "parse",  "no_data",
                                        "oom", "nomem", "io",        "runtime"};
    int i = -status;
    return i >= 0 && i < (int)(sizeof(names) / sizeof(names[0])) ? names[i] : "runtime";
}

static int flag_char(const char *p)
{
    return islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
           (*p == '-' && (islower((unsigned char)p[1]) || isdigit((unsigned char)p[1])));
}

/* In place: the text only shrinks, and the character before r is never overwritten before
 * it is read (w <= r, equal while nothing was dropped). */
void api_json_keys(char *msg)
{
    char *w = msg;

    for (const char *r = msg; *r;) {
        int word_start = r == msg || r[-1] == ' ' || r[-1] == '(' || r[-1] == '[';
        if (word_start && r[0] == '-' && r[1] == '-' && islower((unsigned char)r[2])) {
            for (r += 2; flag_char(r); r++)
                *w++ = *r == '-' ? '_' : *r;
            continue;
        }
        *w++ = *r++;
    }
    *w = 0;
}

void api_warn(struct api_call *c, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    api_json_keys(line);
    aic_utf8_trim(line);
    json_array_append_new(c->warnings, json_string(line));
}

/* Serialises and frees doc; NULL when out of memory. */
static char *finish(json_t *doc)
{
    char *s =
        doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    return s;
}

static char *error_response(int code, const char *msg)
{
    return finish(json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", aic_api_error_code(code),
                            "message", msg ? msg : ""));
}

static api_op_fn find_op(const char *name)
{
    for (size_t i = 0; i < N_OPS; i++)
        if (!strcmp(ops[i].name, name))
            return ops[i].fn;
    return NULL;
}

/* Checks the envelope of the request and finds its op. */
static int check_request(const json_t *req, const json_t *paths, api_op_fn *fn,
                         struct aic_error *err)
{
    const json_t *op = json_object_get(req, "op");

    if (!json_is_object(req))
        return aic_err(err, AIC_ERR_USAGE, "the request must be a JSON object with an \"op\"");
    if (!json_is_string(op))
        return aic_err(err, AIC_ERR_USAGE,
                       "the request needs \"op\": one of estimate, default, recommend, exp, "
                       "generate, support, models, systems, version");
    if (!(*fn = find_op(json_string_value(op))))
        return aic_err(err, AIC_ERR_USAGE,
                       "unknown op '%s' (valid: estimate, default, recommend, exp, generate, "
                       "support, models, systems, version)",
                       json_string_value(op));
    if (paths && !json_is_null(paths) && !json_is_string(paths))
        return aic_err(err, AIC_ERR_USAGE,
                       "\"systems_paths\" must be a string (comma-separated folders)");
    return 0;
}

/* Runs op fn with ctx (or a fresh one) and returns the response document. */
static json_t *run_op(api_op_fn fn, struct aic_ctx *ctx, const json_t *req, const char *paths,
                      struct aic_error *err, int *rc)
{
    struct api_call c = {req, ctx, json_array(), err};
    json_t *result = NULL, *doc;

    if (!c.ctx)
        c.ctx = aic_ctx_new(paths);
    if (!c.ctx || !c.warnings)
        *rc = aic_err(err, AIC_ERR_NOMEM, "out of memory creating the request context");
    else
        *rc = fn(&c, &result);
    if (c.ctx != ctx)
        aic_ctx_free(c.ctx);
    if (*rc) {
        json_decref(result);
        json_decref(c.warnings);
        return NULL;
    }
    doc = json_pack("{s:b,s:o,s:o}", "ok", 1, "result", result ? result : json_null(), "warnings",
                    c.warnings);
    if (!doc)
        *rc = aic_err(err, AIC_ERR_NOMEM, "out of memory building the response");
    return doc;
}

int aic_api_call_ctx(struct aic_ctx *ctx, const char *request_json, char **response_json)
{
    struct aic_error err = {0};
    json_error_t jerr;
    json_t *req, *doc = NULL;
    const json_t *paths;
    api_op_fn fn = NULL;
    int rc;

    if (!response_json)
        return AIC_ERR_USAGE;
    *response_json = NULL;
    if (!request_json) {
        *response_json = error_response(AIC_ERR_USAGE, "no request (NULL)");
        return AIC_ERR_USAGE;
    }
    req = json_loads(request_json, JSON_REJECT_DUPLICATES, &jerr);
    if (!req) {
        aic_err(&err, AIC_ERR_PARSE, "request is not valid JSON: line %d column %d: %s", jerr.line,
                jerr.column, jerr.text);
        *response_json = error_response(err.code, err.msg);
        return err.code;
    }
    paths = json_object_get(req, "systems_paths");
    rc = check_request(req, paths, &fn, &err);
    if (!rc && ctx && json_is_string(paths))
        rc =
            aic_err(&err, AIC_ERR_USAGE,
                    "this server has fixed systems paths; drop \"systems_paths\" from the request");
    if (!rc)
        doc = run_op(fn, ctx, req, json_is_string(paths) ? json_string_value(paths) : NULL, &err,
                     &rc);
    json_decref(req);
    if (rc)
        api_json_keys(err.msg);
    *response_json = rc ? error_response(rc, err.msg) : finish(doc);
    if (!*response_json && !rc) {
        rc = AIC_ERR_NOMEM;
        *response_json = error_response(rc, "out of memory serialising the response");
    }
    return rc;
}

struct aic_ctx *aic_api_ctx_new(const char *systems_paths)
{
    return aic_ctx_new(systems_paths);
}

void aic_api_ctx_free(struct aic_ctx *ctx)
{
    aic_ctx_free(ctx);
}

int aic_api_call(const char *request_json, char **response_json)
{
    return aic_api_call_ctx(NULL, request_json, response_json);
}
