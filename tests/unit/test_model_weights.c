/*
 * test_model_weights.c - what a checkpoint stores, as the model loader reads it and the engine
 * counts it: tied embeddings (tie_word_embeddings: the LM head is the embedding matrix, stored
 * once, while its GEMM still runs) and AWQ/GPTQ checkpoints of MoE models (4-bit weights in every
 * linear layer, attention and shared experts included, not the experts alone as Kimi K2's
 * compressed-tensors checkpoint). SOL mode on the bundled h100_sxm spec: no perf database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/aiconfigurator.h"
#include "engine/oplist.h"

#include "sol_fixture.h"

static void load(const char *id, struct aic_model *m)
{
    struct aic_error err = {0};
    if (aic_model_load(id, NULL, m, &err))
        fail_msg("%s: %s", id, err.msg);
}

static const struct aic_op *find_op(const struct aic_oplist *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->ops[i].name, name))
            return &l->ops[i];
    return NULL;
}

/* ---- tied embeddings ----------------------------------------------------------------- */

#define CFG(arch, more)                                                                            \
    "{\"architectures\": [\"" arch "\"], \"num_hidden_layers\": 2, \"hidden_size\": 64, "          \
    "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128" more "}"

/* tie_word_embeddings from the text config, else the top level, else the architecture's
 * default (GPT-2 ties); anything but a boolean or null is refused. */
