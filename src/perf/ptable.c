/*
 * ptable.c - loading a perf CSV (columns by header name) and storing it as a sorted table of
 * slices: the flat arrays every lookup binary-searches. A file without quotes or carriage
 * returns (every perf table we ship against) is split in place, which loads a database in
 * about half the time (a large one in two halves at once, on two threads); any other goes
 * through libcsv.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "perf/perf_internal.h"
#include "util/util.h"

int strpool_find(const struct strpool *p, const char *s)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->s[i], s))
            return i;
    return -1;
}

int strpool_add(struct strpool *p, const char *s)
{
    int i = strpool_find(p, s);
    if (i >= 0)
        return i;
    if (p->n >= PT_MAXSTR || strlen(s) >= PT_STRLEN)
        return -1;
    aic_strlcpy(p->s[p->n], s, PT_STRLEN);
    return p->n++;
}

void ptable_free(struct ptable *t)
{
    free(t->keys);
    free(t->start);
    free(t->ax);
    free(t->lax);
    free(t->lat);
    t->keys = t->ax = t->lax = t->lat = NULL;
    t->start = NULL;
    t->npts = t->nslices = 0;
}

/* ---- CSV ------------------------------------------------------------------------------- */

#define RAW_MAXCOLS    32
#define PARALLEL_BYTES (1u << 20) /* a file this large is parsed in two halves at once */

struct rawctx {
    const struct rawcol *cols;
    size_t ncols;
    struct strpool *pool;
    struct rawtab *out;
    size_t cap;
    int map[RAW_MAXCOLS];  /* file column -> requested column (-1 = ignored) */
    int seen[RAW_MAXCOLS]; /* requested column found in the header */
    int last_id[RAW_MAXCOLS];
    size_t last_len[RAW_MAXCOLS]; /* strlen of the pool string last_id names */
    size_t field;                 /* field index in the current row */
    int header_done;
    int nonfinite; /* the current row has a NaN, infinite or absurd (> 1e12) number: dropped */
    int failed;    /* 1 = out of memory, 2 = too many strings */
    const char *const *needles; /* NULL, or data lines lacking one of these are skipped */
    int fixed;                  /* out->v may not grow past cap rows */
    double row[RAW_MAXCOLS];
};

