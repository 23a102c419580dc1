/*
 * agg.c - aggregated serving with in-flight batching (aic-modeling.md section 4).
 *
 * Mean-field scheduler: b requests in flight per attention-DP rank, a prefill-token budget
 * C per engine step. Prefilling the batch takes S_ctx = ceil(isl*b/C) "mixed" steps that
 * carry C prefill tokens and g decode requests; the rest of a request's life is decode-only
 * steps with b requests. A mixed step costs three passes: the non-attention work of all
 * C + g tokens as one sequence, the prefill attention of the chunk, and the decode attention
 * of the g requests at mid-generation.
 *
 * TTFT under load (our model, not AIConfigurator's fixed queueing factor): a new request
 * waits for the serving overhead (HTTP, tokenizer, first-token streaming: fixed, plus
 * prompt_ms per 1,000 prompt tokens the backend processes before the prefill), for a few
 * engine iterations of the scheduler loop (admission at an iteration boundary, the overlap
 * scheduler's delayed output), for the prefills queued ahead of it, then for the engine step
 * that carries its own prompt alongside the other requests' decodes:
 *
 *   TTFT = overhead + step_iters x decode iteration
 *          + queue_share x (prefill of the whole batch - prefill of one) + own step
 *          + stream_ms x output tokens/s streamed / 1000
 *
 * queue_share is the fraction of the other in-flight requests whose prefill a new request
 * finds ahead of it (0 = arrivals spread evenly, 0.5 = all requests arrive in one wave).
 * The last term is the engine's own HTTP front end, busy streaming every client's tokens
 * (SGLang's; stream_wait). The constants per backend were fitted on measured
 * deployments by `cli validate --fit-ttft` (overhead.c); a worker's options may replace them
 * (struct aic_ttft_consts). TensorRT-LLM attention DP adds its balancing wait
 * (adp_balance_wait below); vLLM's and SGLang's attention-DP ranks of a MoE model step in
 * lockstep instead (dp_lockstep).
 *
 * Every engine iteration also pays the scheduler's host time (aic_agg_step_host_ms: fixed
 * plus per request in flight on the rank), which the kernel tables, timed under CUDA graphs,
 * do not hold.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/oplist.h"
#include "engine/serving.h"

struct agg_sched {
    double P, D, S_ctx, g, genonly_steps, tpot_mix_steps, genonly_batch;
    double lock_steps; /* decode steps stretched to a mixed step by another DP rank's prefill */
    double lock_ranks; /* ranks prefilling in a mixed step (0 = all: no lockstep) */
    double C;
};

static void agg_schedule(const struct aic_worker *w, const struct aic_workload *wl, int b, double C,
                         struct agg_sched *s)
{
    int vllm = w->backend == AIC_BACKEND_VLLM;
    double chunks = ceil(C / wl->isl);

    s->C = C;
    s->lock_steps = s->lock_ranks = 0;
    s->P = aic_accepted_per_step(w);
    s->D = 1.0 + (wl->osl - 1) / s->P;
    s->S_ctx = ceil((double)wl->isl * b / C);
    if (b <= 1) {
        s->g = 0;
        s->genonly_steps = fmax(s->D - 1, 0);
        s->tpot_mix_steps = 0;
        s->genonly_batch = 1;
        return;
    }
    /* When prefilling the batch takes at least a request's decode steps (S_ctx >= D), prompts
     * are admitted more slowly than requests finish decoding: only about D x C / isl requests
     * decode at once and the others wait for a slot. Every backend alike: charging vLLM's mixed
     * steps with b - chunks decodes made each request decode S_ctx times for its D tokens, so
     * its throughput fell as the concurrency rose (and its TPOT disagreed with it). */
    if (s->S_ctx >= s->D)
        s->g = fmax(1, floor(b / (s->S_ctx / s->D)));
    else
        s->g = fmax(1, b - chunks);
    s->genonly_batch = b;
    if (s->S_ctx >= s->D) {
        s->genonly_steps = 0;
        s->tpot_mix_steps = s->S_ctx;
    } else {
        s->genonly_steps = s->D - s->S_ctx;
        s->tpot_mix_steps = vllm ? s->S_ctx : fmax(1, s->S_ctx - 3);
    }
}

/*
 * vLLM and SGLang run the attention-DP ranks of a MoE model in lockstep: every layer's expert
 * exchange waits for all ranks, so a step lasts as long as the slowest rank's, and a rank
 * that only decodes waits out another rank's prefill. With a share f of a rank's steps
 * carrying its own prompts (arrivals independent across ranks), 1 - (1 - f)^dp of the steps
 * are mixed somewhere. vLLM pads every rank's batch to the largest rank's token count, so
 * such a step costs what a mixed step on every rank costs; SGLang gathers only the real
 * tokens for the experts, which then see the prompts of f x dp / (1 - (1 - f)^dp) ranks.
 * TensorRT-LLM's attention-DP balancing instead holds prefills until every rank has one
 * (adp_balance_wait), so its ranks mix in the same steps.
 */
