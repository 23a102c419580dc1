/*
 * cmd_exp.c - `aiconfigurator cli exp --yaml_path FILE`: run every experiment of a YAML
 * file (aic-interface §1.6, §2) with its own SLA and search space, then print one report
 * comparing them (best experiment, overlaid Pareto frontiers, one table per experiment)
 * and, with --save_dir, one folder per experiment (CSVs, resolved YAML, and the top-N
 * deployment artifacts with the generator flags of `cli default`: cli_gen.h).
 *
 * Exit statuses: 2 for a missing/unreadable --yaml_path (usage); 1 for malformed YAML, no
 * valid experiment, or no experiment producing results; 0 when at least one experiment
 * produced configurations (rejected or failed experiments are logged, one line each).
 * --json lists every experiment the file defines, rejected ones with status "invalid", and
 * is printed also when nothing produced results (exit 1).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/exp.h"
#include "cli/cli.h"
#include "cli/cli_gen.h"

struct exp_opts {
    const char *yaml, *save_dir, *deployment_target;
    const char *engine_step_backend, *forward_model;
    int top_n, inclusive_tpot, json;
    struct cli_gen_opts g; /* generator flags: overrides of the artifacts (cli_gen.c) */
};

#define O(f) offsetof(struct exp_opts, f)
static const struct cli_opt exp_table[] = {
    {"yaml-path", NULL, CLI_STRING, O(yaml), 0, 0, NULL, "FILE",
     "experiment YAML (V2 flat or legacy V1 nested schema; required)"},
    {"top-n", NULL, CLI_INT, O(top_n), 1, 1000, NULL, "N",
     "configurations per experiment (default 5)"},
    {"save-dir", NULL, CLI_STRING, O(save_dir), 0, 0, NULL, "DIR",
     "write per-experiment CSVs, resolved exp_config.yaml, artifacts and the Pareto plot"},
    {"inclusive-tpot", NULL, CLI_FLAG, O(inclusive_tpot), 0, 0, NULL, NULL,
     "display TPOT as (ttft + tpot*(osl-1))/osl"},
    {"json", NULL, CLI_FLAG, O(json), 0, 0, NULL, NULL,
     "print every experiment's result as one JSON document (logs go to stderr)"},
    {"deployment-target", NULL, CLI_STRING, O(deployment_target), 0, 0, NULL, "T",
     "accepted for compatibility (artifacts are dynamo-j2)"},
    {"engine-step-backend", NULL, CLI_STRING, O(engine_step_backend), 0, 0, NULL, "B",
     "accepted for compatibility; ignored"},
    {"forward-model", NULL, CLI_STRING, O(forward_model), 0, 0, NULL, "M",
     "accepted for compatibility; ignored"},
    {0},
};
#undef O

static const char exp_summary[] =
    "Runs the experiments of a YAML file, each with its own SLA and search space, and "
    "compares them.";

/* Runs one experiment into run and logs its warnings and outcome. */
static void run_one(struct cli_env *env, struct aic_ctx *ctx, struct aic_exp *e,
                    struct aic_exp_run *run)
{
    cli_log(env, CLI_LOG_INFO, "Starting experiment: %s", e->name);
    int rc = aic_exp_run_one(ctx, e, run);
    for (int i = 0; i < run->res.n_warn; i++)
        cli_log(env, CLI_LOG_WARNING, "%s: %s", e->name, run->res.warn[i]);
    if (rc) {
        cli_log(env, CLI_LOG_ERROR, "%s", run->msg);
        return;
    }
    int x = e->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG;
    cli_log(env, CLI_LOG_INFO, "Experiment %s completed with %zu results in %.2f s.", e->name,
            run->res.exp[x].n_rows, run->res.elapsed_s);
}

/* The --json document on stdout: every experiment, rejected ones included. */
static int print_json(struct cli_env *env, const struct aic_exp_set *set,
                      const struct aic_exp_run *runs, const struct cli_warns *w)
{
    char *text = aic_exp_report_json(set, runs, runs ? set->n : 0,
                                     w ? (const char *const *)w->line : NULL, w ? w->n : 0);
    if (!text)
        return cli_error(env, 0, "out of memory rendering the report");
    fputs(text, stdout);
    fputs("\n", stdout);
    free(text);
    return CLI_OK;
}

/* Reads the file and logs its notes and rejected experiments; with none valid, prints the
 * --json document (when asked) and fails. */
static int load(struct cli_env *env, const struct exp_opts *o, struct aic_exp_set *set)
{
    struct aic_error err = {0};
    int rc = aic_exp_load_file(o->yaml, o->top_n, set, &err);
    if (rc) /* a missing or unreadable file too: a runtime error, as AIConfigurator's */
        return cli_error(env, 0, "%s", err.msg);
    for (size_t i = 0; i < set->n_note; i++)
        cli_log(env, CLI_LOG_WARNING, "%s", set->note[i]);
    for (size_t i = 0; i < set->n_msg; i++)
        cli_log(env, CLI_LOG_ERROR, "%s", set->msg[i]);
    if (!set->n) {
        if (o->json)
            print_json(env, set, NULL, NULL);
        aic_exp_set_free(set);
        return cli_error(env, 0, "No valid experiments found in '%s'.", o->yaml);
    }
    return CLI_OK;
}

