/*
 * test_model_llama4.c - Meta's Llama 4 Scout and Maverick (Llama4ForConditionalGeneration,
 * text_config): layer counts by type, experts, the implicit shared expert, chunked attention
 * as a window, and the weights the memory model holds (SOL mode on the bundled h100_sxm
 * spec: no perf database needed).
 *
 * Parameters by hand (h 5120, 40 q + 8 kv heads of 128, V 202048, expert width 8192, dense
 * MLP width 16384; norms left out):
 *   embedding + lm_head (untied): 2 x 202048 x 5120           =   2,068,971,520
 *   attention per layer: (40 + 2 x 8) x 128 x 5120 + 5120^2   =      62,914,560 (x 48)
 *   one expert (or the shared one): 3 x 5120 x 8192           =     125,829,120
 *   router: E x 5120
 * Scout (48 MoE layers of 16 experts + 1 shared):
 *   2,068,971,520 + 48 x 62,914,560 + 48 x (17 x 125,829,120 + 16 x 5120)
 *   = 107,769,364,480 -> 215.54 GB in bf16
 * Maverick (24 MoE layers of 128 experts + 1 shared, 24 dense MLP layers of 16384):
 *   2,068,971,520 + 48 x 62,914,560 + 24 x (129 x 125,829,120 + 128 x 5120)
 *   + 24 x 3 x 5120 x 16384 = 400,711,352,320 -> 801.42 GB in bf16
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/aiconfigurator.h"
#include "engine/oplist.h"

#define SCOUT_PARAMS    107769364480.0
#define MAVERICK_PARAMS 400711352320.0

static void load_ok(const char *id, struct aic_model *m)
{
    struct aic_error err = {0};
    int rc = aic_model_load(id, NULL, m, &err);
    if (rc)
        print_error("%s: %s\n", id, err.msg);
    assert_int_equal(rc, AIC_OK);
}

/* Weights per GPU of `m` at tp 8 (MoE: ep 8), summed by the memory model. */
static double weights_tp8(const struct aic_model *m)
{
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_worker w;
    struct aic_layout lay = {8, 1, 1, 1, 8};
    struct aic_workload wl = {1024, 128, 0};
    struct aic_memory mem;
    struct aic_error err = {0};

    assert_int_equal(aic_system_load("h100_sxm", "default", &sys, &err), AIC_OK);
    assert_int_equal(aic_perfdb_open(&sys, AIC_BACKEND_VLLM, NULL, AIC_DB_SOL, &db, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&w, m, db, lay, NULL, &err), AIC_OK);
    aic_worker_memory(&w, &wl, 1, 0, 2, &mem);
    aic_worker_release(&w);
    aic_perfdb_free(db);
    return mem.weights;
}

static void assert_within(double got, double want, double rel)
{
    if (got < want * (1 - rel) || got > want * (1 + rel))
        print_error("got %.4g, want %.4g +- %.0f %%\n", got, want, rel * 100);
    assert_true(got >= want * (1 - rel) && got <= want * (1 + rel));
}

/* Both share the attention: 48 layers, GQA 40/8 x 128, 36 chunked (8192) and 12 global. */
static void check_common(const struct aic_model *m)
{
    assert_string_equal(m->architecture, "Llama4ForConditionalGeneration");
    assert_int_equal(m->family, AIC_FAMILY_MOE);
    assert_int_equal(m->num_layers, 48);
    assert_int_equal(m->hidden_size, 5120);
    assert_int_equal(m->num_heads, 40);
    assert_int_equal(m->num_kv_heads, 8);
    assert_int_equal(m->head_dim, 128);
    assert_int_equal(m->vocab_size, 202048);
    assert_int_equal(m->topk, 1);
    assert_int_equal(m->moe_inter_size, 8192);
    assert_int_equal(m->num_shared_experts, 1);
    assert_int_equal(m->num_sliding_layers, 36);
    assert_int_equal(m->sliding_window, 8192);
    assert_int_equal(m->num_linear_attn_layers, 0);
}

