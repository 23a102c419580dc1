/*
 * op_latency.c - one op's latency at runtime inputs, and the sum over an op list.
 *
 * Token bookkeeping (aic-modeling 1.1, 10.2): token-major ops see rt->tokens; the logits
 * GEMM sees one token per request; MoE compute sees tokens x attention-DP (all ranks'
 * tokens reach the shared expert pool); attention sees (batch, sequence, prefix).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/oplist.h"

const char *aic_moe_distribution(const struct aic_model *m)
{
    return m->family == AIC_FAMILY_MLA_MOE ? "power_law_1.01" : "power_law_1.2";
}

static double op_tokens(const struct aic_op *op, const struct aic_op_rt *rt)
{
    return op->tokens == AIC_TOK_BATCH ? rt->logits_tokens : rt->tokens;
}

/* Adds one timed op to *acc (summing the provenance as the "worst" one seen). */
static void lat_add(struct aic_lat *acc, const struct aic_lat *l)
{
    acc->ms += l->ms;
    if (l->prov > acc->prov && l->prov != AIC_PROV_ANALYTIC)
        acc->prov = l->prov;
}

/* Context attention at full length S = s + p, minus the prefix's quadratic share, plus
 * the per-layer rope / kv-write (/ qk-norm) memory kernels. */
static int ctx_attention(struct aic_worker *w, const struct aic_op *op, const struct aic_op_rt *rt,
                         struct aic_lat *out, struct aic_error *err)
{
    double S = rt->seq + rt->prefix, p = rt->prefix;
    double n = op->heads, nkv = op->kv_heads, d = op->head_dim;
    struct aic_lat l, e;
    double extra = 0;
    int rc;

    rc = aic_perf_context_attention(w->db, w->q.fmha, w->q.kv, rt->batch, S, op->heads,
                                    op->kv_heads, op->head_dim, op->window, &l, err);
    if (rc)
        return rc;
    if (p > 0)
        l.ms *= (S * S - p * p) / (S * S);
    aic_perf_mem_op(w->db, 2 * n * d + 2 * nkv * d, &e);
    extra += 2 * e.ms;
    aic_perf_mem_op(w->db, nkv * d * aic_quant_bytes(w->q.fmha), &e);
    extra += 2 * e.ms;
    if (w->model->qk_norm) {
        aic_perf_mem_op(w->db, 2 * n * d, &e);
        extra += 4 * e.ms;
        aic_perf_mem_op(w->db, 2 * nkv * d, &e);
        extra += 4 * e.ms;
    }
    l.ms += 1.1 * extra;
    *out = l;
    return AIC_OK;
}

static int nccl(struct aic_worker *w, const char *what, double elems, int n, struct aic_lat *acc,
                struct aic_error *err)
{
    struct aic_lat l;
    int rc;
    if (n <= 1 || elems <= 0)
        return AIC_OK;
    rc = aic_perf_nccl(w->db, w->q.comm, what, elems, n, &l, err);
    if (!rc)
        lat_add(acc, &l);
    return rc;
}

static int allreduce(struct aic_worker *w, double elems, int n, struct aic_lat *acc,
                     struct aic_error *err)
{
    struct aic_lat l;
    int rc;
    if (n <= 1 || elems <= 0)
        return AIC_OK;
    rc = aic_perf_allreduce(w->db, elems, n, &l, err);
    if (!rc)
        lat_add(acc, &l);
    return rc;
}

/* Token exchange of attention-DP ranks with the expert pool: either gather every rank's
 * tokens everywhere (all_gather before, reduce_scatter after) or send each token only to
 * the ranks holding its top-k experts (all-to-all). Frameworks pick the cheaper kernel for
 * the fan-out (all-to-all for multi-node expert parallelism), so we take the cheaper. */
static int dp_exchange(struct aic_worker *w, const struct aic_op *op, double vol, double q,
                       struct aic_lat *acc, struct aic_error *err)
{
    int dp = w->lay.dp, G = w->lay.moe_tp * w->lay.moe_ep, pre = op->is_pre;
    struct aic_lat gather = {0, AIC_PROV_MEASURED}, a2a = {0, AIC_PROV_MEASURED};
    double fan = fmin(w->model->topk, w->lay.moe_ep);
    int rc =
        nccl(w, pre ? "all_gather" : "reduce_scatter", vol * dp * (pre ? q : 1.0), G, &gather, err);

    if (rc)
        return rc;
    if (w->lay.moe_ep > 1 &&
        nccl(w, "alltoall", vol * fan * (pre ? q : 1.0), G, &a2a, err) == AIC_OK &&
        a2a.ms < gather.ms)
        gather = a2a;
    lat_add(acc, &gather);
    return AIC_OK;
}

