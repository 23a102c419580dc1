/*
 * op_generate.c - {"op": "generate"}: the naive configuration of `cli generate` (smallest
 * power-of-two GPU count that holds 1.5x the bf16 weights, as tp or, where that tp does not
 * split the heads, tp x pp; replicas filling total_gpus) and its deployment artifacts,
 * written straight into save_dir (alias output_dir; must be absent or empty). With
 * generator_config and no model_path it re-renders a saved generator_config.yaml into
 * save_dir instead. Overrides: generator_config (file), generator_set (list of
 * "Section.key=value"), generated_config_version, generator_dynamo_version. The result names
 * the files written.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/generate.h"
#include "api/api_int.h"

struct gen_p {
    const char *model, *system, *backend_version, *save_dir;
    struct api_gen_p g;
    int backend, total_gpus, isl, osl, prefix;
};

static const char *const backends[] = {"trtllm", "vllm", "sglang", NULL};

#define O(f) offsetof(struct gen_p, f)
static const struct api_param gen_tab[] = {
    {"model_path", "model hf_id", AP_STRING, O(model), 0, 0, NULL},
    {"total_gpus", NULL, AP_INT, O(total_gpus), 1, 1e6, NULL},
    {"system", "system_name", AP_STRING, O(system), 0, 0, NULL},
    {"backend", "backend_name", AP_ENUM, O(backend), 0, 0, backends},
    {"backend_version", "perf_db_version", AP_STRING, O(backend_version), 0, 0, NULL},
    {"save_dir", "output_dir", AP_STRING, O(save_dir), 0, 0, NULL},
    {"isl", NULL, AP_INT, O(isl), 1, 1e7, NULL},
    {"osl", NULL, AP_INT, O(osl), 1, 1e7, NULL},
    {"prefix", NULL, AP_INT, O(prefix), 0, 1e7, NULL},
    API_GEN_PARAMS(struct gen_p, g),
    {0},
};
#undef O

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The regular files of dir, sorted by name. */
static json_t *list_files(const char *dir)
{
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    json_t *a = json_array();

    while (d && (e = readdir(d)) && n < 256)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(names[i] ? names[i] : "?"));
        free(names[i]);
    }
    return a;
}

static json_t *naive_doc(const struct gen_p *o, const struct aic_model *m, const char *version,
                         const struct aic_naive_info *ni)
{
    int per = ni->tp * ni->pp, used = ni->replicas * per;
    json_t *par = json_pack("{s:i,s:i,s:i,s:i,s:i}", "tp", ni->tp, "pp", ni->pp, "gpus_per_worker",
                            per, "replicas", ni->replicas, "gpus_used", used);

    return json_pack("{s:s,s:s,s:s,s:s?,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:s,s:o}", "model", m->id,
                     "system", o->system, "backend", backends[o->backend], "backend_version",
                     version, "total_gpus", o->total_gpus, "tp", ni->tp, "pp", ni->pp, "replicas",
                     ni->replicas, "gpus_used", used, "gpus_per_worker", per, "max_batch_size", 128,
                     "parallelism", par, "output_dir", o->save_dir, "files",
                     list_files(o->save_dir));
}

static void fill_gen_req(const struct gen_p *o, const struct aic_model *m,
                         const struct aic_system *sys, const char *version,
                         const struct aic_gencfg *cfg, struct aic_gen_req *r)
{
    aic_gen_req_init(r);
    r->model = m;
    r->system = sys;
    r->backend_version = version;
    r->template_version = o->g.tmpl_version;
    r->dynamo_version = o->g.dynamo_version;
    r->wl = (struct aic_workload){o->isl, o->osl, o->prefix};
    r->total_gpus = o->total_gpus;
    r->cfg = cfg;
}

static int naive(struct api_call *c, const struct gen_p *o, struct aic_gencfg *cfg, json_t **result)
{
    const struct aic_model *m;
    const struct aic_system *sys;
    struct aic_search_row row;
    struct aic_naive_info ni;
    struct aic_gen_req req;
    char versions[256] = "", version[32] = "";
    int rc = aic_ctx_get_model(c->ctx, o->model, &m, c->err);

    rc = rc ? rc : aic_ctx_get_system(c->ctx, o->system, &sys, c->err);
    rc = rc ? rc : api_gen_overrides(c, &o->g, 1, cfg);
    rc = rc ? rc
            : aic_generate_naive(m, sys, (enum aic_backend)o->backend, o->total_gpus, &row, &ni,
                                 c->err);
    if (rc)
        return rc;
    aic_perfdb_versions(sys, (enum aic_backend)o->backend, versions, sizeof(versions));
    if (o->backend_version)
        snprintf(version, sizeof(version), "%s", o->backend_version);
    else
        sscanf(versions, "%31[^,]", version);
    fill_gen_req(o, m, sys, version[0] ? version : NULL, cfg, &req);
    if ((rc = aic_generate_artifacts(&req, &row, o->save_dir, c->err)))
        return rc;
    if (!(*result = naive_doc(o, m, version[0] ? version : NULL, &ni)))
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
    return 0;
}

static int rerender(struct api_call *c, const struct gen_p *o, struct aic_gencfg *cfg,
                    json_t **result)
{
    int rc = api_gen_overrides(c, &o->g, 0, cfg);

    rc = rc ? rc : aic_generate_from_config(o->g.config, cfg, o->save_dir, c->err);
    if (rc)
        return rc;
    *result = json_pack("{s:s,s:s,s:o}", "generator_config", o->g.config, "output_dir", o->save_dir,
                        "files", list_files(o->save_dir));
    return *result ? 0 : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
}

int api_op_generate(struct api_call *c, json_t **result)
{
    struct gen_p o = {.isl = 4000, .osl = 1000};
    struct api_given g;
    struct aic_gencfg *cfg;
    int rc = api_params_read(c->req, gen_tab, &o, &g, c->err);

    if (rc)
        return rc;
    if (!o.save_dir)
        return aic_err(c->err, AIC_ERR_USAGE,
                       "save_dir is required: the folder the artifacts are written into "
                       "(absent or empty)");
    if (o.model && (!api_given(gen_tab, &g, "total_gpus") || !o.system))
        return aic_err(c->err, AIC_ERR_USAGE, "generate needs model_path, total_gpus and system");
    if (!o.model && !o.g.config)
        return aic_err(c->err, AIC_ERR_USAGE,
                       "generate needs model_path, total_gpus and system (or generator_config "
                       "alone to re-render a saved generator_config.yaml)");
    if (!(cfg = aic_gencfg_new()))
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
    rc = o.model ? naive(c, &o, cfg, result) : rerender(c, &o, cfg, result);
    aic_gencfg_free(cfg);
    return rc;
}
