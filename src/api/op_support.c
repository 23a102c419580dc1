/*
 * op_support.c - {"op": "support"}: whether aggregated and disaggregated serving of a model
 * are supported on a system/backend (aic_support_check(), as `cli support`). system "all"
 * or backend "all" answers a "matrix" of every bundled system x backend instead.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aiconfigurator/generate.h"
#include "api/api_int.h"

struct sup_p {
    const char *model, *system, *backend, *version;
};

#define O(f) offsetof(struct sup_p, f)
static const struct api_param sup_tab[] = {
    {"model_path", "model hf_id", AP_STRING, O(model), 0, 0, NULL},
    {"system", "system_name", AP_STRING, O(system), 0, 0, NULL},
    {"backend", "backend_name", AP_STRING, O(backend), 0, 0, NULL},
    {"backend_version", "perf_db_version", AP_STRING, O(version), 0, 0, NULL},
    {0},
};
#undef O

static json_t *support_obj(const char *system, enum aic_backend b, const struct aic_support *s)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:s,s:s}", "system", system, "backend",
                     aic_backend_name(b), "version", s->version, "agg_supported", s->agg,
                     "disagg_supported", s->disagg, "no_data", s->no_data, "agg_reason",
                     s->agg_reason, "disagg_reason", s->disagg_reason);
}

/* One cell of the matrix; a failing check counts as "no data". */
static json_t *cell(struct api_call *c, const struct aic_model *m, const char *system,
                    enum aic_backend b, const char *version)
{
    struct aic_support s;
    struct aic_error err = {0};

    if (aic_support_check(m, system, b, version, aic_ctx_paths(c->ctx), &s, &err)) {
        memset(&s, 0, sizeof(s));
        s.no_data = 1;
        snprintf(s.agg_reason, sizeof(s.agg_reason), "%s", err.msg);
        snprintf(s.disagg_reason, sizeof(s.disagg_reason), "%s", err.msg);
    }
    return support_obj(system, b, &s);
}

static json_t *matrix(struct api_call *c, const struct aic_model *m, const char *system,
                      int backend, const char *version)
{
    json_t *rows = json_array();

    for (int i = 0; aic_system_names[i]; i++) {
        if (strcmp(system, "all") && strcmp(system, aic_system_names[i]))
            continue;
        for (int b = 0; b < AIC_BACKEND_COUNT; b++)
            if (backend < 0 || backend == b)
                json_array_append_new(
                    rows, cell(c, m, aic_system_names[i], (enum aic_backend)b, version));
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "model", m->id, "architecture", m->architecture, "family",
                     aic_family_name(m->family), "matrix", rows);
}

int api_op_support(struct api_call *c, json_t **result)
{
    struct sup_p o = {0};
    const struct aic_model *m;
    struct aic_support s;
    int backend, rc = api_params_read(c->req, sup_tab, &o, NULL, c->err);

    if (rc)
        return rc;
    if (!o.model || !o.system)
        return aic_err(c->err, AIC_ERR_USAGE,
                       "support needs model_path and system (a system name or \"all\")");
    if (!o.backend)
        o.backend = strcmp(o.system, "all") ? "trtllm" : "all";
    backend = strcmp(o.backend, "all") ? aic_backend_parse(o.backend) : -1;
    if (backend < 0 && strcmp(o.backend, "all"))
        return aic_err(c->err, AIC_ERR_USAGE,
                       "unknown backend '%s' (valid: trtllm, vllm, sglang, all)", o.backend);
    if ((rc = aic_ctx_get_model(c->ctx, o.model, &m, c->err)))
        return rc;
    if (!strcmp(o.system, "all") || backend < 0)
        *result = matrix(c, m, o.system, backend, o.version);
    else if ((rc = aic_support_check(m, o.system, (enum aic_backend)backend, o.version,
                                     aic_ctx_paths(c->ctx), &s, c->err)))
        return rc;
    else if ((*result = support_obj(o.system, (enum aic_backend)backend, &s)))
        json_object_update_missing_new(*result, json_pack("{s:s,s:s,s:s}", "model", m->id,
                                                          "architecture", m->architecture, "family",
                                                          aic_family_name(m->family)));
    return *result ? 0 : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
}
