/*
 * query.c - the per-op latency queries of perf.h: pick the table slice (with the documented
 * dtype/distribution fallbacks), resolve it, and apply the database mode:
 *
 *   SOL        roofline only;
 *   EMPIRICAL  SOL / fitted utilization (data/empirical), never the tables;
 *   SILICON    tables; no slice -> AIC_ERR_NODATA naming table and key;
 *   HYBRID     SILICON, and on AIC_ERR_NODATA the EMPIRICAL value of that op.
 *
 * Fallbacks inside SILICON (the latency of the fallback slice is used as is):
 *   GEMM fp8_static -> fp8 rows less the activation-scale (and, for an already-quantized
 *   input, the input-quantization) kernels; a GEMM also takes the table's split-K reading at
 *   small m when that is faster; MLA BMM fp8 -> bf16 rows; context attention / MLA dtype
 *   ladder (fmha, kv) -> (bf16, kv) -> (fmha, bf16) -> (bf16, bf16); decode attention / MLA
 *   kv -> bf16; sliding window not collected -> full-attention slice scaled by the
 *   window-aware SOL; MoE distribution requested -> power_law_1.01 -> power_law_1.2 ->
 *   balanced -> any; MoE dtype also tried with the _trtllm/_cutlass renamed kernels;
 *   BMM heads not collected -> next power of two scaled by heads/pow2; all-reduce/NCCL GPU
 *   count not collected -> the nearest larger (else the largest) count, scaled by bandwidth.
 *
 * When those find no slice, SILICON transfers from the nearest measured slice at its
 * utilisation (transfer.c, provenance extrapolated): GEMM dtype -> reference dtype list,
 * MoE shape/split -> nearest collected shape (then other dtypes), attention (n_kv, head_dim)
 * -> nearest slice, MLA module gemm_type -> fp8_block/bfloat16. AIC_ERR_NODATA only when
 * nothing anchors.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf/perf_internal.h"

static const enum aic_prov res_prov[] = {AIC_PROV_MEASURED, AIC_PROV_INTERPOLATED,
                                         AIC_PROV_EXTRAPOLATED};

static int set_lat(struct aic_lat *out, double ms, enum aic_prov p)
{
    out->ms = ms;
    out->prov = p;
    return AIC_OK;
}

static const char *qname(enum aic_quant q)
{
    const struct aic_quant_info *i = aic_quant_info(q);
    return i ? i->name : "bfloat16";
}

static int emp_result(struct aic_perfdb *db, enum emp_op op, const char *quant, double sol,
                      double b, struct aic_lat *out)
{
    double x, y;
    emp_xy(sol, b, &x, &y);
    double u = emp_util(db->emp_loaded ? &db->emp : NULL, op, quant, x, y);
    return set_lat(out, sol / u, AIC_PROV_EMPIRICAL);
}

/* The label of a class fit (attention head size/window, MoE distribution/split, fp8_static)
 * when the EMPIRICAL model has one, else the dtype's. */
static const char *emp_pick(struct aic_perfdb *db, enum emp_op op, const char *cls,
                            const char *quant)
{
    return db->emp_loaded && emp_has_fit(&db->emp, op, cls) ? cls : quant;
}

/* What the EMPIRICAL model of one query needs: its op, quant name, speed-of-light time and
 * the size it is fitted against. */
struct emp_q {
    enum emp_op op;
    const char *quant;
    double sol, x;
};

/* SOL and EMPIRICAL answer from the model alone; SILICON and HYBRID read the tables. */
static int uses_tables(const struct aic_perfdb *db)
{
    return db->mode != AIC_DB_SOL && db->mode != AIC_DB_EMPIRICAL;
}

/* The answer without tables: speed of light (SOL) or its fitted correction (EMPIRICAL). */
static int modeled(struct aic_perfdb *db, const struct emp_q *e, struct aic_lat *out)
{
    if (db->mode == AIC_DB_SOL)
        return set_lat(out, e->sol, AIC_PROV_SOL);
    return emp_result(db, e->op, e->quant, e->sol, e->x, out);
}

/* A table lookup's status rc; HYBRID turns "no data" into the EMPIRICAL answer. */
static int or_empirical(struct aic_perfdb *db, const struct emp_q *e, int rc, struct aic_lat *out)
{
    if (rc == AIC_ERR_NODATA && db->mode == AIC_DB_HYBRID)
        return emp_result(db, e->op, e->quant, e->sol, e->x, out);
    return rc;
}

/* Table slice with string keys resolved through the pool (NULL string -> fails). */
static long find_slice(const struct ptable *t, const char *const *strs, const double *nums,
                       int nstr)
{
    double key[PT_MAXK];
    for (int i = 0; i < nstr; i++) {
        int id = strpool_find(&t->strs, strs[i]);
        if (id < 0)
            return -1;
        key[i] = id;
    }
    for (int i = nstr; i < t->nk; i++)
        key[i] = nums[i - nstr];
    return ptable_find(t, key);
}

/* ---- GEMM ------------------------------------------------------------------------------- */

/* Split-K tactics tried (see gemm_split_k): s = 2, 4, .. GEMM_SPLIT_K_MAX, each slice at least
 * GEMM_SPLIT_K_MIN_K deep, the widened n within the collectors' sweep (n <= 65536); the
 * partial-sum reduction is one more kernel launch plus its fp32 traffic. */
#define GEMM_SPLIT_K_MAX       16
#define GEMM_SPLIT_K_MIN_K     1024.0
#define GEMM_SPLIT_K_MAX_N     65536.0
#define GEMM_SPLIT_K_REDUCE_MS 0.002
#define GEMM_SPLIT_K_MAX_M     256.0

