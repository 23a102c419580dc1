/*
 * worker.c - a worker: layout validation, quantization resolution, op lists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/oplist.h"

/* TensorRT-LLM serves per-tensor fp8 from ModelOpt checkpoints (calibrated, static activation
 * scales), and its Llama modeling fuses the static fp8 quantization into the residual-add +
 * RMSNorm (and all-reduce) kernel when hidden > 4096: those GEMMs neither compute a scale nor
 * quantize their input. Other architectures keep the timed fp8 kernel, as does a checkpoint
 * that declares dynamic activation scales. */
static int trtllm_static_fp8(const struct aic_worker *w, const struct aic_model *m,
                             enum aic_quant gemm)
{
    return gemm == AIC_Q_FP8 && w->backend == AIC_BACKEND_TRTLLM && m->gemm_quant != AIC_Q_FP8 &&
           !strcmp(m->architecture, "LlamaForCausalLM") && m->hidden_size > 4096;
}

static enum aic_quant pick(enum aic_quant user, enum aic_quant ckpt)
{
    return user != AIC_Q_NONE ? user : ckpt;
}

/* MXFP4 experts on Blackwell take MXFP8 activations: TensorRT-LLM's and SGLang's default
 * kernels (SGLang's flashinfer_mxfp4 runner at its "default" precision) and vLLM's with
 * AIC_VLLM_MXFP8_MOE_ENV, set by our generated workers. The perf tables time them 1.2-3x
 * (median) faster per MoE layer than the bf16-activation kernels, and the measured Blackwell
 * gpt-oss deployments run at their speed. w4a16_mxfp4 names the checkpoint's format here,
 * as in AIConfigurator: given or read from the checkpoint, it becomes w4a8_mxfp4_mxfp8. */
enum aic_quant aic_moe_quant_run(int sm_version, enum aic_quant moe)
{
    return moe == AIC_Q_W4A16_MXFP4 && sm_version >= 100 ? AIC_Q_W4A8_MXFP4_MXFP8 : moe;
}

/* Checkpoint defaults, user overrides, and what the GPU can compute. */
/* vLLM and SGLang run an fp8 checkpoint on a GPU without fp8 tensor cores (A100) with
 * Marlin's weight-only kernels: 8-bit weights, 16-bit math, which int8_wo times (same bytes);
 * TensorRT-LLM has no such path. Attention runs in 16 bits on every backend. */
static int fp8_weight_only(const struct aic_worker *w, enum aic_quant *q, int which)
{
    if (which == 2) { /* attention falls back to 16 bits on every backend */
        *q = AIC_Q_BF16;
        return 1;
    }
    if (w->backend == AIC_BACKEND_TRTLLM)
        return 0;
    if (*q != AIC_Q_FP8 && *q != AIC_Q_FP8_BLOCK && *q != AIC_Q_FP8_STATIC)
        return 0;
    *q = AIC_Q_INT8_WO;
    return 1;
}

static int resolve_quant(struct aic_worker *w, struct aic_error *err)
{
    const struct aic_model *m = w->model;
    const struct aic_system *sys = aic_perfdb_system(w->db);
    const struct aic_quant_cfg *u = &w->opts.quant;
    struct aic_quant_cfg *q = &w->q;
    enum aic_quant *all[] = {&q->gemm, &q->moe, &q->fmha};
    const char *what[] = {"gemm", "moe", "fmha"};

    q->gemm = pick(u->gemm, m->gemm_quant);
    q->moe = aic_moe_quant_run(sys->sm_version, pick(u->moe, m->moe_quant));
    q->kv = pick(u->kv, m->kv_quant);
    q->fmha = pick(u->fmha, m->fmha_quant);
    q->comm = pick(u->comm, AIC_Q_HALF);
    if (q->gemm == AIC_Q_NONE)
        q->gemm = AIC_Q_BF16;
    if (q->moe == AIC_Q_NONE)
        q->moe = q->gemm;
    if (q->kv == AIC_Q_NONE)
        q->kv = AIC_Q_BF16;
    if (q->fmha == AIC_Q_NONE)
        q->fmha = AIC_Q_BF16;
    if (trtllm_static_fp8(w, m, q->gemm))
        q->gemm = AIC_Q_FP8_STATIC;
    for (int i = 0; i < 3; i++) {
        enum aic_compute c = aic_quant_compute(*all[i]);
        if (i == 1 && m->family != AIC_FAMILY_MOE && m->family != AIC_FAMILY_MLA_MOE)
            continue; /* a dense model runs no experts */
        if (c == AIC_COMPUTE_FP4 && sys->tc_flops[c] <= 0) {
            /* nvfp4 weights on a GPU without fp4 tensor cores run weight-only */
            if (*all[i] == AIC_Q_NVFP4) {
                *all[i] = AIC_Q_NVFP4_WO;
                continue;
            }
        }
        if (c == AIC_COMPUTE_FP8 && sys->tc_flops[c] <= 0 && fp8_weight_only(w, all[i], i))
            continue;
        if (sys->tc_flops[c] <= 0)
            return aic_err(err, AIC_ERR_USAGE,
                           "%s quant mode %s is not supported on %s (no %s tensor cores); "
                           "choose another --%s-quant-mode such as bfloat16%s",
                           what[i], aic_quant_info(*all[i])->name, sys->name,
                           c == AIC_COMPUTE_FP8   ? "fp8"
                           : c == AIC_COMPUTE_FP4 ? "fp4"
                                                  : "int8",
                           what[i],
                           c == AIC_COMPUTE_FP8 ? ", or serve it with --backend vllm or sglang "
                                                  "(fp8 weights, 16-bit math)"
                                                : "");
    }
    if (q->kv == AIC_Q_FP8 && sys->tc_flops[AIC_COMPUTE_FP8] <= 0)
        q->kv = AIC_Q_INT8;
    return AIC_OK;
}

