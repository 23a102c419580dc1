/*
 * test_perf_transfer.c - SILICON's transfer ladder (src/perf/transfer.c) on the real tables
 * (AIC_TEST_PERFDB): a GEMM dtype without rows (nvfp4_wo on Hopper) answered from the
 * closest dtype's utilisation, a MoE shape that was never collected answered from its
 * nearest collected neighbour, the MoE token curve beyond its end, attention head_dim and MLA
 * module gemm_type transfers, and AIC_ERR_NODATA when nothing anchors. Skips (77) when
 * AIC_TEST_PERFDB is not a directory.
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

#include <cmocka.h>

#include "aiconfigurator/perf.h"
#include "perfdb_root.h"

static char g_root[512];

static struct aic_perfdb *open_sys(const char *name, enum aic_backend b, enum aic_db_mode mode)
{
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_error err = {0};
    if (!strcmp(name, "h200_sxm"))
        hopper_spec(&sys, g_root, name, 4800e9, "2.26.2");
    else
        hopper_spec(&sys, g_root, name, 3350e9, "2.27.3");
    int rc = aic_perfdb_open(&sys, b, NULL, mode, &db, &err);
    if (rc)
        print_error("open: %s\n", err.msg);
    assert_int_equal(rc, AIC_OK);
    return db;
}

static double gemm_ms(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                      enum aic_prov *prov)
{
    struct aic_lat lat;
    struct aic_error err = {0};
    int rc = aic_perf_gemm(db, q, m, n, k, &lat, &err);
    if (rc)
        print_error("gemm: %s\n", err.msg);
    assert_int_equal(rc, AIC_OK);
    if (prov)
        *prov = lat.prov;
    return lat.ms;
}

static void test_nvfp4_wo_gemm_h200_trtllm(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_sys("h200_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    enum aic_prov p;
    double q1 = gemm_ms(db, AIC_Q_NVFP4_WO, 1, 4096, 4096, &p);
    assert_int_equal(p, AIC_PROV_EXTRAPOLATED);
    double b1 = gemm_ms(db, AIC_Q_BF16, 1, 4096, 4096, NULL);
    assert_true(q1 > 0 && q1 < b1);
    double qb = gemm_ms(db, AIC_Q_NVFP4_WO, 8192, 4096, 4096, &p);
    double bb = gemm_ms(db, AIC_Q_BF16, 8192, 4096, 4096, NULL);
    assert_int_equal(p, AIC_PROV_EXTRAPOLATED);
    assert_true(qb >= 0.2 * bb && qb <= 1.2 * bb);
    /* h200 trtllm holds int4_wo: nvfp4_wo is int4_wo's utilisation on nvfp4_wo's SOL */
    double i1 = gemm_ms(db, AIC_Q_INT4_WO, 1, 4096, 4096, NULL);
    assert_true(fabs(q1 / i1 - 0.5625 / 0.5) < 0.02);
    aic_perfdb_free(db);
}

static void test_nvfp4_wo_gemm_memory_bound_from_fp8(void **state)
{
    (void)state;
    /* h100 vllm has no weight-only rows: the reference is fp8 */
    struct aic_perfdb *db = open_sys("h100_sxm", AIC_BACKEND_VLLM, AIC_DB_SILICON);
    enum aic_prov p;
    double q1 = gemm_ms(db, AIC_Q_NVFP4_WO, 1, 8192, 8192, &p);
    double b1 = gemm_ms(db, AIC_Q_BF16, 1, 8192, 8192, NULL);
    assert_int_equal(p, AIC_PROV_EXTRAPOLATED);
    assert_true(b1 / q1 > 2.0);
    double qb = gemm_ms(db, AIC_Q_NVFP4_WO, 8192, 8192, 8192, NULL);
    double bb = gemm_ms(db, AIC_Q_BF16, 8192, 8192, 8192, NULL);
    assert_true(qb >= 0.2 * bb && qb <= 1.2 * bb);
    aic_perfdb_free(db);
}

static double moe_ms(struct aic_perfdb *db, double tokens, int h, int inter, int topk, int e,
                     enum aic_prov *prov, int *rc_out)
{
    struct aic_lat lat = {0, 0};
    struct aic_error err = {0};
    int rc = aic_perf_moe(db, AIC_Q_BF16, "power_law_1.2", tokens, h, inter, topk, e, 1, 1, 1, &lat,
                          &err);
    if (rc_out)
        *rc_out = rc;
    else
        assert_int_equal(rc, AIC_OK);
    if (prov)
        *prov = lat.prov;
    return lat.ms;
}

