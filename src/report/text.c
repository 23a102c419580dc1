/*
 * text.c - the terminal report as AIConfigurator prints it (aic-interface §1.11): the
 * "AIConfigurator Final Results" box, the ranked tables (PrettyTable layout, cells centred
 * the way Python's str.center does) and, in chart.c, the ASCII Pareto chart.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "util/util.h"

#define BOLD  "\033[1m"
#define RESET "\033[0m"

const char *aic_report_exp_name(int exp)
{
    return exp == AIC_EXP_DISAGG ? "disagg" : "agg";
}

/* Python's str.center: the odd space goes left when both margin and width are odd. */
static void center(struct aic_buf *b, const char *s, int width)
{
    int len = (int)strlen(s), marg = width - len;
    if (marg <= 0) {
        aic_buf_puts(b, s);
        return;
    }
    int left = marg / 2 + (marg & width & 1);
    aic_buf_printf(b, "%*s%s%*s", left, "", s, marg - left, "");
}

/* "21,804.80" */
static void thousands(double x, char *out, size_t n)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.2f", x);
    char *dot = strchr(tmp, '.');
    int ilen = (int)(dot - tmp), neg = tmp[0] == '-';
    size_t k = 0;
    for (int i = 0; i < ilen && k + 2 < n; i++) {
        out[k++] = tmp[i];
        int rest = ilen - i - 1;
        if (rest > 0 && rest % 3 == 0 && !(neg && i == 0))
            out[k++] = ',';
    }
    snprintf(out + k, n - k, "%s", dot);
}

/* ---- ranked tables ----------------------------------------------------------------- */

#define MAXC 24
#define CELL 48

struct table {
    int nc, nr;
    const char *head[MAXC];
    char (*cell)[MAXC][CELL];
    int bold_col;
};

static void rule(struct aic_buf *b, const struct table *t, const int *w)
{
    for (int c = 0; c < t->nc; c++)
        aic_buf_printf(b, "+%.*s", w[c] + 2,
                       "--------------------------------------------------------------------");
    aic_buf_puts(b, "+\n");
}

static void render(struct aic_buf *b, const struct table *t, int color)
{
    int w[MAXC];
    for (int c = 0; c < t->nc; c++) {
        w[c] = (int)strlen(t->head[c]);
        for (int r = 0; r < t->nr; r++) {
            int l = (int)strlen(t->cell[r][c]);
            if (l > w[c])
                w[c] = l;
        }
    }
    rule(b, t, w);
    for (int c = 0; c < t->nc; c++) {
        aic_buf_puts(b, "| ");
        center(b, t->head[c], w[c]);
        aic_buf_puts(b, " ");
    }
    aic_buf_puts(b, "|\n");
    rule(b, t, w);
    for (int r = 0; r < t->nr; r++) {
        for (int c = 0; c < t->nc; c++) {
            int bold = color && c == t->bold_col;
            aic_buf_puts(b, "| ");
            if (bold)
                aic_buf_puts(b, BOLD);
            center(b, t->cell[r][c], w[c]);
            if (bold)
                aic_buf_puts(b, RESET);
            aic_buf_puts(b, " ");
        }
        aic_buf_puts(b, "|\n");
    }
    rule(b, t, w);
}

static void gpus_per_worker(const struct aic_layout *l, int is_moe, char *s, size_t n)
{
    if (is_moe)
        snprintf(s, n, "%d (=%dx%dx%d)", l->tp * l->pp * l->dp, l->tp, l->pp, l->dp);
    else
        snprintf(s, n, "%d (=%dx%d)", l->tp * l->pp, l->tp, l->pp);
}

#define SET(c, ...) snprintf(row[c], CELL, __VA_ARGS__)

/* Cells shared by agg and disagg tables: columns 0..9. */
static void common_cells(const struct aic_search_result *res, const struct aic_search_row *r,
                         int rank, char row[][CELL])
{
    int rep = res->recommend ? r->replicas_needed : r->replicas;
    SET(0, "%d", rank);
    SET(1, "%s", aic_backend_name(r->backend));
    SET(2, "%.2f", r->tokens_s_gpu_cluster);
    SET(3, "%.2f", r->tokens_s_user);
    SET(4, "%.2f", r->seq_s * rep);
    SET(5, "%.2f", r->ttft_ms);
    SET(6, "%.2f", r->request_latency_ms);
    SET(7, "%.0f (=%.0fx%d)", r->concurrency * rep, r->concurrency, rep);
    if (res->recommend)
        SET(8, "%d (%d=%dx%d)", r->total_gpus_needed, rep * r->gpus, rep, r->gpus);
    else
        SET(8, "%d (%d=%dx%d)", res->total_gpus, rep * r->gpus, rep, r->gpus);
    SET(9, "%d", rep);
}

