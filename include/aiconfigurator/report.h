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

/* The whole result as JSON (pretty-printed, keys in a fixed order). */
char *aic_report_json(const struct aic_search_result *res);

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

#endif
