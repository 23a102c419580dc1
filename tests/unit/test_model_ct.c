/*
 * test_model_ct.c - compressed-tensors checkpoints (config.json quantization_config with
 * quant_method "compressed-tensors"): each scheme users publish maps to the quantization the
 * engine runs (gemm, moe, KV cache, fmha), on a dense and on an MoE model; every other scheme
 * is a one-line error that names it and the quant-mode flags, and a malformed config (no or
 * empty config_groups, weights not an object, a bad num_bits, quantization_config not an
 * object, modelopt without a quant_algo) one that names the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/model.h"

#define DENSE_CFG                                                                                  \
    "{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": 2, \"hidden_size\": 64, "  \
    "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "                \
    "\"quantization_config\": {\"quant_method\": \"compressed-tensors\", %s}}"
#define MOE_CFG                                                                                    \
    "{\"architectures\": [\"MixtralForCausalLM\"], \"num_hidden_layers\": 2, \"hidden_size\": "    \
    "64, \"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "            \
    "\"num_local_experts\": 8, \"num_experts_per_tok\": 2, "                                       \
    "\"quantization_config\": {\"quant_method\": \"compressed-tensors\", %s}}"

/* The dense model with any quantization_config value (JSON text). */
#define PLAIN_CFG                                                                                  \
    "{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": 2, \"hidden_size\": 64, "  \
    "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "                \
    "\"quantization_config\": %s}"

/* One config group: weights and input activations (JSON text, "null" for none). */
#define GROUP(w, a)                                                                                \
    "\"config_groups\": {\"group_0\": {\"targets\": [\"Linear\"], "                                \
    "\"weights\": " w ", \"input_activations\": " a "}}"

#define FP8_TENSOR  "{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"tensor\"}"
#define FP8_CHANNEL "{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"channel\"}"
#define FP8_TOKEN_DYN                                                                              \
    "{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"token\", \"dynamic\": true}"
#define FP8_TENSOR_STATIC                                                                          \
    "{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"tensor\", \"dynamic\": false}"
#define FP8_BLOCK_W(bs)                                                                            \
    "{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"block\", \"block_structure\": " bs "}"
#define FP8_GROUP_DYN                                                                              \
    "{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"group\", \"group_size\": 128, "        \
    "\"dynamic\": true}"
#define INT4_GROUP                                                                                 \
    "{\"num_bits\": 4, \"type\": \"int\", \"strategy\": \"group\", \"group_size\": 128}"
#define INT8_CHANNEL "{\"num_bits\": 8, \"type\": \"int\", \"strategy\": \"channel\"}"
#define INT8_TOKEN                                                                                 \
    "{\"num_bits\": 8, \"type\": \"int\", \"strategy\": \"token\", \"dynamic\": true}"
#define FP4_GROUP(g)                                                                               \
    "{\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": " g "}"
#define FP4_ACT                                                                                    \
    "{\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16, "  \
    "\"dynamic\": \"local\"}"
#define KV(s)  ", \"kv_cache_scheme\": " s
#define KV_FP8 KV("{\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"tensor\"}")

/* Parses the dense (moe = 0) or the MoE config with quantization_config fields qc. */
static int parse(int moe, const char *qc, struct aic_model *m, struct aic_error *err)
{
    char cfg[2048];
    snprintf(cfg, sizeof(cfg), moe ? MOE_CFG : DENSE_CFG, qc);
    return aic_model_parse(cfg, NULL, "x", m, err);
}

