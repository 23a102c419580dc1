/*
 * sol_fixture.h - the group fixture of the tests that build workers without perf tables: the
 * bundled h100_sxm spec and a TensorRT-LLM database in SOL mode, as the statics sys and db.
 * Include after cmocka.h; pass sol_setup and sol_teardown to cmocka_run_group_tests.
 */
#ifndef AIC_TEST_SOL_FIXTURE_H
#define AIC_TEST_SOL_FIXTURE_H

#include "aiconfigurator/aiconfigurator.h"

static struct aic_system sys;
static struct aic_perfdb *db;

static int sol_setup(void **state)
{
    struct aic_error err = {0};
    (void)state;
    if (aic_system_load("h100_sxm", "default", &sys, &err) ||
        aic_perfdb_open(&sys, AIC_BACKEND_TRTLLM, NULL, AIC_DB_SOL, &db, &err)) {
        print_error("setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int sol_teardown(void **state)
{
    (void)state;
    aic_perfdb_free(db);
    return 0;
}

#endif
