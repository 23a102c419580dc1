/*
 * naive.c - the configuration `cli generate` writes without any sweep, and the support
 * check behind `cli support`.
 *
 * Naive rule (AIConfigurator's): weights in bf16 whatever the checkpoint's quantization;
 * GPUs per worker = the smallest power of two N with N x GPU memory > 1.5 x bytes; MoE runs as
 * moe_tp = TP, moe_ep = 1; batch 128; replicas = total_gpus / N. Departure from
 * AIConfigurator, which makes N the TP even where it does not split the attention heads
 * (Maverick, 40 heads, at tp 16 on H100), a deployment no backend starts: here TP is halved and
 * PP doubled (TP x PP = N, the pipeline stages across nodes) until TP passes the engine's head
 * rule (aic_tp_splits_heads) and, for MoE, divides the expert size: Maverick on H100 runs tp 8
 * pp 2.
 *
 * The weights are counted as the engine counts them (aic_model_weight_bytes: GQA projections,
 * the dense layers of an MoE model as dense, shared experts, embedding and LM head, tied ones
 * once), not by AIConfigurator's formula V*h + L*(4h^2 + FFN + 4h), which makes every layer of
 * an MoE model an MoE layer. The support check counts the checkpoint's weights the same way, in
 * its own quantization.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "generate/gen_int.h"

static int is_moe(const struct aic_model *m)
{
    return m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE;
}

int aic_naive_weight_bytes(const struct aic_model *m, double *bytes, struct aic_error *err)
{
    return aic_model_weight_bytes(m, AIC_Q_BF16, AIC_Q_BF16, bytes, err);
}

/* The smallest power of two whose memory exceeds need (the GPUs one worker takes). */
static int memory_gpus(double need, double mem)
{
    int gpus = 1;

    while (gpus * mem <= need && gpus < (1 << 20))
        gpus *= 2;
    return gpus;
}

/* Whether the engine accepts tp for m: it splits the heads (aic_tp_splits_heads) and, for an
 * MoE model run as moe_tp = tp, the expert size. */
static int tp_fits(const struct aic_model *m, int tp)
{
    return aic_tp_splits_heads(m, tp) && (!is_moe(m) || m->moe_inter_size % tp == 0);
}

/* Splits gpus into tp x pp: the largest tp (halving from gpus) the engine accepts, pipeline
 * stages for the rest. tp 1 always splits the heads; pp beyond the layers -> AIC_ERR_USAGE. */
static int split_layout(const struct aic_model *m, int gpus, struct aic_naive_info *in,
                        struct aic_error *err)
{
    int tp = gpus;

    while (tp > 1 && !tp_fits(m, tp))
        tp /= 2;
    in->tp = tp;
    in->pp = gpus / tp;
    if (in->pp > m->num_layers)
        return aic_err(err, AIC_ERR_USAGE,
                       "%s: no power-of-two tp up to %d splits its %d heads, and pp %d exceeds its "
                       "%d layers; deploy it with `cli default` instead",
                       m->id, gpus, m->num_heads, in->pp, m->num_layers);
    return AIC_OK;
}

static void fill_row(const struct aic_model *m, const struct aic_system *sys,
                     enum aic_backend backend, const struct aic_naive_info *in,
                     struct aic_search_row *row)
{
    memset(row, 0, sizeof(*row));
    row->exp = AIC_EXP_AGG;
    row->backend = backend;
    row->lay.tp = in->tp;
    row->lay.pp = in->pp;
    row->lay.dp = 1;
    row->lay.moe_tp = is_moe(m) ? in->tp : 1;
    row->lay.moe_ep = 1;
    row->bs = 128;
    row->workers = 1;
    row->q.gemm = m->gemm_quant;
    row->q.moe = aic_moe_quant_run(sys->sm_version, m->moe_quant);
    row->q.kv = m->kv_quant;
    row->q.fmha = m->fmha_quant;
    row->q.comm = AIC_Q_HALF;
    row->d_q = row->q;
    row->gpus = in->tp * in->pp;
    row->replicas = in->replicas;
}

int aic_generate_naive(const struct aic_model *m, const struct aic_system *sys,
                       enum aic_backend backend, int total_gpus, struct aic_search_row *row,
                       struct aic_naive_info *info, struct aic_error *err)
{
    struct aic_naive_info in;
    int gpn = sys->gpus_per_node > 0 ? sys->gpus_per_node : 8;
    double mem = sys->mem_capacity_bytes > 0 ? sys->mem_capacity_bytes : 141.0 * (1 << 30);
    int gpus, rc;

    if (total_gpus < 1)
        return aic_err(err, AIC_ERR_USAGE, "--total-gpus must be >= 1");
    memset(&in, 0, sizeof(in));
    if ((rc = aic_naive_weight_bytes(m, &in.weight_bytes_bf16, err)))
        return rc;
    in.need_bytes = 1.5 * in.weight_bytes_bf16;
    in.gpu_mem_bytes = mem;
    in.max_gpus = total_gpus < gpn ? total_gpus : gpn * (total_gpus / gpn);
    gpus = memory_gpus(in.need_bytes, mem);
    in.tp = gpus;
    in.pp = 1;
    if (info)
        *info = in;
    if (gpus > in.max_gpus)
        return aic_err(err, AIC_ERR_OOM,
                       "%s needs about %.0f GiB (1.5 x %.0f GiB of bf16 weights), more than %d "
                       "x %.0f GiB on %s; it needs %d GPUs per worker (tp x pp): raise "
                       "--total-gpus to at least %d",
                       m->id, in.need_bytes / (1 << 30), in.weight_bytes_bf16 / (1 << 30),
                       in.max_gpus, mem / (1 << 30), sys->name, gpus, gpus);
    if ((rc = split_layout(m, gpus, &in, err)))
        return rc;
    in.replicas = total_gpus / gpus;
    if (info)
        *info = in;
    fill_row(m, sys, backend, &in, row);
    return AIC_OK;
}

