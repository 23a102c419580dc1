/*
 * test_api.c - the JSON request/response API (aic_api_call): an estimate in SOL mode on the
 * bundled h100_sxm spec round-trips to the same numbers as aic_estimate() with every
 * `cli estimate --json` key; malformed requests (bad JSON, not an object, unknown op,
 * unknown or mistyped parameter, unknown model or system) come back as ok:false with the
 * right code; models/systems/version list what is bundled; generate writes the naive
 * configuration into a fresh folder and names the files; default's save_dir warning about
 * rows without artifacts is in the document's warnings; messages name parameters by their
 * JSON key, not by a command-line flag; a caller-owned context (aic_api_ctx_new, as the web
 * server and the Python module keep one) answers as a fresh one with the same systems paths.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "aiconfigurator/api.h"

#define EST_SOL                                                                                    \
    "{\"op\":\"estimate\",\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"h100_sxm\","              \
    "\"database_mode\":\"SOL\",\"systems_paths\":\"default\""

/* Calls the API and parses the response; *rc receives the status. */
static json_t *call(const char *req, int *rc)
{
    char *resp = NULL;
    json_error_t jerr;
    json_t *doc;

    *rc = aic_api_call(req, &resp);
    assert_non_null(resp);
    doc = json_loads(resp, 0, &jerr);
    if (!doc)
        fail_msg("response is not JSON (%s): %s", jerr.text, resp);
    aic_api_free(resp);
    return doc;
}

/* The generate request for model on gpus h100_sxm GPUs, writing into dir. */
static void generate_req(char *req, size_t n, const char *model, int gpus, const char *dir)
{
    snprintf(req, n,
             "{\"op\":\"generate\",\"model_path\":\"%s\",\"total_gpus\":%d,"
             "\"system\":\"h100_sxm\",\"systems_paths\":\"default\",\"save_dir\":\"%s\"}",
             model, gpus, dir);
}

/* Expects ok:false with `code`, and a message containing `needle` (may be NULL). */
static void expect_error(const char *req, const char *code, const char *needle)
{
    int rc;
    json_t *doc = call(req, &rc);
    const char *c = NULL, *msg = NULL;

    assert_int_not_equal(rc, 0);
    assert_true(json_is_false(json_object_get(doc, "ok")));
    assert_int_equal(
        json_unpack(json_object_get(doc, "error"), "{s:s,s:s}", "code", &c, "message", &msg), 0);
    assert_string_equal(c, code);
    assert_true(strlen(msg) > 10);
    if (needle && !strstr(msg, needle))
        fail_msg("message '%s' lacks '%s'", msg, needle);
    json_decref(doc);
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("key '%s' missing or not a number", key);
    return json_number_value(v);
}

static void test_estimate_sol_round_trip(void **state)
{
    static const char *const keys[] = {"model",
                                       "system",
                                       "decode_system",
                                       "backend",
                                       "backend_version",
                                       "database_mode",
                                       "database_mode_requested",
                                       "fell_back_to_empirical",
                                       "mode",
                                       "isl",
                                       "osl",
                                       "prefix",
                                       "nextn",
                                       "batch_size",
                                       "ctx_tokens",
                                       "layout",
                                       "quant",
                                       "ttft_ms",
                                       "tpot_ms",
                                       "request_latency_ms",
                                       "tokens_per_s",
                                       "tokens_per_s_per_gpu",
                                       "tokens_per_s_per_user",
                                       "requests_per_s",
                                       "concurrency",
                                       "num_gpus",
                                       "memory",
                                       "oom",
                                       NULL};
    int rc;
    json_t *doc = call(EST_SOL ",\"tp_size\":2,\"batch_size\":16,\"isl\":2048,\"osl\":256}", &rc);
    const json_t *r = json_object_get(doc, "result");
    (void)state;

    assert_int_equal(rc, 0);
    assert_true(json_is_true(json_object_get(doc, "ok")));
    for (int i = 0; keys[i]; i++)
        if (!json_object_get(r, keys[i]))
            fail_msg("estimate result lacks '%s'", keys[i]);
    assert_string_equal(json_string_value(json_object_get(r, "database_mode")), "SOL");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "layout"), "name")),
                        "tp2pp1dp1etp1ep1");
    assert_int_equal((int)num(r, "num_gpus"), 2);
    assert_int_equal((int)num(r, "isl"), 2048);

    /* the same numbers as the library call */
    struct aic_ctx *ctx = aic_ctx_new("default");
    struct aic_estimate_req req;
    struct aic_estimate_result *res = calloc(1, sizeof(*res));
    struct aic_error err = {0};
    aic_estimate_req_init(&req);
    req.model = "Qwen/Qwen3-32B";
    req.system = "h100_sxm";
    req.db_mode = AIC_DB_SOL;
    req.db_mode_explicit = 1;
    req.lay.tp = 2;
    req.batch_size = 16;
    req.wl.isl = 2048;
    req.wl.osl = 256;
    assert_int_equal(aic_estimate(ctx, &req, 0, res, &err), 0);
    assert_true(res->m.ttft_ms > 1.0 && res->m.ttft_ms < 10000.0);
    assert_true(res->m.tpot_ms > 1.0 && res->m.tpot_ms < 1000.0);
    assert_float_equal(num(r, "ttft_ms"), res->m.ttft_ms, 1e-9 * res->m.ttft_ms);
    assert_float_equal(num(r, "tpot_ms"), res->m.tpot_ms, 1e-9 * res->m.tpot_ms);
    assert_float_equal(num(r, "tokens_per_s_per_gpu"), res->m.tokens_per_s_per_gpu,
                       1e-9 * res->m.tokens_per_s_per_gpu);

    /* aic_estimate_json() is the same document */
    char *text = aic_estimate_json(&req, res, 0, 0);
    json_t *cli = json_loads(text, 0, NULL);
    assert_non_null(cli);
    assert_int_equal(json_object_size(cli), json_object_size(r));
    free(text);
    json_decref(cli);
    free(res);
    aic_ctx_free(ctx);
    json_decref(doc);
}

