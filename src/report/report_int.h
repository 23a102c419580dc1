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

/* ---- deployment artifacts of the top-N rows (artifacts.c) -------------------------- */

/* A top-N row that got no artifacts: its reason, and whether the user's generator overrides
 * are to blame (by_override: the row passes the generator's checks without them). */
typedef void (*aic_report_refusal_fn)(void *user, int exp, size_t k, int by_override,
                                      const struct aic_error *why);

/* aic_report_save_artifacts() telling each refused row to fn (may be NULL) instead of
 * gen->warn, heterogeneous prefill/decode systems included (by_override 0). */
int aic_report_artifacts_each(const struct aic_search_result *res, int exp, const char *exp_dir,
                              const struct aic_report_gen *gen, aic_report_refusal_fn fn,
                              void *user, struct aic_error *err);

/* ---- save-dir building blocks, shared by save.c and `cli exp` (src/exp/exp_save.c) ---- */

/* A refused top-N row, held until the save ends (save_tx.c). */
struct aic_save_refusal {
    char label[128]; /* the experiment ("" for `cli default`) */
    int exp;         /* serving mode */
    size_t k;        /* rank */
    char why[AIC_ERROR_MSG_MAX];
};

/* One save-dir being written: everything goes into tmp (under dir), which
 * aic_save_finish() renames into place or removes. Refused rows are held back and reported
 * as one warning line when the save succeeds; label (may change between calls) names the
 * experiment they belong to. */
struct aic_save_tx {
    const char *dir; /* borrowed */
    char tmp[AIC_PATH_MAX];
    int existed;                         /* dir was there before: a failure leaves it */
    const struct aic_report_gen *caller; /* NULL = no artifacts */
    const char *label;                   /* the experiment of the next rows ("" / NULL: none) */
    int rows;                            /* top-N rows offered to the generator */
    int by_override;                     /* rows refused because of the user's overrides */
    struct aic_error first;              /* the first of those refusals */
    struct aic_save_refusal *ref;        /* every refused row, in order */
    size_t n_ref, cap_ref;
    int nomem; /* a refusal could not be recorded */
};

/* Creates dir (and parents) and dir/<tmp_name> (mkdtemp pattern). gen may be NULL. */
int aic_save_begin(struct aic_save_tx *t, const char *dir, const char *tmp_name,
                   const struct aic_report_gen *gen, struct aic_error *err);

/* The artifacts of experiment e of res into d (a folder in t->tmp); records refusals. */
int aic_save_artifacts(struct aic_save_tx *t, const struct aic_search_result *res, int e,
                       const char *d, struct aic_error *err);

/* Ends the save. A bad user override - rows were refused because of the overrides and no row
 * got artifacts - fails it with that reason (AIC_ERR_USAGE) and nothing written. Otherwise,
 * with rc == 0, moves tmp to dir/name ("_<k>" appended when taken; parents made), tells the
 * caller's warn one line naming the rows without artifacts and why, and copies the final
 * path to out_path (may be NULL). On failure removes tmp (and dir when this save made it)
 * and returns the error. */
int aic_save_finish(struct aic_save_tx *t, int rc, const char *name, char *out_path, size_t out_len,
                    struct aic_error *err);

/* The one warning line about the refused rows of t ("" when none; malloc'd, NULL when out
 * of memory): "no deployment artifacts for <n> of <m> top-N rows: <rows>: <why> | ...", rows
 * sharing a reason named together. */
char *aic_save_refusal_line(const struct aic_save_tx *t);

/* pareto_frontier.png and .svg of a frontier list into dir. */
int aic_save_plots(const struct aic_report_frontiers *f, const char *dir, struct aic_error *err);

/* Writes text into dir/name (NULL text = ""); the _owned form frees text, and NULL there
 * means out of memory. */
int aic_save_write_text(const char *dir, const char *name, const char *text, struct aic_error *e);
int aic_save_write_owned(const char *dir, const char *name, char *text, struct aic_error *e);

/* The model's part of a save folder's name: a Hugging Face id as given (its slash nests the
 * folder); a local directory (one that exists, or a path starting with '/' or '.') by its last
 * component, with trailing slashes, "." and ".." resolved ("./m/", "m/" and "/x/m" are "m"); a
 * config.json file by its folder's. */
void aic_save_model_name(const char *model_id, char *out, size_t n);

/* mkdir -p; 0 or -1 with errno. */
int aic_save_mkdir_p(const char *path);

/* The document aic_report_json() prints, as a jansson object (the caller owns it): `cli exp
 * --json` nests one per experiment. */
json_t *aic_report_json_obj(const struct aic_search_result *res);

#endif
