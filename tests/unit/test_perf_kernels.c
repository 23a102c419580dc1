/*
 * test_perf_kernels.c - which MoE kernel family a lookup reads, on a small perf database
 * written to a temporary folder (runs without ../shared): TensorRT-LLM on Blackwell takes the
 * faster of its default kernels and the trtllm-gen ones, reading block-scale fp8 trtllm-gen
 * timings from SGLang's flashinfer_trtllm rows and nothing else of that table; on Hopper it
 * reads its own table only; an unreadable SGLang table leaves the default kernels.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aiconfigurator/perf.h"
#include "perfdb_root.h"

static char g_root[64];

#define MOE_HEADER                                                                                 \
    "kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,num_experts,moe_tp_size,"      \
    "moe_ep_size,distribution,latency\n"

/* One table row per token count of a DeepSeek-V3-shaped curve (tp 8, power law). */
static void put_curve(FILE *f, const char *kernel, const char *dtype, const double lat[3])
{
    static const int tokens[3] = {1, 16, 128};
    for (int i = 0; i < 3; i++)
        fprintf(f, "%s,%s,%d,7168,2048,8,256,8,1,power_law_1.01,%g\n", kernel, dtype, tokens[i],
                lat[i]);
}

static void write_file(const char *rel, const char *text, const char *kernel, const char *dtype,
                       const double lat[3], const char *kernel2, const char *dtype2,
                       const double lat2[3])
{
    char path[256], cmd[320];
    snprintf(path, sizeof(path), "%s/%s", g_root, rel);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    if (kernel)
        put_curve(f, kernel, dtype, lat);
    if (kernel2)
        put_curve(f, kernel2, dtype2, lat2);
    fclose(f);
}

static const double deepgemm[3] = {0.10, 0.18, 0.37};    /* TensorRT-LLM fp8_block default */
static const double trtllm_gen[3] = {0.035, 0.30, 0.20}; /* SGLang flashinfer_trtllm */
static const double triton[3] = {0.001, 0.001, 0.001};   /* another SGLang runner: never read */

static struct aic_perfdb *open_db(int sm, enum aic_backend b)
{
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_error err = {0};
    hopper_spec(&sys, g_root, "b200_sxm", 8e12, "2.27.3");
    sys.sm_version = sm;
    assert_int_equal(aic_perfdb_open(&sys, b, NULL, AIC_DB_SILICON, &db, &err), AIC_OK);
    return db;
}

static double moe_ms(struct aic_perfdb *db, double tokens)
{
    struct aic_lat lat;
    struct aic_error err = {0};
    int rc = aic_perf_moe(db, AIC_Q_FP8_BLOCK, "power_law_1.01", tokens, 7168, 2048, 8, 256, 8, 1,
                          1, &lat, &err);
    if (rc)
        print_error("moe: %s\n", err.msg);
    assert_int_equal(rc, AIC_OK);
    return lat.ms;
}

static void write_tables(int sglang_ok)
{
    write_file("data/b200_sxm/trtllm/1.0.0/moe_perf.csv", MOE_HEADER, "deepgemm", "fp8_block",
               deepgemm, NULL, NULL, NULL);
    if (sglang_ok)
        write_file("data/b200_sxm/sglang/0.5.0/moe_perf.csv", MOE_HEADER,
                   "sglang_flashinfer_trtllm_moe", "fp8_block", trtllm_gen,
                   "sglang_fused_moe_triton", "fp8_block", triton);
    else
        write_file("data/b200_sxm/sglang/0.5.0/moe_perf.csv", "kernel_source,moe_dtype\n\"x\n",
                   NULL, NULL, NULL, NULL, NULL, NULL);
}

static void test_blackwell_takes_faster_family(void **state)
{
    (void)state;
    write_tables(1);
    struct aic_perfdb *db = open_db(100, AIC_BACKEND_TRTLLM);
    assert_float_equal(moe_ms(db, 1), trtllm_gen[0], 1e-12);
    assert_float_equal(moe_ms(db, 16), deepgemm[1], 1e-12); /* here the default kernel wins */
    assert_float_equal(moe_ms(db, 128), trtllm_gen[2], 1e-12);
    aic_perfdb_free(db);
}

static void test_hopper_reads_own_table(void **state)
{
    (void)state;
    write_tables(1);
    struct aic_perfdb *db = open_db(90, AIC_BACKEND_TRTLLM);
    for (int i = 0; i < 3; i++)
        assert_float_equal(moe_ms(db, i == 0 ? 1 : i == 1 ? 16 : 128), deepgemm[i], 1e-12);
    aic_perfdb_free(db);
}

static void test_sglang_table_unchanged(void **state)
{
    (void)state;
    write_tables(1);
    struct aic_perfdb *db = open_db(100, AIC_BACKEND_SGLANG);
    /* SGLang's own lookup: the first kernel's row of each key, as before */
    assert_float_equal(moe_ms(db, 16), trtllm_gen[1], 1e-12);
    aic_perfdb_free(db);
}

static void test_unreadable_sibling(void **state)
{
    (void)state;
    write_tables(0);
    struct aic_perfdb *db = open_db(100, AIC_BACKEND_TRTLLM);
    assert_float_equal(moe_ms(db, 1), deepgemm[0], 1e-12);
    aic_perfdb_free(db);
}

int main(void)
{
    char cmd[96];
    snprintf(g_root, sizeof(g_root), "/tmp/aic_kernels_%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blackwell_takes_faster_family),
        cmocka_unit_test(test_hopper_reads_own_table),
        cmocka_unit_test(test_sglang_table_unchanged),
        cmocka_unit_test(test_unreadable_sibling),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_root);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
