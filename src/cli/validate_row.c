/*
 * validate_row.c - `cli validate`: one measured row turned into one estimate request (layout,
 * per-rank batch, quantization labels, optional columns), or the reason it cannot be.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/validate_int.h"
#include "util/util.h"

const char *const vcol_names[C_COUNT] = {"id",
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
                                         "precision",
                                         "prefix"};
/* Columns without which the file cannot be validated at all. */
const enum vcol vcol_required[VCOL_REQUIRED_N] = {C_BACKEND, C_MODEL, C_SYSTEM, C_MODE,
                                                  C_ISL,     C_OSL,   C_TTFT,   C_TPOT};

/* The row's id, or "row<N>" (N counts the data rows from 1) in a file without an id column. */
const char *row_id(const struct row *w, char *buf, size_t n)
{
    if (w->col[C_ID] >= 0)
        return row_cell(w, C_ID);
    snprintf(buf, n, "row%d", w->r + 1);
    return buf;
}

const char *row_cell(const struct row *w, enum vcol c)
{
    if (w->col[c] < 0)
        return "";
    const char *v = w->t->cells[(size_t)w->r * (size_t)w->t->ncols + (size_t)w->col[c]];
    return v ? v : "";
}

/* What cell_int() returns for a cell that is not a non-negative integer up to 1e9: a larger
 * integer, anything else; CELL_BLANK is the `def` of a cell that must be given. */
enum { CELL_BAD = -1, CELL_RANGE = -2, CELL_BLANK = -3 };

/* Integer cell: blank -> def; CELL_RANGE above 1e9, CELL_BAD when not a non-negative
 * integer. */
static int cell_int(const struct row *w, enum vcol c, int def)
{
    const char *s = row_cell(w, c);
    char *end;
    double v;

    while (*s == ' ')
        s++;
    if (!*s)
        return def;
    v = strtod(s, &end);
    if (end == s || *end || v < 0 || v != floor(v))
        return CELL_BAD;
    return v > 1e9 ? CELL_RANGE : (int)v;
}

double row_num(const struct row *w, enum vcol c)
{
    const char *s = row_cell(w, c);
    char *end;
    double v = strtod(s, &end);
    /* plain decimals only: strtod would also read hexadecimal ("0x10") */
    return (end == s || *end || !isfinite(v) || strpbrk(s, "xX")) ? NAN : v;
}

/* The reason a count that must be positive (cell_int() with def CELL_BLANK) is not:
 * why[0] when blank, why[1] when above 1e9, why[2] otherwise (0, negative, not an integer). */
static const char *count_why(int v, const char *const why[3])
{
    return v == CELL_BLANK ? why[0] : v == CELL_RANGE ? why[1] : why[2];
}

/* Reads a layout from 5 consecutive columns starting at tp. Blank/0 pp -> 1; blank/0 moe
 * sizes -> 0 (auto). A blank/0 dp is the one the MoE sizes then imply (moe_tp x moe_ep = tp x
 * dp: vLLM's data-parallel attention over tensor-parallel experts, tp 1 with moe_tp 2 on two
 * GPUs), else 1. Returns 0, or -1 with reason. */
static int row_layout(const struct row *w, enum vcol tp, struct aic_layout *lay, const char **why)
{
    lay->tp = cell_int(w, tp, CELL_BLANK);
    lay->pp = cell_int(w, tp + 1, 1);
    lay->dp = cell_int(w, tp + 2, 0);
    lay->moe_tp = cell_int(w, tp + 3, 0);
    lay->moe_ep = cell_int(w, tp + 4, 0);
    if (lay->tp <= 0 || lay->pp < 0 || lay->dp < 0 || lay->moe_tp < 0 || lay->moe_ep < 0) {
        if (lay->tp != CELL_BLANK)
            *why = "bad parallel size";
        else /* name the column: a disaggregated row has one per pool */
            *why = tp == C_P_TP   ? "missing prefill_tp_size"
                   : tp == C_D_TP ? "missing decode_tp_size"
                                  : "missing tp_size";
        return -1;
    }
    if (!lay->pp)
        lay->pp = 1;
    if (!lay->dp) {
        int moe = lay->moe_tp * lay->moe_ep;
        lay->dp = moe > lay->tp && moe % lay->tp == 0 ? moe / lay->tp : 1;
    }
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
    const char *v = row_cell(w, c);
    return *v ? v : row_cell(w, C_PRECISION);
}

/* Weight-format labels measured files use for what the tables time under another name:
 * 16-bit float weights run at bfloat16's bytes and tensor-core rate; AWQ and GPTQ checkpoints
 * (4-bit groups, 16-bit activations) are int4 weight-only, as is a dense w4a16; w8a16 is
 * int8 weight-only. An ambiguous label (int8: weight-only or SmoothQuant?) is reported by
 * row_quant(). */
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
    const char *p = strstr(row_cell(w, C_SOURCE), "silicon_concurrency=");
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

