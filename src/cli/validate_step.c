/*
 * validate_step.c - fitting the aggregated iteration's host time of each backend to measured
 * TPOT (see validate_step.h). The grids hold the pair the shipped constants
 * (src/engine/overhead.c) were chosen from: up to 3 ms per iteration and 60 us per request in
 * flight.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/validate_step.h"
#include "util/util.h"

static const double host_ms[] = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3};
static const double per_req_ms[] = {0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int step_fit_add(struct step_fit *f, const struct step_row *r)
{
    struct step_row *v = aic_grow(f->rows, f->n, &f->cap, sizeof(*v), 256);

    if (!v)
        return -1;
    f->rows = v;
    f->rows[f->n++] = *r;
    return 0;
}

void step_fit_free(struct step_fit *f)
{
    free(f->rows);
    *f = (struct step_fit){0};
}

/* TPOT MAPE of backend b's rows at the pair (h, c); *n = its rows. */
static double step_mape(const struct step_fit *f, enum aic_backend b, double h, double c, int *n)
{
    double sum = 0;

    *n = 0;
    for (int i = 0; i < f->n; i++) {
        const struct step_row *r = &f->rows[i];
        if (r->backend != b)
            continue;
        sum += fabs((r->base + h * r->per_host_ms + c * r->per_req_ms) / r->measured - 1);
        (*n)++;
    }
    return *n ? sum / *n : -1;
}

/* The grid's best pair of backend b; returns its MAPE (-1 when b has no row). */
static double step_best(const struct step_fit *f, enum aic_backend b, double *h, double *c)
{
    double best = -1;
    int n;

    for (size_t i = 0; i < COUNT(host_ms); i++)
        for (size_t k = 0; k < COUNT(per_req_ms); k++) {
            double e = step_mape(f, b, host_ms[i], per_req_ms[k], &n);
            if (e < 0)
                return -1;
            if (best < 0 || e < best) {
                best = e;
                *h = host_ms[i];
                *c = per_req_ms[k];
            }
        }
    return best;
}

void step_fit_print(const struct step_fit *f, const struct aic_ttft_consts *now)
{
    double h[AIC_BACKEND_COUNT], c[AIC_BACKEND_COUNT], e[AIC_BACKEND_COUNT];
    int any = 0, n;

    printf("\nHost time per aggregated iteration fitted to TPOT (rows estimated, measured TTFT "
           "<= 20000 ms; now: %s):\n",
           now->set & (AIC_TTFT_SET_HOST | AIC_TTFT_SET_HOST_PER_REQ) ? "the host times given"
                                                                      : "the shipped host times");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++)
        any |= (e[b] = step_best(f, (enum aic_backend)b, &h[b], &c[b])) >= 0;
    if (!any) {
        printf("  (no aggregated row was estimated: nothing fitted)\n");
        return;
    }
    printf("  backend  rows  step_host_ms  step_host_per_req_ms  TPOT MAPE fitted   now\n");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        struct aic_ttft_consts m = aic_ttft_merged((enum aic_backend)b, now);
        double e_now;
        if (e[b] < 0)
            continue;
        e_now = step_mape(f, (enum aic_backend)b, m.host_ms, m.host_per_req_ms, &n);
        printf("  %-7s %5d %13g %21g %15.1f%% %5.1f%%\n", aic_backend_name(b), n, h[b], c[b],
               100 * e[b], 100 * e_now);
    }
    printf("Apply a backend's line to estimate, default, recommend or validate:\n");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++)
        if (e[b] >= 0)
            printf("  %-7s --step-host-ms %g --step-host-per-req-ms %g\n", aic_backend_name(b),
                   h[b], c[b]);
}
