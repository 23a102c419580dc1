/*
 * exp_load.c - reads an experiment file (libfyaml) into struct aic_exp_set: selection by
 * `exps:`, V2 keys through the key table (exp_keys.c), V1 nested files converted key by
 * key to their V2 names (aic-interface §2.5), then per-experiment validation. Problems in
 * one experiment are collected as one-line messages "file:line:col: experiment 'x': ..."
 * and reject only that experiment.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exp/exp_int.h"
#include "util/util.h"
#include "util/yaml.h"

struct ld {
    const char *origin;
    struct aic_exp_set *set;
    struct aic_exp *e;
    int bad;                      /* the current experiment has a problem */
    int role_key[AIC_ROLE_COUNT]; /* a key of that role was given (line for messages) */
    char role_key_name[AIC_ROLE_COUNT][96];
    int cand_agg; /* an agg_ candidate key was given */
    int err_nomem;
    struct fy_node *key; /* the current experiment's name node */
};

static int push_line(char (**v)[AIC_EXP_MSG_MAX], size_t *n, const char *s)
{
    char(*p)[AIC_EXP_MSG_MAX] = realloc(*v, (*n + 1) * sizeof **v);
    if (!p)
        return -1;
    *v = p;
    aic_strlcpy(p[*n], s, sizeof p[0]);
    (*n)++;
    return 0;
}

/* Position of a scalar node (libfyaml keeps marks on scalar tokens only). */
static int node_pos(struct fy_node *n, int *col)
{
    struct fy_token *t = n && fy_node_is_scalar(n) ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    *col = m ? m->column + 1 : 0;
    return m ? m->line + 1 : 0;
}

static void problem(struct ld *L, struct fy_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct ld *L, struct fy_node *at, const char *fmt, ...)
{
    char what[400], line[AIC_EXP_MSG_MAX];
    int col, ln = node_pos(at, &col);
    if (!ln)
        ln = node_pos(L->key, &col); /* a mapping or list: point at the experiment */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (ln)
        snprintf(line, sizeof line, "%s:%d:%d: experiment '%s': %s", L->origin, ln, col,
                 L->e ? L->e->name : "?", what);
    else
        snprintf(line, sizeof line, "%s: experiment '%s': %s", L->origin, L->e ? L->e->name : "?",
                 what);
    L->bad = 1;
    if (push_line(&L->set->msg, &L->set->n_msg, line))
        L->err_nomem = 1;
}

static void note(struct ld *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ld *L, const char *fmt, ...)
{
    char what[400], line[AIC_EXP_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "experiment '%s': %s", L->e->name, what);
    for (size_t i = 0; i < L->set->n_note; i++)
        if (!strcmp(L->set->note[i], line))
            return;
    if (push_line(&L->set->note, &L->set->n_note, line))
        L->err_nomem = 1;
}

/* ---- scalar values ------------------------------------------------------------------ */

static int is_null(struct fy_node *v)
{
    char s[16];
    if (!v)
        return 1;
    if (!aic_exp_scalar(v, s, sizeof s))
        return 0;
    return !strcmp(s, "null") || !strcmp(s, "~") || !strcmp(s, "Null") || !strcmp(s, "NULL") ||
           (!*s && fy_node_get_style(v) == FYNS_PLAIN);
}

static int get_int(struct ld *L, struct fy_node *v, const char *key, int *out)
{
    char s[64], *end;
    if (!aic_exp_scalar(v, s, sizeof s)) {
        problem(L, v, "%s must be an integer", key);
        return -1;
    }
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || d != floor(d) || fabs(d) > 1e9) {
        problem(L, v, "%s must be an integer (got '%s')", key, s);
        return -1;
    }
    *out = (int)d;
    return 0;
}

static int get_float(struct ld *L, struct fy_node *v, const char *key, double *out)
{
    char s[64], *end;
    if (!aic_exp_scalar(v, s, sizeof s)) {
        problem(L, v, "%s must be a number", key);
        return -1;
    }
    errno = 0;
    *out = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(*out)) {
        problem(L, v, "%s must be a number (got '%s')", key, s);
        return -1;
    }
    return 0;
}

static int get_bool(struct ld *L, struct fy_node *v, const char *key, int *out)
{
    char s[16];
    if (aic_exp_scalar(v, s, sizeof s)) {
        if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
            return *out = 1, 0;
        if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
            return *out = 0, 0;
    }
    problem(L, v, "%s must be true or false", key);
    return -1;
}

static int get_list(struct ld *L, struct fy_node *v, const char *key, int *out, int cap, int *n)
{
    *n = 0;
    if (fy_node_is_scalar(v)) {
        int x;
        if (get_int(L, v, key, &x))
            return -1;
        out[(*n)++] = x;
        return x >= 1 ? 0 : (problem(L, v, "%s values must be >= 1", key), -1);
    }
    if (!fy_node_is_sequence(v)) {
        problem(L, v, "%s must be a list of integers such as [1, 2, 4, 8]", key);
        return -1;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(v, &it))) {
        int x;
        if (get_int(L, item, key, &x))
            return -1;
        if (x < 1) {
            problem(L, item, "%s values must be >= 1 (got %d)", key, x);
            return -1;
        }
        if (*n >= cap) {
            problem(L, v, "%s has more than %d values", key, cap);
            return -1;
        }
        out[(*n)++] = x;
    }
    if (!*n)
        problem(L, v, "%s is empty; leave it out for the default list", key);
    return *n ? 0 : -1;
}

