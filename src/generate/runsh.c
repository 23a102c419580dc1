/*
 * runsh.c - bare-metal launch scripts, one per node (run_0.sh ... run_N.sh).
 *
 * Workers are ordered so prefill and decode interleave in their ratio, then packed first-fit
 * onto nodes of NodeConfig.num_gpus_per_node GPUs, each on a contiguous GPU range
 * (CUDA_VISIBLE_DEVICES) with its own ports; a worker larger than a node takes whole nodes
 * and is started on each with its node rank (TRT-LLM: one mpirun from its first node).
 * Node 0 also starts the frontend. Every script kills its children on exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_int.h"

#define ENGINE_DIR "/workspace/engine_configs"

struct inst {
    int w;      /* index into plan->w */
    int idx;    /* worker number within its role */
    int node;   /* first node */
    int nnodes; /* nodes it spans */
    int gpu0;   /* first GPU on its node (single-node workers) */
};

/* Orders and packs workers (out may be NULL); returns the instance count and the nodes
 * used in *n_nodes. */
static int pack(const int *gpus, const int *count, int n_roles, int gpn, struct inst *out, int max,
                int *n_nodes)
{
    int placed[2] = {0, 0}, n = 0, nodes = 0, *used;
    int total = count[0] + (n_roles > 1 ? count[1] : 0);
    long cap_l = 0;
    int cap;

    /* at most every worker on nodes of its own */
    for (int r = 0; r < n_roles && r < 2; r++)
        if (gpus[r] > 0 && count[r] > 0)
            cap_l += (long)count[r] * ((gpus[r] + gpn - 1) / gpn);
    cap = cap_l < GEN_MAX_NODES ? (int)cap_l : GEN_MAX_NODES;
    if (!(used = calloc((size_t)cap + 1, sizeof(*used)))) {
        *n_nodes = 0;
        return 0;
    }

    for (int k = 0; k < total && n < max; k++) {
        struct inst cur = {0};
        int r = 0, g, j;
        /* the role that is furthest behind its share goes next (prefill first on ties) */
        if (n_roles > 1 &&
            (placed[0] >= count[0] ||
             (placed[1] < count[1] && (double)placed[1] / count[1] < (double)placed[0] / count[0])))
            r = 1;
        g = gpus[r];
        cur.w = r;
        cur.idx = placed[r]++;
        if (g > gpn) {
            cur.nnodes = (g + gpn - 1) / gpn;
            if (nodes + cur.nnodes > cap)
                break;
            cur.node = nodes;
            for (j = 0; j < cur.nnodes; j++)
                used[nodes++] = gpn;
        } else {
            for (j = 0; j < nodes && used[j] + g > gpn; j++)
                ;
            if (j == nodes) {
                if (nodes >= cap)
                    break;
                used[nodes++] = 0;
            }
            cur.nnodes = 1;
            cur.node = j;
            cur.gpu0 = used[j];
            used[j] += g;
        }
        if (out)
            out[n] = cur;
        n++;
    }
    free(used);
    *n_nodes = nodes;
    return n;
}

int gen_pack_nodes(const struct gen_plan *p)
{
    int gpus[2] = {p->w[0].gpus, p->n_w > 1 ? p->w[1].gpus : 0};
    int count[2] = {p->w[0].count, p->n_w > 1 ? p->w[1].count : 0};
    int nodes = 0;
    pack(gpus, count, p->n_w, p->gpn, NULL, 1 << 30, &nodes);
    return nodes;
}

int aic_generate_node_count(const struct aic_search_row *row, int gpus_per_node, int total_gpus)
{
    int disagg = row->exp == AIC_EXP_DISAGG;
    int g0 = row->lay.tp * row->lay.pp * row->lay.dp;
    int g1 = row->d_lay.tp * row->d_lay.pp * row->d_lay.dp;
    int per = disagg ? row->workers * g0 + row->d_workers * g1 : g0;
    int reps = row->replicas > 0 ? row->replicas : (per > 0 ? total_gpus / per : 0);
    int gpus[2] = {g0, g1};
    int count[2] = {disagg ? reps * row->workers : reps, reps * row->d_workers};
    int nodes = 0;
    if (per <= 0 || reps < 1 || gpus_per_node < 1)
        return 0;
    pack(gpus, count, disagg ? 2 : 1, gpus_per_node, NULL, 1 << 30, &nodes);
    return nodes;
}

/* ---- script text ------------------------------------------------------------------------ */