/* Each published scheme: what the model runs, dense and MoE. */
static void test_schemes(void **state)
{
    static const struct {
        const char *qc;
        int moe;
        enum aic_quant gemm, moe_q, kv, fmha;
    } cases[] = {
        /* FP8_DYNAMIC: per-channel weights, per-token dynamic activations */
        {GROUP(FP8_CHANNEL, FP8_TOKEN_DYN), 0, AIC_Q_FP8, AIC_Q_FP8, AIC_Q_FP8, AIC_Q_FP8},
        /* FP8 (static): per-tensor weights and calibrated per-tensor activation scales */
        {GROUP(FP8_TENSOR, FP8_TENSOR_STATIC), 0, AIC_Q_FP8_STATIC, AIC_Q_FP8, AIC_Q_FP8,
         AIC_Q_FP8},
        {GROUP(FP8_TENSOR, FP8_TENSOR_STATIC) KV_FP8, 1, AIC_Q_FP8_STATIC, AIC_Q_FP8, AIC_Q_FP8,
         AIC_Q_FP8},
        /* FP8_BLOCK: 128x128 weight blocks, as a list, an older "RxC" string, or left out */
        {GROUP(FP8_BLOCK_W("[128, 128]"), FP8_GROUP_DYN), 1, AIC_Q_FP8_BLOCK, AIC_Q_FP8_BLOCK,
         AIC_Q_FP8, AIC_Q_FP8},
        {GROUP(FP8_BLOCK_W("\"128x128\""), FP8_GROUP_DYN), 0, AIC_Q_FP8_BLOCK, AIC_Q_FP8_BLOCK,
         AIC_Q_FP8, AIC_Q_FP8},
        {GROUP(FP8_BLOCK_W("null"), FP8_GROUP_DYN), 0, AIC_Q_FP8_BLOCK, AIC_Q_FP8_BLOCK, AIC_Q_FP8,
         AIC_Q_FP8},
        /* W4A16: a dense model's GEMMs in int4, an MoE model's experts alone */
        {GROUP(INT4_GROUP, "null"), 0, AIC_Q_INT4_WO, AIC_Q_INT4_WO, AIC_Q_BF16, AIC_Q_BF16},
        {GROUP(INT4_GROUP, "null"), 1, AIC_Q_BF16, AIC_Q_INT4_WO, AIC_Q_BF16, AIC_Q_BF16},
        /* ... and with an fp8 KV cache, which also runs attention in fp8 */
        {GROUP(INT4_GROUP, "null") KV_FP8, 1, AIC_Q_BF16, AIC_Q_INT4_WO, AIC_Q_FP8, AIC_Q_FP8},
        /* W8A16 and W8A8 int8 */
        {GROUP(INT8_CHANNEL, "null"), 0, AIC_Q_INT8_WO, AIC_Q_INT8_WO, AIC_Q_BF16, AIC_Q_BF16},
        {GROUP(INT8_CHANNEL, INT8_TOKEN), 1, AIC_Q_SQ, AIC_Q_INT8_WO, AIC_Q_BF16, AIC_Q_BF16},
        /* NVFP4: fp4 weights and activations in groups of 16 */
        {GROUP(FP4_GROUP("16"), FP4_ACT), 0, AIC_Q_NVFP4, AIC_Q_NVFP4, AIC_Q_FP8, AIC_Q_FP8},
        {GROUP(FP4_GROUP("16"), FP4_ACT) KV("null"), 1, AIC_Q_NVFP4, AIC_Q_NVFP4, AIC_Q_FP8,
         AIC_Q_FP8},
        /* an fp8 KV cache alone; no groups at all */
        {"\"config_groups\": {}" KV_FP8, 0, AIC_Q_BF16, AIC_Q_BF16, AIC_Q_FP8, AIC_Q_FP8},
        {"\"config_groups\": null" KV_FP8, 0, AIC_Q_BF16, AIC_Q_BF16, AIC_Q_FP8, AIC_Q_FP8},
        {"\"format\": \"x\"" KV_FP8, 1, AIC_Q_BF16, AIC_Q_BF16, AIC_Q_FP8, AIC_Q_FP8},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        if (parse(cases[i].moe, cases[i].qc, &m, &err) != AIC_OK)
            fail_msg("case %zu: %s", i, err.msg);
        if (m.gemm_quant != cases[i].gemm || m.moe_quant != cases[i].moe_q ||
            m.kv_quant != cases[i].kv || m.fmha_quant != cases[i].fmha)
            fail_msg("case %zu: gemm %d moe %d kv %d fmha %d", i, m.gemm_quant, m.moe_quant,
                     m.kv_quant, m.fmha_quant);
    }
}

