/*
 * engine_speed.c - how long one estimate takes once tables are loaded.
 *
 * Usage: bench_engine_speed [PERFDB_PATH]   (default ../shared/perfdb)
 * Prints, for dense and MoE models, the database load time (a database already loaded by an
 * earlier line is not loaded again) and the mean time of one aggregated estimate; then each
 * database's load time as the median of LOAD_RUNS loads, each in a fresh process as a
 * command's is (one run on a busy machine can be a third slower; a reload in a process that
 * has loaded before reuses its memory and takes about half); then the engine issue's
 * targets: one estimate <= 1 ms, loading one database <= 0.3 s (judged on the medians).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

#define LOAD_RUNS 5

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One load of every table of one database in a child process, as a command's first load is:
 * no table read and nothing allocated before. Milliseconds, or -1 on error. */
static double cold_load_ms(const char *path, const struct scenario *s)
{
    int fd[2];
    double ms = -1;
    pid_t pid;

    if (pipe(fd))
        return -1;
    pid = fork();
    if (pid == 0) {
        struct aic_ctx *ctx = aic_ctx_new(path);
        struct aic_perfdb *db;
        struct aic_error err = {0};
        double t0 = aic_now_s();
        if (ctx && !aic_ctx_get_db(ctx, s->system, s->backend, NULL, AIC_DB_SILICON, &db, &err) &&
            !aic_perfdb_preload(db, &err))
            ms = (aic_now_s() - t0) * 1e3;
        _exit(write(fd[1], &ms, sizeof(ms)) == sizeof(ms) ? 0 : 1);
    }
    close(fd[1]);
    if (pid < 0 || read(fd[0], &ms, sizeof(ms)) != sizeof(ms))
        ms = -1;
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return ms;
}

/* Median of LOAD_RUNS cold loads of one database; 0 on error. */
static double load_median_ms(const char *path, const struct scenario *s)
{
    double t[LOAD_RUNS];
    for (int i = 0; i < LOAD_RUNS; i++)
        if ((t[i] = cold_load_ms(path, s)) < 0)
            return 0;
    qsort(t, LOAD_RUNS, sizeof(t[0]), cmp_double);
    return t[LOAD_RUNS / 2];
}

/* The median load of each distinct database of sc[0..n); returns the largest. */
static double load_medians(const char *path, const struct scenario *sc, size_t n)
{
    double worst = 0;
    printf("database load, median of %d loads, each in a fresh process:\n", LOAD_RUNS);
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(sc[j].system, sc[i].system) && sc[j].backend == sc[i].backend;
        if (seen)
            continue;
        double ms = load_median_ms(path, &sc[i]);
        printf("  %-9s %-7s %7.1f ms\n", sc[i].system, aic_backend_name(sc[i].backend), ms);
        worst = ms > worst ? ms : worst;
    }
    return worst;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../shared/perfdb";
    const struct scenario sc[] = {
        {"Qwen/Qwen3-32B", "h100_sxm", AIC_BACKEND_VLLM, {2, 1, 1, 0, 0}},
        {"meta-llama/Llama-3.1-70B", "h200_sxm", AIC_BACKEND_TRTLLM, {4, 1, 1, 0, 0}},
        {"Qwen/Qwen3-235B-A22B-FP8", "h200_sxm", AIC_BACKEND_TRTLLM, {4, 1, 1, 1, 4}},
        {"deepseek-ai/DeepSeek-V3", "h200_sxm", AIC_BACKEND_TRTLLM, {8, 1, 1, 1, 8}},
        /* the largest databases: b200_sxm TensorRT-LLM (595k rows read) and SGLang (580k) */
        {"deepseek-ai/DeepSeek-V3", "b200_sxm", AIC_BACKEND_TRTLLM, {8, 1, 1, 1, 8}},
        {"deepseek-ai/DeepSeek-V3", "b200_sxm", AIC_BACKEND_SGLANG, {8, 1, 1, 1, 8}},
    };
    /* the cold loads first, while this process has loaded nothing its children inherit */
    double load_max = load_medians(path, sc, sizeof(sc) / sizeof(sc[0]));
    double est_max = 0, load, est;
    struct aic_ctx *ctx = aic_ctx_new(path);

    if (!ctx)
        return 1;
    for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
        run(ctx, &sc[i], &load, &est);
        est_max = est > est_max ? est : est_max;
    }
    aic_ctx_free(ctx);
    printf("targets (of the engine issue):\n");
    printf("  one aggregated estimate <= 1 ms: slowest %.3f ms (%s)\n", est_max,
           est_max > 0 && est_max <= 1 ? "met" : "NOT met");
    printf("  loading one database <= 300 ms: slowest median %.1f ms (%s)\n", load_max,
           load_max > 0 && load_max <= 300 ? "met" : "NOT met");
    return 0;
}
