/*
 * web_int.h - internal interfaces between the files of src/web: the server object, the
 * per-request state, the reply a handler fills and the route handlers.
 */
#ifndef AIC_WEB_INT_H
#define AIC_WEB_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>

#include "aiconfigurator/aiconfigurator.h"
#include "util/util.h"
#include "web/web.h"

struct aic_web {
    struct MHD_Daemon *daemon;
    struct aic_ctx *ctx;  /* shared by every request; only touched under lock */
    pthread_mutex_t lock; /* serialises library calls (cairo/fontconfig included) */
    size_t max_body_bytes;
    unsigned port;
    int loopback;  /* bound to a loopback address: Host headers are checked */
    char host[64]; /* as given (for the Host check and the URL) */
    char url[128];
};

/* One request: the body as it arrives (capped at max_body_bytes). */
struct web_req {
    const char *method; /* "GET", "POST", ... (libmicrohttpd's string) */
    struct aic_buf body;
    int too_big; /* the body passed the cap: the rest was dropped, the reply is 413 */
    int nomem;   /* the body could not be stored */
};

/* What a handler answers. body is malloc'd unless is_static. */
struct web_reply {
    unsigned status;
    const char *type; /* Content-Type */
    char *body;
    size_t len;
    int is_static;
};

typedef void (*web_handler)(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                            struct web_reply *out);

/* routes.c: the handlers of the route table in server.c */
void web_page(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
              struct web_reply *out);
void web_app_js(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                struct web_reply *out);
void web_style_css(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                   struct web_reply *out);
void web_api(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
             struct web_reply *out);
void web_healthz(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                 struct web_reply *out);

/* pareto.c */
void web_pareto_svg(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                    struct web_reply *out);

/* The API's error envelope {"ok":false,"error":{"code","message"}} as the reply. */
void web_error(struct web_reply *out, unsigned status, int aic_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* HTTP status of an API outcome (AIC_OK or AIC_ERR_*). */
unsigned web_api_status(int aic_code);

/* Whether the request's Content-Type is JSON (415 filled into out when not). */
int web_require_json(struct MHD_Connection *c, struct web_reply *out);

/* aic_api_call_ctx() under the server's lock; returns its status. */
int web_api_call(struct aic_web *w, const char *request, char **response);

#endif