static void dp_lockstep(const struct aic_worker *w, struct agg_sched *s)
{
    double n = s->S_ctx + s->genonly_steps, f, f_dp;

    s->lock_steps = s->lock_ranks = 0;
    if (w->backend == AIC_BACKEND_TRTLLM || w->lay.dp <= 1 || w->model->num_experts <= 0 ||
        s->genonly_steps <= 0 || n <= 0)
        return;
    f = s->S_ctx / n;
    f_dp = 1 - pow(1 - f, w->lay.dp);
    s->lock_steps = fmin((f_dp - f) * n, s->genonly_steps);
    s->genonly_steps -= s->lock_steps;
    if (w->backend == AIC_BACKEND_SGLANG)
        s->lock_ranks = fmin(f * w->lay.dp / f_dp, w->lay.dp);
}

/* Latency of one mixed step: three filtered passes over the op lists. */
static int mixed_step_ms(struct aic_worker *w, const struct aic_workload *wl,
                         const struct agg_sched *s, double *ms, struct aic_error *err)
{
    double C = s->C, nx = w->opts.nextn + 1, p = wl->prefix;
    double p1 = p * floor(C / wl->isl), T1 = C + s->g * nx - p1;
    double a = 0, c = 0, d = 0;
    struct aic_op_rt r1 = {1, 1, T1, p1, T1, 1, 0};
    int rc;

    if (s->lock_ranks > 0) /* the experts see lock_ranks prompts and every rank's decodes */
        r1.moe_tokens = (C - p1) * s->lock_ranks / w->lay.dp + s->g * nx;

    if ((rc = aic_eval_ops(w, w->ctx_ops, &r1, AIC_FILTER_NON_ATTN, &a, NULL, 0, NULL, err)))
        return rc;
    if (C > 0) {
        struct aic_op_rt r2 = {1, ceil(C / wl->isl), wl->isl - p, p, 0, 0, 0};
        r2.tokens = r2.batch * r2.seq;
        if ((rc = aic_eval_ops(w, w->ctx_ops, &r2, AIC_FILTER_ATTN, &c, NULL, 0, NULL, err)))
            return rc;
        c /= ceil(wl->isl / C);
    }
    if (s->g > 0) {
        double bg = s->g * nx;
        struct aic_op_rt r3 = {0, bg, wl->isl + wl->osl / 2 + 1, 0, bg, bg, 0};
        if ((rc = aic_eval_ops(w, w->gen_ops, &r3, AIC_FILTER_ATTN, &d, NULL, 0, NULL, err)))
            return rc;
    }
    *ms = a + c + d;
    return AIC_OK;
}

/* TTFT of a request arriving while b requests are in flight (see the header comment). */
static int agg_ttft(struct aic_worker *w, const struct aic_workload *wl, int b, double C,
                    struct aic_ttft_parts *parts, struct aic_error *err)
{
    struct agg_sched one;
    double own, single = 0, batch = 0, chunk = fmin(C, wl->isl);
    double overhead = aic_serving_overhead_ms(w) + aic_prompt_overhead_ms(w, wl->isl);
    double share = aic_ttft_queue_share(w);
    int rc;

    agg_schedule(w, wl, b, chunk, &one);
    dp_lockstep(w, &one);
    one.g = b > 1 ? b - 1 : 0;
    if ((rc = mixed_step_ms(w, wl, &one, &own, err)))
        return rc;
    own = (own + aic_agg_step_host_ms(w, b)) * ceil(wl->isl / chunk);
    if (b > 1 && share > 0) {
        if ((rc = aic_prefill_ms(w, wl, 1, &single, err)) ||
            (rc = aic_prefill_ms(w, wl, b, &batch, err)))
            return rc;
    }
    parts->overhead = overhead;
    parts->prefill = own;
    parts->queue = share * fmax(batch - single, 0);
    return AIC_OK;
}

static double ttft_sum(const struct aic_ttft_parts *t)
{
    return t->overhead + t->scheduler + t->queue + t->prefill + t->dp_balance + t->kv_wait +
           t->kv_transfer + t->kv_handoff + t->stream;
}

/* Mean engine iteration a decoding request sees (mixed and decode-only steps), ms. */
static double agg_step_ms(const struct agg_sched *s, double mix, double genonly)
{
    double steps = s->tpot_mix_steps + s->lock_steps + s->genonly_steps;
    return steps > 0
               ? (mix * (s->tpot_mix_steps + s->lock_steps) + genonly * s->genonly_steps) / steps
               : genonly;
}

