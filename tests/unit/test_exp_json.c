/*
 * test_exp_json.c - experiments rejected when the file is read are kept for the reports:
 * the loader records each one (name, line, place among the valid ones, its messages);
 * the `cli exp --json` document lists them in file order with status "invalid" and their
 * problems joined, next to runs that succeeded ("ok") or failed ("failed"); the API's
 * "exp" op answers the same document from a config object, and its errors have codes.
 * No perf database needed (EMPIRICAL on the bundled specs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aiconfigurator/api.h"
#include "aiconfigurator/exp.h"

#define GOOD(name)                                                                                 \
    name ":\n  serving_mode: agg\n  model_path: Qwen/Qwen3-8B\n  system_name: h200_sxm\n"          \
         "  total_gpus: 2\n"

/* bad1 (line 1) before good_a, bad2 (two problems) between, bad3 last */
static const char *const FILE_TEXT = "bad1:\n  serving_mode: agg\n  tpott: 3\n" /* lines 1-3 */
    GOOD("good_a")                                                              /* lines 4-8 */
    "bad2:\n  serving_mode: agg\n  model_path: Qwen/Qwen3-8B\n"                 /* line 9 */
    "  system_name: h200_sxm\n  total_gpus: two\n  database_mode: GOLD\n" GOOD(
        "good_b") "bad3: 7\n";

static void load(struct aic_exp_set *s)
{
    struct aic_error err = {0};
    if (aic_exp_load_string(FILE_TEXT, "t.yaml", 5, s, &err))
        fail_msg("load failed: %s", err.msg);
}

static void test_loader_records_rejected(void **state)
{
    (void)state;
    struct aic_exp_set s;
    load(&s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.n_defined, 5);
    assert_int_equal(s.n_rejected, 3);
    const struct aic_exp_rejected *r = s.rejected;
    assert_string_equal(r[0].name, "bad1");
    assert_int_equal(r[0].line, 1);
    assert_int_equal(r[0].at, 0);
    assert_string_equal(r[1].name, "bad2");
    assert_int_equal(r[1].line, 9);
    assert_int_equal(r[1].at, 1);
    assert_string_equal(r[2].name, "bad3");
    assert_int_equal(r[2].at, 2);
    /* every message belongs to exactly one rejected experiment, in order */
    assert_int_equal(r[0].first_msg, 0);
    assert_int_equal(r[1].first_msg, r[0].n_msg);
    assert_int_equal(r[2].first_msg, r[1].first_msg + r[1].n_msg);
    assert_int_equal(r[2].first_msg + r[2].n_msg, s.n_msg);
    assert_int_equal(r[1].n_msg, 2);
    assert_non_null(strstr(s.msg[r[1].first_msg], "t.yaml:13:15: experiment 'bad2': total_gpus"));
    assert_non_null(strstr(s.msg[r[1].first_msg + 1], "unknown database_mode 'GOLD'"));
    for (size_t i = 0; i < s.n_rejected; i++)
        for (size_t k = 0; k < r[i].n_msg; k++) {
            char want[64];
            snprintf(want, sizeof want, "experiment '%s'", r[i].name);
            assert_non_null(strstr(s.msg[r[i].first_msg + k], want));
        }
    aic_exp_set_free(&s);
}

static const json_t *entry(const json_t *doc, size_t i, const char *name, const char *status)
{
    const json_t *e = json_array_get(json_object_get(doc, "experiments"), i);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "name")), name);
    assert_string_equal(json_string_value(json_object_get(e, "status")), status);
    assert_int_equal(json_is_true(json_object_get(e, "ok")), !strcmp(status, "ok"));
    assert_true(json_is_null(json_object_get(e, "result")));
    return e;
}

