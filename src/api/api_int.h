/*
 * api_int.h - internal interfaces between the files of src/api (not installed): the call
 * state every op handler gets, the table-driven parameter reader, the estimate document
 * builder and the op handlers themselves.
 */
#ifndef AIC_API_INT_H
#define AIC_API_INT_H

#include <jansson.h>
#include <stddef.h>

#include "aiconfigurator/aiconfigurator.h"
#include "aiconfigurator/api.h"

/* ---- one call ------------------------------------------------------------------------ */

struct api_call {
    const json_t *req;     /* the request object (borrowed) */
    struct aic_ctx *ctx;   /* loaded models/systems/databases for this call */
    json_t *warnings;      /* array; handlers append one line per warning */
    struct aic_error *err; /* handlers fill it and return its code */
};

/* An op: fills *result (a new reference) and returns 0, or returns an AIC_ERR_* code with
 * c->err filled. */
typedef int (*api_op_fn)(struct api_call *c, json_t **result);

int api_op_estimate(struct api_call *c, json_t **result);
int api_op_default(struct api_call *c, json_t **result);
int api_op_recommend(struct api_call *c, json_t **result);
int api_op_exp(struct api_call *c, json_t **result);
int api_op_generate(struct api_call *c, json_t **result);
int api_op_support(struct api_call *c, json_t **result);
int api_op_models(struct api_call *c, json_t **result);
int api_op_systems(struct api_call *c, json_t **result);

