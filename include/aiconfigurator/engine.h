/*
 * engine.h - from a model, a system's perf database and a parallel layout to serving
 * metrics: TTFT, TPOT, throughput and memory, under static, aggregated (in-flight
 * batching) and disaggregated (xPyD) serving.
 *
 * Pipeline: model x layout x phase -> op list (src/engine/ops_*.c) -> op latencies
 * (src/engine/op_latency.c over perf.h) -> prefill / decode / mixed steps (step.c) ->
 * serving (static.c, agg.c, disagg.c); memory per GPU in memory.c.
 *
 * Ownership: struct aic_worker is built by aic_worker_init() and released with
 * aic_worker_release(); it borrows model and perfdb, which must outlive it.
 */
#ifndef AIC_ENGINE_H
#define AIC_ENGINE_H

#include "aiconfigurator/backend.h"
#include "aiconfigurator/error.h"
#include "aiconfigurator/model.h"
#include "aiconfigurator/perf.h"
#include "aiconfigurator/quant.h"

/* A parallel layout of one worker. GPUs per worker = tp * pp * dp. For MoE models
 * tp * dp must equal moe_tp * moe_ep. */
struct aic_layout {
    int tp, pp, dp, moe_tp, moe_ep;
};

/* Quantization of each op family; AIC_Q_NONE = from the checkpoint. */
struct aic_quant_cfg {
    enum aic_quant gemm, moe, kv, fmha, comm;
};

/* The serving constants (src/engine/overhead.c), each fitted per backend on measured
 * deployments. Of the TTFT model: the fixed overhead before a first token (HTTP, tokenizer,
 * streaming), the engine iterations a new request spends in the scheduler loop besides its
 * own prefill, the share of in-flight prefills it finds queued ahead of it, and
 * (disaggregated serving) the decode worker's iterations between the end of a prefill and the
 * first token: the KV handoff (admission, transfer completion, first generation step). Of
 * the engine iteration of aggregated serving: the host time the scheduler adds to each
 * iteration's GPU work, host_ms plus host_per_req_ms per request in flight on the rank
 * (`--step-host-ms`, `--step-host-per-req-ms`). Of an aggregated worker's own HTTP front end:
 * stream_ms, the wait a new request adds per 1,000 output tokens/s the front end is streaming
 * to the other clients (`--ttft-stream-ms`). Of the backend's processing of a prompt before
 * its prefill (tokenizing, request handling between its processes): prompt_ms per 1,000
 * prompt tokens (`--ttft-prompt-ms`), part of the serving overhead. A member replaces the
 * backend's fitted value when its AIC_TTFT_SET_* bit is in `set`; `cli validate --fit-ttft`
 * fits the first four, stream_ms and prompt_ms, `--fit-step` the host times, to a user's own
 * measurements. */
struct aic_ttft_consts {
    double overhead_ms, step_iters, queue_share, handoff_iters;
    double host_ms, host_per_req_ms;
    double stream_ms, prompt_ms;
    unsigned set;
};
enum {
    AIC_TTFT_SET_OVERHEAD = 1,
    AIC_TTFT_SET_STEP_ITERS = 2,
    AIC_TTFT_SET_QUEUE_SHARE = 4,
    AIC_TTFT_SET_HANDOFF_ITERS = 8,
    AIC_TTFT_SET_HOST = 16,
    AIC_TTFT_SET_HOST_PER_REQ = 32,
    AIC_TTFT_SET_STREAM = 64,
    AIC_TTFT_SET_PROMPT = 128,
    AIC_TTFT_SET_ALL = 255
};

/* Upper bounds the options accept (the lower bound of each is 0). */
#define AIC_TTFT_MAX_OVERHEAD_MS   1e6
#define AIC_TTFT_MAX_STEP_ITERS    1000
#define AIC_TTFT_MAX_QUEUE_SHARE   1
#define AIC_TTFT_MAX_HANDOFF_ITERS 1000
#define AIC_TTFT_MAX_HOST_MS       1000
#define AIC_TTFT_MAX_HOST_PER_REQ  100
#define AIC_TTFT_MAX_STREAM_MS     1e4
#define AIC_TTFT_MAX_PROMPT_MS     1e4

/* The constants by index i, 0 .. AIC_TTFT_COUNT - 1, in AIC_TTFT_SET_* bit order (bit 1 << i):
 * the key that names it in the API and experiment files ("ttft_overhead_ms", ...; the flag is
 * the key with dashes), its upper bound, and the member of t. */
#define AIC_TTFT_COUNT 8
const char *aic_ttft_key(int i);
double aic_ttft_max(int i);
double *aic_ttft_member(struct aic_ttft_consts *t, int i);

/* The fitted constants of backend b (set = 0). */
struct aic_ttft_consts aic_ttft_defaults(enum aic_backend b);

