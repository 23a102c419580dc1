/*
 * plot.c - pareto_frontier.png / .svg: one drawing function over a cairo context, used for
 * both surfaces and for both `cli default` (per serving mode, agg blue and disagg orange)
 * and `cli exp` (per experiment, colours cycling): the frontier of tokens/s/gpu (per GPU,
 * as AIConfigurator plots it) against tokens/s/user (or request latency), line + markers;
 * the chosen configuration circled; axes with units; legend top-right.
 */
#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"

/* fontconfig's global cache (loaded by cairo's text) is released after each plot so leak
 * checkers stay quiet; weak, as fontconfig is only cairo's dependency. */
extern void FcFini(void) __attribute__((weak));

static double xv(const struct aic_report_frontiers *fr, const struct aic_search_row *r)
{
    return fr->request_latency_mode ? r->request_latency_ms : r->tokens_s_user;
}

static void set_rgb(cairo_t *cr, int style)
{
    const double *c = aic_report_style(style)->rgb;
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

/* A "nice" tick step near range/5: 1, 2 or 5 times a power of ten. */
static double nice_step(double range)
{
    double raw = range / 5.0, p = pow(10.0, floor(log10(raw > 0 ? raw : 1)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - e.width * ax - e.x_bearing, y + e.height * ay);
    cairo_show_text(cr, s);
}

struct frame {
    double x0, y0, w, h, xmax, ymax;
};

static double px(const struct frame *f, double x)
{
    return f->x0 + x / f->xmax * f->w;
}
static double py(const struct frame *f, double y)
{
    return f->y0 + f->h - y / f->ymax * f->h;
}

static void axes(cairo_t *cr, const struct frame *f, const char *xl)
{
    char s[32];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_stroke(cr);
    cairo_set_font_size(cr, 10);
    double sx = nice_step(f->xmax), sy = nice_step(f->ymax);
    for (double x = 0; x <= f->xmax + 1e-9; x += sx) {
        cairo_move_to(cr, px(f, x), f->y0 + f->h);
        cairo_line_to(cr, px(f, x), f->y0 + f->h + 4);
        cairo_stroke(cr);
        snprintf(s, sizeof s, "%g", x);
        text_at(cr, px(f, x), f->y0 + f->h + 8, s, 0.5, 1);
    }
    for (double y = 0; y <= f->ymax + 1e-9; y += sy) {
        cairo_move_to(cr, f->x0 - 4, py(f, y));
        cairo_line_to(cr, f->x0, py(f, y));
        cairo_stroke(cr);
        snprintf(s, sizeof s, "%g", y);
        text_at(cr, f->x0 - 7, py(f, y), s, 1, 0.5);
    }
    cairo_set_font_size(cr, 12);
    text_at(cr, f->x0 + f->w / 2, f->y0 + f->h + 30, xl, 0.5, 1);
    cairo_save(cr);
    cairo_translate(cr, f->x0 - 52, f->y0 + f->h / 2);
    cairo_rotate(cr, -M_PI / 2);
    text_at(cr, 0, 0, "tokens/s/gpu", 0.5, 0.5);
    cairo_restore(cr);
}

static void series(cairo_t *cr, const struct frame *f, const struct aic_report_frontiers *fr,
                   const struct aic_report_series *sr)
{
    const struct aic_search_exp *x = sr->x;
    set_rgb(cr, sr->style);
    cairo_set_line_width(cr, 1.5);
    for (size_t i = 0; i < x->n_pareto; i++) {
        double X = px(f, xv(fr, &x->pareto[i])), Y = py(f, x->pareto[i].tokens_s_gpu);
        if (i)
            cairo_line_to(cr, X, Y);
        else
            cairo_move_to(cr, X, Y);
    }
    cairo_stroke(cr);
    for (size_t i = 0; i < x->n_pareto; i++) {
        cairo_new_path(cr);
        cairo_arc(cr, px(f, xv(fr, &x->pareto[i])), py(f, x->pareto[i].tokens_s_gpu), 3, 0,
                  2 * M_PI);
        cairo_fill(cr);
    }
}

static void legend(cairo_t *cr, const struct frame *f, const struct aic_report_frontiers *fr)
{
    double y = f->y0 + 14, lw = fr->legend_w > 0 ? fr->legend_w : 130;
    cairo_set_font_size(cr, 11);
    for (size_t s = 0; s < fr->n; s++) {
        set_rgb(cr, fr->s[s].style);
        cairo_rectangle(cr, f->x0 + f->w - lw, y - 5, 18, 3);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, f->x0 + f->w - lw + 25, y - 4, fr->s[s].name, 0, 0.5);
        y += 16;
    }
    if (fr->chosen_name) {
        set_rgb(cr, AIC_REPORT_STYLE_CHOSEN);
        cairo_new_path(cr);
        cairo_arc(cr, f->x0 + f->w - lw + 9, y - 4, 5, 0, 2 * M_PI);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, f->x0 + f->w - lw + 25, y - 4, "chosen", 0, 0.5);
    }
}

