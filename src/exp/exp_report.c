/*
 * exp_report.c - the terminal report of `cli exp` (aic-interface §2.6, §1.11): the
 * "AIConfigurator Final Results" box naming the best experiment (highest rank-1
 * tokens/s/gpu_cluster, no ratio text), one line per experiment, the best configuration,
 * the report's ASCII chart overlaying every experiment's frontier (exp_plot.c), and one
 * ranked table per experiment (the report's own tables, headed with the experiment name).
 * The --json document is built in exp_json.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/exp_int.h"
#include "report/report_int.h"
#include "util/util.h"

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

char *aic_exp_report_text(const struct aic_exp_run *runs, size_t n, const struct aic_report_opts *o)
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
    aic_buf_puts(
        &b, "  Deployment Details:\n"
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
