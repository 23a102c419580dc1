/*
 * test_engine.c - op-list shapes, memory model and serving formulas of the engine.
 *
 * Shapes are checked against the worked example of aic-modeling.md 1.2 (Qwen3-32B at
 * tp 2). Serving tests run in SOL mode on the bundled h100_sxm spec, so they need no perf
 * database; values are checked against the closed forms they must satisfy. Two regression
 * tests read the real tables (AIC_TEST_PERFDB) and skip without them.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aiconfigurator/aiconfigurator.h"
#include "engine/oplist.h"
#include "engine/serving.h"

struct fixture {
    struct aic_model m;
    struct aic_system sys;
    struct aic_perfdb *db;
};

static int setup_model(void **state, const char *model, enum aic_db_mode mode)
{
    static struct fixture f;
    struct aic_error err = {0};
    memset(&f, 0, sizeof(f));
    if (aic_model_load(model, NULL, &f.m, &err) ||
        aic_system_load("h100_sxm", "default", &f.sys, &err) ||
        aic_perfdb_open(&f.sys, AIC_BACKEND_TRTLLM, NULL, mode, &f.db, &err)) {
        print_error("setup: %s\n", err.msg);
        return -1;
    }
    *state = &f;
    return 0;
}

static int setup_qwen(void **state)
{
    return setup_model(state, "Qwen/Qwen3-32B", AIC_DB_SOL);
}

static int setup_dsv3(void **state)
{
    return setup_model(state, "deepseek-ai/DeepSeek-V3", AIC_DB_SOL);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    aic_perfdb_free(f->db);
    return 0;
}

/* A worker of the fixture's model at `lay` (fails the test when the layout is rejected). */
static void init_worker(struct fixture *f, struct aic_layout lay, struct aic_worker *w)
{
    struct aic_error err = {0};
    assert_int_equal(aic_worker_init(w, &f->m, f->db, lay, NULL, &err), AIC_OK);
}

/* A worker whose options set serving constants `c`. */
static void init_ttft_worker(struct fixture *f, struct aic_layout lay, struct aic_ttft_consts c,
                             struct aic_worker *w)
{
    struct aic_worker_opts opts = {.ttft = c};
    struct aic_error err = {0};
    assert_int_equal(aic_worker_init(w, &f->m, f->db, lay, &opts, &err), AIC_OK);
}

static const struct aic_op *find_op(const struct aic_oplist *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->ops[i].name, name))
            return &l->ops[i];
    return NULL;
}

static void test_dense_shapes_tp2(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    const struct aic_op *op;

    init_worker(f, lay, &w);
    op = find_op(w.ctx_ops, "context_qkv_gemm");
    assert_non_null(op);
    assert_float_equal(op->n, 5120, 0);
    assert_float_equal(op->k, 5120, 0);
    assert_float_equal(op->scale, 64, 0);
    op = find_op(w.ctx_ops, "context_proj_gemm");
    assert_float_equal(op->n, 5120, 0);
    assert_float_equal(op->k, 4096, 0);
    op = find_op(w.ctx_ops, "context_gate_ffn1_gemm");
    assert_float_equal(op->n, 25600, 0);
    op = find_op(w.ctx_ops, "context_ffn2_gemm");
    assert_float_equal(op->k, 12800, 0);
    op = find_op(w.ctx_ops, "context_logits_gemm");
    assert_float_equal(op->n, 75968, 0);
    assert_int_equal(op->tokens, AIC_TOK_BATCH);
    assert_non_null(find_op(w.ctx_ops, "context_ar_1"));
    assert_null(find_op(w.ctx_ops, "context_p2p"));
    aic_worker_release(&w);
}

static void test_bad_layout(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {3, 1, 1, 0, 0};
    struct aic_error err = {0};

    assert_int_equal(aic_worker_init(&w, &f->m, f->db, lay, NULL, &err), AIC_ERR_USAGE);
    assert_non_null(strstr(err.msg, "tp 3"));
    lay.tp = 1;
    lay.dp = 2;
    assert_int_equal(aic_worker_init(&w, &f->m, f->db, lay, NULL, &err), AIC_ERR_USAGE);
}

/* Qwen3-32B at tp 2: 8 KV heads -> 4 per GPU, 64 layers, 128 head dim, bf16:
 * 4*128*64*2 = 65,536 elements = 128 KiB per token (aic-modeling.md 6). */
static void test_kv_memory(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_workload wl = {1000, 24, 0};
    struct aic_memory m1, m2;

    init_worker(f, lay, &w);
    aic_worker_memory(&w, &wl, 1, 0, 2, &m1);
    aic_worker_memory(&w, &wl, 2, 0, 2, &m2);
    assert_float_equal(m1.kv_cache, 1024.0 * 65536 * 2, 1);
    assert_float_equal(m2.kv_cache, 2 * m1.kv_cache, 1);
    /* bf16 weights of a 32.8B model split over 2 GPUs: about 30.5 GiB */
    assert_true(m1.weights > 29.0 * (1 << 30) && m1.weights < 32.0 * (1 << 30));
    assert_false(m1.oom);
    aic_worker_release(&w);
}

/* Static serving: TPOT is the mean decode step; throughput = b / latency. */
static void test_static_closed_form(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {4, 1, 1, 0, 0};
    struct aic_workload wl = {512, 33, 0};
    struct aic_metrics m;
    struct aic_error err;
    double ttft, step0, step1;

    init_worker(f, lay, &w);
    assert_int_equal(aic_run_static(&w, &wl, 8, 0, &m, &err), AIC_OK);
    assert_int_equal(aic_prefill_ms(&w, &wl, 8, &ttft, &err), AIC_OK);
    assert_float_equal(m.ttft_ms, ttft, 1e-9);
    /* 32 decode steps with stride 32: one sample at s = isl + 1 */
    assert_int_equal(aic_decode_step_ms(&w, 8, 513, &step0, &err), AIC_OK);
    assert_float_equal(m.tpot_ms, step0, 1e-9);
    assert_int_equal(aic_decode_step_ms(&w, 8, 4096, &step1, &err), AIC_OK);
    assert_true(step1 > step0); /* longer KV, slower step */
    assert_float_equal(m.request_latency_ms, ttft + 32 * step0, 1e-6);
    assert_float_equal(m.requests_per_s, 8 / m.request_latency_ms * 1000, 1e-6);
    assert_float_equal(m.tokens_per_s_per_gpu, m.requests_per_s * 33 / 4, 1e-6);
    aic_worker_release(&w);
}

