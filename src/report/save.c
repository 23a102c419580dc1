/*
 * save.c - the --save_dir tree (aic-interface §3.1-§3.6):
 *
 *   DIR/<model>_<system>_<backend>_isl<I>_osl<O>_ttft<T>_tpot<P>_<n>/
 *       pareto_frontier.png, pareto_frontier.svg
 *       agg/    best_config_topn.csv, pareto.csv, exp_config.yaml, top1..topN/ (artifacts)
 *       disagg/ best_config_topn.csv, pareto.csv, exp_config.yaml, top1..topN/
 *
 * (HF ids keep their '/', so the folder nests as AIConfigurator's does.) <n> is derived from
 * the request (AIConfigurator draws it at random), so reruns give the same files. Everything
 * is written under DIR/.aic-save-XXXXXX and renamed into place last; on failure the
 * temporary folder is removed and nothing is left behind.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report_int.h"
#include "util/util.h"

/* ---- exp_config.yaml --------------------------------------------------------------- */

static void yaml_list(struct aic_buf *b, const char *key, const int *v, int n, int cap)
{
    aic_buf_printf(b, "  %s: [", key);
    int first = 1;
    for (int i = 0; i < n; i++)
        if (v[i] <= cap) {
            aic_buf_printf(b, "%s%d", first ? "" : ", ", v[i]);
            first = 0;
        }
    aic_buf_puts(b, "]\n");
}

static const char *qn(enum aic_quant q)
{
    const struct aic_quant_info *i = aic_quant_info(q);
    return i ? i->name : "null";
}

static void quant_keys(struct aic_buf *b, const char *pre, const struct aic_quant_cfg *q)
{
    aic_buf_printf(b, "  %sgemm_quant_mode: %s\n", pre, q ? qn(q->gemm) : "null");
    aic_buf_printf(b, "  %smoe_quant_mode: %s\n", pre, q ? qn(q->moe) : "null");
    aic_buf_printf(b, "  %skvcache_quant_mode: %s\n", pre, q ? qn(q->kv) : "null");
    aic_buf_printf(b, "  %sfmha_quant_mode: %s\n", pre, q ? qn(q->fmha) : "null");
    aic_buf_printf(b, "  %scomm_quant_mode: %s\n", pre, q ? qn(q->comm) : "null");
}

/* The layout candidates the sweep used for this backend's workers (prefill attention DP:
 * TensorRT-LLM only). */
static void space_keys(struct aic_buf *b, const struct aic_search_result *res, const char *pre,
                       int prefill, enum aic_backend be)
{
    static const int l16[] = {1, 2, 4, 8, 16}, one[] = {1};
    int cap = res->total_gpus, gb = !strncmp(res->system, "gb", 2);
    int ng = res->is_moe || gb ? 5 : 4;
    char k[64];
    int dp1 = prefill && be != AIC_BACKEND_TRTLLM;
#define L(name, v, n)                                                                              \
    snprintf(k, sizeof k, "%s" name "_candidates", pre), yaml_list(b, k, v, n, cap)
    L("num_gpu", l16, ng);
    L("tp", l16, ng);
    L("pp", one, 1);
    if (res->is_moe) {
        L("dp", l16, dp1 ? 1 : 5);
        L("moe_tp", l16, 5);
        L("moe_ep", l16, 5);
    } else {
        L("dp", one, 1);
        L("moe_tp", one, 1);
        L("moe_ep", one, 1);
    }
#undef L
}

static void worker_keys(struct aic_buf *b, const struct aic_search_result *res, const char *pre,
                        const char *system, enum aic_backend be, const struct aic_quant_cfg *q)
{
    aic_buf_printf(b, "  %smodel_path: %s\n", pre, res->model_id);
    aic_buf_printf(b, "  %ssystem_name: %s\n", pre, system);
    aic_buf_printf(b, "  %sbackend_name: %s\n", pre, aic_backend_name(be));
    aic_buf_printf(b, "  %sbackend_version: '%s'\n", pre, res->version[be]);
    quant_keys(b, pre, q);
}

static void num_or_null(struct aic_buf *b, const char *key, double v)
{
    if (v > 0)
        aic_buf_printf(b, "  %s: %g\n", key, v);
    else
        aic_buf_printf(b, "  %s: null\n", key);
}

void aic_report_ttft_keys(struct aic_buf *b, const struct aic_ttft_consts *t)
{
    struct aic_ttft_consts c = *t;

    for (int i = 0; i < AIC_TTFT_COUNT; i++)
        if (c.set & (1u << i))
            aic_buf_printf(b, "  %s: %.10g\n", aic_ttft_key(i), *aic_ttft_member(&c, i));
}