/* MoE dispatch/combine communication per backend (aic-modeling 1.5); DeepEP kernels on the
 * rank's own tokens in the wide-EP regime. */
static int moe_dispatch(struct aic_worker *w, const struct aic_op *op, double x, int is_ctx,
                        struct aic_lat *acc, struct aic_error *err)
{
    int dp = w->lay.dp, G = w->lay.moe_tp * w->lay.moe_ep, attn_tp = G / dp;
    double vol = x * op->elems_per_token, pre = op->is_pre, q = 1.0;
    int rc = AIC_OK;

    acc->ms = 0;
    acc->prov = AIC_PROV_MEASURED;
    if (w->wide_ep)
        return x > 0 ? aic_wide_ep_exchange(w, op->is_pre, x, is_ctx, acc, err) : AIC_OK;
    if (w->backend == AIC_BACKEND_TRTLLM && aic_perfdb_system(w->db)->sm_version >= 100)
        q = aic_quant_bytes(w->q.moe) / 2.0; /* quantized dispatch on Blackwell */
    switch (w->backend) {
    case AIC_BACKEND_VLLM:
        /* the attention output is reduced inside its tensor-parallel group (attn_tp GPUs),
         * not across the whole expert group as AIConfigurator charges it */
        if (attn_tp > 1)
            rc = allreduce(w, vol, attn_tp, acc, err);
        if (!rc && dp > 1)
            rc = dp_exchange(w, op, vol, 1.0, acc, err);
        return rc;
    case AIC_BACKEND_SGLANG:
        if (attn_tp > 1 && dp > 1) {
            rc = nccl(w, pre ? "reduce_scatter" : "all_gather", vol, attn_tp, acc, err);
            if (!rc)
                rc = dp_exchange(w, op, vol, 1.0, acc, err);
        } else if (attn_tp > 1) {
            rc = allreduce(w, vol, G, acc, err);
        } else if (dp > 1) {
            rc = dp_exchange(w, op, vol, 1.0, acc, err);
        }
        return rc;
    default:
        if (dp > 1)
            rc = dp_exchange(w, op, vol, q, acc, err);
        else if (attn_tp > 1)
            rc = allreduce(w, vol, G, acc, err);
        (void)pre;
        return rc;
    }
}

static int moe(struct aic_worker *w, const struct aic_op *op, double x, int is_ctx,
               struct aic_lat *out, struct aic_error *err)
{
    double tokens = x * w->lay.dp;
    if (tokens <= 0) {
        out->ms = 0;
        out->prov = AIC_PROV_ANALYTIC;
        return AIC_OK;
    }
    if (w->wide_ep)
        return aic_wide_ep_moe(w, op->quant, tokens, is_ctx, out, err);
    return aic_perf_moe(w->db, op->quant, aic_moe_distribution(w->model), tokens, op->hidden,
                        op->inter, op->topk, op->experts, op->moe_tp, op->moe_ep, op->gated, out,
                        err);
}

/* Share of a causal prefill's query-key pairs left when each query reads at most W keys. */
static double sparse_share(double S, double W)
{
    if (W <= 0 || S <= W)
        return 1;
    return (W * (W + 1) / 2 + (S - W) * W) / (S * (S + 1) / 2);
}

/*
 * The sparse-attention indexer: every query scores each context key with heads x head_dim
 * fp8 products, then the top index_topk are picked. Speed of light of the larger of the
 * scoring FLOPs and the bytes moved (fp8 keys with their scales, the scores written and
 * read back by the top-k); analytic, no table measures it.
 */
static void dsa_indexer(struct aic_worker *w, const struct aic_op *op, const struct aic_op_rt *rt,
                        struct aic_lat *out)
{
    const struct aic_system *sys = aic_perfdb_system(w->db);
    double fp8 = sys->tc_flops[AIC_COMPUTE_FP8];
    double peak = fp8 > 0 ? fp8 : sys->tc_flops[AIC_COMPUTE_BF16];
    double s = rt->is_context ? rt->seq : 1, p = rt->is_context ? rt->prefix : rt->seq;
    double pairs = rt->batch * (s * p + (rt->is_context ? s * (s + 1) / 2 : 0));
    double keys = rt->batch * (p + (rt->is_context ? s : 0));
    double flops = 2.0 * op->heads * op->head_dim * pairs;

    aic_perf_mem_op(w->db, keys * (op->head_dim + 4) + pairs * 4 * 2, out);
    if (peak > 0 && flops / peak * 1000 > out->ms)
        out->ms = flops / peak * 1000;
    out->prov = AIC_PROV_ANALYTIC;
}

/* A quantized GEMM. Frameworks never run a quantized GEMM much slower than the same shape
 * in bf16 (they pick another kernel), so a measured quantized kernel slower than 1.15x the
 * bf16 one is capped there: some tables hold slow fallback kernels for small shapes. */
