/*
 * test_cli_args.c - the command-line option parser (src/cli/cli_opts.c): dash/underscore
 * spellings, `--flag=value`, ranges, enums, flags, suggestions, and the MoE layout helper.
 *
 * The parser lives in the executable, not the library, so its sources are compiled in here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aiconfigurator/api.h"
#include "cli/cli_opts.c"
#include "cli/cli_out.c"
#include "cli/cli_req.c"

struct t_opts {
    int total_gpus, isl, mode, json, detail, nextn;
    double frac;
    const char *model;
};

static const char *const t_modes[] = {"SILICON", "HYBRID", "EMPIRICAL", "SOL", NULL};
static const char *const t_detail[] = {"summary", "all", NULL};

#define O(f) offsetof(struct t_opts, f)
static const struct cli_opt t_table[] = {
    {"total-gpus", NULL, CLI_INT, O(total_gpus), 1, 1e6, NULL, "N", "gpus"},
    {"isl", NULL, CLI_INT, O(isl), 1, 1e9, NULL, "N", "input"},
    {"database-mode", NULL, CLI_ENUM, O(mode), 0, 0, t_modes, NULL, "mode"},
    {"json", NULL, CLI_FLAG, O(json), 0, 0, NULL, NULL, "json"},
    {"detail", NULL, CLI_FLAG, O(detail), 0, 0, t_detail, NULL, "detail"},
    {"nextn", NULL, CLI_INT_AUTO, O(nextn), 0, 16, NULL, "N", "mtp"},
    {"free-gpu-memory-fraction", "frac", CLI_FLOAT, O(frac), 1e-6, 1, NULL, "F", "fraction"},
    {"model-path", "model", CLI_STRING, O(model), 0, 0, NULL, "ID", "model"},
    {0},
};
#undef O

static char msg[512];
static unsigned char given[1][CLI_MAX_OPTS];

static int parse(struct t_opts *o, int argc, char **argv)
{
    const struct cli_optset set = {t_table, o, NULL};
    memset(o, 0, sizeof(*o));
    memset(given, 0, sizeof(given));
    msg[0] = 0;
    return cli_parse_quiet(&set, 1, argc, argv, given, msg, sizeof(msg));
}

#define ARGV(...)     (char *[]){__VA_ARGS__}, (int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))
#define PARSE(o, ...) parse_n(o, ARGV(__VA_ARGS__))
static int parse_n(struct t_opts *o, char **argv, int argc)
{
    return parse(o, argc, argv);
}

static void test_dash_and_underscore(void **state)
{
    struct t_opts o;
    (void)state;
    assert_int_equal(PARSE(&o, "--total_gpus", "32"), CLI_OK);
    assert_int_equal(o.total_gpus, 32);
    assert_int_equal(PARSE(&o, "--total-gpus", "16"), CLI_OK);
    assert_int_equal(o.total_gpus, 16);
    assert_int_equal(PARSE(&o, "--free_gpu_memory_fraction=0.5", "--model", "Qwen/Qwen3-32B"),
                     CLI_OK);
    assert_true(o.frac == 0.5);
    assert_string_equal(o.model, "Qwen/Qwen3-32B");
    assert_int_equal(given[0][6], 1);
    assert_int_equal(given[0][7], 1);
    assert_int_equal(given[0][0], 0);
}

static void test_equals_form(void **state)
{
    struct t_opts o;
    (void)state;
    assert_int_equal(PARSE(&o, "--isl=4000", "--model-path=a=b"), CLI_OK);
    assert_int_equal(o.isl, 4000);
    assert_string_equal(o.model, "a=b");
    assert_int_equal(PARSE(&o, "--frac=1"), CLI_OK);
    assert_true(o.frac == 1.0);
}

static void test_ranges(void **state)
{
    struct t_opts o;
    (void)state;
    assert_int_equal(PARSE(&o, "--isl", "0"), CLI_USAGE);
    assert_non_null(strstr(msg, "--isl must be a positive integer (got 0)"));
    assert_int_equal(PARSE(&o, "--isl", "-5"), CLI_USAGE);
    assert_non_null(strstr(msg, "got -5"));
    assert_int_equal(PARSE(&o, "--isl", "abc"), CLI_USAGE);
    assert_non_null(strstr(msg, "expects an integer"));
    assert_int_equal(PARSE(&o, "--isl", "12x"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--isl", "99999999999"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--total-gpus", "2000000"), CLI_USAGE);
    assert_non_null(strstr(msg, "between 1 and 1000000"));
    assert_int_equal(PARSE(&o, "--frac", "0"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--frac", "nan"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--frac", "1.0001"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--nextn", "auto"), CLI_OK);
    assert_int_equal(o.nextn, -1);
    assert_int_equal(PARSE(&o, "--nextn", "3"), CLI_OK);
    assert_int_equal(o.nextn, 3);
    assert_int_equal(PARSE(&o, "--nextn", "17"), CLI_USAGE);
}

static void test_enum_and_flags(void **state)
{
    struct t_opts o;
    (void)state;
    assert_int_equal(PARSE(&o, "--database-mode", "hybrid"), CLI_OK);
    assert_int_equal(o.mode, 1);
    assert_int_equal(PARSE(&o, "--database_mode=SOL"), CLI_OK);
    assert_int_equal(o.mode, 3);
    assert_int_equal(PARSE(&o, "--database-mode", "fast"), CLI_USAGE);
    assert_non_null(strstr(msg, "valid: SILICON, HYBRID, EMPIRICAL, SOL"));
    assert_int_equal(PARSE(&o, "--json", "--detail=all"), CLI_OK);
    assert_int_equal(o.json, 1);
    assert_int_equal(o.detail, 1);
    assert_int_equal(PARSE(&o, "--json=1"), CLI_USAGE);
    assert_int_equal(PARSE(&o, "--detail=energyx"), CLI_USAGE);
}

static void test_errors(void **state)
{
    struct t_opts o;
    (void)state;
    assert_int_equal(PARSE(&o, "--isll", "3"), CLI_USAGE);
    assert_non_null(strstr(msg, "did you mean --isl?"));
    assert_int_equal(PARSE(&o, "--totl-gpus", "3"), CLI_USAGE);
    assert_non_null(strstr(msg, "did you mean --total-gpus?"));
    assert_int_equal(PARSE(&o, "--zzzzzzzzzzzzzzzz"), CLI_USAGE);
    assert_null(strstr(msg, "did you mean"));
    assert_int_equal(PARSE(&o, "--isl"), CLI_USAGE);
    assert_non_null(strstr(msg, "needs a value"));
    assert_int_equal(PARSE(&o, "--model", "--json"), CLI_USAGE);
    assert_non_null(strstr(msg, "--model-path needs a value"));
    assert_int_equal(PARSE(&o, "stray"), CLI_USAGE);
    assert_non_null(strstr(msg, "unexpected argument 'stray'"));
    assert_int_equal(PARSE(&o, "-isl", "4"), CLI_USAGE);
    assert_non_null(strstr(msg, "two dashes"));
    assert_int_equal(PARSE(&o, "--isl", "4", "--help"), CLI_DONE);
    assert_int_equal(PARSE(&o, "-h"), CLI_DONE);
    /* global flags are suggested too */
    assert_int_equal(PARSE(&o, "--no-colr"), CLI_USAGE);
    assert_non_null(strstr(msg, "--no-color"));
}

