/*
 * static.c - static serving of one batch: prefill (TTFT) then decode (TPOT), and the
 * per-op breakdown of both phases (aic-modeling.md section 3).
 */
#include <math.h>
#include <string.h>

#include "engine/oplist.h"
#include "engine/serving.h"

int aic_prefill_ms(struct aic_worker *w, const struct aic_workload *wl, double b, double *ms,
                   struct aic_error *err)
{
    struct aic_op_rt rt = {1, b, wl->isl - wl->prefix, wl->prefix, 0, b, 0};
    rt.tokens = b * rt.seq;
    return aic_eval_ops(w, w->ctx_ops, &rt, AIC_FILTER_ALL, ms, NULL, 0, NULL, err);
}

int aic_decode_step_ms(struct aic_worker *w, double b, double kv_len, double *ms,
                       struct aic_error *err)
{
    double beff = b * (w->opts.nextn + 1);
    struct aic_op_rt rt = {0, beff, kv_len, 0, beff, beff, 0};
    return aic_eval_ops(w, w->gen_ops, &rt, AIC_FILTER_ALL, ms, NULL, 0, NULL, err);
}

/* Decode time per output token, integrated over the output with stride 32. */
int aic_tpot_strided_ms(struct aic_worker *w, const struct aic_workload *wl, double b, double *tpot,
                        struct aic_error *err)
{
    const int stride = 32;
    int steps = wl->osl - 1;
    double sum = 0;

    *tpot = 0;
    if (steps <= 0)
        return AIC_OK;
    for (int i = 0; i < steps; i += stride) {
        double ms;
        int rc = aic_decode_step_ms(w, b, wl->isl + i + 1, &ms, err);
        if (rc)
            return rc;
        sum += ms * (steps - i < stride ? steps - i : stride);
    }
    *tpot = sum / steps;
    return AIC_OK;
}

double aic_accepted_per_step(const struct aic_worker *w)
{
    return w->opts.nextn > 0 ? 1.0 + w->opts.nextn_accepted : 1.0;
}

int aic_run_static(struct aic_worker *w, const struct aic_workload *wl, int b, int mode,
                   struct aic_metrics *out, struct aic_error *err)
{
    double ttft = 0, tpot = 0, lat, P = aic_accepted_per_step(w);
    double gbs = (double)b * w->lay.dp, tokens_per_req;
    int rc;

    memset(out, 0, sizeof(*out));
    if (mode != 2 && (rc = aic_prefill_ms(w, wl, b, &ttft, err)))
        return rc;
    if (mode != 1 && (rc = aic_tpot_strided_ms(w, wl, b, &tpot, err)))
        return rc;
    tpot /= P;
    lat = ttft + tpot * (wl->osl - 1);
    tokens_per_req = mode == 1 ? 1 : mode == 2 ? wl->osl - 1 : wl->osl;
    out->ttft_ms = ttft;
    out->ttft_parts.prefill = ttft;
    out->tpot_ms = tpot;
    out->request_latency_ms = lat;
    out->num_gpus = aic_worker_gpus(w);
    out->requests_per_s = lat > 0 ? gbs / lat * 1000.0 * w->lay.pp : 0;
    out->tokens_per_s = out->requests_per_s * tokens_per_req;
    out->tokens_per_s_per_gpu = out->tokens_per_s / out->num_gpus;
    out->tokens_per_s_per_user = tpot > 0 ? 1000.0 / tpot : 0;
    out->concurrency = gbs * w->lay.pp;
    aic_worker_memory(w, wl, b, 0, mode == 0 ? 2 : mode, &out->mem);
    out->mem_decode = out->mem;
    return AIC_OK;
}

int aic_worker_breakdown(struct aic_worker *w, const struct aic_workload *wl, int b, int phase,
                         struct aic_op_time *ops, int cap, struct aic_error *err)
{
    double ms;
    int n = 0, rc;

    if (phase == 1) {
        struct aic_op_rt rt = {1, b, wl->isl - wl->prefix, wl->prefix, 0, b, 0};
        rt.tokens = b * rt.seq;
        rc = aic_eval_ops(w, w->ctx_ops, &rt, AIC_FILTER_ALL, &ms, ops, cap, &n, err);
    } else {
        double beff = (double)b * (w->opts.nextn + 1);
        struct aic_op_rt rt = {0, beff, wl->isl + wl->osl / 2 + 1, 0, beff, beff, 0};
        rc = aic_eval_ops(w, w->gen_ops, &rt, AIC_FILTER_ALL, &ms, ops, cap, &n, err);
    }
    return rc ? rc : n;
}
