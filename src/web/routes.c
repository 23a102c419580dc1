/*
 * routes.c - the handlers behind the route table: the page and its static files (from the
 * embedded assets), POST /api (the JSON API over the server's shared context), /healthz,
 * and the helpers every handler uses to answer errors in the API's envelope.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aiconfigurator/api.h"
#include "web/assets.h"
#include "web/web_int.h"

void web_error(struct web_reply *out, unsigned status, int aic_code, const char *fmt, ...)
{
    char msg[AIC_ERROR_MSG_MAX];
    va_list ap;
    json_t *doc;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    aic_utf8_trim(msg);
    doc = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", aic_api_error_code(aic_code),
                    "message", msg);
    out->status = status;
    out->type = "application/json";
    out->is_static = 0;
    out->body = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    out->len = out->body ? strlen(out->body) : 0;
    json_decref(doc);
}

unsigned web_api_status(int aic_code)
{
    switch (aic_code) {
    case AIC_OK:
        return MHD_HTTP_OK;
    case AIC_ERR_USAGE:
    case AIC_ERR_PARSE:
        return MHD_HTTP_BAD_REQUEST;
    case AIC_ERR_NOTFOUND:
    case AIC_ERR_NODATA:
    case AIC_ERR_OOM:
        return MHD_HTTP_UNPROCESSABLE_CONTENT;
    default:
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* A cross-site form can POST text/plain without asking; JSON needs a CORS preflight that
 * this server never grants. So the API takes application/json only. */
int web_require_json(struct MHD_Connection *c, struct web_reply *out)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

    if (t && !strncasecmp(t, "application/json", 16) && (!t[16] || t[16] == ';' || t[16] == ' '))
        return 1;
    web_error(out, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, AIC_ERR_USAGE,
              "send the request with Content-Type: application/json (got %s)", t ? t : "none");
    return 0;
}

int web_api_call(struct aic_web *w, const char *request, char **response)
{
    int rc;

    pthread_mutex_lock(&w->lock);
    rc = aic_api_call_ctx(w->ctx, request, response);
    pthread_mutex_unlock(&w->lock);
    return rc;
}

static const struct web_asset *asset(const char *name)
{
    for (const struct web_asset *a = web_assets; a->name; a++)
        if (!strcmp(a->name, name))
            return a;
    return NULL;
}

static void serve_asset(const char *name, const char *type, struct web_reply *out)
{
    const struct web_asset *a = asset(name);

    if (!a) {
        web_error(out, MHD_HTTP_NOT_FOUND, AIC_ERR_NOTFOUND, "%s was not built in", name);
        return;
    }
    out->status = MHD_HTTP_OK;
    out->type = type;
    out->body = (char *)a->data;
    out->len = a->len;
    out->is_static = 1;
}

void web_page(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
              struct web_reply *out)
{
    (void)w, (void)c, (void)r;
    serve_asset("index.html", "text/html; charset=utf-8", out);
}

void web_app_js(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                struct web_reply *out)
{
    (void)w, (void)c, (void)r;
    serve_asset("app.js", "text/javascript; charset=utf-8", out);
}

void web_style_css(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                   struct web_reply *out)
{
    (void)w, (void)c, (void)r;
    serve_asset("style.css", "text/css; charset=utf-8", out);
}

void web_healthz(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
                 struct web_reply *out)
{
    json_t *doc = json_pack("{s:b,s:s}", "ok", 1, "version", aic_api_version());

    (void)w, (void)c, (void)r;
    out->status = MHD_HTTP_OK;
    out->type = "application/json";
    out->body = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    out->len = out->body ? strlen(out->body) : 0;
    json_decref(doc);
}

void web_api(struct aic_web *w, struct MHD_Connection *c, const struct web_req *r,
             struct web_reply *out)
{
    char *resp = NULL;
    int rc;

    if (!web_require_json(c, out))
        return;
    rc = web_api_call(w, r->body.s ? r->body.s : "", &resp);
    out->status = web_api_status(rc);
    out->type = "application/json";
    out->body = resp; /* malloc'd by the library; NULL -> 500 in send_reply */
    out->len = resp ? strlen(resp) : 0;
}