static const char *const agg_head[] = {"Rank",
                                       "backend",
                                       "tokens/s/gpu",
                                       "tokens/s/user",
                                       "req/s",
                                       "TTFT",
                                       "request_latency",
                                       "concurrency",
                                       "total_gpus (used)",
                                       "replicas",
                                       "gpus/replica",
                                       "gpus/worker",
                                       "parallel",
                                       "bs"};
static const char *const disagg_head[] = {"Rank",
                                          "backend",
                                          "tokens/s/gpu",
                                          "tokens/s/user",
                                          "req/s",
                                          "TTFT",
                                          "request_latency",
                                          "concurrency",
                                          "total_gpus (used)",
                                          "replicas",
                                          "gpus/replica",
                                          "(p)workers",
                                          "(p)gpus/worker",
                                          "(p)parallel",
                                          "(p)bs",
                                          "(d)workers",
                                          "(d)gpus/worker",
                                          "(d)parallel",
                                          "(d)bs"};

static void table_rows(const struct aic_search_result *res, int exp, struct table *t)
{
    const struct aic_search_exp *x = &res->exp[exp];
    for (size_t i = 0; i < x->n_top; i++) {
        const struct aic_search_row *r = &x->top[i];
        if (!r->meets_sla)
            continue;
        char(*row)[CELL] = t->cell[t->nr];
        common_cells(res, r, t->nr + 1, row);
        if (exp == AIC_EXP_AGG) {
            SET(10, "%d", r->gpus);
            gpus_per_worker(&r->lay, res->is_moe, row[11], CELL);
            aic_layout_str(&r->lay, res->is_moe, row[12], CELL);
            SET(13, "%d", r->bs);
        } else {
            int gp = r->lay.tp * r->lay.pp * r->lay.dp;
            int gd = r->d_lay.tp * r->d_lay.pp * r->d_lay.dp;
            SET(10, "%d (=%dx%d+%dx%d)", r->gpus, r->workers, gp, r->d_workers, gd);
            SET(11, "%d", r->workers);
            gpus_per_worker(&r->lay, res->is_moe, row[12], CELL);
            aic_layout_str(&r->lay, res->is_moe, row[13], CELL);
            SET(14, "%d", r->bs);
            SET(15, "%d", r->d_workers);
            gpus_per_worker(&r->d_lay, res->is_moe, row[16], CELL);
            aic_layout_str(&r->d_lay, res->is_moe, row[17], CELL);
            SET(18, "%d", r->d_bs);
        }
        t->nr++;
    }
}

static void table_into(struct aic_buf *b, const struct aic_search_result *res, int exp, int color)
{
    const struct aic_search_exp *x = &res->exp[exp];
    const char *name = aic_report_exp_name(exp);
    struct table t = {.bold_col = 2};
    const char *const *head = exp == AIC_EXP_AGG ? agg_head : disagg_head;
    t.nc = exp == AIC_EXP_AGG ? 14 : 19;
    for (int c = 0; c < t.nc; c++)
        t.head[c] = head[c];
    aic_buf_printf(b, "\n%s Top Configurations: (Ranked by %s)\n", name,
                   res->recommend ? "total_gpus_needed" : "tokens/s/gpu");
    t.cell = calloc(x->n_top ? x->n_top : 1, sizeof *t.cell);
    if (!t.cell)
        return;
    table_rows(res, exp, &t);
    if (!t.nr)
        aic_buf_printf(b, "No configurations for %s met the %s constraint.\n", name,
                       res->request_latency_mode ? "request latency" : "TPOT");
    else
        render(b, &t, color);
    free(t.cell);
}

char *aic_report_table(const struct aic_search_result *res, int exp, int color)
{
    struct aic_buf b = {0};
    table_into(&b, res, exp, color);
    return b.s ? b.s : calloc(1, 1);
}

/* ---- summary box ------------------------------------------------------------------- */

static const char RULE[] =
    "  ----------------------------------------------------------------------------\n";

