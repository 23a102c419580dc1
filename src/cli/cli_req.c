/*
 * cli_req.c - small helpers shared by the modes that build struct aic_estimate_req
 * (estimate, validate, and later default/recommend): layout names, quantization arguments
 * (the MoE layout defaults are the library's aic_resolve_moe(), api.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

void cli_layout_str(const struct aic_layout *lay, char *buf, size_t len)
{
    snprintf(buf, len, "tp%dpp%ddp%detp%dep%d", lay->tp, lay->pp, lay->dp, lay->moe_tp,
             lay->moe_ep);
}

int cli_quant_arg(const char *flag, const char *val, unsigned use, char *msg, size_t len)
{
    enum aic_quant q;

    if (!val || !*val)
        return AIC_Q_NONE;
    q = aic_quant_parse(val, use);
    if (q == AIC_Q_NONE) {
        snprintf(msg, len, "unknown --%s '%s' (valid: %s)", flag, val, aic_quant_names(use));
        return -2;
    }
    return q;
}

const char *cli_quant_name(enum aic_quant q)
{
    const struct aic_quant_info *qi = aic_quant_info(q);
    return qi ? qi->name : "auto";
}
