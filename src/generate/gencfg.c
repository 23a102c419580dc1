/*
 * gencfg.c - the generator-config schema (sections, keys, types, defaults, backend flag
 * mapping) and the store behind --generator-config FILE / --generator-set Section.key=value:
 * validation with "valid keys are ..." errors, YAML file loading, generator_config.yaml
 * dumping and the --generator-help text.
 */
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generate/gen_int.h"
#include "util/yaml.h"

/* clang-format off */
const struct gen_key gen_keys[] = {
    {"", "backend", GK_STR, "trtllm", "serving framework of the workers: trtllm, vllm, sglang", 0, 0, 0, 1},
    {"", "backend_version", GK_STR, NULL, "backend version of the configuration (perf-db version)", 0, 0, 0, 0},
    {"", "config_template_version", GK_STR, NULL, "render templates of another backend version (--generated_config_version)", 0, 0, 0, 0},
    {"", "generator_dynamo_version", GK_STR, NULL, "Dynamo release: runtime image tag (default: the release shipping backend_version)", 0, 0, 0, 0},
    {"", "rule", GK_STR, "default", "rule set: default (production limits) or benchmark (limits = simulated batch)", 0, 0, 0, 0},
    {"", "preserve_engine_limits", GK_BOOL, "false", "keep batch/token/sequence limits exactly as given (no rules)", 0, 0, 0, 0},

    {"ServiceConfig", "model_path", GK_STR, NULL, "model id or path inside the container (default: the model id)", 0, 0, 0, 0},
    {"ServiceConfig", "served_model_name", GK_STR, NULL, "name clients request (default: model_path)", 0, 0, 0, 0},
    {"ServiceConfig", "hf_token", GK_STR, "", "Hugging Face token for run_N.sh (HF_TOKEN overrides)", 0, 0, 0, 0},
    {"ServiceConfig", "head_node_ip", GK_STR, "0.0.0.0", "node 0 address (etcd, NATS, frontend) for run_N.sh", 0, 0, 0, 0},
    {"ServiceConfig", "port", GK_INT, "8000", "frontend HTTP port", 0, 0, 0, 0},
    {"ServiceConfig", "include_frontend", GK_BOOL, "true", "start the frontend on node 0", 0, 0, 0, 0},
    {"ServiceConfig", "dyn_system_port", GK_INT, "8081", "first DYN_SYSTEM_PORT of a node's workers", 0, 0, 0, 0},
    {"ServiceConfig", "dyn_vllm_kv_event_port", GK_INT, "20081", "first DYN_VLLM_KV_EVENT_PORT (vllm)", 0, 0, 0, 0},
    {"ServiceConfig", "vllm_nixl_side_channel_port", GK_INT, "20097", "first VLLM_NIXL_SIDE_CHANNEL_PORT (vllm)", 0, 0, 0, 0},
    {"ServiceConfig", "sglang_kv_event_port", GK_INT, "5557", "first KV event / bootstrap port (sglang)", 0, 0, 0, 0},

    {"K8sConfig", "name_prefix", GK_STR, "dynamo", "DynamoGraphDeployment name prefix", 0, 0, 0, 0},
    {"K8sConfig", "name", GK_STR, NULL, "DynamoGraphDeployment name (default <name_prefix>-<agg|disagg>[-router])", 0, 0, 0, 0},
    {"K8sConfig", "k8s_namespace", GK_STR, "dynamo", "Kubernetes namespace (--namespace)", 0, 0, 0, 0},
    {"K8sConfig", "k8s_image", GK_STR, NULL, "runtime image (default nvcr.io/nvidia/ai-dynamo/<backend>-runtime:<dynamo version>)", 0, 0, 0, 0},
    {"K8sConfig", "k8s_image_pull_secret", GK_STR, "", "imagePullSecrets entry", 0, 0, 0, 0},
    {"K8sConfig", "transport", GK_STR, "nvlink", "KV transfer fabric: nvlink, ib, efa (--transport)", 0, 0, 0, 0},
    {"K8sConfig", "k8s_engine_mode", GK_STR, "inline", "TRT-LLM engine YAML: inline (heredoc) or configmap", 0, 0, 0, 0},
    {"K8sConfig", "k8s_pvc_name", GK_STR, "", "model-cache PersistentVolumeClaim (--model-cache NAME)", 0, 0, 0, 0},
    {"K8sConfig", "k8s_pvc_mount_path", GK_STR, "/workspace/model_cache", "mount path of the model cache", 0, 0, 0, 0},
    {"K8sConfig", "k8s_model_path_in_pvc", GK_STR, "", "model folder inside the cache; the workers load <mount>/<this>", 0, 0, 0, 0},
    {"K8sConfig", "k8s_hf_home", GK_STR, "", "HF_HOME of the workers (default: the mount path when a cache is set)", 0, 0, 0, 0},
    {"K8sConfig", "k8s_etcd_endpoints", GK_STR, "", "ETCD_ENDPOINTS of the workers", 0, 0, 0, 0},
    {"K8sConfig", "extra_env", GK_ENVLIST, "[]", "extra worker env: list of {name, value} (or NAME=VALUE)", 0, 0, 0, 0},

    {"DynConfig", "mode", GK_STR, NULL, "agg or disagg (from the configuration)", 0, 0, 0, 1},
    {"DynConfig", "enable_router", GK_BOOL, "false", "KV-aware routing (forced on when prefix > 0)", 0, 0, 0, 0},
    {"DynConfig", "router_mode", GK_STR, "kv", "frontend --router-mode when routing", 0, 0, 0, 0},

    {"WorkerConfig", "agg_workers", GK_INT, NULL, "aggregated workers (default: fill the GPU budget)", 0, 0, 0, 0},
    {"WorkerConfig", "prefill_workers", GK_INT, NULL, "prefill workers (default: replicas x (p)workers)", 0, 0, 0, 0},
    {"WorkerConfig", "decode_workers", GK_INT, NULL, "decode workers (default: replicas x (d)workers)", 0, 0, 0, 0},

    {"Workers", "tensor_parallel_size", GK_INT, NULL, "attention TP (MoE: backends get moe_tp x moe_ep)",
     "--tensor-parallel-size / tensor_parallel_size", "--tensor-parallel-size", "--tensor-parallel-size", 1},
    {"Workers", "pipeline_parallel_size", GK_INT, NULL, "pipeline parallel size",
     "--pipeline-parallel-size / pipeline_parallel_size", "--pipeline-parallel-size", "--pipeline-parallel-size", 1},
    {"Workers", "data_parallel_size", GK_INT, NULL, "attention data parallel size",
     "enable_attention_dp (dp > 1, MoE)", "--data-parallel-size", "--data-parallel-size (+ --enable-dp-attention, MoE)", 1},
    {"Workers", "moe_tensor_parallel_size", GK_INT, NULL, "MoE tensor parallel size",
     "moe_tensor_parallel_size", "(tp x dp / moe_ep)", "(tp / expert-parallel-size)", 1},
    {"Workers", "moe_expert_parallel_size", GK_INT, NULL, "MoE expert parallel size",
     "--expert-parallel-size / moe_expert_parallel_size", "--enable-expert-parallel (= tp x dp)", "--expert-parallel-size", 1},
    {"Workers", "gpus_per_worker", GK_INT, NULL, "tp x pp x dp",
     "resources.limits.gpu", "resources.limits.gpu", "resources.limits.gpu", 1},
    {"Workers", "max_batch_size", GK_INT, NULL, "simulated batch; rules turn it into the engine limit",
     "--max-batch-size / max_batch_size (bs or 128)", "--max-num-seqs (512 or 2 x bs)", "--max-running-requests (512 or 2 x bs)", 0},
    {"Workers", "max_num_tokens", GK_INT, NULL, "tokens per engine step",
     "--max-num-tokens / max_num_tokens", "--max-num-batched-tokens", "--max-prefill-tokens", 0},
    {"Workers", "max_seq_len", GK_INT, NULL, "longest sequence",
     "--max-seq-len / max_seq_len", "--max-model-len", "--context-length", 0},
    {"Workers", "kv_cache_dtype", GK_STR, NULL, "KV cache quantization (bfloat16, fp8, ...)",
     "kv_cache_config.dtype (bf16 -> auto)", "--kv-cache-dtype (bf16 -> auto)", "--kv-cache-dtype (bf16 -> auto, fp8 -> fp8_e4m3)", 0},
    {"Workers", "kv_cache_free_gpu_memory_fraction", GK_FLOAT, NULL, "GPU memory share for the KV cache",
     "kv_cache_config.free_gpu_memory_fraction (0.8)", "--gpu-memory-utilization", "--mem-fraction-static (0.85)", 0},
    {"Workers", "tokens_per_block", GK_INT, NULL, "KV cache block size",
     "kv_cache_config.tokens_per_block (32)", "--block-size", "--page-size", 0},
    {"Workers", "cuda_graph_batch_sizes", GK_INTLIST, NULL, "CUDA graph batch sizes",
     "cuda_graph_config.batch_sizes", "--cudagraph-capture-sizes", "--cuda-graph-bs", 0},
    {"Workers", "disable_prefix_cache", GK_BOOL, NULL, "turn prefix caching off",
     "kv_cache_config.enable_block_reuse (negated)", "--no-enable-prefix-caching", "--disable-radix-cache", 0},
    {"Workers", "enable_chunked_prefill", GK_BOOL, NULL, "chunked prefill",
     "enable_chunked_prefill", "--enable-chunked-prefill", "--chunked-prefill-size", 0},
    {"Workers", "trust_remote_code", GK_BOOL, NULL, "trust the checkpoint's code",
     "trust_remote_code", "--trust-remote-code", "--trust-remote-code", 0},
    {"Workers", "gemm_quant_mode", GK_STR, NULL, "GEMM quantization of the configuration (informational)", "-", "-", "-", 0},
    {"Workers", "moe_quant_mode", GK_STR, NULL, "MoE quantization of the configuration (informational)", "-", "-", "-", 0},

    {"ModelConfig", "is_moe", GK_BOOL, NULL, "mixture-of-experts model", 0, 0, 0, 1},
    {"ModelConfig", "nextn", GK_INT, "0", "MTP draft tokens (speculative decoding)", 0, 0, 0, 0},
    {"ModelConfig", "prefix", GK_INT, "0", "cached prefix tokens (> 0 turns the KV router on)", 0, 0, 0, 0},

    {"NodeConfig", "num_gpus_per_node", GK_INT, "8", "GPUs per node (from the system spec)", 0, 0, 0, 0},
    {"NodeConfig", "system_name", GK_STR, NULL, "system (node selector, NCCL env)", 0, 0, 0, 0},

    {"SlaConfig", "isl", GK_INT, "4000", "input tokens per request", 0, 0, 0, 0},
    {"SlaConfig", "osl", GK_INT, "1000", "output tokens per request", 0, 0, 0, 0},
    {"SlaConfig", "ttft", GK_FLOAT, NULL, "TTFT target or prediction, ms (informational)", 0, 0, 0, 0},
    {"SlaConfig", "tpot", GK_FLOAT, NULL, "TPOT target or prediction, ms (informational)", 0, 0, 0, 0},

    {"BenchConfig", "estimated_concurrency", GK_INT, NULL, "requests in flight the configuration was estimated at, whole deployment (default: concurrency x replicas); bench_run.sh / k8s_bench.yaml add 0.95x, 1x, 1.05x of it", 0, 0, 0, 0},
    {NULL, NULL, GK_STR, NULL, NULL, 0, 0, 0, 0},
};
/* clang-format on */

