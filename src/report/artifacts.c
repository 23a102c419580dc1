/*
 * artifacts.c - the ready-to-run folders of the save-dir (aic-interface §3.1, §3.7-§3.9):
 *
 *   <mode>/top1 ... <mode>/top<N>/   generator_config.yaml, k8s_deploy.yaml, run_0.sh...,
 *                                    bench_run.sh, k8s_bench.yaml, TRT-LLM engine YAMLs
 *
 * One aic_generate_artifacts() call per top-N row. A row the generator refuses (a layout the
 * backend cannot express, heterogeneous prefill/decode systems, an override that contradicts
 * the row) is skipped with a warning through the caller's callback, as AIConfigurator skips
 * such rows and still exits 0; I/O and memory failures stop the save.
 */
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/generate.h"
#include "report/report_int.h"
#include "util/util.h"

static void warn_row(const struct aic_report_gen *g, int exp, size_t k, const char *why)
{
    char msg[AIC_ERROR_MSG_MAX + 64];
    if (!g->warn)
        return;
    snprintf(msg, sizeof msg, "%s top%zu: no deployment artifacts: %s", aic_report_exp_name(exp), k,
             why);
    g->warn(g->user, msg);
}

static int fatal(int code)
{
    return code == AIC_ERR_IO || code == AIC_ERR_NOMEM;
}

/* Model and system of the result, looked up in the caller's context. */
static int resolve(const struct aic_search_result *res, const struct aic_report_gen *g,
                   const struct aic_model **m, const struct aic_system **sys, struct aic_error *err)
{
    if (!g || !g->ctx)
        return aic_err(err, AIC_ERR_USAGE, "artifacts need a context (struct aic_report_gen.ctx)");
    /* the resolved id first (res->req.model is borrowed and may be gone), then the request */
    if (aic_ctx_get_model(g->ctx, res->model_id, m, NULL) &&
        (!res->req.model || aic_ctx_get_model(g->ctx, res->req.model, m, err)))
        return aic_err(err, AIC_ERR_NOTFOUND, "cannot load model %s for the artifacts",
                       res->model_id);
    if (aic_ctx_get_system(g->ctx, res->system, sys, err))
        return err ? err->code : AIC_ERR_NOTFOUND;
    return AIC_OK;
}

/* One row into exp_dir/top<k>; a refusal is warned about and counted, not returned. */
static int one_row(const struct aic_search_result *res, int exp, size_t k, const char *exp_dir,
                   const struct aic_model *m, const struct aic_system *sys,
                   const struct aic_report_gen *gen, int *refused, struct aic_error *first,
                   struct aic_error *err)
{
    struct aic_search_row r = res->exp[exp].top[k - 1];
    const struct aic_search_row *row = &r;
    struct aic_gen_req req;
    if (res->recommend && r.replicas_needed > 0)
        r.replicas = r.replicas_needed; /* the generator scales workers by row->replicas */
    struct aic_error e = {0};
    char dir[AIC_PATH_MAX], name[32];
    aic_gen_req_init(&req);
    req.model = m;
    req.system = sys;
    req.backend_version = res->version[row->backend][0] ? res->version[row->backend] : NULL;
    req.template_version = gen->template_version;
    req.dynamo_version = gen->dynamo_version;
    req.wl = res->req.wl;
    req.nextn = res->req.nextn;
    req.nextn_accepted = res->req.nextn_accepted;
    req.ttft_ms = res->req.ttft_ms;
    req.tpot_ms = res->req.tpot_ms;
    req.total_gpus =
        res->recommend || res->total_gpus <= 0 ? row->total_gpus_needed : res->total_gpus;
    if (req.total_gpus < row->gpus)
        req.total_gpus = row->gpus;
    req.cfg = gen->cfg;
    snprintf(name, sizeof name, "top%zu", k);
    aic_path_join(dir, sizeof dir, exp_dir, name);
    int rc = aic_generate_artifacts(&req, row, dir, &e);
    if (rc && fatal(rc)) {
        if (err)
            *err = e;
        return rc;
    }
    if (rc) {
        warn_row(gen, exp, k, e.msg);
        if (!*refused && first)
            *first = e;
        ++*refused;
    }
    return AIC_OK;
}

int aic_report_save_artifacts(const struct aic_search_result *res, int exp, const char *exp_dir,
                              const struct aic_report_gen *gen, int *n_refused,
                              struct aic_error *err)
{
    const struct aic_model *m;
    const struct aic_system *sys;
    int refused = 0;
    if (n_refused)
        *n_refused = 0;
    if (exp < 0 || exp >= AIC_EXP_COUNT)
        return aic_err(err, AIC_ERR_USAGE, "unknown experiment index %d", exp);
    const struct aic_search_exp *x = &res->exp[exp];
    if (!x->ran || !x->n_top)
        return AIC_OK;
    if (exp == AIC_EXP_DISAGG && res->decode_system[0] && strcmp(res->decode_system, res->system)) {
        char why[256];
        snprintf(why, sizeof why, "prefill system %s and decode system %s differ (not supported)",
                 res->system, res->decode_system);
        for (size_t k = 1; k <= x->n_top; k++)
            warn_row(gen, exp, k, why);
        return AIC_OK; /* not the user's override: not counted as refused */
    }
    int rc = resolve(res, gen, &m, &sys, err);
    struct aic_error first = {0};
    for (size_t k = 1; !rc && k <= x->n_top; k++)
        rc = one_row(res, exp, k, exp_dir, m, sys, gen, &refused, &first, err);
    if (rc)
        return rc;
    if (n_refused)
        *n_refused = refused;
    if (refused && err)
        *err = first; /* the first refusal's reason; the call itself succeeded */
    return AIC_OK;
}
