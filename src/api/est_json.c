/*
 * est_json.c - the estimate document: one object with the keys of `cli estimate --json`
 * (README.md, "cli estimate --json"), built once here for the API, the web app and the CLI
 * (aic_estimate_json()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api_int.h"

struct aic_layout aic_resolve_moe(struct aic_layout lay, int is_moe)
{
    int attn = lay.tp * lay.dp;

    if (!is_moe) {
        lay.moe_tp = lay.moe_ep = 1;
    } else if (lay.moe_tp <= 0 && lay.moe_ep <= 0) {
        lay.moe_tp = 1;
        lay.moe_ep = attn;
    } else if (lay.moe_tp <= 0) {
        lay.moe_tp = attn / lay.moe_ep > 0 ? attn / lay.moe_ep : 1;
    } else if (lay.moe_ep <= 0) {
        lay.moe_ep = attn / lay.moe_tp > 0 ? attn / lay.moe_tp : 1;
    }
    return lay;
}

const char *api_quant_name(enum aic_quant q)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    return qi ? qi->name : "auto";
}

static json_t *layout_obj(struct aic_layout l, int is_moe)
{
    char s[96];

    l = aic_resolve_moe(l, is_moe);
    snprintf(s, sizeof(s), "tp%dpp%ddp%detp%dep%d", l.tp, l.pp, l.dp, l.moe_tp, l.moe_ep);
    return json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "name", s, "tp", l.tp, "pp", l.pp, "dp", l.dp,
                     "moe_tp", l.moe_tp, "moe_ep", l.moe_ep, "gpus", l.tp * l.pp * l.dp);
}

/* Whole bytes (the model's byte counts carry fractions from GiB-based reserves). */
static json_int_t bytes(double v)
{
    return (json_int_t)llround(v);
}

static json_t *mem_obj(const struct aic_memory *m)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:f,s:i}", "weights_bytes",
                     bytes(m->weights), "kv_cache_bytes", bytes(m->kv_cache), "activations_bytes",
                     bytes(m->activations), "nccl_bytes", bytes(m->nccl), "other_bytes",
                     bytes(m->other), "total_bytes", bytes(m->total), "capacity_bytes",
                     bytes(m->capacity), "oom", m->oom, "kv_bytes_per_token", m->kv_bytes_per_token,
                     "max_batch", m->max_batch);
}

static json_t *ops_arr(const struct aic_op_time *ops, int n)
{
    json_t *a = json_array();
    double total = 0;

    for (int i = 0; i < n; i++)
        total += ops[i].ms;
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:f,s:f,s:s}", "op",
                                           ops[i].name ? ops[i].name : "?", "ms", ops[i].ms,
                                           "share", total > 0 ? ops[i].ms / total : 0.0, "source",
                                           aic_prov_name(ops[i].prov)));
    return a;
}

static void set_header(json_t *o, const struct aic_estimate_req *r,
                       const struct aic_estimate_result *res)
{
    json_object_set_new(o, "model", json_string(r->model));
    json_object_set_new(o, "model_config",
                        res->model_config[0] ? json_string(res->model_config) : json_null());
    json_object_set_new(o, "max_position_embeddings",
                        res->max_positions > 0 ? json_integer(res->max_positions) : json_null());
    json_object_set_new(o, "system", json_string(r->system));
    json_object_set_new(o, "decode_system",
                        json_string(r->decode_system ? r->decode_system : r->system));
    json_object_set_new(o, "backend", json_string(aic_backend_name(r->backend)));
    json_object_set_new(o, "backend_version", json_string(res->backend_version));
    json_object_set_new(o, "database_mode", json_string(aic_db_mode_name(res->db_mode_used)));
    json_object_set_new(o, "database_mode_requested", json_string(aic_db_mode_name(r->db_mode)));
    json_object_set_new(o, "fell_back_to_empirical", json_boolean(res->fell_back));
    json_object_set_new(o, "mode", json_string(aic_serving_mode_name(r->mode)));
    json_object_set_new(o, "isl", json_integer(r->wl.isl));
    json_object_set_new(o, "osl", json_integer(r->wl.osl));
    json_object_set_new(o, "prefix", json_integer(r->wl.prefix));
    json_object_set_new(o, "nextn", json_integer(r->opts.nextn));
}

/* MoE models: which token exchange the estimate modeled. */
static json_t *with_a2a(json_t *lay, int is_moe, int wide_ep)
{
    if (is_moe)
        json_object_set_new(lay, "moe_a2a",
                            json_string(wide_ep == AIC_WIDE_EP_DEEPEP   ? "deepep"
                                        : wide_ep == AIC_WIDE_EP_NVLINK ? "nvlink_alltoall"
                                                                        : "default"));
    return lay;
}

