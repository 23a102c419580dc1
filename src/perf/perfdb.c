/*
 * perfdb.c - opening a perf database (version folders, NCCL folder, empirical coefficients)
 * and loading its tables lazily: each table's CSV columns are read by header name and turned
 * into (keys, axes, latency) rows by one function walking tab_specs[] (which columns are keys,
 * axes and latency; a small fix-up hook for the tables with special rules).
 */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aiconfigurator/model.h"
#include "perf/perf_internal.h"
#include "util/util.h"

#define PRELOAD_THREADS 4 /* tables loaded at once by aic_perfdb_preload and _prefetch */

/* ---- names ----------------------------------------------------------------------------- */

static const char *const mode_names[] = {"SILICON", "HYBRID", "EMPIRICAL", "SOL"};
static const char *const prov_names[] = {"measured",  "interpolated", "extrapolated",
                                         "empirical", "sol",          "analytic"};

const char *aic_db_mode_name(enum aic_db_mode m)
{
    return (int)m >= 0 && m <= AIC_DB_SOL ? mode_names[m] : "unknown";
}

int aic_db_mode_parse(const char *name)
{
    for (int i = 0; name && i <= AIC_DB_SOL; i++)
        if (!strcasecmp(name, mode_names[i]))
            return i;
    return -1;
}

const char *aic_prov_name(enum aic_prov p)
{
    return (int)p >= 0 && p < AIC_PROV_COUNT ? prov_names[p] : "unknown";
}

/* ---- the table list: which columns become keys, axes and latency ------------------------ */

/* Adjusts or drops one row after the generic mapping (v: the row's columns in spec order;
 * k, a, lat already filled from the maps). Returns 0 to drop the row. */
typedef int (*row_fix)(struct aic_perfdb *db, struct ptable *t, const double *v, double *k,
                       double *a, double *lat);

/* One table: its CSV columns (in the order v[] sees them), then where keys, axes and the
 * latency come from: key[i] and axis[j] are column indices; plus[j] >= 0 adds a second
 * column to axis j (decode: isl + step = the KV length); fix runs last (NULL = none). */
struct tab_spec {
    const char *file;
    int nk, na;
    struct rawcol cols[14];
    signed char key[PT_MAXK], axis[PT_MAXA], plus[PT_MAXA], lat;
    row_fix fix;
};

static enum aic_quant pool_quant(const struct ptable *t, double id, unsigned use)
{
    return aic_quant_parse(t->strs.s[(int)id], use);
}

/* GEMM: AWQ/GPTQ rows dropped; latency floored at the speed of light of the dtype. */
static int fix_gemm(struct aic_perfdb *db, struct ptable *t, const double *v, double *k, double *a,
                    double *lat)
{
    const char *dt = t->strs.s[(int)v[0]];
    (void)k, (void)a;
    if (!strcmp(dt, "awq") || !strcmp(dt, "gptq"))
        return 0;
    enum aic_quant q = aic_quant_parse(dt, AIC_QUSE_GEMM);
    if (q != AIC_Q_NONE && db->sys.tc_flops[aic_quant_compute(q)] > 0)
        *lat = fmax(*lat, aic_sol_gemm(&db->sys, q, v[1], v[2], v[3]));
    return 1;
}

/* Context attention: n_kv key 0 when it equals the heads (MHA). */
static int fix_ctx_attn(struct aic_perfdb *db, struct ptable *t, const double *v, double *k,
                        double *a, double *lat)
{
    (void)db, (void)t, (void)a, (void)lat;
    k[2] = v[2] == v[3] ? 0 : v[2];
    return 1;
}

/* Generation attention: MHA as above; latency floored at the speed of light. */
static int fix_gen_attn(struct aic_perfdb *db, struct ptable *t, const double *v, double *k,
                        double *a, double *lat)
{
    k[1] = v[1] == v[2] ? 0 : v[1];
    enum aic_quant kv = pool_quant(t, v[0], AIC_QUSE_KV);
    if (kv != AIC_Q_NONE) {
        struct attn_ctx c = {&db->sys, AIC_Q_BF16, kv, (int)k[1], (int)k[2], (int)k[3]};
        *lat = fmax(*lat, sol_gen_attn(&c, a));
    }
    return 1;
}

#define TRTLLM_GEN_SGLANG_KERNEL "sglang_flashinfer_trtllm_moe"

