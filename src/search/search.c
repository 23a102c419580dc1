/*
 * search.c - the driver of `cli default` / `cli recommend`: opens the perf databases,
 * runs the agg and disagg sweeps per backend (three with --backend auto, merged per
 * serving mode), applies the cluster metric and the SLA, picks the top-N, computes the
 * Pareto frontier and chooses the winning serving mode. Explains empty results.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_int.h"
#include "util/util.h"

void aic_search_req_init(struct aic_search_req *r)
{
    memset(r, 0, sizeof *r);
    r->backend = AIC_BACKEND_TRTLLM;
    r->db_mode = AIC_DB_SILICON;
    r->wl = (struct aic_workload){4000, 1000, 0};
    r->ttft_ms = 2000;
    r->tpot_ms = 30;
    r->serving = AIC_SEARCH_AUTO;
    r->top_n = 5;
    r->pareto_sweep = 1;
    r->quant = (struct aic_quant_cfg){AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE};
}

void aic_search_space_init(struct aic_search_space *sp)
{
    memset(sp, 0, sizeof *sp);
    for (int i = 0; i < AIC_ROLE_COUNT; i++)
        sp->role[i].quant =
            (struct aic_quant_cfg){AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE};
}

int aic_rows_push(struct aic_rows *r, const struct aic_search_row *row)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        struct aic_search_row *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return AIC_ERR_NOMEM;
        r->v = v, r->cap = cap;
    }
    r->v[r->n++] = *row;
    return 0;
}

void aic_rows_free(struct aic_rows *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

void aic_search_result_free(struct aic_search_result *res)
{
    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        free(res->exp[i].rows);
        free(res->exp[i].pareto);
        free(res->exp[i].top);
    }
    memset(res, 0, sizeof *res);
    res->best = -1;
}

static void warn(struct aic_search_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct aic_search_result *res, const char *fmt, ...)
{
    if (res->n_warn >= AIC_SEARCH_MAX_WARN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->warn[res->n_warn++], sizeof res->warn[0], fmt, ap);
    va_end(ap);
}

/* ---- per-backend sweep ----------------------------------------------------------- */

struct run_state {
    struct aic_ctx *ctx;
    const struct aic_search_req *r;
    const struct aic_model *m;
    const char *dsys;
    struct aic_target t[AIC_MAX_TARGETS];
    int nt;
    struct aic_rows rows[AIC_EXP_COUNT];
    struct aic_sweep_stats st[AIC_EXP_COUNT];
    int want[AIC_EXP_COUNT];
};

/* Perf-db version of a role: the experiment's per-role override, else the request's. */
static const char *role_version(const struct aic_search_req *r, int phase)
{
    const struct aic_search_role *ro = aic_search_role_of(r, phase);
    return ro && ro->backend_version && *ro->backend_version ? ro->backend_version
                                                             : r->backend_version;
}

static int run_backend(struct run_state *s, enum aic_backend be, int budget,
                       struct aic_search_result *res, struct aic_error *err)
{
    const struct aic_search_req *r = s->r;
    struct aic_perfdb *db, *pdb, *ddb;
    struct aic_error e;
    int single = r->backend != AIC_BACKEND_AUTO;
    if (aic_ctx_get_db(s->ctx, r->system, be, role_version(r, 0), r->db_mode, &db, &e) ||
        aic_ctx_get_db(s->ctx, r->system, be, role_version(r, 1), r->db_mode, &pdb, &e) ||
        aic_ctx_get_db(s->ctx, s->dsys, be, role_version(r, 2), r->db_mode, &ddb, &e)) {
        if (single) {
            *err = e;
            return e.code;
        }
        warn(res, "backend %s skipped: %s", aic_backend_name(be), e.msg);
        return AIC_OK;
    }
    aic_strlcpy(res->version[be], aic_perfdb_version(s->want[AIC_EXP_AGG] ? db : pdb),
                sizeof res->version[be]);
    int rc = AIC_OK;
    int max_replica = s->r->total_gpus > 0 ? budget : 128;
    if (r->space && r->space->max_gpu_per_replica > 0 &&
        r->space->max_gpu_per_replica < max_replica)
        max_replica = r->space->max_gpu_per_replica;
    if (s->want[AIC_EXP_AGG])
        rc = aic_sweep_agg(r, s->m, db, be, r->system, budget, s->t, s->nt, &s->rows[AIC_EXP_AGG],
                           &s->st[AIC_EXP_AGG], err);
    if (!rc && s->want[AIC_EXP_DISAGG])
        rc = aic_sweep_disagg(r, s->m, pdb, ddb, be, r->system, budget, max_replica, s->t, s->nt,
                              &s->rows[AIC_EXP_DISAGG], &s->st[AIC_EXP_DISAGG], err);
    return rc;
}

