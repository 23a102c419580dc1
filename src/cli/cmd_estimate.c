/*
 * cmd_estimate.c - `aiconfigurator cli estimate`: one deployment in, TTFT/TPOT/throughput/
 * memory out. Flags and defaults follow AIConfigurator's estimate mode (isl/osl 1024, batch
 * 128, trtllm, SILICON with EMPIRICAL fallback when no perf data exists and the mode was not
 * given explicitly). Output: a readable box, `--detail` per-op breakdown, `--json` one object
 * (keys documented in README.md, "cli estimate --json").
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiconfigurator/api.h"
#include "cli/cli.h"
#include "util/util.h"

/* One disagg pool: its layout, batch size and worker count. */
struct pool_opts {
    int tp, pp, dp, etp, ep, bs, workers;
};

struct est_opts {
    struct cli_req_opts r; /* model, system, database, workload, quant, MTP, memory */
    int backend, mode, batch, ctx_tokens, stride;
    int tp, pp, dp, etp, ep;
    struct pool_opts p, d; /* disagg prefill and decode pools */
    int json, detail;
};

static const char *const backend_choices[] = {"trtllm", "vllm", "sglang", NULL};
static const char *const mode_choices[] = {"agg",        "disagg",     "static",
                                           "static_ctx", "static_gen", NULL};
static const char *const detail_choices[] = {"summary", "memory", "time", "energy",
                                             "source",  "all",    NULL};

#define O(f) offsetof(struct est_opts, f)
#define BIG  1e9
/* The rows of one disagg pool: --<NAME>-tp-size / --<A>-tp ... --<NAME>-num-workers. */
/* clang-format off */
#define POOL_ROWS(NAME, A, m)                                                                   \
    {NAME "-tp-size", A "-tp", CLI_INT, O(m.tp), 1, 4096, NULL, "N",                            \
     "disagg " NAME ": tensor parallel (default 1)"},                                           \
    {NAME "-pp-size", A "-pp", CLI_INT, O(m.pp), 1, 4096, NULL, "N",                            \
     "disagg " NAME ": pipeline parallel (default 1)"},                                         \
    {NAME "-attention-dp-size", A "-dp", CLI_INT, O(m.dp), 1, 4096, NULL, "N",                  \
     "disagg " NAME ": attention DP (default 1)"},                                              \
    {NAME "-moe-tp-size", A "-etp", CLI_INT, O(m.etp), 1, 4096, NULL, "N",                      \
     "disagg " NAME ": MoE TP (default auto)"},                                                 \
    {NAME "-moe-ep-size", A "-ep", CLI_INT, O(m.ep), 1, 4096, NULL, "N",                        \
     "disagg " NAME ": MoE EP (default auto)"},                                                 \
    {NAME "-batch-size", A "-bs", CLI_INT, O(m.bs), 1, BIG, NULL, "N",                          \
     "disagg " NAME ": batch size (required)"},                                                 \
    {NAME "-num-workers", A "-workers", CLI_INT, O(m.workers), 1, 1e6, NULL, "N",               \
     "disagg: " NAME " workers (required)"}
/* clang-format on */
static const struct cli_opt est_table[] = {
    {"backend", NULL, CLI_ENUM, O(backend), 0, 0, backend_choices, NULL,
     "serving framework (default trtllm)"},
    {"estimate-mode", NULL, CLI_ENUM, O(mode), 0, 0, mode_choices, NULL,
     "serving mode (default agg)"},
    {"batch-size", "bs", CLI_INT, O(batch), 1, BIG, NULL, "N",
     "agg/static: concurrent requests per attention-DP rank (default 128)"},
    {"ctx-tokens", NULL, CLI_INT, O(ctx_tokens), 1, BIG, NULL, "N",
     "agg: context-token budget per step (default ISL; SGLang: its chunked-prefill size)"},
    {"stride", NULL, CLI_INT, O(stride), 1, BIG, NULL, "N",
     "static modes: accepted for compatibility; ignored"},
    {"tp-size", "tp", CLI_INT, O(tp), 1, 4096, NULL, "N", "tensor parallel size (default 1)"},
    {"pp-size", "pp", CLI_INT, O(pp), 1, 4096, NULL, "N", "pipeline parallel size (default 1)"},
    {"attention-dp-size", "dp", CLI_INT, O(dp), 1, 4096, NULL, "N",
     "attention data parallel size (default 1)"},
    {"moe-tp-size", "etp", CLI_INT, O(etp), 1, 4096, NULL, "N",
     "MoE tensor parallel (default: tp*dp/moe-ep)"},
    {"moe-ep-size", "ep", CLI_INT, O(ep), 1, 4096, NULL, "N",
     "MoE expert parallel (default: tp*dp)"},
    POOL_ROWS("prefill", "p", p),
    POOL_ROWS("decode", "d", d),
    {"detail", "print-per-ops-latency", CLI_FLAG, O(detail), 0, 0, detail_choices, NULL,
     "add the per-op latency breakdown (prefill and one decode step)"},
    {"json", NULL, CLI_FLAG, O(json), 0, 0, NULL, NULL, "print one JSON object instead of the box"},
    {0},
};
#undef POOL_ROWS
#undef O