/* Remembers a non-gated MoE shape (v = topk, E, h, inter at v[3..6]) for transfer.c. */
static void moe_mark_nongated(struct aic_perfdb *db, const double *v)
{
    double g[4] = {v[5], v[6], v[3], v[4]};
    for (int i = 0; i < db->n_moe_nongated; i++)
        if (!memcmp(db->moe_nongated[i], g, sizeof(g)))
            return;
    if (db->n_moe_nongated < 32)
        memcpy(db->moe_nongated[db->n_moe_nongated++], g, sizeof(g));
}

/* MoE: key 0 = min-latency kernel rows, key 1 = the dtype with the two renames of README
 * section 4; non-gated shapes remembered. */
static int fix_moe(struct aic_perfdb *db, struct ptable *t, const double *v, double *k, double *a,
                   double *lat)
{
    (void)a, (void)lat;
    struct moe_fix_memo *m = &db->moe_memo;
    if (!m->valid || m->ks != v[0] || m->dt != v[1]) { /* rows of a kernel come together */
        const char *ks = t->strs.s[(int)v[0]], *dt = t->strs.s[(int)v[1]];
        double dtype = v[1];
        if (!strcmp(dt, "w4a8_mxfp4_mxfp8") && !strcmp(ks, "sglang_mxfp4_flashinfer_trtllm_moe"))
            dtype = strpool_add(&t->strs, "w4a8_mxfp4_mxfp8_trtllm");
        else if (!strcmp(dt, "w4a16_mxfp4") && !strcmp(ks, "sglang_flashinfer_cutlass_moe"))
            dtype = strpool_add(&t->strs, "w4a16_mxfp4_cutlass");
        m->valid = 1;
        m->ks = v[0];
        m->dt = v[1];
        m->dtype = dtype;
        m->nongated = strstr(ks, "nongated") != NULL;
        m->k0 = !strcmp(ks, "moe_torch_flow_min_latency") ||
                (db->backend == AIC_BACKEND_TRTLLM && !strcmp(ks, TRTLLM_GEN_SGLANG_KERNEL));
    }
    if (m->dtype < 0)
        return 0;
    if (m->nongated)
        moe_mark_nongated(db, v);
    k[0] = m->k0;
    k[1] = m->dtype;
    return 1;
}

/* DeepEP tables are in microseconds. */
static int fix_us(struct aic_perfdb *db, struct ptable *t, const double *v, double *k, double *a,
                  double *lat)
{
    (void)db, (void)t, (void)v, (void)k, (void)a;
    *lat /= 1000.0;
    return *lat > 0;
}

/* DeepEP normal mode: a phase is its transmit plus its notify time (columns 6 and 7). */
static int fix_deepep_normal(struct aic_perfdb *db, struct ptable *t, const double *v, double *k,
                             double *a, double *lat)
{
    (void)db, (void)t, (void)k, (void)a;
    *lat = (v[6] + v[7]) / 1000.0;
    return *lat > 0;
}

/* Quantize/scale kernels: latency 0 = not measured. */
static int fix_scale(struct aic_perfdb *db, struct ptable *t, const double *v, double *k, double *a,
                     double *lat)
{
    (void)db, (void)t, (void)v, (void)k, (void)a;
    return *lat > 0;
}

#define S(n)                                                                                       \
    {                                                                                              \
        n, 1, 0, 0                                                                                 \
    }
#define N(n)                                                                                       \
    {                                                                                              \
        n, 0, 0, 0                                                                                 \
    }
#define LAT                                                                                        \
    {                                                                                              \
        "latency", 0, 0, 0                                                                         \
    }
#define WINDOW                                                                                     \
    {                                                                                              \
        "window_size", 0, 1, 0                                                                     \
    }
#define NOPLUS                                                                                     \
    {                                                                                              \
        -1, -1, -1                                                                                 \
    }

#define WIDEEP_MOE_COLS                                                                            \
    {                                                                                              \
        S("moe_dtype"), S("distribution"), N("topk"), N("num_experts"), N("hidden_size"),          \
            N("inter_size"), N("moe_tp_size"), N("moe_ep_size"), N("num_tokens"), LAT              \
    }
#define DEEPEP_LL_COLS(lat_col)                                                                    \
    {                                                                                              \
        N("node_num"), N("hidden_size"), N("num_topk"), N("num_experts"), N("num_token"),          \
            N(lat_col)                                                                             \
    }
