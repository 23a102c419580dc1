/*
 * cmd_default.c - `aiconfigurator cli default`: sweep aggregated and disaggregated serving
 * for a GPU budget and print AIConfigurator's final report (aic-interface §1.4, §1.11).
 * Also holds the driver shared with `cli recommend` (cmd_recommend.c): one option table,
 * request building, logging, report and --save_dir.
 *
 * Choices where AIConfigurator is vague: --total_gpus 0 is a usage error (exit 2); a model
 * that does not fit exits 1 naming the smallest GPU count that fits; when nothing meets
 * TPOT the closest rows are printed with a warning naming the binding bound (exit 0, as
 * AIConfigurator); when nothing meets TTFT nothing can be shown (exit 1); an unwritable
 * --save_dir exits 1 and writes nothing.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiconfigurator/report.h"
#include "aiconfigurator/search.h"
#include "aiconfigurator/generate.h"
#include "cli/cli.h"
#include "cli/cli_gen.h"
#include "util/util.h"

struct sweep_opts {
    struct cli_req_opts r; /* model, system, database, workload, quant, MTP, memory */
    const char *save_dir, *moe_backend, *deployment_target;
    int backend, serving, total_gpus, top_n;
    double ttft, tpot, request_latency, rate, conc;
    int strict_sla, inclusive_tpot, chunked, wideep, json;
    struct cli_gen_opts g; /* generator flags: artifacts of the top-N rows (cli_gen.c) */
};

int cli_sweep_main(struct cli_env *env, int argc, char **argv, int recommend);

static const char *const backend_choices[] = {"trtllm", "vllm", "sglang", "auto", NULL};
static const char *const serving_choices[] = {"auto", "agg", "disagg", "all", "afd", NULL};

#define O(f) offsetof(struct sweep_opts, f)
#define BIG  1e9
/* Options of both modes; rows flagged in `default_only` are skipped for recommend. */
static const struct cli_opt sweep_table[] = {
    {"backend", NULL, CLI_ENUM, O(backend), 0, 0, backend_choices, NULL,
     "trtllm (default), vllm, sglang, or auto (all three, merged per serving mode)"},
    {"total-gpus", NULL, CLI_INT, O(total_gpus), 0, 1e6, NULL, "N",
     "GPU budget (default only; recommend finds the GPU count)"},
    {"target-request-rate", NULL, CLI_FLOAT, O(rate), 1e-9, 1e12, NULL, "R",
     "load target in req/s: find the fewest GPUs (recommend)"},
    {"target-concurrency", NULL, CLI_FLOAT, O(conc), 1e-9, 1e12, NULL, "C",
     "load target in concurrent requests (recommend)"},
    {"serving-mode", NULL, CLI_ENUM, O(serving), 0, 0, serving_choices, NULL,
     "auto (agg and disagg, default), agg, disagg; all/afd run auto (AFD not modelled)"},
    {"ttft", NULL, CLI_FLOAT, O(ttft), 1e-9, 1e12, NULL, "MS",
     "time-to-first-token SLA (default 2000)"},
    {"tpot", NULL, CLI_FLOAT, O(tpot), 1e-9, 1e12, NULL, "MS",
     "time-per-output-token SLA (default 30)"},
    {"request-latency", NULL, CLI_FLOAT, O(request_latency), 1e-9, 1e12, NULL, "MS",
     "end-to-end SLA; replaces --tpot"},
    {"strict-sla", NULL, CLI_FLAG, O(strict_sla), 0, 0, NULL, NULL,
     "also filter the Pareto set by the TPOT / latency bound"},
    {"inclusive-tpot", NULL, CLI_FLAG, O(inclusive_tpot), 0, 0, NULL, NULL,
     "display TPOT as (ttft + tpot*(osl-1))/osl"},
    {"top-n", NULL, CLI_INT, O(top_n), 1, 1000, NULL, "N",
     "configurations per serving mode (default 5)"},
    {"save-dir", NULL, CLI_STRING, O(save_dir), 0, 0, NULL, "DIR",
     "write CSVs, exp_config.yaml, Pareto plots and per top-N row deployment artifacts "
     "(<mode>/top<k>/) under DIR"},
    {"enable-chunked-prefill", NULL, CLI_FLAG, O(chunked), 0, 0, NULL, NULL,
     "finer ctx-token sweep"},
    {"enable-wideep", NULL, CLI_FLAG, O(wideep), 0, 0, NULL, NULL, "deprecated; ignored"},
    {"moe-backend", NULL, CLI_STRING, O(moe_backend), 0, 0, NULL, "NAME",
     "SGLang MoE backend; accepted, ignored"},
    {"deployment-target", NULL, CLI_STRING, O(deployment_target), 0, 0, NULL, "T",
     "dynamo-j2 (default; the only target written); others accepted, written as dynamo-j2"},
    {"json", NULL, CLI_FLAG, O(json), 0, 0, NULL, NULL, "print the whole result as JSON"},
    {0},
};
#undef O

