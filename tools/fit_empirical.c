/*
 * fit_empirical.c - fits the EMPIRICAL efficiency model from a perf database and writes
 * data/empirical/<system>/<backend>.json.
 *
 *   fit_empirical PERFDB [OUTDIR [SYSTEM...]]     (OUTDIR defaults to data/empirical)
 *
 * For every (system, backend, op kind, quant) with measured points, utilization
 * u = SOL / latency is modelled as log(u) = bilinear interpolation on a regular grid over two
 * log2 size features (see emp_xy in src/perf/perf_internal.h), held flat beyond the grid.
 * The grid values are a least-squares fit with a second-difference smoothness penalty
 * (solved by Cholesky). Accuracy is reported as the 5-fold cross-validated mean absolute
 * percentage error of the latency per op kind, next to the error of the legacy constant
 * utilization, so the README can say how good EMPIRICAL is.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "perf/perf_internal.h"
#include "util/util.h"

#define MAX_NX 16
#define MAX_NY 10
#define FOLDS  5

struct sample {
    float x, y, lu;
};

struct group {
    enum emp_op op;
    char quant[48];
    size_t n, cap;
    struct sample *s;
};

struct groups {
    int n, cap;
    struct group *g;
};

static void add_sample(void *ud, enum emp_op op, const char *quant, double sol_ms, double lat_ms,
                       double x, double y)
{
    struct groups *gs = ud;
    struct group *g = NULL;
    for (int i = gs->n - 1; i >= 0 && !g; i--)
        if (gs->g[i].op == op && !strcmp(gs->g[i].quant, quant))
            g = &gs->g[i];
    if (!g) {
        if (gs->n == gs->cap) {
            gs->cap = gs->cap ? gs->cap * 2 : 32;
            gs->g = realloc(gs->g, (size_t)gs->cap * sizeof(*gs->g));
            if (!gs->g)
                abort();
        }
        g = &gs->g[gs->n++];
        memset(g, 0, sizeof(*g));
        g->op = op;
        snprintf(g->quant, sizeof(g->quant), "%s", quant);
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->s = realloc(g->s, g->cap * sizeof(*g->s));
        if (!g->s)
            abort();
    }
    double u = sol_ms / lat_ms;
    g->s[g->n++] = (struct sample){(float)x, (float)y, (float)log(u > 1e-6 ? u : 1e-6)};
}

/* Grid covering the group's feature ranges. */
static void grid_for(const struct group *g, struct emp_fit *f)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < g->n; i++) {
        xmin = fmin(xmin, g->s[i].x);
        xmax = fmax(xmax, g->s[i].x);
        ymin = fmin(ymin, g->s[i].y);
        ymax = fmax(ymax, g->s[i].y);
    }
    xmin = floor(xmin);
    ymin = floor(ymin);
    f->x0 = xmin;
    f->y0 = ymin;
    f->dx = fmax(1.0, ceil((xmax - xmin) / (MAX_NX - 1)));
    f->dy = fmax(1.0, ceil((ymax - ymin) / (MAX_NY - 1)));
    f->nx = (int)ceil((xmax - xmin) / f->dx) + 1;
    f->ny = (int)ceil((ymax - ymin) / f->dy) + 1;
    if (f->nx < 2)
        f->nx = 2;
    if (f->ny < 2)
        f->ny = 2;
}

/* Bilinear weights of a sample: 4 node indices and weights. */
static void weights(const struct emp_fit *f, double x, double y, int idx[4], double w[4])
{
    double fx = fmin(fmax((x - f->x0) / f->dx, 0), f->nx - 1);
    double fy = fmin(fmax((y - f->y0) / f->dy, 0), f->ny - 1);
    int ix = (int)fx, iy = (int)fy;
    if (ix >= f->nx - 1)
        ix = f->nx - 2;
    if (iy >= f->ny - 1)
        iy = f->ny - 2;
    double wx = fx - ix, wy = fy - iy;
    idx[0] = iy * f->nx + ix;
    idx[1] = idx[0] + 1;
    idx[2] = idx[0] + f->nx;
    idx[3] = idx[2] + 1;
    w[0] = (1 - wx) * (1 - wy);
    w[1] = wx * (1 - wy);
    w[2] = (1 - wx) * wy;
    w[3] = wx * wy;
}

