/*
 * args.c - per-backend launch arguments of one worker (`python3 -m dynamo.<backend> ...`)
 * and the TensorRT-LLM engine YAML, following AIConfigurator's unified-parameter -> flag
 * mapping. The parallel sizes always come from the configuration's layout:
 *   vLLM    --tensor-parallel-size tp (= moe_tp*moe_ep/dp), --data-parallel-size dp,
 *           --enable-expert-parallel when moe_ep > 1 (vLLM's EP size is then tp*dp);
 *   SGLang  --tensor-parallel-size tp*dp for MoE (tp for dense), --data-parallel-size dp
 *           (+ --enable-dp-attention for MoE), --expert-parallel-size moe_ep;
 *   TRT-LLM tensor_parallel_size tp*dp, moe_expert/tensor_parallel_size, attention DP.
 * Model path, served name and per-worker ports are placeholders the renderers substitute.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_int.h"

void gen_args_free(struct gen_args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

__attribute__((format(printf, 2, 3))) static void add(struct gen_args *a, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    if (a->n >= GEN_MAX_ARGS)
        return;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (s)
        a->v[a->n++] = s;
}

static void add_list(struct gen_args *a, const char *flag, const int *v, int n)
{
    if (n <= 0)
        return;
    add(a, "%s", flag);
    for (int i = 0; i < n; i++)
        add(a, "%d", v[i]);
}

static int is_half(const char *kv)
{
    return !strcmp(kv, "bfloat16") || !strcmp(kv, "bf16") || !strcmp(kv, "float16") ||
           !strcmp(kv, "fp16") || !strcmp(kv, "auto");
}

static const char *role_flag(const struct gen_worker *w)
{
    return w->role == ROLE_PREFILL ? "prefill" : "decode";
}

static void vllm_args(const struct gen_plan *p, const struct gen_worker *w, struct gen_args *a)
{
    add(a, "--model");
    add(a, GEN_ARG_MODEL);
    add(a, "--served-model-name");
    add(a, GEN_ARG_SERVED);
    add(a, "--tensor-parallel-size");
    add(a, "%d", p->is_moe ? w->moe_tp * w->moe_ep / w->dp : w->tp);
    add(a, "--pipeline-parallel-size");
    add(a, "%d", w->pp);
    add(a, "--data-parallel-size");
    add(a, "%d", w->dp);
    if (p->is_moe && w->moe_ep > 1)
        add(a, "--enable-expert-parallel");
    add(a, "--kv-cache-dtype");
    add(a, "%s", is_half(w->kv_dtype) ? "auto" : w->kv_dtype);
    add(a, "--max-num-seqs");
    add(a, "%d", w->max_batch);
    add(a, "--max-num-batched-tokens");
    add(a, "%d", w->max_num_tokens);
    add(a, "--max-model-len");
    add(a, "%d", w->max_seq_len);
    if (w->tokens_per_block > 0) {
        add(a, "--block-size");
        add(a, "%d", w->tokens_per_block);
    }
    if (w->mem_frac > 0) {
        add(a, "--gpu-memory-utilization");
        add(a, "%g", w->mem_frac);
    }
    if (w->disable_prefix_cache == 1)
        add(a, "--no-enable-prefix-caching");
    if (w->chunked_prefill)
        add(a, "--enable-chunked-prefill");
    add_list(a, "--cudagraph-capture-sizes", w->cg, w->n_cg);
    if (p->nextn > 0) {
        add(a, "--speculative-config");
        add(a, "{\"method\":\"mtp\",\"num_speculative_tokens\":%d}", p->nextn);
    }
    if (w->trust_remote_code)
        add(a, "--trust-remote-code");
    if (p->router) {
        add(a, "--kv-events-config");
        add(a,
            "{\"publisher\":\"zmq\",\"topic\":\"kv-events\",\"endpoint\":\"tcp://*:%s\","
            "\"enable_kv_cache_events\":true}",
            GEN_ARG_KVPORT);
    }
    if (w->role != ROLE_AGG) {
        if (p->vllm_disagg_mode_flag) {
            add(a, "--disaggregation-mode");
            add(a, "%s", role_flag(w));
        } else {
            add(a, w->role == ROLE_PREFILL ? "--is-prefill-worker" : "--is-decode-worker");
        }
        add(a, "--kv-transfer-config");
        add(a, "{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}");
    }
}

/* SGLang's parallel layout: TP spans the MoE group, DP attention, EP with DeepEP under DP. */
static void sglang_parallel(const struct gen_plan *p, const struct gen_worker *w,
                            struct gen_args *a)
{
    add(a, "--tensor-parallel-size");
    add(a, "%d", p->is_moe ? w->moe_tp * w->moe_ep : w->tp);
    add(a, "--pipeline-parallel-size");
    add(a, "%d", w->pp);
    if (w->dp > 1) {
        add(a, "--data-parallel-size");
        add(a, "%d", w->dp);
        if (p->is_moe)
            add(a, "--enable-dp-attention");
    }
    if (!p->is_moe || w->moe_ep <= 1)
        return;
    add(a, "--expert-parallel-size");
    add(a, "%d", w->moe_ep);
    if (p->sglang_ep_moe_flag)
        add(a, "--enable-ep-moe");
    /* attention DP with pure expert parallelism runs DeepEP, as the estimate models */
    if (w->dp > 1 && w->moe_tp == 1) {
        if (p->sglang_ep_moe_flag) {
            add(a, "--enable-deepep-moe");
        } else {
            add(a, "--moe-a2a-backend");
            add(a, "deepep");
        }
    }
}

