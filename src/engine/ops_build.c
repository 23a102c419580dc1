/*
 * ops_build.c - model x layout -> the prefill and decode op lists, one builder per family.
 *
 * Shapes follow NVIDIA AIConfigurator's decomposition (aic-modeling.md section 1): every
 * list covers all L layers (pipeline parallelism does not shorten it; it adds P2P hops),
 * GEMM N or K is split by tensor parallelism, KV heads are replicated when n_kv < tp.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/oplist.h"
#include "util/util.h"

int aic_oplist_push(struct aic_oplist *l, const struct aic_op *op)
{
    struct aic_op *ops = aic_grow(l->ops, l->n, &l->cap, sizeof(*ops), 32);

    if (!ops)
        return AIC_ERR_NOMEM;
    l->ops = ops;
    l->ops[l->n++] = *op;
    return AIC_OK;
}

void aic_oplist_free(struct aic_oplist *l)
{
    if (!l)
        return;
    free(l->ops);
    free(l);
}

/* Builder state: which list, and the scale multiplier of this phase (MTP). */
struct bld {
    struct aic_oplist *l;
    int ctx;    /* 1 = context list */
    double mtp; /* (L + nextn) / L for generation, 1 for context */
    int group;  /* current overlap group */
    int err;
};

static struct aic_op *push(struct bld *b, const char *name, enum aic_op_kind kind, double scale)
{
    struct aic_op op;
    memset(&op, 0, sizeof(op));
    op.name = name;
    op.kind = kind;
    op.scale = scale * b->mtp;
    op.group = b->group;
    op.quant = AIC_Q_BF16;
    if (aic_oplist_push(b->l, &op)) {
        b->err = AIC_ERR_NOMEM;
        return NULL;
    }
    return &b->l->ops[b->l->n - 1];
}

#define NM(ctx_name, gen_name) (b->ctx ? (ctx_name) : (gen_name))

static struct aic_op *gemm(struct bld *b, const char *name, double scale, double n, double k,
                           enum aic_quant q)
{
    struct aic_op *op = push(b, name, AIC_OP_GEMM, scale);
    if (!op)
        return NULL;
    op->n = n;
    op->k = k;
    op->quant = q;
    op->weight_bytes = n * k * aic_quant_bytes(q);
    return op;
}

/* A GEMM fed by a kernel that writes its output quantized: the attention output projection
 * (after attention) and the down projections (after the fused activation). */
static void gemm_qin(struct bld *b, const char *name, double scale, double n, double k,
                     enum aic_quant q)
{
    struct aic_op *op = gemm(b, name, scale, n, k, q);
    if (op)
        op->input_quantized = 1;
}

static void elementwise(struct bld *b, const char *name, double scale, double din, double dout)
{
    struct aic_op *op = push(b, name, AIC_OP_ELEMENTWISE, scale);
    if (op)
        op->bytes_per_token = 2.0 * (din + dout);
}

static void allreduce(struct bld *b, const char *name, double scale, double elems, int tp)
{
    struct aic_op *op;
    if (tp <= 1)
        return;
    op = push(b, name, AIC_OP_ALLREDUCE, scale);
    if (op) {
        op->elems_per_token = elems;
        op->comm_gpus = tp;
    }
}

static void embedding(struct bld *b, double vocab_rows, int h)
{
    struct aic_op *op =
        push(b, NM("context_embedding", "generation_embedding"), AIC_OP_EMBEDDING, 1);
    if (op) {
        op->bytes_per_token = 2.0 * h;
        op->weight_bytes = vocab_rows * h * 2.0;
    }
}

static void p2p(struct bld *b, int h, int pp)
{
    struct aic_op *op;
    if (pp <= 1)
        return;
    op = push(b, NM("context_p2p", "generation_p2p"), AIC_OP_P2P, pp - 1);
    if (op)
        op->bytes_per_token = 2.0 * h;
}

static void logits(struct bld *b, const struct aic_model *m, int tp)
{
    struct aic_op *op;
    gemm(b, NM("context_logits_gemm", "generation_logits_gemm"), 1, (double)m->vocab_size / tp,
         m->hidden_size, AIC_Q_BF16);
    op = &b->l->ops[b->l->n - 1];
    if (!b->err)
        op->tokens = AIC_TOK_BATCH;
}

/* Layers of Gated DeltaNet linear attention (0 when the model has none or its dims are
 * unknown; such linear layers are modelled as windowed attention). */
