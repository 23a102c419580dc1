/*
 * server.c - the HTTP plumbing of the web app: binds the listening socket (so a port in
 * use is one clear error), runs libmicrohttpd with one thread per connection, collects
 * request bodies up to the cap (413 beyond), checks the Host header when bound to
 * loopback, and dispatches through the route table {method, path, handler}.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "web/web_int.h"

struct route {
    const char *method; /* "GET" also answers HEAD */
    const char *path;
    web_handler run;
};

static const struct route routes[] = {
    {"GET", "/", web_page},
    {"GET", "/index.html", web_page},
    {"GET", "/static/app.js", web_app_js},
    {"GET", "/static/style.css", web_style_css},
    {"POST", "/api", web_api},
    {"GET", "/api/pareto.svg", web_pareto_svg},
    {"POST", "/api/pareto.svg", web_pareto_svg},
    {"GET", "/healthz", web_healthz},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* ---- replies ------------------------------------------------------------------------ */

static enum MHD_Result send_reply(struct MHD_Connection *c, struct web_reply *rep)
{
    struct MHD_Response *resp;
    enum MHD_Result ok;

    if (!rep->body) { /* a handler ran out of memory */
        static const char oom[] = "{\"ok\":false,\"error\":{\"code\":\"nomem\",\"message\":"
                                  "\"out of memory\"}}";
        rep->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        rep->type = "application/json";
        rep->body = (char *)oom;
        rep->len = sizeof(oom) - 1;
        rep->is_static = 1;
    }
    resp = MHD_create_response_from_buffer(
        rep->len, rep->body, rep->is_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        if (!rep->is_static)
            free(rep->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    ok = MHD_queue_response(c, rep->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---- checks ------------------------------------------------------------------------- */

/* Host without its ":port" (IPv6 "[::1]:80" -> "[::1]") compared with name. */
static int host_is(const char *host, size_t n, const char *name)
{
    return strlen(name) == n && !strncasecmp(host, name, n);
}

/* When bound to loopback, only Host headers naming loopback (or the --host given) are
 * served: a page on another site cannot reach the API through DNS rebinding. */
static int host_allowed(const struct aic_web *w, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *colon;
    size_t n;

    if (!w->loopback || !h)
        return 1;
    colon = h[0] == '[' ? strchr(h, ']') : strchr(h, ':');
    if (colon && h[0] == '[')
        colon++;
    n = colon ? (size_t)(colon - h) : strlen(h);
    return host_is(h, n, "127.0.0.1") || host_is(h, n, "localhost") || host_is(h, n, "[::1]") ||
           host_is(h, n, w->host);
}

static const struct route *find_route(const char *method, const char *url, int *path_known)
{
    const char *m = !strcmp(method, "HEAD") ? "GET" : method;

    *path_known = 0;
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (strcmp(routes[i].path, url))
            continue;
        *path_known = 1;
        if (!strcmp(routes[i].method, m))
            return &routes[i];
    }
    return NULL;
}

static void dispatch(struct aic_web *w, struct MHD_Connection *c, const char *url,
                     const char *method, const struct web_req *r, struct web_reply *rep)
{
    int known;
    const struct route *rt = find_route(method, url, &known);

    if (!host_allowed(w, c))
        web_error(rep, MHD_HTTP_FORBIDDEN, AIC_ERR_USAGE,
                  "this server answers only requests addressed to localhost or %s", w->host);
    else if (!rt && known)
        web_error(rep, MHD_HTTP_METHOD_NOT_ALLOWED, AIC_ERR_USAGE, "%s is not allowed on %s",
                  method, url);
    else if (!rt)
        web_error(rep, MHD_HTTP_NOT_FOUND, AIC_ERR_NOTFOUND,
                  "no such path %s (try /, /api, /api/pareto.svg, /healthz)", url);
    else if (r->too_big)
        web_error(rep, MHD_HTTP_CONTENT_TOO_LARGE, AIC_ERR_USAGE,
                  "request body is larger than %zu bytes", w->max_body_bytes);
    else if (r->nomem)
        web_error(rep, MHD_HTTP_INTERNAL_SERVER_ERROR, AIC_ERR_NOMEM,
                  "out of memory reading the request body");
    else
        rt->run(w, c, r, rep);
}

/* ---- the libmicrohttpd callbacks ---------------------------------------------------- */

/* Called first with *state NULL (allocate), then once per body chunk, then with
 * *upload_size 0 to answer. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    struct aic_web *w = cls;
    struct web_req *r = *state;
    struct web_reply rep = {MHD_HTTP_OK, "application/json", NULL, 0, 0};

    (void)version;
    if (!r) {
        if (!(r = calloc(1, sizeof(*r))))
            return MHD_NO;
        *state = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->too_big || r->body.len + *upload_size > w->max_body_bytes) {
            r->too_big = 1;
            aic_buf_release(&r->body);
        } else if (!r->nomem && aic_buf_add(&r->body, upload, *upload_size)) {
            r->nomem = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    r->method = method;
    dispatch(w, c, url, method, r, &rep);
    return send_reply(c, &rep);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    struct web_req *r = *state;

    (void)cls, (void)c, (void)why;
    if (r) {
        aic_buf_release(&r->body);
        free(r);
        *state = NULL;
    }
}

/* ---- start / stop ------------------------------------------------------------------- */

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) ==
               127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
    return 0;
}

/* Binds and listens on host:port; returns the socket or -1 with err filled. */
static int listen_on(struct aic_web *w, unsigned port, int *family, struct aic_error *err)
{
    struct addrinfo hints = {0}, *ai = NULL;
    char service[16];
    int fd = -1, e, one = 1;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%u", port);
    if ((e = getaddrinfo(w->host, service, &hints, &ai)) != 0)
        return aic_err(err, AIC_ERR_USAGE, "cannot use --host %s: %s", w->host, gai_strerror(e)),
               -1;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
        e = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        if (e == EADDRINUSE)
            return aic_err(err, AIC_ERR_IO,
                           "port %u on %s is already in use; pick another with --port", port,
                           w->host),
                   -1;
        return aic_err(err, AIC_ERR_IO, "cannot listen on %s port %u: %s", w->host, port,
                       strerror(e)),
               -1;
    }
    w->loopback = is_loopback(ai->ai_addr);
    *family = ai->ai_family;
    freeaddrinfo(ai);
    return fd;
}

static unsigned bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len))
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int aic_web_start(const struct aic_web_opts *o, struct aic_web **out, struct aic_error *err)
{
    struct aic_web *w = calloc(1, sizeof(*w));
    int fd, family = AF_INET;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;

    *out = NULL;
    if (!w)
        return aic_err(err, AIC_ERR_NOMEM, "out of memory starting the web server");
    aic_strlcpy(w->host, o && o->host && *o->host ? o->host : "127.0.0.1", sizeof(w->host));
    w->max_body_bytes = o && o->max_body_bytes ? o->max_body_bytes : AIC_WEB_DEFAULT_MAX_BODY;
    pthread_mutex_init(&w->lock, NULL);
    if ((fd = listen_on(w, o ? o->port : AIC_WEB_DEFAULT_PORT, &family, err)) < 0) {
        aic_web_stop(w);
        return err ? err->code : AIC_ERR_IO;
    }
    w->port = bound_port(fd);
    snprintf(w->url, sizeof(w->url), strchr(w->host, ':') ? "http://[%s]:%u/" : "http://%s:%u/",
             w->host, w->port);
    if (!(w->ctx = aic_ctx_new(o ? o->systems_paths : NULL))) {
        close(fd);
        aic_web_stop(w);
        return aic_err(err, AIC_ERR_NOMEM, "out of memory creating the library context");
    }
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    w->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!w->daemon) {
        close(fd);
        aic_web_stop(w);
        return aic_err(err, AIC_ERR_RUNTIME, "libmicrohttpd could not start on %s port %u",
                       o && o->host ? o->host : "127.0.0.1", o ? o->port : 0);
    }
    *out = w;
    return AIC_OK;
}

unsigned aic_web_port(const struct aic_web *w)
{
    return w ? w->port : 0;
}

const char *aic_web_url(const struct aic_web *w)
{
    return w ? w->url : "";
}

void aic_web_stop(struct aic_web *w)
{
    if (!w)
        return;
    if (w->daemon)
        MHD_stop_daemon(w->daemon); /* closes the listening socket too */
    aic_ctx_free(w->ctx);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