static int run_all(struct run_state *s, int budget, struct aic_search_result *res,
                   struct aic_error *err)
{
    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        aic_rows_free(&s->rows[i]);
        memset(&s->st[i], 0, sizeof s->st[i]);
        s->st[i].best_ttft_ms = s->st[i].best_tpot_ms = INFINITY;
    }
    for (int be = 0; be < AIC_BACKEND_COUNT; be++) {
        if (s->r->backend != AIC_BACKEND_AUTO && s->r->backend != be)
            continue;
        size_t before = s->rows[0].n + s->rows[1].n;
        int rc = run_backend(s, (enum aic_backend)be, budget, res, err);
        if (rc)
            return rc;
        if (s->rows[0].n + s->rows[1].n > before)
            res->backends_run |= 1 << be;
    }
    return AIC_OK;
}

/* ---- finishing an experiment ----------------------------------------------------- */

static int meets(const struct aic_search_req *r, const struct aic_search_row *row)
{
    if (r->request_latency_ms > 0)
        return row->request_latency_ms <= r->request_latency_ms;
    return row->tpot_ms <= r->tpot_ms;
}

/* Recommend: the replicas a row needs for the load target, capped so that the GPU count
 * stays an int (INT_MAX GPUs, beyond any cluster); a capped row does not reach the target. */
static double replicas_for_target(const struct aic_search_req *r, const struct aic_search_row *row)
{
    double per = r->target_request_rate > 0 ? row->seq_s : row->concurrency;
    double target = r->target_request_rate > 0 ? r->target_request_rate : r->target_concurrency;
    return per > 0 ? ceil(target / per - 1e-9) : 1;
}

static double replica_cap(const struct aic_search_row *row)
{
    return floor((double)INT_MAX / (row->gpus > 0 ? row->gpus : 1));
}

static int reaches_target(const struct aic_search_req *r, const struct aic_search_row *row)
{
    return replicas_for_target(r, row) <= replica_cap(row);
}

static void recommend_fill(const struct aic_search_req *r, struct aic_search_row *row)
{
    double k = replicas_for_target(r, row), cap = replica_cap(row);

    row->replicas_needed = k < 1 ? 1 : k > cap ? (int)cap : (int)k;
    row->total_gpus_needed = row->replicas_needed * row->gpus;
}

static int fewer_gpus(const struct aic_search_row *a, const struct aic_search_row *b)
{
    if (a->total_gpus_needed != b->total_gpus_needed)
        return a->total_gpus_needed < b->total_gpus_needed;
    return a->tokens_s_gpu > b->tokens_s_gpu;
}