static int gdn_layers(const struct aic_model *m)
{
    return m->lin_v_heads > 0 ? m->num_linear_attn_layers : 0;
}

/* Attention of a GQA model: full layers plus sliding-window/linear layers. */
static void gqa_attention(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp;
    int n_t = m->num_heads / tp;
    int nkv_t = (m->num_kv_heads + tp - 1) / tp;
    int windowed = m->num_sliding_layers + m->num_linear_attn_layers - gdn_layers(m);
    int full = m->num_layers - windowed - gdn_layers(m);
    enum aic_op_kind kind = b->ctx ? AIC_OP_CTX_ATTN : AIC_OP_GEN_ATTN;
    const char *name = NM("context_attention", "generation_attention");
    struct aic_op *op;

    if (full > 0 && (op = push(b, name, kind, full))) {
        op->heads = n_t, op->kv_heads = nkv_t, op->head_dim = m->head_dim, op->window = 0;
    }
    if (windowed > 0 && (op = push(b, name, kind, windowed))) {
        op->heads = n_t, op->kv_heads = nkv_t, op->head_dim = m->head_dim;
        op->window = m->sliding_window > 0 ? m->sliding_window : 128;
    }
}

/*
 * Gated DeltaNet layers (tensor-parallel over heads): one input projection for q, k, v, the
 * output gate z and the decay/beta terms, a causal conv over q/k/v, the delta-rule recurrence
 * and a gated RMSNorm, then the output projection. Decoding reads and writes each request's
 * fp32 state (v heads x k dim x v dim); prefill streams q/k/v/o and updates the state once per
 * 64-token chunk.
 */
static void gdn_block(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp, G = gdn_layers(m), h = m->hidden_size;
    double nk = (m->lin_k_heads + tp - 1) / tp, nv = (m->lin_v_heads + tp - 1) / tp;
    double qk = nk * m->lin_k_dim, v = nv * m->lin_v_dim, state = nv * m->lin_k_dim * m->lin_v_dim;
    struct aic_op *op;

    gemm(b, NM("context_linear_in_proj_gemm", "generation_linear_in_proj_gemm"), G,
         2 * qk + 2 * v + 2 * nv, h, w->q.gemm);
    elementwise(b, NM("context_linear_conv1d", "generation_linear_conv1d"), G, 2 * qk + v,
                2 * qk + v);
    if ((op = push(b, NM("context_linear_attention", "generation_linear_attention"),
                   AIC_OP_ELEMENTWISE, G)))
        op->bytes_per_token = b->ctx ? 2.0 * (2 * qk + 2 * v) + 2.0 * 4 * state / 64
                                     : 2.0 * (2 * qk + 2 * v) + 2.0 * 4 * state;
    elementwise(b, NM("context_linear_norm_gate", "generation_linear_norm_gate"), G, 2 * v, v);
    gemm(b, NM("context_linear_out_proj_gemm", "generation_linear_out_proj_gemm"), G, h, v,
         w->q.gemm);
}

/* Embedding, norm, QKV, attention, output projection, second norm (all families but MLA). */
static void gqa_front(struct bld *b, const struct aic_worker *w, double vocab_rows)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp, L = m->num_layers, h = m->hidden_size, d = m->head_dim;
    int A = L - gdn_layers(m), gate = m->attn_output_gate;
    double n_t = m->num_heads / tp, nkv_t = (m->num_kv_heads + tp - 1) / tp;

    embedding(b, vocab_rows, h);
    elementwise(b, NM("context_add_norm_1", "generation_add_norm_1"), L, 2.0 * h, 2.0 * h);
    gemm(b, NM("context_qkv_gemm", "generation_qkv_gemm"), A, ((1 + gate) * n_t + 2 * nkv_t) * d, h,
         w->q.gemm);
    /* vLLM and SGLang decode apply RoPE (and Qwen3's per-head q and k RMSNorm, two kernels)
     * outside the attention kernel; TensorRT-LLM fuses them into its attention preprocessing
     * (prefill attention already counts their share, op_latency.c) */
    if (!b->ctx && w->backend != AIC_BACKEND_TRTLLM)
        elementwise(b, "generation_rope", A, (n_t + nkv_t) * d, (n_t + nkv_t) * d);
    if (m->qk_norm == 1 && !b->ctx && w->backend != AIC_BACKEND_TRTLLM)
        elementwise(b, "generation_qk_norm", 2.0 * A, (n_t + nkv_t) * d / 2, (n_t + nkv_t) * d / 2);
    if (m->qk_norm == 2) { /* RMSNorm over all heads: the shards sum two fp32 squares per token */
        elementwise(b, NM("context_qk_norm", "generation_qk_norm"), A, (n_t + nkv_t) * d,
                    (n_t + nkv_t) * d);
        allreduce(b, NM("context_qk_norm_ar", "generation_qk_norm_ar"), A, 4, tp);
    }
    gqa_attention(b, w);
    if (gate)
        elementwise(b, NM("context_attn_gate", "generation_attn_gate"), A, 2 * n_t * d, n_t * d);
    gemm_qin(b, NM("context_proj_gemm", "generation_proj_gemm"), A, h, n_t * d, w->q.gemm);
    if (gdn_layers(m) > 0)
        gdn_block(b, w);
    elementwise(b, NM("context_add_norm_2", "generation_add_norm_2"), L, 2.0 * h, 2.0 * h);
}

