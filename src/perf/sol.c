/*
 * sol.c - speed-of-light (roofline) latencies in milliseconds: max(math / FLOPS,
 * bytes / bandwidth) per op, following AIConfigurator's formulas (aic-modeling section 2.3).
 * A compute dtype the spec gives no FLOPS for falls back to the bf16 FLOPS (the SOL then
 * only serves as a shape-scaling reference).
 */
#include <math.h>

#include "perf/perf_internal.h"

double sol_flops(const struct aic_system *sys, enum aic_quant q)
{
    double f = sys->tc_flops[aic_quant_compute(q)];
    if (!(f > 0))
        f = sys->tc_flops[AIC_COMPUTE_BF16];
    return f > 0 ? f : 1e15;
}

static double mem_bw(const struct aic_system *sys)
{
    return sys->mem_bw_Bps > 0 ? sys->mem_bw_Bps : 1e12;
}

/* Per-GPU bandwidth of the slowest link level n GPUs span: NVLink inside a node, the NICs
 * between nodes (or, on a rack-scale system, NVLink between trays), the NICs between racks. */
static double level_bw(const struct aic_system *sys, int n_gpus)
{
    double bw;
    if (n_gpus <= sys->gpus_per_node)
        bw = sys->intra_node_bw_Bps;
    else if (sys->gpus_per_rack <= 0 || n_gpus <= sys->gpus_per_rack)
        bw = sys->inter_node_bw_Bps;
    else
        bw = sys->inter_rack_bw_Bps > 0 ? sys->inter_rack_bw_Bps : sys->inter_node_bw_Bps;
    return bw > 0 ? bw : 1e10;
}

/* GPUs of the largest group n GPUs fill before crossing their slowest level (a node, or a
 * rack beyond it), and that group's own bandwidth. */
static int inner_group(const struct aic_system *sys, int n_gpus, double *inner_bw)
{
    int gpn = sys->gpus_per_node > 0 ? sys->gpus_per_node : 8;
    int group = sys->gpus_per_rack > 0 && n_gpus > sys->gpus_per_rack ? sys->gpus_per_rack : gpn;
    *inner_bw = level_bw(sys, group);
    return group;
}

/*
 * Bus bandwidth of a collective over n GPUs. Ring collectives (all-gather, reduce-scatter,
 * all-reduce) run one channel per NIC, so a ring that leaves a node moves its data through
 * every NIC of the node at once: min(inner bandwidth, group x NIC bandwidth). An all-to-all
 * sends each GPU's off-group share through its own NIC while the rest crosses the inner
 * links: (n-1)/n of the data in max(off-group / NIC, in-group / inner) time.
 */
double sol_comm_bw(const struct aic_system *sys, int n_gpus, int alltoall)
{
    double inner, outer = level_bw(sys, n_gpus), n = n_gpus;
    int group;

    if (n_gpus <= sys->gpus_per_node)
        return outer;
    group = inner_group(sys, n_gpus, &inner);
    if (outer >= inner) /* no slower link: one fabric (NVLink between trays of a rack) */
        return inner;
    if (!alltoall)
        return fmin(inner, group * outer);
    return ((n - 1) / n) / fmax((n - group) / n / outer, (group - 1) / n / inner);
}

double aic_sol_gemm(const struct aic_system *sys, enum aic_quant q, double m, double n, double k)
{
    double math = 2.0 * m * n * k / sol_flops(sys, q);
    double mem = aic_quant_bytes(q) * (m * n + m * k + n * k) / mem_bw(sys);
    return fmax(math, mem) * 1000.0;
}

/* Decode attention computes in fp8 when the KV cache is fp8 on sm >= 89. */
static double kv_flops(const struct aic_system *sys, enum aic_quant kv)
{
    if ((kv == AIC_Q_FP8 || kv == AIC_Q_FP8_BLOCK) && sys->sm_version >= 89)
        return sol_flops(sys, AIC_Q_FP8);
    return sol_flops(sys, AIC_Q_BF16);
}

double sol_ctx_attn(const void *vctx, const double *c)
{
    const struct attn_ctx *a = vctx;
    double n = c[0], s = c[1], b = c[2], d = a->d;
    double nkv = a->n_kv ? a->n_kv : n;
    double ops = (a->w > 0 && a->w < s) ? 4.0 * b * s * a->w * n * d : 2.0 * b * s * s * n * d;
    double mem = 2.0 * b * (2.0 * n * s * d) + aic_quant_bytes(a->kv) * b * 2.0 * nkv * s * d;
    return fmax(ops / sol_flops(a->sys, a->fmha), mem / mem_bw(a->sys)) * 1000.0;
}

