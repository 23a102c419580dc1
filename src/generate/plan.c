/*
 * plan.c - resolves a complete generator config into the plan the renderers read: versions
 * (Dynamo release <-> backend version matrix, template switches), worker layouts and
 * counts, service and Kubernetes settings, and AIConfigurator's default production rules
 * (max batch / tokens / sequence length, CUDA graph sizes, router, KV dtype).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_int.h"

/* ---- versions ------------------------------------------------------------------------ */

/* Dynamo release -> (trtllm, vllm, sglang) versions of its runtime images, newest first. */
static const struct {
    const char *dynamo, *ver[AIC_BACKEND_COUNT];
} dyn_matrix[] = {
    {"1.3.0", {"1.3.0rc23", "0.24.0", "0.5.16"}},
    {"1.2.0", {"1.3.0rc14", "0.20.1", "0.5.11"}},
    {"1.1.0", {"1.3.0rc11", "0.19.0", "0.5.10.post1"}},
    {"1.0.0", {"1.3.0rc5.post1", "0.16.0", "0.5.9"}},
    {"0.9.0", {"1.3.0rc1", "0.14.1", "0.5.8"}},
    {"0.8.0", {"1.2.0rc6.post1", "0.12.0", "0.5.6.post2"}},
    {"0.7.0", {"1.2.0rc2", "0.11.0", "0.5.4.post3"}},
    {"0.6.0", {"1.1.0rc5", "0.11.0", "0.5.3.post2"}},
};
#define N_DYN (sizeof(dyn_matrix) / sizeof(dyn_matrix[0]))

struct ver {
    long rel[4];
    int pre_kind; /* 0 a, 1 b, 2 rc, 3 final */
    long pre, post;
};

static void ver_parse(const char *s, struct ver *v)
{
    int i = 0;
    memset(v, 0, sizeof(*v));
    v->pre_kind = 3;
    if (*s == 'v' || *s == 'V')
        s++;
    while (i < 4 && isdigit((unsigned char)*s)) {
        v->rel[i++] = strtol(s, (char **)&s, 10);
        if (*s != '.' || !isdigit((unsigned char)s[1]))
            break;
        s++;
    }
    if (*s == '.' && strncmp(s, ".post", 5))
        s++;
    if (!strncmp(s, "rc", 2) || *s == 'a' || *s == 'b') {
        v->pre_kind = *s == 'a' ? 0 : *s == 'b' ? 1 : 2;
        s += *s == 'r' ? 2 : 1;
        v->pre = strtol(s, (char **)&s, 10);
    }
    if (!strncmp(s, ".post", 5))
        v->post = strtol(s + 5, NULL, 10) + 1;
}

int gen_version_cmp(const char *a, const char *b)
{
    struct ver x, y;
    ver_parse(a, &x);
    ver_parse(b, &y);
    for (int i = 0; i < 4; i++)
        if (x.rel[i] != y.rel[i])
            return x.rel[i] < y.rel[i] ? -1 : 1;
    if (x.pre_kind != y.pre_kind)
        return x.pre_kind < y.pre_kind ? -1 : 1;
    if (x.pre != y.pre)
        return x.pre < y.pre ? -1 : 1;
    if (x.post != y.post)
        return x.post < y.post ? -1 : 1;
    return 0;
}

const char *gen_dynamo_for(enum aic_backend b, const char *ver)
{
    if (!ver || !*ver)
        return dyn_matrix[0].dynamo;
    for (size_t i = 0; i < N_DYN; i++)
        if (gen_version_cmp(dyn_matrix[i].ver[b], ver) <= 0)
            return dyn_matrix[i].dynamo;
    return dyn_matrix[N_DYN - 1].dynamo;
}

const char *gen_backend_for_dynamo(enum aic_backend b, const char *dynamo)
{
    for (size_t i = 0; i < N_DYN; i++)
        if (!gen_version_cmp(dyn_matrix[i].dynamo, dynamo))
            return dyn_matrix[i].ver[b];
    return NULL;
}

/* ---- rules ----------------------------------------------------------------------------- */

