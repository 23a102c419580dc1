/*
 * chart.c - the ASCII Pareto chart of the terminal report (aic-interface §1.11.4): one
 * series per serving mode (frontier points joined by lines), the chosen rank-1 point
 * marked "x", legend top-left, y from 0 to 1.2*max rounded up to 50, x from 0 to 1.1*max
 * rounded up to 20 (capped at 300 when any point is <= 300). 80 columns wide.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "util/util.h"

#define PW 72 /* plot columns */
#define PH 24 /* plot rows */

static const char *const mark_plain[] = {"o", "f", "x"};
static const char *const mark_color[] = {"\033[34m\xe2\x80\xa2\033[0m", "\033[31mf\033[0m",
                                         "\033[1;32mx\033[0m"};

static double xval(const struct aic_search_result *res, const struct aic_search_row *r)
{
    return res->request_latency_mode ? r->request_latency_ms : r->tokens_s_user;
}

static void limits(const struct aic_search_result *res, double *xmax, double *ymax)
{
    double mx = 0, my = 0;
    int small = 0;
    for (int e = 0; e < AIC_EXP_COUNT; e++)
        for (size_t i = 0; i < res->exp[e].n_pareto; i++) {
            const struct aic_search_row *r = &res->exp[e].pareto[i];
            double x = xval(res, r);
            mx = x > mx ? x : mx;
            my = r->tokens_s_gpu_cluster > my ? r->tokens_s_gpu_cluster : my;
            small |= x <= 300;
        }
    *ymax = ceil(1.2 * my / 50.0) * 50.0;
    *xmax = ceil(1.1 * mx / 20.0) * 20.0;
    if (small && !res->request_latency_mode && *xmax > 300)
        *xmax = 300;
    if (*ymax <= 0)
        *ymax = 50;
    if (*xmax <= 0)
        *xmax = 20;
}

static void put(unsigned char g[PH][PW], double x, double y, double xmax, double ymax, int s)
{
    if (x < 0 || x > xmax || y < 0 || y > ymax)
        return;
    int c = (int)lround(x / xmax * (PW - 1));
    int r = PH - 1 - (int)lround(y / ymax * (PH - 1));
    g[r][c] = (unsigned char)(s + 1);
}

static void series(unsigned char g[PH][PW], const struct aic_search_result *res, int e,
                   double xmax, double ymax)
{
    const struct aic_search_exp *x = &res->exp[e];
    for (size_t i = 0; i < x->n_pareto; i++) {
        double x0 = xval(res, &x->pareto[i]), y0 = x->pareto[i].tokens_s_gpu_cluster;
        put(g, x0, y0, xmax, ymax, e);
        if (i + 1 == x->n_pareto)
            break;
        double x1 = xval(res, &x->pareto[i + 1]), y1 = x->pareto[i + 1].tokens_s_gpu_cluster;
        double dc = fabs(x1 - x0) / xmax * PW, dr = fabs(y1 - y0) / ymax * PH;
        int steps = (int)ceil(dc > dr ? dc : dr);
        for (int k = 1; k < steps; k++) {
            double t = (double)k / steps;
            put(g, x0 + t * (x1 - x0), y0 + t * (y1 - y0), xmax, ymax, e);
        }
    }
}

static void legend(struct aic_buf *b, const char *const *mk, int s, const char *text, int *len)
{
    aic_buf_printf(b, "%s%s %s", mk[s], mk[s], text);
    *len = 3 + (int)strlen(text);
}

char *aic_report_chart(const struct aic_search_result *res, int color)
{
    static unsigned char g[PH][PW];
    const char *const *mk = color ? mark_color : mark_plain;
    struct aic_buf b = {0};
    double xmax, ymax;
    memset(g, 0, sizeof g);
    limits(res, &xmax, &ymax);
    for (int e = 0; e < AIC_EXP_COUNT; e++)
        series(g, res, e, xmax, ymax);
    if (res->best >= 0 && res->exp[res->best].n_top) {
        const struct aic_search_row *t = &res->exp[res->best].top[0];
        put(g, xval(res, t), t->tokens_s_gpu_cluster, xmax, ymax, 2);
    }
    const char *xname = res->request_latency_mode ? "request_latency" : "tokens/s/user";
    char title[AIC_MODEL_ID_MAX + 64];
    snprintf(title, sizeof title, "%s Pareto Frontier: tokens/s/gpu_cluster vs %s",
             res->model_id, xname);
    aic_buf_printf(&b, "%*s%s\n", (int)(80 - strlen(title)) / 2 > 0 ?
                   (int)(80 - strlen(title)) / 2 : 0, "", title);
    aic_buf_printf(&b, "      +%.*s+\n", PW,
                   "----------------------------------------------------------------------"
                   "----------");
    /* legend rows: one per series present, then the selected point */
    char leg[3][64];
    int nleg = 0, legs[3];
    for (int e = 0; e < AIC_EXP_COUNT; e++)
        if (res->exp[e].n_pareto)
            snprintf(leg[nleg], sizeof leg[0], "%s", aic_report_exp_name(e)), legs[nleg++] = e;
    if (res->best >= 0)
        snprintf(leg[nleg], sizeof leg[0], "%s selected", aic_report_exp_name(res->best)),
            legs[nleg++] = 2;
    for (int r = 0; r < PH; r++) {
        int tick = -1;
        for (int k = 0; k <= 4; k++)
            if ((int)lround(k * (PH - 1) / 4.0) == r)
                tick = k;
        if (tick >= 0)
            aic_buf_printf(&b, "%6.1f|", ymax * (4 - tick) / 4.0);
        else
            aic_buf_puts(&b, "      |");
        int c0 = 0;
        if (r < nleg) {
            int len;
            aic_buf_puts(&b, " ");
            legend(&b, mk, legs[r], leg[r], &len);
            c0 = len + 1;
        }
        for (int c = c0; c < PW; c++)
            aic_buf_puts(&b, g[r][c] ? mk[g[r][c] - 1] : " ");
        aic_buf_puts(&b, "|\n");
    }
    /* x axis with 5 ticks */
    char axis[PW + 1], labels[PW + 16];
    memset(axis, '-', PW);
    axis[PW] = 0;
    memset(labels, ' ', sizeof labels);
    for (int k = 0; k <= 4; k++) {
        int c = k * (PW - 1) / 4;
        axis[c] = '+';
        char num[24];
        snprintf(num, sizeof num, "%g", xmax * k / 4);
        int at = k == 4 ? c - (int)strlen(num) + 1 : c;
        memcpy(labels + at, num, strlen(num));
    }
    labels[PW] = 0;
    aic_buf_printf(&b, "      +%s+\n", axis);
    aic_buf_printf(&b, "       %s\n", labels);
    aic_buf_printf(&b, "tokens/s/gpu_cluster%*s%s\n", 37 - 20 + 20 - (int)strlen(xname) / 2,
                   "", xname);
    return b.s;
}