static void test_tie_parse(void **state)
{
    static const struct {
        const char *cfg;
        int rc, tied;
    } cases[] = {
        {CFG("LlamaForCausalLM", ", \"tie_word_embeddings\": true"), AIC_OK, 1},
        {CFG("LlamaForCausalLM", ", \"tie_word_embeddings\": false"), AIC_OK, 0},
        {CFG("LlamaForCausalLM", ""), AIC_OK, 0},
        {CFG("LlamaForCausalLM", ", \"tie_word_embeddings\": null"), AIC_OK, 0},
        {CFG("GPT2LMHeadModel", ""), AIC_OK, 1},
        {CFG("GPT2LMHeadModel", ", \"tie_word_embeddings\": false"), AIC_OK, 0},
        {"{\"architectures\": [\"Llama4ForConditionalGeneration\"], \"tie_word_embeddings\": "
         "false, \"text_config\": {\"num_hidden_layers\": 2, \"hidden_size\": 64, "
         "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "
         "\"num_local_experts\": 4, \"num_experts_per_tok\": 1, \"tie_word_embeddings\": true}}",
         AIC_OK, 1},
        {"{\"architectures\": [\"Llama4ForConditionalGeneration\"], \"tie_word_embeddings\": "
         "true, \"text_config\": {\"num_hidden_layers\": 2, \"hidden_size\": 64, "
         "\"num_attention_heads\": 4, \"vocab_size\": 100, \"intermediate_size\": 128, "
         "\"num_local_experts\": 4, \"num_experts_per_tok\": 1}}",
         AIC_OK, 1},
        {CFG("LlamaForCausalLM", ", \"tie_word_embeddings\": \"yes\""), AIC_ERR_PARSE, 0},
        {CFG("LlamaForCausalLM", ", \"tie_word_embeddings\": 1"), AIC_ERR_PARSE, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        int rc = aic_model_parse(cases[i].cfg, NULL, "x", &m, &err);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d (%s), want %d", i, rc, err.msg, cases[i].rc);
        if (rc == AIC_OK)
            assert_int_equal(m.tie_word_embeddings, cases[i].tied);
        else
            assert_non_null(strstr(err.msg, "'tie_word_embeddings' must be true or false, not "));
    }
}

/* The bundled configs say what the published models do: the small Llama 3.2, Qwen2.5 and Qwen3
 * tie their embeddings, the larger ones (and phi-4) do not. */
static void test_tie_bundled(void **state)
{
    static const struct {
        const char *id;
        int tied;
    } cases[] = {
        {"meta-llama/Llama-3.2-1B", 1},
        {"meta-llama/Llama-3.2-3B-Instruct", 1},
        {"Qwen/Qwen2.5-1.5B-Instruct", 1},
        {"Qwen/Qwen3-0.6B", 1},
        {"Qwen/Qwen3-1.7B", 1},
        {"Qwen/Qwen3-4B-Instruct-2507", 1},
        {"Qwen/Qwen3-8B", 0},
        {"Qwen/Qwen2.5-7B", 0},
        {"meta-llama/Llama-3.1-8B", 0},
        {"microsoft/phi-4", 0},
        {"meta-llama/Llama-4-Maverick-17B-128E-Instruct", 0},
        {"moonshotai/Kimi-K2.5", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        load(cases[i].id, &m);
        if (m.tie_word_embeddings != cases[i].tied)
            fail_msg("%s: tie_word_embeddings %d", cases[i].id, m.tie_word_embeddings);
    }
}

/* Weights per GPU of m at layout lay. */
static double weights(const struct aic_model *m, struct aic_layout lay)
{
    struct aic_worker w;
    struct aic_error err = {0};
    struct aic_workload wl = {1024, 128, 0};
    struct aic_memory mem;

    assert_int_equal(aic_worker_init(&w, m, db, lay, NULL, &err), AIC_OK);
    aic_worker_memory(&w, &wl, 1, 0, 2, &mem);
    aic_worker_release(&w);
    return mem.weights;
}

/* Llama 3.2 1B ties its 128256 x 2048 embedding: at pp 1 a GPU holds one bf16 copy
 * (525,336,576 bytes, split by tp) less than an untied model; at pp 2 the last stage keeps its
 * own copy, so both count. The LM-head GEMM still runs, unchanged. An MoE model (whose prefill
 * list has no logits GEMM) saves the same share. */
static void test_tie_memory(void **state)
{
    struct aic_model tied, untied;
    struct aic_worker w;
    struct aic_error err = {0};
    const double emb = 128256.0 * 2048 * 2;
    const struct aic_op *op;
    (void)state;

    load("meta-llama/Llama-3.2-1B", &tied);
    untied = tied;
    untied.tie_word_embeddings = 0;
    assert_float_equal(weights(&untied, (struct aic_layout){1, 1, 1, 0, 0}) -
                           weights(&tied, (struct aic_layout){1, 1, 1, 0, 0}),
                       emb, 1);
    assert_float_equal(weights(&untied, (struct aic_layout){2, 1, 1, 0, 0}) -
                           weights(&tied, (struct aic_layout){2, 1, 1, 0, 0}),
                       emb / 2, 1);
    assert_float_equal(weights(&untied, (struct aic_layout){1, 2, 1, 0, 0}),
                       weights(&tied, (struct aic_layout){1, 2, 1, 0, 0}), 1e-6);
    assert_int_equal(aic_worker_init(&w, &tied, db, (struct aic_layout){2, 1, 1, 0, 0}, NULL, &err),
                     AIC_OK);
    op = find_op(w.gen_ops, "generation_logits_gemm");
    assert_non_null(op);
    assert_float_equal(op->n, 64128, 0);
    assert_float_equal(op->k, 2048, 0);
    aic_worker_release(&w);

    load("Qwen/Qwen3-30B-A3B", &untied);
    tied = untied;
    tied.tie_word_embeddings = 1;
    assert_float_equal(weights(&untied, (struct aic_layout){2, 1, 1, 0, 0}) -
                           weights(&tied, (struct aic_layout){2, 1, 1, 0, 0}),
                       151936.0 / 2 * 2048 * 2, 1);
}

/* ---- AWQ / GPTQ MoE checkpoints ---------------------------------------------------------- */

#define MOE(more)                                                                                  \
    "{\"architectures\": [\"Qwen3MoeForCausalLM\"], \"num_hidden_layers\": 2, \"hidden_size\": "   \
    "64, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 100, "            \
    "\"intermediate_size\": 128, \"num_experts\": 8, \"num_experts_per_tok\": 2, "                 \
    "\"moe_intermediate_size\": 32" more "}"

/* AWQ and GPTQ quantize every linear layer of an MoE model too (attention GEMMs int4 or int8
 * weight-only, like the experts); ModelOpt's W4A16_AWQ likewise; a compressed-tensors W4A16
 * checkpoint keeps the experts alone (what Kimi K2 ships: attention ignored). */
static void test_moe_awq_parse(void **state)
{
    static const struct {
        const char *more, *hfq;
        enum aic_quant gemm, moe;
    } cases[] = {
        {", \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4}", NULL, AIC_Q_INT4_WO,
         AIC_Q_INT4_WO},
        {", \"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4}", NULL,
         AIC_Q_INT4_WO, AIC_Q_INT4_WO},
        {", \"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 8}", NULL,
         AIC_Q_INT8_WO, AIC_Q_INT8_WO},
        {"", "{\"quantization\": {\"quant_algo\": \"W4A16_AWQ\"}}", AIC_Q_INT4_WO, AIC_Q_INT4_WO},
        {", \"quantization_config\": {\"quant_method\": \"compressed-tensors\", "
         "\"config_groups\": {\"g\": {\"weights\": {\"num_bits\": 4, \"type\": \"int\", "
         "\"strategy\": \"group\", \"group_size\": 32}}}}",
         NULL, AIC_Q_BF16, AIC_Q_INT4_WO},
    };
    char cfg[1024];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        snprintf(cfg, sizeof(cfg), MOE("%s"), cases[i].more);
        if (aic_model_parse(cfg, cases[i].hfq, "x", &m, &err))
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(m.family, AIC_FAMILY_MOE);
        assert_int_equal(m.gemm_quant, cases[i].gemm);
        assert_int_equal(m.moe_quant, cases[i].moe);
    }
}

/* Published -AWQ/-GPTQ ids of MoE models: int4 attention and experts; the worker's attention,
 * dense-layer and shared-expert GEMMs run int4 weight-only, the router and LM head 16-bit.
 * Kimi-K2-Thinking (compressed-tensors) keeps 16-bit attention. */
static void test_moe_awq_worker(void **state)
{
    static const struct {
        const char *id;
        struct aic_layout lay;
        enum aic_quant gemm;
        const char *ops[3]; /* GEMMs in the checkpoint's gemm quant */
    } cases[] = {
        {"Qwen/Qwen3-30B-A3B-GPTQ-Int4",
         {2, 1, 1, 0, 0},
         AIC_Q_INT4_WO,
         {"context_qkv_gemm", "context_proj_gemm", NULL}},
        {"Qwen/Qwen3-235B-A22B-Instruct-2507-AWQ",
         {8, 1, 1, 0, 0},
         AIC_Q_INT4_WO,
         {"context_qkv_gemm", "generation_proj_gemm", NULL}},
        {"cognitivecomputations/DeepSeek-V3-AWQ",
         {8, 1, 1, 0, 0},
         AIC_Q_INT4_WO,
         {"context_q_b_proj_gemm", "context_dense_gate_ffn1_gemm", "context_shared_ffn2_gemm"}},
        {"moonshotai/Kimi-K2-Thinking",
         {8, 1, 1, 0, 0},
         AIC_Q_BF16,
         {"context_q_b_proj_gemm", "context_shared_ffn2_gemm", NULL}},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_worker w;
        struct aic_error err = {0};
        const struct aic_op *op;

        load(cases[i].id, &m);
        assert_int_equal(m.gemm_quant, cases[i].gemm);
        assert_int_equal(m.moe_quant, AIC_Q_INT4_WO);
        if (aic_worker_init(&w, &m, db, cases[i].lay, NULL, &err))
            fail_msg("%s: %s", cases[i].id, err.msg);
        assert_int_equal(w.q.gemm, cases[i].gemm);
        for (int k = 0; k < 3 && cases[i].ops[k]; k++) {
            const char *name = cases[i].ops[k];
            op = find_op(!strncmp(name, "context", 7) ? w.ctx_ops : w.gen_ops, name);
            if (!op || op->quant != cases[i].gemm)
                fail_msg("%s: %s %s", cases[i].id, name, op ? "in another quant" : "missing");
        }
        assert_int_equal(find_op(w.ctx_ops, "context_moe")->quant, AIC_Q_INT4_WO);
        assert_int_equal(find_op(w.ctx_ops, "context_router_gemm")->quant, AIC_Q_BF16);
        assert_int_equal(find_op(w.gen_ops, "generation_logits_gemm")->quant, AIC_Q_BF16);
        aic_worker_release(&w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tie_parse),      cmocka_unit_test(test_tie_bundled),
        cmocka_unit_test(test_tie_memory),     cmocka_unit_test(test_moe_awq_parse),
        cmocka_unit_test(test_moe_awq_worker),
    };
    return cmocka_run_group_tests(tests, sol_setup, sol_teardown);
}
