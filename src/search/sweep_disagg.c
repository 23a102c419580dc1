/*
 * sweep_disagg.c - the disaggregated (xPyD) sweep of one backend.
 *
 * Prefill workers: static prefill (mode 1) at batch 1 per layout, latency x 1.1.
 * Decode workers: static decode (mode 2) over 96 batch sizes per layout, latency x 1.08,
 * stopped at the first batch that does not fit. Then per SLA target (aic-modeling §5.2):
 * prefill candidates with 1.8*TTFT < target (best 32 by seq/s/gpu), decode candidates
 * with TPOT < target grouped by layout (best 16 per group), every pair rate-matched to
 * its best (x prefill, y decode) replica (cached across targets), best row per decode
 * group, the best 5 groups join the candidate set. A pair's TTFT is AIConfigurator's
 * 1.8 x prefill + serving overhead + KV transfer, plus (ours) the decode worker's KV
 * handoff (engine/disagg.c): a pair whose handoff takes it over the TTFT target is out.
 * A pair's request rate is at most its concurrency over its request latency (the closed
 * loop, as estimate's), which AIConfigurator's rate matching does not apply.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_int.h"

#define PREFILL_TOP        32
#define DECODE_TOP         16
#define GROUPS_TOP         5
#define MAX_WORKERS        32
#define TTFT_FACTOR        1.8 /* defaults; an experiment's req->space overrides them */
#define PREFILL_CORRECTION 1.1
#define DECODE_CORRECTION  1.08
#define DECODE_MAX_BATCH   512
#define GIB                (1024.0 * 1024.0 * 1024.0)

struct wpoint {
    struct aic_layout lay;
    struct aic_quant_cfg q;
    int group, b, gpus;
    double lat_ms;   /* prefill: TTFT of the worker; decode: TPOT */
    double extra_ms; /* added to the scaled TTFT: prefill: serving overhead + KV transfer;
                      * decode: the KV handoff */
    double seq_s;    /* per worker */
    double seq_s_gpu;
    double tok_s_user; /* decode only */
    double mem_gb;
};

/* The experiment's value when set (> 0), else the default. */
static double ovr(double v, double def)
{
    return v > 0 ? v : def;
}

static double ttft_factor(const struct aic_search_req *r)
{
    return r->space ? ovr(r->space->ttft_correction_factor, TTFT_FACTOR) : TTFT_FACTOR;
}

static double seq_or(const struct aic_metrics *m, double fallback)
{
    return m->requests_per_s > 0 ? m->requests_per_s : fallback;
}

static void add_prefill(struct wpoint *p, const struct aic_worker *w, const struct aic_model *m,
                        const struct aic_workload *wl, const struct aic_metrics *mt, int group,
                        int b, double factor, struct aic_sweep_stats *st)
{
    p->lay = w->lay, p->q = w->q, p->group = group, p->b = b;
    p->gpus = aic_worker_gpus(w);
    p->lat_ms = mt->ttft_ms;
    p->extra_ms = aic_disagg_ttft_extra_ms(w, wl);
    p->seq_s = seq_or(mt, w->lay.dp * w->lay.pp * b * 1000.0 / mt->ttft_ms);
    p->seq_s_gpu = p->seq_s / p->gpus;
    p->mem_gb = mt->mem.total / GIB;
    st->n_fit++;
    if (factor * p->lat_ms + p->extra_ms < st->best_ttft_ms) {
        char l[48];
        st->best_ttft_ms = factor * p->lat_ms + p->extra_ms;
        snprintf(st->best_ttft_desc, sizeof st->best_ttft_desc, "disagg prefill %s",
                 aic_layout_str(&w->lay, m->num_experts > 0, l, sizeof l));
    }
}