static struct gemm_cache_slot *gemm_cache_slot(struct aic_perfdb *db, enum aic_quant q, double m,
                                               double n, double k)
{
    uint64_t h = 1469598103934665603ull;
    const double v[3] = {m, n, k};

    if (!db->gemm_cache && !(db->gemm_cache = calloc(GEMM_CACHE_SLOTS, sizeof(*db->gemm_cache))))
        return NULL;
    for (int i = 0; i < 3; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i], sizeof(bits));
        h = (h ^ bits) * 1099511628211ull;
    }
    h = (h ^ (uint64_t)q) * 1099511628211ull;
    return &db->gemm_cache[(h ^ (h >> 29)) % GEMM_CACHE_SLOTS];
}

static int gemm_resolve_q(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                          struct aic_lat *out, struct aic_error *err);

/*
 * Split-K. At small m a GEMM has fewer output tiles than the GPU has SMs, and a kernel that
 * walks the whole k loop per tile is latency-bound in k: some collected tables (TensorRT-LLM's
 * nvfp4 rows on B200: 22 us at k = 8192, 107 us at k = 51200, whatever n) timed such a tactic.
 * The frameworks' GEMM autotuners also try split-K tactics, which run s times the tiles over
 * k / s each - the work of an (m, s*n, k/s) GEMM, which the same table times - and then add s
 * fp32 partial outputs. A lookup takes the faster of the two. Kernels that already split
 * (vLLM's and most bf16/fp8 rows) gain nothing from it.
 */
void gemm_split_k(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                  struct aic_lat *out)
{
    const double bw = db->sys.mem_bw_Bps > 0 ? db->sys.mem_bw_Bps : 1e12;

    if (m >= GEMM_SPLIT_K_MAX_M)
        return;
    for (int s = 2;
         s <= GEMM_SPLIT_K_MAX && k / s >= GEMM_SPLIT_K_MIN_K && n * s <= GEMM_SPLIT_K_MAX_N;
         s *= 2) {
        struct aic_lat l;
        struct aic_error e;
        if (gemm_resolve_q(db, q, m, n * s, k / s, &l, &e))
            continue;
        double reduce_ms = 2.0 * s * m * n * 4.0 / bw * 1000.0 + GEMM_SPLIT_K_REDUCE_MS;
        if (l.ms + reduce_ms < out->ms) /* derived from another measured shape */
            set_lat(out, l.ms + reduce_ms,
                    l.prov == AIC_PROV_EXTRAPOLATED ? l.prov : AIC_PROV_INTERPOLATED);
    }
}

/* SILICON GEMM through the memo (only answers are cached, not misses). */
static int gemm_silicon(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                        struct aic_lat *out, struct aic_error *err)
{
    struct gemm_cache_slot *c = gemm_cache_slot(db, q, m, n, k);
    int rc;

    if (c && c->used && c->q == (int)q && c->m == m && c->n == n && c->k == k)
        return set_lat(out, c->ms, (enum aic_prov)c->prov);
    rc = gemm_resolve_q(db, q, m, n, k, out, err);
    if (!rc)
        gemm_split_k(db, q, m, n, k, out);
    if (!rc && c)
        *c = (struct gemm_cache_slot){m, n, k, out->ms, (int)q, (int)out->prov, 1};
    return rc;
}

static int gemm_resolve_q(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                          struct aic_lat *out, struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, T_GEMM, &t, err);
    if (rc)
        return rc;
    const char *name = qname(q);
    long s = find_slice(t, &name, NULL, 1);
    double lat;
    int r = s < 0 ? RES_MISS : gemm_resolve(&db->sys, t, &db->gemm_idx.per[s], q, m, n, k, &lat);
    if (r != RES_MISS)
        return set_lat(out, lat, res_prov[r]);
    enum aic_quant used;
    if (xfer_gemm(db, t, q, m, n, k, &lat, &used)) /* xquant: transfer.c rule 1 */
        return set_lat(out, lat, AIC_PROV_EXTRAPOLATED);
    if (s < 0)
        return aic_err(err, AIC_ERR_NODATA,
                       "gemm_perf of %s/%s has no %s rows and none of a dtype to transfer from",
                       db->sys.name, aic_backend_name(db->backend), name);
    return aic_err(err, AIC_ERR_NODATA,
                   "gemm_perf of %s/%s has no %s shape near n=%.0f k=%.0f (m=%.0f)", db->sys.name,
                   aic_backend_name(db->backend), name, n, k, m);
}

/*
 * fp8 with static activation scales (fp8_static). The fp8 rows time a GEMM that also computes
 * its activation scale (an amax pass, computescale_perf: about 8 us at small m on B200) and
 * quantizes its input (scale_matrix_perf, about 2 us). A static-scale checkpoint skips the
 * first, and a GEMM whose input arrives already quantized (the attention output projection,
 * the down projection after the fused activation) skips the second: aic-modeling 6.
 * compute_scale is held flat outside its collected (m, k) box; scale_matrix scales with its
 * memory traffic (3 m k bytes). A table that is missing or has no fp8 rows subtracts nothing.
 */
static double sol_flat(const void *ctx, const double *c)
{
    (void)ctx, (void)c;
    return 1.0;
}

static double sol_scale_matrix(const void *ctx, const double *c)
{
    const struct aic_system *sys = ctx;
    return 3.0 * c[0] * c[1] / (sys->mem_bw_Bps > 0 ? sys->mem_bw_Bps : 1e12) * 1000.0;
}

static int grid_lookup(const struct ptable *t, long s, const double *c, unsigned mask, sol_fn fn,
                       const void *ctx, double *lat, enum aic_prov *p);

