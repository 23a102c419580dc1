/*
 * main.c - entry point of the `aiconfigurator` executable: global flags, the top-level
 * words (`cli`, `version`) and the table of `cli` modes that dispatches to cmd_<mode>().
 *
 * To add a mode: one row in cli_modes[] below plus one file src/cli/cmd_<mode>.c (see cli.h).
 * `--generator-help [all|deploy|backend]` is answered here for every mode, before the mode
 * checks its required flags (cli_gen.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_gen.h"
#include "util/util.h"

#ifndef AIC_VERSION
#define AIC_VERSION "0.0.0"
#endif

typedef int (*cli_handler)(struct cli_env *env, int argc, char **argv);

struct cli_mode {
    const char *name;
    const char *summary;
    cli_handler run; /* NULL while the mode's file is not linked in (weak symbol) */
};

/* The `cli` modes, in the order help lists them. */
static const struct cli_mode cli_modes[] = {
    {"default", "sweep aggregated vs disaggregated serving for a GPU budget", cmd_default},
    {"recommend", "minimum GPUs for a load target (request rate or concurrency)", cmd_recommend},
    {"exp", "run experiments described in a YAML file", cmd_exp},
    {"generate", "naive configuration and launch artifacts, no sweep", cmd_generate},
    {"support", "check a model/system/backend against the support matrix", cmd_support},
    {"estimate", "predict TTFT, TPOT, throughput and memory of one deployment", cmd_estimate},
    {"validate", "compare predictions with measured results from a CSV file", cmd_validate},
};
#define N_MODES (sizeof(cli_modes) / sizeof(cli_modes[0]))

static void print_top_help(FILE *f)
{
    fprintf(f, "usage: aiconfigurator [global options] {cli,version,webapp} ...\n\n"
               "LLM serving configuration optimizer (drop-in for NVIDIA AIConfigurator).\n\n"
               "commands:\n"
               "  cli <mode> [options]   run a mode (see below)\n"
               "  version                print the version\n"
               "  webapp [--host H] [--port N]  serve the web app (default 127.0.0.1:7860)\n\n"
               "modes of `cli`:\n");
    for (size_t i = 0; i < N_MODES; i++)
        fprintf(f, "  %-12s %s%s\n", cli_modes[i].name, cli_modes[i].summary,
                cli_modes[i].run ? "" : " (not implemented yet)");
    fprintf(f, "\nglobal options:\n");
    for (const struct cli_opt *o = cli_global_opts; o->name; o++)
        fprintf(f, "  --%-20s %s\n", o->name, o->help);
    fprintf(f, "\nRun `aiconfigurator cli <mode> --help` for a mode's options.\n");
}

static const struct cli_mode *find_mode(const char *name)
{
    char norm[64];
    size_t i;

    for (i = 0; name[i] && i + 1 < sizeof(norm); i++)
        norm[i] = name[i] == '-' ? '_' : name[i];
    norm[i] = 0;
    for (i = 0; i < N_MODES; i++)
        if (!strcmp(cli_modes[i].name, norm))
            return &cli_modes[i];
    return NULL;
}

static int unknown_mode(struct cli_env *env, const char *name)
{
    const char *best = NULL;
    int best_d = 1 << 20;
    char list[256];
    size_t n = 0;

    for (size_t i = 0; i < N_MODES; i++) {
        int d = aic_edit_distance(name, cli_modes[i].name);
        if (d < best_d) {
            best_d = d;
            best = cli_modes[i].name;
        }
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", cli_modes[i].name);
    }
    if (best && best_d <= 2)
        return cli_error(env, 1, "unknown mode '%s'; did you mean '%s'? (modes: %s)", name, best,
                         list);
    return cli_error(env, 1, "unknown mode '%s' (modes: %s)", name, list);
}

/* `aiconfigurator cli <mode> ...` */
static int run_cli(struct cli_env *env, int argc, char **argv)
{
    const struct cli_mode *m;

    if (argc < 1) {
        print_top_help(stderr);
        return cli_error(env, 1,
                         "missing mode after `cli`; e.g. `aiconfigurator cli estimate "
                         "--model-path Qwen/Qwen3-32B --system h200_sxm`");
    }
    if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        print_top_help(stdout);
        return CLI_DONE;
    }
    m = find_mode(argv[0]);
    if (!m)
        return unknown_mode(env, argv[0]);
    /* AIConfigurator answers --generator-help before the mode looks at its own flags */
    int rc = cli_gen_help(env, argc - 1, argv + 1);
    if (rc != CLI_OK)
        return rc;
    if (!m->run)
        return cli_error(env, 1, "`cli %s` is not implemented yet in this build", m->name);
    return m->run(env, argc - 1, argv + 1);
}

/* Consumes global flags written before the command word; returns the index of the word. */
static int leading_globals(struct cli_env *env, int argc, char **argv, int *rc)
{
    int i = 1;
    *rc = CLI_OK;
    while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "-h") && strcmp(argv[i], "--help")) {
        const struct cli_optset set = {cli_global_opts, env, NULL};
        unsigned char given[1][CLI_MAX_OPTS] = {{0}};
        char msg[512];
        int n = 1;
        /* a value-taking global flag swallows the next word */
        if (!strchr(argv[i], '=') && i + 1 < argc &&
            (!strncmp(argv[i], "--log", 5) || !strncmp(argv[i], "--systems", 9)))
            n = 2;
        if (cli_parse_quiet(&set, 1, n, argv + i, given, msg, sizeof(msg)) != CLI_OK) {
            *rc = cli_error(env, 1, "%s (see: aiconfigurator --help)", msg);
            return i;
        }
        if (given[0][0])
            env->log_level_set = 1;
        i += n;
    }
    return i;
}

int main(int argc, char **argv)
{
    struct cli_env env;
    int rc, i;

    cli_env_init(&env, argc > 0 ? argv[0] : NULL);
    i = leading_globals(&env, argc, argv, &rc);
    cli_env_finish(&env);
    if (rc != CLI_OK)
        return cli_exit_code(rc);
    if (env.systems_paths && cli_check_systems_paths(&env, env.systems_paths))
        return 1;
    if (i >= argc) {
        print_top_help(stderr);
        cli_error(&env, 1, "missing command: `cli <mode>` or `version`");
        return 2;
    }
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "help")) {
        print_top_help(stdout);
        return 0;
    }
    if (!strcmp(argv[i], "version") || !strcmp(argv[i], "--version")) {
        printf("aiconfigurator %s\n", AIC_VERSION);
        return 0;
    }
    if (!strcmp(argv[i], "cli"))
        return cli_exit_code(run_cli(&env, argc - i - 1, argv + i + 1));
    if (!strcmp(argv[i], "webapp"))
        return cli_exit_code(cmd_webapp ? cmd_webapp(&env, argc - i - 1, argv + i + 1)
                                        : cli_error(&env, 0, "webapp is not in this build"));
    /* legacy: `aiconfigurator cli`-less mode words are an error with a hint */
    if (find_mode(argv[i]))
        return cli_exit_code(cli_error(&env, 1,
                                       "unknown command '%s'; did you mean "
                                       "`aiconfigurator cli %s`?",
                                       argv[i], argv[i]));
    return cli_exit_code(
        cli_error(&env, 1, "unknown command '%s' (commands: cli, version, webapp)", argv[i]));
}