/* Recommend ranking: SLA rows, one per layout, fewest GPUs needed first. */
static void recommend_rank(struct aic_search_exp *x, const struct aic_search_req *r)
{
    size_t m = 0;
    for (size_t i = 0; i < x->n_rows; i++) {
        const struct aic_search_row *row = &x->rows[i];
        if ((x->top_meets_sla && !row->meets_sla) || !reaches_target(r, row))
            continue;
        size_t j = 0;
        for (; j < m; j++) {
            const struct aic_search_row *t = &x->top[j];
            const struct aic_layout *a = row->exp ? &row->d_lay : &row->lay;
            const struct aic_layout *b = t->exp ? &t->d_lay : &t->lay;
            if (t->backend == row->backend && !memcmp(a, b, sizeof *a))
                break;
        }
        if (j < m) {
            if (fewer_gpus(row, &x->top[j]))
                x->top[j] = *row;
        } else {
            x->top[m++] = *row;
        }
    }
    for (size_t i = 1; i < m; i++) {
        struct aic_search_row v = x->top[i];
        size_t j = i;
        while (j > 0 && fewer_gpus(&v, &x->top[j - 1])) {
            x->top[j] = x->top[j - 1];
            j--;
        }
        x->top[j] = v;
    }
    x->n_top = m < (size_t)r->top_n ? m : (size_t)r->top_n;
}

static int finish_exp(struct aic_search_exp *x, struct aic_rows *rows,
                      const struct aic_search_req *r, int budget, int recommend)
{
    x->rows = rows->v, x->n_rows = rows->n;
    rows->v = NULL, rows->n = rows->cap = 0;
    for (size_t i = 0; i < x->n_rows; i++) {
        struct aic_search_row *row = &x->rows[i];
        row->meets_sla = meets(r, row);
        if (recommend) {
            row->tokens_s_gpu_cluster = row->tokens_s_gpu;
            row->replicas = 1;
            recommend_fill(r, row);
        } else {
            row->tokens_s_gpu_cluster =
                aic_cluster_tokens_s_gpu(row->tokens_s_gpu, row->gpus, budget);
            row->replicas = row->gpus > 0 ? budget / row->gpus : 0;
        }
    }
    size_t n = x->n_rows ? x->n_rows : 1;
    x->top = calloc(n, sizeof *x->top);
    size_t *idx = calloc(n, sizeof *idx);
    struct aic_search_row *src = calloc(n, sizeof *src);
    if (!x->top || !idx || !src) {
        free(idx), free(src);
        return AIC_ERR_NOMEM;
    }
    /* Pareto over the candidate set (only SLA rows with --strict-sla). */
    size_t ns = 0;
    for (size_t i = 0; i < x->n_rows; i++)
        if (!r->strict_sla || x->rows[i].meets_sla)
            src[ns++] = x->rows[i];
    size_t np = aic_pareto(src, ns, r->request_latency_ms > 0, idx);
    x->pareto = calloc(np ? np : 1, sizeof *x->pareto);
    if (!x->pareto) {
        free(idx), free(src);
        return AIC_ERR_NOMEM;
    }
    for (size_t i = 0; i < np; i++)
        x->pareto[i] = src[idx[i]];
    x->n_pareto = np;
    free(idx), free(src);
    int met = 0;
    x->n_top =
        aic_pick_top(x->rows, x->n_rows, r->tpot_ms, r->request_latency_ms, r->top_n, x->top, &met);
    x->top_meets_sla = met;
    if (recommend)
        recommend_rank(x, r);
    return AIC_OK;
}

static void choose_best(struct aic_search_result *res)
{
    res->best = -1;
    res->ratio = 0;
    const struct aic_search_row *b = NULL, *o = NULL;
    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        struct aic_search_exp *x = &res->exp[i];
        if (!x->n_top)
            continue;
        const struct aic_search_row *t = &x->top[0];
        int take = !b;
        if (b) {
            int bm = res->exp[res->best].top_meets_sla;
            if (x->top_meets_sla != bm)
                take = x->top_meets_sla;
            else if (res->recommend)
                take = fewer_gpus(t, b);
            else
                take = t->tokens_s_gpu_cluster > b->tokens_s_gpu_cluster;
        }
        if (take) {
            o = b;
            b = t;
            res->best = i;
        } else {
            o = t;
        }
    }
    if (b && o) {
        if (res->recommend)
            res->ratio =
                b->total_gpus_needed > 0 ? (double)o->total_gpus_needed / b->total_gpus_needed : 0;
        else
            res->ratio =
                o->tokens_s_gpu_cluster > 0 ? b->tokens_s_gpu_cluster / o->tokens_s_gpu_cluster : 0;
    }
}

