/*
 * test_model.c - model loading: bundled ids, legacy names, family and dimensions,
 * default quantization from the checkpoint, and the error messages for unknown ids,
 * unsupported architectures and malformed JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "aiconfigurator/model.h"

static void load_ok(const char *name, struct aic_model *m)
{
    struct aic_error err = {0};
    int rc = aic_model_load(name, NULL, m, &err);
    if (rc != AIC_OK)
        fail_msg("loading %s: %s", name, err.msg);
}

static void test_qwen3_32b(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("Qwen/Qwen3-32B", &m);
    assert_string_equal(m.id, "Qwen/Qwen3-32B");
    assert_string_equal(m.architecture, "Qwen3ForCausalLM");
    assert_int_equal(m.family, AIC_FAMILY_DENSE);
    assert_int_equal(m.num_layers, 64);
    assert_int_equal(m.hidden_size, 5120);
    assert_int_equal(m.num_heads, 64);
    assert_int_equal(m.num_kv_heads, 8);
    assert_int_equal(m.head_dim, 128);
    assert_int_equal(m.inter_size, 25600);
    assert_int_equal(m.vocab_size, 151936);
    assert_int_equal(m.qk_norm, 1);
    assert_int_equal(m.num_experts, 0);
    assert_int_equal(m.sliding_window, 0);
    assert_int_equal(m.gemm_quant, AIC_Q_BF16);
    assert_int_equal(m.kv_quant, AIC_Q_BF16);
    assert_string_equal(aic_family_name(m.family), "dense");
}

static void test_case_insensitive_id(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("qwen/qwen3-32b", &m);
    assert_string_equal(m.id, "Qwen/Qwen3-32B");
    assert_int_equal(m.num_layers, 64);
}

static void test_deepseek_v3(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("deepseek-ai/DeepSeek-V3", &m);
    assert_int_equal(m.family, AIC_FAMILY_MLA_MOE);
    assert_int_equal(m.num_layers, 61);
    assert_int_equal(m.hidden_size, 7168);
    assert_int_equal(m.num_heads, 128);
    assert_int_equal(m.num_experts, 256);
    assert_int_equal(m.topk, 8);
    assert_int_equal(m.moe_inter_size, 2048);
    assert_int_equal(m.num_shared_experts, 1);
    assert_int_equal(m.first_k_dense, 3);
    assert_int_equal(m.kv_lora_rank, 512);
    assert_int_equal(m.q_lora_rank, 1536);
    assert_int_equal(m.qk_rope_head_dim, 64);
    assert_int_equal(m.num_nextn_predict_layers, 1);
    assert_int_equal(m.vocab_size, 129280);
    assert_int_equal(m.gemm_quant, AIC_Q_FP8_BLOCK);
    assert_int_equal(m.moe_quant, AIC_Q_FP8_BLOCK);
    assert_int_equal(m.kv_quant, AIC_Q_FP8);
    assert_int_equal(m.fmha_quant, AIC_Q_FP8);
}

static void test_gpt_oss_120b(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("openai/gpt-oss-120b", &m);
    assert_int_equal(m.family, AIC_FAMILY_MOE);
    assert_int_equal(m.num_layers, 36);
    assert_int_equal(m.num_experts, 128);
    assert_int_equal(m.topk, 4);
    assert_int_equal(m.moe_inter_size, 2880);
    assert_int_equal(m.head_dim, 64);
    assert_int_equal(m.sliding_window, 128);
    assert_int_equal(m.num_sliding_layers, 18);
    assert_int_equal(m.gemm_quant, AIC_Q_BF16);
    assert_int_equal(m.moe_quant, AIC_Q_W4A16_MXFP4);
}

/* MiniMax-M2 normalises q and k over all heads ("per_layer"); Qwen3 per head. */
static void test_qk_norm_kinds(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("MiniMaxAI/MiniMax-M2.5", &m);
    assert_int_equal(m.qk_norm, 2);
    assert_int_equal(m.num_layers, 62);
    load_ok("Qwen/Qwen3-32B", &m);
    assert_int_equal(m.qk_norm, 1);
    load_ok("meta-llama/Llama-3.1-70B", &m);
    assert_int_equal(m.qk_norm, 0);
}