/* These modes' defaults in the shared request options' help (cli_req_table). */
static const char *const sweep_help[] = {
    "database-mode",
    "SILICON (default; recommend: HYBRID), HYBRID, EMPIRICAL, SOL",
    "isl",
    "input tokens per request (default 4000)",
    "osl",
    "output tokens per request (default 1000)",
    NULL};

static const char default_summary[] =
    "Sweeps aggregated and disaggregated serving for a GPU budget and ranks the best "
    "deployments. Extra: --generator-set Section.key=value (repeatable), "
    "--generator-help [deploy|backend].";
static const char recommend_summary[] =
    "Finds the fewest GPUs that serve a load target (--target-request-rate or "
    "--target-concurrency) within the SLA. Extra: --generator-set Section.key=value "
    "(repeatable), --generator-help [deploy|backend].";

static int check_opts(struct cli_env *env, const struct sweep_opts *o, int recommend)
{
    if (cli_req_check(env, &o->r))
        return CLI_USAGE;
    if (o->rate > 0 && o->conc > 0)
        return cli_error(env, 1,
                         "--target-request-rate and --target-concurrency are mutually "
                         "exclusive; give one");
    if (recommend && o->rate <= 0 && o->conc <= 0)
        return cli_error(env, 1,
                         "recommend needs a load target: --target-request-rate R or "
                         "--target-concurrency C");
    if (!recommend && cli_given(env, CLI_ANY_SET, "total-gpus") && o->total_gpus < 1)
        return cli_error(env, 1, "--total-gpus must be at least 1 (got %d)", o->total_gpus);
    return CLI_OK;
}

/* No perf database for the system along the search path and no explicit --database-mode:
 * search with the EMPIRICAL model (fitted coefficients) and say so in one line. */
static int empirical_fallback(struct cli_env *env, struct aic_ctx *ctx, struct aic_search_req *r)
{
    struct aic_error err = {0};
    int fell_back;

    if (aic_search_req_fallback(ctx, r, cli_given(env, CLI_ANY_SET, "database-mode"), &fell_back,
                                &err))
        return cli_lib_error(env, &err);
    if (fell_back)
        cli_log(env, CLI_LOG_WARNING,
                "No perf database for %s/%s along the systems paths: searching with the "
                "EMPIRICAL model (fitted speed-of-light efficiencies); pass --systems-paths DIR "
                "with measured tables (e.g. ../shared/perfdb) for SILICON accuracy.",
                r->system, r->backend == AIC_BACKEND_AUTO ? "auto" : aic_backend_name(r->backend));
    return CLI_OK;
}

/* Progress on stderr for searches that take more than a second, only on a terminal. */
struct progress {
    double t0;
    int shown;
};

static void on_progress(void *user, const char *stage, enum aic_backend be, int done, int total)
{
    struct progress *p = user;
    if (aic_now_s() - p->t0 < 1.0)
        return;
    fprintf(stderr, "\r  searching %s %s: %d/%d layouts   ", stage, aic_backend_name(be), done,
            total);
    fflush(stderr);
    p->shown = 1;
}

static void progress_done(const struct progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%60s\r", "");
}

static int build_req(struct cli_env *env, struct aic_ctx *ctx, const struct sweep_opts *o,
                     int recommend, struct aic_search_req *r)
{
    int rc;

    aic_search_req_init(r);
    r->model = o->r.model;
    r->system = o->r.system;
    r->decode_system = o->r.decode_system;
    r->backend = o->backend == 3 ? AIC_BACKEND_AUTO : o->backend;
    r->backend_version =
        o->r.backend_version && *o->r.backend_version ? o->r.backend_version : NULL;
    r->db_mode = (enum aic_db_mode)o->r.db_mode;
    r->total_gpus = recommend ? 0 : o->total_gpus;
    r->wl = (struct aic_workload){o->r.isl, o->r.osl, o->r.prefix};
    r->ttft_ms = o->ttft;
    r->tpot_ms = o->tpot;
    r->request_latency_ms = o->request_latency;
    if (o->request_latency > 0 && !cli_given(env, CLI_ANY_SET, "ttft"))
        r->ttft_ms = 0; /* the library uses 0.95 x request latency */
    r->strict_sla = o->strict_sla;
    r->serving = o->serving == 1   ? AIC_SEARCH_AGG
                 : o->serving == 2 ? AIC_SEARCH_DISAGG
                                   : AIC_SEARCH_AUTO;
    r->top_n = o->top_n;
    r->free_mem_fraction = o->r.free_mem;
    r->max_seq_len = o->r.max_seq_len;
    cli_ttft_consts(env, &o->r.ttft, &r->ttft);
    r->enable_chunked_prefill = o->chunked;
    r->target_request_rate = recommend ? o->rate : 0;
    r->target_concurrency = recommend ? o->conc : 0;
    if ((rc = cli_req_resolve(env, ctx, &o->r, &r->quant, &r->nextn)))
        return rc;
    r->nextn_accepted = o->r.nextn_accepted;
    return empirical_fallback(env, ctx, r);
}