#define DEEPEP_NRM_COLS(transmit, notify)                                                          \
    {                                                                                              \
        N("node_num"), N("hidden_size"), N("num_topk"), N("num_experts"), N("dispatch_sms"),       \
            N("num_token"), N(transmit), N(notify)                                                 \
    }

#define SG_MLA_COLS                                                                                \
    {                                                                                              \
        S("kernel_source"), S("kv_cache_dtype"), S("gemm_type"), N("num_heads"), N("isl"),         \
            N("batch_size"), N("step"), LAT                                                        \
    }

/* clang-format off */
static const struct tab_spec tab_specs[T_COUNT] = {
    [T_GEMM] = {"gemm_perf", 1, 3, {S("gemm_dtype"), N("m"), N("n"), N("k"), LAT},
                {0}, {2, 3, 1}, NOPLUS, 4, fix_gemm},
    [T_CTX_ATTN] = {"context_attention_perf", 5, 3,
                    {S("attn_dtype"), S("kv_cache_dtype"), N("num_key_value_heads"),
                     N("num_heads"), N("head_dim"), WINDOW, N("isl"), N("batch_size"), LAT},
                    {0, 1, 2, 4, 5}, {3, 6, 7}, NOPLUS, 8, fix_ctx_attn},
    [T_GEN_ATTN] = {"generation_attention_perf", 4, 3,
                    {S("kv_cache_dtype"), N("num_key_value_heads"), N("num_heads"),
                     N("head_dim"), WINDOW, N("batch_size"), N("isl"), N("step"), LAT},
                    {0, 1, 3, 4}, {2, 5, 6}, {-1, -1, 7}, 8, fix_gen_attn},
    [T_CTX_MLA] = {"context_mla_perf", 2, 3,
                   {S("mla_dtype"), S("kv_cache_dtype"), N("num_heads"), N("isl"),
                    N("batch_size"), LAT},
                   {0, 1}, {2, 3, 4}, NOPLUS, 5, NULL},
    [T_GEN_MLA] = {"generation_mla_perf", 1, 3,
                   {S("kv_cache_dtype"), N("num_heads"), N("batch_size"), N("isl"), N("step"),
                    LAT},
                   {0}, {1, 2, 3}, {-1, -1, 4}, 5, NULL},
    [T_CTX_MODULE] = {"mla_context_module_perf", 3, 3,
                      {S("mla_dtype"), S("kv_cache_dtype"), S("gemm_type"), N("num_heads"),
                       N("isl"), N("batch_size"), LAT},
                      {0, 1, 2}, {3, 4, 5}, NOPLUS, 6, NULL},
    [T_GEN_MODULE] = {"mla_generation_module_perf", 2, 3,
                      {S("kv_cache_dtype"), S("gemm_type"), N("num_heads"), N("batch_size"),
                       N("isl"), N("step"), LAT},
                      {0, 1}, {2, 3, 4}, {-1, -1, 5}, 6, NULL},
    [T_BMM] = {"mla_bmm_perf", 3, 1,
               {S("bmm_dtype"), S("op_name"), N("num_heads"), N("num_tokens"), LAT},
               {0, 1, 2}, {3}, NOPLUS, 4, NULL},
    [T_MOE] = {"moe_perf", 9, 1,
               {S("kernel_source"), S("moe_dtype"), S("distribution"), N("topk"),
                N("num_experts"), N("hidden_size"), N("inter_size"), N("moe_tp_size"),
                N("moe_ep_size"), N("num_tokens"), LAT},
               {0, 1, 2, 3, 4, 5, 6, 7, 8}, {9}, NOPLUS, 10, fix_moe},
    [T_ALLREDUCE] = {"custom_allreduce_perf", 1, 1, {N("num_gpus"), N("message_size"), LAT},
                     {0}, {1}, NOPLUS, 2, NULL},
    [T_COMPUTESCALE] = {"computescale_perf", 1, 2, {S("quant_dtype"), N("m"), N("k"), LAT},
                        {0}, {1, 2}, NOPLUS, 3, fix_scale},
    [T_SCALEMATRIX] = {"scale_matrix_perf", 1, 2, {S("quant_dtype"), N("m"), N("k"), LAT},
                       {0}, {1, 2}, NOPLUS, 3, fix_scale},
    [T_NCCL] = {"nccl_perf", 3, 1,
                {S("nccl_dtype"), S("op_name"), N("num_gpus"), N("message_size"), LAT},
                {0, 1, 2}, {3}, NOPLUS, 4, NULL},
    [T_WIDEEP_CTX_MOE] = {"wideep_context_moe_perf", 8, 1, WIDEEP_MOE_COLS,
                          {0, 1, 2, 3, 4, 5, 6, 7}, {8}, NOPLUS, 9, NULL},
    [T_WIDEEP_GEN_MOE] = {"wideep_generation_moe_perf", 8, 1, WIDEEP_MOE_COLS,
                          {0, 1, 2, 3, 4, 5, 6, 7}, {8}, NOPLUS, 9, NULL},
    [T_DEEPEP_LL_DISP] = {"wideep_deepep_ll_perf", 4, 1, DEEPEP_LL_COLS("dispatch_avg_t_us"),
                          {0, 1, 2, 3}, {4}, NOPLUS, 5, fix_us},
    [T_DEEPEP_LL_COMB] = {"wideep_deepep_ll_perf", 4, 1, DEEPEP_LL_COLS("combine_avg_t_us"),
                          {0, 1, 2, 3}, {4}, NOPLUS, 5, fix_us},
    [T_DEEPEP_NRM_DISP] = {"wideep_deepep_normal_perf", 5, 1,
                           DEEPEP_NRM_COLS("dispatch_transmit_us", "dispatch_notify_us"),
                           {0, 1, 2, 3, 4}, {5}, NOPLUS, 6, fix_deepep_normal},
    [T_DEEPEP_NRM_COMB] = {"wideep_deepep_normal_perf", 5, 1,
                           DEEPEP_NRM_COLS("combine_transmit_us", "combine_notify_us"),
                           {0, 1, 2, 3, 4}, {5}, NOPLUS, 6, fix_deepep_normal},
    [T_TRT_WIDEEP_MOE] = {"wideep_moe_perf", 9, 1,
                          {S("moe_dtype"), S("distribution"), N("hidden_size"), N("inter_size"),
                           N("topk"), N("num_experts"), N("num_slots"), N("moe_tp_size"),
                           N("moe_ep_size"), N("num_tokens"), LAT},
                          {0, 1, 2, 3, 4, 5, 6, 7, 8}, {9}, NOPLUS, 10, NULL},
    [T_SG_CTX_MLA] = {"wideep_context_mla_perf", 3, 3, SG_MLA_COLS, {0, 1, 2}, {3, 4, 5},
                      NOPLUS, 7, NULL},
    [T_SG_GEN_MLA] = {"wideep_generation_mla_perf", 3, 3, SG_MLA_COLS, {0, 1, 2}, {3, 5, 4},
                      {-1, -1, 6}, 7, NULL},
    [T_TRT_ALLTOALL] = {"trtllm_alltoall_perf", 8, 1,
                        {S("op_name"), S("kernel_source"), S("moe_dtype"), S("distribution"),
                         N("hidden_size"), N("topk"), N("num_experts"), N("moe_ep_size"),
                         N("num_tokens"), LAT},
                        {0, 1, 2, 3, 4, 5, 6, 7}, {8}, NOPLUS, 9, NULL},
};
/* clang-format on */

