/*
 * exp_save.c - the --save_dir tree of `cli exp` (aic-interface §3.1):
 *
 *   DIR/<model>_<system>_<backend>_isl<I>_osl<O>_ttft<T>_tpot<P>_<n>/   (first experiment's)
 *       pareto_frontier.png, pareto_frontier.svg     every experiment's frontier
 *       <experiment>/ best_config_topn.csv, pareto.csv, exp_config.yaml (resolved, re-runnable)
 *                     top1/ ... topN/   deployment artifacts (generate.h)
 *
 * Written under DIR/.aic-exp-XXXXXX and renamed into place last: a failure leaves nothing.
 * Artifacts that cannot be generated (heterogeneous prefill/decode systems, a layout the
 * backend cannot express) are skipped with a warning in info, as AIConfigurator does.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aiconfigurator/generate.h"
#include "exp/exp_int.h"
#include "util/util.h"

static void warn(struct aic_exp_save_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct aic_exp_save_info *info, const char *fmt, ...)
{
    if (!info || info->n_warn >= 16)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->warn[info->n_warn++], sizeof info->warn[0], fmt, ap);
    va_end(ap);
}

static int write_owned(const char *dir, const char *name, char *text, struct aic_error *e)
{
    char p[AIC_PATH_MAX];
    if (!text)
        return aic_err(e, AIC_ERR_NOMEM, "out of memory writing %s", name);
    aic_path_join(p, sizeof p, dir, name);
    FILE *f = fopen(p, "w");
    int rc = AIC_OK;
    if (!f) {
        rc = aic_err(e, AIC_ERR_IO, "cannot write %s: %s", p, strerror(errno));
    } else {
        size_t n = strlen(text);
        int bad = fwrite(text, 1, n, f) != n;
        if ((fclose(f) != 0) | bad)
            rc = aic_err(e, AIC_ERR_IO, "cannot write %s", p);
    }
    free(text);
    return rc;
}

static void artifacts(struct aic_ctx *ctx, const struct aic_exp_run *r, const char *d,
                      struct aic_exp_save_info *info)
{
    const struct aic_exp *e = r->exp;
    const struct aic_search_exp *x =
        &r->res.exp[e->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG];
    const struct aic_model *m;
    const struct aic_system *sys;
    struct aic_error err = {0};
    if (!x->n_top)
        return;
    if (e->req.decode_system && strcmp(e->req.decode_system, e->req.system)) {
        warn(info, "%s: deployment artifacts skipped: prefill (%s) and decode (%s) run on "
                   "different systems", e->name, e->req.system, e->req.decode_system);
        return;
    }
    if (aic_ctx_get_model(ctx, e->req.model, &m, &err) ||
        aic_ctx_get_system(ctx, e->req.system, &sys, &err)) {
        warn(info, "%s: deployment artifacts skipped: %s", e->name, err.msg);
        return;
    }
    for (size_t i = 0; i < x->n_top; i++) {
        struct aic_gen_req g;
        char dir[AIC_PATH_MAX], name[32];
        aic_gen_req_init(&g);
        g.model = m, g.system = sys;
        g.backend_version = r->res.version[x->top[i].backend];
        g.wl = e->req.wl;
        g.ttft_ms = e->req.ttft_ms, g.tpot_ms = e->req.tpot_ms;
        g.total_gpus = r->res.total_gpus;
        snprintf(name, sizeof name, "top%zu", i + 1);
        aic_path_join(dir, sizeof dir, d, name);
        if (aic_generate_artifacts(&g, &x->top[i], dir, &err))
            warn(info, "%s/%s: deployment artifacts skipped: %s", e->name, name, err.msg);
    }
}

static int save_one(struct aic_ctx *ctx, const struct aic_exp_run *r, const char *root,
                    struct aic_exp_save_info *info, struct aic_error *err)
{
    int x = r->exp->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG;
    const struct aic_search_exp *s = &r->res.exp[x];
    char name[AIC_EXP_NAME_MAX], d[AIC_PATH_MAX];
    aic_strlcpy(name, r->exp->name, sizeof name);
    aic_exp_sanitize(name, 0);
    aic_path_join(d, sizeof d, root, name);
    for (int k = 1; aic_is_dir(d); k++) { /* two names that sanitise alike */
        char alt[AIC_EXP_NAME_MAX + 8];
        snprintf(alt, sizeof alt, "%s_%d", name, k);
        aic_path_join(d, sizeof d, root, alt);
    }
    if (mkdir(d, 0777))
        return aic_err(err, AIC_ERR_IO, "cannot create %s: %s", d, strerror(errno));
    int rc = write_owned(d, "best_config_topn.csv", aic_report_csv(&r->res, x, s->top, s->n_top), err);
    if (!rc)
        rc = write_owned(d, "pareto.csv", aic_report_csv(&r->res, x, s->pareto, s->n_pareto), err);
    if (!rc)
        rc = write_owned(d, "exp_config.yaml", aic_exp_yaml(r->exp, &r->res), err);
    if (!rc)
        artifacts(ctx, r, d, info);
    return rc;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static int mkdir_p(const char *path)
{
    char p[AIC_PATH_MAX];
    aic_strlcpy(p, path, sizeof p);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
}

