/*
 * disagg.c - disaggregated serving: x prefill workers and y decode workers (xPyD).
 *
 * Each pool is a static worker: prefill workers run batches of bp prompts, decode workers
 * hold bd requests. Clients keep N = bd x y (x decode DP x PP) requests in flight, so the
 * replica is a closed queueing network: a request queues for a prefill slot, is prefilled,
 * crosses to a decode worker and decodes its OSL tokens, and its client sends the next one.
 * Exact mean-value analysis over that loop (one queueing station, the prefill pool; decode
 * and the fixed overheads as delays) gives the throughput and the prefill wait: near zero
 * when the prefill pool keeps up, N / rate - decode time (Little's law) when it is the
 * bottleneck, and the queueing curve in between. Under load a prefill worker batches the
 * waiting prompts up to its engine's token budget (max_num_tokens, 8192 by default; SGLang's
 * chunked-prefill size) or bp, whichever holds more, B prompts: it finishes B prompts per batch
 * time t(B), while a lone prompt takes t(1). Seidmann's multi-server form carries both: a
 * request waits t(B) / (B x x x DP x PP) per request queued ahead, and t(1) minus that besides
 * (B = 1: the plain multi-server form). On the calibration file's 105 disaggregated rows the
 * budget cuts the TTFT error from 56 to 49 % (bp alone, 1 there, leaves the pool saturated
 * where the real one batched its queue). TTFT = wait + prefill + the backend's serving
 * overhead (fixed, plus its processing of the prompt) + KV transfer + the KV handoff: the decode
 * worker's iterations from the end of the prefill to the first token (admitting the request, seeing
 * its transfer complete, its first generation step). On the calibration file that handoff takes
 * about 20 decode iterations on every backend; a fixed time fits worse (median TTFT error 54 %
 * against 42 %).
 */
#include <math.h>
#include <string.h>

#include "engine/oplist.h"
#include "engine/serving.h"

/* Moving the prompt's KV cache from a prefill to a decode worker: every GPU sends its own
 * shard over the inter-node link in parallel. */
static double kv_transfer_ms(const struct aic_worker *pw, const struct aic_workload *wl)
{
    const struct aic_system *sys = aic_perfdb_system(pw->db);
    double bytes = aic_worker_kv_request_bytes(pw, wl->isl);
    return sys->inter_node_bw_Bps > 0 ? bytes / sys->inter_node_bw_Bps * 1000.0 : 0;
}

double aic_disagg_ttft_extra_ms(const struct aic_worker *pw, const struct aic_workload *wl)
{
    return aic_serving_overhead_ms(pw) + aic_prompt_overhead_ms(pw, wl->isl) +
           kv_transfer_ms(pw, wl);
}

double aic_disagg_handoff_ms(const struct aic_worker *dw, double tpot_ms)
{
    return aic_ttft_handoff_iters(dw) * tpot_ms * aic_accepted_per_step(dw);
}

/*
 * Mean-value analysis of n clients cycling through a queue and a delay z; at the queue a
 * request spends wait_unit per request ahead of it (itself included) plus `fixed`. Returns
 * the time a request spends at the queue, *rate_per_ms set to the loop's throughput.
 */
static double closed_loop_ms(double n, double wait_unit, double fixed, double z,
                             double *rate_per_ms)
{
    double q = 0, r = wait_unit + fixed, x = 0;

    for (int k = 1; k <= (int)ceil(n); k++) {
        r = wait_unit * (1 + q) + fixed;
        x = k / (r + z);
        q = x * (r - fixed);
    }
    *rate_per_ms = x;
    return r;
}

/* Prompts a loaded prefill worker runs per batch: its token budget's worth, at least bp. */
static int load_batch(const struct aic_worker *pw, const struct aic_workload *wl, int bp)
{
    int fit = aic_engine_token_budget(pw) / (wl->isl > 0 ? wl->isl : 1);

    return fit > bp ? fit : bp;
}

int aic_run_disagg(struct aic_worker *pw, int bp, int x, struct aic_worker *dw, int bd, int y,
                   const struct aic_workload *wl, struct aic_metrics *out, struct aic_error *err)
{
    struct aic_ttft_parts *t = &out->ttft_parts;
    double ttft_p, ttft_1, tpot_d, extra, decode_ms, n_inflight, unit, rate_per_ms, at_prefill;
    int rc, B = load_batch(pw, wl, bp);

    memset(out, 0, sizeof(*out));
    if ((rc = aic_prefill_ms(pw, wl, B, &ttft_p, err)))
        return rc;
    ttft_1 = ttft_p;
    if (B > 1 && (rc = aic_prefill_ms(pw, wl, 1, &ttft_1, err)))
        return rc;
    if ((rc = aic_tpot_strided_ms(dw, wl, bd, &tpot_d, err)))
        return rc;
    t->overhead = aic_serving_overhead_ms(pw) + aic_prompt_overhead_ms(pw, wl->isl);
    t->kv_transfer = kv_transfer_ms(pw, wl);
    tpot_d /= aic_accepted_per_step(dw);
    t->kv_handoff = aic_disagg_handoff_ms(dw, tpot_d);
    extra = t->overhead + t->kv_transfer + t->kv_handoff;
    decode_ms = tpot_d * (wl->osl > 1 ? wl->osl - 1 : 1);
    n_inflight = (double)bd * dw->lay.dp * dw->lay.pp * y;
    unit = ttft_p / ((double)B * pw->lay.dp * pw->lay.pp * x);
    at_prefill =
        closed_loop_ms(n_inflight, unit, fmax(ttft_1 - unit, 0), decode_ms + extra, &rate_per_ms);

    out->ttft_ms = at_prefill + extra;
    t->prefill = fmin(ttft_1, at_prefill);
    t->queue = at_prefill - t->prefill;
    out->tpot_ms = wl->osl > 1 ? tpot_d : 0; /* one output token: no decode step */
    out->request_latency_ms = out->ttft_ms + tpot_d * (wl->osl - 1);
    out->num_gpus = x * aic_worker_gpus(pw) + y * aic_worker_gpus(dw);
    out->requests_per_s = rate_per_ms * 1000.0;
    out->tokens_per_s = out->requests_per_s * wl->osl;
    out->tokens_per_s_per_gpu = out->tokens_per_s / out->num_gpus;
    out->tokens_per_s_per_user = out->tpot_ms > 0 ? 1000.0 / out->tpot_ms : 0;
    out->concurrency = n_inflight;
    aic_worker_memory(pw, wl, bp, 0, 1, &out->mem);
    aic_worker_memory(dw, wl, bd, 0, 2, &out->mem_decode);
    return AIC_OK;
}