/* SGLang's memory and batching: KV dtype, running requests, token budgets, CUDA graphs. */
static void sglang_memory(const struct gen_worker *w, struct gen_args *a)
{
    add(a, "--kv-cache-dtype");
    add(a, "%s",
        is_half(w->kv_dtype)          ? "auto"
        : !strcmp(w->kv_dtype, "fp8") ? "fp8_e4m3"
                                      : w->kv_dtype);
    add(a, "--max-running-requests");
    add(a, "%d", w->max_batch);
    add(a, "--max-prefill-tokens");
    add(a, "%d", w->max_num_tokens);
    add(a, "--context-length");
    add(a, "%d", w->max_seq_len);
    if (w->mem_frac > 0) {
        add(a, "--mem-fraction-static");
        add(a, "%g", w->mem_frac);
    }
    if (w->tokens_per_block > 0) {
        add(a, "--page-size");
        add(a, "%d", w->tokens_per_block);
    }
    if (w->disable_prefix_cache == 1)
        add(a, "--disable-radix-cache");
    if (w->chunked_prefill) {
        add(a, "--chunked-prefill-size");
        add(a, "%d", w->max_num_tokens);
    }
    add_list(a, "--cuda-graph-bs", w->cg, w->n_cg);
    if (w->role == ROLE_AGG)
        add(a, "--enable-mixed-chunk");
}

/* SGLang's MTP, KV events for the router and the disaggregation role. */
static void sglang_serving(const struct gen_plan *p, const struct gen_worker *w, struct gen_args *a)
{
    if (p->nextn > 0) {
        add(a, "--speculative-algorithm");
        add(a, "NEXTN");
        add(a, "--speculative-num-steps");
        add(a, "%d", p->nextn);
        add(a, "--speculative-eagle-topk");
        add(a, "1");
        add(a, "--speculative-num-draft-tokens");
        add(a, "%d", p->nextn + 1);
    }
    if (w->trust_remote_code)
        add(a, "--trust-remote-code");
    if (p->router) {
        add(a, "--kv-events-config");
        add(a, "{\"publisher\":\"zmq\",\"topic\":\"kv-events\",\"endpoint\":\"tcp://*:%s\"}",
            GEN_ARG_KVPORT);
    }
    if (w->role == ROLE_AGG)
        return;
    add(a, "--disaggregation-mode");
    add(a, "%s", role_flag(w));
    add(a, "--disaggregation-transfer-backend");
    add(a, "nixl");
    if (w->role == ROLE_PREFILL) {
        add(a, "--disaggregation-bootstrap-port");
        add(a, GEN_ARG_BOOTPORT);
    }
}

static void sglang_args(const struct gen_plan *p, const struct gen_worker *w, struct gen_args *a)
{
    add(a, "--model-path");
    add(a, GEN_ARG_MODEL);
    add(a, "--served-model-name");
    add(a, GEN_ARG_SERVED);
    sglang_parallel(p, w, a);
    sglang_memory(w, a);
    sglang_serving(p, w, a);
}

