/*
 * perf_internal.h - internals of the perf database (src/perf): the sorted-table store every
 * measured table is kept in, the grid/curve resolvers, speed-of-light formulas, the
 * empirical efficiency model, and struct aic_perfdb itself.
 *
 * A table (struct ptable) is a set of slices. A slice is one combination of the discrete key
 * columns (dtype strings interned to small integers, head counts, ...); its points are the
 * numeric interpolation axes (up to 3) sorted lexicographically, with one latency each.
 * Lookups are binary searches over these flat arrays; nothing is allocated per query.
 *
 * Internal header (not installed); tools/fit_empirical.c uses it too.
 */
#ifndef AIC_PERF_INTERNAL_H
#define AIC_PERF_INTERNAL_H

#include <stddef.h>

#include "aiconfigurator/perf.h"

#define PT_MAXK   10 /* discrete key columns per table */
#define PT_MAXA   3  /* numeric axes per table */
#define PT_MAXSTR 96 /* distinct strings per table */
#define PT_STRLEN 128

/* ---- tables --------------------------------------------------------------------------- */

struct strpool {
    int n;
    char s[PT_MAXSTR][PT_STRLEN];
};

/* Id of `s` in the pool, or -1. */
int strpool_find(const struct strpool *p, const char *s);
/* Adds `s` (or finds it); -1 when the pool is full. */
int strpool_add(struct strpool *p, const char *s);

struct ptable {
    int state;  /* 0 = not loaded yet, 1 = loaded, -1 = no file, -2 = load failed */
    int nk, na; /* key columns, axes */
    size_t npts, nslices;
    double *keys;              /* nslices * nk, sorted lexicographically */
    size_t *start;             /* nslices + 1: points of slice i are [start[i], start[i+1]) */
    double *ax;                /* npts * na, sorted within each slice */
    double *lax;               /* log2 of ax (floored at 1e-9), for nearest-leaf distances */
    double *lat;               /* npts, milliseconds */
    struct strpool strs;       /* interned string keys (their ids are stored as doubles) */
    double load_s;             /* seconds spent loading (bench) */
    unsigned long serial;      /* unique per load (keys per-thread memos of transfer.c) */
    size_t rows_read;          /* data rows in the file */
    struct aic_error load_err; /* why the load failed (state -2) */
};

void ptable_free(struct ptable *t);

/* Slice index whose keys equal `key` (t->nk values), or -1. */
long ptable_find(const struct ptable *t, const double *key);

/* Raw CSV: the requested columns of every data row as doubles (strings interned). */
struct rawcol {
    const char *name;
    int is_str;   /* intern into the pool instead of parsing a number */
    int optional; /* missing column -> defval */
    double defval;
};
struct rawtab {
    size_t nrows, ncols;
    double *v; /* nrows * ncols */
};
int rawtab_load(const char *path, const struct rawcol *cols, size_t ncols, struct strpool *pool,
                struct rawtab *out, struct aic_error *err);
/* The same, where the caller wants only rows whose line holds every one of `needles` (a
 * NULL-terminated list): a plain file's other lines are skipped unparsed. A speed-up, not a
 * filter: a quoted or CRLF file keeps every row, so the caller still checks each row. */
int rawtab_load_some(const char *path, const struct rawcol *cols, size_t ncols,
                     const char *const *needles, struct strpool *pool, struct rawtab *out,
                     struct aic_error *err);
void rawtab_free(struct rawtab *r);

/* Builds a ptable from rows: add each row (keys, axes, latency), then finish (sort, drop
 * later duplicates of a key - first row wins - and index slices). */
struct pbuild {
    int nk, na;
    size_t n, cap;
    double *rec; /* per row: nk keys, na axes, latency, sequence number */
};
/* Room for n more rows without growing (a hint: pbuild_add grows as it needs). */
int pbuild_reserve(struct pbuild *b, size_t n);
int pbuild_add(struct pbuild *b, const double *keys, const double *axes, double lat);
int pbuild_finish(struct pbuild *b, struct ptable *t);

/* ---- resolvers -------------------------------------------------------------------------- */

/* SOL (ms) of a point of a slice given its axis coordinates; ctx carries the slice's keys. */
typedef double (*sol_fn)(const void *ctx, const double *c);

