/*
 * wideep.c - wide expert parallelism (aic-modeling.md, large-EP regime). SGLang (DeepEP):
 * expert compute from the wideep_{context,generation}_moe tables and token dispatch/combine
 * from wideep_deepep_{normal,ll}. TensorRT-LLM: expert compute from wideep_moe_perf and the
 * NVLink all-to-all (prepare + dispatch before, combine after) from trtllm_alltoall_perf,
 * collected on GB200 (two-sided kernels, the ones collected for every dtype).
 *
 * The expert tables hold the DeepSeek-V3 shape in fp8_block at some expert-parallel sizes; a
 * size between two collected ones is interpolated in log(ep), and another quantization scales
 * by the ratio of its moe_perf latency to fp8_block's at the same point. DeepEP tables are
 * keyed by node count (NVLink domains: a GB200 rack counts as one node), hidden size, top-k and
 * experts; a node count that was not collected is not guessed (AIC_ERR_NODATA: the engine then
 * keeps its default MoE exchange).
 * Normal mode (prefill) uses DeepEP's default of 20 SMs when collected.
 */
#include <math.h>
#include <string.h>

#include "aiconfigurator/error.h"
#include "perf/perf_internal.h"

#define DEEPEP_DEFAULT_SMS 20

static const enum aic_prov grid_prov[] = {AIC_PROV_MEASURED, AIC_PROV_INTERPOLATED,
                                          AIC_PROV_EXTRAPOLATED};

static int lookup(const struct ptable *t, long s, double x, double *lat, enum aic_prov *p)
{
    double c[1] = {x};
    int r = s < 0 ? RES_MISS : grid_resolve(t, s, c, 0, sol_proxy_size, NULL, lat);
    if (r == RES_MISS)
        return 0;
    *p = grid_prov[r];
    return 1;
}

/* Slice of dtype/distribution (or uniform) with shape[0..5] = topk, experts, h, inter, tp, ep. */
static long wide_moe_slice(const struct ptable *t, const char *dtype, const char *dist,
                           const double *shape)
{
    const char *dists[] = {dist, "uniform"};
    int di, qi = strpool_find(&t->strs, dtype);

    if (qi < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        double key[8] = {qi, 0};
        if (!dists[i] || (di = strpool_find(&t->strs, dists[i])) < 0)
            continue;
        key[1] = di;
        memcpy(key + 2, shape, 6 * sizeof(double));
        long s = ptable_find(t, key);
        if (s >= 0)
            return s;
    }
    return -1;
}

/* Expert compute at `ep`: the collected slice, else interpolated in log(ep) between the
 * nearest collected expert-parallel sizes below and above (work per rank goes as 1/ep). */
static int wide_moe_at(const struct ptable *t, const char *dtype, const char *dist, double *shape,
                       int ep, double tokens, double *lat, enum aic_prov *p)
{
    static const int eps[] = {2, 4, 8, 16, 32, 64, 128, 256};
    double lo = 0, hi = 0, llo = 0, lhi = 0;
    enum aic_prov q;

    shape[5] = ep;
    if (lookup(t, wide_moe_slice(t, dtype, dist, shape), tokens, lat, p))
        return 1;
    for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
        double l;
        shape[5] = eps[i];
        if (!lookup(t, wide_moe_slice(t, dtype, dist, shape), tokens, &l, &q))
            continue;
        if (eps[i] < ep)
            lo = eps[i], llo = l;
        else if (!hi)
            hi = eps[i], lhi = l;
    }
    shape[5] = ep;
    if (!lo || !hi)
        return 0;
    *lat = exp(log(llo) + (log(lhi) - log(llo)) * log(ep / lo) / log(hi / lo));
    *p = AIC_PROV_INTERPOLATED;
    return 1;
}

