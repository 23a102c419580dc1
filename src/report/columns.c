/*
 * columns.c - the output columns of a result row, one table per serving mode in
 * AIConfigurator's order (aic-interface §3.2), and the CSV writer built on them. The JSON
 * writer (json.c) walks the same tables, so CSV and JSON never disagree.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "util/util.h"

/* The column tables and value switches keep one line per column. */
/* clang-format off */
enum col {
    C_MODEL, C_ISL, C_OSL, C_PREFIX, C_CONC, C_RATE, C_BS, C_GBS, C_TTFT, C_TPOT, C_REQLAT,
    C_ENC_LAT, C_ENC_MEM, C_SEQ, C_SEQ_GPU, C_TOK, C_TOK_GPU, C_TOK_USER, C_GPUS, C_TP, C_PP,
    C_DP, C_ETP, C_EP, C_CP, C_PAR, C_GEMM, C_KV, C_FMHA, C_MOE, C_COMM, C_MEM, C_BAL,
    C_NCTX, C_NGEN, C_NTOK, C_CTXTOK, C_GENTOK, C_BACKEND, C_VERSION, C_SYSTEM, C_POWER,
    C_CLUSTER,
    /* disagg */
    C_PBS, C_PGBS, C_PW, C_DBS, C_DGBS, C_DW, C_PSEQW, C_DSEQW, C_PTP, C_PPP, C_PDP, C_PETP,
    C_PEP, C_PCP, C_PPAR, C_PGEMM, C_PKV, C_PFMHA, C_PMOE, C_PCOMM, C_PMEM, C_PBACK, C_PVER,
    C_PSYS, C_DTP, C_DPP, C_DDP, C_DETP, C_DEP, C_DPAR, C_DGEMM, C_DKV, C_DFMHA, C_DMOE,
    C_DCOMM, C_DMEM, C_DBACK, C_DVER, C_DSYS, C_EW, C_ETPE, C_EPP, C_EBS, C_EPAR, C_EMEM,
    /* recommend */
    C_REPL_NEEDED, C_GPUS_NEEDED,
};

struct colname {
    enum col id;
    const char *name;
};

static const struct colname agg_cols[] = {
    {C_MODEL, "model"}, {C_ISL, "isl"}, {C_OSL, "osl"}, {C_PREFIX, "prefix"},
    {C_CONC, "concurrency"}, {C_RATE, "request_rate"}, {C_BS, "bs"}, {C_GBS, "global_bs"},
    {C_TTFT, "ttft"}, {C_TPOT, "tpot"}, {C_REQLAT, "request_latency"},
    {C_ENC_LAT, "encoder_latency"}, {C_ENC_MEM, "encoder_memory"}, {C_SEQ, "seq/s"},
    {C_SEQ_GPU, "seq/s/gpu"}, {C_TOK, "tokens/s"}, {C_TOK_GPU, "tokens/s/gpu"},
    {C_TOK_USER, "tokens/s/user"}, {C_GPUS, "num_total_gpus"}, {C_TP, "tp"}, {C_PP, "pp"},
    {C_DP, "dp"}, {C_ETP, "moe_tp"}, {C_EP, "moe_ep"}, {C_CP, "cp"}, {C_PAR, "parallel"},
    {C_GEMM, "gemm"}, {C_KV, "kvcache"}, {C_FMHA, "fmha"}, {C_MOE, "moe"}, {C_COMM, "comm"},
    {C_MEM, "memory"}, {C_BAL, "balance_score"}, {C_NCTX, "num_ctx_reqs"},
    {C_NGEN, "num_gen_reqs"}, {C_NTOK, "num_tokens"}, {C_CTXTOK, "ctx_tokens"},
    {C_GENTOK, "gen_tokens"}, {C_BACKEND, "backend"}, {C_VERSION, "version"},
    {C_SYSTEM, "system"}, {C_POWER, "power_w"}, {C_CLUSTER, "tokens/s/gpu_cluster"},
};