static void add_penalty(double *A, int N, const int *id, const double *c, int n, double lam)
{
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            A[id[a] * N + id[b]] += lam * c[a] * c[b];
}

/* Adds the samples not in fold `skip` to the normal equations A v = b (N nodes); returns
 * their mean log-utilization (the op's default where there are none) and their count. */
static double add_samples(const struct group *g, const struct emp_fit *f, int skip, double *A,
                          double *b, size_t *used)
{
    int N = f->nx * f->ny;
    double mean = 0;
    *used = 0;
    for (size_t i = 0; i < g->n; i++) {
        if ((int)(i % FOLDS) == skip)
            continue;
        int id[4];
        double w[4];
        weights(f, g->s[i].x, g->s[i].y, id, w);
        for (int a = 0; a < 4; a++) {
            b[id[a]] += w[a] * g->s[i].lu;
            for (int c = 0; c < 4; c++)
                A[id[a] * N + id[c]] += w[a] * w[c];
        }
        mean += g->s[i].lu;
        (*used)++;
    }
    return *used ? mean / (double)*used : log(emp_default_util(g->op));
}

/* Adds the second-difference smoothness penalty (weight lam) along both grid axes. */
static void add_smoothing(const struct emp_fit *f, double *A, double *b, double lam, double mean)
{
    int N = f->nx * f->ny;
    static const double d2[3] = {1, -2, 1};
    for (int iy = 0; iy < f->ny; iy++)
        for (int ix = 0; ix < f->nx; ix++) {
            int c = iy * f->nx + ix;
            if (ix + 2 < f->nx) {
                int id[3] = {c, c + 1, c + 2};
                add_penalty(A, N, id, d2, 3, lam);
            }
            if (iy + 2 < f->ny) {
                int id[3] = {c, c + f->nx, c + 2 * f->nx};
                add_penalty(A, N, id, d2, 3, lam);
            }
            /* a weak pull to the mean keeps empty regions defined */
            A[c * N + c] += 1e-3 * lam;
            b[c] += 1e-3 * lam * mean;
        }
}

/* Solves A x = b (N x N, symmetric positive definite) by Cholesky, A's lower triangle
 * overwritten by L and b by x; -1 when A is not positive definite. */
static int cholesky_solve(double *A, double *b, int N)
{
    for (int j = 0; j < N; j++) { /* A = L L^T in place */
        double d = A[j * N + j];
        for (int k = 0; k < j; k++)
            d -= A[j * N + k] * A[j * N + k];
        if (d <= 0)
            return -1;
        d = sqrt(d);
        A[j * N + j] = d;
        for (int i = j + 1; i < N; i++) {
            double s = A[i * N + j];
            for (int k = 0; k < j; k++)
                s -= A[i * N + k] * A[j * N + k];
            A[i * N + j] = s / d;
        }
    }
    for (int i = 0; i < N; i++) { /* L y = b */
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= A[i * N + k] * b[k];
        b[i] = s / A[i * N + i];
    }
    for (int i = N - 1; i >= 0; i--) { /* L^T x = y */
        double s = b[i];
        for (int k = i + 1; k < N; k++)
            s -= A[k * N + i] * b[k];
        b[i] = s / A[i * N + i];
    }
    return 0;
}

/* Least squares with smoothness penalty; samples with (i % FOLDS) == skip are left out. */
static int fit_grid(const struct group *g, struct emp_fit *f, int skip)
{
    int N = f->nx * f->ny;
    double *A = calloc((size_t)N * N, sizeof(double)), *b = calloc((size_t)N, sizeof(double));
    size_t used;
    if (!A || !b)
        abort();
    double mean = add_samples(g, f, skip, A, b, &used);
    add_smoothing(f, A, b, fmax(1.0, 0.002 * (double)used), mean);
    int rc = cholesky_solve(A, b, N);
    if (rc == 0)
        for (int i = 0; i < N; i++)
            f->v[i] = fmin(b[i], 0.0); /* utilization never above 1 */
    free(A);
    free(b);
    return rc;
}