/* This mode's defaults in the shared request options' help (cli_req_table). */
static const char *const est_help[] = {
    "database-mode",
    "SILICON (default; falls back to EMPIRICAL when no data), HYBRID, EMPIRICAL, SOL",
    "isl",
    "input tokens per request (default 1024)",
    "osl",
    "output tokens per request (default 1024)",
    NULL};

static const char est_summary[] =
    "Predicts TTFT, TPOT, throughput and memory of one deployment (agg, disagg or static).";

static int check_disagg(struct cli_env *env, const struct est_opts *o)
{
    const struct {
        const char *name;
        const struct pool_opts *pool;
    } pools[] = {{"prefill", &o->p}, {"decode", &o->d}};

    for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
        if (pools[i].pool->bs <= 0)
            return cli_error(env, 1, "--%s-batch-size is required for disagg mode", pools[i].name);
        if (pools[i].pool->workers <= 0)
            return cli_error(env, 1, "--%s-num-workers is required for disagg mode", pools[i].name);
    }
    return CLI_OK;
}

/* aic_estimate_given()'s question on the command line: the flag of an underscore name. */
static int flag_given(const void *env, const char *name)
{
    char flag[64];
    size_t i;

    for (i = 0; name[i] && i + 1 < sizeof(flag); i++)
        flag[i] = name[i] == '_' ? '-' : name[i];
    flag[i] = 0;
    return cli_given(env, CLI_ANY_SET, flag);
}

static struct aic_layout pool_layout(const struct pool_opts *p)
{
    return (struct aic_layout){p->tp, p->pp, p->dp, p->etp, p->ep};
}

/* Turns the parsed options into a request; prints the problem and returns non-zero. */
static int build_req(struct cli_env *env, struct aic_ctx *ctx, const struct est_opts *o,
                     struct aic_estimate_req *r)
{
    struct aic_error err = {0};
    int rc = cli_req_check(env, &o->r);

    if (rc)
        return rc;
    aic_estimate_req_init(r);
    r->model = o->r.model;
    r->system = o->r.system;
    r->decode_system = o->r.decode_system;
    r->backend = (enum aic_backend)o->backend;
    r->backend_version =
        o->r.backend_version && *o->r.backend_version ? o->r.backend_version : NULL;
    r->db_mode = (enum aic_db_mode)o->r.db_mode;
    r->db_mode_explicit = cli_given(env, CLI_ANY_SET, "database-mode");
    r->mode = (enum aic_serving_mode)o->mode;
    r->wl.isl = o->r.isl;
    r->wl.osl = o->r.osl;
    r->wl.prefix = o->r.prefix;
    r->batch_size = o->batch;
    r->ctx_tokens = o->ctx_tokens;
    if ((rc = cli_req_resolve(env, ctx, &o->r, &r->opts.quant, &r->opts.nextn)))
        return rc;
    r->opts.nextn_accepted = o->r.nextn_accepted;
    r->opts.free_mem_fraction = o->r.free_mem;
    r->opts.max_seq_len = o->r.max_seq_len;
    cli_ttft_consts(env, &o->r.ttft, &r->opts.ttft);
    r->lay = (struct aic_layout){o->tp, o->pp, o->dp, o->etp, o->ep};
    r->prefill_lay = pool_layout(&o->p);
    r->decode_lay = pool_layout(&o->d);
    /* moe_tp/moe_ep stay 0 (= auto) when not given: the engine resolves them per model */
    r->prefill_batch = o->p.bs;
    r->prefill_workers = o->p.workers;
    r->decode_batch = o->d.bs;
    r->decode_workers = o->d.workers;
    r->given = aic_estimate_given(flag_given, env);
    if (aic_estimate_req_resolve(r, &err))
        return cli_lib_error(env, &err);
    if (r->mode == AIC_MODE_DISAGG)
        return check_disagg(env, o);
    return CLI_OK;
}

/* ---- text output -------------------------------------------------------------------- */