static int round_up(int v, int m)
{
    return (v + m - 1) / m * m;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* 1..16, then steps of 4, 8, 16, 32, 64 up to 512; plus bs-8, bs, bs+8; all <= limit. */
static void cuda_graph_list(struct gen_worker *w, int bs, int limit)
{
    static const int steps[][3] = {
        {16, 32, 4}, {32, 64, 8}, {64, 128, 16}, {128, 256, 32}, {256, 512, 64}};
    int n = 0, tmp[GEN_MAX_CG + 8];

    for (int v = 1; v <= 16 && v <= limit; v++)
        tmp[n++] = v;
    for (size_t s = 0; s < 5; s++)
        for (int v = steps[s][0] + steps[s][2]; v <= steps[s][1] && v <= limit; v += steps[s][2])
            tmp[n++] = v;
    for (int d = -8; d <= 8; d += 8)
        if (bs + d >= 1 && bs + d <= limit)
            tmp[n++] = bs + d;
    qsort(tmp, (size_t)n, sizeof(int), cmp_int);
    w->n_cg = 0;
    for (int i = 0; i < n && w->n_cg < GEN_MAX_CG; i++)
        if (!w->n_cg || tmp[i] != w->cg[w->n_cg - 1])
            w->cg[w->n_cg++] = tmp[i];
}

static void apply_rules(const struct gen_plan *p, struct gen_worker *w, int raw_bs, int bench)
{
    int isl = p->isl, osl = p->osl, trt = p->backend == AIC_BACKEND_TRTLLM;

    if (w->role == ROLE_PREFILL)
        w->max_batch = raw_bs > 0 ? raw_bs : 1;
    else if (trt || bench)
        w->max_batch = raw_bs > 0 ? raw_bs : 128;
    else
        w->max_batch = raw_bs < 512 ? 512 : 2 * raw_bs;
    if (!w->max_num_tokens) {
        if (trt)
            w->max_num_tokens = round_up(w->role == ROLE_PREFILL  ? isl + 500
                                         : w->role == ROLE_DECODE ? w->max_batch * (1 + p->nextn)
                                                                  : w->max_batch + isl + 500,
                                         32);
        else if (p->backend == AIC_BACKEND_VLLM)
            w->max_num_tokens = w->role == ROLE_PREFILL  ? isl + 1500
                                : w->role == ROLE_DECODE ? w->max_batch
                                                         : w->max_batch + isl + 1500;
        else
            w->max_num_tokens = isl + 1500;
    }
    if (!w->max_seq_len)
        w->max_seq_len = isl + osl + (trt ? 500 : 1500);
    if (!w->tokens_per_block && trt)
        w->tokens_per_block = 32;
    if (w->mem_frac <= 0 && trt)
        w->mem_frac = 0.8;
    if (w->n_cg < 0) {
        w->n_cg = 0;
        if (w->role != ROLE_PREFILL && (p->backend != AIC_BACKEND_VLLM || bench))
            cuda_graph_list(w, raw_bs > 0 ? raw_bs : w->max_batch, w->max_batch);
    }
}

/* ---- config -> plan ------------------------------------------------------------------- */

static int read_list(const char *v, int *out, int max)
{
    int n = 0;
    while (v && *v && n < max) {
        out[n++] = (int)strtol(v, (char **)&v, 10);
        while (*v == ',' || *v == ' ')
            v++;
    }
    return n;
}

static int read_worker(const struct aic_gencfg *c, const struct gen_plan *p, enum gen_role r,
                       struct gen_worker *w, struct aic_error *err)
{
    char sec[32];
    const char *cg;
    int raw_bs, attn;

    snprintf(sec, sizeof(sec), "Workers.%s", gen_role_name(r));
    memset(w, 0, sizeof(*w));
    w->role = r;
    w->tp = gencfg_int(c, sec, "tensor_parallel_size", 0);
    w->pp = gencfg_int(c, sec, "pipeline_parallel_size", 1);
    w->dp = gencfg_int(c, sec, "data_parallel_size", 1);
    if (w->tp < 1 || w->pp < 1 || w->dp < 1)
        return aic_err(err, AIC_ERR_USAGE,
                       "%s needs tensor/pipeline/data_parallel_size >= 1 (got tp %d pp %d dp %d)",
                       sec, w->tp, w->pp, w->dp);
    attn = w->tp * w->dp;
    w->moe_tp = gencfg_int(c, sec, "moe_tensor_parallel_size", 1);
    w->moe_ep = gencfg_int(c, sec, "moe_expert_parallel_size", p->is_moe ? attn : 1);
    w->gpus = w->tp * w->pp * w->dp;
    if (gencfg_int(c, sec, "gpus_per_worker", w->gpus) != w->gpus)
        return aic_err(err, AIC_ERR_USAGE, "%s.gpus_per_worker must equal tp x pp x dp = %d", sec,
                       w->gpus);
    if (p->is_moe && w->moe_tp * w->moe_ep != attn)
        return aic_err(err, AIC_ERR_USAGE,
                       "%s: moe_tp %d x moe_ep %d must equal tp %d x dp %d for a MoE model", sec,
                       w->moe_tp, w->moe_ep, w->tp, w->dp);
    if (p->is_moe && p->backend == AIC_BACKEND_VLLM && w->moe_ep > 1 && w->moe_ep != attn)
        return aic_err(err, AIC_ERR_USAGE,
                       "%s: vLLM cannot run moe_tp %d with moe_ep %d (its expert parallel size is "
                       "tp x dp = %d); pick a configuration with moe_tp 1 or moe_ep 1",
                       sec, w->moe_tp, w->moe_ep, attn);
    if (p->backend == AIC_BACKEND_TRTLLM && w->dp > 1 && (w->tp > 1 || !p->is_moe))
        return aic_err(err, AIC_ERR_USAGE,
                       "%s: TensorRT-LLM attention DP needs a MoE model with tp 1 (got tp %d, dp "
                       "%d); pick a configuration with tp 1 or dp 1",
                       sec, w->tp, w->dp);
    raw_bs = gencfg_int(c, sec, "max_batch_size", 0);
    w->sim_batch = raw_bs;
    w->max_num_tokens = gencfg_int(c, sec, "max_num_tokens", 0);
    w->max_seq_len = gencfg_int(c, sec, "max_seq_len", 0);
    w->tokens_per_block = gencfg_int(c, sec, "tokens_per_block", 0);
    w->mem_frac = gencfg_dbl(c, sec, "kv_cache_free_gpu_memory_fraction", 0);
    aic_strlcpy(w->kv_dtype, gencfg_str(c, sec, "kv_cache_dtype", "bfloat16"), sizeof(w->kv_dtype));
    aic_strlcpy(w->moe_quant, gencfg_str(c, sec, "moe_quant_mode", ""), sizeof(w->moe_quant));
    w->disable_prefix_cache = gencfg_bool(c, sec, "disable_prefix_cache", -1);
    w->chunked_prefill = gencfg_bool(c, sec, "enable_chunked_prefill", 0);
    w->trust_remote_code = gencfg_bool(c, sec, "trust_remote_code", 0);
    cg = aic_gencfg_get(c, sec, "cuda_graph_batch_sizes");
    w->n_cg = cg ? read_list(cg, w->cg, GEN_MAX_CG) : -1;
    if (gencfg_bool(c, "", "preserve_engine_limits", 0)) {
        w->max_batch = raw_bs > 0 ? raw_bs : (r == ROLE_PREFILL ? 1 : 128);
        if (w->n_cg < 0)
            w->n_cg = 0;
    } else {
        apply_rules(p, w, raw_bs, !strcmp(gencfg_str(c, "", "rule", "default"), "benchmark"));
    }
    return AIC_OK;
}

static void k8s_name(const char *prefix, char *out, size_t n)
{
    size_t j = 0;
    for (const char *s = prefix; *s && j + 1 < n; s++) {
        char ch = (char)tolower((unsigned char)*s);
        if (!isalnum((unsigned char)ch))
            ch = '-';
        if (ch == '-' && (j == 0 || out[j - 1] == '-'))
            continue;
        out[j++] = ch;
    }
    while (j > 0 && out[j - 1] == '-')
        j--;
    out[j] = 0;
}

static int read_env(const struct aic_gencfg *c, struct gen_plan *p)
{
    const char *l = gencfg_str(c, "K8sConfig", "extra_env", "");
    while (*l && p->n_env < GEN_MAX_ENV) {
        const char *nl = strchr(l, '\n'), *eq = strchr(l, '=');
        size_t end = nl ? (size_t)(nl - l) : strlen(l);
        snprintf(p->env_name[p->n_env], sizeof(p->env_name[0]), "%.*s", (int)(eq - l), l);
        snprintf(p->env_val[p->n_env], sizeof(p->env_val[0]), "%.*s",
                 (int)(end - (size_t)(eq - l) - 1), eq + 1);
        p->n_env++;
        l += end + (nl ? 1 : 0);
    }
    return AIC_OK;
}

/* Variables the engine's model of the workers assumes (aiconfigurator/backend.h), unless
 * extra_env sets them: vLLM's MXFP8-activation kernels for MXFP4 experts, set for the whole
 * deployment when one worker runs them (vLLM reads the variable only on Blackwell). */
static void implied_env(struct gen_plan *p)
{
    int mxfp8 = 0;

    for (int i = 0; i < p->n_w; i++)
        mxfp8 |= !strcmp(p->w[i].moe_quant, "w4a8_mxfp4_mxfp8");
    if (p->backend != AIC_BACKEND_VLLM || !mxfp8 || p->n_env >= GEN_MAX_ENV)
        return;
    for (int i = 0; i < p->n_env; i++)
        if (!strcmp(p->env_name[i], AIC_VLLM_MXFP8_MOE_ENV))
            return;
    aic_strlcpy(p->env_name[p->n_env], AIC_VLLM_MXFP8_MOE_ENV, sizeof(p->env_name[0]));
    aic_strlcpy(p->env_val[p->n_env], "1", sizeof(p->env_val[0]));
    p->n_env++;
}

/* A digit first, at least one dot, then only [0-9A-Za-z.+-]. */
static int version_shape(const char *v)
{
    int dot = 0;
    if (!(*v >= '0' && *v <= '9'))
        return 0;
    for (; *v; v++) {
        if (*v == '.')
            dot = 1;
        else if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') ||
                   (*v >= 'A' && *v <= 'Z') || *v == '+' || *v == '-'))
            return 0;
    }
    return dot;
}