double fp8_scale_kernel(struct aic_perfdb *db, int table, double m, double k)
{
    const struct ptable *t;
    struct aic_error e;
    const char *name = "fp8";
    double c[2] = {m, k}, lat;
    enum aic_prov p;

    if (perfdb_table(db, table, &t, &e))
        return 0;
    long s = find_slice(t, &name, NULL, 1);
    if (s < 0 || !grid_lookup(t, s, c, 0, table == T_COMPUTESCALE ? sol_flat : sol_scale_matrix,
                              &db->sys, &lat, &p))
        return 0;
    return lat > 0 ? lat : 0;
}

static int gemm_query(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                      int input_quantized, struct aic_lat *out, struct aic_error *err)
{
    int is_static = q == AIC_Q_FP8_STATIC;
    if (q == AIC_Q_NONE)
        q = AIC_Q_BF16;
    if (is_static)
        q = AIC_Q_FP8;
    if (m <= 0 || n <= 0 || k <= 0)
        return set_lat(out, 0, AIC_PROV_SOL);
    double sol = aic_sol_gemm(&db->sys, q, m, n, k);
    /* the fitter fits fp8_static from the fp8 rows less the scale kernel (empirical.c) */
    const char *en = is_static ? emp_pick(db, EMP_GEMM, "fp8_static", "fp8") : qname(q);
    const struct emp_q e = {EMP_GEMM, en, sol, m};
    if (!uses_tables(db))
        return modeled(db, &e, out);
    int rc = or_empirical(db, &e, gemm_silicon(db, q, m, n, k, out, err), out);
    if (rc || !is_static || out->prov == AIC_PROV_EMPIRICAL)
        return rc;
    double saved = fp8_scale_kernel(db, T_COMPUTESCALE, m, k) +
                   (input_quantized ? fp8_scale_kernel(db, T_SCALEMATRIX, m, k) : 0);
    out->ms = fmax(out->ms - saved, sol);
    return AIC_OK;
}

int aic_perf_gemm(struct aic_perfdb *db, enum aic_quant q, double m, double n, double k,
                  struct aic_lat *out, struct aic_error *err)
{
    return gemm_query(db, q, m, n, k, 0, out, err);
}

int aic_perf_gemm_quantized_input(struct aic_perfdb *db, enum aic_quant q, double m, double n,
                                  double k, struct aic_lat *out, struct aic_error *err)
{
    return gemm_query(db, q, m, n, k, 1, out, err);
}

/* ---- attention-type grids ------------------------------------------------------------ */

static const enum aic_quant ladder_pairs[4][2] = {
    {-2, -2}, {AIC_Q_BF16, -2}, {-2, AIC_Q_BF16}, {AIC_Q_BF16, AIC_Q_BF16}};

/* Worst provenance of two. */
static enum aic_prov prov_max(enum aic_prov a, enum aic_prov b)
{
    return a > b ? a : b;
}

static int grid_lookup(const struct ptable *t, long s, const double *c, unsigned mask, sol_fn fn,
                       const void *ctx, double *lat, enum aic_prov *p)
{
    int r = grid_resolve(t, s, c, mask, fn, ctx, lat);
    if (r == RES_MISS)
        return 0;
    *p = res_prov[r];
    return 1;
}

static int ctx_attn_silicon(struct aic_perfdb *db, struct attn_ctx *a, double b, double s, int n,
                            struct aic_lat *out, struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, T_CTX_ATTN, &t, err);
    if (rc)
        return rc;
    double c[3] = {n, s, b}, lat;
    enum aic_prov p;
    for (int i = 0; i < 4; i++) {
        enum aic_quant f = (int)ladder_pairs[i][0] == -2 ? a->fmha : ladder_pairs[i][0];
        enum aic_quant kv = (int)ladder_pairs[i][1] == -2 ? a->kv : ladder_pairs[i][1];
        const char *names[2] = {qname(f), qname(kv)};
        double nums[3] = {a->n_kv, a->d, a->w};
        long sl = find_slice(t, names, nums, 2);
        if (sl >= 0 && grid_lookup(t, sl, c, 2u, sol_ctx_attn, a, &lat, &p))
            return set_lat(out, lat, p);
        if (a->w > 0) { /* window not collected: full-attention slice, window-aware SOL */
            struct attn_ctx full = *a;
            full.w = 0;
            nums[2] = 0;
            sl = find_slice(t, names, nums, 2);
            if (sl >= 0 && grid_lookup(t, sl, c, 2u, sol_ctx_attn, &full, &lat, &p))
                return set_lat(out, lat * sol_ctx_attn(a, c) / sol_ctx_attn(&full, c),
                               AIC_PROV_EXTRAPOLATED);
        }
    }
    for (int i = 0; i < 4; i++) { /* (n_kv, head_dim) not collected: transfer.c rule 3 */
        enum aic_quant f = (int)ladder_pairs[i][0] == -2 ? a->fmha : ladder_pairs[i][0];
        enum aic_quant kv = (int)ladder_pairs[i][1] == -2 ? a->kv : ladder_pairs[i][1];
        double ids[2] = {strpool_find(&t->strs, qname(f)), strpool_find(&t->strs, qname(kv))};
        struct attn_ctx x = *a;
        x.fmha = f;
        x.kv = kv;
        if (ids[0] >= 0 && ids[1] >= 0 && xfer_attn(t, 1, ids, 2, &x, c, &lat))
            return set_lat(out, lat, AIC_PROV_EXTRAPOLATED);
    }
    return aic_err(err, AIC_ERR_NODATA,
                   "context_attention_perf of %s/%s has no slice fmha=%s kv=%s n_kv=%d "
                   "head_dim=%d window=%d",
                   db->sys.name, aic_backend_name(db->backend), qname(a->fmha), qname(a->kv),
                   a->n_kv, a->d, a->w);
}

