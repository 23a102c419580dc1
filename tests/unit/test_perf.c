/*
 * test_perf.c - the perf database against the real measured tables (AIC_TEST_PERFDB):
 * exact hits return the CSV value, interpolation stays between its neighbours,
 * extrapolation scales with speed of light, the four database modes, fallbacks, versions
 * and the error messages. Skips (77) when AIC_TEST_PERFDB is not a directory.
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

/* h100_sxm.yaml values. */
static void h100(struct aic_system *s)
{
    hopper_spec(s, g_root, "h100_sxm", 3350e9, "2.27.3");
}

static struct aic_perfdb *open_db(enum aic_backend b, enum aic_db_mode mode)
{
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_error err = {0};
    h100(&sys);
    int rc = aic_perfdb_open(&sys, b, NULL, mode, &db, &err);
    if (rc)
        print_error("open: %s\n", err.msg);
    assert_int_equal(rc, AIC_OK);
    return db;
}

static double csv_column(const char *file, const char *lat_name, const char *const *cols,
                         const char *const *vals, int n);

/* Latency of the first CSV row whose named columns equal the given values ("" = any). */
static double csv_latency(const char *file, const char *const *cols, const char *const *vals, int n)
{
    return csv_column(file, "latency", cols, vals, n);
}

/* Column `lat_name` of the first CSV row whose named columns equal the given values. */
static double csv_column(const char *file, const char *lat_name, const char *const *cols,
                         const char *const *vals, int n)
{
    char path[1200], line[1024];
    int idx[16], lat_col = -1;
    snprintf(path, sizeof(path), "%s/%s", g_root, file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    line[strcspn(line, "\r\n")] = 0;
    for (int i = 0; i < n; i++)
        idx[i] = -1;
    int c = 0;
    for (char *tok = strtok(line, ","); tok; tok = strtok(NULL, ","), c++) {
        if (!strcmp(tok, lat_name))
            lat_col = c;
        for (int i = 0; i < n; i++)
            if (!strcmp(tok, cols[i]))
                idx[i] = c;
    }
    double lat = NAN;
    while (isnan(lat) && fgets(line, sizeof(line), f)) {
        char *fields[32];
        int nf = 0;
        line[strcspn(line, "\r\n")] = 0;
        for (char *p = line; nf < 32;) {
            fields[nf++] = p;
            p = strchr(p, ',');
            if (!p)
                break;
            *p++ = 0;
        }
        int ok = 1;
        for (int i = 0; i < n && ok; i++)
            ok = idx[i] >= 0 && idx[i] < nf && !strcmp(fields[idx[i]], vals[i]);
        if (ok && lat_col < nf)
            lat = strtod(fields[lat_col], NULL);
    }
    fclose(f);
    return lat;
}

#define GEMM_CSV "data/h100_sxm/trtllm/1.3.0rc23/gemm_perf.csv"

static double gemm_csv(const char *m, const char *n, const char *k)
{
    static const char *const cols[] = {"gemm_dtype", "m", "n", "k"};
    const char *vals[] = {"bfloat16", m, n, k};
    return csv_latency(GEMM_CSV, cols, vals, 4);
}

static void test_gemm_exact_hit(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat lat;
    struct aic_error err = {0};
    double want = gemm_csv("64", "4096", "4096");
    assert_false(isnan(want));
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 64, 4096, 4096, &lat, &err), AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_MEASURED);
    assert_true(fabs(lat.ms - want) <= 1e-12 * want);
    aic_perfdb_free(db);
}

static void test_gemm_interpolation_between(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat lat;
    struct aic_error err = {0};
    double lo = gemm_csv("4096", "4096", "4096"), hi = gemm_csv("8192", "4096", "4096");
    assert_false(isnan(lo) || isnan(hi));
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 6000, 4096, 4096, &lat, &err), AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_INTERPOLATED);
    assert_true(lat.ms > fmin(lo, hi) && lat.ms < fmax(lo, hi));
    aic_perfdb_free(db);
}

static void test_gemm_extrapolation_scales_with_sol(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat top, beyond;
    struct aic_error err = {0};
    double last = gemm_csv("32768", "4096", "4096");
    assert_false(isnan(last));
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 32768, 4096, 4096, &top, &err), AIC_OK);
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 131072, 4096, 4096, &beyond, &err), AIC_OK);
    assert_int_equal(beyond.prov, AIC_PROV_EXTRAPOLATED);
    /* compute bound: 4x the tokens is about 4x the time, certainly not clamped */
    double r = beyond.ms / top.ms;
    assert_true(r > 3.5 && r < 4.5);
    aic_perfdb_free(db);
}

