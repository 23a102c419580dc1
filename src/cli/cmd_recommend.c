/*
 * cmd_recommend.c - `aiconfigurator cli recommend`: the fewest GPUs that serve a load target
 * (--target-request-rate R or --target-concurrency C) within the SLA (aic-interface §1.5).
 * Per candidate replica: replicas = ceil(target / per-replica rate or concurrency), GPUs =
 * replicas x GPUs per replica; tables ranked by total_gpus_needed. Same flags as `default`
 * minus the budget (database mode defaults to HYBRID); the driver lives in cmd_default.c.
 */
#include "cli/cli.h"

int cli_sweep_main(struct cli_env *env, int argc, char **argv, int recommend);

int cmd_recommend(struct cli_env *env, int argc, char **argv)
{
    return cli_sweep_main(env, argc, argv, 1);
}
