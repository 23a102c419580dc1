/*
 * api.h - the one request/response JSON API shared by the web app, the Python module
 * (python/aiconfigurator, over ctypes) and any other foreign-function caller.
 *
 *   request:  {"op": "estimate", "model_path": "Qwen/Qwen3-32B", "system": "h100_sxm", ...}
 *   response: {"ok": true, "result": {...}, "warnings": [...]}
 *          or {"ok": false, "error": {"code": "usage", "message": "..."}}
 *
 * Ops: estimate, default, recommend, exp, generate, support, models, systems, version.
 * Parameters use the command line's names in snake_case (model_path, system, backend, isl,
 * osl, tp_size, ...); null means "not given". Every request may carry "systems_paths"
 * (else env AIC_SYSTEMS_PATHS, else the bundled specs). Results:
 *   estimate           the `cli estimate --json` object
 *   default/recommend  the `cli default --json` document (aic_report_json())
 *   exp                the `cli exp --json` document (aic_exp_report_json()) of the experiments
 *                      in yaml_path or config (the YAML mapping as an object, or YAML text)
 *   generate           {"output_dir", "tp", "pp", "replicas", "gpus_used", ..., "files"}
 *   support            {"agg_supported", "disagg_supported", ...} or a "matrix" for "all"
 *   models / systems   lists of bundled model ids / systems with their perf-db versions
 * Error codes: usage, not_found, parse, no_data, oom, nomem, io, runtime (error.h's
 * AIC_ERR_*). src/api/README.md lists every op's parameters.
 *
 * Only the AIC_API functions are exported from libaiconfigurator.so (built with
 * -fvisibility=hidden); the others are for programs linking the static library.
 *
 * Ownership: *response_json is malloc'd by the library and released with aic_api_free().
 * The library never prints; a request never crashes it (bad input is a structured error).
 */
#ifndef AIC_API_H
#define AIC_API_H

#include "aiconfigurator/estimate.h"

#if defined(__GNUC__)
#define AIC_API __attribute__((visibility("default")))
#else
#define AIC_API
#endif

/* Runs one request. Always sets *response_json (NULL only when even the error response
 * could not be allocated). Returns 0 when the response says ok, else the AIC_ERR_* code. */
AIC_API int aic_api_call(const char *request_json, char **response_json);

/* Frees a response (NULL is fine). */
AIC_API void aic_api_free(void *p);

/* Library version ("0.1.0"). Static storage. */
AIC_API const char *aic_api_version(void);

/* aic_api_call() with a caller-owned context (the web server and the Python module keep one
 * across requests so models, systems and perf databases are loaded once). ctx NULL = a fresh
 * context per call. With a ctx, a request's systems_paths must be absent (the ctx already has
 * its paths). One call at a time per context: callers on several threads hold a lock. */
AIC_API int aic_api_call_ctx(struct aic_ctx *ctx, const char *request_json, char **response_json);

/* A context for aic_api_call_ctx() over systems_paths (comma-separated folders or "default";
 * NULL = the environment variable AIC_SYSTEMS_PATHS, else the bundled specs). What one request
 * loads stays loaded for the next, also a local model directory's config.json as first read:
 * free the context to see files that changed. NULL when out of memory. */
AIC_API struct aic_ctx *aic_api_ctx_new(const char *systems_paths);

/* Frees a context from aic_api_ctx_new() and everything it loaded (NULL is fine). */
AIC_API void aic_api_ctx_free(struct aic_ctx *ctx);

/* The `cli estimate --json` document of one estimate, pretty-printed (malloc'd; caller
 * frees; NULL when out of memory). Layouts are shown as the engine resolves them (is_moe:
 * the model is MoE). detail adds the per-op "breakdown". */
char *aic_estimate_json(const struct aic_estimate_req *req, const struct aic_estimate_result *res,
                        int is_moe, int detail);

/* The layout as the engine runs it, for display: dense models get moe 1/1; moe_tp/moe_ep
 * left at 0 (auto) become moe_tp 1, moe_ep tp*dp, or tp*dp divided by the one given. */
struct aic_layout aic_resolve_moe(struct aic_layout lay, int is_moe);

/* ---- request arguments every surface shares (src/api/req_args.c) -------------------- */

/* How a surface spells keys in its messages: "--nextn-accepted" or "nextn_accepted". */
enum aic_key_style { AIC_KEYS_FLAGS, AIC_KEYS_JSON };

/* The quantization modes as the user gave them (borrowed; NULL or "" = the checkpoint's). */
struct aic_quant_args {
    const char *gemm, *kv, *fmha, *moe, *comm;
};

/* Parses the five quant modes into q. Unknown -> AIC_ERR_USAGE ("unknown --gemm-quant-mode
 * 'x' (valid: ...)"). */
int aic_req_quant(const struct aic_quant_args *a, enum aic_key_style keys, struct aic_quant_cfg *q,
                  struct aic_error *err);

/* MTP: nextn -1 (auto) takes m's MTP layers (m may be NULL otherwise); nextn > 0 needs
 * accepted_given, and accepted must not exceed nextn (else AIC_ERR_USAGE). *out: nextn. */
int aic_req_nextn(const struct aic_model *m, int nextn, double accepted, int accepted_given,
                  enum aic_key_style keys, int *out, struct aic_error *err);

/* JSON code of an AIC_ERR_* status ("usage", "not_found", ...). Never NULL. */
const char *aic_api_error_code(int status);

#endif