/* A k-serial kernel row (fp8_block, m=8, n=128, k=65536 on H100) loses to the split-K
 * reading of the same table: s slices of k/s as an (m, s*n, k/s) GEMM plus the fp32 partials'
 * reduction (one launch, 2 us, and their traffic at 3.35 TB/s). */
static void test_gemm_split_k(void **state)
{
    (void)state;
    static const char *const cols[] = {"gemm_dtype", "m", "n", "k"};
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat lat;
    struct aic_error err = {0};
    const char *serial[] = {"fp8_block", "8", "128", "65536"};
    double whole = csv_latency(GEMM_CSV, cols, serial, 4), best = whole;
    assert_false(isnan(whole));
    for (int s = 4; s <= 16; s *= 2) { /* the shapes the table has (k = 32768 it has not) */
        char n[16], k[16];
        snprintf(n, sizeof(n), "%d", 128 * s);
        snprintf(k, sizeof(k), "%d", 65536 / s);
        const char *vals[] = {"fp8_block", "8", n, k};
        double v = csv_latency(GEMM_CSV, cols, vals, 4);
        assert_false(isnan(v));
        v += 2.0 * s * 8 * 128 * 4.0 / 3350e9 * 1000.0 + 0.002;
        best = fmin(best, v);
    }
    assert_true(best < 0.5 * whole);
    assert_int_equal(aic_perf_gemm(db, AIC_Q_FP8_BLOCK, 8, 128, 65536, &lat, &err), AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_INTERPOLATED);
    assert_true(lat.ms <= best + 1e-9 && lat.ms > 0.5 * best);
    aic_perfdb_free(db);
}

/* fp8_static = the fp8 row less the activation-scale kernel (computescale_perf); with an
 * already-quantized input, less the input quantization (scale_matrix_perf) too. */
static void test_gemm_fp8_static(void **state)
{
    (void)state;
    static const char *const gcols[] = {"gemm_dtype", "m", "n", "k"};
    static const char *const scols[] = {"quant_dtype", "m", "k"};
    static const char *const gvals[] = {"fp8", "8", "4096", "4096"};
    static const char *const svals[] = {"fp8", "8", "4096"};
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat a, b;
    struct aic_error err = {0};
    double fp8 = csv_latency(GEMM_CSV, gcols, gvals, 4);
    double cs =
        csv_latency("data/h100_sxm/trtllm/1.3.0rc23/computescale_perf.csv", scols, svals, 3);
    double sm =
        csv_latency("data/h100_sxm/trtllm/1.3.0rc23/scale_matrix_perf.csv", scols, svals, 3);
    assert_false(isnan(fp8) || isnan(cs) || isnan(sm));
    assert_int_equal(aic_perf_gemm(db, AIC_Q_FP8_STATIC, 8, 4096, 4096, &a, &err), AIC_OK);
    assert_true(fabs(a.ms - (fp8 - cs)) <= 1e-9);
    assert_int_equal(aic_perf_gemm_quantized_input(db, AIC_Q_FP8_STATIC, 8, 4096, 4096, &b, &err),
                     AIC_OK);
    assert_true(fabs(b.ms - (fp8 - cs - sm)) <= 1e-9);
    assert_int_equal(aic_perf_gemm_quantized_input(db, AIC_Q_FP8, 8, 4096, 4096, &b, &err), AIC_OK);
    assert_true(fabs(b.ms - fp8) <= 1e-9);
    aic_perfdb_free(db);
}

static void test_gemm_unknown_site(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat a, b, c;
    struct aic_error err = {0};
    /* n = 5120 lies between collected sites: between the neighbours' latencies */
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 1024, 4096, 4096, &a, &err), AIC_OK);
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 1024, 5120, 4096, &b, &err), AIC_OK);
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 1024, 8192, 4096, &c, &err), AIC_OK);
    assert_true(b.ms > a.ms && b.ms < c.ms);
    aic_perfdb_free(db);
}