/* The optional columns: MTP draft tokens with their accepted count, the KV-cache
 * quantization, and the prompt tokens served from the prefix cache (prefix, part of isl);
 * returns NULL or the reason the row is not estimable. */
static const char *row_extras(const struct row *w, struct aic_estimate_req *r)
{
    int n = cell_int(w, C_NEXTN, 0), q, prefix = cell_int(w, C_PREFIX, 0);
    double acc = row_num(w, C_NEXTN_ACC);
    char msg[256];

    if (prefix < 0 || prefix >= r->wl.isl)
        return "bad prefix (cached prompt tokens: at least 0 and below isl)";
    r->wl.prefix = prefix;
    if (n < 0)
        return "bad nextn";
    if (n > 0) {
        if (isnan(acc) || acc < 0 || acc > n)
            return "nextn needs nextn_accepted between 0 and nextn";
        r->opts.nextn = n;
        r->opts.nextn_accepted = acc;
    }
    if (*row_cell(w, C_KV_Q)) {
        q = cli_quant_arg("kvcache_quant_mode", row_cell(w, C_KV_Q), AIC_QUSE_KV, msg, sizeof(msg));
        if (q == -2)
            return "unknown kvcache_quant_mode";
        r->opts.quant.kv = (enum aic_quant)q;
    }
    return NULL;
}

/* The quantization of column c (AIC_QUSE_GEMM or AIC_QUSE_MOE use) into *q; returns NULL or
 * the reason it is not estimable. A bare "int8" is ambiguous: weight-only or SmoothQuant. */
static const char *row_quant(const struct row *w, enum vcol c, unsigned use, enum aic_quant *q)
{
    const char *label = quant_cell(w, c);
    int gemm = use == AIC_QUSE_GEMM, v;
    char msg[256];

    if (!strcasecmp(label, "int8"))
        return gemm ? "ambiguous gemm_quant_mode 'int8' (write int8_wo for int8 weight-only or "
                      "sq for SmoothQuant)"
                    : "ambiguous moe_quant_mode 'int8' (write int8_wo for int8 weight-only)";
    v = cli_quant_arg(vcol_names[c], weight_label(label, !gemm), use, msg, sizeof(msg));
    if (v == -2)
        return gemm ? "unknown gemm_quant_mode" : "unknown moe_quant_mode";
    *q = (enum aic_quant)v;
    return NULL;
}

/* An aggregated row's layout and per-rank batch; returns NULL or the reason. */
static const char *row_agg(const struct row *w, struct aic_estimate_req *r)
{
    static const char *const bs_why[3] = {"missing batch_size",
                                          "batch_size out of range (at most 1000000000)",
                                          "bad batch_size (not a positive integer)"};
    const char *why = NULL;
    int b;

    r->mode = AIC_MODE_AGG;
    if (row_layout(w, C_TP, &r->lay, &why))
        return why;
    b = cell_int(w, C_BS, CELL_BLANK);
    if (b <= 0)
        return count_why(b, bs_why);
    r->batch_size = rank_batch(w, b, r->lay.dp, 1);
    return NULL;
}

/* A disaggregated row's pools: layouts, worker counts, per-rank batches; NULL or the reason. */
static const char *row_disagg(const struct row *w, struct aic_estimate_req *r)
{
    static const char *const workers_why[3] = {"missing worker counts",
                                               "worker count out of range (at most 1000000000)",
                                               "bad worker count (not a positive integer)"};
    static const char *const bs_why[3] = {"missing batch sizes",
                                          "batch size out of range (at most 1000000000)",
                                          "bad batch size (not a positive integer)"};
    const char *why = NULL;

    r->mode = AIC_MODE_DISAGG;
    if (row_layout(w, C_P_TP, &r->prefill_lay, &why) || row_layout(w, C_D_TP, &r->decode_lay, &why))
        return why;
    r->prefill_workers = cell_int(w, C_P_WORKERS, CELL_BLANK);
    r->decode_workers = cell_int(w, C_D_WORKERS, CELL_BLANK);
    if (r->prefill_workers <= 0 || r->decode_workers <= 0)
        return count_why(r->prefill_workers <= 0 ? r->prefill_workers : r->decode_workers,
                         workers_why);
    r->prefill_batch = cell_int(w, C_P_BS, CELL_BLANK);
    r->decode_batch = cell_int(w, C_D_BS, CELL_BLANK);
    if (r->prefill_batch <= 0 || r->decode_batch <= 0)
        return count_why(r->prefill_batch <= 0 ? r->prefill_batch : r->decode_batch, bs_why);
    r->prefill_batch = per_rank(r->prefill_batch, r->prefill_lay.dp);
    r->decode_batch = rank_batch(w, r->decode_batch, r->decode_lay.dp, r->decode_workers);
    return NULL;
}