enum { RES_EXACT = 0, RES_INTERP, RES_EXTRAP, RES_MISS };

/*
 * Grid resolver over slice `s` of t: exact hit, axis-by-axis bracketing (sqrt blending on
 * the axes in sqrt_mask), hold-util rescale for ragged staircases, and beyond the data the
 * util-hold of the nearest measured points. Returns RES_* and the latency.
 */
int grid_resolve(const struct ptable *t, long s, const double *q, unsigned sqrt_mask, sol_fn sol,
                 const void *ctx, double *lat_ms);

/* GEMM sites of one dtype slice of gemm_perf (axes n, k, m): one m-curve per (n, k). */
/* The nearest sites chosen for an uncollected (n, k), remembered because a search asks the
 * same shapes at many m. The choice depends on m only through which sites' curves cover m,
 * so it is keyed by (n, k, class of m). */
#define GEMM_MEMO_SLOTS 4096
struct gemm_memo {
    double n, k;
    int mclass;                    /* which sites' curves cover m (see gemm_mclass) */
    int used, status, nb, outside; /* status: RES_MISS or 0; outside: beyond the sites' box */
    long best[4];
    double bd[4];
};

struct gemm_sites {
    size_t n;
    double *sn, *sk;   /* site coordinates, sorted by (n, k) */
    double *ln, *lk;   /* their log2 */
    double *mlo, *mhi; /* m range of each site's curve */
    size_t *s0, *s1;   /* point range of each site */
    double *brk;       /* sorted distinct curve ends (mlo and mhi values) */
    size_t nbrk;
    struct gemm_memo *memo; /* GEMM_MEMO_SLOTS, allocated on first use */
};
struct gemm_index {
    long nslices;
    struct gemm_sites *per;
};
int gemm_index_build(const struct ptable *t, struct gemm_index *gi);
void gemm_index_free(struct gemm_index *gi);
int gemm_resolve(const struct aic_system *sys, const struct ptable *t, const struct gemm_sites *gs,
                 enum aic_quant q, double m, double n, double k, double *lat_ms);

/* ---- speed of light (ms) -------------------------------------------------------------- */

double sol_flops(const struct aic_system *sys, enum aic_quant q);
double sol_comm_bw(const struct aic_system *sys, int n_gpus, int alltoall);

struct attn_ctx {
    const struct aic_system *sys;
    enum aic_quant fmha, kv;
    int n_kv; /* 0 = as many KV heads as query heads */
    int d, w;
};
double sol_ctx_attn(const void *ctx, const double *c); /* c = (heads, s, b) */
double sol_gen_attn(const void *ctx, const double *c); /* c = (heads, b, s) */
double sol_ctx_mla(const void *ctx, const double *c);  /* c = (heads, s, b) */
double sol_gen_mla(const void *ctx, const double *c);  /* c = (heads, b, s) */
double sol_gen_module(const void *ctx, const double *c);

struct bmm_ctx {
    const struct aic_system *sys;
    enum aic_quant q;
    int heads;
};
double sol_bmm(const void *ctx, const double *c); /* c = (tokens) */

struct moe_ctx {
    const struct aic_system *sys;
    enum aic_quant q;
    int h, inter, topk, experts, tp, ep, gated;
};
double sol_moe(const void *ctx, const double *c); /* c = (tokens) */

struct comm_ctx {
    const struct aic_system *sys;
    enum aic_quant q;
    int n_gpus;
    int all_reduce; /* NCCL: x2 */
    int custom;     /* custom all-reduce formula */
    int alltoall;   /* all-to-all: each GPU's off-node share through its own NIC */
};
double sol_comm(const void *ctx, const double *c);       /* c = (elements) */
double sol_proxy_size(const void *ctx, const double *c); /* the size itself */

/* ---- empirical model ------------------------------------------------------------------ */

enum emp_op {
    EMP_GEMM = 0,
    EMP_CTX_ATTN,
    EMP_GEN_ATTN,
    EMP_CTX_MLA,
    EMP_GEN_MLA,
    EMP_CTX_MODULE,
    EMP_GEN_MODULE,
    EMP_BMM,
    EMP_MOE,
    EMP_ALLREDUCE,
    EMP_NCCL,
    EMP_COUNT
};
const char *emp_op_name(enum emp_op op);
double emp_default_util(enum emp_op op);

