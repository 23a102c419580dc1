/*
 * yaml.c - one libfyaml parse with diagnostics collected instead of printed.
 */
#include <stdbool.h>
#include <string.h>

#include "util/yaml.h"

static void report(struct fy_diag *diag, const char *origin, struct aic_error *err)
{
    void *it = NULL;
    struct fy_diag_error *e = diag ? fy_diag_errors_iterate(diag, &it) : NULL;

    if (e)
        aic_err(err, AIC_ERR_PARSE, "%s:%d:%d: malformed YAML: %s", origin, e->line + 1,
                e->column + 1, e->msg);
    else
        aic_err(err, AIC_ERR_PARSE, "%s: malformed YAML", origin);
}

struct fy_document *aic_yaml_parse(const char *path, const char *text, const char *origin,
                                   int resolve, struct aic_error *err)
{
    struct fy_diag_cfg dcfg;
    struct fy_diag *diag;
    struct fy_parse_cfg cfg;
    struct fy_document *doc;

    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.colorize = false;
    diag = fy_diag_create(&dcfg);
    if (diag)
        fy_diag_set_collect_errors(diag, true);
    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET | FYPCF_DISABLE_RECYCLING;
    cfg.diag = diag;
    doc = path ? fy_document_build_from_file(&cfg, path)
               : fy_document_build_from_string(&cfg, text, FY_NT);
    if (doc && resolve && fy_document_resolve(doc)) {
        fy_document_destroy(doc);
        doc = NULL;
    }
    if (!doc)
        report(diag, origin ? origin : path ? path : "value", err);
    if (diag)
        fy_diag_destroy(diag);
    return doc;
}