/* The TTFT breakdown adds up to the TTFT. */
static void assert_parts_sum(const struct aic_metrics *m)
{
    const struct aic_ttft_parts *t = &m->ttft_parts;
    double sum = t->overhead + t->scheduler + t->queue + t->prefill + t->dp_balance + t->kv_wait +
                 t->kv_transfer + t->kv_handoff + t->stream;
    assert_float_equal(sum, m->ttft_ms, 1e-9 * m->ttft_ms);
}

/* Aggregated: more concurrency -> more throughput per GPU and slower tokens per user. */
static void test_agg_monotone(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_workload wl = {2000, 500, 0};
    struct aic_metrics m1, m16;
    struct aic_error err;

    init_worker(f, lay, &w);
    assert_int_equal(aic_run_agg(&w, &wl, 1, 0, &m1, &err), AIC_OK);
    assert_int_equal(aic_run_agg(&w, &wl, 16, 0, &m16, &err), AIC_OK);
    assert_true(m16.tokens_per_s_per_gpu > 4 * m1.tokens_per_s_per_gpu);
    assert_true(m16.tpot_ms > m1.tpot_ms);
    assert_true(m16.ttft_ms > m1.ttft_ms);
    assert_float_equal(m16.concurrency, 16, 0);
    assert_float_equal(m16.tokens_per_s_per_user, 1000 / m16.tpot_ms, 1e-9);
    assert_parts_sum(&m1);
    assert_parts_sum(&m16);
    assert_true(m16.ttft_parts.queue > 0 && m1.ttft_parts.queue == 0);
    aic_worker_release(&w);
}

/* The TTFT serving constants a worker's options set replace the backend's, one by one: the
 * overhead is the given value, a zero queue share and zero scheduler iterations remove those
 * parts, and a constant not set keeps the fitted value. */
static void test_ttft_consts_override(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w, o;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_workload wl = {2000, 500, 0};
    struct aic_ttft_consts def;
    struct aic_metrics m, mo;
    struct aic_error err;

    init_worker(f, lay, &w);
    def = aic_ttft_defaults(w.backend);
    init_ttft_worker(
        f, lay,
        (struct aic_ttft_consts){.overhead_ms = 123.0,
                                 .queue_share = 0,
                                 .set = AIC_TTFT_SET_OVERHEAD | AIC_TTFT_SET_QUEUE_SHARE},
        &o);
    assert_int_equal(aic_run_agg(&w, &wl, 16, 0, &m, &err), AIC_OK);
    assert_int_equal(aic_run_agg(&o, &wl, 16, 0, &mo, &err), AIC_OK);
    assert_float_equal(m.ttft_parts.overhead, def.overhead_ms, 1e-12);
    assert_float_equal(mo.ttft_parts.overhead, 123.0, 1e-12);
    assert_true(m.ttft_parts.queue > 0);
    assert_float_equal(mo.ttft_parts.queue, 0, 0);
    assert_float_equal(mo.ttft_parts.scheduler, m.ttft_parts.scheduler, 1e-9);
    assert_float_equal(mo.ttft_ms, m.ttft_ms - m.ttft_parts.queue - def.overhead_ms + 123.0, 1e-9);
    assert_float_equal(mo.tpot_ms, m.tpot_ms, 1e-12);
    assert_parts_sum(&mo);
    aic_worker_release(&o);

    init_ttft_worker(f, lay,
                     (struct aic_ttft_consts){.step_iters = 0, .set = AIC_TTFT_SET_STEP_ITERS}, &o);
    assert_int_equal(aic_run_agg(&o, &wl, 16, 0, &mo, &err), AIC_OK);
    assert_true(def.step_iters > 0 && m.ttft_parts.scheduler > 0);
    assert_float_equal(mo.ttft_parts.scheduler, 0, 0);
    assert_float_equal(mo.ttft_parts.queue, m.ttft_parts.queue, 1e-9);
    aic_worker_release(&o);
    aic_worker_release(&w);
}

/* Two tp2 workers, w with c's constants set to 0 and o with c, each run aggregated with b
 * requests in flight (m0 from w, m from o). */
static void agg_pair(struct fixture *f, struct aic_ttft_consts c, const struct aic_workload *wl,
                     int b, struct aic_worker *w, struct aic_worker *o, struct aic_metrics *m0,
                     struct aic_metrics *m)
{
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_error err;

    init_ttft_worker(f, lay, (struct aic_ttft_consts){.set = c.set}, w);
    init_ttft_worker(f, lay, c, o);
    assert_int_equal(aic_run_agg(w, wl, b, 0, m0, &err), AIC_OK);
    assert_int_equal(aic_run_agg(o, wl, b, 0, m, &err), AIC_OK);
}

/* The front-end stream wait: stream_ms per 1,000 output tokens/s, the requests in flight over
 * the TPOT; it adds to TTFT and the request latency, leaves TPOT alone and slows the closed
 * loop. SGLang's and vLLM's own front ends have one by default, SGLang's the larger. */
static void test_ttft_stream_wait(void **state)
{
    struct aic_worker w, o;
    struct aic_workload wl = {2000, 500, 0};
    struct aic_metrics m0, m;

    agg_pair(*state, (struct aic_ttft_consts){.stream_ms = 50, .set = AIC_TTFT_SET_STREAM}, &wl, 32,
             &w, &o, &m0, &m);
    assert_float_equal(m0.ttft_parts.stream, 0, 0);
    assert_float_equal(m.ttft_parts.stream, 50 * 32 / m.tpot_ms, 1e-9);
    assert_float_equal(m.ttft_ms, m0.ttft_ms + m.ttft_parts.stream, 1e-9);
    assert_float_equal(m.request_latency_ms, m0.request_latency_ms + m.ttft_parts.stream, 1e-9);
    assert_float_equal(m.tpot_ms, m0.tpot_ms, 0);
    assert_true(m.tokens_per_s < m0.tokens_per_s);
    assert_true(m.tokens_per_s <= 32 * wl.osl * 1000.0 / m.request_latency_ms * (1 + 1e-12));
    assert_parts_sum(&m);
    assert_true(aic_ttft_defaults(AIC_BACKEND_SGLANG).stream_ms >
                aic_ttft_defaults(AIC_BACKEND_VLLM).stream_ms);
    assert_true(aic_ttft_defaults(AIC_BACKEND_VLLM).stream_ms > 0);
    assert_float_equal(aic_ttft_defaults(AIC_BACKEND_TRTLLM).stream_ms, 0, 0);
    aic_worker_release(&o);
    aic_worker_release(&w);
}