static void trtllm_args(const struct gen_plan *p, const struct gen_worker *w,
                        const char *engine_path, struct gen_args *a)
{
    add(a, "--model-path");
    add(a, GEN_ARG_MODEL);
    add(a, "--served-model-name");
    add(a, GEN_ARG_SERVED);
    add(a, "--extra-engine-args");
    add(a, "%s", engine_path);
    add(a, "--tensor-parallel-size");
    add(a, "%d", p->is_moe ? w->tp * w->dp : w->tp);
    add(a, "--pipeline-parallel-size");
    add(a, "%d", w->pp);
    if (p->is_moe) {
        add(a, "--expert-parallel-size");
        add(a, "%d", w->moe_ep);
        if (w->dp > 1)
            add(a, "--enable-attention-dp");
    }
    add(a, "--max-batch-size");
    add(a, "%d", w->max_batch);
    add(a, "--max-num-tokens");
    add(a, "%d", w->max_num_tokens);
    add(a, "--max-seq-len");
    add(a, "%d", w->max_seq_len);
    add(a, "--free-gpu-memory-fraction");
    add(a, "%g", w->mem_frac);
    if (w->role != ROLE_AGG) {
        add(a, "--disaggregation-mode");
        add(a, "%s", role_flag(w));
    }
    if (p->router)
        add(a, "--publish-events-and-metrics");
}

char *gen_arg_subst(const char *arg, const char *model, const char *served, int kv_port,
                    int boot_port)
{
    struct aic_buf b = {0};
    const char *s = arg;

    while (*s) {
        if (!strncmp(s, GEN_ARG_MODEL, strlen(GEN_ARG_MODEL))) {
            aic_buf_puts(&b, model);
            s += strlen(GEN_ARG_MODEL);
        } else if (!strncmp(s, GEN_ARG_SERVED, strlen(GEN_ARG_SERVED))) {
            aic_buf_puts(&b, served);
            s += strlen(GEN_ARG_SERVED);
        } else if (!strncmp(s, GEN_ARG_KVPORT, strlen(GEN_ARG_KVPORT))) {
            aic_buf_printf(&b, "%d", kv_port);
            s += strlen(GEN_ARG_KVPORT);
        } else if (!strncmp(s, GEN_ARG_BOOTPORT, strlen(GEN_ARG_BOOTPORT))) {
            aic_buf_printf(&b, "%d", boot_port);
            s += strlen(GEN_ARG_BOOTPORT);
        } else {
            aic_buf_add(&b, s, 1);
            s++;
        }
    }
    if (!b.s)
        return strdup("");
    return b.s;
}

int gen_worker_args(const struct gen_plan *p, const struct gen_worker *w, const char *engine_path,
                    struct gen_args *a, struct aic_error *err)
{
    memset(a, 0, sizeof(*a));
    if (p->backend == AIC_BACKEND_VLLM)
        vllm_args(p, w, a);
    else if (p->backend == AIC_BACKEND_SGLANG)
        sglang_args(p, w, a);
    else
        trtllm_args(p, w, engine_path, a);
    if (a->n >= GEN_MAX_ARGS) {
        gen_args_free(a);
        return aic_err(err, AIC_ERR_RUNTIME, "internal error: too many launch arguments");
    }
    return AIC_OK;
}

/* ---- TensorRT-LLM engine YAML ------------------------------------------------------------ */

static int is_blackwell(const char *system)
{
    return !strncmp(system, "b", 1) || !strncmp(system, "gb", 2);
}

/*
 * TensorRT-LLM's moe_config backend, as its deployment guides pair them with GPUs and
 * checkpoints and as the engine models the MoE: WIDEEP for expert parallelism beyond one
 * node's 8 GPUs and for attention DP with pure EP on a GB200 rack; on Blackwell the trtllm-gen
 * kernels (TRTLLM) for nvfp4, block-scale fp8 and MXFP4 experts (the engine reads them,
 * src/perf/query.c); on Hopper TRITON for MXFP4 (gpt-oss); CUTLASS otherwise.
 */
static const char *trtllm_moe_backend(const struct gen_plan *p, const struct gen_worker *w)
{
    const char *q = w->moe_quant;
    int mxfp4 = !strncmp(q, "w4a16_mxfp4", 11) || !strncmp(q, "w4a8_mxfp4", 10);

    if (w->moe_ep > 8 || (!strncmp(p->system, "gb", 2) && w->dp > 1 && w->moe_tp == 1 &&
                          w->moe_ep > 1)) /* the NVLink all-to-all regime of src/engine/wide_ep.c */
        return "WIDEEP";
    if (is_blackwell(p->system) && (!strcmp(q, "nvfp4") || !strcmp(q, "fp8_block") || mxfp4))
        return "TRTLLM";
    if (!is_blackwell(p->system) && mxfp4)
        return "TRITON";
    return "CUTLASS";
}

