/*
 * pick.c - the pure arithmetic of the search: layout strings, cluster normalisation,
 * Pareto frontier, AIConfigurator's top-N pick (one row per layout) and xPyD rate
 * matching. No engine calls here, so tests can exercise it with hand-made rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/search.h"

char *aic_layout_str(const struct aic_layout *l, int is_moe, char *buf, size_t n)
{
    if (is_moe)
        snprintf(buf, n, "tp%dpp%ddp%detp%dep%d", l->tp, l->pp, l->dp, l->moe_tp, l->moe_ep);
    else
        snprintf(buf, n, "tp%dpp%d", l->tp, l->pp);
    return buf;
}

double aic_cluster_tokens_s_gpu(double tokens_s_gpu, int gpus_per_replica, int total_gpus)
{
    if (gpus_per_replica <= 0 || total_gpus <= 0)
        return 0.0;
    int replicas = total_gpus / gpus_per_replica;
    return tokens_s_gpu * (double)replicas * gpus_per_replica / total_gpus;
}

/* ---- Pareto ------------------------------------------------------------------------ */

struct pareto_key {
    double x, y; /* x already oriented so that smaller is "further along" the walk */
    size_t i;
};

static int cmp_pareto(const void *a, const void *b)
{
    const struct pareto_key *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y > q->y ? -1 : 1;
    return p->i < q->i ? -1 : (p->i > q->i);
}

struct xsort {
    const struct aic_search_row *rows;
    int by_latency;
};
static int cmp_size_by_x(const void *a, const void *b, void *arg);

size_t aic_pareto(const struct aic_search_row *rows, size_t n, int by_latency, size_t *idx)
{
    if (n == 0)
        return 0;
    struct pareto_key *k = malloc(n * sizeof *k);
    if (!k)
        return 0;
    /* Walk from the best x down: maximising tokens/s/user means walking x descending,
     * which is ascending in -x; minimising latency walks x ascending. */
    for (size_t i = 0; i < n; i++) {
        double x = by_latency ? rows[i].request_latency_ms : -rows[i].tokens_s_user;
        k[i] = (struct pareto_key){x, rows[i].tokens_s_gpu_cluster, i};
    }
    qsort(k, n, sizeof *k, cmp_pareto);
    size_t m = 0;
    double best_y = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (k[i].y > best_y) {
            best_y = k[i].y;
            idx[m++] = k[i].i;
        }
    }
    free(k);
    /* Frontier sorted by x ascending (tokens/s/user or latency). */
    struct xsort xs = {rows, by_latency};
    qsort_r(idx, m, sizeof *idx, cmp_size_by_x, &xs);
    return m;
}

static int cmp_size_by_x(const void *a, const void *b, void *arg)
{
    const struct xsort *xs = arg;
    const struct aic_search_row *p = &xs->rows[*(const size_t *)a];
    const struct aic_search_row *q = &xs->rows[*(const size_t *)b];
    double xp = xs->by_latency ? p->request_latency_ms : p->tokens_s_user;
    double xq = xs->by_latency ? q->request_latency_ms : q->tokens_s_user;
    if (xp != xq)
        return xp < xq ? -1 : 1;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    return ia < ib ? -1 : (ia > ib);
}

/* ---- top-N pick -------------------------------------------------------------------- */

static int same_layout(const struct aic_layout *a, const struct aic_layout *b)
{
    return a->tp == b->tp && a->pp == b->pp && a->dp == b->dp && a->moe_tp == b->moe_tp &&
           a->moe_ep == b->moe_ep;
}

static int same_group(const struct aic_search_row *a, const struct aic_search_row *b)
{
    if (a->backend != b->backend || a->exp != b->exp)
        return 0;
    return a->exp == AIC_EXP_DISAGG ? same_layout(&a->d_lay, &b->d_lay)
                                    : same_layout(&a->lay, &b->lay);
}

/* Ranking order: cluster throughput desc, tokens/s/user desc (latency mode: latency asc). */
static int better(const struct aic_search_row *a, const struct aic_search_row *b, int by_lat)
{
    if (a->tokens_s_gpu_cluster != b->tokens_s_gpu_cluster)
        return a->tokens_s_gpu_cluster > b->tokens_s_gpu_cluster;
    if (by_lat)
        return a->request_latency_ms < b->request_latency_ms;
    return a->tokens_s_user > b->tokens_s_user;
}