static int gemm(struct aic_worker *w, const struct aic_op *op, double x, struct aic_lat *out,
                struct aic_error *err)
{
    struct aic_lat bf;
    int rc = op->input_quantized
                 ? aic_perf_gemm_quantized_input(w->db, op->quant, x, op->n, op->k, out, err)
                 : aic_perf_gemm(w->db, op->quant, x, op->n, op->k, out, err);

    if (rc || op->quant == AIC_Q_BF16)
        return rc;
    if (aic_perf_gemm(w->db, AIC_Q_BF16, x, op->n, op->k, &bf, NULL) == AIC_OK &&
        out->ms > 1.15 * bf.ms) {
        out->ms = 1.15 * bf.ms;
        if (bf.prov > out->prov)
            out->prov = bf.prov;
    }
    return AIC_OK;
}

int aic_op_latency(struct aic_worker *w, const struct aic_op *op, const struct aic_op_rt *rt,
                   struct aic_lat *out, struct aic_error *err)
{
    double x = op_tokens(op, rt);

    switch (op->kind) {
    case AIC_OP_GEMM:
        if (x <= 0)
            break;
        return gemm(w, op, x, out, err);
    case AIC_OP_CTX_ATTN:
        return ctx_attention(w, op, rt, out, err);
    case AIC_OP_GEN_ATTN:
        return aic_perf_generation_attention(w->db, w->q.kv, rt->batch, rt->seq, op->heads,
                                             op->kv_heads, op->head_dim, op->window, out, err);
    case AIC_OP_CTX_MLA: {
        double S = rt->seq + rt->prefix;
        int rc = aic_perf_context_mla(w->db, w->q.fmha, w->q.kv, rt->batch, S, op->heads, out, err);
        out->ms *= sparse_share(S, op->window);
        return rc;
    }
    case AIC_OP_GEN_MLA:
        return aic_perf_generation_mla(w->db, w->q.kv, rt->batch,
                                       op->window > 0 ? fmin(rt->seq, op->window) : rt->seq,
                                       op->heads, out, err);
    case AIC_OP_DSA_INDEXER:
        dsa_indexer(w, op, rt, out);
        return AIC_OK;
    case AIC_OP_MLA_MODULE_CTX:
    case AIC_OP_MLA_MODULE_GEN:
        return aic_perf_mla_module(w->db, op->kind == AIC_OP_MLA_MODULE_CTX, w->q.fmha, w->q.kv,
                                   op->quant, rt->batch, rt->seq + rt->prefix, op->heads, out, err);
    case AIC_OP_MLA_BMM_PRE:
    case AIC_OP_MLA_BMM_POST: {
        /* the tables hold DeepSeek's 128-wide nope (pre) and value (post) heads; the BMMs'
         * work and weights grow linearly with them (GLM-5: 192 and 256) */
        int rc = aic_perf_mla_bmm(w->db, op->quant, op->kind == AIC_OP_MLA_BMM_PRE, x, op->heads,
                                  out, err);
        if (op->head_dim > 0)
            out->ms *= op->head_dim / 128.0;
        return rc;
    }
    case AIC_OP_MOE:
        return moe(w, op, rt->moe_tokens > 0 ? rt->moe_tokens : x, rt->is_context, out, err);
    case AIC_OP_MOE_DISPATCH:
        return moe_dispatch(w, op, rt->moe_tokens > 0 ? rt->moe_tokens : x, rt->is_context, out,
                            err);
    case AIC_OP_ALLREDUCE:
        out->ms = 0;
        out->prov = AIC_PROV_MEASURED;
        return allreduce(w, x * op->elems_per_token, op->comm_gpus, out, err);
    case AIC_OP_ELEMENTWISE:
    case AIC_OP_EMBEDDING:
        aic_perf_mem_op(w->db, x * op->bytes_per_token, out);
        return AIC_OK;
    case AIC_OP_P2P:
        aic_perf_p2p(w->db, x * op->bytes_per_token, out);
        return AIC_OK;
    }
    out->ms = 0;
    out->prov = AIC_PROV_ANALYTIC;
    return AIC_OK;
}

/* The per-request sequence mixers a mixed step times per phase: softmax attention and the
 * linear-attention recurrence (its decode cost is per request, its prefill cost per token). */
static int filter_keeps(enum aic_op_filter f, const struct aic_op *op)
{
    int ctx = !strcmp(op->name, "context_attention") ||
              !strcmp(op->name, "context_linear_attention") || !strcmp(op->name, "context_indexer");
    int attn = ctx || !strcmp(op->name, "generation_attention") ||
               !strcmp(op->name, "generation_linear_attention") ||
               !strcmp(op->name, "generation_indexer");
    if (f == AIC_FILTER_NON_ATTN)
        return !ctx;
    if (f == AIC_FILTER_ATTN)
        return attn;
    return 1;
}