/* Qwen3.5: 45 of 60 layers are Gated DeltaNet linear attention; full layers gate their output. */
static void test_gated_deltanet_dims(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("Qwen/Qwen3.5-397B-A17B", &m);
    assert_int_equal(m.num_layers, 60);
    assert_int_equal(m.num_linear_attn_layers, 45);
    assert_int_equal(m.lin_k_heads, 16);
    assert_int_equal(m.lin_v_heads, 64);
    assert_int_equal(m.lin_k_dim, 128);
    assert_int_equal(m.lin_v_dim, 128);
    assert_int_equal(m.lin_conv, 4);
    assert_int_equal(m.attn_output_gate, 1);
    load_ok("Qwen/Qwen3-32B", &m);
    assert_int_equal(m.lin_v_heads, 0);
    assert_int_equal(m.attn_output_gate, 0);
}

/* GLM-5: DeepSeek sparse attention (indexer of 32 heads x 128, top 2048 keys); DeepSeek-V3
 * attends densely. */
static void test_sparse_attention_dims(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("zai-org/GLM-5", &m);
    assert_int_equal(m.family, AIC_FAMILY_MLA_MOE);
    assert_int_equal(m.index_heads, 32);
    assert_int_equal(m.index_head_dim, 128);
    assert_int_equal(m.index_topk, 2048);
    assert_int_equal(m.qk_nope_head_dim, 192);
    assert_int_equal(m.v_head_dim, 256);
    load_ok("deepseek-ai/DeepSeek-V3", &m);
    assert_int_equal(m.index_topk, 0);
}

static void test_legacy_name(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("QWEN3_32B", &m);
    assert_string_equal(m.id, "Qwen/Qwen3-32B");
    assert_int_equal(m.inter_size, 25600);
    load_ok("LLAMA3.1_70B", &m);
    assert_int_equal(m.num_layers, 80);
    assert_int_equal(m.vocab_size, 128256);
}

static void test_alias(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("meta-llama/Meta-Llama-3.1-8B", &m);
    assert_string_equal(m.id, "meta-llama/Meta-Llama-3.1-8B");
    assert_int_equal(m.inter_size, 14336);
    load_ok("zhipuai/GLM-5", &m);
    assert_int_equal(m.family, AIC_FAMILY_MLA_MOE);
}

/* Published variants of bundled models: the bundled config under the requested id, with the
 * quantization the suffix names; architecture-changing names stay unknown. */