void aic_report_draw(cairo_t *cr, double w, double h, const struct aic_report_frontiers *fr)
{
    struct frame f = {70, 40, w - 100, h - 100, 0, 0};
    for (size_t s = 0; s < fr->n; s++)
        for (size_t i = 0; i < fr->s[s].x->n_pareto; i++) {
            const struct aic_search_row *r = &fr->s[s].x->pareto[i];
            f.xmax = fmax(f.xmax, xv(fr, r));
            f.ymax = fmax(f.ymax, r->tokens_s_gpu);
        }
    f.xmax = f.xmax > 0 ? f.xmax * 1.1 : 1;
    f.ymax = f.ymax > 0 ? f.ymax * 1.15 : 1;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    const char *xl = fr->request_latency_mode ? "request_latency (ms)" : "tokens/s/user";
    char title[200];
    snprintf(title, sizeof title, "%s tokens/s/gpu vs %s",
             fr->model_id ? fr->model_id : "experiments",
             fr->request_latency_mode ? "request_latency" : "tokens/s/user");
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 13);
    text_at(cr, w / 2, 14, title, 0.5, 1);
    axes(cr, &f, xl);
    for (size_t s = 0; s < fr->n; s++)
        series(cr, &f, fr, &fr->s[s]);
    if (fr->chosen) {
        set_rgb(cr, AIC_REPORT_STYLE_CHOSEN);
        cairo_set_line_width(cr, 2);
        cairo_new_path(cr);
        cairo_arc(cr, px(&f, xv(fr, fr->chosen)), py(&f, fr->chosen->tokens_s_gpu), 7, 0, 2 * M_PI);
        cairo_stroke(cr);
    }
    legend(cr, &f, fr);
}

int aic_report_plot_frontiers(const struct aic_report_frontiers *fr, const char *path,
                              const char *fmt, struct aic_error *err)
{
    const double w = 800, h = 500;
    int svg = fmt && !strcmp(fmt, "svg");
    cairo_surface_t *s = svg ? cairo_svg_surface_create(path, w, h)
                             : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return aic_err(err, AIC_ERR_IO, "cannot create %s", path);
    }
    cairo_t *cr = cairo_create(s);
    aic_report_draw(cr, w, h, fr);
    cairo_destroy(cr);
    int rc = AIC_OK;
    if (!svg && cairo_surface_write_to_png(s, path) != CAIRO_STATUS_SUCCESS)
        rc = aic_err(err, AIC_ERR_IO, "cannot write %s", path);
    cairo_surface_finish(s);
    if (svg && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = aic_err(err, AIC_ERR_IO, "cannot write %s", path);
    cairo_surface_destroy(s);
    cairo_debug_reset_static_data();
    if (FcFini)
        FcFini();
    return rc;
}

int aic_report_plot(const struct aic_search_result *res, const char *path, const char *fmt,
                    struct aic_error *err)
{
    struct aic_report_series s[AIC_EXP_COUNT];
    struct aic_report_frontiers f;

    aic_report_frontiers_of(res, s, &f);
    return aic_report_plot_frontiers(&f, path, fmt, err);
}