/* ---- support ------------------------------------------------------------------------------- */

/* Checkpoint weight bytes, as the engine counts them, in the checkpoint's own quantization
 * (gemm quant for attention and dense MLPs, moe quant for the routed experts). */
static int checkpoint_bytes(const struct aic_model *m, double *bytes, struct aic_error *err)
{
    return aic_model_weight_bytes(m, m->gemm_quant, is_moe(m) ? m->moe_quant : m->gemm_quant, bytes,
                                  err);
}

/* Tables a family needs; NULL-separated alternatives are any-of groups. */
static int missing_table(struct aic_perfdb *db, const struct aic_model *m, char *out, size_t n)
{
    static const char *const base[] = {"gemm_perf", NULL};
    const char *attn_ctx = "context_attention_perf", *attn_gen = "generation_attention_perf";

    for (int i = 0; base[i]; i++)
        if (!aic_perfdb_has_table(db, base[i]))
            return snprintf(out, n, "no %s data", base[i]), 1;
    if (m->family == AIC_FAMILY_MLA_MOE) {
        int mla = aic_perfdb_has_table(db, "context_mla_perf") &&
                  aic_perfdb_has_table(db, "generation_mla_perf");
        int mod = aic_perfdb_has_table(db, "mla_context_module_perf") &&
                  aic_perfdb_has_table(db, "mla_generation_module_perf");
        if (!mla && !mod)
            return snprintf(out, n, "no MLA attention data (context_mla_perf)"), 1;
    } else {
        if (!aic_perfdb_has_table(db, attn_ctx) || !aic_perfdb_has_table(db, attn_gen))
            return snprintf(out, n, "no attention data (%s)", attn_ctx), 1;
    }
    if (is_moe(m) && !aic_perfdb_has_table(db, "moe_perf"))
        return snprintf(out, n, "no MoE data (moe_perf)"), 1;
    return 0;
}

/* Whether the backend cannot run the checkpoint on this GPU at all (its quantization has no
 * tensor cores there and no fallback): the reason, into out. */
static int cannot_run(const struct aic_model *m, struct aic_perfdb *db, char *out, size_t n)
{
    struct aic_error e = {0};

    if (aic_worker_quant_check(m, db, NULL, &e) == AIC_OK)
        return 0;
    snprintf(out, n, "%s", e.msg);
    return 1;
}

int aic_support_check(const struct aic_model *m, const char *system, enum aic_backend backend,
                      const char *version, const char *systems_paths, struct aic_support *out,
                      struct aic_error *err)
{
    struct aic_system sys;
    struct aic_perfdb *db = NULL;
    struct aic_error e2;
    char versions[256], why[256];
    double need, have;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = aic_system_load(system, systems_paths, &sys, err)) != AIC_OK)
        return rc;
    versions[0] = 0;
    aic_perfdb_versions(&sys, backend, versions, sizeof(versions));
    if (!*versions || aic_perfdb_open(&sys, backend, version, AIC_DB_SILICON, &db, &e2)) {
        out->no_data = 1;
        if (*versions)
            snprintf(out->agg_reason, sizeof(out->agg_reason),
                     "no perf data for %s/%s %s (available: %s)", system, aic_backend_name(backend),
                     version ? version : "", versions);
        else
            snprintf(out->agg_reason, sizeof(out->agg_reason), "no perf data for %s/%s", system,
                     aic_backend_name(backend));
        aic_strlcpy(out->disagg_reason, out->agg_reason, sizeof(out->disagg_reason));
        return AIC_OK;
    }
    aic_strlcpy(out->version, aic_perfdb_version(db), sizeof(out->version));
    why[0] = 0;
    if (!missing_table(db, m, why, sizeof(why)) && !cannot_run(m, db, why, sizeof(why))) {
        if ((rc = checkpoint_bytes(m, &need, err))) {
            aic_perfdb_free(db);
            return rc;
        }
        need *= 1.1;
        have = (double)sys.gpus_per_node * sys.mem_capacity_bytes;
        if (need > have)
            snprintf(why, sizeof(why),
                     "weights (%.0f GB, %.0f GB with 10 %% runtime headroom) do not fit on "
                     "one %d-GPU %s node (%.0f GB)",
                     need / 1.1e9, need / 1e9, sys.gpus_per_node, system, have / 1e9);
    }
    aic_perfdb_free(db);
    out->agg = out->disagg = !*why;
    aic_strlcpy(out->agg_reason, why, sizeof(out->agg_reason));
    aic_strlcpy(out->disagg_reason, why, sizeof(out->disagg_reason));
    return AIC_OK;
}
