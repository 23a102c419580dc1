/*
 * gen_int.h - internals of the artifact generator (src/generate/): the generator-config
 * schema and store, the resolved plan the renderers read, launch-argument lists, YAML
 * writing helpers and the per-file renderers.
 *
 * Flow: generate.c turns (model, system, row, request) into base config values, merges the
 * user's overrides over them (gencfg.c), resolves a struct gen_plan with the production
 * rules (plan.c), and the renderers (k8s.c, engine.c, runsh.c) write the files.
 */
#ifndef AIC_GEN_INT_H
#define AIC_GEN_INT_H

#include <stddef.h>

#include "aiconfigurator/aiconfigurator.h"
#include "aiconfigurator/generate.h"
#include "util/util.h"

/* ---- schema ------------------------------------------------------------------------- */

enum gk_type { GK_STR, GK_INT, GK_FLOAT, GK_BOOL, GK_INTLIST, GK_ENVLIST };

struct gen_key {
    const char *section; /* "" = top level; "Workers" = per role (Workers.<role>.key) */
    const char *key;
    enum gk_type type;
    const char *def; /* default shown in help (NULL = derived from the configuration) */
    const char *help;
    const char *trtllm, *vllm, *sglang; /* Workers keys: where each backend puts it */
    int layout; /* 1: fixed by the configuration row, cannot be overridden */
};

extern const struct gen_key gen_keys[];
extern const char *const gen_sections[]; /* NULL-terminated, in dump order */
extern const char *const gen_roles[];    /* "agg", "prefill", "decode", NULL */

/* Finds a key: section "Workers.<role>" maps to the "Workers" rows. */
const struct gen_key *gen_key_find(const char *section, const char *key);

/* ---- store ---------------------------------------------------------------------------- */

struct gen_item {
    char section[32]; /* "" / "ServiceConfig" / "Workers.decode" ... */
    char key[48];
    char *val; /* text; lists comma-separated; env lists "NAME=VALUE" lines */
};

struct aic_gencfg {
    struct gen_item *items;
    size_t n, cap;
};

/* Sets section.key = val after checking the name and the value's type. */
int gencfg_put(struct aic_gencfg *c, const char *section, const char *key, const char *val,
               struct aic_error *err);
/* Copies every item of src over dst. */
int gencfg_merge(struct aic_gencfg *dst, const struct aic_gencfg *src, struct aic_error *err);
int gencfg_int(const struct aic_gencfg *c, const char *sec, const char *key, int def);
double gencfg_dbl(const struct aic_gencfg *c, const char *sec, const char *key, double def);
int gencfg_bool(const struct aic_gencfg *c, const char *sec, const char *key, int def);
const char *gencfg_str(const struct aic_gencfg *c, const char *sec, const char *key,
                       const char *def);
/* Writes c as generator_config.yaml text. */
int gencfg_dump(const struct aic_gencfg *c, struct aic_buf *out);

/* ---- plan ----------------------------------------------------------------------------- */

enum gen_role { ROLE_AGG = 0, ROLE_PREFILL, ROLE_DECODE };

#define GEN_MAX_CG  64
#define GEN_MAX_ENV 32

struct gen_worker {
    enum gen_role role;
    int tp, pp, dp, moe_tp, moe_ep; /* the configuration's layout */
    int gpus;                       /* tp * pp * dp */
    int count;                      /* workers of this role in the whole deployment */
    int sim_batch;                  /* max_batch_size as configured (the simulated batch) */
    int max_batch;                  /* after the rules */
    int max_num_tokens, max_seq_len, tokens_per_block;
    char kv_dtype[24];        /* quant name as in the row (bfloat16, fp8, ...) */
    char moe_quant[24];       /* MoE quant name as in the row ("" for dense models) */
    double mem_frac;          /* 0 = not set */
    int cg[GEN_MAX_CG], n_cg; /* CUDA graph batch sizes (0 = none) */
    int disable_prefix_cache, chunked_prefill, trust_remote_code;
};

