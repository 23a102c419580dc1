/*
 * artifacts.c - the ready-to-run folders of the save-dir (aic-interface §3.1, §3.7-§3.9):
 *
 *   <mode>/top1 ... <mode>/top<N>/   generator_config.yaml, k8s_deploy.yaml, run_0.sh...,
 *                                    bench_run.sh, k8s_bench.yaml, TRT-LLM engine YAMLs
 *
 * One aic_generate_artifacts() call per top-N row, with the search's workload, MTP,
 * --free-gpu-memory-fraction and --max-seq-len. A row the generator refuses is skipped and
 * reported with its reason and with who is to blame: the user's overrides when the row passes
 * the generator's checks without them (aic_generate_check), else the row itself (a layout the
 * backend cannot express, more workers than the generator writes, heterogeneous prefill and
 * decode systems). I/O and memory failures stop the save.
 */
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/generate.h"
#include "report/report_int.h"
#include "util/util.h"

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

/* The generator request of one row (workers scaled to the budget; recommend: to the row's
 * replicas_needed, which *r then carries). */
static void fill_req(const struct aic_search_result *res, const struct aic_model *m,
                     const struct aic_system *sys, const struct aic_report_gen *gen,
                     struct aic_search_row *r, struct aic_gen_req *req)
{
    if (res->recommend && r->replicas_needed > 0)
        r->replicas = r->replicas_needed; /* the generator scales workers by row->replicas */
    aic_gen_req_init(req);
    req->model = m;
    req->system = sys;
    req->backend_version = res->version[r->backend][0] ? res->version[r->backend] : NULL;
    req->template_version = gen->template_version;
    req->dynamo_version = gen->dynamo_version;
    req->wl = res->req.wl;
    req->nextn = res->req.nextn;
    req->nextn_accepted = res->req.nextn_accepted;
    req->free_mem_fraction = res->req.free_mem_fraction;
    req->max_seq_len = res->req.max_seq_len;
    req->ttft_ms = res->req.ttft_ms;
    req->tpot_ms = res->req.tpot_ms;
    req->total_gpus =
        res->recommend || res->total_gpus <= 0 ? r->total_gpus_needed : res->total_gpus;
    if (req->total_gpus < r->gpus)
        req->total_gpus = r->gpus;
    req->cfg = gen->cfg;
}

/* Whether the user's overrides (generator config, template and Dynamo versions) are why the
 * row was refused: it passes the generator's checks without them. */
static int overrides_to_blame(const struct aic_gen_req *req, const struct aic_search_row *row)
{
    struct aic_gen_req bare = *req;
    bare.cfg = NULL;
    bare.template_version = NULL;
    bare.dynamo_version = NULL;
    return aic_generate_check(&bare, row, NULL) == AIC_OK;
}

/* One row into exp_dir/top<k>; a refusal goes to fn, only I/O and memory errors return. */
static int one_row(const struct aic_search_result *res, int exp, size_t k, const char *exp_dir,
                   const struct aic_model *m, const struct aic_system *sys,
                   const struct aic_report_gen *gen, aic_report_refusal_fn fn, void *user,
                   struct aic_error *err)
{
    struct aic_search_row r = res->exp[exp].top[k - 1];
    struct aic_gen_req req;
    struct aic_error e = {0};
    char dir[AIC_PATH_MAX], name[32];

    fill_req(res, m, sys, gen, &r, &req);
    snprintf(name, sizeof name, "top%zu", k);
    aic_path_join(dir, sizeof dir, exp_dir, name);
    int rc = aic_generate_artifacts(&req, &r, dir, &e);
    if (rc && fatal(rc)) {
        if (err)
            *err = e;
        return rc;
    }
    if (rc && fn)
        fn(user, exp, k, overrides_to_blame(&req, &r), &e);
    return AIC_OK;
}

int aic_report_artifacts_each(const struct aic_search_result *res, int exp, const char *exp_dir,
                              const struct aic_report_gen *gen, aic_report_refusal_fn fn,
                              void *user, struct aic_error *err)
{
    const struct aic_model *m;
    const struct aic_system *sys;

    if (exp < 0 || exp >= AIC_EXP_COUNT)
        return aic_err(err, AIC_ERR_USAGE, "unknown experiment index %d", exp);
    const struct aic_search_exp *x = &res->exp[exp];
    if (!x->ran || !x->n_top)
        return AIC_OK;
    if (exp == AIC_EXP_DISAGG && res->decode_system[0] && strcmp(res->decode_system, res->system)) {
        struct aic_error why = {0};
        aic_err(&why, AIC_ERR_USAGE,
                "prefill system %s and decode system %s differ (not supported)", res->system,
                res->decode_system);
        for (size_t k = 1; fn && k <= x->n_top; k++)
            fn(user, exp, k, 0, &why); /* not the user's override */
        return AIC_OK;
    }
    int rc = resolve(res, gen, &m, &sys, err);
    for (size_t k = 1; !rc && k <= x->n_top; k++)
        rc = one_row(res, exp, k, exp_dir, m, sys, gen, fn, user, err);
    return rc;
}

/* ---- the public form: one warning per refused row, counted ---------------------------- */

struct count_refused {
    const struct aic_report_gen *gen;
    int n;
    struct aic_error first;
};

static void warn_row(void *user, int exp, size_t k, int by_override, const struct aic_error *why)
{
    struct count_refused *c = user;
    char msg[AIC_ERROR_MSG_MAX + 64];

    (void)by_override;
    if (!c->n++)
        c->first = *why;
    if (!c->gen->warn)
        return;
    snprintf(msg, sizeof msg, "%s top%zu: no deployment artifacts: %s", aic_report_exp_name(exp), k,
             why->msg);
    c->gen->warn(c->gen->user, msg);
}

int aic_report_save_artifacts(const struct aic_search_result *res, int exp, const char *exp_dir,
                              const struct aic_report_gen *gen, int *n_refused,
                              struct aic_error *err)
{
    struct count_refused c = {gen, 0, {0}};
    int hetero =
        exp == AIC_EXP_DISAGG && res->decode_system[0] && strcmp(res->decode_system, res->system);
    int rc;

    if (n_refused)
        *n_refused = 0;
    if (!gen)
        return aic_err(err, AIC_ERR_USAGE, "artifacts need a context (struct aic_report_gen.ctx)");
    rc = aic_report_artifacts_each(res, exp, exp_dir, gen, warn_row, &c, err);
    if (rc || hetero) /* heterogeneous systems: warned about, not counted */
        return rc;
    if (n_refused)
        *n_refused = c.n;
    if (c.n && err)
        *err = c.first; /* the first refusal's reason; the call itself succeeded */
    return AIC_OK;
}
