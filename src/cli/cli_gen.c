/*
 * cli_gen.c - generator flags shared by the modes that write deployment artifacts
 * (`cli generate`, `cli default`, `cli recommend`, `cli exp`): the option table, the
 * repeatable --generator-set, --generator-help, and building struct aic_gencfg from them.
 * See cli_gen.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_gen.h"

#define O(f) offsetof(struct cli_gen_opts, f)
const struct cli_opt cli_gen_table[] = {
    {"generator-config", NULL, CLI_STRING, O(gen_config), 0, 0, NULL, "FILE",
     "generator config YAML (overrides; `cli generate`: a saved generator_config.yaml alone "
     "re-renders it)"},
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

static int is_flag(const char *a, const char *dashed)
{
    /* dashed is "--generator-set"; also accept the underscore spelling */
    size_t n = strlen(dashed);
    if (strlen(a) < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = a[i] == '_' ? '-' : a[i];
        if (c != dashed[i])
            return 0;
    }
    return a[n] == 0 ? 1 : a[n] == '=' ? 2 : 0;
}

int cli_gen_take_sets(struct cli_env *env, int *argc, char **argv, struct cli_gen_opts *o)
{
    int n = *argc, j = 0;
    const char **sets = realloc(o->sets, ((size_t)o->nsets + (size_t)n + 1) * sizeof(*sets));
    if (!sets)
        return cli_error(env, 0, "out of memory");
    o->sets = sets;
    for (int i = 0; i < n; i++) {
        int k = is_flag(argv[i], "--generator-set");
        if (k == 1 && (i + 1 >= n || !*argv[i + 1]))
            return cli_error(env, 1, "--generator-set expects a value: Section.key=value");
        if (k == 1)
            o->sets[o->nsets++] = argv[++i];
        else if (k == 2)
            o->sets[o->nsets++] = argv[i] + strlen("--generator-set=");
        else
            argv[j++] = argv[i];
    }
    *argc = j;
    return CLI_OK;
}

int cli_gen_help(struct cli_env *env, int argc, char **argv)
{
    const char *section = NULL;
    int backend = -1, found = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int k = is_flag(a, "--generator-help");
        if (k == 1) {
            found = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                section = argv[++i];
        } else if (k == 2) {
            found = 1;
            section = a + strlen("--generator-help=");
        } else if ((k = is_flag(a, "--generator-help-backend")) || (k = is_flag(a, "--backend"))) {
            const char *v = k == 2 ? strchr(a, '=') + 1 : i + 1 < argc ? argv[++i] : "";
            backend = aic_backend_parse(v);
        }
    }
    if (!found)
        return CLI_OK;
    char *text = aic_gen_help(section, backend);
    if (!text)
        return cli_error(
            env, 1, "unknown --generator-help section '%s' (valid: all, deploy, backend)", section);
    fputs(text, stdout);
    free(text);
    return CLI_DONE;
}

int cli_gen_any(const struct cli_gen_opts *o)
{
    return o->gen_config || o->tmpl_version || o->dynamo_version || o->ns || o->model_cache ||
           o->transport || o->pull_secret || o->nsets > 0;
}

/* Sets key ("Section.key") to v, double-quoted when quote; returns the library's status. */
static int setkv(struct aic_gencfg *c, struct aic_error *err, const char *key, const char *v,
                 int quote)
{
    char buf[1200];
    snprintf(buf, sizeof(buf), quote ? "%s=\"%s\"" : "%s=%s", key, v);
    return aic_gencfg_set(c, buf, err);
}

int cli_gen_version_shape(const char *v)
{
    int dot = 0;
    if (!v || !(*v >= '0' && *v <= '9'))
        return 0;
    for (; *v; v++) {
        char ch = *v;
        if (ch == '.')
            dot = 1;
        else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= 'A' && ch <= 'Z') || ch == '+' || ch == '-'))
            return 0;
    }
    return dot;
}

static int apply(const struct cli_gen_opts *o, int load_file, struct aic_gencfg *c,
                 struct aic_error *err)
{
    if (o->tmpl_version && !cli_gen_version_shape(o->tmpl_version))
        return aic_err(err, AIC_ERR_USAGE,
                       "--generated-config-version '%s' is not a backend version number (e.g. "
                       "trtllm 1.3.0rc23, vllm 0.24.0, sglang 0.5.16)",
                       o->tmpl_version);
    if (load_file && o->gen_config && aic_gencfg_load_file(c, o->gen_config, err))
        return -1;
    for (int i = 0; i < o->nsets; i++)
        if (aic_gencfg_set(c, o->sets[i], err))
            return -1;
    if (o->tmpl_version && setkv(c, err, "config_template_version", o->tmpl_version, 1))
        return -1;
    if (o->dynamo_version && setkv(c, err, "generator_dynamo_version", o->dynamo_version, 1))
        return -1;
    if (o->ns && setkv(c, err, "K8sConfig.k8s_namespace", o->ns, 0))
        return -1;
    if (o->transport && strcmp(o->transport, "nvlink") && strcmp(o->transport, "ib") &&
        strcmp(o->transport, "efa"))
        return aic_err(err, AIC_ERR_USAGE, "--transport '%s' is not one of nvlink, ib, efa",
                       o->transport);
    if (o->transport && setkv(c, err, "K8sConfig.transport", o->transport, 0))
        return -1;
    if (o->pull_secret && setkv(c, err, "K8sConfig.k8s_image_pull_secret", o->pull_secret, 0))
        return -1;
    if (o->model_cache) {
        char name[256] = "", mount[512] = "", sub[512] = "";
        sscanf(o->model_cache, "%255[^:]:%511[^:]:%511s", name, mount, sub);
        if (!*name)
            return aic_err(err, AIC_ERR_USAGE,
                           "--model-cache needs a PVC name: NAME[:MOUNT[:SUBPATH]]");
        if (setkv(c, err, "K8sConfig.k8s_pvc_name", name, 0) ||
            (*mount && setkv(c, err, "K8sConfig.k8s_pvc_mount_path", mount, 0)) ||
            (*sub && setkv(c, err, "K8sConfig.k8s_model_path_in_pvc", sub, 0)))
            return -1;
    }
    return 0;
}

int cli_gen_build(struct cli_env *env, const struct cli_gen_opts *o, int load_file,
                  struct aic_gencfg **out)
{
    struct aic_error err = {0};
    struct aic_gencfg *c = aic_gencfg_new();

    *out = NULL;
    if (!c)
        return cli_error(env, 0, "out of memory");
    if (apply(o, load_file, c, &err)) {
        aic_gencfg_free(c);
        return cli_lib_error(env, &err);
    }
    *out = c;
    return CLI_OK;
}

void cli_gen_opts_free(struct cli_gen_opts *o)
{
    free(o->sets);
    o->sets = NULL;
    o->nsets = 0;
}