static void test_sol_mode_equals_sol_gemm(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SOL);
    struct aic_lat lat;
    struct aic_error err = {0};
    assert_int_equal(aic_perf_gemm(db, AIC_Q_FP8, 512, 4096, 14336, &lat, &err), AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_SOL);
    double sol = aic_sol_gemm(aic_perfdb_system(db), AIC_Q_FP8, 512, 4096, 14336);
    assert_true(fabs(lat.ms - sol) < 1e-15);
    /* 2*512*4096*14336 / 1978e12 s, compute bound */
    assert_true(fabs(sol - 2.0 * 512 * 4096 * 14336 / 1978e12 * 1000) < 1e-12);
    {
        struct aic_lat m;
        aic_perf_mem_op(db, 3350e6, &m); /* 1 ms at full bandwidth, no 0.8, no 3 us */
        assert_true(fabs(m.ms - 1.0) < 1e-12);
    }
    {
        /* MoE decode, 16 tokens top-8 of 128 experts, EP 4, fp8: memory bound; it reads the
         * weights of the experts the tokens route to, 128 (1 - (1 - 8/128)^16) = 82.4 of them,
         * a quarter on this rank, not all 32 local ones */
        double hit = 1 - pow(1 - 8.0 / 128, 16), gi = 1536.0 * 3;
        double bytes = 32 * 4096 * 2.0 + 32 * gi + 4096 * gi * 32 * hit;
        assert_int_equal(
            aic_perf_moe(db, AIC_Q_FP8, "uniform", 16, 4096, 1536, 8, 128, 1, 4, 1, &lat, &err),
            AIC_OK);
        assert_true(hit > 0.64 && hit < 0.65);
        assert_true(fabs(lat.ms - bytes / 3350e9 * 1000) < 1e-9 * lat.ms);
    }
    aic_perfdb_free(db);
}

static void test_missing_slice_nodata_and_hybrid(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat lat;
    struct aic_error err = {0};
    /* far from every collected shape (nearer ones transfer, test_perf_transfer.c) */
    int rc = aic_perf_moe(db, AIC_Q_BF16, "power_law_1.2", 128, 64, 32, 1, 2, 1, 1, 1, &lat, &err);
    assert_int_equal(rc, AIC_ERR_NODATA);
    assert_non_null(strstr(err.msg, "moe_perf"));
    assert_non_null(strstr(err.msg, "h=64"));
    aic_perfdb_free(db);

    db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_HYBRID);
    rc = aic_perf_moe(db, AIC_Q_BF16, "power_law_1.2", 128, 64, 32, 1, 2, 1, 1, 1, &lat, &err);
    assert_int_equal(rc, AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_EMPIRICAL);
    assert_true(lat.ms > 0);
    /* present data is still measured in HYBRID */
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 64, 4096, 4096, &lat, &err), AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_MEASURED);
    aic_perfdb_free(db);
}

static void test_bad_version(void **state)
{
    (void)state;
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_error err = {0};
    h100(&sys);
    assert_int_equal(aic_perfdb_open(&sys, AIC_BACKEND_VLLM, "0.99", AIC_DB_SILICON, &db, &err),
                     AIC_ERR_NOTFOUND);
    assert_null(db);
    assert_string_equal(err.msg, "no perf data for h100_sxm/vllm 0.99; available: 0.24.0 (pass one "
                                 "as --backend-version)");
    /* EMPIRICAL and SOL need no folder */
    assert_int_equal(aic_perfdb_open(&sys, AIC_BACKEND_VLLM, "0.99", AIC_DB_SOL, &db, &err),
                     AIC_OK);
    assert_string_equal(aic_perfdb_version(db), "");
    aic_perfdb_free(db);
    db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    assert_string_equal(aic_perfdb_version(db), "1.3.0rc23");
    assert_true(aic_perfdb_has_table(db, "moe_perf"));
    assert_false(aic_perfdb_has_table(db, "trtllm_alltoall_perf"));
    aic_perfdb_free(db);
}

