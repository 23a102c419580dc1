/*
 * test_exp_load.c - the experiment schema loader (aic_exp_load_string): V2 keys land in the
 * search request and space (workload, SLA, per-role system/backend/version/quant, candidate
 * lists, replica and batch limits, corrections, degradations), `exps:` selects and orders,
 * merge keys work, V1 nested files convert (profiles, worker/replica/tuning configs,
 * accept rates), and bad input gives one message per problem while valid experiments load:
 * malformed YAML (line:col), unknown key (nearest key), bad values, different prefill and
 * decode models, agg/disagg prefix discipline, an empty list. Also the resolved YAML loads
 * back to the same request. No perf database needed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/exp.h"

static void load_ok(const char *y, struct aic_exp_set *s)
{
    struct aic_error err = {0};
    int rc = aic_exp_load_string(y, "t.yaml", 5, s, &err);
    if (rc)
        fail_msg("load failed: %s", err.msg);
}

static int has_msg(const struct aic_exp_set *s, const char *needle)
{
    for (size_t i = 0; i < s->n_msg; i++)
        if (strstr(s->msg[i], needle))
            return 1;
    return 0;
}

static void test_v2_disagg_all_keys(void **state)
{
    (void)state;
    const char *y = "hetero:\n"
                    "  serving_mode: disagg\n  total_gpus: 32\n  isl: 2048\n  osl: 256\n"
                    "  prefix: 100\n  ttft: 800\n  tpot: 20\n  database_mode: HYBRID\n"
                    "  prefill_model_path: Qwen/Qwen3-32B\n  decode_model_path: Qwen/Qwen3-32B\n"
                    "  prefill_system_name: b200_sxm\n  decode_system_name: h200_sxm\n"
                    "  prefill_backend_name: vllm\n  decode_backend_name: vllm\n"
                    "  prefill_backend_version: 0.11.0\n  decode_backend_version: 0.12.0\n"
                    "  prefill_gemm_quant_mode: fp8_block\n  decode_kvcache_quant_mode: fp8\n"
                    "  decode_comm_quant_mode: fp8\n"
                    "  prefill_tp_candidates: [1, 2]\n  decode_num_gpu_candidates: [4, 8]\n"
                    "  num_gpu_per_replica: [8, 16]\n  max_gpu_per_replica: 16\n"
                    "  max_prefill_workers: 6\n  max_decode_workers: 3\n"
                    "  prefill_max_batch_size: 4\n  decode_max_batch_size: 128\n"
                    "  prefill_latency_correction: 1.2\n  decode_latency_correction: 1.05\n"
                    "  rate_match_prefill_degradation: 0.8\n  rate_match_decode_degradation: 0.85\n"
                    "  autoscale_ttft_correction_factor: 2.0\n  nextn: 2\n  nextn_accepted: 1.5\n"
                    "  request_latency: 9000\n";
    struct aic_exp_set s;
    load_ok(y, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.n_msg, 0);
    const struct aic_exp *e = s.exp[0];
    const struct aic_search_req *r = &e->req;
    assert_int_equal(r->serving, AIC_SEARCH_DISAGG);
    assert_int_equal(r->total_gpus, 32);
    assert_int_equal(r->wl.isl, 2048);
    assert_int_equal(r->wl.osl, 256);
    assert_int_equal(r->wl.prefix, 100);
    assert_true(r->ttft_ms == 800 && r->tpot_ms == 20 && r->request_latency_ms == 9000);
    assert_int_equal(r->db_mode, AIC_DB_HYBRID);
    assert_string_equal(r->model, "Qwen/Qwen3-32B");
    assert_string_equal(r->system, "b200_sxm");
    assert_string_equal(r->decode_system, "h200_sxm");
    assert_int_equal(r->backend, AIC_BACKEND_VLLM);
    assert_ptr_equal(r->space, &e->space);
    const struct aic_search_space *sp = r->space;
    assert_string_equal(sp->role[AIC_ROLE_PREFILL].backend_version, "0.11.0");
    assert_string_equal(sp->role[AIC_ROLE_DECODE].backend_version, "0.12.0");
    assert_int_equal(sp->role[AIC_ROLE_PREFILL].quant.gemm, AIC_Q_FP8_BLOCK);
    assert_int_equal(sp->role[AIC_ROLE_PREFILL].quant.kv, AIC_Q_NONE);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].quant.kv, AIC_Q_FP8);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].quant.comm, AIC_Q_FP8);
    assert_int_equal(sp->role[AIC_ROLE_PREFILL].n[AIC_DIM_TP], 2);
    assert_int_equal(sp->role[AIC_ROLE_PREFILL].list[AIC_DIM_TP][1], 2);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].n[AIC_DIM_NUM_GPU], 2);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].list[AIC_DIM_NUM_GPU][1], 8);
    assert_int_equal(sp->n_replica_sizes, 2);
    assert_int_equal(sp->max_gpu_per_replica, 16);
    assert_int_equal(sp->max_prefill_workers, 6);
    assert_int_equal(sp->max_decode_workers, 3);
    assert_int_equal(sp->prefill_max_batch_size, 4);
    assert_int_equal(sp->decode_max_batch_size, 128);
    assert_true(fabs(sp->prefill_latency_correction - 1.2) < 1e-12);
    assert_true(fabs(sp->decode_latency_correction - 1.05) < 1e-12);
    assert_true(fabs(sp->rate_match_prefill_degradation - 0.8) < 1e-12);
    assert_true(fabs(sp->rate_match_decode_degradation - 0.85) < 1e-12);
    assert_true(fabs(sp->ttft_correction_factor - 2.0) < 1e-12);
    assert_int_equal(r->nextn, 2);
    assert_true(fabs(r->nextn_accepted - 1.5) < 1e-12);
    aic_exp_set_free(&s);
}

static void test_defaults_selection_merge(void **state)
{
    (void)state;
    const char *y = "exps: [b, missing, a]\n"
                    "a: &base\n  serving_mode: agg\n  model_path: Qwen/Qwen3-8B\n"
                    "  system_name: h200_sxm\n  total_gpus: 4\n"
                    "b:\n  <<: *base\n  backend_name: sglang\n  tpot: 12\n"
                    "c:\n  <<: *base\n";
    struct aic_exp_set s;
    load_ok(y, &s);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.exp[0]->name, "b");
    assert_string_equal(s.exp[1]->name, "a");
    const struct aic_search_req *a = &s.exp[1]->req, *b = &s.exp[0]->req;
    /* Task defaults: isl 4000, osl 1000, ttft 1000, tpot 50, trtllm, SILICON */
    assert_int_equal(a->wl.isl, 4000);
    assert_int_equal(a->wl.osl, 1000);
    assert_true(a->ttft_ms == 1000 && a->tpot_ms == 50);
    assert_int_equal(a->backend, AIC_BACKEND_TRTLLM);
    assert_int_equal(a->db_mode, AIC_DB_SILICON);
    assert_int_equal(a->top_n, 5);
    assert_int_equal(b->backend, AIC_BACKEND_SGLANG);
    assert_true(b->tpot_ms == 12);
    assert_int_equal(b->total_gpus, 4);
    assert_int_equal(s.n_note, 1); /* "missing" is listed but not defined */
    aic_exp_set_free(&s);
}

