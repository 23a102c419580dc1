/*
 * report.h - outputs of a search: the terminal report (summary box, ranked tables, ASCII
 * Pareto chart) as AIConfigurator prints it, a JSON document of the whole result, and the
 * --save_dir folder (per serving mode best_config_topn.csv, pareto.csv, exp_config.yaml;
 * pareto_frontier.png and .svg drawn by one cairo function).
 *
 * Column names and order of the CSV files follow AIConfigurator (aic-interface §3.2); the
 * JSON rows use the same keys. src/report/README.md documents them.
 *
 * Ownership: functions returning char * allocate with malloc; the caller frees. The result
 * is borrowed. Nothing here prints or exits.
 */
#ifndef AIC_REPORT_H
#define AIC_REPORT_H

#include "aiconfigurator/search.h"

struct aic_report_opts {
    int color;          /* ANSI bold/colour in tables and chart */
    int inclusive_tpot; /* show TPOT as (ttft + tpot*(osl-1))/osl */
};

/* The summary box, chart and ranked tables (ends with the closing '*' rule). */
char *aic_report_text(const struct aic_search_result *res, const struct aic_report_opts *o);

/* One ranked table ("agg Top Configurations: ..." heading included). */
char *aic_report_table(const struct aic_search_result *res, int exp, int color);

/* The ASCII Pareto chart (80 columns). */
char *aic_report_chart(const struct aic_search_result *res, int color);

/* ---- frontier lists: one chart/plot code path for `cli default` and `cli exp` ------- */

/* Styles of a series: 0..9 cycle (blue, red, green, purple, orange, brown, pink, gray, cyan,
 * magenta; marks o + * # @ % & = ~ $), or the serving-mode styles of `cli default`. */
enum { AIC_REPORT_STYLE_CYCLE = 10, AIC_REPORT_STYLE_AGG = 10, AIC_REPORT_STYLE_DISAGG = 11 };
#define AIC_REPORT_MAX_SERIES 10 /* the ASCII chart draws the first 10 series */

/* One frontier to draw (borrowed pointers). */
struct aic_report_series {
    const char *name;               /* legend text */
    const struct aic_search_exp *x; /* its pareto rows */
    int style;                      /* AIC_REPORT_STYLE_* or a cycle index (taken mod 10) */
};

/* What a chart or plot shows (borrowed pointers). */
struct aic_report_frontiers {
    const char *model_id;     /* title prefix; NULL = none (plot: "experiments") */
    int request_latency_mode; /* x = request latency (ms) instead of tokens/s/user */
    const struct aic_report_series *s;
    size_t n;
    const struct aic_search_row *chosen; /* circled (plot) / 'x' (chart); NULL = none */
    const char *chosen_name;             /* legend "<name> selected" / "chosen"; NULL = no entry */
    double legend_w;                     /* plot legend width in points; 0 = 130 */
};

/* The ASCII Pareto chart of a frontier list (80 columns). NULL when out of memory. */
char *aic_report_chart_frontiers(const struct aic_report_frontiers *f, int color);

/* Draws a frontier list into a PNG ("png") or SVG ("svg") file. */
int aic_report_plot_frontiers(const struct aic_report_frontiers *f, const char *path,
                              const char *fmt, struct aic_error *err);

/* The frontier list of a search result as `cli default` draws it (non-empty serving modes,
 * the rank-1 row of res->best chosen). s must hold AIC_EXP_COUNT entries. */
void aic_report_frontiers_of(const struct aic_search_result *res, struct aic_report_series *s,
                             struct aic_report_frontiers *out);

/* The whole result as JSON (pretty-printed, keys in a fixed order). */
char *aic_report_json(const struct aic_search_result *res);

/* aic_report_json() with n_more lines appended to its "warnings" after the search's own
 * (the surfaces pass the save-dir's warning about top-N rows without artifacts). */
char *aic_report_json_warn(const struct aic_search_result *res, const char *const *more,
                           size_t n_more);

/* CSV text of rows with the experiment's columns (aic-interface §3.2), 3-decimal floats. */
char *aic_report_csv(const struct aic_search_result *res, int exp,
                     const struct aic_search_row *rows, size_t n);

/* The experiment as a flat V2 exp YAML (re-runnable with `cli exp`). */
char *aic_report_exp_yaml(const struct aic_search_result *res, int exp);

/* Draws the Pareto plot into a PNG ("png") or SVG ("svg") file. */
int aic_report_plot(const struct aic_search_result *res, const char *path, const char *fmt,
                    struct aic_error *err);

/* Writes the save-dir tree under dir (created when missing). Everything is written into a
 * temporary folder first and renamed into place at the end, so a failure leaves nothing.
 * out_path (may be NULL) receives the final folder. */
int aic_report_save(const struct aic_search_result *res, const char *dir, char *out_path,
                    size_t out_len, struct aic_error *err);

/* ---- deployment artifacts in the save-dir (aic-interface §3.1, §3.7-§3.9) ------------ */

struct aic_gencfg;

/* How the top-N rows get their ready-to-run folders (generate.h does the writing). */
struct aic_report_gen {
    struct aic_ctx *ctx;          /* resolves res->model_id / res->system (required) */
    const struct aic_gencfg *cfg; /* --generator-config / --generator-set; NULL = none */
    const char *template_version; /* --generated-config-version; NULL = row's version */
    const char *dynamo_version;   /* --dynamo-version; NULL = from the version */
    /* aic_report_save_artifacts(): called once per row the generator refuses, with
     * "<mode> top<k>: no deployment artifacts: <reason>" (the row is skipped, the others are
     * written); aic_report_save_gen(): once per save, see there. NULL = silently skipped. */
    void (*warn)(void *user, const char *msg);
    void *user;
};

/*
 * Writes exp_dir/top1 ... exp_dir/top<n_top> for experiment `exp` of res: one
 * aic_generate_artifacts() folder per top-N row (workers scaled to res->total_gpus; recommend:
 * to the row's total_gpus_needed). A row the generator refuses (a layout the backend cannot
 * express, an override that contradicts the row or a bad override value) is reported through
 * gen->warn and skipped; *n_refused (may be NULL) counts them and err receives the first
 * refusal's reason while the call still returns AIC_OK. Heterogeneous prefill/decode systems:
 * every disagg row is warned about, none counted. Other failures (I/O, unknown model/system)
 * stop and return the error. exp_dir must exist. `cli exp` calls this per experiment folder.
 */
int aic_report_save_artifacts(const struct aic_search_result *res, int exp, const char *exp_dir,
                              const struct aic_report_gen *gen, int *n_refused,
                              struct aic_error *err);

/* aic_report_save() plus, when gen != NULL, the artifacts of every top-N row of each serving
 * mode (<mode>/top<k>/), inside the same temporary folder (all-or-nothing as above). Refused
 * rows are reported, only when the save succeeds, as one gen->warn line naming them and why
 * ("no deployment artifacts for <n> of <m> top-N rows: agg top1, top2: <reason> | ...").
 * When the user's overrides made the generator refuse rows and no row got artifacts (a bad
 * override value, or an override no row agrees with), the save fails with the first such
 * reason (AIC_ERR_USAGE) and nothing is written; rows the generator refuses on their own
 * (without the overrides too) never fail it. */
int aic_report_save_gen(const struct aic_search_result *res, const char *dir,
                        const struct aic_report_gen *gen, char *out_path, size_t out_len,
                        struct aic_error *err);

#endif