/* Recommend: rows that exist but none reaches the target within the GPU cap is a usage
 * error naming the largest target a row reaches (rounded down to 3 digits). */
static int check_target_reachable(const struct aic_search_result *res, struct aic_error *err)
{
    const struct aic_search_req *r = &res->req;
    int rate = r->target_request_rate > 0, any = 0;
    double most = 0;

    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        const struct aic_search_exp *x = &res->exp[i];
        for (size_t k = 0; k < x->n_rows; k++) {
            const struct aic_search_row *row = &x->rows[k];
            if (x->top_meets_sla && !row->meets_sla)
                continue;
            double per = rate ? row->seq_s : row->concurrency;
            most = fmax(most, per * replica_cap(row));
            any = 1;
        }
        if (x->n_top)
            return AIC_OK;
    }
    if (!any)
        return AIC_OK; /* nothing found at all: explain_empty() says why */
    double unit = most > 0 ? pow(10, floor(log10(most)) - 2) : 1;
    return aic_err(err, AIC_ERR_USAGE,
                   "--target-%s %g needs more than %d GPUs with every configuration found; "
                   "lower it to at most %.3g %s",
                   rate ? "request-rate" : "concurrency",
                   rate ? r->target_request_rate : r->target_concurrency, INT_MAX,
                   floor(most / unit) * unit, rate ? "req/s" : "concurrent requests");
}

/* The loosest TPOT any SLA target of the sweep allows: the user's bound, or the Pareto grid's
 * largest (request-latency targets: the largest of theirs). */
static double loosest_tpot(const struct run_state *s)
{
    double most = s->r->tpot_ms;
    for (int k = 0; k < s->nt; k++)
        most = fmax(most, s->t[k].tpot_ms);
    return most;
}

static double loosest_ttft(const struct run_state *s)
{
    double most = s->r->ttft_ms;
    for (int k = 0; k < s->nt; k++)
        most = fmax(most, s->t[k].ttft_ms);
    return most;
}

/* Which SLA targets kept every fitting point of experiment i out: TTFT when the lowest TTFT
 * found misses the loosest TTFT target, TPOT when the lowest TPOT (agg: of the points meeting
 * TTFT; disagg: of any decode point) misses the loosest TPOT target; bit 0 TTFT, bit 1 TPOT.
 * The disagg sweep asks for strictly less, the agg sweep at most. */
static int binding_targets(const struct run_state *s, int i, double *ttft_bound, double *tpot_bound)
{
    const struct aic_sweep_stats *st = &s->st[i];
    int strict = i == AIC_EXP_DISAGG, bits = 0;

    *ttft_bound = loosest_ttft(s), *tpot_bound = loosest_tpot(s);
    if (strict ? st->best_ttft_ms >= *ttft_bound : st->best_ttft_ms > *ttft_bound)
        bits |= 1;
    if (isfinite(st->best_tpot_ms) &&
        (strict ? st->best_tpot_ms >= *tpot_bound : st->best_tpot_ms > *tpot_bound))
        bits |= 2;
    return bits;
}

/* Whether TPOT alone kept every fitting point out (not in request-latency mode): each
 * experiment that has fitting points misses the loosest TPOT target; *best gets the lowest TPOT
 * found. */
static int tpot_binds(const struct run_state *s, double *best)
{
    int any = 0;

    *best = INFINITY;
    if (s->r->request_latency_ms > 0)
        return 0;
    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        double tb, pb;
        if (!s->st[i].n_fit)
            continue;
        if (!(binding_targets(s, i, &tb, &pb) & 2))
            return 0;
        *best = fmin(*best, s->st[i].best_tpot_ms);
        any = 1;
    }
    return any;
}

/* ---- explaining empty results ---------------------------------------------------- */

/* The default layout with the least weight per GPU, when none holds one request. */
struct lightest {
    struct aic_layout lay;
    double weights, capacity; /* bytes per GPU; weights 0 = no layout was tried */
};

