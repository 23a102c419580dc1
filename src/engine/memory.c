/*
 * memory.c - GPU memory per GPU of a worker: weights, KV cache, activations, NCCL and
 * runtime reserves, and the two out-of-memory checks (total over capacity; KV over the
 * backend's KV budget). Coefficients follow aic-modeling.md section 6.
 */
#include <math.h>
#include <string.h>

#include "engine/oplist.h"
#include "engine/serving.h"

#define MIB (1024.0 * 1024.0)

/* Weights per GPU: every op's, the LM head's included (the prefill list of an MoE model has
 * no logits GEMM: its share is added). Tied embeddings (tie_word_embeddings) are one matrix
 * when the embedding and the LM head share a GPU (pp 1): the LM head adds nothing then. With
 * pp > 1 they sit on the first and the last stage, each GPU holding its own copy. */
static double weights_bytes(const struct aic_worker *w)
{
    const struct aic_oplist *l = w->ctx_ops;
    int tied = w->model->tie_word_embeddings && w->lay.pp == 1;
    double sum = 0;
    int has_logits = 0;

    for (int i = 0; i < l->n; i++) {
        if (l->ops[i].tokens == AIC_TOK_BATCH) {
            has_logits = 1;
            if (tied)
                continue;
        }
        sum += l->ops[i].weight_bytes * l->ops[i].scale;
    }
    if (!has_logits && !tied)
        sum += (double)w->model->vocab_size / w->lay.tp * w->model->hidden_size * 2.0;
    return sum / w->lay.pp;
}

int aic_model_weight_bytes(const struct aic_model *m, enum aic_quant gemm, enum aic_quant moe,
                           double *bytes, struct aic_error *err)
{
    struct aic_worker w;
    int rc;

    memset(&w, 0, sizeof(w));
    w.model = m;
    w.backend = AIC_BACKEND_TRTLLM;
    w.lay = (struct aic_layout){1, 1, 1, 1, 1};
    w.q = (struct aic_quant_cfg){gemm, moe, AIC_Q_BF16, AIC_Q_BF16, AIC_Q_HALF};
    *bytes = 0;
    if ((rc = aic_build_ops(&w, err)) == AIC_OK)
        *bytes = weights_bytes(&w);
    aic_worker_release(&w);
    return rc;
}

/* Bytes of one request's Gated DeltaNet state on one GPU: the fp32 recurrence state and the
 * causal-conv window of every linear-attention layer (0 without such layers). */
static double gdn_state_bytes(const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    int tp = w->lay.tp;
    double nk = (m->lin_k_heads + tp - 1) / tp, nv = (m->lin_v_heads + tp - 1) / tp;
    double conv = (2 * nk * m->lin_k_dim + nv * m->lin_v_dim) * (m->lin_conv - 1) * 2.0;

    if (m->lin_v_heads <= 0)
        return 0;
    return m->num_linear_attn_layers * (nv * m->lin_k_dim * m->lin_v_dim * 4.0 + conv);
}

/* Bytes per token of the sparse-attention indexer's key cache (fp8 keys with an fp32 scale,
 * every layer, on every rank); 0 without sparse attention. */
static double index_cache_bytes_per_token(const struct aic_worker *w)
{
    const struct aic_model *m = w->model;
    return m->index_topk > 0 ? m->num_layers * (m->index_head_dim + 4.0) : 0;
}

/* KV-cache elements per token on one GPU (linear-attention layers hold a fixed state per
 * request instead, gdn_state_bytes). */
static double kv_elems_per_token(const struct aic_worker *w, double seq, double *capped)
{
    const struct aic_model *m = w->model;
    int gdn = m->lin_v_heads > 0 ? m->num_linear_attn_layers : 0;
    int windowed = m->num_sliding_layers + m->num_linear_attn_layers - gdn;
    int full = m->num_layers - windowed - gdn;
    double per_layer;

    if (m->family == AIC_FAMILY_MLA_MOE) {
        double kvl = m->kv_lora_rank > 0 ? m->kv_lora_rank : 512;
        double rope = m->qk_rope_head_dim > 0 ? m->qk_rope_head_dim : 64;
        *capped = 0;
        return m->num_layers * (kvl + rope);
    }
    per_layer = (double)((m->num_kv_heads + w->lay.tp - 1) / w->lay.tp) * m->head_dim * 2.0;
    /* windowed layers hold at most `window` tokens: report their share separately */
    *capped = windowed * per_layer * fmin(seq, m->sliding_window > 0 ? m->sliding_window : 128);
    return full * per_layer;
}

