/*
 * model_load.c - finds a model by name: a local directory, a config.json path, a bundled
 * Hugging Face id (data/models/<org>--<name>/), an alias of a bundled id, or a legacy
 * internal name (QWEN3_32B, ...). Also the bundled-id listing and aic_data_dir().
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aiconfigurator/model.h"
#include "model/model_internal.h"
#include "util/util.h"

/* Ids that share a bundled config with another id (same architecture and dimensions). */
static const struct {
    const char *alias, *id;
} model_aliases[] = {
    {"meta-llama/Meta-Llama-3.1-8B", "meta-llama/Llama-3.1-8B"},
    {"meta-llama/Meta-Llama-3.1-70B", "meta-llama/Llama-3.1-70B"},
    {"meta-llama/Meta-Llama-3.1-405B", "meta-llama/Llama-3.1-405B"},
    {"meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B"},
    {"meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B"},
    {"meta-llama/Meta-Llama-3.1-405B-Instruct", "meta-llama/Llama-3.1-405B"},
    {"meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B"},
    {"meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B"},
    {"meta-llama/Llama-3.1-405B-Instruct", "meta-llama/Llama-3.1-405B"},
    {"meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-hf"},
    {"meta-llama/Llama-2-13b-chat-hf", "meta-llama/Llama-2-13b-hf"},
    {"meta-llama/Llama-2-70b-chat-hf", "meta-llama/Llama-2-70b-hf"},
    {"zhipuai/GLM-5", "zai-org/GLM-5"},
    {"THUDM/GLM-4.5", "zai-org/GLM-4.5"},
    {"mistralai/Mixtral-8x7B-Instruct-v0.1", "mistralai/Mixtral-8x7B-v0.1"},
    /* thinking releases in their instruct sibling's format */
    {"Qwen/Qwen3-235B-A22B-Thinking-2507", "Qwen/Qwen3-235B-A22B"},
    {"Qwen/Qwen3-235B-A22B-Thinking-2507-FP8", "Qwen/Qwen3-235B-A22B-FP8"},
    {"Qwen/Qwen3-30B-A3B-Thinking-2507", "Qwen/Qwen3-30B-A3B"},
    {"Qwen/Qwen3-30B-A3B-Thinking-2507-FP8", "Qwen/Qwen3-30B-A3B-FP8"},
    {"Qwen/Qwen3-Next-80B-A3B-Thinking", "Qwen/Qwen3-Next-80B-A3B-Instruct"},
    {"Qwen/Qwen3-VL-30B-A3B-Thinking", "Qwen/Qwen3-VL-30B-A3B-Instruct"},
    {"Qwen/Qwen3-VL-235B-A22B-Thinking", "Qwen/Qwen3-VL-235B-A22B-Instruct"},
    {"deepseek-ai/DeepSeek-V3.2", "deepseek-ai/DeepSeek-V3.2-Exp"},
    /* later releases on an unchanged architecture */
    {"MiniMaxAI/MiniMax-M2.1", "MiniMaxAI/MiniMax-M2"},
    {"deepseek-ai/DeepSeek-V3.1-Terminus", "deepseek-ai/DeepSeek-V3.1"},
    {"zai-org/GLM-5.1", "zai-org/GLM-5"},
    {"zai-org/GLM-5.1-FP8", "zai-org/GLM-5-FP8"},
    {"moonshotai/Kimi-K2.6", "moonshotai/Kimi-K2.5"},
    {"Qwen/Qwen3.6-35B-A3B", "Qwen/Qwen3.5-35B-A3B"},
    /* DeepSeek-R1 distillations: their base models' architecture and dimensions */
    {"deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "meta-llama/Llama-3.3-70B-Instruct"},
    {"deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B"},
    {"deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "Qwen/Qwen2.5-32B"},
    {"deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "Qwen/Qwen2.5-14B"},
    {"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "Qwen/Qwen2.5-7B"},
    /* base and instruct releases of one Mistral version share a config (versions differ:
     * v0.1 has a 4096-token sliding window, v0.3 a 32768-token vocabulary) */
    {"mistralai/Mistral-7B-Instruct-v0.1", "mistralai/Mistral-7B-v0.1"},
    {"mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-Instruct-v0.3"},
    {"mistralai/Mistral-Large-Instruct-2407", "mistralai/Mistral-Large-Instruct-2411"},
    {"meta-llama/Llama-3.2-1B-Instruct", "meta-llama/Llama-3.2-1B"},
    {"meta-llama/Llama-3.2-3B-Instruct", "meta-llama/Llama-3.2-3B"},
};

/* Legacy internal names (AIConfigurator v0.2-v0.6 `--model`) -> Hugging Face ids. */
static const struct {
    const char *legacy, *id;
} legacy_names[] = {
    {"LLAMA2_7B", "meta-llama/Llama-2-7b-hf"},
    {"LLAMA2_13B", "meta-llama/Llama-2-13b-hf"},
    {"LLAMA2_70B", "meta-llama/Llama-2-70b-hf"},
    {"LLAMA3.1_8B", "meta-llama/Meta-Llama-3.1-8B"},
    {"LLAMA3.1_70B", "meta-llama/Meta-Llama-3.1-70B"},
    {"LLAMA3.1_405B", "meta-llama/Meta-Llama-3.1-405B"},
    {"MOE_Mixtral8x7B", "mistralai/Mixtral-8x7B-v0.1"},
    {"MOE_Mixtral8x22B", "mistralai/Mixtral-8x22B-v0.1"},
    {"DEEPSEEK_V3", "deepseek-ai/DeepSeek-V3"},
    {"QWEN2.5_1.5B", "Qwen/Qwen2.5-1.5B"},
    {"QWEN2.5_7B", "Qwen/Qwen2.5-7B"},
    {"QWEN2.5_32B", "Qwen/Qwen2.5-32B"},
    {"QWEN2.5_72B", "Qwen/Qwen2.5-72B"},
    {"QWEN3_32B", "Qwen/Qwen3-32B"},
    {"QWEN3_0.6B", "Qwen/Qwen3-0.6B"},
    {"QWEN3_1.7B", "Qwen/Qwen3-1.7B"},
    {"QWEN3_8B", "Qwen/Qwen3-8B"},
    {"QWEN3_30B_A3B", "Qwen/Qwen3-30B-A3B"},
    {"QWEN3_235B", "Qwen/Qwen3-235B-A22B"},
    {"QWEN3_480B", "Qwen/Qwen3-Coder-480B-A35B-Instruct"},
    {"GPT_OSS_120B", "openai/gpt-oss-120b"},
    {"GPT_OSS_20B", "openai/gpt-oss-20b"},
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *aic_data_dir(void)
{
    const char *env = getenv("AIC_DATA_DIR");
    if (env && *env)
        return env;
#ifdef AIC_DATA_DIR
    return AIC_DATA_DIR;
#else
    return "data";
#endif
}

static void default_models_dir(const char *models_dir, char *dst, size_t n)
{
    const char *env = getenv("AIC_MODELS_DIR");
    if (models_dir && *models_dir)
        aic_strlcpy(dst, models_dir, n);
    else if (env && *env)
        aic_strlcpy(dst, env, n);
    else
        aic_path_join(dst, n, aic_data_dir(), "models");
}

/* "org/name" <-> "org--name" */
static void id_to_dirname(const char *id, char *dst, size_t n)
{
    size_t j = 0;
    for (const char *p = id; *p && j + 2 < n; p++) {
        if (*p == '/') {
            dst[j++] = '-';
            dst[j++] = '-';
        } else {
            dst[j++] = *p;
        }
    }
    dst[j] = 0;
}

static void dirname_to_id(const char *d, char *dst, size_t n)
{
    const char *sep = strstr(d, "--");
    if (!sep) {
        aic_strlcpy(dst, d, n);
        return;
    }
    snprintf(dst, n, "%.*s/%s", (int)(sep - d), d, sep + 2);
}

/* ---- the bundled listing (cached per folder; static storage) ------------------------ */

static struct {
    char dir[AIC_PATH_MAX_MODEL];
    char **ids;
    int count;
} bundled;

static int cmp_str(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int dir_has_config(const char *models, const char *dname)
{
    char path[AIC_PATH_MAX_MODEL], cfg[AIC_PATH_MAX_MODEL];
    aic_path_join(path, sizeof(path), models, dname);
    aic_path_join(cfg, sizeof(cfg), path, "config.json");
    return aic_is_file(cfg);
}

static void add_id(char ***ids, int *n, int *cap, const char *id)
{
    char **p = aic_grow(*ids, *n, cap, sizeof(*p), 64);

    if (!p)
        return;
    *ids = p;
    if (((*ids)[*n] = strdup(id)))
        (*n)++;
}

static int listed(char **ids, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(ids[i], id) == 0)
            return 1;
    return 0;
}

static void bundled_refresh(const char *models_dir)
{
    char dir[AIC_PATH_MAX_MODEL], id[AIC_MODEL_ID_MAX];
    char **ids = NULL;
    int n = 0, cap = 0;
    DIR *d;
    struct dirent *e;

    default_models_dir(models_dir, dir, sizeof(dir));
    if (bundled.ids && strcmp(dir, bundled.dir) == 0)
        return;
    for (int i = 0; i < bundled.count; i++)
        free(bundled.ids[i]);
    free(bundled.ids);
    bundled.ids = NULL;
    bundled.count = 0;
    aic_strlcpy(bundled.dir, dir, sizeof(bundled.dir));
    if ((d = opendir(dir))) {
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || !dir_has_config(dir, e->d_name))
                continue;
            dirname_to_id(e->d_name, id, sizeof(id));
            add_id(&ids, &n, &cap, id);
        }
        closedir(d);
    }
    for (size_t i = 0; i < N_ELEMS(model_aliases); i++)
        if (listed(ids, n, model_aliases[i].id) && !listed(ids, n, model_aliases[i].alias))
            add_id(&ids, &n, &cap, model_aliases[i].alias);
    if (n > 1)
        qsort(ids, (size_t)n, sizeof(*ids), cmp_str);
    bundled.ids = ids;
    bundled.count = n;
}

int aic_model_bundled_count(const char *models_dir)
{
    bundled_refresh(models_dir);
    return bundled.count;
}

const char *aic_model_bundled_id(const char *models_dir, int i)
{
    bundled_refresh(models_dir);
    return (i >= 0 && i < bundled.count) ? bundled.ids[i] : NULL;
}

/* ---- loading ------------------------------------------------------------------------- */

/* Reads <dir>/config.json and the optional <dir>/hf_quant_config.json, then parses. */
static int load_from_dir(const char *dir, const char *id, struct aic_model *out,
                         struct aic_error *err)
{
    char cfg_path[AIC_PATH_MAX_MODEL], q_path[AIC_PATH_MAX_MODEL];
    char *cfg = NULL, *q = NULL;
    int rc;

    aic_path_join(cfg_path, sizeof(cfg_path), dir, "config.json");
    aic_path_join(q_path, sizeof(q_path), dir, "hf_quant_config.json");
    if (!aic_is_file(cfg_path))
        return aic_err(err, AIC_ERR_NOTFOUND,
                       "model folder '%s' has no config.json; pass the folder holding the "
                       "checkpoint's config.json",
                       dir);
    if ((rc = aic_read_file(cfg_path, &cfg, NULL, err)))
        return rc;
    if (aic_is_file(q_path) && (rc = aic_read_file(q_path, &q, NULL, err))) {
        free(cfg);
        return rc;
    }
    rc = aic_model_parse_named(cfg, q, id, cfg_path, q_path, out, err);
    free(cfg);
    free(q);
    return rc;
}

/* A path to a config.json file: its folder may also hold hf_quant_config.json. */
static int load_from_file(const char *path, struct aic_model *out, struct aic_error *err)
{
    char dir[AIC_PATH_MAX_MODEL], q_path[AIC_PATH_MAX_MODEL];
    char *cfg = NULL, *q = NULL, *slash;
    int rc;

    aic_strlcpy(dir, path, sizeof(dir));
    slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        aic_strlcpy(dir, ".", sizeof(dir));
    aic_path_join(q_path, sizeof(q_path), dir, "hf_quant_config.json");
    if ((rc = aic_read_file(path, &cfg, NULL, err)))
        return rc;
    if (aic_is_file(q_path) && (rc = aic_read_file(q_path, &q, NULL, err))) {
        free(cfg);
        return rc;
    }
    rc = aic_model_parse_named(cfg, q, path, path, q_path, out, err);
    free(cfg);
    free(q);
    return rc;
}

/* Bundled folder for `id` (case-insensitive); fills the canonical id. */
static int find_bundled(const char *models, const char *id, char *dir, size_t n, char *canon,
                        size_t cn)
{
    char want[AIC_MODEL_ID_MAX * 2];
    DIR *d;
    struct dirent *e;
    int found = 0;

    id_to_dirname(id, want, sizeof(want));
    if (!(d = opendir(models)))
        return 0;
    while (!found && (e = readdir(d))) {
        if (strcasecmp(e->d_name, want) == 0 && dir_has_config(models, e->d_name)) {
            aic_path_join(dir, n, models, e->d_name);
            dirname_to_id(e->d_name, canon, cn);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

static int unknown_model(const char *name, const char *models_dir, struct aic_error *err)
{
    const char *best[3] = {NULL, NULL, NULL};
    int dist[3] = {1 << 30, 1 << 30, 1 << 30};
    int count = aic_model_bundled_count(models_dir);

    for (int i = 0; i < count; i++) {
        const char *id = aic_model_bundled_id(models_dir, i);
        const char *slash = strchr(id, '/');
        int dl = aic_edit_distance(name, id);
        if (slash && !strchr(name, '/')) { /* "Qwen3-32b" vs "Qwen/Qwen3-32B" */
            int dn = aic_edit_distance(name, slash + 1);
            if (dn < dl)
                dl = dn;
        }
        for (int k = 0; k < 3; k++) {
            if (dl < dist[k]) {
                for (int j = 2; j > k; j--) {
                    dist[j] = dist[j - 1];
                    best[j] = best[j - 1];
                }
                dist[k] = dl;
                best[k] = id;
                break;
            }
        }
    }
    if (!best[0])
        return aic_err(err, AIC_ERR_USAGE,
                       "unknown model '%s' (no bundled models found in '%s'); "
                       "pass a local directory with config.json",
                       name, bundled.dir);
    return aic_err(err, AIC_ERR_USAGE,
                   "unknown model '%s'; closest bundled ids: %s%s%s%s%s; or "
                   "pass a local directory with config.json",
                   name, best[0], best[1] ? ", " : "", best[1] ? best[1] : "", best[2] ? ", " : "",
                   best[2] ? best[2] : "");
}

static const char *resolve_alias(const char *name)
{
    for (size_t i = 0; i < N_ELEMS(legacy_names); i++)
        if (strcasecmp(name, legacy_names[i].legacy) == 0)
            return legacy_names[i].id;
    return name;
}

/* A published variant of a bundled model (model_variant.c): the bundled config, under the
 * requested id, with the quantization its name states. */
static int load_variant(const char *name, const char *id, const char *models_dir,
                        struct aic_model *out, struct aic_error *err)
{
    int cq;
    const char *base = model_variant_base(models_dir, id, &cq);
    char base_id[AIC_MODEL_ID_MAX];
    int rc;

    if (!base)
        return unknown_model(name, models_dir, err);
    aic_strlcpy(base_id, base, sizeof(base_id));
    if ((rc = aic_model_load(base_id, models_dir, out, err)))
        return rc;
    aic_strlcpy(out->id, id, sizeof(out->id));
    aic_strlcpy(out->config_of, base_id, sizeof(out->config_of));
    if (cq >= 0)
        model_set_ckpt_quant(out, (enum ckpt_quant)cq, NULL);
    return AIC_OK;
}

/* Whether `name` reads as a filesystem path rather than an id: absolute, ./ ../ or ~ first,
 * a .json file, or more than one '/' (a Hugging Face id has one, a legacy name none). */
static int looks_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && !strcasecmp(name + n - 5, ".json");
}

static int looks_like_path(const char *name)
{
    const char *slash = strchr(name, '/');
    return name[0] == '/' || name[0] == '~' || !strncmp(name, "./", 2) ||
           !strncmp(name, "../", 3) || !strcmp(name, ".") || !strcmp(name, "..") ||
           looks_json(name) || (slash && strchr(slash + 1, '/'));
}

/* A local directory or config.json file (`~` and `~/...` expanded from $HOME); 1 when `name`
 * is one, or reads as a path that does not exist (*rc then holds the error), else 0. */
static int load_local(const char *name, struct aic_model *out, struct aic_error *err, int *rc)
{
    char path[AIC_PATH_MAX_MODEL];
    const char *home = getenv("HOME");

    if (name[0] == '~' && (!name[1] || name[1] == '/') && home && *home)
        snprintf(path, sizeof(path), "%s%s", home, name + 1);
    else
        aic_strlcpy(path, name, sizeof(path));
    if (aic_is_dir(path))
        *rc = load_from_dir(path, path, out, err);
    else if (aic_is_file(path))
        *rc = load_from_file(path, out, err);
    else if (looks_like_path(name))
        *rc = aic_err(err, AIC_ERR_NOTFOUND,
                      "no such model %s '%s'; pass an existing folder holding config.json, or a "
                      "Hugging Face id such as Qwen/Qwen3-32B",
                      looks_json(name) ? "config file" : "directory", name);
    else
        return 0;
    return 1;
}

int aic_model_load(const char *name, const char *models_dir, struct aic_model *out,
                   struct aic_error *err)
{
    char models[AIC_PATH_MAX_MODEL], dir[AIC_PATH_MAX_MODEL], canon[AIC_MODEL_ID_MAX];
    const char *id;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!name || !*name)
        return aic_err(err, AIC_ERR_USAGE,
                       "no model given; pass a Hugging Face id (e.g. "
                       "Qwen/Qwen3-32B) or a local directory with config.json");
    if (load_local(name, out, err, &rc))
        return rc;
    default_models_dir(models_dir, models, sizeof(models));
    id = resolve_alias(name);
    if (find_bundled(models, id, dir, sizeof(dir), canon, sizeof(canon)))
        return load_from_dir(dir, canon, out, err);
    for (size_t i = 0; i < N_ELEMS(model_aliases); i++) {
        if (strcasecmp(id, model_aliases[i].alias) != 0)
            continue;
        if (!find_bundled(models, model_aliases[i].id, dir, sizeof(dir), canon, sizeof(canon)))
            break;
        rc = load_from_dir(dir, model_aliases[i].alias, out, err);
        return rc;
    }
    return load_variant(name, id, models_dir, out, err);
}
