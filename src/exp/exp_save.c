/*
 * exp_save.c - the --save_dir tree of `cli exp` (aic-interface §3.1):
 *
 *   DIR/<model>_<system>_<backend>_isl<I>_osl<O>_ttft<T>_tpot<P>_<n>/   (first experiment's)
 *       pareto_frontier.png, pareto_frontier.svg     every experiment's frontier
 *       <experiment>/ best_config_topn.csv, pareto.csv, exp_config.yaml (resolved, re-runnable)
 *                     top1/ ... topN/   deployment artifacts, with the generator overrides
 *
 * Written with the report's save-dir building blocks (src/report/report_int.h: temporary
 * folder renamed into place last, plots, artifacts with held-back warnings), so a failure
 * leaves nothing and the artifacts follow `cli default`'s rules: a row the generator refuses
 * is skipped with a warning "<experiment>: <mode> top<k>: ..."; when every row of every
 * experiment is refused the save fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exp/exp_int.h"
#include "report/report_int.h"
#include "util/util.h"

static int save_one(struct aic_save_tx *t, const struct aic_exp_run *r, struct aic_error *err)
{
    int x = r->exp->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG;
    const struct aic_search_exp *s = &r->res.exp[x];
    char name[AIC_EXP_NAME_MAX], d[AIC_PATH_MAX];
    aic_strlcpy(name, r->exp->name, sizeof name);
    aic_exp_sanitize(name, 0);
    aic_path_join(d, sizeof d, t->tmp, name);
    for (int k = 1; aic_is_dir(d); k++) { /* two names that sanitise alike */
        char alt[AIC_EXP_NAME_MAX + 8];
        snprintf(alt, sizeof alt, "%s_%d", name, k);
        aic_path_join(d, sizeof d, t->tmp, alt);
    }
    if (mkdir(d, 0777))
        return aic_err(err, AIC_ERR_IO, "cannot create %s: %s", d, strerror(errno));
    int rc = aic_save_write_owned(d, "best_config_topn.csv",
                                  aic_report_csv(&r->res, x, s->top, s->n_top), err);
    if (!rc)
        rc = aic_save_write_owned(d, "pareto.csv",
                                  aic_report_csv(&r->res, x, s->pareto, s->n_pareto), err);
    if (!rc)
        rc = aic_save_write_owned(d, "exp_config.yaml", aic_exp_yaml(r->exp, &r->res), err);
    t->label = r->exp->name;
    if (!rc)
        rc = aic_save_artifacts(t, &r->res, x, d, err);
    return rc;
}

/* Folder name from the first experiment; the suffix hashes every experiment's name. */
static void final_name(const struct aic_exp_run *runs, size_t n, char *out, size_t len)
{
    const struct aic_exp_run *f = NULL;
    for (size_t i = 0; i < n && !f; i++)
        if (runs[i].ok)
            f = &runs[i];
    const struct aic_search_req *r = &f->exp->req;
    char base[700], m[AIC_MODEL_ID_MAX];
    aic_save_model_name(f->res.model_id, m, sizeof m);
    snprintf(base, sizeof base, "%s_%s_%s_isl%d_osl%d_ttft%d_tpot%d", m, r->system,
             aic_backend_name((enum aic_backend)r->backend), r->wl.isl, r->wl.osl, (int)r->ttft_ms,
             (int)r->tpot_ms);
    aic_exp_sanitize(base, 1);
    unsigned long h = 1469598103934665603UL;
    for (size_t i = 0; i < n; i++)
        for (const char *s = runs[i].exp->name; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211UL;
    for (const char *s = base; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    snprintf(out, len, "%s_%lu", base, h % 1000001UL);
}

int aic_exp_save_gen(const struct aic_exp_run *runs, size_t n, const char *dir,
                     const struct aic_report_gen *gen, char *out_path, size_t out_len,
                     struct aic_error *err)
{
    struct aic_save_tx t;
    char name[800];
    if (aic_exp_best(runs, n) < 0)
        return aic_err(err, AIC_ERR_RUNTIME, "no experiment produced results; nothing to save");
    int rc = aic_save_begin(&t, dir, ".aic-exp-XXXXXX", gen, err);
    if (rc)
        return rc;
    rc = aic_exp_plot_dir(runs, n, t.tmp, err);
    for (size_t i = 0; i < n && !rc; i++)
        if (runs[i].ok)
            rc = save_one(&t, &runs[i], err);
    final_name(runs, n, name, sizeof name);
    return aic_save_finish(&t, rc, name, out_path, out_len, err);
}

static void to_info(void *user, const char *msg)
{
    struct aic_exp_save_info *info = user;
    if (info && info->n_warn < 16)
        aic_strlcpy(info->warn[info->n_warn++], msg, sizeof info->warn[0]);
}

int aic_exp_save(struct aic_ctx *ctx, const struct aic_exp_run *runs, size_t n, const char *dir,
                 char *out_path, size_t out_len, struct aic_exp_save_info *info,
                 struct aic_error *err)
{
    struct aic_report_gen gen = {.ctx = ctx, .warn = to_info, .user = info};
    return aic_exp_save_gen(runs, n, dir, &gen, out_path, out_len, err);
}