static int eval_prefill(const struct aic_search_req *r, const struct aic_model *m,
                        struct aic_perfdb *db, enum aic_backend be, const char *system,
                        int max_gpus, struct wpoint *out, int cap, struct aic_sweep_stats *st)
{
    struct aic_layout lays[AIC_MAX_LAYOUTS];
    struct aic_worker_opts o;
    int nl = aic_space_role_layouts(r, m, be, system, max_gpus, 1, lays, AIC_MAX_LAYOUTS), n = 0;
    int max_b =
        r->space && r->space->prefill_max_batch_size > 0 ? r->space->prefill_max_batch_size : 1;
    aic_search_role_opts(r, 1,
                         r->space ? ovr(r->space->prefill_latency_correction, PREFILL_CORRECTION)
                                  : PREFILL_CORRECTION,
                         &o);
    st->n_layouts += nl;
    for (int i = 0; i < nl && n < cap; i++) {
        struct aic_worker w;
        struct aic_error e;
        if (aic_worker_init(&w, m, db, lays[i], &o, &e))
            continue;
        /* batch 1, then powers of two up to the experiment's prefill_max_batch_size */
        for (int b = 1; b <= max_b && n<cap; b = b * 2> max_b && b < max_b ? max_b : b * 2) {
            struct aic_metrics mt;
            int rc = aic_run_static(&w, &r->wl, b, 1, &mt, &e);
            st->n_eval++;
            if (rc == AIC_OK && !mt.mem.oom) {
                add_prefill(&out[n++], &w, m, &r->wl, &mt, i, b, ttft_factor(r), st);
                continue;
            }
            if (b == 1 && (rc == AIC_OK || rc == AIC_ERR_OOM))
                st->n_oom_layouts++;
            else if (b == 1)
                st->n_nodata++;
            break;
        }
        aic_worker_release(&w);
        if (r->progress)
            r->progress(r->progress_user, "disagg prefill", be, i + 1, nl);
    }
    return n;
}

static int eval_decode(const struct aic_search_req *r, const struct aic_model *m,
                       struct aic_perfdb *db, enum aic_backend be, const char *system, int max_gpus,
                       struct wpoint *out, int cap, struct aic_sweep_stats *st)
{
    struct aic_layout lays[AIC_MAX_LAYOUTS];
    struct aic_worker_opts o;
    int bl[128];
    int nl = aic_space_role_layouts(r, m, be, system, max_gpus, 2, lays, AIC_MAX_LAYOUTS), n = 0;
    int nb = aic_space_decode_batches(bl, 128);
    if (r->space && r->space->decode_max_batch_size > 0) {
        int k = 0, max_b = r->space->decode_max_batch_size;
        for (int j = 0; j < nb; j++)
            if (bl[j] <= max_b)
                bl[k++] = bl[j];
        if (max_b < DECODE_MAX_BATCH && (k == 0 || bl[k - 1] != max_b))
            bl[k++] = max_b;
        nb = k;
    }
    aic_search_role_opts(r, 2,
                         r->space ? ovr(r->space->decode_latency_correction, DECODE_CORRECTION)
                                  : DECODE_CORRECTION,
                         &o);
    st->n_layouts += nl;
    for (int i = 0; i < nl; i++) {
        struct aic_worker w;
        struct aic_error e;
        if (aic_worker_init(&w, m, db, lays[i], &o, &e))
            continue;
        int fit = 0;
        for (int j = 0; j < nb && n < cap; j++) {
            struct aic_metrics mt;
            int rc = aic_run_static(&w, &r->wl, bl[j], 2, &mt, &e);
            st->n_eval++;
            if (rc == AIC_ERR_OOM || (rc == AIC_OK && mt.mem.oom))
                break;
            if (rc) {
                st->n_nodata++;
                continue;
            }
            struct wpoint *p = &out[n++];
            fit++;
            p->lay = w.lay, p->q = w.q, p->group = i, p->b = bl[j];
            p->gpus = aic_worker_gpus(&w);
            p->lat_ms = mt.tpot_ms;
            p->extra_ms = aic_disagg_handoff_ms(&w, mt.tpot_ms);
            p->seq_s = seq_or(&mt, 0);
            p->seq_s_gpu = p->seq_s / p->gpus;
            p->tok_s_user =
                mt.tokens_per_s_per_user > 0 ? mt.tokens_per_s_per_user : 1000.0 / mt.tpot_ms;
            p->mem_gb = mt.mem.total / GIB;
            if (mt.tpot_ms < st->best_tpot_ms)
                st->best_tpot_ms = mt.tpot_ms;
        }
        if (r->progress)
            r->progress(r->progress_user, "disagg decode", be, i + 1, nl);
        st->n_fit += fit;
        if (fit)
            st->n_layouts_ok++;
        else
            st->n_oom_layouts++;
        aic_worker_release(&w);
    }
    return n;
}

