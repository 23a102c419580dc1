/*
 * perfdb_root.h - the common start of the tests that read the real perf database: the
 * folder named by AIC_TEST_PERFDB (../shared/perfdb in ctest). perfdb_root() copies it into
 * dst and returns 0, or prints why and returns 77, the exit status ctest reports as skipped.
 */
#ifndef AIC_TEST_PERFDB_ROOT_H
#define AIC_TEST_PERFDB_ROOT_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int perfdb_root(char *dst, size_t n)
{
    const char *root = getenv("AIC_TEST_PERFDB");
    struct stat st;

    if (!root || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "AIC_TEST_PERFDB is not a directory; skipping\n");
        return 77;
    }
    snprintf(dst, n, "%s", root);
    return 0;
}

#endif
