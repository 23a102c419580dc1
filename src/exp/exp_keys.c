/*
 * exp_keys.c - the flat V2 experiment schema as one table (aic-interface §2.2): shared
 * workload/SLA/orchestration keys, per-role worker keys (no prefix for agg, `prefill_` /
 * `decode_` for disagg) and per-role candidate lists (`agg_` / `prefill_` / `decode_`).
 * Keys AIConfigurator accepts for features not modelled here (EPD, AFD, VLM, backends'
 * kernel choices) are accepted and ignored, so files written for it still load.
 */
#include <stdio.h>
#include <string.h>

#include "exp/exp_int.h"
#include "util/util.h"

static const struct aic_exp_key shared_keys[] = {
    {"serving_mode", KT_SERVING, KF_SERVING, 0},
    {"total_gpus", KT_INT, KF_TOTAL, 0},
    {"isl", KT_INT, KF_ISL, 0},
    {"osl", KT_INT, KF_OSL, 0},
    {"prefix", KT_INT, KF_PREFIX, 0},
    {"ttft", KT_FLOAT, KF_TTFT, 0},
    {"tpot", KT_FLOAT, KF_TPOT, 0},
    {"request_latency", KT_FLOAT, KF_REQLAT, 0},
    {"pareto_sweep", KT_BOOL, KF_PARETO, 0},
    {"strict_sla", KT_BOOL, KF_STRICT, 0}, /* ours: the Pareto frontier of SLA rows only */
    {"database_mode", KT_DBMODE, KF_DB, 0},
    {"free_gpu_memory_fraction", KT_FLOAT, KF_FREEMEM, 0},
    {"ttft_overhead_ms", KT_FLOAT, KF_TTFT_OVERHEAD, 0}, /* ours: TTFT serving constants */
    {"ttft_step_iters", KT_FLOAT, KF_TTFT_STEPS, 0},
    {"ttft_queue_share", KT_FLOAT, KF_TTFT_SHARE, 0},
    {"ttft_handoff_iters", KT_FLOAT, KF_TTFT_HANDOFF, 0},
    {"step_host_ms", KT_FLOAT, KF_STEP_HOST, 0},
    {"step_host_per_req_ms", KT_FLOAT, KF_STEP_HOST_PER_REQ, 0},
    {"ttft_stream_ms", KT_FLOAT, KF_TTFT_STREAM, 0},
    {"ttft_prompt_ms", KT_FLOAT, KF_TTFT_PROMPT, 0},
    {"max_seq_len", KT_INT, KF_MAXSEQ, 0},
    {"nextn", KT_NEXTN, KF_NEXTN, 0},
    {"nextn_accepted", KT_FLOAT, KF_NEXTN_ACC, 0},
    {"num_gpu_per_replica", KT_LIST, KF_REPLICA_SIZES, 0},
    {"max_gpu_per_replica", KT_INT, KF_MAX_REPLICA, 0},
    {"max_prefill_workers", KT_INT, KF_MAX_PW, 0},
    {"max_decode_workers", KT_INT, KF_MAX_DW, 0},
    {"prefill_max_batch_size", KT_INT, KF_P_MAXBS, 0},
    {"decode_max_batch_size", KT_INT, KF_D_MAXBS, 0},
    {"prefill_latency_correction", KT_FLOAT, KF_P_CORR, 0},
    {"decode_latency_correction", KT_FLOAT, KF_D_CORR, 0},
    {"rate_match_prefill_degradation", KT_FLOAT, KF_P_DEG, 0},
    {"rate_match_decode_degradation", KT_FLOAT, KF_D_DEG, 0},
    {"autoscale_ttft_correction_factor", KT_FLOAT, KF_TTFT_FACTOR, 0},
    {"enable_epd", KT_BOOL, KF_EPD, 0},
    /* accepted, not modelled */
    {"transfer_policy", KT_IGNORE, KF_IGNORED, 0},
    {"engine_step_backend", KT_IGNORE, KF_IGNORED, 0},
    {"forward_model", KT_IGNORE, KF_IGNORED, 0},
    {"moe_backend", KT_IGNORE, KF_IGNORED, 0},
    {"attention_backend", KT_IGNORE, KF_IGNORED, 0},
    {"wideep_num_slots", KT_IGNORE, KF_IGNORED, 0},
    {"image_height", KT_IGNORE, KF_IGNORED, 0},
    {"image_width", KT_IGNORE, KF_IGNORED, 0},
    {"num_images_per_request", KT_IGNORE, KF_IGNORED, 0},
    {"enable_encoder_dp", KT_IGNORE, KF_IGNORED, 0},
    {"encoder_tp_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"encoder_batch_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"max_encoder_workers", KT_IGNORE, KF_IGNORED, 0},
    {"encoder_latency_correction", KT_IGNORE, KF_IGNORED, 0},
    {"encoder_system_name", KT_IGNORE, KF_IGNORED, 0},
    {"rate_match_encoder_degradation", KT_IGNORE, KF_IGNORED, 0},
    {"afd_total_gpus", KT_IGNORE, KF_IGNORED, 0},
    {"afd_combined_with_pd", KT_IGNORE, KF_IGNORED, 0},
    {"afd_comm_overhead_factor", KT_IGNORE, KF_IGNORED, 0},
    {"afd_boundary_on_attn", KT_IGNORE, KF_IGNORED, 0},
    {"afd_total_batch_size", KT_IGNORE, KF_IGNORED, 0},
    {"afd_max_a_batch_size", KT_IGNORE, KF_IGNORED, 0},
    {"afd_n_a_nodes", KT_IGNORE, KF_IGNORED, 0},
    {"afd_n_f_nodes", KT_IGNORE, KF_IGNORED, 0},
    {"afd_tp_a", KT_IGNORE, KF_IGNORED, 0},
    {"afd_a_batch_size", KT_IGNORE, KF_IGNORED, 0},
    {"afd_tp_a_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"afd_microbatch_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"afd_pipeline_model_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"afd_f_moe_ep_size_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"afd_max_af_ratio", KT_IGNORE, KF_IGNORED, 0},
    {"afd_max_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"afd_candidate_overflow", KT_IGNORE, KF_IGNORED, 0},
    {"afd_prefill_batch_size_list", KT_IGNORE, KF_IGNORED, 0},
    {"afd_prefill_max_candidates", KT_IGNORE, KF_IGNORED, 0},
    {"afd_prefill_candidate_overflow", KT_IGNORE, KF_IGNORED, 0},
    {"afd_max_prefill_gpus", KT_IGNORE, KF_IGNORED, 0},
    {"afd_max_prefill_workers", KT_IGNORE, KF_IGNORED, 0},
    {"afd_prefill_degradation", KT_IGNORE, KF_IGNORED, 0},
    {"afd_decode_degradation", KT_IGNORE, KF_IGNORED, 0},
    {"afd_ttft_correction_factor", KT_IGNORE, KF_IGNORED, 0},
    {"afd_decode_latency_correction", KT_IGNORE, KF_IGNORED, 0},
};

/* Worker keys: bare for agg, prefill_/decode_ for disagg. */
static const struct aic_exp_key worker_keys[] = {
    {"model_path", KT_STR, KF_MODEL, 0},
    {"system_name", KT_STR, KF_SYSTEM, 0},
    {"backend_name", KT_BACKEND, KF_BACKEND, 0},
    {"backend_version", KT_STR, KF_VERSION, 0},
    {"enable_chunked_prefill", KT_BOOL, KF_CHUNKED, 0},
    {"enable_wideep", KT_BOOL, KF_ROLE_IGNORED, 0},
    {"enable_eplb", KT_BOOL, KF_ROLE_IGNORED, 0},
    {"gemm_quant_mode", KT_QUANT, KF_QUANT, AIC_QUSE_GEMM},
    {"moe_quant_mode", KT_QUANT, KF_QUANT, AIC_QUSE_MOE},
    {"kvcache_quant_mode", KT_QUANT, KF_QUANT, AIC_QUSE_KV},
    {"fmha_quant_mode", KT_QUANT, KF_QUANT, AIC_QUSE_FMHA},
    {"comm_quant_mode", KT_QUANT, KF_QUANT, AIC_QUSE_COMM},
};

/* Candidate lists: agg_/prefill_/decode_ + name. */
static const struct aic_exp_key cand_keys[] = {
    {"num_gpu_candidates", KT_LIST, KF_CAND, AIC_DIM_NUM_GPU},
    {"tp_candidates", KT_LIST, KF_CAND, AIC_DIM_TP},
    {"pp_candidates", KT_LIST, KF_CAND, AIC_DIM_PP},
    {"dp_candidates", KT_LIST, KF_CAND, AIC_DIM_DP},
    {"moe_tp_candidates", KT_LIST, KF_CAND, AIC_DIM_MOE_TP},
    {"moe_ep_candidates", KT_LIST, KF_CAND, AIC_DIM_MOE_EP},
    {"cp_candidates", KT_LIST, KF_CAND_CP, 0},
};

#define N(a) (sizeof a / sizeof *a)

static const char *const worker_prefix[AIC_ROLE_COUNT] = {"", "prefill_", "decode_"};
static const char *const cand_prefix[AIC_ROLE_COUNT] = {"agg_", "prefill_", "decode_"};

static const struct aic_exp_key *find_in(const struct aic_exp_key *t, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, k))
            return &t[i];
    return NULL;
}

