/*
 * model_ct.c - compressed-tensors checkpoints (llm-compressor; RedHat / Neural Magic and many
 * republishers): config.json's quantization_config, quant_method "compressed-tensors", reduced
 * to one checkpoint kind (enum ckpt_quant) and an fp8 KV cache.
 *
 * Each config group holds quantization arguments for its layers' "weights" and
 * "input_activations" (num_bits, type int|float, strategy tensor|channel|group|tensor_group|
 * block|token, group_size, block_structure, dynamic). The schemes read:
 *
 *   8-bit float weights, tensor or channel, 8-bit float activations:  fp8 (dynamic activation
 *     scales) or fp8_static (static ones);
 *   8-bit float weights, block 128x128, 8-bit float activations:      fp8_block;
 *   8-bit int weights: with 8-bit int activations sq (W8A8), without int8_wo (W8A16);
 *   4-bit int weights, group or channel, no activations:              int4_wo (W4A16);
 *   4-bit float weights in groups of 16, 4-bit float activations:     nvfp4;
 *   kv_cache_scheme of 8-bit float:                                   an fp8 KV cache.
 *
 * Every group must name the same scheme. Anything else (W4A8, NVFP4A16, MXFP4, fp8 weights
 * alone, another block size, an int8 KV cache, ...) is refused with the scheme described.
 * A config that cannot be read as any scheme is refused as malformed, with the key named:
 * config_groups not an object, or missing / empty without a kv_cache_scheme (a KV-cache-only
 * checkpoint); a group whose weights are not an object; a num_bits that is not a positive
 * whole number.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"
#include "util/util.h"

#define CT_BAD       (-1)
#define CT_MALFORMED (-2) /* model_ct_quant()'s return for a config not read as any scheme */

static const char accepted_schemes[] = "FP8, FP8_BLOCK 128x128, W8A8, W8A16, W4A16, NVFP4";

/* One object of quantization arguments, as read; present = 0 when absent or null. */
struct ct_args {
    int present, bits, group, dynamic;
    const char *type, *strategy; /* "" when absent */
    int block[2];                /* block_structure; 0 when absent */
    const json_t *bad_bits;      /* num_bits given but not a positive whole number */
};

const char *model_json_kind(const json_t *v)
{
    return !v                   ? "missing"
           : json_is_null(v)    ? "null"
           : json_is_string(v)  ? "a string"
           : json_is_number(v)  ? "a number"
           : json_is_boolean(v) ? "true/false"
           : json_is_array(v)   ? "an array"
                                : "an object";
}

