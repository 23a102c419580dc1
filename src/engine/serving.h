/*
 * serving.h - phase helpers shared by static, aggregated and disaggregated serving.
 *
 * Internal header of src/engine.
 */
#ifndef AIC_ENGINE_SERVING_H
#define AIC_ENGINE_SERVING_H

#include "aiconfigurator/engine.h"

/* Prefill of b requests of the workload (TTFT of a static batch), ms. */
int aic_prefill_ms(struct aic_worker *w, const struct aic_workload *wl, double b, double *ms,
                   struct aic_error *err);

/* One decode step of b requests at KV length kv_len, ms (MTP: b x (nextn+1) tokens). */
int aic_decode_step_ms(struct aic_worker *w, double b, double kv_len, double *ms,
                       struct aic_error *err);

/* Mean decode step over the output (stride-32 quadrature), ms per step. */
int aic_tpot_strided_ms(struct aic_worker *w, const struct aic_workload *wl, double b, double *tpot,
                        struct aic_error *err);

/* Output tokens per decode step per request (1 + accepted drafts under MTP). */
double aic_accepted_per_step(const struct aic_worker *w);

/* Constants of the TTFT model for worker w (struct aic_ttft_consts): the ones its options set,
 * else its backend's fitted values (`cli validate --fit-ttft` on the calibration file): the
 * fixed overhead before a first token (HTTP, tokenizer, streaming), the engine iterations a
 * new request spends in the scheduler loop besides its own prefill step (iteration-boundary
 * admission, the overlap scheduler's one-iteration output delay), and the share of in-flight
 * prefills it finds queued ahead of it; for a decode worker of disaggregated serving, the
 * iterations between the end of a request's prefill and its first token (KV handoff). */
double aic_serving_overhead_ms(const struct aic_worker *w);
double aic_ttft_step_iters(const struct aic_worker *w);
double aic_ttft_queue_share(const struct aic_worker *w);
double aic_ttft_handoff_iters(const struct aic_worker *w);

/* The wait an aggregated worker's own HTTP front end adds to a new request per 1,000 output
 * tokens/s it streams to the other clients, ms (struct aic_ttft_consts stream_ms). */
double aic_ttft_stream_ms(const struct aic_worker *w);

/* The backend's processing of a prompt of `prompt_tokens` tokens before its prefill
 * (tokenizing, request handling between its processes), ms: prompt_ms per 1,000 tokens
 * (struct aic_ttft_consts). Part of the serving overhead, aggregated and disaggregated. */
double aic_prompt_overhead_ms(const struct aic_worker *w, double prompt_tokens);

/* Host time an aggregated worker's scheduler adds to each engine iteration with `in_flight`
 * requests per rank, ms (struct aic_ttft_consts host_ms, host_per_req_ms). */
double aic_agg_step_host_ms(const struct aic_worker *w, double in_flight);

/* Iterations TensorRT-LLM holds a prefill for attention-DP balance (env AIC_ADP_TIMEOUT_ITERS
 * overrides). */
double aic_adp_timeout_iters(void);

/* An engine's default prefill-token budget per step (SGLang: its chunked-prefill size from the
 * GPU's memory; TensorRT-LLM max_num_tokens, vLLM max_num_batched_tokens). */
#define AIC_ENGINE_TOKEN_BUDGET 8192
int aic_engine_token_budget(const struct aic_worker *w);

/* KV-cache bytes one GPU of the worker holds for one request of `tokens` tokens (windowed
 * layers capped at their window, linear-attention state included). */
double aic_worker_kv_request_bytes(const struct aic_worker *w, double tokens);

#endif