const struct aic_exp_key *aic_exp_key_find(const char *key, int *role)
{
    const struct aic_exp_key *k = find_in(shared_keys, N(shared_keys), key);
    if (k) {
        *role = -1;
        return k;
    }
    for (int r = AIC_ROLE_COUNT - 1; r >= 0; r--) {
        size_t lw = strlen(worker_prefix[r]), lc = strlen(cand_prefix[r]);
        if (!strncmp(key, worker_prefix[r], lw) &&
            (k = find_in(worker_keys, N(worker_keys), key + lw))) {
            if (r == AIC_ROLE_DECODE && k->field == KF_CHUNKED)
                return NULL; /* decode workers have no chunked prefill */
            *role = r;
            return k;
        }
        if (!strncmp(key, cand_prefix[r], lc) && (k = find_in(cand_keys, N(cand_keys), key + lc))) {
            *role = r;
            return k;
        }
    }
    return NULL;
}

static void consider(const char *key, const char *cand, int *best, char *buf, size_t n)
{
    int d = aic_edit_distance(key, cand);
    if (d < *best) {
        *best = d;
        aic_strlcpy(buf, cand, n);
    }
}

const char *aic_exp_key_suggest(const char *key, char *buf, size_t n)
{
    int best = 1 << 30;
    char name[128];
    buf[0] = 0;
    for (size_t i = 0; i < N(shared_keys); i++)
        consider(key, shared_keys[i].name, &best, buf, n);
    for (int r = 0; r < AIC_ROLE_COUNT; r++) {
        for (size_t i = 0; i < N(worker_keys); i++) {
            if (r == AIC_ROLE_DECODE && worker_keys[i].field == KF_CHUNKED)
                continue;
            snprintf(name, sizeof name, "%s%s", worker_prefix[r], worker_keys[i].name);
            consider(key, name, &best, buf, n);
        }
        for (size_t i = 0; i < N(cand_keys); i++) {
            snprintf(name, sizeof name, "%s%s", cand_prefix[r], cand_keys[i].name);
            consider(key, name, &best, buf, n);
        }
    }
    return buf;
}

