/*
 * cmd_generate.c - `aiconfigurator cli generate`: the naive configuration (no sweep) and its
 * deployment artifacts, or a re-render of a saved generator_config.yaml.
 *
 *   cli generate --model_path M --total_gpus N --system S [--backend B] [--save_dir DIR]
 *   cli generate --generator-config DIR/generator_config.yaml --save_dir NEW_DIR
 *   cli generate --generator-help [deploy|backend]
 *
 * Generator options shared with the sweep modes: --generator-config FILE, repeatable
 * --generator-set Section.key=value, --generated_config_version V, --dynamo-version V, and
 * the cluster shortcuts --namespace, --model-cache NAME[:MOUNT[:SUBPATH]], --transport,
 * --image-pull-secret (they win over --generator-set). cli_generator_options() below is
 * what other modes can reuse.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aiconfigurator/generate.h"
#include "cli/cli.h"

struct gen_opts {
    const char *model, *system, *backend_version, *save_dir, *gen_config, *tmpl_version;
    const char *dynamo_version, *ns, *model_cache, *transport, *pull_secret;
    int backend, total_gpus, isl, osl, prefix;
};

static const char *const backend_choices[] = {"trtllm", "vllm", "sglang", NULL};

#define O(f) offsetof(struct gen_opts, f)
static const struct cli_opt gen_table[] = {
    {"model-path", "model hf-id", CLI_STRING, O(model), 0, 0, NULL, "ID|DIR",
     "Hugging Face id, local directory with config.json, or legacy name (required)"},
    {"total-gpus", NULL, CLI_INT, O(total_gpus), 1, 1e6, NULL, "N", "GPU budget (required)"},
    {"system", NULL, CLI_STRING, O(system), 0, 0, NULL, "NAME",
     "GPU system, e.g. h200_sxm (required)"},
    {"backend", NULL, CLI_ENUM, O(backend), 0, 0, backend_choices, NULL,
     "serving framework (default trtllm)"},
    {"backend-version", "perf-db-version", CLI_STRING, O(backend_version), 0, 0, NULL, "VER",
     "backend version (default: newest perf data for the system)"},
    {"save-dir", NULL, CLI_STRING, O(save_dir), 0, 0, NULL, "DIR",
     "where to write (default ./output)"},
    {"isl", NULL, CLI_INT, O(isl), 1, 1e7, NULL, "N", "input tokens per request (default 4000)"},
    {"osl", NULL, CLI_INT, O(osl), 1, 1e7, NULL, "N", "output tokens per request (default 1000)"},
    {"prefix", NULL, CLI_INT, O(prefix), 0, 1e7, NULL, "N",
     "cached prefix tokens (default 0; > 0 enables the KV router)"},
    {"generator-config", NULL, CLI_STRING, O(gen_config), 0, 0, NULL, "FILE",
     "generator config YAML (overrides; a saved generator_config.yaml alone re-renders it)"},
    {"config-template-version", "generated-config-version", CLI_STRING, O(tmpl_version), 0, 0, NULL,
     "VER", "render the templates of another backend version"},
    {"dynamo-version", "generator-dynamo-version", CLI_STRING, O(dynamo_version), 0, 0, NULL, "VER",
     "Dynamo release: image tag and template version (e.g. 1.3.0)"},
    {"namespace", NULL, CLI_STRING, O(ns), 0, 0, NULL, "NS",
     "Kubernetes namespace (K8sConfig.k8s_namespace)"},
    {"model-cache", NULL, CLI_STRING, O(model_cache), 0, 0, NULL, "NAME[:MOUNT[:SUBPATH]]",
     "model-cache PVC mounted into the pods"},
    {"transport", NULL, CLI_STRING, O(transport), 0, 0, NULL, "nvlink|ib|efa",
     "KV transfer fabric"},
    {"image-pull-secret", NULL, CLI_STRING, O(pull_secret), 0, 0, NULL, "NAME",
     "image pull secret"},
    {0},
};
#undef O

static const char gen_summary[] =
    "Writes a naive configuration (smallest TP that holds the model, replicas filling the GPUs) "
    "and its deployment artifacts, without a sweep. Extra: --generator-set Section.key=value "
    "(repeatable), --generator-help [deploy|backend].";

/* Removes `--generator-set X` / `--generator-set=X` from argv into sets[]; returns new argc. */
static int take_sets(int argc, char **argv, const char **sets, int *nsets, int max, int *bad)
{
    int j = 0;
    *bad = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--generator-set") || !strcmp(a, "--generator_set")) {
            if (i + 1 >= argc) {
                *bad = 1;
                continue;
            }
            if (*nsets < max)
                sets[(*nsets)++] = argv[++i];
            continue;
        }
        if (!strncmp(a, "--generator-set=", 16) || !strncmp(a, "--generator_set=", 16)) {
            if (*nsets < max)
                sets[(*nsets)++] = a + 16;
            continue;
        }
        argv[j++] = argv[i];
    }
    return j;
}

