/*
 * model_variant.c - Hugging Face ids the bundle does not hold, but whose architecture it does:
 * published variants named by convention.
 *
 *   <org>/<name>[-release][-quant]
 *
 * The quantization suffix (-FP8, -FP8-dynamic, -FP4, -NVFP4, -AWQ, -GPTQ-Int4, -GPTQ-Int8)
 * names the checkpoint's format, as its publisher ships it: NVIDIA's ModelOpt and RedHat/Neural
 * Magic -FP8 checkpoints are per-tensor fp8 with calibrated (static) activation scales, their
 * -FP8-dynamic ones dynamic; Meta's own -FP8 (fbgemm_fp8: Llama-3.1-405B, Llama 4) per-channel
 * weights with dynamic per-token activations; -FP4/-NVFP4 are NVFP4; the model makers' own -FP8
 * (Qwen, DeepSeek, Z.ai, ...) are block-scaled fp8; -AWQ and -GPTQ(-Int4) are 4-bit integer
 * weights, -GPTQ-Int8 8-bit, in every linear layer (attention included, in MoE models too) with
 * 16-bit activations (what a config.json quantization_config of quant_method awq or gptq gives). A
 * republish revision after it (-FP4-v2) is dropped. Release suffixes that keep the architecture
 * (-Instruct, -Chat, -Base, -hf, a date or lower-case version tag such as -2507, -0528, -v0.3) are
 * dropped from the name and from the bundled names alike; equal cores match, whatever the
 * organisation (republishers keep the maker's model name), unless both names carry a version tag
 * and the tags differ (Mistral-7B-v0.1 and -v0.3 differ in window and vocabulary); the bundled name
 * equal to the request's before its cores were taken first, then one of the same organisation. The
 * match is the config; the quantization suffix, when present, sets its quantization. -Thinking is
 * not such a suffix: some thinking releases ship another format (Kimi-K2-Thinking is INT4); the
 * ones that do not are aliases in model_load.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/model_internal.h"
#include "util/util.h"

/* Quantization suffixes, longest first; publisher decides static vs block for plain -FP8. */
static const struct {
    const char *suffix;
    int cq; /* enum ckpt_quant; -1 = -FP8, by publisher */
} quant_suffixes[] = {
    {"-FP8-dynamic", CQ_FP8},   {"-GPTQ-Int4", CQ_INT4_ALL}, {"-GPTQ-Int8", CQ_INT8_WO},
    {"-AWQ-Int4", CQ_INT4_ALL}, {"-NVFP4", CQ_NVFP4},        {"-GPTQ", CQ_INT4_ALL},
    {"-AWQ", CQ_INT4_ALL},      {"-FP4", CQ_NVFP4},          {"-FP8", -1}};

/* Publishers whose -FP8 checkpoints are per-tensor with static scales (ModelOpt, llm-compressor).
 */
static const char *const static_fp8_orgs[] = {"nvidia", "RedHatAI", "neuralmagic"};

/* Publishers whose -FP8 checkpoints are fbgemm_fp8: per-channel weights, dynamic per-token
 * activations (FP8_PER_CHANNEL_PER_TOKEN). */
static const char *const dynamic_fp8_orgs[] = {"meta-llama"};

static const char *const release_suffixes[] = {"-Instruct", "-Chat", "-Base", "-hf", "-it"};

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && !strcasecmp(s + n - m, suf);
}

/* "-2507", "-0528", "-v0.3": a date (4 digits) or a lower-case version tag at the end; its
 * length, else 0 ("-V3" names a model generation, not a release). */
static size_t tag_len(const char *s)
{
    const char *dash = strrchr(s, '-'), *p;
    int digits = 0, version;

    if (!dash || dash == s)
        return 0;
    version = dash[1] == 'v';
    for (p = dash + 1 + version; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!version || *p != '.')
            return 0;
    }
    return digits >= 1 && (version || digits == 4) ? strlen(dash) : 0;
}

/* The name with release suffixes and tags dropped, repeatedly: "Qwen3-235B-A22B-Instruct-2507"
 * -> "Qwen3-235B-A22B"; `ver` gets the version tag dropped ("-v0.3"), "" when none. */
