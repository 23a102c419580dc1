/*
 * validate_stats.c - `cli validate`: absolute percentage errors per group (median, mean), the
 * printed table, and the grouped reasons rows were not estimated.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/validate_int.h"
#include "util/util.h"

static int errs_add(struct errs *e, double x)
{
    double *n = aic_grow(e->v, e->n, &e->cap, sizeof(*n), 64);

    if (!n)
        return -1;
    e->v = n;
    e->v[e->n++] = x;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double errs_median(struct errs *e)
{
    if (!e->n)
        return NAN;
    qsort(e->v, (size_t)e->n, sizeof(double), cmp_double);
    return e->n % 2 ? e->v[e->n / 2] : 0.5 * (e->v[e->n / 2 - 1] + e->v[e->n / 2]);
}

double errs_mean(const struct errs *e)
{
    double s = 0;
    for (int i = 0; i < e->n; i++)
        s += e->v[i];
    return e->n ? s / e->n : NAN;
}

struct group *group_get(struct groups *gs, const char *key)
{
    for (int i = 0; i < gs->n; i++)
        if (!strcmp(gs->g[i].key, key))
            return &gs->g[i];
    struct group *n = aic_grow(gs->g, gs->n, &gs->cap, sizeof(*n), 32);

    if (!n)
        return NULL;
    gs->g = n;
    memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
    aic_strlcpy(gs->g[gs->n].key, key, sizeof(gs->g[0].key));
    return &gs->g[gs->n++];
}

void group_free(struct group *g)
{
    free(g->ttft.v);
    free(g->tpot.v);
    free(g->ttft_sat.v);
    free(g->tpot_sat.v);
}

void groups_free(struct groups *gs)
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
int group_add(struct group *g, int ok, double mt, double pt, double mp, double pp)
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

void fmt_pct(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f%%", v);
}

/* One table line; width: of the group column. */
static void print_group(const struct group *g0, int width)
{
    struct group g = *g0; /* medians sort the arrays in place: fine */
    char a[16], b[16], c[16], d[16], rows[32];

    fmt_pct(a, sizeof(a), errs_median(&g.ttft));
    fmt_pct(b, sizeof(b), errs_mean(&g.ttft));
    fmt_pct(c, sizeof(c), errs_median(&g.tpot));
    fmt_pct(d, sizeof(d), errs_mean(&g.tpot));
    snprintf(rows, sizeof(rows), "%d/%d", g.estimated, g.total);
    printf("  %-*s %11s %10s %9s %10s %9s\n", width, g.key, rows, a, b, c, d);
}

/* The group column is as wide as the longest key (at least 34), so that long model names
 * keep the numbers aligned. */
void print_table(const char *title, struct groups *gs, const struct group *overall)
{
    int width = overall ? (int)strlen(overall->key) : 0;

    if (width < 34)
        width = 34;
    for (int i = 0; i < gs->n; i++)
        if ((int)strlen(gs->g[i].key) > width)
            width = (int)strlen(gs->g[i].key);
    if (gs->n)
        qsort(gs->g, (size_t)gs->n, sizeof(gs->g[0]), cmp_group);
    printf("\n%s\n", title);
    printf("  %-*s %11s %10s %9s %10s %9s\n", width, "group", "estimated", "TTFT MdAPE",
           "TTFT MAPE", "TPOT MdAPE", "TPOT MAPE");
    for (int i = 0; i < gs->n; i++)
        print_group(&gs->g[i], width);
    if (overall)
        print_group(overall, width);
}

/* ---- reasons --------------------------------------------------------------------------- */

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

void reason_add(struct reasons *rs, const char *why)
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
void reasons_sort(struct reasons *rs)
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
void short_status(char *dst, size_t len, const struct aic_error *err)
{
    size_t i;
    const char *m = err->msg[0] ? err->msg : aic_status_name(err->code);

    for (i = 0; m[i] && i + 1 < len && i < 90; i++)
        dst[i] = (m[i] == ',' || m[i] == '"' || m[i] == '\n' || m[i] == '\r') ? ';' : m[i];
    dst[i] = 0;
}