/* The summary, chart and tables on stdout. */
static int print_text(struct cli_env *env, const struct exp_opts *o, const struct aic_exp_run *runs,
                      size_t n)
{
    struct aic_report_opts ro = {env->color, o->inclusive_tpot};
    char *text = aic_exp_report_text(runs, n, &ro);
    if (!text)
        return cli_error(env, 0, "out of memory rendering the report");
    cli_log(env, CLI_LOG_INFO, "%s", "");
    fputs(text, stdout);
    free(text);
    return CLI_OK;
}

static int output(struct cli_env *env, struct aic_ctx *ctx, const struct exp_opts *o,
                  const struct aic_gencfg *cfg, const struct aic_exp_set *set,
                  const struct aic_exp_run *runs)
{
    struct cli_warns w = {env, {0}, 0};
    int rc = CLI_OK;

    if (o->save_dir) {
        struct aic_error err = {0};
        struct aic_report_gen gen = {ctx,          cfg, o->g.tmpl_version, o->g.dynamo_version,
                                     cli_warns_cb, &w};
        char where[1024];
        if (aic_exp_save_gen(runs, set->n, o->save_dir, &gen, where, sizeof where, &err))
            rc = cli_lib_error(env, &err);
        else
            cli_log(env, CLI_LOG_INFO, "Saving results to %s", where);
    }
    if (rc == CLI_OK && o->json)
        rc = print_json(env, set, runs, &w);
    else if (rc == CLI_OK)
        rc = print_text(env, o, runs, set->n);
    cli_warns_free(&w);
    return rc;
}

/* Runs the experiments of a parsed command line; cfg: the generator overrides. */
static int exp_run(struct cli_env *env, const struct exp_opts *o, const struct aic_gencfg *cfg)
{
    struct aic_exp_set set;
    int rc;
    if ((rc = load(env, o, &set)))
        return rc;
    cli_log(env, CLI_LOG_INFO, "Loading AIConfigurator version: %s", aic_version());
    cli_log(env, CLI_LOG_INFO, "Experiments to run: %zu", set.n);
    struct aic_ctx *ctx = aic_ctx_new(env->systems_paths);
    struct aic_exp_run *runs = calloc(set.n, sizeof *runs);
    if (!ctx || !runs) {
        aic_ctx_free(ctx);
        free(runs);
        aic_exp_set_free(&set);
        return cli_error(env, 0, "out of memory");
    }
    double t0 = 0;
    size_t ok = 0;
    for (size_t i = 0; i < set.n; i++) {
        run_one(env, ctx, set.exp[i], &runs[i]);
        ok += runs[i].ok;
        t0 += runs[i].res.elapsed_s;
    }
    if (!ok) {
        if (o->json)
            print_json(env, &set, runs, NULL);
        rc = cli_error(env, 0,
                       "No successful experiment runs to compare: the SLA may be too "
                       "tight (relax ttft/tpot), the model may not fit (more "
                       "total_gpus or a quantized model), or perf data may be missing "
                       "(try database_mode: HYBRID)");
    } else {
        rc = output(env, ctx, o, cfg, &set, runs);
        cli_log(env, CLI_LOG_INFO, "All experiments completed in %.2f seconds", t0);
    }
    for (size_t i = 0; i < set.n; i++)
        aic_search_result_free(&runs[i].res);
    free(runs);
    aic_ctx_free(ctx);
    aic_exp_set_free(&set);
    return rc;
}

int cmd_exp(struct cli_env *env, int argc, char **argv)
{
    struct exp_opts o = {.top_n = 5};
    const struct cli_optset sets[] = {{exp_table, &o, NULL}, {cli_gen_table, &o.g, NULL}};
    struct aic_gencfg *cfg = NULL;
    int rc = cli_gen_help(env, argc, argv);
    if (rc == CLI_OK)
        rc = cli_gen_take_sets(env, &argc, argv, &o.g);
    if (rc == CLI_OK)
        rc = cli_parse(env, "exp", exp_summary, sets, 2, argc, argv);
    if (rc == CLI_OK && !o.yaml)
        rc = cli_error(env, 1,
                       "--yaml-path is required (an experiment YAML file; see "
                       "examples/)");
    /* bad generator values stop here, before any experiment runs */
    if (rc == CLI_OK)
        rc = cli_gen_build(env, &o.g, 1, &cfg);
    if (rc == CLI_OK && o.json)
        env->log = stderr; /* stdout holds the document alone */
    if (rc == CLI_OK)
        rc = exp_run(env, &o, cfg);
    aic_gencfg_free(cfg);
    cli_gen_opts_free(&o.g);
    return rc;
}