static const double pow10_tab[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* A plain decimal ([-]digits[.digits], at most 15 digits) at the start of [p, end) into *out,
 * exactly as strtod reads it; returns the end of its digits, or NULL when there is none. */
static const char *scan_decimal(const char *p, const char *end, double *out)
{
    int neg = 0, nd = 0, nf = 0;
    uint64_t v = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (p < end && *p == '.')
        for (p++; p < end && (unsigned)(*p - '0') < 10; p++, nf++)
            v = v * 10 + (uint64_t)(*p - '0');
    if (nd + nf > 15 || nd + nf == 0)
        return NULL;
    double d = nf ? (double)v / pow10_tab[nf] : (double)v;
    *out = neg ? -d : d;
    return p;
}

/* A NUL-terminated number: plain decimals without strtod (same rounding), others with it. */
static double parse_num(const char *s)
{
    size_t n = strlen(s);
    double d;
    const char *e = scan_decimal(s, s + n, &d);
    return e == s + n ? d : strtod(s, NULL);
}

static void raw_field(void *f, size_t len, void *data)
{
    struct rawctx *c = data;
    const char *s = f ? (const char *)f : "";
    size_t fi = c->field++;

    if (!f)
        len = 0;
    if (fi >= RAW_MAXCOLS)
        return;
    if (!c->header_done) {
        c->map[fi] = -1;
        for (size_t j = 0; j < c->ncols; j++)
            if (!strcmp(c->cols[j].name, s)) {
                c->map[fi] = (int)j;
                c->seen[j] = 1;
            }
        return;
    }
    int j = c->map[fi];
    if (j < 0)
        return;
    if (c->cols[j].is_str) {
        int id = c->last_id[j];
        /* same as the last row's name (the usual case): s is NUL-terminated at len */
        if (id < 0 || len != c->last_len[j] || memcmp(c->pool->s[id], s, len)) {
            id = strpool_add(c->pool, s);
            if (id < 0) {
                c->failed = 2;
                id = 0;
            }
            c->last_id[j] = id;
            c->last_len[j] = strlen(c->pool->s[id]);
        }
        c->row[j] = id;
    } else {
        c->row[j] = parse_num(s);
        c->nonfinite |= !(fabs(c->row[j]) <= 1e12); /* also NaN; keys become ints */
    }
}

static void raw_row(int ch, void *data)
{
    struct rawctx *c = data;
    struct rawtab *r = c->out;

    (void)ch;
    if (!c->header_done) {
        for (size_t fi = c->field; fi < RAW_MAXCOLS; fi++)
            c->map[fi] = -1;
        c->header_done = 1;
        c->field = 0;
        return;
    }
    if ((c->field <= 1 && c->field < c->ncols) || c->nonfinite) { /* blank line, NaN or inf */
        c->field = c->nonfinite = 0;
        for (size_t j = 0; j < c->ncols; j++)
            c->row[j] = c->cols[j].defval;
        return;
    }
    c->field = 0;
    if (r->nrows == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4096;
        if (c->fixed) { /* a half's rows live inside the whole file's array: never moved */
            c->failed = 1;
            return;
        }
        double *nv = realloc(r->v, ncap * c->ncols * sizeof(double));
        if (!nv) {
            c->failed = 1;
            return;
        }
        r->v = nv;
        c->cap = ncap;
    }
    memcpy(r->v + r->nrows * c->ncols, c->row, c->ncols * sizeof(double));
    r->nrows++;
    for (size_t j = 0; j < c->ncols; j++)
        c->row[j] = c->cols[j].defval;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* A data field at p that is a plain decimal (blanks around it allowed) stored straight into
 * requested column j, as parse_num would read it; returns the field's end (its comma or le),
 * or NULL to leave the field to raw_field. */
static char *fast_num(char *p, char *le, struct rawctx *c, int j)
{
    double d;
    const char *e;

    while (p < le && is_blank(*p))
        p++;
    if (!(e = scan_decimal(p, le, &d)))
        return NULL;
    for (p = (char *)e; p < le && is_blank(*p);)
        p++;
    if (p < le && *p != ',')
        return NULL;
    c->row[j] = d;
    c->nonfinite |= !(fabs(d) <= 1e12);
    c->field++;
    return p;
}

/* One line of a plain CSV: its fields, blanks around each dropped (as libcsv drops them);
 * plain numbers of a data line parsed where they stand. */
static void split_line(char *p, char *le, struct rawctx *c)
{
    for (;;) {
        int j = c->header_done && c->field < RAW_MAXCOLS ? c->map[c->field] : -1;
        char *comma = j >= 0 && !c->cols[j].is_str ? fast_num(p, le, c, j) : NULL, *fe;
        if (!comma) {
            comma = p;
            while (comma < le && *comma != ',') /* fields are short: faster than memchr */
                comma++;
            fe = comma;
            while (p < fe && is_blank(*p))
                p++;
            while (fe > p && is_blank(fe[-1]))
                fe--;
            *fe = 0;
            raw_field(p, (size_t)(fe - p), c);
        }
        if (comma == le)
            break;
        p = comma + 1;
    }
    raw_row('\n', c);
}

/* Whether the data line [p, eol), which holds c's first needle, holds the others (always,
 * without needles). */
static int line_wanted(const char *p, const char *eol, const struct rawctx *c)
{
    if (!c->needles || !c->needles[0] || !c->header_done)
        return 1;
    /* split_plain only reaches lines holding the first needle (next_line_with) */
    for (const char *const *n = c->needles + 1; *n; n++)
        if (!memmem(p, (size_t)(eol - p), *n, strlen(*n)))
            return 0;
    return 1;
}

/* The start of the first line in [p, end) that holds `needle`, or NULL: the lines before it
 * skipped at memmem's speed. */
static char *next_line_with(char *p, char *end, const char *needle)
{
    char *q = memmem(p, (size_t)(end - p), needle, strlen(needle));
    if (!q)
        return NULL;
    while (q > p && q[-1] != '\n')
        q--;
    return q;
}

/* A CSV without quotes or carriage returns, split in place (buf holds len + 1 bytes); blank
 * lines are skipped, as libcsv skips them, and so are lines without c's needles. */
static void split_plain(char *buf, size_t len, struct rawctx *c)
{
    char *p = buf, *end = buf + len;

    while (p < end) {
        if (c->needles && c->needles[0] && c->header_done &&
            !(p = next_line_with(p, end, c->needles[0])))
            break;
        char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
        if (!eol)
            eol = end;
        while (q < eol && is_blank(*q))
            q++;
        if (q < eol && line_wanted(q, eol, c))
            split_line(p, eol, c);
        p = eol + 1;
    }
}

/* The second half of a large plain CSV, parsed on a thread of its own into its own string
 * pool (ids in order of first appearance there, renumbered when the halves join) and into the
 * whole file's row array, after the rows the first half can at most produce. */
struct half {
    struct rawctx c;
    struct strpool pool;
    struct rawtab out;
    char *p;
    size_t len;
};

static void *split_half(void *arg)
{
    struct half *h = arg;
    split_plain(h->p, h->len, &h->c);
    return NULL;
}

/* Lines in [p, end): an upper bound on the rows they hold. */
static size_t count_lines(const char *p, const char *end)
{
    size_t n = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        n++;
        p = eol ? eol + 1 : end;
    }
    return n;
}

/* Moves h's rows (at row `base` of c's array) right after c's own and renumbers their string
 * ids into c's pool as a single pass over the whole file would have numbered them. */
static void join_half(struct rawctx *c, struct half *h, size_t base)
{
    struct rawtab *r = c->out;
    size_t nc = c->ncols;
    int gid[PT_MAXSTR];

    if (h->c.failed && !c->failed)
        c->failed = h->c.failed;
    for (int k = 0; k < h->pool.n; k++) {
        gid[k] = strpool_add(c->pool, h->pool.s[k]);
        if (gid[k] < 0) {
            c->failed = c->failed ? c->failed : 2;
            gid[k] = 0;
        }
    }
    if (!h->out.nrows || c->failed)
        return;
    double *d = r->v + r->nrows * nc;
    if (base != r->nrows) /* the first half dropped rows (blank, NaN or unwanted lines) */
        memmove(d, r->v + base * nc, h->out.nrows * nc * sizeof(double));
    for (size_t i = 0; i < h->out.nrows; i++, d += nc)
        for (size_t j = 0; j < nc; j++)
            if (c->cols[j].is_str)
                d[j] = gid[(int)d[j]];
    r->nrows += h->out.nrows;
}

/* Sets h up to parse [mid, end) into rows base.. of c's array (room for n rows). */
static void half_init(struct half *h, const struct rawctx *c, char *mid, char *end, size_t base,
                      size_t n)
{
    h->c = *c;
    h->c.pool = &h->pool;
    h->out.ncols = c->ncols;
    h->out.v = c->out->v + base * c->ncols;
    h->c.out = &h->out;
    h->c.cap = n;
    h->c.fixed = 1;
    for (size_t j = 0; j < c->ncols; j++)
        h->c.last_id[j] = -1;
    h->p = mid;
    h->len = (size_t)(end - mid);
}

/* split_plain, a large file's second half on another thread: the header line first, then
 * the rest cut at a line end near its middle, the rows of both halves in one array sized
 * by counting lines. */
static void split_plain_halves(char *buf, size_t len, struct rawctx *c)
{
    char *p = buf, *end = buf + len;
    while (p < end && !c->header_done) { /* up to the header (blank lines before it) */
        char *eol = memchr(p, '\n', (size_t)(end - p));
        eol = eol ? eol + 1 : end;
        split_plain(p, (size_t)(eol - p), c);
        p = eol;
    }
    char *mid = p + (size_t)(end - p) / 2;
    mid = mid < end ? memchr(mid, '\n', (size_t)(end - mid)) : NULL;
    size_t n1 = mid ? count_lines(p, mid + 1) : 0, n2 = mid ? count_lines(mid + 1, end) : 0;
    struct half *h = mid ? calloc(1, sizeof(*h)) : NULL; /* pool zeroed: s[0] is "" */
    double *v = h ? malloc((n1 + n2 + 1) * c->ncols * sizeof(double)) : NULL;
    pthread_t th;
    if (!v || c->out->v) {
        free(h);
        free(v);
        split_plain(p, (size_t)(end - p), c);
        return;
    }
    c->out->v = v;
    c->cap = n1; /* the first half's room, up to where the second half's rows start */
    c->fixed = 1;
    half_init(h, c, mid + 1, end, n1, n2 + 1);
    int threaded = pthread_create(&th, NULL, split_half, h) == 0;
    split_plain(p, (size_t)(mid + 1 - p), c);
    if (threaded)
        pthread_join(th, NULL);
    else
        split_half(h);
    c->cap = n1 + n2 + 1;
    c->fixed = 0;
    join_half(c, h, n1);
    free(h);
}

static int plain_csv(const char *buf, size_t len)
{
    return !memchr(buf, '"', len) && !memchr(buf, '\r', len);
}

/* Parses buf with libcsv into c; an error message in err on malformed input. */
static int parse_libcsv(const char *path, char *buf, size_t len, struct rawctx *c,
                        struct aic_error *err)
{
    struct csv_parser p;
    int rc = AIC_OK;

    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return aic_err(err, AIC_ERR_NOMEM, "cannot start the CSV parser for %s", path);
    csv_set_blk_size(&p, 4096);
    if (csv_parse(&p, buf, len, raw_field, raw_row, c) != len)
        rc = aic_err(err, AIC_ERR_PARSE, "%s: %s", path, csv_strerror(csv_error(&p)));
    else
        csv_fini(&p, raw_field, raw_row, c);
    csv_free(&p);
    return rc;
}

int rawtab_load(const char *path, const struct rawcol *cols, size_t ncols, struct strpool *pool,
                struct rawtab *out, struct aic_error *err)
{
    return rawtab_load_some(path, cols, ncols, NULL, pool, out, err);
}

int rawtab_load_some(const char *path, const struct rawcol *cols, size_t ncols,
                     const char *const *needles, struct strpool *pool, struct rawtab *out,
                     struct aic_error *err)
{
    struct rawctx c;
    char *buf;
    size_t len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (ncols > RAW_MAXCOLS)
        return aic_err(err, AIC_ERR_RUNTIME, "too many columns requested from %s", path);
    rc = aic_read_file(path, &buf, &len, err);
    if (rc)
        return rc;
    memset(&c, 0, sizeof(c));
    c.cols = cols;
    c.ncols = ncols;
    c.pool = pool;
    c.out = out;
    c.needles = needles;
    out->ncols = ncols;
    for (size_t j = 0; j < ncols; j++) {
        c.last_id[j] = -1;
        c.row[j] = cols[j].defval;
    }
    if (plain_csv(buf, len) && len >= PARALLEL_BYTES)
        split_plain_halves(buf, len, &c);
    else if (plain_csv(buf, len))
        split_plain(buf, len, &c);
    else
        rc = parse_libcsv(path, buf, len, &c, err);
    if (!rc && c.failed == 1)
        rc = aic_err(err, AIC_ERR_NOMEM, "out of memory reading %s", path);
    else if (!rc && c.failed == 2)
        rc = aic_err(err, AIC_ERR_PARSE,
                     "%s: more than %d distinct names (or one longer "
                     "than %d characters) in key columns",
                     path, PT_MAXSTR, PT_STRLEN - 1);
    free(buf);
    for (size_t j = 0; !rc && j < ncols; j++)
        if (!c.seen[j] && !cols[j].optional)
            rc =
                aic_err(err, AIC_ERR_PARSE, "%s: no column '%s' in the header", path, cols[j].name);
    if (rc)
        rawtab_free(out);
    return rc;
}

void rawtab_free(struct rawtab *r)
{
    free(r->v);
    r->v = NULL;
    r->nrows = 0;
}

/* ---- building ------------------------------------------------------------------------- */

int pbuild_reserve(struct pbuild *b, size_t n)
{
    size_t w = (size_t)(b->nk + b->na + 2);
    if (b->n + n <= b->cap)
        return AIC_OK;
    double *nr = realloc(b->rec, (b->n + n) * w * sizeof(double));
    if (!nr)
        return AIC_ERR_NOMEM;
    b->rec = nr;
    b->cap = b->n + n;
    return AIC_OK;
}

int pbuild_add(struct pbuild *b, const double *keys, const double *axes, double lat)
{
    size_t w = (size_t)(b->nk + b->na + 2);
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        double *nr = realloc(b->rec, ncap * w * sizeof(double));
        if (!nr)
            return AIC_ERR_NOMEM;
        b->rec = nr;
        b->cap = ncap;
    }
    double *r = b->rec + b->n * w;
    memcpy(r, keys, (size_t)b->nk * sizeof(double));
    memcpy(r + b->nk, axes, (size_t)b->na * sizeof(double));
    r[b->nk + b->na] = lat;
    r[b->nk + b->na + 1] = (double)b->n;
    b->n++;
    return AIC_OK;
}