static int read_versions(const struct aic_gencfg *c, struct gen_plan *p, struct aic_error *err)
{
    const char *bn = gencfg_str(c, "", "backend", "trtllm");
    const char *dyn = aic_gencfg_get(c, "", "generator_dynamo_version");
    const char *tv = aic_gencfg_get(c, "", "config_template_version");
    int b = aic_backend_parse(bn);

    if (b < 0)
        return aic_err(err, AIC_ERR_USAGE, "unknown backend '%s' (valid: trtllm, vllm, sglang)",
                       bn);
    p->backend = (enum aic_backend)b;
    aic_strlcpy(p->version, gencfg_str(c, "", "backend_version", dyn_matrix[0].ver[b]),
                sizeof(p->version));
    if (dyn && *dyn && !gen_backend_for_dynamo(p->backend, dyn)) {
        char list[256];
        size_t u = 0;
        for (size_t i = 0; i < N_DYN; i++)
            u += (size_t)snprintf(list + u, sizeof(list) - u, "%s%s", i ? ", " : "",
                                  dyn_matrix[i].dynamo);
        return aic_err(err, AIC_ERR_USAGE, "unknown Dynamo version '%s' (known: %s)", dyn, list);
    }
    if (tv && *tv && !version_shape(tv)) {
        char list[256];
        size_t u = 0;
        for (size_t i = 0; i < N_DYN && u < sizeof(list); i++)
            u += (size_t)snprintf(list + u, sizeof(list) - u, "%s%s", i ? ", " : "",
                                  dyn_matrix[i].ver[b]);
        return aic_err(err, AIC_ERR_USAGE,
                       "config_template_version '%s' is not a %s version number (known: %s)", tv,
                       bn, list);
    }
    if (tv && *tv)
        aic_strlcpy(p->tmpl_version, tv, sizeof(p->tmpl_version));
    else if (dyn && *dyn)
        aic_strlcpy(p->tmpl_version, gen_backend_for_dynamo(p->backend, dyn),
                    sizeof(p->tmpl_version));
    else
        aic_strlcpy(p->tmpl_version, p->version, sizeof(p->tmpl_version));
    aic_strlcpy(p->dynamo, dyn && *dyn ? dyn : gen_dynamo_for(p->backend, p->tmpl_version),
                sizeof(p->dynamo));
    p->vllm_disagg_mode_flag = gen_version_cmp(p->tmpl_version, "0.16.0") >= 0;
    p->trtllm_cuda_graph_config = gen_version_cmp(p->tmpl_version, "1.0.0rc0") >= 0;
    p->sglang_ep_moe_flag = gen_version_cmp(p->tmpl_version, "0.5.0") < 0;
    return AIC_OK;
}