/* ---- one V2 key ----------------------------------------------------------------------- */

static int range_i(struct ld *L, struct fy_node *v, const char *key, int x, int lo)
{
    if (x < lo) {
        problem(L, v, "%s must be >= %d (got %d)", key, lo, x);
        return -1;
    }
    return 0;
}

/* Serving constant i (aic_ttft_key(i); KF_TTFT_OVERHEAD + i): a value (not null) replaces the
 * backend's fitted constant (struct aic_ttft_consts; set bit 1 << i). */
_Static_assert(KF_TTFT_PROMPT - KF_TTFT_OVERHEAD == AIC_TTFT_COUNT - 1,
               "the KF_ serving-constant keys in aic_ttft_key() order");
static int ttft_const(struct ld *L, struct fy_node *v, const char *key, int i, double d,
                      struct aic_ttft_consts *t)
{
    if (is_null(v))
        return 0;
    if (d > aic_ttft_max(i)) {
        problem(L, v, "%s must be at most %g (got %g)", key, aic_ttft_max(i), d);
        return -1;
    }
    *aic_ttft_member(t, i) = d;
    t->set |= 1u << i;
    return 0;
}

/* Keys that set one number of the experiment: where (struct aic_exp), whether it is an int
 * (else a double; checked against the member's type at compile time), its least value. */
struct plain_key {
    enum aic_exp_kf field;
    size_t off;
    int is_int, min;
};
#define NUM(f, m, lo)                                                                              \
    {                                                                                              \
        f, offsetof(struct aic_exp, m), _Generic(((struct aic_exp *)0)->m, int : 1, double : 0),   \
            lo                                                                                     \
    }
static const struct plain_key plain_keys[] = {
    NUM(KF_TOTAL, req.total_gpus, 1),
    NUM(KF_ISL, req.wl.isl, 1),
    NUM(KF_OSL, req.wl.osl, 1),
    NUM(KF_PREFIX, req.wl.prefix, 0),
    NUM(KF_TTFT, req.ttft_ms, 0),
    NUM(KF_TPOT, req.tpot_ms, 0),
    NUM(KF_REQLAT, req.request_latency_ms, 0),
    NUM(KF_MAXSEQ, req.max_seq_len, 0),
    NUM(KF_MAX_REPLICA, space.max_gpu_per_replica, 0),
    NUM(KF_MAX_PW, space.max_prefill_workers, 1),
    NUM(KF_MAX_DW, space.max_decode_workers, 1),
    NUM(KF_P_MAXBS, space.prefill_max_batch_size, 1),
    NUM(KF_D_MAXBS, space.decode_max_batch_size, 1),
    NUM(KF_P_CORR, space.prefill_latency_correction, 0),
    NUM(KF_D_CORR, space.decode_latency_correction, 0),
    NUM(KF_P_DEG, space.rate_match_prefill_degradation, 0),
    NUM(KF_D_DEG, space.rate_match_decode_degradation, 0),
    NUM(KF_TTFT_FACTOR, space.ttft_correction_factor, 0),
};
#undef NUM

/* A plain key's value (x or d, parsed by the caller) into the experiment. */
static int set_plain(struct ld *L, const struct plain_key *p, const char *key, struct fy_node *v,
                     int x, double d)
{
    char *at = (char *)L->e + p->off;

    if (!p->is_int) {
        *(double *)at = d;
        return 0;
    }
    *(int *)at = x;
    return range_i(L, v, key, x, p->min);
}

/* serving_mode: agg or disagg (afd is refused with its own message). */
static int set_serving(struct ld *L, const char *key, struct fy_node *v)
{
    char s[64] = "";

    if (aic_exp_scalar(v, s, sizeof s)) {
        if (!strcmp(s, "agg") || !strcmp(s, "disagg")) {
            L->e->serving = !strcmp(s, "agg") ? AIC_SEARCH_AGG : AIC_SEARCH_DISAGG;
            return 0;
        }
        if (!strcmp(s, "afd")) {
            problem(L, v,
                    "serving_mode afd (attention-FFN disaggregation) is not "
                    "modelled; use agg or disagg");
            L->e->serving = -1;
            return -1;
        }
    }
    problem(L, v, "unknown %s '%s' (valid: agg, disagg)", key, s);
    L->e->serving = -1; /* given, though invalid: not also "required" */
    return -1;
}

/* nextn: a count, or `auto` (from the checkpoint). */
static int set_nextn(struct ld *L, const char *key, struct fy_node *v)
{
    char s[64] = "";
    int x = 0;

    if (aic_exp_scalar(v, s, sizeof s) && !strcasecmp(s, "auto")) {
        L->e->nextn_auto = 1;
        return 0;
    }
    if (get_int(L, v, key, &x) || range_i(L, v, key, x, 0))
        return -1;
    L->e->nextn_auto = 0;
    L->e->req.nextn = x;
    return 0;
}

/* The keys whose value needs more than a number. */
static int set_special(struct ld *L, const struct aic_exp_key *k, const char *key,
                       struct fy_node *v, int x, double d)
{
    struct aic_exp *e = L->e;
    struct aic_search_space *sp = &e->space;
    char s[64] = "";