static void test_scout(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("meta-llama/Llama-4-Scout-17B-16E-Instruct", &m);
    check_common(&m);
    assert_int_equal(m.num_experts, 16);
    assert_int_equal(m.first_k_dense, 0); /* every layer MoE */
    assert_int_equal(m.max_position_embeddings, 10485760);
    assert_int_equal(m.gemm_quant, AIC_Q_BF16);
    assert_int_equal(m.moe_quant, AIC_Q_BF16);
    assert_within(weights_tp8(&m), SCOUT_PARAMS * 2 / 8, 0.03);
}

static void test_maverick(void **state)
{
    struct aic_model m;
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_worker w;
    struct aic_layout lay = {8, 1, 1, 1, 8};
    struct aic_error err = {0};
    const struct aic_op *op;
    int moe = 0, dense = 0, shared = 0;
    (void)state;

    load_ok("meta-llama/Llama-4-Maverick-17B-128E-Instruct", &m);
    check_common(&m);
    assert_int_equal(m.num_experts, 128);
    assert_int_equal(m.first_k_dense, 24); /* every other layer a dense MLP */
    assert_int_equal(m.inter_size, 16384);
    assert_int_equal(m.max_position_embeddings, 1048576);
    assert_within(weights_tp8(&m), MAVERICK_PARAMS * 2 / 8, 0.03);

    /* the op list: 24 MoE layers with their shared expert, 24 dense MLPs of 16384 / 8 */
    assert_int_equal(aic_system_load("h100_sxm", "default", &sys, &err), AIC_OK);
    assert_int_equal(aic_perfdb_open(&sys, AIC_BACKEND_VLLM, NULL, AIC_DB_SOL, &db, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&w, &m, db, lay, NULL, &err), AIC_OK);
    for (int i = 0; i < w.ctx_ops->n; i++) {
        op = &w.ctx_ops->ops[i];
        if (!strcmp(op->name, "context_moe")) {
            moe = 1;
            assert_float_equal(op->scale, 24, 0);
            assert_int_equal(op->topk, 1);
            assert_int_equal(op->experts, 128);
            assert_float_equal(op->inter, 8192, 0);
        } else if (!strcmp(op->name, "context_dense_gate_ffn1_gemm")) {
            dense = 1;
            assert_float_equal(op->scale, 24, 0);
            assert_float_equal(op->n, 2 * 16384 / 8, 0);
        } else if (!strcmp(op->name, "context_shared_gate_up_gemm")) {
            shared = 1;
            assert_float_equal(op->scale, 24, 0);
            assert_float_equal(op->n, 2 * 8192 / 8, 0);
        } else if (!strcmp(op->name, "context_attention") && op->window > 0) {
            assert_float_equal(op->scale, 36, 0);
            assert_int_equal(op->window, 8192);
        }
    }
    assert_true(moe && dense && shared);
    aic_worker_release(&w);
    aic_perfdb_free(db);
}

/* Meta's -FP8 (fbgemm_fp8) loads from the bundled config: per-channel fp8, ~400 GB. */
static void test_maverick_fp8(void **state)
{
    struct aic_model m;
    (void)state;
    load_ok("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", &m);
    assert_string_equal(m.config_of, "meta-llama/Llama-4-Maverick-17B-128E-Instruct");
    assert_int_equal(m.num_experts, 128);
    assert_int_equal(m.gemm_quant, AIC_Q_FP8);
    assert_int_equal(m.moe_quant, AIC_Q_FP8);
    /* everything but embedding, lm_head and routers in one byte */
    assert_within(weights_tp8(&m), (MAVERICK_PARAMS + 2068971520.0) / 8, 0.03);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scout),
        cmocka_unit_test(test_maverick),
        cmocka_unit_test(test_maverick_fp8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
