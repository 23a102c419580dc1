/*
 * k8s.c - k8s_deploy.yaml: a DynamoGraphDeployment (nvidia.com/v1alpha1) with a Frontend
 * and the worker services (<Backend>Worker, or <Backend>PrefillWorker + DecodeWorker),
 * replicas = worker counts scaled to the GPU budget, GPU limits per pod, multinode workers
 * (plus a ComputeDomain) when a worker spans nodes, model cache volume, launch args.
 * TensorRT-LLM workers write their engine YAML with a heredoc (inline mode) or mount it from
 * a ConfigMap (configmap mode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_int.h"

#define ENGINE_DIR "/workspace/engine_configs"

static const char *gpu_product(const char *system)
{
    static const struct {
        const char *sys, *product;
    } t[] = {{"h100_sxm", "NVIDIA-H100-80GB-HBM3"},
             {"h200_sxm", "NVIDIA-H200"},
             {"a100_sxm", "NVIDIA-A100-SXM4-80GB"},
             {"b200_sxm", "NVIDIA-B200"},
             {"gb200", "NVIDIA-GB200"},
             {"b300_sxm", "NVIDIA-B300"},
             {"gb300", "NVIDIA-GB300"},
             {"l40s", "NVIDIA-L40S"}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(system, t[i].sys))
            return t[i].product;
    return NULL;
}

static int is_hopper(const char *system)
{
    return !strncmp(system, "h100", 4) || !strncmp(system, "h200", 4);
}

/* "key: value" at indent. */
static void kv(struct aic_buf *o, int ind, const char *key, const char *val)
{
    aic_buf_printf(o, "%*s%s: ", ind, "", key);
    yw_scalar(o, val);
    aic_buf_puts(o, "\n");
}

static void kvi(struct aic_buf *o, int ind, const char *key, int val)
{
    aic_buf_printf(o, "%*s%s: %d\n", ind, "", key, val);
}

static void item(struct aic_buf *o, int ind, const char *val)
{
    aic_buf_printf(o, "%*s- ", ind, "");
    yw_scalar(o, val);
    aic_buf_puts(o, "\n");
}

static void env_item(struct aic_buf *o, int ind, const char *name, const char *val)
{
    aic_buf_printf(o, "%*s- name: ", ind, "");
    yw_scalar(o, name);
    aic_buf_printf(o, "\n%*s  value: ", ind, "");
    yw_scalar(o, val);
    aic_buf_puts(o, "\n");
}

/* Block literal: "|" then each line of text at ind. */
static void block(struct aic_buf *o, int ind, const char *text)
{
    const char *l = text;
    aic_buf_puts(o, "|\n");
    while (*l) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        if (n)
            aic_buf_printf(o, "%*s%.*s\n", ind, "", (int)n, l);
        else
            aic_buf_puts(o, "\n");
        l += n + (nl ? 1 : 0);
    }
}

static void model_in_pod(const struct gen_plan *p, char *out, size_t n)
{
    if (*p->pvc && *p->pvc_sub)
        snprintf(out, n, "%s/%s", p->pvc_mount, p->pvc_sub);
    else
        aic_strlcpy(out, p->model_path, n);
}

static int nodes_of(const struct gen_plan *p, const struct gen_worker *w)
{
    return (w->gpus + p->gpn - 1) / p->gpn;
}