static void test_context_attention(void **state)
{
    (void)state;
    static const char *const cols[] = {
        "attn_dtype", "kv_cache_dtype", "num_heads", "num_key_value_heads",
        "head_dim",   "window_size",    "isl",       "batch_size"};
    static const char *const vals[] = {"bfloat16", "bfloat16", "32", "8", "128", "0", "1024", "4"};
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat lat, lo, hi;
    struct aic_error err = {0};
    double want =
        csv_latency("data/h100_sxm/trtllm/1.3.0rc23/context_attention_perf.csv", cols, vals, 8);
    assert_false(isnan(want));
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 1024, 32, 8, 128, 0, &lat, &err),
        AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_MEASURED);
    assert_true(fabs(lat.ms - want) <= 1e-12 * want);
    /* between two sequence lengths */
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 1024, 32, 8, 128, 0, &lo, &err),
        AIC_OK);
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 2048, 32, 8, 128, 0, &hi, &err),
        AIC_OK);
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 1500, 32, 8, 128, 0, &lat, &err),
        AIC_OK);
    assert_true(lat.ms > lo.ms && lat.ms < hi.ms);
    /* fp8 FMHA on vLLM (no fp8 rows) falls back to bf16 FMHA */
    aic_perfdb_free(db);
    db = open_db(AIC_BACKEND_VLLM, AIC_DB_SILICON);
    assert_int_equal(
        aic_perf_context_attention(db, AIC_Q_FP8, AIC_Q_FP8, 4, 1024, 32, 8, 128, 0, &lat, &err),
        AIC_OK);
    assert_true(lat.ms > 0);
    aic_perfdb_free(db);
}

static void test_generation_attention(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat a, b;
    struct aic_error err = {0};
    assert_int_equal(
        aic_perf_generation_attention(db, AIC_Q_BF16, 16, 1000, 32, 8, 128, 0, &a, &err), AIC_OK);
    assert_int_equal(
        aic_perf_generation_attention(db, AIC_Q_BF16, 16, 4000, 32, 8, 128, 0, &b, &err), AIC_OK);
    assert_true(a.ms > 0 && b.ms > a.ms);
    /* far beyond the longest sequence: held utilization, grows with the KV length */
    assert_int_equal(
        aic_perf_generation_attention(db, AIC_Q_BF16, 16, 1e6, 32, 8, 128, 0, &b, &err), AIC_OK);
    assert_int_equal(b.prov, AIC_PROV_EXTRAPOLATED);
    assert_true(b.ms > 50 * a.ms);
    aic_perfdb_free(db);
}

/* Relative error of a 16-GPU collective (two h100 nodes) against the 8-GPU table rows scaled
 * by the cross-node model: floor x 15/7 steps + size part x traffic factor x bus-bandwidth
 * ratio + one 10 us hop. op NULL = the custom all-reduce table. */
static double comm_beyond_node(struct aic_perfdb *db, const char *op, double elems)
{
    const struct aic_system *sys = aic_perfdb_system(db);
    double intra = sys->intra_node_bw_Bps, nic = sys->inter_node_bw_Bps, bw16;
    struct aic_lat l8, f8, l16;
    struct aic_error err = {0};
    int a2a = op && !strcmp(op, "alltoall");

    if (op) {
        assert_int_equal(aic_perf_nccl(db, AIC_Q_HALF, op, elems, 8, &l8, &err), AIC_OK);
        assert_int_equal(aic_perf_nccl(db, AIC_Q_HALF, op, 256, 8, &f8, &err), AIC_OK);
        assert_int_equal(aic_perf_nccl(db, AIC_Q_HALF, op, elems, 16, &l16, &err), AIC_OK);
    } else {
        assert_int_equal(aic_perf_allreduce(db, elems, 8, &l8, &err), AIC_OK);
        assert_int_equal(aic_perf_allreduce(db, 256, 8, &f8, &err), AIC_OK);
        assert_int_equal(aic_perf_allreduce(db, elems, 16, &l16, &err), AIC_OK);
    }
    assert_int_equal(l16.prov, AIC_PROV_EXTRAPOLATED);
    bw16 = a2a ? (15.0 / 16) / fmax(0.5 / nic, (7.0 / 16) / intra) : fmin(intra, 8 * nic);
    double want = f8.ms * 15 / 7 + (l8.ms - f8.ms) * (15.0 / 16) * (8.0 / 7) * intra / bw16 +
                  sys->p2p_latency_s * 1000;
    return fabs(l16.ms - want) / want;
}

