/*
 * empirical.c - the EMPIRICAL efficiency model: utilization = SOL / latency as a smooth
 * function of two log2 size features per (op, quant), stored as log(util) on a small regular
 * grid and read back by bilinear interpolation (held flat beyond the grid). Coefficients come
 * from data/empirical/<system>/<backend>.json, written by tools/fit_empirical. Also the
 * sample iterator that feeds the fitter from the measured tables.
 *
 * Without a fitted (op, quant): the op's bfloat16 (else first) fit, times 0.85 when the
 * quant computes in a narrower dtype than bf16; without any fit of the op: the legacy
 * AIConfigurator constants (GEMM 0.8, context attention 0.6, decode attention 0.8, MLA
 * 0.6/0.8, MLA module 0.6/0.7, BMM 0.8, all-reduce/NCCL 0.8, MoE 0.4).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "perf/perf_internal.h"

static const struct {
    const char *name;
    double util;
} emp_ops[EMP_COUNT] = {
    [EMP_GEMM] = {"gemm", 0.8},
    [EMP_CTX_ATTN] = {"context_attention", 0.6},
    [EMP_GEN_ATTN] = {"generation_attention", 0.8},
    [EMP_CTX_MLA] = {"context_mla", 0.6},
    [EMP_GEN_MLA] = {"generation_mla", 0.8},
    [EMP_CTX_MODULE] = {"mla_context_module", 0.6},
    [EMP_GEN_MODULE] = {"mla_generation_module", 0.7},
    [EMP_BMM] = {"mla_bmm", 0.8},
    [EMP_MOE] = {"moe", 0.4},
    [EMP_ALLREDUCE] = {"custom_allreduce", 0.8},
    [EMP_NCCL] = {"nccl", 0.8},
};

const char *emp_op_name(enum emp_op op)
{
    return (int)op >= 0 && op < EMP_COUNT ? emp_ops[op].name : "?";
}

double emp_default_util(enum emp_op op)
{
    return (int)op >= 0 && op < EMP_COUNT ? emp_ops[op].util : 0.5;
}

void emp_xy(double sol_ms, double b, double *x, double *y)
{
    double us = sol_ms * 1000.0;
    *x = log2(us > 1e-3 ? us : 1e-3);
    *y = log2(b > 1e-3 ? b : 1e-3);
}

double emp_fit_eval(const struct emp_fit *f, double x, double y)
{
    double fx = f->nx > 1 ? (x - f->x0) / f->dx : 0, fy = f->ny > 1 ? (y - f->y0) / f->dy : 0;
    fx = fmin(fmax(fx, 0), f->nx - 1);
    fy = fmin(fmax(fy, 0), f->ny - 1);
    int ix = (int)fx, iy = (int)fy;
    if (ix >= f->nx - 1)
        ix = f->nx > 1 ? f->nx - 2 : 0;
    if (iy >= f->ny - 1)
        iy = f->ny > 1 ? f->ny - 2 : 0;
    double wx = f->nx > 1 ? fx - ix : 0, wy = f->ny > 1 ? fy - iy : 0;
    int ix1 = f->nx > 1 ? ix + 1 : ix, iy1 = f->ny > 1 ? iy + 1 : iy;
    const double *v = f->v;
    double a = v[iy * f->nx + ix] * (1 - wx) + v[iy * f->nx + ix1] * wx;
    double b = v[iy1 * f->nx + ix] * (1 - wx) + v[iy1 * f->nx + ix1] * wx;
    return exp(a * (1 - wy) + b * wy);
}

void emp_moe_label(char *buf, size_t len, const char *quant, const char *distribution, int ep)
{
    snprintf(buf, len, "%s@%s/%s", quant, distribution ? distribution : "any",
             ep > 1 ? "ep" : "tp");
}

void emp_attn_label(char *buf, size_t len, const char *quant, int head_dim, int window)
{
    snprintf(buf, len, "%s@d%d/%s", quant, head_dim, window > 0 ? "win" : "full");
}

void emp_heads_label(char *buf, size_t len, const char *quant, int heads)
{
    snprintf(buf, len, "%s@h%d", quant, heads);
}

int emp_has_fit(const struct emp_model *m, enum emp_op op, const char *quant)
{
    for (int i = 0; m && i < m->n; i++)
        if (!strcmp(m->fits[i].op, emp_op_name(op)) && !strcmp(m->fits[i].quant, quant))
            return 1;
    return 0;
}

double emp_util(const struct emp_model *m, enum emp_op op, const char *quant, double x, double y)
{
    const char *name = emp_op_name(op);
    const struct emp_fit *same = NULL, *bf16 = NULL, *first = NULL;
    for (int i = 0; m && i < m->n; i++) {
        const struct emp_fit *f = &m->fits[i];
        if (strcmp(f->op, name))
            continue;
        if (!first)
            first = f;
        if (!strcmp(f->quant, quant))
            same = f;
        if (!strcmp(f->quant, "bfloat16") || !strcmp(f->quant, "half"))
            bf16 = f;
    }
    double u;
    if (same) {
        u = emp_fit_eval(same, x, y);
    } else if (bf16 || first) {
        enum aic_quant q = aic_quant_parse(quant, 0xff);
        u = emp_fit_eval(bf16 ? bf16 : first, x, y);
        if (q != AIC_Q_NONE && aic_quant_compute(q) != AIC_COMPUTE_BF16)
            u *= 0.85;
    } else {
        u = emp_default_util(op);
    }
    return fmin(fmax(u, 1e-4), 1.0);
}

/* ---- loading ----------------------------------------------------------------------------- */