static const char *str_or_empty(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static int int_or_zero(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    json_int_t i = json_is_integer(v) ? json_integer_value(v) : 0;
    return i > 0 && i < (1 << 20) ? (int)i : 0;
}

/* block_structure: [rows, cols] or, as older releases wrote it, "RxC". */
static void read_block(const json_t *o, int block[2])
{
    const json_t *b = json_object_get(o, "block_structure");
    const char *s = json_is_string(b) ? json_string_value(b) : NULL;

    block[0] = block[1] = 0;
    if (json_is_array(b)) {
        for (int i = 0; i < 2; i++) {
            const json_t *v = json_array_get(b, (size_t)i);
            block[i] =
                json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < (1 << 20)
                    ? (int)json_integer_value(v)
                    : -1;
        }
        if (json_array_size(b) != 2)
            block[0] = block[1] = -1;
    } else if (s) {
        char *end;
        long r = strtol(s, &end, 10), c = *end == 'x' ? strtol(end + 1, &end, 10) : -1;
        int ok = !*end && r > 0 && r < (1 << 20) && c > 0 && c < (1 << 20);
        block[0] = ok ? (int)r : -1;
        block[1] = ok ? (int)c : -1;
    }
}

static struct ct_args read_args(const json_t *o)
{
    struct ct_args a = {0};
    const json_t *dyn = json_object_get(o, "dynamic");

    a.type = a.strategy = "";
    if (!json_is_object(o))
        return a;
    a.present = 1;
    a.bits = int_or_zero(o, "num_bits");
    if (!a.bits && json_object_get(o, "num_bits") && !json_is_null(json_object_get(o, "num_bits")))
        a.bad_bits = json_object_get(o, "num_bits");
    a.group = int_or_zero(o, "group_size");
    a.type = str_or_empty(o, "type");
    a.strategy = str_or_empty(o, "strategy");
    /* true, or "local" (NVFP4's per-group scales computed at run time) */
    a.dynamic = json_is_true(dyn) || json_is_string(dyn);
    read_block(o, a.block);
    return a;
}

static int is(const char *s, const char *want)
{
    return strcmp(s, want) == 0;
}

/* Block-scaled fp8 as the fp8_block kernels run it: 128x128 weight blocks (a checkpoint that
 * leaves the structure out means the default). */
static int block_128(const struct ct_args *w)
{
    return (w->block[0] == 0 && w->block[1] == 0) || (w->block[0] == 128 && w->block[1] == 128);
}

static int fp8_kind(const struct ct_args *w, const struct ct_args *a)
{
    if (!a->present || a->bits != 8 || !is(a->type, "float"))
        return CT_BAD; /* fp8 weights alone (FP8 W8A16) or other activations */
    if (is(w->strategy, "block"))
        return block_128(w) ? CQ_FP8_BLOCK : CT_BAD;
    if (is(w->strategy, "tensor") || is(w->strategy, "channel"))
        return a->dynamic ? CQ_FP8 : CQ_FP8_STATIC;
    return CT_BAD; /* group (MXFP8) and the rest */
}

/* The checkpoint kind of one group's weights and input activations, or CT_BAD. */
static int scheme_kind(const struct ct_args *w, const struct ct_args *a)
{
    int int_w = is(w->type, "int"), float_w = is(w->type, "float");

    if (int_w && w->bits == 8) {
        if (!a->present)
            return CQ_INT8_WO;
        return a->bits == 8 && is(a->type, "int") ? CQ_SQ : CT_BAD;
    }
    if (int_w && w->bits == 4)
        return !a->present && (is(w->strategy, "group") || is(w->strategy, "channel")) ? CQ_INT4_WO
                                                                                       : CT_BAD;
    if (float_w && w->bits == 8)
        return fp8_kind(w, a);
    if (float_w && w->bits == 4)
        return w->group == 16 && a->present && a->bits == 4 && is(a->type, "float") ? CQ_NVFP4
                                                                                    : CT_BAD;
    return CT_BAD;
}

/* "8-bit float, block 128x128" / "4-bit int, group 128" / "8-bit float, token, dynamic". */
static void describe_args(struct aic_buf *b, const struct ct_args *a)
{
    if (a->bits)
        aic_buf_printf(b, "%d-bit %s", a->bits, *a->type ? a->type : "(no type)");
    else
        aic_buf_printf(b, "no num_bits");
    if (*a->strategy)
        aic_buf_printf(b, ", %s", a->strategy);
    if (a->group)
        aic_buf_printf(b, " %d", a->group);
    if (is(a->strategy, "block") && (a->block[0] < 0 || a->block[1] < 0))
        aic_buf_printf(b, " (block_structure unreadable)");
    else if (is(a->strategy, "block") && a->block[0])
        aic_buf_printf(b, " %dx%d", a->block[0], a->block[1]);
    if (a->dynamic)
        aic_buf_printf(b, ", dynamic");
}

/* "W4A8 (weights 4-bit int, group 128; activations 8-bit int, token, dynamic)"; float
 * weights or activations read FP<bits>: FP4A16 (NVFP4A16), W4AFP8, FP8A16. */
static void describe_scheme(struct aic_buf *b, const struct ct_args *w, const struct ct_args *a)
{
    aic_buf_printf(b, "%s%dA%s%d (weights ", is(w->type, "float") ? "FP" : "W", w->bits,
                   is(a->type, "float") ? "FP" : "", a->present ? a->bits : 16);
    describe_args(b, w);
    aic_buf_printf(b, "; activations ");
    if (a->present)
        describe_args(b, a);
    else
        aic_buf_printf(b, "16-bit");
    aic_buf_printf(b, ")");
}

static int refuse(char *why, size_t n, struct aic_buf *b, const char *accepted)
{
    snprintf(why, n, "%s is not supported; accepted: %s", aic_buf_str(b), accepted);
    aic_buf_release(b);
    return -1;
}

/* "<where> num_bits must be a positive whole number, not the string "8"" (or "(got 0)"). */
static int bad_bits(char *why, size_t n, const char *where, const json_t *v)
{
    char got[64];

    if (json_is_string(v))
        snprintf(got, sizeof(got), "not the string \"%.40s\"", json_string_value(v));
    else if (json_is_number(v))
        snprintf(got, sizeof(got), "got %g", json_number_value(v));
    else
        snprintf(got, sizeof(got), "not %s", model_json_kind(v));
    snprintf(why, n, "compressed-tensors %s num_bits must be a positive whole number (%s)", where,
             got);
    return CT_MALFORMED;
}

/* A group that cannot be read: weights not an object, or a num_bits not a count. */
static int malformed_group(const char *key, const json_t *g, const struct ct_args *w,
                           const struct ct_args *a, char *why, size_t n)
{
    char where[160];

    if (!json_is_object(g)) {
        snprintf(why, n,
                 "compressed-tensors config group '%.60s' must be an object (weights, "
                 "input_activations), not %s",
                 key, model_json_kind(g));
        return CT_MALFORMED;
    }
    if (!w->present && !json_object_get(g, "weights")) {
        snprintf(why, n,
                 "compressed-tensors config group '%.60s' has no weights (an object: num_bits, "
                 "type, strategy)",
                 key);
        return CT_MALFORMED;
    }
    if (!w->present) {
        snprintf(why, n,
                 "compressed-tensors config group '%.60s': weights must be an object (num_bits, "
                 "type, strategy), not %s",
                 key, model_json_kind(json_object_get(g, "weights")));
        return CT_MALFORMED;
    }
    snprintf(where, sizeof(where), "config group '%.60s' %s", key,
             w->bad_bits ? "weights" : "input_activations");
    return bad_bits(why, n, where, w->bad_bits ? w->bad_bits : a->bad_bits);
}

/* Every group's scheme: one supported kind for them all. */
static int groups_kind(json_t *groups, enum ckpt_quant *cq, char *why, size_t n)
{
    const char *key, *first = NULL;
    struct aic_buf b = {0};
    json_t *g;
    int kind = CQ_NONE;

    json_object_foreach(groups, key, g)
    {
        struct ct_args w = read_args(json_object_get(g, "weights"));
        struct ct_args a = read_args(json_object_get(g, "input_activations"));
        int k;

        if (!w.present || w.bad_bits || a.bad_bits)
            return malformed_group(key, g, &w, &a, why, n);
        k = scheme_kind(&w, &a);
        if (k == CT_BAD || (first && k != kind)) {
            aic_buf_printf(&b, "compressed-tensors scheme ");
            describe_scheme(&b, &w, &a);
            if (k != CT_BAD)
                aic_buf_printf(&b, " of config group '%s' beside another scheme in '%s'", key,
                               first);
            return refuse(why, n, &b,
                          k != CT_BAD ? "one scheme for every group" : accepted_schemes);
        }
        if (!first)
            first = key, kind = k;
    }
    *cq = (enum ckpt_quant)kind;
    return 0;
}

/* config_groups: an object of groups; missing, null or empty only beside a kv_cache_scheme
 * (a checkpoint that quantizes the KV cache alone). */
static int check_groups(const json_t *groups, const struct ct_args *kv, char *why, size_t n)
{
    if (groups && !json_is_null(groups) && !json_is_object(groups))
        snprintf(why, n,
                 "compressed-tensors config_groups must be an object of config groups, not %s",
                 model_json_kind(groups));
    else if (!kv->present && (!json_is_object(groups) || !json_object_size(groups)))
        snprintf(why, n,
                 "compressed-tensors quantization_config has %s config_groups (and no "
                 "kv_cache_scheme), so nothing says what is quantized",
                 json_is_object(groups) ? "an empty" : "no");
    else
        return 0;
    return CT_MALFORMED;
}

int model_ct_quant(const json_t *qc, enum ckpt_quant *cq, int *kv_fp8, char *why, size_t n)
{
    json_t *groups = json_object_get(qc, "config_groups");
    json_t *kv_scheme = json_object_get(qc, "kv_cache_scheme");
    struct ct_args kv = read_args(kv_scheme);
    int rc;

    *cq = CQ_NONE;
    *kv_fp8 = 0;
    if (kv_scheme && !json_is_null(kv_scheme) && !kv.present) {
        snprintf(why, n, "compressed-tensors kv_cache_scheme must be an object or null, not %s",
                 model_json_kind(kv_scheme));
        return CT_MALFORMED;
    }
    if ((rc = check_groups(groups, &kv, why, n)))
        return rc;
    if (json_is_object(groups) && (rc = groups_kind(groups, cq, why, n)))
        return rc;
    if (!kv.present)
        return 0;
    if (kv.bad_bits)
        return bad_bits(why, n, "kv_cache_scheme", kv.bad_bits);
    if (kv.bits == 8 && is(kv.type, "float")) {
        *kv_fp8 = 1;
        return 0;
    }
    {
        struct aic_buf b = {0};
        aic_buf_printf(&b, "compressed-tensors kv_cache_scheme of ");
        describe_args(&b, &kv);
        return refuse(why, n, &b, "8-bit float (fp8)");
    }
}
