/*
 * exp.h - experiments (`cli exp --yaml_path FILE`): a YAML file defines any number of
 * deployments to compare (aic-interface §2). Each experiment becomes one search request
 * with its own SLA, search space and per-role model/system/backend/version/quantization;
 * the report overlays their Pareto frontiers and names the best.
 *
 * Schemas: the flat V2 schema (keys such as `prefill_tp_candidates`) and the nested legacy
 * V1 schema (`config`, `worker_config`, `replica_config`, `advanced_tuning_config`,
 * `profiles`, ...), converted to V2 on load. An optional top-level `exps: [a, b]` selects
 * and orders the experiments; otherwise every other top-level key is one, in file order.
 *
 * Errors: a file that cannot be read or parsed fails as a whole (AIC_ERR_NOTFOUND / _IO /
 * _PARSE with file:line:column). A problem inside one experiment (unknown key, bad value,
 * missing field, different prefill/decode models) rejects only that experiment: its
 * one-line messages land in struct aic_exp_set.msg, the experiment in .rejected (name and
 * place, for reports), and the valid experiments load.
 *
 * Ownership: aic_exp_load_*() fill a caller-owned struct aic_exp_set, released with
 * aic_exp_set_free(); each struct aic_exp is heap-allocated and never moves, so the
 * pointers inside its req (strings, space) stay valid. Returned char * are malloc'd.
 * Nothing here prints or exits.
 */
#ifndef AIC_EXP_H
#define AIC_EXP_H

#include <stddef.h>

#include "aiconfigurator/report.h"
#include "aiconfigurator/search.h"

#define AIC_EXP_NAME_MAX 96
#define AIC_EXP_STR_MAX  512

/* One experiment, resolved to a search request. Roles index AIC_ROLE_AGG/PREFILL/DECODE. */
struct aic_exp {
    char name[AIC_EXP_NAME_MAX];
    int line;    /* 1-based line of its key in the file */
    int serving; /* AIC_SEARCH_AGG or AIC_SEARCH_DISAGG */
    int legacy;  /* written in the V1 schema (converted) */
    char model[AIC_ROLE_COUNT][AIC_EXP_STR_MAX];
    char system[AIC_ROLE_COUNT][64];
    char version[AIC_ROLE_COUNT][32];
    int backend[AIC_ROLE_COUNT]; /* enum aic_backend; -1 = not given (trtllm) */
    int chunked[AIC_ROLE_COUNT];
    int nextn_auto; /* `nextn: auto`: from the checkpoint (aic_exp_check) */
    int nextn_accepted_set;
    int cp[AIC_ROLE_COUNT][AIC_SPACE_MAX_LIST], n_cp[AIC_ROLE_COUNT]; /* accepted; cp 1 only */
    struct aic_search_req req; /* strings point into this struct; req.space = &space */
    struct aic_search_space space;
};

/* An experiment rejected when the file was read: its problems are msg[first_msg ..
 * first_msg + n_msg) of its set; it stood before exp[at] in run order (at == n: last). */
struct aic_exp_rejected {
    char name[AIC_EXP_NAME_MAX];
    int line; /* 1-based line of its key in the file (0 unknown) */
    size_t at;
    size_t first_msg, n_msg;
};

/* The experiments of one file. */
#define AIC_EXP_MSG_MAX 512
struct aic_exp_set {
    struct aic_exp **exp; /* loaded experiments in run order, owned */
    size_t n;
    char (*msg)[AIC_EXP_MSG_MAX]; /* one line per problem (rejected experiments), owned */
    size_t n_msg;
    struct aic_exp_rejected *rejected; /* experiments with problems, in file order, owned */
    size_t n_rejected;
    char (*note)[AIC_EXP_MSG_MAX]; /* warnings (V1 conversion, ignored keys), owned */
    size_t n_note;
    int n_defined; /* experiments named in the file (before rejections) */
};

/* Loads a file / a string (origin names it in messages). top_n applies to every
 * experiment. Whole-file problems return an error; per-experiment ones go to set->msg. */
int aic_exp_load_file(const char *path, int top_n, struct aic_exp_set *set, struct aic_error *err);
int aic_exp_load_string(const char *text, const char *origin, int top_n, struct aic_exp_set *set,
                        struct aic_error *err);
void aic_exp_set_free(struct aic_exp_set *set);