/* Other schemes: one line naming the scheme, what is accepted and the quant-mode flags. */
static void test_refused(void **state)
{
    static const struct {
        const char *qc, *says;
    } cases[] = {
        {GROUP(INT4_GROUP, INT8_TOKEN),
         "compressed-tensors scheme W4A8 (weights 4-bit int, group 128; activations 8-bit int, "
         "token, dynamic) is not supported"},
        {GROUP(INT4_GROUP, FP8_TOKEN_DYN), "scheme W4AFP8 (weights 4-bit int, group 128;"},
        {GROUP(FP4_GROUP("16"), "null"),
         "scheme FP4A16 (weights 4-bit float, tensor_group 16; activations 16-bit)"},
        {GROUP(FP4_GROUP("32"), FP4_ACT), "scheme FP4AFP4 (weights 4-bit float, tensor_group 32;"},
        {GROUP(FP8_CHANNEL, "null"), "scheme FP8A16 (weights 8-bit float, channel;"},
        {GROUP(FP8_BLOCK_W("[64, 64]"), FP8_GROUP_DYN), "block 64x64;"},
        {GROUP(FP8_BLOCK_W("\"128x128x2\""), FP8_GROUP_DYN), "block (block_structure unreadable);"},
        {GROUP(FP8_BLOCK_W("[128]"), FP8_GROUP_DYN), "block (block_structure unreadable);"},
        {GROUP(INT8_CHANNEL, FP8_TOKEN_DYN), "scheme W8AFP8"},
        {GROUP("{\"num_bits\": 2, \"type\": \"int\"}", "null"), "scheme W2A16 (weights 2-bit int"},
        {GROUP("{\"type\": \"int\"}", "null"), "scheme W0A16 (weights no num_bits"},
        {"\"config_groups\": {\"a\": {\"weights\": " INT4_GROUP
         "}, \"b\": {\"weights\": " FP8_CHANNEL ", \"input_activations\": " FP8_TOKEN_DYN "}}",
         "of config group 'b' beside another scheme in 'a' is not supported; accepted: one "
         "scheme for every group"},
        {GROUP(INT4_GROUP, "null") KV("{\"num_bits\": 8, \"type\": \"int\"}"),
         "compressed-tensors kv_cache_scheme of 8-bit int is not supported; accepted: 8-bit "
         "float (fp8)"},
        {GROUP(INT4_GROUP, "null") KV("{\"num_bits\": 4, \"type\": \"float\"}"),
         "kv_cache_scheme of 4-bit float is not supported"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        assert_int_equal(parse(0, cases[i].qc, &m, &err), AIC_ERR_PARSE);
        if (!strstr(err.msg, cases[i].says) || !strstr(err.msg, "config.json of model 'x': ") ||
            !strstr(err.msg, "--gemm-quant-mode, --moe-quant-mode, --kvcache-quant-mode") ||
            strchr(err.msg, '\n'))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].says);
    }
}

/* A config read as no scheme at all is malformed, not bf16: one line naming the key, saying
 * to fix it or to drop quantization_config and give the quant-mode flags. */
static void test_malformed(void **state)
{
    static const struct {
        const char *qc, *says;
    } cases[] = {
        {"\"config_groups\": null",
         "compressed-tensors quantization_config has no config_groups (and no kv_cache_scheme)"},
        {"\"format\": \"x\"", "quantization_config has no config_groups"},
        {"\"config_groups\": {}", "quantization_config has an empty config_groups"},
        {"\"config_groups\": \"W8A8\"",
         "compressed-tensors config_groups must be an object of config groups, not a string"},
        {"\"config_groups\": [\"Linear\"]" KV_FP8, "config_groups must be an object of config "
                                                   "groups, not an array"},
        {"\"config_groups\": {\"g\": [\"Linear\"]}",
         "compressed-tensors config group 'g' must be an object (weights, input_activations), "
         "not an array"},
        {"\"config_groups\": {\"g\": {\"targets\": [\"Linear\"]}}",
         "compressed-tensors config group 'g' has no weights (an object: num_bits, type, "
         "strategy)"},
        {GROUP("null", "null"), "config group 'group_0': weights must be an object (num_bits, "
                                "type, strategy), not null"},
        {GROUP("\"fp8\"", FP8_TOKEN_DYN), "config group 'group_0': weights must be an object "
                                          "(num_bits, type, strategy), not a string"},
        {GROUP("{\"num_bits\": \"8\", \"type\": \"float\", \"strategy\": \"tensor\"}",
               FP8_TOKEN_DYN),
         "compressed-tensors config group 'group_0' weights num_bits must be a positive whole "
         "number (not the string \"8\")"},
        {GROUP("{\"num_bits\": 0, \"type\": \"float\"}", "null"),
         "group 'group_0' weights num_bits must be a positive whole number (got 0)"},
        {GROUP("{\"num_bits\": -4, \"type\": \"int\"}", "null"), "num_bits must be a positive "
                                                                 "whole number (got -4)"},
        {GROUP("{\"num_bits\": 4.5, \"type\": \"int\"}", "null"), "(got 4.5)"},
        {GROUP("{\"num_bits\": true, \"type\": \"int\"}", "null"), "(not true/false)"},
        {GROUP(FP8_CHANNEL, "{\"num_bits\": \"8\", \"type\": \"float\"}"),
         "config group 'group_0' input_activations num_bits must be a positive whole number"},
        {GROUP(INT4_GROUP, "null") KV("{\"num_bits\": \"8\", \"type\": \"float\"}"),
         "compressed-tensors kv_cache_scheme num_bits must be a positive whole number (not the "
         "string \"8\")"},
        {GROUP(INT4_GROUP, "null") KV("\"fp8\""),
         "compressed-tensors kv_cache_scheme must be an object or null, not a string"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        assert_int_equal(parse(i & 1, cases[i].qc, &m, &err), AIC_ERR_PARSE);
        if (!strstr(err.msg, cases[i].says) || !strstr(err.msg, "config.json of model 'x': ") ||
            !strstr(err.msg, "; fix the config, or remove quantization_config (in a copy) and "
                             "give --gemm-quant-mode, --moe-quant-mode, --kvcache-quant-mode") ||
            strstr(err.msg, "FP0") || strstr(err.msg, "W0") || strchr(err.msg, '\n'))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].says);
    }
}