const char *const gen_sections[] = {
    "",        "ServiceConfig", "K8sConfig",  "DynConfig", "WorkerConfig",
    "Workers", "ModelConfig",   "NodeConfig", "SlaConfig", "BenchConfig",
    NULL};
const char *const gen_roles[] = {"agg", "prefill", "decode", NULL};

static const char *section_canon(const char *s)
{
    if (!strcmp(s, "WorkerCounts"))
        return "WorkerConfig";
    return s;
}

const struct gen_key *gen_key_find(const char *section, const char *key)
{
    const char *sec = !strncmp(section, "Workers.", 8) ? "Workers" : section_canon(section);
    for (const struct gen_key *k = gen_keys; k->key; k++)
        if (!strcmp(k->section, sec) && !strcmp(k->key, key))
            return k;
    return NULL;
}

static int section_known(const char *s)
{
    for (int i = 0; gen_sections[i]; i++)
        if (!strcmp(gen_sections[i], s))
            return 1;
    return 0;
}

static void list_keys(const char *sec, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (const struct gen_key *k = gen_keys; k->key; k++)
        if (!strcmp(k->section, sec) && used < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "", k->key);
}

static void list_sections(char *buf, size_t n)
{
    size_t used = 0;
    for (int i = 1; gen_sections[i] && used < n; i++)
        used += (size_t)snprintf(
            buf + used, n - used, "%s%s", used ? ", " : "",
            !strcmp(gen_sections[i], "Workers") ? "Workers.<agg|prefill|decode>" : gen_sections[i]);
}