/* Every request yields osl output tokens (the first from its prefill). In the closed loop
 * the b clients each wait a whole request latency, so requests/s is at most b / latency
 * (Little's law) however fast the engine's steps run. */
static void agg_metrics(struct aic_worker *w, const struct aic_workload *wl, int b,
                        const struct agg_sched *s, double mix, double genonly,
                        const struct aic_ttft_parts *parts, struct aic_metrics *out)
{
    double ttft = ttft_sum(parts), tpot = wl->osl > 1 ? agg_step_ms(s, mix, genonly) / s->P : 0;
    double T_total = (s->S_ctx + s->lock_steps) * mix + s->genonly_steps * genonly;
    double out_tok = wl->osl, thr;

    out->request_latency_ms = ttft + tpot * (wl->osl - 1);
    thr = T_total > 0 ? 1000.0 / T_total * b * out_tok : 0;
    thr = fmin(thr, b * out_tok * 1000.0 / out->request_latency_ms);
    out->ttft_ms = ttft;
    out->ttft_parts = *parts;
    out->tpot_ms = tpot;
    out->num_gpus = aic_worker_gpus(w);
    out->tokens_per_s = thr * w->lay.pp * w->lay.dp;
    out->requests_per_s = out->tokens_per_s / out_tok;
    out->tokens_per_s_per_gpu = out->tokens_per_s / out->num_gpus;
    out->tokens_per_s_per_user = tpot > 0 ? 1000.0 / tpot : 0;
    out->concurrency = (double)b * w->lay.pp * w->lay.dp;
}

/*
 * TensorRT-LLM attention-DP balancing (attention_dp_config enable_balance, the setting of its
 * published DeepSeek/gpt-oss recipes and of the configs we generate): a prefill is held until
 * every DP rank has one pending, or until timeout_iters engine iterations have passed since
 * the last release. Releases form a renewal process with interval L = min(T, M), M the time
 * until all dp ranks have seen an arrival (rate lambda per rank per iteration):
 * P(M > t) = 1 - (1 - e^(-lambda t))^dp. An arrival waits the mean residual E[L^2] / 2E[L].
 */
static double adp_balance_wait_iters(double lambda, int dp, double T)
{
    const int n = 64;
    double h = T / n, e1 = 0, e2 = 0;

    for (int i = 0; i < n; i++) {
        double t = (i + 0.5) * h, surv = 1 - pow(1 - exp(-lambda * t), dp);
        e1 += surv * h;
        e2 += 2 * t * surv * h;
    }
    return e1 > 0 ? e2 / (2 * e1) : 0;
}

/* Adds `wait` to TTFT and the request latency. In the closed loop the clients cycle through
 * it too, which caps the throughput. */
static void lengthen_loop(const struct aic_workload *wl, double wait, struct aic_metrics *out)
{
    double out_tok = wl->osl;

    out->ttft_ms += wait;
    out->request_latency_ms += wait;
    out->tokens_per_s =
        fmin(out->tokens_per_s, out->concurrency * out_tok * 1000.0 / out->request_latency_ms);
    out->requests_per_s = out->tokens_per_s / out_tok;
    out->tokens_per_s_per_gpu = out->tokens_per_s / out->num_gpus;
}

/* Adds the balancing wait to TTFT; a rank with a single request releases at once (it has no
 * generation request left when its request finishes). */
static void adp_balance_wait(const struct aic_worker *w, const struct aic_workload *wl, int b,
                             const struct agg_sched *s, double mix, double genonly,
                             struct aic_metrics *out)
{
    double iters = s->S_ctx + s->genonly_steps, iter_ms;

    if (w->backend != AIC_BACKEND_TRTLLM || w->lay.dp <= 1 || b <= 1 || iters <= 0)
        return;
    iter_ms = (s->S_ctx * mix + s->genonly_steps * genonly) / iters;
    out->ttft_parts.dp_balance =
        adp_balance_wait_iters(b / iters, w->lay.dp, aic_adp_timeout_iters()) * iter_ms;
    lengthen_loop(wl, out->ttft_parts.dp_balance, out);
}

/* The front end's wait: stream_ms per 1,000 output tokens/s, that is the clients' requests in
 * flight over the TPOT (tokens per ms). */
static void stream_wait(const struct aic_worker *w, const struct aic_workload *wl,
                        struct aic_metrics *out)
{
    double per_ktps = aic_ttft_stream_ms(w);

    if (out->tpot_ms <= 0 || per_ktps <= 0)
        return;
    out->ttft_parts.stream = per_ktps * out->concurrency / out->tpot_ms;
    lengthen_loop(wl, out->ttft_parts.stream, out);
}