/* `--generator-help [SECTION]` anywhere in argv: prints and returns 1 (or -1 on error). */
static int generator_help(struct cli_env *env, int argc, char **argv)
{
    const char *section = NULL;
    int backend = -1, found = 0;
    char *text;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--generator-help") || !strcmp(a, "--generator_help")) {
            found = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                section = argv[++i];
        } else if (!strncmp(a, "--generator-help=", 17) || !strncmp(a, "--generator_help=", 17)) {
            found = 1;
            section = a + 17;
        } else if ((!strcmp(a, "--generator-help-backend") || !strcmp(a, "--backend")) &&
                   i + 1 < argc) {
            backend = aic_backend_parse(argv[++i]);
        }
    }
    if (!found)
        return 0;
    if (!(text = aic_gen_help(section, backend))) {
        cli_error(env, 1, "unknown --generator-help section '%s' (valid: all, deploy, backend)",
                  section);
        return -1;
    }
    fputs(text, stdout);
    free(text);
    return 1;
}

/* Applies --generator-config (when not a re-render), --generator-set and the shortcut flags. */
static int build_overrides(struct cli_env *env, const struct gen_opts *o, const char **sets,
                           int nsets, int load_file, struct aic_gencfg *cfg)
{
    struct aic_error err = {0};
    char buf[1200];

    if (load_file && o->gen_config && aic_gencfg_load_file(cfg, o->gen_config, &err))
        return cli_lib_error(env, &err);
    for (int i = 0; i < nsets; i++)
        if (aic_gencfg_set(cfg, sets[i], &err))
            return cli_lib_error(env, &err);
    if (o->tmpl_version) {
        snprintf(buf, sizeof(buf), "config_template_version=\"%s\"", o->tmpl_version);
        if (aic_gencfg_set(cfg, buf, &err))
            return cli_lib_error(env, &err);
    }
    if (o->dynamo_version) {
        snprintf(buf, sizeof(buf), "generator_dynamo_version=\"%s\"", o->dynamo_version);
        if (aic_gencfg_set(cfg, buf, &err))
            return cli_lib_error(env, &err);
    }
    if (o->ns) {
        snprintf(buf, sizeof(buf), "K8sConfig.k8s_namespace=%s", o->ns);
        if (aic_gencfg_set(cfg, buf, &err))
            return cli_lib_error(env, &err);
    }
    if (o->transport) {
        snprintf(buf, sizeof(buf), "K8sConfig.transport=%s", o->transport);
        if (aic_gencfg_set(cfg, buf, &err))
            return cli_lib_error(env, &err);
    }
    if (o->pull_secret) {
        snprintf(buf, sizeof(buf), "K8sConfig.k8s_image_pull_secret=%s", o->pull_secret);
        if (aic_gencfg_set(cfg, buf, &err))
            return cli_lib_error(env, &err);
    }
    if (o->model_cache) {
        char name[256] = "", mount[512] = "", sub[512] = "";
        sscanf(o->model_cache, "%255[^:]:%511[^:]:%511s", name, mount, sub);
        snprintf(buf, sizeof(buf), "K8sConfig.k8s_pvc_name=%s", name);
        if (aic_gencfg_set(cfg, buf, &err))
            return cli_lib_error(env, &err);
        if (*mount) {
            snprintf(buf, sizeof(buf), "K8sConfig.k8s_pvc_mount_path=%s", mount);
            aic_gencfg_set(cfg, buf, &err);
        }
        if (*sub) {
            snprintf(buf, sizeof(buf), "K8sConfig.k8s_model_path_in_pvc=%s", sub);
            aic_gencfg_set(cfg, buf, &err);
        }
    }
    return CLI_OK;
}

