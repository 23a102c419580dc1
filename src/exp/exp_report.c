/*
 * exp_report.c - the terminal report of `cli exp` (aic-interface §2.6, §1.11): the
 * "AIConfigurator Final Results" box naming the best experiment (highest rank-1
 * tokens/s/gpu_cluster, no ratio text), one line per experiment, the best configuration,
 * an ASCII chart overlaying every experiment's Pareto frontier (up to 10 series), and one
 * ranked table per experiment (the report's own tables, headed with the experiment name).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/exp_int.h"
#include "util/util.h"

#define PW 72
#define PH 24
#define MAX_SERIES 10

static int exp_index(const struct aic_exp_run *r)
{
    return r->exp->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG;
}

static const struct aic_search_row *top1(const struct aic_exp_run *r)
{
    const struct aic_search_exp *x = &r->res.exp[exp_index(r)];
    return r->ok && x->n_top ? &x->top[0] : NULL;
}

int aic_exp_best(const struct aic_exp_run *runs, size_t n)
{
    int best = -1, best_met = 0;
    double best_v = -1;
    for (size_t i = 0; i < n; i++) {
        const struct aic_search_row *t = top1(&runs[i]);
        if (!t)
            continue;
        int met = runs[i].res.exp[exp_index(&runs[i])].top_meets_sla;
        if (best < 0 || met > best_met || (met == best_met && t->tokens_s_gpu_cluster > best_v)) {
            best = (int)i, best_met = met, best_v = t->tokens_s_gpu_cluster;
        }
    }
    return best;
}

/* ---- chart ------------------------------------------------------------------------------ */

static const char marks[MAX_SERIES] = {'o', '+', '*', '#', '@', '%', '&', '=', '~', '$'};
static const char *const ansi[MAX_SERIES] = {"34", "31", "32", "35", "33", "36", "95", "90", "96", "91"};

static int by_latency(const struct aic_exp_run *runs, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++)
        if (runs[i].ok) {
            if (!runs[i].res.request_latency_mode)
                return 0;
            any = 1;
        }
    return any;
}

static double xval(int lat, const struct aic_search_row *r)
{
    return lat ? r->request_latency_ms : r->tokens_s_user;
}

static void put(unsigned char g[PH][PW], double x, double y, double xmax, double ymax, int s)
{
    if (x < 0 || x > xmax || y < 0 || y > ymax)
        return;
    int c = (int)lround(x / xmax * (PW - 1)), r = PH - 1 - (int)lround(y / ymax * (PH - 1));
    g[r][c] = (unsigned char)(s + 1);
}

static void series(unsigned char g[PH][PW], const struct aic_search_exp *x, int lat, int s,
                   double xmax, double ymax)
{
    for (size_t i = 0; i < x->n_pareto; i++) {
        double x0 = xval(lat, &x->pareto[i]), y0 = x->pareto[i].tokens_s_gpu_cluster;
        put(g, x0, y0, xmax, ymax, s);
        if (i + 1 == x->n_pareto)
            break;
        double x1 = xval(lat, &x->pareto[i + 1]), y1 = x->pareto[i + 1].tokens_s_gpu_cluster;
        double dc = fabs(x1 - x0) / xmax * PW, dr = fabs(y1 - y0) / ymax * PH;
        int steps = (int)ceil(dc > dr ? dc : dr);
        for (int k = 1; k < steps; k++) {
            double t = (double)k / steps;
            put(g, x0 + t * (x1 - x0), y0 + t * (y1 - y0), xmax, ymax, s);
        }
    }
}

