/*
 * op_search.c - {"op": "default"} and {"op": "recommend"}: the sweep of `cli default` /
 * `cli recommend`, answered with the `cli default --json` document (aic_report_json()).
 * Defaults as on the command line: isl 4000, osl 1000, ttft 2000, tpot 30, top_n 5,
 * SILICON (recommend: HYBRID). default without total_gpus but with a load target runs
 * recommend, as AIConfigurator does. Without a perf database and without an explicit
 * database_mode the search uses EMPIRICAL and says so in "warnings". save_dir writes the
 * folder of `--save_dir` (CSVs, exp YAML, plots, and per top-N row the deployment artifacts,
 * shaped by the generator_* parameters; rows the generator refuses become warnings).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/generate.h"
#include "aiconfigurator/report.h"
#include "aiconfigurator/search.h"
#include "api/api_int.h"

struct sweep_p {
    struct api_req_p r;
    const char *save_dir, *moe_backend, *deployment_target;
    int serving, total_gpus, top_n;
    double ttft, tpot, request_latency, rate, conc;
    int strict_sla, inclusive_tpot, chunked, wideep;
    struct api_gen_p g; /* generator overrides of the save_dir artifacts */
};

static const char *const backends[] = {"trtllm", "vllm", "sglang", "auto", NULL};
static const char *const servings[] = {"auto", "agg", "disagg", "all", "afd", NULL};

#define O(f) offsetof(struct sweep_p, f)
static const struct api_param sweep_tab[] = {
    API_REQ_PARAMS(struct sweep_p, r, backends),
    {"total_gpus", NULL, AP_INT, O(total_gpus), 1, 1e6, NULL},
    {"target_request_rate", NULL, AP_FLOAT, O(rate), 1e-9, 1e12, NULL},
    {"target_concurrency", NULL, AP_FLOAT, O(conc), 1e-9, 1e12, NULL},
    {"serving_mode", NULL, AP_ENUM, O(serving), 0, 0, servings},
    {"ttft", NULL, AP_FLOAT, O(ttft), 1e-9, 1e12, NULL},
    {"tpot", NULL, AP_FLOAT, O(tpot), 1e-9, 1e12, NULL},
    {"request_latency", NULL, AP_FLOAT, O(request_latency), 1e-9, 1e12, NULL},
    {"strict_sla", NULL, AP_BOOL, O(strict_sla), 0, 0, NULL},
    {"inclusive_tpot", NULL, AP_BOOL, O(inclusive_tpot), 0, 0, NULL},
    {"top_n", NULL, AP_INT, O(top_n), 1, 1000, NULL},
    {"save_dir", NULL, AP_STRING, O(save_dir), 0, 0, NULL},
    {"enable_chunked_prefill", NULL, AP_BOOL, O(chunked), 0, 0, NULL},
    {"enable_wideep", NULL, AP_BOOL, O(wideep), 0, 0, NULL},
    {"moe_backend", NULL, AP_STRING, O(moe_backend), 0, 0, NULL},
    {"deployment_target", NULL, AP_STRING, O(deployment_target), 0, 0, NULL},
    API_GEN_PARAMS(struct sweep_p, g),
    {0},
};
#undef O

/* Decides default vs recommend and checks the combination of targets. */
static int check_mode(struct api_call *c, struct sweep_p *o, const struct api_given *g,
                      int *recommend)
{
    if (o->rate > 0 && o->conc > 0)
        return aic_err(c->err, AIC_ERR_USAGE,
                       "target_request_rate and target_concurrency are "
                       "mutually exclusive; give one");
    if (*recommend && api_given(sweep_tab, g, "total_gpus"))
        return aic_err(c->err, AIC_ERR_USAGE,
                       "total_gpus does not apply to recommend, which finds the fewest GPUs for "
                       "the load target; drop it, or run default with total_gpus");
    if (!*recommend && !api_given(sweep_tab, g, "total_gpus")) {
        if (o->rate <= 0 && o->conc <= 0)
            return aic_err(c->err, AIC_ERR_USAGE,
                           "default needs total_gpus or a load target (target_request_rate / "
                           "target_concurrency)");
        *recommend = 1;
        if (!api_given(sweep_tab, g, "database_mode"))
            o->r.db_mode = AIC_DB_HYBRID;
    } else if (!*recommend && (o->rate > 0 || o->conc > 0)) {
        o->rate = o->conc = 0;
        api_warn(c, "total_gpus is set: the load target is ignored");
    }
    if (*recommend && o->rate <= 0 && o->conc <= 0)
        return aic_err(c->err, AIC_ERR_USAGE,
                       "recommend needs a load target: "
                       "target_request_rate or target_concurrency");
    return api_req_check(&o->r, c->err);
}

static void fill_req(const struct sweep_p *o, const struct api_given *g, int recommend,
                     struct aic_search_req *r)
{
    const struct api_req_p *q = &o->r;

    aic_search_req_init(r);
    r->model = q->model;
    r->system = q->system;
    r->decode_system = q->decode_system;
    r->backend = q->backend == 3 ? AIC_BACKEND_AUTO : q->backend;
    r->backend_version = q->backend_version && *q->backend_version ? q->backend_version : NULL;
    r->db_mode = (enum aic_db_mode)q->db_mode;
    r->total_gpus = recommend ? 0 : o->total_gpus;
    r->wl = (struct aic_workload){q->isl, q->osl, q->prefix};
    r->ttft_ms = o->ttft;
    r->tpot_ms = o->tpot;
    r->request_latency_ms = o->request_latency;
    if (o->request_latency > 0 && !api_given(sweep_tab, g, "ttft"))
        r->ttft_ms = 0; /* the library uses 0.95 x request latency */
    r->strict_sla = o->strict_sla;
    r->serving = o->serving == 1   ? AIC_SEARCH_AGG
                 : o->serving == 2 ? AIC_SEARCH_DISAGG
                                   : AIC_SEARCH_AUTO;
    r->top_n = o->top_n;
    r->free_mem_fraction = q->free_mem;
    r->max_seq_len = q->max_seq_len;
    api_req_ttft(sweep_tab, g, q, &r->ttft);
    r->enable_chunked_prefill = o->chunked;
    r->target_request_rate = recommend ? o->rate : 0;
    r->target_concurrency = recommend ? o->conc : 0;
    r->nextn_accepted = q->nextn_accepted;
}

