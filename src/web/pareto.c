/*
 * pareto.c - GET/POST /api/pareto.svg: the Pareto frontier of a `default` (or `recommend`)
 * search as the SVG that `--save-dir` writes (pareto_frontier.svg, one cairo drawing for PNG
 * and SVG). The request is the op's JSON (POST body, or GET query arguments, where numbers
 * are sent as numeric strings and "true"/"false" become booleans). The search runs through
 * the JSON API with save_dir set to a private temporary folder, whose SVG is returned; the
 * folder is removed afterwards. So the picture is exactly the file the CLI would write.
 */
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiconfigurator/api.h"
#include "web/web_int.h"

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    json_t *obj = cls;
    json_t *v;

    (void)kind;
    if (!value || !strcmp(value, "true"))
        v = json_true();
    else if (!strcmp(value, "false"))
        v = json_false();
    else if (!strcmp(value, "null"))
        v = json_null();
    else
        v = json_string(value);
    json_object_set_new(obj, key, v ? v : json_null());
    return MHD_YES;
}

/* The request object from the query string (GET) or the JSON body (POST); NULL = out
 * filled with the error. */
static json_t *read_request(struct MHD_Connection *c, const struct web_req *r,
                            struct web_reply *out)
{
    json_error_t jerr;
    json_t *req;

    if (strcmp(r->method, "POST")) {
        req = json_object();
        if (req)
            MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, req);
        else
            web_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, AIC_ERR_NOMEM, "out of memory");
        return req;
    }
    if (!web_require_json(c, out))
        return NULL;
    req = json_loadb(r->body.s ? r->body.s : "", r->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req) {
        web_error(out, MHD_HTTP_BAD_REQUEST, AIC_ERR_PARSE,
                  "request is not valid JSON: line %d column %d: %s", jerr.line, jerr.column,
                  jerr.text);
    } else if (!json_is_object(req)) {
        json_decref(req);
        req = NULL;
        web_error(out, MHD_HTTP_BAD_REQUEST, AIC_ERR_USAGE,
                  "the request must be a JSON object (the parameters of op default)");
    }
    return req;
}

/* Checks op and save_dir, then points save_dir at dir. */
static int prepare(json_t *req, const char *dir, struct web_reply *out)
{
    const json_t *op = json_object_get(req, "op");

    if (!op || json_is_null(op)) {
        json_object_set_new(req, "op", json_string("default"));
    } else if (!json_is_string(op) || (strcmp(json_string_value(op), "default") &&
                                       strcmp(json_string_value(op), "recommend"))) {
        web_error(out, MHD_HTTP_BAD_REQUEST, AIC_ERR_USAGE,
                  "pareto.svg draws op default or recommend (leave \"op\" out for default)");
        return -1;
    }
    if (json_object_get(req, "save_dir") && !json_is_null(json_object_get(req, "save_dir"))) {
        web_error(out, MHD_HTTP_BAD_REQUEST, AIC_ERR_USAGE,
                  "pareto.svg chooses its own save_dir; to save results use POST /api");
        return -1;
    }
    return json_object_set_new(req, "save_dir", json_string(dir));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Runs the request and reads the SVG the save step wrote. */
static void run(struct aic_web *w, const char *request, struct web_reply *out)
{
    char *resp = NULL, path[1200];
    int rc = web_api_call(w, request, &resp);
    json_t *doc, *where;
    struct aic_error err = {0};

    if (rc || !resp) {
        out->status = web_api_status(rc ? rc : AIC_ERR_NOMEM);
        out->body = resp;
        out->len = resp ? strlen(resp) : 0;
        return;
    }
    doc = json_loads(resp, 0, NULL);
    free(resp);
    where = json_object_get(json_object_get(doc, "result"), "save_dir");
    if (!json_is_string(where)) {
        json_decref(doc);
        web_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, AIC_ERR_RUNTIME,
                  "the search saved no folder to read the plot from");
        return;
    }
    aic_path_join(path, sizeof(path), json_string_value(where), "pareto_frontier.svg");
    json_decref(doc);
    if (aic_read_file(path, &out->body, &out->len, &err)) {
        web_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, err.code, "%s", err.msg);
        return;
    }
    out->status = MHD_HTTP_OK;
    out->type = "image/svg+xml";
}

void web_pareto_svg(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                    struct web_reply *out)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512], *text;
    json_t *req = read_request(c, r, out);

    out->type = "application/json";
    if (!req)
        return;
    snprintf(dir, sizeof(dir), "%s/aic-web-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        json_decref(req);
        web_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, AIC_ERR_IO,
                  "cannot create a temporary folder under %s (set TMPDIR)", tmp ? tmp : "/tmp");
        return;
    }
    if (!prepare(req, dir, out)) {
        text = json_dumps(req, JSON_COMPACT);
        if (text)
            run(w, text, out);
        else
            web_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, AIC_ERR_NOMEM, "out of memory");
        free(text);
    }
    json_decref(req);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