/* One CSV row (columns in spec order) into keys/axes/latency by the spec's maps; 0 = drop. */
static int spec_row(const struct tab_spec *sp, struct aic_perfdb *db, struct ptable *t,
                    const double *v, double *k, double *a, double *lat)
{
    for (int i = 0; i < sp->nk; i++)
        k[i] = v[sp->key[i]];
    for (int j = 0; j < sp->na; j++)
        a[j] = v[sp->axis[j]] + (sp->plus[j] >= 0 ? v[sp->plus[j]] : 0.0);
    *lat = v[sp->lat];
    return sp->fix ? sp->fix(db, t, v, k, a, lat) : 1;
}

static size_t spec_ncols(const struct tab_spec *s)
{
    size_t n = 0;
    while (n < sizeof(s->cols) / sizeof(s->cols[0]) && s->cols[n].name)
        n++;
    return n;
}

const char *ptab_name(enum ptab_id id)
{
    return (int)id >= 0 && id < T_COUNT ? tab_specs[id].file : "?";
}

static void table_path(const struct aic_perfdb *db, enum ptab_id id, char *buf, size_t n)
{
    const char *dir = id == T_NCCL ? db->nccl_dir : db->dir;
    if (!dir[0]) {
        buf[0] = 0;
        return;
    }
    snprintf(buf, n, "%s/%s.csv", dir, tab_specs[id].file);
}

