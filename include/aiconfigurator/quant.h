/*
 * quant.h - quantization modes of GEMMs, MoE experts, attention (FMHA), KV cache and
 * communication, with their bytes per element and the tensor-core dtype they compute in.
 *
 * One table (src/util/quant.c) holds every mode; code walks it instead of branching.
 * Names are the ones NVIDIA AIConfigurator's users type (`fp8_block`, `nvfp4`, ...).
 */
#ifndef AIC_QUANT_H
#define AIC_QUANT_H

enum aic_quant {
    AIC_Q_NONE = -1, /* not set: infer from the model checkpoint */
    AIC_Q_BF16 = 0,  /* bfloat16 */
    AIC_Q_FP16,      /* float16 (fmha) */
    AIC_Q_FP8,       /* per-tensor fp8 (dynamic) */
    AIC_Q_FP8_STATIC,
    AIC_Q_FP8_BLOCK,
    AIC_Q_INT8_WO,
    AIC_Q_INT4_WO,
    AIC_Q_SQ, /* SmoothQuant w8a8 int8 */
    AIC_Q_NVFP4,
    AIC_Q_NVFP4_WO, /* nvfp4 weights, bf16 compute (nvfp4 on pre-Blackwell) */
    AIC_Q_W4AFP8,
    AIC_Q_W4A16_MXFP4,
    AIC_Q_W4A8_MXFP4_MXFP8,
    AIC_Q_INT8, /* kv cache / comm */
    AIC_Q_HALF, /* comm: 16-bit */
    AIC_Q_COUNT
};

/* The tensor-core dtype an op computes in; indexes struct aic_system.tc_flops. */
enum aic_compute {
    AIC_COMPUTE_BF16 = 0,
    AIC_COMPUTE_FP8,
    AIC_COMPUTE_INT8,
    AIC_COMPUTE_FP4,
    AIC_COMPUTE_COUNT
};

/* Which op families a mode is valid for (bit mask). */
enum aic_quant_use {
    AIC_QUSE_GEMM = 1,
    AIC_QUSE_MOE = 2,
    AIC_QUSE_FMHA = 4,
    AIC_QUSE_KV = 8,
    AIC_QUSE_COMM = 16,
};

struct aic_quant_info {
    enum aic_quant id;
    const char *name;      /* canonical name, also the perf table's dtype string */
    double bytes_per_elem; /* memory footprint per element (nvfp4: 9/16) */
    enum aic_compute compute;
    unsigned uses; /* enum aic_quant_use bits */
};

/* The row for q; NULL for AIC_Q_NONE or out of range. */
const struct aic_quant_info *aic_quant_info(enum aic_quant q);

/* Parses a user-typed name (case-insensitive, a few aliases such as "bf16", "float8")
 * valid for `use`. Returns AIC_Q_NONE when unknown. */
enum aic_quant aic_quant_parse(const char *name, unsigned use);

/* Comma-separated list of the valid names for `use` (static storage). */
const char *aic_quant_names(unsigned use);

/* Convenience: bytes per element and compute dtype (bf16 for AIC_Q_NONE). */
double aic_quant_bytes(enum aic_quant q);
enum aic_compute aic_quant_compute(enum aic_quant q);

#endif