static int agg_point(struct aic_worker *w, const struct aic_workload *wl, int b, double C,
                     struct aic_metrics *out, struct aic_error *err)
{
    struct agg_sched s;
    struct aic_ttft_parts parts = {0};
    double mix, genonly = 0, host, nx = w->opts.nextn + 1;
    int rc;

    memset(out, 0, sizeof(*out));
    agg_schedule(w, wl, b, C, &s);
    dp_lockstep(w, &s);
    if ((rc = mixed_step_ms(w, wl, &s, &mix, err)))
        return rc;
    if (s.genonly_steps > 0 || b <= 1) {
        double bg = s.genonly_batch * nx;
        struct aic_op_rt rt = {0, bg, wl->isl + wl->osl / 2 + 1, 0, bg, bg, 0};
        if ((rc = aic_eval_ops(w, w->gen_ops, &rt, AIC_FILTER_ALL, &genonly, NULL, 0, NULL, err)))
            return rc;
    }
    host = aic_agg_step_host_ms(w, b);
    mix += host;
    if (s.genonly_steps > 0 || b <= 1)
        genonly += host;
    if ((rc = agg_ttft(w, wl, b, C, &parts, err)))
        return rc;
    parts.scheduler = aic_ttft_step_iters(w) * agg_step_ms(&s, mix, genonly);
    agg_metrics(w, wl, b, &s, mix, genonly, &parts, out);
    adp_balance_wait(w, wl, b, &s, mix, genonly, out);
    stream_wait(w, wl, out);
    aic_worker_memory(w, wl, b, (int)C, 0, &out->mem);
    out->mem_decode = out->mem;
    return AIC_OK;
}

/*
 * An engine's default prefill-token budget per step: SGLang's chunked-prefill size, which it
 * sets from the GPU's memory (2048 tokens under 35 GiB, 4096 under 60 GiB, 8192 under
 * 160 GiB, 16384 above); TensorRT-LLM's max_num_tokens and vLLM's max_num_batched_tokens,
 * 8192 by default on the data-centre GPUs we model.
 */
int aic_engine_token_budget(const struct aic_worker *w)
{
    const double gib = 1024.0 * 1024 * 1024;
    double mem;

    if (w->backend != AIC_BACKEND_SGLANG)
        return AIC_ENGINE_TOKEN_BUDGET;
    mem = aic_perfdb_system(w->db)->mem_capacity_bytes;
    return mem < 35 * gib ? 2048 : mem < 60 * gib ? 4096 : mem < 160 * gib ? 8192 : 16384;
}

/*
 * SGLang batches every waiting prompt into one prefill, up to its chunked-prefill size; its
 * prefill-first scheduler keeps arrivals clustered, so its mixed steps fill to that size or
 * to the prompts of all b requests in flight, whichever is less, and a longer prompt is
 * prefilled in chunks of it. TensorRT-LLM and vLLM take the prompts that arrived during the
 * last step, one at a time when arrivals are spread: the isl.
 */
int aic_agg_ctx_tokens(const struct aic_worker *w, const struct aic_workload *wl, int b, int given)
{
    double all = (double)wl->isl * (b > 1 ? b : 1);
    int chunk;

    if (given > 0)
        return given < all ? given : (int)all; /* a step holds at most the prompts present */
    if (w->backend != AIC_BACKEND_SGLANG)
        return wl->isl;
    chunk = aic_engine_token_budget(w);
    return all < chunk ? (int)all : chunk;
}

/*
 * When the weights fit but the KV cache holds only b_fit < b requests per rank, the engine
 * runs b_fit at a time and the others wait in its queue. Little's law per rank: with the
 * served requests taking R ms each, the queue of b - b_fit requests adds
 * (b - b_fit) x R / b_fit ms before the first token; throughput is that of b_fit.
 */
int aic_run_agg(struct aic_worker *w, const struct aic_workload *wl, int b, int ctx_tokens,
                struct aic_metrics *out, struct aic_error *err)
{
    double C = aic_agg_ctx_tokens(w, wl, b, ctx_tokens);
    int rc = agg_point(w, wl, b, C, out, err);
    int fit = out->mem.max_batch;
    double wait;

    if (rc || !out->mem.oom || out->mem.total - out->mem.kv_cache >= out->mem.capacity || fit < 1 ||
        fit >= b)
        return rc;
    if ((rc = agg_point(w, wl, fit, C, out, err)))
        return rc;
    wait = (double)(b - fit) * out->request_latency_ms / fit;
    out->ttft_parts.kv_wait = wait;
    out->ttft_ms += wait;
    out->request_latency_ms += wait;
    out->concurrency = (double)b * w->lay.pp * w->lay.dp;
    out->kv_limited_batch = fit;
    return AIC_OK;
}