static int list_versions(const char *parent, char names[][64], int max);

/*
 * TensorRT-LLM's TRTLLM MoE backend runs the trtllm-gen kernels, the ones FlashInfer ships and
 * SGLang's flashinfer_trtllm runner calls (their nvfp4 rows in the two B200 tables agree within
 * 5 %). On Blackwell TensorRT-LLM's own table times fp8 block-scale MoE with DeepGEMM only, so
 * the fp8_block rows of that SGLang runner join its min-latency (trtllm-gen) grid; nothing else
 * of the SGLang table is read. Returns the sibling file's path, or "" when none applies.
 */
static void kernel_family_path(const struct aic_perfdb *db, enum ptab_id id, char *buf, size_t n)
{
    char parent[AIC_PATH_MAX + 16], names[64][64];

    buf[0] = 0;
    if (id != T_MOE || !perfdb_trtllm_gen_moe(db) || !db->sys.data_dir[0])
        return;
    snprintf(parent, sizeof(parent), "%s/%s", db->sys.data_dir,
             aic_backend_name(AIC_BACKEND_SGLANG));
    if (list_versions(parent, names, 64) > 0)
        snprintf(buf, n, "%s/%s/%s.csv", parent, names[0], tab_specs[id].file);
}

/* the rarer first: lines are skipped up to the next one holding it */
static const char *const kernel_family_needles[] = {"fp8_block", TRTLLM_GEN_SGLANG_KERNEL, NULL};

static int kernel_family_row(const struct ptable *t, const double *v)
{
    return !strcmp(t->strs.s[(int)v[0]], TRTLLM_GEN_SGLANG_KERNEL) &&
           !strcmp(t->strs.s[(int)v[1]], "fp8_block");
}

/* Adds the rows of one CSV read into raw (those `keep` accepts, all when NULL) to the table
 * being built. */
static int add_rows(struct aic_perfdb *db, enum ptab_id id, const struct rawtab *raw,
                    int (*keep)(const struct ptable *, const double *), struct pbuild *b)
{
    const struct tab_spec *sp = &tab_specs[id];
    struct ptable *t = &db->tab[id];
    double keys[PT_MAXK], axes[PT_MAXA], lat;
    size_t nc = raw->ncols;
    int rc = AIC_OK;

    if (sp->fix == fix_moe) /* the memo is the MoE table's alone: others load alongside */
        db->moe_memo.valid = 0;
    for (size_t i = 0; i < raw->nrows && !rc; i++) {
        const double *v = raw->v + i * nc;
        if ((!keep || keep(t, v)) && spec_row(sp, db, t, v, keys, axes, &lat))
            rc = pbuild_add(b, keys, axes, lat);
    }
    t->rows_read += raw->nrows;
    return rc;
}

/* Reads table id's CSV at path and, where it has one, the kernels its sibling file adds
 * (best effort: an unreadable sibling leaves them unread), then builds the rows of both. */
static int read_rows(struct aic_perfdb *db, enum ptab_id id, const char *path, struct pbuild *b,
                     struct aic_error *err)
{
    const struct tab_spec *sp = &tab_specs[id];
    struct ptable *t = &db->tab[id];
    struct rawtab raw, sraw = {0};
    char sib[AIC_PATH_MAX + 96];
    size_t nc = spec_ncols(sp);
    int rc = rawtab_load_some(path, sp->cols, nc, NULL, &t->strs, &raw, err);

    if (rc)
        return rc;
    kernel_family_path(db, id, sib, sizeof(sib));
    if (sib[0] && aic_is_file(sib)) {
        struct aic_error sib_err = {0};
        rc = rawtab_load_some(sib, sp->cols, nc, kernel_family_needles, &t->strs, &sraw, &sib_err);
        if (rc == AIC_ERR_NOMEM)
            aic_err(err, rc, "%s", sib_err.msg);
        rc = rc == AIC_ERR_NOMEM ? rc : AIC_OK;
    }
    if (!rc)
        rc = pbuild_reserve(b, raw.nrows + sraw.nrows);
    if (!rc)
        rc = add_rows(db, id, &raw, NULL, b);
    if (!rc)
        rc = add_rows(db, id, &sraw, kernel_family_row, b);
    rawtab_free(&raw);
    rawtab_free(&sraw);
    return rc == AIC_ERR_NOMEM ? aic_err(err, rc, "out of memory loading %s", path) : rc;
}

