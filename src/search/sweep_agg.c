/*
 * sweep_agg.c - the aggregated (in-flight batching) sweep of one backend.
 *
 * Per parallel layout: one worker, built once; batch sizes b (44 values) x ctx-token
 * budgets C, the C loop cut as AIConfigurator cuts it and the b loop stopped at the first
 * batch that no longer fits in memory. For each SLA target the layout's best 10 points by
 * seq/s that meet TTFT and TPOT join the candidate set (aic-modeling §4.5, §7.3).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_int.h"

#define AGG_KEEP_PER_TARGET 10
#define GIB                 (1024.0 * 1024.0 * 1024.0)

struct agg_point {
    struct aic_metrics m;
    int b, c;
    int keep;
};

/* Decode requests sharing a mixed step (aic-modeling §4.1), for the CSV's step columns. */
static int gen_per_mix(enum aic_backend be, int b, int c, int isl, int osl, double accepted)
{
    if (b <= 1)
        return 0;
    int nreq = (c + isl - 1) / isl;
    double d = 1.0 + (osl - 1) / (1.0 + accepted);
    double s_ctx = ceil((double)isl * b / c);
    if (be != AIC_BACKEND_VLLM && s_ctx >= d) {
        int g = (int)(b / (s_ctx / d));
        return g > 1 ? g : 1;
    }
    return b - nreq > 1 ? b - nreq : 1;
}

static void fill_row(const struct aic_search_req *r, const struct aic_worker *w,
                     const struct agg_point *p, struct aic_search_row *row)
{
    memset(row, 0, sizeof *row);
    row->exp = AIC_EXP_AGG;
    row->backend = w->backend;
    row->lay = w->lay;
    row->bs = p->b;
    row->ctx_tokens = p->c;
    row->workers = 1;
    row->q = w->q;
    row->mem_gb = p->m.mem.total / GIB;
    row->gpus = aic_worker_gpus(w);
    row->ttft_ms = p->m.ttft_ms;
    row->tpot_ms = p->m.tpot_ms;
    row->request_latency_ms = p->m.request_latency_ms;
    row->concurrency = p->m.concurrency;
    row->seq_s = p->m.requests_per_s;
    row->tokens_s = p->m.tokens_per_s;
    row->tokens_s_gpu = p->m.tokens_per_s_per_gpu;
    row->tokens_s_user = p->m.tokens_per_s_per_user;
    row->num_ctx_reqs = (p->c + r->wl.isl - 1) / r->wl.isl;
    row->num_gen_reqs =
        gen_per_mix(w->backend, p->b, p->c, r->wl.isl, r->wl.osl, r->nextn_accepted);
    row->gen_tokens = row->num_gen_reqs * (r->nextn + 1);
    row->num_tokens = p->c + row->gen_tokens;
    row->load_served_pct = 100.0;
}

static int cmp_seq(const void *a, const void *b)
{
    const struct agg_point *p = *(const struct agg_point *const *)a;
    const struct agg_point *q = *(const struct agg_point *const *)b;
    if (p->m.requests_per_s != q->m.requests_per_s)
        return p->m.requests_per_s > q->m.requests_per_s ? -1 : 1;
    return p < q ? -1 : (p > q);
}

/* Evaluates every (b, C) point of one worker into pts; returns the count. */
static int sweep_worker(const struct aic_search_req *r, struct aic_worker *w, const int *bl, int nb,
                        const int *cl, int nc, struct agg_point *pts, unsigned char *seen,
                        struct aic_sweep_stats *st)
{
    struct aic_error e;
    int n = 0, isl = r->wl.isl > 0 ? r->wl.isl : 1, osl = r->wl.osl > 0 ? r->wl.osl : 1;
    memset(seen, 0, 513);
    for (int i = 0; i < nb; i++) {
        int b = bl[i], evaluated = 0, stop = 0;
        for (int j = 0; j < nc; j++) {
            int c = cl[j], nreq = (c + isl - 1) / isl;
            if (b < nreq || (b > 1 && b - nreq < 1))
                break;
            double ratio = (double)isl * b / c / osl;
            if (ratio > 1) {
                int g = (int)floor(b / ratio);
                if (g > 1 && g <= 512 && seen[g])
                    continue;
                if (g >= 0 && g <= 512)
                    seen[g] = 1;
            }
            struct agg_point *p = &pts[n];
            int rc = aic_run_agg(w, &r->wl, b, c, &p->m, &e);
            st->n_eval++;
            if (rc == AIC_ERR_OOM ||
                (rc == AIC_OK && (p->m.mem.oom || p->m.kv_limited_batch > 0))) {
                stop = !evaluated;
                break;
            }
            evaluated = 1;
            if (rc) {
                st->n_nodata++;
                continue;
            }
            p->b = b, p->c = c, p->keep = 0;
            n++;
        }
        if (stop || (!evaluated && i == 0))
            break;
    }
    return n;
}