static void set_layouts(json_t *o, const struct aic_estimate_req *r,
                        const struct aic_estimate_result *res, int is_moe)
{
    if (r->mode == AIC_MODE_DISAGG) {
        json_t *p = with_a2a(layout_obj(r->prefill_lay, is_moe), is_moe, res->wide_ep[0]);
        json_t *d = with_a2a(layout_obj(r->decode_lay, is_moe), is_moe, res->wide_ep[1]);
        json_object_set_new(p, "batch_size", json_integer(r->prefill_batch));
        json_object_set_new(p, "num_workers", json_integer(r->prefill_workers));
        json_object_set_new(d, "batch_size", json_integer(r->decode_batch));
        json_object_set_new(d, "num_workers", json_integer(r->decode_workers));
        json_object_set_new(o, "prefill", p);
        json_object_set_new(o, "decode", d);
        return;
    }
    json_object_set_new(o, "batch_size", json_integer(r->batch_size));
    json_object_set_new(o, "ctx_tokens",
                        json_integer(res->ctx_tokens > 0 ? res->ctx_tokens : r->wl.isl));
    json_object_set_new(o, "layout", with_a2a(layout_obj(r->lay, is_moe), is_moe, res->wide_ep[0]));
}

static json_t *ttft_parts_obj(const struct aic_ttft_parts *t)
{
    return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "overhead", t->overhead, "scheduler",
                     t->scheduler, "queue", t->queue, "prefill", t->prefill, "dp_balance",
                     t->dp_balance, "kv_wait", t->kv_wait, "kv_transfer", t->kv_transfer,
                     "kv_handoff", t->kv_handoff, "stream", t->stream);
}

/* moe is null for a dense model: it has no expert layers, whatever the checkpoint says. */
static json_t *quant_obj(const struct aic_quant_cfg *q, int is_moe)
{
    return json_pack("{s:s,s:o,s:s,s:s,s:s}", "gemm", api_quant_name(q->gemm), "moe",
                     is_moe ? json_string(api_quant_name(q->moe)) : json_null(), "kvcache",
                     api_quant_name(q->kv), "fmha", api_quant_name(q->fmha), "comm",
                     api_quant_name(q->comm));
}

static void set_metrics(json_t *o, const struct aic_estimate_req *r,
                        const struct aic_estimate_result *res, int is_moe)
{
    const struct aic_metrics *m = &res->m;
    int disagg = r->mode == AIC_MODE_DISAGG;

    json_object_set_new(o, "quant", quant_obj(&res->quant, is_moe));
    if (disagg)
        json_object_set_new(o, "quant_decode", quant_obj(&res->quant_decode, is_moe));
    json_object_set_new(o, "ttft_ms", json_real(m->ttft_ms));
    json_object_set_new(o, "ttft_breakdown_ms", ttft_parts_obj(&m->ttft_parts));
    json_object_set_new(o, "tpot_ms", json_real(m->tpot_ms));
    json_object_set_new(o, "request_latency_ms", json_real(m->request_latency_ms));
    json_object_set_new(o, "tokens_per_s", json_real(m->tokens_per_s));
    json_object_set_new(o, "tokens_per_s_per_gpu", json_real(m->tokens_per_s_per_gpu));
    json_object_set_new(o, "tokens_per_s_per_user", json_real(m->tokens_per_s_per_user));
    json_object_set_new(o, "requests_per_s", json_real(m->requests_per_s));
    json_object_set_new(o, "concurrency", json_real(m->concurrency));
    json_object_set_new(o, "kv_limited_batch", json_integer(m->kv_limited_batch));
    json_object_set_new(o, "num_gpus", json_integer(m->num_gpus));
    json_object_set_new(o, "memory", mem_obj(&m->mem));
    if (disagg)
        json_object_set_new(o, "memory_decode", mem_obj(&m->mem_decode));
    json_object_set_new(o, "oom", json_boolean(m->mem.oom || (disagg && m->mem_decode.oom)));
}

/* {measured: share, interpolated: ..., ...} of one phase, every provenance listed. */
static json_t *prov_obj(const double share[AIC_PROV_COUNT])
{
    json_t *o = json_object();

    for (int p = 0; o && p < AIC_PROV_COUNT; p++)
        json_object_set_new(o, aic_prov_name((enum aic_prov)p), json_real(share[p]));
    return o;
}

json_t *api_estimate_doc(const struct aic_estimate_req *req, const struct aic_estimate_result *res,
                         int is_moe, int detail)
{
    json_t *o = json_object();

    if (!o)
        return NULL;
    set_header(o, req, res);
    set_layouts(o, req, res, is_moe);
    set_metrics(o, req, res, is_moe);
    json_object_set_new(o, "provenance",
                        json_pack("{s:o,s:o}", "prefill", prov_obj(res->prov[0]), "decode",
                                  prov_obj(res->prov[1])));
    if (detail)
        json_object_set_new(o, "breakdown",
                            json_pack("{s:o,s:o,s:i,s:i}", "prefill",
                                      ops_arr(res->ctx_ops, res->n_ctx_ops), "decode",
                                      ops_arr(res->gen_ops, res->n_gen_ops), "prefill_batch",
                                      res->ctx_ops_batch, "decode_batch", res->gen_ops_batch));
    return o;
}

char *aic_estimate_json(const struct aic_estimate_req *req, const struct aic_estimate_result *res,
                        int is_moe, int detail)
{
    json_t *o = api_estimate_doc(req, res, is_moe, detail);
    char *s;

    if (!o)
        return NULL;
    s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    return s;
}