/* Folder name from the first experiment; the suffix hashes every experiment's name. */
static void final_name(const struct aic_exp_run *runs, size_t n, char *out, size_t len)
{
    const struct aic_exp_run *f = NULL;
    for (size_t i = 0; i < n && !f; i++)
        if (runs[i].ok)
            f = &runs[i];
    const struct aic_search_req *r = &f->exp->req;
    char base[700];
    const char *m = f->res.model_id;
    if ((m[0] == '/' || m[0] == '.') && strrchr(m, '/') && strrchr(m, '/')[1])
        m = strrchr(m, '/') + 1;
    snprintf(base, sizeof base, "%s_%s_%s_isl%d_osl%d_ttft%d_tpot%d", m, r->system,
             aic_backend_name((enum aic_backend)r->backend), r->wl.isl, r->wl.osl,
             (int)r->ttft_ms, (int)r->tpot_ms);
    aic_exp_sanitize(base, 1);
    unsigned long h = 1469598103934665603UL;
    for (size_t i = 0; i < n; i++)
        for (const char *s = runs[i].exp->name; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211UL;
    for (const char *s = base; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    snprintf(out, len, "%s_%lu", base, h % 1000001UL);
}

static int place(const char *tmp, const char *dir, const struct aic_exp_run *runs, size_t n,
                 char *fin, size_t fin_len, struct aic_error *err)
{
    char name[800], parent[AIC_PATH_MAX];
    final_name(runs, n, name, sizeof name);
    aic_path_join(fin, fin_len, dir, name);
    aic_strlcpy(parent, fin, sizeof parent);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = 0;
    if (slash && mkdir_p(parent))
        return aic_err(err, AIC_ERR_IO, "cannot create %s: %s", parent, strerror(errno));
    size_t base_len = strlen(fin);
    for (int k = 1; aic_is_dir(fin); k++)
        snprintf(fin + base_len, fin_len - base_len, "_%d", k);
    if (rename(tmp, fin))
        return aic_err(err, AIC_ERR_IO, "cannot move results to %s: %s", fin, strerror(errno));
    return AIC_OK;
}

int aic_exp_save(struct aic_ctx *ctx, const struct aic_exp_run *runs, size_t n,
                 const char *dir, char *out_path, size_t out_len,
                 struct aic_exp_save_info *info, struct aic_error *err)
{
    char tmp[AIC_PATH_MAX], p[AIC_PATH_MAX], fin[AIC_PATH_MAX];
    if (aic_exp_best(runs, n) < 0)
        return aic_err(err, AIC_ERR_RUNTIME, "no experiment produced results; nothing to save");
    if (!dir || !*dir)
        return aic_err(err, AIC_ERR_USAGE, "--save_dir needs a folder");
    if (mkdir_p(dir) || access(dir, W_OK))
        return aic_err(err, AIC_ERR_IO, "cannot write into --save_dir %s: %s", dir,
                       strerror(errno ? errno : EACCES));
    aic_path_join(tmp, sizeof tmp, dir, ".aic-exp-XXXXXX");
    if (!mkdtemp(tmp))
        return aic_err(err, AIC_ERR_IO, "cannot write into --save_dir %s: %s", dir,
                       strerror(errno));
    aic_path_join(p, sizeof p, tmp, "pareto_frontier.png");
    int rc = aic_exp_plot(runs, n, p, "png", err);
    if (!rc) {
        aic_path_join(p, sizeof p, tmp, "pareto_frontier.svg");
        rc = aic_exp_plot(runs, n, p, "svg", err);
    }
    for (size_t i = 0; i < n && !rc; i++)
        if (runs[i].ok)
            rc = save_one(ctx, &runs[i], tmp, info, err);
    if (!rc)
        rc = place(tmp, dir, runs, n, fin, sizeof fin, err);
    if (rc) {
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return rc;
    }
    if (out_path)
        aic_strlcpy(out_path, fin, out_len);
    return AIC_OK;
}
