/*
 * req_params.c - the request fields the model ops share (estimate, default, recommend):
 * the database-mode choices of their API_REQ_PARAMS rows (api_int.h), the required-field
 * check, and the quantization and MTP resolution every surface does the same way.
 */
#include "api/api_int.h"

const char *const api_db_modes[] = {"SILICON", "HYBRID", "EMPIRICAL", "SOL", NULL};

void api_req_ttft(const struct api_param *tab, const struct api_given *g, const struct api_req_p *r,
                  struct aic_ttft_consts *t)
{
    *t = r->ttft;
    t->set = 0;
    for (int i = 0; i < AIC_TTFT_COUNT; i++)
        if (api_given(tab, g, aic_ttft_key(i)))
            t->set |= 1u << i;
}

int api_req_check(const struct api_req_p *r, struct aic_error *err)
{
    if (!r->model)
        return aic_err(err, AIC_ERR_USAGE,
                       "model_path is required (a Hugging Face id such as "
                       "Qwen/Qwen3-32B, or a directory with config.json)");
    if (!r->system)
        return aic_err(err, AIC_ERR_USAGE, "system is required (e.g. h200_sxm, h100_sxm)");
    if (r->prefix >= r->isl)
        return aic_err(err, AIC_ERR_USAGE, "prefix (%d) must be smaller than isl (%d)", r->prefix,
                       r->isl);
    return AIC_OK;
}

int api_req_quant_nextn(struct api_call *c, const struct api_req_p *r, int accepted_given,
                        struct aic_quant_cfg *q, int *nextn, const struct aic_model **m)
{
    const struct aic_quant_args qa = {r->gemm_q, r->kv_q, r->fmha_q, r->moe_q, r->comm_q};
    int rc = aic_req_quant(&qa, AIC_KEYS_JSON, q, c->err);

    *m = NULL;
    rc = rc || r->nextn >= 0 ? rc : aic_ctx_get_model(c->ctx, r->model, m, c->err);
    return rc ? rc
              : aic_req_nextn(*m, r->nextn, r->nextn_accepted, accepted_given, AIC_KEYS_JSON, nextn,
                              c->err);
}