static void header(const struct gen_plan *p, struct aic_buf *o, int node, int nodes)
{
    aic_buf_printf(o,
                   "#!/usr/bin/env bash\n"
                   "# run_%d.sh - node %d of %d: %s %s workers for %s, written by "
                   "aiconfigurator.\n"
                   "# etcd and NATS must be running on node 0 (HEAD_NODE_IP). Environment "
                   "overrides:\n"
                   "# MODEL_PATH, SERVED_MODEL_NAME, HF_TOKEN, HEAD_NODE_IP, NODE_<i>_IP "
                   "(multi-node workers).\n"
                   "set -u\n",
                   node, node, nodes, p->disagg ? "disagg" : "agg", aic_backend_name(p->backend),
                   p->model_path);
    gen_sh_default(o, "MODEL_PATH", "MODEL_PATH", p->model_path);
    gen_sh_default(o, "SERVED_MODEL_NAME", "SERVED_MODEL_NAME", p->served);
    gen_sh_default(o, "HEAD_NODE_IP", "HEAD_NODE_IP", p->head_ip);
    gen_sh_default(o, "HF_TOKEN", "HF_TOKEN", p->hf_token);
    aic_buf_puts(o, "export HF_TOKEN\n"
                    "export ETCD_ENDPOINTS=\"${ETCD_ENDPOINTS:-http://${HEAD_NODE_IP}:2379}\"\n"
                    "export NATS_SERVER=\"${NATS_SERVER:-nats://${HEAD_NODE_IP}:4222}\"\n");
    if (!strncmp(p->system, "h100", 4) || !strncmp(p->system, "h200", 4))
        aic_buf_puts(o, "export NCCL_CUMEM_ENABLE=1\n");
    for (int i = 0; i < p->n_env; i++) {
        aic_buf_printf(o, "export %s=", p->env_name[i]);
        sh_quote(o, p->env_val[i]);
        aic_buf_puts(o, "\n");
    }
    if (p->backend == AIC_BACKEND_TRTLLM) {
        aic_buf_puts(o, "SCRIPT_DIR=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n"
                        "ENGINE_DIR=\"${ENGINE_DIR:-" ENGINE_DIR "}\"\n"
                        "mkdir -p \"$ENGINE_DIR\"\n");
        for (int i = 0; i < p->n_w; i++)
            aic_buf_printf(o,
                           "[ -f \"$ENGINE_DIR/%s_config.yaml\" ] || cp "
                           "\"$SCRIPT_DIR/%s_config.yaml\" \"$ENGINE_DIR/\"\n",
                           gen_role_name(p->w[i].role), gen_role_name(p->w[i].role));
    }
    aic_buf_puts(o, "\nPIDS=()\n"
                    "cleanup() {\n"
                    "    trap - EXIT INT TERM\n"
                    "    for pid in ${PIDS[@]+\"${PIDS[@]}\"}; do kill \"$pid\" 2>/dev/null; "
                    "done\n"
                    "    wait\n"
                    "}\n"
                    "trap cleanup EXIT INT TERM\n"
                    "prefix() { sed -u \"s/^/[$1] /\"; }\n\n");
}

static const char *label(const struct gen_worker *w)
{
    return w->role == ROLE_PREFILL ? "Prefill" : w->role == ROLE_DECODE ? "Decode" : "Worker";
}

static void ip_of(struct aic_buf *o, int node)
{
    if (node == 0)
        aic_buf_puts(o, "${HEAD_NODE_IP}");
    else
        aic_buf_printf(o, "${NODE_%d_IP:?set NODE_%d_IP to the address of node %d}", node, node,
                       node);
}

/* Appends the worker's arguments, shell-quoted. */
static int add_args(const struct gen_plan *p, const struct gen_worker *w, int kv_port,
                    int boot_port, struct aic_buf *o, struct aic_error *err)
{
    char engine[256];
    struct gen_args a;
    int rc;

    snprintf(engine, sizeof(engine), ENGINE_DIR "/%s_config.yaml", gen_role_name(w->role));
    if ((rc = gen_worker_args(p, w, engine, &a, err)) != AIC_OK)
        return rc;
    for (int i = 0; i < a.n; i++) {
        aic_buf_puts(o, " ");
        if (!strcmp(a.v[i], GEN_ARG_MODEL)) {
            aic_buf_puts(o, "\"$MODEL_PATH\"");
        } else if (!strcmp(a.v[i], GEN_ARG_SERVED)) {
            aic_buf_puts(o, "\"$SERVED_MODEL_NAME\"");
        } else if (!strcmp(a.v[i], engine)) {
            aic_buf_printf(o, "\"$ENGINE_DIR/%s_config.yaml\"", gen_role_name(w->role));
        } else {
            char *s = gen_arg_subst(a.v[i], "", "", kv_port, boot_port);
            sh_quote(o, s ? s : "");
            free(s);
        }
    }
    gen_args_free(&a);
    return AIC_OK;
}

/* One launch line of instance `in` on node `node` (slot j = its order on that node). */
static int launch(const struct gen_plan *p, const struct inst *in, int node, int j,
                  struct aic_buf *o, struct aic_error *err)
{
    const struct gen_worker *w = &p->w[in->w];
    int rank = node - in->node, multi = in->nnodes > 1;
    int per_node = multi ? (w->gpus + in->nnodes - 1) / in->nnodes : w->gpus;
    int kv_port = (p->backend == AIC_BACKEND_VLLM ? p->vllm_kv_port : p->sglang_kv_port) + j;
    const char *mod = p->backend == AIC_BACKEND_VLLM     ? "dynamo.vllm"
                      : p->backend == AIC_BACKEND_SGLANG ? "dynamo.sglang"
                                                         : "dynamo.trtllm";
    int rc;