/* Smallest power-of-two GPU count above `from` at which some layout holds one request; 0
 * when none up to 128 does (*lt, if given, then names the lightest layout tried). */
static int min_gpus_fit(struct run_state *s, enum aic_backend be, int from, struct lightest *lt)
{
    struct aic_perfdb *db;
    struct aic_error e;
    struct aic_worker_opts o;
    if (aic_ctx_get_db(s->ctx, s->r->system, be, s->r->backend_version, s->r->db_mode, &db, &e))
        return 0;
    aic_search_worker_opts(s->r, 1.0, &o);
    for (int g = 1; g <= 128; g *= 2) {
        if (g <= from)
            continue;
        struct aic_layout lays[AIC_MAX_LAYOUTS];
        int nl = aic_space_layouts(s->m, be, s->r->system, g, 0, lays, AIC_MAX_LAYOUTS);
        for (int i = 0; i < nl; i++) {
            struct aic_worker w;
            struct aic_memory mem;
            if (aic_worker_init(&w, s->m, db, lays[i], &o, &e))
                continue;
            aic_worker_memory(&w, &s->r->wl, 1, s->r->wl.isl, 0, &mem);
            aic_worker_release(&w);
            if (!mem.oom)
                return g;
            if (lt && (lt->weights == 0 || mem.weights < lt->weights))
                *lt = (struct lightest){lays[i], mem.weights, mem.capacity};
        }
    }
    return 0;
}

/* No default layout of any size holds the model: more GPUs do not help. */
static int too_big_anywhere(struct run_state *s, const struct aic_search_result *res,
                            const struct lightest *lt, struct aic_error *err)
{
    char name[64];

    if (lt->weights <= 0)
        return aic_err(err, AIC_ERR_OOM,
                       "%s does not fit in any layout the default search tries on %s; use a "
                       "quantized model",
                       res->model_id, s->r->system);
    return aic_err(err, AIC_ERR_OOM,
                   "%s does not fit in any layout the default search tries on %s: the lightest, "
                   "%s, holds %.1f GB of weights per GPU of %.1f GB; use a quantized model, or "
                   "pipeline parallelism with cli exp (agg_pp_candidates: [1, 2])",
                   res->model_id, s->r->system,
                   aic_layout_str(&lt->lay, res->is_moe, name, sizeof(name)), lt->weights / 1e9,
                   lt->capacity / 1e9);
}

/* Whether the model cannot run on this system at all (a quantization without tensor cores
 * for it, say): the reason, into err; 0 when it can. */
static int cannot_run(struct run_state *s, enum aic_backend be, struct aic_error *err)
{
    struct aic_perfdb *db;
    struct aic_worker_opts o;

    if (aic_ctx_get_db(s->ctx, s->r->system, be, s->r->backend_version, s->r->db_mode, &db, err))
        return 0;
    aic_search_worker_opts(s->r, 1.0, &o);
    return aic_worker_quant_check(s->m, db, &o, err);
}