int aic_perf_context_attention(struct aic_perfdb *db, enum aic_quant fmha, enum aic_quant kv,
                               double b, double s, int n, int n_kv, int d, int w,
                               struct aic_lat *out, struct aic_error *err)
{
    if (fmha == AIC_Q_NONE || fmha == AIC_Q_FP16)
        fmha = AIC_Q_BF16;
    if (fmha == AIC_Q_FP8_BLOCK)
        fmha = AIC_Q_FP8;
    if (kv == AIC_Q_NONE)
        kv = AIC_Q_BF16;
    if (w >= s)
        w = 0;
    struct attn_ctx a = {&db->sys, fmha, kv, n == n_kv ? 0 : n_kv, d, w};
    double c[3] = {n, s, b};
    double sol = sol_ctx_attn(&a, c);
    if (b <= 0 || s <= 0 || n <= 0)
        return set_lat(out, 0, AIC_PROV_SOL);
    char cls[64];
    emp_attn_label(cls, sizeof(cls), qname(fmha), d, w);
    const struct emp_q e = {EMP_CTX_ATTN, emp_pick(db, EMP_CTX_ATTN, cls, qname(fmha)), sol, s};
    if (!uses_tables(db))
        return modeled(db, &e, out);
    return or_empirical(db, &e, ctx_attn_silicon(db, &a, b, s, n, out, err), out);
}

/* One decode-attention grid lookup (kv ladder: requested, then bf16). */
static int gen_attn_one(const struct ptable *t, struct attn_ctx *a, double b, double s, int n,
                        double *lat, enum aic_prov *p)
{
    double c[3] = {n, b, s};
    enum aic_quant kvs[2] = {a->kv, AIC_Q_BF16};
    for (int i = 0; i < 2; i++) {
        const char *name = qname(kvs[i]);
        double nums[3] = {a->n_kv, a->d, a->w};
        long sl = find_slice(t, &name, nums, 1);
        if (sl >= 0 && grid_lookup(t, sl, c, 0, sol_gen_attn, a, lat, p))
            return 1;
        if (a->w > 0) {
            struct attn_ctx full = *a;
            full.w = 0;
            nums[2] = 0;
            sl = find_slice(t, &name, nums, 1);
            if (sl >= 0 && grid_lookup(t, sl, c, 0, sol_gen_attn, &full, lat, p)) {
                *lat *= sol_gen_attn(a, c) / sol_gen_attn(&full, c);
                *p = AIC_PROV_EXTRAPOLATED;
                return 1;
            }
        }
    }
    for (int i = 0; i < 2; i++) { /* (n_kv, head_dim) not collected: transfer.c rule 3 */
        double id = strpool_find(&t->strs, qname(kvs[i]));
        struct attn_ctx x = *a;
        x.kv = kvs[i];
        if (id >= 0 && xfer_attn(t, 0, &id, 1, &x, c, lat)) {
            *p = AIC_PROV_EXTRAPOLATED;
            return 1;
        }
    }
    return 0;
}

static int gen_attn_silicon(struct aic_perfdb *db, struct attn_ctx *a, double b, double s, int n,
                            struct aic_lat *out, struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, T_GEN_ATTN, &t, err);
    if (rc)
        return rc;
    /* average of 5 samples over [0.9 s, 1.1 s] */
    long smin = (long)(0.9 * s), smax;
    if (smin < 1)
        smin = 1;
    smax = (long)(1.1 * s);
    if (smax < smin)
        smax = smin;
    double sum = 0, lat;
    enum aic_prov worst = AIC_PROV_MEASURED, p;
    for (int i = 0; i < 5; i++) {
        double si = (double)(smin + (smax - smin) * i / 4);
        if (!gen_attn_one(t, a, b, si, n, &lat, &p))
            return aic_err(err, AIC_ERR_NODATA,
                           "generation_attention_perf of %s/%s has no slice kv=%s n_kv=%d "
                           "head_dim=%d window=%d",
                           db->sys.name, aic_backend_name(db->backend), qname(a->kv), a->n_kv, a->d,
                           a->w);
        sum += lat;
        worst = prov_max(worst, p);
        if (smin == smax) {
            sum *= 5;
            break;
        }
    }
    if (worst == AIC_PROV_MEASURED && smin != smax)
        worst = AIC_PROV_INTERPOLATED; /* an average of measured points */
    return set_lat(out, sum / 5, worst);
}

int aic_perf_generation_attention(struct aic_perfdb *db, enum aic_quant kv, double b, double s,
                                  int n, int n_kv, int d, int w, struct aic_lat *out,
                                  struct aic_error *err)
{
    if (kv == AIC_Q_NONE)
        kv = AIC_Q_BF16;
    struct attn_ctx a = {&db->sys, AIC_Q_BF16, kv, n == n_kv ? 0 : n_kv, d, w};
    double c[3] = {n, b, s};
    double sol = sol_gen_attn(&a, c);
    if (b <= 0 || n <= 0)
        return set_lat(out, 0, AIC_PROV_SOL);
    char cls[64];
    emp_attn_label(cls, sizeof(cls), qname(kv), d, w);
    const struct emp_q e = {EMP_GEN_ATTN, emp_pick(db, EMP_GEN_ATTN, cls, qname(kv)), sol, s};
    if (!uses_tables(db))
        return modeled(db, &e, out);
    return or_empirical(db, &e, gen_attn_silicon(db, &a, b, s, n, out, err), out);
}

/* ---- MLA -------------------------------------------------------------------------------- */

/* Generic MLA-family grid lookup with the dtype ladder. nstr string keys: for context tables
 * (fmha, kv[, gemm]); for generation tables (kv[, gemm]). */