int aic_exp_scalar(struct fy_node *n, char *buf, size_t size)
{
    size_t len = 0;
    const char *s;
    if (!n || !fy_node_is_scalar(n) || !(s = fy_node_get_scalar(n, &len)))
        return 0;
    if (len >= size)
        len = size - 1;
    memcpy(buf, s, len);
    buf[len] = 0;
    return 1;
}

void aic_exp_sanitize(char *s, int keep_slash)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-' || (keep_slash && *s == '/')))
            *s = '_';
}

int aic_exp_default_list(const struct aic_exp *e, int role, int dim, int is_moe,
                         enum aic_backend be, int *out, int cap)
{
    static const int l16[] = {1, 2, 4, 8, 16};
    int gb = !strncmp(e->system[role], "gb", 2), n = 0, m;
    switch (dim) {
    case AIC_DIM_NUM_GPU:
    case AIC_DIM_TP:
        m = is_moe || gb ? 5 : 4;
        break;
    case AIC_DIM_PP:
        m = 1;
        break;
    case AIC_DIM_DP:
        m = !is_moe || (role == AIC_ROLE_PREFILL && be != AIC_BACKEND_TRTLLM) ? 1 : 5;
        break;
    default:
        m = is_moe ? 5 : 1;
        break;
    }
    for (int i = 0; i < m && n < cap; i++)
        if (l16[i] <= e->req.total_gpus || i == 0)
            out[n++] = l16[i];
    return n;
}