/* Checks a section name ("Workers.<role>" included); error names the valid ones. */
static int check_section(const char *section, struct aic_error *err)
{
    char list[512];
    if (!strncmp(section, "Workers.", 8)) {
        for (int i = 0; gen_roles[i]; i++)
            if (!strcmp(section + 8, gen_roles[i]))
                return AIC_OK;
        return aic_err(err, AIC_ERR_USAGE,
                       "unknown generator role '%s'; valid: Workers.agg, Workers.prefill, "
                       "Workers.decode",
                       section);
    }
    if (section_known(section_canon(section)) && strcmp(section, "Workers"))
        return AIC_OK;
    list_sections(list, sizeof(list));
    return aic_err(err, AIC_ERR_USAGE, "unknown generator section '%s'; valid sections: %s",
                   section, list);
}

/* ---- value checks ------------------------------------------------------------------------ */

static int parse_bool(const char *v)
{
    static const char *const t[] = {"true", "yes", "on", "1", NULL};
    static const char *const f[] = {"false", "no", "off", "0", NULL};
    for (int i = 0; t[i]; i++)
        if (!strcasecmp(v, t[i]))
            return 1;
    for (int i = 0; f[i]; i++)
        if (!strcasecmp(v, f[i]))
            return 0;
    return -1;
}

static int int_ok(const char *s)
{
    char *end;
    long v;
    while (isspace((unsigned char)*s))
        s++;
    errno = 0;
    v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    return end != s && !*end && !errno && v >= -2147483647L && v <= 2147483647L;
}

