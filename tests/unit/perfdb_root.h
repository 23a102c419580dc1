/*
 * perfdb_root.h - the common start of the tests that read the real perf database: the
 * folder named by AIC_TEST_PERFDB (../shared/perfdb in ctest). perfdb_root() copies it into
 * dst and returns 0, or prints why and returns 77, the exit status ctest reports as skipped;
 * hopper_spec() fills a Hopper system spec by hand (the spec loader is tested elsewhere).
 */
#ifndef AIC_TEST_PERFDB_ROOT_H
#define AIC_TEST_PERFDB_ROOT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aiconfigurator/system.h"

static inline int perfdb_root(char *dst, size_t n)
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

/* h100_sxm.yaml / h200_sxm.yaml values: `name`'s data under root, its HBM bandwidth and
 * NCCL version. */
static inline void hopper_spec(struct aic_system *s, const char *root, const char *name,
                               double mem_bw_Bps, const char *nccl)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->data_dir, sizeof(s->data_dir), "%s/data/%s", root, name);
    s->mem_bw_Bps = mem_bw_Bps;
    s->mem_bw_scale = 0.8;
    s->mem_const_latency_s = 3e-6;
    s->mem_capacity_bytes = 85899345920.0;
    s->tc_flops[AIC_COMPUTE_BF16] = 989e12;
    s->tc_flops[AIC_COMPUTE_FP8] = 1978e12;
    s->tc_flops[AIC_COMPUTE_INT8] = 1978e12;
    s->sm_version = 90;
    s->gpus_per_node = 8;
    s->intra_node_bw_Bps = 450e9;
    s->inter_node_bw_Bps = 50e9;
    s->pcie_bw_Bps = 64e9;
    s->p2p_latency_s = 1e-5;
    snprintf(s->nccl_version, sizeof(s->nccl_version), "%s", nccl);
}

#endif
