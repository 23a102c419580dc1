/*
 * estimate.c - the request -> estimate entry point and the context that caches models,
 * systems and perf databases across requests.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aiconfigurator/estimate.h"
#include "util/util.h"

#define CTX_MAX 64

struct ctx_model {
    char name[AIC_MODEL_ID_MAX];
    struct aic_model m;
};
struct ctx_system {
    char name[64];
    struct aic_system s;
};
struct ctx_db {
    char system[64];
    enum aic_backend backend;
    char version[32];
    enum aic_db_mode mode;
    struct aic_perfdb *db;
};

struct aic_ctx {
    char *paths;
    struct ctx_model models[CTX_MAX];
    int n_models;
    struct ctx_system systems[CTX_MAX];
    int n_systems;
    struct ctx_db dbs[CTX_MAX];
    int n_dbs;
};

static const char *const mode_names[] = {"agg", "disagg", "static", "static_ctx", "static_gen"};

const char *aic_serving_mode_name(enum aic_serving_mode m)
{
    return (int)m >= 0 && m <= AIC_MODE_STATIC_GEN ? mode_names[m] : "unknown";
}

int aic_serving_mode_parse(const char *name)
{
    for (int i = 0; i <= AIC_MODE_STATIC_GEN; i++)
        if (name && !strcasecmp(name, mode_names[i]))
            return i;
    return -1;
}

struct aic_ctx *aic_ctx_new(const char *systems_paths)
{
    struct aic_ctx *ctx = calloc(1, sizeof(*ctx));
    const char *p = systems_paths ? systems_paths : getenv("AIC_SYSTEMS_PATHS");
    if (!ctx)
        return NULL;
    ctx->paths = strdup(p && *p ? p : AIC_SYSTEMS_PATHS_DEFAULT);
    if (!ctx->paths) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void aic_ctx_free(struct aic_ctx *ctx)
{
    if (!ctx)
        return;
    for (int i = 0; i < ctx->n_dbs; i++)
        aic_perfdb_free(ctx->dbs[i].db);
    free(ctx->paths);
    free(ctx);
}

const char *aic_ctx_paths(const struct aic_ctx *ctx)
{
    return ctx->paths;
}

int aic_ctx_get_model(struct aic_ctx *ctx, const char *name, const struct aic_model **out,
                      struct aic_error *err)
{
    int rc;
    for (int i = 0; i < ctx->n_models; i++)
        if (!strcmp(ctx->models[i].name, name)) {
            *out = &ctx->models[i].m;
            return AIC_OK;
        }
    if (ctx->n_models == CTX_MAX)
        ctx->n_models = 0; /* simple wrap-around: callers hold models only briefly */
    rc = aic_model_load(name, NULL, &ctx->models[ctx->n_models].m, err);
    if (rc)
        return rc;
    aic_strlcpy(ctx->models[ctx->n_models].name, name, AIC_MODEL_ID_MAX);
    *out = &ctx->models[ctx->n_models++].m;
    return AIC_OK;
}

int aic_ctx_get_system(struct aic_ctx *ctx, const char *name, const struct aic_system **out,
                       struct aic_error *err)
{
    int rc;
    for (int i = 0; i < ctx->n_systems; i++)
        if (!strcmp(ctx->systems[i].name, name)) {
            *out = &ctx->systems[i].s;
            return AIC_OK;
        }
    if (ctx->n_systems == CTX_MAX)
        return aic_err(err, AIC_ERR_RUNTIME, "too many systems in one run");
    rc = aic_system_load(name, ctx->paths, &ctx->systems[ctx->n_systems].s, err);
    if (rc)
        return rc;
    aic_strlcpy(ctx->systems[ctx->n_systems].name, name, sizeof(ctx->systems[0].name));
    *out = &ctx->systems[ctx->n_systems++].s;
    return AIC_OK;
}

int aic_ctx_get_db(struct aic_ctx *ctx, const char *system, enum aic_backend backend,
                   const char *version, enum aic_db_mode mode, struct aic_perfdb **out,
                   struct aic_error *err)
{
    const struct aic_system *sys;
    const char *v = version ? version : "";
    struct ctx_db *d;
    int rc;

    for (int i = 0; i < ctx->n_dbs; i++) {
        d = &ctx->dbs[i];
        if (!strcmp(d->system, system) && d->backend == backend && d->mode == mode &&
            !strcmp(d->version, v)) {
            *out = d->db;
            return AIC_OK;
        }
    }
    if (ctx->n_dbs == CTX_MAX)
        return aic_err(err, AIC_ERR_RUNTIME, "too many perf databases in one run");
    if ((rc = aic_ctx_get_system(ctx, system, &sys, err)))
        return rc;
    d = &ctx->dbs[ctx->n_dbs];
    if ((rc = aic_perfdb_open(sys, backend, v, mode, &d->db, err)))
        return rc;
    aic_strlcpy(d->system, system, sizeof(d->system));
    aic_strlcpy(d->version, v, sizeof(d->version));
    d->backend = backend;
    d->mode = mode;
    ctx->n_dbs++;
    *out = d->db;
    return AIC_OK;
}
