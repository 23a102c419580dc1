/*
 * test_model_ids.c - Hugging Face ids resolved by the bundle beyond its first set: new bundled
 * configs (Mistral, Llama 3.2, QwQ, Qwen3-4B, Qwen3-Coder-30B-A3B, Qwen3.5 27B to 122B-A10B,
 * Qwen3-VL), aliases (DeepSeek-R1 distillations, MiniMax-M2.1, DeepSeek-V3.1-Terminus, later
 * releases on an unchanged architecture), quantization suffixes of published variants (-AWQ,
 * -GPTQ-Int4/8, a revision after the suffix) and version tags that must not cross (Mistral-7B
 * v0.1/v0.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "aiconfigurator/model.h"

static void load_ok(const char *name, struct aic_model *m)
{
    struct aic_error err = {0};
    int rc = aic_model_load(name, NULL, m, &err);
    if (rc != AIC_OK)
        fail_msg("loading %s: %s", name, err.msg);
}

/* Dimensions as the models publish them. */
static void test_dims(void **state)
{
    static const struct {
        const char *id, *arch;
        enum aic_family family;
        int layers, hidden, heads, kv_heads, head_dim, inter, vocab, max_pos, experts, topk, window,
            sliding_layers;
    } cases[] = {
        {"MiniMaxAI/MiniMax-M2.1", "MiniMaxM2ForCausalLM", AIC_FAMILY_MOE, 62, 3072, 48, 8, 128,
         1536, 200064, 196608, 256, 8, 0, 0},
        {"deepseek-ai/DeepSeek-V3.1-Terminus", "DeepseekV3ForCausalLM", AIC_FAMILY_MLA_MOE, 61,
         7168, 128, 128, 56, 18432, 129280, 163840, 256, 8, 0, 0},
        {"deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "LlamaForCausalLM", AIC_FAMILY_DENSE, 80,
         8192, 64, 8, 128, 28672, 128256, 131072, 0, 0, 0, 0},
        {"deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "LlamaForCausalLM", AIC_FAMILY_DENSE, 32, 4096,
         32, 8, 128, 14336, 128256, 131072, 0, 0, 0, 0},
        {"deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "Qwen2ForCausalLM", AIC_FAMILY_DENSE, 64, 5120,
         40, 8, 128, 27648, 152064, 131072, 0, 0, 0, 0},
        {"deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "Qwen2ForCausalLM", AIC_FAMILY_DENSE, 48, 5120,
         40, 8, 128, 13824, 152064, 131072, 0, 0, 0, 0},
        {"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "Qwen2ForCausalLM", AIC_FAMILY_DENSE, 28, 3584,
         28, 4, 128, 18944, 152064, 131072, 0, 0, 0, 0},
        /* Qwen3-Coder-30B-A3B: Qwen3-30B-A3B's dimensions, a 262,144-token context */
        {"Qwen/Qwen3-Coder-30B-A3B-Instruct", "Qwen3MoeForCausalLM", AIC_FAMILY_MOE, 48, 2048, 32,
         4, 128, 6144, 151936, 262144, 128, 8, 0, 0},
        /* Qwen3.5's smaller releases: three Gated DeltaNet layers to one gated full-attention
         * layer, as in the bundled 397B-A17B */
        {"Qwen/Qwen3.5-27B", "Qwen3_5ForConditionalGeneration", AIC_FAMILY_DENSE, 64, 5120, 24, 4,
         256, 17408, 248320, 262144, 0, 0, 0, 0},
        {"Qwen/Qwen3.5-35B-A3B", "Qwen3_5MoeForConditionalGeneration", AIC_FAMILY_MOE, 40, 2048, 16,
         2, 256, 512, 248320, 262144, 256, 8, 0, 0},
        {"Qwen/Qwen3.5-122B-A10B", "Qwen3_5MoeForConditionalGeneration", AIC_FAMILY_MOE, 48, 3072,
         32, 2, 256, 1024, 248320, 262144, 256, 8, 0, 0},
        /* Qwen3-VL: the language model (text_config) of the wrapper, the vision tower aside */
        {"Qwen/Qwen3-VL-30B-A3B-Instruct", "Qwen3VLMoeForConditionalGeneration", AIC_FAMILY_MOE, 48,
         2048, 32, 4, 128, 6144, 151936, 262144, 128, 8, 0, 0},
        {"Qwen/Qwen3-VL-235B-A22B-Thinking", "Qwen3VLMoeForConditionalGeneration", AIC_FAMILY_MOE,
         94, 4096, 64, 4, 128, 12288, 151936, 262144, 128, 8, 0, 0},
        {"Qwen/Qwen3-4B", "Qwen3ForCausalLM", AIC_FAMILY_DENSE, 36, 2560, 32, 8, 128, 9728, 151936,
         40960, 0, 0, 0, 0},
        {"Qwen/QwQ-32B", "Qwen2ForCausalLM", AIC_FAMILY_DENSE, 64, 5120, 40, 8, 128, 27648, 152064,
         40960, 0, 0, 0, 0},
        /* v0.1: every layer in a 4096-token window, 32000 tokens; v0.2 full attention; v0.3
         * full attention and a 32768-token vocabulary */
        {"mistralai/Mistral-7B-v0.1", "MistralForCausalLM", AIC_FAMILY_DENSE, 32, 4096, 32, 8, 128,
         14336, 32000, 32768, 0, 0, 4096, 32},
        {"mistralai/Mistral-7B-Instruct-v0.1", "MistralForCausalLM", AIC_FAMILY_DENSE, 32, 4096, 32,
         8, 128, 14336, 32000, 32768, 0, 0, 4096, 32},
        {"mistralai/Mistral-7B-Instruct-v0.2", "MistralForCausalLM", AIC_FAMILY_DENSE, 32, 4096, 32,
         8, 128, 14336, 32000, 32768, 0, 0, 0, 0},
        {"mistralai/Mistral-7B-Instruct-v0.3", "MistralForCausalLM", AIC_FAMILY_DENSE, 32, 4096, 32,
         8, 128, 14336, 32768, 32768, 0, 0, 0, 0},
        {"mistralai/Mistral-7B-v0.3", "MistralForCausalLM", AIC_FAMILY_DENSE, 32, 4096, 32, 8, 128,
         14336, 32768, 32768, 0, 0, 0, 0},
        {"mistralai/Mistral-Small-24B-Instruct-2501", "MistralForCausalLM", AIC_FAMILY_DENSE, 40,
         5120, 32, 8, 128, 32768, 131072, 32768, 0, 0, 0, 0},
        {"mistralai/Mistral-Large-Instruct-2411", "MistralForCausalLM", AIC_FAMILY_DENSE, 88, 12288,
         96, 8, 128, 28672, 32768, 131072, 0, 0, 0, 0},
        {"mistralai/Mistral-Large-Instruct-2407", "MistralForCausalLM", AIC_FAMILY_DENSE, 88, 12288,
         96, 8, 128, 28672, 32768, 131072, 0, 0, 0, 0},
        /* head_dim 128 with hidden 5120 and 32 heads (not 5120 / 32 = 160) */
        {"mistralai/Mistral-Nemo-Instruct-2407", "MistralForCausalLM", AIC_FAMILY_DENSE, 40, 5120,
         32, 8, 128, 14336, 131072, 1024000, 0, 0, 0, 0},
        {"meta-llama/Llama-3.2-1B-Instruct", "LlamaForCausalLM", AIC_FAMILY_DENSE, 16, 2048, 32, 8,
         64, 8192, 128256, 131072, 0, 0, 0, 0},
        {"meta-llama/Llama-3.2-3B-Instruct", "LlamaForCausalLM", AIC_FAMILY_DENSE, 28, 3072, 24, 8,
         128, 8192, 128256, 131072, 0, 0, 0, 0},
        {"microsoft/phi-4", "Phi3ForCausalLM", AIC_FAMILY_DENSE, 40, 5120, 40, 10, 128, 17920,
         100352, 16384, 0, 0, 0, 0},
    };
    struct aic_model m;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load_ok(cases[i].id, &m);
        assert_string_equal(m.id, cases[i].id);
        assert_string_equal(m.architecture, cases[i].arch);
        assert_int_equal(m.family, cases[i].family);
        assert_int_equal(m.num_layers, cases[i].layers);
        assert_int_equal(m.hidden_size, cases[i].hidden);
        assert_int_equal(m.num_heads, cases[i].heads);
        assert_int_equal(m.num_kv_heads, cases[i].kv_heads);
        assert_int_equal(m.head_dim, cases[i].head_dim);
        assert_int_equal(m.inter_size, cases[i].inter);
        assert_int_equal(m.vocab_size, cases[i].vocab);
        assert_int_equal(m.max_position_embeddings, cases[i].max_pos);
        assert_int_equal(m.num_experts, cases[i].experts);
        assert_int_equal(m.topk, cases[i].topk);
        assert_int_equal(m.sliding_window, cases[i].window);
        assert_int_equal(m.num_sliding_layers, cases[i].sliding_layers);
    }
    load_ok("deepseek-ai/DeepSeek-V3.1-Terminus", &m); /* MLA, block fp8 as published */
    assert_int_equal(m.kv_lora_rank, 512);
    assert_int_equal(m.num_shared_experts, 1);
    assert_int_equal(m.first_k_dense, 3);
    assert_int_equal(m.gemm_quant, AIC_Q_FP8_BLOCK);
    load_ok("MiniMaxAI/MiniMax-M2.1", &m);
    assert_int_equal(m.moe_quant, AIC_Q_FP8_BLOCK);
    assert_int_equal(m.qk_norm, 2);
    load_ok("Qwen/Qwen3.5-27B", &m);
    assert_int_equal(m.num_linear_attn_layers, 48);
    assert_int_equal(m.lin_v_heads, 48);
    assert_int_equal(m.attn_output_gate, 1);
    load_ok("Qwen/Qwen3.5-35B-A3B", &m);
    assert_int_equal(m.num_linear_attn_layers, 30);
    assert_int_equal(m.lin_v_heads, 32);
    assert_int_equal(m.moe_inter_size, 512);
    load_ok("Qwen/Qwen3.5-122B-A10B", &m);
    assert_int_equal(m.num_linear_attn_layers, 36);
    assert_int_equal(m.lin_v_heads, 64);
    load_ok("meta-llama/Llama-3.2-1B-Instruct", &m);
    assert_int_equal(m.gemm_quant, AIC_Q_BF16);
}

