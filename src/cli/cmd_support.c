/*
 * cmd_support.c - `aiconfigurator cli support`: is aggregated / disaggregated serving of a
 * model supported on a system and backend? Supported means the model family is known, perf
 * data for (system, backend, version) exists along --systems-paths / AIC_SYSTEMS_PATHS with
 * the tables the family needs, and the checkpoint fits on one node (aic_support_check()).
 * `--system all` or `--backend all` prints the matrix. Exits 0 whenever it answers, supported
 * or not; bad input as every command: 2 for usage errors (unknown model, system or backend),
 * 1 for runtime ones (a checkpoint whose config.json cannot be read).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/generate.h"
#include "cli/cli.h"

struct sup_opts {
    const char *model, *system, *backend, *version;
};

#define O(f) offsetof(struct sup_opts, f)
static const struct cli_opt sup_table[] = {
    {"model-path", "model hf-id", CLI_STRING, O(model), 0, 0, NULL, "ID|DIR",
     "Hugging Face id, local directory with config.json, or legacy name (required)"},
    {"system", NULL, CLI_STRING, O(system), 0, 0, NULL, "NAME|all",
     "GPU system, or all for the matrix (required)"},
    {"backend", NULL, CLI_STRING, O(backend), 0, 0, NULL, "trtllm|vllm|sglang|all",
     "serving framework (default trtllm; all when --system all)"},
    {"backend-version", "perf-db-version", CLI_STRING, O(version), 0, 0, NULL, "VER",
     "perf database version to check (default newest)"},
    {0},
};
#undef O

static const char sup_summary[] =
    "Checks whether aggregated and disaggregated serving of a model are supported on a "
    "system/backend (model family known, perf data present, weights fit on one node).";

/* Display order of the matrix rows. */
static const char *const sys_order[] = {"b200_sxm", "gb200",    "b300_sxm", "gb300", "h200_sxm",
                                        "h100_sxm", "a100_sxm", "l40s",     NULL};

static void single(const struct cli_env *env, const struct aic_model *m, const char *system,
                   const char *backend, const struct aic_support *s)
{
    const char *bold = cli_color(env, "bold"), *rst = cli_color(env, "reset");
    printf("%s============================================================%s\n", bold, rst);
    printf("  %sAIC Support Check Results%s\n", bold, rst);
    printf("%s============================================================%s\n", bold, rst);
    printf("  Model:                  %s\n", m->id);
    printf("  Architecture:           %s (%s)\n", m->architecture, aic_family_name(m->family));
    printf("  System:                 %s\n", system);
    printf("  Backend:                %s\n", backend);
    printf("  Version:                %s\n", *s->version ? s->version : "-");
    printf("------------------------------------------------------------\n");
    if (s->no_data)
        printf("No valid support-matrix backend version found for this model/system/backend "
               "combination.\n");
    printf("  Aggregated Support:     %s\n", s->agg ? "YES" : "NO");
    if (!s->agg && *s->agg_reason)
        printf("    reason: %s\n", s->agg_reason);
    printf("  Disaggregated Support:  %s\n", s->disagg ? "YES" : "NO");
    if (!s->disagg && *s->disagg_reason)
        printf("    reason: %s\n", s->disagg_reason);
    printf("%s============================================================%s\n", bold, rst);
}

static const char *cell(const struct aic_support *s, int disagg)
{
    if (s->no_data)
        return "-";
    return (disagg ? s->disagg : s->agg) ? "YES" : "NO";
}

static int matrix(struct cli_env *env, const struct aic_model *m, const char *system, int backend,
                  const char *version)
{
    const char *systems[16];
    int ns = 0, nb = 0, bk[AIC_BACKEND_COUNT];
    char notes[16 * AIC_BACKEND_COUNT][320];
    int nn = 0;

    if (strcmp(system, "all"))
        systems[ns++] = system;
    else {
        for (int i = 0; sys_order[i]; i++)
            for (int j = 0; aic_system_names[j]; j++)
                if (!strcmp(sys_order[i], aic_system_names[j]))
                    systems[ns++] = sys_order[i];
        for (int j = 0; aic_system_names[j] && ns < 16; j++) {
            int seen = 0;
            for (int i = 0; i < ns; i++)
                seen |= !strcmp(systems[i], aic_system_names[j]);
            if (!seen)
                systems[ns++] = aic_system_names[j];
        }
    }
    for (int b = 0; b < AIC_BACKEND_COUNT; b++)
        if (backend < 0 || backend == b)
            bk[nb++] = b;
    printf("AIC Support Matrix: %s (%s)\n\n%-12s", m->id, m->architecture, "System");
    for (int i = 0; i < nb; i++)
        printf(" | %-13s", aic_backend_name((enum aic_backend)bk[i]));
    printf("\n%-12s", "");
    for (int i = 0; i < nb; i++)
        printf(" | %-6s%-7s", "agg", "disagg");
    printf("\n");
    for (int si = 0; si < ns; si++) {
        printf("%-12s", systems[si]);
        for (int i = 0; i < nb; i++) {
            struct aic_support s;
            struct aic_error err = {0};
            if (aic_support_check(m, systems[si], (enum aic_backend)bk[i], version,
                                  env->systems_paths, &s, &err)) {
                memset(&s, 0, sizeof(s));
                s.no_data = 1;
            }
            printf(" | %-6s%-7s", cell(&s, 0), cell(&s, 1));
            if (!s.no_data && (!s.agg || !s.disagg) && nn < 16 * AIC_BACKEND_COUNT)
                snprintf(notes[nn++], sizeof(notes[0]), "%s/%s: %s", systems[si],
                         aic_backend_name((enum aic_backend)bk[i]),
                         s.agg ? s.disagg_reason : s.agg_reason);
        }
        printf("\n");
    }
    printf("\nLegend: YES = supported, NO = not supported, - = no perf data for that "
           "system/backend\n");
    for (int i = 0; i < nn; i++)
        printf("  NO %s\n", notes[i]);
    return CLI_OK;
}

int cmd_support(struct cli_env *env, int argc, char **argv)
{
    struct sup_opts o = {0};
    const struct cli_optset sets[] = {{sup_table, &o, NULL}};
    struct aic_error err = {0};
    struct aic_model m;
    struct aic_support s;
    int rc, backend;

    rc = cli_parse(env, "support", sup_summary, sets, 1, argc, argv);
    if (rc != CLI_OK)
        return rc;
    if (!o.model)
        return cli_error(env, 1, "--model-path is required (e.g. Qwen/Qwen3-32B)");
    if (!o.system)
        return cli_error(env, 1, "--system is required (a system name such as h200_sxm, or all)");
    if (!o.backend)
        o.backend = strcmp(o.system, "all") ? "trtllm" : "all";
    backend = strcmp(o.backend, "all") ? aic_backend_parse(o.backend) : -1;
    if (backend < 0 && strcmp(o.backend, "all"))
        return cli_error(env, 1, "unknown --backend '%s' (valid: trtllm, vllm, sglang, all)",
                         o.backend);
    if (aic_model_load(o.model, NULL, &m, &err))
        return cli_lib_error(env, &err);
    if (!strcmp(o.system, "all") || backend < 0)
        return matrix(env, &m, o.system, backend, o.version);
    if (aic_support_check(&m, o.system, (enum aic_backend)backend, o.version, env->systems_paths,
                          &s, &err))
        return cli_lib_error(env, &err);
    single(env, &m, o.system, o.backend, &s);
    return CLI_OK;
}