static int mla_try(const struct ptable *t, int is_ctx, const struct attn_ctx *a, const char *gemm,
                   const double *c, sol_fn fn, double *lat, enum aic_prov *p)
{
    for (int i = 0; i < 4; i++) {
        enum aic_quant f = (int)ladder_pairs[i][0] == -2 ? a->fmha : ladder_pairs[i][0];
        enum aic_quant kv = (int)ladder_pairs[i][1] == -2 ? a->kv : ladder_pairs[i][1];
        if (!is_ctx && i % 2)
            continue; /* generation tables have no fmha key */
        const char *names[3];
        int ns = 0;
        if (is_ctx)
            names[ns++] = qname(f);
        names[ns++] = qname(kv);
        if (gemm)
            names[ns++] = gemm;
        long sl = find_slice(t, names, NULL, ns);
        if (sl >= 0 && grid_lookup(t, sl, c, is_ctx ? 2u : 0u, fn, a, lat, p))
            return 1;
    }
    return 0;
}

static int mla_silicon(struct aic_perfdb *db, enum ptab_id id, int is_ctx, struct attn_ctx *a,
                       const char *gemm, const double *c, sol_fn fn, struct aic_lat *out,
                       struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, id, &t, err);
    if (rc)
        return rc;
    double lat;
    enum aic_prov p;
    if (mla_try(t, is_ctx, a, gemm, c, fn, &lat, &p))
        return set_lat(out, lat, p);
    if (gemm) { /* module gemm_type not collected: transfer.c rule 4 (same SOL) */
        const enum aic_quant *refs = xfer_module_refs(aic_quant_parse(gemm, AIC_QUSE_GEMM));
        for (int i = 0; refs[i] != AIC_Q_NONE; i++)
            if (mla_try(t, is_ctx, a, qname(refs[i]), c, fn, &lat, &p))
                return set_lat(out, lat, AIC_PROV_EXTRAPOLATED);
    }
    return aic_err(err, AIC_ERR_NODATA, "%s of %s/%s has no slice fmha=%s kv=%s%s%s", ptab_name(id),
                   db->sys.name, aic_backend_name(db->backend), qname(a->fmha), qname(a->kv),
                   gemm ? " gemm=" : "", gemm ? gemm : "");
}

static int mla_common(struct aic_perfdb *db, enum ptab_id id, enum emp_op op, int is_ctx,
                      enum aic_quant fmha, enum aic_quant kv, const char *gemm, double b, double s,
                      int heads, struct aic_lat *out, struct aic_error *err)
{
    if (fmha == AIC_Q_NONE || fmha == AIC_Q_FP16)
        fmha = AIC_Q_BF16;
    if (fmha == AIC_Q_FP8_BLOCK)
        fmha = AIC_Q_FP8;
    if (kv == AIC_Q_NONE)
        kv = AIC_Q_BF16;
    struct attn_ctx a = {&db->sys, fmha, kv, 0, 0, 0};
    double c[3] = {heads, is_ctx ? s : b, is_ctx ? b : s};
    sol_fn fn = is_ctx ? sol_ctx_mla : id == T_GEN_MODULE ? sol_gen_module : sol_gen_mla;
    double sol = fn(&a, c);
    const char *eq = gemm ? gemm : qname(is_ctx ? fmha : kv);
    if (b <= 0 || s <= 0 || heads <= 0)
        return set_lat(out, 0, AIC_PROV_SOL);
    char cls[64];
    emp_heads_label(cls, sizeof(cls), eq, heads);
    const struct emp_q e = {op, emp_pick(db, op, cls, eq), sol, s};
    if (!uses_tables(db))
        return modeled(db, &e, out);
    return or_empirical(db, &e, mla_silicon(db, id, is_ctx, &a, gemm, c, fn, out, err), out);
}

int aic_perf_context_mla(struct aic_perfdb *db, enum aic_quant fmha, enum aic_quant kv, double b,
                         double s, int heads, struct aic_lat *out, struct aic_error *err)
{
    return mla_common(db, T_CTX_MLA, EMP_CTX_MLA, 1, fmha, kv, NULL, b, s, heads, out, err);
}

int aic_perf_generation_mla(struct aic_perfdb *db, enum aic_quant kv, double b, double s, int heads,
                            struct aic_lat *out, struct aic_error *err)
{
    return mla_common(db, T_GEN_MLA, EMP_GEN_MLA, 0, AIC_Q_BF16, kv, NULL, b, s, heads, out, err);
}

int aic_perf_mla_module(struct aic_perfdb *db, int is_context, enum aic_quant fmha,
                        enum aic_quant kv, enum aic_quant gemm, double b, double s, int heads,
                        struct aic_lat *out, struct aic_error *err)
{
    if (gemm == AIC_Q_NONE)
        gemm = AIC_Q_BF16;
    if (gemm == AIC_Q_NVFP4_WO)
        gemm = AIC_Q_NVFP4;
    /* SGLang collected no module tables: its wide-EP MLA tables time the same module with the
     * kernels it runs */
    if (db->backend == AIC_BACKEND_SGLANG && uses_tables(db) && b > 0 && s > 0 && heads > 0 &&
        !perf_sglang_mla_module(db, is_context, kv == AIC_Q_NONE ? AIC_Q_BF16 : kv, qname(gemm), b,
                                s, heads, out))
        return AIC_OK;
    return mla_common(db, is_context ? T_CTX_MODULE : T_GEN_MODULE,
                      is_context ? EMP_CTX_MODULE : EMP_GEN_MODULE, is_context, fmha, kv,
                      qname(gemm), b, s, heads, out, err);
}