static void best_line(struct aic_buf *b, const struct aic_search_result *res)
{
    const struct aic_search_row *t = &res->exp[res->best].top[0];
    const char *bn = aic_report_exp_name(res->best);
    const char *on = aic_report_exp_name(!res->best);
    if (res->recommend) {
        for (int i = 0; i < AIC_EXP_COUNT; i++)
            if (res->exp[i].n_top)
                aic_buf_printf(b, "    %s GPUs needed: %d (replicas: %d)\n", aic_report_exp_name(i),
                               res->exp[i].top[0].total_gpus_needed,
                               res->exp[i].top[0].replicas_needed);
        aic_buf_printf(b, "    Best Experiment Chosen: %s with %d GPUs at %.2f tokens/s/gpu\n", bn,
                       t->total_gpus_needed, t->tokens_s_gpu);
        return;
    }
    aic_buf_printf(b, "    Best Experiment Chosen: %s at %.2f tokens/s/gpu", bn,
                   t->tokens_s_gpu_cluster);
    if (res->ratio > 0 && fabs(res->ratio - 1.0) < 0.005)
        aic_buf_puts(b, " (agg and disagg tied)");
    else if (res->ratio > 0)
        aic_buf_printf(b, " (%s %.2fx better than %s)", bn, res->ratio, on);
    aic_buf_puts(b, "\n");
}

static void overall(struct aic_buf *b, const struct aic_search_result *res, int incl)
{
    const struct aic_search_row *t = &res->exp[res->best].top[0];
    int rep = res->recommend ? t->replicas_needed : t->replicas;
    double per_gpu = t->tokens_s_gpu_cluster;
    double total = res->recommend ? t->tokens_s * rep : per_gpu * res->total_gpus;
    double tpot = t->tpot_ms;
    if (incl && res->req.wl.osl > 0)
        tpot = (t->ttft_ms + t->tpot_ms * (res->req.wl.osl - 1)) / res->req.wl.osl;
    char th[64];
    thousands(total, th, sizeof th);
    aic_buf_printf(b, "  Overall Best Configuration:\n");
    aic_buf_printf(b, "    - Best Throughput: %s tokens/s\n", th);
    aic_buf_printf(b, "    - Per-GPU Throughput: %.2f tokens/s/gpu\n", per_gpu);
    aic_buf_printf(b, "    - Per-User Throughput: %.2f tokens/s/user\n", t->tokens_s_user);
    aic_buf_printf(b, "    - Request Rate: %.2f req/s\n", t->seq_s * rep);
    aic_buf_printf(b, "    - TTFT: %.2fms\n", t->ttft_ms);
    aic_buf_printf(b, "    - TPOT: %.2fms\n", tpot);
    aic_buf_printf(b, "    - Request Latency: %.2fms\n", t->request_latency_ms);
}

static void details(struct aic_buf *b)
{
    aic_buf_puts(
        b, "  Deployment Details:\n"
           "    (p) stands for prefill, (d) stands for decode, bs stands for batch size, a "
           "replica stands for the smallest scalable unit xPyD of the disagg system\n"
           "    Some math: total gpus used = replicas * gpus/replica\n"
           "               gpus/replica = (p)gpus/worker * (p)workers + (d)gpus/worker * "
           "(d)workers; for Agg, gpus/replica = gpus/worker\n"
           "               gpus/worker = tp * pp * dp = etp * ep * pp for MoE models; tp * pp "
           "for dense models (underlined numbers are the actual values in math)\n");
}

char *aic_report_text(const struct aic_search_result *res, const struct aic_report_opts *o)
{
    struct aic_buf b = {0};
    int color = o && o->color, incl = o && o->inclusive_tpot;
    const char *stars =
        "********************************************************************************\n";
    aic_buf_puts(&b, stars);
    aic_buf_puts(&b, "*");
    center(&b, "AIConfigurator Final Results", 78);
    aic_buf_puts(&b, "*\n");
    aic_buf_puts(&b, stars);
    aic_buf_puts(&b, RULE);
    aic_buf_puts(&b, "  Input Configuration & SLA Target:\n");
    aic_buf_printf(&b, "    Model: %s (is_moe: %s)\n", res->model_id,
                   res->is_moe ? "True" : "False");
    if (res->recommend) {
        if (res->req.target_request_rate > 0)
            aic_buf_printf(&b, "    Target Load: %g req/s\n", res->req.target_request_rate);
        else
            aic_buf_printf(&b, "    Target Concurrency: %g\n", res->req.target_concurrency);
    } else {
        aic_buf_printf(&b, "    Total GPUs: %d\n", res->total_gpus);
    }
    if (res->best >= 0)
        best_line(&b, res);
    aic_buf_puts(&b, RULE);
    if (res->best >= 0) {
        overall(&b, res, incl);
        aic_buf_puts(&b, RULE);
    }
    char *chart = aic_report_chart(res, color);
    aic_buf_puts(&b, "  Pareto Frontier:\n");
    aic_buf_puts(&b, chart ? chart : "");
    free(chart);
    aic_buf_puts(&b, RULE);
    details(&b);
    for (int i = 0; i < AIC_EXP_COUNT; i++)
        if (res->exp[i].ran)
            table_into(&b, res, i, color);
    aic_buf_puts(&b, stars);
    return b.s ? b.s : calloc(1, 1);
}