int gen_engine_yaml(const struct gen_plan *p, const struct gen_worker *w, struct aic_buf *o)
{
    int reuse = w->disable_prefix_cache >= 0 ? !w->disable_prefix_cache : p->prefix > 0;

    aic_buf_printf(o, "# TensorRT-LLM engine arguments (%s worker), written by aiconfigurator\n",
                   gen_role_name(w->role));
    aic_buf_puts(o, "backend: pytorch\n");
    aic_buf_printf(o, "tensor_parallel_size: %d\n", p->is_moe ? w->tp * w->dp : w->tp);
    aic_buf_printf(o, "pipeline_parallel_size: %d\n", w->pp);
    if (p->is_moe) {
        aic_buf_printf(o, "moe_expert_parallel_size: %d\n", w->moe_ep);
        aic_buf_printf(o, "moe_tensor_parallel_size: %d\n", w->moe_tp);
        aic_buf_printf(o, "moe_config:\n  backend: %s\n", trtllm_moe_backend(p, w));
    }
    aic_buf_printf(o, "enable_attention_dp: %s\n", p->is_moe && w->dp > 1 ? "true" : "false");
    /* aggregated attention DP balances prefills across ranks, as the published recipes do;
     * the engine's TTFT model (src/engine/agg.c) assumes this setting */
    if (p->is_moe && w->dp > 1 && w->role == ROLE_AGG && p->trtllm_cuda_graph_config)
        aic_buf_printf(o,
                       "attention_dp_config:\n  enable_balance: true\n  timeout_iters: %d\n"
                       "  batching_wait_iters: 0\n",
                       AIC_TRTLLM_ADP_TIMEOUT_ITERS);
    aic_buf_printf(o, "max_batch_size: %d\n", w->max_batch);
    aic_buf_printf(o, "max_num_tokens: %d\n", w->max_num_tokens);
    aic_buf_printf(o, "max_seq_len: %d\n", w->max_seq_len);
    if (w->chunked_prefill)
        aic_buf_puts(o, "enable_chunked_prefill: true\n");
    if (w->trust_remote_code)
        aic_buf_puts(o, "trust_remote_code: true\n");
    aic_buf_puts(o, "kv_cache_config:\n");
    aic_buf_printf(o, "  free_gpu_memory_fraction: %g\n", w->mem_frac);
    aic_buf_puts(o, "  dtype: ");
    yw_scalar(o, is_half(w->kv_dtype) ? "auto" : w->kv_dtype);
    aic_buf_printf(o, "\n  tokens_per_block: %d\n", w->tokens_per_block);
    aic_buf_printf(o, "  enable_block_reuse: %s\n", reuse ? "true" : "false");
    if (w->role != ROLE_AGG)
        aic_buf_printf(o,
                       "cache_transceiver_config:\n  backend: DEFAULT\n"
                       "  max_tokens_in_buffer: %d\n",
                       p->isl + p->osl + 500);
    if (w->n_cg > 0) {
        if (p->trtllm_cuda_graph_config)
            aic_buf_puts(o, "cuda_graph_config:\n  enable_padding: true\n  batch_sizes: [");
        else
            aic_buf_puts(o, "use_cuda_graph: true\ncuda_graph_padding_enabled: true\n"
                            "cuda_graph_batch_sizes: [");
        for (int i = 0; i < w->n_cg; i++)
            aic_buf_printf(o, "%s%d", i ? ", " : "", w->cg[i]);
        aic_buf_puts(o, "]\n");
    }
    aic_buf_printf(o, "disable_overlap_scheduler: %s\n",
                   w->role == ROLE_PREFILL ? "true" : "false");
    aic_buf_puts(o, "print_iter_log: false\n");
    if (p->nextn > 0)
        aic_buf_printf(o,
                       "speculative_config:\n  decoding_type: MTP\n"
                       "  num_nextn_predict_layers: %d\n",
                       p->nextn);
    return o->s ? AIC_OK : AIC_ERR_NOMEM;
}
