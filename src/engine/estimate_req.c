/*
 * estimate_req.c - settles an estimate request whose fields belong to different serving
 * modes (aic_estimate_req_resolve): the command line and the JSON API both call it, so a
 * field is applied or refused the same way on every surface, never silently ignored.
 * Messages name the fields in AIConfigurator's underscore spelling, which both accept.
 * Also the workload rule every surface shares (aic_workload_check_seq_len).
 */
#include <stdio.h>

#include "aiconfigurator/estimate.h"

static const char *const lay_names[] = {"tp_size", "pp_size", "attention_dp_size", "moe_tp_size",
                                        "moe_ep_size"};

static int *lay_field(struct aic_layout *l, int i)
{
    int *f[] = {&l->tp, &l->pp, &l->dp, &l->moe_tp, &l->moe_ep};
    return f[i];
}

/* The first pool field given (prefix "prefill_"/"decode_" + name), or NULL. */
static const char *pool_field_given(unsigned given, char *buf, size_t n)
{
    static const char *const pools[] = {"prefill", "decode"};
    const unsigned base[] = {AIC_GIVEN_PREFILL, AIC_GIVEN_DECODE};
    const unsigned extra[][2] = {{AIC_GIVEN_PREFILL_BATCH, AIC_GIVEN_PREFILL_WORKERS},
                                 {AIC_GIVEN_DECODE_BATCH, AIC_GIVEN_DECODE_WORKERS}};

    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 5; i++)
            if (given & (1u << (base[p] + i))) {
                snprintf(buf, n, "%s_%s", pools[p], lay_names[i]);
                return buf;
            }
        if (given & extra[p][0]) {
            snprintf(buf, n, "%s_batch_size", pools[p]);
            return buf;
        }
        if (given & extra[p][1]) {
            snprintf(buf, n, "%s_num_workers", pools[p]);
            return buf;
        }
    }
    return NULL;
}

/* In disagg the worker layout given is each pool's, field by field, unless the pool set it;
 * the MoE sizes go together (a pool giving either keeps its own pair). */
static void layout_to_pools(struct aic_estimate_req *r)
{
    const unsigned base[] = {AIC_GIVEN_PREFILL, AIC_GIVEN_DECODE};
    struct aic_layout *pools[] = {&r->prefill_lay, &r->decode_lay};

    for (int p = 0; p < 2; p++) {
        unsigned own = r->given >> base[p];
        for (int i = 0; i < 5; i++) {
            int moe = i >= 3;
            if (!(r->given & (1u << i)) || (own & (1u << i)) || (moe && (own & (3u << 3))))
                continue;
            *lay_field(pools[p], i) = *lay_field(&r->lay, i);
        }
    }
}

int aic_estimate_req_resolve(struct aic_estimate_req *r, struct aic_error *err)
{
    char name[64];
    const char *pool;

    if (r->mode == AIC_MODE_DISAGG) {
        if (r->given & (AIC_GIVEN_BATCH | AIC_GIVEN_CTX_TOKENS))
            return aic_err(err, AIC_ERR_USAGE,
                           "batch_size and ctx_tokens apply to agg and static; for disagg give "
                           "prefill_batch_size and decode_batch_size");
        layout_to_pools(r);
        return AIC_OK;
    }
    if (r->given & AIC_GIVEN_DECODE_SYSTEM)
        return aic_err(err, AIC_ERR_USAGE, "decode_system applies to estimate mode disagg only");
    if ((pool = pool_field_given(r->given, name, sizeof(name))))
        return aic_err(err, AIC_ERR_USAGE,
                       "%s applies to estimate mode disagg only; agg and static run one worker "
                       "(set its layout with tp_size, pp_size, attention_dp_size, moe_tp_size, "
                       "moe_ep_size and its batch with batch_size)",
                       pool);
    if (r->mode != AIC_MODE_AGG && (r->given & AIC_GIVEN_CTX_TOKENS))
        return aic_err(err, AIC_ERR_USAGE,
                       "ctx_tokens applies to estimate mode agg only (static modes prefill the "
                       "whole batch at once)");
    return AIC_OK;
}

unsigned aic_estimate_given(int (*is_given)(const void *arg, const char *name), const void *arg)
{
    static const struct {
        const char *pool;
        unsigned base, batch, workers;
    } pools[] = {{"prefill", AIC_GIVEN_PREFILL, AIC_GIVEN_PREFILL_BATCH, AIC_GIVEN_PREFILL_WORKERS},
                 {"decode", AIC_GIVEN_DECODE, AIC_GIVEN_DECODE_BATCH, AIC_GIVEN_DECODE_WORKERS}};
    unsigned g = 0;
    char name[64];

    for (int i = 0; i < 5; i++) {
        g |= is_given(arg, lay_names[i]) ? 1u << (AIC_GIVEN_LAY + i) : 0;
        for (int p = 0; p < 2; p++) {
            snprintf(name, sizeof(name), "%s_%s", pools[p].pool, lay_names[i]);
            g |= is_given(arg, name) ? 1u << (pools[p].base + i) : 0;
        }
    }
    for (int p = 0; p < 2; p++) {
        snprintf(name, sizeof(name), "%s_batch_size", pools[p].pool);
        g |= is_given(arg, name) ? pools[p].batch : 0;
        snprintf(name, sizeof(name), "%s_num_workers", pools[p].pool);
        g |= is_given(arg, name) ? pools[p].workers : 0;
    }
    g |= is_given(arg, "batch_size") ? AIC_GIVEN_BATCH : 0;
    g |= is_given(arg, "ctx_tokens") ? AIC_GIVEN_CTX_TOKENS : 0;
    g |= is_given(arg, "decode_system") ? AIC_GIVEN_DECODE_SYSTEM : 0;
    return g;
}

int aic_workload_check_seq_len(const struct aic_workload *wl, int max_seq_len, const char *flag,
                               struct aic_error *err)
{
    long need = (long)wl->isl + wl->osl;

    if (max_seq_len <= 0 || max_seq_len >= need)
        return AIC_OK;
    return aic_err(err, AIC_ERR_USAGE,
                   "%s (%d) is shorter than a request (isl + osl = %ld); raise it or leave it out",
                   flag, max_seq_len, need);
}
