/*
 * estimate.h - one request in, one estimate out: the entry point shared by
 * `cli estimate`, `cli validate`, the web app and the Python module.
 *
 * A struct aic_ctx caches what is expensive to load (models, systems, perf databases)
 * across requests, so `validate` over many rows loads each database once.
 *
 * Ownership: aic_ctx_new()/aic_ctx_free(). Models, systems and databases returned by the
 * aic_ctx_get_* functions are borrowed and live until aic_ctx_free().
 */
#ifndef AIC_ESTIMATE_H
#define AIC_ESTIMATE_H

#include "aiconfigurator/engine.h"

enum aic_serving_mode {
    AIC_MODE_AGG = 0,
    AIC_MODE_DISAGG,
    AIC_MODE_STATIC,
    AIC_MODE_STATIC_CTX,
    AIC_MODE_STATIC_GEN,
};
const char *aic_serving_mode_name(enum aic_serving_mode m);
int aic_serving_mode_parse(const char *name); /* -1 when unknown */

struct aic_ctx;

/* systems_paths: NULL = env AIC_SYSTEMS_PATHS, else "default". */
struct aic_ctx *aic_ctx_new(const char *systems_paths);
void aic_ctx_free(struct aic_ctx *ctx);
/* The systems paths the context loads from (as resolved by aic_ctx_new; borrowed). */
const char *aic_ctx_paths(const struct aic_ctx *ctx);

int aic_ctx_get_model(struct aic_ctx *ctx, const char *name, const struct aic_model **out,
                      struct aic_error *err);
int aic_ctx_get_system(struct aic_ctx *ctx, const char *name, const struct aic_system **out,
                       struct aic_error *err);
/* version NULL/"" = newest. */
int aic_ctx_get_db(struct aic_ctx *ctx, const char *system, enum aic_backend backend,
                   const char *version, enum aic_db_mode mode, struct aic_perfdb **out,
                   struct aic_error *err);

/* One deployment to estimate. aic_estimate_req_init() sets AIConfigurator's defaults
 * (isl 1024, osl 1024, batch 128, tp 1, trtllm, SILICON, quant from checkpoint). */
struct aic_estimate_req {
    const char *model; /* HF id, directory or legacy name (borrowed) */
    const char *system;
    const char *decode_system; /* disagg: NULL = system */
    enum aic_backend backend;
    const char *backend_version; /* NULL = newest */
    enum aic_db_mode db_mode;
    int db_mode_explicit; /* 0: fall back to EMPIRICAL when no perf data is found */
    enum aic_serving_mode mode;
    struct aic_workload wl;
    int batch_size;              /* agg/static: per attention-DP rank */
    int ctx_tokens;              /* agg: 0 = the backend's default (aic_agg_ctx_tokens) */
    struct aic_layout lay;       /* agg/static */
    struct aic_worker_opts opts; /* quant, nextn, memory knobs (shared by both pools) */
    /* disagg */
    struct aic_layout prefill_lay, decode_lay;
    int prefill_batch, prefill_workers, decode_batch, decode_workers;
    unsigned given; /* AIC_GIVEN_* bits: which of the fields above the user set */
};
void aic_estimate_req_init(struct aic_estimate_req *req);

/* Fields a surface saw given (aic_estimate_req.given): the worker layout in member order of
 * struct aic_layout (tp, pp, dp, moe_tp, moe_ep) at AIC_GIVEN_LAY, AIC_GIVEN_PREFILL and
 * AIC_GIVEN_DECODE, then each pool's batch and workers. */
enum {
    AIC_GIVEN_LAY = 0,
    AIC_GIVEN_BATCH = 1u << 5,
    AIC_GIVEN_CTX_TOKENS = 1u << 6,
    AIC_GIVEN_DECODE_SYSTEM = 1u << 7,
    AIC_GIVEN_PREFILL = 8,
    AIC_GIVEN_PREFILL_BATCH = 1u << 13,
    AIC_GIVEN_PREFILL_WORKERS = 1u << 14,
    AIC_GIVEN_DECODE = 16,
    AIC_GIVEN_DECODE_BATCH = 1u << 21,
    AIC_GIVEN_DECODE_WORKERS = 1u << 22
};

/* Settles the fields of one serving mode given with another (by req->given): in disagg the
 * worker layout is each pool's default (a pool's own sizes win; a pool giving either MoE size
 * takes neither global one); batch_size and ctx_tokens in disagg, ctx_tokens in the static
 * modes, and pool fields or decode_system in agg/static are usage errors. */
int aic_estimate_req_resolve(struct aic_estimate_req *req, struct aic_error *err);

/* The AIC_GIVEN_* bits of the fields is_given(arg, name) reports set, asked by their
 * underscore names (tp_size, prefill_batch_size, decode_system, ...). */
unsigned aic_estimate_given(int (*is_given)(const void *arg, const char *name), const void *arg);

#define AIC_MAX_BREAKDOWN 64

struct aic_estimate_result {
    struct aic_metrics m;
    enum aic_db_mode db_mode_used; /* differs from the request after a fallback */
    int fell_back;                 /* 1 when no perf data was found and EMPIRICAL was used */
    char backend_version[32];
    int ctx_tokens; /* agg: the prefill-token budget per step used (aic_agg_ctx_tokens) */
    /* the bundled config a published variant of a bundled model was read from (see
     * aic_model_load); empty when the model is itself bundled or a local config */
    char model_config[AIC_MODEL_ID_MAX];
    int max_positions; /* the model's max_position_embeddings (0: not given); ISL + OSL above it
                        * needs RoPE scaling (YaRN) configured in the engine */
    struct aic_quant_cfg quant;        /* resolved quantization (prefill pool for disagg) */
    struct aic_quant_cfg quant_decode; /* the decode pool's (disagg); same as quant otherwise */
    int wide_ep[2]; /* enum aic_wide_ep modeled: [0] worker or prefill pool, [1] decode pool */
    /* share of the latency by source (enum aic_prov) of [0] the prefill and [1] one decode
     * step, at the shapes the estimate ran them (aggregated: the step carrying a prompt and
     * the decode batch that ran); all zero for a phase the mode does not run */
    double prov[2][AIC_PROV_COUNT];
    /* per-op breakdown of prefill (phase 1) and one decode step (phase 2), and the batch
     * (prompts, requests per rank) each was taken at: aggregated, the prompts one step
     * carries and the decode batch that ran; disaggregated, each pool's batch */
    int n_ctx_ops, n_gen_ops, ctx_ops_batch, gen_ops_batch;
    struct aic_op_time ctx_ops[AIC_MAX_BREAKDOWN], gen_ops[AIC_MAX_BREAKDOWN];
};

/* Share of a phase's latency (ops[0..n)) by provenance, indexed by enum aic_prov; all zero
 * when the phase took no time; of two overlapped groups only the longer counts. How much of
 * an estimate the perf tables carry. */
void aic_prov_shares(const struct aic_op_time *ops, int n, double share[AIC_PROV_COUNT]);

/* Runs the request. want_breakdown fills the op tables (costs a little more). */
int aic_estimate(struct aic_ctx *ctx, const struct aic_estimate_req *req, int want_breakdown,
                 struct aic_estimate_result *res, struct aic_error *err);

#endif
