/*
 * cmd_validate.c - `aiconfigurator cli validate --measured FILE.csv [--out PRED.csv]`:
 * predicts every row of a measured-results file (the format of e2e_measured.csv, columns by
 * header name) and prints median / mean absolute percentage error of TTFT and TPOT per
 * (system, backend, mode) and overall. Rows the tool cannot interpret get a reason, are
 * counted, and are not guessed. One struct aic_ctx caches models, systems and databases for
 * the whole file. PRED.csv (id,pred_ttft_ms,pred_tpot_ms,status) is written to a temporary
 * file and renamed, so a failed run leaves no partial file.
 */
#include <csv.h>
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/validate_fit.h"
#include "cli/validate_step.h"
#include "util/util.h"

#define TTFT_SATURATED_MS 20000.0

/* ---- reading the CSV ------------------------------------------------------------------- */

struct csv_table {
    char **cells;  /* rows * ncols cell strings (malloc'd; NULL = empty) */
    char **header; /* ncols names */
    int ncols, nrows, cap_rows;
    /* parser state */
    char **cur; /* cells of the row being read */
    int cur_n, cur_cap, line, bad_line, bad_count;
    int nomem;
};

static void on_field(void *s, size_t len, void *data)
{
    struct csv_table *t = data;
    char *v = malloc(len + 1);

    if (!v) {
        t->nomem = 1;
        return;
    }
    memcpy(v, s ? s : "", len);
    v[len] = 0;
    if (t->cur_n == t->cur_cap) {
        int cap = t->cur_cap ? 2 * t->cur_cap : 64;
        char **n = realloc(t->cur, (size_t)cap * sizeof(*n));
        if (!n) {
            free(v);
            t->nomem = 1;
            return;
        }
        t->cur = n;
        t->cur_cap = cap;
    }
    t->cur[t->cur_n++] = v;
}

static void drop_cur(struct csv_table *t)
{
    for (int i = 0; i < t->cur_n; i++)
        free(t->cur[i]);
    t->cur_n = 0;
}

static void on_row(int c, void *data)
{
    struct csv_table *t = data;
    (void)c;

    t->line++;
    if (t->nomem) {
        drop_cur(t);
        return;
    }
    if (!t->header) { /* first row: the header */
        t->header = t->cur;
        t->ncols = t->cur_n;
        t->cur = NULL;
        t->cur_n = t->cur_cap = 0;
        return;
    }
    if (t->cur_n == 1 && !t->cur[0][0]) { /* blank line */
        drop_cur(t);
        return;
    }
    if (t->cur_n != t->ncols) {
        if (!t->bad_line)
            t->bad_line = t->line;
        t->bad_count++;
        drop_cur(t);
        return;
    }
    if (t->nrows == t->cap_rows) {
        int cap = t->cap_rows ? 2 * t->cap_rows : 256;
        char **n = realloc(t->cells, (size_t)cap * (size_t)t->ncols * sizeof(*n));
        if (!n) {
            t->nomem = 1;
            drop_cur(t);
            return;
        }
        t->cells = n;
        t->cap_rows = cap;
    }
    memcpy(t->cells + (size_t)t->nrows * (size_t)t->ncols, t->cur,
           (size_t)t->ncols * sizeof(char *));
    t->nrows++;
    t->cur_n = 0;
}

static void table_free(struct csv_table *t)
{
    for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    for (int i = 0; t->header && i < t->ncols; i++)
        free(t->header[i]);
    drop_cur(t);
    free(t->cur);
    free(t->cells);
    free(t->header);
}

/* Reads and parses path; prints the problem and returns non-zero on failure. */
static int table_read(const struct cli_env *env, const char *path, struct csv_table *t)
{
    struct csv_parser p;
    struct aic_error err = {0};
    char *text = NULL;
    size_t len = 0, used;
    int rc = CLI_OK;

    memset(t, 0, sizeof(*t));
    if (aic_read_file(path, &text, &len, &err))
        return cli_error(env, 0, "cannot read --measured file '%s': %s", path, err.msg);
    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI)) {
        free(text);
        return cli_error(env, 0, "out of memory");
    }
    csv_set_blk_size(&p, 64 * 1024); /* a long cell grows its buffer in few steps */
    used = csv_parse(&p, text, len, on_field, on_row, t);
    if (used != len || csv_fini(&p, on_field, on_row, t))
        rc = cli_error(env, 0, "malformed CSV in '%s' near line %d: %s; fix the quoting", path,
                       t->line + 1, csv_strerror(csv_error(&p)));
    else if (t->nomem)
        rc = cli_error(env, 0, "out of memory reading '%s'", path);
    else if (!t->header)
        rc = cli_error(env, 0, "'%s' is empty; expected a header line (id,model_path,system,...)",
                       path);
    else if (t->bad_count)
        rc = cli_error(env, 0,
                       "malformed CSV in '%s': line %d has a different number of "
                       "fields than the header (%d); %d such line(s)",
                       path, t->bad_line, t->ncols, t->bad_count);
    else if (!t->nrows)
        rc = cli_error(env, 0,
                       "'%s' has a header but no rows; add one measured deployment per line", path);
    csv_free(&p);
    free(text);
    return rc;
}

static int col_index(const struct csv_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++) {
        const char *h = t->header[i];
        if (i == 0 && !strncmp(h, "\xEF\xBB\xBF", 3)) /* UTF-8 byte-order mark */
            h += 3;
        if (!strcmp(h, name))
            return i;
    }
    return -1;
}

/* ---- one row -> one request ------------------------------------------------------------ */

