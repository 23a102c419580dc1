/*
 * report_int.h - internal interfaces between the report's files (not installed).
 */
#ifndef AIC_REPORT_INT_H
#define AIC_REPORT_INT_H

#include <cairo.h>

#include "aiconfigurator/report.h"

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
                        const struct aic_search_row *r, struct aic_val *v, char *buf,
                        size_t n);
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

#endif
