/*
 * test_engine_heads.c - the attention-head rules of a worker's layout: tp (per attention-DP
 * rank) divides the query heads, and the KV heads of a model that has separate ones (not MLA)
 * either divide by tp or are replicated (tp a multiple of them), as vLLM, SGLang and TensorRT-LLM
 * require. A layout that breaks a rule is a usage error that names the rule and lists every tp
 * that works. SOL mode on the bundled h100_sxm spec: no perf database needed.
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

/* aic_worker_init's status for model at layout lay; its message into msg. */
static int init(const struct aic_model *m, struct aic_layout lay, char *msg, size_t n)
{
    struct aic_worker w;
    struct aic_error err = {0};
    int rc = aic_worker_init(&w, m, db, lay, NULL, &err);

    if (rc == AIC_OK)
        aic_worker_release(&w);
    snprintf(msg, n, "%s", rc ? err.msg : "");
    return rc;
}

static void test_head_rules(void **state)
{
    static const struct {
        const char *model;
        int tp, dp;
        const char *msg; /* NULL: the layout is valid */
    } cases[] = {
        /* phi-4: 40 heads, 10 KV heads */
        {"microsoft/phi-4", 8, 1,
         "invalid parallel layout: tp 8 does not divide phi-4's 10 KV heads (and is not a "
         "multiple of them); use tp 1, 2, 5, 10, 20 or 40"},
        {"microsoft/phi-4", 4, 1, "tp 4 does not divide phi-4's 10 KV heads"},
        {"microsoft/phi-4", 5, 1, NULL},
        {"microsoft/phi-4", 20, 1, NULL}, /* 2 query heads per GPU, each KV head on 2 GPUs */
        {"microsoft/phi-4", 3, 1,
         "invalid parallel layout: tp 3 does not divide phi-4's 40 attention heads; use tp 1, "
         "2, 5, 10, 20 or 40"},
        /* Mistral Large: 96 heads, 8 KV heads */
        {"mistralai/Mistral-Large-Instruct-2411", 12, 1,
         "tp 12 does not divide Mistral-Large-Instruct-2411's 8 KV heads (and is not a multiple "
         "of them); use tp 1, 2, 4, 8, 16, 24, 32, 48 or 96"},
        {"mistralai/Mistral-Large-Instruct-2411", 16, 1, NULL},
        {"mistralai/Mistral-Large-Instruct-2411", 24, 1, NULL},
        {"Qwen/Qwen3-32B", 3, 1,
         "tp 3 does not divide Qwen3-32B's 64 attention heads; use tp 1, 2, 4, 8, 16, 32 or 64"},
        /* MiniMax-M2 (MoE, 48 heads, 8 KV heads): the rule is on the tp of one attention-DP
         * rank, whatever the dp */
        {"MiniMaxAI/MiniMax-M2", 6, 1, "tp 6 does not divide MiniMax-M2's 8 KV heads"},
        {"MiniMaxAI/MiniMax-M2", 4, 2, NULL},
        {"MiniMaxAI/MiniMax-M2", 16, 1, NULL},
        /* Qwen3-30B-A3B: 32 heads, 4 KV heads replicated at tp 8 */
        {"Qwen/Qwen3-30B-A3B", 8, 1, NULL},
        {"Qwen/Qwen3-30B-A3B", 2, 4, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_model m;
        struct aic_error err = {0};
        char msg[AIC_ERROR_MSG_MAX];
        int rc;

        assert_int_equal(aic_model_load(cases[i].model, NULL, &m, &err), AIC_OK);
        rc = init(&m, (struct aic_layout){cases[i].tp, 1, cases[i].dp, 0, 0}, msg, sizeof msg);
        if (!cases[i].msg && rc != AIC_OK)
            fail_msg("case %zu: %s tp %d refused: %s", i, cases[i].model, cases[i].tp, msg);
        if (cases[i].msg && (rc != AIC_ERR_USAGE || !strstr(msg, cases[i].msg)))
            fail_msg("case %zu: rc %d, '%s' lacks '%s'", i, rc, msg, cases[i].msg);
    }
}

/* MLA has no separate KV heads: DeepSeek-V3's config names 128 of them, but a KV-head count no
 * tp divides does not matter there, while the same count refuses a GQA model. */
static void test_mla_has_no_kv_heads(void **state)
{
    struct aic_model m;
    struct aic_error err = {0};
    char msg[AIC_ERROR_MSG_MAX];
    (void)state;

    assert_int_equal(aic_model_load("deepseek-ai/DeepSeek-V3", NULL, &m, &err), AIC_OK);
    m.num_kv_heads = 10;
    assert_int_equal(init(&m, (struct aic_layout){8, 1, 1, 0, 0}, msg, sizeof msg), AIC_OK);
    m.family = AIC_FAMILY_MOE;
    assert_int_equal(init(&m, (struct aic_layout){8, 1, 1, 0, 0}, msg, sizeof msg), AIC_ERR_USAGE);
    assert_non_null(strstr(msg, "tp 8 does not divide DeepSeek-V3's 10 KV heads"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_rules),
        cmocka_unit_test(test_mla_has_no_kv_heads),
    };
    return cmocka_run_group_tests(tests, sol_setup, sol_teardown);
}