static void pod_common(const struct gen_plan *p, struct aic_buf *o, int worker, int multinode)
{
    const char *prod = gpu_product(p->system);
    if (prod && worker) {
        aic_buf_puts(o, "        nodeSelector:\n");
        kv(o, 10, "nvidia.com/gpu.product", prod);
    }
    if (worker)
        aic_buf_puts(o, "        tolerations:\n"
                        "          - key: nvidia.com/gpu\n"
                        "            operator: Exists\n"
                        "            effect: NoSchedule\n");
    if (*p->pull_secret) {
        aic_buf_puts(o, "        imagePullSecrets:\n          - name: ");
        yw_scalar(o, p->pull_secret);
        aic_buf_puts(o, "\n");
    }
    if (*p->pvc ||
        (worker && p->backend == AIC_BACKEND_TRTLLM && !strcmp(p->engine_mode, "configmap"))) {
        aic_buf_puts(o, "        volumes:\n");
        if (*p->pvc) {
            aic_buf_puts(o, "          - name: model-cache\n"
                            "            persistentVolumeClaim:\n              claimName: ");
            yw_scalar(o, p->pvc);
            aic_buf_puts(o, "\n");
        }
        if (worker && p->backend == AIC_BACKEND_TRTLLM && !strcmp(p->engine_mode, "configmap")) {
            aic_buf_puts(o, "          - name: engine-configs\n            configMap:\n");
            aic_buf_printf(o, "              name: %s-engine-configs\n", p->name);
        }
    }
    if (multinode) {
        aic_buf_puts(o, "        resourceClaims:\n          - name: compute-domain-channel\n");
        aic_buf_printf(o, "            resourceClaimTemplateName: %s-compute-domain-channel\n",
                       p->name);
    }
}

static void mounts(const struct gen_plan *p, struct aic_buf *o, int worker)
{
    int cm = worker && p->backend == AIC_BACKEND_TRTLLM && !strcmp(p->engine_mode, "configmap");
    if (!*p->pvc && !cm)
        return;
    aic_buf_puts(o, "          volumeMounts:\n");
    if (*p->pvc) {
        aic_buf_puts(o, "            - name: model-cache\n              mountPath: ");
        yw_scalar(o, p->pvc_mount);
        aic_buf_puts(o, "\n");
    }
    if (cm)
        aic_buf_puts(o, "            - name: engine-configs\n              mountPath: " ENGINE_DIR
                        "\n");
}

static void frontend(const struct gen_plan *p, struct aic_buf *o)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", p->port);
    aic_buf_puts(o, "    Frontend:\n      envFromSecret: hf-token-secret\n"
                    "      componentType: frontend\n      replicas: 1\n");
    if (p->router) {
        aic_buf_puts(o, "      envs:\n");
        env_item(o, 8, "DYN_ROUTER_MODE", p->router_mode);
    }
    aic_buf_puts(o, "      extraPodSpec:\n");
    pod_common(p, o, 0, 0);
    aic_buf_puts(o, "        mainContainer:\n");
    kv(o, 10, "image", p->image);
    aic_buf_puts(o, "          imagePullPolicy: IfNotPresent\n");
    mounts(p, o, 0);
    aic_buf_puts(o, "          command:\n            - python3\n            - -m\n"
                    "            - dynamo.frontend\n          args:\n"
                    "            - --http-port\n");
    item(o, 12, port);
    if (p->router) {
        item(o, 12, "--router-mode");
        item(o, 12, p->router_mode);
    }
}

static const char *service_name(const struct gen_plan *p, enum gen_role r)
{
    static const char *const n[3][3] = {
        {"TRTLLMWorker", "TRTLLMPrefillWorker", "TRTLLMDecodeWorker"},
        {"VllmWorker", "VllmPrefillWorker", "VllmDecodeWorker"},
        {"SGLangWorker", "SGLangPrefillWorker", "SGLangDecodeWorker"}};
    return n[p->backend][r];
}

static const char *working_dir(const struct gen_plan *p)
{
    return p->backend == AIC_BACKEND_VLLM     ? "/workspace/examples/backends/vllm"
           : p->backend == AIC_BACKEND_SGLANG ? "/workspace/components/backends/sglang"
                                              : "/workspace";
}

/* The worker container's command and args. */
static int worker_cmd(const struct gen_plan *p, const struct gen_worker *w, struct aic_buf *o,
                      struct aic_error *err)
{
    char model[640], engine[256];
    struct gen_args a;
    struct aic_buf script = {0};
    int rc, boot = 8998;