/* No perf database along the systems paths and no explicit mode/version: EMPIRICAL. */
static int empirical_fallback(struct api_call *c, const struct api_given *g,
                              struct aic_search_req *r)
{
    int fell_back;
    int rc = aic_search_req_fallback(c->ctx, r, api_given(sweep_tab, g, "database_mode"),
                                     &fell_back, c->err);

    if (!rc && fell_back)
        api_warn(c,
                 "No perf database for %s along the systems paths: searching with the EMPIRICAL "
                 "model; give systems_paths with measured tables for SILICON accuracy",
                 r->system);
    return rc;
}

/* The save's warnings (top-N rows without artifacts): in the response's "warnings" and,
 * as `cli default --json` prints them, in the document's. */
struct save_warns {
    struct api_call *c;
    json_t *lines;
};

static void gen_warn(void *user, const char *msg)
{
    struct save_warns *w = user;
    api_warn(w->c, "%s", msg);
    json_array_append_new(w->lines, json_string(msg));
}

/* The save_dir tree: CSVs, YAML, plots and the artifacts of every top-N row. */
static int save(struct api_call *c, const struct sweep_p *o, const struct aic_search_result *res,
                struct save_warns *w, char *where, size_t len)
{
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_report_gen gen = {c->ctx, cfg, o->g.tmpl_version, o->g.dynamo_version, gen_warn, w};
    int rc =
        cfg ? api_gen_overrides(c, &o->g, 1, cfg) : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");

    rc = rc ? rc : aic_report_save_gen(res, o->save_dir, &gen, where, len, c->err);
    aic_gencfg_free(cfg);
    return rc;
}

/* A warning of the document with its flags named by JSON key (api_json_keys()). */
static void keys_in(json_t *str)
{
    char *line = json_is_string(str) ? strdup(json_string_value(str)) : NULL;

    if (line) {
        api_json_keys(line);
        json_string_set(str, line);
    }
    free(line);
}

/* The report document (json_t) of res. */
static int report_doc(struct api_call *c, const struct aic_search_result *res, json_t **doc)
{
    char *text = aic_report_json(res);
    json_error_t jerr;

    if (!text)
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory rendering the report");
    *doc = json_loads(text, 0, &jerr);
    free(text);
    if (!*doc)
        return aic_err(c->err, AIC_ERR_RUNTIME, "report JSON did not parse back: %s", jerr.text);
    return 0;
}

/* The report document plus the save-dir folder (when asked). */
static int output(struct api_call *c, const struct sweep_p *o, const struct aic_search_result *res,
                  json_t **result)
{
    char where[1024] = "";
    struct save_warns w = {c, json_array()};
    int rc = w.lines ? 0 : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");

    rc = rc || !o->save_dir ? rc : save(c, o, res, &w, where, sizeof(where));
    rc = rc ? rc : report_doc(c, res, result);
    if (!rc) {
        json_t *warns = json_object_get(*result, "warnings"), *v;
        size_t i;
        json_array_extend(warns, w.lines);
        json_array_foreach(warns, i, v) keys_in(v);
        if (o->save_dir)
            json_object_set_new(*result, "save_dir", json_string(where));
    }
    json_decref(w.lines);
    return rc;
}

static int sweep(struct api_call *c, int recommend, json_t **result)
{
    struct sweep_p o = {
        .r = {.isl = 4000, .osl = 1000, .db_mode = recommend ? AIC_DB_HYBRID : AIC_DB_SILICON},
        .ttft = 2000,
        .tpot = 30,
        .top_n = 5};
    const struct aic_model *m;
    struct api_given g;
    struct aic_search_req r;
    struct aic_search_result res;
    int rc = api_params_read(c->req, sweep_tab, &o, &g, c->err);

    rc = rc ? rc : check_mode(c, &o, &g, &recommend);
    if (rc)
        return rc;
    if (o.wideep)
        api_warn(c, "enable_wideep is deprecated and ignored");
    if (o.serving >= 3)
        api_warn(c, "AFD is not modelled; serving_mode %s runs agg and disagg",
                 servings[o.serving]);
    fill_req(&o, &g, recommend, &r);
    rc = api_req_quant_nextn(c, &o.r, api_given(sweep_tab, &g, "nextn_accepted"), &r.quant,
                             &r.nextn, &m);
    rc = rc ? rc : empirical_fallback(c, &g, &r);
    if (rc)
        return rc;
    memset(&res, 0, sizeof(res));
    rc = aic_search_run(c->ctx, &r, &res, c->err);
    for (int i = 0; rc && i < res.n_warn; i++)
        api_warn(c, "%s", res.warn[i]);
    rc = rc ? rc : output(c, &o, &res, result);
    aic_search_result_free(&res);
    return rc;
}

int api_op_default(struct api_call *c, json_t **result)
{
    return sweep(c, 0, result);
}

int api_op_recommend(struct api_call *c, json_t **result)
{
    return sweep(c, 1, result);
}