static int fit_from_json(json_t *o, struct emp_fit *f)
{
    json_t *v = json_object_get(o, "log_util");
    const char *op = json_string_value(json_object_get(o, "op"));
    const char *q = json_string_value(json_object_get(o, "quant"));
    memset(f, 0, sizeof(*f));
    if (!op || !q || !json_is_array(v))
        return -1;
    snprintf(f->op, sizeof(f->op), "%s", op);
    snprintf(f->quant, sizeof(f->quant), "%s", q);
    f->x0 = json_number_value(json_object_get(o, "x0"));
    f->dx = json_number_value(json_object_get(o, "dx"));
    f->y0 = json_number_value(json_object_get(o, "y0"));
    f->dy = json_number_value(json_object_get(o, "dy"));
    f->nx = (int)json_integer_value(json_object_get(o, "nx"));
    f->ny = (int)json_integer_value(json_object_get(o, "ny"));
    if (f->nx < 1 || f->ny < 1 || f->nx > EMP_MAXN || f->ny > EMP_MAXN ||
        json_array_size(v) != (size_t)(f->nx * f->ny) || f->dx <= 0 || f->dy <= 0)
        return -1;
    for (size_t i = 0; i < json_array_size(v); i++)
        f->v[i] = json_number_value(json_array_get(v, i));
    return 0;
}

int emp_model_load(const char *path, struct emp_model *m, struct aic_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je), *fits;
    memset(m, 0, sizeof(*m));
    if (!root)
        return aic_err(err, AIC_ERR_PARSE, "%s:%d: %s", path, je.line, je.text);
    fits = json_object_get(root, "fits");
    size_t n = json_array_size(fits);
    m->fits = calloc(n ? n : 1, sizeof(*m->fits));
    if (!m->fits) {
        json_decref(root);
        return aic_err(err, AIC_ERR_NOMEM, "out of memory reading %s", path);
    }
    for (size_t i = 0; i < n; i++)
        if (fit_from_json(json_array_get(fits, i), &m->fits[m->n]) == 0)
            m->n++;
    json_decref(root);
    return AIC_OK;
}

void emp_model_free(struct emp_model *m)
{
    free(m->fits);
    m->fits = NULL;
    m->n = 0;
}

/* ---- samples for the fitter -------------------------------------------------------------- */

static const char *kname(const struct ptable *t, const double *key, int i)
{
    return t->strs.s[(int)key[i]];
}

/* An fp8 GEMM row also samples fp8_static: the row less its activation-scale kernel, as
 * aic_perf_gemm answers it (c = n, k, m). */
