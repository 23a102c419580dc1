/*
 * perfdb_load.c - benchmark: time to load every table of each (system, backend) perf
 * database under a perfdb folder, and the per-query time of a GEMM lookup.
 *
 *   bench_perfdb_load /path/to/perfdb [system ...]
 *
 * The system spec fields the database needs are scanned from <perfdb>/<system>.yaml with a
 * tiny line reader (enough for the bundled specs; the real loader lives in src/hw).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf/perf_internal.h"
#include "util/util.h"

static double yaml_num(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\n  %s:", key);
    const char *p = strstr(text, pat);
    if (!p) {
        snprintf(pat, sizeof(pat), "\n%s:", key);
        p = strstr(text, pat);
    }
    if (!p)
        return 0;
    p += strlen(pat);
    while (*p == ' ' || *p == '\'' || *p == '"')
        p++;
    return strtod(p, NULL);
}

static int load_system(const char *root, const char *name, struct aic_system *s)
{
    char path[2048], *text;
    memset(s, 0, sizeof(*s));
    snprintf(path, sizeof(path), "%s/%s.yaml", root, name);
    if (aic_read_file(path, &text, NULL, NULL))
        return -1;
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->data_dir, sizeof(s->data_dir), "%s/data/%s", root, name);
    s->mem_bw_Bps = yaml_num(text, "mem_bw");
    s->mem_bw_scale = yaml_num(text, "mem_bw_empirical_scaling_factor");
    s->mem_const_latency_s = yaml_num(text, "mem_empirical_constant_latency");
    s->tc_flops[AIC_COMPUTE_BF16] = yaml_num(text, "bfloat16_tc_flops");
    s->tc_flops[AIC_COMPUTE_FP8] = yaml_num(text, "fp8_tc_flops");
    s->tc_flops[AIC_COMPUTE_INT8] = yaml_num(text, "int8_tc_flops");
    s->tc_flops[AIC_COMPUTE_FP4] = yaml_num(text, "fp4_tc_flops");
    s->sm_version = (int)yaml_num(text, "sm_version");
    s->gpus_per_node = (int)yaml_num(text, "num_gpus_per_node");
    s->intra_node_bw_Bps = yaml_num(text, "intra_node_bw");
    s->inter_node_bw_Bps = yaml_num(text, "inter_node_bw");
    s->p2p_latency_s = yaml_num(text, "p2p_latency");
    const char *nv = strstr(text, "nccl_version:");
    if (nv) {
        nv += strlen("nccl_version:");
        while (*nv == ' ' || *nv == '\'' || *nv == '"')
            nv++;
        size_t n = strcspn(nv, "'\"\n ");
        snprintf(s->nccl_version, sizeof(s->nccl_version), "%.*s", (int)n, nv);
    }
    free(text);
    return 0;
}

/* FNV-1a over n bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* A fingerprint of every loaded table's contents (names, slice keys, axes, latencies): equal
 * before and after a loader change means the tables are identical. */
static uint64_t db_fingerprint(const struct aic_perfdb *db)
{
    uint64_t h = 1469598103934665603ull;
    for (int t = 0; t < T_COUNT; t++) {
        const struct ptable *p = &db->tab[t];
        if (p->state != 1)
            continue;
        for (int i = 0; i < p->strs.n; i++)
            h = fnv(h, p->strs.s[i], strlen(p->strs.s[i]) + 1);
        h = fnv(h, p->keys, p->nslices * (size_t)p->nk * sizeof(double));
        h = fnv(h, p->start, (p->nslices + 1) * sizeof(size_t));
        h = fnv(h, p->ax, p->npts * (size_t)p->na * sizeof(double));
        h = fnv(h, p->lat, p->npts * sizeof(double));
    }
    return h;
}

int main(int argc, char **argv)
{
    static const char *const systems[] = {"h100_sxm", "h200_sxm", "a100_sxm", "b200_sxm", "gb200"};
    const char *const *list = systems;
    int nsys = 5;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PERFDB [SYSTEM...]\n", argv[0]);
        return 2;
    }
    if (argc > 2) {
        list = (const char *const *)(argv + 2);
        nsys = argc - 2;
    }
    for (int si = 0; si < nsys; si++) {
        struct aic_system sys;
        if (load_system(argv[1], list[si], &sys)) {
            fprintf(stderr, "%s: no spec under %s\n", list[si], argv[1]);
            continue;
        }
        for (int b = 0; b < AIC_BACKEND_COUNT; b++) {
            struct aic_perfdb *db;
            struct aic_error err;
            if (aic_perfdb_open(&sys, (enum aic_backend)b, NULL, AIC_DB_SILICON, &db, &err)) {
                printf("%s/%s: %s\n", list[si], aic_backend_name((enum aic_backend)b), err.msg);
                continue;
            }
            double t0 = aic_now_s();
            if (aic_perfdb_preload(db, &err))
                printf("  preload failed: %s\n", err.msg);
            double total = aic_now_s() - t0;
            size_t rows = 0;
            printf("%s/%s %s\n", list[si], aic_backend_name((enum aic_backend)b),
                   aic_perfdb_version(db));
            for (int t = 0; t < T_COUNT; t++) {
                if (db->tab[t].state != 1)
                    continue;
                rows += db->tab[t].rows_read;
                printf("  %-28s %8zu rows %7zu slices %8.1f ms\n", ptab_name((enum ptab_id)t),
                       db->tab[t].rows_read, db->tab[t].nslices, db->tab[t].load_s * 1000);
            }
            printf("  total %zu rows in %.1f ms, tables fingerprint %016llx\n", rows, total * 1000,
                   (unsigned long long)db_fingerprint(db));

            /* GEMM lookups: a spread of m over a few known and unknown (n, k) sites */
            const double ns[] = {4096, 5120, 12288, 14336, 3584};
            const double ks[] = {4096, 4096, 5120, 4096, 18944};
            int nq = 0;
            double sum = 0;
            struct aic_lat lat;
            t0 = aic_now_s();
            for (int rep = 0; rep < 20; rep++)
                for (int i = 0; i < 5; i++)
                    for (double m = 1; m <= 40000; m *= 1.37) {
                        if (aic_perf_gemm(db, AIC_Q_BF16, m, ns[i], ks[i], &lat, &err) == 0)
                            sum += lat.ms;
                        nq++;
                    }
            double per = (aic_now_s() - t0) / nq;
            printf("  gemm query %.2f us (%d queries, checksum %.3f)\n", per * 1e6, nq, sum);

            /* decode attention (5-sample average) over a spread of batch and KV length */
            nq = 0;
            sum = 0;
            t0 = aic_now_s();
            for (double bb = 1; bb <= 1024; bb *= 2)
                for (double s = 100; s <= 200000; s *= 1.5) {
                    if (aic_perf_generation_attention(db, AIC_Q_BF16, bb, s, 32, 8, 128, 0, &lat,
                                                      &err) == 0)
                        sum += lat.ms;
                    nq++;
                }
            per = (aic_now_s() - t0) / nq;
            printf("  generation attention query %.2f us (%d queries, checksum %.3f)\n", per * 1e6,
                   nq, sum);
            aic_perfdb_free(db);
        }
    }
    return 0;
}
