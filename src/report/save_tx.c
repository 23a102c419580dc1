/*
 * save_tx.c - one save-dir being written, shared by `cli default` / `cli recommend`
 * (save.c) and `cli exp` (src/exp/exp_save.c): everything goes into a temporary folder under
 * the save-dir, renamed into place at the end or removed on failure, so a failed run leaves
 * nothing.
 *
 * The top-N rows the generator refuses are held back and judged at the end:
 *   - a bad user override (rows refused because of the --generator-* / version overrides,
 *     and no row got artifacts) fails the save with its reason, nothing written;
 *   - otherwise the CSVs, YAML and plots are saved with whatever artifacts could be written,
 *     and one warning line names the rows without artifacts and why (exit status 0).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_int.h"
#include "util/util.h"

int aic_save_begin(struct aic_save_tx *t, const char *dir, const char *tmp_name,
                   const struct aic_report_gen *gen, struct aic_error *err)
{
    memset(t, 0, sizeof(*t));
    if (!dir || !*dir)
        return aic_err(err, AIC_ERR_USAGE, "--save-dir needs a folder");
    t->dir = dir;
    t->existed = aic_is_dir(dir);
    if (aic_save_mkdir_p(dir) || access(dir, W_OK))
        return aic_err(err, AIC_ERR_IO, "cannot write into --save-dir %s: %s", dir,
                       strerror(errno ? errno : EACCES));
    aic_path_join(t->tmp, sizeof t->tmp, dir, tmp_name);
    if (!mkdtemp(t->tmp))
        return aic_err(err, AIC_ERR_IO, "cannot write into --save-dir %s: %s", dir,
                       strerror(errno));
    t->caller = gen;
    return AIC_OK;
}

/* aic_report_refusal_fn: keeps the refused row for the end of the save. */
static void record(void *user, int exp, size_t k, int by_override, const struct aic_error *why)
{
    struct aic_save_tx *t = user;

    if (by_override && !t->by_override++)
        t->first = *why;
    if (t->n_ref == t->cap_ref) {
        size_t cap = t->cap_ref ? 2 * t->cap_ref : 16;
        struct aic_save_refusal *p = realloc(t->ref, cap * sizeof(*p));
        if (!p) {
            t->nomem = 1;
            return;
        }
        t->ref = p;
        t->cap_ref = cap;
    }
    struct aic_save_refusal *r = &t->ref[t->n_ref++];
    aic_strlcpy(r->label, t->label ? t->label : "", sizeof r->label);
    r->exp = exp;
    r->k = k;
    aic_strlcpy(r->why, why->msg, sizeof r->why);
}

int aic_save_artifacts(struct aic_save_tx *t, const struct aic_search_result *res, int e,
                       const char *d, struct aic_error *err)
{
    if (!t->caller)
        return AIC_OK;
    int rc = aic_report_artifacts_each(res, e, d, t->caller, record, t, err);
    if (!rc && res->exp[e].ran)
        t->rows += (int)res->exp[e].n_top;
    return rc;
}

/* ---- the end of the save ----------------------------------------------------------------- */

static int same_group(const struct aic_save_refusal *a, const struct aic_save_refusal *b)
{
    return a->exp == b->exp && !strcmp(a->label, b->label) && !strcmp(a->why, b->why);
}

#define REFUSAL_LINE_MAX 1500 /* past this, the remaining rows are only counted */

char *aic_save_refusal_line(const struct aic_save_tx *t)
{
    struct aic_buf b = {0};
    char *done = calloc(t->n_ref + 1, 1);
    size_t groups = 0;

    if (!done)
        return NULL;
    if (t->n_ref)
        aic_buf_printf(&b, "no deployment artifacts for %zu of %d top-N rows: ", t->n_ref, t->rows);
    for (size_t i = 0; i < t->n_ref; i++) {
        const struct aic_save_refusal *r = &t->ref[i];
        if (done[i])
            continue;
        if (b.len > REFUSAL_LINE_MAX) {
            size_t left = 0;
            for (size_t j = i; j < t->n_ref; j++)
                left += !done[j];
            aic_buf_printf(&b, " | and %zu more", left);
            break;
        }
        aic_buf_printf(&b, "%s%s%s%s top%zu", groups++ ? " | " : "", r->label,
                       *r->label ? ": " : "", aic_report_exp_name(r->exp), r->k);
        for (size_t j = i + 1; j < t->n_ref; j++)
            if (!done[j] && same_group(r, &t->ref[j])) {
                done[j] = 1;
                aic_buf_printf(&b, ", top%zu", t->ref[j].k);
            }
        aic_buf_printf(&b, ": %s", r->why);
    }
    free(done);
    return t->n_ref ? b.s : strdup("");
}

/* A bad user override: rows were refused because of it and no row got artifacts. */
static int bad_override(const struct aic_save_tx *t, struct aic_error *err)
{
    if (!t->by_override || t->n_ref < (size_t)t->rows)
        return AIC_OK;
    int rc = t->first.code ? t->first.code : AIC_ERR_USAGE;
    if (err) {
        *err = t->first;
        err->code = rc;
        aic_err_prefix(err, "no top-N configuration could get deployment artifacts");
    }
    return rc;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

/* Moves the temporary folder to dir/name (parents made; "_<k>" when taken). */
static int place(struct aic_save_tx *t, const char *name, char *fin, size_t fin_len,
                 struct aic_error *err)
{
    char parent[AIC_PATH_MAX];
    aic_path_join(fin, fin_len, t->dir, name);
    aic_strlcpy(parent, fin, sizeof parent);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = 0;
    if (slash && aic_save_mkdir_p(parent))
        return aic_err(err, AIC_ERR_IO, "cannot create %s: %s", parent, strerror(errno));
    size_t base_len = strlen(fin);
    for (int k = 1; aic_is_dir(fin); k++)
        snprintf(fin + base_len, fin_len - base_len, "_%d", k);
    if (rename(t->tmp, fin))
        return aic_err(err, AIC_ERR_IO, "cannot move results to %s: %s", fin, strerror(errno));
    return AIC_OK;
}

/* The one warning line about the rows without artifacts, to the caller's warn. */
static void tell_refusals(const struct aic_save_tx *t)
{
    if (!t->n_ref || !t->caller || !t->caller->warn)
        return;
    char *line = aic_save_refusal_line(t);
    if (line)
        t->caller->warn(t->caller->user, line);
    free(line);
}

int aic_save_finish(struct aic_save_tx *t, int rc, const char *name, char *out_path, size_t out_len,
                    struct aic_error *err)
{
    char fin[AIC_PATH_MAX];
    if (!rc && t->nomem)
        rc = aic_err(err, AIC_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = bad_override(t, err);
    if (!rc)
        rc = place(t, name, fin, sizeof fin, err);
    if (!rc)
        tell_refusals(t);
    free(t->ref);
    t->ref = NULL;
    t->n_ref = t->cap_ref = 0;
    if (rc) {
        nftw(t->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        if (!t->existed)
            rmdir(t->dir); /* the folder this save created (only when still empty) */
        return rc;
    }
    if (out_path)
        aic_strlcpy(out_path, fin, out_len);
    return AIC_OK;
}