static void test_published_variants(void **state)
{
    static const struct {
        const char *id, *config_of;
        enum aic_quant gemm, moe;
        int layers;
    } cases[] = {
        {"nvidia/Llama-3.3-70B-Instruct-FP8", "meta-llama/Llama-3.3-70B-Instruct", AIC_Q_FP8_STATIC,
         AIC_Q_FP8, 80},
        {"RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8-dynamic", "meta-llama/Meta-Llama-3.1-8B-Instruct",
         AIC_Q_FP8, AIC_Q_FP8, 32},
        {"deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1", AIC_Q_FP8_BLOCK,
         AIC_Q_FP8_BLOCK, 61},
        {"nvidia/DeepSeek-R1-0528-FP4", "deepseek-ai/DeepSeek-R1", AIC_Q_NVFP4, AIC_Q_NVFP4, 61},
        {"Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "Qwen/Qwen3-235B-A22B", AIC_Q_FP8_BLOCK,
         AIC_Q_FP8_BLOCK, 94},
        {"Qwen/Qwen3-30B-A3B-Instruct-2507", "Qwen/Qwen3-30B-A3B", AIC_Q_BF16, AIC_Q_BF16, 48},
        {"nvidia/Qwen3-30B-A3B-Thinking-2507-FP4", "Qwen/Qwen3-30B-A3B-Thinking-2507", AIC_Q_NVFP4,
         AIC_Q_NVFP4, 48},
        {"moonshotai/Kimi-K2-Instruct-0905", "moonshotai/Kimi-K2-Instruct", AIC_Q_FP8_BLOCK,
         AIC_Q_FP8_BLOCK, 61},
        {"zai-org/GLM-4.5-Air-FP8", "zai-org/GLM-4.5-Air", AIC_Q_FP8_BLOCK, AIC_Q_FP8_BLOCK, 46},
    };
    static const char *const unknown[] = {"moonshotai/Kimi-K2-Reasoner",
                                          "mistralai/Mistral-7B-Instruct-v0.4",
                                          "zai-org/GLM-4.5-Flash", "deepseek-ai/DeepSeek-V3.3"};
    struct aic_model m;
    struct aic_error err = {0};
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load_ok(cases[i].id, &m);
        assert_string_equal(m.id, cases[i].id);
        assert_string_equal(m.config_of, cases[i].config_of);
        assert_int_equal(m.gemm_quant, cases[i].gemm);
        assert_int_equal(m.moe_quant, cases[i].moe);
        assert_int_equal(m.num_layers, cases[i].layers);
    }
    load_ok("Qwen/Qwen3-32B", &m);
    assert_string_equal(m.config_of, "");
    load_ok("moonshotai/Kimi-K2-Thinking", &m); /* bundled: INT4 experts, not the fp8 sibling */
    assert_int_equal(m.moe_quant, AIC_Q_INT4_WO);
    assert_int_equal(m.gemm_quant, AIC_Q_BF16);
    load_ok("deepseek-ai/DeepSeek-V3.2", &m); /* alias of the bundled V3.2-Exp */
    assert_int_equal(m.index_topk, 2048);
    assert_int_equal(m.index_heads, 64);
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        assert_int_equal(aic_model_load(unknown[i], NULL, &m, &err), AIC_ERR_USAGE);
}

static void test_unknown_id(void **state)
{
    struct aic_model m;
    struct aic_error err = {0};
    (void)state;
    assert_int_equal(aic_model_load("Qwen/Qwen3-33B", NULL, &m, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "unknown model 'Qwen/Qwen3-33B'"));
    assert_non_null(strstr(err.msg, "closest bundled ids: "));
    assert_non_null(strstr(err.msg, "Qwen/Qwen3-32B"));
    assert_non_null(strstr(err.msg, "config.json"));
}

/* Bad config.json text: the status and the words the one-line message must carry. */
static void test_bad_configs(void **state)
{
    static const struct {
        const char *cfg;
        int rc;
        const char *says[2];
    } cases[] = {
        {"{\n  \"architectures\": [\"LlamaForCausalLM\"],\n  \"hidden_size\": ,\n}",
         AIC_ERR_PARSE,
         {"line 3", "column"}},
        {"{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": 2,"
         "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 8}",
         AIC_ERR_PARSE,
         {"hidden_size", NULL}},
        {"{\"architectures\": [\"BertModel\"], \"num_hidden_layers\": 2}",
         AIC_ERR_USAGE,
         {"BertModel", "LlamaForCausalLM"}},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        assert_int_equal(aic_model_parse(cases[i].cfg, NULL, "x", &m, &err), cases[i].rc);
        for (int k = 0; k < 2 && cases[i].says[k]; k++)
            assert_non_null(strstr(err.msg, cases[i].says[k]));
    }
}

/* A small Llama config: layers, hidden size and heads as JSON text, then more fields. */
#define LLAMA(layers, hidden, heads, more)                                                         \
    "{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": " layers                   \
    ", \"hidden_size\": " hidden ", \"num_attention_heads\": " heads                               \
    ", \"vocab_size\": 100, \"intermediate_size\": 128" more "}"