static int cmp_prefill(const void *a, const void *b)
{
    const struct wpoint *p = a, *q = b;
    if (p->seq_s_gpu != q->seq_s_gpu)
        return p->seq_s_gpu > q->seq_s_gpu ? -1 : 1;
    int gp = p->b * p->lay.dp, gq = q->b * q->lay.dp;
    if (gp != gq)
        return gp < gq ? -1 : 1;
    return p->group - q->group;
}

/* Decode points: by group (layout order), then seq/s/gpu desc, then batch. */
static int cmp_decode(const void *a, const void *b)
{
    const struct wpoint *p = a, *q = b;
    if (p->group != q->group)
        return p->group - q->group;
    if (p->seq_s_gpu != q->seq_s_gpu)
        return p->seq_s_gpu > q->seq_s_gpu ? -1 : 1;
    return p->b - q->b;
}

struct pairc {
    short x, y; /* 0: not computed; -1: no pair fits */
};

struct disagg_ctx {
    const struct aic_search_req *r;
    struct wpoint *pre, *dec;
    int np, nd, max_gpus, max_x, max_y;
    double kp, kd, ttft_factor; /* rate-matching degradations, prefill TTFT factor */
    struct pairc *cache;        /* np x nd */
    unsigned char *emitted;     /* np x nd */
};

/* TTFT of prefill point i paired with decode point j. */
static double pair_ttft_ms(const struct disagg_ctx *c, int i, int j)
{
    return c->ttft_factor * c->pre[i].lat_ms + c->pre[i].extra_ms + c->dec[j].extra_ms;
}

/* Best replica of prefill i and decode j; returns tokens/s/gpu or -1. */
static double pair_value(struct disagg_ctx *c, int i, int j, int *x, int *y, double *seq)
{
    struct pairc *pc = &c->cache[(size_t)i * c->nd + j];
    if (pc->x == 0) {
        int xx, yy;
        if (aic_rate_match_ex(c->pre[i].seq_s, c->pre[i].gpus, c->dec[j].seq_s, c->dec[j].gpus,
                              c->max_x, c->max_y, c->max_gpus, c->r->space, &xx, &yy))
            pc->x = pc->y = -1;
        else
            pc->x = (short)xx, pc->y = (short)yy;
    }
    if (pc->x < 0)
        return -1;
    *x = pc->x, *y = pc->y;
    double sp = c->pre[i].seq_s * *x * c->kp, sd = c->dec[j].seq_s * *y * c->kd;
    double latency_s = (pair_ttft_ms(c, i, j) + c->dec[j].lat_ms * (c->r->wl.osl - 1)) / 1000;
    double loop = (double)c->dec[j].b * c->dec[j].lay.dp * *y / latency_s;
    *seq = fmin(fmin(sp, sd), loop); /* the closed loop: concurrency / request latency */
    return *seq * c->r->wl.osl / (*x * c->pre[i].gpus + *y * c->dec[j].gpus);
}

static void fill_row(const struct disagg_ctx *c, enum aic_backend be, int i, int x, int j, int y,
                     double seq, struct aic_search_row *row)
{
    const struct wpoint *p = &c->pre[i], *d = &c->dec[j];
    memset(row, 0, sizeof *row);
    row->exp = AIC_EXP_DISAGG;
    row->backend = be;
    row->lay = p->lay, row->bs = p->b, row->workers = x, row->q = p->q;
    row->mem_gb = p->mem_gb, row->seq_s_worker = p->seq_s;
    row->d_lay = d->lay, row->d_bs = d->b, row->d_workers = y, row->d_q = d->q;
    row->d_mem_gb = d->mem_gb, row->d_seq_s_worker = d->seq_s;
    row->gpus = x * p->gpus + y * d->gpus;
    row->ttft_ms = pair_ttft_ms(c, i, j);
    row->tpot_ms = d->lat_ms;
    row->request_latency_ms = row->ttft_ms + row->tpot_ms * (c->r->wl.osl - 1);
    row->seq_s = seq;
    row->tokens_s = seq * c->r->wl.osl;
    row->tokens_s_gpu = row->tokens_s / row->gpus;
    row->tokens_s_user = d->tok_s_user;
    row->concurrency = (double)d->b * d->lay.dp * y;
    row->load_served_pct = 100.0;
}