/* ---- MLA BMM ------------------------------------------------------------------------------ */

static int bmm_silicon(struct aic_perfdb *db, struct bmm_ctx *a, int is_pre, double tokens,
                       struct aic_lat *out, struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, T_BMM, &t, err);
    if (rc)
        return rc;
    enum aic_quant qs[2] = {a->q, AIC_Q_BF16};
    int pow2 = 1;
    while (pow2 < a->heads)
        pow2 *= 2;
    for (int i = 0; i < 2; i++) {
        int hs[2] = {a->heads, pow2};
        for (int j = 0; j < 2; j++) {
            const char *names[2] = {qname(qs[i]), is_pre ? "mla_gen_pre" : "mla_gen_post"};
            double nums[1] = {hs[j]}, c[1] = {tokens}, lat;
            struct bmm_ctx ctx = {a->sys, qs[i], hs[j]};
            enum aic_prov p;
            long sl = find_slice(t, names, nums, 2);
            if (sl >= 0 && grid_lookup(t, sl, c, 0, sol_bmm, &ctx, &lat, &p)) {
                if (j == 1)
                    return set_lat(out, lat * a->heads / pow2, AIC_PROV_EXTRAPOLATED);
                return set_lat(out, lat, p);
            }
        }
    }
    return aic_err(err, AIC_ERR_NODATA, "mla_bmm_perf of %s/%s has no %s %s rows for %d heads",
                   db->sys.name, aic_backend_name(db->backend), qname(a->q),
                   is_pre ? "mla_gen_pre" : "mla_gen_post", a->heads);
}

int aic_perf_mla_bmm(struct aic_perfdb *db, enum aic_quant q, int is_pre, double tokens, int heads,
                     struct aic_lat *out, struct aic_error *err)
{
    if (q == AIC_Q_NONE)
        q = AIC_Q_BF16;
    if (q == AIC_Q_FP8_BLOCK || q == AIC_Q_FP8_STATIC)
        q = AIC_Q_FP8;
    struct bmm_ctx a = {&db->sys, q, heads};
    double c[1] = {tokens};
    double sol = sol_bmm(&a, c);
    if (tokens <= 0 || heads <= 0)
        return set_lat(out, 0, AIC_PROV_SOL);
    const struct emp_q e = {EMP_BMM, qname(q), sol, tokens};
    if (!uses_tables(db))
        return modeled(db, &e, out);
    return or_empirical(db, &e, bmm_silicon(db, &a, is_pre, tokens, out, err), out);
}

/* ---- MoE ------------------------------------------------------------------------------- */

static const char *const moe_dists[] = {NULL, "power_law_1.01", "power_law_1.2", "balanced"};

/* Any slice of the grid/dtype with the same shape, whatever its distribution. */
static long moe_any_dist(const struct ptable *t, double grid, int dtype_id, const double *shape)
{
    for (size_t s = 0; s < t->nslices; s++) {
        const double *k = t->keys + s * (size_t)t->nk;
        if (k[0] == grid && k[1] == dtype_id && !memcmp(k + 3, shape, 6 * sizeof(double)))
            return (long)s;
    }
    return -1;
}

/* The table's reading in one kernel grid (0: the default kernels, 1: TensorRT-LLM's
 * min-latency trtllm-gen kernels): the dtype, then its renamed kernels, in the row's
 * distribution, then the others. Nonzero when found. */
static int moe_grid(const struct ptable *t, const struct moe_ctx *a, const char *dist, int g,
                    double tokens, double *lat, enum aic_prov *p)
{
    char dt[3][48];
    const char *base = qname(a->q);
    snprintf(dt[0], sizeof(dt[0]), "%s", base);
    snprintf(dt[1], sizeof(dt[1]), "%s_trtllm", base);
    snprintf(dt[2], sizeof(dt[2]), "%s_cutlass", base);
    double shape[7] = {a->topk, a->experts, a->h, a->inter, a->tp, a->ep};
    double c[1] = {tokens};

    for (int d = 0; d < 3; d++) {
        int id = strpool_find(&t->strs, dt[d]);
        if (id < 0)
            continue;
        for (int k = 0; k <= 4; k++) {
            long sl;
            if (k < 4) {
                const char *dn = k == 0 ? dist : moe_dists[k];
                int di = dn ? strpool_find(&t->strs, dn) : -1;
                if (di < 0)
                    continue;
                double key[9] = {g, id, di};
                memcpy(key + 3, shape, 6 * sizeof(double));
                sl = ptable_find(t, key);
            } else {
                sl = moe_any_dist(t, g, id, shape);
            }
            if (sl >= 0 && grid_lookup(t, sl, c, 0, sol_moe, (void *)a, lat, p))
                return 1;
        }
    }
    return 0;
}

/* TensorRT-LLM on Blackwell runs gated nvfp4 and fp8 block-scale MoE with either its default
 * kernels or the trtllm-gen ones (moe_config backend TRTLLM); the faster reading is taken,
 * and the generated engine config names that backend (src/generate/args.c). */
