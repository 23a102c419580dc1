/*
 * perf.h - per-operation GPU latency: measured tables, speed of light, empirical model.
 *
 * A struct aic_perfdb is one (system, backend, version) database plus a database mode:
 *
 *   SILICON    measured tables only, interpolated; beyond the data, "hold utilization":
 *              latency = SOL(query) / util(nearest measured points). No data -> AIC_ERR_NODATA.
 *   HYBRID     SILICON, and where an op has no data, the EMPIRICAL value for that op.
 *   EMPIRICAL  speed of light divided by fitted efficiency coefficients
 *              (data/empirical/, produced by tools/fit_empirical); needs no tables.
 *   SOL        pure roofline.
 *
 * Tables are CSV files data/<system>/<backend>/<version>/<table>.csv (the layout of
 * ../shared/perfdb, see its README) and NCCL under data/<system>/nccl/<ver>/. Each table is
 * loaded lazily on first use and kept for the life of the database.
 *
 * Every query returns the latency in milliseconds of ONE call of the op on ONE GPU (shapes
 * are per GPU unless stated) and records where the number came from.
 *
 * Ownership: aic_perfdb_open() allocates; aic_perfdb_free() releases. The struct
 * aic_system passed to open is copied. Queries are not thread-safe while tables are still
 * being loaded lazily; call aic_perfdb_preload() first to share a database across threads.
 */
#ifndef AIC_PERF_H
#define AIC_PERF_H

#include "aiconfigurator/backend.h"
#include "aiconfigurator/error.h"
#include "aiconfigurator/quant.h"
#include "aiconfigurator/system.h"

enum aic_db_mode {
    AIC_DB_SILICON = 0,
    AIC_DB_HYBRID,
    AIC_DB_EMPIRICAL,
    AIC_DB_SOL,
};

/* "SILICON", ...; parse is case-insensitive and returns -1 when unknown. */
const char *aic_db_mode_name(enum aic_db_mode m);
int aic_db_mode_parse(const char *name);

/* Where a latency came from. */
enum aic_prov {
    AIC_PROV_MEASURED = 0, /* exact table hit */
    AIC_PROV_INTERPOLATED, /* between measured points */
    AIC_PROV_EXTRAPOLATED, /* beyond the data, scaled by speed of light */
    AIC_PROV_EMPIRICAL,    /* SOL / fitted efficiency */
    AIC_PROV_SOL,          /* roofline */
    AIC_PROV_ANALYTIC,     /* closed-form memory/P2P formula (norms, embedding, P2P) */
    AIC_PROV_COUNT
};
const char *aic_prov_name(enum aic_prov p);

struct aic_lat {
    double ms;
    enum aic_prov prov;
};

struct aic_perfdb;

/*
 * Opens the database of `sys` for `backend`. `version` NULL or "" = the newest version
 * folder present. Fails with AIC_ERR_NOTFOUND ("no perf data for h100_sxm/vllm 0.99;
 * available: 0.24.0") when the folder is missing and mode is SILICON or HYBRID; in
 * EMPIRICAL and SOL modes a missing folder is fine. Loads no table yet.
 */
int aic_perfdb_open(const struct aic_system *sys, enum aic_backend backend, const char *version,
                    enum aic_db_mode mode, struct aic_perfdb **out, struct aic_error *err);
void aic_perfdb_free(struct aic_perfdb *db);

/* Loads every table now (for timing, or before sharing across threads), on up to 4 threads
 * (no more than the CPUs online); the first error met is returned. */
int aic_perfdb_preload(struct aic_perfdb *db, struct aic_error *err);

/* Loads the named tables (file names without .csv, e.g. "gemm_perf") now, the same way: a
 * run that knows which tables it will read gets them at once. Tables already loaded, without
 * a file or not named so are skipped. A table that fails to load reports that same error
 * again on every later use. */
int aic_perfdb_prefetch(struct aic_perfdb *db, const char *const *tables, int n,
                        struct aic_error *err);

/* Whether a measured table exists for this database (file present), e.g. "moe_perf". */
int aic_perfdb_has_table(struct aic_perfdb *db, const char *table);

/* The version folder in use ("" when none), the mode, the system. */
const char *aic_perfdb_version(const struct aic_perfdb *db);
enum aic_db_mode aic_perfdb_mode(const struct aic_perfdb *db);
const struct aic_system *aic_perfdb_system(const struct aic_perfdb *db);
enum aic_backend aic_perfdb_backend(const struct aic_perfdb *db);

/* Lists version folders for (sys, backend), newest first, comma-separated into buf. */
int aic_perfdb_versions(const struct aic_system *sys, enum aic_backend backend, char *buf,
                        size_t len);

/* ---- queries: one call, one GPU, milliseconds ---------------------------------------- */

/* C[m x n] = A[m x k] B[k x n] in quant q. fp8_static is the fp8 row less the activation
 * scale computation (computescale_perf), floored at speed of light. */
int aic_perf_gemm(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                  struct aic_lat *out, struct aic_error *err);

/* The same GEMM when its input arrives already quantized (an output or down projection after
 * a kernel that writes fp8): fp8_static also drops the input quantization (scale_matrix_perf).
 * Other quant modes answer as aic_perf_gemm. */