static void test_comm(void **state)
{
    (void)state;
    static const char *const cols[] = {"num_gpus", "message_size"};
    static const char *const vals[] = {"8", "1048576"};
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat lat, big;
    struct aic_error err = {0};
    double want =
        csv_latency("data/h100_sxm/trtllm/1.3.0rc23/custom_allreduce_perf.csv", cols, vals, 2);
    assert_false(isnan(want));
    assert_int_equal(aic_perf_allreduce(db, 1048576, 8, &lat, &err), AIC_OK);
    assert_true(fabs(lat.ms - want) <= 1e-12 * want);
    assert_int_equal(aic_perf_allreduce(db, 1048576, 1, &lat, &err), AIC_OK);
    assert_true(lat.ms == 0);
    /* 16 GPUs, two nodes: a ring moves its data through all eight NICs of a node
     * (8 x 50 GB/s against 450 GB/s NVLink), pays its floor once per step (15 steps
     * instead of 7) and one inter-node hop */
    assert_true(comm_beyond_node(db, NULL, 1048576) < 1e-9);
    /* an all-to-all sends each GPU's off-node half through its own NIC */
    assert_true(comm_beyond_node(db, "alltoall", 1048576) < 1e-9);
    assert_true(comm_beyond_node(db, "all_gather", 65536) < 1e-9);
    /* below the smallest collected message a collective costs its floor, not less */
    assert_int_equal(aic_perf_allreduce(db, 256, 8, &lat, &err), AIC_OK);
    assert_int_equal(aic_perf_allreduce(db, 8, 8, &big, &err), AIC_OK);
    assert_true(big.ms == lat.ms && lat.ms > 0);
    /* NCCL beyond the largest message: linear in size */
    assert_int_equal(aic_perf_nccl(db, AIC_Q_HALF, "all_gather", 268435456, 8, &lat, &err), AIC_OK);
    assert_int_equal(aic_perf_nccl(db, AIC_Q_HALF, "all_gather", 4 * 268435456.0, 8, &big, &err),
                     AIC_OK);
    assert_true(big.ms > 3.9 * lat.ms && big.ms < 4.1 * lat.ms);
    aic_perfdb_free(db);
}

static void test_empirical_mode(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_EMPIRICAL);
    struct aic_lat lat;
    struct aic_error err = {0};
    assert_int_equal(aic_perf_gemm(db, AIC_Q_BF16, 4096, 4096, 4096, &lat, &err), AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_EMPIRICAL);
    double sol = aic_sol_gemm(aic_perfdb_system(db), AIC_Q_BF16, 4096, 4096, 4096);
    assert_true(lat.ms >= sol && lat.ms < 5 * sol);
    assert_int_equal(
        aic_perf_moe(db, AIC_Q_FP8, "power_law_1.2", 512, 4096, 1536, 8, 128, 1, 8, 1, &lat, &err),
        AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_EMPIRICAL);
    /* a class without a fit of its own (head_dim 96, an uncollected distribution) falls back
     * to its dtype's fit: still empirical, never faster than light */
    const int dims[] = {128, 96};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 4, 2048, 32, 8,
                                                    dims[i], 0, &lat, &err),
                         AIC_OK);
        assert_int_equal(lat.prov, AIC_PROV_EMPIRICAL);
        assert_true(lat.ms > 0.01 && lat.ms < 100);
    }
    assert_int_equal(
        aic_perf_moe(db, AIC_Q_FP8, "uniform", 512, 4096, 1536, 8, 128, 1, 8, 1, &lat, &err),
        AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_EMPIRICAL);
    /* fp8_static has a fit of its own (fp8 rows less the scale kernel, ~7 of ~19 us here) */
    struct aic_lat dyn, stat;
    assert_int_equal(aic_perf_gemm(db, AIC_Q_FP8, 8, 4096, 4096, &dyn, &err), AIC_OK);
    assert_int_equal(aic_perf_gemm(db, AIC_Q_FP8_STATIC, 8, 4096, 4096, &stat, &err), AIC_OK);
    assert_true(stat.ms < 0.8 * dyn.ms &&
                stat.ms >= aic_sol_gemm(aic_perfdb_system(db), AIC_Q_FP8, 8, 4096, 4096));
    /* analytic ops */
    aic_perf_mem_op(db, 2680e6, &lat); /* 2680e6 / (3350e9 * 0.8) = 1 ms, + 3 us */
    assert_int_equal(lat.prov, AIC_PROV_ANALYTIC);
    assert_true(fabs(lat.ms - 1.003) < 1e-9);
    aic_perf_p2p(db, 50e6, &lat); /* 1 ms + 10 us */
    assert_true(fabs(lat.ms - 1.01) < 1e-9);
    aic_perfdb_free(db);
}

