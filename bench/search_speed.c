/*
 * search_speed.c - times the `cli default` search end to end in-process (model load, perf
 * tables, sweep, ranking, report text) for the two reference scenarios, and prints
 * configurations evaluated per second and peak RSS.
 *
 *   bench_search_speed [scenario]   scenario: qwen (Qwen3-32B, 32 x h100_sxm, vllm,
 *                                   isl 4000 osl 500 ttft 300 tpot 10; target <= 0.3 s),
 *                                   dsv3 (DeepSeek-V3, 64 x h200_sxm, trtllm; <= 2 s), all
 * Env AIC_SYSTEMS_PATHS points at the perf database (default ../shared/perfdb when present).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "aiconfigurator/aiconfigurator.h"
#include "aiconfigurator/report.h"
#include "aiconfigurator/search.h"
#include "util/util.h"

struct scenario {
    const char *name, *model, *system;
    int backend, gpus, isl, osl;
    double ttft, tpot, target_s;
};

static const struct scenario scenarios[] = {
    {"qwen", "Qwen/Qwen3-32B", "h100_sxm", AIC_BACKEND_VLLM, 32, 4000, 500, 300, 10, 0.3},
    {"dsv3", "deepseek-ai/DeepSeek-V3", "h200_sxm", AIC_BACKEND_TRTLLM, 64, 4000, 1000, 2000, 30,
     2.0},
};

static int run(const struct scenario *s, const char *paths)
{
    double t0 = aic_now_s();
    struct aic_ctx *ctx = aic_ctx_new(paths);
    struct aic_search_req r;
    struct aic_search_result res;
    struct aic_error err = {0};
    aic_search_req_init(&r);
    r.model = s->model, r.system = s->system, r.backend = s->backend;
    r.total_gpus = s->gpus, r.wl.isl = s->isl, r.wl.osl = s->osl;
    r.ttft_ms = s->ttft, r.tpot_ms = s->tpot;
    int rc = aic_search_run(ctx, &r, &res, &err);
    if (rc) {
        fprintf(stderr, "%s: %s\n", s->name, err.msg);
        aic_ctx_free(ctx);
        return 1;
    }
    struct aic_report_opts o = {0};
    char *text = aic_report_text(&res, &o);
    double dt = aic_now_s() - t0;
    long n = res.exp[0].n_evaluated + res.exp[1].n_evaluated;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (getenv("BENCH_PRINT"))
        fputs(text, stdout);
    printf("%-5s %-26s %3d x %-9s %-6s  %.3f s (target %.1f s)  %ld evaluations  %.0f/s  "
           "search %.3f s  peak RSS %.1f MiB  chosen %s\n",
           s->name, s->model, s->gpus, s->system, aic_backend_name(s->backend), dt, s->target_s, n,
           n / dt, res.elapsed_s, ru.ru_maxrss / 1024.0,
           res.best >= 0 ? (res.best ? "disagg" : "agg") : "none");
    free(text);
    aic_search_result_free(&res);
    aic_ctx_free(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    const char *paths = getenv("AIC_SYSTEMS_PATHS");
    int rc = 0;
    if (!paths || !*paths)
        paths = aic_is_dir("../shared/perfdb") ? "../shared/perfdb" : NULL;
    for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++)
        if (!strcmp(which, "all") || !strcmp(which, scenarios[i].name))
            rc |= run(&scenarios[i], paths);
    return rc;
}
