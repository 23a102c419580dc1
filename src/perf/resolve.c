/*
 * resolve.c - interpolation over measured tables (AIConfigurator's resolution chain):
 * the axis-by-axis grid resolver with sqrt blending and hold-util staircase repair, the
 * util-hold beyond the data (nearest leaves in log2 space, or the end point of a 1-D curve),
 * and GEMM's scattered (n, k) sites, each with an m-curve.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perf/perf_internal.h"

/* ---- grid ------------------------------------------------------------------------------ */

struct grid {
    const struct ptable *t;
    const double *q;
    unsigned sqrt_mask;
    sol_fn sol;
    const void *ctx;
    int extrap; /* a hold-util rescale was used */
    int interp; /* a blend was used */
};

enum { G_OK = 0, G_OOR, G_MISS };

/* First index in [lo, hi) whose axis `a` value is >= v (or > v when upper). */
static size_t axis_bound(const struct ptable *t, size_t lo, size_t hi, int a, double v, int upper)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double x = t->ax[mid * (size_t)t->na + (size_t)a];
        if (x < v || (upper && x == v))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int grid_rec(struct grid *g, size_t lo, size_t hi, int level, const double *c, double *lat)
{
    const struct ptable *t = g->t;
    size_t na = (size_t)t->na;

    if (lo >= hi)
        return G_MISS;
    if (level == t->na) {
        *lat = t->lat[lo];
        return G_OK;
    }
    double q = g->q[level];
    double first = t->ax[lo * na + (size_t)level], last = t->ax[(hi - 1) * na + (size_t)level];
    if (q < first || q > last)
        return G_OOR;
    size_t lb = axis_bound(t, lo, hi, level, q, 0);
    double cc[PT_MAXA];
    memcpy(cc, c, na * sizeof(double));
    if (t->ax[lb * na + (size_t)level] == q)
        return grid_rec(g, lb, axis_bound(t, lb, hi, level, q, 1), level + 1, cc, lat);

    double khi = t->ax[lb * na + (size_t)level], klo = t->ax[(lb - 1) * na + (size_t)level];
    double llo = 0, lhi = 0;
    cc[level] = klo;
    int rlo = grid_rec(g, axis_bound(t, lo, lb, level, klo, 0), lb, level + 1, cc, &llo);
    cc[level] = khi;
    int rhi = grid_rec(g, lb, axis_bound(t, lb, hi, level, khi, 1), level + 1, cc, &lhi);
    if (rlo == G_OK && rhi == G_OK) {
        double w = (q - klo) / (khi - klo);
        if (g->sqrt_mask & (1u << level)) {
            double s = sqrt(llo) * (1 - w) + sqrt(lhi) * w;
            *lat = s * s;
        } else {
            *lat = llo * (1 - w) + lhi * w;
        }
        g->interp = 1;
        return G_OK;
    }
    if (rlo == G_OK || rhi == G_OK) {
        /* ragged grid: hold the survivor's utilization along this axis */
        double ksurv = rlo == G_OK ? klo : khi, lsurv = rlo == G_OK ? llo : lhi;
        double sq, ss;
        cc[level] = q;
        sq = g->sol(g->ctx, cc);
        cc[level] = ksurv;
        ss = g->sol(g->ctx, cc);
        *lat = ss > 0 ? lsurv * sq / ss : lsurv;
        g->extrap = 1;
        return G_OK;
    }
    return (rlo == G_OOR || rhi == G_OOR) ? G_OOR : G_MISS;
}

/* Beyond a 1-D curve: latency = SOL(q) * lat_end / SOL(end). */
static int hold_1d(const struct ptable *t, size_t lo, size_t hi, const double *q, sol_fn sol,
                   const void *ctx, double *lat)
{
    size_t e = q[0] < t->ax[lo] ? lo : hi - 1;
    double ce = t->ax[e], se = sol(ctx, &ce), sq = sol(ctx, q);
    if (hi - lo == 1 && q[0] < t->ax[lo])
        return RES_MISS; /* a one-point curve queried below its point */
    if (se <= 0 || t->lat[e] <= 0)
        return RES_MISS;
    *lat = sq * t->lat[e] / se;
    return RES_EXTRAP;
}

