/*
 * test_search.c - the search's arithmetic on hand-made data: Pareto frontier, cluster
 * normalisation, rate matching, one-row-per-layout ranking with the SLA fallback, and the
 * CSV header of both serving modes against AIConfigurator's column lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/report.h"
#include "aiconfigurator/search.h"

static struct aic_search_row mk(double user, double gpu, double tpot, int tp, int bs)
{
    struct aic_search_row r;
    memset(&r, 0, sizeof r);
    r.exp = AIC_EXP_AGG;
    r.tokens_s_user = user;
    r.tokens_s_gpu_cluster = gpu;
    r.tokens_s_gpu = gpu;
    r.tpot_ms = tpot;
    r.request_latency_ms = tpot * 100;
    r.lay = (struct aic_layout){tp, 1, 1, 1, 1};
    r.bs = bs;
    r.gpus = tp;
    return r;
}

static void test_pareto(void **state)
{
    (void)state;
    /* (user, gpu): frontier is (10,500) (20,400) (40,200) (50,100); (15,300), (20,350)
     * and (30,150) are dominated; the duplicate (20,400) keeps only its first copy. */
    struct aic_search_row rows[] = {
        mk(20, 400, 0, 1, 1), mk(10, 500, 0, 1, 2), mk(15, 300, 0, 1, 3), mk(40, 200, 0, 1, 4),
        mk(30, 150, 0, 1, 5), mk(50, 100, 0, 1, 6), mk(20, 350, 0, 1, 7), mk(20, 400, 0, 1, 8),
    };
    size_t idx[8];
    size_t n = aic_pareto(rows, 8, 0, idx);
    assert_int_equal(n, 4);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], 3);
    assert_int_equal(idx[3], 5);
    /* latency mode: x = request latency minimised (tpot*100 here) */
    struct aic_search_row lat[] = {mk(0, 100, 10, 1, 1), mk(0, 300, 20, 1, 2), mk(0, 250, 30, 1, 3),
                                   mk(0, 400, 40, 1, 4)};
    n = aic_pareto(lat, 4, 1, idx);
    assert_int_equal(n, 3);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 3);
}

static void test_cluster(void **state)
{
    (void)state;
    /* 32 GPUs, 8-GPU replicas: all used */
    assert_float_equal(aic_cluster_tokens_s_gpu(100.0, 8, 32), 100.0, 1e-12);
    /* 32 GPUs, 12-GPU replicas: 2 replicas use 24 of 32 -> x 0.75 */
    assert_float_equal(aic_cluster_tokens_s_gpu(100.0, 12, 32), 75.0, 1e-12);
    /* replica larger than the budget: nothing fits */
    assert_float_equal(aic_cluster_tokens_s_gpu(100.0, 16, 8), 0.0, 1e-12);
    /* 10 GPUs, 4-GPU replicas: 8 used */
    assert_float_equal(aic_cluster_tokens_s_gpu(50.0, 4, 10), 40.0, 1e-12);
}

static void test_rate_match(void **state)
{
    (void)state;
    int x = 0, y = 0;
    /* prefill 10 seq/s on 2 GPUs, decode 4 seq/s on 4 GPUs: 2P + 5D = 24 GPUs,
     * min(18, 18.4)/24 = 0.75 seq/s/gpu beats every other allowed size <= 32 */
    assert_int_equal(aic_rate_match(10, 2, 4, 4, 32, 32, 32, &x, &y), 0);
    assert_int_equal(x, 2);
    assert_int_equal(y, 5);
    /* capped at 8 GPUs: 2P + 1D */
    assert_int_equal(aic_rate_match(10, 2, 4, 4, 32, 32, 8, &x, &y), 0);
    assert_int_equal(x, 2);
    assert_int_equal(y, 1);
    /* slow prefill: 6P(4) + 1D(8) = 32 GPUs */
    assert_int_equal(aic_rate_match(3, 4, 20, 8, 32, 32, 64, &x, &y), 0);
    assert_int_equal(x, 6);
    assert_int_equal(y, 1);
    /* nothing fits in 4 GPUs when one decode worker takes 8 */
    assert_int_equal(aic_rate_match(3, 4, 20, 8, 32, 32, 4, &x, &y), -1);
    assert_true(aic_replica_size_allowed(24));
    assert_false(aic_replica_size_allowed(12));
    assert_false(aic_replica_size_allowed(136));
}