/* Checks an experiment against models and systems: the model resolves, the systems exist,
 * explicit quant modes run on the role's GPU (no fp4 on Hopper), `nextn: auto` resolved.
 * One-line message in err ("experiment 'x': ..."). */
int aic_exp_check(struct aic_ctx *ctx, struct aic_exp *e, struct aic_error *err);

/* The experiment fully resolved (every key: candidate lists, quant modes and perf-db
 * version as run) as a flat V2 YAML that `cli exp` re-runs unchanged. res may be NULL
 * (then unresolved values are written as given). */
char *aic_exp_yaml(const struct aic_exp *e, const struct aic_search_result *res);

/* ---- comparing experiments ------------------------------------------------------------- */

/* One experiment's outcome. */
struct aic_exp_run {
    const struct aic_exp *exp;
    int ok;                       /* search succeeded and res holds rows */
    struct aic_search_result res; /* valid when ok (free with aic_search_result_free) */
    char msg[AIC_ERROR_MSG_MAX];  /* why not ok */
};

/* Checks (aic_exp_check) and searches one experiment into run, which the caller frees with
 * aic_search_result_free(&run->res). run->ok: it produced configurations; else run->msg
 * says why. The search's warnings stay in run->res.warn even when it failed. Returns 0
 * when the search ran, else the AIC_ERR_* code of the check or search. */
int aic_exp_run_one(struct aic_ctx *ctx, struct aic_exp *e, struct aic_exp_run *run);

/* Index of the run with the highest rank-1 tokens/s/gpu_cluster (runs meeting their SLA
 * first); -1 when none is ok. */
int aic_exp_best(const struct aic_exp_run *runs, size_t n);

/* `cli exp --json`: {"mode": "exp", "best": name or null, "experiments": [{"name", "ok",
 * "status", "error", "result": the aic_report_json() document or null}]} in file order.
 * runs[i] is the run of set->exp[i] (n == set->n); set's rejected experiments are listed
 * where they stood, with status "invalid" and their problems joined by "; " as error;
 * status is "ok" for a run with results, else "failed". set may be NULL (runs only).
 * "warnings" holds set's notes on the file, then the n_warn lines of warn (the save's, e.g.
 * top-N rows without artifacts). Caller frees. */
char *aic_exp_report_json(const struct aic_exp_set *set, const struct aic_exp_run *runs, size_t n,
                          const char *const *warn, size_t n_warn);

/* The summary box, overlaid ASCII chart and one table per experiment. */
char *aic_exp_report_text(const struct aic_exp_run *runs, size_t n,
                          const struct aic_report_opts *o);

/* The ASCII chart with every experiment's frontier (up to 10 series). */
char *aic_exp_chart(const struct aic_exp_run *runs, size_t n, int color);

/* One PNG ("png") or SVG ("svg") with every experiment's frontier. */
int aic_exp_plot(const struct aic_exp_run *runs, size_t n, const char *path, const char *fmt,
                 struct aic_error *err);

/* What aic_exp_save() could not do without failing (artifacts skipped, ...). */
struct aic_exp_save_info {
    int n_warn;
    char warn[16][256];
};

/* --save_dir: DIR/<first experiment's model>_<system>_<backend>_isl.._osl.._ttft.._tpot.._<n>/
 * with pareto_frontier.png/.svg and per experiment <name>/ best_config_topn.csv, pareto.csv,
 * exp_config.yaml (resolved) and top1..topN/ deployment artifacts. All or nothing. */
int aic_exp_save(struct aic_ctx *ctx, const struct aic_exp_run *runs, size_t n, const char *dir,
                 char *out_path, size_t out_len, struct aic_exp_save_info *info,
                 struct aic_error *err);

/* aic_exp_save() with the deployment artifacts of `cli default` (report.h, struct
 * aic_report_gen: context, generator overrides, versions, warning callback): every
 * experiment's top1..topN/ gets aic_report_save_artifacts() with gen's overrides; refused
 * rows are reported in one warning naming them as "<experiment>: <mode> top<k>" by reason
 * (delivered only when the save succeeds). The save fails (usage error, nothing written)
 * only when no row got artifacts and a generator override caused a refusal; rows the
 * generator cannot express leave the other outputs saved. gen->ctx is required. */
int aic_exp_save_gen(const struct aic_exp_run *runs, size_t n, const char *dir,
                     const struct aic_report_gen *gen, char *out_path, size_t out_len,
                     struct aic_error *err);

#endif
