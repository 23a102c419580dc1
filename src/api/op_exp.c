/*
 * op_exp.c - {"op": "exp"}: the experiments of `cli exp`, from a file (yaml_path) or from
 * the request itself (config: the YAML mapping as a JSON object, or YAML text), answered
 * with the `cli exp --json` document (aic_exp_report_json(): every experiment in file
 * order, rejected ones with status "invalid"), plus `save_dir` when written. As on the
 * command line, valid experiments run when others are rejected; when none produced
 * results the op fails (usage when none was valid, else the first failure's code) with
 * the first reason. Notes on the file and the searches' warnings go to "warnings".
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/exp.h"
#include "aiconfigurator/generate.h"
#include "api/api_int.h"

struct exp_p {
    const char *yaml_path, *save_dir, *deployment_target, *engine_step_backend, *forward_model;
    int top_n, inclusive_tpot;
    struct api_gen_p g; /* generator overrides of the save_dir artifacts */
};

#define O(f) offsetof(struct exp_p, f)
static const struct api_param exp_tab[] = {
    {"yaml_path", "yaml", AP_STRING, O(yaml_path), 0, 0, NULL},
    {"top_n", NULL, AP_INT, O(top_n), 1, 1000, NULL},
    {"save_dir", NULL, AP_STRING, O(save_dir), 0, 0, NULL},
    {"inclusive_tpot", NULL, AP_BOOL, O(inclusive_tpot), 0, 0, NULL},
    {"deployment_target", NULL, AP_STRING, O(deployment_target), 0, 0, NULL},
    {"engine_step_backend", NULL, AP_STRING, O(engine_step_backend), 0, 0, NULL},
    {"forward_model", NULL, AP_STRING, O(forward_model), 0, 0, NULL},
    API_GEN_PARAMS(struct exp_p, g),
    {0},
};
#undef O

/* The table's parameters, and `config` (an object or YAML text, which the table cannot
 * hold) into *config: NULL when absent. */
static int read_params(struct api_call *c, struct exp_p *o, const json_t **config)
{
    json_t *rest = json_copy((json_t *)c->req);
    int rc;

    if (!rest)
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory reading the request");
    *config = json_object_get(c->req, "config");
    if (json_is_null(*config))
        *config = NULL;
    json_object_del(rest, "config");
    rc = api_params_read(rest, exp_tab, o, NULL, c->err);
    json_decref(rest);
    if (rc)
        return rc;
    if (*config && !json_is_object(*config) && !json_is_string(*config))
        return aic_err(c->err, AIC_ERR_USAGE,
                       "parameter 'config' must be an object (experiment name -> keys) or "
                       "YAML text");
    if (!o->yaml_path == !*config)
        return aic_err(c->err, AIC_ERR_USAGE,
                       "exp needs exactly one of yaml_path (an experiment YAML file) or config "
                       "(its content)");
    return 0;
}

/* Reads the experiments from the file or from config (JSON is YAML; indented, so messages
 * name useful lines). */
static int load(struct api_call *c, const struct exp_p *o, const json_t *config,
                struct aic_exp_set *set)
{
    int rc;

