/*
 * estimate_run.c - aic_estimate(): validate a request, resolve model, system and database
 * (falling back to EMPIRICAL when no perf data exists and the mode was not explicit), build
 * the workers and run the serving model.
 */
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/aiconfigurator.h"
#include "util/util.h"

void aic_estimate_req_init(struct aic_estimate_req *req)
{
    struct aic_layout one = {1, 1, 1, 0, 0};
    memset(req, 0, sizeof(*req));
    req->backend = AIC_BACKEND_TRTLLM;
    req->db_mode = AIC_DB_SILICON;
    req->mode = AIC_MODE_AGG;
    req->wl.isl = 1024;
    req->wl.osl = 1024;
    req->batch_size = 128;
    req->lay = req->prefill_lay = req->decode_lay = one;
    req->opts.quant =
        (struct aic_quant_cfg){AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE};
}

static int check_request(const struct aic_estimate_req *r, struct aic_error *err)
{
    if (!r->model || !*r->model)
        return aic_err(err, AIC_ERR_USAGE, "a model is required: pass --model-path <HF id or dir>");
    if (!r->system || !*r->system)
        return aic_err(err, AIC_ERR_USAGE, "a system is required: pass --system (e.g. h100_sxm)");
    if (r->wl.isl <= 0 || r->wl.osl <= 0)
        return aic_err(err, AIC_ERR_USAGE, "--isl and --osl must be positive (got %d and %d)",
                       r->wl.isl, r->wl.osl);
    if (r->wl.prefix < 0 || r->wl.prefix >= r->wl.isl)
        return aic_err(err, AIC_ERR_USAGE, "--prefix must be >= 0 and below --isl (got %d)",
                       r->wl.prefix);
    if (r->mode == AIC_MODE_DISAGG) {
        if (r->prefill_batch <= 0 || r->decode_batch <= 0 || r->prefill_workers <= 0 ||
            r->decode_workers <= 0)
            return aic_err(err, AIC_ERR_USAGE,
                           "disagg needs positive --prefill-batch-size, --prefill-num-workers, "
                           "--decode-batch-size and --decode-num-workers");
    } else if (r->batch_size <= 0) {
        return aic_err(err, AIC_ERR_USAGE, "--batch-size must be positive (got %d)", r->batch_size);
    }
    if (r->ctx_tokens < 0)
        return aic_err(err, AIC_ERR_USAGE, "--ctx-tokens must be positive");
    return aic_workload_check_seq_len(&r->wl, r->opts.max_seq_len, "--max-seq-len", err);
}

/* The database for (system, backend), with the EMPIRICAL fallback when none exists. */
static int open_db(struct aic_ctx *ctx, const struct aic_estimate_req *r, const char *system,
                   struct aic_perfdb **db, struct aic_estimate_result *res, struct aic_error *err)
{
    const struct aic_system *sys;
    char versions[256] = "";
    int rc = aic_ctx_get_system(ctx, system, &sys, err);

    if (rc)
        return rc;
    aic_perfdb_versions(sys, r->backend, versions, sizeof(versions));
    if (!versions[0] && !r->db_mode_explicit && r->db_mode == AIC_DB_SILICON &&
        !(r->backend_version && *r->backend_version)) {
        res->fell_back = 1;
        res->db_mode_used = AIC_DB_EMPIRICAL;
        return aic_ctx_get_db(ctx, system, r->backend, NULL, AIC_DB_EMPIRICAL, db, err);
    }
    res->db_mode_used = r->db_mode;
    return aic_ctx_get_db(ctx, system, r->backend, r->backend_version, r->db_mode, db, err);
}

/* Out of memory: either the worker as a whole, or only its KV cache against the budget the
 * backend leaves it (GB, as the estimate's memory lines). */
static int oom_error(const struct aic_memory *m, const char *what, struct aic_error *err)
{
    if (m->total - m->kv_cache < m->capacity && m->kv_budget <= 0)
        return aic_err(err, AIC_ERR_OOM,
                       "%s does not fit in GPU memory: weights and runtime take %.1f GB of "
                       "%.1f GB per GPU, leaving the KV cache nothing within the backend's "
                       "memory fraction; raise --free-gpu-memory-fraction or use more GPUs per "
                       "worker",
                       what, (m->total - m->kv_cache) / 1e9, m->capacity / 1e9);
    if (m->total - m->kv_cache < m->capacity)
        return aic_err(err, AIC_ERR_OOM,
                       "%s does not fit in GPU memory: its KV cache needs %.1f GB per GPU "
                       "(full-length requests) but the backend leaves it %.1f GB of %.1f GB; raise "
                       "--free-gpu-memory-fraction, lower the batch, or use more GPUs per worker",
                       what, m->kv_cache / 1e9, m->kv_budget / 1e9, m->capacity / 1e9);
    return aic_err(err, AIC_ERR_OOM,
                   "%s does not fit in GPU memory: %.1f GB needed per GPU (weights %.1f, KV "
                   "cache %.1f, activations %.1f) of %.1f GB; use more GPUs per worker (tp/pp/"
                   "ep), a smaller batch, or a quantized model",
                   what, m->total / 1e9, m->weights / 1e9, m->kv_cache / 1e9, m->activations / 1e9,
                   m->capacity / 1e9);
}