/* The constants of a run: `given`'s members whose bit is set, the backend's for the rest
 * (set = given's). */
struct aic_ttft_consts aic_ttft_merged(enum aic_backend b, const struct aic_ttft_consts *given);

/* Knobs of one worker beyond its layout. Zero-initialise, then set what you need. */
struct aic_worker_opts {
    struct aic_quant_cfg quant;
    int nextn;                   /* MTP draft tokens (0 = off) */
    double nextn_accepted;       /* mean accepted draft tokens per step */
    double free_mem_fraction;    /* 0 = backend default */
    int max_seq_len;             /* 0 = isl + osl */
    double latency_correction;   /* multiplies every op latency; 0 = 1.0 */
    struct aic_ttft_consts ttft; /* TTFT serving constants; set 0 = the backend's */
};

/* A worker: one model replica on tp*pp*dp GPUs with its op lists. */
/* Wide expert-parallel regimes: SGLang's DeepEP, TensorRT-LLM's NVLink all-to-all. */
enum aic_wide_ep { AIC_WIDE_EP_NONE = 0, AIC_WIDE_EP_DEEPEP, AIC_WIDE_EP_NVLINK };

struct aic_worker {
    const struct aic_model *model;
    struct aic_perfdb *db;
    enum aic_backend backend;
    struct aic_layout lay;
    struct aic_quant_cfg q; /* resolved, never AIC_Q_NONE */
    struct aic_worker_opts opts;
    struct aic_oplist *ctx_ops; /* prefill op list (opaque, owned) */
    struct aic_oplist *gen_ops; /* decode-step op list (opaque, owned) */
    int wide_ep; /* enum aic_wide_ep: the MoE exchange modeled (attention DP, moe_tp 1, ep > 1,
                  * wide-EP tables present), AIC_WIDE_EP_NONE otherwise */
};

/* Whether the backend of db can run m's quantization (checkpoint's, or opts' overrides) on
 * its GPU at all: AIC_OK, or a usage error saying which mode lacks tensor cores and what to
 * use instead. aic_worker_init() applies the same check. */
int aic_worker_quant_check(const struct aic_model *m, struct aic_perfdb *db,
                           const struct aic_worker_opts *opts, struct aic_error *err);

/* Whether attention tp (per attention-DP rank) splits m's heads as vLLM, SGLang and
 * TensorRT-LLM require: tp >= 1 divides the query heads, and for a GQA model divides the KV
 * heads or, when tp exceeds them, is a multiple of them (KV heads replicated); MLA has no
 * separate KV heads. 1 = yes, 0 = no. aic_worker_init() refuses a layout whose tp fails it. */
int aic_tp_splits_heads(const struct aic_model *m, int tp);

/* Validates the layout against the model (heads, experts divisible; backend rules) and
 * builds the op lists. Bad layout -> AIC_ERR_USAGE with the reason and a fix. */
int aic_worker_init(struct aic_worker *w, const struct aic_model *m, struct aic_perfdb *db,
                    struct aic_layout lay, const struct aic_worker_opts *opts,
                    struct aic_error *err);
void aic_worker_release(struct aic_worker *w);
int aic_worker_gpus(const struct aic_worker *w);

/* The MoE quant mode the backends run for MXFP4 experts (`moe`, given or read from the
 * checkpoint): on Blackwell (sm_version >= 100) all three take MXFP8 activations
 * (w4a8_mxfp4_mxfp8; vLLM given AIC_VLLM_MXFP8_MOE_ENV); any other mode is returned as is. */
enum aic_quant aic_moe_quant_run(int sm_version, enum aic_quant moe);

/* Memory per GPU in bytes. */
struct aic_memory {
    double weights, kv_cache, activations, nccl, other, total;
    double capacity;
    int oom;                   /* 1 when total exceeds capacity or KV exceeds its budget */
    int max_batch;             /* requests per attention-DP rank whose KV fits the budget
                                * on average (paged KV: prompt + half the output each) */
    double kv_bytes_per_token; /* KV cache (and indexer cache) per token of a full-length
                                * request on one GPU (its pipeline stage's layers); windowed
                                * layers count their window */
    double kv_request_bytes;   /* KV of one request on average (prompt + half the output) */
    double kv_budget;          /* what the backend gives the KV cache after the rest (its
                                * free-memory fraction; <= 0: nothing); 0 when the rest
                                * does not fit the GPU */
};

/* Serving metrics of one configuration. Throughputs count output tokens. */
/* Where a TTFT comes from, ms; the parts add up to aic_metrics.ttft_ms. */
struct aic_ttft_parts {
    double overhead;    /* HTTP, tokenizer, streaming (per-backend constant) */
    double scheduler;   /* scheduler-loop iterations besides the request's own prefill */
    double queue;       /* prefills of other requests ahead of it */
    double prefill;     /* the engine steps that carry its prompt */
    double dp_balance;  /* TensorRT-LLM attention-DP balancing hold */
    double kv_wait;     /* agg: waiting for KV-cache room (KV-limited batches) */
    double kv_transfer; /* disagg: moving the KV cache to the decode worker */
    double kv_handoff;  /* disagg: decode-worker iterations from prefill end to first token */
    double stream;      /* agg: the front end busy streaming the other requests' tokens */
};