static const struct colname disagg_cols[] = {
    {C_MODEL, "model"}, {C_ISL, "isl"}, {C_OSL, "osl"}, {C_PREFIX, "prefix"},
    {C_CONC, "concurrency"}, {C_RATE, "request_rate"}, {C_PBS, "(p)bs"},
    {C_PGBS, "(p)global_bs"}, {C_PW, "(p)workers"}, {C_DBS, "(d)bs"},
    {C_DGBS, "(d)global_bs"}, {C_DW, "(d)workers"}, {C_TTFT, "ttft"}, {C_TPOT, "tpot"},
    {C_REQLAT, "request_latency"}, {C_ENC_LAT, "encoder_latency"}, {C_SEQ, "seq/s"},
    {C_SEQ_GPU, "seq/s/gpu"}, {C_TOK, "tokens/s"}, {C_TOK_GPU, "tokens/s/gpu"},
    {C_TOK_USER, "tokens/s/user"}, {C_PSEQW, "(p)seq/s/worker"}, {C_DSEQW, "(d)seq/s/worker"},
    {C_GPUS, "num_total_gpus"}, {C_PTP, "(p)tp"}, {C_PPP, "(p)pp"}, {C_PDP, "(p)dp"},
    {C_PETP, "(p)moe_tp"}, {C_PEP, "(p)moe_ep"}, {C_PCP, "(p)cp"}, {C_PPAR, "(p)parallel"},
    {C_PGEMM, "(p)gemm"}, {C_PKV, "(p)kvcache"}, {C_PFMHA, "(p)fmha"}, {C_PMOE, "(p)moe"},
    {C_PCOMM, "(p)comm"}, {C_PMEM, "(p)memory"}, {C_PBACK, "(p)backend"},
    {C_PVER, "(p)version"}, {C_PSYS, "(p)system"}, {C_DTP, "(d)tp"}, {C_DPP, "(d)pp"},
    {C_DDP, "(d)dp"}, {C_DETP, "(d)moe_tp"}, {C_DEP, "(d)moe_ep"}, {C_DPAR, "(d)parallel"},
    {C_DGEMM, "(d)gemm"}, {C_DKV, "(d)kvcache"}, {C_DFMHA, "(d)fmha"}, {C_DMOE, "(d)moe"},
    {C_DCOMM, "(d)comm"}, {C_DMEM, "(d)memory"}, {C_DBACK, "(d)backend"},
    {C_DVER, "(d)version"}, {C_DSYS, "(d)system"}, {C_EW, "(e)workers"}, {C_ETPE, "(e)tp"},
    {C_EPP, "(e)pp"}, {C_EBS, "(e)bs"}, {C_EPAR, "(e)parallel"}, {C_EMEM, "(e)memory"},
    {C_POWER, "power_w"}, {C_CLUSTER, "tokens/s/gpu_cluster"},
};

static const struct colname rec_cols[] = {
    {C_REPL_NEEDED, "replicas_needed"}, {C_GPUS_NEEDED, "total_gpus_needed"},
};
/* clang-format on */

#define N_AGG    (sizeof agg_cols / sizeof *agg_cols)
#define N_DISAGG (sizeof disagg_cols / sizeof *disagg_cols)

int aic_report_ncols(const struct aic_search_result *res, int exp)
{
    int n = exp == AIC_EXP_DISAGG ? (int)N_DISAGG : (int)N_AGG;
    return n + (res->recommend ? 2 : 0);
}

static const struct colname *col_at(const struct aic_search_result *res, int exp, int i)
{
    int n = exp == AIC_EXP_DISAGG ? (int)N_DISAGG : (int)N_AGG;
    if (i >= n)
        return res->recommend ? &rec_cols[i - n] : NULL;
    return exp == AIC_EXP_DISAGG ? &disagg_cols[i] : &agg_cols[i];
}

const char *aic_report_col_name(const struct aic_search_result *res, int exp, int i)
{
    const struct colname *c = col_at(res, exp, i);
    return c ? c->name : NULL;
}

static const char *qname(enum aic_quant q)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    return qi ? qi->name : "";
}

/* clang-format off */
static void v_int(struct aic_val *v, long x) { v->kind = AIC_V_INT, v->i = x; }
static void v_num(struct aic_val *v, double x) { v->kind = AIC_V_NUM, v->d = x; }
static void v_str(struct aic_val *v, const char *s) { v->kind = AIC_V_STR, v->s = s; }

static int layout_col(const struct aic_layout *l, int which, struct aic_val *v)
{
    int x[] = {l->tp, l->pp, l->dp, l->moe_tp, l->moe_ep, 1};
    v_int(v, x[which]);
    return 0;
}