/* Appends a printf-style warning line to c->warnings. */
void api_warn(struct api_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Names flags by their JSON key in msg, in place: the library the surfaces share says
 * "--max-seq-len", the API "max_seq_len" (a "--" word at the start or after a space or an
 * opening bracket). Applied to every error message and warning the API answers. */
void api_json_keys(char *msg);

/* ---- parameters (params.c) ------------------------------------------------------------ */

enum api_ptype {
    AP_INT,      /* int; a JSON integer (or an integral number / numeric string) */
    AP_INT_AUTO, /* int, or the string "auto" stored as -1 */
    AP_FLOAT,    /* double */
    AP_BOOL,     /* int 0/1: true/false (or 0/1) */
    AP_STRING,   /* const char * borrowed from the request */
    AP_ENUM,     /* int: index into choices (case-insensitive) */
    AP_STRLIST,  /* struct api_strlist: a string or an array of strings */
};

#define API_MAX_PARAMS 96
#define API_MAX_LIST   64

struct api_strlist {
    const char *v[API_MAX_LIST];
    int n;
};

struct api_param {
    const char *name;    /* snake_case key; NULL ends a table */
    const char *aliases; /* space-separated other keys, or NULL */
    enum api_ptype type;
    size_t off;                 /* offsetof() into the struct the table fills */
    double min, max;            /* inclusive range for numbers, checked when max > min */
    const char *const *choices; /* AP_ENUM values, NULL-terminated */
};

/* Which table rows a request gave (non-null values). */
struct api_given {
    unsigned char row[API_MAX_PARAMS];
};

/* Reads every key of the request (except "op" and "systems_paths") into dst through tab.
 * An unknown key, a wrong type or an out-of-range value -> AIC_ERR_USAGE naming the key and
 * what is allowed. given (may be NULL) records the keys present. */
int api_params_read(const json_t *req, const struct api_param *tab, void *dst,
                    struct api_given *given, struct aic_error *err);

/* Whether key `name` (the table's main name) was given. */
int api_given(const struct api_param *tab, const struct api_given *given, const char *name);

/* Parses a quantization value for `use`: NULL -> AIC_Q_NONE; unknown -> AIC_ERR_USAGE. */
int api_quant(const char *key, const char *val, unsigned use, enum aic_quant *out,
              struct aic_error *err);

/* ---- request fields of the model ops (req_params.c) ------------------------------------ */

/* What estimate, default and recommend all take: the model and system, the backend and
 * database, the workload, quantization, MTP and memory (strings borrowed). */
struct api_req_p {
    const char *model, *system, *decode_system, *backend_version, *transfer_policy;
    const char *gemm_q, *kv_q, *fmha_q, *moe_q, *comm_q;
    int backend, db_mode, isl, osl, prefix, nextn, max_seq_len;
    double nextn_accepted, free_mem;
    struct aic_ttft_consts ttft; /* the values read; which were given is api_given()'s */
};

extern const char *const api_db_modes[]; /* "SILICON", "HYBRID", "EMPIRICAL", "SOL" */

/* Table rows for a struct api_req_p member `m`; `backends` lists the backend choices. */
/* clang-format off */
#define API_REQ_PARAMS(type, m, backends)                                                      \
    {"model_path", "model hf_id", AP_STRING, offsetof(type, m.model), 0, 0, NULL},             \
    {"system", "system_name", AP_STRING, offsetof(type, m.system), 0, 0, NULL},                \
    {"decode_system", NULL, AP_STRING, offsetof(type, m.decode_system), 0, 0, NULL},           \
    {"backend", "backend_name", AP_ENUM, offsetof(type, m.backend), 0, 0, backends},           \
    {"backend_version", "perf_db_version", AP_STRING, offsetof(type, m.backend_version), 0, 0, \
     NULL},                                                                                     \
    {"database_mode", NULL, AP_ENUM, offsetof(type, m.db_mode), 0, 0, api_db_modes},          \
    {"transfer_policy", NULL, AP_STRING, offsetof(type, m.transfer_policy), 0, 0, NULL},       \
    {"isl", NULL, AP_INT, offsetof(type, m.isl), 1, 1e9, NULL},                                \
    {"osl", NULL, AP_INT, offsetof(type, m.osl), 1, 1e9, NULL},                                \
    {"prefix", NULL, AP_INT, offsetof(type, m.prefix), 0, 1e9, NULL},                          \
    {"gemm_quant_mode", NULL, AP_STRING, offsetof(type, m.gemm_q), 0, 0, NULL},                \
    {"kvcache_quant_mode", NULL, AP_STRING, offsetof(type, m.kv_q), 0, 0, NULL},               \
    {"fmha_quant_mode", NULL, AP_STRING, offsetof(type, m.fmha_q), 0, 0, NULL},                \
    {"moe_quant_mode", NULL, AP_STRING, offsetof(type, m.moe_q), 0, 0, NULL},                  \
    {"comm_quant_mode", NULL, AP_STRING, offsetof(type, m.comm_q), 0, 0, NULL},                \
    {"nextn", NULL, AP_INT_AUTO, offsetof(type, m.nextn), 0, 16, NULL},                        \
    {"nextn_accepted", NULL, AP_FLOAT, offsetof(type, m.nextn_accepted), 0, 16, NULL},         \
    {"free_gpu_memory_fraction", NULL, AP_FLOAT, offsetof(type, m.free_mem), 1e-6, 1, NULL},   \
    {"max_seq_len", NULL, AP_INT, offsetof(type, m.max_seq_len), 1, 1e9, NULL},                \
    {"ttft_overhead_ms", NULL, AP_FLOAT, offsetof(type, m.ttft.overhead_ms), 0, AIC_TTFT_MAX_OVERHEAD_MS, NULL},    \
    {"ttft_step_iters", NULL, AP_FLOAT, offsetof(type, m.ttft.step_iters), 0, AIC_TTFT_MAX_STEP_ITERS, NULL},     \
    {"ttft_queue_share", NULL, AP_FLOAT, offsetof(type, m.ttft.queue_share), 0, AIC_TTFT_MAX_QUEUE_SHARE, NULL}, \
    {"ttft_handoff_iters", NULL, AP_FLOAT, offsetof(type, m.ttft.handoff_iters), 0, AIC_TTFT_MAX_HANDOFF_ITERS, NULL}, \
    {"ttft_stream_ms", NULL, AP_FLOAT, offsetof(type, m.ttft.stream_ms), 0, AIC_TTFT_MAX_STREAM_MS, NULL}, \
    {"ttft_prompt_ms", NULL, AP_FLOAT, offsetof(type, m.ttft.prompt_ms), 0, AIC_TTFT_MAX_PROMPT_MS, NULL}, \
    {"step_host_ms", NULL, AP_FLOAT, offsetof(type, m.ttft.host_ms), 0, AIC_TTFT_MAX_HOST_MS, NULL}, \
    {"step_host_per_req_ms", NULL, AP_FLOAT, offsetof(type, m.ttft.host_per_req_ms), 0, AIC_TTFT_MAX_HOST_PER_REQ, NULL}
/* clang-format on */

/* The TTFT serving constants of r that were given (tab, g: the op's table and what it read). */
void api_req_ttft(const struct api_param *tab, const struct api_given *g, const struct api_req_p *r,
                  struct aic_ttft_consts *t);

/* model_path and system given, prefix below isl; else AIC_ERR_USAGE saying which. */
int api_req_check(const struct api_req_p *r, struct aic_error *err);

/* The quantization modes and MTP draft tokens of r (aic_req_quant(), aic_req_nextn()); *m
 * receives the model when it had to be loaded (may be NULL when nextn was given). */
int api_req_quant_nextn(struct api_call *c, const struct api_req_p *r, int accepted_given,
                        struct aic_quant_cfg *q, int *nextn, const struct aic_model **m);

/* ---- generator overrides (gen_overrides.c) ---------------------------------------------- */

/* The generator parameters of generate/default/recommend (strings borrowed). */
struct api_gen_p {
    const char *config, *tmpl_version, *dynamo_version;
    struct api_strlist sets;
};

/* Table rows for a struct api_gen_p member `m` of the op's parameter struct. */
/* clang-format off */
#define API_GEN_PARAMS(type, m)                                                               \
    {"generator_config", NULL, AP_STRING, offsetof(type, m.config), 0, 0, NULL},              \
    {"generator_set", "generator_overrides", AP_STRLIST, offsetof(type, m.sets), 0, 0, NULL}, \
    {"generated_config_version", "config_template_version", AP_STRING,                       \
     offsetof(type, m.tmpl_version), 0, 0, NULL},                                             \
    {"generator_dynamo_version", "dynamo_version", AP_STRING,                                 \
     offsetof(type, m.dynamo_version), 0, 0, NULL}
/* clang-format on */

struct aic_gencfg;

/* Applies g to cfg: the generator_config file (when load_file), each generator_set
 * assignment, then the two versions. */
int api_gen_overrides(struct api_call *c, const struct api_gen_p *g, int load_file,
                      struct aic_gencfg *cfg);

/* ---- documents (est_json.c, search_json.c) ---------------------------------------------- */

/* The `cli estimate --json` object (new reference, NULL when out of memory). */
json_t *api_estimate_doc(const struct aic_estimate_req *req, const struct aic_estimate_result *res,
                         int is_moe, int detail);

/* Name of a quant mode for output ("auto" for AIC_Q_NONE). */
const char *api_quant_name(enum aic_quant q);

#endif