    switch (k->field) {
    case KF_PARETO:
        return get_bool(L, v, key, &e->req.pareto_sweep);
    case KF_STRICT:
        return get_bool(L, v, key, &e->req.strict_sla);
    case KF_FREEMEM:
        if (d <= 0 || d > 1) {
            problem(L, v, "%s must be in (0, 1] (got %g)", key, d);
            return -1;
        }
        e->req.free_mem_fraction = d;
        return 0;
    case KF_TTFT_OVERHEAD:
    case KF_TTFT_STEPS:
    case KF_TTFT_SHARE:
    case KF_TTFT_HANDOFF:
    case KF_STEP_HOST:
    case KF_STEP_HOST_PER_REQ:
    case KF_TTFT_STREAM:
    case KF_TTFT_PROMPT:
        return ttft_const(L, v, key, (int)k->field - KF_TTFT_OVERHEAD, d, &e->req.ttft);
    case KF_NEXTN_ACC:
        e->req.nextn_accepted = d, e->nextn_accepted_set = 1;
        return 0;
    case KF_REPLICA_SIZES:
        return get_list(L, v, key, sp->replica_sizes, (int)(sizeof sp->replica_sizes / sizeof(int)),
                        &sp->n_replica_sizes);
    case KF_EPD:
        if (get_bool(L, v, key, &x))
            return -1;
        if (x)
            note(L, "enable_epd (encoder disaggregation) is not modelled; ignored");
        return 0;
    case KF_IGNORED:
        note(L, "%s is accepted for compatibility and ignored", key);
        return 0;
    case KF_NEXTN:
        return set_nextn(L, key, v);
    case KF_DB:
        if (aic_exp_scalar(v, s, sizeof s) && (x = aic_db_mode_parse(s)) >= 0) {
            e->req.db_mode = (enum aic_db_mode)x;
            return 0;
        }
        problem(L, v, "unknown %s '%s' (valid: SILICON, HYBRID, EMPIRICAL, SOL)", key, s);
        return -1;
    case KF_SERVING:
        return set_serving(L, key, v);
    default:
        return 0;
    }
}

static int set_shared(struct ld *L, const struct aic_exp_key *k, const char *key, struct fy_node *v)
{
    int x = 0, lo = 0;
    double d = 0;

    for (size_t i = 0; i < sizeof plain_keys / sizeof plain_keys[0]; i++)
        if (plain_keys[i].field == k->field && plain_keys[i].is_int)
            lo = plain_keys[i].min; /* report the key's own least value, not 0 */
    if (k->type == KT_INT && (get_int(L, v, key, &x) || range_i(L, v, key, x, lo)))
        return -1;
    if (k->type == KT_FLOAT && get_float(L, v, key, &d))
        return -1;
    if (k->type == KT_FLOAT && d < 0) {
        problem(L, v, "%s must not be negative (got %g)", key, d);
        return -1;
    }
    for (size_t i = 0; i < sizeof plain_keys / sizeof plain_keys[0]; i++)
        if (plain_keys[i].field == k->field)
            return set_plain(L, &plain_keys[i], key, v, x, d);
    return set_special(L, k, key, v, x, d);
}

static int set_role(struct ld *L, const struct aic_exp_key *k, int role, const char *key,
                    struct fy_node *v)
{
    struct aic_exp *e = L->e;
    struct aic_search_role *ro = &e->space.role[role];
    char s[AIC_EXP_STR_MAX];
    int x;
    if (!L->role_key[role] || k->field == KF_MODEL) {
        int col;
        L->role_key[role] = node_pos(v, &col) ? node_pos(v, &col) : 1;
        aic_strlcpy(L->role_key_name[role], key, sizeof L->role_key_name[role]);
    }
    if (role == AIC_ROLE_AGG && (k->field == KF_CAND || k->field == KF_CAND_CP))
        L->cand_agg = 1;
    if ((k->type == KT_STR || k->type == KT_BACKEND || k->type == KT_QUANT) &&
        !aic_exp_scalar(v, s, sizeof s)) {
        problem(L, v, "%s must be a string", key);
        return -1;
    }
    switch (k->field) {
    case KF_MODEL:
        aic_strlcpy(e->model[role], s, sizeof e->model[role]);
        return 0;
    case KF_SYSTEM:
        aic_strlcpy(e->system[role], s, sizeof e->system[role]);
        return 0;
    case KF_VERSION:
        aic_strlcpy(e->version[role], s, sizeof e->version[role]);
        return 0;
    case KF_CHUNKED:
        return get_bool(L, v, key, &e->chunked[role]);
    case KF_ROLE_IGNORED:
        note(L, "%s is accepted for compatibility and ignored", key);
        return 0;
    case KF_BACKEND:
        if ((x = aic_backend_parse(s)) < 0) {
            problem(L, v, "unknown %s '%s' (valid: trtllm, vllm, sglang)", key, s);
            return -1;
        }
        e->backend[role] = x;
        return 0;
    case KF_QUANT: {
        enum aic_quant q = aic_quant_parse(s, k->aux);
        if (q == AIC_Q_NONE) {
            problem(L, v, "unknown %s '%s' (valid: %s)", key, s, aic_quant_names(k->aux));
            return -1;
        }
        enum aic_quant *dst = k->aux == AIC_QUSE_GEMM   ? &ro->quant.gemm
                              : k->aux == AIC_QUSE_MOE  ? &ro->quant.moe
                              : k->aux == AIC_QUSE_KV   ? &ro->quant.kv
                              : k->aux == AIC_QUSE_FMHA ? &ro->quant.fmha
                                                        : &ro->quant.comm;
        *dst = q;
        return 0;
    }
    case KF_CAND:
        return get_list(L, v, key, ro->list[k->aux], AIC_SPACE_MAX_LIST, &ro->n[k->aux]);
    case KF_CAND_CP:
        return get_list(L, v, key, e->cp[role], AIC_SPACE_MAX_LIST, &e->n_cp[role]);
    default:
        return 0;
    }
}

