/*
 * overhead.c - per-backend serving constants of the TTFT model: the fixed overhead before
 * a first token, the engine iterations a new request spends in the scheduler loop besides
 * its own prefill step, and the share of in-flight prefills queued ahead of it.
 *
 * Fitted on measured deployments (../shared/calibration, aggregated rows with TTFT <= 20 s)
 * by `aiconfigurator cli validate --measured <file> --fit-ttft`; rerun it after changing the
 * engine and copy its table here. A worker's options may replace any of them (struct
 * aic_ttft_consts: `--ttft-overhead-ms`, `--ttft-step-iters`, `--ttft-queue-share`). The one
 * exception to the fit: SGLang keeps step_iters 0. Its in-sample best (150 ms / 5 / 0.08,
 * 45.5 % against 45.8 %) does not survive fitting on h100+h200 and testing on b200 or the
 * reverse (41.7 -> 43.5 %, 48.5 -> 48.5 %), so the step term there would be fitted noise.
 */
#include <stdlib.h>

#include "engine/serving.h"

static const struct aic_ttft_consts ttft_model[AIC_BACKEND_COUNT] = {
    [AIC_BACKEND_TRTLLM] = {25.0, 6, 0.05, 0},
    [AIC_BACKEND_VLLM] = {10.0, 3, 0.05, 0},
    [AIC_BACKEND_SGLANG] = {200.0, 0, 0.10, 0},
};

struct aic_ttft_consts aic_ttft_defaults(enum aic_backend b)
{
    return ttft_model[b];
}

struct aic_ttft_consts aic_ttft_given(double overhead_ms, int given_overhead, double step_iters,
                                      int given_steps, double queue_share, int given_share)
{
    return (struct aic_ttft_consts){overhead_ms, step_iters, queue_share,
                                    (given_overhead ? AIC_TTFT_SET_OVERHEAD : 0u) |
                                        (given_steps ? AIC_TTFT_SET_STEP_ITERS : 0u) |
                                        (given_share ? AIC_TTFT_SET_QUEUE_SHARE : 0u)};
}

double aic_serving_overhead_ms(const struct aic_worker *w)
{
    const struct aic_ttft_consts *o = &w->opts.ttft;
    return o->set & AIC_TTFT_SET_OVERHEAD ? o->overhead_ms : ttft_model[w->backend].overhead_ms;
}

double aic_ttft_step_iters(const struct aic_worker *w)
{
    const struct aic_ttft_consts *o = &w->opts.ttft;
    return o->set & AIC_TTFT_SET_STEP_ITERS ? o->step_iters : ttft_model[w->backend].step_iters;
}

double aic_ttft_queue_share(const struct aic_worker *w)
{
    const struct aic_ttft_consts *o = &w->opts.ttft;
    return o->set & AIC_TTFT_SET_QUEUE_SHARE ? o->queue_share : ttft_model[w->backend].queue_share;
}

/* TensorRT-LLM attention_dp_config timeout_iters: the library default is 50, its published
 * DeepSeek recipes and our generated configs use AIC_TRTLLM_ADP_TIMEOUT_ITERS. */
double aic_adp_timeout_iters(void)
{
    const char *v = getenv("AIC_ADP_TIMEOUT_ITERS");
    return v && *v ? atof(v) : AIC_TRTLLM_ADP_TIMEOUT_ITERS;
}