/* The range of the integer keys: ports leave room for one per worker, layout sizes and
 * worker counts stay far below what a product of them could overflow. Others: 0 to 1e9. */
static const struct {
    const char *key;
    long lo, hi;
} int_ranges[] = {
    {"port", 1, 65000},
    {"dyn_system_port", 1, 60000},
    {"dyn_vllm_kv_event_port", 1, 60000},
    {"vllm_nixl_side_channel_port", 1, 60000},
    {"sglang_kv_event_port", 1, 60000},
    {"agg_workers", 0, 16384},
    {"prefill_workers", 0, 16384},
    {"decode_workers", 0, 16384},
    {"tensor_parallel_size", 1, 1024},
    {"pipeline_parallel_size", 1, 1024},
    {"data_parallel_size", 1, 1024},
    {"moe_tensor_parallel_size", 1, 1024},
    {"moe_expert_parallel_size", 1, 1024},
    {"gpus_per_worker", 1, 65536},
    {"max_batch_size", 0, 10000000},
    {"tokens_per_block", 0, 1048576},
    {"nextn", 0, 16},
    {"num_gpus_per_node", 1, 1024},
    {"isl", 1, 1000000000},
    {"osl", 1, 1000000000},
};

/* Keys whose value is one of a few words. */
static const struct {
    const char *key, *words; /* words separated by '|' */
} enum_keys[] = {
    {"router_mode", "kv|round-robin|random"},
    {"transport", "nvlink|ib|efa"},
    {"k8s_engine_mode", "inline|configmap"},
    {"rule", "default|benchmark"},
};

/* Keys that name Kubernetes objects as given (name_prefix is made into a name). */
static const char *const k8s_name_keys[] = {"name", "k8s_namespace", "k8s_pvc_name",
                                            "k8s_image_pull_secret", NULL};

static int is_word_of(const char *v, const char *words)
{
    size_t n = strlen(v);
    for (const char *w = words; *w;) {
        size_t len = strcspn(w, "|");
        if (len == n && !strncmp(w, v, n))
            return 1;
        w += len + (w[len] == '|');
    }
    return 0;
}

static int all_of(const char *v, const char *extra)
{
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && !strchr(extra, *v))
            return 0;
    return 1;
}

/* What a string key may hold: one line of printable text (it is written into shell scripts
 * and YAML), and for some keys a word, a Kubernetes name or a host. */
static int check_text(const struct gen_key *k, const char *sec, const char *v,
                      struct aic_error *err)
{
    const char *dot = *sec ? "." : "";