/* Dimensions that are present but unusable: each refused (AIC_ERR_PARSE) with the key named. */
static void test_bad_dims(void **state)
{
    static const struct {
        const char *cfg;
        const char *says[2];
    } cases[] = {
        {LLAMA("2", "64", "4", ", \"num_key_value_heads\": 0"),
         {"'num_key_value_heads' must be positive", "got 0"}},
        {LLAMA("2", "64", "4", ", \"num_key_value_heads\": -2"),
         {"'num_key_value_heads' must be positive", "got -2"}},
        {LLAMA("0", "64", "4", ""), {"'num_hidden_layers' must be positive", NULL}},
        {LLAMA("2", "-64", "4", ""), {"'hidden_size' must be positive", NULL}},
        {LLAMA("2", "64", "30", ", \"num_key_value_heads\": 8"),
         {"num_attention_heads 30 is not a multiple of num_key_value_heads 8", NULL}},
        {LLAMA("2", "64", "4", ", \"num_key_value_heads\": 8"),
         {"is not a multiple of num_key_value_heads 8", NULL}},
        {LLAMA("2", "\"4096\"", "4", ""), {"'hidden_size' must be a number", NULL}},
        {LLAMA("2", "64", "4", ", \"head_dim\": true"), {"'head_dim' must be a number", NULL}},
        {LLAMA("99999999999", "64", "4", ""),
         {"'num_hidden_layers' is out of range for an integer", "99999999999"}},
        {LLAMA("2", "64", "4", ", \"max_position_embeddings\": 1e30"),
         {"'max_position_embeddings' is out of range", NULL}},
        {LLAMA("2", "64.5", "4", ""), {"'hidden_size' must be a whole number", NULL}},
        {LLAMA("2", "64", "4", ", \"sliding_window\": -1"),
         {"'sliding_window' must not be negative", NULL}},
        {"{\"architectures\": [\"GPT2LMHeadModel\"], \"n_layer\": 2, \"n_embd\": 64,"
         "\"n_head\": 0, \"vocab_size\": 100}",
         {"'n_head' must be positive", NULL}},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        assert_int_equal(aic_model_parse(cases[i].cfg, NULL, "x", &m, &err), AIC_ERR_PARSE);
        assert_non_null(strstr(err.msg, "config.json of model 'x'"));
        for (int k = 0; k < 2 && cases[i].says[k]; k++)
            if (!strstr(err.msg, cases[i].says[k]))
                fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].says[k]);
    }
}

