/*
 * exp_plot.c - the frontier list of `cli exp` for the report's shared chart and plot
 * (report.h, aic_report_*_frontiers): one series per experiment that ran (its serving
 * mode's frontier), colours/marks cycling; x = request latency when every experiment has a
 * request-latency SLA; the best experiment's rank-1 configuration chosen. aic_exp_chart()
 * and aic_exp_plot() draw it.
 */
#include <stdlib.h>

#include "exp/exp_int.h"
#include "report/report_int.h"

static const struct aic_search_exp *frontier(const struct aic_exp_run *r)
{
    return &r->res.exp[r->exp->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG];
}

/* Fills *f from the runs; s holds n entries. */
static void exp_frontiers(const struct aic_exp_run *runs, size_t n, struct aic_report_series *s,
                          struct aic_report_frontiers *f)
{
    int best = aic_exp_best(runs, n), lat = 1;

    *f = (struct aic_report_frontiers){.s = s, .legend_w = 190};
    for (size_t i = 0; i < n; i++) {
        if (!runs[i].ok)
            continue;
        lat &= runs[i].res.request_latency_mode;
        s[f->n] = (struct aic_report_series){runs[i].exp->name, frontier(&runs[i]), (int)f->n};
        f->n++;
    }
    f->request_latency_mode = lat && f->n;
    if (best >= 0) {
        f->model_id = runs[best].res.model_id;
        f->chosen = &frontier(&runs[best])->top[0];
        f->chosen_name = runs[best].exp->name;
    }
}

char *aic_exp_chart(const struct aic_exp_run *runs, size_t n, int color)
{
    struct aic_report_series *s = calloc(n ? n : 1, sizeof(*s));
    struct aic_report_frontiers f;
    char *out;

    if (!s)
        return NULL;
    exp_frontiers(runs, n, s, &f);
    f.model_id = NULL; /* the chart's title names no model (experiments may differ) */
    out = aic_report_chart_frontiers(&f, color);
    free(s);
    return out;
}

int aic_exp_plot(const struct aic_exp_run *runs, size_t n, const char *path, const char *fmt,
                 struct aic_error *err)
{
    struct aic_report_series *s = calloc(n ? n : 1, sizeof(*s));
    struct aic_report_frontiers f;
    int rc;

    if (!s)
        return aic_err(err, AIC_ERR_NOMEM, "out of memory drawing %s", path);
    exp_frontiers(runs, n, s, &f);
    rc = aic_report_plot_frontiers(&f, path, fmt, err);
    free(s);
    return rc;
}

int aic_exp_plot_dir(const struct aic_exp_run *runs, size_t n, const char *dir,
                     struct aic_error *err)
{
    struct aic_report_series *s = calloc(n ? n : 1, sizeof(*s));
    struct aic_report_frontiers f;
    int rc;

    if (!s)
        return aic_err(err, AIC_ERR_NOMEM, "out of memory drawing the Pareto plot");
    exp_frontiers(runs, n, s, &f);
    rc = aic_save_plots(&f, dir, err);
    free(s);
    return rc;
}
