/*
 * validate_fit.h - `cli validate --fit-ttft`: fits the three TTFT serving constants of each
 * backend (struct aic_ttft_consts) to a measured file.
 *
 * The aggregated TTFT model is linear in them:
 *   TTFT = overhead_ms + step_iters x iteration + queue_share x queued + own
 * so three estimates of a row (all constants 0; queue share 1; step iterations 1) give its
 * own, queued and iteration terms. The fit grid-searches, per backend, the triple with the
 * smallest mean absolute percentage error over the aggregated rows with measured TTFT up to
 * the saturation bound, the bound `validate` scores with.
 */
#ifndef AIC_CLI_VALIDATE_FIT_H
#define AIC_CLI_VALIDATE_FIT_H

#include "aiconfigurator/engine.h"

/* One row's terms, ms. */
struct fit_row {
    enum aic_backend backend;
    double measured, own, queued, iteration;
};

struct fit_set {
    struct fit_row *rows;
    int n, cap;
};

/* Appends a row; -1 when out of memory. */
int fit_add(struct fit_set *s, const struct fit_row *r);
void fit_free(struct fit_set *s);

/* Mean absolute percentage error of the rows of backend b under constants c (-1 when none). */
double fit_mape(const struct fit_set *s, enum aic_backend b, const struct aic_ttft_consts *c);

/* The grid's best constants for backend b into *best (set = all three); returns its MAPE, or
 * -1 when the file has no row of b. */
double fit_best(const struct fit_set *s, enum aic_backend b, struct aic_ttft_consts *best);

/* Prints the fitted table, with the error of `now` (the constants of this run: given ones,
 * else the backend's), and the flags that apply the fit. */
void fit_print(const struct fit_set *s, const struct aic_ttft_consts *given);

#endif