struct gen_plan {
    enum aic_backend backend;
    char version[32], tmpl_version[32], dynamo[32];
    int disagg, n_w;
    struct gen_worker w[2]; /* agg: w[0]; disagg: w[0] prefill, w[1] decode */
    int is_moe, nextn, prefix, isl, osl;
    int bench_conc; /* BenchConfig.estimated_concurrency (0 = not set) */
    int router;
    char router_mode[24];
    /* service */
    char model_path[512], served[512], hf_token[256], head_ip[128];
    int port, include_frontend, vllm_kv_port, nixl_port, sglang_kv_port, system_port;
    /* k8s */
    char name[160], ns[96], image[256], pull_secret[128], transport[16], engine_mode[16];
    char pvc[128], pvc_mount[256], pvc_sub[256], hf_home[256], etcd[256];
    char env_name[GEN_MAX_ENV][64], env_val[GEN_MAX_ENV][256];
    int n_env;
    /* nodes */
    int gpn;
    char system[64];
    /* template switches (engine.c / args.c) */
    int vllm_disagg_mode_flag;    /* 1: --disaggregation-mode, 0: --is-prefill-worker */
    int trtllm_cuda_graph_config; /* 1: cuda_graph_config {}, 0: legacy keys */
    int sglang_ep_moe_flag;       /* 1: add --enable-ep-moe (SGLang < 0.5) */
};

/* Resolves a plan from a complete config (base + overrides); applies the rules. */
int gen_plan_build(const struct aic_gencfg *c, struct gen_plan *p, struct aic_error *err);

/* PEP 440-ish comparison ("1.3.0rc23" < "1.3.0"). */
int gen_version_cmp(const char *a, const char *b);
/* Dynamo release whose runtime image ships backend version ver (newest match). */
const char *gen_dynamo_for(enum aic_backend b, const char *ver);
/* Backend version shipped with a Dynamo release, NULL when unknown. */
const char *gen_backend_for_dynamo(enum aic_backend b, const char *dynamo);

/* ---- launch arguments ------------------------------------------------------------------- */

#define GEN_MAX_ARGS 200

/* Placeholders substituted per output (model path and served name). */
#define GEN_ARG_MODEL  "\001MODEL"
#define GEN_ARG_SERVED "\001SERVED"

struct gen_args {
    int n;
    char *v[GEN_MAX_ARGS]; /* malloc'd */
};
void gen_args_free(struct gen_args *a);
/* Copy of arg with the placeholders replaced (model path, served name, KV event port,
 * SGLang bootstrap port). malloc'd; NULL when out of memory. */
#define GEN_ARG_KVPORT   "\001KVPORT"
#define GEN_ARG_BOOTPORT "\001BOOTPORT"
char *gen_arg_subst(const char *arg, const char *model, const char *served, int kv_port,
                    int boot_port);
/* The backend worker's command-line arguments (after `python3 -m dynamo.<backend>`).
 * engine_path: TRT-LLM engine YAML path (NULL otherwise). */
int gen_worker_args(const struct gen_plan *p, const struct gen_worker *w, const char *engine_path,
                    struct gen_args *a, struct aic_error *err);
/* "agg", "prefill", "decode". */
const char *gen_role_name(enum gen_role r);
/* TRT-LLM engine YAML text of one role. */
int gen_engine_yaml(const struct gen_plan *p, const struct gen_worker *w, struct aic_buf *out);

/* ---- YAML and shell text ------------------------------------------------------------------ */

/* Appends s as a YAML scalar: plain when unambiguous, else double-quoted (JSON escapes). */
void yw_scalar(struct aic_buf *b, const char *s);
/* Appends s single-quoted for bash. */
void sh_quote(struct aic_buf *b, const char *s);
/* Appends the bash lines that set var to the environment's env when that is set and not
 * empty, else to value (single-quoted: no expansion of anything in it). */
void gen_sh_default(struct aic_buf *o, const char *var, const char *env, const char *value);
/* Parses text as YAML (all documents); 0 when it parses. */
int yw_check(const char *text, const char *name, struct aic_error *err);

/* ---- renderers ------------------------------------------------------------------------------ */

int gen_k8s(const struct gen_plan *p, struct aic_buf *out, struct aic_error *err);

/* Bare-metal scripts: fills scripts[i] for each node (scripts holds max_nodes buffers, at
 * least gen_pack_nodes(p)); returns the node count or < 0. */
#define GEN_MAX_NODES 16384
int gen_run_scripts(const struct gen_plan *p, struct aic_buf *scripts, int max_nodes,
                    struct aic_error *err);
/* Benchmark helpers (bench.c): bench_run.sh and the k8s_bench.yaml Job, both looping aiperf
 * over concurrencies around the estimated one (gen_bench_concurrency). */
int gen_bench_concurrency(const struct gen_plan *p);
void gen_bench_sh(const struct gen_plan *p, struct aic_buf *out);
void gen_k8s_bench(const struct gen_plan *p, struct aic_buf *out);
/* Nodes used by first-fit packing of the plan's workers. */
int gen_pack_nodes(const struct gen_plan *p);

/* Files for a plan: writes everything into dir (which exists and is empty). */
int gen_write_all(const struct gen_plan *p, const struct aic_gencfg *c, const char *dir,
                  struct aic_error *err);

#endif