/* Efficiency model of one (op, quant): log(util) bilinear on a grid over two features. */
#define EMP_MAXN 24
struct emp_fit {
    char op[24], quant[32];
    double x0, dx, y0, dy;
    int nx, ny;
    double v[EMP_MAXN * EMP_MAXN]; /* log(util) at node (ix, iy): v[iy * nx + ix] */
};
struct emp_model {
    int n;
    struct emp_fit *fits;
};
int emp_model_load(const char *path, struct emp_model *m, struct aic_error *err);
void emp_model_free(struct emp_model *m);
/* Utilization for (op, quant name) at features (x, y); default when nothing fitted. */
double emp_util(const struct emp_model *m, enum emp_op op, const char *quant, double x, double y);
double emp_fit_eval(const struct emp_fit *f, double x, double y);

/* Features of a query: x = log2(SOL in microseconds), y = log2 of one op-specific size:
 *   GEMM m; attention/MLA/modules s; BMM tokens; MoE tokens*topk/experts; comm GPUs. */
void emp_xy(double sol_ms, double b, double *x, double *y);

/* ---- transfer ladder (transfer.c; rules at the top of that file) ------------------------ */

/* Reference dtypes tried when a GEMM / MoE / MLA-module dtype has no rows, closest first,
 * terminated by AIC_Q_NONE. */
const enum aic_quant *xfer_gemm_refs(enum aic_quant q);
const enum aic_quant *xfer_moe_refs(enum aic_quant q);
const enum aic_quant *xfer_module_refs(enum aic_quant q);

struct aic_perfdb;
/* GEMM xquant: latency of (m, n, k) in q from the first reference dtype that resolves it.
 * Returns 1 (and the dtype used) or 0 when nothing anchors. */
int xfer_gemm(struct aic_perfdb *db, const struct ptable *t, enum aic_quant q, double m, double n,
              double k, double *lat_ms, enum aic_quant *used);
/* MoE xshape/xsplit (then xquant): the nearest collected slice's utilisation. 1 or 0. */
int xfer_moe(struct aic_perfdb *db, const struct ptable *t, const struct moe_ctx *a,
             const char *dist, double tokens, double *lat_ms, enum aic_quant *used);
/* Attention xshape over (n_kv, head_dim): nstr string key ids first (ctx: fmha, kv; gen:
 * kv), c = the query's axis coordinates. 1 or 0. */
int xfer_attn(const struct ptable *t, int is_ctx, const double *str_ids, int nstr,
              const struct attn_ctx *a, const double *c, double *lat_ms);

/* ---- the database ------------------------------------------------------------------------ */

enum ptab_id {
    T_GEMM = 0,
    T_CTX_ATTN,
    T_GEN_ATTN,
    T_CTX_MLA,
    T_GEN_MLA,
    T_CTX_MODULE,
    T_GEN_MODULE,
    T_BMM,
    T_MOE,
    T_ALLREDUCE,
    T_COMPUTESCALE,
    T_SCALEMATRIX,
    T_NCCL,
    T_WIDEEP_CTX_MOE,  /* SGLang DeepEP expert compute, prefill */
    T_WIDEEP_GEN_MOE,  /* SGLang DeepEP expert compute, decode */
    T_DEEPEP_LL_DISP,  /* DeepEP low-latency dispatch (decode) */
    T_DEEPEP_LL_COMB,  /* DeepEP low-latency combine */
    T_DEEPEP_NRM_DISP, /* DeepEP normal (high-throughput) dispatch (prefill) */
    T_DEEPEP_NRM_COMB, /* DeepEP normal combine */
    T_TRT_WIDEEP_MOE,  /* TensorRT-LLM wide-EP expert compute */
    T_TRT_ALLTOALL,    /* TensorRT-LLM NVLink MoE all-to-all (GB200) */
    T_SG_CTX_MLA,      /* SGLang MLA attention module with its production kernels, prefill */
    T_SG_GEN_MLA,      /* the same, decode */
    T_COUNT
};
const char *ptab_name(enum ptab_id id);

