/*
 * exp_int.h - internal interfaces between the experiment files (not installed).
 *
 *   exp_keys.c    the V2 key table: names, types, where each value goes; suggestions
 *   exp_load.c    reading the file (libfyaml), V2 keys, V1 conversion, validation
 *   exp_yaml.c    the resolved experiment as V2 YAML; aic_exp_check()
 *   exp_run.c     one experiment: checks, then its search (aic_exp_run_one)
 *   exp_report.c  summary box, overlaid ASCII chart, per-experiment tables, best pick
 *   exp_json.c    the --json document, rejected experiments included
 *   exp_plot.c    the frontier list drawn by the report's chart and PNG/SVG plot
 *   exp_save.c    the --save_dir tree
 */
#ifndef AIC_EXP_INT_H
#define AIC_EXP_INT_H

#include <libfyaml.h>

#include "aiconfigurator/exp.h"

/* Value types of keys. */
enum aic_exp_kt {
    KT_INT,
    KT_FLOAT,
    KT_BOOL,
    KT_STR,
    KT_LIST,
    KT_QUANT,
    KT_DBMODE,
    KT_SERVING,
    KT_BACKEND,
    KT_NEXTN,
    KT_IGNORE,
};

/* Where a value goes. Role fields (>= KF_MODEL) apply to the key's role. */
enum aic_exp_kf {
    KF_TOTAL,
    KF_ISL,
    KF_OSL,
    KF_PREFIX,
    KF_TTFT,
    KF_TPOT,
    KF_REQLAT,
    KF_PARETO,
    KF_STRICT,
    KF_DB,
    KF_FREEMEM,
    KF_TTFT_OVERHEAD,
    KF_TTFT_STEPS,
    KF_TTFT_SHARE,
    KF_TTFT_HANDOFF,
    KF_STEP_HOST, /* the three after KF_TTFT_HANDOFF in aic_ttft_consts order (exp_load.c) */
    KF_STEP_HOST_PER_REQ,
    KF_TTFT_STREAM,
    KF_TTFT_PROMPT,
    KF_MAXSEQ,
    KF_NEXTN,
    KF_NEXTN_ACC,
    KF_SERVING,
    KF_REPLICA_SIZES,
    KF_MAX_REPLICA,
    KF_MAX_PW,
    KF_MAX_DW,
    KF_P_MAXBS,
    KF_D_MAXBS,
    KF_P_CORR,
    KF_D_CORR,
    KF_P_DEG,
    KF_D_DEG,
    KF_TTFT_FACTOR,
    KF_EPD,
    KF_IGNORED,
    KF_MODEL,
    KF_SYSTEM,
    KF_BACKEND,
    KF_VERSION,
    KF_CHUNKED,
    KF_ROLE_IGNORED,
    KF_QUANT,
    KF_CAND,
    KF_CAND_CP,
};

struct aic_exp_key {
    const char *name; /* V2 name without the role prefix */
    enum aic_exp_kt type;
    enum aic_exp_kf field;
    unsigned aux; /* KF_QUANT: enum aic_quant_use; KF_CAND: enum aic_space_dim */
};

/* Looks a V2 key up: returns its definition and the role it names (-1 = shared key,
 * AIC_ROLE_AGG for unprefixed worker keys and agg_ candidates), or NULL when unknown. */
const struct aic_exp_key *aic_exp_key_find(const char *key, int *role);

/* The valid key nearest to `key` (edit distance), for "did you mean". */
const char *aic_exp_key_suggest(const char *key, char *buf, size_t n);

/* Copies a scalar node's text (NUL-terminated) into buf; 0 when not a scalar. */
int aic_exp_scalar(struct fy_node *n, char *buf, size_t size);

/* Default list of a candidate dimension for a role as the search uses it (clipped to
 * total_gpus). Returns the count. */
int aic_exp_default_list(const struct aic_exp *e, int role, int dim, int is_moe,
                         enum aic_backend be, int *out, int cap);

/* Sanitises a path component in place ([A-Za-z0-9_.-], others -> '_'; keep_slash keeps
 * '/' so HF ids nest). */
void aic_exp_sanitize(char *s, int keep_slash);

/* pareto_frontier.png and .svg of every experiment's frontier into dir (exp_plot.c). */
int aic_exp_plot_dir(const struct aic_exp_run *runs, size_t n, const char *dir,
                     struct aic_error *err);

#endif
