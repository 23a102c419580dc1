/*
 * json.c - the whole search result as one JSON document (`cli default --json`, the web
 * app and the Python module read it). Rows use the CSV column names (columns.c), numbers
 * unrounded. Layout of the document: src/report/README.md.
 */
#include <jansson.h>
#include <stdlib.h>

#include "report/report_int.h"

static json_t *row_obj(const struct aic_search_result *res, int exp, const struct aic_search_row *r)
{
    json_t *o = json_object();
    int nc = aic_report_ncols(res, exp);
    for (int i = 0; i < nc; i++) {
        struct aic_val v;
        char buf[64];
        aic_report_col_val(res, exp, i, r, &v, buf, sizeof buf);
        json_t *j = v.kind == AIC_V_INT   ? json_integer(v.i)
                    : v.kind == AIC_V_NUM ? json_real(v.d)
                    : v.kind == AIC_V_STR ? json_string(v.s)
                                          : json_null();
        json_object_set_new(o, aic_report_col_name(res, exp, i), j);
    }
    json_object_set_new(o, "replicas", json_integer(r->replicas));
    json_object_set_new(o, "meets_sla", json_boolean(r->meets_sla));
    return o;
}

static json_t *rows_arr(const struct aic_search_result *res, int exp,
                        const struct aic_search_row *rows, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, row_obj(res, exp, &rows[i]));
    return a;
}

static json_t *exp_obj(const struct aic_search_result *res, int e)
{
    const struct aic_search_exp *x = &res->exp[e];
    json_t *o = json_object();
    json_object_set_new(o, "ran", json_boolean(x->ran));
    json_object_set_new(o, "note", json_string(x->note));
    json_object_set_new(o, "evaluated", json_integer(x->n_evaluated));
    json_object_set_new(o, "top_meets_sla", json_boolean(x->top_meets_sla));
    json_object_set_new(o, "top", rows_arr(res, e, x->top, x->n_top));
    json_object_set_new(o, "pareto", rows_arr(res, e, x->pareto, x->n_pareto));
    json_object_set_new(o, "rows", rows_arr(res, e, x->rows, x->n_rows));
    return o;
}

static json_t *req_obj(const struct aic_search_result *res)
{
    const struct aic_search_req *q = &res->req;
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(res->model_id));
    json_object_set_new(o, "system", json_string(res->system));
    json_object_set_new(o, "decode_system", json_string(res->decode_system));
    json_object_set_new(
        o, "backend",
        json_string(q->backend == AIC_BACKEND_AUTO ? "auto" : aic_backend_name(q->backend)));
    json_object_set_new(o, "database_mode", json_string(aic_db_mode_name(q->db_mode)));
    json_object_set_new(o, "total_gpus", json_integer(res->total_gpus));
    json_object_set_new(o, "isl", json_integer(q->wl.isl));
    json_object_set_new(o, "osl", json_integer(q->wl.osl));
    json_object_set_new(o, "prefix", json_integer(q->wl.prefix));
    json_object_set_new(o, "ttft", json_real(q->ttft_ms));
    json_object_set_new(o, "tpot", json_real(q->tpot_ms));
    json_object_set_new(o, "request_latency",
                        q->request_latency_ms > 0 ? json_real(q->request_latency_ms) : json_null());
    json_object_set_new(o, "strict_sla", json_boolean(q->strict_sla));
    json_object_set_new(o, "top_n", json_integer(q->top_n));
    if (res->recommend) {
        json_object_set_new(o, "target_request_rate",
                            q->target_request_rate > 0 ? json_real(q->target_request_rate)
                                                       : json_null());
        json_object_set_new(o, "target_concurrency",
                            q->target_concurrency > 0 ? json_real(q->target_concurrency)
                                                      : json_null());
    }
    return o;
}

json_t *aic_report_json_obj(const struct aic_search_result *res)
{
    json_t *root = json_object();
    json_object_set_new(root, "request", req_obj(res));
    json_object_set_new(root, "is_moe", json_boolean(res->is_moe));
    json_object_set_new(root, "mode", json_string(res->recommend ? "recommend" : "default"));
    json_object_set_new(root, "best",
                        res->best >= 0 ? json_string(aic_report_exp_name(res->best)) : json_null());
    json_object_set_new(root, "ratio", json_real(res->ratio));
    json_t *ver = json_object();
    for (int b = 0; b < AIC_BACKEND_COUNT; b++)
        if (res->version[b][0])
            json_object_set_new(ver, aic_backend_name(b), json_string(res->version[b]));
    json_object_set_new(root, "versions", ver);
    json_t *exps = json_object();
    for (int e = 0; e < AIC_EXP_COUNT; e++)
        if (res->exp[e].ran)
            json_object_set_new(exps, aic_report_exp_name(e), exp_obj(res, e));
    json_object_set_new(root, "experiments", exps);
    json_t *w = json_array();
    for (int i = 0; i < res->n_warn; i++)
        json_array_append_new(w, json_string(res->warn[i]));
    json_object_set_new(root, "warnings", w);
    return root;
}

char *aic_report_json(const struct aic_search_result *res)
{
    return aic_report_json_warn(res, NULL, 0);
}

char *aic_report_json_warn(const struct aic_search_result *res, const char *const *more,
                           size_t n_more)
{
    json_t *root = aic_report_json_obj(res);
    json_t *w = json_object_get(root, "warnings");
    for (size_t i = 0; i < n_more; i++)
        json_array_append_new(w, json_string(more[i]));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    return s;
}