/* Column indexes by header name (-1 when absent). */
/* clang-format off */
enum vcol {
    C_ID, C_BACKEND, C_MODEL, C_SYSTEM, C_MODE, C_ISL, C_OSL, C_GEMM_Q, C_MOE_Q, C_BS, C_TP, C_PP,
    C_DP, C_MOE_TP, C_MOE_EP, C_P_BS, C_P_WORKERS, C_P_TP, C_P_PP, C_P_DP, C_P_MOE_TP, C_P_MOE_EP,
    C_D_BS, C_D_WORKERS, C_D_TP, C_D_PP, C_D_DP, C_D_MOE_TP, C_D_MOE_EP, C_TTFT, C_TPOT, C_SOURCE,
    C_NEXTN, C_NEXTN_ACC, C_KV_Q, /* optional: not in e2e_measured.csv, a user's file may have them */
    C_PRECISION,
    C_COUNT
};
/* clang-format on */
static const char *const vcol_names[C_COUNT] = {"id",
                                                "backend",
                                                "model_path",
                                                "system",
                                                "mode",
                                                "isl",
                                                "osl",
                                                "gemm_quant_mode",
                                                "moe_quant_mode",
                                                "batch_size",
                                                "tp_size",
                                                "pp_size",
                                                "attention_dp_size",
                                                "moe_tp_size",
                                                "moe_ep_size",
                                                "prefill_batch_size",
                                                "prefill_num_workers",
                                                "prefill_tp_size",
                                                "prefill_pp_size",
                                                "prefill_attention_dp_size",
                                                "prefill_moe_tp_size",
                                                "prefill_moe_ep_size",
                                                "decode_batch_size",
                                                "decode_num_workers",
                                                "decode_tp_size",
                                                "decode_pp_size",
                                                "decode_attention_dp_size",
                                                "decode_moe_tp_size",
                                                "decode_moe_ep_size",
                                                "silicon_ttft_ms",
                                                "silicon_tpot_ms",
                                                "silicon_data_source",
                                                "nextn",
                                                "nextn_accepted",
                                                "kvcache_quant_mode",
                                                "precision"};
/* Columns without which the file cannot be validated at all. */
static const enum vcol vcol_required[] = {C_ID,  C_BACKEND, C_MODEL, C_SYSTEM, C_MODE,
                                          C_ISL, C_OSL,     C_TTFT,  C_TPOT};

struct row {
    const struct csv_table *t;
    const int *col;
    int r;
};

static const char *cell(const struct row *w, enum vcol c)
{
    if (w->col[c] < 0)
        return "";
    const char *v = w->t->cells[(size_t)w->r * (size_t)w->t->ncols + (size_t)w->col[c]];
    return v ? v : "";
}

/* Integer cell: blank -> def; returns -1 when not a non-negative integer. */
static int cell_int(const struct row *w, enum vcol c, int def)
{
    const char *s = cell(w, c);
    char *end;
    double v;

    while (*s == ' ')
        s++;
    if (!*s)
        return def;
    v = strtod(s, &end);
    if (end == s || *end || v < 0 || v > 1e9 || v != floor(v))
        return -1;
    return (int)v;
}

static double cell_num(const struct row *w, enum vcol c)
{
    const char *s = cell(w, c);
    char *end;
    double v = strtod(s, &end);
    return (end == s || *end || !isfinite(v)) ? NAN : v;
}

/* Reads a layout from 5 consecutive columns starting at tp. Blank/0 dp/pp -> 1; blank/0
 * moe sizes -> 0 (auto). Returns 0, or -1 with reason. */
static int row_layout(const struct row *w, enum vcol tp, struct aic_layout *lay, const char **why)
{
    lay->tp = cell_int(w, tp, -1);
    lay->pp = cell_int(w, tp + 1, 1);
    lay->dp = cell_int(w, tp + 2, 1);
    lay->moe_tp = cell_int(w, tp + 3, 0);
    lay->moe_ep = cell_int(w, tp + 4, 0);
    if (lay->tp <= 0 || lay->pp < 0 || lay->dp < 0 || lay->moe_tp < 0 || lay->moe_ep < 0) {
        *why = lay->tp == -1 && !*cell(w, tp) ? "missing tp size" : "bad parallel size";
        return -1;
    }
    if (!lay->pp)
        lay->pp = 1;
    if (!lay->dp)
        lay->dp = 1;
    return 0;
}

/* Per-rank batch from a worker's concurrency: round(c / dp), at least 1. */
static int per_rank(int conc, int dp)
{
    int b = (int)lround((double)conc / (dp > 0 ? dp : 1));
    return b < 1 ? 1 : b;
}

/* A blank quant cell falls back to the row's `precision` (fp8, fp4, bf16, int4), when the file
 * has one: both GEMMs and MoE run in it. */
static const char *quant_cell(const struct row *w, enum vcol c)
{
    const char *v = cell(w, c);
    return *v ? v : cell(w, C_PRECISION);
}

/* Weight-format labels measured files use for what the tables time under another name:
 * 16-bit float weights run at bfloat16's bytes and tensor-core rate; AWQ and GPTQ checkpoints
 * (4-bit groups, 16-bit activations) are int4 weight-only, as is a dense w4a16; w8a16 is
 * int8 weight-only. An ambiguous label (int8: weight-only or SmoothQuant?) is left as is. */
static const char *weight_label(const char *label, int moe)
{
    static const struct {
        const char *label, *mode;
        int dense_only;
    } map[] = {{"float16", "bfloat16", 0}, {"fp16", "bfloat16", 0},    {"half", "bfloat16", 0},
               {"awq", "int4_wo", 0},      {"int4_awq", "int4_wo", 0}, {"w4a16_awq", "int4_wo", 0},
               {"gptq", "int4_wo", 0},     {"w4a16", "int4_wo", 1},    {"w8a16", "int8_wo", 0}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcasecmp(label, map[i].label) && !(moe && map[i].dense_only))
            return map[i].mode;
    return label;
}

