/*
 * test_web.c - the web app's server (src/web) in-process on a free port, spoken to with plain
 * sockets: /healthz, the page and its static files, POST /api (an estimate in SOL mode on
 * the bundled h100_sxm equals aic_api_call()'s answer), malformed JSON -> 400 with the API's
 * error envelope, oversized body -> 413, unknown path -> 404, wrong method -> 405, non-JSON
 * Content-Type -> 415, foreign Host -> 403, the Pareto SVG of a SOL search (and its
 * temporary folder removed), and a port already in use -> one clear error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "aiconfigurator/api.h"
#include "util/util.h"
#include "web/web.h"

#define EST_SOL                                                                                    \
    "{\"op\":\"estimate\",\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"h100_sxm\","              \
    "\"database_mode\":\"SOL\",\"tp_size\":2,\"batch_size\":64}"

static struct aic_web *server;
static char tmpdir[256];

struct http_resp {
    int status;
    char *head; /* status line and headers */
    char *body;
    size_t body_len;
};

static void resp_free(struct http_resp *r)
{
    free(r->head);
    free(r->body);
}

/* One HTTP/1.1 request with Connection: close; reads until the server closes. */
static struct http_resp http(const char *method, const char *path, const char *extra_headers,
                             const char *body, size_t body_len)
{
    struct sockaddr_in a = {0};
    struct timeval tv = {30, 0};
    struct aic_buf req = {0}, in = {0};
    struct http_resp r = {0};
    char chunk[65536];
    ssize_t n;
    size_t off = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)aic_web_port(server));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    aic_buf_printf(&req, "%s %s HTTP/1.1\r\nConnection: close\r\n%s", method, path,
                   extra_headers ? extra_headers : "Host: 127.0.0.1\r\n");
    if (body)
        aic_buf_printf(&req, "Content-Length: %zu\r\n", body_len);
    aic_buf_puts(&req, "\r\n");
    if (body)
        aic_buf_add(&req, body, body_len);
    while (off < req.len) {
        n = send(fd, req.s + off, req.len - off, MSG_NOSIGNAL);
        assert_true(n > 0);
        off += (size_t)n;
    }
    while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
        aic_buf_add(&in, chunk, (size_t)n);
    close(fd);
    aic_buf_release(&req);
    assert_non_null(in.s);
    char *sep = strstr(in.s, "\r\n\r\n");
    assert_non_null(sep);
    r.head = strndup(in.s, (size_t)(sep - in.s));
    r.body_len = in.len - (size_t)(sep + 4 - in.s);
    r.body = malloc(r.body_len + 1);
    memcpy(r.body, sep + 4, r.body_len);
    r.body[r.body_len] = 0;
    assert_int_equal(sscanf(in.s, "HTTP/1.%*d %d", &r.status), 1);
    aic_buf_release(&in);
    return r;
}

static struct http_resp post_json(const char *path, const char *body)
{
    return http("POST", path, "Host: 127.0.0.1\r\nContent-Type: application/json\r\n", body,
                strlen(body));
}

/* Expects the API's error envelope with `code`. */
static void expect_error_body(const struct http_resp *r, const char *code)
{
    json_t *doc = json_loads(r->body, 0, NULL);
    const char *c = NULL, *msg = NULL;

    assert_non_null(doc);
    assert_int_equal(json_unpack(doc, "{s:b,s:{s:s,s:s}}", "ok", &(int){0}, "error", "code", &c,
                                 "message", &msg),
                     0);
    assert_false(json_is_true(json_object_get(doc, "ok")));
    assert_string_equal(c, code);
    assert_true(strlen(msg) > 10);
    json_decref(doc);
}

static int setup(void **state)
{
    struct aic_web_opts o = {.host = "127.0.0.1", .port = 0, .systems_paths = "default"};
    struct aic_error err = {0};

    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/aic-test-web-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    setenv("TMPDIR", tmpdir, 1);
    if (aic_web_start(&o, &server, &err)) {
        fprintf(stderr, "cannot start: %s\n", err.msg);
        return -1;
    }
    return aic_web_port(server) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    aic_web_stop(server);
    rmdir(tmpdir);
    return 0;
}