int aic_perf_wideep_moe(struct aic_perfdb *db, enum aic_quant q, const char *distribution,
                        int is_context, double tokens, int hidden, int inter, int topk, int experts,
                        int ep, struct aic_lat *out, struct aic_error *err)
{
    const struct ptable *t;
    const struct aic_quant_info *qi = aic_quant_info(q);
    double shape[6] = {topk, experts, hidden, inter, 1, ep}, lat;
    enum aic_prov p;
    struct aic_lat own, ref;
    int rc = perfdb_table(db, is_context ? T_WIDEEP_CTX_MOE : T_WIDEEP_GEN_MOE, &t, err);

    if (rc)
        return rc;
    if (wide_moe_at(t, qi ? qi->name : "", distribution, shape, ep, tokens, &lat, &p)) {
        out->ms = lat;
        out->prov = p;
        return AIC_OK;
    }
    /* another quantization: the collected fp8_block kernel times its moe_perf ratio */
    if (!wide_moe_at(t, "fp8_block", distribution, shape, ep, tokens, &lat, &p) ||
        aic_perf_moe(db, q, distribution, tokens, hidden, inter, topk, experts, 1, ep, 1, &own,
                     NULL) ||
        aic_perf_moe(db, AIC_Q_FP8_BLOCK, distribution, tokens, hidden, inter, topk, experts, 1, ep,
                     1, &ref, NULL) ||
        own.ms <= 0 || ref.ms <= 0)
        return aic_err(err, AIC_ERR_NODATA,
                       "no wide-EP expert data for h=%d inter=%d topk=%d experts=%d ep=%d", hidden,
                       inter, topk, experts, ep);
    out->ms = lat * own.ms / ref.ms;
    out->prov = AIC_PROV_EXTRAPOLATED;
    return AIC_OK;
}

/* The slice of `nodes` nodes and the shape; in normal mode the one with DeepEP's default SM
 * count, else the most SMs collected. -1 when none. */
static long deepep_slice(const struct ptable *t, int normal, const double *shape, int nodes)
{
    long best = -1;
    double best_sms = -1;

    for (size_t s = 0; s < t->nslices; s++) {
        const double *k = t->keys + s * (size_t)t->nk;
        if (k[0] != nodes || memcmp(k + 1, shape, 3 * sizeof(double)))
            continue;
        double sms = normal ? k[4] : 0;
        if (best < 0 ||
            (best_sms != DEEPEP_DEFAULT_SMS && (sms == DEEPEP_DEFAULT_SMS || sms > best_sms))) {
            best = (long)s;
            best_sms = sms;
        }
    }
    return best;
}

int aic_perf_deepep(struct aic_perfdb *db, int is_context, int is_dispatch, double tokens,
                    int hidden, int topk, int experts, int ep, struct aic_lat *out,
                    struct aic_error *err)
{
    static const enum ptab_id ids[2][2] = {{T_DEEPEP_LL_COMB, T_DEEPEP_LL_DISP},
                                           {T_DEEPEP_NRM_COMB, T_DEEPEP_NRM_DISP}};
    enum ptab_id id = ids[is_context != 0][is_dispatch != 0];
    const struct aic_system *sys = &db->sys;
    const struct ptable *t;
    double shape[3] = {hidden, topk, experts}, lat;
    int domain = sys->gpus_per_rack > 0 ? sys->gpus_per_rack : sys->gpus_per_node; /* NVLink */
    int nodes = domain > 0 ? (ep + domain - 1) / domain : 1;
    int rc = perfdb_table(db, id, &t, err);
    enum aic_prov p;
    long s;

    if (rc)
        return rc;
    s = deepep_slice(t, is_context, shape, nodes);
    if (s < 0 || !lookup(t, s, fmax(tokens, 1), &lat, &p))
        return aic_err(err, AIC_ERR_NODATA,
                       "%s has no rows for %d node(s), hidden=%d topk=%d experts=%d", ptab_name(id),
                       nodes, hidden, topk, experts);
    out->ms = lat;
    out->prov = p;
    return AIC_OK;
}

/* ---- TensorRT-LLM ----------------------------------------------------------------------- */

static long key_slice(const struct ptable *t, const char *const *strs, int nstr, const double *num,
                      int nnum)
{
    double key[PT_MAXK];

    for (int i = 0; i < nstr; i++)
        if ((key[i] = strpool_find(&t->strs, strs[i])) < 0)
            return -1;
    if (nnum > 0)
        memcpy(key + nstr, num, (size_t)nnum * sizeof(double));
    return ptable_find(t, key);
}