static void mark(struct aic_buf *b, int s, int color)
{
    char c = s == MAX_SERIES ? 'x' : marks[s];
    if (color)
        aic_buf_printf(b, "\033[%sm%c\033[0m", s == MAX_SERIES ? "1;32" : ansi[s], c);
    else
        aic_buf_printf(b, "%c", c);
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

char *aic_exp_chart(const struct aic_exp_run *runs, size_t n, int color)
{
    unsigned char(*g)[PW] = calloc(PH, sizeof *g);
    struct aic_buf b = {0};
    int lat = by_latency(runs, n), best = aic_exp_best(runs, n), small = 0, ns = 0;
    int leg[MAX_SERIES + 1];
    double mx = 0, my = 0;
    if (!g)
        return NULL;
    for (size_t i = 0; i < n && ns < MAX_SERIES; i++) {
        if (!runs[i].ok)
            continue;
        const struct aic_search_exp *x = &runs[i].res.exp[exp_index(&runs[i])];
        for (size_t k = 0; k < x->n_pareto; k++) {
            double xv = xval(lat, &x->pareto[k]);
            mx = fmax(mx, xv), my = fmax(my, x->pareto[k].tokens_s_gpu_cluster);
            small |= xv <= 300;
        }
        leg[ns++] = (int)i;
    }
    double ymax = ceil(1.2 * my / 50.0) * 50.0, xmax = ceil(1.1 * mx / 20.0) * 20.0;
    if (small && !lat && xmax > 300)
        xmax = 300;
    ymax = ymax > 0 ? ymax : 50, xmax = xmax > 0 ? xmax : 20;
    for (int s = 0; s < ns; s++)
        series(g, &runs[leg[s]].res.exp[exp_index(&runs[leg[s]])], lat, s, xmax, ymax);
    if (best >= 0) {
        const struct aic_search_row *t = top1(&runs[best]);
        put(g, xval(lat, t), t->tokens_s_gpu_cluster, xmax, ymax, MAX_SERIES);
    }
    const char *xname = lat ? "request_latency" : "tokens/s/user";
    char title[256];
    snprintf(title, sizeof title, "Pareto Frontier: tokens/s/gpu_cluster vs %s", xname);
    aic_buf_printf(&b, "%*s%s\n", (int)(80 - strlen(title)) / 2, "", title);
    aic_buf_printf(&b, "      +%.*s+\n", PW, "------------------------------------------------"
                                            "------------------------------------------------");
    int nleg = ns + (best >= 0);
    for (int r = 0; r < PH; r++) {
        int tick = -1, c0 = 0;
        for (int k = 0; k <= 4; k++)
            if ((int)lround(k * (PH - 1) / 4.0) == r)
                tick = k;
        if (tick >= 0)
            aic_buf_printf(&b, "%6.1f|", ymax * (4 - tick) / 4.0);
        else
            aic_buf_puts(&b, "      |");
        if (r < nleg) {
            char text[64];
            int s = r < ns ? r : MAX_SERIES;
            snprintf(text, sizeof text, "%.40s%s", runs[r < ns ? leg[r] : best].exp->name,
                     r < ns ? "" : " selected");
            aic_buf_puts(&b, " ");
            mark(&b, s, color);
            mark(&b, s, color);
            aic_buf_printf(&b, " %s", text);
            c0 = 4 + (int)strlen(text);
        }
        for (int c = c0; c < PW; c++) {
            if (g[r][c])
                mark(&b, g[r][c] - 1, color);
            else
                aic_buf_puts(&b, " ");
        }
        aic_buf_puts(&b, "|\n");
    }
    x_axis(&b, xmax, xname);
    free(g);
    return b.s;
}

/* ---- summary and tables ----------------------------------------------------------------- */

static void thousands(double x, char *out, size_t n)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.2f", x);
    char *dot = strchr(tmp, '.');
    int ilen = (int)(dot - tmp);
    size_t k = 0;
    for (int i = 0; i < ilen && k + 2 < n; i++) {
        out[k++] = tmp[i];
        int rest = ilen - i - 1;
        if (rest > 0 && rest % 3 == 0 && !(tmp[0] == '-' && i == 0))
            out[k++] = ',';
    }
    snprintf(out + k, n - k, "%s", dot);
}

static const char RULE[] =
    "  ----------------------------------------------------------------------------\n";
static const char STARS[] =
    "********************************************************************************\n";

static void exp_line(struct aic_buf *b, const struct aic_exp_run *r)
{
    const struct aic_exp *e = r->exp;
    const struct aic_search_req *q = &e->req;
    aic_buf_printf(b, "    %s: %s, %s on %s", e->name,
                   e->serving == AIC_SEARCH_DISAGG ? "disagg" : "agg", q->model, q->system);
    if (q->decode_system && strcmp(q->decode_system, q->system))
        aic_buf_printf(b, " (decode %s)", q->decode_system);
    aic_buf_printf(b, ", %s, %s, %d GPUs, ISL %d, OSL %d, TTFT %.0fms, ",
                   aic_backend_name((enum aic_backend)q->backend), aic_db_mode_name(q->db_mode),
                   q->total_gpus, q->wl.isl, q->wl.osl, q->ttft_ms);
    if (q->request_latency_ms > 0)
        aic_buf_printf(b, "request latency %.0fms", q->request_latency_ms);
    else
        aic_buf_printf(b, "TPOT %.1fms", q->tpot_ms);
    const struct aic_search_row *t = top1(r);
    if (t)
        aic_buf_printf(b, ": %.2f tokens/s/gpu%s\n", t->tokens_s_gpu_cluster,
                       r->res.exp[exp_index(r)].top_meets_sla ? "" : " (SLA not met)");
    else
        aic_buf_puts(b, ": no result\n");
}