static void read_service(const struct aic_gencfg *c, struct gen_plan *p)
{
    static const char *const image[] = {"tensorrtllm", "vllm", "sglang"};
    char prefix[128];

    aic_strlcpy(p->model_path, gencfg_str(c, "ServiceConfig", "model_path", ""),
                sizeof(p->model_path));
    aic_strlcpy(p->served, gencfg_str(c, "ServiceConfig", "served_model_name", p->model_path),
                sizeof(p->served));
    aic_strlcpy(p->hf_token, gencfg_str(c, "ServiceConfig", "hf_token", ""), sizeof(p->hf_token));
    aic_strlcpy(p->head_ip, gencfg_str(c, "ServiceConfig", "head_node_ip", "0.0.0.0"),
                sizeof(p->head_ip));
    p->port = gencfg_int(c, "ServiceConfig", "port", 8000);
    p->include_frontend = gencfg_bool(c, "ServiceConfig", "include_frontend", 1);
    p->system_port = gencfg_int(c, "ServiceConfig", "dyn_system_port", 8081);
    p->vllm_kv_port = gencfg_int(c, "ServiceConfig", "dyn_vllm_kv_event_port", 20081);
    p->nixl_port = gencfg_int(c, "ServiceConfig", "vllm_nixl_side_channel_port", 20097);
    p->sglang_kv_port = gencfg_int(c, "ServiceConfig", "sglang_kv_event_port", 5557);

    k8s_name(gencfg_str(c, "K8sConfig", "name_prefix", "dynamo"), prefix, sizeof(prefix));
    snprintf(p->name, sizeof(p->name), "%s-%s%s", *prefix ? prefix : "dynamo",
             p->disagg ? "disagg" : "agg", p->router ? "-router" : "");
    aic_strlcpy(p->name, gencfg_str(c, "K8sConfig", "name", p->name), sizeof(p->name));
    aic_strlcpy(p->ns, gencfg_str(c, "K8sConfig", "k8s_namespace", "dynamo"), sizeof(p->ns));
    snprintf(p->image, sizeof(p->image), "nvcr.io/nvidia/ai-dynamo/%s-runtime:%s",
             image[p->backend], p->dynamo);
    aic_strlcpy(p->image, gencfg_str(c, "K8sConfig", "k8s_image", p->image), sizeof(p->image));
    aic_strlcpy(p->pull_secret, gencfg_str(c, "K8sConfig", "k8s_image_pull_secret", ""),
                sizeof(p->pull_secret));
    aic_strlcpy(p->transport, gencfg_str(c, "K8sConfig", "transport", "nvlink"),
                sizeof(p->transport));
    aic_strlcpy(p->engine_mode, gencfg_str(c, "K8sConfig", "k8s_engine_mode", "inline"),
                sizeof(p->engine_mode));
    aic_strlcpy(p->pvc, gencfg_str(c, "K8sConfig", "k8s_pvc_name", ""), sizeof(p->pvc));
    aic_strlcpy(p->pvc_mount,
                gencfg_str(c, "K8sConfig", "k8s_pvc_mount_path", "/workspace/model_cache"),
                sizeof(p->pvc_mount));
    aic_strlcpy(p->pvc_sub, gencfg_str(c, "K8sConfig", "k8s_model_path_in_pvc", ""),
                sizeof(p->pvc_sub));
    aic_strlcpy(p->hf_home, gencfg_str(c, "K8sConfig", "k8s_hf_home", *p->pvc ? p->pvc_mount : ""),
                sizeof(p->hf_home));
    aic_strlcpy(p->etcd, gencfg_str(c, "K8sConfig", "k8s_etcd_endpoints", ""), sizeof(p->etcd));
    read_env(c, p);
    implied_env(p);
}