/* Memo of SILICON GEMM answers: (quant, m, n, k) -> latency. A search asks the same shapes
 * over and over; resolving an unknown (n, k) walks every collected site. Direct-mapped,
 * allocated on the first GEMM query, freed with the database. */
#define GEMM_CACHE_SLOTS 16384
struct gemm_cache_slot {
    double m, n, k, ms;
    int q, prov, used;
};

struct aic_perfdb {
    struct aic_system sys;
    struct gemm_cache_slot *gemm_cache;
    enum aic_backend backend;
    enum aic_db_mode mode;
    char version[64];
    char dir[AIC_PATH_MAX];      /* <data_dir>/<backend>/<version> ("" when none) */
    char nccl_dir[AIC_PATH_MAX]; /* <data_dir>/nccl/<ver> ("" when none) */
    struct ptable tab[T_COUNT];
    struct gemm_index gemm_idx;
    struct emp_model emp;
    int emp_loaded;
    /* moe_perf shapes (h, inter, topk, experts) the table marks as non-gated kernels */
    double moe_nongated[32][4];
    int n_moe_nongated;
    /* moe_perf rows: the last (kernel, dtype) string ids seen and what they map to (reset
     * for each file read; touched only by the thread loading moe_perf) */
    struct moe_fix_memo {
        int valid, nongated;
        double ks, dt, k0, dtype;
    } moe_memo;
};

/* SGLang's MLA attention module (projections, absorbed BMMs and attention) timed with the
 * kernels SGLang runs (trtllm_mla, fa3 or flashinfer, in that order), from the
 * wideep_{context,generation}_mla tables (wideep.c). Nonzero when not collected. */
int perf_sglang_mla_module(struct aic_perfdb *db, int is_ctx, enum aic_quant kv, const char *gemm,
                           double b, double s, int heads, struct aic_lat *out);

/* The table, loaded on first use. AIC_ERR_NODATA when the file is absent. */
/* TensorRT-LLM on Blackwell: its MoE runs the default kernels or the trtllm-gen ones, and the
 * loader adds SGLang's block-fp8 trtllm-gen rows (perfdb.c, query.c; README "MoE kernels"). */
static inline int perfdb_trtllm_gen_moe(const struct aic_perfdb *db)
{
    return db->backend == AIC_BACKEND_TRTLLM && db->sys.sm_version >= 100;
}

int perfdb_table(struct aic_perfdb *db, enum ptab_id id, const struct ptable **out,
                 struct aic_error *err);

/* Iterates every measured point of a table as an empirical sample: op kind, quant name,
 * SOL (ms), measured latency (ms) and features. Loads the table. Used by fit_empirical. */
typedef void (*emp_sample_fn)(void *ud, enum emp_op op, const char *quant, double sol_ms,
                              double lat_ms, double x, double y);
int perfdb_samples(struct aic_perfdb *db, emp_sample_fn fn, void *ud, struct aic_error *err);

/* The split-K reading of a GEMM (query.c): lowers out->ms to the table's (m, s*n, k/s) time
 * plus the partial-sum reduction when that is faster; the fitter samples GEMMs through it. */
void gemm_split_k(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                  struct aic_lat *out);

/* Latency of the fp8 activation-scale (table T_COMPUTESCALE) or input-quantization
 * (T_SCALEMATRIX) kernel at (m, k); 0 when not collected (query.c). */
double fp8_scale_kernel(struct aic_perfdb *db, int table, double m, double k);

/* MoE utilization differs by token distribution and by expert vs tensor split, so the fitter
 * also fits each (quant, distribution, ep > 1) class under the label "quant@dist/ep|tp"
 * (empirical.c); a query uses its class's fit when there is one, else the quant's. */
void emp_moe_label(char *buf, size_t len, const char *quant, const char *distribution, int ep);
/* Attention likewise per (dtype, head_dim, sliding window or not): "quant@d128/full". */
void emp_attn_label(char *buf, size_t len, const char *quant, int head_dim, int window);
/* MLA and its modules per per-GPU head count (the module's projections do not scale with
 * the heads its SOL counts): "quant@h16". */
void emp_heads_label(char *buf, size_t len, const char *quant, int heads);

/* Whether the model has a fit of (op, quant) (empirical.c). */
int emp_has_fit(const struct emp_model *m, enum emp_op op, const char *quant);

#endif