#define GB   1e9
#define RULE "============================================================"

/* A dense model has no experts: no "moe" entry, whatever the checkpoint says. */
static void print_quant(const char *label, const struct aic_quant_cfg *q, int is_moe)
{
    printf("  %-22s gemm %s, ", label, cli_quant_name(q->gemm));
    if (is_moe)
        printf("moe %s, ", cli_quant_name(q->moe));
    printf("kv cache %s, fmha %s, comm %s\n", cli_quant_name(q->kv), cli_quant_name(q->fmha),
           cli_quant_name(q->comm));
}

/* "measured 40 %, interpolated 55 %, analytic 5 %": where a phase's latency came from
 * ("-": the mode does not run the phase). */
static void print_prov(const char *label, const double share[AIC_PROV_COUNT])
{
    const char *sep = "";

    printf("  %-22s ", label);
    for (int p = 0; p < AIC_PROV_COUNT; p++)
        if (share[p] >= 0.005) {
            printf("%s%s %.0f %%", sep, aic_prov_name((enum aic_prov)p), 100 * share[p]);
            sep = ", ";
        }
    printf("%s\n", *sep ? "" : "-");
}

static void print_mem(const char *label, const struct aic_memory *m, const struct cli_env *env)
{
    printf("  %-22s %.2f GB of %.2f GB%s%s%s\n", label, m->total / GB, m->capacity / GB,
           m->oom ? cli_color(env, "red") : "", m->oom ? "  [OOM: does not fit]" : "",
           m->oom ? cli_color(env, "reset") : "");
    printf("  %-22s weights %.2f, kv cache %.2f, activations %.2f, nccl %.2f, other %.2f GB\n", "",
           m->weights / GB, m->kv_cache / GB, m->activations / GB, m->nccl / GB, m->other / GB);
    printf("  %-22s %.1f KB per token; KV room for %d requests per attention-DP rank\n", "",
           m->kv_bytes_per_token / 1e3, m->max_batch);
}

static void print_layout_lines(const struct aic_estimate_req *r, int ctx_tokens)
{
    char lay[96];

    if (r->mode == AIC_MODE_DISAGG) {
        cli_layout_str(&r->prefill_lay, lay, sizeof(lay));
        printf("  %-22s %s, bs %d, workers %d\n", "(p) Layout:", lay, r->prefill_batch,
               r->prefill_workers);
        cli_layout_str(&r->decode_lay, lay, sizeof(lay));
        printf("  %-22s %s, bs %d, workers %d\n", "(d) Layout:", lay, r->decode_batch,
               r->decode_workers);
        return;
    }
    printf("  %-22s %d\n", "Batch Size:", r->batch_size);
    if (r->mode == AIC_MODE_AGG)
        printf("  %-22s %d\n", "Context Tokens:", ctx_tokens);
    cli_layout_str(&r->lay, lay, sizeof(lay));
    printf("  %-22s %s (TP %d, PP %d, attention DP %d, MoE TP %d, MoE EP %d)\n", "Layout:", lay,
           r->lay.tp, r->lay.pp, r->lay.dp, r->lay.moe_tp, r->lay.moe_ep);
}

static void print_ops(const char *title, const struct aic_op_time *ops, int n)
{
    double total = 0;

    if (n <= 0) /* a phase the mode does not run */
        return;
    for (int i = 0; i < n; i++)
        total += ops[i].ms;
    printf("\n  %s (%.3f ms)\n", title, total);
    printf("  %-34s %12s %8s  %s\n", "op", "ms", "share", "source");
    for (int i = 0; i < n; i++)
        printf("  %-34s %12.4f %7.1f%%  %s\n", ops[i].name ? ops[i].name : "?", ops[i].ms,
               total > 0 ? 100.0 * ops[i].ms / total : 0.0, aic_prov_name(ops[i].prov));
}

/* The wide expert-parallel exchange modeled, when one is. */
static void print_wide_ep(const struct aic_estimate_req *r, const struct aic_estimate_result *res)
{
    static const char *const names[] = {"", "DeepEP (SGLang wide expert parallelism)",
                                        "NVLink all-to-all (TensorRT-LLM wide expert parallelism)"};
    int disagg = r->mode == AIC_MODE_DISAGG;

    for (int i = 0; i < (disagg ? 2 : 1); i++)
        if (res->wide_ep[i] > 0 && res->wide_ep[i] <= AIC_WIDE_EP_NVLINK)
            printf("  %-22s %s%s\n", "MoE all-to-all:", names[res->wide_ep[i]],
                   !disagg ? ""
                   : i     ? ", decode pool"
                           : ", prefill pool");
}