struct eval_acc {
    double rest, g[3];
    struct aic_op_time *times;
    int cap, n;
};

static void record(struct eval_acc *a, const struct aic_op *op, const struct aic_lat *l)
{
    double ms = l->ms * op->scale;
    if (op->group)
        a->g[op->group] += ms;
    else
        a->rest += ms;
    if (a->times && a->n < a->cap) {
        a->times[a->n].name = op->name;
        a->times[a->n].ms = ms;
        a->times[a->n].prov = l->prov;
        a->times[a->n].group = op->group;
        a->n++;
    }
}

/* A primary with alternatives: use the alternatives when the primary has no measured
 * data (in HYBRID the primary is judged against the tables, as a SILICON view). */
/* The alternatives of primary op i summed, or nonzero when one cannot be timed. */
static int alts_ms(struct aic_worker *w, const struct aic_oplist *l, int i,
                   const struct aic_op_rt *rt, double *sum)
{
    struct aic_lat lat;

    *sum = 0;
    for (int j = i + 1; j <= i + l->ops[i].alt_count && j < l->n; j++) {
        if (aic_op_latency(w, &l->ops[j], rt, &lat, NULL))
            return -1;
        *sum += lat.ms;
    }
    return 0;
}

/*
 * A primary with alternatives (the MLA module). The alternatives replace it when it has no
 * data, and, for SGLang, when they are faster: SGLang's module table and its per-kernel tables
 * time different attention backends, and SGLang runs the faster one it has.
 */
static int eval_fallback(struct aic_worker *w, const struct aic_oplist *l, int i,
                         const struct aic_op_rt *rt, struct eval_acc *a, struct aic_error *err)
{
    const struct aic_op *op = &l->ops[i];
    enum aic_db_mode mode = aic_perfdb_mode(w->db);
    struct aic_lat lat;
    double alt;
    int rc = aic_op_latency(w, op, rt, &lat, err);
    int use_alts = rc == AIC_ERR_NODATA ||
                   (rc == AIC_OK && mode == AIC_DB_HYBRID && lat.prov == AIC_PROV_EMPIRICAL);

    if (rc && rc != AIC_ERR_NODATA)
        return rc;
    if (!use_alts && w->backend == AIC_BACKEND_SGLANG && !alts_ms(w, l, i, rt, &alt) &&
        alt < lat.ms)
        use_alts = 1;
    if (!use_alts) {
        record(a, op, &lat);
        return AIC_OK;
    }
    for (int j = i + 1; j <= i + op->alt_count && j < l->n; j++) {
        rc = aic_op_latency(w, &l->ops[j], rt, &lat, err);
        if (rc)
            return rc;
        record(a, &l->ops[j], &lat);
    }
    return AIC_OK;
}

/* A table without the op's data in SILICON mode: say how to estimate anyway. */
static void nodata_hint(struct aic_worker *w, int rc, struct aic_error *err)
{
    size_t n;

    if (rc != AIC_ERR_NODATA || !err || aic_perfdb_mode(w->db) != AIC_DB_SILICON)
        return;
    n = strlen(err->msg);
    snprintf(err->msg + n, sizeof(err->msg) - n,
             "; --database-mode HYBRID fills what the tables lack from the fitted model");
}

int aic_eval_ops(struct aic_worker *w, const struct aic_oplist *l, const struct aic_op_rt *rt,
                 enum aic_op_filter filter, double *out_ms, struct aic_op_time *times, int cap,
                 int *n_times, struct aic_error *err)
{
    struct eval_acc a = {0, {0, 0, 0}, times, cap, 0};
    double corr = w->opts.latency_correction > 0 ? w->opts.latency_correction : 1.0;

    for (int i = 0; i < l->n; i++) {
        const struct aic_op *op = &l->ops[i];
        struct aic_lat lat;
        int rc;

        if (op->is_alt || !filter_keeps(filter, op))
            continue;
        if (op->alt_count > 0) {
            rc = eval_fallback(w, l, i, rt, &a, err);
        } else {
            rc = aic_op_latency(w, op, rt, &lat, err);
            if (!rc)
                record(&a, op, &lat);
        }
        if (rc) {
            aic_err_prefix(err, "%s", op->name);
            nodata_hint(w, rc, err);
            return rc;
        }
    }
    *out_ms = (a.rest + fmax(a.g[1], a.g[2])) * corr;
    if (n_times) {
        for (int i = 0; i < a.n; i++)
            times[i].ms *= corr;
        *n_times = a.n;
    }
    return AIC_OK;
}