/* Measured files label quantization coarsely: "fp8" for block-scaled fp8 checkpoints, and
 * "nvfp4" for gpt-oss's MXFP4 checkpoint (even on Hopper, which has no FP4 tensor cores).
 * A label of the same family as the checkpoint's own scheme means that scheme. */
static enum aic_quant same_family(enum aic_quant label, enum aic_quant ckpt)
{
    int fp8 = label == AIC_Q_FP8 && (ckpt == AIC_Q_FP8_BLOCK || ckpt == AIC_Q_FP8_STATIC);
    int fp4 = label == AIC_Q_NVFP4 && (ckpt == AIC_Q_W4A16_MXFP4 || ckpt == AIC_Q_W4A8_MXFP4_MXFP8);
    return fp8 || fp4 ? AIC_Q_NONE : label;
}

static void checkpoint_labels(struct aic_ctx *ctx, struct aic_estimate_req *r)
{
    const struct aic_model *m = NULL;
    struct aic_error err = {0};

    if (aic_ctx_get_model(ctx, r->model, &m, &err) || !m)
        return;
    if (m->moe_quant == AIC_Q_W4A16_MXFP4 || m->moe_quant == AIC_Q_W4A8_MXFP4_MXFP8) {
        if (same_family(r->opts.quant.moe, m->moe_quant) == AIC_Q_NONE ||
            same_family(r->opts.quant.gemm, m->moe_quant) == AIC_Q_NONE)
            r->opts.quant.gemm = r->opts.quant.moe = AIC_Q_NONE;
        return;
    }
    if (r->opts.quant.gemm != AIC_Q_NONE)
        r->opts.quant.gemm = same_family(r->opts.quant.gemm, m->gemm_quant);
    if (r->opts.quant.moe != AIC_Q_NONE)
        r->opts.quant.moe = same_family(r->opts.quant.moe, m->moe_quant);
}

/* The measured concurrency when the free-text source column records it
 * ("silicon_concurrency=N"), else -1. */
static int source_concurrency(const struct row *w)
{
    const char *p = strstr(cell(w, C_SOURCE), "silicon_concurrency=");
    return p ? atoi(p + strlen("silicon_concurrency=")) : -1;
}

/* Batch per attention-DP rank of one of a pool's `workers` workers. batch_size is a worker's
 * concurrency, except in files whose recorded concurrency shows it was already per rank
 * (concurrency = batch x dp x workers). */
static int rank_batch(const struct row *w, int b, int dp, int workers)
{
    if (dp > 1 && source_concurrency(w) == b * dp * workers)
        return b;
    return per_rank(b, dp);
}

/* The optional columns: MTP draft tokens with their accepted count, and the KV-cache
 * quantization; returns NULL or the reason the row is not estimable. */
static const char *row_extras(const struct row *w, struct aic_estimate_req *r)
{
    int n = cell_int(w, C_NEXTN, 0), q;
    double acc = cell_num(w, C_NEXTN_ACC);
    char msg[256];

    if (n < 0)
        return "bad nextn";
    if (n > 0) {
        if (isnan(acc) || acc < 0 || acc > n)
            return "nextn needs nextn_accepted between 0 and nextn";
        r->opts.nextn = n;
        r->opts.nextn_accepted = acc;
    }
    if (*cell(w, C_KV_Q)) {
        q = cli_quant_arg("kvcache_quant_mode", cell(w, C_KV_Q), AIC_QUSE_KV, msg, sizeof(msg));
        if (q == -2)
            return "unknown kvcache_quant_mode";
        r->opts.quant.kv = (enum aic_quant)q;
    }
    return NULL;
}

