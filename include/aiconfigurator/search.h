/*
 * search.h - find the best aggregated and disaggregated deployments of a model on a GPU
 * budget (`cli default`), or the fewest GPUs that serve a load target (`cli recommend`).
 *
 * One request (struct aic_search_req) in, one result (struct aic_search_result) out:
 * per serving mode the sweep's candidate rows, their Pareto frontier (tokens/s/gpu_cluster
 * vs tokens/s/user, or vs request latency), the top-N rows as AIConfigurator picks them,
 * and which mode wins.
 *
 * Pipeline (src/search/): space.c enumerates layouts and batch lists; agg.c and disagg.c
 * evaluate them with the engine (one struct aic_worker per layout, reused across batch
 * sizes); ratematch.c composes xPyD replicas; pick.c does cluster normalisation, SLA
 * filtering, one-row-per-layout ranking and the Pareto frontier; search.c drives it all.
 *
 * Ownership: the caller owns the request (strings borrowed for the call). aic_search_run()
 * fills a caller-owned struct aic_search_result whose arrays it allocates; release them with
 * aic_search_result_free(). Deterministic: the same request gives the same result.
 */
#ifndef AIC_SEARCH_H
#define AIC_SEARCH_H

#include <stddef.h>

#include "aiconfigurator/estimate.h"

/* Backend value meaning "sweep trtllm, vllm and sglang and merge per serving mode". */
#define AIC_BACKEND_AUTO (-1)

/* Which serving modes to sweep. */
enum aic_search_serving {
    AIC_SEARCH_AUTO = 0, /* agg and disagg */
    AIC_SEARCH_AGG,
    AIC_SEARCH_DISAGG,
};

/* Candidate lists and per-role overrides of one role (agg worker, prefill or decode pool)
 * of an experiment (`cli exp`). Zero counts / NULL / AIC_Q_NONE / has_backend 0 = the
 * search's defaults. Lists are borrowed values (copied into the struct). */
#define AIC_SPACE_MAX_LIST 32
enum aic_space_dim {
    AIC_DIM_NUM_GPU = 0,
    AIC_DIM_TP,
    AIC_DIM_PP,
    AIC_DIM_DP,
    AIC_DIM_MOE_TP,
    AIC_DIM_MOE_EP,
    AIC_DIM_COUNT
};
struct aic_search_role {
    int list[AIC_DIM_COUNT][AIC_SPACE_MAX_LIST];
    int n[AIC_DIM_COUNT];        /* 0 = default list of that dimension */
    const char *backend_version; /* NULL = the request's */
    struct aic_quant_cfg quant;  /* AIC_Q_NONE fields = the request's quant */
};
enum aic_search_role_id { AIC_ROLE_AGG = 0, AIC_ROLE_PREFILL, AIC_ROLE_DECODE, AIC_ROLE_COUNT };

/* Per-experiment overrides of the search (struct aic_search_req.space); 0 = default. */
struct aic_search_space {
    struct aic_search_role role[AIC_ROLE_COUNT];
    int replica_sizes[AIC_SPACE_MAX_LIST * 2]; /* num_gpu_per_replica; n 0 = 1,2,4,8,16..128 */
    int n_replica_sizes;
    int max_gpu_per_replica;                                      /* 0 = min(total_gpus, 128) */
    int max_prefill_workers, max_decode_workers;                  /* 0 = 32 */
    int prefill_max_batch_size, decode_max_batch_size;            /* 0 = 1 / 512 */
    double prefill_latency_correction, decode_latency_correction; /* 0 = 1.1 / 1.08 */
    double rate_match_prefill_degradation, rate_match_decode_degradation; /* 0 = .9/.92 */
    double ttft_correction_factor; /* autoscale_ttft_correction_factor; 0 = 1.8 */
};

/* Zeroes sp and sets every role's quant to AIC_Q_NONE (= the request's). */
void aic_search_space_init(struct aic_search_space *sp);

/* Index of a serving mode's experiment in struct aic_search_result.exp. */
enum aic_search_exp_id { AIC_EXP_AGG = 0, AIC_EXP_DISAGG = 1, AIC_EXP_COUNT = 2 };

