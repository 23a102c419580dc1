/*
 * disagg.c - disaggregated serving: x prefill workers and y decode workers (xPyD).
 *
 * Each pool is a static worker: prefill workers run batches of bp prompts, decode workers
 * hold bd requests. The replica's request rate is the smaller of the two pools' rates,
 * each derated for pipeline bubbles (prefill 0.9) and batch under-saturation (decode
 * 0.92). Closed loop: with N = bd x y requests in flight, when the prefill pool cannot keep
 * up, requests queue before prefill and TTFT grows so that N = rate x request latency.
 * TTFT also carries the backend's fixed serving overhead and the KV-cache transfer.
 */
#include <math.h>
#include <string.h>

#include "engine/oplist.h"
#include "engine/serving.h"

#define PREFILL_DERATE    0.9
#define DECODE_DERATE     0.92
#define TTFT_QUEUE_FACTOR 1.8

/* Moving the prompt's KV cache from a prefill to a decode worker: every GPU sends its own
 * shard over the inter-node link in parallel. */
static double kv_transfer_ms(const struct aic_worker *pw, const struct aic_workload *wl)
{
    const struct aic_system *sys = aic_perfdb_system(pw->db);
    double bytes = aic_worker_kv_bytes_per_token(pw) * wl->isl;
    return sys->inter_node_bw_Bps > 0 ? bytes / sys->inter_node_bw_Bps * 1000.0 : 0;
}

double aic_disagg_ttft_extra_ms(const struct aic_worker *pw, const struct aic_workload *wl)
{
    return aic_serving_overhead_ms(pw->backend) + kv_transfer_ms(pw, wl);
}

int aic_run_disagg(struct aic_worker *pw, int bp, int x, struct aic_worker *dw, int bd, int y,
                   const struct aic_workload *wl, struct aic_metrics *out, struct aic_error *err)
{
    double ttft_p, tpot_d, P = aic_accepted_per_step(dw);
    double seq_p, seq_d, rate, decode_ms, n_inflight, ttft;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = aic_prefill_ms(pw, wl, bp, &ttft_p, err)))
        return rc;
    if ((rc = aic_tpot_strided_ms(dw, wl, bd, &tpot_d, err)))
        return rc;
    tpot_d /= P;
    decode_ms = tpot_d * (wl->osl > 1 ? wl->osl - 1 : 1);
    seq_p = ttft_p > 0 ? (double)bp * pw->lay.dp * pw->lay.pp * 1000.0 / ttft_p : 0;
    seq_d = decode_ms > 0 ? (double)bd * dw->lay.dp * dw->lay.pp * 1000.0 / decode_ms : 0;
    rate = fmin(seq_p * x * PREFILL_DERATE, seq_d * y * DECODE_DERATE);

    /* Little's law over the whole request: queueing shows up in TTFT */
    n_inflight = (double)bd * dw->lay.dp * dw->lay.pp * y;
    ttft = TTFT_QUEUE_FACTOR * ttft_p + aic_disagg_ttft_extra_ms(pw, wl);
    if (rate > 0 && seq_p * x * PREFILL_DERATE <= seq_d * y * DECODE_DERATE &&
        n_inflight / rate * 1000.0 - decode_ms > ttft)
        ttft = n_inflight / rate * 1000.0 - decode_ms;

    out->ttft_ms = ttft;
    out->tpot_ms = tpot_d;
    out->request_latency_ms = ttft + tpot_d * (wl->osl - 1);
    out->num_gpus = x * aic_worker_gpus(pw) + y * aic_worker_gpus(dw);
    out->requests_per_s = rate;
    out->tokens_per_s = rate * wl->osl;
    out->tokens_per_s_per_gpu = out->tokens_per_s / out->num_gpus;
    out->tokens_per_s_per_user = tpot_d > 0 ? 1000.0 / tpot_d : 0;
    out->concurrency = n_inflight;
    aic_worker_memory(pw, wl, bp, 0, 1, &out->mem);
    aic_worker_memory(dw, wl, bd, 0, 2, &out->mem_decode);
    return AIC_OK;
}