static void list_files(const char *dir)
{
    char cmd[64];
    for (int i = 0;; i++) {
        char path[2048];
        snprintf(cmd, sizeof(cmd), "run_%d.sh", i);
        snprintf(path, sizeof(path), "%s/%s", dir, cmd);
        if (access(path, F_OK))
            break;
        printf("  - %s\n", cmd);
    }
    static const char *const files[] = {"k8s_deploy.yaml",       "agg_config.yaml",
                                        "prefill_config.yaml",   "decode_config.yaml",
                                        "generator_config.yaml", NULL};
    for (int i = 0; files[i]; i++) {
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        if (!access(path, F_OK))
            printf("  - %s\n", files[i]);
    }
}

static void summary(const struct cli_env *env, const struct aic_model *m, const struct gen_opts *o,
                    const char *version, const struct aic_naive_info *ni, const char *dir)
{
    const char *bold = cli_color(env, "bold"), *rst = cli_color(env, "reset");
    const char *yel = cli_color(env, "yellow");
    printf("%s============================================================%s\n", bold, rst);
    printf("  %sNaive Configuration Generated Successfully%s\n", bold, rst);
    printf("%s============================================================%s\n", bold, rst);
    printf("  Model:           %s\n", m->id);
    printf("  System:          %s\n", o->system);
    printf("  Backend:         %s (%s)\n", backend_choices[o->backend], version);
    printf("  Total GPUs:      %d (using %d)\n", o->total_gpus, ni->replicas * ni->tp);
    printf("  Parallelism:     TP=%d, PP=1\n", ni->tp);
    printf("  Replicas:        %d (each using %d GPUs)\n", ni->replicas, ni->tp);
    printf("  Max Batch Size:  128\n");
    printf("  Output:          %s\n", dir);
    printf("------------------------------------------------------------\n");
    printf("  Generated files:\n");
    list_files(dir);
    printf("%s============================================================%s\n", bold, rst);
    printf("%sWARNING: this is a NAIVE configuration: the smallest tensor parallel size that\n"
           "holds 1.5x the bf16 weights, with no memory validation and no performance\n"
           "optimization. For production, run `aiconfigurator cli default` to search for the\n"
           "best configuration.%s\n",
           yel, rst);
    printf("To deploy, run the generated shell script or apply the k8s manifest.\n");
}

static void sanitize(const char *in, char *out, size_t n)
{
    size_t j = 0;
    for (; *in && j + 1 < n; in++)
        out[j++] = (*in == '/' || *in == ' ') ? '_' : *in;
    out[j] = 0;
}

static int rerender(struct cli_env *env, const struct gen_opts *o, const char **sets, int nsets)
{
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_error err = {0};
    int rc;

    if (!o->save_dir) {
        aic_gencfg_free(cfg);
        return cli_error(env, 1,
                         "re-rendering --generator-config needs --save-dir NEW_DIR "
                         "(or give --model-path to generate a naive configuration)");
    }
    rc = build_overrides(env, o, sets, nsets, 0, cfg);
    if (rc == CLI_OK && aic_generate_from_config(o->gen_config, cfg, o->save_dir, &err))
        rc = cli_lib_error(env, &err);
    aic_gencfg_free(cfg);
    if (rc == CLI_OK)
        printf("Artifacts re-rendered from %s into %s\n", o->gen_config, o->save_dir);
    return rc;
}

