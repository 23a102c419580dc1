/*
 * system.h - a GPU system: per-GPU compute and memory, node topology, runtime reserves.
 *
 * Specs are YAML files in AIConfigurator's schema (<name>.yaml with gpu:, node:, misc:,
 * data_dir:). They are looked up along a search path: a comma-separated list of
 * directories where the token `default` means the bundled data/systems folder; the first
 * directory holding <name>.yaml wins. The spec's data_dir (relative to the YAML's folder)
 * is where that system's perf database lives.
 *
 * Ownership: struct aic_system is a plain value filled by aic_system_load(); no release.
 */
#ifndef AIC_SYSTEM_H
#define AIC_SYSTEM_H

#include "aiconfigurator/error.h"
#include "aiconfigurator/quant.h"

#define AIC_PATH_MAX 1024

struct aic_system {
    char name[64];
    char spec_path[AIC_PATH_MAX]; /* the YAML that was read */
    char data_dir[AIC_PATH_MAX];  /* resolved perf data folder ("" when the spec has none) */

    double mem_bw_Bps;          /* HBM bandwidth, bytes/s */
    double mem_bw_scale;        /* mem_bw_empirical_scaling_factor (0.8) */
    double mem_const_latency_s; /* mem_empirical_constant_latency (3e-6) */
    double mem_capacity_bytes;
    double tc_flops[AIC_COMPUTE_COUNT]; /* dense FLOP/s per compute dtype; 0 = unsupported */
    int sm_version;

    int gpus_per_node;
    int gpus_per_rack;        /* 0 when the spec has none */
    double intra_node_bw_Bps; /* per GPU, one direction */
    double inter_node_bw_Bps;
    double inter_rack_bw_Bps;
    double pcie_bw_Bps;
    double p2p_latency_s;

    double nccl_mem_bytes[4]; /* runtime NCCL reserve for 1, 2, 4, 8 GPUs */
    double other_mem_bytes;   /* other runtime reserve */
    char nccl_version[32];
};

/* Default search path when neither --systems-paths nor AIC_SYSTEMS_PATHS is given. */
#define AIC_SYSTEMS_PATHS_DEFAULT "default"

/* Names of the bundled systems, NULL-terminated. */
extern const char *const aic_system_names[];

/*
 * Loads system `name` along `paths` (comma-separated; NULL = env AIC_SYSTEMS_PATHS or
 * "default"). Unknown system -> AIC_ERR_USAGE naming the known ones; a search-path entry
 * that is not a directory -> AIC_ERR_USAGE; malformed YAML -> AIC_ERR_PARSE with line.
 */
int aic_system_load(const char *name, const char *paths, struct aic_system *out,
                    struct aic_error *err);

/* Parses one spec file. */
int aic_system_parse_file(const char *path, struct aic_system *out, struct aic_error *err);

/* Bandwidth (bytes/s) of a collective over n GPUs: intra-node if n <= gpus_per_node,
 * else inter-node (or inter-rack when n > gpus_per_rack > 0). */
double aic_system_comm_bw(const struct aic_system *sys, int n_gpus);

/* NCCL runtime memory reserve for a tensor-parallel group of `tp` GPUs. */
double aic_system_nccl_mem(const struct aic_system *sys, int tp);

#endif