static int moe_silicon(struct aic_perfdb *db, struct moe_ctx *a, const char *dist, double tokens,
                       struct aic_lat *out, struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, T_MOE, &t, err);
    if (rc)
        return rc;
    double lat, lat1;
    enum aic_prov p, p1;
    int two =
        perfdb_trtllm_gen_moe(db) && a->gated && (a->q == AIC_Q_NVFP4 || a->q == AIC_Q_FP8_BLOCK);
    int found = moe_grid(t, a, dist, 0, tokens, &lat, &p);
    if (two && moe_grid(t, a, dist, 1, tokens, &lat1, &p1) && (!found || lat1 < lat)) {
        found = 1;
        lat = lat1;
        p = p1;
    }
    if (found)
        return set_lat(out, lat, p);
    enum aic_quant used;
    if (xfer_moe(db, t, a, dist, tokens, &lat, &used)) /* xshape/xquant: transfer.c rule 2 */
        return set_lat(out, lat, AIC_PROV_EXTRAPOLATED);
    return aic_err(err, AIC_ERR_NODATA,
                   "moe_perf of %s/%s has no %s rows for h=%d inter=%d topk=%d experts=%d "
                   "moe_tp=%d moe_ep=%d (%s) nor a collected shape within 3 octaves",
                   db->sys.name, aic_backend_name(db->backend), qname(a->q), a->h, a->inter,
                   a->topk, a->experts, a->tp, a->ep, dist ? dist : "any distribution");
}

int aic_perf_moe(struct aic_perfdb *db, enum aic_quant q, const char *distribution, double tokens,
                 int hidden, int inter, int topk, int experts, int moe_tp, int moe_ep, int gated,
                 struct aic_lat *out, struct aic_error *err)
{
    if (q == AIC_Q_NONE)
        q = AIC_Q_BF16;
    struct moe_ctx a = {&db->sys, q, hidden, inter, topk, experts, moe_tp, moe_ep, gated};
    double c[1] = {tokens};
    double sol = sol_moe(&a, c);
    if (tokens <= 0)
        return set_lat(out, 0, AIC_PROV_SOL);
    char cls[64];
    emp_moe_label(cls, sizeof(cls), qname(q), distribution, moe_ep);
    const struct emp_q e = {EMP_MOE, emp_pick(db, EMP_MOE, cls, qname(q)), sol,
                            tokens * topk / experts};
    if (!uses_tables(db))
        return modeled(db, &e, out);
    return or_empirical(db, &e, moe_silicon(db, &a, distribution, tokens, out, err), out);
}

/* ---- communication ---------------------------------------------------------------------- */

/* Collected GPU count to use for n: exact, else the smallest larger, else the largest. */
static long comm_slice(const struct ptable *t, int nstr, const double *prefix, int n, int *g_used)
{
    long best = -1, largest = -1;
    double bestg = 0, largestg = 0;
    for (size_t s = 0; s < t->nslices; s++) {
        const double *k = t->keys + s * (size_t)t->nk;
        if (nstr && memcmp(k, prefix, (size_t)nstr * sizeof(double)))
            continue;
        double g = k[nstr];
        if (g == n) {
            *g_used = n;
            return (long)s;
        }
        if (g > n && (best < 0 || g < bestg)) {
            best = (long)s;
            bestg = g;
        }
        if (largest < 0 || g > largestg) {
            largest = (long)s;
            largestg = g;
        }
    }
    if (best >= 0) {
        *g_used = (int)bestg;
        return best;
    }
    *g_used = (int)largestg;
    return largest;
}

/*
 * A collective over more GPUs than the table collected (g < n, i.e. across nodes): the
 * size-dependent part of the measured latency scales with the traffic factor (n-1)/n and
 * the bus-bandwidth ratio of the two sizes (sol_comm_bw: a ring uses every NIC of the node,
 * an all-to-all one NIC per GPU); the fixed launch/synchronisation floor (the latency of the
 * smallest message) does not, and the crossing adds one inter-node hop. AIConfigurator
 * scales the whole latency by one NIC's bandwidth, which makes a decode-step collective
 * across two nodes cost ten times its one-node latency.
 */
static double beyond_fanout(const struct aic_system *sys, double lat, double floor, int g, int n,
                            int alltoall)
{
    double bw_g = sol_comm_bw(sys, g, alltoall), bw_n = sol_comm_bw(sys, n, alltoall);
    double scale = ((n - 1.0) / n) * (g / (g - 1.0)) * bw_g / bw_n;
    int slower = bw_n < bw_g;
    double hop = slower ? sys->p2p_latency_s * 1000.0 : 0, steps;

    floor = fmin(floor, lat);
    /* the floor is paid once per step (a ring's n - 1 steps, an all-to-all's n - 1 peers),
     * each as slow as the slowest link it crosses */
    steps = slower ? (n - 1.0) / (g - 1.0) : 1;
    return floor * steps + (lat - floor) * scale + hop;
}

#define COMM_FLOOR_ELEMENTS 256 /* the smallest message the communication tables collect */

static int comm_lookup(struct aic_perfdb *db, enum ptab_id id, int nstr, const double *prefix,
                       double elements, int n, int alltoall, const char *what, struct aic_lat *out,
                       struct aic_error *err)
{
    const struct ptable *t;
    int rc = perfdb_table(db, id, &t, err);
    if (rc)
        return rc;
    int g = 0;
    long sl = comm_slice(t, nstr, prefix, n, &g);
    /* a collective never gets cheaper than its smallest message: launch and synchronisation */
    double c[1] = {fmax(elements, COMM_FLOOR_ELEMENTS)}, lat, floor;
    enum aic_prov p;
    if (sl < 0 || !grid_lookup(t, sl, c, 0, sol_proxy_size, NULL, &lat, &p))
        return aic_err(err, AIC_ERR_NODATA, "%s of %s/%s has no %s rows", ptab_name(id),
                       db->sys.name, aic_backend_name(db->backend), what);
    if (g == n || g <= 1)
        return set_lat(out, lat, p);
    c[0] = COMM_FLOOR_ELEMENTS;
    if (!grid_lookup(t, sl, c, 0, sol_proxy_size, NULL, &floor, &p))
        floor = 0;
    return set_lat(out, beyond_fanout(&db->sys, lat, floor, g, n, alltoall), AIC_PROV_EXTRAPOLATED);
}