static void build_dense(struct bld *b, const struct aic_worker *w, int gated)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp, L = m->num_layers, h = m->hidden_size;
    double I_t = (double)m->inter_size / tp;
    double vocab_rows = m->family == AIC_FAMILY_GPT ? m->vocab_size : (double)m->vocab_size / tp;

    gqa_front(b, w, vocab_rows);
    gemm(b, NM("context_gate_ffn1_gemm", "generation_gate_ffn1_gemm"), L, (gated ? 2 : 1) * I_t, h,
         w->q.gemm);
    elementwise(b, NM("context_act_gate", "generation_act_gate"), L, (gated ? 2 : 1) * I_t, I_t);
    gemm_qin(b, NM("context_ffn2_gemm", "generation_ffn2_gemm"), L, h, I_t, w->q.gemm);
    logits(b, m, tp);
    if (m->family != AIC_FAMILY_GPT)
        allreduce(b, NM("context_embedding_ar", "generation_embedding_ar"), 1, h, tp);
    allreduce(b, NM("context_ar_1", "generation_ar_1"), L, h, tp);
    allreduce(b, NM("context_ar_2", "generation_ar_2"), L, h, tp);
    p2p(b, h, w->lay.pp);
}

/* Layers that carry an MoE block: all but the first_k_dense dense ones (DeepSeek's leading
 * layers, Llama 4 Maverick's every other layer). AIConfigurator models every layer as MoE; the
 * dense layers' weights matter for memory (DeepSeek-V3: 3 layers, 34 B parameters), so we
 * model them as they are. */
static int moe_layers(const struct aic_model *m)
{
    int k = m->first_k_dense > 0 && m->first_k_dense < m->num_layers ? m->first_k_dense : 0;
    return m->inter_size > 0 ? m->num_layers - k : m->num_layers;
}

/* The dense MLP of the first_k_dense layers (inter_size wide), tensor-parallel sharded. */
static void dense_layers_mlp(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int k = m->num_layers - moe_layers(m), h = m->hidden_size;
    double I_t = (double)m->inter_size / w->lay.tp;

    if (k <= 0)
        return;
    gemm(b, NM("context_dense_gate_ffn1_gemm", "generation_dense_gate_ffn1_gemm"), k, 2 * I_t, h,
         w->q.gemm);
    elementwise(b, NM("context_dense_act_gate", "generation_dense_act_gate"), k, 2 * I_t, I_t);
    gemm_qin(b, NM("context_dense_ffn2_gemm", "generation_dense_ffn2_gemm"), k, h, I_t, w->q.gemm);
    allreduce(b, NM("context_dense_ar", "generation_dense_ar"), k, h, w->lay.tp);
}

/* Router, dispatch, routed experts, combine (one MoE block per layer). */
static void moe_block(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int L = moe_layers(m), h = m->hidden_size;
    struct aic_op *op;

    gemm(b, NM("context_router_gemm", "generation_router_gemm"), L, m->num_experts, h, AIC_Q_BF16);
    /* vLLM and SGLang select the experts (softmax or sigmoid, top-k) in their own kernel; the
     * MoE tables time the fused experts after it. TensorRT-LLM's MoE op routes inside. */
    if (w->backend != AIC_BACKEND_TRTLLM)
        elementwise(b, NM("context_moe_topk", "generation_moe_topk"), L, m->num_experts / 2.0,
                    m->topk);
    if ((op = push(b, NM("context_moe_pre_dispatch", "generation_moe_pre_dispatch"),
                   AIC_OP_MOE_DISPATCH, L)))
        op->is_pre = 1, op->elems_per_token = h;
    if ((op = push(b, NM("context_moe", "generation_moe"), AIC_OP_MOE, L))) {
        op->hidden = h, op->inter = m->moe_inter_size, op->topk = m->topk;
        op->experts = m->num_experts, op->moe_tp = w->lay.moe_tp, op->moe_ep = w->lay.moe_ep;
        op->gated = 1, op->quant = w->q.moe;
        op->weight_bytes = (double)h * m->moe_inter_size * 3.0 * m->num_experts *
                           aic_quant_bytes(w->q.moe) / w->lay.moe_ep / w->lay.moe_tp;
    }
    if ((op = push(b, NM("context_moe_post_dispatch", "generation_moe_post_dispatch"),
                   AIC_OP_MOE_DISPATCH, L)))
        op->is_pre = 0, op->elems_per_token = h;
}