static void test_json_lists_rejected_in_file_order(void **state)
{
    (void)state;
    struct aic_exp_set s;
    struct aic_exp_run runs[2] = {{0}};
    load(&s);
    for (size_t i = 0; i < 2; i++) {
        runs[i].exp = s.exp[i];
        snprintf(runs[i].msg, sizeof runs[i].msg, "experiment '%s' failed: test", s.exp[i]->name);
    }
    const char *save_warn[] = {"no deployment artifacts for 1 of 2 top-N rows: test"};
    char *text = aic_exp_report_json(&s, runs, 2, save_warn, 1);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    /* the file's notes, then the save's lines */
    json_t *w = json_object_get(doc, "warnings");
    assert_int_equal(json_array_size(w), s.n_note + 1);
    assert_string_equal(json_string_value(json_array_get(w, s.n_note)), save_warn[0]);
    assert_true(json_is_null(json_object_get(doc, "best")));
    assert_int_equal(json_array_size(json_object_get(doc, "experiments")), 5);
    const char *e1 = json_string_value(json_object_get(entry(doc, 0, "bad1", "invalid"), "error"));
    assert_non_null(strstr(e1, "t.yaml:3:3: experiment 'bad1': unknown key 'tpott'"));
    assert_string_equal(
        json_string_value(json_object_get(entry(doc, 1, "good_a", "failed"), "error")),
        "experiment 'good_a' failed: test");
    const char *e2 = json_string_value(json_object_get(entry(doc, 2, "bad2", "invalid"), "error"));
    char want[2 * AIC_EXP_MSG_MAX + 8];
    snprintf(want, sizeof want, "%s; %s", s.msg[s.rejected[1].first_msg],
             s.msg[s.rejected[1].first_msg + 1]);
    assert_string_equal(e2, want);
    entry(doc, 3, "good_b", "failed");
    entry(doc, 4, "bad3", "invalid");
    json_decref(doc);
    free(text);
    /* without the set: the runs alone, as before */
    text = aic_exp_report_json(NULL, runs, 2, NULL, 0);
    doc = json_loads(text, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "experiments")), 2);
    json_decref(doc);
    free(text);
    aic_exp_set_free(&s);
}

static json_t *api(const char *req, int *rc)
{
    char *resp = NULL;
    *rc = aic_api_call(req, &resp);
    assert_non_null(resp);
    json_t *doc = json_loads(resp, 0, NULL);
    aic_api_free(resp);
    assert_non_null(doc);
    return doc;
}

#define EXP_AGG                                                                                    \
    "{\"serving_mode\":\"agg\",\"model_path\":\"Qwen/Qwen3-32B\",\"system_name\":\"h100_sxm\","    \
    "\"backend_name\":\"vllm\",\"database_mode\":\"EMPIRICAL\",\"total_gpus\":8,\"isl\":4000,"     \
    "\"osl\":1000,\"ttft\":2000,\"tpot\":30%s}"

static void test_api_exp_op(void **state)
{
    (void)state;
    char req[1024], good[400], typo[400];
    int rc;
    snprintf(good, sizeof good, EXP_AGG, "");
    snprintf(typo, sizeof typo, EXP_AGG, ",\"tpott\":3");
    snprintf(req, sizeof req,
             "{\"op\":\"exp\",\"systems_paths\":\"default\",\"top_n\":2,"
             "\"config\":{\"typo\":%s,\"agg8\":%s}}",
             typo, good);
    json_t *doc = api(req, &rc), *res = json_object_get(doc, "result");
    assert_int_equal(rc, 0);
    assert_string_equal(json_string_value(json_object_get(res, "best")), "agg8");
    const char *err = json_string_value(json_object_get(entry(res, 0, "typo", "invalid"), "error"));
    assert_non_null(strstr(err, "config:"));
    assert_non_null(strstr(err, "unknown key 'tpott' (did you mean 'tpot'?)"));
    const json_t *e = json_array_get(json_object_get(res, "experiments"), 1);
    assert_string_equal(json_string_value(json_object_get(e, "status")), "ok");
    const json_t *top = json_object_get(
        json_object_get(json_object_get(json_object_get(e, "result"), "experiments"), "agg"),
        "top");
    assert_int_equal(json_array_size(top), 2);
    double tput =
        json_number_value(json_object_get(json_array_get(top, 0), "tokens/s/gpu_cluster"));
    assert_true(tput > 10.0 && tput < 1e5);
    json_decref(doc);
    /* nothing valid: usage, with the first problem */
    snprintf(req, sizeof req, "{\"op\":\"exp\",\"config\":{\"typo\":%s}}", typo);
    doc = api(req, &rc);
    assert_int_equal(rc, AIC_ERR_USAGE);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_object_get(doc, "error"), "message")),
               "no valid experiments; first problem: config:"));
    json_decref(doc);
    doc = api("{\"op\":\"exp\",\"yaml_path\":\"/nonexistent/e.yaml\"}", &rc);
    assert_int_equal(rc, AIC_ERR_NOTFOUND);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loader_records_rejected),
        cmocka_unit_test(test_json_lists_rejected_in_file_order),
        cmocka_unit_test(test_api_exp_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
