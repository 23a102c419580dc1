/*
 * cmd_validate.c - `aiconfigurator cli validate --measured FILE.csv [--out PRED.csv]`:
 * predicts every row of a measured-results file (the format of e2e_measured.csv, columns by
 * header name) and prints median / mean absolute percentage error of TTFT and TPOT per
 * (system, backend, mode) and overall. Rows the tool cannot interpret get a reason, are
 * counted, and are not guessed. One struct aic_ctx caches models, systems and databases for
 * the whole file. PRED.csv (id,pred_ttft_ms,pred_tpot_ms,status, the table shares, the TPOT
 * floor, the TTFT's parts and the request rate) is written to a temporary file and renamed, so
 * a failed run leaves no partial file.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/validate_fit.h"
#include "cli/validate_int.h"
#include "cli/validate_step.h"
#include "util/util.h"

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
     "write each row's prediction: id,pred_ttft_ms,pred_tpot_ms,status, table shares, TPOT "
     "floor, TTFT parts, request rate (columns: README)"},
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
    struct group plausible;      /* overall without the rows measured below their TPOT floor */
    int below_floor;             /* scored rows whose measured TPOT is below row_tpot_floor */
    int fell_back;               /* rows estimated in EMPIRICAL mode for want of perf data */
    char fell_back_on[160];      /* "system/backend" of the first of them */
};

static int add_outcome(struct val_state *s, const struct row *w, const struct aic_estimate_req *r,
                       int ok, double pt, double pp)
{
    char key[160];
    double mt = row_num(w, C_TTFT), mp = row_num(w, C_TPOT);
    struct group *g;

    snprintf(key, sizeof(key), "%s %s %s", row_cell(w, C_SYSTEM), row_cell(w, C_BACKEND),
             row_cell(w, C_MODE));
    g = group_get(&s->by_key, key);
    if (!g || group_add(g, ok, mt, pt, mp, pp) || group_add(&s->overall, ok, mt, pt, mp, pp))
        return -1;
    snprintf(key, sizeof(key), "%s %s %s %s", row_cell(w, C_SYSTEM), row_cell(w, C_BACKEND),
             row_cell(w, C_MODE), r->model ? r->model : "");
    g = group_get(&s->by_model, key);
    return g ? group_add(g, ok, mt, pt, mp, pp) : -1;
}

/* Writes a CSV cell, quoted when it holds a comma, quote or newline. */
/* The share of a phase's latency the perf tables carry (measured or interpolated). */
static double table_share(const double prov[AIC_PROV_COUNT])
{
    return prov[AIC_PROV_MEASURED] + prov[AIC_PROV_INTERPOLATED];
}

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

/* PRED.csv's columns after tpot_floor_ms: the parts of the predicted TTFT (as `cli estimate
 * --json` names them in ttft_breakdown_ms) and the deployment's request rate. */
#define TTFT_PART(f)                                                                               \
    {                                                                                              \
        "ttft_" #f "_ms", offsetof(struct aic_ttft_parts, f)                                       \
    }
static const struct {
    const char *column;
    size_t off;
} ttft_cols[] = {
    TTFT_PART(overhead),    TTFT_PART(scheduler),  TTFT_PART(queue),
    TTFT_PART(prefill),     TTFT_PART(dp_balance), TTFT_PART(kv_wait),
    TTFT_PART(kv_transfer), TTFT_PART(kv_handoff), TTFT_PART(stream),
};
#undef TTFT_PART
#define N_TTFT_COLS (sizeof(ttft_cols) / sizeof(ttft_cols[0]))

/* The TTFT's parts and the request rate of an estimated row; empty cells for the others. */
static void put_breakdown(FILE *f, int ok, const struct aic_metrics *m)
{
    const char *parts = (const char *)&m->ttft_parts;

    if (!ok) {
        for (size_t i = 0; i <= N_TTFT_COLS; i++)
            fputc(',', f);
        return;
    }
    for (size_t i = 0; i < N_TTFT_COLS; i++)
        fprintf(f, ",%.6f", *(const double *)(parts + ttft_cols[i].off));
    fprintf(f, ",%.6f", m->requests_per_s);
}

/* One row's line of PRED.csv: its prediction (ok) or why there is none, its TPOT floor (NAN:
 * none), then the TTFT's parts and the request rate. */
