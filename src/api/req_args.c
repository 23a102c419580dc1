/*
 * req_args.c - the request arguments every surface (command line, JSON API, web app) turns
 * into a request the same way: quantization mode names and MTP draft tokens, with messages
 * that spell keys as the surface does (api.h, "request arguments").
 */
#include <stdio.h>

#include "aiconfigurator/api.h"
#include "aiconfigurator/quant.h"

/* "--nextn-accepted" (flags) or "nextn_accepted" (JSON) from the dashed name. */
static const char *key(enum aic_key_style keys, const char *dashed, char *buf, size_t len)
{
    size_t n = 0;
    if (keys == AIC_KEYS_FLAGS)
        n = (size_t)snprintf(buf, len, "--");
    for (; *dashed && n + 1 < len; dashed++)
        buf[n++] = keys == AIC_KEYS_JSON && *dashed == '-' ? '_' : *dashed;
    buf[n] = 0;
    return buf;
}

int aic_req_quant(const struct aic_quant_args *a, enum aic_key_style keys, struct aic_quant_cfg *q,
                  struct aic_error *err)
{
    const struct {
        const char *name, *val;
        unsigned use;
        enum aic_quant *dst;
    } t[] = {{"gemm-quant-mode", a->gemm, AIC_QUSE_GEMM, &q->gemm},
             {"kvcache-quant-mode", a->kv, AIC_QUSE_KV, &q->kv},
             {"fmha-quant-mode", a->fmha, AIC_QUSE_FMHA, &q->fmha},
             {"moe-quant-mode", a->moe, AIC_QUSE_MOE, &q->moe},
             {"comm-quant-mode", a->comm, AIC_QUSE_COMM, &q->comm}};
    char k[64];

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        *t[i].dst = AIC_Q_NONE;
        if (!t[i].val || !*t[i].val)
            continue;
        *t[i].dst = aic_quant_parse(t[i].val, t[i].use);
        if (*t[i].dst == AIC_Q_NONE)
            return aic_err(err, AIC_ERR_USAGE, "unknown %s '%s' (valid: %s)",
                           key(keys, t[i].name, k, sizeof(k)), t[i].val, aic_quant_names(t[i].use));
    }
    return 0;
}

int aic_req_nextn(const struct aic_model *m, int nextn, double accepted, int accepted_given,
                  enum aic_key_style keys, int *out, struct aic_error *err)
{
    char ka[32], kn[32];

    *out = nextn < 0 && m ? m->num_nextn_predict_layers : nextn < 0 ? 0 : nextn;
    key(keys, "nextn-accepted", ka, sizeof(ka));
    key(keys, "nextn", kn, sizeof(kn));
    if (*out > 0 && !accepted_given)
        return aic_err(err, AIC_ERR_USAGE, "%s is required when %s is %d", ka, kn, *out);
    if (accepted > *out)
        return aic_err(err, AIC_ERR_USAGE, "%s (%g) must be between 0 and %s (%d)", ka, accepted,
                       kn, *out);
    return 0;
}