double sol_gen_attn(const void *vctx, const double *c)
{
    const struct attn_ctx *a = vctx;
    double n = c[0], b = c[1], s = c[2], d = a->d;
    double nkv = a->n_kv ? a->n_kv : n;
    double kvlen = s - 1 > 0 ? s - 1 : 0;
    if (a->w > 0 && kvlen > a->w)
        kvlen = a->w;
    double ops = 4.0 * b * n * d * kvlen;
    double mem = b * (2.0 * n * d + 2.0 * nkv * kvlen * d * aic_quant_bytes(a->kv) + 2.0 * n * d);
    return fmax(ops / kv_flops(a->sys, a->kv), mem / mem_bw(a->sys)) * 1000.0;
}

double sol_ctx_mla(const void *vctx, const double *c)
{
    const struct attn_ctx *a = vctx;
    double n = c[0], s = c[1], b = c[2];
    double ops = b * n * (192.0 + 128.0) * s * s;
    double mem = b * n * (aic_quant_bytes(a->kv) * s * 320.0 + 2.0 * s * 320.0);
    return fmax(ops / sol_flops(a->sys, a->fmha), mem / mem_bw(a->sys)) * 1000.0;
}

static void gen_mla_terms(const struct attn_ctx *a, const double *c, double *ops, double *mem)
{
    double n = c[0], b = c[1], s = c[2];
    *ops = 2.0 * b * n * 1088.0 * s;
    *mem = b * (n * 1088.0 * 2.0 + (s - 1 > 0 ? s - 1 : 0) * 576.0 * aic_quant_bytes(a->kv));
}

double sol_gen_mla(const void *vctx, const double *c)
{
    const struct attn_ctx *a = vctx;
    double ops, mem;
    gen_mla_terms(a, c, &ops, &mem);
    return fmax(ops / kv_flops(a->sys, a->kv), mem / mem_bw(a->sys)) * 1000.0;
}

double sol_gen_module(const void *vctx, const double *c)
{
    const struct attn_ctx *a = vctx;
    double ops, mem, n = c[0], t = c[1];
    gen_mla_terms(a, c, &ops, &mem);
    /* plus the pre and post absorbed BMMs on b tokens */
    double bops = 2.0 * t * n * 128.0 * 512.0, bmem = n * (t * 640.0 + 128.0 * 512.0) * 2.0;
    double flops = kv_flops(a->sys, a->kv);
    return fmax((ops + 2 * bops) / flops, (mem + 2 * bmem) / mem_bw(a->sys)) * 1000.0;
}

double sol_bmm(const void *vctx, const double *c)
{
    const struct bmm_ctx *a = vctx;
    double t = c[0], n = a->heads;
    double ops = 2.0 * t * n * 128.0 * 512.0;
    double mem = n * (t * 640.0 + 128.0 * 512.0) * aic_quant_bytes(a->q);
    return fmax(ops / sol_flops(a->sys, a->q), mem / mem_bw(a->sys)) * 1000.0;
}

double sol_moe(const void *vctx, const double *c)
{
    const struct moe_ctx *a = vctx;
    double x = floor(c[0]);
    double G = a->gated ? 3.0 : 2.0, ep = a->ep > 0 ? a->ep : 1, tp = a->tp > 0 ? a->tp : 1;
    double T = x * a->topk;
    double Tep = floor(T / ep);
    double ops = 2.0 * T * a->h * a->inter * G / ep / tp;
    double e_local = floor(a->experts / ep);
    /* expert weights read: the experts the batch routes to, x tokens each picking topk of
     * the E experts uniformly: E (1 - (1 - topk/E)^x) of them, an ep-th on this rank */
    double hit = a->experts > 0 ? 1 - pow(1 - fmin(1.0, (double)a->topk / a->experts), x) : 1;
    double mem = (Tep * a->h * 2.0 + Tep * floor(a->inter * G / tp) +
                  a->h * floor(a->inter * G / tp) * e_local * hit) *
                 aic_quant_bytes(a->q);
    return fmax(ops / sol_flops(a->sys, a->q), mem / mem_bw(a->sys)) * 1000.0;
}

double sol_comm(const void *vctx, const double *c)
{
    const struct comm_ctx *a = vctx;
    double N = a->n_gpus, size = c[0];
    if (N <= 1)
        return 0;
    double bw = sol_comm_bw(a->sys, a->n_gpus, a->alltoall);
    if (a->custom)
        return 2.0 * size * 2.0 * (N - 1) / N / bw * 1000.0;
    double t = aic_quant_bytes(a->q) * size * (N - 1) / N / bw;
    return (a->all_reduce ? 2.0 * t : t) * 1000.0;
}

double sol_proxy_size(const void *vctx, const double *c)
{
    (void)vctx;
    return c[0];
}