static int explain_empty(struct run_state *s, struct aic_search_result *res, int budget,
                         struct aic_error *err)
{
    int fit = 0, nodata = 0;
    double best_ttft = INFINITY, best_tpot;
    const char *desc = "";
    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        fit += s->st[i].n_fit;
        nodata += s->st[i].n_nodata;
        if (s->st[i].best_ttft_ms < best_ttft)
            best_ttft = s->st[i].best_ttft_ms, desc = s->st[i].best_ttft_desc;
    }
    const char *sys = s->r->system;
    if (!fit && !nodata) {
        enum aic_backend be = s->r->backend == AIC_BACKEND_AUTO ? AIC_BACKEND_TRTLLM
                                                                : (enum aic_backend)s->r->backend;
        int g, rc = cannot_run(s, be, err);
        if (rc)
            return rc;
        g = s->r->space ? min_gpus_fit(s, be, 0, NULL) : 0;
        if (g && g <= budget) /* the default layouts fit: the candidate lists leave none */
            return aic_err(err, AIC_ERR_OOM,
                           "no layout from the experiment's candidate lists fits on %d GPU%s of "
                           "%s, though %s fits on %d; check the *_candidates lists (a size "
                           "that does not divide the model's heads or experts, or more GPUs "
                           "than total_gpus) or leave them out for the defaults",
                           budget, budget == 1 ? "" : "s", sys, res->model_id, g);
        struct lightest lt = {0};
        g = min_gpus_fit(s, be, budget, &lt);
        if (g)
            return aic_err(err, AIC_ERR_OOM,
                           "%s does not fit on %d GPU%s of %s; the smallest GPU count that "
                           "fits is %d: use --total-gpus %d (or a quantized model)",
                           res->model_id, budget, budget == 1 ? "" : "s", sys, g, g);
        return too_big_anywhere(s, res, &lt, err);
    }
    if (!fit)
        return aic_err(err, AIC_ERR_NODATA,
                       "no perf data for %s on %s in %s mode; try --database-mode HYBRID",
                       res->model_id, sys, aic_db_mode_name(s->r->db_mode));
    if (!isfinite(best_ttft)) /* only disagg: decode points fit, no prefill worker did */
        return aic_err(err, AIC_ERR_RUNTIME,
                       "no configuration of %s on %s: decode workers fit, but no prefill "
                       "layout fits in memory (or has perf data), so no TTFT could be "
                       "evaluated; allow larger prefill workers (prefill candidates, more "
                       "GPUs) or use a quantized model",
                       res->model_id, sys);
    if (best_ttft <= s->r->ttft_ms && tpot_binds(s, &best_tpot))
        return aic_err(err, AIC_ERR_RUNTIME,
                       "no configuration meets TPOT <= %.1f ms: the TPOT bound binds; the "
                       "fastest found is %.2f ms; relax --tpot to at least %.0f",
                       s->r->tpot_ms, best_tpot, ceil(best_tpot));
    if (best_ttft <= s->r->ttft_ms)
        return aic_err(err, AIC_ERR_RUNTIME,
                       "no configuration found within %d GPUs of %s: the fastest TTFT found "
                       "(%.1f ms, %s) meets TTFT <= %.1f ms, but no complete configuration "
                       "meets the other limits; try more --total-gpus or relax --tpot",
                       budget, sys, best_ttft, desc, s->r->ttft_ms);
    return aic_err(err, AIC_ERR_RUNTIME,
                   "no configuration meets TTFT <= %.1f ms: the TTFT bound binds; the fastest "
                   "found is %.1f ms (%s); relax --ttft to at least %.0f",
                   s->r->ttft_ms, best_ttft, desc, ceil(best_ttft));
}

/* The note of an experiment whose fitting points met no SLA target: the target(s) that kept
 * them out with the lowest value found against each, or, when each target is met by some
 * point (disagg: prefill and decode workers apart), that no configuration meets both. */
static void no_config_note(const struct run_state *s, int i, char *out, size_t n)
{
    const struct aic_sweep_stats *st = &s->st[i];
    const char *name = i == AIC_EXP_AGG ? "agg" : "disagg";
    double ttft_b, tpot_b;
    int bits = binding_targets(s, i, &ttft_b, &tpot_b), len;
    const char *swept = tpot_b > s->r->tpot_ms ? " (the loosest TPOT target swept)" : "";

    len = snprintf(out, n, "%s: no configuration found (fitting points %d; ", name, st->n_fit);
    if (len < 0 || (size_t)len >= n)
        return;
    out += len, n -= (size_t)len;
    if (bits == 3)
        snprintf(out, n,
                 "the TTFT and TPOT bounds bind: lowest TTFT %.1f ms vs bound %.1f ms, lowest "
                 "TPOT %.2f ms vs bound %.1f ms%s)",
                 st->best_ttft_ms, ttft_b, st->best_tpot_ms, tpot_b, swept);
    else if (bits == 1)
        snprintf(out, n, "the TTFT bound binds: lowest TTFT %.1f ms vs bound %.1f ms)",
                 st->best_ttft_ms, ttft_b);
    else if (bits == 2)
        snprintf(out, n, "the TPOT bound binds: lowest TPOT %.2f ms vs bound %.1f ms%s)",
                 st->best_tpot_ms, tpot_b, swept);
    else if (i == AIC_EXP_DISAGG)
        snprintf(out, n,
                 "prefill workers meet TTFT <= %.1f ms and decode workers TPOT <= %.1f ms, but "
                 "no pair meets both within the GPU budget)",
                 ttft_b, tpot_b);
    else
        snprintf(out, n, "points meet TTFT <= %.1f ms and TPOT <= %.1f ms, but none both)", ttft_b,
                 tpot_b);
}