/* The backend's processing of the prompt: prompt_ms per 1,000 prompt tokens of serving
 * overhead, aggregated and (on the prefill worker) disaggregated; TPOT does not move. Only
 * vLLM has it by default. */
static void test_ttft_prompt(void **state)
{
    struct aic_worker w, o;
    struct aic_workload wl = {2000, 500, 0};
    struct aic_metrics m0, m;
    struct aic_error err;

    agg_pair(*state, (struct aic_ttft_consts){.prompt_ms = 5, .set = AIC_TTFT_SET_PROMPT}, &wl, 16,
             &w, &o, &m0, &m);
    assert_float_equal(m.ttft_parts.overhead, m0.ttft_parts.overhead + 5 * 2000 / 1000.0, 1e-9);
    assert_float_equal(m.ttft_ms, m0.ttft_ms + 10, 1e-9);
    assert_float_equal(m.request_latency_ms, m0.request_latency_ms + 10, 1e-9);
    assert_float_equal(m.tpot_ms, m0.tpot_ms, 0);
    assert_parts_sum(&m);

    assert_int_equal(aic_run_disagg(&w, 1, 1, &w, 8, 1, &wl, &m0, &err), AIC_OK);
    assert_int_equal(aic_run_disagg(&o, 1, 1, &w, 8, 1, &wl, &m, &err), AIC_OK);
    assert_float_equal(m.ttft_parts.overhead, m0.ttft_parts.overhead + 10, 1e-9);
    assert_true(m.ttft_ms >= m0.ttft_ms - 1e-9); /* the closed loop may queue less */
    assert_float_equal(m.tpot_ms, m0.tpot_ms, 0);
    assert_true(aic_ttft_defaults(AIC_BACKEND_VLLM).prompt_ms > 0);
    assert_float_equal(aic_ttft_defaults(AIC_BACKEND_TRTLLM).prompt_ms, 0, 0);
    assert_float_equal(aic_ttft_defaults(AIC_BACKEND_SGLANG).prompt_ms, 0, 0);
    aic_worker_release(&o);
    aic_worker_release(&w);
}

/* Aggregated TPOT pays host_ms + host_per_req_ms x the requests in flight on every engine
 * iteration, so it moves by exactly that (no MTP); a decode-only disaggregated worker pays
 * none of it. */
static void test_step_host(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w0, w1;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_workload wl = {2000, 500, 0};
    struct aic_metrics m0, m1, d0, d1;
    struct aic_error err;
    const unsigned both = AIC_TTFT_SET_HOST | AIC_TTFT_SET_HOST_PER_REQ;

    init_ttft_worker(f, lay, (struct aic_ttft_consts){.set = both}, &w0);
    init_ttft_worker(f, lay,
                     (struct aic_ttft_consts){.host_ms = 2.0, .host_per_req_ms = 0.01, .set = both},
                     &w1);
    assert_int_equal(aic_run_agg(&w0, &wl, 16, 0, &m0, &err), AIC_OK);
    assert_int_equal(aic_run_agg(&w1, &wl, 16, 0, &m1, &err), AIC_OK);
    assert_float_equal(m1.tpot_ms - m0.tpot_ms, 2.0 + 0.01 * 16, 1e-9);
    assert_true(m1.ttft_ms > m0.ttft_ms && m1.tokens_per_s < m0.tokens_per_s);
    assert_parts_sum(&m1);
    assert_int_equal(aic_run_disagg(&w0, 1, 1, &w0, 8, 1, &wl, &d0, &err), AIC_OK);
    assert_int_equal(aic_run_disagg(&w0, 1, 1, &w1, 8, 1, &wl, &d1, &err), AIC_OK);
    assert_float_equal(d1.tpot_ms, d0.tpot_ms, 1e-12);
    aic_worker_release(&w1);
    aic_worker_release(&w0);
}

/* Disaggregated: the KV handoff is handoff_iters of the decode worker's iterations; a given
 * value replaces the backend's, and the aggregated scheduler iterations play no part. */
static void test_ttft_handoff_override(void **state)
{
    struct fixture *f = *state;
    struct aic_worker pw, dw, d0;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_workload wl = {2000, 500, 0};
    struct aic_metrics m, m0;
    struct aic_error err;
    double tpot;

    init_worker(f, lay, &pw);
    init_worker(f, lay, &dw);
    init_ttft_worker(
        f, lay,
        (struct aic_ttft_consts){.step_iters = 50,
                                 .handoff_iters = 3,
                                 .set = AIC_TTFT_SET_STEP_ITERS | AIC_TTFT_SET_HANDOFF_ITERS},
        &d0);
    assert_int_equal(aic_tpot_strided_ms(&dw, &wl, 8, &tpot, &err), AIC_OK);
    assert_int_equal(aic_run_disagg(&pw, 1, 1, &dw, 8, 1, &wl, &m, &err), AIC_OK);
    assert_int_equal(aic_run_disagg(&pw, 1, 1, &d0, 8, 1, &wl, &m0, &err), AIC_OK);
    assert_float_equal(m.ttft_parts.kv_handoff, aic_ttft_defaults(dw.backend).handoff_iters * tpot,
                       1e-9);
    assert_float_equal(m0.ttft_parts.kv_handoff, 3 * tpot, 1e-9);
    assert_float_equal(m0.ttft_parts.scheduler, 0, 0);
    assert_float_equal(m0.tpot_ms, m.tpot_ms, 1e-12);
    assert_true(m0.ttft_ms < m.ttft_ms);
    assert_parts_sum(&m0);
    aic_worker_release(&d0);
    aic_worker_release(&dw);
    aic_worker_release(&pw);
}

/* MiniMax-M2's q/k RMSNorm spans all heads: under TP the shards all-reduce two fp32 sums
 * per token in every layer; on one GPU there is nothing to reduce. */