static int quant_col(const struct aic_quant_cfg *q, int which, struct aic_val *v)
{
    enum aic_quant x[] = {q->gemm, q->kv, q->fmha, q->moe, q->comm};
    v_str(v, qname(x[which]));
    return 0;
}

/* Values shared by both modes. Returns 1 when the column was handled. */
static int common_val(const struct aic_search_result *res, const struct aic_search_row *r,
                      enum col c, struct aic_val *v)
{
    const struct aic_search_req *q = &res->req;
    switch (c) {
    case C_MODEL: v_str(v, res->model_id); return 1;
    case C_ISL: v_int(v, q->wl.isl); return 1;
    case C_OSL: v_int(v, q->wl.osl); return 1;
    case C_PREFIX: v_int(v, q->wl.prefix); return 1;
    case C_CONC: v_num(v, r->concurrency); return 1;
    case C_RATE: case C_SEQ: v_num(v, r->seq_s); return 1;
    case C_TTFT: v_num(v, r->ttft_ms); return 1;
    case C_TPOT: v_num(v, r->tpot_ms); return 1;
    case C_REQLAT: v_num(v, r->request_latency_ms); return 1;
    case C_ENC_LAT: case C_ENC_MEM: v_num(v, 0.0); return 1;
    case C_SEQ_GPU: v_num(v, r->gpus ? r->seq_s / r->gpus : 0); return 1;
    case C_TOK: v_num(v, r->tokens_s); return 1;
    case C_TOK_GPU: v_num(v, r->tokens_s_gpu); return 1;
    case C_TOK_USER: v_num(v, r->tokens_s_user); return 1;
    case C_GPUS: v_int(v, r->gpus); return 1;
    case C_POWER: v->kind = AIC_V_NONE; return 1;
    case C_CLUSTER: v_num(v, r->tokens_s_gpu_cluster); return 1;
    case C_REPL_NEEDED: v_int(v, r->replicas_needed); return 1;
    case C_GPUS_NEEDED: v_int(v, r->total_gpus_needed); return 1;
    default: return 0;
    }
}

static void agg_val(const struct aic_search_result *res, const struct aic_search_row *r,
                    enum col c, struct aic_val *v, char *buf, size_t n)
{
    switch (c) {
    case C_BS: v_int(v, r->bs); break;
    case C_GBS: v_int(v, (long)r->bs * r->lay.dp); break;
    case C_TP: case C_PP: case C_DP: case C_ETP: case C_EP: case C_CP:
        layout_col(&r->lay, c - C_TP, v); break;
    case C_PAR: v_str(v, aic_layout_str(&r->lay, res->is_moe, buf, n)); break;
    case C_GEMM: case C_KV: case C_FMHA: case C_MOE: case C_COMM:
        quant_col(&r->q, c - C_GEMM, v); break;
    case C_MEM: v_num(v, r->mem_gb); break;
    case C_BAL: v_num(v, 0.0); break;
    case C_NCTX: v_int(v, r->num_ctx_reqs); break;
    case C_NGEN: v_int(v, r->num_gen_reqs); break;
    case C_NTOK: v_int(v, r->num_tokens); break;
    case C_CTXTOK: v_int(v, r->ctx_tokens); break;
    case C_GENTOK: v_int(v, r->gen_tokens); break;
    case C_BACKEND: v_str(v, aic_backend_name(r->backend)); break;
    case C_VERSION: v_str(v, res->version[r->backend]); break;
    case C_SYSTEM: v_str(v, res->system); break;
    default: v->kind = AIC_V_NONE; break;
    }
}

