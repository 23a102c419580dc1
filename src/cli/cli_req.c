/*
 * cli_req.c - what the modes that build requests share (estimate, validate, default,
 * recommend): the request option table (model, system, perf database, workload,
 * quantization, MTP, memory), its checks, layout names, quantization arguments (the MoE
 * layout defaults are the library's aic_resolve_moe(), api.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/api.h"
#include "cli/cli.h"

static const char *const db_choices[] = {"SILICON", "HYBRID", "EMPIRICAL", "SOL", NULL};

#define O(f) offsetof(struct cli_req_opts, f)
#define BIG  1e9
const struct cli_opt cli_req_table[] = {
    {"model-path", "model hf-id", CLI_STRING, O(model), 0, 0, NULL, "ID|DIR",
     "Hugging Face id, local directory with config.json, or legacy name (required)"},
    {"system", NULL, CLI_STRING, O(system), 0, 0, NULL, "NAME",
     "GPU system, e.g. h200_sxm (required)"},
    {"decode-system", NULL, CLI_STRING, O(decode_system), 0, 0, NULL, "NAME",
     "system of the disagg decode pool (default --system)"},
    {"backend-version", "perf-db-version", CLI_STRING, O(backend_version), 0, 0, NULL, "VER",
     "perf database version (default: newest available)"},
    {"database-mode", NULL, CLI_ENUM, O(db_mode), 0, 0, db_choices, NULL,
     "SILICON, HYBRID, EMPIRICAL, SOL"},
    {"transfer-policy", NULL, CLI_STRING, O(transfer_policy), 0, 0, NULL, "P",
     "accepted for compatibility; ignored"},
    {"isl", NULL, CLI_INT, O(isl), 1, BIG, NULL, "N", "input tokens per request"},
    {"osl", NULL, CLI_INT, O(osl), 1, BIG, NULL, "N", "output tokens per request"},
    {"prefix", NULL, CLI_INT, O(prefix), 0, BIG, NULL, "N",
     "cached prefix tokens, part of ISL (default 0)"},
    {"gemm-quant-mode", NULL, CLI_STRING, O(gemm_q), 0, 0, NULL, "MODE",
     "GEMM quantization (default: checkpoint)"},
    {"kvcache-quant-mode", NULL, CLI_STRING, O(kv_q), 0, 0, NULL, "MODE",
     "KV cache quantization (default: checkpoint)"},
    {"fmha-quant-mode", NULL, CLI_STRING, O(fmha_q), 0, 0, NULL, "MODE",
     "attention quantization (default: checkpoint)"},
    {"moe-quant-mode", NULL, CLI_STRING, O(moe_q), 0, 0, NULL, "MODE",
     "MoE expert quantization (default: checkpoint)"},
    {"comm-quant-mode", NULL, CLI_STRING, O(comm_q), 0, 0, NULL, "MODE",
     "communication quantization (default half)"},
    {"nextn", NULL, CLI_INT_AUTO, O(nextn), 0, 16, NULL, "N|auto",
     "MTP draft tokens (default 0; auto = checkpoint)"},
    {"nextn-accepted", NULL, CLI_FLOAT, O(nextn_accepted), 0, 16, NULL, "X",
     "mean accepted draft tokens (required when nextn > 0)"},
    {"free-gpu-memory-fraction", NULL, CLI_FLOAT, O(free_mem), 1e-6, 1, NULL, "F",
     "KV-cache memory fraction (default: backend's)"},
    {"max-seq-len", NULL, CLI_INT, O(max_seq_len), 1, BIG, NULL, "N",
     "KV tokens reserved per sequence (default isl+osl)"},
    {0},
};
#undef O
#undef BIG

#define O(f) offsetof(struct cli_ttft_opts, v.f)
const struct cli_opt cli_ttft_table[] = {
    {"ttft-overhead-ms", NULL, CLI_FLOAT, O(overhead_ms), 0, AIC_TTFT_MAX_OVERHEAD_MS, NULL, "MS",
     "TTFT: fixed serving overhead (default: the backend's fitted value)"},
    {"ttft-step-iters", NULL, CLI_FLOAT, O(step_iters), 0, AIC_TTFT_MAX_STEP_ITERS, NULL, "N",
     "TTFT: scheduler-loop iterations before a prefill (default: backend's)"},
    {"ttft-queue-share", NULL, CLI_FLOAT, O(queue_share), 0, AIC_TTFT_MAX_QUEUE_SHARE, NULL, "F",
     "TTFT: share of in-flight prefills queued ahead (default: backend's)"},
    {"ttft-handoff-iters", NULL, CLI_FLOAT, O(handoff_iters), 0, AIC_TTFT_MAX_HANDOFF_ITERS, NULL,
     "N", "TTFT, disagg: decode iterations from prefill end to first token (default: backend's)"},
    {"ttft-stream-ms", NULL, CLI_FLOAT, O(stream_ms), 0, AIC_TTFT_MAX_STREAM_MS, NULL, "MS",
     "TTFT, agg: wait per 1,000 output tokens/s the front end streams (default: backend's)"},
    {"ttft-prompt-ms", NULL, CLI_FLOAT, O(prompt_ms), 0, AIC_TTFT_MAX_PROMPT_MS, NULL, "MS",
     "TTFT: backend's processing time per 1,000 prompt tokens (default: backend's)"},
    {"step-host-ms", NULL, CLI_FLOAT, O(host_ms), 0, AIC_TTFT_MAX_HOST_MS, NULL, "MS",
     "agg: host time each engine iteration adds (default: backend's)"},
    {"step-host-per-req-ms", NULL, CLI_FLOAT, O(host_per_req_ms), 0, AIC_TTFT_MAX_HOST_PER_REQ,
     NULL, "MS", "agg: host time per request in flight each iteration adds (default: backend's)"},
    {0},
};
#undef O

void cli_ttft_consts(const struct cli_env *env, const struct cli_ttft_opts *o,
                     struct aic_ttft_consts *t)
{
    *t = o->v;
    t->set = 0;
    for (int i = 0; i < AIC_TTFT_COUNT; i++) {
        char flag[32]; /* the flag is the key with dashes */
        snprintf(flag, sizeof(flag), "%s", aic_ttft_key(i));
        for (char *c = flag; (c = strchr(c, '_')); c++)
            *c = '-';
        if (cli_given(env, CLI_ANY_SET, flag))
            t->set |= 1u << i;
    }
}