/* Fills res->prov[phase - 1] from the phase run at batch b (b < 1: not run). */
static void phase_prov(struct aic_worker *w, const struct aic_workload *wl, int b, int phase,
                       struct aic_estimate_result *res)
{
    struct aic_op_time ops[AIC_MAX_BREAKDOWN];
    struct aic_error e;
    int n = b >= 1 ? aic_worker_breakdown(w, wl, b, phase, ops, AIC_MAX_BREAKDOWN, &e) : 0;

    aic_prov_shares(ops, n > 0 ? n : 0, res->prov[phase - 1]);
}

/* AIConfigurator's check reserves every request's full length; a worker whose KV fits on
 * average (paged KV: mem->max_batch requests) runs, as does one whose extra requests queue
 * (kv_limited > 0), so only what cannot run at all stays out of memory. The memory shown is
 * then what runs: the KV of the requests in flight at their average length. */
static void paged_kv(struct aic_memory *mem, int b, int kv_limited)
{
    double paged;

    if (!mem->oom || mem->total - mem->kv_cache >= mem->capacity ||
        (b > mem->max_batch && kv_limited <= 0))
        return;
    mem->oom = 0;
    paged = (kv_limited > 0 ? kv_limited : b) * mem->kv_request_bytes;
    if (paged > 0 && paged < mem->kv_cache) {
        mem->total -= mem->kv_cache - paged;
        mem->kv_cache = paged;
    }
}

/* Per-op tables of the prefill at batch bp and one decode step at batch bd. */
static void fill_breakdown(struct aic_worker *pw, struct aic_worker *dw,
                           const struct aic_workload *wl, int bp, int bd,
                           struct aic_estimate_result *res)
{
    struct aic_error e;
    int n = bp > 0 ? aic_worker_breakdown(pw, wl, bp, 1, res->ctx_ops, AIC_MAX_BREAKDOWN, &e) : 0;

    res->ctx_ops_batch = bp;
    res->gen_ops_batch = bd;
    res->n_ctx_ops = n > 0 ? n : 0;
    n = bd > 0 ? aic_worker_breakdown(dw, wl, bd, 2, res->gen_ops, AIC_MAX_BREAKDOWN, &e) : 0;
    res->n_gen_ops = n > 0 ? n : 0;
}

/* The prompts one aggregated step carries (its context-token budget), the decode batch
 * that ran (a KV-limited batch when only that many fit), or the static batch. */
/* The prompts the prefill of one engine step carries: aggregated, those its context-token
 * budget holds (at most the batch); static, the whole batch. */
static int step_prefill_batch(const struct aic_estimate_req *r,
                              const struct aic_estimate_result *res)
{
    int b = r->batch_size, isl = r->wl.isl > 0 ? r->wl.isl : 1;
    int step = (res->ctx_tokens + isl - 1) / isl;

    if (r->mode != AIC_MODE_AGG)
        return b;
    return step < b ? (step > 0 ? step : 1) : b;
}

static void single_prov(struct aic_worker *w, const struct aic_estimate_req *r, int smode,
                        struct aic_estimate_result *res)
{
    int b = r->batch_size;

    if (r->mode == AIC_MODE_AGG) {
        phase_prov(w, &r->wl, step_prefill_batch(r, res), 1, res);
        phase_prov(w, &r->wl, res->m.kv_limited_batch > 0 ? res->m.kv_limited_batch : b, 2, res);
        return;
    }
    phase_prov(w, &r->wl, smode == 2 ? 0 : b, 1, res);
    phase_prov(w, &r->wl, smode == 1 ? 0 : b, 2, res);
}

static int run_single(struct aic_ctx *ctx, const struct aic_estimate_req *r,
                      const struct aic_model *m, int want_breakdown,
                      struct aic_estimate_result *res, struct aic_error *err)
{
    struct aic_perfdb *db;
    struct aic_worker w;
    int rc, smode = 0;

    if ((rc = open_db(ctx, r, r->system, &db, res, err)))
        return rc;
    if ((rc = aic_worker_init(&w, m, db, r->lay, &r->opts, err)))
        return rc;
    res->quant = res->quant_decode = w.q;
    res->wide_ep[0] = res->wide_ep[1] = w.wide_ep;
    aic_strlcpy(res->backend_version, aic_perfdb_version(db), sizeof(res->backend_version));
    if (r->mode == AIC_MODE_AGG) {
        res->ctx_tokens = aic_agg_ctx_tokens(&w, &r->wl, r->batch_size, r->ctx_tokens);
        rc = aic_run_agg(&w, &r->wl, r->batch_size, res->ctx_tokens, &res->m, err);
    } else {
        smode = r->mode == AIC_MODE_STATIC_CTX ? 1 : r->mode == AIC_MODE_STATIC_GEN ? 2 : 0;
        rc = aic_run_static(&w, &r->wl, r->batch_size, smode, &res->m, err);
    }
    if (!rc)
        paged_kv(&res->m.mem, r->batch_size, res->m.kv_limited_batch);
    if (!rc && res->m.mem.oom)
        rc = oom_error(&res->m.mem, "this configuration", err);
    if (!rc)
        single_prov(&w, r, smode, res);
    if (!rc && want_breakdown)
        fill_breakdown(&w, &w, &r->wl, smode == 2 ? 0 : step_prefill_batch(r, res),
                       smode == 1                    ? 0
                       : res->m.kv_limited_batch > 0 ? res->m.kv_limited_batch
                                                     : r->batch_size,
                       res); /* a static mode has only the phase it runs */
    aic_worker_release(&w);
    return rc;
}