static void test_estimate_detail_and_aliases(void **state)
{
    int rc;
    /* the Python API's names: system_name, backend_name, mode */
    json_t *doc = call("{\"op\":\"estimate\",\"model_path\":\"Qwen/Qwen3-32B\","
                       "\"system_name\":\"h100_sxm\",\"backend_name\":\"vllm\",\"mode\":\"agg\","
                       "\"database_mode\":\"SOL\",\"systems_paths\":\"default\","
                       "\"tp_size\":\"4\",\"detail\":true,\"nextn\":null}",
                       &rc);
    const json_t *r = json_object_get(doc, "result"), *bd;
    (void)state;

    assert_int_equal(rc, 0);
    assert_string_equal(json_string_value(json_object_get(r, "backend")), "vllm");
    assert_int_equal((int)num(r, "num_gpus"), 4);
    bd = json_object_get(r, "breakdown");
    assert_true(json_array_size(json_object_get(bd, "prefill")) > 3);
    assert_true(json_array_size(json_object_get(bd, "decode")) > 3);
    json_decref(doc);
}

static void test_bad_requests(void **state)
{
    (void)state;
    expect_error("{\"op\": \"estimate\", ", "parse", "not valid JSON");
    expect_error("[1, 2]", "usage", "JSON object");
    expect_error("{\"model_path\": \"x\"}", "usage", "\"op\"");
    expect_error("{\"op\": \"estimat\"}", "usage", "unknown op");
    expect_error(EST_SOL ",\"tp_sise\":2}", "usage", "did you mean 'tp_size'");
    expect_error(EST_SOL ",\"tp_size\":\"two\"}", "usage", "tp_size");
    expect_error(EST_SOL ",\"tp_size\":1.5}", "usage", "integer");
    expect_error(EST_SOL ",\"isl\":0}", "usage", "out of range");
    /* a whole number too large is out of range, not "not an integer" */
    expect_error(EST_SOL ",\"isl\":1099511627776}", "usage",
                 "'isl' = 1099511627776 is out of range");
    expect_error(EST_SOL ",\"tp_size\":1099511627776}", "usage", "out of range");
    expect_error(EST_SOL ",\"backend\":\"tensorrt\"}", "usage", "trtllm");
    expect_error(EST_SOL ",\"gemm_quant_mode\":\"fp7\"}", "usage", "fp7");
    expect_error(EST_SOL ",\"mode\":\"disagg\"}", "usage", "prefill_batch_size");
    expect_error("{\"op\":\"estimate\",\"system\":\"h100_sxm\"}", "usage", "model_path");
    expect_error("{\"op\":\"estimate\",\"model_path\":\"NoSuchOrg/NoSuchModel-7B\","
                 "\"system\":\"h100_sxm\",\"database_mode\":\"SOL\"}",
                 "usage", "NoSuchModel");
    expect_error("{\"op\":\"estimate\",\"model_path\":\"Qwen/Qwen3-32B\","
                 "\"system\":\"h999_sxm\",\"database_mode\":\"SOL\"}",
                 "usage", "h999_sxm");
    expect_error("{\"op\":\"systems\",\"systems_paths\":42}", "usage", "systems_paths");
    expect_error("{\"op\":\"default\",\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"h100_sxm\"}",
                 "usage", "total_gpus");
    expect_error("{\"op\":\"generate\",\"model_path\":\"Qwen/Qwen3-32B\"}", "usage", "save_dir");
    expect_error("{\"op\":\"support\",\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"x1\"}",
                 "usage", "x1");

    /* a non-ASCII value long enough that the message is cut inside a UTF-8 sequence */
    char op[2100] = "{\"op\":\"";
    for (int i = 0; i < 1000; i++)
        strcat(op, "\xc3\xa9");
    strcat(op, "\"}");
    expect_error(op, "usage", "unknown op");

    char *resp = NULL;
    assert_int_equal(aic_api_call(NULL, &resp), -1);
    assert_non_null(strstr(resp, "\"usage\""));
    aic_api_free(resp);
}