static int naive(struct cli_env *env, const struct gen_opts *o, const char **sets, int nsets)
{
    struct aic_ctx *ctx = aic_ctx_new(env->systems_paths);
    struct aic_error err = {0};
    const struct aic_model *m;
    const struct aic_system *sys;
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_search_row row;
    struct aic_naive_info ni;
    struct aic_gen_req req;
    char versions[256] = "", version[32], mname[256], prefix[256], dir[2048];
    int rc = CLI_OK;

    if (!ctx || !cfg) {
        rc = cli_error(env, 0, "out of memory");
        goto out;
    }
    if (aic_ctx_get_model(ctx, o->model, &m, &err) ||
        aic_ctx_get_system(ctx, o->system, &sys, &err)) {
        rc = cli_lib_error(env, &err);
        goto out;
    }
    if ((rc = build_overrides(env, o, sets, nsets, 1, cfg)) != CLI_OK)
        goto out;
    if (aic_generate_naive(m, sys, (enum aic_backend)o->backend, o->total_gpus, &row, &ni, &err)) {
        rc = cli_lib_error(env, &err);
        goto out;
    }
    aic_perfdb_versions(sys, (enum aic_backend)o->backend, versions, sizeof(versions));
    if (o->backend_version)
        snprintf(version, sizeof(version), "%s", o->backend_version);
    else if (*versions)
        sscanf(versions, "%31[^,]", version);
    else
        snprintf(version, sizeof(version), "%s",
                 o->backend == AIC_BACKEND_TRTLLM ? "1.3.0rc23"
                 : o->backend == AIC_BACKEND_VLLM ? "0.24.0"
                                                  : "0.5.16");
    aic_gen_req_init(&req);
    req.model = m;
    req.system = sys;
    req.backend_version = version;
    req.template_version = o->tmpl_version;
    req.dynamo_version = o->dynamo_version;
    req.wl.isl = o->isl;
    req.wl.osl = o->osl;
    req.wl.prefix = o->prefix;
    req.total_gpus = o->total_gpus;
    sanitize(m->id, prefix, sizeof(prefix));
    req.name_prefix = prefix;
    req.cfg = cfg;
    sanitize(m->id, mname, sizeof(mname));
    snprintf(dir, sizeof(dir), "%s/%s_naive_tp%d_pp1_%06d", o->save_dir ? o->save_dir : "./output",
             mname, ni.tp,
             (int)(((unsigned)time(NULL) * 2654435761u ^ (unsigned)getpid()) % 1000000u));
    cli_log(env, CLI_LOG_INFO, "naive configuration: %s tp%d x %d replicas on %s", m->id, ni.tp,
            ni.replicas, sys->name);
    if (aic_generate_artifacts(&req, &row, dir, &err)) {
        rc = cli_lib_error(env, &err);
        goto out;
    }
    summary(env, m, o, version, &ni, dir);
out:
    aic_gencfg_free(cfg);
    aic_ctx_free(ctx);
    return rc;
}

int cmd_generate(struct cli_env *env, int argc, char **argv)
{
    struct gen_opts o = {.isl = 4000, .osl = 1000};
    const struct cli_optset sets[] = {{gen_table, &o}};
    const char **gsets = calloc((size_t)argc + 1, sizeof(*gsets));
    int nsets = 0, bad, rc;

    if (!gsets)
        return cli_error(env, 0, "out of memory");
    rc = generator_help(env, argc, argv);
    if (rc) {
        free(gsets);
        return rc > 0 ? CLI_DONE : CLI_USAGE;
    }
    argc = take_sets(argc, argv, gsets, &nsets, argc, &bad);
    if (bad) {
        free(gsets);
        return cli_error(env, 1, "--generator-set expects a value: Section.key=value");
    }
    rc = cli_parse(env, "generate", gen_summary, sets, 1, argc, argv);
    if (rc == CLI_OK && o.gen_config && !o.model)
        rc = rerender(env, &o, gsets, nsets);
    else if (rc == CLI_OK) {
        if (!o.model)
            rc = cli_error(env, 1, "--model-path is required (e.g. Qwen/Qwen3-32B)");
        else if (!cli_given(env, 0, "total-gpus"))
            rc = cli_error(env, 1, "--total-gpus is required");
        else if (!o.system)
            rc = cli_error(env, 1, "--system is required (e.g. h200_sxm, h100_sxm)");
        else
            rc = naive(env, &o, gsets, nsets);
    }
    free(gsets);
    return rc;
}
