/*
 * op_estimate.c - {"op": "estimate"}: one deployment in, the `cli estimate --json` object
 * out. Parameters are the estimate flags in snake_case, with the defaults of
 * `cli estimate` (isl/osl 1024, batch 128, trtllm, SILICON falling back to EMPIRICAL when
 * no perf data exists and database_mode was not given). The Python API's names are
 * accepted as aliases (system_name, backend_name, mode). "detail": true adds the per-op
 * breakdown.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

struct est_p {
    struct api_req_p r;
    int mode, batch, ctx_tokens, stride;
    int tp, pp, dp, etp, ep;
    int p_tp, p_pp, p_dp, p_etp, p_ep, p_bs, p_workers;
    int d_tp, d_pp, d_dp, d_etp, d_ep, d_bs, d_workers;
    int detail;
};

static const char *const backends[] = {"trtllm", "vllm", "sglang", NULL};
static const char *const modes[] = {"agg", "disagg", "static", "static_ctx", "static_gen", NULL};

#define O(f) offsetof(struct est_p, f)
#define BIG  1e9
static const struct api_param est_tab[] = {
    API_REQ_PARAMS(struct est_p, r, backends),
    {"estimate_mode", "mode", AP_ENUM, O(mode), 0, 0, modes},
    {"batch_size", "bs", AP_INT, O(batch), 1, BIG, NULL},
    {"ctx_tokens", NULL, AP_INT, O(ctx_tokens), 1, BIG, NULL},
    {"stride", NULL, AP_INT, O(stride), 1, BIG, NULL},
    {"tp_size", "tp", AP_INT, O(tp), 1, 4096, NULL},
    {"pp_size", "pp", AP_INT, O(pp), 1, 4096, NULL},
    {"attention_dp_size", "dp", AP_INT, O(dp), 1, 4096, NULL},
    {"moe_tp_size", "etp", AP_INT, O(etp), 1, 4096, NULL},
    {"moe_ep_size", "ep", AP_INT, O(ep), 1, 4096, NULL},
    {"prefill_tp_size", "p_tp", AP_INT, O(p_tp), 1, 4096, NULL},
    {"prefill_pp_size", "p_pp", AP_INT, O(p_pp), 1, 4096, NULL},
    {"prefill_attention_dp_size", "p_dp", AP_INT, O(p_dp), 1, 4096, NULL},
    {"prefill_moe_tp_size", "p_etp", AP_INT, O(p_etp), 1, 4096, NULL},
    {"prefill_moe_ep_size", "p_ep", AP_INT, O(p_ep), 1, 4096, NULL},
    {"prefill_batch_size", "p_bs", AP_INT, O(p_bs), 1, BIG, NULL},
    {"prefill_num_workers", "p_workers", AP_INT, O(p_workers), 1, 1e6, NULL},
    {"decode_tp_size", "d_tp", AP_INT, O(d_tp), 1, 4096, NULL},
    {"decode_pp_size", "d_pp", AP_INT, O(d_pp), 1, 4096, NULL},
    {"decode_attention_dp_size", "d_dp", AP_INT, O(d_dp), 1, 4096, NULL},
    {"decode_moe_tp_size", "d_etp", AP_INT, O(d_etp), 1, 4096, NULL},
    {"decode_moe_ep_size", "d_ep", AP_INT, O(d_ep), 1, 4096, NULL},
    {"decode_batch_size", "d_bs", AP_INT, O(d_bs), 1, BIG, NULL},
    {"decode_num_workers", "d_workers", AP_INT, O(d_workers), 1, 1e6, NULL},
    {"detail", "print_per_ops_latency", AP_BOOL, O(detail), 0, 0, NULL},
    {0},
};
#undef O

static void est_defaults(struct est_p *o)
{
    memset(o, 0, sizeof(*o));
    o->r.backend = AIC_BACKEND_TRTLLM;
    o->r.db_mode = AIC_DB_SILICON;
    o->r.isl = o->r.osl = 1024;
    o->mode = AIC_MODE_AGG;
    o->batch = 128;
    o->stride = 32;
    o->tp = o->pp = o->dp = 1;
    o->p_tp = o->p_pp = o->p_dp = 1;
    o->d_tp = o->d_pp = o->d_dp = 1;
}

static int check_required(const struct est_p *o, struct aic_error *err)
{
    int rc = api_req_check(&o->r, err);

    if (!rc && o->mode == AIC_MODE_DISAGG &&
        (o->p_bs <= 0 || o->p_workers <= 0 || o->d_bs <= 0 || o->d_workers <= 0))
        return aic_err(err, AIC_ERR_USAGE,
                       "disagg mode needs prefill_batch_size, prefill_num_workers, "
                       "decode_batch_size and decode_num_workers");
    return rc;
}

static void fill_req(const struct est_p *o, int db_given, struct aic_estimate_req *r)
{
    const struct api_req_p *q = &o->r;

    aic_estimate_req_init(r);
    r->model = q->model;
    r->system = q->system;
    r->decode_system = q->decode_system;
    r->backend = (enum aic_backend)q->backend;
    r->backend_version = q->backend_version && *q->backend_version ? q->backend_version : NULL;
    r->db_mode = (enum aic_db_mode)q->db_mode;
    r->db_mode_explicit = db_given;
    r->mode = (enum aic_serving_mode)o->mode;
    r->wl = (struct aic_workload){q->isl, q->osl, q->prefix};
    r->batch_size = o->batch;
    r->ctx_tokens = o->ctx_tokens;
    r->opts.nextn_accepted = q->nextn_accepted;
    r->opts.free_mem_fraction = q->free_mem;
    r->opts.max_seq_len = q->max_seq_len;
    r->lay = (struct aic_layout){o->tp, o->pp, o->dp, o->etp, o->ep};
    r->prefill_lay = (struct aic_layout){o->p_tp, o->p_pp, o->p_dp, o->p_etp, o->p_ep};
    r->decode_lay = (struct aic_layout){o->d_tp, o->d_pp, o->d_dp, o->d_etp, o->d_ep};
    r->prefill_batch = o->p_bs;
    r->prefill_workers = o->p_workers;
    r->decode_batch = o->d_bs;
    r->decode_workers = o->d_workers;
}

/* Runs the estimate of a filled request and builds the document. */
static int run(struct api_call *c, const struct aic_estimate_req *r, const struct aic_model *m,
               int detail, json_t **result)
{
    struct aic_estimate_result *res = calloc(1, sizeof(*res));
    int is_moe = m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE;
    int rc;

    if (!res)
        return aic_err(c->err, AIC_ERR_NOMEM, "out of memory");
    rc = aic_estimate(c->ctx, r, detail, res, c->err);
    if (!rc && res->fell_back)
        api_warn(c,
                 "no perf data for %s/%s: fell back to EMPIRICAL (give database_mode to make "
                 "this an error)",
                 r->system, aic_backend_name(r->backend));
    if (!rc && !(*result = api_estimate_doc(r, res, is_moe, detail)))
        rc = aic_err(c->err, AIC_ERR_NOMEM, "out of memory building the estimate");
    free(res);
    return rc;
}

/* aic_estimate_given()'s question on the JSON API: the key of that name (given: the
 * struct api_given of the call). */
static int key_given(const void *given, const char *name)
{
    return api_given(est_tab, given, name);
}

int api_op_estimate(struct api_call *c, json_t **result)
{
    struct est_p o;
    struct api_given given;
    struct aic_estimate_req r;
    const struct aic_model *m;
    int rc;

    est_defaults(&o);
    rc = api_params_read(c->req, est_tab, &o, &given, c->err);
    rc = rc ? rc : check_required(&o, c->err);
    if (rc)
        return rc;
    fill_req(&o, api_given(est_tab, &given, "database_mode"), &r);
    api_req_ttft(est_tab, &given, &o.r, &r.opts.ttft);
    r.given = aic_estimate_given(key_given, &given);
    if ((rc = aic_estimate_req_resolve(&r, c->err)))
        return rc;
    rc = api_req_quant_nextn(c, &o.r, api_given(est_tab, &given, "nextn_accepted"), &r.opts.quant,
                             &r.opts.nextn, &m);
    rc = rc || m ? rc : aic_ctx_get_model(c->ctx, o.r.model, &m, c->err);
    return rc ? rc : run(c, &r, m, o.detail, result);
}