static int check_choices(const struct gen_plan *p, struct aic_error *err)
{
    if (strcmp(p->transport, "nvlink") && strcmp(p->transport, "ib") && strcmp(p->transport, "efa"))
        return aic_err(err, AIC_ERR_USAGE, "K8sConfig.transport '%s' is not one of nvlink, ib, efa",
                       p->transport);
    if (strcmp(p->engine_mode, "inline") && strcmp(p->engine_mode, "configmap"))
        return aic_err(err, AIC_ERR_USAGE,
                       "K8sConfig.k8s_engine_mode '%s' is not one of inline, configmap",
                       p->engine_mode);
    if (!*p->model_path)
        return aic_err(err, AIC_ERR_USAGE, "ServiceConfig.model_path is required");
    return AIC_OK;
}

int gen_plan_build(const struct aic_gencfg *c, struct gen_plan *p, struct aic_error *err)
{
    const char *mode = gencfg_str(c, "DynConfig", "mode", "agg");
    const char *rule = gencfg_str(c, "", "rule", "default");
    int rc;

    memset(p, 0, sizeof(*p));
    if ((rc = read_versions(c, p, err)) != AIC_OK)
        return rc;
    if (strcmp(mode, "agg") && strcmp(mode, "disagg"))
        return aic_err(err, AIC_ERR_USAGE, "DynConfig.mode '%s' is not one of agg, disagg", mode);
    if (strcmp(rule, "default") && strcmp(rule, "benchmark"))
        return aic_err(err, AIC_ERR_USAGE, "rule '%s' is not one of default, benchmark", rule);
    p->disagg = !strcmp(mode, "disagg");
    p->is_moe = gencfg_bool(c, "ModelConfig", "is_moe", 0);
    p->nextn = gencfg_int(c, "ModelConfig", "nextn", 0);
    p->prefix = gencfg_int(c, "ModelConfig", "prefix", 0);
    p->isl = gencfg_int(c, "SlaConfig", "isl", 4000);
    p->osl = gencfg_int(c, "SlaConfig", "osl", 1000);
    p->bench_conc = gencfg_int(c, "BenchConfig", "estimated_concurrency", 0);
    p->gpn = gencfg_int(c, "NodeConfig", "num_gpus_per_node", 8);
    aic_strlcpy(p->system, gencfg_str(c, "NodeConfig", "system_name", ""), sizeof(p->system));
    p->router = gencfg_bool(c, "DynConfig", "enable_router", 0) || p->prefix > 0;
    aic_strlcpy(p->router_mode, gencfg_str(c, "DynConfig", "router_mode", "kv"),
                sizeof(p->router_mode));
    if (p->isl < 1 || p->osl < 1 || p->gpn < 1 || p->nextn < 0 || p->prefix < 0)
        return aic_err(err, AIC_ERR_USAGE,
                       "SlaConfig isl/osl and NodeConfig.num_gpus_per_node "
                       "must be >= 1, ModelConfig nextn/prefix >= 0");
    p->n_w = p->disagg ? 2 : 1;
    for (int i = 0; i < p->n_w; i++) {
        enum gen_role r = p->disagg ? (i ? ROLE_DECODE : ROLE_PREFILL) : ROLE_AGG;
        static const char *const cnt[] = {"agg_workers", "prefill_workers", "decode_workers"};
        if ((rc = read_worker(c, p, r, &p->w[i], err)) != AIC_OK)
            return rc;
        p->w[i].count = gencfg_int(c, "WorkerConfig", cnt[r], 1);
        if (p->w[i].count < 1)
            return aic_err(err, AIC_ERR_USAGE, "WorkerConfig.%s must be >= 1", cnt[r]);
    }
    read_service(c, p);
    return check_choices(p, err);
}

const char *gen_role_name(enum gen_role r)
{
    return r == ROLE_PREFILL ? "prefill" : r == ROLE_DECODE ? "decode" : "agg";
}