int aic_perf_trtllm_wideep_moe(struct aic_perfdb *db, enum aic_quant q, const char *distribution,
                               double tokens, int hidden, int inter, int topk, int experts, int ep,
                               struct aic_lat *out, struct aic_error *err)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    const char *strs[2] = {qi ? qi->name : "", distribution};
    double num[7] = {hidden, inter, topk, experts, experts, 1, ep}, lat;
    const struct ptable *t;
    enum aic_prov p;
    int rc = perfdb_table(db, T_TRT_WIDEEP_MOE, &t, err);

    if (rc)
        return rc;
    if (!lookup(t, key_slice(t, strs, 2, num, 7), tokens, &lat, &p))
        return aic_err(err, AIC_ERR_NODATA,
                       "wideep_moe_perf has no %s rows for h=%d inter=%d topk=%d experts=%d "
                       "ep=%d",
                       strs[0], hidden, inter, topk, experts, ep);
    out->ms = lat;
    out->prov = p;
    return AIC_OK;
}

int aic_perf_trtllm_alltoall(struct aic_perfdb *db, enum aic_quant q, int is_pre, double tokens,
                             int hidden, int topk, int experts, int ep, struct aic_lat *out,
                             struct aic_error *err)
{
    const char *dtype = q == AIC_Q_NVFP4                         ? "nvfp4"
                        : q == AIC_Q_FP8 || q == AIC_Q_FP8_BLOCK ? "fp8"
                                                                 : "bfloat16";
    const char *ops[2][2] = {{"alltoall_combine", NULL}, {"alltoall_prepare", "alltoall_dispatch"}};
    double num[4] = {hidden, topk, experts, ep}, lat;
    const struct ptable *t;
    enum aic_prov p;
    int rc = perfdb_table(db, T_TRT_ALLTOALL, &t, err);

    if (rc)
        return rc;
    out->ms = 0;
    out->prov = AIC_PROV_MEASURED;
    for (int i = 0; i < 2 && ops[is_pre != 0][i]; i++) {
        const char *strs[4] = {ops[is_pre != 0][i], "NVLinkTwoSided", dtype, "balanced"};
        if (!lookup(t, key_slice(t, strs, 4, num, 4), fmax(tokens, 1), &lat, &p))
            return aic_err(err, AIC_ERR_NODATA,
                           "trtllm_alltoall_perf has no %s %s rows for h=%d topk=%d experts=%d "
                           "ep=%d",
                           strs[0], dtype, hidden, topk, experts, ep);
        out->ms += lat;
        if (p > out->prov)
            out->prov = p;
    }
    return AIC_OK;
}

/* ---- SGLang's MLA module ---------------------------------------------------------------- */

int perf_sglang_mla_module(struct aic_perfdb *db, int is_ctx, enum aic_quant kv, const char *gemm,
                           double b, double s, int heads, struct aic_lat *out)
{
    static const char *const kernels[] = {"trtllm_mla", "fa3", "flashinfer"};
    const struct aic_quant_info *ki = aic_quant_info(kv);
    const char *gemms[2] = {gemm, "fp8_block"}; /* another gemm_type: same SOL, as transfer.c */
    struct attn_ctx a = {&db->sys, AIC_Q_FP8, kv, 0, 0, 0};
    double c[3] = {heads, is_ctx ? s : b, is_ctx ? b : s}, lat;
    const struct ptable *t;

    if (perfdb_table(db, is_ctx ? T_SG_CTX_MLA : T_SG_GEN_MLA, &t, NULL))
        return -1;
    for (int g = 0; g < 2; g++) {
        for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
            const char *strs[3] = {kernels[k], ki ? ki->name : "", gemms[g]};
            long sl = key_slice(t, strs, 3, NULL, 0);
            int r = sl < 0 ? RES_MISS
                           : grid_resolve(t, sl, c, is_ctx ? 2u : 0u,
                                          is_ctx ? sol_ctx_mla : sol_gen_module, &a, &lat);
            if (r != RES_MISS) {
                out->ms = lat;
                out->prov = g ? AIC_PROV_EXTRAPOLATED : grid_prov[r];
                return 0;
            }
        }
    }
    return -1;
}