char *aic_report_exp_yaml_be(const struct aic_search_result *res, int exp, enum aic_backend be)
{
    const struct aic_search_req *r = &res->req;
    const struct aic_search_exp *x = &res->exp[exp];
    const struct aic_quant_cfg *pq = NULL, *dq = NULL;
    for (size_t i = 0; i < x->n_rows && !pq; i++)
        if (x->rows[i].backend == be)
            pq = &x->rows[i].q, dq = &x->rows[i].d_q;
    struct aic_buf b = {0};
    const char *name = aic_report_exp_name(exp);
    aic_buf_printf(&b, "exps:\n- %s\n%s:\n", name, name);
    aic_buf_printf(&b, "  serving_mode: %s\n", name);
    aic_buf_printf(&b, "  total_gpus: %d\n", res->total_gpus);
    aic_buf_printf(&b, "  isl: %d\n  osl: %d\n  prefix: %d\n", r->wl.isl, r->wl.osl, r->wl.prefix);
    aic_buf_printf(&b, "  ttft: %.1f\n  tpot: %.1f\n", r->ttft_ms, r->tpot_ms);
    num_or_null(&b, "request_latency", r->request_latency_ms);
    aic_buf_printf(&b, "  pareto_sweep: %s\n", r->pareto_sweep ? "true" : "false");
    if (r->strict_sla) /* ours: --strict-sla */
        aic_buf_puts(&b, "  strict_sla: true\n");
    aic_buf_printf(&b, "  database_mode: %s\n", aic_db_mode_name(r->db_mode));
    num_or_null(&b, "free_gpu_memory_fraction", r->free_mem_fraction);
    aic_report_ttft_keys(&b, &r->ttft);
    num_or_null(&b, "max_seq_len", r->max_seq_len);
    aic_buf_printf(&b, "  nextn: %d\n", r->nextn);
    num_or_null(&b, "nextn_accepted", r->nextn > 0 ? r->nextn_accepted : 0);
    if (exp == AIC_EXP_AGG) {
        worker_keys(&b, res, "", res->system, be, pq);
        aic_buf_printf(&b, "  enable_chunked_prefill: %s\n",
                       r->enable_chunked_prefill ? "true" : "false");
        space_keys(&b, res, "agg_", 0, be);
        return b.s;
    }
    worker_keys(&b, res, "prefill_", res->system, be, pq);
    aic_buf_printf(&b, "  prefill_enable_chunked_prefill: %s\n",
                   r->enable_chunked_prefill ? "true" : "false");
    space_keys(&b, res, "prefill_", 1, be);
    worker_keys(&b, res, "decode_", res->decode_system, be, dq);
    space_keys(&b, res, "decode_", 0, be);
    aic_buf_puts(&b, "  num_gpu_per_replica: [1, 2, 4, 8");
    for (int g = 16; g <= 128; g += 8)
        aic_buf_printf(&b, ", %d", g);
    aic_buf_printf(&b, "]\n  max_gpu_per_replica: %d\n",
                   res->total_gpus < 128 ? res->total_gpus : 128);
    aic_buf_puts(&b, "  max_prefill_workers: 32\n  max_decode_workers: 32\n"
                     "  prefill_max_batch_size: 1\n  decode_max_batch_size: 512\n"
                     "  prefill_latency_correction: 1.1\n  decode_latency_correction: 1.08\n"
                     "  rate_match_prefill_degradation: 0.9\n"
                     "  rate_match_decode_degradation: 0.92\n"
                     "  autoscale_ttft_correction_factor: 1.8\n");
    return b.s;
}

static enum aic_backend first_backend(const struct aic_search_result *res)
{
    if (res->req.backend != AIC_BACKEND_AUTO)
        return (enum aic_backend)res->req.backend;
    for (int b = 0; b < AIC_BACKEND_COUNT; b++)
        if (res->backends_run & (1 << b))
            return (enum aic_backend)b;
    return AIC_BACKEND_TRTLLM;
}

char *aic_report_exp_yaml(const struct aic_search_result *res, int exp)
{
    return aic_report_exp_yaml_be(res, exp, first_backend(res));
}

/* ---- the folder (building blocks shared with `cli exp`, report_int.h) ------------------ */