/* Shared experts, tensor-parallel sharded. */
static void shared_expert(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int L = moe_layers(m), h = m->hidden_size, tp = w->lay.tp;
    double I_t = (double)m->moe_inter_size * m->num_shared_experts / tp;

    if (m->num_shared_experts <= 0)
        return;
    gemm(b, NM("context_shared_gate_up_gemm", "generation_shared_gate_up_gemm"), L, 2 * I_t, h,
         w->q.gemm);
    elementwise(b, NM("context_shared_act_gate", "generation_shared_act_gate"), L, 2 * I_t, I_t);
    gemm_qin(b, NM("context_shared_ffn2_gemm", "generation_shared_ffn2_gemm"), L, h, I_t,
             w->q.gemm);
}

static void build_moe(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp, h = m->hidden_size;

    gqa_front(b, w, (double)m->vocab_size / tp);
    dense_layers_mlp(b, w);
    if (!b->ctx)
        b->group = 1;
    moe_block(b, w);
    if (!b->ctx)
        b->group = 2;
    shared_expert(b, w);
    b->group = 0;
    if (!b->ctx)
        logits(b, m, tp);
    allreduce(b, NM("context_embedding_ar", "generation_embedding_ar"), 1, h, tp);
    p2p(b, h, w->lay.pp);
}

/* MLA geometry with DeepSeek-V3 defaults for missing fields. */
struct mla_dims {
    int q_lora, kv_lora, nope, rope, v;
};

static struct mla_dims mla_dims_of(const struct aic_model *m)
{
    struct mla_dims d;
    d.q_lora = m->q_lora_rank > 0 ? m->q_lora_rank : 1536;
    d.kv_lora = m->kv_lora_rank > 0 ? m->kv_lora_rank : 512;
    d.nope = m->qk_nope_head_dim > 0 ? m->qk_nope_head_dim : 128;
    d.rope = m->qk_rope_head_dim > 0 ? m->qk_rope_head_dim : 64;
    d.v = m->v_head_dim > 0 ? m->v_head_dim : 128;
    return d;
}

/*
 * The DeepSeek sparse-attention indexer of every MLA layer (replicated on each rank): its q,
 * k and head-weight projections, the fp8 key cache write, and the scoring of the context that
 * picks the index_topk keys the attention then reads.
 */
static void dsa_indexer(struct bld *b, const struct aic_worker *w, int q_lora)
{
    const struct aic_model *m = w->model;
    int L = m->num_layers, h = m->hidden_size, H = m->index_heads, d = m->index_head_dim;
    struct aic_op *op;

    gemm(b, NM("context_indexer_q_gemm", "generation_indexer_q_gemm"), L, (double)H * d, q_lora,
         w->q.gemm);
    gemm(b, NM("context_indexer_k_gemm", "generation_indexer_k_gemm"), L, d, h, w->q.gemm);
    gemm(b, NM("context_indexer_weights_gemm", "generation_indexer_weights_gemm"), L, H, h,
         AIC_Q_BF16);
    elementwise(b, NM("context_indexer_k_cache", "generation_indexer_k_cache"), L, d,
                (d + 4) / 2.0);
    if ((op = push(b, NM("context_indexer", "generation_indexer"), AIC_OP_DSA_INDEXER, L)))
        op->heads = H, op->head_dim = d, op->window = m->index_topk;
}

/* The MLA attention block: a whole-module primary with the granular ops as fallback. Sparse
 * attention (index_topk) has no module table: the granular ops, each query reading at most
 * index_topk keys, plus the indexer. */