/* Applies one V2 key (name as written) with value v. */
static int apply_v2(struct ld *L, const char *key, struct fy_node *v, struct fy_node *at)
{
    int role;
    const struct aic_exp_key *k = aic_exp_key_find(key, &role);
    if (!k) {
        char sug[128];
        problem(L, at, "unknown key '%s' (did you mean '%s'?)", key,
                aic_exp_key_suggest(key, sug, sizeof sug));
        return -1;
    }
    if (is_null(v))
        return 0; /* null = the default */
    return role < 0 ? set_shared(L, k, key, v) : set_role(L, k, role, key, v);
}

/* ---- V1 (legacy nested) conversion ---------------------------------------------------- */

static const char *const v1_markers[] = {"mode",
                                         "config",
                                         "profiles",
                                         "worker_config",
                                         "prefill_worker_config",
                                         "decode_worker_config",
                                         "replica_config",
                                         "advanced_tuning_config",
                                         NULL};

static int is_v1(struct fy_node *m)
{
    for (int i = 0; v1_markers[i]; i++)
        if (fy_node_mapping_lookup_by_string(m, v1_markers[i], FY_NT))
            return 1;
    return 0;
}

static void apply_roles(struct ld *L, int disagg, const char *base, struct fy_node *v,
                        struct fy_node *at)
{
    char k[128];
    if (!disagg) {
        apply_v2(L, base, v, at);
        return;
    }
    snprintf(k, sizeof k, "prefill_%s", base);
    apply_v2(L, k, v, at);
    snprintf(k, sizeof k, "decode_%s", base);
    apply_v2(L, k, v, at);
}

/* profiles: [fp8|fp8_static|bfloat16|nvfp4|mxfp4] - the first one sets every role's quant. */
static void v1_profile(struct ld *L, int disagg, struct fy_node *v)
{
    static const struct {
        const char *name, *gemm, *moe, *kv, *fmha, *comm;
    } prof[] = {
        {"fp8", "fp8", "fp8", "fp8", "fp8", "half"},
        {"fp8_static", "fp8_static", "fp8", "fp8", "fp8", "half"},
        {"bfloat16", "bfloat16", "bfloat16", "bfloat16", "bfloat16", "half"},
        {"nvfp4", "nvfp4", "nvfp4", "fp8", "fp8", "half"},
        {"mxfp4", "bfloat16", "w4a16_mxfp4", "bfloat16", "bfloat16", "half"},
    };
    struct fy_node *first = fy_node_is_sequence(v) ? fy_node_sequence_get_by_index(v, 0) : v;
    char s[64] = "";
    if (!first || !aic_exp_scalar(first, s, sizeof s)) {
        problem(L, v, "profiles must be a list such as [fp8]");
        return;
    }
    for (size_t i = 0; i < sizeof prof / sizeof *prof; i++) {
        if (strcmp(prof[i].name, s))
            continue;
        const char *vals[] = {prof[i].gemm, prof[i].moe, prof[i].kv, prof[i].fmha, prof[i].comm};
        const char *keys[] = {"gemm_quant_mode", "moe_quant_mode", "kvcache_quant_mode",
                              "fmha_quant_mode", "comm_quant_mode"};
        for (int q = 0; q < 5; q++) {
            struct fy_document *d = fy_document_build_from_string(NULL, vals[q], FY_NT);
            if (!d) {
                L->err_nomem = 1;
                return;
            }
            apply_roles(L, disagg, keys[q], fy_document_root(d), first);
            fy_document_destroy(d);
        }
        return;
    }
    problem(L, first, "unknown profile '%s' (valid: fp8, fp8_static, bfloat16, nvfp4, mxfp4)", s);
}

static const struct {
    const char *v1, *v2; /* v2 without the role prefix; "-" = ignored */
} v1_worker_map[] = {
    {"num_gpu_per_worker", "num_gpu_candidates"},
    {"tp_list", "tp_candidates"},
    {"pp_list", "pp_candidates"},
    {"dp_list", "dp_candidates"},
    {"moe_tp_list", "moe_tp_candidates"},
    {"moe_ep_list", "moe_ep_candidates"},
    {"gemm_quant_mode", "gemm_quant_mode"},
    {"moe_quant_mode", "moe_quant_mode"},
    {"kvcache_quant_mode", "kvcache_quant_mode"},
    {"fmha_quant_mode", "fmha_quant_mode"},
    {"comm_quant_mode", "comm_quant_mode"},
    {"enable_wideep", "-"},
    {"enable_eplb", "-"},
};

