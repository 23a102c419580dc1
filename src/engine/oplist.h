/*
 * oplist.h - the flat op list of one phase (prefill or one decode step) of a worker.
 *
 * A model becomes two op lists (context = prefill, generation = one decode step). Each op
 * has a kind, a per-GPU shape, and a scale (how many times it runs per forward: L for
 * per-layer ops, 1 for once-per-forward ops). Phase latency = sum of scale x latency.
 *
 * Two composition rules:
 *   - overlap groups: ops tagged group 1 and group 2 in the same forward run on two
 *     streams; their contribution is max(sum group 1, sum group 2);
 *   - fallback: an op with alt_count > 0 is tried first (SILICON view); when the perf
 *     database has no data for it, the next alt_count ops (marked is_alt) are summed
 *     instead. Ops marked is_alt are skipped otherwise.
 *
 * Internal header of src/engine.
 */
#ifndef AIC_ENGINE_OPLIST_H
#define AIC_ENGINE_OPLIST_H

#include "aiconfigurator/engine.h"

enum aic_op_kind {
    AIC_OP_GEMM = 0,
    AIC_OP_CTX_ATTN,
    AIC_OP_GEN_ATTN,
    AIC_OP_CTX_MLA,
    AIC_OP_GEN_MLA,
    AIC_OP_MLA_MODULE_CTX,
    AIC_OP_MLA_MODULE_GEN,
    AIC_OP_MLA_BMM_PRE,
    AIC_OP_MLA_BMM_POST,
    AIC_OP_MOE,
    AIC_OP_MOE_DISPATCH, /* pre (is_pre=1) or post dispatch communication */
    AIC_OP_ALLREDUCE,
    AIC_OP_ELEMENTWISE, /* bytes per token = bytes_per_token */
    AIC_OP_EMBEDDING,
    AIC_OP_P2P,
    AIC_OP_DSA_INDEXER, /* sparse-attention indexer: heads x head_dim scores over the context */
};

/* Which token count an op sees. */
enum aic_op_tokens {
    AIC_TOK_ALL = 0, /* x: every token of the step */
    AIC_TOK_BATCH,   /* one token per request (logits GEMM) */
};

struct aic_op {
    const char *name;
    enum aic_op_kind kind;
    double scale;
    enum aic_op_tokens tokens;
    int group;     /* overlap group 0 (none), 1 or 2 */
    int alt_count; /* fallback: number of following alternative ops */
    int is_alt;    /* this op is an alternative of an earlier primary */

    /* GEMM */
    double n, k;
    enum aic_quant quant; /* GEMM, MoE, BMM quant */
    int input_quantized;  /* GEMM input written quantized by the kernel before it */
    double weight_bytes;  /* per GPU, for the memory model (before x scale) */

    /* attention */
    int heads, kv_heads, head_dim, window;

    /* MoE */
    int hidden, inter, topk, experts, moe_tp, moe_ep, gated;

    /* communication / elementwise */
    double elems_per_token; /* all-reduce / dispatch volume per token */
    int comm_gpus;
    double bytes_per_token;
    int is_pre;
};

struct aic_oplist {
    struct aic_op *ops;
    int n, cap;
};

int aic_oplist_push(struct aic_oplist *l, const struct aic_op *op);
void aic_oplist_free(struct aic_oplist *l);

/* Builds both op lists of a worker (dispatches on the model family). */
int aic_build_ops(struct aic_worker *w, struct aic_error *err);

/* The routed-expert token distribution the MoE tables are read at for model m. */
const char *aic_moe_distribution(const struct aic_model *m);

/* Wide expert parallelism (wide_ep.c): the regime the worker's MoE runs in (enum
 * aic_wide_ep), its expert compute for `tokens` tokens in total, and its token exchange
 * before (is_pre) or after the experts for `x` tokens per rank. */
int aic_wide_ep_applies(struct aic_worker *w);
int aic_wide_ep_moe(struct aic_worker *w, enum aic_quant q, double tokens, int is_ctx,
                    struct aic_lat *out, struct aic_error *err);
int aic_wide_ep_exchange(struct aic_worker *w, int is_pre, double x, int is_ctx,
                         struct aic_lat *out, struct aic_error *err);

/* Runtime inputs of one evaluation. */
struct aic_op_rt {
    int is_context;
    double batch;         /* requests (attention batch) */
    double seq;           /* context: new tokens per request; decode: KV length */
    double prefix;        /* context: cached prefix tokens per request */
    double tokens;        /* x for token-major ops */
    double logits_tokens; /* x for AIC_TOK_BATCH ops */
    double moe_tokens;    /* x for MoE ops and their exchange (a rank's share of the expert
                           * batch); 0 = tokens */
};

/* Filters for the aggregated mixed step (aic-modeling 4.2). */
enum aic_op_filter {
    AIC_FILTER_ALL = 0,
    AIC_FILTER_NON_ATTN, /* everything but ops named exactly context_attention */
    AIC_FILTER_ATTN,     /* only context_attention / generation_attention ops */
};

/* Sum over the list (with overlap and fallback rules) at runtime inputs rt. When
 * times != NULL, fills per-op scaled times (cap entries) and sets *n_times. */
int aic_eval_ops(struct aic_worker *w, const struct aic_oplist *l, const struct aic_op_rt *rt,
                 enum aic_op_filter filter, double *out_ms, struct aic_op_time *times, int cap,
                 int *n_times, struct aic_error *err);

/* Latency of one op (unscaled, one call) at runtime inputs. */
int aic_op_latency(struct aic_worker *w, const struct aic_op *op, const struct aic_op_rt *rt,
                   struct aic_lat *out, struct aic_error *err);

#endif
