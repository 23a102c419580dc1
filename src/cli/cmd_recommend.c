/*
 * cmd_recommend.c - `aiconfigurator cli recommend`: the fewest GPUs that serve a load target
 * (--target-request-rate R or --target-concurrency C) within the SLA (aic-interface §1.5).
 * Per candidate replica: replicas = ceil(target / per-replica rate or concurrency), GPUs =
 * replicas x GPUs per replica; tables ranked by total_gpus_needed. Same flags as `default`
 * minus the budget (database mode defaults to HYBRID); the driver lives in cmd_default.c.
 *
 * --total-gpus is a usage error here (exit 2): recommend answers how many GPUs are needed,
 * so a budget has no meaning, and AIConfigurator's recommend has no such flag (argparse
 * refuses it). The budgeted search is `cli default --total-gpus N`.
 */
#include <string.h>

#include "cli/cli.h"

int cli_sweep_main(struct cli_env *env, int argc, char **argv, int recommend);

/* Whether token a is option `name` (dashed) in any spelling the parser accepts: `_` for
 * `-`, with or without `=value`. */
static int is_opt(const char *a, const char *name)
{
    if (a[0] != '-' || a[1] != '-')
        return 0;
    a += 2;
    for (; *name; a++, name++)
        if (*a != *name && !(*a == '_' && *name == '-'))
            return 0;
    return !*a || *a == '=';
}

/* Whether argv asks for --total-gpus and not for help. The parser never takes a token
 * starting with "--" as a string or choice value (a number option taking one fails), so a
 * matching token is the flag. */
static int wants_budget(int argc, char **argv)
{
    int found = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || is_opt(argv[i], "help") ||
            is_opt(argv[i], "generator-help") || is_opt(argv[i], "generator-help-backend"))
            return 0;
        found |= is_opt(argv[i], "total-gpus");
    }
    return found;
}

int cmd_recommend(struct cli_env *env, int argc, char **argv)
{
    if (wants_budget(argc, argv))
        return cli_error(env, 1,
                         "--total-gpus does not apply to recommend, which finds the fewest GPUs "
                         "for the load target; drop it, or run `cli default --total-gpus N` to "
                         "search a fixed GPU budget");
    return cli_sweep_main(env, argc, argv, 1);
}