static void test_moe_nearby_shape(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_sys("h100_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_perfdb *sol = open_sys("h100_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SOL);
    const double toks[] = {1, 16, 256, 4096};
    for (int i = 0; i < 4; i++) {
        enum aic_prov p;
        double q = moe_ms(db, toks[i], 4000, 1500, 8, 128, &p, NULL);
        double nb = moe_ms(db, toks[i], 4096, 1536, 8, 128, NULL, NULL); /* collected */
        double sq = moe_ms(sol, toks[i], 4000, 1500, 8, 128, NULL, NULL);
        double sn = moe_ms(sol, toks[i], 4096, 1536, 8, 128, NULL, NULL);
        double want = nb * sq / sn;
        assert_int_equal(p, AIC_PROV_EXTRAPOLATED);
        assert_true(q > 0.5 * want && q < 2.0 * want);
    }
    aic_perfdb_free(sol);
    aic_perfdb_free(db);
}

static void test_moe_token_tail_scales_with_sol(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_sys("h100_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_perfdb *sol = open_sys("h100_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SOL);
    enum aic_prov p;
    double end = moe_ms(db, 16384, 4096, 1536, 8, 128, &p, NULL); /* last collected point */
    assert_int_equal(p, AIC_PROV_MEASURED);
    double big = moe_ms(db, 131072, 4096, 1536, 8, 128, &p, NULL);
    assert_int_equal(p, AIC_PROV_EXTRAPOLATED);
    double r = moe_ms(sol, 131072, 4096, 1536, 8, 128, NULL, NULL) /
               moe_ms(sol, 16384, 4096, 1536, 8, 128, NULL, NULL);
    assert_true(fabs(big / end - r) < 1e-9 * r);
    assert_true(big > 7.0 * end);
    aic_perfdb_free(sol);
    aic_perfdb_free(db);
}

static void test_nothing_to_anchor(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_sys("h100_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    int rc;
    moe_ms(db, 128, 64, 32, 1, 2, NULL, &rc); /* > 3 octaves from every collected shape */
    assert_int_equal(rc, AIC_ERR_NODATA);
    aic_perfdb_free(db);
}

static void test_attention_head_dim_and_module_gemm(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_sys("h100_sxm", AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat a, b, c;
    struct aic_error err = {0};
    /* head_dim 96 is not collected: transferred from its nearest (64 or 128) slice */
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 2048, 32, 8, 96, 0, &a, &err),
        AIC_OK);
    assert_int_equal(a.prov, AIC_PROV_EXTRAPOLATED);
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 2048, 32, 8, 128, 0, &b, &err),
        AIC_OK);
    assert_true(a.ms > 0.3 * b.ms && a.ms < 1.2 * b.ms);
    assert_int_equal(
        aic_perf_generation_attention(db, AIC_Q_BF16, 16, 1024, 32, 8, 96, 0, &a, &err), AIC_OK);
    assert_int_equal(a.prov, AIC_PROV_EXTRAPOLATED);
    assert_true(a.ms > 0);
    /* the MLA module has no nvfp4 gemm_type on Hopper: the fp8_block module answers */
    assert_int_equal(
        aic_perf_mla_module(db, 0, AIC_Q_BF16, AIC_Q_FP8, AIC_Q_NVFP4, 8, 2048, 16, &a, &err),
        AIC_OK);
    assert_int_equal(
        aic_perf_mla_module(db, 0, AIC_Q_BF16, AIC_Q_FP8, AIC_Q_FP8_BLOCK, 8, 2048, 16, &c, &err),
        AIC_OK);
    assert_int_equal(a.prov, AIC_PROV_EXTRAPOLATED);
    assert_true(fabs(a.ms - c.ms) <= 1e-12 * c.ms);
    aic_perfdb_free(db);
}

int main(void)
{
    if (perfdb_root(g_root, sizeof(g_root)))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nvfp4_wo_gemm_h200_trtllm),
        cmocka_unit_test(test_nvfp4_wo_gemm_memory_bound_from_fp8),
        cmocka_unit_test(test_moe_nearby_shape),
        cmocka_unit_test(test_moe_token_tail_scales_with_sol),
        cmocka_unit_test(test_nothing_to_anchor),
        cmocka_unit_test(test_attention_head_dim_and_module_gemm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
