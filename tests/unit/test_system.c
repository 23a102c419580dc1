/*
 * test_system.c - system specs: bundled and perf-database YAML files, the search path
 * (default, env, bad entries, unknown names), data_dir resolution, malformed YAML, and
 * the derived collective bandwidth and NCCL reserve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aiconfigurator/system.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void check_h100(const struct aic_system *s)
{
    assert_string_equal(s->name, "h100_sxm");
    assert_true(s->mem_bw_Bps == 3.35e12);
    assert_true(s->mem_capacity_bytes == 85899345920.0);
    assert_true(s->tc_flops[AIC_COMPUTE_BF16] == 989e12);
    assert_true(s->tc_flops[AIC_COMPUTE_FP8] == 1978e12);
    assert_true(s->tc_flops[AIC_COMPUTE_FP4] == 0);
    assert_true(s->mem_bw_scale == 0.8);
    assert_true(s->mem_const_latency_s == 3e-6);
    assert_int_equal(s->sm_version, 90);
    assert_int_equal(s->gpus_per_node, 8);
    assert_int_equal(s->gpus_per_rack, 0);
    assert_true(s->intra_node_bw_Bps == 450e9);
    assert_true(s->inter_node_bw_Bps == 50e9);
    assert_true(s->p2p_latency_s == 1e-5);
    assert_true(s->nccl_mem_bytes[1] == 358612992.0);
    assert_true(s->other_mem_bytes == 3758096384.0);
    assert_string_equal(s->nccl_version, "2.27.3");
    assert_true(s->data_dir[0] == '/');
    assert_true(ends_with(s->data_dir, "data/h100_sxm"));
}

static void test_bundled_h100(void **state)
{
    struct aic_system s;
    struct aic_error err = {0};
    (void)state;
    unsetenv("AIC_SYSTEMS_PATHS");
    if (aic_system_load("h100_sxm", NULL, &s, &err) != AIC_OK)
        fail_msg("%s", err.msg);
    check_h100(&s);
    assert_true(ends_with(s.spec_path, "systems/h100_sxm.yaml"));
}

static void test_perfdb_h100(void **state)
{
    const char *db = getenv("AIC_TEST_PERFDB");
    char path[1024];
    struct aic_system s;
    struct aic_error err = {0};
    (void)state;
    if (!db || access(db, R_OK) != 0)
        skip();
    if (aic_system_load("h100_sxm", db, &s, &err) != AIC_OK)
        fail_msg("%s", err.msg);
    check_h100(&s);
    snprintf(path, sizeof(path), "%s/data/h100_sxm", db);
    assert_int_equal(access(s.data_dir, R_OK), 0);
}

static void test_every_bundled_system(void **state)
{
    (void)state;
    for (int i = 0; aic_system_names[i]; i++) {
        struct aic_system s;
        struct aic_error err = {0};
        if (aic_system_load(aic_system_names[i], "default", &s, &err) != AIC_OK)
            fail_msg("%s: %s", aic_system_names[i], err.msg);
        assert_string_equal(s.name, aic_system_names[i]);
        assert_true(s.tc_flops[AIC_COMPUTE_BF16] > 0 && s.mem_bw_Bps > 0);
    }
}

static void test_gb200_topology(void **state)
{
    struct aic_system s;
    struct aic_error err = {0};
    (void)state;
    assert_int_equal(aic_system_load("gb200", "default", &s, &err), AIC_OK);
    assert_int_equal(s.gpus_per_node, 4);
    assert_int_equal(s.gpus_per_rack, 72);
    assert_true(s.tc_flops[AIC_COMPUTE_FP4] == 10e15);
    assert_true(aic_system_comm_bw(&s, 4) == 900e9);
    assert_true(aic_system_comm_bw(&s, 8) == 900e9);
    assert_true(aic_system_comm_bw(&s, 144) == 100e9);
    assert_int_equal(aic_system_load("a100_sxm", "default", &s, &err), AIC_OK);
    assert_true(s.tc_flops[AIC_COMPUTE_FP8] == 0);
    assert_true(aic_system_comm_bw(&s, 8) == 300e9);
    assert_true(aic_system_comm_bw(&s, 16) == 25e9);
    assert_true(aic_system_nccl_mem(&s, 1) == 0);
    assert_true(aic_system_nccl_mem(&s, 2) == 358612992.0);
    assert_true(aic_system_nccl_mem(&s, 8) == 411041792.0);
}

static void test_bad_path_entry(void **state)
{
    struct aic_system s;
    struct aic_error err = {0};
    (void)state;
    /* a runtime error (exit 1), whether the path came from the flag or AIC_SYSTEMS_PATHS */
    assert_int_equal(aic_system_load("h100_sxm", "default,/no/such/dir", &s, &err), AIC_ERR_IO);
    assert_non_null(strstr(err.msg, "invalid systems path '/no/such/dir' (--systems-paths or "
                                    "AIC_SYSTEMS_PATHS): not a directory"));
}

static void test_unknown_system(void **state)
{
    struct aic_system s;
    struct aic_error err = {0};
    (void)state;
    assert_int_equal(aic_system_load("h300_sxm", "default", &s, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "unknown system 'h300_sxm'"));
    assert_non_null(strstr(err.msg, "h100_sxm"));
    assert_non_null(strstr(err.msg, "gb200"));
}

static void test_env_paths_and_malformed(void **state)
{
    char dir[] = "/tmp/aic_sys_XXXXXX", path[256];
    struct aic_system s;
    struct aic_error err = {0};
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/mine.yaml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("gpu:\n  mem_bw: [1, 2\nnode:\n  x: 1\n", f);
    fclose(f);
    setenv("AIC_SYSTEMS_PATHS", dir, 1);
    assert_int_equal(aic_system_load("mine", NULL, &s, &err), AIC_ERR_PARSE);
    assert_non_null(strstr(err.msg, "mine.yaml:"));
    f = fopen(path, "w");
    fputs("gpu:\n  mem_bw: 1e12\n  mem_capacity: 1e10\n  bfloat16_tc_flops: 1e14\n"
          "node:\n  num_gpus_per_node: 2\n  intra_node_bw: 1e11\n  inter_node_bw: fast\n",
          f);
    fclose(f);
    assert_int_equal(aic_system_load("mine", NULL, &s, &err), AIC_ERR_PARSE);
    assert_non_null(strstr(err.msg, "mine.yaml:8:"));
    assert_non_null(strstr(err.msg, "node/inter_node_bw"));
    f = fopen(path, "w");
    fputs("gpu:\n  mem_bw: 1e12\n  mem_capacity: 1e10\n  bfloat16_tc_flops: 1e14\n"
          "node:\n  num_gpus_per_node: 2\n  intra_node_bw: 1e11\n",
          f);
    fclose(f);
    assert_int_equal(aic_system_load("mine", NULL, &s, &err), AIC_ERR_PARSE);
    assert_non_null(strstr(err.msg, "inter_node_bw"));
    unsetenv("AIC_SYSTEMS_PATHS");
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_h100),
        cmocka_unit_test(test_perfdb_h100),
        cmocka_unit_test(test_every_bundled_system),
        cmocka_unit_test(test_gb200_topology),
        cmocka_unit_test(test_bad_path_entry),
        cmocka_unit_test(test_unknown_system),
        cmocka_unit_test(test_env_paths_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