/* Quantization suffixes: the bundled config (config_of) with the checkpoint's quantization, as
 * a quantization_config of that method would give (-AWQ and -GPTQ: int4 in every linear layer,
 * the attention of an MoE model included). */
static void test_quant_suffixes(void **state)
{
    static const struct {
        const char *id, *config_of;
        enum aic_quant gemm, moe, kv;
        int layers, inter;
    } cases[] = {
        {"Qwen/Qwen3-32B-AWQ", "Qwen/Qwen3-32B", AIC_Q_INT4_WO, AIC_Q_INT4_WO, AIC_Q_BF16, 64,
         25600},
        {"Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-7B", AIC_Q_INT4_WO, AIC_Q_INT4_WO,
         AIC_Q_BF16, 28, 18944},
        {"Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8", "Qwen/Qwen2.5-7B", AIC_Q_INT8_WO, AIC_Q_INT8_WO,
         AIC_Q_BF16, 28, 18944},
        {"Qwen/Qwen2.5-32B-Instruct-AWQ", "Qwen/Qwen2.5-32B", AIC_Q_INT4_WO, AIC_Q_INT4_WO,
         AIC_Q_BF16, 64, 27648},
        {"Qwen/QwQ-32B-AWQ", "Qwen/QwQ-32B", AIC_Q_INT4_WO, AIC_Q_INT4_WO, AIC_Q_BF16, 64, 27648},
        {"hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4",
         "meta-llama/Meta-Llama-3.1-8B-Instruct", AIC_Q_INT4_WO, AIC_Q_INT4_WO, AIC_Q_BF16, 32,
         14336},
        {"Qwen/Qwen3-30B-A3B-GPTQ-Int4", "Qwen/Qwen3-30B-A3B", AIC_Q_INT4_WO, AIC_Q_INT4_WO,
         AIC_Q_BF16, 48, 6144},
        /* a revision after the quantization suffix */
        {"nvidia/DeepSeek-R1-0528-FP4-v2", "deepseek-ai/DeepSeek-R1", AIC_Q_NVFP4, AIC_Q_NVFP4,
         AIC_Q_FP8, 61, 18432},
        {"nvidia/DeepSeek-V3.1-Terminus-NVFP4", "deepseek-ai/DeepSeek-V3.1-Terminus", AIC_Q_NVFP4,
         AIC_Q_NVFP4, AIC_Q_FP8, 61, 18432},
        {"RedHatAI/Mistral-7B-Instruct-v0.3-FP8", "mistralai/Mistral-7B-Instruct-v0.3",
         AIC_Q_FP8_STATIC, AIC_Q_FP8, AIC_Q_FP8, 32, 14336},
        {"RedHatAI/DeepSeek-R1-Distill-Llama-70B-FP8-dynamic",
         "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", AIC_Q_FP8, AIC_Q_FP8, AIC_Q_FP8, 80, 28672},
        /* release tags still dropped */
        {"deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1", AIC_Q_FP8_BLOCK,
         AIC_Q_FP8_BLOCK, AIC_Q_FP8, 61, 18432},
        {"mistralai/Mistral-7B-v0.2", "mistralai/Mistral-7B-Instruct-v0.2", AIC_Q_BF16, AIC_Q_BF16,
         AIC_Q_BF16, 32, 14336},
    };
    struct aic_model m;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load_ok(cases[i].id, &m);
        assert_string_equal(m.id, cases[i].id);
        assert_string_equal(m.config_of, cases[i].config_of);
        assert_int_equal(m.gemm_quant, cases[i].gemm);
        assert_int_equal(m.moe_quant, cases[i].moe);
        assert_int_equal(m.kv_quant, cases[i].kv);
        assert_int_equal(m.num_layers, cases[i].layers);
        assert_int_equal(m.inter_size, cases[i].inter);
    }
    /* a version tag keeps its own config: v0.2 is not v0.1's window */
    load_ok("mistralai/Mistral-7B-v0.2", &m);
    assert_int_equal(m.sliding_window, 0);
    assert_int_equal(m.vocab_size, 32000);
}

