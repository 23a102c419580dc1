/*
 * validate_step.h - `cli validate --fit-step`: fits the host time the scheduler of an
 * aggregated worker adds to each engine iteration (struct aic_ttft_consts host_ms and
 * host_per_req_ms) to the TPOT of a measured file.
 *
 * An aggregated worker's TPOT is linear in both constants (every iteration of a request's
 * life pays host_ms + host_per_req_ms x the requests in flight on its rank), so three
 * estimates of a row (both 0; host_ms 1; host_per_req_ms 1) give its TPOT at any pair. The
 * fit grid-searches, per backend, the pair with the smallest mean absolute percentage error
 * of TPOT over the aggregated rows validate scores.
 */
#ifndef AIC_CLI_VALIDATE_STEP_H
#define AIC_CLI_VALIDATE_STEP_H

#include "aiconfigurator/engine.h"

/* One aggregated row: measured TPOT, predicted TPOT with no host time, and the TPOT each
 * millisecond of host_ms and of host_per_req_ms adds, ms. */
struct step_row {
    enum aic_backend backend;
    double measured, base, per_host_ms, per_req_ms;
};

struct step_fit {
    struct step_row *rows;
    int n, cap;
};

/* Appends a row; -1 when out of memory. */
int step_fit_add(struct step_fit *f, const struct step_row *r);
void step_fit_free(struct step_fit *f);

/* Prints per backend the best grid pair, its TPOT error and that of `now` (this run's
 * constants, given ones else the backend's), and the flags that apply the fit. */
void step_fit_print(const struct step_fit *f, const struct aic_ttft_consts *now);

#endif
