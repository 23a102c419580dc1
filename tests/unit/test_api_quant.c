/*
 * test_api_quant.c - the estimate document's quantization through the JSON API (the web app
 * and `cli estimate --json` share the document): a dense model has no experts, so its "moe"
 * is null even when the checkpoint is quantized, in both pools of a disaggregated estimate;
 * an MoE model names its experts' quantization.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aiconfigurator/api.h"

#define EST(model)                                                                                 \
    "{\"op\":\"estimate\",\"model_path\":\"" model "\",\"system\":\"h200_sxm\","                   \
    "\"database_mode\":\"SOL\",\"systems_paths\":\"default\",\"isl\":1024,\"osl\":128"

/* The result of an estimate request that must succeed (the caller releases *doc). */
static const json_t *estimate(const char *req, json_t **doc)
{
    char *resp = NULL;
    json_error_t jerr;
    int rc = aic_api_call(req, &resp);

    assert_non_null(resp);
    *doc = json_loads(resp, 0, &jerr);
    if (rc || !*doc || !json_is_true(json_object_get(*doc, "ok")))
        fail_msg("estimate failed: %s", resp);
    aic_api_free(resp);
    return json_object_get(*doc, "result");
}

static const char *quant_str(const json_t *r, const char *obj, const char *key)
{
    const json_t *v = json_object_get(json_object_get(r, obj), key);
    if (!json_is_string(v))
        fail_msg("%s.%s is not a string", obj, key);
    return json_string_value(v);
}

static void assert_moe_null(const json_t *r, const char *obj)
{
    const json_t *q = json_object_get(r, obj);
    assert_non_null(q);
    assert_non_null(json_object_get(q, "moe")); /* the key is there, with null */
    assert_true(json_is_null(json_object_get(q, "moe")));
}

static void test_dense_fp8_has_no_moe_quant(void **state)
{
    json_t *doc;
    const json_t *r = estimate(EST("Qwen/Qwen3-32B-FP8") "}", &doc);
    (void)state;

    assert_string_equal(quant_str(r, "quant", "gemm"), "fp8_block");
    assert_string_equal(quant_str(r, "quant", "kvcache"), "fp8");
    assert_string_equal(quant_str(r, "quant", "fmha"), "fp8");
    assert_moe_null(r, "quant");
    json_decref(doc);

    /* a --moe-quant-mode given for a dense model is not shown either */
    r = estimate(EST("Qwen/Qwen3-32B") ",\"moe_quant_mode\":\"fp8\"}", &doc);
    assert_string_equal(quant_str(r, "quant", "gemm"), "bfloat16");
    assert_moe_null(r, "quant");
    json_decref(doc);
}

static void test_dense_disagg_both_pools(void **state)
{
    json_t *doc;
    const json_t *r =
        estimate(EST("Qwen/Qwen3-32B-FP8") ",\"estimate_mode\":\"disagg\","
                                           "\"prefill_batch_size\":1,\"prefill_num_workers\":1,"
                                           "\"decode_batch_size\":16,\"decode_num_workers\":1}",
                 &doc);
    (void)state;

    assert_string_equal(quant_str(r, "quant_decode", "gemm"), "fp8_block");
    assert_moe_null(r, "quant");
    assert_moe_null(r, "quant_decode");
    json_decref(doc);
}

static void test_moe_model_keeps_moe_quant(void **state)
{
    json_t *doc;
    const json_t *r = estimate(EST("Qwen/Qwen3-30B-A3B-FP8") "}", &doc);
    (void)state;

    assert_string_equal(quant_str(r, "quant", "gemm"), "fp8_block");
    assert_string_equal(quant_str(r, "quant", "moe"), "fp8_block");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_fp8_has_no_moe_quant),
        cmocka_unit_test(test_dense_disagg_both_pools),
        cmocka_unit_test(test_moe_model_keeps_moe_quant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
