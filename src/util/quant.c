/*
 * quant.c - the table of quantization modes (bytes per element, compute dtype, uses).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aiconfigurator/quant.h"

#define G AIC_QUSE_GEMM
#define M AIC_QUSE_MOE
#define F AIC_QUSE_FMHA
#define K AIC_QUSE_KV
#define C AIC_QUSE_COMM

static const struct aic_quant_info quant_table[AIC_Q_COUNT] = {
    {AIC_Q_BF16, "bfloat16", 2.0, AIC_COMPUTE_BF16, G | M | F | K},
    {AIC_Q_FP16, "float16", 2.0, AIC_COMPUTE_BF16, F},
    {AIC_Q_FP8, "fp8", 1.0, AIC_COMPUTE_FP8, G | M | F | K | C},
    {AIC_Q_FP8_STATIC, "fp8_static", 1.0, AIC_COMPUTE_FP8, G},
    {AIC_Q_FP8_BLOCK, "fp8_block", 1.0, AIC_COMPUTE_FP8, G | M | F},
    {AIC_Q_INT8_WO, "int8_wo", 1.0, AIC_COMPUTE_BF16, G | M},
    {AIC_Q_INT4_WO, "int4_wo", 0.5, AIC_COMPUTE_BF16, G | M},
    {AIC_Q_SQ, "sq", 1.0, AIC_COMPUTE_INT8, G},
    {AIC_Q_NVFP4, "nvfp4", 9.0 / 16.0, AIC_COMPUTE_FP4, G | M},
    {AIC_Q_NVFP4_WO, "nvfp4_wo", 9.0 / 16.0, AIC_COMPUTE_BF16, G | M},
    {AIC_Q_W4AFP8, "w4afp8", 0.5, AIC_COMPUTE_FP8, M},
    {AIC_Q_W4A16_MXFP4, "w4a16_mxfp4", 0.5, AIC_COMPUTE_BF16, M},
    {AIC_Q_W4A8_MXFP4_MXFP8, "w4a8_mxfp4_mxfp8", 0.5, AIC_COMPUTE_FP8, M},
    {AIC_Q_INT8, "int8", 1.0, AIC_COMPUTE_INT8, K | C},
    {AIC_Q_HALF, "half", 2.0, AIC_COMPUTE_BF16, C},
};

static const struct {
    const char *alias;
    enum aic_quant q;
} quant_aliases[] = {
    {"bf16", AIC_Q_BF16},         {"fp16", AIC_Q_FP16},   {"float8", AIC_Q_FP8},
    {"fp8_tensor", AIC_Q_FP8},    {"fp4", AIC_Q_NVFP4},   {"mxfp4", AIC_Q_W4A16_MXFP4},
    {"w4a16", AIC_Q_W4A16_MXFP4}, {"bfloat", AIC_Q_BF16}, {"int4", AIC_Q_INT4_WO},
};

const struct aic_quant_info *aic_quant_info(enum aic_quant q)
{
    if ((int)q < 0 || q >= AIC_Q_COUNT)
        return NULL;
    return &quant_table[q];
}

enum aic_quant aic_quant_parse(const char *name, unsigned use)
{
    size_t i;

    if (!name)
        return AIC_Q_NONE;
    for (i = 0; i < AIC_Q_COUNT; i++)
        if (!strcasecmp(name, quant_table[i].name))
            break;
    if (i < AIC_Q_COUNT) {
        /* "bfloat16" doubles as "half" for communication */
        if (use == AIC_QUSE_COMM && i == AIC_Q_BF16)
            return AIC_Q_HALF;
        return (quant_table[i].uses & use) ? quant_table[i].id : AIC_Q_NONE;
    }
    for (i = 0; i < sizeof(quant_aliases) / sizeof(quant_aliases[0]); i++)
        if (!strcasecmp(name, quant_aliases[i].alias)) {
            enum aic_quant q = quant_aliases[i].q;
            if (use == AIC_QUSE_COMM && q == AIC_Q_BF16)
                return AIC_Q_HALF;
            return (quant_table[q].uses & use) ? q : AIC_Q_NONE;
        }
    return AIC_Q_NONE;
}

const char *aic_quant_names(unsigned use)
{
    static char buf[5][256];
    int slot = use == AIC_QUSE_GEMM   ? 0
               : use == AIC_QUSE_MOE  ? 1
               : use == AIC_QUSE_FMHA ? 2
               : use == AIC_QUSE_KV   ? 3
                                      : 4;
    size_t n = 0;

    buf[slot][0] = 0;
    for (size_t i = 0; i < AIC_Q_COUNT; i++) {
        if (!(quant_table[i].uses & use))
            continue;
        n += (size_t)snprintf(buf[slot] + n, sizeof(buf[slot]) - n, "%s%s", n ? ", " : "",
                              quant_table[i].name);
        if (n >= sizeof(buf[slot]))
            break;
    }
    return buf[slot];
}

double aic_quant_bytes(enum aic_quant q)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    return qi ? qi->bytes_per_elem : 2.0;
}

enum aic_compute aic_quant_compute(enum aic_quant q)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    return qi ? qi->compute : AIC_COMPUTE_BF16;
}
