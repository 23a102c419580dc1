/*
 * test_search_perfdb.c - the search on the real perf database (skips, exit 77, when
 * AIC_TEST_PERFDB is not set or missing): Qwen3-32B on 8 x h100_sxm with vLLM. Checks
 * determinism (two runs give byte-identical CSV and JSON), that every top row meets the SLA
 * and is one per layout, the cluster metric, the SLA fallback, a too-small budget naming
 * the GPU count that fits (DeepSeek-V3 on one H100), and the save-dir tree (written atomically,
 * nothing left behind on failure).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
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

#include "aiconfigurator/aiconfigurator.h"
#include "aiconfigurator/report.h"
#include "aiconfigurator/search.h"
#include "util/util.h"
#include "perfdb_root.h"

static const char *perfdb;

static void req_qwen(struct aic_search_req *r, int gpus)
{
    aic_search_req_init(r);
    r->model = "Qwen/Qwen3-32B";
    r->system = "h100_sxm";
    r->backend = AIC_BACKEND_VLLM;
    r->total_gpus = gpus;
    r->wl = (struct aic_workload){4000, 500, 0};
    r->ttft_ms = 300;
    r->tpot_ms = 10;
}

static int run(struct aic_search_req *r, struct aic_search_result *res, struct aic_error *e)
{
    struct aic_ctx *ctx = aic_ctx_new(perfdb);
    int rc = aic_search_run(ctx, r, res, e);
    aic_ctx_free(ctx);
    return rc;
}

static void test_determinism_and_sla(void **state)
{
    (void)state;
    struct aic_search_req r;
    struct aic_search_result a, b;
    struct aic_error e = {0};
    req_qwen(&r, 8);
    r.ttft_ms = 600; /* disaggregated TTFT pays the decode worker's KV handoff (~320 ms here) */
    assert_int_equal(run(&r, &a, &e), AIC_OK);
    assert_int_equal(run(&r, &b, &e), AIC_OK);
    for (int x = 0; x < AIC_EXP_COUNT; x++) {
        char *ca = aic_report_csv(&a, x, a.exp[x].top, a.exp[x].n_top);
        char *cb = aic_report_csv(&b, x, b.exp[x].top, b.exp[x].n_top);
        assert_string_equal(ca, cb);
        free(ca), free(cb);
        ca = aic_report_csv(&a, x, a.exp[x].pareto, a.exp[x].n_pareto);
        cb = aic_report_csv(&b, x, b.exp[x].pareto, b.exp[x].n_pareto);
        assert_string_equal(ca, cb);
        free(ca), free(cb);
    }
    char *ja = aic_report_json(&a), *jb = aic_report_json(&b);
    assert_string_equal(ja, jb);
    free(ja), free(jb);
    assert_true(a.best == AIC_EXP_AGG || a.best == AIC_EXP_DISAGG);
    for (int x = 0; x < AIC_EXP_COUNT; x++) {
        const struct aic_search_exp *ex = &a.exp[x];
        assert_true(ex->n_top >= 1);
        assert_true(ex->top_meets_sla);
        for (size_t i = 0; i < ex->n_top; i++) {
            const struct aic_search_row *t = &ex->top[i];
            assert_true(t->tpot_ms <= 10.0);
            assert_true(t->ttft_ms <= 600.0);
            assert_true(t->gpus <= 8);
            assert_float_equal(t->tokens_s_gpu_cluster,
                               aic_cluster_tokens_s_gpu(t->tokens_s_gpu, t->gpus, 8), 1e-9);
            if (i)
                assert_true(t->tokens_s_gpu_cluster <= ex->top[i - 1].tokens_s_gpu_cluster);
            for (size_t j = 0; j < i; j++) {
                const struct aic_layout *p = x ? &t->d_lay : &t->lay;
                const struct aic_layout *q = x ? &ex->top[j].d_lay : &ex->top[j].lay;
                assert_false(p->tp == q->tp && p->pp == q->pp && p->dp == q->dp);
            }
        }
        for (size_t i = 1; i < ex->n_pareto; i++)
            assert_true(ex->pareto[i].tokens_s_user >= ex->pareto[i - 1].tokens_s_user &&
                        ex->pareto[i].tokens_s_gpu_cluster <=
                            ex->pareto[i - 1].tokens_s_gpu_cluster);
    }
    /* every configuration fits in the 80 GiB of an H100: Qwen3-32B bf16 (61 GiB of weights)
     * runs on one GPU only with a small batch */
    for (size_t i = 0; i < a.exp[0].n_rows; i++) {
        const struct aic_search_row *w = &a.exp[0].rows[i];
        assert_true(w->mem_gb <= 80.0);
        assert_true(w->lay.tp >= 2 || w->bs <= 16);
    }
    aic_search_result_free(&a);
    aic_search_result_free(&b);
}