static int run_disagg(struct aic_ctx *ctx, const struct aic_estimate_req *r,
                      const struct aic_model *m, int want_breakdown,
                      struct aic_estimate_result *res, struct aic_error *err)
{
    struct aic_perfdb *pdb, *ddb;
    struct aic_worker pw, dw;
    struct aic_worker_opts po = r->opts, dop = r->opts;
    const char *dsys = r->decode_system && *r->decode_system ? r->decode_system : r->system;
    int rc;

    if ((rc = open_db(ctx, r, r->system, &pdb, res, err)) ||
        (rc = open_db(ctx, r, dsys, &ddb, res, err)))
        return rc;
    if (po.latency_correction <= 0)
        po.latency_correction = 1.1;
    if (dop.latency_correction <= 0)
        dop.latency_correction = 1.08;
    if ((rc = aic_worker_init(&pw, m, pdb, r->prefill_lay, &po, err))) {
        aic_err_prefix(err, "prefill worker");
        return rc;
    }
    if ((rc = aic_worker_init(&dw, m, ddb, r->decode_lay, &dop, err))) {
        aic_err_prefix(err, "decode worker");
        aic_worker_release(&pw);
        return rc;
    }
    res->quant = pw.q;
    res->quant_decode = dw.q;
    res->wide_ep[0] = pw.wide_ep;
    res->wide_ep[1] = dw.wide_ep;
    aic_strlcpy(res->backend_version, aic_perfdb_version(pdb), sizeof(res->backend_version));
    rc = aic_run_disagg(&pw, r->prefill_batch, r->prefill_workers, &dw, r->decode_batch,
                        r->decode_workers, &r->wl, &res->m, err);
    if (!rc)
        paged_kv(&res->m.mem_decode, r->decode_batch, 0);
    if (!rc && res->m.mem.oom)
        rc = oom_error(&res->m.mem, "the prefill worker", err);
    if (!rc && res->m.mem_decode.oom)
        rc = oom_error(&res->m.mem_decode, "the decode worker", err);
    if (!rc) {
        phase_prov(&pw, &r->wl, r->prefill_batch, 1, res);
        phase_prov(&dw, &r->wl, r->decode_batch, 2, res);
    }
    if (!rc && want_breakdown)
        fill_breakdown(&pw, &dw, &r->wl, r->prefill_batch, r->decode_batch, res);
    aic_worker_release(&pw);
    aic_worker_release(&dw);
    return rc;
}

void aic_prov_shares(const struct aic_op_time *ops, int n, double share[AIC_PROV_COUNT])
{
    double total = 0, g[3] = {0, 0, 0};
    int hidden;

    for (int i = 0; i < n; i++)
        if (ops[i].ms > 0 && ops[i].group >= 0 && ops[i].group < 3)
            g[ops[i].group] += ops[i].ms;
    hidden = g[1] >= g[2] ? 2 : 1; /* the shorter overlapped group adds no time */
    for (int p = 0; p < AIC_PROV_COUNT; p++)
        share[p] = 0;
    for (int i = 0; i < n; i++)
        if ((int)ops[i].prov >= 0 && ops[i].prov < AIC_PROV_COUNT && ops[i].ms > 0 &&
            ops[i].group != hidden) {
            share[ops[i].prov] += ops[i].ms;
            total += ops[i].ms;
        }
    for (int p = 0; p < AIC_PROV_COUNT && total > 0; p++)
        share[p] /= total;
}

int aic_estimate(struct aic_ctx *ctx, const struct aic_estimate_req *req, int want_breakdown,
                 struct aic_estimate_result *res, struct aic_error *err)
{
    const struct aic_model *m;
    int rc;

    memset(res, 0, sizeof(*res));
    res->db_mode_used = req->db_mode;
    if ((rc = check_request(req, err)))
        return rc;
    if ((rc = aic_ctx_get_model(ctx, req->model, &m, err)))
        return rc;
    aic_strlcpy(res->model_config, m->config_of, sizeof(res->model_config));
    res->max_positions = m->max_position_embeddings;
    if (req->mode == AIC_MODE_DISAGG)
        return run_disagg(ctx, req, m, want_breakdown, res, err);
    return run_single(ctx, req, m, want_breakdown, res, err);
}

const char *aic_version(void)
{
#ifdef AIC_VERSION
    return AIC_VERSION;
#else
    return "0.0.0";
#endif
}
