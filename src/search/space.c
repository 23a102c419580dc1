/*
 * space.c - the search space AIConfigurator sweeps by default: parallel layouts per
 * serving phase and backend, batch-size lists, ctx-token budgets and the SLA target grid
 * (reference: aic-modeling §4.4, §4.5, §5.1, §7.1, §7.2).
 */
#include <math.h>
#include <string.h>

#include "search/search_int.h"

static const int pow2_list[] = {1, 2, 4, 8, 16};

static int is_gb(const char *system)
{
    return system && (!strncmp(system, "gb200", 5) || !strncmp(system, "gb300", 5));
}

static int in_gpu_list(int g, int max_gpus, int allow16)
{
    if (g > max_gpus)
        return 0;
    return g == 1 || g == 2 || g == 4 || g == 8 || (g == 16 && allow16);
}

/* Backend rules on MoE tuples (aic-modeling §7.1). */
static int moe_tuple_ok(enum aic_backend be, int tp, int dp, int etp, int ep)
{
    if (be == AIC_BACKEND_TRTLLM && dp > 1 && tp > 1)
        return 0;
    if (be == AIC_BACKEND_VLLM && etp > 1 && ep > 1)
        return 0;
    return 1;
}

int aic_space_layouts(const struct aic_model *m, enum aic_backend be, const char *system,
                      int max_gpus, int phase, struct aic_layout *out, int cap)
{
    int n = 0;
    int moe = m->num_experts > 0;
    if (!moe) {
        for (int i = 0; i < 5 && n < cap; i++) {
            int tp = pow2_list[i];
            if (in_gpu_list(tp, max_gpus, is_gb(system)))
                out[n++] = (struct aic_layout){tp, 1, 1, 1, 1};
        }
        return n;
    }
    /* MoE: tp*dp = etp*ep in {1,2,4,8,16}; vLLM/SGLang prefill workers keep dp 1. */
    int prefill_dp1 = phase == 1 && be != AIC_BACKEND_TRTLLM;
    for (int gi = 0; gi < 5; gi++) {
        int g = pow2_list[gi];
        if (!in_gpu_list(g, max_gpus, 1))
            continue;
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 5; b++) {
                int tp = pow2_list[a], dp = pow2_list[b];
                if (tp * dp != g || (prefill_dp1 && dp > 1))
                    continue;
                for (int c = 0; c < 5; c++) {
                    int etp = pow2_list[c];
                    if (g % etp)
                        continue;
                    int ep = g / etp;
                    if (!moe_tuple_ok(be, tp, dp, etp, ep) || n >= cap)
                        continue;
                    out[n++] = (struct aic_layout){tp, 1, dp, etp, ep};
                }
            }
    }
    return n;
}

int aic_space_agg_batches(int *out, int cap)
{
    int n = 0;
    for (int b = 1; b <= 15; b++)
        out[n++] = b;
    for (int b = 16; b <= 28; b += 4)
        out[n++] = b;
    for (int b = 32; b <= 56; b += 8)
        out[n++] = b;
    for (int b = 64; b <= 240; b += 16)
        out[n++] = b;
    for (int b = 256; b <= 480; b += 32)
        out[n++] = b;
    out[n++] = 512;
    (void)cap;
    return n;
}

int aic_space_decode_batches(int *out, int cap)
{
    int n = 0;
    for (int b = 1; b <= 15; b++)
        out[n++] = b;
    for (int b = 16; b <= 30; b += 2)
        out[n++] = b;
    for (int b = 32; b <= 124; b += 4)
        out[n++] = b;
    for (int b = 128; b <= 504; b += 8)
        out[n++] = b;
    out[n++] = 512;
    (void)cap;
    return n;
}

static int add_unique(int *out, int n, int cap, int v)
{
    for (int i = 0; i < n; i++)
        if (out[i] == v)
            return n;
    if (n < cap)
        out[n++] = v;
    return n;
}