    if (o->yaml_path) {
        rc = aic_exp_load_file(o->yaml_path, o->top_n, set, c->err);
        if (rc == AIC_ERR_NOTFOUND)
            aic_err(c->err, rc, "yaml_path %s does not exist; give an experiment YAML file",
                    o->yaml_path);
        return rc;
    }
    if (json_is_string(config))
        return aic_exp_load_string(json_string_value(config), "config", o->top_n, set, c->err);
    char *text = json_dumps(config, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory reading config");
    rc = aic_exp_load_string(text, "config", o->top_n, set, c->err);
    free(text);
    return rc;
}

/* Runs every experiment; returns 0 when one produced results, else the code of the first
 * failure (usage when there was nothing to run) with its reason in c->err. */
static int run_all(struct api_call *c, const struct aic_exp_set *set, struct aic_exp_run *runs)
{
    int first = 0, ok = 0;

    for (size_t i = 0; i < set->n; i++) {
        int rc = aic_exp_run_one(c->ctx, set->exp[i], &runs[i]);
        for (int k = 0; k < runs[i].res.n_warn; k++)
            api_warn(c, "%s: %s", set->exp[i]->name, runs[i].res.warn[k]);
        ok |= runs[i].ok;
        if (!runs[i].ok && !first)
            first = aic_err(c->err, rc ? rc : AIC_ERR_RUNTIME,
                            "no experiment produced results; first: %s", runs[i].msg);
    }
    if (ok)
        return 0;
    if (!set->n)
        return aic_err(c->err, AIC_ERR_USAGE, "no valid experiments%s%s",
                       set->n_msg ? "; first problem: " : " (the file defines none)",
                       set->n_msg ? set->msg[0] : "");
    return first;
}

/* The save's warnings: in the response's "warnings" and in the document's. */
struct save_warns {
    struct api_call *c;
    char *line[32];
    size_t n;
};

static void gen_warn(void *user, const char *msg)
{
    struct save_warns *w = user;
    api_warn(w->c, "%s", msg);
    if (w->n < sizeof w->line / sizeof w->line[0] && (w->line[w->n] = strdup(msg)))
        api_json_keys(w->line[w->n++]);
}

/* The save_dir tree of every experiment, with the generator overrides. */
static int save(struct api_call *c, const struct exp_p *o, const struct aic_exp_set *set,
                const struct aic_exp_run *runs, struct save_warns *w, char *where, size_t len)
{
    struct aic_gencfg *cfg = aic_gencfg_new();
    struct aic_report_gen gen = {c->ctx, cfg, o->g.tmpl_version, o->g.dynamo_version, gen_warn, w};
    int rc =
        cfg ? api_gen_overrides(c, &o->g, 1, cfg) : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");

    rc = rc ? rc : aic_exp_save_gen(runs, set->n, o->save_dir, &gen, where, len, c->err);
    aic_gencfg_free(cfg);
    return rc;
}

/* The document, plus save_dir when written. */
static int output(struct api_call *c, const struct exp_p *o, const struct aic_exp_set *set,
                  const struct aic_exp_run *runs, json_t **result)
{
    char where[1024] = "";
    json_error_t jerr;
    struct save_warns w = {c, {0}, 0};
    int rc = o->save_dir ? save(c, o, set, runs, &w, where, sizeof(where)) : 0;
    char *text =
        rc ? NULL : aic_exp_report_json(set, runs, set->n, (const char *const *)w.line, w.n);

    for (size_t i = 0; i < w.n; i++)
        free(w.line[i]);
    if (rc)
        return rc;
    if (!text)
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory rendering the report");
    *result = json_loads(text, 0, &jerr);
    free(text);
    if (!*result)
        return aic_err(c->err, AIC_ERR_RUNTIME, "report JSON did not parse back: %s", jerr.text);
    if (o->save_dir)
        json_object_set_new(*result, "save_dir", json_string(where));
    return 0;
}

int api_op_exp(struct api_call *c, json_t **result)
{
    struct exp_p o = {.top_n = 5};
    const json_t *config = NULL;
    struct aic_exp_set set;
    struct aic_exp_run *runs;
    int rc = read_params(c, &o, &config);

    if (rc || (rc = load(c, &o, config, &set)))
        return rc;
    for (size_t i = 0; i < set.n_note; i++)
        api_warn(c, "%s", set.note[i]);
    runs = calloc(set.n ? set.n : 1, sizeof *runs);
    rc = runs ? run_all(c, &set, runs) : aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
    rc = rc ? rc : output(c, &o, &set, runs, result);
    for (size_t i = 0; runs && i < set.n; i++)
        aic_search_result_free(&runs[i].res);
    free(runs);
    aic_exp_set_free(&set);
    return rc;
}