/* Fallback order: closest to the bound first (tpot asc, or request latency asc). */
static int closer(const struct aic_search_row *a, const struct aic_search_row *b, int by_lat)
{
    double ka = by_lat ? a->request_latency_ms : a->tpot_ms;
    double kb = by_lat ? b->request_latency_ms : b->tpot_ms;
    if (ka != kb)
        return ka < kb;
    return a->tokens_s_gpu_cluster > b->tokens_s_gpu_cluster;
}

size_t aic_pick_top(const struct aic_search_row *rows, size_t n, double tpot_ms,
                    double request_latency_ms, int top_n, struct aic_search_row *out, int *met)
{
    int by_lat = request_latency_ms > 0;
    size_t n_ok = 0;
    for (size_t i = 0; i < n; i++) {
        double v = by_lat ? rows[i].request_latency_ms : rows[i].tpot_ms;
        double bound = by_lat ? request_latency_ms : tpot_ms;
        if (v <= bound)
            n_ok++;
    }
    *met = n_ok > 0;
    int (*order)(const struct aic_search_row *, const struct aic_search_row *, int) =
        n_ok ? better : closer;
    /* Best row per layout group, kept in an array of group leaders (small: tens). */
    size_t n_g = 0, cap = 16;
    const struct aic_search_row **g = malloc(cap * sizeof *g);
    if (!g)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct aic_search_row *r = &rows[i];
        if (n_ok) {
            double v = by_lat ? r->request_latency_ms : r->tpot_ms;
            if (v > (by_lat ? request_latency_ms : tpot_ms))
                continue;
        }
        size_t j = 0;
        while (j < n_g && !same_group(g[j], r))
            j++;
        if (j < n_g) {
            if (order(r, g[j], by_lat))
                g[j] = r;
            continue;
        }
        if (n_g == cap) {
            const struct aic_search_row **ng = realloc(g, 2 * cap * sizeof *g);
            if (!ng)
                break;
            g = ng, cap *= 2;
        }
        g[n_g++] = r;
    }
    /* Selection of the top_n leaders (insertion sort: groups are few). */
    for (size_t i = 1; i < n_g; i++) {
        const struct aic_search_row *r = g[i];
        size_t j = i;
        while (j > 0 && order(r, g[j - 1], by_lat)) {
            g[j] = g[j - 1];
            j--;
        }
        g[j] = r;
    }
    size_t m = n_g < (size_t)(top_n > 0 ? top_n : 0) ? n_g : (size_t)(top_n > 0 ? top_n : 0);
    for (size_t i = 0; i < m; i++)
        out[i] = *g[i];
    free(g);
    return m;
}

/* ---- rate matching ----------------------------------------------------------------- */

int aic_replica_size_allowed(int g)
{
    if (g == 1 || g == 2 || g == 4 || g == 8)
        return 1;
    return g >= 16 && g <= 128 && g % 8 == 0;
}

static int replica_ok(const struct aic_search_space *sp, int g)
{
    if (!sp || !sp->n_replica_sizes)
        return aic_replica_size_allowed(g);
    for (int i = 0; i < sp->n_replica_sizes; i++)
        if (sp->replica_sizes[i] == g)
            return 1;
    return 0;
}

int aic_rate_match_ex(double seq_p, int gp, double seq_d, int gd, int max_x, int max_y,
                      int max_gpus, const struct aic_search_space *sp, int *x, int *y)
{
    double best = 0.0;
    int found = -1;
    double kp =
        sp && sp->rate_match_prefill_degradation > 0 ? sp->rate_match_prefill_degradation : 0.9;
    double kd =
        sp && sp->rate_match_decode_degradation > 0 ? sp->rate_match_decode_degradation : 0.92;
    for (int j = 1; j <= max_y; j++) {
        int gdj = j * gd;
        if (gdj + gp > max_gpus)
            break;
        double dec = seq_d * j * kd;
        for (int i = 1; i <= max_x; i++) {
            int g = i * gp + gdj;
            if (g > max_gpus)
                break;
            if (!replica_ok(sp, g))
                continue;
            double pre = seq_p * i * kp;
            double v = (pre < dec ? pre : dec) / g;
            if (v > best) {
                best = v;
                *x = i, *y = j;
                found = 0;
            }
            if (pre >= dec)
                break; /* more prefill workers only add GPUs */
        }
    }
    return found;
}

int aic_rate_match(double seq_p, int gp, double seq_d, int gd, int max_x, int max_y, int max_gpus,
                   int *x, int *y)
{
    return aic_rate_match_ex(seq_p, gp, seq_d, gd, max_x, max_y, max_gpus, NULL, x, y);
}