static void log_start(struct cli_env *env, const struct sweep_opts *o,
                      const struct aic_search_req *r)
{
    const char *be = r->backend == AIC_BACKEND_AUTO ? "auto" : aic_backend_name(r->backend);
    char implicit[256] = "";
    size_t k = 0;
    static const char *const names[] = {"isl", "osl", "ttft", "tpot"};
    for (int i = 0; i < 4; i++) {
        if (cli_given(env, CLI_ANY_SET, names[i]) || (i == 3 && r->request_latency_ms > 0))
            continue;
        k += (size_t)snprintf(implicit + k, sizeof implicit - k, "%s%s", k ? ", " : "",
                              i == 0   ? "ISL"
                              : i == 1 ? "OSL"
                              : i == 2 ? "TTFT"
                                       : "TPOT");
    }
    cli_log(env, CLI_LOG_INFO, "Loading AIConfigurator version: %s", aic_version());
    cli_log(env, CLI_LOG_INFO, "Number of top configurations to output: %d (change with --top-n)",
            r->top_n);
    if (k)
        cli_log(env, CLI_LOG_WARNING,
                "Using implicit defaults for %s (ISL=%d, OSL=%d, TTFT=%.1fms, TPOT=%.1fms). "
                "They act as filters on the search; set them explicitly for results that "
                "match your workload.",
                implicit, o->r.isl, o->r.osl, o->ttft, o->tpot);
    if (o->wideep)
        cli_log(env, CLI_LOG_WARNING, "--enable-wideep is deprecated and ignored");
    if (o->serving >= 3)
        cli_log(env, CLI_LOG_WARNING, "AFD is not modelled; --serving-mode %s runs agg and disagg",
                serving_choices[o->serving]);
    cli_log(env, CLI_LOG_INFO,
            "Effective parameters: ISL=%d, OSL=%d, TTFT=%.1fms, TPOT=%.1fms, "
            "backend=%s",
            r->wl.isl, r->wl.osl, r->ttft_ms, r->tpot_ms, be);
}

static void log_done(struct cli_env *env, const struct aic_search_result *res)
{
    for (int i = 0; i < AIC_EXP_COUNT; i++)
        if (res->exp[i].ran)
            cli_log(env, CLI_LOG_INFO, "Experiment %s completed with %zu results.",
                    i ? "disagg" : "agg", res->exp[i].n_rows);
    for (int i = 0; i < res->n_warn; i++)
        cli_log(env, CLI_LOG_WARNING, "%s", res->warn[i]);
}

static int save(struct cli_env *env, struct aic_ctx *ctx, const struct sweep_opts *o,
                const struct aic_gencfg *cfg, const struct aic_search_result *res,
                struct cli_warns *w)
{
    struct aic_error err = {0};
    struct aic_report_gen gen = {ctx, cfg, o->g.tmpl_version, o->g.dynamo_version, cli_warns_cb, w};
    char where[1024];

    if (aic_report_save_gen(res, o->save_dir, &gen, where, sizeof where, &err))
        return cli_lib_error(env, &err);
    cli_log(env, CLI_LOG_INFO, "Saving results to %s", where);
    return CLI_OK;
}

static int output(struct cli_env *env, struct aic_ctx *ctx, const struct sweep_opts *o,
                  const struct aic_gencfg *cfg, const struct aic_search_result *res)
{
    struct cli_warns w = {env, {0}, 0};
    int rc = o->save_dir ? save(env, ctx, o, cfg, res, &w) : CLI_OK;
    char *text = NULL;

    if (rc == CLI_OK && o->json) {
        text = aic_report_json_warn(res, (const char *const *)w.line, w.n);
    } else if (rc == CLI_OK) {
        struct aic_report_opts ro = {env->color, o->inclusive_tpot};
        text = aic_report_text(res, &ro);
        cli_log(env, CLI_LOG_INFO, "%s", "");
    }
    cli_warns_free(&w);
    if (rc)
        return rc;
    if (!text)
        return cli_error(env, 0, "out of memory rendering the report");
    fputs(text, stdout);
    if (o->json)
        fputs("\n", stdout);
    free(text);
    return CLI_OK;
}

/* Checks the options, builds the generator overrides (bad values stop here, before the
 * sweep, with nothing written), runs the search and prints / saves the result. */