/* Where the TTFT comes from (--detail); parts that are zero are left out. */
static void print_ttft_parts(const struct aic_ttft_parts *t, double ttft)
{
    const struct {
        const char *what;
        double ms;
    } rows[] = {
        {"serving overhead (HTTP, tokenizer, streaming)", t->overhead},
        {"scheduler-loop iterations", t->scheduler},
        {"other requests' prefills queued ahead", t->queue},
        {"own prefill", t->prefill},
        {"attention-DP balancing hold", t->dp_balance},
        {"waiting for KV-cache room", t->kv_wait},
        {"KV-cache transfer to the decode worker", t->kv_transfer},
        {"KV handoff (decode-worker iterations)", t->kv_handoff},
        {"front end streaming others' tokens", t->stream},
    };

    printf("\n  TTFT breakdown (%.3f ms)\n", ttft);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i].ms > 0)
            printf("  %-46s %12.3f ms\n", rows[i].what, rows[i].ms);
}

static void print_text(const struct cli_env *env, const struct aic_estimate_req *r,
                       const struct aic_estimate_result *res, int is_moe, int detail)
{
    const struct aic_metrics *m = &res->m;

    printf("%s\n  %sPerformance Estimate (%s)%s\n%s\n", RULE, cli_color(env, "bold"),
           aic_serving_mode_name(r->mode), cli_color(env, "reset"), RULE);
    printf("  %-22s %s\n", "Model:", r->model);
    if (res->model_config[0])
        printf("  %-22s %s (bundled config of this published variant)\n",
               "Model Config:", res->model_config);
    if (res->max_positions > 0 && (long)r->wl.isl + r->wl.osl > res->max_positions)
        printf("  %-22s ISL + OSL (%ld) exceeds the model's %d positions: serve it with RoPE "
               "scaling (YaRN)\n",
               "Note:", (long)r->wl.isl + r->wl.osl, res->max_positions);
    printf("  %-22s %s\n", "System:", r->system);
    if (r->decode_system && r->mode == AIC_MODE_DISAGG)
        printf("  %-22s %s\n", "Decode System:", r->decode_system);
    printf("  %-22s %s (%s)\n", "Backend:", aic_backend_name(r->backend),
           res->backend_version[0] ? res->backend_version : "no perf data");
    printf("  %-22s %s\n", "Database Mode:", aic_db_mode_name(res->db_mode_used));
    if (res->fell_back)
        printf("  %s%-22s no perf data for %s/%s: fell back to EMPIRICAL (pass --database-mode "
               "to make this an error)%s\n",
               cli_color(env, "yellow"), "WARNING:", r->system, aic_backend_name(r->backend),
               cli_color(env, "reset"));
    printf("  %-22s %d\n  %-22s %d\n", "ISL:", r->wl.isl, "OSL:", r->wl.osl);
    if (r->wl.prefix)
        printf("  %-22s %d\n", "Prefix:", r->wl.prefix);
    if (r->opts.nextn)
        printf("  %-22s %d (accepted %.2f)\n", "MTP nextn:", r->opts.nextn, r->opts.nextn_accepted);
    print_layout_lines(r, res->ctx_tokens);
    print_quant(r->mode == AIC_MODE_DISAGG ? "(p) Quantization:" : "Quantization:", &res->quant,
                is_moe);
    if (r->mode == AIC_MODE_DISAGG)
        print_quant("(d) Quantization:", &res->quant_decode, is_moe);
    print_wide_ep(r, res);
    printf("  ----------------------------------------------------------\n");
    printf("  %-22s %.3f ms\n", "TTFT:", m->ttft_ms);
    printf("  %-22s %.3f ms\n", "TPOT:", m->tpot_ms);
    printf("  %-22s %.3f ms\n", "Request Latency:", m->request_latency_ms);
    printf("  %-22s %.2f\n", "tokens/s:", m->tokens_per_s);
    printf("  %-22s %.2f\n", "tokens/s/gpu:", m->tokens_per_s_per_gpu);
    printf("  %-22s %.2f\n", "tokens/s/user:", m->tokens_per_s_per_user);
    printf("  %-22s %.3f\n", "requests/s:", m->requests_per_s);
    printf("  %-22s %.1f\n", "Concurrency:", m->concurrency);
    if (m->kv_limited_batch > 0)
        printf("  %-22s only %d requests per rank fit in the KV cache at once; the others "
               "queue (TTFT includes the wait)\n",
               "KV-cache limited:", m->kv_limited_batch);
    printf("  %-22s %d\n", "GPUs:", m->num_gpus);
    if (r->mode == AIC_MODE_DISAGG) {
        print_mem("(p) Memory per GPU:", &m->mem, env);
        print_mem("(d) Memory per GPU:", &m->mem_decode, env);
    } else {
        print_mem("Memory per GPU:", &m->mem, env);
    }
    print_prov("Prefill Sources:", res->prov[0]);
    print_prov("Decode Sources:", res->prov[1]);
    if (detail) {
        if (r->mode != AIC_MODE_STATIC_GEN)
            print_ttft_parts(&m->ttft_parts, m->ttft_ms);
        char title[96];
        snprintf(title, sizeof(title), "Prefill breakdown, %d prompt%s", res->ctx_ops_batch,
                 res->ctx_ops_batch == 1 ? "" : "s");
        print_ops(title, res->ctx_ops, res->n_ctx_ops);
        snprintf(title, sizeof(title), "Decode step breakdown, %d request%s", res->gen_ops_batch,
                 res->gen_ops_batch == 1 ? "" : "s");
        print_ops(title, res->gen_ops, res->n_gen_ops);
    }
    printf("%s\n", RULE);
}