static void put_pred(struct val_state *s, const struct row *w, int ok, const struct aic_metrics *m,
                     const double share[2], const char *status, double floor_ms)
{
    char idbuf[24];

    if (!s->out)
        return;
    put_id(s->out, row_id(w, idbuf, sizeof(idbuf)));
    if (ok)
        fprintf(s->out, ",%.6f,%.6f,ok,%.4f,%.4f,", m->ttft_ms, m->tpot_ms, share[0], share[1]);
    else
        fprintf(s->out, ",,,%s,,,", status);
    if (isfinite(floor_ms))
        fprintf(s->out, "%.6f", floor_ms);
    put_breakdown(s->out, ok, m);
    fputc('\n', s->out);
}

/* Scores an estimated row against its TPOT floor: a row measured below it is counted apart,
 * the others make up s->plausible. */
static int score_floor(struct val_state *s, const struct row *w, double floor_ms, double pt,
                       double pp)
{
    double mt = row_num(w, C_TTFT), mp = row_num(w, C_TPOT);

    if (isfinite(floor_ms) && mp < floor_ms) {
        if (mt <= TTFT_SATURATED_MS)
            s->below_floor++;
        return 0;
    }
    return group_add(&s->plausible, 1, mt, pt, mp, pp);
}

/* Estimates row w into res (ok, or status/why/err say why not). */
static int estimate_row(const struct cli_env *env, struct aic_ctx *ctx, const struct row *w,
                        const struct val_opts *o, int db_explicit, struct val_state *s,
                        struct aic_estimate_req *req, struct aic_estimate_result *res, char *status,
                        size_t len)
{
    struct aic_error err = {0};
    char bad[128], idbuf[24];
    const char *why = row_req(ctx, w, req, o->db_mode, db_explicit);

    if (!why) /* a row without both measured values cannot be scored */
        why = row_measured(w, bad, sizeof(bad));
    req->opts.ttft = s->ttft;
    if (!why && aic_estimate(ctx, req, 0, res, &err))
        short_status(status, len, &err);
    else if (!why)
        return 1;
    else
        aic_strlcpy(status, why, len);
    cli_log(env, CLI_LOG_DEBUG, "row %s not estimated: %s", row_id(w, idbuf, sizeof(idbuf)),
            why ? why : err.msg);
    reason_add(&s->reasons, why ? why : err.msg[0] ? err.msg : status);
    return 0;
}

static int run_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                    const int *col, const struct val_opts *o, int db_explicit, struct val_state *s)
{
    struct aic_estimate_result *res = calloc(2, sizeof(*res));

    if (!res)
        return cli_error(env, 0, "out of memory");
    for (int i = 0; i < t->nrows; i++) {
        struct row w = {t, col, i};
        struct aic_estimate_req req;
        char status[128] = "ok";
        int ok = estimate_row(env, ctx, &w, o, db_explicit, s, &req, res, status, sizeof(status));
        double share[2] = {table_share(res->prov[0]), table_share(res->prov[1])}, floor_ms = NAN;

        if (ok && res->fell_back && !s->fell_back++)
            snprintf(s->fell_back_on, sizeof(s->fell_back_on), "%s/%s", row_cell(&w, C_SYSTEM),
                     row_cell(&w, C_BACKEND));
        if (ok && row_tpot_floor(ctx, &req, res + 1, &floor_ms))
            floor_ms = NAN;
        if (add_outcome(s, &w, &req, ok, ok ? res->m.ttft_ms : NAN, ok ? res->m.tpot_ms : NAN) ||
            (ok && score_floor(s, &w, floor_ms, res->m.ttft_ms, res->m.tpot_ms))) {
            free(res);
            return cli_error(env, 0, "out of memory");
        }
        put_pred(s, &w, ok, &res->m, share, status, floor_ms);
    }
    free(res);
    return CLI_OK;
}

/* Whether row w is one --fit-ttft uses: a request of `mode` that validate scores (both
 * measured values given) with a measured TTFT up to the saturation bound (into *req and
 * *measured). */
