/*
 * test_save.c - the save-dir's deployment artifacts for the top-N rows of a search result
 * (aic_report_save_gen), on hand-made results over the bundled model and system data (no
 * perf database needed):
 *   - rows the generator cannot express (here: more workers than it writes) do not fail the
 *     save: the CSVs are written, and one warning line names every such row and why, rows
 *     with the same reason together;
 *   - a bad user override (rows refused because of it, none written) fails the save with its
 *     reason, nothing written; rows refused by an override while others get artifacts are a
 *     warning;
 *   - the artifacts carry the search's --free-gpu-memory-fraction / --max-seq-len and bench
 *     around the row's concurrency x replicas.
 */
#include <dirent.h>
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

#include "aiconfigurator/generate.h"
#include "aiconfigurator/report.h"
#include "util/util.h"

static struct aic_ctx *ctx;
static char root[256];

/* Warnings the save delivered. */
static struct {
    int n;
    char msg[4][2048];
} seen;

static void warn_cb(void *user, const char *msg)
{
    (void)user;
    if (seen.n < 4)
        aic_strlcpy(seen.msg[seen.n], msg, sizeof seen.msg[0]);
    seen.n++;
}

static int setup(void **state)
{
    (void)state;
    if (!(ctx = aic_ctx_new("default")))
        return -1;
    snprintf(root, sizeof root, "/tmp/aic_test_save_%d", (int)getpid());
    return mkdir(root, 0755);
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    aic_ctx_free(ctx);
    if (getenv("AIC_TEST_KEEP"))
        return 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* A vLLM agg row of Qwen3-32B: tp, batch, the estimate's concurrency and the replicas. */
static struct aic_search_row row(int tp, int bs, int replicas)
{
    struct aic_search_row r;
    memset(&r, 0, sizeof r);
    r.exp = AIC_EXP_AGG;
    r.backend = AIC_BACKEND_VLLM;
    r.lay = (struct aic_layout){tp, 1, 1, 1, 1};
    r.bs = bs;
    r.workers = 1;
    r.q.gemm = r.q.moe = r.q.kv = r.q.fmha = r.q.comm = AIC_Q_NONE;
    r.gpus = tp;
    r.replicas = replicas;
    r.concurrency = bs;
    r.ttft_ms = 400;
    r.tpot_ms = 20;
    r.tokens_s_gpu = r.tokens_s_gpu_cluster = 1000;
    r.tokens_s_user = 50;
    r.meets_sla = 1;
    return r;
}

/* A result whose agg experiment ran with rows top[0..n-1]. */
static void result(struct aic_search_result *res, struct aic_search_row *top, size_t n)
{
    memset(res, 0, sizeof *res);
    aic_search_req_init(&res->req);
    res->req.model = "Qwen/Qwen3-32B";
    res->req.system = "h200_sxm";
    res->req.backend = AIC_BACKEND_VLLM;
    res->req.serving = AIC_SEARCH_AGG;
    aic_strlcpy(res->model_id, "Qwen/Qwen3-32B", sizeof res->model_id);
    aic_strlcpy(res->system, "h200_sxm", sizeof res->system);
    aic_strlcpy(res->version[AIC_BACKEND_VLLM], "0.20.1", sizeof res->version[0]);
    res->backends_run = 1 << AIC_BACKEND_VLLM;
    res->total_gpus = 8;
    res->best = AIC_EXP_AGG;
    res->exp[AIC_EXP_AGG].ran = 1;
    res->exp[AIC_EXP_AGG].top = top;
    res->exp[AIC_EXP_AGG].n_top = n;
    res->exp[AIC_EXP_AGG].pareto = top;
    res->exp[AIC_EXP_AGG].n_pareto = 1;
    res->exp[AIC_EXP_AGG].top_meets_sla = 1;
}

/* Saves res under root/<name> with cfg; returns the status, the saved folder in out. */
static int save(const struct aic_search_result *res, const char *name, const struct aic_gencfg *cfg,
                char *out, size_t n, struct aic_error *err)
{
    struct aic_report_gen gen = {ctx, cfg, NULL, NULL, warn_cb, NULL};
    char dir[400];
    memset(&seen, 0, sizeof seen);
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    return aic_report_save_gen(res, dir, &gen, out, n, err);
}

static int exists(const char *dir, const char *rel)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return access(p, F_OK) == 0;
}

static int file_has(const char *dir, const char *rel, const char *text)
{
    char p[1200], buf[65536];
    FILE *f;
    size_t n;
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    if (!(f = fopen(p, "r")))
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, text) != NULL;
}

