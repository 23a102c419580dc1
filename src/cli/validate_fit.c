/*
 * validate_fit.c - fitting the TTFT serving constants of each backend to measured rows (see
 * validate_fit.h). The grids hold the ones the shipped constants (src/engine/overhead.c) were
 * chosen from, widened for harnesses slower than the calibration file's (overheads up to 1 s,
 * up to 30 scheduler iterations, the whole in-flight batch queued ahead, a 100-iteration
 * handoff).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/validate_fit.h"
#include "util/util.h"

static const double overheads_ms[] = {0,   10,  20,  25,  30,  40,  50,  60,  75,  90,  100,
                                      125, 150, 175, 200, 250, 300, 400, 500, 750, 1000};
static const double step_iters[] = {0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30};
static const double queue_shares[] = {0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1};
static const double stream_ms[] = {0,  1,  2,  3,  5,   10,  20,  30,  40,
                                   50, 60, 70, 80, 100, 120, 150, 200, 300};
static const double prompt_ms[] = {0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20};
const double fit_handoff_grid[FIT_HANDOFF_GRID] = {0,  2,  4,  6,  8,  10, 12, 15,
                                                   20, 25, 30, 40, 50, 60, 75, 100};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int fit_add(struct fit_set *s, const struct fit_row *r)
{
    struct fit_row *v = aic_grow(s->rows, s->n, &s->cap, sizeof(*v), 256);

    if (!v)
        return -1;
    s->rows = v;
    s->rows[s->n++] = *r;
    return 0;
}

void fit_free(struct fit_set *s)
{
    free(s->rows);
    *s = (struct fit_set){0};
}

static double row_pred(const struct fit_row *r, const struct aic_ttft_consts *c)
{
    return c->overhead_ms + c->step_iters * r->iteration + c->queue_share * r->queued +
           c->stream_ms * r->streamed + c->prompt_ms * r->prompted + r->own;
}

double fit_mape(const struct fit_set *s, enum aic_backend b, const struct aic_ttft_consts *c)
{
    double sum = 0;
    int n = 0;

    for (int i = 0; i < s->n; i++) {
        const struct fit_row *r = &s->rows[i];
        if (r->backend != b)
            continue;
        sum += fabs(row_pred(r, c) / r->measured - 1);
        n++;
    }
    return n ? sum / n : -1;
}

/* Grid point g (0 .. the product of the grid sizes - 1) as constants. */
static struct aic_ttft_consts grid_point(size_t g)
{
    struct aic_ttft_consts c = {.set = FIT_AGG_SET};

    c.prompt_ms = prompt_ms[g % COUNT(prompt_ms)];
    g /= COUNT(prompt_ms);
    c.stream_ms = stream_ms[g % COUNT(stream_ms)];
    g /= COUNT(stream_ms);
    c.queue_share = queue_shares[g % COUNT(queue_shares)];
    g /= COUNT(queue_shares);
    c.step_iters = step_iters[g % COUNT(step_iters)];
    c.overhead_ms = overheads_ms[g / COUNT(step_iters)];
    return c;
}

double fit_best(const struct fit_set *s, enum aic_backend b, struct aic_ttft_consts *best)
{
    const size_t points = COUNT(overheads_ms) * COUNT(step_iters) * COUNT(queue_shares) *
                          COUNT(stream_ms) * COUNT(prompt_ms);
    struct fit_set mine = {0};
    double e_best = -1;

    for (int i = 0; i < s->n; i++) /* this backend's rows alone: the grid reads them often */
        if (s->rows[i].backend == b && fit_add(&mine, &s->rows[i])) {
            fit_free(&mine); /* out of memory: nothing fitted */
            return -1;
        }
    for (size_t g = 0; mine.n > 0 && g < points; g++) {
        struct aic_ttft_consts c = grid_point(g);
        double e = fit_mape(&mine, b, &c);
        if (e_best < 0 || e < e_best) {
            e_best = e;
            *best = c;
        }
    }
    fit_free(&mine);
    return e_best;
}

