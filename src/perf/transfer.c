/*
 * transfer.c - SILICON's transfer ladder: answering an op whose exact table slice was never
 * collected from the nearest measured slice, anchored on measured utilisation.
 *
 * Utilisation u = SOL / latency (SOL = the speed-of-light formulas of sol.c). A transfer
 * evaluates a measured slice R (reference) and returns latency = SOL_query / u_R, with
 * provenance AIC_PROV_EXTRAPOLATED. The rules, in the order they are tried:
 *
 * 1. GEMM xquant / xprofile. The requested gemm dtype has no rows (or its (n, k) sites are
 *    too far): walk the dtype's reference list below (closest memory and compute profile
 *    first), take the first dtype R with rows that resolves (m, n, k) on its own curve
 *    (gemm_resolve: exact / interpolation / site transfer / tail util-hold), then
 *    latency = SOL_q(m, n, k) * lat_R / SOL_R(m, n, k). SOL_q uses q's bytes per weight
 *    (nvfp4_wo 0.5625, int4_wo 0.5, int8_wo 1) and q's compute dtype (weight-only = bf16), so a
 *    4-bit weight-only GEMM is memory bound at small m (~3.5x faster than bf16 at m = 1) and
 *    bf16-compute bound at large m.
 *
 * 2. MoE xshape / xsplit. (dtype, distribution, topk, E, h, inter, moe_tp, moe_ep) missing:
 *    among the default-grid slices of the same dtype (also its _trtllm/_cutlass kernels), pick
 *    the nearest by Euclidean distance over log2 of h, inter, topk, E, E/moe_ep (local
 *    experts) and inter/moe_tp (local width), plus 0.25 when the distribution differs from
 *    the requested one and 2 when its gating differs (trtllm marks non-gated kernels). A slice
 *    farther than MOE_GATE (3 octaves) is no anchor. Its token curve is evaluated at the same
 *    tokens per expert (tokens * topk / E held), its utilisation against its own SOL is applied
 *    to the query's SOL. If the dtype has no slice at all, the same search runs for each dtype
 *    of the MoE reference list in turn (e.g. nvfp4 -> w4a8_mxfp4_mxfp8 -> fp8_block -> fp8 ->
 *    bfloat16). Beyond the largest collected token count the 1-D curve already scales with SOL
 *    from its end point (resolve.c hold_1d), so 100k-token prefill batches are answered.
 *
 * 3. Attention xshape (context and generation): the (n_kv, head_dim) slice is missing after
 *    the dtype/window ladder of query.c: the nearest slice of the same dtypes (window 0 or the
 *    requested window) by log2 distance over head_dim and KV heads (an MHA slice counts as
 *    n_kv = n), evaluated at the query's (heads, s, b) with its own SOL; no anchor beyond
 *    ATTN_GATE (2 octaves).
 *
 * 4. MLA module gemm_type missing: nvfp4 -> fp8_block -> bfloat16, fp8/fp8_block -> bfloat16,
 *    bfloat16 -> fp8_block. The module SOL does not depend on the projection dtype, so the
 *    reference latency is used as is (provenance extrapolated). Other gemm types (int4_wo,
 *    ...) get no module transfer: the engine falls back to the granular ops, whose GEMMs
 *    transfer by rule 1.
 *
 * Only when no rule finds an anchor does SILICON return AIC_ERR_NODATA.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perf/perf_internal.h"

#define Q_END     AIC_Q_NONE
#define MOE_GATE  3.0
#define ATTN_GATE 2.0

/* ---- reference lists -------------------------------------------------------------------- */

struct ref_list {
    enum aic_quant q;
    enum aic_quant refs[8];
};