static void overall(struct aic_buf *b, const struct aic_exp_run *r, int incl)
{
    const struct aic_search_row *t = top1(r);
    const struct aic_search_req *q = &r->exp->req;
    double tpot = t->tpot_ms;
    if (incl && q->wl.osl > 0)
        tpot = (t->ttft_ms + t->tpot_ms * (q->wl.osl - 1)) / q->wl.osl;
    char th[64];
    thousands(t->tokens_s_gpu_cluster * r->res.total_gpus, th, sizeof th);
    aic_buf_puts(b, "  Overall Best Configuration:\n");
    aic_buf_printf(b, "    - Best Throughput: %s tokens/s\n", th);
    aic_buf_printf(b, "    - Per-GPU Throughput: %.2f tokens/s/gpu\n", t->tokens_s_gpu_cluster);
    aic_buf_printf(b, "    - Per-User Throughput: %.2f tokens/s/user\n", t->tokens_s_user);
    aic_buf_printf(b, "    - Request Rate: %.2f req/s\n", t->seq_s * t->replicas);
    aic_buf_printf(b, "    - TTFT: %.2fms\n", t->ttft_ms);
    aic_buf_printf(b, "    - TPOT: %.2fms\n", tpot);
    aic_buf_printf(b, "    - Request Latency: %.2fms\n", t->request_latency_ms);
}

/* The report's table for the experiment, its "agg"/"disagg" heading renamed. */
static void table(struct aic_buf *b, const struct aic_exp_run *r, int color)
{
    int x = exp_index(r);
    char *t = aic_report_table(&r->res, x, color);
    const char *mode = x == AIC_EXP_DISAGG ? "disagg" : "agg";
    const char *s = t ? t : "";
    size_t ml = strlen(mode);
    while (*s == '\n')
        s++;
    if (!strncmp(s, mode, ml) && !strncmp(s + ml, " Top Configurations", 19))
        s += ml;
    aic_buf_printf(b, "\n%s", r->exp->name);
    const char *nl = strchr(s, '\n'), *no = "No configurations for ";
    if (nl && !strncmp(nl + 1, no, strlen(no))) { /* "No configurations for agg met ..." */
        aic_buf_add(b, s, (size_t)(nl + 1 - s));
        const char *rest = nl + 1 + strlen(no) + ml;
        aic_buf_printf(b, "No configurations for %s%s", r->exp->name, rest);
    } else {
        aic_buf_puts(b, s);
    }
    free(t);
}

char *aic_exp_report_text(const struct aic_exp_run *runs, size_t n,
                          const struct aic_report_opts *o)
{
    struct aic_buf b = {0};
    int color = o && o->color, incl = o && o->inclusive_tpot, best = aic_exp_best(runs, n);
    aic_buf_puts(&b, STARS);
    aic_buf_printf(&b, "*%25s%-28s%25s*\n", "", "AIConfigurator Final Results", "");
    aic_buf_puts(&b, STARS);
    aic_buf_puts(&b, RULE);
    aic_buf_puts(&b, "  Input Configuration & SLA Target:\n");
    if (best >= 0)
        aic_buf_printf(&b, "    Model: %s (is_moe: %s)\n", runs[best].res.model_id,
                       runs[best].res.is_moe ? "True" : "False");
    aic_buf_printf(&b, "    Experiments: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        exp_line(&b, &runs[i]);
    if (best >= 0)
        aic_buf_printf(&b, "    Best Experiment Chosen: %s at %.2f tokens/s/gpu\n",
                       runs[best].exp->name, top1(&runs[best])->tokens_s_gpu_cluster);
    aic_buf_puts(&b, RULE);
    if (best >= 0) {
        overall(&b, &runs[best], incl);
        aic_buf_puts(&b, RULE);
    }
    char *chart = aic_exp_chart(runs, n, color);
    aic_buf_puts(&b, "  Pareto Frontier:\n");
    aic_buf_puts(&b, chart ? chart : "");
    free(chart);
    aic_buf_puts(&b, RULE);
    aic_buf_puts(&b,
        "  Deployment Details:\n"
        "    (p) stands for prefill, (d) stands for decode, bs stands for batch size, a "
        "replica stands for the smallest scalable unit xPyD of the disagg system\n"
        "    Some math: total gpus used = replicas * gpus/replica\n"
        "               gpus/replica = (p)gpus/worker * (p)workers + (d)gpus/worker * "
        "(d)workers; for Agg, gpus/replica = gpus/worker\n"
        "               gpus/worker = tp * pp * dp = etp * ep * pp for MoE models; tp * pp "
        "for dense models (underlined numbers are the actual values in math)\n");
    for (size_t i = 0; i < n; i++)
        if (runs[i].ok)
            table(&b, &runs[i], color);
    aic_buf_puts(&b, STARS);
    return b.s;
}