struct aic_search_req {
    const char *model; /* HF id, directory or legacy name (borrowed) */
    const char *system;
    const char *decode_system;   /* NULL = system */
    int backend;                 /* enum aic_backend or AIC_BACKEND_AUTO */
    const char *backend_version; /* NULL = newest */
    enum aic_db_mode db_mode;
    int total_gpus; /* default mode: the budget (> 0); recommend: 0 */
    struct aic_workload wl;
    double ttft_ms, tpot_ms;   /* SLA */
    double request_latency_ms; /* 0 = none; else replaces tpot (end-to-end SLA) */
    int strict_sla;            /* also filter the Pareto set by the TPOT/latency bound */
    enum aic_search_serving serving;
    int top_n;                  /* rows per serving mode (default 5) */
    int pareto_sweep;           /* 1 (default): sweep the TPOT grid to build the frontier */
    struct aic_quant_cfg quant; /* overrides; AIC_Q_NONE = from the checkpoint */
    int nextn;                  /* MTP draft tokens */
    double nextn_accepted;
    double free_mem_fraction;    /* 0 = backend default */
    int max_seq_len;             /* 0 = isl + osl */
    struct aic_ttft_consts ttft; /* TTFT serving constants; set 0 = the backend's */
    int enable_chunked_prefill;
    /* recommend: exactly one > 0 turns the search into "fewest GPUs for this load" */
    double target_request_rate; /* req/s */
    double target_concurrency;  /* requests in flight */
    /* cli exp: candidate lists, per-role versions/quant, replica and batch limits,
     * corrections (borrowed; NULL = AIConfigurator's defaults) */
    const struct aic_search_space *space;
    /* Optional progress report, called from the sweep loops after each worker layout
     * (stage e.g. "agg", "disagg prefill", "disagg decode"); NULL = none. */
    void (*progress)(void *user, const char *stage, enum aic_backend backend, int done, int total);
    void *progress_user;
};

/* AIConfigurator's `cli default` defaults: isl 4000, osl 1000, ttft 2000, tpot 30, trtllm,
 * SILICON, serving auto, top_n 5, pareto_sweep on, quant from the checkpoint. */
void aic_search_req_init(struct aic_search_req *req);

/* No perf database for req's system and backend (all three for AIC_BACKEND_AUTO) along the
 * systems paths, and neither the database mode (db_mode_given) nor a version given: sets
 * req->db_mode to EMPIRICAL and *fell_back (the surface says so in its own words). */
int aic_search_req_fallback(struct aic_ctx *ctx, struct aic_search_req *req, int db_mode_given,
                            int *fell_back, struct aic_error *err);

/* One candidate deployment (one replica; agg: one worker). Throughputs count output tokens. */
struct aic_search_row {
    int exp; /* enum aic_search_exp_id */
    enum aic_backend backend;
    /* agg worker, or the prefill pool of a disagg replica */
    struct aic_layout lay;
    int bs;         /* agg: batch per attention-DP rank; disagg: prefill batch */
    int ctx_tokens; /* agg: prefill-token budget per step */
    int workers;    /* disagg: prefill workers (x); agg: 1 */
    struct aic_quant_cfg q;
    double mem_gb;       /* GiB per GPU */
    double seq_s_worker; /* disagg: prefill seq/s per worker */
    /* disagg decode pool */
    struct aic_layout d_lay;
    int d_bs, d_workers;
    struct aic_quant_cfg d_q;
    double d_mem_gb, d_seq_s_worker;
    /* metrics of one replica */
    int gpus; /* GPUs per replica */
    double ttft_ms, tpot_ms, request_latency_ms;
    double concurrency, seq_s, tokens_s, tokens_s_gpu, tokens_s_user;
    double tokens_s_gpu_cluster; /* tokens_s_gpu * floor(B/gpus) * gpus / B */
    int replicas;                /* floor(B / gpus) */
    /* agg step composition (CSV columns) */
    int num_ctx_reqs, num_gen_reqs, num_tokens, gen_tokens;
    /* recommend */
    int replicas_needed, total_gpus_needed;
    double load_served_pct; /* 100 unless a GPU cap forces partial service */
    int meets_sla;          /* tpot (or request latency) within the bound */
};