/* Beyond a multi-axis grid: utilization of the 4 nearest leaves in log2 space. */
static int hold_nn(const struct ptable *t, size_t lo, size_t hi, const double *q, sol_fn sol,
                   const void *ctx, double *lat)
{
    enum { NN = 4 };
    size_t na = (size_t)t->na, best[NN + 1];
    double bd[NN + 1], lq[PT_MAXA];
    int nb = 0;

    for (size_t a = 0; a < na; a++)
        lq[a] = log2(q[a] > 1e-9 ? q[a] : 1e-9);
    for (size_t i = lo; i < hi; i++) {
        if (t->lat[i] <= 0)
            continue;
        double d2 = 0;
        for (size_t a = 0; a < na; a++) {
            double dd = t->lax[i * na + a] - lq[a];
            d2 += dd * dd;
        }
        if (nb == NN + 1 && d2 >= bd[NN] * bd[NN])
            continue;
        double d = sqrt(d2);
        int j = nb < NN + 1 ? nb++ : NN;
        while (j > 0 && bd[j - 1] > d) {
            bd[j] = bd[j - 1];
            best[j] = best[j - 1];
            j--;
        }
        bd[j] = d;
        best[j] = i;
    }
    if (nb == 0)
        return RES_MISS;
    double R = nb > NN ? bd[NN] : INFINITY, sw = 0, su = 0;
    int use = nb > NN ? NN : nb;
    for (int j = 0; j < use; j++) {
        double d = bd[j] > 1e-12 ? bd[j] : 1e-12;
        double w = isinf(R) ? 1.0 / (d * d) : pow((R - d) / (R * d), 2);
        double u = sol(ctx, t->ax + best[j] * na) / t->lat[best[j]];
        if (w <= 0)
            w = 1e-30;
        sw += w;
        su += w * u;
    }
    double util = su / sw, sq = sol(ctx, q);
    if (!(util > 0))
        return RES_MISS;
    *lat = sq / util;
    return RES_EXTRAP;
}

int grid_resolve(const struct ptable *t, long s, const double *q, unsigned sqrt_mask, sol_fn sol,
                 const void *ctx, double *lat_ms)
{
    struct grid g = {t, q, sqrt_mask, sol, ctx, 0, 0};
    size_t lo, hi;
    int r;

    if (s < 0)
        return RES_MISS;
    lo = t->start[s];
    hi = t->start[s + 1];
    r = grid_rec(&g, lo, hi, 0, q, lat_ms);
    if (r == G_OK)
        return g.extrap ? RES_EXTRAP : g.interp ? RES_INTERP : RES_EXACT;
    if (r == G_MISS)
        return RES_MISS;
    if (t->na == 1)
        return hold_1d(t, lo, hi, q, sol, ctx, lat_ms);
    return hold_nn(t, lo, hi, q, sol, ctx, lat_ms);
}

/* ---- GEMM sites ------------------------------------------------------------------------ */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The distinct m values where some site's curve starts or ends: between two of them, the
 * set of sites covering m does not change. */
static int curve_breaks(struct gemm_sites *gs)
{
    size_t k = 0;
    gs->brk = malloc((2 * gs->n + 1) * sizeof(double));
    if (!gs->brk)
        return -1;
    for (size_t j = 0; j < gs->n; j++)
        gs->brk[k++] = gs->mlo[j], gs->brk[k++] = gs->mhi[j];
    qsort(gs->brk, k, sizeof(double), cmp_dbl);
    gs->nbrk = 0;
    for (size_t j = 0; j < k; j++)
        if (!gs->nbrk || gs->brk[gs->nbrk - 1] != gs->brk[j])
            gs->brk[gs->nbrk++] = gs->brk[j];
    return 0;
}

/* Class of m: 2 x (curve ends below m) + (m is a curve end). */
static int gemm_mclass(const struct gemm_sites *gs, double m)
{
    size_t lo = 0, hi = gs->nbrk;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gs->brk[mid] < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int)(2 * lo + (lo < gs->nbrk && gs->brk[lo] == m));
}

