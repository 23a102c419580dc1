/*
 * web.h - the local web app: an HTTP server (libmicrohttpd) that serves one page and a
 * JSON endpoint, a thin adapter over the library's JSON API (api.h).
 *
 *   GET  /                 the page (web/index.html, embedded at build time)
 *   GET  /static/app.js    its script; /static/style.css its style sheet
 *   POST /api              body = an aic_api_call_ctx() request, response = its JSON
 *   GET  /api/pareto.svg?model_path=...&system=...   Pareto frontier of a `default` search,
 *   POST /api/pareto.svg   (body = the same JSON as op default), drawn by the cairo code
 *                          of pareto_frontier.svg
 *   GET  /healthz          {"ok":true,"version":"..."}
 *
 * One struct aic_ctx (models, systems and perf databases load once) is shared by every
 * request behind a mutex. src/web/README.md documents statuses and limits.
 *
 * Ownership: aic_web_start() allocates the server; aic_web_stop() stops and frees it.
 * Nothing here prints or exits.
 */
#ifndef AIC_WEB_H
#define AIC_WEB_H

#include <stddef.h>

#include "aiconfigurator/error.h"

#define AIC_WEB_DEFAULT_PORT     7860
#define AIC_WEB_DEFAULT_MAX_BODY (1024 * 1024)

struct aic_web_opts {
    const char *host;          /* address to bind; NULL = "127.0.0.1" */
    unsigned port;             /* 0 = any free port (aic_web_port() tells which) */
    const char *systems_paths; /* NULL = env AIC_SYSTEMS_PATHS / bundled specs */
    size_t max_body_bytes;     /* request bodies above it get 413; 0 = 1 MiB */
};

struct aic_web;

/* Binds, listens and starts serving on a background thread. A port in use or an address
 * that cannot be bound -> AIC_ERR_IO with one line naming the address and a fix. */
int aic_web_start(const struct aic_web_opts *o, struct aic_web **out, struct aic_error *err);

/* The port actually bound (useful after port 0). */
unsigned aic_web_port(const struct aic_web *w);

/* The URL of the page ("http://127.0.0.1:7860/"); static storage inside w. */
const char *aic_web_url(const struct aic_web *w);

/* Stops serving (waits for requests in flight) and frees everything. NULL is fine. */
void aic_web_stop(struct aic_web *w);

#endif