/* A failed load: the table keeps its error (t->load_err), which err gets too. */
static int load_failed(struct ptable *t, int rc, struct aic_error *err)
{
    t->state = -2;
    t->load_err.code = rc;
    if (err)
        *err = t->load_err;
    return rc;
}

static int table_load(struct aic_perfdb *db, enum ptab_id id, struct aic_error *err)
{
    const struct tab_spec *sp = &tab_specs[id];
    struct ptable *t = &db->tab[id];
    struct pbuild b = {sp->nk, sp->na, 0, 0, NULL};
    char path[AIC_PATH_MAX + 64];
    double t0 = aic_now_s();
    int rc;

    table_path(db, id, path, sizeof(path));
    if (!path[0] || !aic_is_file(path)) {
        t->state = -1;
        return AIC_OK;
    }
    rc = read_rows(db, id, path, &b, &t->load_err);
    if (rc) {
        free(b.rec);
        return load_failed(t, rc, err);
    }
    rc = pbuild_finish(&b, t);
    if (!rc && id == T_GEMM)
        rc = gemm_index_build(t, &db->gemm_idx);
    if (rc)
        return load_failed(t, aic_err(&t->load_err, rc, "out of memory loading %s", path), err);
    static _Atomic unsigned long serial;
    t->state = 1;
    t->serial = ++serial;
    t->load_s = aic_now_s() - t0;
    return AIC_OK;
}

int perfdb_table(struct aic_perfdb *db, enum ptab_id id, const struct ptable **out,
                 struct aic_error *err)
{
    struct ptable *t = &db->tab[id];
    *out = NULL;
    if (t->state == 0) {
        int rc = table_load(db, id, err);
        if (rc)
            return rc;
    }
    if (t->state == -2) { /* the error the load met, again */
        if (err)
            *err = t->load_err;
        return t->load_err.code;
    }
    if (t->state != 1)
        return aic_err(err, AIC_ERR_NODATA, "no %s for %s/%s %s (%s)", tab_specs[id].file,
                       db->sys.name, aic_backend_name(db->backend), db->version,
                       id == T_NCCL ? (db->nccl_dir[0] ? db->nccl_dir : "no nccl folder")
                                    : (db->dir[0] ? db->dir : "no data folder"));
    *out = t;
    return AIC_OK;
}

/* Tables a preload shares out among its threads: the next one to take (largest file first,
 * so the big MoE table starts at once) and the first error met. */
struct preload_work {
    struct aic_perfdb *db;
    enum ptab_id order[T_COUNT];
    int n;
    _Atomic int next;
    pthread_mutex_t lock;
    int rc;
    struct aic_error err;
};

static void *preload_worker(void *arg)
{
    struct preload_work *w = arg;
    const struct ptable *t;
    for (int i; (i = w->next++) < w->n;) {
        struct aic_error err = {0};
        int rc = perfdb_table(w->db, w->order[i], &t, &err);
        if (rc && rc != AIC_ERR_NODATA) {
            pthread_mutex_lock(&w->lock);
            if (!w->rc) {
                w->rc = rc;
                w->err = err;
            }
            pthread_mutex_unlock(&w->lock);
        }
    }
    return NULL;
}

/* The tables of `want` (bit id) that db has not loaded yet, largest file first (those without
 * one last: their load only marks them absent, so no later use changes a table's state). */
static int preload_order(struct aic_perfdb *db, uint32_t want, enum ptab_id *order, long *size)
{
    char path[AIC_PATH_MAX + 64];
    int n = 0;
    for (int id = 0; id < T_COUNT; id++) {
        struct stat st;
        if (!(want >> id & 1) || db->tab[id].state)
            continue;
        table_path(db, (enum ptab_id)id, path, sizeof(path));
        long sz = path[0] && !stat(path, &st) ? (long)st.st_size : -1;
        int j = n++;
        for (; j > 0 && size[j - 1] < sz; j--) {
            order[j] = order[j - 1];
            size[j] = size[j - 1];
        }
        order[j] = (enum ptab_id)id;
        size[j] = sz;
    }
    return n;
}

_Static_assert(T_COUNT <= 32, "table sets are 32-bit masks");

/* Loads the tables of `want` on up to PRELOAD_THREADS threads (no more than the CPUs). */