/* quant_algo / quant_method: every known spelling maps; an unknown one is refused by name. */
static void test_quant_algos(void **state)
{
    static const struct {
        const char *more, *hfq;
        int rc;
        enum aic_quant gemm, moe, kv;
    } cases[] = {
        /* a dense int4 checkpoint has int4 GEMMs (an MoE one, int4 experts alone) */
        {"", "{\"quantization\": {\"quant_algo\": \"W4A16_AWQ\"}}", AIC_OK, AIC_Q_INT4_WO,
         AIC_Q_INT4_WO, AIC_Q_BF16},
        {", \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4}", NULL, AIC_OK,
         AIC_Q_INT4_WO, AIC_Q_INT4_WO, AIC_Q_BF16},
        {", \"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 8}", NULL, AIC_OK,
         AIC_Q_INT8_WO, AIC_Q_INT8_WO, AIC_Q_BF16},
        {", \"quantization_config\": {\"quant_method\": \"compressed-tensors\", "
         "\"config_groups\": {\"g\": {\"weights\": {\"num_bits\": 8, \"type\": \"int\"}, "
         "\"input_activations\": {\"num_bits\": 8, \"type\": \"int\"}}}}",
         NULL, AIC_OK, AIC_Q_SQ, AIC_Q_INT8_WO, AIC_Q_BF16},
        {"", "{\"quantization\": {\"quant_algo\": \"NVFP4_AWQ\"}}", AIC_OK, AIC_Q_NVFP4,
         AIC_Q_NVFP4, AIC_Q_FP8},
        {"", "{\"quantization\": {\"quant_algo\": \"fp8_block_scales\"}}", AIC_OK, AIC_Q_FP8_BLOCK,
         AIC_Q_FP8_BLOCK, AIC_Q_FP8},
        {"", "{\"quantization\": {\"quant_algo\": null, \"kv_cache_quant_algo\": \"FP8\"}}", AIC_OK,
         AIC_Q_BF16, AIC_Q_BF16, AIC_Q_FP8},
        {", \"quantization_config\": {\"quant_method\": \"modelopt\", \"quant_algo\": \"FP8\"}",
         NULL, AIC_OK, AIC_Q_FP8, AIC_Q_FP8, AIC_Q_FP8},
        {", \"quantization_config\": {\"quant_method\": \"fp8\", \"activation_scheme\": "
         "\"static\"}",
         NULL, AIC_OK, AIC_Q_FP8_STATIC, AIC_Q_FP8, AIC_Q_FP8},
        {"", "{\"quantization\": {\"quant_algo\": \"FP17\"}}", AIC_ERR_PARSE, 0, 0, 0},
        {", \"quantization_config\": {\"quant_algo\": \"FP17\"}", NULL, AIC_ERR_PARSE, 0, 0, 0},
        {", \"quantization_config\": {\"quant_method\": \"modelopt\", \"quant_algo\": \"FP17\"}",
         NULL, AIC_ERR_PARSE, 0, 0, 0},
        {", \"quantization_config\": {\"quant_method\": \"fp17\"}", NULL, AIC_ERR_PARSE, 0, 0, 0},
    };
    char cfg[512];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        snprintf(cfg, sizeof(cfg), LLAMA("2", "64", "4", "%s"), cases[i].more);
        assert_int_equal(aic_model_parse(cfg, cases[i].hfq, "x", &m, &err), cases[i].rc);
        if (cases[i].rc == AIC_OK) {
            assert_int_equal(m.gemm_quant, cases[i].gemm);
            assert_int_equal(m.moe_quant, cases[i].moe);
            assert_int_equal(m.kv_quant, cases[i].kv);
            continue;
        }
        assert_non_null(strstr(err.msg, cases[i].hfq ? "hf_quant_config.json" : "config.json"));
        assert_non_null(strcasestr(err.msg, "'FP17' is not supported; accepted: "));
        assert_non_null(
            strstr(err.msg, cases[i].hfq || strstr(cases[i].more, "algo") ? "NVFP4" : "modelopt"));
    }
    /* the KV-cache algorithm too: FP8 or none, nothing else */
    snprintf(cfg, sizeof(cfg), LLAMA("2", "64", "4", "%s"), "");
    {
        struct aic_model m;
        struct aic_error err = {0};
        const char *kv = "{\"quantization\": {\"quant_algo\": \"FP8\", "
                         "\"kv_cache_quant_algo\": \"FP17\"}}";
        assert_int_equal(aic_model_parse(cfg, kv, "x", &m, &err), AIC_ERR_PARSE);
        assert_non_null(strstr(err.msg, "hf_quant_config.json"));
        assert_non_null(strstr(err.msg, "kv_cache_quant_algo 'FP17' is not supported"));
        kv = "{\"quantization\": {\"quant_algo\": \"FP8\", \"kv_cache_quant_algo\": \"FP8\"}}";
        assert_int_equal(aic_model_parse(cfg, kv, "x", &m, &err), AIC_OK);
        assert_int_equal(m.kv_quant, AIC_Q_FP8);
    }
}

/* A name that reads as a path and does not exist: "no such model directory", not the
 * closest bundled ids (kept for ids and legacy names). */