/* One serving mode's experiment. */
struct aic_search_exp {
    int ran;                     /* 0 when skipped (see note) */
    char note[256];              /* why skipped / why empty ("" otherwise) */
    struct aic_search_row *rows; /* the sweep's candidate set (deduplicated), owned */
    size_t n_rows;
    struct aic_search_row *pareto; /* frontier, sorted by x, owned */
    size_t n_pareto;
    struct aic_search_row *top; /* ranked picks, owned */
    size_t n_top;
    int top_meets_sla; /* 0: nothing met the SLA; top holds the closest rows */
    long n_evaluated;  /* engine evaluations (points) */
};

#define AIC_SEARCH_MAX_WARN 16

struct aic_search_result {
    struct aic_search_exp exp[AIC_EXP_COUNT];
    int best;       /* chosen enum aic_search_exp_id, -1 when none has rows */
    double ratio;   /* best / other rank-1 cluster throughput (0 if one mode) */
    int total_gpus; /* budget used for the cluster metric */
    char model_id[AIC_MODEL_ID_MAX];
    int is_moe;
    char system[64], decode_system[64];
    char version[AIC_BACKEND_COUNT][32]; /* perf-db version per backend ("" not run) */
    int backends_run;                    /* bit mask of enum aic_backend that produced rows */
    int request_latency_mode;            /* x axis = request latency */
    int recommend;                       /* recommend mode: ranked by total_gpus_needed */
    struct aic_search_req req;           /* copy of the request (strings not owned) */
    int n_warn;
    char warn[AIC_SEARCH_MAX_WARN][256];
    double elapsed_s;
};

int aic_search_run(struct aic_ctx *ctx, const struct aic_search_req *req,
                   struct aic_search_result *res, struct aic_error *err);
void aic_search_result_free(struct aic_search_result *res);

/* ---- building blocks (exposed for tests and the report) --------------------------- */

/* "tp4pp1" or, for MoE, "tp1pp1dp8etp1ep8". Returns buf. */
char *aic_layout_str(const struct aic_layout *l, int is_moe, char *buf, size_t n);

/* tokens/s/gpu scaled by the share of the budget whole replicas can use. */
double aic_cluster_tokens_s_gpu(double tokens_s_gpu, int gpus_per_replica, int total_gpus);

/* Pareto frontier of rows (x = tokens_s_user maximised, or request_latency_ms minimised
 * when by_latency; y = tokens_s_gpu_cluster maximised). Writes indices of the frontier,
 * sorted by x ascending, into idx (capacity n); returns their count. Allocates scratch. */
size_t aic_pareto(const struct aic_search_row *rows, size_t n, int by_latency, size_t *idx);

/* AIConfigurator's pick: rows meeting the bound (tpot <= tpot_ms, or request latency <=
 * request_latency_ms when > 0), one per layout (agg: lay; disagg: d_lay; plus backend),
 * sorted by cluster throughput desc then tokens/s/user desc; fallback when none meets it:
 * all rows by tpot ascending. Copies up to top_n rows into out; returns the count and sets
 * *met to 1 when rows met the bound. */
size_t aic_pick_top(const struct aic_search_row *rows, size_t n, double tpot_ms,
                    double request_latency_ms, int top_n, struct aic_search_row *out, int *met);

/* Rate matching of one prefill worker (seq_p seq/s, gp GPUs) and one decode worker (seq_d,
 * gd): the (x, y) in 1..max_x, 1..max_y with x*gp + y*gd an allowed replica size <=
 * max_gpus maximising min(seq_p*x*0.9, seq_d*y*0.92)/(x*gp + y*gd). Returns 0 and fills
 * x, y, or -1 when no pair fits. */
int aic_rate_match(double seq_p, int gp, double seq_d, int gd, int max_x, int max_y, int max_gpus,
                   int *x, int *y);

/* aic_rate_match with an experiment's overrides (replica sizes, max replica GPUs handled by
 * the caller via max_gpus, rate-matching degradations); sp NULL = aic_rate_match. */
int aic_rate_match_ex(double seq_p, int gp, double seq_d, int gd, int max_x, int max_y,
                      int max_gpus, const struct aic_search_space *sp, int *x, int *y);

/* Whether g GPUs is an allowed replica size ({1,2,4,8,16,24,...,128}, or any <= max when
 * max > 128). */
int aic_replica_size_allowed(int g);

#endif