/* Qwen2.5-72B-Instruct's AWQ and GPTQ checkpoints are bundled: their MLP is padded to 29696
 * for the 128-wide groups, and their quantization_config (awq 4 bits, gptq 4 or 8 bits) gives
 * the same integer weight-only GEMMs as the suffix rule. */
static void test_bundled_awq_gptq(void **state)
{
    static const struct {
        const char *id;
        enum aic_quant gemm;
    } cases[] = {
        {"Qwen/Qwen2.5-72B-Instruct-AWQ", AIC_Q_INT4_WO},
        {"Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4", AIC_Q_INT4_WO},
        {"Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8", AIC_Q_INT8_WO},
    };
    struct aic_model m;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load_ok(cases[i].id, &m);
        assert_string_equal(m.config_of, "");
        assert_int_equal(m.num_layers, 80);
        assert_int_equal(m.hidden_size, 8192);
        assert_int_equal(m.num_heads, 64);
        assert_int_equal(m.num_kv_heads, 8);
        assert_int_equal(m.inter_size, 29696);
        assert_int_equal(m.max_position_embeddings, 32768);
        assert_int_equal(m.gemm_quant, cases[i].gemm);
        assert_int_equal(m.kv_quant, AIC_Q_BF16);
    }
    load_ok("Qwen/Qwen2.5-72B-GPTQ-Int4", &m); /* not bundled: the base config, unpadded */
    assert_string_equal(m.config_of, "Qwen/Qwen2.5-72B");
    assert_int_equal(m.inter_size, 29568);
    assert_int_equal(m.gemm_quant, AIC_Q_INT4_WO);
}