    aic_buf_printf(o, "# [%s %d] %s worker %d: tp%dpp%ddp%d", label(w), in->idx,
                   gen_role_name(w->role), in->idx, w->tp, w->pp, w->dp);
    if (multi)
        aic_buf_printf(o, ", spans nodes %d-%d (this is rank %d)", in->node,
                       in->node + in->nnodes - 1, rank);
    aic_buf_printf(o, ", GPUs %d-%d\n", multi ? 0 : in->gpu0,
                   (multi ? 0 : in->gpu0) + per_node - 1);
    if (multi && p->backend == AIC_BACKEND_TRTLLM && rank > 0) {
        aic_buf_printf(o, "# started by mpirun from node %d (needs ssh between nodes)\n\n",
                       in->node);
        return AIC_OK;
    }
    aic_buf_puts(o, "CUDA_VISIBLE_DEVICES=");
    for (int g = 0; g < per_node; g++)
        aic_buf_printf(o, "%s%d", g ? "," : "", (multi ? 0 : in->gpu0) + g);
    aic_buf_printf(o, " DYN_SYSTEM_PORT=%d", p->system_port + j);
    if (p->backend == AIC_BACKEND_VLLM)
        aic_buf_printf(o, " DYN_VLLM_KV_EVENT_PORT=%d VLLM_NIXL_SIDE_CHANNEL_PORT=%d",
                       p->vllm_kv_port + j, p->nixl_port + j);
    if (multi && p->backend == AIC_BACKEND_TRTLLM) {
        aic_buf_printf(o, " \\\n    mpirun --allow-run-as-root --oversubscribe -np %d -H ",
                       w->gpus);
        for (int k = 0; k < in->nnodes; k++) {
            if (k)
                aic_buf_puts(o, ",");
            ip_of(o, in->node + k);
            aic_buf_printf(o, ":%d", per_node);
        }
        aic_buf_puts(o, " -x CUDA_VISIBLE_DEVICES -x DYN_SYSTEM_PORT -x ETCD_ENDPOINTS -x "
                        "NATS_SERVER -x HF_TOKEN \\\n    trtllm-llmapi-launch");
    }
    aic_buf_printf(o, " \\\n    python3 -m %s", mod);
    if ((rc = add_args(p, w, kv_port, 8998 + j, o, err)) != AIC_OK)
        return rc;
    if (multi && p->backend == AIC_BACKEND_VLLM) {
        aic_buf_printf(o, " --nnodes %d --node-rank %d --master-addr \"", in->nnodes, rank);
        ip_of(o, in->node);
        aic_buf_printf(o, "\" --master-port %d%s", 29500 + j, rank ? " --headless" : "");
    } else if (multi && p->backend == AIC_BACKEND_SGLANG) {
        aic_buf_puts(o, " --dist-init-addr \"");
        ip_of(o, in->node);
        aic_buf_printf(o, ":%d\" --nnodes %d --node-rank %d", 29500 + j, in->nnodes, rank);
    }
    aic_buf_printf(o, " \\\n    > >(prefix \"%s %d\") 2>&1 &\nPIDS+=($!)\n\n", label(w), in->idx);
    return AIC_OK;
}

int gen_run_scripts(const struct gen_plan *p, struct aic_buf *scripts, int max_nodes,
                    struct aic_error *err)
{
    int gpus[2] = {p->w[0].gpus, p->n_w > 1 ? p->w[1].gpus : 0};
    int count[2] = {p->w[0].count, p->n_w > 1 ? p->w[1].count : 0};
    struct inst *in;
    int n, nodes = 0, rc = AIC_OK, total = count[0] + count[1];

    if (!(in = calloc((size_t)total + 1, sizeof(*in))))
        return aic_err(err, AIC_ERR_NOMEM, "out of memory");
    n = pack(gpus, count, p->n_w, p->gpn, in, total, &nodes);
    if (n < total || nodes > max_nodes) {
        free(in);
        return aic_err(err, AIC_ERR_USAGE,
                       "the deployment needs %d nodes for its run scripts; at most %d are "
                       "supported",
                       nodes, max_nodes);
    }
    for (int node = 0; node < nodes && rc == AIC_OK; node++) {
        struct aic_buf *o = &scripts[node];
        int j = 0;
        header(p, o, node, nodes);
        if (node == 0 && p->include_frontend) {
            aic_buf_printf(o,
                           "# Frontend (OpenAI-compatible HTTP on port %d)\n"
                           "python3 -m dynamo.frontend --http-port %d",
                           p->port, p->port);
            if (p->router) {
                aic_buf_puts(o, " --router-mode ");
                sh_quote(o, p->router_mode);
            }
            aic_buf_puts(o, " > >(prefix Frontend) 2>&1 &\nPIDS+=($!)\n\n");
        }
        for (int i = 0; i < n && rc == AIC_OK; i++)
            if (node >= in[i].node && node < in[i].node + in[i].nnodes)
                rc = launch(p, &in[i], node, j++, o, err);
        aic_buf_puts(o, "wait\n");
    }
    free(in);
    return rc == AIC_OK ? nodes : rc;
}