static double act_coeff(const struct aic_worker *w)
{
    static const double gpt[2][4] = {{10, 6, 5, 5}, {13, 8, 6.5, 6.5}};
    static const double llama[2][4] = {{11, 6.5, 5, 5}, {14, 8.5, 6.5, 6.5}};
    static const double moe[2][4] = {{22, 13, 10, 10}, {28, 17, 13, 13}};
    int sg = w->backend == AIC_BACKEND_SGLANG;
    int tp = w->lay.tp, i = tp >= 8 ? 3 : tp >= 4 ? 2 : tp >= 2 ? 1 : 0;

    switch (w->model->family) {
    case AIC_FAMILY_GPT:
        return gpt[sg][i];
    case AIC_FAMILY_DENSE:
        return llama[sg][i];
    default:
        return moe[sg][i];
    }
}

static double activations(const struct aic_worker *w, double n_tok)
{
    const struct aic_model *m = w->model;
    int sg = w->backend == AIC_BACKEND_SGLANG;
    double act = 2.0 * n_tok * m->num_heads * m->head_dim * act_coeff(w);

    if (m->family == AIC_FAMILY_MLA_MOE && w->lay.moe_ep > 0)
        act += n_tok * m->hidden_size * w->lay.dp * m->num_experts * m->topk / w->lay.moe_ep /
               128.0 * 4.0;
    act = fmax(act, (sg ? 90 : 70) * MIB);
    return sg ? act * 1.15 : act;
}

/* The KV budget of the backend given the non-KV memory. */
static double kv_budget(const struct aic_worker *w, double cap, double non_kv)
{
    double f = w->opts.free_mem_fraction;
    switch (w->backend) {
    case AIC_BACKEND_TRTLLM:
        return (cap - non_kv) * (f > 0 ? f : 0.9) * (1 - 0.015) * (1 - 0.02);
    case AIC_BACKEND_VLLM:
        return cap * (f > 0 ? f : 0.92) * (1 - 0.02) - non_kv;
    default:
        return cap * (f > 0 ? f : 0.88) - non_kv;
    }
}

void aic_worker_memory(const struct aic_worker *w, const struct aic_workload *wl, int b,
                       int ctx_tokens, int phase, struct aic_memory *out)
{
    const struct aic_system *sys = aic_perfdb_system(w->db);
    double n_tok, seq, capped, per_tok, C = ctx_tokens > 0 ? ctx_tokens : wl->isl;
    int beam = 1;

    if (phase == 1)
        n_tok = (double)(wl->isl - wl->prefix) * b;
    else if (phase == 2)
        n_tok = (double)b * beam * (w->opts.nextn + 1);
    else if (w->backend == AIC_BACKEND_TRTLLM)
        n_tok = 8192;
    else
        n_tok = C + fmax(0, b - ceil(C / wl->isl));
    seq = phase == 1 ? wl->isl + 1 : wl->isl + wl->osl;
    if (w->opts.max_seq_len > 0 && phase != 1)
        seq = w->opts.max_seq_len;

    out->weights = weights_bytes(w);
    out->activations = activations(w, n_tok);
    per_tok = kv_elems_per_token(w, seq, &capped);
    out->kv_cache = (double)b * (aic_quant_bytes(w->q.kv) * (seq * per_tok + capped) +
                                 seq * index_cache_bytes_per_token(w) + gdn_state_bytes(w));
    out->kv_bytes_per_token = seq > 0 ? (aic_quant_bytes(w->q.kv) * (seq * per_tok + capped) +
                                         seq * index_cache_bytes_per_token(w)) /
                                            (seq * w->lay.pp)
                                      : 0;
    out->nccl = aic_system_nccl_mem(sys, w->lay.tp);
    out->other = sys->other_mem_bytes * (w->backend == AIC_BACKEND_SGLANG ? 1.2 : 1.0);
    out->capacity = sys->mem_capacity_bytes;
    out->total = out->weights + out->activations + out->kv_cache + out->nccl + out->other;
    out->oom = out->total >= out->capacity;
    out->max_batch = 0;
    out->kv_request_bytes = out->kv_budget = 0;
    if (out->total - out->kv_cache < out->capacity) {
        double non_kv = out->total - out->kv_cache;
        double budget = kv_budget(w, out->capacity, non_kv);
        /* paged KV: on average a request holds its prompt and half its output */
        double mean_seq = phase == 1 ? seq : wl->isl + wl->osl / 2.0;
        double mean_capped, mean_tok = kv_elems_per_token(w, mean_seq, &mean_capped);
        double per_req = aic_quant_bytes(w->q.kv) * (mean_seq * mean_tok + mean_capped) +
                         mean_seq * index_cache_bytes_per_token(w) + gdn_state_bytes(w);
        out->oom = out->oom || out->kv_cache > budget;
        out->kv_request_bytes = per_req;
        out->kv_budget = budget;
        out->max_batch = per_req > 0 ? (int)fmax(0, fmin(floor(budget / per_req), 1 << 20)) : b;
    }
}

double aic_worker_kv_request_bytes(const struct aic_worker *w, double tokens)
{
    double capped;
    double per_tok = kv_elems_per_token(w, tokens, &capped);
    return aic_quant_bytes(w->q.kv) * (tokens * per_tok + capped) +
           tokens * index_cache_bytes_per_token(w) + gdn_state_bytes(w);
}