struct err_acc {
    double cv, legacy;
    size_t n;
};

/* Fits one group; returns the fit and accumulates held-out and legacy errors. */
static int fit_group(const struct group *g, struct emp_fit *out, struct err_acc *acc)
{
    struct emp_fit f;
    memset(&f, 0, sizeof(f));
    snprintf(f.op, sizeof(f.op), "%s", emp_op_name(g->op));
    aic_strlcpy(f.quant, g->quant, sizeof(f.quant));
    grid_for(g, &f);
    double legacy = emp_default_util(g->op);
    if (g->n >= 2 * FOLDS) {
        for (int k = 0; k < FOLDS; k++) {
            struct emp_fit h = f;
            if (fit_grid(g, &h, k))
                return -1;
            for (size_t i = (size_t)k; i < g->n; i += FOLDS) {
                double u = exp(g->s[i].lu), up = emp_fit_eval(&h, g->s[i].x, g->s[i].y);
                acc->cv += fabs(u / up - 1);
                acc->legacy += fabs(u / legacy - 1);
                acc->n++;
            }
        }
    }
    if (fit_grid(g, &f, -1))
        return -1;
    *out = f;
    return 0;
}

static json_t *fit_json(const struct emp_fit *f, size_t n, double cv)
{
    json_t *o = json_object(), *v = json_array();
    json_object_set_new(o, "op", json_string(f->op));
    json_object_set_new(o, "quant", json_string(f->quant));
    json_object_set_new(o, "samples", json_integer((json_int_t)n));
    json_object_set_new(o, "cv_mape", json_real(round(cv * 1e4) / 1e4));
    json_object_set_new(o, "x0", json_real(f->x0));
    json_object_set_new(o, "dx", json_real(f->dx));
    json_object_set_new(o, "nx", json_integer(f->nx));
    json_object_set_new(o, "y0", json_real(f->y0));
    json_object_set_new(o, "dy", json_real(f->dy));
    json_object_set_new(o, "ny", json_integer(f->ny));
    for (int i = 0; i < f->nx * f->ny; i++)
        json_array_append_new(v, json_real(round(f->v[i] * 1e5) / 1e5));
    json_object_set_new(o, "log_util", v);
    return o;
}

/* Fits every group into the array fits, freeing the groups, and sums per op the errors that
 * the summary scores. */
static void fit_groups(struct groups *gs, json_t *fits, struct err_acc by_op[EMP_COUNT])
{
    int has_classes[EMP_COUNT] = {0};
    for (int i = 0; i < gs->n; i++)
        if (strchr(gs->g[i].quant, '@'))
            has_classes[gs->g[i].op] = 1;
    for (int i = 0; i < gs->n; i++) {
        struct group *g = &gs->g[i];
        struct emp_fit f;
        struct err_acc a = {0};
        if (fit_group(g, &f, &a) == 0) {
            json_array_append_new(fits, fit_json(&f, g->n, a.n ? a.cv / (double)a.n : 0));
            /* the summary scores the fits queries use: an op's per-class fits where it has
             * them, not the whole-dtype fallbacks fitted on the same points */
            if (!has_classes[g->op] || strchr(g->quant, '@')) {
                by_op[g->op].cv += a.cv;
                by_op[g->op].legacy += a.legacy;
                by_op[g->op].n += a.n;
            }
        }
        free(g->s);
    }
    free(gs->g);
}