/* Outside compressed-tensors: quantization_config not an object, and quant_method modelopt
 * with no quant_algo in either file, are malformed; a null one means no quantization. */
static void test_malformed_config(void **state)
{
    static const struct {
        const char *qc, *hfq;
        int rc;
        const char *says;
    } cases[] = {
        {"\"fp8\"", NULL, AIC_ERR_PARSE,
         "config.json of model 'x': quantization_config must be an object (quant_method, ...), "
         "not a string; fix the config, or remove quantization_config"},
        {"[\"fp8\"]", NULL, AIC_ERR_PARSE, "quantization_config must be an object"},
        {"\"fp8\"", "{\"quantization\": {\"quant_algo\": \"FP8\"}}", AIC_ERR_PARSE,
         "config.json of model 'x': quantization_config must be an object"},
        {"{\"quant_method\": \"modelopt\"}", NULL, AIC_ERR_PARSE,
         "config.json of model 'x': quantization_config has quant_method 'modelopt' but no "
         "quant_algo (nor does hf_quant_config.json); add its quant_algo (FP8, FP8_BLOCK, NVFP4, "
         "MXFP4, W4A16_AWQ), or remove quantization_config (in a copy) and give "
         "--gemm-quant-mode, --moe-quant-mode, --kvcache-quant-mode"},
        {"{\"quant_method\": \"modelopt\"}", "{\"producer\": {\"name\": \"modelopt\"}}",
         AIC_ERR_PARSE, "but no quant_algo (nor does hf_quant_config.json)"},
        {"{\"quant_method\": \"modelopt\", \"quant_algo\": 8}", NULL, AIC_ERR_PARSE,
         "quantization_config quant_algo must be a string (FP8, NVFP4, ...), not a number"},
        {"null", NULL, AIC_OK, NULL},
        {"{\"quant_method\": \"modelopt\"}", "{\"quantization\": {\"quant_algo\": \"FP8\"}}",
         AIC_OK, NULL},
        {"{\"quant_method\": \"modelopt\", \"quant_algo\": null}", NULL, AIC_OK, NULL},
        {"{\"quant_method\": \"modelopt\"}",
         "{\"quantization\": {\"quant_algo\": null, \"kv_cache_quant_algo\": \"FP8\"}}", AIC_OK,
         NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char cfg[1024];
        struct aic_model m;
        struct aic_error err = {0};
        snprintf(cfg, sizeof(cfg), PLAIN_CFG, cases[i].qc);
        if (aic_model_parse(cfg, cases[i].hfq, "x", &m, &err) != cases[i].rc)
            fail_msg("case %zu: rc %d: %s", i, err.code, err.msg);
        if (cases[i].says && (!strstr(err.msg, cases[i].says) || strchr(err.msg, '\n')))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].says);
    }
}

/* hf_quant_config.json, when it names a quant_algo, is read instead of config.json's
 * quantization_config, kv_cache_scheme included. */
static void test_hf_quant_config_first(void **state)
{
    char cfg[2048];
    struct aic_model m;
    struct aic_error err = {0};
    (void)state;
    snprintf(cfg, sizeof(cfg), DENSE_CFG, GROUP(INT4_GROUP, "null") KV_FP8);
    assert_int_equal(aic_model_parse(cfg,
                                     "{\"quantization\": {\"quant_algo\": \"W4A16_AWQ\", "
                                     "\"kv_cache_quant_algo\": null}}",
                                     "x", &m, &err),
                     AIC_OK);
    assert_int_equal(m.gemm_quant, AIC_Q_INT4_WO);
    assert_int_equal(m.kv_quant, AIC_Q_BF16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemes),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_malformed_config),
        cmocka_unit_test(test_hf_quant_config_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