static void test_moe_and_mla(void **state)
{
    (void)state;
    struct aic_perfdb *db = open_db(AIC_BACKEND_TRTLLM, AIC_DB_SILICON);
    struct aic_lat a, b;
    struct aic_error err = {0};
    /* DeepSeek-V3 shape, fp8_block, 8-way EP; a distribution the table lacks falls back */
    assert_int_equal(aic_perf_moe(db, AIC_Q_FP8_BLOCK, "power_law_1.01", 256, 7168, 2048, 8, 256, 1,
                                  8, 1, &a, &err),
                     AIC_OK);
    assert_int_equal(
        aic_perf_moe(db, AIC_Q_FP8_BLOCK, "uniform", 256, 7168, 2048, 8, 256, 1, 8, 1, &b, &err),
        AIC_OK);
    assert_true(a.ms > 0 && b.ms > 0);
    assert_int_equal(aic_perf_mla_bmm(db, AIC_Q_FP8, 1, 64, 16, &a, &err), AIC_OK);
    assert_int_equal(aic_perf_generation_mla(db, AIC_Q_FP8, 32, 2048, 16, &a, &err), AIC_OK);
    assert_int_equal(aic_perf_context_mla(db, AIC_Q_FP8, AIC_Q_FP8, 2, 4096, 16, &a, &err), AIC_OK);
    assert_int_equal(
        aic_perf_mla_module(db, 1, AIC_Q_BF16, AIC_Q_FP8, AIC_Q_FP8_BLOCK, 2, 4096, 16, &b, &err),
        AIC_OK);
    assert_true(a.ms > 0 && b.ms > 0);
    aic_perfdb_free(db);
}

/* A B200 database: the Hopper spec's fields with Blackwell's SM version (the lookups below
 * read collected points, which do not depend on the peak figures). */
static struct aic_perfdb *open_b200(enum aic_backend b)
{
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_error err = {0};
    hopper_spec(&sys, g_root, "b200_sxm", 8e12, "2.27.3");
    sys.sm_version = 100;
    int rc = aic_perfdb_open(&sys, b, NULL, AIC_DB_SILICON, &db, &err);
    if (rc)
        print_error("open: %s\n", err.msg);
    assert_int_equal(rc, AIC_OK);
    return db;
}

/* One moe_perf row of a DeepSeek-V3 shape (h 7168, inter 2048, top-8 of 256, power law). */
static double moe_row(const char *file, const char *kernel, const char *dtype, const char *tokens,
                      const char *tp, const char *ep)
{
    static const char *const cols[] = {"kernel_source", "moe_dtype",   "num_tokens",  "hidden_size",
                                       "inter_size",    "topk",        "num_experts", "moe_tp_size",
                                       "moe_ep_size",   "distribution"};
    const char *vals[] = {kernel, dtype, tokens, "7168", "2048",
                          "8",    "256", tp,     ep,     "power_law_1.01"};
    double v = csv_latency(file, cols, vals, 10);
    assert_false(isnan(v));
    return v;
}

/* TensorRT-LLM on Blackwell: gated nvfp4 and block-scale fp8 MoE take the faster of its default
 * kernels and the trtllm-gen ones; for fp8 those come from SGLang's flashinfer_trtllm rows
 * (TensorRT-LLM's table has DeepGEMM only). SGLang's own lookups are unchanged. */