static void mla_block(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    struct mla_dims md = mla_dims_of(m);
    int tp = w->lay.tp, L = m->num_layers, h = m->hidden_size;
    int n_t = m->num_heads / tp, sparse = m->index_topk;
    int vllm = w->backend == AIC_BACKEND_VLLM;
    int start = -1, alt0;
    struct aic_op *op;

    if (!sparse) {
        if (!(op = push(b, NM("context_mla_block", "generation_mla_block"),
                        b->ctx ? AIC_OP_MLA_MODULE_CTX : AIC_OP_MLA_MODULE_GEN, L)))
            return;
        op->heads = n_t;
        op->quant = w->q.gemm;
        start = b->l->n - 1;
    }
    alt0 = b->l->n;
    gemm(b, NM("context_downscale_gemm", "generation_downscale_gemm"), L,
         md.q_lora + md.kv_lora + md.rope, h, w->q.gemm);
    gemm(b, NM("context_q_b_proj_gemm", "generation_q_b_proj_gemm"), L,
         (double)n_t * (md.nope + md.rope), md.q_lora, w->q.gemm);
    if (b->ctx) {
        gemm(b, "context_kv_b_proj_gemm", L, (double)n_t * (md.nope + md.v), md.kv_lora, w->q.gemm);
        if ((op = push(b, "context_attention", vllm ? AIC_OP_CTX_ATTN : AIC_OP_CTX_MLA, L)))
            op->heads = n_t, op->kv_heads = n_t, op->head_dim = md.nope, op->window = sparse;
    } else if (vllm) {
        if ((op = push(b, "generation_attention", AIC_OP_GEN_ATTN, L)))
            op->heads = n_t, op->kv_heads = n_t, op->head_dim = md.nope, op->window = sparse;
    } else {
        if ((op = push(b, "generation_bmm_pre", AIC_OP_MLA_BMM_PRE, L)))
            op->heads = n_t, op->quant = w->q.gemm, op->head_dim = md.nope;
        if ((op = push(b, "generation_attention", AIC_OP_GEN_MLA, L)))
            op->heads = n_t, op->window = sparse;
        if ((op = push(b, "generation_bmm_post", AIC_OP_MLA_BMM_POST, L)))
            op->heads = n_t, op->quant = w->q.gemm, op->head_dim = md.v;
    }
    gemm_qin(b, NM("context_proj_gemm", "generation_proj_gemm"), L, h, (double)n_t * md.v,
             w->q.gemm);
    if (b->err)
        return;
    if (start >= 0) {
        b->l->ops[start].alt_count = b->l->n - alt0;
        for (int i = alt0; i < b->l->n; i++)
            b->l->ops[i].is_alt = 1;
    }
    if (sparse)
        dsa_indexer(b, w, md.q_lora);
}

static void build_mla_moe(struct bld *b, const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp, L = m->num_layers, h = m->hidden_size;

    embedding(b, m->vocab_size, h);
    elementwise(b, NM("context_add_norm_1", "generation_add_norm_1"), L, 2.0 * h, 2.0 * h);
    mla_block(b, w);
    elementwise(b, NM("context_add_norm_2", "generation_add_norm_2"), L, 2.0 * h, 2.0 * h);
    dense_layers_mlp(b, w);
    if (!b->ctx)
        b->group = 2;
    shared_expert(b, w);
    if (!b->ctx)
        b->group = 1;
    moe_block(b, w);
    b->group = 0;
    logits(b, m, tp);
    p2p(b, h, w->lay.pp);
}

static int build_one(struct aic_worker *w, struct aic_oplist *l, int ctx)
{
    struct bld b = {l, ctx, 1.0, 0, 0};
    const struct aic_model *m = w->model;

    if (!ctx && w->opts.nextn > 0)
        b.mtp = (double)(m->num_layers + w->opts.nextn) / m->num_layers;
    switch (m->family) {
    case AIC_FAMILY_DENSE:
        build_dense(&b, w, 1);
        break;
    case AIC_FAMILY_GPT:
        build_dense(&b, w, 0);
        break;
    case AIC_FAMILY_MOE:
        build_moe(&b, w);
        break;
    default:
        build_mla_moe(&b, w);
        break;
    }
    return b.err;
}

int aic_build_ops(struct aic_worker *w, struct aic_error *err)
{
    w->ctx_ops = calloc(1, sizeof(*w->ctx_ops));
    w->gen_ops = calloc(1, sizeof(*w->gen_ops));
    if (!w->ctx_ops || !w->gen_ops || build_one(w, w->ctx_ops, 1) || build_one(w, w->gen_ops, 0))
        return aic_err(err, AIC_ERR_NOMEM, "out of memory building op lists");
    return AIC_OK;
}