/*
 * EMPIRICAL answer for a collective: the fitted model inside the node; beyond it, the model at
 * one node's GPUs carried across as a table row is (beyond_fanout), so both modes share one
 * cross-node model. HYBRID's fallback for a missing table stays the plain fitted model.
 */
static int modeled_comm(struct aic_perfdb *db, const struct comm_ctx *a, const struct emp_q *e,
                        double elements, struct aic_lat *out)
{
    int g = db->sys.gpus_per_node, n = a->n_gpus;
    struct comm_ctx in = *a;
    struct emp_q at_g = *e, fl;
    struct aic_lat l, f;
    double c[1] = {elements}, c0[1] = {COMM_FLOOR_ELEMENTS};

    if (db->mode != AIC_DB_EMPIRICAL || g < 2 || n <= g ||
        sol_comm_bw(&db->sys, n, a->alltoall) >= sol_comm_bw(&db->sys, g, a->alltoall))
        return modeled(db, e, out);
    in.n_gpus = g;
    at_g.sol = sol_comm(&in, c);
    at_g.x = g;
    fl = at_g;
    fl.sol = sol_comm(&in, c0);
    int rc = modeled(db, &at_g, &l);
    if (!rc)
        rc = modeled(db, &fl, &f);
    if (!rc)
        rc = set_lat(out, beyond_fanout(&db->sys, l.ms, f.ms, g, n, a->alltoall), l.prov);
    return rc;
}

static int nccl_core(struct aic_perfdb *db, enum aic_quant q, const char *op, double elements,
                     int n_gpus, struct aic_lat *out, struct aic_error *err)
{
    if (q == AIC_Q_NONE || q == AIC_Q_BF16 || q == AIC_Q_FP16)
        q = AIC_Q_HALF;
    if (q == AIC_Q_FP8)
        q = AIC_Q_INT8;
    int ar = !strcmp(op, "all_reduce"), a2a = !strcmp(op, "alltoall");
    struct comm_ctx a = {&db->sys, q, n_gpus, ar, 0, a2a};
    double c[1] = {elements};
    double sol = sol_comm(&a, c);
    if (n_gpus <= 1 || elements <= 0)
        return set_lat(out, 0, AIC_PROV_ANALYTIC);
    const struct emp_q e = {EMP_NCCL, op, sol, n_gpus};
    if (!uses_tables(db))
        return modeled_comm(db, &a, &e, elements, out);
    const struct ptable *t;
    int rc = perfdb_table(db, T_NCCL, &t, err);
    if (!rc) {
        int di = strpool_find(&t->strs, qname(q)), oi = strpool_find(&t->strs, op);
        double prefix[2] = {di, oi};
        char what[96];
        snprintf(what, sizeof(what), "%s %s", qname(q), op);
        rc =
            (di < 0 || oi < 0)
                ? aic_err(err, AIC_ERR_NODATA, "nccl_perf of %s has no %s rows", db->sys.name, what)
                : comm_lookup(db, T_NCCL, 2, prefix, elements, n_gpus, a2a, what, out, err);
    }
    return or_empirical(db, &e, rc, out);
}

int aic_perf_nccl(struct aic_perfdb *db, enum aic_quant q, const char *op, double elements,
                  int n_gpus, struct aic_lat *out, struct aic_error *err)
{
    if (!op)
        return aic_err(err, AIC_ERR_USAGE, "NCCL op name missing");
    return nccl_core(db, q, op, elements, n_gpus, out, err);
}

int aic_perf_allreduce(struct aic_perfdb *db, double elements, int tp, struct aic_lat *out,
                       struct aic_error *err)
{
    struct comm_ctx a = {&db->sys, AIC_Q_HALF, tp, 1, 1, 0};
    double c[1] = {elements};
    double sol = sol_comm(&a, c);
    if (tp <= 1 || elements <= 0)
        return set_lat(out, 0, AIC_PROV_ANALYTIC);
    const struct emp_q e = {EMP_ALLREDUCE, "half", sol, tp};
    if (!uses_tables(db))
        return modeled_comm(db, &a, &e, elements, out);
    int rc;
    if (db->sys.gpus_per_node == 72 && tp > 4) {
        rc = nccl_core(db, AIC_Q_HALF, "all_reduce", elements, tp, out, err);
    } else {
        rc = comm_lookup(db, T_ALLREDUCE, 0, NULL, elements, tp, 0, "custom all-reduce", out, err);
    }
    return or_empirical(db, &e, rc, out);
}

/* ---- analytic ------------------------------------------------------------------------------ */

void aic_perf_mem_op(struct aic_perfdb *db, double bytes, struct aic_lat *out)
{
    const struct aic_system *s = &db->sys;
    double bw = s->mem_bw_Bps > 0 ? s->mem_bw_Bps : 1e12;
    if (db->mode == AIC_DB_SOL) {
        set_lat(out, bytes / bw * 1000.0, AIC_PROV_SOL);
        return;
    }
    double scale = s->mem_bw_scale > 0 ? s->mem_bw_scale : 1.0;
    set_lat(out, (bytes / (bw * scale) + s->mem_const_latency_s) * 1000.0, AIC_PROV_ANALYTIC);
}

void aic_perf_p2p(struct aic_perfdb *db, double bytes, struct aic_lat *out)
{
    const struct aic_system *s = &db->sys;
    double bw = s->inter_node_bw_Bps > 0 ? s->inter_node_bw_Bps : 1e10;
    if (db->mode == AIC_DB_SOL) {
        set_lat(out, bytes / bw * 1000.0, AIC_PROV_SOL);
        return;
    }
    set_lat(out, (bytes / bw + s->p2p_latency_s) * 1000.0, AIC_PROV_ANALYTIC);
}