static void note_best_ttft(struct aic_sweep_stats *st, const struct aic_worker *w,
                           const struct agg_point *p, int is_moe)
{
    if (p->m.ttft_ms < st->best_ttft_ms) {
        char l[48];
        st->best_ttft_ms = p->m.ttft_ms;
        snprintf(st->best_ttft_desc, sizeof st->best_ttft_desc, "agg %s bs%d",
                 aic_layout_str(&w->lay, is_moe, l, sizeof l), p->b);
    }
}

int aic_sweep_agg(const struct aic_search_req *r, const struct aic_model *m, struct aic_perfdb *db,
                  enum aic_backend be, const char *system, int max_gpus, const struct aic_target *t,
                  int nt, struct aic_rows *out, struct aic_sweep_stats *st, struct aic_error *err)
{
    struct aic_layout lays[AIC_MAX_LAYOUTS];
    int bl[64], cl[64];
    int nl = aic_space_role_layouts(r, m, be, system, max_gpus, 0, lays, AIC_MAX_LAYOUTS);
    int nb = aic_space_agg_batches(bl, 64);
    int nc = aic_space_ctx_tokens(r->wl.isl, r->enable_chunked_prefill, cl, 64);
    struct agg_point *pts = malloc((size_t)nb * nc * sizeof *pts);
    struct agg_point **ord = malloc((size_t)nb * nc * sizeof *ord);
    unsigned char seen[513];
    struct aic_worker_opts o;
    int rc = AIC_OK, is_moe = m->num_experts > 0;

    if (!pts || !ord) {
        free(pts), free(ord);
        return aic_err(err, AIC_ERR_NOMEM, "out of memory for the agg sweep");
    }
    aic_search_role_opts(r, 0, 1.0, &o);
    st->n_layouts += nl;
    for (int li = 0; li < nl && rc == AIC_OK; li++) {
        struct aic_worker w;
        struct aic_error e;
        if (aic_worker_init(&w, m, db, lays[li], &o, &e))
            continue; /* layout does not divide heads/experts: pruned */
        int n = sweep_worker(r, &w, bl, nb, cl, nc, pts, seen, st);
        if (r->progress)
            r->progress(r->progress_user, "agg", be, li + 1, nl);
        if (n == 0)
            st->n_oom_layouts++;
        else
            st->n_layouts_ok++;
        st->n_fit += n;
        for (int i = 0; i < n; i++) {
            ord[i] = &pts[i];
            note_best_ttft(st, &w, &pts[i], is_moe);
            if (pts[i].m.ttft_ms <= r->ttft_ms && pts[i].m.tpot_ms < st->best_tpot_ms)
                st->best_tpot_ms = pts[i].m.tpot_ms;
        }
        qsort(ord, (size_t)n, sizeof *ord, cmp_seq);
        for (int k = 0; k < nt; k++) {
            int kept = 0;
            for (int i = 0; i < n && kept < AGG_KEEP_PER_TARGET; i++) {
                const struct aic_metrics *pm = &ord[i]->m;
                if (pm->ttft_ms <= t[k].ttft_ms && pm->tpot_ms <= t[k].tpot_ms) {
                    ord[i]->keep = 1;
                    kept++;
                }
            }
        }
        for (int i = 0; i < n && rc == AIC_OK; i++) {
            if (!pts[i].keep)
                continue;
            struct aic_search_row row;
            fill_row(r, &w, &pts[i], &row);
            if (aic_rows_push(out, &row))
                rc = aic_err(err, AIC_ERR_NOMEM, "out of memory for the agg rows");
        }
        aic_worker_release(&w);
    }
    free(pts);
    free(ord);
    return rc;
}