/* GEMM: closest (memory bytes, compute dtype) profile first, bfloat16 always last. */
static const struct ref_list gemm_refs[] = {
    {AIC_Q_NVFP4_WO,
     {AIC_Q_INT4_WO, AIC_Q_INT8_WO, AIC_Q_NVFP4, AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
    {AIC_Q_INT4_WO,
     {AIC_Q_INT8_WO, AIC_Q_NVFP4_WO, AIC_Q_NVFP4, AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
    {AIC_Q_INT8_WO, {AIC_Q_INT4_WO, AIC_Q_NVFP4_WO, AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
    {AIC_Q_NVFP4, {AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_INT4_WO, AIC_Q_BF16, Q_END}},
    {AIC_Q_FP8, {AIC_Q_FP8_BLOCK, AIC_Q_SQ, AIC_Q_INT8_WO, AIC_Q_BF16, Q_END}},
    {AIC_Q_FP8_BLOCK, {AIC_Q_FP8, AIC_Q_SQ, AIC_Q_INT8_WO, AIC_Q_BF16, Q_END}},
    {AIC_Q_SQ, {AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_INT8_WO, AIC_Q_BF16, Q_END}},
    {AIC_Q_W4AFP8, {AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_INT4_WO, AIC_Q_BF16, Q_END}},
    {AIC_Q_W4A16_MXFP4, {AIC_Q_INT4_WO, AIC_Q_NVFP4_WO, AIC_Q_INT8_WO, AIC_Q_BF16, Q_END}},
    {AIC_Q_W4A8_MXFP4_MXFP8, {AIC_Q_NVFP4, AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
    {AIC_Q_BF16, {AIC_Q_FP16, AIC_Q_FP8, AIC_Q_FP8_BLOCK, Q_END}},
    {AIC_Q_FP16, {AIC_Q_BF16, Q_END}},
};

/* MoE: same idea over the MoE kernels' dtypes. */
static const struct ref_list moe_refs[] = {
    {AIC_Q_NVFP4, {AIC_Q_W4A8_MXFP4_MXFP8, AIC_Q_FP8_BLOCK, AIC_Q_FP8, AIC_Q_BF16, Q_END}},
    {AIC_Q_NVFP4_WO,
     {AIC_Q_W4A16_MXFP4, AIC_Q_INT4_WO, AIC_Q_NVFP4, AIC_Q_FP8_BLOCK, AIC_Q_FP8, AIC_Q_BF16,
      Q_END}},
    {AIC_Q_W4A16_MXFP4,
     {AIC_Q_INT4_WO, AIC_Q_NVFP4, AIC_Q_W4A8_MXFP4_MXFP8, AIC_Q_FP8_BLOCK, AIC_Q_FP8, AIC_Q_BF16,
      Q_END}},
    {AIC_Q_INT4_WO,
     {AIC_Q_W4A16_MXFP4, AIC_Q_INT8_WO, AIC_Q_NVFP4, AIC_Q_FP8_BLOCK, AIC_Q_FP8, AIC_Q_BF16,
      Q_END}},
    {AIC_Q_INT8_WO, {AIC_Q_INT4_WO, AIC_Q_FP8, AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
    {AIC_Q_W4A8_MXFP4_MXFP8,
     {AIC_Q_NVFP4, AIC_Q_W4AFP8, AIC_Q_FP8_BLOCK, AIC_Q_FP8, AIC_Q_BF16, Q_END}},
    {AIC_Q_W4AFP8, {AIC_Q_W4A8_MXFP4_MXFP8, AIC_Q_FP8_BLOCK, AIC_Q_FP8, AIC_Q_BF16, Q_END}},
    {AIC_Q_FP8_BLOCK, {AIC_Q_FP8, AIC_Q_BF16, Q_END}},
    {AIC_Q_FP8, {AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
    {AIC_Q_BF16, {AIC_Q_FP8, AIC_Q_FP8_BLOCK, Q_END}},
};

static const enum aic_quant no_refs[] = {Q_END};

static const enum aic_quant *find_refs(const struct ref_list *l, size_t n, enum aic_quant q)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].q == q)
            return l[i].refs;
    return no_refs;
}

const enum aic_quant *xfer_gemm_refs(enum aic_quant q)
{
    return find_refs(gemm_refs, sizeof(gemm_refs) / sizeof(gemm_refs[0]), q);
}

const enum aic_quant *xfer_moe_refs(enum aic_quant q)
{
    return find_refs(moe_refs, sizeof(moe_refs) / sizeof(moe_refs[0]), q);
}

static const char *qname(enum aic_quant q)
{
    const struct aic_quant_info *i = aic_quant_info(q);
    return i ? i->name : "bfloat16";
}

/* ---- 1. GEMM ----------------------------------------------------------------------------- */

int xfer_gemm(struct aic_perfdb *db, const struct ptable *t, enum aic_quant q, double m, double n,
              double k, double *lat_ms, enum aic_quant *used)
{
    const enum aic_quant *refs = xfer_gemm_refs(q);
    for (int i = 0; refs[i] != Q_END; i++) {
        int id = strpool_find(&t->strs, qname(refs[i]));
        if (id < 0)
            continue;
        double key = id, lr;
        long s = ptable_find(t, &key);
        if (s < 0 ||
            gemm_resolve(&db->sys, t, &db->gemm_idx.per[s], refs[i], m, n, k, &lr) == RES_MISS ||
            !(lr > 0))
            continue;
        double sr = aic_sol_gemm(&db->sys, refs[i], m, n, k);
        if (!(sr > 0))
            continue;
        *lat_ms = aic_sol_gemm(&db->sys, q, m, n, k) * lr / sr;
        *used = refs[i];
        return 1;
    }
    return 0;
}

/* ---- 2. MoE ------------------------------------------------------------------------------ */

static double l2r(double a, double b)
{
    return log2((a > 0 ? a : 1) / (b > 0 ? b : 1));
}

/* Whether the table marks shape (h, inter, topk, E) as a non-gated kernel. */
static int moe_nongated(const struct aic_perfdb *db, const double *k)
{
    for (int i = 0; i < db->n_moe_nongated; i++) {
        const double *g = db->moe_nongated[i];
        if (g[0] == k[5] && g[1] == k[6] && g[2] == k[3] && g[3] == k[4])
            return 1;
    }
    return 0;
}

static double moe_dist(const struct aic_perfdb *db, const struct moe_ctx *a, int dist_id,
                       const double *k)
{
    double tp = k[7] > 0 ? k[7] : 1, ep = k[8] > 0 ? k[8] : 1;
    double qtp = a->tp > 0 ? a->tp : 1, qep = a->ep > 0 ? a->ep : 1;
    double d[6] = {l2r(k[5], a->h),
                   l2r(k[6], a->inter),
                   l2r(k[3], a->topk),
                   l2r(k[4], a->experts),
                   l2r(k[4] / ep, a->experts / qep),
                   l2r(k[6] / tp, a->inter / qtp)};
    double s = 0;
    for (int i = 0; i < 6; i++)
        s += d[i] * d[i];
    s = sqrt(s);
    if (k[2] != dist_id)
        s += 0.25;
    if ((!moe_nongated(db, k)) != (a->gated != 0))
        s += 2.0;
    return s;
}

/* Nearest default-grid slice whose dtype is r (or a renamed kernel of r); -1 if none. */
static long moe_nearest(const struct aic_perfdb *db, const struct ptable *t,
                        const struct moe_ctx *a, enum aic_quant r, int dist_id, double *best_d,
                        int *any)
{
    char names[3][48];
    int ids[3];
    snprintf(names[0], sizeof(names[0]), "%s", qname(r));
    snprintf(names[1], sizeof(names[1]), "%s_trtllm", qname(r));
    snprintf(names[2], sizeof(names[2]), "%s_cutlass", qname(r));
    for (int i = 0; i < 3; i++)
        ids[i] = strpool_find(&t->strs, names[i]);
    long best = -1;
    *best_d = INFINITY;
    *any = 0;
    for (size_t s = 0; s < t->nslices; s++) {
        const double *k = t->keys + s * (size_t)t->nk;
        if (k[0] != 0 || (k[1] != ids[0] && k[1] != ids[1] && k[1] != ids[2]) || k[1] < 0)
            continue;
        *any = 1;
        double d = moe_dist(db, a, dist_id, k);
        if (d < *best_d) {
            *best_d = d;
            best = (long)s;
        }
    }
    return best;
}

/* Utilisation (SOL / latency) of reference slice s at a whole token count; 0 if none. */
static double moe_ref_util(const struct ptable *t, long s, const struct moe_ctx *rc, double tr)
{
    double lr, c[1] = {tr};
    if (grid_resolve(t, s, c, 0, sol_moe, rc, &lr) == RES_MISS || !(lr > 0))
        return 0;
    return sol_moe(rc, c) / lr;
}

/*
 * Evaluates slice s at the query's tokens per expert; 1 and the latency on success. The
 * reference's utilisation is read at the whole token counts around the query's tokens per
 * expert and interpolated between them: rounding to the nearer one made the transferred latency
 * a sawtooth in tokens (gpt-oss on a100 from a top-8 slice: 2 tokens read at 1, 3 at 2, and the
 * 3-token decode step came out 13 % faster than the 2-token one).
 */
static int moe_eval(const struct aic_perfdb *db, const struct ptable *t, long s,
                    const struct moe_ctx *a, enum aic_quant r, double tokens, double *lat_ms)
{
    const double *k = t->keys + (size_t)s * (size_t)t->nk;
    struct moe_ctx rc = {&db->sys,  r,         (int)k[5],
                         (int)k[6], (int)k[3], (int)k[4],
                         (int)k[7], (int)k[8], moe_nongated(db, k) ? 0 : a->gated};
    double tr = tokens * (double)a->topk / a->experts * rc.experts / rc.topk;
    if (tr < 1)
        tr = 1;
    double t0 = floor(tr), w = tr - t0, qc[1] = {tokens};
    double u = moe_ref_util(t, s, &rc, t0);
    if (w > 1e-9 && u > 0) {
        double u1 = moe_ref_util(t, s, &rc, t0 + 1);
        u = u1 > 0 ? u + (u1 - u) * w : u;
    }
    if (!(u > 0))
        return 0;
    *lat_ms = sol_moe(a, qc) / u;
    return *lat_ms > 0;
}

/* Per-thread memo of the chosen neighbour (the scan covers thousands of slices). */
struct moe_memo {
    const struct ptable *t;
    unsigned long serial;
    double key[9];
    long s;
    enum aic_quant r;
};
static _Thread_local struct moe_memo memo[16];
static _Thread_local int memo_next;

int xfer_moe(struct aic_perfdb *db, const struct ptable *t, const struct moe_ctx *a,
             const char *dist, double tokens, double *lat_ms, enum aic_quant *used)
{
    int dist_id = dist ? strpool_find(&t->strs, dist) : -1;
    double key[9] = {a->q, dist_id, a->h, a->inter, a->topk, a->experts, a->tp, a->ep, a->gated};
    for (int i = 0; i < 16; i++)
        if (memo[i].t == t && memo[i].serial == t->serial &&
            !memcmp(memo[i].key, key, sizeof(key))) {
            *used = memo[i].r;
            return memo[i].s >= 0 && moe_eval(db, t, memo[i].s, a, memo[i].r, tokens, lat_ms);
        }
    long best = -1;
    enum aic_quant r = a->q;
    const enum aic_quant *refs = xfer_moe_refs(a->q);
    for (int i = -1; best < 0 && (i < 0 || refs[i] != Q_END); i++) {
        double d;
        int any;
        r = i < 0 ? a->q : refs[i];
        long s = moe_nearest(db, t, a, r, dist_id, &d, &any);
        if (any) {
            best = d <= MOE_GATE ? s : -1;
            break; /* the dtype has rows: no cross-dtype transfer */
        }
    }
    struct moe_memo *m = &memo[memo_next];
    memo_next = (memo_next + 1) % 16;
    m->t = t;
    m->serial = t->serial;
    memcpy(m->key, key, sizeof(key));
    m->s = best;
    m->r = r;
    *used = r;
    return best >= 0 && moe_eval(db, t, best, a, r, tokens, lat_ms);
}

/* ---- 3. attention ------------------------------------------------------------------------ */

int xfer_attn(const struct ptable *t, int is_ctx, const double *str_ids, int nstr,
              const struct attn_ctx *a, const double *c, double *lat_ms)
{
    int ik = nstr; /* key index of n_kv; head_dim and window follow */
    double n = c[0], qkv = a->n_kv ? a->n_kv : n;
    long best = -1;
    double bd = INFINITY;
    for (size_t s = 0; s < t->nslices; s++) {
        const double *k = t->keys + s * (size_t)t->nk;
        if (memcmp(k, str_ids, (size_t)nstr * sizeof(double)))
            continue;
        if (k[ik + 2] != a->w && k[ik + 2] != 0)
            continue;
        double skv = k[ik] ? k[ik] : n;
        if (k[ik] && skv > n)
            continue; /* GQA slice with more KV heads than the query has heads */
        double dd = l2r(k[ik + 1], a->d), dk = l2r(skv, qkv);
        double d = sqrt(dd * dd + dk * dk) + (k[ik + 2] != a->w ? 0.25 : 0);
        if (d < bd) {
            bd = d;
            best = (long)s;
        }
    }
    if (best < 0 || bd > ATTN_GATE)
        return 0;
    const double *k = t->keys + (size_t)best * (size_t)t->nk;
    struct attn_ctx rc = {a->sys, a->fmha, a->kv, (int)k[ik], (int)k[ik + 1], (int)k[ik + 2]};
    sol_fn fn = is_ctx ? sol_ctx_attn : sol_gen_attn;
    double lr;
    if (grid_resolve(t, best, c, is_ctx ? 2u : 0u, fn, &rc, &lr) == RES_MISS || !(lr > 0))
        return 0;
    double sr = fn(&rc, c);
    if (!(sr > 0))
        return 0;
    *lat_ms = fn(a, c) * lr / sr;
    return *lat_ms > 0;
}

/* ---- 4. MLA module gemm_type ------------------------------------------------------------- */

const enum aic_quant *xfer_module_refs(enum aic_quant q)
{
    static const struct ref_list l[] = {
        {AIC_Q_NVFP4, {AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
        {AIC_Q_FP8_BLOCK, {AIC_Q_BF16, Q_END}},
        {AIC_Q_FP8, {AIC_Q_FP8_BLOCK, AIC_Q_BF16, Q_END}},
        {AIC_Q_BF16, {AIC_Q_FP8_BLOCK, Q_END}},
    };
    return find_refs(l, sizeof(l) / sizeof(l[0]), q);
}
