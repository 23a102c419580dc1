/*
 * validate_csv.c - `cli validate`: the measured-results CSV read into memory with libcsv
 * (cells by row and column, the header names, malformed-row accounting).
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/validate_int.h"
#include "util/util.h"

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
    char **n = aic_grow(t->cur, t->cur_n, &t->cur_cap, sizeof(*n), 64);
    if (!n) {
        free(v);
        t->nomem = 1;
        return;
    }
    t->cur = n;
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

void table_free(struct csv_table *t)
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
int table_read(const struct cli_env *env, const char *path, struct csv_table *t)
{
    struct csv_parser p;
    struct aic_error err = {0};
    char *text = NULL;
    size_t len = 0, used;
    int rc = CLI_OK;

    memset(t, 0, sizeof(*t));
    if (aic_is_dir(path))
        return cli_error(env, 0,
                         "'%s' is a directory, not a CSV file; give --measured the "
                         "measured-results file (e.g. ../shared/calibration/e2e_measured.csv)",
                         path);
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

int col_index(const struct csv_table *t, const char *name)
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
