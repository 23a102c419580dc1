/*
 * exp_plot.c - pareto_frontier.png / .svg of `cli exp`: every experiment's frontier of
 * tokens/s/gpu (per GPU, as AIConfigurator plots it) against tokens/s/user (or request
 * latency when every experiment has a request-latency SLA), line + markers, colours cycling
 * blue, red, green, purple, orange, brown, pink, gray, cyan, magenta; legend = experiment
 * names; the best experiment's chosen configuration circled. One drawing, two surfaces.
 */
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exp/exp_int.h"

extern void FcFini(void) __attribute__((weak));

static const double colors[10][3] = {
    {0.122, 0.467, 0.706}, {0.839, 0.153, 0.157}, {0.173, 0.627, 0.173}, {0.580, 0.404, 0.741},
    {1.0, 0.498, 0.055},   {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
    {0.090, 0.745, 0.812}, {1.0, 0.0, 1.0}};

struct frame {
    double x0, y0, w, h, xmax, ymax;
    int lat;
};

static double px(const struct frame *f, double x) { return f->x0 + x / f->xmax * f->w; }
static double py(const struct frame *f, double y) { return f->y0 + f->h - y / f->ymax * f->h; }
static double xv(const struct frame *f, const struct aic_search_row *r)
{
    return f->lat ? r->request_latency_ms : r->tokens_s_user;
}

static const struct aic_search_exp *frontier(const struct aic_exp_run *r)
{
    return &r->res.exp[r->exp->serving == AIC_SEARCH_DISAGG ? AIC_EXP_DISAGG : AIC_EXP_AGG];
}

static double nice_step(double range)
{
    double raw = range / 5.0, p = pow(10.0, floor(log10(raw > 0 ? raw : 1))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - e.width * ax - e.x_bearing, y + e.height * ay);
    cairo_show_text(cr, s);
}

static void axes(cairo_t *cr, const struct frame *f)
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
    text_at(cr, f->x0 + f->w / 2, f->y0 + f->h + 30,
            f->lat ? "request_latency (ms)" : "tokens/s/user", 0.5, 1);
    cairo_save(cr);
    cairo_translate(cr, f->x0 - 52, f->y0 + f->h / 2);
    cairo_rotate(cr, -M_PI / 2);
    text_at(cr, 0, 0, "tokens/s/gpu", 0.5, 0.5);
    cairo_restore(cr);
}

static void series(cairo_t *cr, const struct frame *f, const struct aic_search_exp *x, int c)
{
    cairo_set_source_rgb(cr, colors[c][0], colors[c][1], colors[c][2]);
    cairo_set_line_width(cr, 1.5);
    cairo_new_path(cr);
    for (size_t i = 0; i < x->n_pareto; i++) {
        double X = px(f, xv(f, &x->pareto[i])), Y = py(f, x->pareto[i].tokens_s_gpu);
        if (i)
            cairo_line_to(cr, X, Y);
        else
            cairo_move_to(cr, X, Y);
    }
    cairo_stroke(cr);
    for (size_t i = 0; i < x->n_pareto; i++) {
        cairo_new_path(cr);
        cairo_arc(cr, px(f, xv(f, &x->pareto[i])), py(f, x->pareto[i].tokens_s_gpu), 3, 0,
                  2 * M_PI);
        cairo_fill(cr);
    }
}

static void draw(cairo_t *cr, double w, double h, const struct aic_exp_run *runs, size_t n)
{
    struct frame f = {70, 40, w - 100, h - 100, 0, 0, 1};
    int best = aic_exp_best(runs, n), any = 0;
    for (size_t i = 0; i < n; i++)
        if (runs[i].ok)
            f.lat &= runs[i].res.request_latency_mode, any = 1;
    f.lat &= any;
    for (size_t i = 0; i < n; i++) {
        if (!runs[i].ok)
            continue;
        const struct aic_search_exp *x = frontier(&runs[i]);
        for (size_t k = 0; k < x->n_pareto; k++)
            f.xmax = fmax(f.xmax, xv(&f, &x->pareto[k])),
            f.ymax = fmax(f.ymax, x->pareto[k].tokens_s_gpu);
    }
    f.xmax = f.xmax > 0 ? f.xmax * 1.1 : 1;
    f.ymax = f.ymax > 0 ? f.ymax * 1.15 : 1;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    char title[256];
    snprintf(title, sizeof title, "%s tokens/s/gpu vs %s",
             best >= 0 ? runs[best].res.model_id : "experiments",
             f.lat ? "request_latency" : "tokens/s/user");
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 13);
    text_at(cr, w / 2, 14, title, 0.5, 1);
    axes(cr, &f);
    double ly = f.y0 + 14;
    int c = 0;
    for (size_t i = 0; i < n; i++) {
        if (!runs[i].ok)
            continue;
        series(cr, &f, frontier(&runs[i]), c % 10);
        cairo_set_font_size(cr, 11);
        cairo_rectangle(cr, f.x0 + f.w - 190, ly - 5, 18, 3);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, f.x0 + f.w - 165, ly - 4, runs[i].exp->name, 0, 0.5);
        ly += 16, c++;
    }
    if (best >= 0) {
        const struct aic_search_exp *x = frontier(&runs[best]);
        const struct aic_search_row *t = &x->top[0];
        cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
        cairo_set_line_width(cr, 2);
        cairo_new_path(cr);
        cairo_arc(cr, px(&f, xv(&f, t)), py(&f, t->tokens_s_gpu), 7, 0, 2 * M_PI);
        cairo_stroke(cr);
        cairo_new_path(cr);
        cairo_arc(cr, f.x0 + f.w - 181, ly - 4, 5, 0, 2 * M_PI);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, f.x0 + f.w - 165, ly - 4, "chosen", 0, 0.5);
    }
}

int aic_exp_plot(const struct aic_exp_run *runs, size_t n, const char *path, const char *fmt,
                 struct aic_error *err)
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
    draw(cr, w, h, runs, n);
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
