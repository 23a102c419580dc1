/*
 * cli_gen.h - the generator flags shared by `cli generate`, `cli default`, `cli recommend`
 * and `cli exp` (aic-interface §1.3, §4.2, §4.8):
 *
 *   --generator-config FILE            generator config YAML (overrides)
 *   --generator-set Section.key=value  repeatable; applied over the file
 *   --config-template-version V        (alias --generated-config-version)
 *   --dynamo-version V                 (alias --generator-dynamo-version)
 *   --namespace NS, --model-cache NAME[:MOUNT[:SUBPATH]], --transport nvlink|ib|efa,
 *   --image-pull-secret S              K8sConfig shortcuts; they win over --generator-set
 *   --generator-help [all|deploy|backend] [--generator-help-backend B | --backend B]
 *
 * Use in a mode:
 *   struct cli_gen_opts g = {0};
 *   if ((rc = cli_gen_take_sets(env, &argc, argv, &g))) return rc;   // before cli_parse
 *   const struct cli_optset sets[] = {{my_table, &o}, {cli_gen_table, &g}};
 *   ... cli_parse(...) ...
 *   struct aic_gencfg *cfg; if ((rc = cli_gen_build(env, &g, 1, &cfg))) ...;
 *   ... aic_gencfg_free(cfg); cli_gen_opts_free(&g);
 *
 * Ownership: strings point into argv; cli_gen_opts_free() releases the list of sets.
 */
#ifndef AIC_CLI_GEN_H
#define AIC_CLI_GEN_H

#include "aiconfigurator/generate.h"
#include "cli/cli.h"

struct cli_gen_opts {
    const char *gen_config, *tmpl_version, *dynamo_version;
    const char *ns, *model_cache, *transport, *pull_secret;
    const char **sets; /* --generator-set values, in order (malloc'd array) */
    int nsets;
};

/* Option table filling struct cli_gen_opts (everything but --generator-set/-help). */
extern const struct cli_opt cli_gen_table[];

/* Removes every `--generator-set X` / `--generator-set=X` from argv (updating *argc) into
 * o->sets. A missing value prints an error and returns CLI_USAGE. */
int cli_gen_take_sets(struct cli_env *env, int *argc, char **argv, struct cli_gen_opts *o);

/* When argv holds --generator-help: prints the reference and returns CLI_DONE (unknown
 * section: error, CLI_USAGE). Returns CLI_OK when the flag is absent. */
int cli_gen_help(struct cli_env *env, int argc, char **argv);

/* Whether any generator flag was given (a file, a set, a version or a shortcut). */
int cli_gen_any(const struct cli_gen_opts *o);

/* Builds the overrides: --generator-config (when load_file), the sets, the versions, then the
 * cluster shortcuts. Bad key or value: one-line error, CLI_USAGE (or CLI_FAIL for I/O), *out
 * NULL. Caller frees *out with aic_gencfg_free(). */
int cli_gen_build(struct cli_env *env, const struct cli_gen_opts *o, int load_file,
                  struct aic_gencfg **out);

void cli_gen_opts_free(struct cli_gen_opts *o);

/* Whether v looks like a backend version number: a digit first, at least one dot, then only
 * [0-9A-Za-z.+-] ("1.3.0rc23", "0.5.10.post1"). */
int cli_gen_version_shape(const char *v);

#endif