static void v1_worker(struct ld *L, int role, struct fy_node *m)
{
    static const char *const wp[] = {"", "prefill_", "decode_"}, *const cp[] = {"agg_", "prefill_",
                                                                                "decode_"};
    void *it = NULL;
    struct fy_node_pair *p;
    if (!fy_node_is_mapping(m)) {
        problem(L, m, "a worker config must be a mapping");
        return;
    }
    while ((p = fy_node_mapping_iterate(m, &it))) {
        char k[96], name[160];
        struct fy_node *kn = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        aic_exp_scalar(kn, k, sizeof k);
        size_t i = 0;
        for (; i < sizeof v1_worker_map / sizeof *v1_worker_map; i++)
            if (!strcmp(k, v1_worker_map[i].v1))
                break;
        if (i == sizeof v1_worker_map / sizeof *v1_worker_map) {
            problem(L, kn,
                    "unknown worker config key '%s' (valid: num_gpu_per_worker, tp_list, "
                    "pp_list, dp_list, moe_tp_list, moe_ep_list, *_quant_mode)",
                    k);
            continue;
        }
        if (v1_worker_map[i].v2[0] == '-')
            continue;
        int cand = strstr(v1_worker_map[i].v2, "candidates") != NULL;
        snprintf(name, sizeof name, "%s%s", cand ? cp[role] : wp[role], v1_worker_map[i].v2);
        apply_v2(L, name, v, kn);
    }
}

static const struct {
    const char *v1, *v2;
} v1_tuning_map[] = {
    {"num_gpu_per_replica", "num_gpu_per_replica"},
    {"max_gpu_per_replica", "max_gpu_per_replica"},
    {"max_prefill_worker", "max_prefill_workers"},
    {"max_decode_worker", "max_decode_workers"},
    {"prefill_latency_correction_scale", "prefill_latency_correction"},
    {"decode_latency_correction_scale", "decode_latency_correction"},
    {"prefill_max_batch_size", "prefill_max_batch_size"},
    {"decode_max_batch_size", "decode_max_batch_size"},
};

static void v1_tuning(struct ld *L, struct fy_node *m)
{
    void *it = NULL;
    struct fy_node_pair *p;
    if (!fy_node_is_mapping(m)) {
        problem(L, m, "replica_config / advanced_tuning_config must be a mapping");
        return;
    }
    while ((p = fy_node_mapping_iterate(m, &it))) {
        char k[96];
        struct fy_node *kn = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        aic_exp_scalar(kn, k, sizeof k);
        size_t i = 0;
        for (; i < sizeof v1_tuning_map / sizeof *v1_tuning_map; i++)
            if (!strcmp(k, v1_tuning_map[i].v1))
                break;
        if (i == sizeof v1_tuning_map / sizeof *v1_tuning_map) {
            problem(L, kn, "unknown replica/tuning key '%s'", k);
            continue;
        }
        if (!strcmp(k, "max_gpu_per_replica")) {
            int x;
            if (!is_null(v) && !get_int(L, v, k, &x))
                L->e->space.max_gpu_per_replica = x > 0 ? x : 0; /* V1: 0 = no limit */
            continue;
        }
        apply_v2(L, v1_tuning_map[i].v2, v, kn);
    }
}

/* nextn_accept_rates [p1..p5] -> mean accepted drafts sum_i prod_{j<=i} p_j. */
static void v1_accept_rates(struct ld *L, struct fy_node *v)
{
    double p[8] = {0.85, 0.3, 0, 0, 0, 0, 0, 0}, acc = 0, prod = 1;
    int n = 0;
    if (v) {
        void *it = NULL;
        struct fy_node *item;
        memset(p, 0, sizeof p);
        if (!fy_node_is_sequence(v)) {
            problem(L, v, "nextn_accept_rates must be a list of probabilities");
            return;
        }
        while ((item = fy_node_sequence_iterate(v, &it)) && n < 8)
            if (get_float(L, item, "nextn_accept_rates", &p[n++]))
                return;
    }
    for (int i = 0; i < L->e->req.nextn && i < 8; i++) {
        prod *= p[i];
        acc += prod;
    }
    if (L->e->req.nextn > 0 && !L->e->nextn_accepted_set) {
        L->e->req.nextn_accepted = acc;
        L->e->nextn_accepted_set = 1;
    }
}

static void v1_config(struct ld *L, int disagg, struct fy_node *m)
{
    void *it = NULL;
    struct fy_node_pair *p;
    struct fy_node *rates = NULL;
    int rates_given = 0;
    if (!fy_node_is_mapping(m)) {
        problem(L, m, "config must be a mapping");
        return;
    }
    while ((p = fy_node_mapping_iterate(m, &it))) {
        char k[96];
        struct fy_node *kn = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        aic_exp_scalar(kn, k, sizeof k);
        if (!strcmp(k, "worker_config"))
            v1_worker(L, AIC_ROLE_AGG, v);
        else if (!strcmp(k, "prefill_worker_config"))
            v1_worker(L, AIC_ROLE_PREFILL, v);
        else if (!strcmp(k, "decode_worker_config"))
            v1_worker(L, AIC_ROLE_DECODE, v);
        else if (!strcmp(k, "replica_config") || !strcmp(k, "advanced_tuning_config"))
            v1_tuning(L, v);
        else if (!strcmp(k, "nextn_accept_rates"))
            rates = v, rates_given = 1;
        else if (!strcmp(k, "enable_wideep") || !strcmp(k, "enable_eplb"))
            continue;
        else
            apply_v2(L, k, v, kn);
    }
    (void)disagg;
    v1_accept_rates(L, rates_given ? rates : NULL);
}