static void test_healthz(void **state)
{
    struct http_resp r = http("GET", "/healthz", NULL, NULL, 0);
    char want[64];

    (void)state;
    assert_int_equal(r.status, 200);
    snprintf(want, sizeof(want), "{\"ok\":true,\"version\":\"%s\"}", aic_api_version());
    assert_string_equal(r.body, want);
    assert_non_null(strstr(r.head, "Content-Type: application/json"));
    resp_free(&r);
}

static void test_page_and_assets(void **state)
{
    struct http_resp r = http("GET", "/", NULL, NULL, 0);

    (void)state;
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: text/html"));
    assert_non_null(strstr(r.head, "Content-Security-Policy: default-src 'self'"));
    assert_non_null(strstr(r.body, "<form id=\"search-form\""));
    assert_non_null(strstr(r.body, "<form id=\"estimate-form\""));
    assert_non_null(strstr(r.body, "name=\"total_gpus\""));
    assert_non_null(strstr(r.body, "/static/app.js"));
    assert_null(strstr(r.body, "http://")); /* every file from this server: no CDN */
    assert_null(strstr(r.body, "https://"));
    resp_free(&r);
    r = http("GET", "/static/app.js", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: text/javascript"));
    assert_non_null(strstr(r.body, "'use strict'"));
    assert_null(strstr(r.body, "https://"));
    resp_free(&r);
    r = http("GET", "/static/style.css", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: text/css"));
    resp_free(&r);
    r = http("HEAD", "/healthz", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    resp_free(&r);
}

/* The server answers exactly what the library's API answers. */
static void test_api_estimate(void **state)
{
    struct http_resp r = post_json("/api", EST_SOL);
    char *direct = NULL;
    char lib_req[512];
    json_t *doc, *lib;
    double ttft, tpot;

    (void)state;
    assert_int_equal(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    assert_true(json_is_true(json_object_get(doc, "ok")));
    assert_int_equal(json_unpack(json_object_get(doc, "result"), "{s:F,s:F}", "ttft_ms", &ttft,
                                 "tpot_ms", &tpot),
                     0);
    assert_true(ttft > 1.0 && ttft < 1e5);
    assert_true(tpot > 0.1 && tpot < 1e3);
    snprintf(lib_req, sizeof(lib_req), "%.*s,\"systems_paths\":\"default\"}",
             (int)strlen(EST_SOL) - 1, EST_SOL);
    assert_int_equal(aic_api_call(lib_req, &direct), 0);
    lib = json_loads(direct, 0, NULL);
    assert_non_null(lib);
    assert_true(json_equal(json_object_get(doc, "result"), json_object_get(lib, "result")));
    json_decref(lib);
    json_decref(doc);
    aic_api_free(direct);
    resp_free(&r);

    /* a second call reuses the loaded context and still answers the same */
    r = post_json("/api", "{\"op\":\"systems\"}");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"h100_sxm\""));
    resp_free(&r);
}

static void test_api_errors(void **state)
{
    struct http_resp r = post_json("/api", "{\"op\": \"estimate\", ");

    (void)state;
    assert_int_equal(r.status, 400);
    expect_error_body(&r, "parse");
    resp_free(&r);
    r = post_json("/api", "{\"op\":\"estimate\",\"model_path\":\"Qwen/Qwen3-32B\","
                          "\"system\":\"h100_sxm\",\"tp_sise\":2}");
    assert_int_equal(r.status, 400);
    expect_error_body(&r, "usage");
    assert_non_null(strstr(r.body, "tp_size")); /* the closest valid key */
    resp_free(&r);
    r = post_json("/api", "{\"op\":\"estimate\",\"model_path\":\"Qwen/Qwen3-32B\","
                          "\"system\":\"h100_sxm\",\"systems_paths\":\"/tmp\"}");
    assert_int_equal(r.status, 400);
    expect_error_body(&r, "usage");
    resp_free(&r);
    r = post_json("/api", "");
    assert_int_equal(r.status, 400);
    expect_error_body(&r, "parse");
    resp_free(&r);
    r = http("POST", "/api", "Host: 127.0.0.1\r\nContent-Type: text/plain\r\n",
             "{\"op\":\"version\"}", 16);
    assert_int_equal(r.status, 415);
    expect_error_body(&r, "usage");
    resp_free(&r);
}

static void test_limits_and_routes(void **state)
{
    size_t big = AIC_WEB_DEFAULT_MAX_BODY + 4096;
    char *body = malloc(big);
    struct http_resp r;

    (void)state;
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    r = http("POST", "/api", "Host: 127.0.0.1\r\nContent-Type: application/json\r\n", body, big);
    free(body);
    assert_int_equal(r.status, 413);
    expect_error_body(&r, "usage");
    resp_free(&r);
    r = http("GET", "/nope", NULL, NULL, 0);
    assert_int_equal(r.status, 404);
    expect_error_body(&r, "not_found");
    resp_free(&r);
    r = http("GET", "/%c0%ae%c0%ae/etc/passwd", NULL, NULL, 0); /* decodes to invalid UTF-8 */
    assert_int_equal(r.status, 404);
    expect_error_body(&r, "not_found");
    resp_free(&r);
    r = http("GET", "/api", NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    r = http("GET", "/healthz", "Host: attacker.example:7860\r\n", NULL, 0);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http("GET", "/healthz", "Host: localhost:7860\r\n", NULL, 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void test_pareto_svg(void **state)
{
    struct http_resp r =
        post_json("/api/pareto.svg", "{\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"h100_sxm\","
                                     "\"database_mode\":\"SOL\",\"total_gpus\":8}");

    (void)state;
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Content-Type: image/svg+xml"));
    assert_memory_equal(r.body, "<?xml", 5);
    assert_non_null(strstr(r.body, "<svg"));
    assert_true(r.body_len > 2000);
    resp_free(&r);
    assert_int_equal(dir_entries(tmpdir), 0); /* the temporary save folder is gone */

    r = http("GET",
             "/api/pareto.svg?model_path=Qwen/Qwen3-32B&system=h100_sxm&database_mode=SOL"
             "&total_gpus=8&isl=2000&osl=500&strict_sla=false",
             NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<svg"));
    resp_free(&r);

    r = http("GET", "/api/pareto.svg?model_path=Qwen/Qwen3-32B&system=nosuch_gpu", NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    expect_error_body(&r, "usage");
    resp_free(&r);
    r = post_json("/api/pareto.svg", "{\"model_path\":\"Qwen/Qwen3-32B\",\"system\":\"h100_sxm\","
                                     "\"save_dir\":\"/tmp/x\"}");
    assert_int_equal(r.status, 400);
    expect_error_body(&r, "usage");
    resp_free(&r);
    assert_int_equal(dir_entries(tmpdir), 0);
}

static void test_port_in_use(void **state)
{
    struct aic_web_opts o = {.host = "127.0.0.1", .port = aic_web_port(server)};
    struct aic_web *second = NULL;
    struct aic_error err = {0};

    (void)state;
    assert_int_equal(aic_web_start(&o, &second, &err), AIC_ERR_IO);
    assert_null(second);
    assert_non_null(strstr(err.msg, "already in use"));
    assert_non_null(strstr(err.msg, "--port"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz),           cmocka_unit_test(test_page_and_assets),
        cmocka_unit_test(test_api_estimate),      cmocka_unit_test(test_api_errors),
        cmocka_unit_test(test_limits_and_routes), cmocka_unit_test(test_pareto_svg),
        cmocka_unit_test(test_port_in_use),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
