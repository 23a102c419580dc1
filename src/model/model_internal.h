/*
 * model_internal.h - declarations shared between the model parser and the model loader.
 *
 * Internal header (not installed).
 */
#ifndef AIC_MODEL_INTERNAL_H
#define AIC_MODEL_INTERNAL_H

#include <stddef.h>

#include "aiconfigurator/model.h"

#define AIC_PATH_MAX_MODEL 1024

/* aic_model_parse() with the file names to quote in error messages. */
int aic_model_parse_named(const char *config_json, const char *quant_json, const char *id,
                          const char *cfg_file, const char *quant_file, struct aic_model *out,
                          struct aic_error *err);

/* What a checkpoint stores, reduced to one word. */
enum ckpt_quant {
    CQ_NONE,
    CQ_FP8,
    CQ_FP8_STATIC,
    CQ_FP8_BLOCK,
    CQ_NVFP4,
    CQ_MXFP4,
    CQ_INT4_WO,  /* 4-bit integer weights, 16-bit activations (compressed-tensors W4A16): an
                  * MoE checkpoint's experts alone (Kimi K2 leaves attention and shared experts
                  * 16-bit), a dense one's every GEMM */
    CQ_INT4_ALL, /* 4-bit integer weights in every linear layer, attention and shared experts
                  * included (AWQ, GPTQ, ModelOpt W4A16_AWQ), 16-bit activations */
    CQ_INT8_WO,  /* 8-bit integer weights, 16-bit activations (GPTQ/AWQ 8-bit, W8A16) */
    CQ_SQ        /* 8-bit integer weights and activations (W8A8, SmoothQuant) */
};

/* Sets the model's quantization as a checkpoint of kind cq ships it (kv_algo: the checkpoint's
 * KV-cache algorithm, or NULL). */
void model_set_ckpt_quant(struct aic_model *m, enum ckpt_quant cq, const char *kv_algo);

/* compressed-tensors quantization_config (model_ct.c): *cq, the checkpoint kind its config
 * groups name (CQ_NONE: none), and *kv_fp8, 1 when its kv_cache_scheme is fp8. Returns 0;
 * -1 with `why` ("compressed-tensors scheme W4A8 (...) is not supported; accepted: ...") for a
 * scheme not read; -2 with `why` naming the key for a config that is malformed (config_groups
 * not an object, or missing / empty without a kv_cache_scheme; a group's weights not an
 * object; num_bits not a positive whole number). */
struct json_t;
int model_ct_quant(const struct json_t *qc, enum ckpt_quant *cq, int *kv_fp8, char *why, size_t n);

/* "missing", "null", "a string", "a number", "true/false", "an array", "an object". */
const char *model_json_kind(const struct json_t *v);

/* The bundled id a published variant of `id` derives from (model_variant.c), or NULL; *cq is
 * the quantization its suffix names (an enum ckpt_quant), or -1 when it names none. */
const char *model_variant_base(const char *models_dir, const char *id, int *cq);

#endif