/* Prints the cross-validated and legacy error of each op and returns them as "error_by_op". */
static json_t *error_summary(const struct err_acc by_op[EMP_COUNT])
{
    json_t *summary = json_object();
    for (int op = 0; op < EMP_COUNT; op++) {
        if (!by_op[op].n)
            continue;
        double cv = by_op[op].cv / (double)by_op[op].n, lg = by_op[op].legacy / (double)by_op[op].n;
        printf("  %-24s %8zu points  5-fold MAPE %6.1f%%  (legacy constant %7.1f%%)\n",
               emp_op_name((enum emp_op)op), by_op[op].n, cv * 100, lg * 100);
        json_t *o = json_object();
        json_object_set_new(o, "points", json_integer((json_int_t)by_op[op].n));
        json_object_set_new(o, "cv_mape", json_real(round(cv * 1e4) / 1e4));
        json_object_set_new(o, "legacy_mape", json_real(round(lg * 1e4) / 1e4));
        json_object_set_new(summary, emp_op_name((enum emp_op)op), o);
    }
    return summary;
}

/* Writes root to OUTDIR/<system>/<backend>.json, creating the folders; 1 when it fails. */
static int write_fits(const char *outdir, const struct aic_system *sys, enum aic_backend be,
                      json_t *root)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/%s", outdir, sys->name);
    mkdir(outdir, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/%s/%s.json", outdir, sys->name, aic_backend_name(be));
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_COMPACT | JSON_REAL_PRECISION(8));
    if (rc)
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    return rc ? 1 : 0;
}

static int fit_backend(const char *outdir, const struct aic_system *sys, enum aic_backend be)
{
    struct aic_perfdb *db;
    struct aic_error err = {0};
    struct groups gs = {0};
    struct err_acc by_op[EMP_COUNT];

    if (aic_perfdb_open(sys, be, NULL, AIC_DB_SILICON, &db, &err)) {
        printf("%s/%s: skipped (%s)\n", sys->name, aic_backend_name(be), err.msg);
        return 0;
    }
    if (perfdb_samples(db, add_sample, &gs, &err)) {
        fprintf(stderr, "%s/%s: %s\n", sys->name, aic_backend_name(be), err.msg);
        aic_perfdb_free(db);
        return 1;
    }
    memset(by_op, 0, sizeof(by_op));
    json_t *root = json_object(), *fits = json_array();
    json_object_set_new(root, "system", json_string(sys->name));
    json_object_set_new(root, "backend", json_string(aic_backend_name(be)));
    json_object_set_new(root, "version", json_string(aic_perfdb_version(db)));
    json_object_set_new(root, "model", json_string("log(util) bilinear on a log2 feature grid"));
    fit_groups(&gs, fits, by_op);
    printf("%s/%s %s\n", sys->name, aic_backend_name(be), aic_perfdb_version(db));
    json_object_set_new(root, "error_by_op", error_summary(by_op));
    json_object_set_new(root, "fits", fits);
    int rc = write_fits(outdir, sys, be, root);
    json_decref(root);
    aic_perfdb_free(db);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const systems[] = {"a100_sxm", "b200_sxm", "gb200", "h100_sxm", "h200_sxm"};
    const char *outdir = argc > 2 ? argv[2] : "data/empirical";
    const char *const *list = systems;
    int nsys = 5, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PERFDB [OUTDIR [SYSTEM...]]\n", argv[0]);
        return 2;
    }
    if (argc > 3) {
        list = (const char *const *)(argv + 3);
        nsys = argc - 3;
    }
    for (int i = 0; i < nsys; i++) {
        struct aic_system sys;
        struct aic_error err = {0};
        char spec[2048];
        snprintf(spec, sizeof(spec), "%s/%s.yaml", argv[1], list[i]);
        if (aic_system_parse_file(spec, &sys, &err)) {
            fprintf(stderr, "%s: %s\n", spec, err.msg);
            rc = 1;
            continue;
        }
        snprintf(sys.name, sizeof(sys.name), "%s", list[i]);
        for (int b = 0; b < AIC_BACKEND_COUNT; b++)
            rc |= fit_backend(outdir, &sys, (enum aic_backend)b);
    }
    return rc;
}