static void load_v1(struct ld *L, struct fy_node *m)
{
    struct aic_exp *e = L->e;
    struct fy_node *sm = fy_node_mapping_lookup_by_string(m, "serving_mode", FY_NT);
    char s[32] = "";
    int disagg = sm && aic_exp_scalar(sm, s, sizeof s) && !strcmp(s, "disagg");
    struct fy_node *prof = fy_node_mapping_lookup_by_string(m, "profiles", FY_NT);
    void *it = NULL;
    struct fy_node_pair *p;
    e->legacy = 1;
    note(L, "uses the legacy V1 schema (config/worker_config/...); converted to V2 - "
            "save the resolved exp_config.yaml (--save-dir) to migrate");
    if (prof && !is_null(prof))
        v1_profile(L, disagg, prof);
    while ((p = fy_node_mapping_iterate(m, &it))) {
        char k[96];
        struct fy_node *kn = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        aic_exp_scalar(kn, k, sizeof k);
        if (!strcmp(k, "mode") || !strcmp(k, "profiles"))
            continue;
        if (!strcmp(k, "config")) {
            v1_config(L, disagg, v);
        } else if (!strcmp(k, "worker_config") || !strcmp(k, "prefill_worker_config") ||
                   !strcmp(k, "decode_worker_config") || !strcmp(k, "replica_config") ||
                   !strcmp(k, "advanced_tuning_config")) {
            struct fy_document *d = NULL; /* same handling as inside config */
            (void)d;
            if (k[0] == 'w')
                v1_worker(L, AIC_ROLE_AGG, v);
            else if (k[0] == 'p')
                v1_worker(L, AIC_ROLE_PREFILL, v);
            else if (k[0] == 'd')
                v1_worker(L, AIC_ROLE_DECODE, v);
            else
                v1_tuning(L, v);
        } else if (!strcmp(k, "system_name")) {
            apply_v2(L, disagg ? "prefill_system_name" : "system_name", v, kn);
            if (disagg && !fy_node_mapping_lookup_by_string(m, "decode_system_name", FY_NT))
                apply_v2(L, "decode_system_name", v, kn);
        } else if (!strcmp(k, "decode_system_name")) {
            if (disagg)
                apply_v2(L, "decode_system_name", v, kn);
        } else if (!strcmp(k, "model_path") || !strcmp(k, "backend_name") ||
                   !strcmp(k, "backend_version") || !strcmp(k, "enable_wideep") ||
                   !strcmp(k, "enable_eplb")) {
            apply_roles(L, disagg, k, v, kn);
        } else {
            apply_v2(L, k, v, kn);
        }
    }
}

/* ---- one experiment --------------------------------------------------------------------- */

static void exp_defaults(struct aic_exp *e, int top_n)
{
    aic_search_req_init(&e->req);
    aic_search_space_init(&e->space);
    e->req.ttft_ms = 1000; /* AIConfigurator's Task defaults (not the CLI's 2000/30) */
    e->req.tpot_ms = 50;
    e->req.top_n = top_n > 0 ? top_n : 5;
    for (int r = 0; r < AIC_ROLE_COUNT; r++)
        e->backend[r] = -1;
}

static void load_v2(struct ld *L, struct fy_node *m)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(m, &it))) {
        char k[128];
        struct fy_node *kn = fy_node_pair_key(p);
        if (!aic_exp_scalar(kn, k, sizeof k)) {
            problem(L, kn, "keys must be plain strings");
            continue;
        }
        apply_v2(L, k, fy_node_pair_value(p), kn);
    }
}

/* Cross-key rules of an agg experiment: no disagg keys, a model and a system. */
static void finish_agg(struct ld *L, struct fy_node *m)
{
    struct aic_exp *e = L->e;
    for (int ro = AIC_ROLE_PREFILL; ro <= AIC_ROLE_DECODE; ro++)
        if (L->role_key[ro])
            problem(L, m, "%s is a disagg key; this experiment has serving_mode agg",
                    L->role_key_name[ro]);
    if (!e->model[0][0])
        problem(L, m, "model_path is required");
    if (!e->system[0][0])
        problem(L, m, "system_name is required");
}

/* Cross-key rules of a disagg experiment: no agg keys, one model and one backend for both
 * roles, both systems, at least 2 GPUs. */
static void finish_disagg(struct ld *L, struct fy_node *m)
{
    struct aic_exp *e = L->e;
    if (L->role_key[AIC_ROLE_AGG])
        problem(L, m,
                "%s is not allowed in a disagg experiment; use its prefill_ and "
                "decode_ forms",
                L->role_key_name[AIC_ROLE_AGG]);
    if (!e->model[1][0] || !e->model[2][0])
        problem(L, m, "prefill_model_path and decode_model_path are both required");
    else if (strcmp(e->model[1], e->model[2]))
        problem(L, m,
                "prefill_model_path '%s' and decode_model_path '%s' differ; both "
                "roles must serve the same model (only the systems may differ)",
                e->model[1], e->model[2]);
    if (!e->system[1][0] || !e->system[2][0])
        problem(L, m, "prefill_system_name and decode_system_name are both required");
    int bp = e->backend[1] < 0 ? 0 : e->backend[1], bd = e->backend[2] < 0 ? 0 : e->backend[2];
    if (bp != bd)
        problem(L, m,
                "prefill_backend_name %s and decode_backend_name %s differ; mixed "
                "backends are not modelled, use one backend for both roles",
                aic_backend_name(bp), aic_backend_name(bd));
    if (e->req.total_gpus == 1)
        problem(L, m, "disagg needs total_gpus >= 2 (got 1)");
}