static void test_tpot_fallback(void **state)
{
    (void)state;
    struct aic_search_req r;
    struct aic_search_result res;
    struct aic_error e = {0};
    req_qwen(&r, 8);
    r.tpot_ms = 0.5;
    assert_int_equal(run(&r, &res, &e), AIC_OK);
    assert_true(res.best >= 0);
    assert_false(res.exp[res.best].top_meets_sla);
    assert_non_null(strstr(res.exp[res.best].note, "TPOT bound binds"));
    aic_search_result_free(&res);
}

static void test_too_small(void **state)
{
    (void)state;
    struct aic_search_req r;
    struct aic_search_result res;
    struct aic_error e = {0};
    req_qwen(&r, 1);
    /* DeepSeek-V3 (fp8, ~671 GB of weights) needs more than 8 x 80 GB */
    r.model = "deepseek-ai/DeepSeek-V3";
    r.backend = AIC_BACKEND_TRTLLM;
    assert_int_equal(run(&r, &res, &e), AIC_ERR_OOM);
    assert_non_null(strstr(e.msg, "smallest GPU count that fits is 16"));
    aic_search_result_free(&res);
    r.total_gpus = 0;
    assert_int_equal(run(&r, &res, &e), AIC_ERR_USAGE);
    aic_search_result_free(&res);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void test_save(void **state)
{
    (void)state;
    struct aic_search_req r;
    struct aic_search_result res;
    struct aic_error e = {0};
    char dir[] = "/tmp/aic-test-save-XXXXXX", out[1024], p[1200];
    req_qwen(&r, 8);
    assert_int_equal(run(&r, &res, &e), AIC_OK);
    assert_non_null(mkdtemp(dir));
    assert_int_equal(aic_report_save(&res, dir, out, sizeof out, &e), AIC_OK);
    static const char *const files[] = {"pareto_frontier.png",      "pareto_frontier.svg",
                                        "agg/best_config_topn.csv", "agg/pareto.csv",
                                        "agg/exp_config.yaml",      "disagg/best_config_topn.csv",
                                        "disagg/pareto.csv",        "disagg/exp_config.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(p, sizeof p, "%s/%s", out, files[i]);
        assert_true(aic_is_file(p));
    }
    assert_non_null(strstr(out, "/Qwen/Qwen3-32B_h100_sxm_vllm_isl4000_osl500_ttft300_tpot10_"));
    /* unwritable: nothing is created */
    snprintf(p, sizeof p, "%s/ro", dir);
    assert_int_equal(mkdir(p, 0555), 0);
    if (geteuid() != 0) {
        assert_int_not_equal(aic_report_save(&res, p, NULL, 0, &e), AIC_OK);
        assert_int_equal(rmdir(p), 0); /* still empty */
    }
    aic_search_result_free(&res);
    assert_int_equal(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
    static char root[1024];
    if (perfdb_root(root, sizeof(root)))
        return 77;
    perfdb = root;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism_and_sla),
        cmocka_unit_test(test_tpot_fallback),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_save),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