int aic_perf_gemm_quantized_input(struct aic_perfdb *db, enum aic_quant q, double m, double n,
                                  double k, struct aic_lat *out, struct aic_error *err);

/* Prefill attention for b sequences of s tokens (no prefix), per-GPU heads n and n_kv,
 * head dimension d, sliding window w (0 = full). */
int aic_perf_context_attention(struct aic_perfdb *db, enum aic_quant fmha, enum aic_quant kv,
                               double b, double s, int n, int n_kv, int d, int w,
                               struct aic_lat *out, struct aic_error *err);

/* One decode step for b sequences whose KV length (isl+step axis) is s. */
int aic_perf_generation_attention(struct aic_perfdb *db, enum aic_quant kv, double b, double s,
                                  int n, int n_kv, int d, int w, struct aic_lat *out,
                                  struct aic_error *err);

/* DeepSeek MLA kernels (heads = per-GPU query heads; tables use 128/tp convention). */
int aic_perf_context_mla(struct aic_perfdb *db, enum aic_quant fmha, enum aic_quant kv, double b,
                         double s, int heads, struct aic_lat *out, struct aic_error *err);
int aic_perf_generation_mla(struct aic_perfdb *db, enum aic_quant kv, double b, double s, int heads,
                            struct aic_lat *out, struct aic_error *err);

/* Whole MLA attention module per layer (mla_*_module_perf); gemm = projection quant. */
int aic_perf_mla_module(struct aic_perfdb *db, int is_context, enum aic_quant fmha,
                        enum aic_quant kv, enum aic_quant gemm, double b, double s, int heads,
                        struct aic_lat *out, struct aic_error *err);

/* Absorbed-MLA BMMs: is_pre 1 = mla_gen_pre, 0 = mla_gen_post. */
int aic_perf_mla_bmm(struct aic_perfdb *db, enum aic_quant q, int is_pre, double tokens, int heads,
                     struct aic_lat *out, struct aic_error *err);

/* Routed-expert MoE compute on one rank for `tokens` tokens in total (already multiplied
 * by attention-DP), full-model h, inter, topk, experts; distribution e.g. "power_law_1.2". */
int aic_perf_moe(struct aic_perfdb *db, enum aic_quant q, const char *distribution, double tokens,
                 int hidden, int inter, int topk, int experts, int moe_tp, int moe_ep, int gated,
                 struct aic_lat *out, struct aic_error *err);

/* SGLang wide expert parallelism (DeepEP), SILICON tables only: expert compute on one of
 * `ep` ranks for `tokens` tokens in total (all attention-DP ranks), prefill or decode kernel;
 * AIC_ERR_NODATA when the shape was not collected. */
int aic_perf_wideep_moe(struct aic_perfdb *db, enum aic_quant q, const char *distribution,
                        int is_context, double tokens, int hidden, int inter, int topk, int experts,
                        int ep, struct aic_lat *out, struct aic_error *err);

/* DeepEP dispatch (is_dispatch 1) or combine of `tokens` tokens per rank over `ep` ranks:
 * normal kernels in prefill, low-latency kernels in decode. */
int aic_perf_deepep(struct aic_perfdb *db, int is_context, int is_dispatch, double tokens,
                    int hidden, int topk, int experts, int ep, struct aic_lat *out,
                    struct aic_error *err);

/* TensorRT-LLM wide expert parallelism, SILICON tables only: expert compute on one of `ep`
 * ranks for `tokens` tokens in total (wideep_moe_perf, no EPLB: slots = experts), and the
 * NVLink all-to-all of `tokens` tokens per rank (is_pre 1: prepare + dispatch; 0: combine). */
int aic_perf_trtllm_wideep_moe(struct aic_perfdb *db, enum aic_quant q, const char *distribution,
                               double tokens, int hidden, int inter, int topk, int experts, int ep,
                               struct aic_lat *out, struct aic_error *err);
int aic_perf_trtllm_alltoall(struct aic_perfdb *db, enum aic_quant q, int is_pre, double tokens,
                             int hidden, int topk, int experts, int ep, struct aic_lat *out,
                             struct aic_error *err);

/* Custom all-reduce of `elements` bf16 elements over tp GPUs (0 when tp <= 1). */
int aic_perf_allreduce(struct aic_perfdb *db, double elements, int tp, struct aic_lat *out,
                       struct aic_error *err);

/* NCCL collective: op is "all_gather", "all_reduce", "reduce_scatter" or "alltoall";
 * `elements` in units of the comm dtype q (AIC_Q_HALF or AIC_Q_INT8/AIC_Q_FP8). */
int aic_perf_nccl(struct aic_perfdb *db, enum aic_quant q, const char *op, double elements,
                  int n_gpus, struct aic_lat *out, struct aic_error *err);

/* Analytic ops: a memory-bound kernel moving `bytes` (norms, activations, embedding);
 * a pipeline point-to-point transfer of `bytes`. */
void aic_perf_mem_op(struct aic_perfdb *db, double bytes, struct aic_lat *out);
void aic_perf_p2p(struct aic_perfdb *db, double bytes, struct aic_lat *out);

/* Speed-of-light helpers (ms), shared with the fitting tool. */
double aic_sol_gemm(const struct aic_system *sys, enum aic_quant q, double m, double n, double k);

#endif
