/*
 * generate.h - deployment artifacts for one configuration: a Dynamo Kubernetes manifest
 * (k8s_deploy.yaml, DynamoGraphDeployment nvidia.com/v1alpha1), TensorRT-LLM engine YAMLs,
 * per-node bare-metal launch scripts (run_0.sh ... run_N.sh) and generator_config.yaml
 * (the complete generator input, which re-renders the same artifacts).
 *
 * Also the two small checks behind `cli generate` and `cli support`: the naive
 * configuration (smallest power-of-two GPU count that holds 1.5x the bf16 weights, as TP, or
 * TP x PP where that TP does not split the heads) and whether a model/system/backend
 * combination is supported.
 *
 * The generator input is a set of sections (ServiceConfig, K8sConfig, DynConfig,
 * WorkerConfig, Workers.<agg|prefill|decode>, ModelConfig, NodeConfig, SlaConfig and a few
 * top-level keys) as in NVIDIA AIConfigurator; aic_gen_help() prints the schema. Values come,
 * lowest precedence first, from the configuration row, a --generator-config YAML file and
 * --generator-set Section.key=value assignments. Layout keys (tensor/pipeline/data/MoE
 * parallel sizes) can never override the row's layout: a different value is an error.
 *
 * Ownership: struct aic_gencfg is opaque, aic_gencfg_new()/aic_gencfg_free(). Everything
 * else is caller-owned plain values; strings in struct aic_gen_req are borrowed.
 */
#ifndef AIC_GENERATE_H
#define AIC_GENERATE_H

#include <stddef.h>

#include "aiconfigurator/search.h"

/* ---- generator overrides (--generator-config / --generator-set) ---------------------- */

struct aic_gencfg;

struct aic_gencfg *aic_gencfg_new(void);
void aic_gencfg_free(struct aic_gencfg *c);

/* Loads a generator config YAML file (same schema as generator_config.yaml) over c.
 * Unknown section or key -> AIC_ERR_USAGE naming the valid ones; bad YAML -> AIC_ERR_PARSE. */
int aic_gencfg_load_file(struct aic_gencfg *c, const char *path, struct aic_error *err);

/* Applies one "Section.key=value" (Workers.<role>.key=value; top-level "key=value").
 * The value is read as a YAML scalar or flow list ("[1, 2, 4]"). */
int aic_gencfg_set(struct aic_gencfg *c, const char *assignment, struct aic_error *err);

/* Value of Section.key as text ("" section = top level), NULL when not set. Lists are
 * comma-separated. Borrowed until the next change to c. */
const char *aic_gencfg_get(const struct aic_gencfg *c, const char *section, const char *key);

/* The generator reference as malloc'd text (caller frees): section "deploy" = the schema
 * with defaults, "backend" = the parameter -> flag table per backend, NULL/"all" = both.
 * backend >= 0 limits the flag table to that backend. NULL on an unknown section. */
char *aic_gen_help(const char *section, int backend);

/* ---- artifacts ------------------------------------------------------------------------ */

/* What the artifacts are generated for, besides the configuration row. */
struct aic_gen_req {
    const struct aic_model *model;   /* required */
    const struct aic_system *system; /* required */
    const char *backend_version;     /* perf-db version of the row; NULL = newest known */
    const char *template_version;    /* --generated_config_version; NULL = backend_version */
    const char *dynamo_version;      /* --dynamo-version (image tag); NULL = from version */
    struct aic_workload wl;          /* isl, osl, prefix */
    double ttft_ms, tpot_ms;         /* SLA targets, recorded in SlaConfig (0 = row's) */
    int total_gpus;                  /* GPU budget; workers are scaled to fill it */
    const char *name_prefix;         /* DGD name prefix; NULL = "dynamo" */
    const struct aic_gencfg *cfg;    /* overrides; NULL = none */
    int nextn;                       /* MTP draft tokens the row was searched with (0 = off) */
    double nextn_accepted;           /* mean accepted draft tokens (recorded when nextn > 0) */
    /* --free-gpu-memory-fraction / --max-seq-len the row was searched with, written into every
     * worker (Workers.<role>.kv_cache_free_gpu_memory_fraction / max_seq_len); 0 = the
     * generator's defaults (TRT-LLM 0.8, others unset; ISL + OSL + 500 or + 1500) */
    double free_mem_fraction;
    int max_seq_len;
};

/* Zeroes r and sets isl 4000, osl 1000. */
void aic_gen_req_init(struct aic_gen_req *r);