static void test_trtllm_gen_moe(void **state)
{
    (void)state;
    const char *trt = "data/b200_sxm/trtllm/1.3.0rc23/moe_perf.csv";
    const char *sgl = "data/b200_sxm/sglang/0.5.16/moe_perf.csv";
    struct aic_perfdb *db = open_b200(AIC_BACKEND_TRTLLM), *sdb = open_b200(AIC_BACKEND_SGLANG);
    struct aic_lat a;
    struct aic_error err = {0};
    static const struct {
        enum aic_quant q;
        const char *dtype, *tokens, *tp, *ep, *dflt, *gen;
        int gen_in_sglang; /* the trtllm-gen row comes from SGLang's table */
    } cases[] = {
        {AIC_Q_FP8_BLOCK, "fp8_block", "128", "8", "1", "deepgemm", "sglang_flashinfer_trtllm_moe",
         1},
        {AIC_Q_FP8_BLOCK, "fp8_block", "1", "1", "8", "deepgemm", "sglang_flashinfer_trtllm_moe",
         1},
        {AIC_Q_NVFP4, "nvfp4", "1024", "8", "1", "moe_torch_flow_cutlass",
         "moe_torch_flow_min_latency", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double d =
            moe_row(trt, cases[i].dflt, cases[i].dtype, cases[i].tokens, cases[i].tp, cases[i].ep);
        double g = moe_row(cases[i].gen_in_sglang ? sgl : trt, cases[i].gen, cases[i].dtype,
                           cases[i].tokens, cases[i].tp, cases[i].ep);
        assert_int_equal(aic_perf_moe(db, cases[i].q, "power_law_1.01", atof(cases[i].tokens), 7168,
                                      2048, 8, 256, atoi(cases[i].tp), atoi(cases[i].ep), 1, &a,
                                      &err),
                         AIC_OK);
        assert_float_equal(a.ms, fmin(d, g), 1e-9);
    }
    /* the two kernels differ enough that the cases above test the choice both ways */
    assert_true(moe_row(sgl, "sglang_flashinfer_trtllm_moe", "fp8_block", "128", "8", "1") <
                0.7 * moe_row(trt, "deepgemm", "fp8_block", "128", "8", "1"));
    assert_true(moe_row(trt, "deepgemm", "fp8_block", "1", "1", "8") <
                0.7 * moe_row(sgl, "sglang_flashinfer_trtllm_moe", "fp8_block", "1", "1", "8"));
    assert_int_equal(aic_perf_moe(sdb, AIC_Q_FP8_BLOCK, "power_law_1.01", 1, 7168, 2048, 8, 256, 1,
                                  8, 1, &a, &err),
                     AIC_OK);
    assert_float_equal(
        a.ms, moe_row(sgl, "sglang_flashinfer_trtllm_moe", "fp8_block", "1", "1", "8"), 1e-9);
    aic_perfdb_free(db);
    aic_perfdb_free(sdb);
}

/* One checksum of a spread of GEMM, attention and MoE answers from db. */
static double query_spread(struct aic_perfdb *db)
{
    struct aic_lat a;
    struct aic_error err = {0};
    double sum = 0;
    for (double m = 1; m <= 20000; m *= 3.1) {
        if (!aic_perf_gemm(db, AIC_Q_FP8_BLOCK, m, 7168, 2048, &a, &err))
            sum += a.ms;
        if (!aic_perf_context_attention(db, AIC_Q_BF16, AIC_Q_BF16, 1, m, 32, 8, 128, 0, &a, &err))
            sum += a.ms;
        if (!aic_perf_generation_attention(db, AIC_Q_BF16, 8, m, 32, 8, 128, 0, &a, &err))
            sum += a.ms;
        if (!aic_perf_moe(db, AIC_Q_FP8_BLOCK, "power_law_1.01", m, 7168, 2048, 8, 256, 1, 8, 1, &a,
                          &err))
            sum += a.ms;
    }
    return sum;
}

/* aic_perfdb_preload and aic_perfdb_prefetch load tables on several threads; every answer
 * equals a lazily loaded database's (the largest database, whose MoE table also reads
 * SGLang's). A name that is no table is skipped. */
static void test_preload_matches_lazy(void **state)
{
    (void)state;
    static const char *const some[] = {"moe_perf", "no_such_perf", "gemm_perf",
                                       "generation_attention_perf"};
    struct aic_perfdb *pre = open_b200(AIC_BACKEND_TRTLLM), *lazy = open_b200(AIC_BACKEND_TRTLLM);
    struct aic_perfdb *part = open_b200(AIC_BACKEND_TRTLLM);
    struct aic_error err = {0};
    assert_int_equal(aic_perfdb_preload(pre, &err), AIC_OK);
    assert_int_equal(aic_perfdb_prefetch(part, some, 4, &err), AIC_OK);
    double sum = query_spread(pre);
    assert_true(sum > 0);
    assert_float_equal(sum, query_spread(lazy), 0);
    assert_float_equal(sum, query_spread(part), 0);
    aic_perfdb_free(pre);
    aic_perfdb_free(lazy);
    aic_perfdb_free(part);
}

/* SGLang wide EP (DeepEP): expert compute read at collected points, interpolated in
 * log(ep) between collected expert-parallel sizes; DeepEP dispatch in microseconds. */
static void test_wideep(void **state)
{
    (void)state;
    static const char *const cols[] = {"moe_ep_size", "num_tokens", "distribution"};
    static const char *const v4[] = {"4", "128", "uniform"}, *const v8[] = {"8", "128", "uniform"};
    static const char *const ll_cols[] = {"node_num", "hidden_size", "num_token", "num_experts"};
    static const char *const ll_vals[] = {"1", "7168", "128", "256"};
    const char *gen = "data/h100_sxm/sglang/0.5.16/wideep_generation_moe_perf.csv";
    struct aic_perfdb *db = open_db(AIC_BACKEND_SGLANG, AIC_DB_SILICON);
    struct aic_lat lat;
    struct aic_error err = {0};
    double l4 = csv_latency(gen, cols, v4, 3), l8 = csv_latency(gen, cols, v8, 3), want;

    assert_false(isnan(l4) || isnan(l8));
    assert_int_equal(aic_perf_wideep_moe(db, AIC_Q_FP8_BLOCK, "uniform", 0, 128, 7168, 2048, 8, 256,
                                         8, &lat, &err),
                     AIC_OK);
    assert_float_equal(lat.ms, l8, 1e-12);
    /* ep 6 lies between the collected 4 and 8 */
    want = exp(log(l4) + (log(l8) - log(l4)) * log(6.0 / 4) / log(2.0));
    assert_int_equal(aic_perf_wideep_moe(db, AIC_Q_FP8_BLOCK, "uniform", 0, 128, 7168, 2048, 8, 256,
                                         6, &lat, &err),
                     AIC_OK);
    assert_int_equal(lat.prov, AIC_PROV_INTERPOLATED);
    assert_float_equal(lat.ms, want, 1e-9);
    /* a shape nobody collected */
    assert_int_equal(aic_perf_wideep_moe(db, AIC_Q_FP8_BLOCK, "uniform", 0, 128, 4096, 1536, 8, 128,
                                         8, &lat, &err),
                     AIC_ERR_NODATA);
    want = csv_column("data/h100_sxm/sglang/0.5.16/wideep_deepep_ll_perf.csv", "dispatch_avg_t_us",
                      ll_cols, ll_vals, 4);
    assert_false(isnan(want));
    assert_int_equal(aic_perf_deepep(db, 0, 1, 128, 7168, 8, 256, 8, &lat, &err), AIC_OK);
    assert_float_equal(lat.ms, want / 1000, 1e-12);
    /* SGLang's MLA module: the wide-EP MLA table, fa3 before flashinfer on Hopper */
    {
        static const char *const mc[] = {"kernel_source", "num_heads", "batch_size", "isl"};
        static const char *const mv[] = {"fa3", "16", "64", "1024"};
        double fa3 =
            csv_latency("data/h100_sxm/sglang/0.5.16/wideep_generation_mla_perf.csv", mc, mv, 4);
        assert_false(isnan(fa3));
        assert_int_equal(aic_perf_mla_module(db, 0, AIC_Q_FP8, AIC_Q_FP8, AIC_Q_FP8_BLOCK, 64, 1024,
                                             16, &lat, &err),
                         AIC_OK);
        assert_float_equal(lat.ms, fa3, 1e-12);
    }
    /* 16 nodes were never collected: not guessed */
    assert_int_equal(aic_perf_deepep(db, 0, 1, 128, 7168, 8, 256, 128, &lat, &err), AIC_ERR_NODATA);
    aic_perfdb_free(db);
}

int main(void)
{
    if (perfdb_root(g_root, sizeof(g_root)))
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_exact_hit),
        cmocka_unit_test(test_gemm_interpolation_between),
        cmocka_unit_test(test_gemm_extrapolation_scales_with_sol),
        cmocka_unit_test(test_gemm_split_k),
        cmocka_unit_test(test_gemm_fp8_static),
        cmocka_unit_test(test_gemm_unknown_site),
        cmocka_unit_test(test_sol_mode_equals_sol_gemm),
        cmocka_unit_test(test_missing_slice_nodata_and_hybrid),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_context_attention),
        cmocka_unit_test(test_generation_attention),
        cmocka_unit_test(test_comm),
        cmocka_unit_test(test_empirical_mode),
        cmocka_unit_test(test_moe_and_mla),
        cmocka_unit_test(test_trtllm_gen_moe),
        cmocka_unit_test(test_wideep),
        cmocka_unit_test(test_preload_matches_lazy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
