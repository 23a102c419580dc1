/*
 * report_int.h - internal interfaces between the report's files (not installed).
 */
#ifndef AIC_REPORT_INT_H
#define AIC_REPORT_INT_H

#include <cairo.h>
#include <jansson.h>

#include "aiconfigurator/report.h"
#include "util/util.h"

/* A cell value of an output column. */
enum aic_val_kind { AIC_V_NONE = 0, AIC_V_INT, AIC_V_NUM, AIC_V_STR };
struct aic_val {
    enum aic_val_kind kind;
    long i;
    double d;
    const char *s;
};

/* Columns of an experiment's CSV / JSON rows (columns.c). */
int aic_report_ncols(const struct aic_search_result *res, int exp);
const char *aic_report_col_name(const struct aic_search_result *res, int exp, int i);
/* buf (n bytes) backs string values that must be built (layout strings). */
void aic_report_col_val(const struct aic_search_result *res, int exp, int i,
                        const struct aic_search_row *r, struct aic_val *v, char *buf, size_t n);
/* 3-decimal rounding printed like Python prints the rounded float. */
void aic_report_fmt3(double x, char *buf, size_t n);

/* Exp names "agg" / "disagg". */
const char *aic_report_exp_name(int exp);

/* Colour and chart marks of a series style (chart.c): AIC_REPORT_STYLE_* entries plus the
 * chosen point's ('x', bold green) at index AIC_REPORT_STYLE_CHOSEN. */
struct aic_report_style {
    double rgb[3];
    const char *mark, *mark_color; /* plain and ANSI-coloured chart mark */
};
#define AIC_REPORT_STYLE_CHOSEN 12
const struct aic_report_style *aic_report_style(int style);

/* Draws a frontier list on any cairo surface of w x h points (plot.c). */
void aic_report_draw(cairo_t *cr, double w, double h, const struct aic_report_frontiers *f);

/* exp_config.yaml of one backend (save.c). */
/* Appends the TTFT serving constants that t sets as experiment keys ("  ttft_overhead_ms: 50"),
 * nothing for those left to the backend. */
void aic_report_ttft_keys(struct aic_buf *b, const struct aic_ttft_consts *t);

char *aic_report_exp_yaml_be(const struct aic_search_result *res, int exp, enum aic_backend be);

/* ---- save-dir building blocks, shared by save.c and `cli exp` (src/exp/exp_save.c) ---- */

/* One save-dir being written: everything goes into tmp (under dir), which
 * aic_save_finish() renames into place or removes. Artifact warnings are held back until
 * the save succeeds; label (may change between calls) prefixes them. */
struct aic_save_tx {
    const char *dir; /* borrowed */
    char tmp[AIC_PATH_MAX];
    int existed;                         /* dir was there before: a failure leaves it */
    const struct aic_report_gen *caller; /* NULL = no artifacts */
    struct aic_report_gen wrap;          /* caller's settings, warn = held back */
    struct aic_buf msgs;                 /* held-back warnings, one per line */
    const char *label;                   /* prefix of the warnings ("<experiment>") */
    int rows, refused;                   /* top-N rows and refused rows so far */
    struct aic_error first;              /* first refusal */
};

/* Creates dir (and parents) and dir/<tmp_name> (mkdtemp pattern). gen may be NULL. */
int aic_save_begin(struct aic_save_tx *t, const char *dir, const char *tmp_name,
                   const struct aic_report_gen *gen, struct aic_error *err);

/* The artifacts of experiment e of res into d (a folder in t->tmp); counts refusals. */
int aic_save_artifacts(struct aic_save_tx *t, const struct aic_search_result *res, int e,
                       const char *d, struct aic_error *err);

/* Ends the save: with rc == 0 and not every top-N row refused, moves tmp to dir/name
 * ("_<k>" appended when taken; parents made), delivers the warnings and copies the final
 * path to out_path (may be NULL). Otherwise removes tmp (and dir when this save made it)
 * and returns the error. */
int aic_save_finish(struct aic_save_tx *t, int rc, const char *name, char *out_path, size_t out_len,
                    struct aic_error *err);

/* pareto_frontier.png and .svg of a frontier list into dir. */
int aic_save_plots(const struct aic_report_frontiers *f, const char *dir, struct aic_error *err);

/* Writes text into dir/name (NULL text = ""); the _owned form frees text, and NULL there
 * means out of memory. */
int aic_save_write_text(const char *dir, const char *name, const char *text, struct aic_error *e);
int aic_save_write_owned(const char *dir, const char *name, char *text, struct aic_error *e);

/* mkdir -p; 0 or -1 with errno. */
int aic_save_mkdir_p(const char *path);

/* The document aic_report_json() prints, as a jansson object (the caller owns it): `cli exp
 * --json` nests one per experiment. */
json_t *aic_report_json_obj(const struct aic_search_result *res);

#endif