static void test_missing_path(void **state)
{
    static const char *const paths[] = {"./no/such/dir", "/no/such/dir", "../no_such_dir",
                                        "~/no/such/dir", "no/such/dir"};
    struct aic_model m;
    (void)state;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct aic_error err = {0};
        assert_int_equal(aic_model_load(paths[i], NULL, &m, &err), AIC_ERR_NOTFOUND);
        assert_non_null(strstr(err.msg, "no such model directory"));
        assert_non_null(strstr(err.msg, paths[i]));
        assert_null(strstr(err.msg, "closest"));
    }
    {
        struct aic_error err = {0};
        assert_int_equal(aic_model_load("QWEN3_33B", NULL, &m, &err), AIC_ERR_USAGE);
        assert_non_null(strstr(err.msg, "closest bundled ids"));
    }
}

static void test_head_dim_default_and_text_config(void **state)
{
    struct aic_model m;
    struct aic_error err = {0};
    const char *cfg = "{\"architectures\": [\"KimiK25ForConditionalGeneration\"],"
                      "\"text_config\": {\"num_hidden_layers\": 4, \"hidden_size\": 1024,"
                      "\"num_attention_heads\": 8, \"vocab_size\": 1000,"
                      "\"intermediate_size\": 2048, \"n_routed_experts\": 16,"
                      "\"num_experts_per_tok\": 2, \"moe_intermediate_size\": 256,"
                      "\"kv_lora_rank\": 128}}";
    (void)state;
    assert_int_equal(aic_model_parse(cfg, NULL, "k", &m, &err), AIC_OK);
    assert_int_equal(m.family, AIC_FAMILY_MLA_MOE);
    assert_int_equal(m.head_dim, 128);
    assert_int_equal(m.num_kv_heads, 8);
    assert_int_equal(m.num_experts, 16);
    assert_int_equal(m.kv_lora_rank, 128);
}

static void test_hf_quant_config(void **state)
{
    struct aic_model m;
    struct aic_error err = {0};
    const char *cfg = "{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": 2,"
                      "\"hidden_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": 100,"
                      "\"intermediate_size\": 128}";
    const char *q = "{\"quantization\": {\"quant_algo\": \"NVFP4\", "
                    "\"kv_cache_quant_algo\": \"FP8\"}}";
    (void)state;
    assert_int_equal(aic_model_parse(cfg, q, "x", &m, &err), AIC_OK);
    assert_int_equal(m.gemm_quant, AIC_Q_NVFP4);
    assert_int_equal(m.kv_quant, AIC_Q_FP8);
    assert_int_equal(m.head_dim, 16);
}

static void test_local_dir(void **state)
{
    char dir[] = "/tmp/aic_model_XXXXXX", path[256];
    struct aic_model m;
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/config.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"architectures\": [\"Qwen2ForCausalLM\"], \"num_hidden_layers\": 3,"
          "\"hidden_size\": 256, \"num_attention_heads\": 4, \"num_key_value_heads\": 2,"
          "\"vocab_size\": 100, \"intermediate_size\": 512, \"sliding_window\": 4096,"
          "\"use_sliding_window\": false}",
          f);
    fclose(f);
    load_ok(dir, &m);
    assert_string_equal(m.id, dir);
    assert_int_equal(m.num_layers, 3);
    assert_int_equal(m.sliding_window, 0);
    load_ok(path, &m);
    assert_int_equal(m.num_kv_heads, 2);
    unlink(path);
    rmdir(dir);
}