/* Cross-key rules once every key is read. */
static void finish(struct ld *L, struct fy_node *m)
{
    struct aic_exp *e = L->e;
    struct aic_search_req *r = &e->req;
    if (!e->serving)
        problem(L, m, "serving_mode is required (agg or disagg)");
    if (!r->total_gpus && !fy_node_mapping_lookup_by_string(m, "total_gpus", FY_NT))
        problem(L, m, "total_gpus is required"); /* a bad value was reported where it stands */
    if (e->serving <= 0)                         /* missing, or invalid (reported) */
        return;
    if (e->serving == AIC_SEARCH_DISAGG)
        finish_disagg(L, m);
    else
        finish_agg(L, m);
    for (int ro = 0; ro < AIC_ROLE_COUNT; ro++)
        for (int i = 0; i < e->n_cp[ro]; i++)
            if (e->cp[ro][i] != 1) {
                problem(L, m,
                        "cp_candidates value %d: context parallelism is not modelled; "
                        "use [1]",
                        e->cp[ro][i]);
                break;
            }
    if (r->wl.prefix >= r->wl.isl)
        problem(L, m, "prefix (%d) must be smaller than isl (%d)", r->wl.prefix, r->wl.isl);
    if (r->nextn > 0 && !e->nextn_accepted_set)
        problem(L, m, "nextn_accepted is required when nextn is %d", r->nextn);
    if (e->nextn_accepted_set && !e->nextn_auto && r->nextn_accepted > r->nextn)
        problem(L, m, "nextn_accepted (%g) must be between 0 and nextn (%d)", r->nextn_accepted,
                r->nextn);
    if ((r->ttft_ms <= 0 || r->tpot_ms <= 0) && r->request_latency_ms <= 0)
        problem(L, m, "ttft and tpot must be positive (or give request_latency)");
}

/* Points the request at the experiment's own strings and space. */
static void wire(struct aic_exp *e)
{
    struct aic_search_req *r = &e->req;
    int a = e->serving == AIC_SEARCH_DISAGG ? AIC_ROLE_PREFILL : AIC_ROLE_AGG;
    r->serving = (enum aic_search_serving)e->serving;
    r->model = e->model[a];
    r->system = e->system[a];
    r->decode_system = e->serving == AIC_SEARCH_DISAGG ? e->system[AIC_ROLE_DECODE] : NULL;
    r->backend = e->backend[a] < 0 ? AIC_BACKEND_TRTLLM : e->backend[a];
    r->backend_version = e->version[a][0] ? e->version[a] : NULL;
    r->enable_chunked_prefill = e->chunked[a];
    for (int ro = 0; ro < AIC_ROLE_COUNT; ro++)
        e->space.role[ro].backend_version = e->version[ro][0] ? e->version[ro] : NULL;
    r->space = &e->space;
}

/* Records a rejected experiment: its name, line, place in run order and its messages
 * (those pushed since first_msg). */
static void reject(struct ld *L, const struct aic_exp *e, size_t first_msg)
{
    struct aic_exp_set *s = L->set;
    struct aic_exp_rejected *v = realloc(s->rejected, (s->n_rejected + 1) * sizeof *v);
    if (!v) {
        L->err_nomem = 1;
        return;
    }
    s->rejected = v;
    v += s->n_rejected++;
    aic_strlcpy(v->name, e->name, sizeof v->name);
    v->line = e->line;
    v->at = s->n;
    v->first_msg = first_msg;
    v->n_msg = s->n_msg - first_msg;
}

static void load_one(struct ld *L, const char *name, struct fy_node *key, struct fy_node *m,
                     int top_n)
{
    struct aic_exp *e = calloc(1, sizeof *e);
    if (!e) {
        L->err_nomem = 1;
        return;
    }
    int col;
    aic_strlcpy(e->name, name, sizeof e->name);
    e->line = node_pos(key, &col);
    exp_defaults(e, top_n);
    L->e = e, L->bad = 0, L->cand_agg = 0, L->key = key;
    memset(L->role_key, 0, sizeof L->role_key);
    size_t first_msg = L->set->n_msg;
    L->set->n_defined++;
    if (!m || !fy_node_is_mapping(m))
        problem(L, m ? m : key,
                "an experiment must be a mapping of keys (serving_mode, "
                "model_path, system_name, total_gpus, ...)");
    else {
        if (is_v1(m))
            load_v1(L, m);
        else
            load_v2(L, m);
        finish(L, m);
    }
    if (L->bad)
        reject(L, e, first_msg);
    struct aic_exp **v = L->bad ? NULL : realloc(L->set->exp, (L->set->n + 1) * sizeof *v);
    if (!v) {
        L->err_nomem |= !L->bad;
        free(e);
    } else {
        wire(e);
        v[L->set->n++] = e;
        L->set->exp = v;
    }
    L->e = NULL;
}

/* ---- the file ----------------------------------------------------------------------------- */

static struct fy_document *parse(const char *text, const char *origin, struct aic_error *err)
{
    return aic_yaml_parse(NULL, text, origin, 1, err);
}