/* Builds the request of row w; returns NULL or the reason the row is not estimable. */
const char *row_req(struct aic_ctx *ctx, const struct row *w, struct aic_estimate_req *r,
                    int db_mode, int db_explicit)
{
    const char *why = NULL, *mode = row_cell(w, C_MODE);
    int b;

    aic_estimate_req_init(r);
    r->model = row_cell(w, C_MODEL);
    r->system = row_cell(w, C_SYSTEM);
    if (!*r->model)
        return "missing model_path";
    if (!*r->system)
        return "missing system";
    b = aic_backend_parse(row_cell(w, C_BACKEND));
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
    if ((why = row_quant(w, C_GEMM_Q, AIC_QUSE_GEMM, &r->opts.quant.gemm)) ||
        (why = row_quant(w, C_MOE_Q, AIC_QUSE_MOE, &r->opts.quant.moe)))
        return why;
    /* deployments measured with fp8/fp4 GEMMs run an fp8 KV cache (the frameworks' default
     * for quantized checkpoints) */
    if (r->opts.quant.gemm == AIC_Q_FP8 || r->opts.quant.gemm == AIC_Q_FP8_BLOCK ||
        r->opts.quant.gemm == AIC_Q_NVFP4)
        r->opts.quant.kv = AIC_Q_FP8;
    checkpoint_labels(ctx, r);
    if ((why = row_extras(w, r)))
        return why;
    if (!strcasecmp(mode, "agg"))
        return row_agg(w, r);
    if (strcasecmp(mode, "disagg"))
        return "unknown mode";
    return row_disagg(w, r);
}

/* A measured value for the error statistics: a positive finite number of milliseconds. */
/* A measured latency below a microsecond is no measurement (and would divide an error by
 * almost nothing). */
#define MEASURED_MIN_MS 1e-3

static const char *measured_why(const struct row *w, enum vcol c, const char *what, char *buf,
                                size_t len)
{
    const char *v = row_cell(w, c);
    char shown[24];
    size_t i;

    if (row_num(w, c) >= MEASURED_MIN_MS)
        return NULL;
    while (*v == ' ')
        v++;
    if (!*v) {
        snprintf(buf, len, "missing measured %s (%s is blank)", what, vcol_names[c]);
        return buf;
    }
    /* PRED.csv writes the status unquoted: the cell shown without commas, quotes, newlines */
    for (i = 0; v[i] && i + 1 < sizeof(shown); i++)
        shown[i] = strchr(",\"\r\n", v[i]) ? ';' : v[i];
    shown[i] = 0;
    snprintf(buf, len, "bad measured %s ('%s%s' is not a time of at least 0.001 ms)", what, shown,
             v[i] ? "..." : "");
    return buf;
}

const char *row_measured(const struct row *w, char *buf, size_t len)
{
    const char *why = measured_why(w, C_TTFT, "TTFT", buf, len);
    return why ? why : measured_why(w, C_TPOT, "TPOT", buf, len);
}

/* The speed-of-light decode step of r's deployment (its decode worker: the aggregated worker,
 * or disagg's decode pool, at its batch), one token per step, every op at the GPUs' peak
 * FLOPS and bandwidth (SOL mode, static): a measured TPOT below it needs speculative decoding
 * or is a measurement to check. res is scratch space; 0 and *floor_ms set, or non-zero. */
int row_tpot_floor(struct aic_ctx *ctx, const struct aic_estimate_req *r,
                   struct aic_estimate_result *res, double *floor_ms)
{
    struct aic_estimate_req f = *r;
    struct aic_error err = {0};

    f.db_mode = AIC_DB_SOL;
    f.db_mode_explicit = 1;
    f.mode = AIC_MODE_STATIC;
    f.ctx_tokens = 0;
    f.opts.nextn = 0;
    f.opts.nextn_accepted = 0;
    if (r->mode == AIC_MODE_DISAGG) {
        f.lay = r->decode_lay;
        f.batch_size = r->decode_batch;
        f.system = r->decode_system ? r->decode_system : r->system;
        f.decode_system = NULL;
        f.prefill_batch = f.prefill_workers = f.decode_batch = f.decode_workers = 0;
        memset(&f.prefill_lay, 0, sizeof(f.prefill_lay));
        memset(&f.decode_lay, 0, sizeof(f.decode_lay));
    }
    if (aic_estimate(ctx, &f, 0, res, &err))
        return -1;
    *floor_ms = res->m.tpot_ms;
    return 0;
}
