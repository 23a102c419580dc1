/*
 * chart.c - the ASCII Pareto chart of the terminal report (aic-interface §1.11.4), drawn
 * from a frontier list so `cli default` (one series per serving mode) and `cli exp` (one
 * per experiment) share it: frontier points joined by lines, the chosen rank-1 point
 * marked "x", legend top-left, y from 0 to 1.2*max rounded up to 50, x from 0 to 1.1*max
 * rounded up to 20 (capped at 300 when any point is <= 300). 80 columns wide. Also the
 * series style table (colours, marks) that plot.c uses too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "util/util.h"

#define PW         72 /* plot columns */
#define PH         24 /* plot rows */
#define C(code, m) "\033[" code "m" m "\033[0m"

static const struct aic_report_style styles[] = {
    {{0.122, 0.467, 0.706}, "o", C("34", "o")},
    {{0.839, 0.153, 0.157}, "+", C("31", "+")},
    {{0.173, 0.627, 0.173}, "*", C("32", "*")},
    {{0.580, 0.404, 0.741}, "#", C("35", "#")},
    {{1.0, 0.498, 0.055}, "@", C("33", "@")},
    {{0.549, 0.337, 0.294}, "%", C("36", "%")},
    {{0.890, 0.467, 0.761}, "&", C("95", "&")},
    {{0.498, 0.498, 0.498}, "=", C("90", "=")},
    {{0.090, 0.745, 0.812}, "~", C("96", "~")},
    {{1.0, 0.0, 1.0}, "$", C("91", "$")},
    [AIC_REPORT_STYLE_AGG] = {{0.122, 0.467, 0.706}, "o", C("34", "\xe2\x80\xa2")},
    [AIC_REPORT_STYLE_DISAGG] = {{1.0, 0.498, 0.055}, "f", C("31", "f")},
    [AIC_REPORT_STYLE_CHOSEN] = {{0.84, 0.15, 0.16}, "x", C("1;32", "x")},
};

const struct aic_report_style *aic_report_style(int style)
{
    if (style < 0)
        style = 0;
    return &styles[style < AIC_REPORT_STYLE_CYCLE || style > AIC_REPORT_STYLE_CHOSEN
                       ? style % AIC_REPORT_STYLE_CYCLE
                       : style];
}

static double xval(const struct aic_report_frontiers *f, const struct aic_search_row *r)
{
    return f->request_latency_mode ? r->request_latency_ms : r->tokens_s_user;
}

static void limits(const struct aic_report_frontiers *f, size_t n, double *xmax, double *ymax)
{
    double mx = 0, my = 0;
    int small = 0;
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < f->s[s].x->n_pareto; i++) {
            const struct aic_search_row *r = &f->s[s].x->pareto[i];
            double x = xval(f, r);
            mx = x > mx ? x : mx;
            my = r->tokens_s_gpu_cluster > my ? r->tokens_s_gpu_cluster : my;
            small |= x <= 300;
        }
    *ymax = ceil(1.2 * my / 50.0) * 50.0;
    *xmax = ceil(1.1 * mx / 20.0) * 20.0;
    if (small && !f->request_latency_mode && *xmax > 300)
        *xmax = 300;
    if (*ymax <= 0)
        *ymax = 50;
    if (*xmax <= 0)
        *xmax = 20;
}

/* Grid cells hold 1 + the style of what is drawn there (0 = empty). */
static void put(unsigned char g[PH][PW], double x, double y, double xmax, double ymax, int st)
{
    if (x < 0 || x > xmax || y < 0 || y > ymax)
        return;
    int c = (int)lround(x / xmax * (PW - 1));
    int r = PH - 1 - (int)lround(y / ymax * (PH - 1));
    g[r][c] = (unsigned char)(st + 1);
}

static void series(unsigned char g[PH][PW], const struct aic_report_frontiers *f,
                   const struct aic_search_exp *x, int st, double xmax, double ymax)
{
    for (size_t i = 0; i < x->n_pareto; i++) {
        double x0 = xval(f, &x->pareto[i]), y0 = x->pareto[i].tokens_s_gpu_cluster;
        put(g, x0, y0, xmax, ymax, st);
        if (i + 1 == x->n_pareto)
            break;
        double x1 = xval(f, &x->pareto[i + 1]), y1 = x->pareto[i + 1].tokens_s_gpu_cluster;
        double dc = fabs(x1 - x0) / xmax * PW, dr = fabs(y1 - y0) / ymax * PH;
        int steps = (int)ceil(dc > dr ? dc : dr);
        for (int k = 1; k < steps; k++) {
            double t = (double)k / steps;
            put(g, x0 + t * (x1 - x0), y0 + t * (y1 - y0), xmax, ymax, st);
        }
    }
}

static const char *mark(int st, int color)
{
    const struct aic_report_style *s = aic_report_style(st);
    return color ? s->mark_color : s->mark;
}

