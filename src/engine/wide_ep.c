/*
 * wide_ep.c - wide expert parallelism in the engine: which regime a worker's MoE runs in,
 * and its expert compute and token exchange from the wide-EP tables (src/perf/wideep.c).
 *
 * A worker with attention DP and pure expert parallelism (moe_tp 1, ep > 1) runs SGLang's
 * DeepEP (normal kernels in prefill, low-latency in decode) or TensorRT-LLM's NVLink
 * all-to-all, when the perf database has the tables for its shape; otherwise its MoE exchange
 * stays the gathered/all-to-all collective of op_latency.c. Expert compute sees the tokens
 * of all ranks, the exchange the rank's own.
 */
#include "engine/oplist.h"

/* Every table lookup the regime needs succeeds for one token. */
static int regime_has_data(struct aic_worker *w, enum aic_wide_ep r)
{
    struct aic_lat l;

    for (int ctx = 0; ctx <= 1; ctx++) {
        w->wide_ep = r;
        if (aic_wide_ep_moe(w, w->q.moe, 1, ctx, &l, NULL) ||
            aic_wide_ep_exchange(w, 1, 1, ctx, &l, NULL) ||
            aic_wide_ep_exchange(w, 0, 1, ctx, &l, NULL)) {
            w->wide_ep = AIC_WIDE_EP_NONE;
            return 0;
        }
    }
    w->wide_ep = AIC_WIDE_EP_NONE;
    return 1;
}

int aic_wide_ep_applies(struct aic_worker *w)
{
    enum aic_db_mode mode = aic_perfdb_mode(w->db);
    enum aic_wide_ep r = w->backend == AIC_BACKEND_SGLANG   ? AIC_WIDE_EP_DEEPEP
                         : w->backend == AIC_BACKEND_TRTLLM ? AIC_WIDE_EP_NVLINK
                                                            : AIC_WIDE_EP_NONE;

    if (r == AIC_WIDE_EP_NONE || w->model->num_experts <= 0 || w->lay.moe_tp != 1 ||
        w->lay.moe_ep <= 1 || w->lay.dp <= 1 || (mode != AIC_DB_SILICON && mode != AIC_DB_HYBRID))
        return AIC_WIDE_EP_NONE;
    return regime_has_data(w, r) ? r : AIC_WIDE_EP_NONE;
}

int aic_wide_ep_moe(struct aic_worker *w, enum aic_quant q, double tokens, int is_ctx,
                    struct aic_lat *out, struct aic_error *err)
{
    const struct aic_model *m = w->model;
    const char *dist = aic_moe_distribution(m);

    if (w->wide_ep == AIC_WIDE_EP_NVLINK)
        return aic_perf_trtllm_wideep_moe(w->db, q, dist, tokens, m->hidden_size, m->moe_inter_size,
                                          m->topk, m->num_experts, w->lay.moe_ep, out, err);
    return aic_perf_wideep_moe(w->db, q, dist, is_ctx, tokens, m->hidden_size, m->moe_inter_size,
                               m->topk, m->num_experts, w->lay.moe_ep, out, err);
}

int aic_wide_ep_exchange(struct aic_worker *w, int is_pre, double x, int is_ctx,
                         struct aic_lat *out, struct aic_error *err)
{
    const struct aic_model *m = w->model;

    if (w->wide_ep == AIC_WIDE_EP_NVLINK)
        return aic_perf_trtllm_alltoall(w->db, w->q.moe, is_pre, x, m->hidden_size, m->topk,
                                        m->num_experts, w->lay.moe_ep, out, err);
    return aic_perf_deepep(w->db, is_ctx, is_pre, x, m->hidden_size, m->topk, m->num_experts,
                           w->lay.moe_ep, out, err);
}