static int rec_cmp(const void *a, const void *b, void *arg)
{
    const double *x = a, *y = b;
    int n = *(const int *)arg; /* keys + axes */
    for (int i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    /* same key: earlier row first (first row wins) */
    return x[n + 1] < y[n + 1] ? -1 : x[n + 1] > y[n + 1];
}

static int rec_sorted(const double *rec, size_t n, size_t w, int *nka)
{
    for (size_t i = 1; i < n; i++)
        if (rec_cmp(rec + (i - 1) * w, rec + i * w, nka) > 0)
            return 0;
    return 1;
}

/* rec_cmp on the rows of one slice (equal keys): compares the axes and sequence only. */
struct axes_cmp_ctx {
    int nk, nka;
};

static int axes_cmp(const void *a, const void *b, void *arg)
{
    const struct axes_cmp_ctx *c = arg;
    const double *x = a, *y = b;
    for (int i = c->nk; i < c->nka; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return x[c->nka + 1] < y[c->nka + 1] ? -1 : x[c->nka + 1] > y[c->nka + 1];
}

/* Bitwise equality of n doubles (memcmp with a constant size per element inlines). */
static int same_bits(const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++)
        if (memcmp(a + i, b + i, sizeof(double)))
            return 0;
    return 1;
}

static uint64_t key_hash(const double *k, int nk)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < nk; i++) {
        uint64_t x;
        memcpy(&x, &k[i], sizeof(x));
        h = (h ^ x) * 1099511628211ull;
        h ^= h >> 29;
    }
    return h;
}