/*
 * Writes the artifacts of one configuration into `dir` (created with its missing parents;
 * must not exist or be empty). Everything is written into a temporary sibling folder and
 * renamed at the end, so a failure leaves no folder behind. Backend = row->backend.
 * Files: generator_config.yaml, k8s_deploy.yaml, run_0.sh..run_<nodes-1>.sh (mode 0755),
 * bench_run.sh + k8s_bench.yaml (aiperf around the row's concurrency x replicas,
 * BenchConfig.estimated_concurrency) and for TensorRT-LLM agg_config.yaml or
 * prefill_config.yaml + decode_config.yaml.
 * Every YAML written is parsed back before the rename.
 *
 * The search's --save_dir writer calls this once per top-N row with dir = .../<mode>/topK.
 * Errors: AIC_ERR_USAGE (layout the backend cannot express, layout override, bad config
 * value), AIC_ERR_IO (cannot create/write the folder).
 */
int aic_generate_artifacts(const struct aic_gen_req *req, const struct aic_search_row *row,
                           const char *dir, struct aic_error *err);

/* Every check of aic_generate_artifacts() short of writing files (the row's base config,
 * the overrides, the resolved plan): AIC_OK when the row can get artifacts. The search's
 * save-dir writer uses it to tell a row the generator cannot express from a bad override. */
int aic_generate_check(const struct aic_gen_req *req, const struct aic_search_row *row,
                       struct aic_error *err);

/* Re-renders the artifacts from a generator_config.yaml written by aic_generate_artifacts()
 * (plus optional overrides, NULL = none) into dir, with the same all-or-nothing rule. */
int aic_generate_from_config(const char *config_path, const struct aic_gencfg *overrides,
                             const char *dir, struct aic_error *err);

/* Number of nodes (run_N.sh scripts) the bare-metal packing of a row uses: workers of
 * row scaled to total_gpus, packed first-fit onto nodes of gpus_per_node GPUs. */
int aic_generate_node_count(const struct aic_search_row *row, int gpus_per_node, int total_gpus);

/* ---- naive configuration (`cli generate`) ---------------------------------------------- */

struct aic_naive_info {
    double weight_bytes_bf16; /* the weights in bf16 (aic_naive_weight_bytes) */
    double need_bytes;        /* 1.5 x weights */
    double gpu_mem_bytes;     /* per GPU */
    int tp;                   /* chosen tensor parallel size (power of two) */
    int pp;                   /* pipeline stages (> 1 only where N as tp fails the heads) */
    int max_gpus;             /* the most GPUs (tp x pp) one worker may take on the budget */
    int replicas;             /* total_gpus / (tp x pp) */
};

/* The bf16 weight bytes the naive rule sizes by: the engine's count of one copy of the model
 * (aic_model_weight_bytes) with every GEMM and expert in bf16, the dense layers of an MoE model
 * as dense. AIC_OK, or AIC_ERR_NOMEM. */
int aic_naive_weight_bytes(const struct aic_model *m, double *bytes, struct aic_error *err);

/* Fills row with the naive aggregated configuration: N = the smallest power of two whose GPU
 * memory exceeds 1.5x the bf16 weights, as tp N, pp 1 when N splits the attention heads
 * (aic_tp_splits_heads) and, for MoE, the expert size, else tp halved and pp doubled until it
 * does (tp x pp = N; MoE: moe_tp = tp, ep 1), batch 128, replicas = total_gpus / N. A model
 * that needs more GPUs per worker than the budget allows (gpus per node x whole nodes, or
 * total_gpus when below one node) -> AIC_ERR_OOM. */
int aic_generate_naive(const struct aic_model *m, const struct aic_system *sys,
                       enum aic_backend backend, int total_gpus, struct aic_search_row *row,
                       struct aic_naive_info *info, struct aic_error *err);

/* ---- support check (`cli support`) ----------------------------------------------------- */

struct aic_support {
    int agg, disagg;  /* 1 = supported */
    int no_data;      /* 1 = no perf database for this system/backend(/version) */
    char version[32]; /* perf-db version checked ("" when none) */
    char agg_reason[256], disagg_reason[256]; /* why not ("" when supported) */
};

/* Whether agg and disagg serving of model m on system/backend are supported: the model
 * family is known, perf data exists for (system, backend, version) along systems_paths
 * (NULL = env AIC_SYSTEMS_PATHS / default) with the tables the family needs, and the
 * checkpoint weights fit on one node. version NULL = newest. Unknown system ->
 * AIC_ERR_USAGE; a combination that is not supported is not an error. */
int aic_support_check(const struct aic_model *m, const char *system, enum aic_backend backend,
                      const char *version, const char *systems_paths, struct aic_support *out,
                      struct aic_error *err);

#endif
