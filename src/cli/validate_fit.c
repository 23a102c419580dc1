/*
 * validate_fit.c - fitting the TTFT serving constants of each backend to measured rows (see
 * validate_fit.h). The grid holds the one the shipped constants (src/engine/overhead.c) were
 * chosen from, widened for harnesses slower than the calibration file's (overheads up to 1 s,
 * up to 30 iterations, the whole in-flight batch queued ahead).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/validate_fit.h"

static const double overheads_ms[] = {0,   10,  20,  25,  30,  40,  50,  60,  75,  90,  100,
                                      125, 150, 175, 200, 250, 300, 400, 500, 750, 1000};
static const double step_iters[] = {0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30};
static const double queue_shares[] = {0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int fit_add(struct fit_set *s, const struct fit_row *r)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 256;
        struct fit_row *v = realloc(s->rows, (size_t)cap * sizeof(*v));
        if (!v)
            return -1;
        s->rows = v;
        s->cap = cap;
    }
    s->rows[s->n++] = *r;
    return 0;
}

void fit_free(struct fit_set *s)
{
    free(s->rows);
    *s = (struct fit_set){0};
}

double fit_mape(const struct fit_set *s, enum aic_backend b, const struct aic_ttft_consts *c)
{
    double sum = 0;
    int n = 0;

    for (int i = 0; i < s->n; i++) {
        const struct fit_row *r = &s->rows[i];
        if (r->backend != b)
            continue;
        double p =
            c->overhead_ms + c->step_iters * r->iteration + c->queue_share * r->queued + r->own;
        sum += fabs(p / r->measured - 1);
        n++;
    }
    return n ? sum / n : -1;
}

double fit_best(const struct fit_set *s, enum aic_backend b, struct aic_ttft_consts *best)
{
    double e_best = -1;
    const unsigned all = AIC_TTFT_SET_ALL;

    for (size_t o = 0; o < COUNT(overheads_ms); o++)
        for (size_t k = 0; k < COUNT(step_iters); k++)
            for (size_t q = 0; q < COUNT(queue_shares); q++) {
                struct aic_ttft_consts c = {overheads_ms[o], step_iters[k], queue_shares[q], all};
                double e = fit_mape(s, b, &c);
                if (e < 0)
                    return -1;
                if (e_best < 0 || e < e_best) {
                    e_best = e;
                    *best = c;
                }
            }
    return e_best;
}

/* The constants of this run for backend b: the given ones, else the fitted defaults. */
static struct aic_ttft_consts now_consts(enum aic_backend b, const struct aic_ttft_consts *given)
{
    struct aic_ttft_consts c = aic_ttft_defaults(b);

    if (given->set & AIC_TTFT_SET_OVERHEAD)
        c.overhead_ms = given->overhead_ms;
    if (given->set & AIC_TTFT_SET_STEP_ITERS)
        c.step_iters = given->step_iters;
    if (given->set & AIC_TTFT_SET_QUEUE_SHARE)
        c.queue_share = given->queue_share;
    return c;
}

static int rows_of(const struct fit_set *s, enum aic_backend b)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->rows[i].backend == b;
    return n;
}

void fit_print(const struct fit_set *s, const struct aic_ttft_consts *given)
{
    struct aic_ttft_consts best[AIC_BACKEND_COUNT];
    int any = 0;

    printf("\nTTFT serving constants fitted to this file (aggregated rows estimated, measured "
           "TTFT <= 20000 ms):\n");
    printf("  backend  rows  overhead_ms  step_iters  queue_share  TTFT MAPE fitted   now  "
           "(now: %s)\n",
           given->set ? "the constants given" : "the shipped constants");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        double e = fit_best(s, (enum aic_backend)b, &best[b]);
        struct aic_ttft_consts now = now_consts((enum aic_backend)b, given);
        if (e < 0)
            continue;
        any = 1;
        printf("  %-7s %5d %12.1f %11g %12.2f %15.1f%% %5.1f%%\n", aic_backend_name(b),
               rows_of(s, (enum aic_backend)b), best[b].overhead_ms, best[b].step_iters,
               best[b].queue_share, 100 * e, 100 * fit_mape(s, (enum aic_backend)b, &now));
    }
    if (!any) {
        printf("  (no aggregated row was estimated: nothing to fit)\n");
        return;
    }
    printf("Apply a backend's line to estimate, default, recommend or validate:\n");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++)
        if (rows_of(s, (enum aic_backend)b))
            printf("  %-7s --ttft-overhead-ms %g --ttft-step-iters %g --ttft-queue-share %g\n",
                   aic_backend_name(b), best[b].overhead_ms, best[b].step_iters,
                   best[b].queue_share);
}