struct slice_sort_ctx {
    const double *rec;
    const size_t *first; /* representative row of each slice */
    size_t w;
    int nk;
};

static int slice_cmp(const void *a, const void *b, void *arg)
{
    const struct slice_sort_ctx *c = arg;
    const double *x = c->rec + c->first[*(const uint32_t *)a] * c->w;
    const double *y = c->rec + c->first[*(const uint32_t *)b] * c->w;
    for (int i = 0; i < c->nk; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* Numbers the slices (rows with the same key columns, found by hashing them) in order of
 * appearance: sid[i] is row i's slice, first[s] slice s's first row, *ns their count. */
static int number_slices(const struct pbuild *b, size_t w, uint32_t *sid, size_t *first, size_t *ns)
{
    size_t n = b->n, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint32_t *tab = malloc(cap * sizeof(uint32_t));
    if (!tab)
        return AIC_ERR_NOMEM;
    memset(tab, 0xff, cap * sizeof(uint32_t));
    *ns = 0;
    for (size_t i = 0; i < n; i++) {
        const double *r = b->rec + i * w;
        size_t h = (size_t)key_hash(r, b->nk) & (cap - 1);
        while (tab[h] != UINT32_MAX && !same_bits(b->rec + first[tab[h]] * w, r, b->nk))
            h = (h + 1) & (cap - 1);
        if (tab[h] == UINT32_MAX) {
            first[*ns] = i;
            tab[h] = (uint32_t)(*ns)++;
        }
        sid[i] = tab[h];
    }
    free(tab);
    return AIC_OK;
}

/* Copies b's rows into out slice by slice in `order` (rows of a slice keep their order: a
 * stable counting pass); pos[s + 1] becomes slice s's row count, first is reused as each
 * slice's start offset. */
static void place_rows(const struct pbuild *b, size_t w, const uint32_t *sid, size_t *first,
                       const uint32_t *order, size_t ns, size_t *pos, double *out)
{
    size_t n = b->n;
    for (size_t i = 0; i < n; i++) /* rank of each slice -> counts */
        pos[sid[i] + 1]++;
    size_t *start = first; /* reuse: start offset per slice id */
    size_t acc = 0;
    for (size_t r = 0; r < ns; r++) {
        size_t cnt = pos[order[r] + 1];
        start[order[r]] = acc;
        acc += cnt;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(out + (start[sid[i]]++) * w, b->rec + i * w, w * sizeof(double));
}

/* Sorts each slice of out (in `order`, pos[s + 1] rows each) on its axes where it is not
 * already in order. */
static void sort_slices(double *out, size_t w, const uint32_t *order, size_t ns, const size_t *pos,
                        int nk, int nka)
{
    struct axes_cmp_ctx ac = {nk, nka};
    for (size_t r = 0, lo = 0; r < ns; r++) {
        size_t cnt = pos[order[r] + 1];
        const double *s = out + lo * w;
        size_t i = 1;
        while (i < cnt && axes_cmp(s + (i - 1) * w, s + i * w, &ac) <= 0)
            i++;
        if (i < cnt)
            qsort_r(out + lo * w, cnt, w * sizeof(double), axes_cmp, &ac);
        lo += cnt;
    }
}

/* Sorts records by (keys, axes, sequence) in O(n) plus small per-slice sorts: rows are
 * bucketed by slice (hash of the key columns), slices ordered by key, rows moved by a
 * stable counting pass, then each slice sorted on its axes only where it is not already
 * in order (files usually list a slice's points in order). */
static int rec_sort(struct pbuild *b, int nka)
{
    size_t n = b->n, w = (size_t)(nka + 2), ns = 0;
    uint32_t *sid = malloc(n * sizeof(uint32_t)), *order = NULL;
    size_t *first = malloc(n * sizeof(size_t)), *pos = NULL;
    double *out = NULL;
    int rc = AIC_ERR_NOMEM;
    if (!sid || !first || number_slices(b, w, sid, first, &ns) != AIC_OK)
        goto done;
    order = malloc(ns * sizeof(uint32_t));
    pos = calloc(ns + 1, sizeof(size_t));
    out = malloc(n * w * sizeof(double));
    if (!order || !pos || !out)
        goto done;
    for (size_t s = 0; s < ns; s++)
        order[s] = (uint32_t)s;
    struct slice_sort_ctx sc = {b->rec, first, w, b->nk};
    qsort_r(order, ns, sizeof(uint32_t), slice_cmp, &sc);
    place_rows(b, w, sid, first, order, ns, pos, out);
    sort_slices(out, w, order, ns, pos, b->nk, nka);
    free(b->rec);
    b->rec = out;
    out = NULL;
    rc = AIC_OK;
done:
    free(sid);
    free(first);
    free(pos);
    free(order);
    free(out);
    return rc;
}

/* lax[i] = log2 of ax[i] (floored at 1e-9) for n values; axes repeat few values, so the log
 * of each is remembered in a small direct-mapped cache keyed by its bits. */
static void log2_axes(const double *ax, double *lax, size_t n)
{
    uint64_t cbits[256];
    double clog[256];
    unsigned char cset[256] = {0};

    for (size_t i = 0; i < n; i++) {
        uint64_t x;
        memcpy(&x, &ax[i], sizeof(x));
        unsigned h = (unsigned)((x * 0x9e3779b97f4a7c15ull) >> 56);
        if (!cset[h] || cbits[h] != x) {
            cset[h] = 1;
            cbits[h] = x;
            clog[h] = log2(ax[i] > 1e-9 ? ax[i] : 1e-9);
        }
        lax[i] = clog[h];
    }
}

int pbuild_finish(struct pbuild *b, struct ptable *t)
{
    int nk = b->nk, na = b->na, nka = nk + na;
    size_t w = (size_t)(nka + 2), np = 0, ns = 0;

    t->nk = nk;
    t->na = na;
    if (b->n && !rec_sorted(b->rec, b->n, w, &nka) && rec_sort(b, nka) != AIC_OK) {
        free(b->rec);
        b->rec = NULL;
        return AIC_ERR_NOMEM;
    }
    t->ax = malloc((b->n ? b->n : 1) * (size_t)(na ? na : 1) * sizeof(double));
    t->lat = malloc((b->n ? b->n : 1) * sizeof(double));
    t->keys = malloc((b->n ? b->n : 1) * (size_t)(nk ? nk : 1) * sizeof(double));
    t->start = malloc((b->n + 1) * sizeof(size_t));
    if (!t->ax || !t->lat || !t->keys || !t->start) {
        free(b->rec);
        b->rec = NULL;
        ptable_free(t);
        return AIC_ERR_NOMEM;
    }
    for (size_t i = 0; i < b->n; i++) {
        const double *r = b->rec + i * w;
        if (i > 0 && same_bits(r, r - w, nka))
            continue; /* later duplicate of a key */
        if (ns == 0 || !same_bits(r, t->keys + (ns - 1) * (size_t)nk, nk)) {
            memcpy(t->keys + ns * (size_t)nk, r, (size_t)nk * sizeof(double));
            t->start[ns++] = np;
        }
        memcpy(t->ax + np * (size_t)na, r + nk, (size_t)na * sizeof(double));
        t->lat[np++] = r[nka];
    }
    t->start[ns] = np;
    t->npts = np;
    t->lax = malloc((np ? np : 1) * (size_t)(na ? na : 1) * sizeof(double));
    if (!t->lax) {
        free(b->rec);
        b->rec = NULL;
        ptable_free(t);
        return AIC_ERR_NOMEM;
    }
    log2_axes(t->ax, t->lax, np * (size_t)na);
    t->nslices = ns;
    free(b->rec);
    b->rec = NULL;
    b->n = b->cap = 0;
    return AIC_OK;
}

long ptable_find(const struct ptable *t, const double *key)
{
    long lo = 0, hi = (long)t->nslices - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        const double *k = t->keys + (size_t)mid * (size_t)t->nk;
        int c = 0;
        for (int i = 0; i < t->nk && !c; i++)
            c = k[i] < key[i] ? -1 : k[i] > key[i] ? 1 : 0;
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}