    if (!aic_text_ok(v))
        return aic_err(err, AIC_ERR_USAGE,
                       "%s%s%s must be one line of printable text (it holds a control "
                       "character or invalid UTF-8)",
                       sec, dot, k->key);
    for (size_t i = 0; i < sizeof(enum_keys) / sizeof(enum_keys[0]); i++)
        if (!strcmp(k->key, enum_keys[i].key) && !is_word_of(v, enum_keys[i].words))
            return aic_err(err, AIC_ERR_USAGE, "%s%s%s must be one of %s, got '%s'", sec, dot,
                           k->key, enum_keys[i].words, v);
    for (int i = 0; k8s_name_keys[i]; i++)
        if (!strcmp(k->key, k8s_name_keys[i]) &&
            (strlen(v) > 253 || !all_of(v, "-.") || strpbrk(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
            return aic_err(err, AIC_ERR_USAGE,
                           "%s%s%s must be a Kubernetes name (lower-case letters, digits, '-' "
                           "and '.'), got '%s'",
                           sec, dot, k->key, v);
    if (!strcmp(k->key, "head_node_ip") && !all_of(v, "-.:_"))
        return aic_err(err, AIC_ERR_USAGE,
                       "%s.head_node_ip must be a host name or an IP address, got '%s'", sec, v);
    return AIC_OK;
}

/* An integer key's value within its range (int_ranges). */
static int check_int(const struct gen_key *k, const char *sec, const char *v, struct aic_error *err)
{
    long x = strtol(v, NULL, 10), lo = 0, hi = 1000000000;

    for (size_t i = 0; i < sizeof(int_ranges) / sizeof(int_ranges[0]); i++)
        if (!strcmp(k->key, int_ranges[i].key))
            lo = int_ranges[i].lo, hi = int_ranges[i].hi;
    if (x < lo || x > hi)
        return aic_err(err, AIC_ERR_USAGE, "%s%s%s must be between %ld and %ld, got '%s'", sec,
                       *sec ? "." : "", k->key, lo, hi, v);
    return AIC_OK;
}

/* An extra_env list: NAME=VALUE lines, names as the shell spells variables. */
static int check_env(const struct gen_key *k, const char *sec, const char *v, struct aic_error *err)
{
    for (const char *l = v; *l;) {
        const char *nl = strchr(l, '\n'), *eq = strchr(l, '=');
        size_t line = nl ? (size_t)(nl - l) : strlen(l);
        char buf[1024];
        if (!eq || (nl && eq > nl) || eq == l)
            return aic_err(err, AIC_ERR_USAGE, "%s.%s entries must be {name: N, value: V} or N=V",
                           sec, k->key);
        snprintf(buf, sizeof(buf), "%.*s", (int)(eq - l), l);
        if (isdigit((unsigned char)buf[0]) || !all_of(buf, "_"))
            return aic_err(err, AIC_ERR_USAGE,
                           "%s.%s: '%s' is not an environment variable name (letters, digits "
                           "and '_', not starting with a digit)",
                           sec, k->key, buf);
        snprintf(buf, sizeof(buf), "%.*s", (int)(line - (size_t)(eq + 1 - l)), eq + 1);
        if (!aic_text_ok(buf))
            return aic_err(err, AIC_ERR_USAGE,
                           "%s.%s: the value of %.*s must be one line of printable text", sec,
                           k->key, (int)(eq - l), l);
        l += line + (nl != NULL);
    }
    return AIC_OK;
}

static int check_value(const struct gen_key *k, const char *sec, const char *v,
                       struct aic_error *err)
{
    char *end;
    switch (k->type) {
    case GK_INT:
        if (!int_ok(v))
            return aic_err(err, AIC_ERR_USAGE, "%s%s%s expects an integer, got '%s'", sec,
                           *sec ? "." : "", k->key, v);
        return check_int(k, sec, v, err);
    case GK_FLOAT: {
        double d = strtod(v, &end);
        if (end == v || *end || !isfinite(d))
            return aic_err(err, AIC_ERR_USAGE, "%s%s%s expects a number, got '%s'", sec,
                           *sec ? "." : "", k->key, v);
        if (!strcmp(k->key, "kv_cache_free_gpu_memory_fraction") && !(d > 0 && d <= 1))
            return aic_err(err, AIC_ERR_USAGE,
                           "%s%s%s must be a fraction in (0, 1] of the GPU memory, got '%s'", sec,
                           *sec ? "." : "", k->key, v);
        if (d < 0)
            return aic_err(err, AIC_ERR_USAGE, "%s%s%s must not be negative, got '%s'", sec,
                           *sec ? "." : "", k->key, v);
        break;
    }
    case GK_BOOL:
        if (parse_bool(v) < 0)
            return aic_err(err, AIC_ERR_USAGE, "%s%s%s expects true or false, got '%s'", sec,
                           *sec ? "." : "", k->key, v);
        break;
    case GK_INTLIST: {
        char tmp[1024], *save = NULL, *t;
        aic_strlcpy(tmp, v, sizeof(tmp));
        for (t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if (!int_ok(t))
                return aic_err(err, AIC_ERR_USAGE, "%s.%s expects a list of integers, got '%s'",
                               sec, k->key, v);
        break;
    }
    case GK_ENVLIST:
        return check_env(k, sec, v, err);
    case GK_STR:
        return check_text(k, sec, v, err);
    }
    return AIC_OK;
}

/* ---- store ------------------------------------------------------------------------------- */

struct aic_gencfg *aic_gencfg_new(void)
{
    return calloc(1, sizeof(struct aic_gencfg));
}

void aic_gencfg_free(struct aic_gencfg *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].val);
    free(c->items);
    free(c);
}

static struct gen_item *find_item(const struct aic_gencfg *c, const char *sec, const char *key)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(c->items[i].section, sec) && !strcmp(c->items[i].key, key))
            return &c->items[i];
    return NULL;
}

int gencfg_put(struct aic_gencfg *c, const char *section, const char *key, const char *val,
               struct aic_error *err)
{
    const struct gen_key *k;
    struct gen_item *it;
    char *copy;
    const char *sec = section_canon(section);
    char list[1024];
    int rc;

    if ((rc = (*sec ? check_section(sec, err) : AIC_OK)) != AIC_OK)
        return rc;
    k = gen_key_find(sec, key);
    if (!k) {
        list_keys(!strncmp(sec, "Workers.", 8) ? "Workers" : sec, list, sizeof(list));
        if (!*sec)
            return aic_err(err, AIC_ERR_USAGE,
                           "unknown generator key '%s'; valid top-level keys: %s; sections "
                           "are written Section.key",
                           key, list);
        return aic_err(err, AIC_ERR_USAGE, "unknown key '%s' in generator section %s; valid: %s",
                       key, sec, list);
    }
    if ((rc = check_value(k, sec, val, err)) != AIC_OK)
        return rc;
    if (k->type == GK_BOOL)
        val = parse_bool(val) ? "true" : "false";
    if (!(copy = strdup(val)))
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    it = find_item(c, sec, key);
    if (it) {
        free(it->val);
        it->val = copy;
        return AIC_OK;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        struct gen_item *p = realloc(c->items, cap * sizeof(*p));
        if (!p) {
            free(copy);
            return aic_err(err, AIC_ERR_NOMEM, "out of memory");
        }
        c->items = p;
        c->cap = cap;
    }
    it = &c->items[c->n++];
    memset(it, 0, sizeof(*it));
    aic_strlcpy(it->section, sec, sizeof(it->section));
    aic_strlcpy(it->key, key, sizeof(it->key));
    it->val = copy;
    return AIC_OK;
}