int gemm_index_build(const struct ptable *t, struct gemm_index *gi)
{
    gi->nslices = (long)t->nslices;
    gi->per = calloc(t->nslices ? t->nslices : 1, sizeof(*gi->per));
    if (!gi->per)
        return AIC_ERR_NOMEM;
    for (size_t s = 0; s < t->nslices; s++) {
        struct gemm_sites *gs = &gi->per[s];
        size_t lo = t->start[s], hi = t->start[s + 1], n = 0;
        for (size_t i = lo; i < hi; i++)
            if (i == lo || t->ax[i * 3] != t->ax[(i - 1) * 3] ||
                t->ax[i * 3 + 1] != t->ax[(i - 1) * 3 + 1])
                n++;
        gs->sn = malloc((n ? n : 1) * sizeof(double));
        gs->sk = malloc((n ? n : 1) * sizeof(double));
        gs->s0 = malloc((n ? n : 1) * sizeof(size_t));
        gs->s1 = malloc((n ? n : 1) * sizeof(size_t));
        gs->ln = malloc((n ? n : 1) * sizeof(double));
        gs->lk = malloc((n ? n : 1) * sizeof(double));
        gs->mlo = malloc((n ? n : 1) * sizeof(double));
        gs->mhi = malloc((n ? n : 1) * sizeof(double));
        if (!gs->sn || !gs->sk || !gs->s0 || !gs->s1 || !gs->ln || !gs->lk || !gs->mlo || !gs->mhi)
            return AIC_ERR_NOMEM;
        n = 0;
        for (size_t i = lo; i < hi; i++) {
            if (i == lo || t->ax[i * 3] != t->ax[(i - 1) * 3] ||
                t->ax[i * 3 + 1] != t->ax[(i - 1) * 3 + 1]) {
                if (n)
                    gs->s1[n - 1] = i;
                gs->sn[n] = t->ax[i * 3];
                gs->sk[n] = t->ax[i * 3 + 1];
                gs->s0[n++] = i;
            }
        }
        if (n)
            gs->s1[n - 1] = hi;
        gs->n = n;
        for (size_t j = 0; j < n; j++) {
            gs->ln[j] = log2(gs->sn[j]);
            gs->lk[j] = log2(gs->sk[j]);
            gs->mlo[j] = t->ax[gs->s0[j] * 3 + 2];
            gs->mhi[j] = t->ax[(gs->s1[j] - 1) * 3 + 2];
        }
        if (curve_breaks(gs))
            return AIC_ERR_NOMEM;
    }
    return AIC_OK;
}

void gemm_index_free(struct gemm_index *gi)
{
    for (long s = 0; gi->per && s < gi->nslices; s++) {
        free(gi->per[s].sn);
        free(gi->per[s].sk);
        free(gi->per[s].s0);
        free(gi->per[s].s1);
        free(gi->per[s].ln);
        free(gi->per[s].lk);
        free(gi->per[s].mlo);
        free(gi->per[s].mhi);
        free(gi->per[s].memo);
        free(gi->per[s].brk);
    }
    free(gi->per);
    gi->per = NULL;
    gi->nslices = 0;
}

static double median3(double *u, int n)
{
    /* n <= 3: sort in place */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && u[j - 1] > u[j]; j--) {
            double x = u[j];
            u[j] = u[j - 1];
            u[j - 1] = x;
        }
    return n % 2 ? u[n / 2] : 0.5 * (u[n / 2 - 1] + u[n / 2]);
}

/* One site's m-curve at m: exact, linear inside, util of the 3 end points beyond. */
static int curve_m(const struct aic_system *sys, const struct ptable *t, size_t lo, size_t hi,
                   enum aic_quant q, double m, double n, double k, double *lat)
{
    size_t i = lo, h = hi;
    while (i < h) {
        size_t mid = i + (h - i) / 2;
        if (t->ax[mid * 3 + 2] < m)
            i = mid + 1;
        else
            h = mid;
    }
    if (i < hi && t->ax[i * 3 + 2] == m) {
        *lat = t->lat[i];
        return RES_EXACT;
    }
    if (i > lo && i < hi) {
        double m0 = t->ax[(i - 1) * 3 + 2], m1 = t->ax[i * 3 + 2];
        double w = (m - m0) / (m1 - m0);
        *lat = t->lat[i - 1] * (1 - w) + t->lat[i] * w;
        return RES_INTERP;
    }
    double u[3];
    int nu = 0;
    for (int j = 0; j < 3 && (size_t)j < hi - lo; j++) {
        size_t p = i == lo ? lo + (size_t)j : hi - 1 - (size_t)j;
        double mp = t->ax[p * 3 + 2];
        if (t->lat[p] > 0 && mp > 0)
            u[nu++] = aic_sol_gemm(sys, q, mp, n, k) / t->lat[p];
    }
    if (!nu)
        return RES_MISS;
    double util = median3(u, nu);
    *lat = aic_sol_gemm(sys, q, m, n, k) / util;
    return RES_EXTRAP;
}