/* Builds the request of row w; returns NULL or the reason the row is not estimable. */
static const char *row_req(struct aic_ctx *ctx, const struct row *w, struct aic_estimate_req *r,
                           int db_mode, int db_explicit)
{
    const char *why = NULL, *mode = cell(w, C_MODE);
    int b, q;
    char msg[256];

    aic_estimate_req_init(r);
    r->model = cell(w, C_MODEL);
    r->system = cell(w, C_SYSTEM);
    if (!*r->model)
        return "missing model_path";
    if (!*r->system)
        return "missing system";
    b = aic_backend_parse(cell(w, C_BACKEND));
    if (b < 0)
        return "unknown backend";
    r->backend = (enum aic_backend)b;
    r->backend_version = NULL; /* newest available */
    r->db_mode = (enum aic_db_mode)db_mode;
    r->db_mode_explicit = db_explicit;
    r->wl.isl = cell_int(w, C_ISL, -1);
    r->wl.osl = cell_int(w, C_OSL, -1);
    r->wl.prefix = 0;
    if (r->wl.isl <= 0 || r->wl.osl <= 0)
        return "bad isl/osl";
    q = cli_quant_arg("gemm_quant_mode", weight_label(quant_cell(w, C_GEMM_Q), 0), AIC_QUSE_GEMM,
                      msg, sizeof(msg));
    if (q == -2)
        return "unknown gemm_quant_mode";
    r->opts.quant.gemm = (enum aic_quant)q;
    q = cli_quant_arg("moe_quant_mode", weight_label(quant_cell(w, C_MOE_Q), 1), AIC_QUSE_MOE, msg,
                      sizeof(msg));
    if (q == -2)
        return "unknown moe_quant_mode";
    r->opts.quant.moe = (enum aic_quant)q;
    /* deployments measured with fp8/fp4 GEMMs run an fp8 KV cache (the frameworks' default
     * for quantized checkpoints) */
    if (r->opts.quant.gemm == AIC_Q_FP8 || r->opts.quant.gemm == AIC_Q_FP8_BLOCK ||
        r->opts.quant.gemm == AIC_Q_NVFP4)
        r->opts.quant.kv = AIC_Q_FP8;
    checkpoint_labels(ctx, r);
    if ((why = row_extras(w, r)))
        return why;
    if (!strcasecmp(mode, "agg")) {
        r->mode = AIC_MODE_AGG;
        if (row_layout(w, C_TP, &r->lay, &why))
            return why;
        b = cell_int(w, C_BS, -1);
        if (b <= 0)
            return "missing batch_size";
        r->batch_size = rank_batch(w, b, r->lay.dp, 1);
        return NULL;
    }
    if (strcasecmp(mode, "disagg"))
        return "unknown mode";
    r->mode = AIC_MODE_DISAGG;
    if (row_layout(w, C_P_TP, &r->prefill_lay, &why) || row_layout(w, C_D_TP, &r->decode_lay, &why))
        return why;
    r->prefill_workers = cell_int(w, C_P_WORKERS, -1);
    r->decode_workers = cell_int(w, C_D_WORKERS, -1);
    if (r->prefill_workers <= 0 || r->decode_workers <= 0)
        return "missing worker counts";
    r->prefill_batch = cell_int(w, C_P_BS, -1);
    r->decode_batch = cell_int(w, C_D_BS, -1);
    if (r->prefill_batch <= 0 || r->decode_batch <= 0)
        return "missing batch sizes";
    r->prefill_batch = per_rank(r->prefill_batch, r->prefill_lay.dp);
    r->decode_batch = rank_batch(w, r->decode_batch, r->decode_lay.dp, r->decode_workers);
    return NULL;
}

/* ---- statistics ------------------------------------------------------------------------ */

struct errs {
    double *v;
    int n, cap;
};