static int fit_row_ok(struct aic_ctx *ctx, const struct row *w, const struct val_opts *o,
                      int db_explicit, enum aic_serving_mode mode, struct aic_estimate_req *req,
                      double *measured)
{
    char bad[128];

    *measured = row_num(w, C_TTFT);
    return !row_req(ctx, w, req, o->db_mode, db_explicit) && req->mode == mode &&
           !row_measured(w, bad, sizeof(bad)) && *measured <= TTFT_SATURATED_MS;
}

/* The most sets of serving constants a fit estimates each row under. */
#define PROBES_MAX 5

/* A row's TTFT (want_tpot 0) or TPOT under each of n sets of serving constants; nonzero when
 * an estimate fails. */
static int row_probes(struct aic_ctx *ctx, struct aic_estimate_req *req,
                      const struct aic_ttft_consts *probe, int n, int want_tpot,
                      struct aic_estimate_result *res, double *out)
{
    struct aic_error err = {0};

    for (int k = 0; k < n; k++) {
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

/* What one aggregated row contributes to a fit: its measured value, its prediction under the
 * first probe (terms[0]) and what each other probe k adds to it (terms[k]); -1 when out of
 * memory. */
typedef int (*probe_sink)(void *arg, enum aic_backend b, double measured, const double *terms);

/* Every aggregated row validate scores (estimated, measured TTFT up to the saturation bound),
 * estimated under the n (<= PROBES_MAX) probes, into sink with its measured TTFT or
 * (want_tpot) TPOT. */
static int probe_agg_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                          const int *col, const struct val_opts *o, int db_explicit,
                          const struct aic_ttft_consts *probe, int n, int want_tpot,
                          probe_sink sink, void *arg)
{
    struct aic_estimate_result *res = calloc(1, sizeof(*res));
    int rc = res ? CLI_OK : cli_error(env, 0, "out of memory");

    for (int i = 0; rc == CLI_OK && i < t->nrows; i++) {
        struct row w = {t, col, i};
        struct aic_estimate_req req;
        double v[PROBES_MAX], measured;

        if (!fit_row_ok(ctx, &w, o, db_explicit, AIC_MODE_AGG, &req, &measured) ||
            row_probes(ctx, &req, probe, n, want_tpot, res, v))
            continue;
        if (want_tpot)
            measured = row_num(&w, C_TPOT);
        for (int k = 1; k < n; k++)
            v[k] -= v[0];
        if (sink(arg, req.backend, measured, v))
            rc = cli_error(env, 0, "out of memory");
    }
    free(res);
    return rc;
}

static int ttft_sink(void *arg, enum aic_backend b, double measured, const double *terms)
{
    struct fit_row r = {b, measured, terms[0], terms[1], terms[2], terms[3], terms[4]};
    return fit_add(arg, &r);
}

/* --fit-ttft: the own, queued, iteration, streamed and prompted terms (validate_fit.h) of
 * every aggregated row. */
static int fit_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                    const int *col, const struct val_opts *o, int db_explicit,
                    const struct aic_ttft_consts *now, struct fit_set *fs)
{
    const struct aic_ttft_consts probe[PROBES_MAX] = {
        with_host((struct aic_ttft_consts){.set = FIT_AGG_SET}, now),
        with_host((struct aic_ttft_consts){.queue_share = 1, .set = FIT_AGG_SET}, now),
        with_host((struct aic_ttft_consts){.step_iters = 1, .set = FIT_AGG_SET}, now),
        with_host((struct aic_ttft_consts){.stream_ms = 1, .set = FIT_AGG_SET}, now),
        with_host((struct aic_ttft_consts){.prompt_ms = 1, .set = FIT_AGG_SET}, now)};

    return probe_agg_rows(env, ctx, t, col, o, db_explicit, probe, PROBES_MAX, 0, ttft_sink, fs);
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

static int step_sink(void *arg, enum aic_backend b, double measured, const double *terms)
{
    struct step_row r = {b, measured, terms[0], terms[1], terms[2]};
    return step_fit_add(arg, &r);
}

/* --fit-step: every aggregated row with a measured TPOT, estimated with no host time and with
 * 1 ms of each host constant (the TTFT constants as this run's, `now`). */
static int fit_step_rows(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                         const int *col, const struct val_opts *o, int db_explicit,
                         const struct aic_ttft_consts *now, struct step_fit *f)
{
    struct aic_ttft_consts probe[3] = {*now, *now, *now};

    for (int k = 0; k < 3; k++) {
        probe[k].host_ms = k == 1;
        probe[k].host_per_req_ms = k == 2;
        probe[k].set |= AIC_TTFT_SET_HOST | AIC_TTFT_SET_HOST_PER_REQ;
    }
    return probe_agg_rows(env, ctx, t, col, o, db_explicit, probe, 3, 1, step_sink, f);
}

/* The rows measured faster than their deployment's speed-of-light decode step, and the
 * errors without them. */
static void print_floor(struct val_state *s)
{
    char a[16], b[16], c[16], d[16];

    fmt_pct(a, sizeof(a), errs_median(&s->plausible.ttft));
    fmt_pct(b, sizeof(b), errs_mean(&s->plausible.ttft));
    fmt_pct(c, sizeof(c), errs_median(&s->plausible.tpot));
    fmt_pct(d, sizeof(d), errs_mean(&s->plausible.tpot));
    printf("Rows whose measured TPOT is below the speed-of-light decode step of their deployment "
           "(one token per step at the GPUs' peak FLOPS and bandwidth: speculative decoding, or a "
           "measurement to check): %d of %d; without them TTFT MdAPE %s, MAPE %s; TPOT MdAPE %s, "
           "MAPE %s\n",
           s->below_floor, s->overall.ttft.n, a, b, c, d);
}

static void print_report(struct val_state *s, const struct val_opts *o, double wall_s)
{
    struct group sat = s->overall;
    char a[16], b[16];

    aic_strlcpy(s->overall.key, "overall", sizeof(s->overall.key));
    printf("Validation of %s: %d of %d rows estimated (%.1f%%)\n", o->measured,
           s->overall.estimated, s->overall.total,
           s->overall.total ? 100.0 * s->overall.estimated / s->overall.total : 0.0);
    if (s->fell_back)
        printf("Note: %d rows ran in EMPIRICAL mode for want of perf data (first: %s); pass "
               "--systems-paths with a perf database to use its tables.\n",
               s->fell_back, s->fell_back_on);
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
    print_floor(s);
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
    fputs("id,pred_ttft_ms,pred_tpot_ms,status,prefill_table_share,decode_table_share,"
          "tpot_floor_ms",
          *f);
    for (size_t i = 0; i < N_TTFT_COLS; i++)
        fprintf(*f, ",%s", ttft_cols[i].column);
    fputs(",pred_requests_per_s\n", *f);
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

/* --out must name a file other than --measured (which it would overwrite) and not a folder;
 * an --out that does not exist yet cannot be the measured file. */
static int check_out(const struct cli_env *env, const struct val_opts *o)
{
    struct stat so, sm;

    if (!o->out)
        return CLI_OK;
    if (!*o->out)
        return cli_error(env, 1,
                         "--out is empty; give the predictions file a name "
                         "(e.g. --out pred.csv) or drop --out");
    if (stat(o->out, &so))
        return CLI_OK;
    if (S_ISDIR(so.st_mode))
        return cli_error(env, 1, "--out '%s' is a directory; give a file name (e.g. %s/pred.csv)",
                         o->out, o->out);
    if (o->measured && !stat(o->measured, &sm) && so.st_dev == sm.st_dev && so.st_ino == sm.st_ino)
        return cli_error(env, 1,
                         "--out '%s' is the --measured file and would overwrite it; write the "
                         "predictions to another file (e.g. --out pred.csv)",
                         o->out);
    return CLI_OK;
}

static int check_columns(const struct cli_env *env, const struct csv_table *t, int *col,
                         const char *path)
{
    for (int c = 0; c < C_COUNT; c++)
        col[c] = col_index(t, vcol_names[c]);
    for (size_t i = 0; i < VCOL_REQUIRED_N; i++)
        if (col[vcol_required[i]] < 0)
            return cli_error(env, 0,
                             "'%s' has no column '%s'; the header must name the columns "
                             "of e2e_measured.csv (backend,model_path,system,mode,isl,"
                             "osl,...,silicon_ttft_ms,silicon_tpot_ms)",
                             path, vcol_names[vcol_required[i]]);
    return CLI_OK;
}

/* Reads the --measured file into t and its column indices into col, names normalized; t is
 * freed when that fails. */
static int load_measured(const struct cli_env *env, const char *path, struct csv_table *t, int *col)
{
    int rc = table_read(env, path, t);

    if (rc == CLI_OK)
        rc = check_columns(env, t, col, path);
    if (rc == CLI_OK)
        normalize_names(t, col);
    if (rc != CLI_OK)
        table_free(t);
    return rc;
}

/* Estimates every row into s, writing the predictions to --out when given (tmp: room for the
 * temporary file's name). */
static int predict(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                   const int *col, const struct val_opts *o, int db_explicit, struct val_state *s,
                   char *tmp, size_t tmp_len)
{
    int rc = CLI_OK;

    if (o->out)
        rc = open_out(env, o->out, tmp, tmp_len, &s->out);
    if (rc == CLI_OK)
        rc = run_rows(env, ctx, t, col, o, db_explicit, s);
    if (s->out) {
        int rc2 = close_out(env, o->out, tmp, s->out, rc == CLI_OK);
        rc = rc == CLI_OK ? rc2 : rc;
    }
    return rc;
}

/* --fit-ttft: fits the TTFT serving constants (the aggregated rows' terms, then the
 * disaggregated rows' KV handoff) and prints them next to this run's `now`. */
static int run_fit_ttft(const struct cli_env *env, struct aic_ctx *ctx, const struct csv_table *t,
                        const int *col, const struct val_opts *o, int db_explicit,
                        const struct aic_ttft_consts *now)
{
    struct fit_set fs = {0};
    int rc = fit_rows(env, ctx, t, col, o, db_explicit, now, &fs);

    if (rc == CLI_OK) {
        fit_agg(&fs, now);
        rc = fit_disagg_rows(env, ctx, t, col, o, db_explicit, now, &fs);
    }
    if (rc == CLI_OK)
        fit_print(&fs, now);
    fit_free(&fs);
    return rc;
}

int cmd_validate(struct cli_env *env, int argc, char **argv)
{
    struct val_opts o = {.db_mode = AIC_DB_SILICON};
    const struct cli_optset sets[] = {{val_table, &o, NULL}, {cli_ttft_table, &o.ttft, NULL}};
    struct csv_table t;
    struct val_state s;
    struct aic_ctx *ctx;
    int col[C_COUNT], rc, db_explicit;
    char tmp[AIC_PATH_MAX + 32];
    double t0 = aic_now_s();

    rc = cli_parse(env, "validate", val_summary, sets, 2, argc, argv);
    if (rc != CLI_OK)
        return rc;
    if (!o.measured)
        return cli_error(env, 1,
                         "--measured FILE.csv is required (e.g. "
                         "../shared/calibration/e2e_measured.csv)");
    rc = check_out(env, &o);
    if (rc != CLI_OK)
        return rc;
    rc = load_measured(env, o.measured, &t, col);
    if (rc != CLI_OK)
        return rc;
    memset(&s, 0, sizeof(s));
    cli_ttft_consts(env, &o.ttft, &s.ttft);
    db_explicit = cli_given(env, 0, "database-mode");
    ctx = aic_ctx_new(env->systems_paths);
    rc = ctx ? CLI_OK : cli_error(env, 0, "out of memory");
    if (rc == CLI_OK)
        rc = predict(env, ctx, &t, col, &o, db_explicit, &s, tmp, sizeof(tmp));
    if (rc == CLI_OK)
        print_report(&s, &o, aic_now_s() - t0);
    if (rc == CLI_OK && o.fit_ttft)
        rc = run_fit_ttft(env, ctx, &t, col, &o, db_explicit, &s.ttft);
    if (rc == CLI_OK && o.fit_step) {
        struct step_fit f = {0};
        rc = fit_step_rows(env, ctx, &t, col, &o, db_explicit, &s.ttft, &f);
        if (rc == CLI_OK)
            step_fit_print(&f, &s.ttft);
        step_fit_free(&f);
    }
    groups_free(&s.by_key);
    groups_free(&s.by_model);
    group_free(&s.overall);
    group_free(&s.plausible);
    aic_ctx_free(ctx);
    table_free(&t);
    return rc;
}