void fit_agg(struct fit_set *s, const struct aic_ttft_consts *given)
{
    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        s->agg_mape[b] = fit_best(s, (enum aic_backend)b, &s->fitted[b]);
        if (s->agg_mape[b] < 0) {
            s->fitted[b] = aic_ttft_merged((enum aic_backend)b, given);
            s->fitted[b].set = FIT_AGG_SET;
        }
    }
}

void fit_handoff_add(struct fit_set *s, enum aic_backend b, double measured,
                     const double pred[FIT_HANDOFF_GRID], double pred_now)
{
    struct fit_handoff *h = &s->handoff[b];

    for (int g = 0; g < FIT_HANDOFF_GRID; g++)
        h->err[g] += fabs(pred[g] / measured - 1);
    h->err_now += fabs(pred_now / measured - 1);
    h->rows++;
}

/* The grid index with the smallest summed error. */
static int handoff_best(const struct fit_handoff *h)
{
    int g_best = 0;
    for (int g = 1; g < FIT_HANDOFF_GRID; g++)
        if (h->err[g] < h->err[g_best])
            g_best = g;
    return g_best;
}

static int rows_of(const struct fit_set *s, enum aic_backend b)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->rows[i].backend == b;
    return n;
}

static void print_agg(const struct fit_set *s, const struct aic_ttft_consts *given)
{
    printf("  backend  rows  overhead_ms  step_iters  queue_share  stream_ms  prompt_ms  TTFT MAPE "
           "fitted   now\n");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        struct aic_ttft_consts now = aic_ttft_merged((enum aic_backend)b, given);
        const struct aic_ttft_consts *f = &s->fitted[b];
        if (s->agg_mape[b] < 0)
            continue;
        printf("  %-7s %5d %12.1f %11g %12.2f %10g %10g %16.1f%% %5.1f%%\n", aic_backend_name(b),
               rows_of(s, (enum aic_backend)b), f->overhead_ms, f->step_iters, f->queue_share,
               f->stream_ms, f->prompt_ms, 100 * s->agg_mape[b],
               100 * fit_mape(s, (enum aic_backend)b, &now));
    }
}

static void print_handoff(const struct fit_set *s)
{
    printf("  backend  rows  handoff_iters  TTFT MAPE fitted   now\n");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        const struct fit_handoff *h = &s->handoff[b];
        if (!h->rows)
            continue;
        int g = handoff_best(h);
        printf("  %-7s %5d %14g %15.1f%% %5.1f%%\n", aic_backend_name(b), h->rows,
               fit_handoff_grid[g], 100 * h->err[g] / h->rows, 100 * h->err_now / h->rows);
    }
}

void fit_print(const struct fit_set *s, const struct aic_ttft_consts *given)
{
    int any_agg = 0, any_disagg = 0;

    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        any_agg |= s->agg_mape[b] >= 0;
        any_disagg |= s->handoff[b].rows > 0;
    }
    printf("\nTTFT serving constants fitted to this file (rows estimated, measured TTFT <= "
           "20000 ms; now: %s):\n",
           given->set & AIC_TTFT_SET_ALL ? "the constants given" : "the shipped constants");
    if (any_agg)
        print_agg(s, given);
    else
        printf("  (no aggregated row was estimated: overhead, step, queue, stream and prompt "
               "constants not fitted)\n");
    if (any_disagg) {
        printf("Disaggregated rows, KV handoff (the other constants as fitted above):\n");
        print_handoff(s);
    }
    if (!any_agg && !any_disagg)
        return;
    printf("Apply a backend's line to estimate, default, recommend or validate:\n");
    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        const struct aic_ttft_consts *f = &s->fitted[b];
        const struct fit_handoff *h = &s->handoff[b];
        if (s->agg_mape[b] < 0 && !h->rows)
            continue;
        printf("  %-7s", aic_backend_name(b));
        if (s->agg_mape[b] >= 0)
            printf(" --ttft-overhead-ms %g --ttft-step-iters %g --ttft-queue-share %g "
                   "--ttft-stream-ms %g --ttft-prompt-ms %g",
                   f->overhead_ms, f->step_iters, f->queue_share, f->stream_ms, f->prompt_ms);
        if (h->rows)
            printf(" --ttft-handoff-iters %g", fit_handoff_grid[handoff_best(h)]);
        printf("\n");
    }
}