static int errs_add(struct errs *e, double x)
{
    if (e->n == e->cap) {
        int cap = e->cap ? 2 * e->cap : 64;
        double *n = realloc(e->v, (size_t)cap * sizeof(*n));
        if (!n)
            return -1;
        e->v = n;
        e->cap = cap;
    }
    e->v[e->n++] = x;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double errs_median(struct errs *e)
{
    if (!e->n)
        return NAN;
    qsort(e->v, (size_t)e->n, sizeof(double), cmp_double);
    return e->n % 2 ? e->v[e->n / 2] : 0.5 * (e->v[e->n / 2 - 1] + e->v[e->n / 2]);
}

static double errs_mean(const struct errs *e)
{
    double s = 0;
    for (int i = 0; i < e->n; i++)
        s += e->v[i];
    return e->n ? s / e->n : NAN;
}

struct group {
    char key[160];
    int total, estimated;
    struct errs ttft, tpot, ttft_sat, tpot_sat; /* *_sat: measured TTFT > 20 s */
};

struct groups {
    struct group *g;
    int n, cap;
};

static struct group *group_get(struct groups *gs, const char *key)
{
    for (int i = 0; i < gs->n; i++)
        if (!strcmp(gs->g[i].key, key))
            return &gs->g[i];
    if (gs->n == gs->cap) {
        int cap = gs->cap ? 2 * gs->cap : 32;
        struct group *n = realloc(gs->g, (size_t)cap * sizeof(*n));
        if (!n)
            return NULL;
        gs->g = n;
        gs->cap = cap;
    }
    memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
    aic_strlcpy(gs->g[gs->n].key, key, sizeof(gs->g[0].key));
    return &gs->g[gs->n++];
}

static void group_free(struct group *g)
{
    free(g->ttft.v);
    free(g->tpot.v);
    free(g->ttft_sat.v);
    free(g->tpot_sat.v);
}

static void groups_free(struct groups *gs)
{
    for (int i = 0; i < gs->n; i++)
        group_free(&gs->g[i]);
    free(gs->g);
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

/* Adds one row's outcome to group g (pred < 0: not estimated). */
static int group_add(struct group *g, int ok, double mt, double pt, double mp, double pp)
{
    g->total++;
    if (!ok)
        return 0;
    g->estimated++;
    if (isfinite(mt) && mt > 0 && isfinite(pt)) {
        double e = 100.0 * fabs(pt - mt) / mt;
        if (errs_add(mt <= TTFT_SATURATED_MS ? &g->ttft : &g->ttft_sat, e))
            return -1;
    }
    if (isfinite(mp) && mp > 0 && isfinite(pp) &&
        errs_add(!(mt > TTFT_SATURATED_MS) ? &g->tpot : &g->tpot_sat, 100.0 * fabs(pp - mp) / mp))
        return -1;
    return 0;
}

static void fmt_pct(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f%%", v);
}

static void print_group(const struct group *g0)
{
    struct group g = *g0; /* medians sort the arrays in place: fine */
    char a[16], b[16], c[16], d[16], rows[32];

    fmt_pct(a, sizeof(a), errs_median(&g.ttft));
    fmt_pct(b, sizeof(b), errs_mean(&g.ttft));
    fmt_pct(c, sizeof(c), errs_median(&g.tpot));
    fmt_pct(d, sizeof(d), errs_mean(&g.tpot));
    snprintf(rows, sizeof(rows), "%d/%d", g.estimated, g.total);
    printf("  %-34s %11s %10s %9s %10s %9s\n", g.key, rows, a, b, c, d);
}

static void print_table(const char *title, struct groups *gs, const struct group *overall)
{
    if (gs->n)
        qsort(gs->g, (size_t)gs->n, sizeof(gs->g[0]), cmp_group);
    printf("\n%s\n", title);
    printf("  %-34s %11s %10s %9s %10s %9s\n", "group", "estimated", "TTFT MdAPE", "TTFT MAPE",
           "TPOT MdAPE", "TPOT MAPE");
    for (int i = 0; i < gs->n; i++)
        print_group(&gs->g[i]);
    if (overall)
        print_group(overall);
}

/* ---- reasons --------------------------------------------------------------------------- */

#define MAX_REASONS 64

struct reasons {
    char text[MAX_REASONS][96];
    int count[MAX_REASONS];
    int n, other;
};

/* Groups reasons that differ only in numbers: free-standing digit runs become "N"; the key
 * ends at the first ';' or '(' (details) and is at most 80 characters. */
static void reason_key(char *dst, size_t len, const char *why)
{
    size_t n = 0;
    char prev = ' ';

    if (len > 81)
        len = 81;
    for (const char *p = why; *p && *p != ';' && *p != '(' && n + 1 < len;) {
        int alnum_before = (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
                           (prev >= '0' && prev <= '9') || prev == '_';
        if (*p >= '0' && *p <= '9' && !alnum_before) {
            dst[n++] = 'N';
            while ((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9'))
                p++;
            prev = 'N';
        } else {
            prev = *p;
            dst[n++] = *p++;
        }
    }
    while (n && dst[n - 1] == ' ')
        n--;
    dst[n] = 0;
}

static void reason_add(struct reasons *rs, const char *why)
{
    char key[96];

    reason_key(key, sizeof(key), why);
    for (int i = 0; i < rs->n; i++)
        if (!strcmp(rs->text[i], key)) {
            rs->count[i]++;
            return;
        }
    if (rs->n == MAX_REASONS) {
        rs->other++;
        return;
    }
    aic_strlcpy(rs->text[rs->n], key, sizeof(rs->text[0]));
    rs->count[rs->n++] = 1;
}

/* Sorts reasons by count, most frequent first. */
static void reasons_sort(struct reasons *rs)
{
    for (int i = 1; i < rs->n; i++)
        for (int j = i; j > 0 && rs->count[j] > rs->count[j - 1]; j--) {
            char t[96];
            int c = rs->count[j];
            memcpy(t, rs->text[j], sizeof(t));
            memcpy(rs->text[j], rs->text[j - 1], sizeof(t));
            memcpy(rs->text[j - 1], t, sizeof(t));
            rs->count[j] = rs->count[j - 1];
            rs->count[j - 1] = c;
        }
}

/* A CSV-safe short status from a library error: no commas, quotes or newlines. */
static void short_status(char *dst, size_t len, const struct aic_error *err)
{
    size_t i;
    const char *m = err->msg[0] ? err->msg : aic_status_name(err->code);

    for (i = 0; m[i] && i + 1 < len && i < 90; i++)
        dst[i] = (m[i] == ',' || m[i] == '"' || m[i] == '\n' || m[i] == '\r') ? ';' : m[i];
    dst[i] = 0;
}

/* ---- the mode -------------------------------------------------------------------------- */

struct val_opts {
    const char *measured, *out;
    int db_mode, by_model, fit_ttft, fit_step;
    struct cli_ttft_opts ttft;
};

static const char *const db_choices[] = {"SILICON", "HYBRID", "EMPIRICAL", "SOL", NULL};

#define O(f) offsetof(struct val_opts, f)
static const struct cli_opt val_table[] = {
    {"measured", NULL, CLI_STRING, O(measured), 0, 0, NULL, "FILE.csv",
     "measured results (columns as in e2e_measured.csv; required)"},
    {"out", NULL, CLI_STRING, O(out), 0, 0, NULL, "PRED.csv",
     "write id,pred_ttft_ms,pred_tpot_ms,status per row"},
    {"database-mode", NULL, CLI_ENUM, O(db_mode), 0, 0, db_choices, NULL,
     "SILICON (default; falls back to EMPIRICAL where no data), HYBRID, EMPIRICAL, SOL"},
    {"by-model", NULL, CLI_FLAG, O(by_model), 0, 0, NULL, NULL,
     "also print the errors per (system, backend, mode, model)"},
    {"fit-ttft", NULL, CLI_FLAG, O(fit_ttft), 0, 0, NULL, NULL,
     "also fit the TTFT serving constants of each backend to this file"},
    {"fit-step", NULL, CLI_FLAG, O(fit_step), 0, 0, NULL, NULL,
     "also fit each backend's host time per aggregated iteration to this file's TPOT"},
    {0},
};
#undef O

static const char val_summary[] =
    "Predicts every row of a measured-results CSV and reports the absolute percentage error\n"
    "of TTFT and TPOT (median and mean) per system/backend/mode and overall.";

struct val_state {
    struct groups by_key, by_model;
    struct group overall;
    struct reasons reasons;
    FILE *out;
    struct aic_ttft_consts ttft; /* the constants given on the command line */
};

static int add_outcome(struct val_state *s, const struct row *w, const struct aic_estimate_req *r,
                       int ok, double pt, double pp)
{
    char key[160];
    double mt = cell_num(w, C_TTFT), mp = cell_num(w, C_TPOT);
    struct group *g;

    snprintf(key, sizeof(key), "%s %s %s", cell(w, C_SYSTEM), cell(w, C_BACKEND), cell(w, C_MODE));
    g = group_get(&s->by_key, key);
    if (!g || group_add(g, ok, mt, pt, mp, pp) || group_add(&s->overall, ok, mt, pt, mp, pp))
        return -1;
    snprintf(key, sizeof(key), "%s %s %s %s", cell(w, C_SYSTEM), cell(w, C_BACKEND),
             cell(w, C_MODE), r->model ? r->model : "");
    g = group_get(&s->by_model, key);
    return g ? group_add(g, ok, mt, pt, mp, pp) : -1;
}

/* Writes a CSV cell, quoted when it holds a comma, quote or newline. */
static void put_id(FILE *f, const char *id)
{
    if (!strpbrk(id, ",\"\r\n")) {
        fputs(id, f);
        return;
    }
    fputc('"', f);
    for (; *id; id++) {
        if (*id == '"')
            fputc('"', f);
        fputc(*id, f);
    }
    fputc('"', f);
}

static int run_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                    const int *col, const struct val_opts *o, int db_explicit, struct val_state *s)
{
    struct aic_estimate_result *res = calloc(1, sizeof(*res));

    if (!res)
        return cli_error(env, 0, "out of memory");
    for (int i = 0; i < t->nrows; i++) {
        struct row w = {t, col, i};
        struct aic_estimate_req req;
        struct aic_error err = {0};
        char status[128] = "ok";
        const char *why = row_req(ctx, &w, &req, o->db_mode, db_explicit);
        int ok = 0;

        req.opts.ttft = s->ttft;
        if (why)
            aic_strlcpy(status, why, sizeof(status));
        else if (aic_estimate(ctx, &req, 0, res, &err))
            short_status(status, sizeof(status), &err);
        else
            ok = 1;
        if (!ok)
            cli_log(env, CLI_LOG_DEBUG, "row %s not estimated: %s", cell(&w, C_ID),
                    why ? why : err.msg);
        if (!ok)
            reason_add(&s->reasons, why ? why : err.msg[0] ? err.msg : status);
        if (add_outcome(s, &w, &req, ok, ok ? res->m.ttft_ms : NAN, ok ? res->m.tpot_ms : NAN)) {
            free(res);
            return cli_error(env, 0, "out of memory");
        }
        if (s->out) {
            put_id(s->out, cell(&w, C_ID));
            if (ok)
                fprintf(s->out, ",%.6f,%.6f,ok\n", res->m.ttft_ms, res->m.tpot_ms);
            else
                fprintf(s->out, ",,,%s\n", status);
        }
    }
    free(res);
    return CLI_OK;
}

/* Whether row w is one --fit-ttft uses: a request of `mode` with a measured TTFT up to the
 * saturation bound (into *req and *measured). */
static int fit_row_ok(struct aic_ctx *ctx, const struct row *w, const struct val_opts *o,
                      int db_explicit, enum aic_serving_mode mode, struct aic_estimate_req *req,
                      double *measured)
{
    *measured = cell_num(w, C_TTFT);
    return !row_req(ctx, w, req, o->db_mode, db_explicit) && req->mode == mode && *measured > 0 &&
           *measured <= TTFT_SATURATED_MS;
}

/* A row's TTFT (want_tpot 0) or TPOT under each of three sets of serving constants;
 * nonzero when an estimate fails. */
static int row_probes(struct aic_ctx *ctx, struct aic_estimate_req *req,
                      const struct aic_ttft_consts probe[3], int want_tpot,
                      struct aic_estimate_result *res, double out[3])
{
    struct aic_error err = {0};

    for (int k = 0; k < 3; k++) {
        req->opts.ttft = probe[k];
        if (aic_estimate(ctx, req, 0, res, &err))
            return -1;
        out[k] = want_tpot ? res->m.tpot_ms : res->m.ttft_ms;
    }
    return 0;
}

/* c with the host times of this run's constants `now` (the given ones, else the backend's):
 * --fit-ttft fits the TTFT constants under them. */
static struct aic_ttft_consts with_host(struct aic_ttft_consts c, const struct aic_ttft_consts *now)
{
    const unsigned host = AIC_TTFT_SET_HOST | AIC_TTFT_SET_HOST_PER_REQ;

    c.host_ms = now->host_ms;
    c.host_per_req_ms = now->host_per_req_ms;
    c.set = (c.set & ~host) | (now->set & host);
    return c;
}

/* --fit-ttft: the own, queued and iteration terms (validate_fit.h) of every aggregated row
 * that validate scores: estimated, measured TTFT up to the saturation bound. */
static int fit_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                    const int *col, const struct val_opts *o, int db_explicit,
                    const struct aic_ttft_consts *now, struct fit_set *fs)
{
    const struct aic_ttft_consts probe[3] = {
        with_host((struct aic_ttft_consts){.set = FIT_AGG_SET}, now),
        with_host((struct aic_ttft_consts){.queue_share = 1, .set = FIT_AGG_SET}, now),
        with_host((struct aic_ttft_consts){.step_iters = 1, .set = FIT_AGG_SET}, now)};
    struct aic_estimate_result *res = calloc(1, sizeof(*res));
    int rc = res ? CLI_OK : cli_error(env, 0, "out of memory");

    for (int i = 0; rc == CLI_OK && i < t->nrows; i++) {
        struct row w = {t, col, i};
        struct aic_estimate_req req;
        double ttft[3], measured;

        if (!fit_row_ok(ctx, &w, o, db_explicit, AIC_MODE_AGG, &req, &measured) ||
            row_probes(ctx, &req, probe, 0, res, ttft))
            continue;
        struct fit_row r = {req.backend, measured, ttft[0], ttft[1] - ttft[0], ttft[2] - ttft[0]};
        if (fit_add(fs, &r))
            rc = cli_error(env, 0, "out of memory");
    }
    free(res);
    return rc;
}

/* One disaggregated row's TTFT for each KV-handoff grid value (the other constants as
 * fs->fitted) and under this run's constants `now`; nonzero when an estimate fails. */
static int handoff_row(struct aic_ctx *ctx, struct aic_estimate_req *req, const struct fit_set *fs,
                       const struct aic_ttft_consts *now, struct aic_estimate_result *res,
                       double pred[FIT_HANDOFF_GRID], double *pred_now)
{
    struct aic_error err = {0};

    for (int g = 0; g < FIT_HANDOFF_GRID; g++) {
        req->opts.ttft = with_host(fs->fitted[req->backend], now);
        req->opts.ttft.handoff_iters = fit_handoff_grid[g];
        req->opts.ttft.set |= AIC_TTFT_SET_HANDOFF_ITERS;
        if (aic_estimate(ctx, req, 0, res, &err))
            return -1;
        pred[g] = res->m.ttft_ms;
    }
    req->opts.ttft = *now;
    if (aic_estimate(ctx, req, 0, res, &err))
        return -1;
    *pred_now = res->m.ttft_ms;
    return 0;
}

/* --fit-ttft: the disaggregated rows validate scores, each estimated over the KV-handoff grid
 * (validate_fit.h); after fit_agg(). */
static int fit_disagg_rows(const struct cli_env *env, struct aic_ctx *ctx,
                           const struct csv_table *t, const int *col, const struct val_opts *o,
                           int db_explicit, const struct aic_ttft_consts *now, struct fit_set *fs)
{
    struct aic_estimate_result *res = calloc(1, sizeof(*res));

    if (!res)
        return cli_error(env, 0, "out of memory");
    for (int i = 0; i < t->nrows; i++) {
        struct row w = {t, col, i};
        struct aic_estimate_req req;
        double pred[FIT_HANDOFF_GRID], pred_now, measured;

        if (fit_row_ok(ctx, &w, o, db_explicit, AIC_MODE_DISAGG, &req, &measured) &&
            !handoff_row(ctx, &req, fs, now, res, pred, &pred_now))
            fit_handoff_add(fs, req.backend, measured, pred, pred_now);
    }
    free(res);
    return CLI_OK;
}

/* --fit-step: every aggregated row validate scores, estimated with no host time and with 1 ms
 * of each host constant (the TTFT constants as this run's, `now`). */
static int fit_step_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                         const int *col, const struct val_opts *o, int db_explicit,
                         const struct aic_ttft_consts *now, struct step_fit *f)
{
    struct aic_ttft_consts probe[3] = {*now, *now, *now};
    struct aic_estimate_result *res = calloc(1, sizeof(*res));
    int rc = res ? CLI_OK : cli_error(env, 0, "out of memory");

    for (int k = 0; k < 3; k++) {
        probe[k].host_ms = k == 1;
        probe[k].host_per_req_ms = k == 2;
        probe[k].set |= AIC_TTFT_SET_HOST | AIC_TTFT_SET_HOST_PER_REQ;
    }
    for (int i = 0; rc == CLI_OK && i < t->nrows; i++) {
        struct row w = {t, col, i};
        struct aic_estimate_req req;
        double tpot[3], measured;

        if (!fit_row_ok(ctx, &w, o, db_explicit, AIC_MODE_AGG, &req, &measured) ||
            !((measured = cell_num(&w, C_TPOT)) > 0) || row_probes(ctx, &req, probe, 1, res, tpot))
            continue;
        struct step_row r = {req.backend, measured, tpot[0], tpot[1] - tpot[0], tpot[2] - tpot[0]};
        if (step_fit_add(f, &r))
            rc = cli_error(env, 0, "out of memory");
    }
    free(res);
    return rc;
}

static void print_report(struct val_state *s, const struct val_opts *o, double wall_s)
{
    struct group sat = s->overall;
    char a[16], b[16];

    aic_strlcpy(s->overall.key, "overall", sizeof(s->overall.key));
    printf("Validation of %s: %d of %d rows estimated (%.1f%%)\n", o->measured,
           s->overall.estimated, s->overall.total,
           s->overall.total ? 100.0 * s->overall.estimated / s->overall.total : 0.0);
    printf("TTFT and TPOT errors over rows with measured TTFT <= %.0f ms; MdAPE = median, "
           "MAPE = mean absolute percentage error.\n",
           TTFT_SATURATED_MS);
    print_table("By system, backend, mode:", &s->by_key, &s->overall);
    if (o->by_model)
        print_table("By system, backend, mode, model:", &s->by_model, NULL);
    fmt_pct(a, sizeof(a), errs_median(&sat.ttft_sat));
    fmt_pct(b, sizeof(b), errs_mean(&sat.ttft_sat));
    printf("\nRows with measured TTFT > %.0f ms (queue-saturated, scored separately): %d "
           "estimated, TTFT MdAPE %s, MAPE %s",
           TTFT_SATURATED_MS, sat.ttft_sat.n, a, b);
    fmt_pct(a, sizeof(a), errs_median(&sat.tpot_sat));
    fmt_pct(b, sizeof(b), errs_mean(&sat.tpot_sat));
    printf("; TPOT MdAPE %s, MAPE %s\n", a, b);
    if (s->reasons.n) {
        reasons_sort(&s->reasons);
        printf("\nNot estimated (%d rows; numbers shown as N):\n",
               s->overall.total - s->overall.estimated);
        for (int i = 0; i < s->reasons.n; i++)
            printf("  %5d  %s\n", s->reasons.count[i], s->reasons.text[i]);
        if (s->reasons.other)
            printf("  %5d  (other reasons)\n", s->reasons.other);
    }
    printf("\nWall time: %.2f s\n", wall_s);
}

static int open_out(const struct cli_env *env, const char *out, char *tmp, size_t len, FILE **f)
{
    snprintf(tmp, len, "%s.tmp.%ld", out, (long)getpid());
    *f = fopen(tmp, "w");
    if (!*f)
        return cli_error(env, 0,
                         "cannot write --out '%s' (creating %s failed); check the folder "
                         "exists and is writable",
                         out, tmp);
    fputs("id,pred_ttft_ms,pred_tpot_ms,status\n", *f);
    return CLI_OK;
}

static int close_out(const struct cli_env *env, const char *out, const char *tmp, FILE *f, int ok)
{
    int bad = ferror(f) | fclose(f);

    if (!ok || bad) {
        unlink(tmp);
        return ok ? cli_error(env, 0, "writing '%s' failed", out) : CLI_FAIL;
    }
    if (rename(tmp, out)) {
        unlink(tmp);
        return cli_error(env, 0, "cannot rename %s to '%s'", tmp, out);
    }
    return CLI_OK;
}

/* Names a file may spell in another case or with blanks around them ("H100_SXM", " vllm"):
 * system, backend and mode compare in lower case, trimmed. */
static void normalize_names(struct csv_table *t, const int *col)
{
    static const enum vcol named[] = {C_SYSTEM, C_BACKEND, C_MODE};
    for (int r = 0; r < t->nrows; r++)
        for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
            char *v = col[named[i]] < 0
                          ? NULL
                          : t->cells[(size_t)r * (size_t)t->ncols + (size_t)col[named[i]]];
            if (!v)
                continue;
            char *a = v, *e;
            while (*a == ' ' || *a == '\t')
                a++;
            memmove(v, a, strlen(a) + 1);
            for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
                *--e = 0;
            for (e = v; *e; e++)
                *e = (char)tolower((unsigned char)*e);
        }
}

static int check_columns(const struct cli_env *env, const struct csv_table *t, int *col,
                         const char *path)
{
    for (int c = 0; c < C_COUNT; c++)
        col[c] = col_index(t, vcol_names[c]);
    for (size_t i = 0; i < sizeof(vcol_required) / sizeof(vcol_required[0]); i++)
        if (col[vcol_required[i]] < 0)
            return cli_error(env, 0,
                             "'%s' has no column '%s'; the header must name the columns "
                             "of e2e_measured.csv (id,backend,model_path,system,mode,isl,"
                             "osl,...,silicon_ttft_ms,silicon_tpot_ms)",
                             path, vcol_names[vcol_required[i]]);
    return CLI_OK;
}

int cmd_validate(struct cli_env *env, int argc, char **argv)
{
    struct val_opts o = {.db_mode = AIC_DB_SILICON};
    const struct cli_optset sets[] = {{val_table, &o, NULL}, {cli_ttft_table, &o.ttft, NULL}};
    struct csv_table t;
    struct val_state s;
    struct aic_ctx *ctx;
    int col[C_COUNT], rc;
    char tmp[AIC_PATH_MAX + 32];
    double t0 = aic_now_s();

    rc = cli_parse(env, "validate", val_summary, sets, 2, argc, argv);
    if (rc != CLI_OK)
        return rc;
    if (!o.measured)
        return cli_error(env, 1,
                         "--measured FILE.csv is required (e.g. "
                         "../shared/calibration/e2e_measured.csv)");
    rc = table_read(env, o.measured, &t);
    if (rc == CLI_OK)
        rc = check_columns(env, &t, col, o.measured);
    if (rc == CLI_OK)
        normalize_names(&t, col);
    if (rc != CLI_OK) {
        table_free(&t);
        return rc;
    }
    memset(&s, 0, sizeof(s));
    cli_ttft_consts(env, &o.ttft, &s.ttft);
    ctx = aic_ctx_new(env->systems_paths);
    rc = ctx ? CLI_OK : cli_error(env, 0, "out of memory");
    if (rc == CLI_OK && o.out)
        rc = open_out(env, o.out, tmp, sizeof(tmp), &s.out);
    if (rc == CLI_OK)
        rc = run_rows(env, ctx, &t, col, &o, cli_given(env, 0, "database-mode"), &s);
    if (s.out) {
        int rc2 = close_out(env, o.out, tmp, s.out, rc == CLI_OK);
        rc = rc == CLI_OK ? rc2 : rc;
    }
    if (rc == CLI_OK)
        print_report(&s, &o, aic_now_s() - t0);
    if (rc == CLI_OK && o.fit_ttft) {
        struct fit_set fs = {0};
        int db_explicit = cli_given(env, 0, "database-mode");
        rc = fit_rows(env, ctx, &t, col, &o, db_explicit, &s.ttft, &fs);
        if (rc == CLI_OK) {
            fit_agg(&fs, &s.ttft);
            rc = fit_disagg_rows(env, ctx, &t, col, &o, db_explicit, &s.ttft, &fs);
        }
        if (rc == CLI_OK)
            fit_print(&fs, &s.ttft);
        fit_free(&fs);
    }
    if (rc == CLI_OK && o.fit_step) {
        struct step_fit f = {0};
        rc = fit_step_rows(env, ctx, &t, col, &o, cli_given(env, 0, "database-mode"), &s.ttft, &f);
        if (rc == CLI_OK)
            step_fit_print(&f, &s.ttft);
        step_fit_free(&f);
    }
    groups_free(&s.by_key);
    groups_free(&s.by_model);
    group_free(&s.overall);
    aic_ctx_free(ctx);
    table_free(&t);
    return rc;
}