/* Later releases on an unchanged architecture (GLM-5.1, Kimi-K2.6, MiniMax-M2.7, Qwen3.6-35B-A3B)
 * load every field of their predecessor's config but the id and, where the release states its
 * own, the context length. */
static void test_same_architecture(void **state)
{
    static const struct {
        const char *id, *sibling;
        int max_pos;
    } cases[] = {
        {"zai-org/GLM-5.1", "zai-org/GLM-5", 202752},
        {"zai-org/GLM-5.1-FP8", "zai-org/GLM-5-FP8", 202752},
        {"moonshotai/Kimi-K2.6", "moonshotai/Kimi-K2.5", 262144},
        {"MiniMaxAI/MiniMax-M2.7", "MiniMaxAI/MiniMax-M2.5", 204800},
        {"Qwen/Qwen3.6-35B-A3B", "Qwen/Qwen3.5-35B-A3B", 262144},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model a, b;
        load_ok(cases[i].id, &a);
        load_ok(cases[i].sibling, &b);
        assert_string_equal(a.id, cases[i].id);
        assert_int_equal(a.max_position_embeddings, cases[i].max_pos);
        memcpy(a.id, b.id, sizeof(a.id));
        a.max_position_embeddings = b.max_position_embeddings;
        if (memcmp(&a, &b, sizeof(a)) != 0)
            fail_msg("%s differs from %s beyond its id and context", cases[i].id, cases[i].sibling);
    }
}

/* A dense Qwen3-VL checkpoint brought as a local config: its text_config is the language model,
 * with Qwen3's per-head q/k norm. */