static void test_v1_conversion(void **state)
{
    (void)state;
    const char *y =
        "old:\n  mode: patch\n  serving_mode: disagg\n  model_path: Qwen/Qwen3-32B\n"
        "  system_name: h200_sxm\n  decode_system_name: h100_sxm\n"
        "  backend_name: vllm\n  total_gpus: 16\n  profiles: [nvfp4]\n"
        "  config:\n    nextn: 2\n    nextn_accept_rates: [0.8, 0.5, 0, 0, 0]\n"
        "    prefill_worker_config:\n      tp_list: [1, 2]\n"
        "      gemm_quant_mode: fp8\n"
        "    decode_worker_config:\n      num_gpu_per_worker: [4]\n"
        "    replica_config:\n      max_gpu_per_replica: 0\n      max_decode_worker: 7\n"
        "    advanced_tuning_config:\n      prefill_latency_correction_scale: 1.3\n"
        "      decode_max_batch_size: 64\n";
    struct aic_exp_set s;
    load_ok(y, &s);
    assert_int_equal(s.n, 1);
    const struct aic_exp *e = s.exp[0];
    const struct aic_search_space *sp = &e->space;
    assert_true(e->legacy);
    assert_string_equal(e->req.system, "h200_sxm");
    assert_string_equal(e->req.decode_system, "h100_sxm");
    assert_string_equal(e->model[AIC_ROLE_DECODE], "Qwen/Qwen3-32B");
    assert_int_equal(e->req.backend, AIC_BACKEND_VLLM);
    /* profile nvfp4, then the explicit prefill gemm fp8 wins */
    assert_int_equal(sp->role[AIC_ROLE_PREFILL].quant.gemm, AIC_Q_FP8);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].quant.gemm, AIC_Q_NVFP4);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].quant.kv, AIC_Q_FP8);
    assert_int_equal(sp->role[AIC_ROLE_PREFILL].n[AIC_DIM_TP], 2);
    assert_int_equal(sp->role[AIC_ROLE_DECODE].list[AIC_DIM_NUM_GPU][0], 4);
    assert_int_equal(sp->max_gpu_per_replica, 0);
    assert_int_equal(sp->max_decode_workers, 7);
    assert_true(fabs(sp->prefill_latency_correction - 1.3) < 1e-12);
    assert_int_equal(sp->decode_max_batch_size, 64);
    assert_int_equal(e->req.nextn, 2);
    assert_true(fabs(e->req.nextn_accepted - (0.8 + 0.8 * 0.5)) < 1e-12);
    aic_exp_set_free(&s);
}

static void test_malformed_yaml(void **state)
{
    (void)state;
    struct aic_exp_set s;
    struct aic_error err = {0};
    int rc = aic_exp_load_string("a:\n  isl: [1, 2\n  osl: 3\n", "bad.yaml", 5, &s, &err);
    assert_int_equal(rc, AIC_ERR_PARSE);
    assert_non_null(strstr(err.msg, "bad.yaml:"));
    assert_non_null(strstr(err.msg, "malformed YAML"));
    assert_int_equal(s.n, 0);
}