struct group_best {
    double v;
    int i, j, x, y, gpus;
    double seq;
};

static int layout_cmp(const struct aic_layout *a, const struct aic_layout *b)
{
    const int ka[] = {a->tp, a->pp, a->dp, a->moe_tp, a->moe_ep};
    const int kb[] = {b->tp, b->pp, b->dp, b->moe_tp, b->moe_ep};
    for (int i = 0; i < 5; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

/* Whether pair a ranks before pair b: more value, then fewer GPUs, then faster decode, then
 * the smaller decode and prefill layouts and batches, so that the order does not depend on
 * the order the layouts were enumerated in (`cli default` and `cli exp` list them
 * differently). */
static int ranks_before(const struct disagg_ctx *c, const struct group_best *a,
                        const struct group_best *b)
{
    const struct wpoint *da = &c->dec[a->j], *db = &c->dec[b->j];
    const struct wpoint *pa = &c->pre[a->i], *pb = &c->pre[b->i];
    int l;

    if (a->v != b->v)
        return a->v > b->v;
    if (a->gpus != b->gpus)
        return a->gpus < b->gpus;
    if (da->lat_ms != db->lat_ms)
        return da->lat_ms < db->lat_ms;
    if ((l = layout_cmp(&da->lay, &db->lay)) || (l = da->b - db->b))
        return l < 0;
    if ((l = layout_cmp(&pa->lay, &pb->lay)) || (l = pa->b - pb->b))
        return l < 0;
    return a->x != b->x ? a->x < b->x : a->y < b->y;
}

/* One SLA target: best row per decode group, the best GROUPS_TOP groups emitted. */
static int run_target(struct disagg_ctx *c, enum aic_backend be, const struct aic_target *t,
                      struct aic_rows *out)
{
    int pidx[PREFILL_TOP], npi = 0;
    for (int i = 0; i < c->np && npi < PREFILL_TOP; i++)
        if (c->ttft_factor * c->pre[i].lat_ms + c->pre[i].extra_ms < t->ttft_ms)
            pidx[npi++] = i;
    if (!npi)
        return 0;
    struct group_best top[GROUPS_TOP];
    int ntop = 0;
    for (int j0 = 0; j0 < c->nd;) {
        int g = c->dec[j0].group, j1 = j0, taken = 0;
        struct group_best gb = {-1, 0, 0, 0, 0, 0, 0};
        while (j1 < c->nd && c->dec[j1].group == g)
            j1++;
        for (int j = j0; j < j1 && taken < DECODE_TOP; j++) {
            if (!(c->dec[j].lat_ms < t->tpot_ms))
                continue;
            taken++;
            for (int k = 0; k < npi; k++) {
                int x, y;
                double seq, v;
                if (!(pair_ttft_ms(c, pidx[k], j) < t->ttft_ms))
                    continue;
                v = pair_value(c, pidx[k], j, &x, &y, &seq);
                if (v <= 0)
                    continue;
                struct group_best cand = {
                    v, pidx[k], j, x, y, x * c->pre[pidx[k]].gpus + y * c->dec[j].gpus, seq};
                if (gb.v <= 0 || ranks_before(c, &cand, &gb))
                    gb = cand;
            }
        }
        j0 = j1;
        if (gb.v <= 0)
            continue;
        /* insert into the top list (ranks_before order) */
        int pos = ntop;
        while (pos > 0 && ranks_before(c, &gb, &top[pos - 1]))
            pos--;
        if (pos >= GROUPS_TOP)
            continue;
        if (ntop < GROUPS_TOP)
            ntop++;
        memmove(&top[pos + 1], &top[pos], (size_t)(ntop - 1 - pos) * sizeof *top);
        top[pos] = gb;
    }
    for (int k = 0; k < ntop; k++) {
        size_t key = (size_t)top[k].i * c->nd + top[k].j;
        if (c->emitted[key])
            continue;
        c->emitted[key] = 1;
        struct aic_search_row row;
        fill_row(c, be, top[k].i, top[k].x, top[k].j, top[k].y, top[k].seq, &row);
        if (aic_rows_push(out, &row))
            return AIC_ERR_NOMEM;
    }
    return 0;
}

/* The lowest TTFT a pair can reach, for the no-configuration message: the best prefill plus
 * the smallest KV handoff of a decode point meeting the TPOT bound (of any, if none does). */
static void best_pair_ttft(const struct disagg_ctx *c, struct aic_sweep_stats *st)
{
    double any = INFINITY, meeting = INFINITY;

    for (int j = 0; j < c->nd; j++) {
        any = fmin(any, c->dec[j].extra_ms);
        if (c->dec[j].lat_ms < c->r->tpot_ms)
            meeting = fmin(meeting, c->dec[j].extra_ms);
    }
    st->best_ttft_ms += isfinite(meeting) ? meeting : any;
    size_t len = strlen(st->best_ttft_desc);
    snprintf(st->best_ttft_desc + len, sizeof st->best_ttft_desc - len, " + decode KV handoff");
}

int aic_sweep_disagg(const struct aic_search_req *r, const struct aic_model *m,
                     struct aic_perfdb *pdb, struct aic_perfdb *ddb, enum aic_backend be,
                     const char *system, int max_gpus, int max_replica_gpus,
                     const struct aic_target *t, int nt, struct aic_rows *out,
                     struct aic_sweep_stats *st, struct aic_error *err)
{
    struct disagg_ctx c = {.r = r, .max_gpus = max_replica_gpus < 128 ? max_replica_gpus : 128};
    const struct aic_search_space *sp = r->space;
    int cap_d = AIC_MAX_LAYOUTS * 96, cap_p = AIC_MAX_LAYOUTS * 16, rc = AIC_OK;
    c.max_x = sp && sp->max_prefill_workers > 0 ? sp->max_prefill_workers : MAX_WORKERS;
    c.max_y = sp && sp->max_decode_workers > 0 ? sp->max_decode_workers : MAX_WORKERS;
    c.max_x = c.max_x > 512 ? 512 : c.max_x, c.max_y = c.max_y > 512 ? 512 : c.max_y;
    c.kp = sp ? ovr(sp->rate_match_prefill_degradation, 0.9) : 0.9;
    c.kd = sp ? ovr(sp->rate_match_decode_degradation, 0.92) : 0.92;
    c.ttft_factor = ttft_factor(r);
    if (sp && sp->max_gpu_per_replica > 0)
        c.max_gpus =
            sp->max_gpu_per_replica < max_replica_gpus ? sp->max_gpu_per_replica : max_replica_gpus;
    c.pre = calloc((size_t)cap_p, sizeof *c.pre);
    c.dec = calloc((size_t)cap_d, sizeof *c.dec);
    if (!c.pre || !c.dec) {
        rc = aic_err(err, AIC_ERR_NOMEM, "out of memory for the disagg sweep");
        goto out;
    }
    c.np = eval_prefill(r, m, pdb, be, system, max_gpus, c.pre, cap_p, st);
    c.nd = eval_decode(r, m, ddb, be, system, max_gpus, c.dec, cap_d, st);
    if (!c.np || !c.nd)
        goto out;
    best_pair_ttft(&c, st);
    qsort(c.pre, (size_t)c.np, sizeof *c.pre, cmp_prefill);
    qsort(c.dec, (size_t)c.nd, sizeof *c.dec, cmp_decode);
    c.cache = calloc((size_t)c.np * c.nd, sizeof *c.cache);
    c.emitted = calloc((size_t)c.np * c.nd, 1);
    if (!c.cache || !c.emitted) {
        rc = aic_err(err, AIC_ERR_NOMEM, "out of memory for the disagg rate matching");
        goto out;
    }
    for (int k = 0; k < nt && rc == AIC_OK; k++)
        if (run_target(&c, be, &t[k], out))
            rc = aic_err(err, AIC_ERR_NOMEM, "out of memory for the disagg rows");
out:
    free(c.pre), free(c.dec), free(c.cache), free(c.emitted);
    return rc;
}