static int bad_layout(struct aic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad_layout(struct aic_error *err, const char *fmt, ...)
{
    char msg[AIC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return aic_err(err, AIC_ERR_USAGE, "invalid parallel layout: %s", msg);
}

/* The expert group spans the tp x attention_dp GPUs: a MoE size not given is the quotient of
 * the group by the other (both missing: pure expert parallelism). */
static int derive_moe_layout(struct aic_layout *lay, struct aic_error *err)
{
    int G = lay->tp * lay->dp;

    if (lay->moe_tp == 0 && lay->moe_ep == 0) {
        lay->moe_tp = 1, lay->moe_ep = G;
        return AIC_OK;
    }
    if (lay->moe_tp == 0 || lay->moe_ep == 0) {
        int given = lay->moe_tp ? lay->moe_tp : lay->moe_ep;
        if (G % given)
            return bad_layout(err,
                              "%s %d does not divide tp x attention_dp (%d); the MoE sizes "
                              "must multiply to %d",
                              lay->moe_tp ? "moe_tp" : "moe_ep", given, G, G);
        if (lay->moe_tp)
            lay->moe_ep = G / lay->moe_tp;
        else
            lay->moe_tp = G / lay->moe_ep;
    }
    if (lay->moe_tp * lay->moe_ep != G)
        return bad_layout(err, "moe_tp x moe_ep must equal tp x attention_dp (%d); got %d x %d", G,
                          lay->moe_tp, lay->moe_ep);
    return AIC_OK;
}

/* The head rule of the backends (engine.h); MLA has no separate KV heads. */
int aic_tp_splits_heads(const struct aic_model *m, int tp)
{
    int kv = m->num_kv_heads;

    if (tp < 1 || m->num_heads % tp)
        return 0;
    return m->family == AIC_FAMILY_MLA_MOE || kv <= 0 || kv % tp == 0 || tp % kv == 0;
}

/* "1, 2, 5, 10 or 20": every tp that splits the model's heads (aic_tp_splits_heads). */
static void valid_tps(const struct aic_model *m, char *out, size_t n)
{
    int count = 0, last = 0;
    size_t len = 0;

    out[0] = 0;
    for (int tp = 1; tp <= m->num_heads; tp++)
        if (aic_tp_splits_heads(m, tp))
            count++;
    for (int tp = 1; tp <= m->num_heads && len < n; tp++) {
        if (!aic_tp_splits_heads(m, tp))
            continue;
        last++;
        len += (size_t)snprintf(out + len, n - len, "%s%d",
                                last == 1       ? ""
                                : last == count ? " or "
                                                : ", ",
                                tp);
    }
}

/* The model's name without its organisation ("phi-4" of "microsoft/phi-4"). */
static const char *short_name(const struct aic_model *m)
{
    const char *slash = strrchr(m->id, '/');
    return slash && slash[1] ? slash + 1 : m->id;
}

/* The attention-head checks: query heads, then KV heads; the error lists the valid sizes. */
static int check_heads(const struct aic_model *m, int tp, struct aic_error *err)
{
    char ok[160];

    if (aic_tp_splits_heads(m, tp))
        return AIC_OK;
    valid_tps(m, ok, sizeof(ok));
    if (m->num_heads % tp)
        return bad_layout(err, "tp %d does not divide %s's %d attention heads; use tp %s", tp,
                          short_name(m), m->num_heads, ok);
    return bad_layout(err,
                      "tp %d does not divide %s's %d KV heads (and is not a multiple of them); "
                      "use tp %s",
                      tp, short_name(m), m->num_kv_heads, ok);
}

static int check_layout(const struct aic_model *m, struct aic_layout *lay, enum aic_backend be,
                        struct aic_error *err)
{
    int moe = m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE, rc;
    (void)be;
    if (lay->tp < 1 || lay->pp < 1 || lay->dp < 1 || lay->moe_tp < 0 || lay->moe_ep < 0)
        return bad_layout(err, "parallel sizes must be >= 1 (tp %d, pp %d)", lay->tp, lay->pp);
    if ((rc = check_heads(m, lay->tp, err)))
        return rc;
    if (lay->pp > m->num_layers)
        return bad_layout(err, "pp %d exceeds the model's %d layers", lay->pp, m->num_layers);
    if (!moe) {
        if (lay->dp != 1)
            return bad_layout(err,
                              "attention dp %d needs a MoE model (dense models scale by "
                              "replicas; use dp 1)",
                              lay->dp);
        lay->moe_tp = lay->moe_ep = 1;
        return AIC_OK;
    }
    if ((rc = derive_moe_layout(lay, err)))
        return rc;
    if (m->num_experts % lay->moe_ep)
        return bad_layout(err, "moe_ep %d does not divide the model's %d experts", lay->moe_ep,
                          m->num_experts);
    if (m->moe_inter_size % lay->moe_tp)
        return bad_layout(err, "moe_tp %d does not divide the expert size %d", lay->moe_tp,
                          m->moe_inter_size);
    return AIC_OK;
}

int aic_worker_quant_check(const struct aic_model *m, struct aic_perfdb *db,
                           const struct aic_worker_opts *opts, struct aic_error *err)
{
    struct aic_worker w = {.model = m, .db = db, .backend = aic_perfdb_backend(db)};

    if (opts)
        w.opts = *opts;
    else
        w.opts.quant =
            (struct aic_quant_cfg){AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE};
    return resolve_quant(&w, err);
}

/* The perf tables the worker's ops read first, loaded together (several at a time) instead of
 * one after another on first use. Best effort: a table that fails to load reports its error
 * where an op reads it. */
static void prefetch_tables(const struct aic_worker *w)
{
    static const char *const by_kind[] = {
        [AIC_OP_GEMM] = "gemm_perf",
        [AIC_OP_CTX_ATTN] = "context_attention_perf",
        [AIC_OP_GEN_ATTN] = "generation_attention_perf",
        [AIC_OP_CTX_MLA] = "context_mla_perf",
        [AIC_OP_GEN_MLA] = "generation_mla_perf",
        [AIC_OP_MLA_MODULE_CTX] = "mla_context_module_perf",
        [AIC_OP_MLA_MODULE_GEN] = "mla_generation_module_perf",
        [AIC_OP_MOE] = "moe_perf",
        [AIC_OP_ALLREDUCE] = "custom_allreduce_perf",
    };
    const struct aic_oplist *lists[2] = {w->ctx_ops, w->gen_ops};
    const char *names[sizeof(by_kind) / sizeof(by_kind[0])];
    int n = 0;

    for (int l = 0; l < 2; l++)
        for (int i = 0; lists[l] && i < lists[l]->n; i++) {
            const struct aic_op *op = &lists[l]->ops[i];
            const char *name =
                (size_t)op->kind < sizeof(by_kind) / sizeof(by_kind[0]) ? by_kind[op->kind] : NULL;
            int seen = !name || op->is_alt || (op->kind == AIC_OP_MOE && w->wide_ep);
            for (int j = 0; j < n && !seen; j++)
                seen = names[j] == name;
            if (!seen)
                names[n++] = name;
        }
    aic_perfdb_prefetch(w->db, names, n, NULL);
}

int aic_worker_init(struct aic_worker *w, const struct aic_model *m, struct aic_perfdb *db,
                    struct aic_layout lay, const struct aic_worker_opts *opts,
                    struct aic_error *err)
{
    int rc;

    memset(w, 0, sizeof(*w));
    w->model = m;
    w->db = db;
    w->backend = aic_perfdb_backend(db);
    if (opts)
        w->opts = *opts;
    else
        w->opts.quant =
            (struct aic_quant_cfg){AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE, AIC_Q_NONE};
    if ((rc = check_layout(m, &lay, w->backend, err)))
        return rc;
    w->lay = lay;
    if ((rc = resolve_quant(w, err)))
        return rc;
    if (w->opts.nextn < 0 || w->opts.nextn_accepted < 0 || w->opts.nextn_accepted > w->opts.nextn)
        return aic_err(err, AIC_ERR_USAGE, "--nextn-accepted must be between 0 and --nextn (%d)",
                       w->opts.nextn);
    w->wide_ep = aic_wide_ep_applies(w);
    rc = aic_build_ops(w, err);
    if (rc)
        aic_worker_release(w);
    else
        prefetch_tables(w);
    return rc;
}

void aic_worker_release(struct aic_worker *w)
{
    aic_oplist_free(w->ctx_ops);
    aic_oplist_free(w->gen_ops);
    w->ctx_ops = w->gen_ops = NULL;
}

int aic_worker_gpus(const struct aic_worker *w)
{
    return w->lay.tp * w->lay.pp * w->lay.dp;
}