static void test_full_qk_norm_allreduce(void **state)
{
    struct fixture *f = *state;
    struct aic_model m;
    struct aic_worker w;
    struct aic_error err = {0};
    const struct aic_op *op;

    assert_int_equal(aic_model_load("MiniMaxAI/MiniMax-M2.5", NULL, &m, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&w, &m, f->db, (struct aic_layout){4, 1, 1, 4, 1}, NULL, &err),
                     AIC_OK);
    op = find_op(w.gen_ops, "generation_qk_norm_ar");
    assert_non_null(op);
    assert_float_equal(op->scale, 62, 0);
    assert_float_equal(op->elems_per_token, 4, 0);
    assert_int_equal(op->comm_gpus, 4);
    op = find_op(w.gen_ops, "generation_qk_norm");
    assert_non_null(op);
    assert_float_equal(op->bytes_per_token, 2.0 * 2 * (12 + 2) * 128, 0);
    aic_worker_release(&w);
    assert_int_equal(aic_worker_init(&w, &m, f->db, (struct aic_layout){1, 1, 1, 1, 1}, NULL, &err),
                     AIC_OK);
    assert_null(find_op(w.gen_ops, "generation_qk_norm_ar"));
    assert_non_null(find_op(w.gen_ops, "generation_qk_norm"));
    aic_worker_release(&w);
}

/* Qwen3.5 at tp 8: 15 full-attention layers (q projection doubled by the output gate) and 45
 * Gated DeltaNet layers whose decode reads and writes each request's fp32 state; the KV cache
 * holds that state per request next to the full layers' per-token KV. */
static void test_gated_deltanet_ops(void **state)
{
    struct fixture *f = *state;
    struct aic_model m;
    struct aic_worker w;
    struct aic_error err = {0};
    struct aic_workload wl = {1000, 100, 0};
    struct aic_memory m1, m2;
    const struct aic_op *op;
    double state_bytes = 45 * (8 * 128 * 128 * 4.0 + (2 * 2 * 128 + 8 * 128) * 3 * 2.0);

    assert_int_equal(aic_model_load("Qwen/Qwen3.5-397B-A17B", NULL, &m, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&w, &m, f->db, (struct aic_layout){8, 1, 1, 8, 1}, NULL, &err),
                     AIC_OK);
    op = find_op(w.gen_ops, "generation_qkv_gemm");
    assert_float_equal(op->scale, 15, 0);
    assert_float_equal(op->n, (2 * 4 + 2 * 1) * 256, 0);
    op = find_op(w.gen_ops, "generation_attention");
    assert_float_equal(op->scale, 15, 0);
    assert_int_equal(op->window, 0);
    op = find_op(w.gen_ops, "generation_linear_in_proj_gemm");
    assert_float_equal(op->scale, 45, 0);
    assert_float_equal(op->n, 2 * 256 + 2 * 1024 + 2 * 8, 0);
    op = find_op(w.gen_ops, "generation_linear_attention");
    assert_true(op->bytes_per_token > 2 * 4.0 * 8 * 128 * 128);
    assert_true(find_op(w.ctx_ops, "context_linear_attention")->bytes_per_token <
                op->bytes_per_token / 10);
    aic_worker_memory(&w, &wl, 1, 0, 2, &m1);
    aic_worker_memory(&w, &wl, 2, 0, 2, &m2);
    /* per request: the state plus 1100 tokens of the 15 full layers' KV (1 KV head of 256) */
    assert_float_equal(m2.kv_cache - m1.kv_cache,
                       state_bytes + 1100.0 * 15 * 256 * 2 * aic_quant_bytes(w.q.kv), 1);
    aic_worker_release(&w);
}

/* GLM-5's sparse attention: no MLA module primary, each decode query reads at most 2048 keys
 * (the same attention cost at 8k and 32k context), the indexer scores the whole context, and
 * its fp8 key cache (128 + 4 bytes per layer) adds to the KV cache per token. */
static void test_sparse_attention_ops(void **state)
{
    struct fixture *f = *state;
    struct aic_model m;
    struct aic_worker w;
    struct aic_error err = {0};
    struct aic_workload wl = {1000, 100, 0};
    struct aic_memory m1, m2, d1, d2;
    const struct aic_op *attn, *idx;
    struct aic_lat a8, a32, i8, i32;
    struct aic_op_rt r8 = {0, 4, 8192, 0, 4, 4, 0}, r32 = {0, 4, 32768, 0, 4, 4, 0};
    double per_tok;

    assert_int_equal(aic_model_load("zai-org/GLM-5", NULL, &m, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&w, &m, f->db, (struct aic_layout){8, 1, 1, 1, 8}, NULL, &err),
                     AIC_OK);
    assert_null(find_op(w.gen_ops, "generation_mla_block"));
    attn = find_op(w.gen_ops, "generation_attention");
    idx = find_op(w.gen_ops, "generation_indexer");
    assert_non_null(idx);
    assert_int_equal(attn->window, 2048);
    assert_int_equal(aic_op_latency(&w, attn, &r8, &a8, &err), AIC_OK);
    assert_int_equal(aic_op_latency(&w, attn, &r32, &a32, &err), AIC_OK);
    assert_float_equal(a8.ms, a32.ms, 1e-12);
    /* GLM-5's 256-wide value heads: twice DeepSeek's post-attention BMM */
    {
        struct aic_op post = *find_op(w.gen_ops, "generation_bmm_post"), ds = post;
        struct aic_lat lp, ld;
        ds.head_dim = 128;
        assert_int_equal(post.head_dim, 256);
        assert_int_equal(aic_op_latency(&w, &post, &r8, &lp, &err), AIC_OK);
        assert_int_equal(aic_op_latency(&w, &ds, &r8, &ld, &err), AIC_OK);
        assert_float_equal(lp.ms, 2 * ld.ms, 1e-12);
    }
    assert_int_equal(aic_op_latency(&w, idx, &r8, &i8, &err), AIC_OK);
    assert_int_equal(aic_op_latency(&w, idx, &r32, &i32, &err), AIC_OK);
    assert_true(i32.ms > 3 * i8.ms);
    aic_worker_memory(&w, &wl, 1, 0, 2, &m1);
    aic_worker_memory(&w, &wl, 2, 0, 2, &m2);
    /* per request: 1100 tokens of (78 x 576 latent KV) + (78 x 132 index cache) bytes */
    per_tok = 78 * 576 * aic_quant_bytes(w.q.kv) + 78 * 132.0;
    assert_float_equal(m2.kv_cache - m1.kv_cache, 1100 * per_tok, 1);
    aic_worker_release(&w);
    assert_int_equal(aic_model_load("deepseek-ai/DeepSeek-V3", NULL, &m, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&w, &m, f->db, (struct aic_layout){8, 1, 1, 1, 8}, NULL, &err),
                     AIC_OK);
    aic_worker_memory(&w, &wl, 1, 0, 2, &d1);
    aic_worker_memory(&w, &wl, 2, 0, 2, &d2);
    aic_worker_release(&w);
    /* a dense MLA model of another geometry holds no index cache */
    assert_float_equal(d2.kv_cache - d1.kv_cache, 1100 * 61 * 576 * aic_quant_bytes(w.q.kv), 1);
}

