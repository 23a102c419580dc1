/*
 * op_list.c - {"op": "models"} and {"op": "systems"}: what the library knows. models: the
 * bundled Hugging Face ids (any other id needs a local directory with config.json).
 * systems: every bundled system with, per backend, the perf-database versions found along
 * the systems paths (empty when none; SOL and EMPIRICAL modes still work there).
 */
#include <string.h>

#include "api/api_int.h"

static const struct api_param no_params[] = {{0}};

int api_op_models(struct api_call *c, json_t **result)
{
    int n, rc = api_params_read(c->req, no_params, NULL, NULL, c->err);
    json_t *ids;

    if (rc)
        return rc;
    n = aic_model_bundled_count(NULL);
    ids = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(ids, json_string(aic_model_bundled_id(NULL, i)));
    *result = json_pack("{s:o}", "models", ids);
    return *result ? 0 : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
}

/* {"trtllm": ["1.3.0rc23", ...], "vllm": [...], ...} for one system. */
static json_t *versions_obj(const struct aic_system *sys)
{
    json_t *o = json_object();

    for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
        char buf[1024] = "";
        json_t *a = json_array();
        aic_perfdb_versions(sys, (enum aic_backend)b, buf, sizeof(buf));
        char *save = NULL;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            json_array_append_new(a, json_string(tok));
        json_object_set_new(o, aic_backend_name((enum aic_backend)b), a);
    }
    return o;
}

static json_t *system_obj(const struct aic_system *sys)
{
    return json_pack("{s:s,s:i,s:f,s:f,s:o}", "name", sys->name, "gpus_per_node",
                     sys->gpus_per_node, "mem_capacity_bytes", sys->mem_capacity_bytes,
                     "mem_bw_Bps", sys->mem_bw_Bps, "versions", versions_obj(sys));
}

int api_op_systems(struct api_call *c, json_t **result)
{
    int rc = api_params_read(c->req, no_params, NULL, NULL, c->err);
    json_t *list;

    if (rc)
        return rc;
    list = json_array();
    for (int i = 0; aic_system_names[i]; i++) {
        const struct aic_system *sys;
        struct aic_error err = {0};
        if (aic_ctx_get_system(c->ctx, aic_system_names[i], &sys, &err)) {
            api_warn(c, "%s: %s", aic_system_names[i], err.msg);
            continue;
        }
        json_array_append_new(list, system_obj(sys));
    }
    *result = json_pack("{s:o}", "systems", list);
    return *result ? 0 : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
}
