/*
 * engine_speed.c - how long one estimate takes once tables are loaded.
 *
 * Usage: bench_engine_speed [PERFDB_PATH]   (default ../shared/perfdb)
 * Prints, for dense and MoE models, the database load time (a database already loaded by an
 * earlier line is not loaded again) and the mean time of one aggregated estimate, then the
 * engine issue's targets: one estimate <= 1 ms, loading one database <= 0.3 s.
 */
#include <stdio.h>
#include <stdlib.h>

#include "aiconfigurator/aiconfigurator.h"
#include "util/util.h"

struct scenario {
    const char *model, *system;
    enum aic_backend backend;
    struct aic_layout lay;
};

/* Runs one scenario; *load_ms and *est_ms get its times (0 on error). */
static void run(struct aic_ctx *ctx, const struct scenario *s, double *load_ms, double *est_ms)
{
    struct aic_estimate_req req;
    struct aic_estimate_result res;
    struct aic_error err = {0};
    struct aic_perfdb *db;
    const int iters = 200;
    double t0, t1, t2;

    *load_ms = *est_ms = 0;
    aic_estimate_req_init(&req);
    req.model = s->model;
    req.system = s->system;
    req.backend = s->backend;
    req.wl.isl = 4000;
    req.wl.osl = 500;
    req.batch_size = 32;
    req.lay = s->lay;
    t0 = aic_now_s();
    if (aic_ctx_get_db(ctx, s->system, s->backend, NULL, AIC_DB_SILICON, &db, &err) ||
        aic_perfdb_preload(db, &err) || aic_estimate(ctx, &req, 0, &res, &err)) {
        printf("%-28s %-9s %-7s error: %s\n", s->model, s->system, aic_backend_name(s->backend),
               err.msg);
        return;
    }
    t1 = aic_now_s();
    for (int i = 0; i < iters; i++)
        aic_estimate(ctx, &req, 0, &res, &err);
    t2 = aic_now_s();
    *load_ms = (t1 - t0) * 1e3;
    *est_ms = (t2 - t1) * 1e3 / iters;
    printf("%-28s %-9s %-7s load %7.1f ms   agg estimate %7.3f ms   (TTFT %.1f ms, TPOT %.2f ms)\n",
           s->model, s->system, aic_backend_name(s->backend), *load_ms, *est_ms, res.m.ttft_ms,
           res.m.tpot_ms);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../shared/perfdb";
    const struct scenario sc[] = {
        {"Qwen/Qwen3-32B", "h100_sxm", AIC_BACKEND_VLLM, {2, 1, 1, 0, 0}},
        {"meta-llama/Llama-3.1-70B", "h200_sxm", AIC_BACKEND_TRTLLM, {4, 1, 1, 0, 0}},
        {"Qwen/Qwen3-235B-A22B-FP8", "h200_sxm", AIC_BACKEND_TRTLLM, {4, 1, 1, 1, 4}},
        {"deepseek-ai/DeepSeek-V3", "h200_sxm", AIC_BACKEND_TRTLLM, {8, 1, 1, 1, 8}},
        /* the largest databases: b200_sxm TensorRT-LLM (754k rows) and SGLang (580k) */
        {"deepseek-ai/DeepSeek-V3", "b200_sxm", AIC_BACKEND_TRTLLM, {8, 1, 1, 1, 8}},
        {"deepseek-ai/DeepSeek-V3", "b200_sxm", AIC_BACKEND_SGLANG, {8, 1, 1, 1, 8}},
    };
    struct aic_ctx *ctx = aic_ctx_new(path);
    double load_max = 0, est_max = 0, load, est;

    if (!ctx)
        return 1;
    for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
        run(ctx, &sc[i], &load, &est);
        load_max = load > load_max ? load : load_max;
        est_max = est > est_max ? est : est_max;
    }
    aic_ctx_free(ctx);
    printf("targets (of the engine issue):\n");
    printf("  one aggregated estimate <= 1 ms: slowest %.3f ms (%s)\n", est_max,
           est_max > 0 && est_max <= 1 ? "met" : "NOT met");
    printf("  loading one database <= 300 ms: slowest %.1f ms (%s)\n", load_max,
           load_max > 0 && load_max <= 300 ? "met" : "NOT met");
    return 0;
}