int aic_save_write_text(const char *dir, const char *name, const char *text, struct aic_error *e)
{
    char p[AIC_PATH_MAX];
    aic_path_join(p, sizeof p, dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        return aic_err(e, AIC_ERR_IO, "cannot write %s: %s", p, strerror(errno));
    size_t n = text ? strlen(text) : 0;
    int bad = fwrite(text ? text : "", 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? aic_err(e, AIC_ERR_IO, "cannot write %s", p) : AIC_OK;
}

int aic_save_write_owned(const char *dir, const char *name, char *text, struct aic_error *e)
{
    if (!text)
        return aic_err(e, AIC_ERR_NOMEM, "out of memory writing %s", name);
    int rc = aic_save_write_text(dir, name, text, e);
    free(text);
    return rc;
}

int aic_save_mkdir_p(const char *path)
{
    char p[AIC_PATH_MAX];
    aic_strlcpy(p, path, sizeof p);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
}

int aic_save_plots(const struct aic_report_frontiers *f, const char *dir, struct aic_error *err)
{
    char p[AIC_PATH_MAX];
    aic_path_join(p, sizeof p, dir, "pareto_frontier.png");
    int rc = aic_report_plot_frontiers(f, p, "png", err);
    if (!rc) {
        aic_path_join(p, sizeof p, dir, "pareto_frontier.svg");
        rc = aic_report_plot_frontiers(f, p, "svg", err);
    }
    return rc;
}

/* ---- the save-dir of `cli default` / `cli recommend` ------------------------------------ */

static int save_exp(const struct aic_search_result *res, int e, const char *root,
                    struct aic_save_tx *t, struct aic_error *err)
{
    const struct aic_search_exp *x = &res->exp[e];
    char d[AIC_PATH_MAX];
    aic_path_join(d, sizeof d, root, aic_report_exp_name(e));
    if (mkdir(d, 0777))
        return aic_err(err, AIC_ERR_IO, "cannot create %s: %s", d, strerror(errno));
    int rc = aic_save_write_owned(d, "best_config_topn.csv",
                                  aic_report_csv(res, e, x->top, x->n_top), err);
    if (!rc)
        rc = aic_save_write_owned(d, "pareto.csv", aic_report_csv(res, e, x->pareto, x->n_pareto),
                                  err);
    if (!rc)
        rc = aic_save_artifacts(t, res, e, d, err);
    if (rc)
        return rc;
    if (res->req.backend != AIC_BACKEND_AUTO)
        return aic_save_write_owned(d, "exp_config.yaml", aic_report_exp_yaml(res, e), err);
    for (int b = 0; b < AIC_BACKEND_COUNT && !rc; b++) {
        char name[64];
        if (!(res->backends_run & (1 << b)))
            continue;
        snprintf(name, sizeof name, "%s_exp_config.yaml", aic_backend_name(b));
        rc =
            aic_save_write_owned(d, name, aic_report_exp_yaml_be(res, e, (enum aic_backend)b), err);
    }
    return rc;
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-' || *s == '/'))
            *s = '_';
}

void aic_save_model_name(const char *model_id, char *out, size_t n)
{
    char path[PATH_MAX];
    size_t len;
    int file = aic_is_file(model_id);

    aic_strlcpy(out, model_id, n);
    if (model_id[0] != '/' && model_id[0] != '.' && !file && !aic_is_dir(model_id))
        return;                    /* a Hugging Face id (or a published variant of one) */
    if (!realpath(model_id, path)) /* resolves ".", ".." and trailing slashes */
        aic_strlcpy(path, model_id, sizeof path);
    for (len = strlen(path); len > 1 && path[len - 1] == '/'; len--)
        path[len - 1] = '\0';
    char *b = strrchr(path, '/');
    if (file && b && b > path) { /* a config.json: its folder */
        *b = '\0';
        b = strrchr(path, '/');
    }
    b = b ? b + 1 : path;
    aic_strlcpy(out, *b ? b : "model", n);
}

/* Final folder name below dir; the suffix is a hash of the request (stable across runs). */
static void final_name(const struct aic_search_result *res, char *out, size_t n)
{
    const struct aic_search_req *r = &res->req;
    char model[AIC_MODEL_ID_MAX], base[512];
    aic_save_model_name(res->model_id, model, sizeof model);
    const char *m = model;
    snprintf(base, sizeof base, "%s_%s_%s_isl%d_osl%d_ttft%d_tpot%d", m, res->system,
             r->backend == AIC_BACKEND_AUTO ? "auto" : aic_backend_name(r->backend), r->wl.isl,
             r->wl.osl, (int)r->ttft_ms, (int)r->tpot_ms);
    sanitize(base);
    unsigned long h = 1469598103934665603UL;
    for (const char *s = base; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    h ^= (unsigned long)res->total_gpus * 2654435761UL;
    snprintf(out, n, "%s_%lu", base, h % 1000001UL);
}

int aic_report_save(const struct aic_search_result *res, const char *dir, char *out_path,
                    size_t out_len, struct aic_error *err)
{
    return aic_report_save_gen(res, dir, NULL, out_path, out_len, err);
}

int aic_report_save_gen(const struct aic_search_result *res, const char *dir,
                        const struct aic_report_gen *gen, char *out_path, size_t out_len,
                        struct aic_error *err)
{
    struct aic_report_series s[AIC_EXP_COUNT];
    struct aic_report_frontiers f;
    struct aic_save_tx t;
    char name[600];
    int rc = aic_save_begin(&t, dir, ".aic-save-XXXXXX", gen, err);

    if (rc)
        return rc;
    aic_report_frontiers_of(res, s, &f);
    rc = aic_save_plots(&f, t.tmp, err);
    for (int e = 0; e < AIC_EXP_COUNT && !rc; e++)
        if (res->exp[e].ran)
            rc = save_exp(res, e, t.tmp, &t, err);
    final_name(res, name, sizeof name);
    return aic_save_finish(&t, rc, name, out_path, out_len, err);
}