/* The lowest TPOT experiment i found (fallback: the shown row's). */
static double lowest_tpot(const struct run_state *s, int i, double shown)
{
    double t = s->st[i].best_tpot_ms;
    return isfinite(t) && t < shown ? t : shown;
}

static void note_exp(struct run_state *s, struct aic_search_result *res, int i)
{
    struct aic_search_exp *x = &res->exp[i];
    const char *name = i == AIC_EXP_AGG ? "agg" : "disagg";
    if (!x->ran)
        return;
    if (!x->n_rows && !isfinite(s->st[i].best_ttft_ms)) {
        snprintf(x->note, sizeof x->note,
                 "%s: no configuration found (fitting points %d, but no %s layout fits in "
                 "memory or has perf data, so no TTFT was evaluated)",
                 name, s->st[i].n_fit, i == AIC_EXP_AGG ? "agg" : "prefill");
        warn(res, "%s", x->note);
        return;
    }
    if (!x->n_rows) {
        no_config_note(s, i, x->note, sizeof x->note);
        warn(res, "%s", x->note);
        return;
    }
    if (!x->n_top) { /* recommend: every row needs more GPUs than the cap */
        snprintf(x->note, sizeof x->note,
                 "%s: no configuration reaches the load target within %d GPUs", name, INT_MAX);
        warn(res, "%s", x->note);
        return;
    }
    if (!x->top_meets_sla) {
        const struct aic_search_row *c = &x->top[0];
        char l[48];
        aic_layout_str(i ? &c->d_lay : &c->lay, res->is_moe, l, sizeof l);
        if (s->r->request_latency_ms > 0)
            snprintf(x->note, sizeof x->note,
                     "no %s configuration meets request latency <= %.1f ms (the latency bound "
                     "binds); closest: %s at %.1f ms",
                     name, s->r->request_latency_ms, l, c->request_latency_ms);
        else
            snprintf(x->note, sizeof x->note,
                     "no %s configuration meets TPOT <= %.1f ms (the TPOT bound binds; the "
                     "lowest TPOT found is %.2f ms); shown first: %s bs %d at TPOT %.2f ms",
                     name, s->r->tpot_ms, lowest_tpot(s, i, c->tpot_ms), l, i ? c->d_bs : c->bs,
                     c->tpot_ms);
        warn(res, "%s", x->note);
    }
}

/* ---- entry point ----------------------------------------------------------------- */

static int check_req(const struct aic_search_req *r, int recommend, struct aic_error *err)
{
    if (!r->model || !*r->model)
        return aic_err(err, AIC_ERR_USAGE, "--model-path is required");
    if (!r->system || !*r->system)
        return aic_err(err, AIC_ERR_USAGE, "--system is required");
    if (!recommend && r->total_gpus <= 0)
        return aic_err(err, AIC_ERR_USAGE, "--total-gpus must be a positive GPU count (got %d)",
                       r->total_gpus);
    if (r->wl.isl <= 0 || r->wl.osl <= 0)
        return aic_err(err, AIC_ERR_USAGE, "--isl and --osl must be positive");
    if (r->wl.prefix < 0 || r->wl.prefix >= r->wl.isl)
        return aic_err(err, AIC_ERR_USAGE, "--prefix must be in [0, isl)");
    if (r->ttft_ms <= 0 && r->request_latency_ms <= 0)
        return aic_err(err, AIC_ERR_USAGE, "--ttft must be positive");
    if (r->tpot_ms <= 0 && r->request_latency_ms <= 0)
        return aic_err(err, AIC_ERR_USAGE, "--tpot must be positive");
    if (r->top_n < 1)
        return aic_err(err, AIC_ERR_USAGE, "--top-n must be >= 1");
    return aic_workload_check_seq_len(&r->wl, r->max_seq_len, "--max-seq-len", err);
}