static void test_last_wins_and_given(void **state)
{
    struct t_opts o;
    (void)state;
    assert_int_equal(PARSE(&o, "--isl", "1", "--isl", "2"), CLI_OK);
    assert_int_equal(o.isl, 2);
    assert_int_equal(given[0][1], 1);
    assert_int_equal(given[0][2], 0);
}

static void test_resolve_moe(void **state)
{
    struct aic_layout l;
    (void)state;
    l = aic_resolve_moe((struct aic_layout){4, 1, 2, 0, 0}, 1);
    assert_int_equal(l.moe_tp, 1);
    assert_int_equal(l.moe_ep, 8);
    l = aic_resolve_moe((struct aic_layout){4, 1, 2, 2, 0}, 1);
    assert_int_equal(l.moe_ep, 4);
    l = aic_resolve_moe((struct aic_layout){8, 1, 1, 0, 4}, 1);
    assert_int_equal(l.moe_tp, 2);
    l = aic_resolve_moe((struct aic_layout){8, 1, 1, 0, 0}, 0);
    assert_int_equal(l.moe_tp, 1);
    assert_int_equal(l.moe_ep, 1);
}

static void test_quant_arg(void **state)
{
    char m[256];
    (void)state;
    assert_int_equal(cli_quant_arg("gemm-quant-mode", "fp8_block", AIC_QUSE_GEMM, m, sizeof(m)),
                     AIC_Q_FP8_BLOCK);
    assert_int_equal(cli_quant_arg("gemm-quant-mode", "", AIC_QUSE_GEMM, m, sizeof(m)), AIC_Q_NONE);
    assert_int_equal(cli_quant_arg("gemm-quant-mode", "fp9", AIC_QUSE_GEMM, m, sizeof(m)), -2);
    assert_non_null(strstr(m, "unknown --gemm-quant-mode 'fp9' (valid: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dash_and_underscore),
        cmocka_unit_test(test_equals_form),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_enum_and_flags),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_last_wins_and_given),
        cmocka_unit_test(test_resolve_moe),
        cmocka_unit_test(test_quant_arg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