int gencfg_merge(struct aic_gencfg *dst, const struct aic_gencfg *src, struct aic_error *err)
{
    for (size_t i = 0; src && i < src->n; i++) {
        int rc = gencfg_put(dst, src->items[i].section, src->items[i].key, src->items[i].val, err);
        if (rc)
            return rc;
    }
    return AIC_OK;
}

const char *aic_gencfg_get(const struct aic_gencfg *c, const char *section, const char *key)
{
    const struct gen_item *it = find_item(c, section_canon(section ? section : ""), key);
    return it ? it->val : NULL;
}

const char *gencfg_str(const struct aic_gencfg *c, const char *sec, const char *key,
                       const char *def)
{
    const char *v = aic_gencfg_get(c, sec, key);
    return v ? v : def;
}

int gencfg_int(const struct aic_gencfg *c, const char *sec, const char *key, int def)
{
    const char *v = aic_gencfg_get(c, sec, key);
    return v && *v ? (int)strtol(v, NULL, 10) : def;
}

double gencfg_dbl(const struct aic_gencfg *c, const char *sec, const char *key, double def)
{
    const char *v = aic_gencfg_get(c, sec, key);
    return v && *v ? strtod(v, NULL) : def;
}

int gencfg_bool(const struct aic_gencfg *c, const char *sec, const char *key, int def)
{
    const char *v = aic_gencfg_get(c, sec, key);
    return v ? parse_bool(v) == 1 : def;
}

/* ---- YAML input ------------------------------------------------------------------------------ */

static void node_text(struct fy_node *n, char *buf, size_t size)
{
    size_t len = 0;
    const char *s = n && fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
    if (!s)
        len = 0;
    if (len >= size)
        len = size - 1;
    if (s)
        memcpy(buf, s, len);
    buf[len] = 0;
}

/* Turns a value node into the store's text form (lists comma-joined, env lists as lines). */
static int value_text(struct fy_node *v, const struct gen_key *k, const char *where,
                      struct aic_buf *out, struct aic_error *err)
{
    void *it = NULL;
    struct fy_node *e;
    char tmp[1024];

    if (!v || fy_node_is_null(v))
        return aic_buf_puts(out, "") ? aic_err(err, AIC_ERR_NOMEM, "out of memory") : AIC_OK;
    if (fy_node_is_scalar(v)) {
        node_text(v, tmp, sizeof(tmp));
        aic_buf_puts(out, tmp);
        return AIC_OK;
    }
    if (!fy_node_is_sequence(v) || (k->type != GK_INTLIST && k->type != GK_ENVLIST))
        return aic_err(err, AIC_ERR_USAGE, "%s: expected a %s value", where,
                       k->type == GK_INTLIST || k->type == GK_ENVLIST ? "list" : "scalar");
    while ((e = fy_node_sequence_iterate(v, &it))) {
        if (out->len)
            aic_buf_puts(out, k->type == GK_ENVLIST ? "\n" : ",");
        if (k->type == GK_ENVLIST && fy_node_is_mapping(e)) {
            char name[256], val[1024];
            node_text(fy_node_mapping_lookup_by_string(e, "name", FY_NT), name, sizeof(name));
            node_text(fy_node_mapping_lookup_by_string(e, "value", FY_NT), val, sizeof(val));
            aic_buf_printf(out, "%s=%s", name, val);
        } else if (fy_node_is_scalar(e)) {
            node_text(e, tmp, sizeof(tmp));
            aic_buf_puts(out, tmp);
        } else {
            return aic_err(err, AIC_ERR_USAGE, "%s: unexpected nested value", where);
        }
    }
    return AIC_OK;
}

static int put_node(struct aic_gencfg *c, const char *sec, const char *key, struct fy_node *v,
                    struct aic_error *err)
{
    const struct gen_key *k;
    struct aic_buf b = {0};
    char where[128];
    int rc;

    if (*sec && (rc = check_section(sec, err)) != AIC_OK)
        return rc;
    k = gen_key_find(sec, key);
    if (!k) /* let gencfg_put produce the "valid keys" message */
        return gencfg_put(c, sec, key, "", err);
    snprintf(where, sizeof(where), "%s%s%s", sec, *sec ? "." : "", key);
    rc = value_text(v, k, where, &b, err);
    if (rc == AIC_OK)
        rc = gencfg_put(c, sec, key, aic_buf_str(&b), err);
    aic_buf_release(&b);
    return rc;
}