/* AIConfigurator's routing: a load target without a GPU budget runs recommend (HYBRID unless
 * a database mode is given); with a budget the target is ignored. */
static int route_mode(struct cli_env *env, struct sweep_opts *o, int *recommend)
{
    if (!*recommend && !cli_given(env, CLI_ANY_SET, "total-gpus")) {
        if (o->rate <= 0 && o->conc <= 0)
            return cli_error(env, 1,
                             "default mode requires either --total-gpus or a load "
                             "target (--target-request-rate / --target-concurrency)");
        *recommend = 1;
        if (!cli_given(env, CLI_ANY_SET, "database-mode"))
            o->r.db_mode = AIC_DB_HYBRID;
    } else if (!*recommend && (o->rate > 0 || o->conc > 0)) {
        o->rate = o->conc = 0;
        cli_log(env, CLI_LOG_WARNING, "--total-gpus is set: the load target is ignored");
    }
    return CLI_OK;
}

/* Runs the search with the start lines and a progress line on a terminal; on failure logs
 * its warnings and returns the CLI status of its error. */
static int run_search(struct cli_env *env, struct aic_ctx *ctx, struct aic_search_req *req,
                      struct aic_search_result *res)
{
    struct progress prog = {aic_now_s(), 0};
    struct aic_error err = {0};
    int rc;

    for (int i = 0; i < AIC_EXP_COUNT; i++)
        if ((i == 0 && req->serving != AIC_SEARCH_DISAGG) ||
            (i == 1 && req->serving != AIC_SEARCH_AGG))
            cli_log(env, CLI_LOG_INFO, "Starting experiment: %s", i ? "disagg" : "agg");
    if (isatty(STDERR_FILENO)) {
        req->progress = on_progress;
        req->progress_user = &prog;
    }
    rc = aic_search_run(ctx, req, res, &err);
    progress_done(&prog);
    req->progress = NULL, req->progress_user = NULL;
    if (!rc)
        return CLI_OK;
    for (int i = 0; i < res->n_warn; i++)
        cli_log(env, CLI_LOG_WARNING, "%s", res->warn[i]);
    return cli_lib_error(env, &err);
}

static int sweep_run(struct cli_env *env, struct sweep_opts *o_, int recommend)
{
    struct sweep_opts o = *o_;
    struct aic_gencfg *cfg = NULL;
    struct aic_ctx *ctx = NULL;
    struct aic_search_req req;
    struct aic_search_result res;
    int rc, searched = 0;

    if ((rc = route_mode(env, &o, &recommend)) || (rc = check_opts(env, &o, recommend)) ||
        (rc = cli_gen_build(env, &o.g, 1, &cfg)))
        goto out;
    if (o.json)
        env->log = stderr;
    if (!(ctx = aic_ctx_new(env->systems_paths))) {
        rc = cli_error(env, 0, "out of memory");
        goto out;
    }
    if ((rc = build_req(env, ctx, &o, recommend, &req)))
        goto out;
    log_start(env, &o, &req);
    searched = 1;
    if ((rc = run_search(env, ctx, &req, &res)))
        goto out;
    log_done(env, &res);
    rc = output(env, ctx, &o, cfg, &res);
    cli_log(env, CLI_LOG_INFO, "All experiments completed in %.2f seconds", res.elapsed_s);
out:
    if (searched)
        aic_search_result_free(&res);
    aic_gencfg_free(cfg);
    aic_ctx_free(ctx);
    return rc;
}

int cli_sweep_main(struct cli_env *env, int argc, char **argv, int recommend)
{
    struct sweep_opts o = {
        .r = {.isl = 4000, .osl = 1000, .db_mode = recommend ? AIC_DB_HYBRID : AIC_DB_SILICON},
        .ttft = 2000,
        .tpot = 30,
        .top_n = 5};
    const struct cli_optset sets[] = {{cli_req_table, &o.r, sweep_help},
                                      {sweep_table, &o, NULL},
                                      {cli_gen_table, &o.g, NULL},
                                      {cli_ttft_table, &o.r.ttft, NULL}};
    int rc = cli_gen_help(env, argc, argv);
    if (rc == CLI_OK)
        rc = cli_gen_take_sets(env, &argc, argv, &o.g);
    if (rc == CLI_OK)
        rc = cli_parse(env, recommend ? "recommend" : "default",
                       recommend ? recommend_summary : default_summary, sets, 4, argc, argv);
    if (rc == CLI_OK)
        rc = sweep_run(env, &o, recommend);
    cli_gen_opts_free(&o.g);
    return rc;
}

int cmd_default(struct cli_env *env, int argc, char **argv)
{
    return cli_sweep_main(env, argc, argv, 0);
}