static void test_lists(void **state)
{
    int rc, found = 0;
    json_t *doc = call("{\"op\":\"models\"}", &rc), *v;
    size_t i;
    (void)state;

    assert_int_equal(rc, 0);
    json_array_foreach(json_object_get(json_object_get(doc, "result"), "models"), i, v) found |=
        !strcmp(json_string_value(v), "Qwen/Qwen3-32B");
    assert_true(found);
    json_decref(doc);

    doc = call("{\"op\":\"systems\",\"systems_paths\":\"default\"}", &rc);
    assert_int_equal(rc, 0);
    found = 0;
    json_array_foreach(json_object_get(json_object_get(doc, "result"), "systems"), i,
                       v) if (!strcmp(json_string_value(json_object_get(v, "name")), "h100_sxm"))
    {
        found = 1;
        assert_int_equal((int)num(v, "gpus_per_node"), 8);
        assert_true(num(v, "mem_capacity_bytes") > 70e9);
    }
    assert_true(found);
    json_decref(doc);

    doc = call("{\"op\":\"version\"}", &rc);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "result"), "version")),
        aic_api_version());
    json_decref(doc);
}

static void test_generate_naive(void **state)
{
    char dir[128], req[512], cmd[200];
    int rc, has_k8s = 0;
    json_t *doc, *v;
    const json_t *r;
    size_t i;
    (void)state;

    snprintf(dir, sizeof(dir), "/tmp/aic_test_api_%d", (int)getpid());
    generate_req(req, sizeof(req), "Qwen/Qwen3-32B", 8, dir);
    doc = call(req, &rc);
    r = json_object_get(doc, "result");
    assert_int_equal(rc, 0);
    /* 32B bf16 x 1.5 = 98 GB: two 80 GB H100s */
    assert_int_equal((int)num(r, "tp"), 2);
    assert_int_equal((int)num(r, "pp"), 1);
    assert_int_equal((int)num(r, "replicas"), 4);
    assert_int_equal((int)num(r, "gpus_used"), 8);
    json_array_foreach(json_object_get(r, "files"), i, v) has_k8s |=
        !strcmp(json_string_value(v), "k8s_deploy.yaml");
    assert_true(has_k8s);
    json_decref(doc);
    /* a non-empty folder is refused */
    expect_error(req, "io", "empty");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    /* Maverick's 40 heads on H100: 16 GPUs per worker as tp 8 pp 2 (tp 16 splits no heads) */
    generate_req(req, sizeof(req), "meta-llama/Llama-4-Maverick-17B-128E-Instruct", 32, dir);
    doc = call(req, &rc);
    r = json_object_get(doc, "result");
    assert_int_equal(rc, 0);
    assert_int_equal((int)num(r, "tp"), 8);
    assert_int_equal((int)num(r, "pp"), 2);
    assert_int_equal((int)num(r, "gpus_per_worker"), 16);
    assert_int_equal((int)num(r, "replicas"), 2);
    assert_int_equal((int)num(r, "gpus_used"), 32);
    assert_int_equal((int)num(json_object_get(r, "parallelism"), "pp"), 2);
    assert_int_equal((int)num(json_object_get(r, "parallelism"), "gpus_per_worker"), 16);
    json_decref(doc);
    assert_int_equal(system(cmd), 0);
}

/* Messages name parameters by their JSON key, never by a command-line flag, also those the
 * library shared with the command line words as flags. */
static void expect_key_error(const char *req, const char *code, const char *needle)
{
    int rc;
    json_t *doc = call(req, &rc);
    const char *msg = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));

    expect_error(req, code, needle);
    if (!msg || strstr(msg, "--"))
        fail_msg("message '%s' names a flag", msg ? msg : "(none)");
    json_decref(doc);
}

#define DEFAULT_SOL                                                                                \
    "{\"op\":\"default\",\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"h100_sxm\","               \
    "\"database_mode\":\"SOL\",\"systems_paths\":\"default\""