static int search_body(struct run_state *s, struct aic_search_result *res, struct aic_error *err)
{
    const struct aic_search_req *r = s->r;
    int rec = res->recommend, budget = r->total_gpus, rc;
    if (rec) {
        const struct aic_system *sys;
        if ((rc = aic_ctx_get_system(s->ctx, r->system, &sys, err)))
            return rc;
        budget = sys->gpus_per_node > 0 && sys->gpus_per_node < 8 ? sys->gpus_per_node : 8;
    }
    for (;;) {
        s->want[AIC_EXP_AGG] = r->serving != AIC_SEARCH_DISAGG;
        s->want[AIC_EXP_DISAGG] = r->serving != AIC_SEARCH_AGG && budget >= 2;
        if ((rc = run_all(s, budget, res, err)))
            return rc;
        int any = s->rows[0].n || s->rows[1].n, fit = s->st[0].n_fit + s->st[1].n_fit;
        if (!rec || any || fit || budget >= 64)
            break;
        budget *= 2; /* recommend: nothing fits a worker this size, allow bigger ones */
    }
    if (r->serving != AIC_SEARCH_AGG && budget < 2)
        warn(res, "disagg skipped: it needs at least 2 GPUs (--total-gpus %d)", budget);
    res->total_gpus = budget;
    for (int i = 0; i < AIC_EXP_COUNT; i++) {
        res->exp[i].ran = s->want[i];
        res->exp[i].n_evaluated = s->st[i].n_eval;
        if ((rc = finish_exp(&res->exp[i], &s->rows[i], r, budget, rec)))
            return aic_err(err, rc, "out of memory while ranking results");
    }
    if (rec && (rc = check_target_reachable(res, err)))
        return rc;
    choose_best(res);
    for (int i = 0; i < AIC_EXP_COUNT; i++)
        note_exp(s, res, i);
    if (res->best < 0)
        return explain_empty(s, res, budget, err);
    return AIC_OK;
}

int aic_search_run(struct aic_ctx *ctx, const struct aic_search_req *req,
                   struct aic_search_result *res, struct aic_error *err)
{
    double t0 = aic_now_s();
    int rec = req->target_request_rate > 0 || req->target_concurrency > 0, rc;
    memset(res, 0, sizeof *res);
    res->best = -1;
    res->req = *req;
    res->recommend = rec;
    res->request_latency_mode = req->request_latency_ms > 0;
    if ((rc = check_req(req, rec, err)))
        return rc;
    struct run_state *s = calloc(1, sizeof *s);
    if (!s)
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    s->ctx = ctx, s->r = req;
    s->dsys = req->decode_system && *req->decode_system ? req->decode_system : req->system;
    rc = aic_ctx_get_model(ctx, req->model, &s->m, err);
    if (!rc) {
        aic_strlcpy(res->model_id, s->m->id, sizeof res->model_id);
        res->is_moe = s->m->num_experts > 0;
        aic_strlcpy(res->system, req->system, sizeof res->system);
        aic_strlcpy(res->decode_system, s->dsys, sizeof res->decode_system);
        s->nt = aic_space_targets(req, s->t, AIC_MAX_TARGETS);
        rc = search_body(s, res, err);
    }
    for (int i = 0; i < AIC_EXP_COUNT; i++)
        aic_rows_free(&s->rows[i]);
    free(s);
    res->elapsed_s = aic_now_s() - t0;
    return rc;
}