/* The model ids of the measured end-to-end deployments (calibration set). */
static void test_calibration_ids_resolve(void **state)
{
    static const char *const ids[] = {
        "MiniMaxAI/MiniMax-M2.5",
        "Qwen/Qwen3-235B-A22B-FP8",
        "Qwen/Qwen3-32B",
        "Qwen/Qwen3.5-397B-A17B",
        "deepseek-ai/DeepSeek-R1",
        "deepseek-ai/DeepSeek-V3",
        "meta-llama/Llama-3.1-70B",
        "meta-llama/Llama-3.1-8B-Instruct",
        "moonshotai/Kimi-K2.5",
        "nvidia/DeepSeek-R1-NVFP4",
        "nvidia/DeepSeek-V3.1-NVFP4",
        "nvidia/Llama-3.1-8B-Instruct-FP8",
        "nvidia/Qwen3-32B-NVFP4",
        "openai/gpt-oss-120b",
        "zhipuai/GLM-5",
    };
    struct aic_model m;
    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        load_ok(ids[i], &m);
    load_ok("Qwen/Qwen3.5-397B-A17B", &m);
    assert_int_equal(m.family, AIC_FAMILY_MOE);
    assert_int_equal(m.num_layers, 60);
    assert_int_equal(m.num_linear_attn_layers, 45);
    assert_int_equal(m.num_experts, 512);
    assert_int_equal(m.topk, 10);
    assert_int_equal(m.head_dim, 256);
    load_ok("moonshotai/Kimi-K2.5", &m);
    assert_int_equal(m.family, AIC_FAMILY_MLA_MOE);
    assert_int_equal(m.num_experts, 384);
    assert_int_equal(m.num_heads, 64);
    assert_int_equal(m.moe_quant, AIC_Q_INT4_WO);
    load_ok("nvidia/DeepSeek-R1-NVFP4", &m);
    assert_int_equal(m.gemm_quant, AIC_Q_NVFP4);
    assert_int_equal(m.moe_quant, AIC_Q_NVFP4);
    assert_int_equal(m.kv_quant, AIC_Q_FP8);
    load_ok("nvidia/Llama-3.1-8B-Instruct-FP8", &m);
    assert_int_equal(m.gemm_quant, AIC_Q_FP8);
    load_ok("zai-org/GLM-4.6", &m);
    assert_int_equal(m.family, AIC_FAMILY_MOE);
    assert_int_equal(m.num_experts, 160);
}

static void test_every_bundled_model_loads(void **state)
{
    int n = aic_model_bundled_count(NULL);
    (void)state;
    assert_true(n >= 10);
    for (int i = 0; i < n; i++) {
        struct aic_model m;
        const char *id = aic_model_bundled_id(NULL, i);
        assert_non_null(id);
        if (i > 0)
            assert_true(strcasecmp(aic_model_bundled_id(NULL, i - 1), id) < 0);
        load_ok(id, &m);
        assert_true(m.num_layers > 0 && m.hidden_size > 0 && m.head_dim > 0);
        assert_true(m.num_kv_heads > 0 && m.num_kv_heads <= m.num_heads);
        if (m.family == AIC_FAMILY_MOE || m.family == AIC_FAMILY_MLA_MOE)
            assert_true(m.num_experts >= m.topk && m.topk > 0 && m.moe_inter_size > 0);
    }
    assert_null(aic_model_bundled_id(NULL, n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qwen3_32b),
        cmocka_unit_test(test_case_insensitive_id),
        cmocka_unit_test(test_deepseek_v3),
        cmocka_unit_test(test_gpt_oss_120b),
        cmocka_unit_test(test_qk_norm_kinds),
        cmocka_unit_test(test_gated_deltanet_dims),
        cmocka_unit_test(test_sparse_attention_dims),
        cmocka_unit_test(test_legacy_name),
        cmocka_unit_test(test_alias),
        cmocka_unit_test(test_unknown_id),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_bad_dims),
        cmocka_unit_test(test_quant_algos),
        cmocka_unit_test(test_missing_path),
        cmocka_unit_test(test_head_dim_default_and_text_config),
        cmocka_unit_test(test_hf_quant_config),
        cmocka_unit_test(test_local_dir),
        cmocka_unit_test(test_published_variants),
        cmocka_unit_test(test_calibration_ids_resolve),
        cmocka_unit_test(test_every_bundled_model_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