static void test_bad_experiments_rejected_alone(void **state)
{
    (void)state;
    const char *y = "good:\n  serving_mode: agg\n  model_path: Qwen/Qwen3-8B\n"
                    "  system_name: h200_sxm\n  total_gpus: 2\n"
                    "typo:\n  serving_mode: agg\n  model_path: Qwen/Qwen3-8B\n"
                    "  system_name: h200_sxm\n  total_gpus: 2\n  tpott: 3\n"
                    "mixed:\n  serving_mode: disagg\n  prefill_model_path: A/a\n"
                    "  decode_model_path: B/b\n  prefill_system_name: h200_sxm\n"
                    "  decode_system_name: h200_sxm\n  total_gpus: 4\n"
                    "prefixes:\n  serving_mode: disagg\n  model_path: Qwen/Qwen3-8B\n"
                    "  prefill_model_path: Qwen/Qwen3-8B\n  decode_model_path: Qwen/Qwen3-8B\n"
                    "  prefill_system_name: h200_sxm\n  decode_system_name: h200_sxm\n"
                    "  total_gpus: 4\n"
                    "badval:\n  serving_mode: agg\n  model_path: Qwen/Qwen3-8B\n"
                    "  system_name: h200_sxm\n  total_gpus: two\n  gemm_quant_mode: fp9\n"
                    "  database_mode: GOLD\n"
                    "nomode:\n  model_path: Qwen/Qwen3-8B\n";
    struct aic_exp_set s;
    load_ok(y, &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.exp[0]->name, "good");
    assert_int_equal(s.n_defined, 6);
    assert_true(
        has_msg(&s, "t.yaml:11:3: experiment 'typo': unknown key 'tpott' (did you mean 'tpot'?)"));
    assert_true(has_msg(
        &s, "experiment 'mixed': prefill_model_path 'A/a' and decode_model_path 'B/b' differ"));
    assert_true(
        has_msg(&s, "experiment 'prefixes': model_path is not allowed in a disagg experiment"));
    assert_true(has_msg(&s, "total_gpus must be an integer (got 'two')"));
    assert_true(has_msg(&s, "unknown gemm_quant_mode 'fp9'"));
    assert_true(has_msg(&s, "unknown database_mode 'GOLD'"));
    assert_true(has_msg(&s, "experiment 'nomode': serving_mode is required"));
    aic_exp_set_free(&s);
}

static void test_empty_list(void **state)
{
    (void)state;
    struct aic_exp_set s;
    load_ok("exps: []\na:\n  serving_mode: agg\n", &s);
    assert_int_equal(s.n, 0);
    aic_exp_set_free(&s);
    load_ok("", &s);
    assert_int_equal(s.n, 0);
    aic_exp_set_free(&s);
}

static void test_resolved_yaml_loads_back(void **state)
{
    (void)state;
    const char *y = "x:\n  serving_mode: disagg\n  total_gpus: 16\n  ttft: 700\n  tpot: 25\n"
                    "  prefill_model_path: Qwen/Qwen3-32B\n  decode_model_path: Qwen/Qwen3-32B\n"
                    "  prefill_system_name: h200_sxm\n  decode_system_name: h100_sxm\n"
                    "  prefill_backend_version: '1.0'\n  decode_tp_candidates: [2, 4]\n"
                    "  max_decode_workers: 5\n  rate_match_decode_degradation: 0.7\n";
    struct aic_exp_set s, t;
    load_ok(y, &s);
    assert_int_equal(s.n, 1);
    char *out = aic_exp_yaml(s.exp[0], NULL);
    assert_non_null(out);
    load_ok(out, &t);
    if (t.n != 1)
        fail_msg("resolved YAML did not load: %s\n%s", t.n_msg ? t.msg[0] : "", out);
    const struct aic_exp *a = s.exp[0], *b = t.exp[0];
    assert_int_equal(b->req.total_gpus, 16);
    assert_true(b->req.ttft_ms == 700 && b->req.tpot_ms == 25);
    assert_string_equal(b->req.decode_system, "h100_sxm");
    assert_string_equal(b->space.role[AIC_ROLE_PREFILL].backend_version, "1.0");
    assert_int_equal(b->space.role[AIC_ROLE_DECODE].n[AIC_DIM_TP], 2);
    assert_int_equal(b->space.max_decode_workers, 5);
    assert_true(fabs(b->space.rate_match_decode_degradation - 0.7) < 1e-12);
    assert_true(fabs(b->space.rate_match_prefill_degradation - 0.9) < 1e-12);
    assert_int_equal(a->req.wl.isl, b->req.wl.isl);
    free(out);
    aic_exp_set_free(&s);
    aic_exp_set_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_disagg_all_keys),
        cmocka_unit_test(test_defaults_selection_merge),
        cmocka_unit_test(test_v1_conversion),
        cmocka_unit_test(test_malformed_yaml),
        cmocka_unit_test(test_bad_experiments_rejected_alone),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_resolved_yaml_loads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
