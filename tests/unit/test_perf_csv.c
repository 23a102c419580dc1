/*
 * test_perf_csv.c - reading a perf table's CSV (src/perf/ptable.c, rawtab_load): the in-place
 * splitter for plain files and libcsv for quoted or CRLF ones give the same rows; columns are
 * found by header name, an optional one takes its default, a missing one is an error naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "perf/perf_internal.h"

static const struct rawcol cols[] = {
    {"dtype", 1, 0, 0},
    {"m", 0, 0, 0},
    {"latency", 0, 0, 0},
    {"extra", 0, 1, -1},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* Each spelling of the same three rows: dtype fp8 / bf16 / fp8, m 1 / 16 / 4096, latency. */
static const char *const spellings[] = {
    /* plain, as the shipped tables are */
    "kernel,dtype,m,latency\nk,fp8,1,0.0125\nk,bf16,16,2.5\nk,fp8,4096,1e3\n",
    /* blanks around fields, a blank line, no newline at the end */
    "kernel , dtype,m ,latency\n\nk, fp8 ,1,0.0125\n  \nk,bf16, 16,2.5\nk,fp8,4096 ,1e3",
    /* quoted fields and CRLF: libcsv */
    "kernel,\"dtype\",m,latency\r\nk,\"fp8\",1,0.0125\r\nk,bf16,\"16\",2.5\r\nk,fp8,4096,1e3\r\n",
};

static int load_text(const char *text, struct strpool *pool, struct rawtab *t,
                     struct aic_error *err)
{
    char path[] = "/tmp/aic_test_csv_XXXXXX";
    int fd = mkstemp(path), rc;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    rc = rawtab_load(path, cols, NCOLS, pool, t, err);
    unlink(path);
    return rc;
}

static void test_spellings_agree(void **state)
{
    const double want[3][3] = {{1, 0.0125, -1}, {16, 2.5, -1}, {4096, 1000, -1}};
    (void)state;

    for (size_t s = 0; s < sizeof(spellings) / sizeof(spellings[0]); s++) {
        struct strpool pool = {0};
        struct rawtab t;
        struct aic_error err = {0};

        assert_int_equal(load_text(spellings[s], &pool, &t, &err), AIC_OK);
        assert_int_equal(t.nrows, 3);
        assert_int_equal(t.ncols, NCOLS);
        for (size_t r = 0; r < 3; r++) {
            const double *row = t.v + r * NCOLS;
            assert_string_equal(pool.s[(int)row[0]], r == 1 ? "bf16" : "fp8");
            assert_float_equal(row[1], want[r][0], 0);
            assert_float_equal(row[2], want[r][1], 1e-15);
            assert_float_equal(row[3], want[r][2], 0);
        }
        rawtab_free(&t);
    }
}

static void test_missing_column_named(void **state)
{
    struct strpool pool = {0};
    struct rawtab t;
    struct aic_error err = {0};
    (void)state;

    assert_int_equal(load_text("kernel,dtype,latency\nk,fp8,1\n", &pool, &t, &err), AIC_ERR_PARSE);
    assert_non_null(strstr(err.msg, "no column 'm'"));
    assert_null(t.v);
}

static void test_nonfinite_row_dropped(void **state)
{
    struct strpool pool = {0};
    struct rawtab t;
    struct aic_error err = {0};
    (void)state;

    assert_int_equal(load_text("dtype,m,latency\nfp8,1,nan\nfp8,2,0.5\n", &pool, &t, &err), AIC_OK);
    assert_int_equal(t.nrows, 1);
    assert_float_equal(t.v[1], 2, 0);
    rawtab_free(&t);
}

/* Lines without every needle are skipped in a plain file (the header is always read); a
 * libcsv file keeps them all, the needles being a speed-up the caller backs with its own
 * check. */
static void test_needles_skip_lines(void **state)
{
    static const char *const needles[] = {"fp8", NULL};
    (void)state;

    for (size_t s = 0; s < sizeof(spellings) / sizeof(spellings[0]); s++) {
        char path[] = "/tmp/aic_test_csv_XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        struct strpool pool = {0};
        struct rawtab t;
        struct aic_error err = {0};

        assert_non_null(f);
        fputs(spellings[s], f);
        fclose(f);
        assert_int_equal(rawtab_load_some(path, cols, NCOLS, needles, &pool, &t, &err), AIC_OK);
        unlink(path);
        assert_int_equal(t.nrows, s < 2 ? 2 : 3);
        assert_float_equal(t.v[1], 1, 0);
        assert_float_equal(t.v[(t.nrows - 1) * NCOLS + 1], 4096, 0);
        rawtab_free(&t);
    }
}

/* Field i of the large file's row r: numbers in every spelling the fast path and strtod
 * share (integers, decimals, negatives, blanks, exponents, 17 digits). */
static void big_number(char *buf, size_t n, int r)
{
    switch (r % 6) {
    case 0:
        snprintf(buf, n, "%d", r);
        break;
    case 1:
        snprintf(buf, n, "%d.%03d", r / 7, r % 1000);
        break;
    case 2:
        snprintf(buf, n, " -%d.5 ", r);
        break;
    case 3:
        snprintf(buf, n, "%de-3", r);
        break;
    case 4:
        snprintf(buf, n, "0.%016d", r);
        break;
    default:
        snprintf(buf, n, "%d.", r);
        break;
    }
}

/* A file of more than 1 MB is parsed in two halves at once: the rows, their order and the
 * string ids are those of one pass, with names first seen in the second half and a dropped
 * (NaN) row and blank lines in the first. */
static void test_large_file_halves(void **state)
{
    enum { ROWS = 60000 };
    char path[] = "/tmp/aic_test_csv_XXXXXX", num[64];
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    struct strpool pool = {0};
    struct rawtab t;
    struct aic_error err = {0};
    (void)state;

    assert_non_null(f);
    fputs("kernel,dtype,m,latency,extra\n", f);
    for (int r = 0; r < ROWS; r++) {
        big_number(num, sizeof(num), r);
        fprintf(f, "k,%s,%d,%s,%s\n",
                r < ROWS / 2 ? "a"
                : r % 2      ? "late"
                             : "a",
                r, num, r == 100 ? "nan" : "1");
        if (r == 200)
            fputs("\n   \n", f);
    }
    fclose(f);
    assert_int_equal(rawtab_load(path, cols, NCOLS, &pool, &t, &err), AIC_OK);
    unlink(path);
    assert_int_equal(t.nrows, ROWS - 1);
    assert_string_equal(pool.s[(int)t.v[0]], "a");
    assert_string_equal(pool.s[(int)t.v[(ROWS - 2) * NCOLS]], "late");
    for (int r = 0, i = 0; r < ROWS; r++) {
        if (r == 100)
            continue;
        const double *row = t.v + (size_t)i++ * NCOLS;
        big_number(num, sizeof(num), r);
        assert_float_equal(row[1], r, 0);
        assert_true(row[2] == strtod(num, NULL));
        assert_float_equal(row[3], 1, 0);
    }
    rawtab_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings_agree),       cmocka_unit_test(test_missing_column_named),
        cmocka_unit_test(test_nonfinite_row_dropped), cmocka_unit_test(test_needles_skip_lines),
        cmocka_unit_test(test_large_file_halves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