static int load_tables(struct aic_perfdb *db, uint32_t want, struct aic_error *err)
{
    struct preload_work w = {.db = db, .lock = PTHREAD_MUTEX_INITIALIZER};
    long size[T_COUNT];
    pthread_t th[PRELOAD_THREADS];
    int nth = 0;

    if (db->mode == AIC_DB_EMPIRICAL || db->mode == AIC_DB_SOL)
        return AIC_OK;
    w.n = preload_order(db, want, w.order, size);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    while (nth < PRELOAD_THREADS - 1 && nth + 1 < ncpu && nth + 1 < w.n &&
           !pthread_create(&th[nth], NULL, preload_worker, &w))
        nth++;
    preload_worker(&w);
    while (nth > 0)
        pthread_join(th[--nth], NULL);
    pthread_mutex_destroy(&w.lock);
    if (w.rc && err)
        *err = w.err;
    return w.rc;
}

int aic_perfdb_preload(struct aic_perfdb *db, struct aic_error *err)
{
    return load_tables(db, (uint32_t)((1ull << T_COUNT) - 1), err);
}

int aic_perfdb_prefetch(struct aic_perfdb *db, const char *const *tables, int n,
                        struct aic_error *err)
{
    uint32_t want = 0;
    for (int i = 0; i < n; i++)
        for (int id = 0; id < T_COUNT; id++)
            if (tables[i] && !strcmp(tables[i], tab_specs[id].file))
                want |= 1u << id;
    return load_tables(db, want, err);
}

int aic_perfdb_has_table(struct aic_perfdb *db, const char *table)
{
    char path[AIC_PATH_MAX + 64];
    for (int i = 0; i < T_COUNT; i++)
        if (!strcmp(table, tab_specs[i].file)) {
            table_path(db, (enum ptab_id)i, path, sizeof(path));
            return path[0] && aic_is_file(path);
        }
    if (!db->dir[0])
        return 0;
    snprintf(path, sizeof(path), "%s/%s.csv", db->dir, table);
    return aic_is_file(path);
}

/* ---- versions ------------------------------------------------------------------------- */

/* (major, minor, patch, release?, rc, trailing) as in README section 3.1. */
static void version_key(const char *v, long key[6])
{
    const char *p = v;
    memset(key, 0, 6 * sizeof(long));
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*p))
            break;
        key[i] = strtol(p, (char **)&p, 10);
        if (*p == '.' && isdigit((unsigned char)p[1]))
            p++;
        else
            break;
    }
    key[3] = 1;
    if (!strncmp(p, "rc", 2)) {
        key[3] = 0;
        key[4] = strtol(p + 2, (char **)&p, 10);
    }
    for (const char *s = p; *s; s++)
        if (isdigit((unsigned char)*s)) {
            key[5] = strtol(s, NULL, 10);
            break;
        }
}

static int version_cmp(const void *a, const void *b)
{
    long ka[6], kb[6];
    version_key(*(const char *const *)a, ka);
    version_key(*(const char *const *)b, kb);
    for (int i = 0; i < 6; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? 1 : -1; /* newest first */
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dir_has_csv(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (!d)
        return 0;
    while (!found && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        found = l > 4 && !strcmp(e->d_name + l - 4, ".csv");
    }
    closedir(d);
    return found;
}

/* Version folders under `parent` holding at least one CSV, newest first; returns count. */
static int list_versions(const char *parent, char names[][64], int max)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    char path[AIC_PATH_MAX + 128];
    const char *ptrs[64];
    char tmp[64][64];
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL && n < 64 && n < max) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= 64)
            continue;
        snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
        if (!aic_is_dir(path) || !dir_has_csv(path))
            continue;
        aic_strlcpy(tmp[n], e->d_name, 64);
        ptrs[n] = tmp[n];
        n++;
    }
    closedir(d);
    qsort(ptrs, (size_t)n, sizeof(ptrs[0]), version_cmp);
    for (int i = 0; i < n; i++)
        aic_strlcpy(names[i], ptrs[i], 64);
    return n;
}

int aic_perfdb_versions(const struct aic_system *sys, enum aic_backend backend, char *buf,
                        size_t len)
{
    char parent[AIC_PATH_MAX + 32], names[64][64];
    size_t used = 0;
    snprintf(parent, sizeof(parent), "%s/%s", sys->data_dir, aic_backend_name(backend));
    int n = sys->data_dir[0] ? list_versions(parent, names, 64) : 0;
    if (len)
        buf[0] = 0;
    for (int i = 0; i < n && len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? "," : "", names[i]);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
    return n;
}

/* ---- open / free ----------------------------------------------------------------------- */