/* A worker of the fixture's model on another backend's SOL database (*db to free). */
static void init_backend_worker(struct fixture *f, enum aic_backend be, struct aic_layout lay,
                                struct aic_perfdb **db, struct aic_worker *w)
{
    struct aic_error err = {0};
    assert_int_equal(aic_perfdb_open(&f->sys, be, NULL, AIC_DB_SOL, db, &err), AIC_OK);
    assert_int_equal(aic_worker_init(w, &f->m, *db, lay, NULL, &err), AIC_OK);
}

/* RoPE and Qwen3's per-head q/k RMSNorm (two kernels) run per layer in vLLM's and SGLang's
 * decode; TensorRT-LLM fuses them into its attention. */
static void test_qk_norm_decode_kernels(void **state)
{
    struct fixture *f = *state;
    struct aic_layout lay = {2, 1, 1, 0, 0};
    struct aic_perfdb *vdb = NULL;
    struct aic_worker w;
    const struct aic_op *op;

    init_worker(f, lay, &w);
    assert_null(find_op(w.gen_ops, "generation_qk_norm"));
    assert_null(find_op(w.gen_ops, "generation_rope"));
    aic_worker_release(&w);
    init_backend_worker(f, AIC_BACKEND_VLLM, lay, &vdb, &w);
    op = find_op(w.gen_ops, "generation_qk_norm");
    assert_non_null(op);
    assert_float_equal(op->scale, 2 * 64, 0);
    op = find_op(w.gen_ops, "generation_rope");
    assert_non_null(op);
    assert_float_equal(op->scale, 64, 0);
    assert_null(find_op(w.ctx_ops, "context_qk_norm"));
    aic_worker_release(&w);
    aic_perfdb_free(vdb);
}

/* vLLM and SGLang route MoE tokens in a kernel of their own, one per MoE layer; TensorRT-LLM's
 * MoE op routes inside (DeepSeek-V3: 58 MoE layers). */
static void test_moe_topk_kernel(void **state)
{
    struct fixture *f = *state;
    struct aic_layout lay = {8, 1, 1, 1, 8};
    struct aic_perfdb *sdb = NULL;
    struct aic_worker w;
    const struct aic_op *op;

    init_worker(f, lay, &w);
    assert_null(find_op(w.gen_ops, "generation_moe_topk"));
    aic_worker_release(&w);
    init_backend_worker(f, AIC_BACKEND_SGLANG, lay, &sdb, &w);
    op = find_op(w.gen_ops, "generation_moe_topk");
    assert_non_null(op);
    assert_float_equal(op->scale, 58, 0);
    assert_non_null(find_op(w.ctx_ops, "context_moe_topk"));
    aic_worker_release(&w);
    aic_perfdb_free(sdb);
}

/* Per-tensor fp8 on TensorRT-LLM: its Llama modeling (hidden > 4096) runs static scales with
 * the quantization fused into the norm, so GEMMs resolve to fp8_static and the output and
 * down projections take already-quantized input; Llama-3.1-8B (hidden 4096), other
 * architectures (Qwen3) and vLLM keep the timed fp8 kernel. */
static void test_trtllm_static_fp8(void **state)
{
    (void)state;
    static const struct {
        const char *model;
        enum aic_backend be;
        enum aic_quant want;
    } cases[] = {
        {"meta-llama/Llama-3.1-70B", AIC_BACKEND_TRTLLM, AIC_Q_FP8_STATIC},
        {"meta-llama/Llama-3.1-8B", AIC_BACKEND_TRTLLM, AIC_Q_FP8},
        {"Qwen/Qwen3-32B", AIC_BACKEND_TRTLLM, AIC_Q_FP8},
        {"meta-llama/Llama-3.1-70B", AIC_BACKEND_VLLM, AIC_Q_FP8},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture f;
        struct aic_error err = {0};
        struct aic_worker_opts o = {0};
        struct aic_worker w;
        struct aic_layout lay = {1, 1, 1, 0, 0};
        memset(&f, 0, sizeof(f));
        o.quant.gemm = AIC_Q_FP8;
        assert_int_equal(aic_model_load(cases[i].model, NULL, &f.m, &err), AIC_OK);
        assert_int_equal(aic_system_load("h100_sxm", "default", &f.sys, &err), AIC_OK);
        assert_int_equal(aic_perfdb_open(&f.sys, cases[i].be, NULL, AIC_DB_SOL, &f.db, &err),
                         AIC_OK);
        assert_int_equal(aic_worker_init(&w, &f.m, f.db, lay, &o, &err), AIC_OK);
        assert_int_equal(w.q.gemm, cases[i].want);
        assert_int_equal(find_op(w.gen_ops, "generation_proj_gemm")->input_quantized, 1);
        assert_int_equal(find_op(w.gen_ops, "generation_ffn2_gemm")->input_quantized, 1);
        assert_int_equal(find_op(w.gen_ops, "generation_qkv_gemm")->input_quantized, 0);
        aic_worker_release(&w);
        aic_perfdb_free(f.db);
    }
}

/* DeepSeek-V3's first 3 layers are dense: 58 MoE layers of 256 experts, and the
 * parameters add up to the model's ~671 B (fp8: ~84 GB per GPU at 8-way). */