/* ---- JSON output: the library's document (aic_estimate_json(), keys in README.md) ---- */

static int print_json(const struct aic_estimate_req *r, const struct aic_estimate_result *res,
                      int is_moe, int detail)
{
    char *s = aic_estimate_json(r, res, is_moe, detail);

    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
}

/* Prints the result with the layouts shown as the engine resolved them. */
static int report(struct cli_env *env, struct aic_ctx *ctx, const struct aic_estimate_req *req,
                  const struct aic_estimate_result *res, int json, int detail)
{
    struct aic_estimate_req shown = *req;
    const struct aic_model *m = NULL;
    struct aic_error err = {0};
    int is_moe = 1;

    if (!aic_ctx_get_model(ctx, req->model, &m, &err) && m)
        is_moe = m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE;
    shown.lay = aic_resolve_moe(req->lay, is_moe);
    shown.prefill_lay = aic_resolve_moe(req->prefill_lay, is_moe);
    shown.decode_lay = aic_resolve_moe(req->decode_lay, is_moe);
    if (!json) {
        print_text(env, &shown, res, is_moe, detail);
        return CLI_OK;
    }
    if (print_json(&shown, res, is_moe, detail))
        return cli_error(env, 0, "could not format the JSON output");
    return CLI_OK;
}

/* ---- the mode ----------------------------------------------------------------------- */

static void est_defaults(struct est_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->backend = AIC_BACKEND_TRTLLM;
    o->r.db_mode = AIC_DB_SILICON;
    o->mode = AIC_MODE_AGG;
    o->r.isl = 1024;
    o->r.osl = 1024;
    o->batch = 128;
    o->stride = 32;
    o->tp = o->pp = o->dp = 1;
    o->p.tp = o->p.pp = o->p.dp = 1;
    o->d.tp = o->d.pp = o->d.dp = 1;
}

int cmd_estimate(struct cli_env *env, int argc, char **argv)
{
    struct est_opts o;
    const struct cli_optset sets[] = {
        {cli_req_table, &o.r, est_help}, {est_table, &o, NULL}, {cli_ttft_table, &o.r.ttft, NULL}};
    struct aic_estimate_req req;
    struct aic_estimate_result *res;
    struct aic_error err = {0};
    struct aic_ctx *ctx;
    int rc;

    est_defaults(&o);
    rc = cli_parse(env, "estimate", est_summary, sets, 3, argc, argv);
    if (rc != CLI_OK)
        return rc;
    if (o.json)
        env->log = stderr;
    ctx = aic_ctx_new(env->systems_paths);
    if (!ctx)
        return cli_error(env, 0, "out of memory creating the estimate context");
    res = calloc(1, sizeof(*res));
    rc = res ? build_req(env, ctx, &o, &req) : cli_error(env, 0, "out of memory");
    if (rc == CLI_OK) {
        double t0 = aic_now_s();
        int st = aic_estimate(ctx, &req, o.detail, res, &err);
        cli_log(env, CLI_LOG_DEBUG, "estimate of %s on %s/%s (%s) took %.1f ms: %s", req.model,
                req.system, aic_backend_name(req.backend), aic_serving_mode_name(req.mode),
                1e3 * (aic_now_s() - t0), st ? err.msg : "ok");
        if (st)
            rc = cli_lib_error(env, &err);
        else
            rc = report(env, ctx, &req, res, o.json, o.detail);
    }
    free(res);
    aic_ctx_free(ctx);
    return rc;
}