/* The experiment named s at the top level: its key and value nodes (NULL when absent). */
static struct fy_node *find_exp(struct fy_node *root, const char *s, struct fy_node **m)
{
    void *it = NULL;
    struct fy_node_pair *p;

    while ((p = fy_node_mapping_iterate(root, &it))) {
        char k[AIC_EXP_NAME_MAX];
        if (aic_exp_scalar(fy_node_pair_key(p), k, sizeof k) && !strcmp(k, s)) {
            *m = fy_node_pair_value(p);
            return fy_node_pair_key(p);
        }
    }
    return NULL;
}

/* How often name s appears in the exps list before item. */
static int listed_before(struct fy_node *sel, struct fy_node *item, const char *s)
{
    void *it = NULL;
    struct fy_node *prev;
    int n = 0;

    while ((prev = fy_node_sequence_iterate(sel, &it)) && prev != item) {
        char k[AIC_EXP_NAME_MAX];
        n += aic_exp_scalar(prev, k, sizeof k) && !strcmp(k, s);
    }
    return n;
}

static void load_selected(struct ld *L, struct fy_node *root, struct fy_node *sel, int top_n)
{
    void *it = NULL;
    struct fy_node *item;
    if (!fy_node_is_sequence(sel)) {
        char s[AIC_EXP_NAME_MAX];
        if (aic_exp_scalar(sel, s, sizeof s)) { /* exps: one_name */
            struct fy_node *m = fy_node_mapping_lookup_by_string(root, s, FY_NT);
            if (m)
                load_one(L, s, sel, m, top_n);
        }
        return;
    }
    while ((item = fy_node_sequence_iterate(sel, &it))) {
        char s[AIC_EXP_NAME_MAX], line[AIC_EXP_MSG_MAX];
        struct fy_node *m = NULL, *key;
        if (!aic_exp_scalar(item, s, sizeof s) || !strcmp(s, "exps"))
            continue;
        int before = listed_before(sel, item, s);
        if (before) { /* said once per name */
            snprintf(line, sizeof line,
                     "experiment '%s' is listed in exps more than once; it runs once", s);
            if (before == 1)
                push_line(&L->set->note, &L->set->n_note, line);
            continue;
        }
        if (!(key = find_exp(root, s, &m))) {
            snprintf(line, sizeof line,
                     "experiment '%s' is listed in exps but not defined; ignored", s);
            push_line(&L->set->note, &L->set->n_note, line);
            continue;
        }
        load_one(L, s, key, m, top_n);
    }
}

/* Whether text holds only blank lines and comments. */
static int blank(const char *s)
{
    for (;;) {
        s += strspn(s, " \t\r\n");
        if (*s != '#')
            return !*s;
        s += strcspn(s, "\n");
    }
}

int aic_exp_load_string(const char *text, const char *origin, int top_n, struct aic_exp_set *set,
                        struct aic_error *err)
{
    memset(set, 0, sizeof *set);
    if (blank(text))
        return AIC_OK; /* no experiments (the caller reports the empty list) */
    struct fy_document *doc = parse(text, origin, err);
    if (!doc)
        return err ? err->code : AIC_ERR_PARSE;
    struct fy_node *root = fy_document_root(doc);
    struct ld L = {.origin = origin, .set = set};
    int rc = AIC_OK;
    if (root && !fy_node_is_mapping(root)) {
        rc = aic_err(err, AIC_ERR_PARSE,
                     "%s: the top level must be a mapping of experiment "
                     "names to their keys",
                     origin);
    } else if (root) {
        struct fy_node *sel = fy_node_mapping_lookup_by_string(root, "exps", FY_NT);
        if (sel && !is_null(sel)) {
            load_selected(&L, root, sel, top_n);
        } else {
            void *it = NULL;
            struct fy_node_pair *p;
            while ((p = fy_node_mapping_iterate(root, &it))) {
                char k[AIC_EXP_NAME_MAX];
                if (!aic_exp_scalar(fy_node_pair_key(p), k, sizeof k) || !strcmp(k, "exps"))
                    continue;
                load_one(&L, k, fy_node_pair_key(p), fy_node_pair_value(p), top_n);
            }
        }
    }
    fy_document_destroy(doc);
    if (!rc && L.err_nomem)
        rc = aic_err(err, AIC_ERR_NOMEM, "out of memory reading %s", origin);
    if (rc)
        aic_exp_set_free(set);
    return rc;
}

int aic_exp_load_file(const char *path, int top_n, struct aic_exp_set *set, struct aic_error *err)
{
    char *text = NULL;
    memset(set, 0, sizeof *set);
    if (aic_is_dir(path))
        return aic_err(err, AIC_ERR_IO,
                       "--yaml-path %s is a directory; give an experiment "
                       "YAML file",
                       path);
    int rc = aic_read_file(path, &text, NULL, err);
    if (rc) {
        if (rc == AIC_ERR_NOTFOUND)
            aic_err(err, rc, "--yaml-path %s does not exist; give an experiment YAML file", path);
        return rc;
    }
    rc = aic_exp_load_string(text, path, top_n, set, err);
    free(text);
    return rc;
}

void aic_exp_set_free(struct aic_exp_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->exp[i]);
    free(set->exp);
    free(set->msg);
    free(set->note);
    free(set->rejected);
    memset(set, 0, sizeof *set);
}