static void test_mla_dense_layers(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {8, 1, 1, 1, 8};
    struct aic_workload wl = {1000, 24, 0};
    struct aic_memory m;
    const struct aic_op *moe, *dense;

    init_worker(f, lay, &w);
    moe = find_op(w.ctx_ops, "context_moe");
    dense = find_op(w.ctx_ops, "context_dense_gate_ffn1_gemm");
    assert_float_equal(moe->scale, 58, 0);
    assert_non_null(dense);
    assert_float_equal(dense->scale, 3, 0);
    assert_float_equal(dense->n, 2 * 18432 / 8, 0);
    aic_worker_memory(&w, &wl, 1, 0, 2, &m);
    assert_true(m.weights > 78e9 && m.weights < 90e9);
    aic_worker_release(&w);
}

/* MLA: KV per token is L x (kv_lora + rope) = 61 x 576, not divided by tp. */
static void test_mla_kv_and_ops(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {8, 1, 1, 1, 8};
    struct aic_workload wl = {1000, 24, 0};
    struct aic_memory m;
    const struct aic_op *op;

    init_worker(f, lay, &w);
    aic_worker_memory(&w, &wl, 1, 0, 2, &m);
    assert_float_equal(m.kv_cache, 1024.0 * 61 * 576 * aic_quant_bytes(w.q.kv), 1);
    op = find_op(w.ctx_ops, "context_mla_block");
    assert_non_null(op);
    assert_true(op->alt_count >= 4);
    op = find_op(w.gen_ops, "generation_moe");
    assert_int_equal(op->experts, 256);
    assert_int_equal(op->moe_ep, 8);
    assert_int_equal(op->group, 1);
    op = find_op(w.gen_ops, "generation_shared_gate_up_gemm");
    assert_int_equal(op->group, 2);
    aic_worker_release(&w);
}

/* KV-limited: Qwen3-32B bf16 on one h100 holds ~61 GiB of weights; 64 requests of 5000
 * tokens do not fit in the KV budget, so only some run at once and the rest queue. */
static void test_agg_kv_limited(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {1, 1, 1, 0, 0};
    struct aic_workload wl = {4000, 1000, 0};
    struct aic_metrics m64, mfit;
    struct aic_error err;

    init_worker(f, lay, &w);
    assert_int_equal(aic_run_agg(&w, &wl, 64, 0, &m64, &err), AIC_OK);
    assert_true(m64.kv_limited_batch >= 1 && m64.kv_limited_batch < 64);
    assert_false(m64.mem.total - m64.mem.kv_cache >= m64.mem.capacity);
    assert_int_equal(aic_run_agg(&w, &wl, m64.kv_limited_batch, 0, &mfit, &err), AIC_OK);
    assert_int_equal(mfit.kv_limited_batch, 0);
    /* same engine throughput, TTFT plus the queue wait of Little's law */
    assert_float_equal(m64.tokens_per_s, mfit.tokens_per_s, 1e-6);
    assert_float_equal(
        m64.ttft_ms - mfit.ttft_ms,
        (64.0 - m64.kv_limited_batch) * mfit.request_latency_ms / m64.kv_limited_batch, 1e-6);
    assert_float_equal(m64.concurrency, 64, 0);
    assert_float_equal(m64.ttft_parts.kv_wait, m64.ttft_ms - mfit.ttft_ms, 1e-6);
    assert_parts_sum(&m64);
    aic_worker_release(&w);
}

/* Disagg is a closed loop: Little's law holds, the prefill pool caps the rate, a lone
 * request pays exactly its prefill, and a saturated prefill pool makes TTFT absorb the wait.
 * Loaded, a TensorRT-LLM prefill worker batches its 8192-token budget: 8 prompts of 1000. */
static void test_disagg_closed_loop(void **state)
{
    struct fixture *f = *state;
    struct aic_worker pw, dw;
    struct aic_layout lay = {4, 1, 1, 0, 0};
    struct aic_workload wl = {1000, 101, 0};
    struct aic_metrics m, lone, busy;
    struct aic_error err;
    double ttft, t8, tpot, tpot1, extra, cap, handoff;

    assert_int_equal(aic_worker_init(&pw, &f->m, f->db, lay, NULL, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&dw, &f->m, f->db, lay, NULL, &err), AIC_OK);
    assert_int_equal(aic_engine_token_budget(&pw), 8192);
    assert_int_equal(aic_prefill_ms(&pw, &wl, 1, &ttft, &err), AIC_OK);
    assert_int_equal(aic_prefill_ms(&pw, &wl, 8, &t8, &err), AIC_OK);
    assert_int_equal(aic_tpot_strided_ms(&dw, &wl, 32, &tpot, &err), AIC_OK);
    assert_int_equal(aic_tpot_strided_ms(&dw, &wl, 1, &tpot1, &err), AIC_OK);
    /* the decode worker's first token comes some of its own iterations after the prefill */
    handoff = aic_ttft_handoff_iters(&dw);
    assert_true(handoff > 0);
    extra = aic_disagg_ttft_extra_ms(&pw, &wl) + handoff * tpot;
    cap = 2 * 8 * 1000 / t8;

    assert_int_equal(aic_run_disagg(&pw, 1, 2, &dw, 32, 1, &wl, &m, &err), AIC_OK);
    assert_float_equal(m.tpot_ms, tpot, 1e-9);
    assert_int_equal(m.num_gpus, 12);
    assert_float_equal(m.requests_per_s * m.request_latency_ms / 1000, 32, 1e-6);
    assert_true(m.requests_per_s <= cap + 1e-9);
    assert_true(m.ttft_ms >= ttft + extra - 1e-9);

    assert_int_equal(aic_run_disagg(&pw, 1, 2, &dw, 1, 1, &wl, &lone, &err), AIC_OK);
    assert_float_equal(lone.ttft_ms, ttft + extra - handoff * (tpot - tpot1), 1e-9);
    assert_float_equal(lone.ttft_parts.kv_handoff, handoff * tpot1, 1e-9);
    assert_float_equal(lone.ttft_parts.prefill, ttft, 1e-9);
    assert_parts_sum(&lone);
    assert_parts_sum(&m);

    /* 32 x 64 requests against one prefill worker: it runs flat out */
    assert_int_equal(aic_run_disagg(&pw, 1, 1, &dw, 32, 64, &wl, &busy, &err), AIC_OK);
    assert_float_equal(busy.requests_per_s, cap / 2, cap / 2 * 1e-3);
    assert_float_equal(busy.ttft_ms - extra,
                       32 * 64 / busy.requests_per_s * 1000 - busy.tpot_ms * 100 - extra,
                       busy.ttft_ms * 1e-3);
    assert_true(busy.ttft_ms > 10 * m.ttft_ms);
    aic_worker_release(&pw);
    aic_worker_release(&dw);
}