struct aic_metrics {
    double ttft_ms, tpot_ms, request_latency_ms;
    struct aic_ttft_parts ttft_parts;
    double tokens_per_s; /* whole deployment */
    double tokens_per_s_per_gpu;
    double tokens_per_s_per_user;
    double requests_per_s;
    double concurrency; /* requests in flight */
    int num_gpus;
    int kv_limited_batch;         /* agg: > 0 when only this many requests per rank fit in the
                                   * KV cache at once; the rest queue (TTFT includes it) */
    struct aic_memory mem;        /* per GPU (disagg: the larger of the two pools) */
    struct aic_memory mem_decode; /* disagg: decode pool; else same as mem */
};

/* Workload of one request stream. */
struct aic_workload {
    int isl, osl, prefix;
};

/* A max_seq_len (0: none) that holds a whole request of wl: AIC_OK, or a usage error naming
 * the option as `flag` spells it. */
int aic_workload_check_seq_len(const struct aic_workload *wl, int max_seq_len, const char *flag,
                               struct aic_error *err);

/* Static serving: one batch of b requests per attention-DP rank, prefill then decode.
 * mode: 0 = full, 1 = prefill only (static_ctx), 2 = decode only (static_gen). */
int aic_run_static(struct aic_worker *w, const struct aic_workload *wl, int b, int mode,
                   struct aic_metrics *out, struct aic_error *err);

/* The prefill-token budget per engine step of an aggregated worker with b requests in flight
 * per rank: `given` when positive, else the backend's default (agg.c: SGLang's
 * chunked-prefill size for the GPU's memory, at most the b prompts; the isl for the others). */
int aic_agg_ctx_tokens(const struct aic_worker *w, const struct aic_workload *wl, int b, int given);

/* Aggregated in-flight batching: b concurrent requests per attention-DP rank, ctx_tokens
 * prefill-token budget per step (0 = aic_agg_ctx_tokens' default). */
int aic_run_agg(struct aic_worker *w, const struct aic_workload *wl, int b, int ctx_tokens,
                struct aic_metrics *out, struct aic_error *err);

/* Disaggregated: x prefill workers (batch bp each) and y decode workers (batch bd). */
int aic_run_disagg(struct aic_worker *pw, int bp, int x, struct aic_worker *dw, int bd, int y,
                   const struct aic_workload *wl, struct aic_metrics *out, struct aic_error *err);

/* What a disaggregated request pays before its first token beyond the prefill itself: the
 * backend's serving overhead and moving the prompt's KV cache to the decode worker (ms). */
double aic_disagg_ttft_extra_ms(const struct aic_worker *pw, const struct aic_workload *wl);

/* The KV handoff decode worker dw adds to a disaggregated TTFT, ms: its handoff iterations
 * (struct aic_ttft_consts) at its decode step, tpot_ms per output token x tokens per step. */
double aic_disagg_handoff_ms(const struct aic_worker *dw, double tpot_ms);

/* Memory of a worker holding b requests of the workload (phase 0 agg, 1 ctx, 2 gen). */
void aic_worker_memory(const struct aic_worker *w, const struct aic_workload *wl, int b,
                       int ctx_tokens, int phase, struct aic_memory *out);

/* The weight bytes of one whole copy of model m (tp 1, pp 1) as aic_worker_memory() counts
 * them, with its GEMMs (attention, dense MLP, shared experts) in quant `gemm` and its routed
 * experts in `moe`; embedding, LM head and router stay 16-bit, tied embeddings count once.
 * Needs no perf database. AIC_OK, or AIC_ERR_NOMEM. */
int aic_model_weight_bytes(const struct aic_model *m, enum aic_quant gemm, enum aic_quant moe,
                           double *bytes, struct aic_error *err);

/* ---- per-op breakdown (for --detail) ------------------------------------------------ */

struct aic_op_time {
    const char *name; /* op name, e.g. "context_qkv_gemm" (static storage) */
    double ms;        /* per-call latency x scale (all layers) */
    enum aic_prov prov;
    int group; /* overlap group (0 none; of groups 1 and 2 only the longer adds time) */
};

/* Fills up to cap entries with the prefill (phase 1) or one decode step (phase 2)
 * breakdown at batch b; returns the number of ops or a negative status. */
int aic_worker_breakdown(struct aic_worker *w, const struct aic_workload *wl, int b, int phase,
                         struct aic_op_time *ops, int cap, struct aic_error *err);

#endif
