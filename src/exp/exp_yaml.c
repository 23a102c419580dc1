/*
 * exp_yaml.c - the resolved experiment as flat V2 YAML (aic-interface §3.6: every key,
 * candidate lists and quant modes as the search ran them, the perf-db version it used),
 * which `cli exp` re-runs unchanged; and aic_exp_check(), the checks that need models and
 * systems (model resolves, systems exist, quant modes the GPU can run, `nextn: auto`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/aiconfigurator.h"
#include "exp/exp_int.h"
#include "report/report_int.h"
#include "util/util.h"

static const char *const wpre[AIC_ROLE_COUNT] = {"", "prefill_", "decode_"};
static const char *const cpre[AIC_ROLE_COUNT] = {"agg_", "prefill_", "decode_"};
static const char *const dim_name[AIC_DIM_COUNT] = {"num_gpu", "tp",     "pp",
                                                    "dp",      "moe_tp", "moe_ep"};

/* ---- checks ------------------------------------------------------------------------------ */

static int check_quant(const struct aic_exp *e, int role, const struct aic_system *sys,
                       struct aic_error *err)
{
    const struct aic_quant_cfg *q = &e->space.role[role].quant;
    const enum aic_quant v[] = {q->gemm, q->moe, q->fmha};
    const char *const key[] = {"gemm_quant_mode", "moe_quant_mode", "fmha_quant_mode"};
    static const char *const cname[] = {"bf16", "fp8", "int8", "fp4"};
    for (int i = 0; i < 3; i++) {
        if (v[i] == AIC_Q_NONE)
            continue;
        enum aic_compute c = aic_quant_compute(v[i]);
        if (sys->tc_flops[c] > 0)
            continue;
        return aic_err(err, AIC_ERR_USAGE,
                       "experiment '%s': %s%s %s needs %s tensor cores, which %s does not "
                       "have; use %s",
                       e->name, wpre[role], key[i], aic_quant_info(v[i])->name, cname[c], sys->name,
                       sys->tc_flops[AIC_COMPUTE_FP8] > 0 ? "fp8 or bfloat16" : "bfloat16");
    }
    return AIC_OK;
}

int aic_exp_check(struct aic_ctx *ctx, struct aic_exp *e, struct aic_error *err)
{
    const struct aic_model *m;
    int first = e->serving == AIC_SEARCH_DISAGG ? AIC_ROLE_PREFILL : AIC_ROLE_AGG;
    int last = e->serving == AIC_SEARCH_DISAGG ? AIC_ROLE_DECODE : AIC_ROLE_AGG;
    if (aic_ctx_get_model(ctx, e->req.model, &m, err)) {
        aic_err_prefix(err, "experiment '%s'", e->name);
        return err->code;
    }
    for (int r = first; r <= last; r++) {
        const struct aic_system *sys;
        if (aic_ctx_get_system(ctx, e->system[r], &sys, err)) {
            aic_err_prefix(err, "experiment '%s': %ssystem_name", e->name, wpre[r]);
            return err->code;
        }
        int rc = check_quant(e, r, sys, err);
        if (rc)
            return rc;
    }
    if (e->nextn_auto) {
        e->req.nextn = m->num_nextn_predict_layers;
        if (e->req.nextn > 0 && !e->nextn_accepted_set) /* V1 default acceptance 0.85, 0.3 */
            e->req.nextn_accepted = e->req.nextn == 1 ? 0.85 : 0.85 + 0.85 * 0.3;
        if (e->req.nextn_accepted > e->req.nextn)
            e->req.nextn_accepted = e->req.nextn;
        e->nextn_auto = 0;
    }
    return AIC_OK;
}

/* ---- resolved YAML ----------------------------------------------------------------------- */

static void num_or_null(struct aic_buf *b, const char *key, double v)
{
    if (v > 0)
        aic_buf_printf(b, "  %s: %.10g\n", key, v);
    else
        aic_buf_printf(b, "  %s: null\n", key);
}

static void int_list(struct aic_buf *b, const char *key, const int *v, int n)
{
    aic_buf_printf(b, "  %s: [", key);
    for (int i = 0; i < n; i++)
        aic_buf_printf(b, "%s%d", i ? ", " : "", v[i]);
    aic_buf_puts(b, "]\n");
}

static const char *qname(enum aic_quant q)
{
    const struct aic_quant_info *i = aic_quant_info(q);
    return i ? i->name : "null";
}

/* The quant the search resolved for a role (first row of the result), else as given. */
static struct aic_quant_cfg role_quant(const struct aic_exp *e, int role,
                                       const struct aic_search_result *res)
{
    int x = e->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG;
    if (res && res->exp[x].n_rows)
        return role == AIC_ROLE_DECODE ? res->exp[x].rows[0].d_q : res->exp[x].rows[0].q;
    return e->space.role[role].quant;
}