/* A prefill worker with batch bp > 1 batches what is waiting: a lone request pays the
 * batch-1 prefill, a saturated pool completes bp prompts per batch-bp time when bp prompts
 * hold more than the token budget (4 x 4000 > 8192), the budget's worth otherwise. */
static void test_disagg_prefill_batching(void **state)
{
    struct fixture *f = *state;
    struct aic_worker pw, dw;
    struct aic_layout lay = {4, 1, 1, 0, 0};
    struct aic_workload wl = {4000, 101, 0};
    struct aic_metrics lone, busy;
    struct aic_error err;
    double t1, t4, tpot1;

    assert_int_equal(aic_worker_init(&pw, &f->m, f->db, lay, NULL, &err), AIC_OK);
    assert_int_equal(aic_worker_init(&dw, &f->m, f->db, lay, NULL, &err), AIC_OK);
    assert_int_equal(aic_prefill_ms(&pw, &wl, 1, &t1, &err), AIC_OK);
    assert_int_equal(aic_prefill_ms(&pw, &wl, 4, &t4, &err), AIC_OK);
    assert_true(t4 > t1 && t4 < 4 * t1);
    assert_int_equal(aic_tpot_strided_ms(&dw, &wl, 1, &tpot1, &err), AIC_OK);

    assert_int_equal(aic_run_disagg(&pw, 4, 1, &dw, 1, 1, &wl, &lone, &err), AIC_OK);
    assert_float_equal(lone.ttft_parts.prefill, t1, 1e-9);
    assert_float_equal(lone.ttft_ms,
                       t1 + aic_disagg_ttft_extra_ms(&pw, &wl) + lone.ttft_parts.kv_handoff, 1e-9);
    assert_parts_sum(&lone);

    /* 32 x 64 requests against one worker batching 4: it finishes 4 prompts per t4 */
    assert_int_equal(aic_run_disagg(&pw, 4, 1, &dw, 32, 64, &wl, &busy, &err), AIC_OK);
    assert_float_equal(busy.requests_per_s, 4 * 1000 / t4, 4 * 1000 / t4 * 1e-3);
    assert_parts_sum(&busy);

    /* bp 1 at 4000 tokens: the 8192-token budget still batches 2 under load */
    assert_int_equal(aic_prefill_ms(&pw, &wl, 2, &t4, &err), AIC_OK);
    assert_int_equal(aic_run_disagg(&pw, 1, 1, &dw, 32, 64, &wl, &busy, &err), AIC_OK);
    assert_float_equal(busy.requests_per_s, 2 * 1000 / t4, 2 * 1000 / t4 * 1e-3);
    aic_worker_release(&pw);
    aic_worker_release(&dw);
}

/* TensorRT-LLM attention DP holds prefills for balance: at a low arrival rate every release
 * is a timeout, so a request waits half of the 60 iterations on average; a rank with a single
 * request never waits; the closed loop's throughput pays for the wait. */
static void test_agg_adp_balance(void **state)
{
    struct fixture *f = *state;
    struct aic_worker w;
    struct aic_layout lay = {1, 1, 8, 1, 8};
    struct aic_workload wl = {1000, 2000, 0};
    struct aic_metrics held, free4, held1, free1;
    struct aic_error err;

    init_worker(f, lay, &w);
    assert_int_equal(aic_run_agg(&w, &wl, 4, 0, &held, &err), AIC_OK);
    assert_int_equal(aic_run_agg(&w, &wl, 1, 0, &held1, &err), AIC_OK);
    setenv("AIC_ADP_TIMEOUT_ITERS", "0", 1);
    assert_int_equal(aic_run_agg(&w, &wl, 4, 0, &free4, &err), AIC_OK);
    assert_int_equal(aic_run_agg(&w, &wl, 1, 0, &free1, &err), AIC_OK);
    unsetenv("AIC_ADP_TIMEOUT_ITERS");
    assert_float_equal((held.ttft_ms - free4.ttft_ms) / (30 * held.tpot_ms), 1.0, 0.05);
    assert_float_equal(held.tpot_ms, free4.tpot_ms, 1e-9);
    assert_float_equal(held1.ttft_ms, free1.ttft_ms, 1e-9);
    assert_float_equal(held.ttft_parts.dp_balance, held.ttft_ms - free4.ttft_ms, 1e-9);
    assert_parts_sum(&held);
    assert_true(held.tokens_per_s <=
                held.concurrency * 2000 * 1000 / held.request_latency_ms * (1 + 1e-9));
    assert_true(held.tokens_per_s < free4.tokens_per_s);
    aic_worker_release(&w);
}

/* A worker of `model` on the real perf database (AIC_TEST_PERFDB) of `system`, backend
 * `be`, at tp 1: 0, or 1 after skip()-ing when the database is missing. */
static int init_silicon_lay(const char *model, const char *system, enum aic_backend be,
                            struct aic_layout lay, struct fixture *f, struct aic_worker *w)
{
    const char *root = getenv("AIC_TEST_PERFDB");
    struct aic_error err = {0};
    if (!root || access(root, R_OK) != 0) {
        skip();
        return 1;
    }
    memset(f, 0, sizeof(*f));
    assert_int_equal(aic_model_load(model, NULL, &f->m, &err), AIC_OK);
    assert_int_equal(aic_system_load(system, root, &f->sys, &err), AIC_OK);
    if (aic_perfdb_open(&f->sys, be, NULL, AIC_DB_SILICON, &f->db, &err))
        fail_msg("open: %s", err.msg);
    init_worker(f, lay, w);
    return 0;
}

static int init_silicon(const char *model, const char *system, enum aic_backend be,
                        struct fixture *f, struct aic_worker *w)
{
    struct aic_layout lay = {1, 1, 1, 0, 0};
    return init_silicon_lay(model, system, be, lay, f, w);
}

/* vLLM aggregated serving past the OSL (isl 1024, osl 256): prefilling the batch takes at
 * least a request's decode steps, so the decodes per mixed step are capped and throughput
 * no longer falls as the batch grows (it did: 6462 -> 4843 tokens/s from batch 256 to 512).
 * The closed loop holds at every batch. */