static void test_qwen3_vl_dense(void **state)
{
    static const char cfg[] =
        "{\"architectures\": [\"Qwen3VLForConditionalGeneration\"], \"text_config\": {"
        "\"num_hidden_layers\": 36, \"hidden_size\": 4096, \"num_attention_heads\": 32, "
        "\"num_key_value_heads\": 8, \"head_dim\": 128, \"intermediate_size\": 12288, "
        "\"vocab_size\": 151936, \"max_position_embeddings\": 262144}, "
        "\"vision_config\": {\"depth\": 27}}";
    struct aic_model m;
    struct aic_error err = {0};
    (void)state;
    assert_int_equal(aic_model_parse(cfg, NULL, "vl-8b", &m, &err), AIC_OK);
    assert_int_equal(m.family, AIC_FAMILY_DENSE);
    assert_int_equal(m.qk_norm, 1);
    assert_int_equal(m.num_layers, 36);
    assert_int_equal(m.inter_size, 12288);
    assert_int_equal(m.max_position_embeddings, 262144);
}

/* Unknown ids still fail naming the closest bundled ones; a version no bundled release has
 * does not borrow another version's config. */
static void test_unknown_ids(void **state)
{
    static const char *const unknown[] = {
        "mistralai/Mistral-7B-Instruct-v0.4", "Qwen/QwQ-32B-Preview",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-33B", "mistralai/Mistral-Huge-Instruct-2411"};
    struct aic_model m;
    struct aic_error err = {0};
    (void)state;
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        assert_int_equal(aic_model_load(unknown[i], NULL, &m, &err), AIC_ERR_USAGE);
        assert_non_null(strstr(err.msg, "unknown model"));
        assert_non_null(strstr(err.msg, "closest bundled ids: "));
    }
    aic_model_load("mistralai/Mistral-7B-Instruct-v0.4", NULL, &m, &err);
    assert_non_null(strstr(err.msg, "mistralai/Mistral-7B-Instruct-v0.3"));
    aic_model_load("deepseek-ai/DeepSeek-R1-Distill-Qwen-33B", NULL, &m, &err);
    assert_non_null(strstr(err.msg, "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"));
}

/* The listing (list_models, the web page) names the new ids, aliases included. */
static void test_listing(void **state)
{
    static const char *const ids[] = {
        "MiniMaxAI/MiniMax-M2.1",
        "deepseek-ai/DeepSeek-V3.1-Terminus",
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
        "Qwen/QwQ-32B",
        "Qwen/Qwen2.5-72B-Instruct-AWQ",
        "Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4",
        "Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8",
        "mistralai/Mistral-7B-v0.1",
        "mistralai/Mistral-7B-Instruct-v0.1",
        "mistralai/Mistral-7B-Instruct-v0.2",
        "mistralai/Mistral-7B-Instruct-v0.3",
        "mistralai/Mistral-7B-v0.3",
        "mistralai/Mistral-Small-24B-Instruct-2501",
        "mistralai/Mistral-Large-Instruct-2411",
        "mistralai/Mistral-Large-Instruct-2407",
        "mistralai/Mistral-Nemo-Instruct-2407",
        "meta-llama/Llama-3.2-1B",
        "meta-llama/Llama-3.2-1B-Instruct",
        "meta-llama/Llama-3.2-3B",
        "meta-llama/Llama-3.2-3B-Instruct",
        "Qwen/Qwen3-4B",
        "Qwen/Qwen3-Coder-30B-A3B-Instruct",
        "Qwen/Qwen3.5-27B",
        "Qwen/Qwen3.5-35B-A3B",
        "Qwen/Qwen3.5-122B-A10B",
        "Qwen/Qwen3-VL-30B-A3B-Instruct",
        "Qwen/Qwen3-VL-235B-A22B-Instruct",
        "Qwen/Qwen3-VL-235B-A22B-Thinking",
        "zai-org/GLM-5.1",
        "moonshotai/Kimi-K2.6",
        "MiniMaxAI/MiniMax-M2.7",
    };
    int n = aic_model_bundled_count(NULL);
    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        int found = 0;
        for (int j = 0; j < n && !found; j++)
            found = !strcmp(aic_model_bundled_id(NULL, j), ids[i]);
        if (!found)
            fail_msg("%s is not in the bundled listing", ids[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dims),
        cmocka_unit_test(test_quant_suffixes),
        cmocka_unit_test(test_bundled_awq_gptq),
        cmocka_unit_test(test_same_architecture),
        cmocka_unit_test(test_qwen3_vl_dense),
        cmocka_unit_test(test_unknown_ids),
        cmocka_unit_test(test_listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