static int load_mapping(struct aic_gencfg *c, const char *sec, struct fy_node *map,
                        struct aic_error *err)
{
    void *it = NULL;
    struct fy_node_pair *pr;
    char key[128], sub[64];
    int rc;

    while ((pr = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *v = fy_node_pair_value(pr);
        node_text(fy_node_pair_key(pr), key, sizeof(key));
        if (!*sec && !gen_key_find("", key)) {
            if (!strcmp(key, "Workers") && v && fy_node_is_mapping(v)) {
                void *it2 = NULL;
                struct fy_node_pair *p2;
                while ((p2 = fy_node_mapping_iterate(v, &it2))) {
                    char role[64];
                    struct fy_node *rv = fy_node_pair_value(p2);
                    node_text(fy_node_pair_key(p2), role, sizeof(role));
                    snprintf(sub, sizeof(sub), "Workers.%s", role);
                    if ((rc = check_section(sub, err)) != AIC_OK)
                        return rc;
                    if (rv && !fy_node_is_mapping(rv))
                        return aic_err(err, AIC_ERR_USAGE, "%s must be a mapping", sub);
                    if (rv && (rc = load_mapping(c, sub, rv, err)) != AIC_OK)
                        return rc;
                }
                continue;
            }
            if ((rc = check_section(key, err)) != AIC_OK)
                return rc;
            if (v && !fy_node_is_mapping(v))
                return aic_err(err, AIC_ERR_USAGE, "generator section %s must be a mapping", key);
            if (v && (rc = load_mapping(c, key, v, err)) != AIC_OK)
                return rc;
            continue;
        }
        if ((rc = put_node(c, sec, key, v, err)) != AIC_OK)
            return rc;
    }
    return AIC_OK;
}

static struct fy_document *build_doc(const char *path, const char *text, struct aic_error *err)
{
    return aic_yaml_parse(path, text, NULL, 0, err);
}

int aic_gencfg_load_file(struct aic_gencfg *c, const char *path, struct aic_error *err)
{
    struct fy_document *doc;
    struct fy_node *root;
    int rc;

    if (aic_is_dir(path))
        return aic_err(err, AIC_ERR_IO,
                       "generator config '%s' is a directory; give a generator YAML file "
                       "(aiconfigurator cli generate --generator-help lists its keys)",
                       path);
    if (!aic_is_file(path))
        return aic_err(err, AIC_ERR_NOTFOUND, "generator config '%s' not found", path);
    if (!(doc = build_doc(path, NULL, err)))
        return err ? err->code : AIC_ERR_PARSE;
    root = fy_document_root(doc);
    if (root && !fy_node_is_mapping(root)) {
        fy_document_destroy(doc);
        return aic_err(err, AIC_ERR_PARSE,
                       "%s: the generator config must be a mapping of "
                       "sections",
                       path);
    }
    rc = root ? load_mapping(c, "", root, err) : AIC_OK;
    if (rc)
        aic_err_prefix(err, "%s", path);
    fy_document_destroy(doc);
    return rc;
}

int aic_gencfg_set(struct aic_gencfg *c, const char *assignment, struct aic_error *err)
{
    char path[256], sec[96] = "", *key, *dot;
    const char *eq = strchr(assignment, '=');
    struct fy_document *doc;
    int rc;

    if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(path))
        return aic_err(err, AIC_ERR_USAGE,
                       "--generator-set expects Section.key=value (e.g. "
                       "K8sConfig.k8s_namespace=prod), got '%s'",
                       assignment);
    memcpy(path, assignment, (size_t)(eq - assignment));
    path[eq - assignment] = 0;
    key = path;
    if ((dot = strrchr(path, '.'))) {
        *dot = 0;
        aic_strlcpy(sec, path, sizeof(sec));
        key = dot + 1;
    }
    if (!*eq || !eq[1]) {
        if (*sec && (rc = check_section(sec, err)) != AIC_OK)
            return rc;
        return gencfg_put(c, sec, key, "", err);
    }
    if (!(doc = build_doc(NULL, eq + 1, err)))
        return err ? err->code : AIC_ERR_PARSE;
    rc = put_node(c, sec, key, fy_document_root(doc), err);
    fy_document_destroy(doc);
    return rc;
}

/* ---- dump ---------------------------------------------------------------------------------------
 */

static void dump_value(struct aic_buf *o, const struct gen_key *k, const char *v, int indent)
{
    if (k->type == GK_INTLIST) {
        aic_buf_printf(o, " [%s]\n", v);
        return;
    }
    if (k->type == GK_ENVLIST) {
        const char *l = v;
        if (!*v) {
            aic_buf_puts(o, " []\n");
            return;
        }
        aic_buf_puts(o, "\n");
        while (*l) {
            const char *nl = strchr(l, '\n'), *eq = strchr(l, '=');
            size_t end = nl ? (size_t)(nl - l) : strlen(l);
            char name[256], val[1024];
            snprintf(name, sizeof(name), "%.*s", (int)(eq - l), l);
            snprintf(val, sizeof(val), "%.*s", (int)(end - (size_t)(eq - l) - 1), eq + 1);
            aic_buf_printf(o, "%*s- name: ", indent + 2, "");
            yw_scalar(o, name);
            aic_buf_printf(o, "\n%*s  value: ", indent + 2, "");
            yw_scalar(o, val);
            aic_buf_puts(o, "\n");
            l += end + (nl ? 1 : 0);
        }
        return;
    }
    aic_buf_puts(o, " ");
    if (k->type == GK_STR)
        yw_scalar(o, v);
    else
        aic_buf_puts(o, v);
    aic_buf_puts(o, "\n");
}

