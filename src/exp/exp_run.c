/*
 * exp_run.c - running one experiment (aic_exp_run_one): the checks that need models and
 * systems (aic_exp_check), then the search of its request. The outcome lands in struct
 * aic_exp_run for the report, the JSON document and --save_dir; the search's warnings are
 * kept even when it failed, so every surface can show them.
 */
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/exp.h"

/* Frees a failed search's rows but keeps its warnings. */
static void drop_rows(struct aic_search_result *res)
{
    int n_warn = res->n_warn;
    char warn[AIC_SEARCH_MAX_WARN][256];
    memcpy(warn, res->warn, sizeof warn);
    aic_search_result_free(res);
    res->n_warn = n_warn;
    memcpy(res->warn, warn, sizeof warn);
}

int aic_exp_run_one(struct aic_ctx *ctx, struct aic_exp *e, struct aic_exp_run *run)
{
    struct aic_error err = {0};
    int rc;

    memset(run, 0, sizeof *run);
    run->exp = e;
    run->res.best = -1;
    if ((rc = aic_exp_check(ctx, e, &err))) {
        snprintf(run->msg, sizeof run->msg, "%s", err.msg);
        return rc;
    }
    if ((rc = aic_search_run(ctx, &e->req, &run->res, &err))) {
        snprintf(run->msg, sizeof run->msg, "experiment '%s' failed: %s", e->name, err.msg);
        drop_rows(&run->res);
        return rc;
    }
    int x = e->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG;
    run->ok = run->res.exp[x].n_top > 0;
    if (!run->ok)
        snprintf(run->msg, sizeof run->msg, "experiment '%s': %s", e->name,
                 run->res.exp[x].note[0] ? run->res.exp[x].note
                                         : "no configuration found; relax ttft/tpot");
    return AIC_OK;
}
