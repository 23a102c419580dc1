/*
 * test_search_notes.c - why the search found nothing: each serving mode's "no configuration
 * found" note and the final error name the SLA target that kept the fitting points out (TTFT,
 * TPOT or both) with the lowest value found against it, agg and disagg worded alike. SOL mode
 * on the bundled h200_sxm spec (no perf database): Qwen3-32B on 8 GPUs, TPOT grid off so that
 * the user's bounds are the only targets.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/aiconfigurator.h"
#include "aiconfigurator/search.h"

/* The search with these bounds (and the TPOT grid when pareto is 1); returns its status, the
 * result left in res. */
static int run_grid(double ttft_ms, double tpot_ms, int pareto, struct aic_search_result *res,
                    struct aic_error *e)
{
    struct aic_search_req r;
    struct aic_ctx *ctx = aic_ctx_new("default");
    int rc;

    aic_search_req_init(&r);
    r.model = "Qwen/Qwen3-32B";
    r.system = "h200_sxm";
    r.db_mode = AIC_DB_SOL;
    r.total_gpus = 8;
    r.wl = (struct aic_workload){4000, 500, 0};
    r.ttft_ms = ttft_ms;
    r.tpot_ms = tpot_ms;
    r.pareto_sweep = pareto;
    rc = aic_search_run(ctx, &r, res, e);
    aic_ctx_free(ctx);
    return rc;
}

static int run(double ttft_ms, double tpot_ms, struct aic_search_result *res, struct aic_error *e)
{
    return run_grid(ttft_ms, tpot_ms, 0, res, e);
}

/* The number after `key` in s (a lowest value found), or NAN when s lacks key. */
static double value_after(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    return p ? atof(p + strlen(key)) : NAN;
}

/* Which bounds each note names, for bounds that exclude every point by TTFT, by TPOT, or both;
 * the lowest values quoted are real (beyond the bound). An agg point must meet both at once, so
 * when none meets TTFT only TTFT is named; a disagg pair's TTFT and TPOT come from two workers,
 * and both bounds are named when neither kind of worker meets its own. */
static void test_notes_name_the_binding_target(void **state)
{
    static const struct {
        double ttft, tpot;
        const char *says[AIC_EXP_COUNT];                  /* in the agg and the disagg note */
        int ttft_q[AIC_EXP_COUNT], tpot_q[AIC_EXP_COUNT]; /* the note quotes the lowest one */
        const char *error;                                /* in the final error */
    } cases[] = {
        {5000,
         0.5,
         {"; the TPOT bound binds: lowest TPOT ", "; the TPOT bound binds: lowest TPOT "},
         {0, 0},
         {1, 1},
         "no configuration meets TPOT <= 0.5 ms: the TPOT bound binds; the fastest found is "},
        {1,
         1000,
         {"; the TTFT bound binds: lowest TTFT ", "; the TTFT bound binds: lowest TTFT "},
         {1, 1},
         {0, 0},
         "no configuration meets TTFT <= 1.0 ms: the TTFT bound binds"},
        {1,
         0.5,
         {"; the TTFT bound binds: lowest TTFT ", "; the TTFT and TPOT bounds bind: lowest TTFT "},
         {1, 1},
         {0, 1},
         "no configuration meets TTFT <= 1.0 ms: the TTFT bound binds"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aic_search_result res;
        struct aic_error e = {0};

        assert_int_equal(run(cases[i].ttft, cases[i].tpot, &res, &e), AIC_ERR_RUNTIME);
        if (!strstr(e.msg, cases[i].error))
            fail_msg("case %zu: error '%s' lacks '%s'", i, e.msg, cases[i].error);
        for (int x = 0; x < AIC_EXP_COUNT; x++) {
            const char *note = res.exp[x].note;
            double ttft = value_after(note, "lowest TTFT "),
                   tpot = value_after(note, "lowest TPOT ");
            char head[64];

            snprintf(head, sizeof head, "%s: no configuration found (fitting points ",
                     x ? "disagg" : "agg");
            assert_int_equal(res.exp[x].n_rows, 0);
            if (strncmp(note, head, strlen(head)) || !strstr(note, cases[i].says[x]))
                fail_msg("case %zu: note '%s' lacks '%s'", i, note, cases[i].says[x]);
            assert_int_equal(!isnan(ttft), cases[i].ttft_q[x]);
            assert_int_equal(!isnan(tpot), cases[i].tpot_q[x]);
            if (cases[i].ttft_q[x])
                assert_true(ttft > cases[i].ttft && ttft < 1000);
            if (cases[i].tpot_q[x])
                assert_true(tpot > cases[i].tpot && tpot < 100);
        }
        aic_search_result_free(&res);
    }
}

/* With the TPOT grid on, a mode whose rows all miss the user's TPOT still shows its best rows;
 * its note quotes the lowest TPOT found, which is at most the first row's. */
static void test_shown_rows_note_lowest_tpot(void **state)
{
    struct aic_search_result res;
    struct aic_error e = {0};
    (void)state;

    assert_int_equal(run_grid(5000, 1, 1, &res, &e), AIC_OK);
    for (int x = 0; x < AIC_EXP_COUNT; x++) {
        const char *note = res.exp[x].note;
        double low = value_after(note, "the lowest TPOT found is ");

        assert_true(res.exp[x].n_top > 0);
        assert_false(res.exp[x].top_meets_sla);
        if (!strstr(note, "(the TPOT bound binds; the lowest TPOT found is ") ||
            !strstr(note, "; shown first: "))
            fail_msg("note '%s'", note);
        assert_true(low > 1 && low <= res.exp[x].top[0].tpot_ms + 0.005);
    }
    aic_search_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notes_name_the_binding_target),
        cmocka_unit_test(test_shown_rows_note_lowest_tpot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