static void dump_section(const struct aic_gencfg *c, const char *sec, const char *keysec,
                         int indent, struct aic_buf *o)
{
    for (const struct gen_key *k = gen_keys; k->key; k++) {
        const char *v;
        if (strcmp(k->section, keysec))
            continue;
        v = aic_gencfg_get(c, sec, k->key);
        if (!v && k->def) /* write defaults too: the file is the complete input */
            v = k->type == GK_ENVLIST ? "" : k->def;
        if (!v)
            continue;
        aic_buf_printf(o, "%*s%s:", indent, "", k->key);
        dump_value(o, k, v, indent);
    }
}

static int section_has(const struct aic_gencfg *c, const char *sec)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->items[i].section, sec))
            return 1;
    return 0;
}

int gencfg_dump(const struct aic_gencfg *c, struct aic_buf *o)
{
    dump_section(c, "", "", 0, o);
    for (int i = 1; gen_sections[i]; i++) {
        const char *s = gen_sections[i];
        if (!strcmp(s, "Workers")) {
            int any = 0;
            for (int r = 0; gen_roles[r]; r++) {
                char sub[32];
                snprintf(sub, sizeof(sub), "Workers.%s", gen_roles[r]);
                if (!section_has(c, sub))
                    continue;
                if (!any++)
                    aic_buf_puts(o, "Workers:\n");
                aic_buf_printf(o, "  %s:\n", gen_roles[r]);
                dump_section(c, sub, "Workers", 4, o);
            }
            continue;
        }
        {
            struct aic_buf t = {0};
            dump_section(c, s, s, 2, &t);
            if (t.len)
                aic_buf_printf(o, "%s:\n%s", s, t.s);
            aic_buf_release(&t);
        }
    }
    return o->s ? AIC_OK : AIC_ERR_NOMEM;
}

/* ---- help -------------------------------------------------------------------------------------
 */

static void help_deploy(struct aic_buf *o)
{
    aic_buf_puts(o, "# Generator config schema (--generator-config FILE, --generator-set "
                    "Section.key=value).\n# Values shown are defaults; '<derived>' comes from "
                    "the configuration. Keys marked\n# 'fixed' follow the configuration's "
                    "layout and cannot be changed.\n");
    for (int i = 0; gen_sections[i]; i++) {
        const char *s = gen_sections[i];
        int ind = 0;
        if (*s) {
            aic_buf_printf(o, "%s:\n", s);
            ind = 2;
        }
        if (!strcmp(s, "Workers")) {
            aic_buf_puts(o, "  <agg|prefill|decode>:\n");
            ind = 4;
        }
        for (const struct gen_key *k = gen_keys; k->key; k++) {
            if (strcmp(k->section, s))
                continue;
            aic_buf_printf(o, "%*s%s: %s  # %s%s\n", ind, "", k->key, k->def ? k->def : "<derived>",
                           k->help, k->layout ? " (fixed)" : "");
        }
    }
}

static void help_backend(struct aic_buf *o, int backend)
{
    static const char *const names[] = {"trtllm", "vllm", "sglang"};
    aic_buf_printf(o, "%-36s", "Param key");
    for (int b = 0; b < 3; b++)
        if (backend < 0 || backend == b)
            aic_buf_printf(o, " | %-44s", names[b]);
    aic_buf_puts(o, "\n");
    for (const struct gen_key *k = gen_keys; k->key; k++) {
        const char *m[3] = {k->trtllm, k->vllm, k->sglang};
        if (strcmp(k->section, "Workers"))
            continue;
        aic_buf_printf(o, "%-36s", k->key);
        for (int b = 0; b < 3; b++)
            if (backend < 0 || backend == b)
                aic_buf_printf(o, " | %-44s", m[b] ? m[b] : "-");
        aic_buf_puts(o, "\n");
    }
}

char *aic_gen_help(const char *section, int backend)
{
    struct aic_buf o = {0};
    int all = !section || !*section || !strcmp(section, "all");

    if (!all && strcmp(section, "deploy") && strcmp(section, "backend"))
        return NULL;
    if (all || !strcmp(section, "deploy"))
        help_deploy(&o);
    if (all)
        aic_buf_puts(&o, "\n");
    if (all || !strcmp(section, "backend"))
        help_backend(&o, backend);
    return o.s;
}