static void x_axis(struct aic_buf *b, double xmax, const char *xname)
{
    char axis[PW + 1], labels[PW + 16];
    memset(axis, '-', PW);
    axis[PW] = 0;
    memset(labels, ' ', sizeof labels);
    for (int k = 0; k <= 4; k++) {
        int c = k * (PW - 1) / 4;
        char num[24];
        axis[c] = '+';
        snprintf(num, sizeof num, "%g", xmax * k / 4);
        int at = k == 4 ? c - (int)strlen(num) + 1 : c;
        memcpy(labels + at, num, strlen(num));
    }
    labels[PW] = 0;
    aic_buf_printf(b, "      +%s+\n       %s\n", axis, labels);
    aic_buf_printf(b, "tokens/s/gpu_cluster%*s%s\n", 37 - (int)strlen(xname) / 2, "", xname);
}

static void title(struct aic_buf *b, const struct aic_report_frontiers *f, const char *xname)
{
    char t[AIC_MODEL_ID_MAX + 64];
    snprintf(t, sizeof t, "%s%sPareto Frontier: tokens/s/gpu_cluster vs %s",
             f->model_id ? f->model_id : "", f->model_id ? " " : "", xname);
    int pad = (int)(80 - strlen(t)) / 2;
    aic_buf_printf(b, "%*s%s\n", pad > 0 ? pad : 0, "", t);
    aic_buf_printf(b, "      +%.*s+\n", PW,
                   "----------------------------------------------------------------------"
                   "----------");
}

/* Row r of the plot: y tick, legend entry (rows 0..nleg-1), grid cells. */
static void row(struct aic_buf *b, const struct aic_report_frontiers *f, size_t ns,
                unsigned char g[PH][PW], int r, double ymax, int color)
{
    int tick = -1, c0 = 0, nleg = (int)ns + (f->chosen_name != NULL);
    for (int k = 0; k <= 4; k++)
        if ((int)lround(k * (PH - 1) / 4.0) == r)
            tick = k;
    if (tick >= 0)
        aic_buf_printf(b, "%6.1f|", ymax * (4 - tick) / 4.0);
    else
        aic_buf_puts(b, "      |");
    if (r < nleg) {
        char text[64];
        int chosen = r >= (int)ns, st = chosen ? AIC_REPORT_STYLE_CHOSEN : f->s[r].style;
        snprintf(text, sizeof text, "%.40s%s", chosen ? f->chosen_name : f->s[r].name,
                 chosen ? " selected" : "");
        aic_buf_printf(b, " %s%s %s", mark(st, color), mark(st, color), text);
        c0 = 4 + (int)strlen(text);
    }
    for (int c = c0; c < PW; c++)
        aic_buf_puts(b, g[r][c] ? mark(g[r][c] - 1, color) : " ");
    aic_buf_puts(b, "|\n");
}

char *aic_report_chart_frontiers(const struct aic_report_frontiers *f, int color)
{
    unsigned char(*g)[PW] = calloc(PH, sizeof *g);
    size_t ns = f->n < AIC_REPORT_MAX_SERIES ? f->n : AIC_REPORT_MAX_SERIES;
    const char *xname = f->request_latency_mode ? "request_latency" : "tokens/s/user";
    struct aic_buf b = {0};
    double xmax, ymax;

    if (!g)
        return NULL;
    limits(f, ns, &xmax, &ymax);
    for (size_t s = 0; s < ns; s++)
        series(g, f, f->s[s].x, f->s[s].style, xmax, ymax);
    if (f->chosen)
        put(g, xval(f, f->chosen), f->chosen->tokens_s_gpu_cluster, xmax, ymax,
            AIC_REPORT_STYLE_CHOSEN);
    title(&b, f, xname);
    for (int r = 0; r < PH; r++)
        row(&b, f, ns, g, r, ymax, color);
    x_axis(&b, xmax, xname);
    free(g);
    return b.s;
}

void aic_report_frontiers_of(const struct aic_search_result *res, struct aic_report_series *s,
                             struct aic_report_frontiers *out)
{
    static const int style[AIC_EXP_COUNT] = {AIC_REPORT_STYLE_AGG, AIC_REPORT_STYLE_DISAGG};

    memset(out, 0, sizeof(*out));
    out->model_id = res->model_id;
    out->request_latency_mode = res->request_latency_mode;
    out->s = s;
    for (int e = 0; e < AIC_EXP_COUNT; e++)
        if (res->exp[e].n_pareto)
            s[out->n++] =
                (struct aic_report_series){aic_report_exp_name(e), &res->exp[e], style[e]};
    if (res->best >= 0) {
        out->chosen_name = aic_report_exp_name(res->best);
        if (res->exp[res->best].n_top)
            out->chosen = &res->exp[res->best].top[0];
    }
}

char *aic_report_chart(const struct aic_search_result *res, int color)
{
    struct aic_report_series s[AIC_EXP_COUNT];
    struct aic_report_frontiers f;

    aic_report_frontiers_of(res, s, &f);
    return aic_report_chart_frontiers(&f, color);
}