/* Rows the generator cannot express: saved without their artifacts, one warning line. */
static void test_unservable_rows_saved(void **state)
{
    struct aic_search_row top[3] = {row(2, 32, 20000), row(2, 32, 30000), row(2, 32, 20000)};
    struct aic_search_result res;
    struct aic_error err = {0};
    char out[1024];
    (void)state;

    result(&res, top, 3);
    assert_int_equal(save(&res, "unservable", NULL, out, sizeof out, &err), AIC_OK);
    assert_true(exists(out, "agg/best_config_topn.csv") && exists(out, "agg/pareto.csv"));
    assert_true(exists(out, "agg/exp_config.yaml") && exists(out, "pareto_frontier.png"));
    assert_false(exists(out, "agg/top1") || exists(out, "agg/top2") || exists(out, "agg/top3"));
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.msg[0], "no deployment artifacts for 3 of 3 top-N rows: agg top1, "
                                     "top3: WorkerConfig.agg_workers must be between 0 and "
                                     "16384, got '20000' | agg top2: WorkerConfig.agg_workers "
                                     "must be between 0 and 16384, got '30000'");
}

/* An override every row disagrees with: an error, nothing written. */
static void test_bad_override_fails(void **state)
{
    struct aic_search_row top[2] = {row(2, 32, 4), row(1, 16, 8)};
    struct aic_search_result res;
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_error err = {0};
    char out[1024] = "", dir[400];
    (void)state;

    result(&res, top, 2);
    assert_int_equal(aic_gencfg_set(cfg, "Workers.agg.tensor_parallel_size=4", &err), AIC_OK);
    assert_int_equal(save(&res, "bad", cfg, out, sizeof out, &err), AIC_ERR_USAGE);
    assert_string_equal(err.msg,
                        "no top-N configuration could get deployment artifacts: "
                        "Workers.agg.tensor_parallel_size = 4 disagrees with the configuration "
                        "(2); the layout of a configuration cannot be overridden");
    assert_int_equal(seen.n, 0);
    snprintf(dir, sizeof dir, "%s/bad", root);
    assert_false(aic_is_dir(dir));

    /* still an error when the other rows are refused for their own reasons */
    top[1] = row(2, 32, 20000);
    assert_int_equal(save(&res, "bad2", cfg, out, sizeof out, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "tensor_parallel_size = 4 disagrees"));
    snprintf(dir, sizeof dir, "%s/bad2", root);
    assert_false(aic_is_dir(dir));
    aic_gencfg_free(cfg);
}

/* An override some rows agree with: those get artifacts, the others one warning line. The
 * artifacts carry the engine limits and bench around concurrency x replicas. */
static void test_override_some_rows(void **state)
{
    struct aic_search_row top[2] = {row(2, 32, 4), row(4, 48, 2)};
    struct aic_search_result res;
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_error err = {0};
    char out[1024];
    (void)state;

    result(&res, top, 2);
    res.req.free_mem_fraction = 0.6;
    res.req.max_seq_len = 7000;
    assert_int_equal(aic_gencfg_set(cfg, "Workers.agg.tensor_parallel_size=4", &err), AIC_OK);
    assert_int_equal(save(&res, "some", cfg, out, sizeof out, &err), AIC_OK);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.msg[0],
                        "no deployment artifacts for 1 of 2 top-N rows: agg top1: "
                        "Workers.agg.tensor_parallel_size = 4 disagrees with the configuration "
                        "(2); the layout of a configuration cannot be overridden");
    assert_false(exists(out, "agg/top1"));
    assert_true(file_has(out, "agg/top2/k8s_deploy.yaml",
                         "- --gpu-memory-utilization\n            - \"0.6\""));
    assert_true(
        file_has(out, "agg/top2/k8s_deploy.yaml", "- --max-model-len\n            - \"7000\""));
    assert_true(
        file_has(out, "agg/top2/k8s_deploy.yaml", "- --max-num-seqs\n            - \"512\""));
    /* 48 in flight per replica x 2 replicas */
    assert_true(file_has(out, "agg/top2/generator_config.yaml",
                         "BenchConfig:\n  estimated_concurrency: 96\n"));
    assert_true(file_has(out, "agg/top2/bench_run.sh",
                         "AICONFIGURATOR_BENCH_CONCURRENCY:-1 2 8 16 32 64 91 96 101 128}"));
    aic_gencfg_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unservable_rows_saved),
        cmocka_unit_test(test_bad_override_fails),
        cmocka_unit_test(test_override_some_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