static long site_find(const struct gemm_sites *gs, double n, double k)
{
    long lo = 0, hi = (long)gs->n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        int c = gs->sn[mid] < n ? -1 : gs->sn[mid] > n ? 1 : gs->sk[mid] < k ? -1 : gs->sk[mid] > k;
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* The up-to-4 nearest sites (log2 distance, 2-octave gate, frontier waiver) for an
 * uncollected (n, k) at m. Returns RES_MISS when none qualifies. */
static int gemm_pick(const struct gemm_sites *gs, double m, double n, double k,
                     struct gemm_memo *pick)
{
    enum { NS = 4 };
    const double gate = 2.0;
    int any_span = 0;
    for (size_t i = 0; i < gs->n && !any_span; i++)
        any_span = gs->mlo[i] <= m && gs->mhi[i] >= m;
    double ln = log2(n), lk = log2(k);
    double mn_n = INFINITY, mx_n = -INFINITY, mn_k = INFINITY, mx_k = -INFINITY;
    long *best = pick->best;
    double *bd = pick->bd;
    int nb = 0;
    for (int pass = 0; pass < 2 && nb == 0; pass++) {
        for (size_t i = 0; i < gs->n; i++) {
            if (any_span && !(gs->mlo[i] <= m && gs->mhi[i] >= m))
                continue;
            double dn = gs->ln[i] - ln, dk = gs->lk[i] - lk;
            double d2 = dn * dn + dk * dk;
            if (pass == 0) {
                mn_n = fmin(mn_n, gs->sn[i]);
                mx_n = fmax(mx_n, gs->sn[i]);
                mn_k = fmin(mn_k, gs->sk[i]);
                mx_k = fmax(mx_k, gs->sk[i]);
                if (d2 > gate * gate)
                    continue;
            } else {
                /* frontier waiver: beyond the sites on exactly one axis; gate the other */
                int over_n = n > mx_n, over_k = k > mx_k;
                if (!(over_n ^ over_k) || n < mn_n || k < mn_k)
                    return pick->status = RES_MISS;
                if (fabs(over_n ? dk : dn) > gate)
                    continue;
            }
            double d = sqrt(d2);
            if (nb == NS && d >= bd[NS - 1])
                continue;
            int j = nb < NS ? nb++ : NS - 1;
            while (j > 0 && bd[j - 1] > d) {
                bd[j] = bd[j - 1];
                best[j] = best[j - 1];
                j--;
            }
            bd[j] = d;
            best[j] = (long)i;
        }
    }
    pick->nb = nb;
    pick->outside = n < mn_n || n > mx_n || k < mn_k || k > mx_k;
    return pick->status = nb ? 0 : RES_MISS;
}

/* gemm_pick through the memo, keyed by (n, k) and the class of m (the pick depends on m only
 * through which sites' curves cover it). */
static const struct gemm_memo *gemm_pick_memo(const struct gemm_sites *gs, double m, double n,
                                              double k, struct gemm_memo *scratch)
{
    struct gemm_sites *mut = (struct gemm_sites *)gs;
    struct gemm_memo *slot;
    int mc = gemm_mclass(gs, m);
    uint64_t h;

    if (!gs->memo && !(mut->memo = calloc(GEMM_MEMO_SLOTS, sizeof(*gs->memo)))) {
        gemm_pick(gs, m, n, k, scratch);
        return scratch;
    }
    /* shapes are multiples of large powers of two: mix before taking the low bits */
    h = ((uint64_t)n << 32) ^ (uint64_t)k ^ ((uint64_t)mc << 58);
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    slot = &gs->memo[h % GEMM_MEMO_SLOTS];
    if (!slot->used || slot->n != n || slot->k != k || slot->mclass != mc) {
        gemm_pick(gs, m, n, k, slot);
        slot->n = n, slot->k = k, slot->mclass = mc, slot->used = 1;
    }
    return slot;
}

int gemm_resolve(const struct aic_system *sys, const struct ptable *t, const struct gemm_sites *gs,
                 enum aic_quant q, double m, double n, double k, double *lat_ms)
{
    long s = site_find(gs, n, k);
    struct gemm_memo scratch;
    const struct gemm_memo *pick;

    if (s >= 0)
        return curve_m(sys, t, gs->s0[s], gs->s1[s], q, m, n, k, lat_ms);
    pick = gemm_pick_memo(gs, m, n, k, &scratch);
    if (pick->status == RES_MISS)
        return RES_MISS;
    const long *best = pick->best;
    const double *bd = pick->bd;
    int nb = pick->nb;
    double sw = 0, su = 0;
    int extrap = pick->outside;
    for (int j = 0; j < nb; j++) {
        double li, ns = gs->sn[best[j]], ks = gs->sk[best[j]];
        int r = curve_m(sys, t, gs->s0[best[j]], gs->s1[best[j]], q, m, ns, ks, &li);
        if (r == RES_MISS || li <= 0)
            continue;
        if (r == RES_EXTRAP)
            extrap = 1;
        double w = 1.0 / (bd[j] * bd[j] + 1e-12);
        sw += w;
        su += w * aic_sol_gemm(sys, q, m, ns, ks) / li;
    }
    if (sw <= 0 || su <= 0)
        return RES_MISS;
    *lat_ms = aic_sol_gemm(sys, q, m, n, k) / (su / sw);
    return extrap ? RES_EXTRAP : RES_INTERP;
}
