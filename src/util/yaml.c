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

/* Nodes a document holds once its aliases are expanded, counted up to `left` (the count
 * stops there, and at a nesting deeper than AIC_YAML_MAX_DEPTH through aliases): a few
 * kilobytes of nested aliases can expand to billions of nodes. */
#define AIC_YAML_MAX_NODES 1000000L
#define AIC_YAML_MAX_DEPTH 1000

static void count_nodes(struct fy_node *n, int depth, long *left)
{
    void *it = NULL;

    if (!n || --*left <= 0)
        return;
    if (depth > AIC_YAML_MAX_DEPTH) {
        *left = 0;
        return;
    }
    if (fy_node_is_alias(n)) {
        count_nodes(fy_node_resolve_alias(n), depth + 1, left);
        return;
    }
    if (fy_node_is_sequence(n)) {
        for (struct fy_node *c; *left > 0 && (c = fy_node_sequence_iterate(n, &it));)
            count_nodes(c, depth + 1, left);
    } else if (fy_node_is_mapping(n)) {
        for (struct fy_node_pair *p; *left > 0 && (p = fy_node_mapping_iterate(n, &it));) {
            count_nodes(fy_node_pair_key(p), depth + 1, left);
            count_nodes(fy_node_pair_value(p), depth + 1, left);
        }
    }
}

/* Nonzero when resolving doc's aliases would exceed AIC_YAML_MAX_NODES. */
static int alias_bomb(struct fy_document *doc)
{
    long left = AIC_YAML_MAX_NODES;

    count_nodes(fy_document_root(doc), 0, &left);
    return left <= 0;
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
    if (doc && resolve && alias_bomb(doc)) {
        fy_document_destroy(doc);
        if (diag)
            fy_diag_destroy(diag);
        aic_err(err, AIC_ERR_PARSE,
                "%s: YAML aliases expand to more than %ld nodes or nest deeper than %d; "
                "write the values out instead of nesting aliases",
                origin ? origin
                : path ? path
                       : "value",
                AIC_YAML_MAX_NODES, AIC_YAML_MAX_DEPTH);
        return NULL;
    }
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