static void worker(struct aic_buf *b, const struct aic_exp *e, int r,
                   const struct aic_search_result *res)
{
    const char *p = wpre[r];
    enum aic_backend be = (enum aic_backend)e->req.backend;
    const char *ver = e->version[r][0] ? e->version[r] : res ? res->version[be] : "";
    struct aic_quant_cfg q = role_quant(e, r, res);
    aic_buf_printf(b, "  %smodel_path: '%s'\n", p, e->model[r]);
    aic_buf_printf(b, "  %ssystem_name: %s\n", p, e->system[r]);
    aic_buf_printf(b, "  %sbackend_name: %s\n", p, aic_backend_name(be));
    if (*ver)
        aic_buf_printf(b, "  %sbackend_version: '%s'\n", p, ver);
    else
        aic_buf_printf(b, "  %sbackend_version: null\n", p);
    if (r != AIC_ROLE_DECODE)
        aic_buf_printf(b, "  %senable_chunked_prefill: %s\n", p, e->chunked[r] ? "true" : "false");
    aic_buf_printf(b, "  %sgemm_quant_mode: %s\n", p, qname(q.gemm));
    aic_buf_printf(b, "  %smoe_quant_mode: %s\n", p, qname(q.moe));
    aic_buf_printf(b, "  %skvcache_quant_mode: %s\n", p, qname(q.kv));
    aic_buf_printf(b, "  %sfmha_quant_mode: %s\n", p, qname(q.fmha));
    aic_buf_printf(b, "  %scomm_quant_mode: %s\n", p, qname(q.comm));
    int is_moe = res ? res->is_moe : 1;
    for (int d = 0; d < AIC_DIM_COUNT; d++) {
        char key[64];
        int v[AIC_SPACE_MAX_LIST], n = e->space.role[r].n[d];
        if (n)
            memcpy(v, e->space.role[r].list[d], (size_t)n * sizeof *v);
        else
            n = aic_exp_default_list(e, r, d, is_moe, be, v, AIC_SPACE_MAX_LIST);
        snprintf(key, sizeof key, "%s%s_candidates", cpre[r], dim_name[d]);
        int_list(b, key, v, n);
    }
}

static void disagg_keys(struct aic_buf *b, const struct aic_exp *e)
{
    const struct aic_search_space *s = &e->space;
    int sizes[AIC_SPACE_MAX_LIST * 2], n = s->n_replica_sizes;
    if (n) {
        memcpy(sizes, s->replica_sizes, (size_t)n * sizeof *sizes);
    } else {
        for (int g = 1; g <= 8; g *= 2)
            sizes[n++] = g;
        for (int g = 16; g <= 128; g += 8)
            sizes[n++] = g;
    }
    int_list(b, "num_gpu_per_replica", sizes, n);
    int maxr = e->req.total_gpus < 128 ? e->req.total_gpus : 128;
    if (s->max_gpu_per_replica > 0 && s->max_gpu_per_replica < maxr)
        maxr = s->max_gpu_per_replica;
#define OR(v, d) ((v) > 0 ? (v) : (d))
    aic_buf_printf(b, "  max_gpu_per_replica: %d\n", maxr);
    aic_buf_printf(b, "  max_prefill_workers: %d\n", OR(s->max_prefill_workers, 32));
    aic_buf_printf(b, "  max_decode_workers: %d\n", OR(s->max_decode_workers, 32));
    aic_buf_printf(b, "  prefill_max_batch_size: %d\n", OR(s->prefill_max_batch_size, 1));
    aic_buf_printf(b, "  decode_max_batch_size: %d\n", OR(s->decode_max_batch_size, 512));
    aic_buf_printf(b, "  prefill_latency_correction: %.10g\n",
                   OR(s->prefill_latency_correction, 1.1));
    aic_buf_printf(b, "  decode_latency_correction: %.10g\n",
                   OR(s->decode_latency_correction, 1.08));
    aic_buf_printf(b, "  rate_match_prefill_degradation: %.10g\n",
                   OR(s->rate_match_prefill_degradation, 0.9));
    aic_buf_printf(b, "  rate_match_decode_degradation: %.10g\n",
                   OR(s->rate_match_decode_degradation, 0.92));
    aic_buf_printf(b, "  autoscale_ttft_correction_factor: %.10g\n",
                   OR(s->ttft_correction_factor, 1.8));
#undef OR
}

char *aic_exp_yaml(const struct aic_exp *e, const struct aic_search_result *res)
{
    const struct aic_search_req *r = &e->req;
    struct aic_buf b = {0};
    int dis = e->serving == AIC_SEARCH_DISAGG;
    aic_buf_printf(&b,
                   "# %s, resolved by aiconfigurator %s (re-run: aiconfigurator cli exp "
                   "--yaml_path exp_config.yaml)\n",
                   e->name, aic_version());
    aic_buf_printf(&b, "exps:\n- '%s'\n'%s':\n", e->name, e->name);
    aic_buf_printf(&b, "  serving_mode: %s\n", dis ? "disagg" : "agg");
    aic_buf_printf(&b, "  total_gpus: %d\n", r->total_gpus);
    aic_buf_printf(&b, "  isl: %d\n  osl: %d\n  prefix: %d\n", r->wl.isl, r->wl.osl, r->wl.prefix);
    aic_buf_printf(&b, "  ttft: %.10g\n  tpot: %.10g\n", r->ttft_ms, r->tpot_ms);
    num_or_null(&b, "request_latency", r->request_latency_ms);
    aic_buf_printf(&b, "  pareto_sweep: %s\n", r->pareto_sweep ? "true" : "false");
    if (r->strict_sla)
        aic_buf_puts(&b, "  strict_sla: true\n");
    aic_buf_printf(&b, "  database_mode: %s\n", aic_db_mode_name(r->db_mode));
    num_or_null(&b, "free_gpu_memory_fraction", r->free_mem_fraction);
    aic_report_ttft_keys(&b, &r->ttft);
    num_or_null(&b, "max_seq_len", r->max_seq_len);
    if (e->nextn_auto)
        aic_buf_puts(&b, "  nextn: auto\n");
    else
        aic_buf_printf(&b, "  nextn: %d\n", r->nextn);
    num_or_null(&b, "nextn_accepted",
                e->nextn_accepted_set || r->nextn > 0 ? r->nextn_accepted : 0);
    if (!dis) {
        worker(&b, e, AIC_ROLE_AGG, res);
    } else {
        worker(&b, e, AIC_ROLE_PREFILL, res);
        worker(&b, e, AIC_ROLE_DECODE, res);
        disagg_keys(&b, e);
    }
    return b.s;
}