static void find_nccl(struct aic_perfdb *db)
{
    char parent[AIC_PATH_MAX + 16], names[64][64];
    snprintf(parent, sizeof(parent), "%s/nccl", db->sys.data_dir);
    db->nccl_dir[0] = 0;
    if (!db->sys.data_dir[0])
        return;
    int n = list_versions(parent, names, 64);
    const char *pick = NULL;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], db->sys.nccl_version))
            pick = names[i];
    if (!pick && n > 0)
        pick = names[0];
    if (pick)
        aic_path_join(db->nccl_dir, sizeof(db->nccl_dir), parent, pick);
}

static void load_empirical(struct aic_perfdb *db)
{
    char path[AIC_PATH_MAX * 2];
    struct aic_error e;
    snprintf(path, sizeof(path), "%s/empirical/%s/%s.json", aic_data_dir(), db->sys.name,
             aic_backend_name(db->backend));
    if (aic_is_file(path) && emp_model_load(path, &db->emp, &e) == AIC_OK)
        db->emp_loaded = 1;
}

int aic_perfdb_open(const struct aic_system *sys, enum aic_backend backend, const char *version,
                    enum aic_db_mode mode, struct aic_perfdb **out, struct aic_error *err)
{
    char parent[AIC_PATH_MAX + 32], names[64][64], avail[512];
    struct aic_perfdb *db;
    int n, pick = -1;

    *out = NULL;
    if ((int)backend < 0 || backend >= AIC_BACKEND_COUNT || (int)mode < 0 || mode > AIC_DB_SOL)
        return aic_err(err, AIC_ERR_USAGE, "invalid backend or database mode");
    db = calloc(1, sizeof(*db));
    if (!db)
        return aic_err(err, AIC_ERR_NOMEM, "out of memory opening the perf database");
    db->sys = *sys;
    db->backend = backend;
    db->mode = mode;
    snprintf(parent, sizeof(parent), "%s/%s", sys->data_dir, aic_backend_name(backend));
    n = sys->data_dir[0] ? list_versions(parent, names, 64) : 0;
    if (!version || !*version)
        pick = n > 0 ? 0 : -1;
    for (int i = 0; version && *version && i < n; i++)
        if (!strcmp(names[i], version))
            pick = i;
    if (pick < 0 && (mode == AIC_DB_SILICON || mode == AIC_DB_HYBRID)) {
        aic_perfdb_versions(sys, backend, avail, sizeof(avail));
        if (n)
            aic_err(err, AIC_ERR_NOTFOUND,
                    "no perf data for %s/%s %s; available: %s (pass one as --backend-version)",
                    sys->name, aic_backend_name(backend), version, avail);
        else
            aic_err(err, AIC_ERR_NOTFOUND,
                    "no perf data for %s/%s (looked in %s); pass --systems-paths DIR whose "
                    "data/%s/%s/ holds the tables (e.g. ../shared/perfdb), or use "
                    "--database-mode EMPIRICAL",
                    sys->name, aic_backend_name(backend), parent, sys->name,
                    aic_backend_name(backend));
        free(db);
        return AIC_ERR_NOTFOUND;
    }
    if (pick >= 0) {
        aic_strlcpy(db->version, names[pick], sizeof(db->version));
        aic_path_join(db->dir, sizeof(db->dir), parent, names[pick]);
    } else if (version) {
        aic_strlcpy(db->version, version, sizeof(db->version));
    }
    find_nccl(db);
    if (mode == AIC_DB_EMPIRICAL || mode == AIC_DB_HYBRID)
        load_empirical(db);
    *out = db;
    return AIC_OK;
}

void aic_perfdb_free(struct aic_perfdb *db)
{
    if (!db)
        return;
    for (int i = 0; i < T_COUNT; i++)
        ptable_free(&db->tab[i]);
    gemm_index_free(&db->gemm_idx);
    emp_model_free(&db->emp);
    free(db->gemm_cache);
    free(db);
}

const char *aic_perfdb_version(const struct aic_perfdb *db)
{
    return db->dir[0] ? db->version : "";
}

enum aic_db_mode aic_perfdb_mode(const struct aic_perfdb *db)
{
    return db->mode;
}

const struct aic_system *aic_perfdb_system(const struct aic_perfdb *db)
{
    return &db->sys;
}

enum aic_backend aic_perfdb_backend(const struct aic_perfdb *db)
{
    return db->backend;
}