static void disagg_val(const struct aic_search_result *res, const struct aic_search_row *r,
                       enum col c, struct aic_val *v, char *buf, size_t n)
{
    switch (c) {
    case C_PBS: v_int(v, r->bs); break;
    case C_PGBS: v_int(v, (long)r->bs * r->lay.dp); break;
    case C_PW: v_int(v, r->workers); break;
    case C_DBS: v_int(v, r->d_bs); break;
    case C_DGBS: v_int(v, (long)r->d_bs * r->d_lay.dp); break;
    case C_DW: v_int(v, r->d_workers); break;
    case C_PSEQW: v_num(v, r->seq_s_worker); break;
    case C_DSEQW: v_num(v, r->d_seq_s_worker); break;
    case C_PTP: case C_PPP: case C_PDP: case C_PETP: case C_PEP: case C_PCP:
        layout_col(&r->lay, c - C_PTP, v); break;
    case C_PPAR: v_str(v, aic_layout_str(&r->lay, res->is_moe, buf, n)); break;
    case C_PGEMM: case C_PKV: case C_PFMHA: case C_PMOE: case C_PCOMM:
        quant_col(&r->q, c - C_PGEMM, v); break;
    case C_PMEM: v_num(v, r->mem_gb); break;
    case C_PBACK: case C_DBACK: v_str(v, aic_backend_name(r->backend)); break;
    case C_PVER: case C_DVER: v_str(v, res->version[r->backend]); break;
    case C_PSYS: v_str(v, res->system); break;
    case C_DTP: case C_DPP: case C_DDP: case C_DETP: case C_DEP:
        layout_col(&r->d_lay, c - C_DTP, v); break;
    case C_DPAR: v_str(v, aic_layout_str(&r->d_lay, res->is_moe, buf, n)); break;
    case C_DGEMM: case C_DKV: case C_DFMHA: case C_DMOE: case C_DCOMM:
        quant_col(&r->d_q, c - C_DGEMM, v); break;
    case C_DMEM: v_num(v, r->d_mem_gb); break;
    case C_DSYS: v_str(v, res->decode_system); break;
    default: v->kind = AIC_V_NONE; break; /* encoder (e) columns: no encoder pool */
    }
}
/* clang-format on */

void aic_report_col_val(const struct aic_search_result *res, int exp, int i,
                        const struct aic_search_row *r, struct aic_val *v, char *buf, size_t n)
{
    const struct colname *c = col_at(res, exp, i);
    v->kind = AIC_V_NONE;
    if (!c || common_val(res, r, c->id, v))
        return;
    if (exp == AIC_EXP_DISAGG)
        disagg_val(res, r, c->id, v, buf, n);
    else
        agg_val(res, r, c->id, v, buf, n);
}

/* A float rounded to 3 decimals, printed as Python prints the rounded value ("26.0"). */
void aic_report_fmt3(double x, char *buf, size_t n)
{
    if (!isfinite(x)) {
        snprintf(buf, n, "%s", isnan(x) ? "" : x > 0 ? "inf" : "-inf");
        return;
    }
    double r = round(x * 1000.0) / 1000.0;
    if (r == 0)
        r = 0; /* no "-0.0" */
    snprintf(buf, n, "%.3f", r);
    char *e = buf + strlen(buf) - 1;
    while (*e == '0' && e[-1] != '.')
        *e-- = '\0';
}

static void csv_field(struct aic_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        aic_buf_puts(b, "\"");
        for (const char *p = s; *p; p++)
            aic_buf_add(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
        aic_buf_puts(b, "\"");
    } else {
        aic_buf_puts(b, s);
    }
}

char *aic_report_csv(const struct aic_search_result *res, int exp,
                     const struct aic_search_row *rows, size_t n)
{
    struct aic_buf b = {0};
    int nc = aic_report_ncols(res, exp);
    for (int i = 0; i < nc; i++) {
        if (i)
            aic_buf_puts(&b, ",");
        csv_field(&b, aic_report_col_name(res, exp, i));
    }
    aic_buf_puts(&b, "\n");
    for (size_t k = 0; k < n; k++) {
        for (int i = 0; i < nc; i++) {
            struct aic_val v;
            char tmp[64], num[64];
            aic_report_col_val(res, exp, i, &rows[k], &v, tmp, sizeof tmp);
            if (i)
                aic_buf_puts(&b, ",");
            if (v.kind == AIC_V_INT) {
                snprintf(num, sizeof num, "%ld", v.i);
                aic_buf_puts(&b, num);
            } else if (v.kind == AIC_V_NUM) {
                aic_report_fmt3(v.d, num, sizeof num);
                aic_buf_puts(&b, num);
            } else if (v.kind == AIC_V_STR) {
                csv_field(&b, v.s);
            }
        }
        aic_buf_puts(&b, "\n");
    }
    if (!b.s)
        return calloc(1, 1);
    return b.s;
}