static void static_sample(struct aic_perfdb *db, const double *c, double lat, double sol,
                          emp_sample_fn fn, void *ud)
{
    double x, y, scale = fp8_scale_kernel(db, T_COMPUTESCALE, c[2], c[1]);
    if (scale <= 0)
        return;
    emp_xy(sol, c[2], &x, &y);
    fn(ud, EMP_GEMM, "fp8_static", sol, fmax(lat - scale, sol), x, y);
}

static void samples_table(struct aic_perfdb *db, enum ptab_id id, const struct ptable *t,
                          emp_sample_fn fn, void *ud)
{
    const struct aic_system *sys = &db->sys;
    for (size_t s = 0; s < t->nslices; s++) {
        const double *key = t->keys + s * (size_t)t->nk;
        char label[48];
        for (size_t i = t->start[s]; i < t->start[s + 1]; i++) {
            const double *c = t->ax + i * (size_t)t->na;
            double lat = t->lat[i], sol = 0, x = 0, y = 0;
            enum emp_op op = EMP_COUNT;
            struct attn_ctx a = {sys, AIC_Q_BF16, AIC_Q_BF16, 0, 0, 0};
            switch (id) {
            case T_GEMM: {
                enum aic_quant q = aic_quant_parse(kname(t, key, 0), AIC_QUSE_GEMM);
                if (q == AIC_Q_NONE || q == AIC_Q_FP8_STATIC || c[2] <= 0 ||
                    !(sys->tc_flops[aic_quant_compute(q)] > 0))
                    continue;
                op = EMP_GEMM;
                snprintf(label, sizeof(label), "%s", kname(t, key, 0));
                struct aic_lat eff = {lat, AIC_PROV_MEASURED};
                gemm_split_k(db, q, c[2], c[0], c[1], &eff); /* what a lookup answers */
                lat = eff.ms;
                sol = aic_sol_gemm(sys, q, c[2], c[0], c[1]);
                if (q == AIC_Q_FP8)
                    static_sample(db, c, lat, sol, fn, ud);
                emp_xy(sol, c[2], &x, &y);
                break;
            }
            case T_CTX_ATTN:
            case T_GEN_ATTN: {
                int ctx = id == T_CTX_ATTN;
                a.fmha = ctx ? aic_quant_parse(kname(t, key, 0), AIC_QUSE_FMHA) : AIC_Q_BF16;
                a.kv = aic_quant_parse(kname(t, key, ctx), AIC_QUSE_KV);
                if (a.fmha == AIC_Q_NONE || a.kv == AIC_Q_NONE)
                    continue;
                a.n_kv = (int)key[ctx + 1];
                a.d = (int)key[ctx + 2];
                a.w = (int)key[ctx + 3];
                op = ctx ? EMP_CTX_ATTN : EMP_GEN_ATTN;
                snprintf(label, sizeof(label), "%s", kname(t, key, 0));
                sol = ctx ? sol_ctx_attn(&a, c) : sol_gen_attn(&a, c);
                emp_xy(sol, ctx ? c[1] : c[2], &x, &y);
                if (sol > 0 && lat > 0) { /* also into its head-size/window class */
                    char cls[64];
                    emp_attn_label(cls, sizeof(cls), label, a.d, a.w);
                    fn(ud, op, cls, sol, lat, x, y);
                }
                break;
            }
            case T_CTX_MLA:
            case T_CTX_MODULE:
            case T_GEN_MLA:
            case T_GEN_MODULE: {
                int ctx = id == T_CTX_MLA || id == T_CTX_MODULE;
                a.fmha = ctx ? aic_quant_parse(kname(t, key, 0), AIC_QUSE_FMHA) : AIC_Q_BF16;
                a.kv = aic_quant_parse(kname(t, key, ctx), AIC_QUSE_KV);
                if (a.fmha == AIC_Q_NONE || a.kv == AIC_Q_NONE)
                    continue;
                op = id == T_CTX_MLA      ? EMP_CTX_MLA
                     : id == T_GEN_MLA    ? EMP_GEN_MLA
                     : id == T_CTX_MODULE ? EMP_CTX_MODULE
                                          : EMP_GEN_MODULE;
                snprintf(label, sizeof(label), "%s",
                         id == T_CTX_MODULE   ? kname(t, key, 2)
                         : id == T_GEN_MODULE ? kname(t, key, 1)
                                              : kname(t, key, 0));
                sol = id == T_CTX_MLA || id == T_CTX_MODULE ? sol_ctx_mla(&a, c)
                      : id == T_GEN_MLA                     ? sol_gen_mla(&a, c)
                                                            : sol_gen_module(&a, c);
                emp_xy(sol, ctx ? c[1] : c[2], &x, &y);
                /* also into its per-GPU head-count class (not context MLA: its fit does not
                 * gain from the split, cross-validated) */
                if (id != T_CTX_MLA && sol > 0 && lat > 0) {
                    char cls[64];
                    emp_heads_label(cls, sizeof(cls), label, (int)c[0]);
                    fn(ud, op, cls, sol, lat, x, y);
                }
                break;
            }
            case T_BMM: {
                enum aic_quant q = aic_quant_parse(kname(t, key, 0), AIC_QUSE_GEMM);
                if (q == AIC_Q_NONE)
                    continue;
                struct bmm_ctx b = {sys, q, (int)key[2]};
                op = EMP_BMM;
                snprintf(label, sizeof(label), "%s", kname(t, key, 0));
                sol = sol_bmm(&b, c);
                emp_xy(sol, c[0], &x, &y);
                break;
            }
            case T_MOE: {
                char base[48];
                snprintf(base, sizeof(base), "%s", kname(t, key, 1));
                char *suf = strstr(base, "_trtllm");
                if (!suf)
                    suf = strstr(base, "_cutlass");
                if (suf)
                    *suf = 0;
                enum aic_quant q = aic_quant_parse(base, AIC_QUSE_MOE);
                if (key[0] != 0 || q == AIC_Q_NONE)
                    continue;
                struct moe_ctx mc = {sys,         q,           (int)key[5],
                                     (int)key[6], (int)key[3], (int)key[4],
                                     (int)key[7], (int)key[8], 1};
                op = EMP_MOE;
                snprintf(label, sizeof(label), "%s", base);
                sol = sol_moe(&mc, c);
                emp_xy(sol, c[0] * key[3] / key[4], &x, &y);
                if (sol > 0 && lat > 0) { /* also into its distribution/split class */
                    char cls[64];
                    emp_moe_label(cls, sizeof(cls), base, kname(t, key, 2), (int)key[8]);
                    fn(ud, op, cls, sol, lat, x, y);
                }
                break;
            }
            case T_ALLREDUCE:
            case T_NCCL: {
                int ar = id == T_ALLREDUCE;
                enum aic_quant q =
                    ar ? AIC_Q_HALF : aic_quant_parse(kname(t, key, 0), AIC_QUSE_COMM);
                if (q == AIC_Q_NONE)
                    continue;
                struct comm_ctx cc = {sys,
                                      q,
                                      (int)key[ar ? 0 : 2],
                                      ar || !strcmp(kname(t, key, 1), "all_reduce"),
                                      ar,
                                      !ar && !strcmp(kname(t, key, 1), "alltoall")};
                op = ar ? EMP_ALLREDUCE : EMP_NCCL;
                snprintf(label, sizeof(label), "%s", ar ? "half" : kname(t, key, 1));
                sol = sol_comm(&cc, c);
                emp_xy(sol, cc.n_gpus, &x, &y);
                break;
            }
            default:
                continue;
            }
            if (op != EMP_COUNT && sol > 0 && lat > 0)
                fn(ud, op, label, sol, lat, x, y);
        }
    }
}

int perfdb_samples(struct aic_perfdb *db, emp_sample_fn fn, void *ud, struct aic_error *err)
{
    for (int id = 0; id < T_COUNT; id++) {
        const struct ptable *t;
        int rc = perfdb_table(db, (enum ptab_id)id, &t, err);
        if (rc == AIC_ERR_NODATA)
            continue;
        if (rc)
            return rc;
        samples_table(db, (enum ptab_id)id, t, fn, ud);
    }
    return AIC_OK;
}