static void sort_ints(int *v, int n)
{
    for (int i = 1; i < n; i++) {
        int x = v[i], j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* ctx_tokens: stride 512 up to 8192, then max(1024, max_C/8), up to max_C = max(8192,
 * 2*isl); without chunked prefill every value is rounded up to a multiple of isl. */
int aic_space_ctx_tokens(int isl, int chunked, int *out, int cap)
{
    int n = 0;
    if (isl < 1)
        isl = 1;
    int max_c = isl * 2 > 8192 ? isl * 2 : 8192;
    int large = max_c / 8 > 1024 ? max_c / 8 : 1024;
    for (int c = 512; c <= max_c; c += (c < 8192 ? 512 : large)) {
        int v = chunked ? c : (c + isl - 1) / isl * isl;
        if (v <= max_c || !chunked)
            n = add_unique(out, n, cap, v);
    }
    n = add_unique(out, n, cap, isl);
    n = add_unique(out, n, cap, 2 * isl);
    if (!chunked) {
        /* rounded values beyond 2*isl are never reached when isl >= 4096; keep <= max_C */
        int m = 0;
        for (int i = 0; i < n; i++)
            if (out[i] <= (max_c > 2 * isl ? max_c : 2 * isl))
                out[m++] = out[i];
        n = m;
    }
    sort_ints(out, n);
    return n;
}

static int cmp_target(const struct aic_target *a, const struct aic_target *b)
{
    if (a->tpot_ms != b->tpot_ms)
        return a->tpot_ms < b->tpot_ms ? -1 : 1;
    return a->ttft_ms < b->ttft_ms ? -1 : a->ttft_ms > b->ttft_ms;
}

static int add_target(struct aic_target *out, int n, int cap, double ttft, double tpot)
{
    for (int i = 0; i < n; i++)
        if (out[i].ttft_ms == ttft && out[i].tpot_ms == tpot)
            return n;
    if (n < cap)
        out[n++] = (struct aic_target){ttft, tpot};
    return n;
}

int aic_space_targets(const struct aic_search_req *r, struct aic_target *out, int cap)
{
    int n = 0;
    double R = r->request_latency_ms;
    if (R > 0) {
        static const double base[] = {300,  400,  500,  600,  800,  1000, 1200,
                                      1400, 1600, 2000, 3000, 5000, 8000};
        static const double frac[] = {0.1, 0.2, 0.3, 0.5, 0.7};
        double ttfts[32];
        int k = 0;
        for (size_t i = 0; i < sizeof base / sizeof *base; i++)
            ttfts[k++] = base[i];
        for (size_t i = 0; i < sizeof frac / sizeof *frac; i++)
            if (frac[i] * R < 300 || frac[i] * R > 8000)
                ttfts[k++] = frac[i] * R;
        ttfts[k++] = r->ttft_ms > 0 ? r->ttft_ms : 0.95 * R;
        int osl1 = r->wl.osl > 1 ? r->wl.osl - 1 : 1;
        for (int i = 0; i < k; i++)
            if (ttfts[i] < R && (r->pareto_sweep || ttfts[i] == ttfts[k - 1]))
                n = add_target(out, n, cap, ttfts[i], (R - ttfts[i]) / osl1);
    } else {
        if (r->pareto_sweep) {
            for (int t = 1; t <= 19; t++)
                n = add_target(out, n, cap, r->ttft_ms, t);
            for (int t = 20; t <= 295; t += 5)
                n = add_target(out, n, cap, r->ttft_ms, t);
        }
        /* the user's bound is always a target, on the grid or not */
        n = add_target(out, n, cap, r->ttft_ms, r->tpot_ms);
    }
    for (int i = 1; i < n; i++) {
        struct aic_target x = out[i];
        int j = i;
        while (j > 0 && cmp_target(&out[j - 1], &x) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return n;
}

void aic_search_worker_opts(const struct aic_search_req *r, double correction,
                            struct aic_worker_opts *o)
{
    memset(o, 0, sizeof *o);
    o->quant = r->quant;
    o->nextn = r->nextn;
    o->nextn_accepted = r->nextn_accepted;
    o->free_mem_fraction = r->free_mem_fraction;
    o->max_seq_len = r->max_seq_len;
    o->ttft = r->ttft;
    o->latency_correction = correction;
}

/* ---- cli exp: per-role candidate lists and overrides ---------------------------------- */

const struct aic_search_role *aic_search_role_of(const struct aic_search_req *r, int phase)
{
    return r->space && phase >= 0 && phase < AIC_ROLE_COUNT ? &r->space->role[phase] : NULL;
}

static int in_list(const int *v, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

/* The role's list of dimension d, or the default list for it. */
static int dim_list(const struct aic_search_role *ro, int d, int moe, int gb, int prefill_dp1,
                    const int **out)
{
    static const int one[] = {1};
    if (ro->n[d]) {
        *out = ro->list[d];
        return ro->n[d];
    }
    *out = pow2_list;
    switch (d) {
    case AIC_DIM_NUM_GPU:
    case AIC_DIM_TP:
        return moe || gb ? 5 : 4;
    case AIC_DIM_PP:
        *out = one;
        return 1;
    case AIC_DIM_DP:
        if (!moe || prefill_dp1) {
            *out = one;
            return 1;
        }
        return 5;
    default:
        if (!moe) {
            *out = one;
            return 1;
        }
        return 5;
    }
}

int aic_space_role_layouts(const struct aic_search_req *r, const struct aic_model *m,
                           enum aic_backend be, const char *system, int max_gpus, int phase,
                           struct aic_layout *out, int cap)
{
    const struct aic_search_role *ro = aic_search_role_of(r, phase);
    int any = 0;
    for (int d = 0; ro && d < AIC_DIM_COUNT; d++)
        any |= ro->n[d] > 0;
    if (!any)
        return aic_space_layouts(m, be, system, max_gpus, phase, out, cap);
    int moe = m->num_experts > 0, n = 0;
    const int *L[AIC_DIM_COUNT];
    int N[AIC_DIM_COUNT];
    for (int d = 0; d < AIC_DIM_COUNT; d++)
        N[d] = dim_list(ro, d, moe, is_gb(system), phase == 1 && be != AIC_BACKEND_TRTLLM, &L[d]);
    for (int a = 0; a < N[AIC_DIM_TP]; a++)
        for (int b = 0; b < N[AIC_DIM_PP]; b++)
            for (int c = 0; c < N[AIC_DIM_DP]; c++)
                for (int e = 0; e < N[AIC_DIM_MOE_TP]; e++)
                    for (int f = 0; f < N[AIC_DIM_MOE_EP] && n < cap; f++) {
                        int tp = L[AIC_DIM_TP][a], pp = L[AIC_DIM_PP][b], dp = L[AIC_DIM_DP][c];
                        int etp = L[AIC_DIM_MOE_TP][e], ep = L[AIC_DIM_MOE_EP][f];
                        if (!moe && (dp != 1 || etp != 1 || ep != 1))
                            continue;
                        int g = tp * pp * dp;
                        if (g > max_gpus || !in_list(L[AIC_DIM_NUM_GPU], N[AIC_DIM_NUM_GPU], g))
                            continue;
                        if (moe && (tp * dp != etp * ep || !moe_tuple_ok(be, tp, dp, etp, ep)))
                            continue;
                        out[n++] = (struct aic_layout){tp, pp, dp, etp, ep};
                    }
    return n;
}

void aic_search_role_opts(const struct aic_search_req *r, int phase, double correction,
                          struct aic_worker_opts *o)
{
    aic_search_worker_opts(r, correction, o);
    const struct aic_search_role *ro = aic_search_role_of(r, phase);
    if (!ro)
        return;
    enum aic_quant *dst[] = {&o->quant.gemm, &o->quant.moe, &o->quant.kv, &o->quant.fmha,
                             &o->quant.comm};
    const enum aic_quant src[] = {ro->quant.gemm, ro->quant.moe, ro->quant.kv, ro->quant.fmha,
                                  ro->quant.comm};
    for (int i = 0; i < 5; i++)
        if (src[i] != AIC_Q_NONE)
            *dst[i] = src[i];
}