static void test_agg_vllm_past_osl(void **state)
{
    (void)state;
    struct fixture f;
    struct aic_worker w;
    struct aic_workload wl = {1024, 256, 0};
    struct aic_metrics m256, m512;
    struct aic_error err;
    if (init_silicon("meta-llama/Llama-3.1-8B-Instruct", "h200_sxm", AIC_BACKEND_VLLM, &f, &w))
        return;
    assert_int_equal(aic_run_agg(&w, &wl, 256, 0, &m256, &err), AIC_OK);
    assert_int_equal(aic_run_agg(&w, &wl, 512, 0, &m512, &err), AIC_OK);
    if (m512.tokens_per_s < m256.tokens_per_s)
        fail_msg("tokens/s fell from %.0f at batch 256 to %.0f at batch 512", m256.tokens_per_s,
                 m512.tokens_per_s);
    assert_true(m256.tokens_per_s <= 256.0 * 256 * 1000 / m256.request_latency_ms * (1 + 1e-9));
    assert_true(m512.tokens_per_s <= 512.0 * 256 * 1000 / m512.request_latency_ms * (1 + 1e-9));
    aic_worker_release(&w);
    aic_perfdb_free(f.db);
}

/* gpt-oss-120b's MoE on a100 trtllm is transferred from another slice: its step time rises
 * with the batch (static TPOT at batch 3 was 4 % below batch 2 when the reference
 * utilisation was rounded to whole token counts). */
static void test_static_moe_transfer_monotone(void **state)
{
    (void)state;
    struct fixture f;
    struct aic_worker w;
    struct aic_workload wl = {1024, 256, 0};
    struct aic_error err;
    double prev = 0;
    if (init_silicon("openai/gpt-oss-120b", "a100_sxm", AIC_BACKEND_TRTLLM, &f, &w))
        return;
    for (int b = 1; b <= 4; b++) {
        struct aic_metrics m;
        assert_int_equal(aic_run_static(&w, &wl, b, 0, &m, &err), AIC_OK);
        if (m.tpot_ms < prev)
            fail_msg("TPOT %.4f ms at batch %d is below %.4f ms at batch %d", m.tpot_ms, b, prev,
                     b - 1);
        prev = m.tpot_ms;
    }
    aic_worker_release(&w);
    aic_perfdb_free(f.db);
}

/* TPOT of Qwen3-30B-A3B on h200 (vLLM tables) at attention DP 4 over that of the same
 * worker scheduled as one rank (16 requests of 4096/512 per rank: a prefill in 3 % of a
 * rank's steps, 12 % of the steps of some rank of 4), with agg.c told the worker is `as`. */
static double dp4_tpot_ratio(enum aic_backend as)
{
    struct fixture f;
    struct aic_worker w;
    struct aic_layout lay = {1, 1, 4, 1, 4};
    struct aic_workload wl = {4096, 512, 0};
    struct aic_metrics m4, m1;
    struct aic_error err;
    if (init_silicon_lay("Qwen/Qwen3-30B-A3B", "h200_sxm", AIC_BACKEND_VLLM, lay, &f, &w))
        return 0;
    w.backend = as;
    assert_int_equal(aic_run_agg(&w, &wl, 16, 0, &m4, &err), AIC_OK);
    w.lay.dp = 1;
    assert_int_equal(aic_run_agg(&w, &wl, 16, 0, &m1, &err), AIC_OK);
    aic_worker_release(&w);
    aic_perfdb_free(f.db);
    return m4.tpot_ms / m1.tpot_ms;
}

/* vLLM and SGLang run a MoE model's attention-DP ranks in lockstep: a rank that only
 * decodes waits out another's prefill, so its TPOT rises with the DP size by more than the
 * larger expert batch alone raises it, which is all TensorRT-LLM pays (its balancing aligns
 * the ranks' prefills instead). */
static void test_agg_dp_lockstep(void **state)
{
    (void)state;
    double trt = dp4_tpot_ratio(AIC_BACKEND_TRTLLM), vllm, sglang;
    if (trt == 0)
        return;
    vllm = dp4_tpot_ratio(AIC_BACKEND_VLLM);
    sglang = dp4_tpot_ratio(AIC_BACKEND_SGLANG);
    print_message("TPOT at DP 4 / one rank: TensorRT-LLM %.4f, vLLM %.4f, SGLang %.4f\n", trt, vllm,
                  sglang);
    assert_true(vllm > 1.05 * trt);
    assert_true(sglang > 1.05 * trt);
}

int main(void)
{
    const struct CMUnitTest dense[] = {
        cmocka_unit_test(test_dense_shapes_tp2),
        cmocka_unit_test(test_bad_layout),
        cmocka_unit_test(test_kv_memory),
        cmocka_unit_test(test_static_closed_form),
        cmocka_unit_test(test_agg_monotone),
        cmocka_unit_test(test_ttft_consts_override),
        cmocka_unit_test(test_step_host),
        cmocka_unit_test(test_ttft_handoff_override),
        cmocka_unit_test(test_disagg_closed_loop),
        cmocka_unit_test(test_disagg_prefill_batching),
        cmocka_unit_test(test_agg_kv_limited),
        cmocka_unit_test(test_qk_norm_decode_kernels),
        cmocka_unit_test(test_full_qk_norm_allreduce),
        cmocka_unit_test(test_gated_deltanet_ops),
        cmocka_unit_test(test_sparse_attention_ops),
        cmocka_unit_test(test_trtllm_static_fp8),
        cmocka_unit_test(test_agg_vllm_past_osl),
        cmocka_unit_test(test_static_moe_transfer_monotone),
        cmocka_unit_test(test_agg_dp_lockstep),
    };
    const struct CMUnitTest mla[] = {
        cmocka_unit_test(test_mla_kv_and_ops),   cmocka_unit_test(test_agg_adp_balance),
        cmocka_unit_test(test_ttft_stream_wait), cmocka_unit_test(test_ttft_prompt),
        cmocka_unit_test(test_moe_topk_kernel),  cmocka_unit_test(test_mla_dense_layers)};
    int rc = cmocka_run_group_tests(dense, setup_qwen, teardown);
    return rc + cmocka_run_group_tests(mla, setup_dsv3, teardown);
}