static void test_messages_name_keys(void **state)
{
    int rc;
    json_t *doc;
    const char *w;
    (void)state;

    expect_key_error(EST_SOL ",\"max_seq_len\":100}", "usage",
                     "max_seq_len (100) is shorter than a request (isl + osl = 2048)");
    expect_key_error(DEFAULT_SOL ",\"total_gpus\":8,\"max_seq_len\":100}", "usage",
                     "max_seq_len (100) is shorter than a request (isl + osl = 5000)");
    expect_key_error(DEFAULT_SOL ",\"total_gpus\":8,\"save_dir\":\"\"}", "usage",
                     "save_dir needs a folder");
    expect_key_error("{\"op\":\"exp\",\"yaml_path\":\"/\"}", "io", "yaml_path / is a directory");
    expect_key_error(DEFAULT_SOL ",\"target_request_rate\":1e12}", "usage",
                     "target_request_rate 1e+12 needs more than 2147483647 GPUs");
    expect_key_error(EST_SOL ",\"nextn\":1}", "usage", "nextn_accepted is required");
    /* a warning of the search: in the document too */
    doc = call(DEFAULT_SOL ",\"total_gpus\":1}", &rc);
    assert_int_equal(rc, 0);
    w = json_string_value(
        json_array_get(json_object_get(json_object_get(doc, "result"), "warnings"), 0));
    assert_non_null(w);
    assert_non_null(strstr(w, "disagg skipped: it needs at least 2 GPUs (total_gpus 1)"));
    json_decref(doc);
}

/* Top-N rows the generator refuses: one warning line, in the response's "warnings" and in
 * the document's (as `cli default --json` prints it). */
static void test_default_save_warnings(void **state)
{
    char dir[128], req[768], cmd[200];
    int rc;
    json_t *doc;
    const json_t *w, *rw;
    (void)state;

    snprintf(dir, sizeof(dir), "/tmp/aic_test_api_warn_%d", (int)getpid());
    snprintf(req, sizeof(req),
             "{\"op\":\"default\",\"model_path\":\"Qwen/Qwen3-32B\",\"total_gpus\":16,"
             "\"system\":\"h100_sxm\",\"backend\":\"vllm\",\"serving_mode\":\"agg\","
             "\"database_mode\":\"SOL\",\"systems_paths\":\"default\",\"save_dir\":\"%s\","
             "\"generator_set\":[\"Workers.agg.tensor_parallel_size=4\"]}",
             dir);
    doc = call(req, &rc);
    assert_int_equal(rc, 0);
    w = json_object_get(doc, "warnings");
    rw = json_object_get(json_object_get(doc, "result"), "warnings");
    assert_int_equal(json_array_size(rw), 1);
    assert_non_null(strstr(json_string_value(json_array_get(rw, 0)),
                           "no deployment artifacts for 3 of 4 top-N rows: agg top2: "));
    assert_true(json_equal(json_array_get(w, json_array_size(w) - 1), json_array_get(rw, 0)));
    json_decref(doc);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* support through a context over the perf database (AIC_TEST_PERFDB; skipped without):
 * the context's paths decide, as systems_paths does in a context-free call. */
static void test_ctx_answers_as_fresh(void **state)
{
    const char *root = getenv("AIC_TEST_PERFDB");
    const char *sup = "{\"op\":\"support\",\"model_path\":\"Qwen/Qwen3-32B\","
                      "\"system\":\"h100_sxm\",\"backend\":\"vllm\"";
    char req[512], *resp = NULL;
    struct aic_ctx *ctx;
    json_t *fresh, *held;
    int rc;
    (void)state;

    if (!root || access(root, R_OK) != 0)
        skip();
    snprintf(req, sizeof(req), "%s,\"systems_paths\":\"%s\"}", sup, root);
    fresh = call(req, &rc);
    assert_int_equal(rc, 0);
    assert_true(json_is_true(json_object_get(json_object_get(fresh, "result"), "agg_supported")));
    assert_non_null(ctx = aic_api_ctx_new(root));
    snprintf(req, sizeof(req), "%s}", sup);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(aic_api_call_ctx(ctx, req, &resp), 0);
        assert_non_null(held = json_loads(resp, 0, NULL));
        assert_true(json_equal(held, fresh));
        json_decref(held);
        aic_api_free(resp);
    }
    /* a context has its paths: a request may not bring others */
    snprintf(req, sizeof(req), "%s,\"systems_paths\":\"default\"}", sup);
    assert_int_equal(aic_api_call_ctx(ctx, req, &resp), AIC_ERR_USAGE);
    assert_non_null(strstr(resp, "fixed systems paths"));
    aic_api_free(resp);
    aic_api_ctx_free(ctx);
    json_decref(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimate_sol_round_trip),
        cmocka_unit_test(test_estimate_detail_and_aliases),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_generate_naive),
        cmocka_unit_test(test_default_save_warnings),
        cmocka_unit_test(test_messages_name_keys),
        cmocka_unit_test(test_ctx_answers_as_fresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
