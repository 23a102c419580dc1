/*
 * backend.h - the serving frameworks we model (TensorRT-LLM, vLLM, SGLang).
 */
#ifndef AIC_BACKEND_H
#define AIC_BACKEND_H

enum aic_backend {
    AIC_BACKEND_TRTLLM = 0,
    AIC_BACKEND_VLLM,
    AIC_BACKEND_SGLANG,
    AIC_BACKEND_COUNT
};

/* TensorRT-LLM attention_dp_config for aggregated attention DP: prefills wait until every DP
 * rank has one, at most this many iterations (enable_balance, batching_wait_iters 0). The
 * generated engine configs set it and the engine's TTFT model assumes it. */
#define AIC_TRTLLM_ADP_TIMEOUT_ITERS 60

/* vLLM on Blackwell runs MXFP4 experts (gpt-oss) with bf16 activations unless this variable
 * is 1, which selects FlashInfer's MXFP8-activation kernels (TensorRT-LLM's and SGLang's
 * default there).
 * The engine models the MXFP8 kernels and the generated vLLM workers set the variable. */
#define AIC_VLLM_MXFP8_MOE_ENV "VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8"

/* "trtllm", "vllm", "sglang". */
const char *aic_backend_name(enum aic_backend b);

/* Parses a backend name; returns -1 when unknown. */
int aic_backend_parse(const char *name);

#endif