    model_in_pod(p, model, sizeof(model));
    snprintf(engine, sizeof(engine), ENGINE_DIR "/%s_config.yaml", gen_role_name(w->role));
    if ((rc = gen_worker_args(p, w, engine, &a, err)) != AIC_OK)
        return rc;
    if (p->backend == AIC_BACKEND_VLLM) {
        aic_buf_puts(o, "          command:\n            - python3\n            - -m\n"
                        "            - dynamo.vllm\n          args:\n");
        for (int i = 0; i < a.n; i++) {
            char *s = gen_arg_subst(a.v[i], model, p->served, p->vllm_kv_port, boot);
            item(o, 12, s ? s : "");
            free(s);
        }
        gen_args_free(&a);
        return AIC_OK;
    }
    if (p->backend == AIC_BACKEND_TRTLLM && !strcmp(p->engine_mode, "inline")) {
        struct aic_buf eng = {0};
        gen_engine_yaml(p, w, &eng);
        aic_buf_printf(&script, "mkdir -p " ENGINE_DIR "\ncat > %s <<'EOF'\n%sEOF\n", engine,
                       aic_buf_str(&eng));
        aic_buf_release(&eng);
    }
    aic_buf_printf(&script, "exec python3 -m dynamo.%s",
                   p->backend == AIC_BACKEND_SGLANG ? "sglang" : "trtllm");
    for (int i = 0; i < a.n; i++) {
        char *s = gen_arg_subst(a.v[i], model, p->served, p->sglang_kv_port, boot);
        aic_buf_puts(&script, " ");
        sh_quote(&script, s ? s : "");
        free(s);
    }
    aic_buf_puts(&script, "\n");
    gen_args_free(&a);
    aic_buf_puts(o, "          command:\n            - /bin/bash\n            - -c\n"
                    "          args:\n            - ");
    block(o, 14, aic_buf_str(&script));
    aic_buf_release(&script);
    return AIC_OK;
}

static void worker_env(const struct gen_plan *p, struct aic_buf *o)
{
    int any = is_hopper(p->system) || strcmp(p->transport, "nvlink") || p->n_env;
    if (!any)
        return;
    aic_buf_puts(o, "          env:\n");
    if (is_hopper(p->system))
        env_item(o, 12, "NCCL_CUMEM_ENABLE", "1");
    if (!strcmp(p->transport, "ib"))
        env_item(o, 12, "NCCL_IB_DISABLE", "0");
    if (!strcmp(p->transport, "efa")) {
        env_item(o, 12, "FI_PROVIDER", "efa");
        env_item(o, 12, "FI_EFA_USE_DEVICE_RDMA", "1");
    }
    for (int i = 0; i < p->n_env; i++)
        env_item(o, 12, p->env_name[i], p->env_val[i]);
}

static int worker(const struct gen_plan *p, const struct gen_worker *w, struct aic_buf *o,
                  struct aic_error *err)
{
    int nodes = nodes_of(p, w), multinode = nodes > 1;
    char gpus[16];

