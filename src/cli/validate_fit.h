/*
 * validate_fit.h - `cli validate --fit-ttft`: fits the six TTFT serving constants of each
 * backend (struct aic_ttft_consts) to a measured file.
 *
 * Aggregated rows: the TTFT model is linear in five of them,
 *   TTFT = overhead_ms + step_iters x iteration + queue_share x queued
 *          + stream_ms x streamed + prompt_ms x prompted + own
 * so five estimates of a row (all constants 0; queue share 1; step iterations 1; stream_ms 1;
 * prompt_ms 1) give its own, queued, iteration, streamed and prompted terms. The fit
 * grid-searches, per backend, the five with the smallest mean absolute percentage error over
 * the aggregated rows with measured TTFT up to the saturation bound, the bound `validate`
 * scores with.
 *
 * Disaggregated rows: the KV handoff (handoff_iters decode iterations) also moves the
 * closed-loop queue, so each value of fit_handoff_grid re-estimates the rows, the other
 * constants as the aggregated fit found them; the caller adds each row's error per grid
 * value with fit_handoff_add().
 */
#ifndef AIC_CLI_VALIDATE_FIT_H
#define AIC_CLI_VALIDATE_FIT_H

#include "aiconfigurator/engine.h"

/* One aggregated row's terms, ms. */
struct fit_row {
    enum aic_backend backend;
    double measured, own, queued, iteration, streamed, prompted;
};

/* The constants the aggregated rows fit. */
#define FIT_AGG_SET                                                                                \
    (AIC_TTFT_SET_OVERHEAD | AIC_TTFT_SET_STEP_ITERS | AIC_TTFT_SET_QUEUE_SHARE |                  \
     AIC_TTFT_SET_STREAM | AIC_TTFT_SET_PROMPT)

#define FIT_HANDOFF_GRID 16
extern const double fit_handoff_grid[FIT_HANDOFF_GRID];

/* The disaggregated rows of one backend: summed absolute percentage errors per grid value,
 * and under the constants of this run. */
struct fit_handoff {
    int rows;
    double err[FIT_HANDOFF_GRID], err_now;
};

struct fit_set {
    struct fit_row *rows;
    int n, cap;
    /* fit_agg(): per backend the fitted five (set = FIT_AGG_SET), or the run's constants where
     * the file has no aggregated row of the backend (agg_mape -1) */
    struct aic_ttft_consts fitted[AIC_BACKEND_COUNT];
    double agg_mape[AIC_BACKEND_COUNT];
    struct fit_handoff handoff[AIC_BACKEND_COUNT];
};

/* Appends an aggregated row; -1 when out of memory. */
int fit_add(struct fit_set *s, const struct fit_row *r);
void fit_free(struct fit_set *s);

/* Mean absolute percentage error of the rows of backend b under constants c (-1 when none). */
double fit_mape(const struct fit_set *s, enum aic_backend b, const struct aic_ttft_consts *c);

/* The grid's best constants for backend b into *best (set = FIT_AGG_SET); returns its MAPE,
 * or -1 when the file has no row of b. */
double fit_best(const struct fit_set *s, enum aic_backend b, struct aic_ttft_consts *best);

/* Fills s->fitted and s->agg_mape from the aggregated rows (`given`: this run's constants). */
void fit_agg(struct fit_set *s, const struct aic_ttft_consts *given);

/* Adds one disaggregated row of backend b: its TTFT for each grid value (pred[g]) and under
 * this run's constants (pred_now), against the measured one. */
void fit_handoff_add(struct fit_set *s, enum aic_backend b, double measured,
                     const double pred[FIT_HANDOFF_GRID], double pred_now);

/* Prints the fitted tables, with the error of `given` (the constants of this run: given ones,
 * else the backend's), and the flags that apply the fit. */
void fit_print(const struct fit_set *s, const struct aic_ttft_consts *given);

#endif