int cli_req_check(struct cli_env *env, const struct cli_req_opts *o)
{
    if (!o->model)
        return cli_error(env, 1,
                         "--model-path is required (a Hugging Face id such as "
                         "Qwen/Qwen3-32B, or a directory with config.json)");
    if (!o->system)
        return cli_error(env, 1, "--system is required (e.g. h200_sxm, h100_sxm, b200_sxm, gb200)");
    if (o->prefix >= o->isl)
        return cli_error(env, 1, "--prefix (%d) must be smaller than --isl (%d)", o->prefix,
                         o->isl);
    return CLI_OK;
}

int cli_req_resolve(struct cli_env *env, struct aic_ctx *ctx, const struct cli_req_opts *o,
                    struct aic_quant_cfg *q, int *nextn)
{
    const struct aic_quant_args qa = {o->gemm_q, o->kv_q, o->fmha_q, o->moe_q, o->comm_q};
    const struct aic_model *m = NULL;
    struct aic_error err = {0};

    if (aic_req_quant(&qa, AIC_KEYS_FLAGS, q, &err) ||
        (o->nextn < 0 && aic_ctx_get_model(ctx, o->model, &m, &err)))
        return cli_lib_error(env, &err);
    if (aic_req_nextn(m, o->nextn, o->nextn_accepted, cli_given(env, CLI_ANY_SET, "nextn-accepted"),
                      AIC_KEYS_FLAGS, nextn, &err))
        return cli_lib_error(env, &err);
    return CLI_OK;
}

void cli_layout_str(const struct aic_layout *lay, char *buf, size_t len)
{
    snprintf(buf, len, "tp%dpp%ddp%detp%dep%d", lay->tp, lay->pp, lay->dp, lay->moe_tp,
             lay->moe_ep);
}

int cli_quant_arg(const char *flag, const char *val, unsigned use, char *msg, size_t len)
{
    enum aic_quant q;

    if (!val || !*val)
        return AIC_Q_NONE;
    q = aic_quant_parse(val, use);
    if (q == AIC_Q_NONE) {
        snprintf(msg, len, "unknown --%s '%s' (valid: %s)", flag, val, aic_quant_names(use));
        return -2;
    }
    return q;
}

const char *cli_quant_name(enum aic_quant q)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    return qi ? qi->name : "auto";
}