static void core_name(const char *name, char *dst, size_t n, char *ver, size_t vn)
{
    aic_strlcpy(dst, name, n);
    *ver = 0;
    for (;;) {
        size_t k = 0, len = strlen(dst);
        for (size_t i = 0; i < sizeof(release_suffixes) / sizeof(release_suffixes[0]) && !k; i++)
            if (ends_with(dst, release_suffixes[i]))
                k = strlen(release_suffixes[i]);
        if (!k && (k = tag_len(dst)) && k < len && dst[len - k + 1] == 'v')
            aic_strlcpy(ver, dst + len - k, vn);
        if (!k || k >= len)
            return;
        dst[len - k] = 0;
    }
}

/* The bundled id whose name has the same core as `name` (case-insensitive): the one named
 * exactly `name` first, then one of `org`, then the first. */
static const char *bundled_by_core(const char *models_dir, const char *org, const char *name)
{
    const char *hit = NULL;
    char core[AIC_MODEL_ID_MAX], c[AIC_MODEL_ID_MAX], ver[AIC_MODEL_ID_MAX], cver[AIC_MODEL_ID_MAX];
    int best = -1, count = aic_model_bundled_count(models_dir);

    core_name(name, core, sizeof(core), ver, sizeof(ver));
    for (int i = 0; i < count; i++) {
        const char *id = aic_model_bundled_id(models_dir, i), *slash = strchr(id, '/');
        if (!slash)
            continue;
        core_name(slash + 1, c, sizeof(c), cver, sizeof(cver));
        if (strcasecmp(c, core) || (*ver && *cver && strcasecmp(ver, cver)))
            continue;
        int score = 2 * !strcasecmp(slash + 1, name) +
                    (!strncasecmp(id, org, (size_t)(slash - id)) && !org[slash - id]);
        if (score > best) {
            best = score;
            hit = id;
        }
    }
    return hit;
}

/* The quantization suffix `name` ends with (index into quant_suffixes), else -1. */
static int quant_suffix(const char *name)
{
    for (size_t i = 0; i < sizeof(quant_suffixes) / sizeof(quant_suffixes[0]); i++)
        if (ends_with(name, quant_suffixes[i].suffix))
            return (int)i;
    return -1;
}

static int quant_of_suffix(const char *org, int cq)
{
    if (cq >= 0)
        return cq;
    for (size_t i = 0; i < sizeof(static_fp8_orgs) / sizeof(static_fp8_orgs[0]); i++)
        if (!strcasecmp(org, static_fp8_orgs[i]))
            return CQ_FP8_STATIC;
    for (size_t i = 0; i < sizeof(dynamic_fp8_orgs) / sizeof(dynamic_fp8_orgs[0]); i++)
        if (!strcasecmp(org, dynamic_fp8_orgs[i]))
            return CQ_FP8;
    return CQ_FP8_BLOCK;
}

const char *model_variant_base(const char *models_dir, const char *id, int *cq)
{
    char org[AIC_MODEL_ID_MAX], name[AIC_MODEL_ID_MAX];
    const char *slash = strchr(id, '/'), *hit;
    size_t k;
    int q;

    *cq = -1;
    if (!slash || slash == id || (size_t)(slash - id) >= sizeof(org))
        return NULL;
    snprintf(org, sizeof(org), "%.*s", (int)(slash - id), id);
    aic_strlcpy(name, slash + 1, sizeof(name));
    if ((q = quant_suffix(name)) < 0 && (k = tag_len(name)) && name[strlen(name) - k + 1] == 'v') {
        /* a republish revision after the quantization suffix: "DeepSeek-R1-0528-FP4-v2" */
        char rest[AIC_MODEL_ID_MAX];
        snprintf(rest, sizeof(rest), "%.*s", (int)(strlen(name) - k), name);
        if ((q = quant_suffix(rest)) >= 0)
            aic_strlcpy(name, rest, sizeof(name));
    }
    if (q >= 0) {
        name[strlen(name) - strlen(quant_suffixes[q].suffix)] = 0;
        *cq = quant_of_suffix(org, quant_suffixes[q].cq);
    }
    hit = bundled_by_core(models_dir, org, name);
    return hit && strcasecmp(hit, id) ? hit : NULL;
}