    snprintf(gpus, sizeof(gpus), "%d", (w->gpus + nodes - 1) / nodes);
    aic_buf_printf(o, "    %s:\n      envFromSecret: hf-token-secret\n", service_name(p, w->role));
    if (*p->etcd || *p->hf_home) {
        aic_buf_puts(o, "      envs:\n");
        if (*p->etcd)
            env_item(o, 8, "ETCD_ENDPOINTS", p->etcd);
        if (*p->hf_home)
            env_item(o, 8, "HF_HOME", p->hf_home);
    }
    aic_buf_puts(o, "      componentType: worker\n");
    if (w->role != ROLE_AGG)
        kv(o, 6, "subComponentType", gen_role_name(w->role));
    kvi(o, 6, "replicas", w->count);
    aic_buf_puts(o, "      resources:\n        limits:\n");
    kv(o, 10, "gpu", gpus);
    if (multinode)
        aic_buf_puts(o, "        claims:\n          - name: compute-domain-channel\n");
    aic_buf_puts(o, "      sharedMemory:\n        size: 64Gi\n");
    if (multinode)
        aic_buf_printf(o, "      multinode:\n        nodeCount: %d\n", nodes);
    aic_buf_puts(o, "      extraPodSpec:\n");
    pod_common(p, o, 1, multinode);
    aic_buf_puts(o, "        mainContainer:\n");
    kv(o, 10, "image", p->image);
    kv(o, 10, "workingDir", working_dir(p));
    aic_buf_puts(o, "          imagePullPolicy: IfNotPresent\n");
    mounts(p, o, 1);
    if (worker_cmd(p, w, o, err))
        return err ? err->code : AIC_ERR_RUNTIME;
    worker_env(p, o);
    if (!strcmp(p->transport, "efa"))
        aic_buf_puts(o, "          securityContext:\n            capabilities:\n"
                        "              add:\n                - IPC_LOCK\n");
    return AIC_OK;
}

static void configmap(const struct gen_plan *p, struct aic_buf *o)
{
    aic_buf_puts(o, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n");
    aic_buf_printf(o, "  name: %s-engine-configs\n", p->name);
    kv(o, 2, "namespace", p->ns);
    aic_buf_puts(o, "data:\n");
    for (int i = 0; i < p->n_w; i++) {
        struct aic_buf eng = {0};
        gen_engine_yaml(p, &p->w[i], &eng);
        aic_buf_printf(o, "  %s_config.yaml: ", gen_role_name(p->w[i].role));
        block(o, 4, aic_buf_str(&eng));
        aic_buf_release(&eng);
    }
    aic_buf_puts(o, "---\n");
}

static void compute_domain(const struct gen_plan *p, struct aic_buf *o, int nodes)
{
    aic_buf_puts(o, "apiVersion: resource.nvidia.com/v1beta1\nkind: ComputeDomain\nmetadata:\n");
    aic_buf_printf(o, "  name: %s-compute-domain\n", p->name);
    kv(o, 2, "namespace", p->ns);
    aic_buf_printf(o,
                   "spec:\n  numNodes: %d\n  channel:\n    resourceClaimTemplate:\n"
                   "      name: %s-compute-domain-channel\n---\n",
                   nodes, p->name);
}

int gen_k8s(const struct gen_plan *p, struct aic_buf *o, struct aic_error *err)
{
    int max_nodes = 0;

    for (int i = 0; i < p->n_w; i++)
        if (nodes_of(p, &p->w[i]) > max_nodes)
            max_nodes = nodes_of(p, &p->w[i]);
    aic_buf_printf(o,
                   "# DynamoGraphDeployment for %s (%s, %s %s), written by aiconfigurator.\n"
                   "# Apply with: kubectl apply -f k8s_deploy.yaml\n",
                   p->model_path, p->disagg ? "disagg" : "agg", aic_backend_name(p->backend),
                   p->tmpl_version);
    if (p->backend == AIC_BACKEND_TRTLLM && !strcmp(p->engine_mode, "configmap"))
        configmap(p, o);
    if (max_nodes > 1)
        compute_domain(p, o, max_nodes);
    aic_buf_puts(o, "apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeployment\nmetadata:\n");
    kv(o, 2, "name", p->name);
    kv(o, 2, "namespace", p->ns);
    aic_buf_puts(o, "spec:\n  services:\n");
    frontend(p, o);
    for (int i = 0; i < p->n_w; i++) {
        int rc = worker(p, &p->w[i], o, err);
        if (rc)
            return rc;
    }
    return o->s ? AIC_OK : aic_err(err, AIC_ERR_NOMEM, "out of memory");
}