static void test_pick_one_per_layout(void **state)
{
    (void)state;
    struct aic_search_row rows[] = {
        mk(50, 300, 20, 4, 8), mk(40, 350, 25, 4, 16), mk(30, 500, 35, 4, 32),
        mk(60, 280, 15, 8, 8), mk(45, 320, 22, 8, 16), mk(70, 100, 12, 2, 1),
    };
    struct aic_search_row out[6];
    int met = 0;
    size_t n = aic_pick_top(rows, 6, 30, 0, 5, out, &met);
    assert_true(met);
    /* tp4's best within TPOT 30 is 350 (bs16), tp8's 320, tp2's 100 */
    assert_int_equal(n, 3);
    assert_int_equal(out[0].lay.tp, 4);
    assert_int_equal(out[0].bs, 16);
    assert_int_equal(out[1].lay.tp, 8);
    assert_int_equal(out[1].bs, 16);
    assert_int_equal(out[2].lay.tp, 2);
    /* top_n cuts */
    n = aic_pick_top(rows, 6, 30, 0, 1, out, &met);
    assert_int_equal(n, 1);
    /* nothing meets TPOT 5: fallback, closest TPOT first, one per layout */
    n = aic_pick_top(rows, 6, 5, 0, 5, out, &met);
    assert_false(met);
    assert_int_equal(n, 3);
    assert_float_equal(out[0].tpot_ms, 12, 1e-12);
    assert_float_equal(out[1].tpot_ms, 15, 1e-12);
    assert_float_equal(out[2].tpot_ms, 20, 1e-12);
}

static const char agg_header[] =
    "model,isl,osl,prefix,concurrency,request_rate,bs,global_bs,ttft,tpot,request_latency,"
    "encoder_latency,encoder_memory,seq/s,seq/s/gpu,tokens/s,tokens/s/gpu,tokens/s/user,"
    "num_total_gpus,tp,pp,dp,moe_tp,moe_ep,cp,parallel,gemm,kvcache,fmha,moe,comm,memory,"
    "balance_score,num_ctx_reqs,num_gen_reqs,num_tokens,ctx_tokens,gen_tokens,backend,"
    "version,system,power_w,tokens/s/gpu_cluster\n";
static const char disagg_header[] =
    "model,isl,osl,prefix,concurrency,request_rate,(p)bs,(p)global_bs,(p)workers,(d)bs,"
    "(d)global_bs,(d)workers,ttft,tpot,request_latency,encoder_latency,seq/s,seq/s/gpu,"
    "tokens/s,tokens/s/gpu,tokens/s/user,(p)seq/s/worker,(d)seq/s/worker,num_total_gpus,"
    "(p)tp,(p)pp,(p)dp,(p)moe_tp,(p)moe_ep,(p)cp,(p)parallel,(p)gemm,(p)kvcache,(p)fmha,"
    "(p)moe,(p)comm,(p)memory,(p)backend,(p)version,(p)system,(d)tp,(d)pp,(d)dp,(d)moe_tp,"
    "(d)moe_ep,(d)parallel,(d)gemm,(d)kvcache,(d)fmha,(d)moe,(d)comm,(d)memory,(d)backend,"
    "(d)version,(d)system,(e)workers,(e)tp,(e)pp,(e)bs,(e)parallel,(e)memory,power_w,"
    "tokens/s/gpu_cluster\n";

static void test_csv(void **state)
{
    (void)state;
    struct aic_search_result res;
    memset(&res, 0, sizeof res);
    res.best = -1;
    strcpy(res.model_id, "Qwen/Qwen3-32B");
    strcpy(res.system, "h100_sxm");
    aic_search_req_init(&res.req);
    char *csv = aic_report_csv(&res, AIC_EXP_AGG, NULL, 0);
    assert_string_equal(csv, agg_header);
    free(csv);
    csv = aic_report_csv(&res, AIC_EXP_DISAGG, NULL, 0);
    assert_string_equal(csv, disagg_header);
    free(csv);
    /* one row: 3-decimal rounding, ints as ints, layout string */
    struct aic_search_row r = mk(109.3349, 209.2149, 9.1466, 8, 16);
    r.q = (struct aic_quant_cfg){AIC_Q_BF16, AIC_Q_BF16, AIC_Q_BF16, AIC_Q_BF16, AIC_Q_HALF};
    r.seq_s = 26.0;
    csv = aic_report_csv(&res, AIC_EXP_AGG, &r, 1);
    const char *row = strchr(csv, '\n') + 1;
    assert_true(!strncmp(row, "Qwen/Qwen3-32B,4000,1000,0,0.0,26.0,16,16,0.0,9.147,914.66,", 59));
    assert_non_null(strstr(row, ",tp8pp1,bfloat16,"));
    assert_non_null(strstr(row, ",trtllm,,h100_sxm,,209.215\n"));
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pareto),     cmocka_unit_test(test_cluster),
        cmocka_unit_test(test_rate_match), cmocka_unit_test(test_pick_one_per_layout),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
