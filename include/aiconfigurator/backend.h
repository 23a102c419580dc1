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

/* "trtllm", "vllm", "sglang". */
const char *aic_backend_name(enum aic_backend b);

/* Parses a backend name; returns -1 when unknown. */
int aic_backend_parse(const char *name);

#endif
