/*
 * model_parse.c - turns the text of a Hugging Face config.json (and the optional
 * hf_quant_config.json) into a struct aic_model: family from one architecture table,
 * dimensions under their several spellings, attention variants, tied embeddings and the
 * checkpoint's default quantization. Values no model has (a string or fraction for a count, a
 * negative or zero head count, an integer beyond int, query heads not a multiple of KV heads, an
 * unknown quant_algo, a tie_word_embeddings that is not true or false) are refused with the key
 * and the file named (AIC_ERR_PARSE).
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aiconfigurator/model.h"
#include "model/model_internal.h"
#include "util/util.h"

/* Architecture string -> family. `qk_norm` marks per-head q/k RMSNorm (Qwen3 style);
 * `shared`: shared experts every MoE layer has without the config naming them (Llama 4). */
static const struct arch_row {
    const char *arch;
    enum aic_family family;
    int qk_norm, shared;
} arch_table[] = {
    {"LlamaForCausalLM", AIC_FAMILY_DENSE, 0, 0},
    {"MistralForCausalLM", AIC_FAMILY_DENSE, 0, 0},
    {"Qwen2ForCausalLM", AIC_FAMILY_DENSE, 0, 0},
    {"Qwen3ForCausalLM", AIC_FAMILY_DENSE, 1, 0},
    {"MiMoForCausalLM", AIC_FAMILY_DENSE, 0, 0},
    {"Phi3ForCausalLM", AIC_FAMILY_DENSE, 0, 0},
    {"Qwen3_5ForConditionalGeneration", AIC_FAMILY_DENSE, 1, 0},
    {"Qwen3VLForConditionalGeneration", AIC_FAMILY_DENSE, 1, 0},
    {"GPT2LMHeadModel", AIC_FAMILY_GPT, 0, 0},
    {"GPTBigCodeForCausalLM", AIC_FAMILY_GPT, 0, 0},
    {"GPTNeoXForCausalLM", AIC_FAMILY_GPT, 0, 0},
    {"MixtralForCausalLM", AIC_FAMILY_MOE, 0, 0},
    {"Qwen2MoeForCausalLM", AIC_FAMILY_MOE, 0, 0},
    {"Qwen3MoeForCausalLM", AIC_FAMILY_MOE, 1, 0},
    {"Qwen3NextForCausalLM", AIC_FAMILY_MOE, 1, 0},
    {"Qwen3_5MoeForConditionalGeneration", AIC_FAMILY_MOE, 1, 0},
    {"Qwen3_5MoeForCausalLM", AIC_FAMILY_MOE, 1, 0},
    {"Qwen3VLMoeForConditionalGeneration", AIC_FAMILY_MOE, 1, 0},
    {"GptOssForCausalLM", AIC_FAMILY_MOE, 0, 0},
    {"MiniMaxM2ForCausalLM", AIC_FAMILY_MOE, 0, 0},
    {"Glm4MoeForCausalLM", AIC_FAMILY_MOE, 0, 0},
    {"Llama4ForConditionalGeneration", AIC_FAMILY_MOE, 0, 1},
    {"DeepseekV2ForCausalLM", AIC_FAMILY_MLA_MOE, 0, 0},
    {"DeepseekV3ForCausalLM", AIC_FAMILY_MLA_MOE, 0, 0},
    {"DeepSeekForCausalLM", AIC_FAMILY_MLA_MOE, 0, 0},
    {"DeepseekV32ForCausalLM", AIC_FAMILY_MLA_MOE, 0, 0},
    {"KimiK25ForConditionalGeneration", AIC_FAMILY_MLA_MOE, 0, 0},
    {"GlmMoeDsaForCausalLM", AIC_FAMILY_MLA_MOE, 0, 0},
};

static const char *const family_names[AIC_FAMILY_COUNT] = {"dense", "gpt", "moe", "mla_moe"};

const char *aic_family_name(enum aic_family f)
{
    return (f >= 0 && f < AIC_FAMILY_COUNT) ? family_names[f] : "unknown";
}

static const struct arch_row *arch_lookup(const char *arch)
{
    for (size_t i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++)
        if (strcmp(arch_table[i].arch, arch) == 0)
            return &arch_table[i];
    return NULL;
}

static int unsupported_arch(const char *id, const char *arch, struct aic_error *err)
{
    struct aic_buf b = {0};
    for (size_t i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++)
        aic_buf_printf(&b, "%s%s", i ? ", " : "", arch_table[i].arch);
    aic_err(err, AIC_ERR_USAGE, "model '%s': architecture '%s' is not supported; supported: %s", id,
            arch, aic_buf_str(&b));
    aic_buf_release(&b);
    return AIC_ERR_USAGE;
}

/* ---- small JSON readers -------------------------------------------------------------- */

/* Where a config is being read, and the first error met while reading it (sticky: the readers
 * below record only the first, and parsing stops at the next check of rc). */
struct pctx {
    const char *file, *id;
    struct aic_error *err;
    int rc;
};

/* Records "'key' <what> (got <value>)" as p's error unless one is already there. */
static void pfail(struct pctx *p, const char *what, const char *key, const json_t *v)
{
    char val[48];
    if (p->rc)
        return;
    if (json_is_integer(v))
        snprintf(val, sizeof(val), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(val, sizeof(val), "%g", json_number_value(v));
    p->rc = aic_err(p->err, AIC_ERR_PARSE, "%s of model '%s': '%s' %s (got %s); fix the config",
                    p->file, p->id, key, what, val);
}

/*
 * The shared numeric getter: the first key of the NULL-terminated list present with a
 * non-null value must be a whole number within int range and >= min. Returns 1 with *out set
 * when found and valid, 0 when absent (*out untouched) or invalid (error recorded in p).
 */
static int get_int(struct pctx *p, const json_t *obj, const char *const *keys, int min, int *out)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(obj, *keys);
        double d;
        if (!v || json_is_null(v))
            continue;
        if (!json_is_number(v)) {
            if (!p->rc)
                p->rc = aic_err(p->err, AIC_ERR_PARSE,
                                "%s of model '%s': '%s' must be a number, not %s; fix the config",
                                p->file, p->id, *keys,
                                json_is_string(v)    ? "a string"
                                : json_is_boolean(v) ? "true/false"
                                                     : "an array or object");
            return 0;
        }
        d = json_number_value(v);
        if (d < INT_MIN || d > INT_MAX)
            pfail(p, "is out of range for an integer", *keys, v);
        else if (d != (double)(int)d)
            pfail(p, "must be a whole number", *keys, v);
        else if (d < min)
            pfail(p, min > 0 ? "must be positive" : "must not be negative", *keys, v);
        else
            return *out = (int)d, 1;
        return 0;
    }
    return 0;
}

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

static int opt_int(struct pctx *p, const json_t *obj, const char *const *keys, int min, int dflt)
{
    int v;
    return get_int(p, obj, keys, min, &v) ? v : dflt;
}

/* A required key (its first spelling named when absent); positive. */
static void req_int(struct pctx *p, const json_t *obj, const char *const *keys, int *out)
{
    if (!get_int(p, obj, keys, 1, out) && !p->rc)
        p->rc = aic_err(p->err, AIC_ERR_PARSE, "%s of model '%s' has no '%s' (required)", p->file,
                        p->id, keys[0]);
}

static const char *json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Reads JSON text; a syntax error becomes AIC_ERR_PARSE with line and column. */
static json_t *load_json(const char *text, const char *file, const char *id, struct aic_error *err)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    if (!root) {
        aic_err(err, AIC_ERR_PARSE, "%s of model '%s': malformed JSON at line %d, column %d: %s",
                file, id, je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        aic_err(err, AIC_ERR_PARSE, "%s of model '%s': expected a JSON object at top level", file,
                id);
        return NULL;
    }
    return root;
}

/* ---- dimensions ---------------------------------------------------------------------- */

static int parse_dims(struct pctx *p, const json_t *c, struct aic_model *m)
{
    req_int(p, c, KEYS("num_hidden_layers", "n_layer", "num_layers"), &m->num_layers);
    req_int(p, c, KEYS("hidden_size", "n_embd", "d_model"), &m->hidden_size);
    req_int(p, c, KEYS("num_attention_heads", "n_head"), &m->num_heads);
    req_int(p, c, KEYS("vocab_size"), &m->vocab_size);
    if (p->rc)
        return p->rc;
    m->num_kv_heads = opt_int(p, c, KEYS("num_key_value_heads", "num_kv_heads"), 1, m->num_heads);
    if (json_is_true(json_object_get(c, "multi_query")))
        m->num_kv_heads = 1;
    m->head_dim = opt_int(p, c, KEYS("head_dim", "attention_head_dim"), 1, 0);
    if (m->head_dim <= 0)
        m->head_dim = m->hidden_size / m->num_heads;
    m->max_position_embeddings =
        opt_int(p, c, KEYS("max_position_embeddings", "n_positions", "seq_length"), 0, 0);
    m->inter_size = opt_int(p, c, KEYS("intermediate_size", "n_inner", "ffn_hidden_size"), 0, 0);
    if (m->inter_size <= 0 && m->family == AIC_FAMILY_GPT)
        m->inter_size = 4 * m->hidden_size;
    m->num_nextn_predict_layers =
        opt_int(p, c, KEYS("num_nextn_predict_layers", "mtp_num_hidden_layers"), 0, 0);
    if (json_is_true(json_object_get(c, "use_qk_norm"))) {
        const char *t = json_str(c, "qk_norm_type");
        m->qk_norm = t && !strcmp(t, "per_layer") ? 2 : 1;
    }
    return p->rc;
}

static int parse_moe(struct pctx *p, const json_t *c, struct aic_model *m)
{
    int shared_inter = opt_int(p, c, KEYS("shared_expert_intermediate_size"), 0, 0);
    m->num_experts = opt_int(
        p, c, KEYS("num_local_experts", "n_routed_experts", "moe_num_experts", "num_experts"), 1,
        0);
    m->topk = opt_int(
        p, c, KEYS("num_experts_per_tok", "experts_per_token", "top_k_experts", "moe_top_k"), 1, 0);
    m->moe_inter_size = opt_int(p, c, KEYS("moe_intermediate_size"), 1, 0);
    m->num_shared_experts = opt_int(p, c, KEYS("n_shared_experts", "num_shared_experts"), 0, 0);
    if (m->num_shared_experts == 0 && shared_inter > 0)
        m->num_shared_experts = 1;
    m->first_k_dense = opt_int(p, c, KEYS("first_k_dense_replace"), 0, 0);
    if (p->rc)
        return p->rc;
    if (m->family == AIC_FAMILY_MLA_MOE) { /* DeepSeek-V3 geometry when a field is absent */
        if (!m->num_experts)
            m->num_experts = 256;
        if (!m->topk)
            m->topk = 8;
        if (!m->moe_inter_size)
            m->moe_inter_size = 2048;
        if (!json_object_get(c, "n_shared_experts"))
            m->num_shared_experts = 1;
    }
    if (!m->moe_inter_size)
        m->moe_inter_size = m->inter_size;
    if (m->inter_size <= 0)
        m->inter_size = m->moe_inter_size;
    if (m->num_experts <= 0 || m->topk <= 0 || m->moe_inter_size <= 0)
        return aic_err(p->err, AIC_ERR_PARSE, "%s of model '%s' (MoE) needs '%s', '%s' and '%s'",
                       p->file, p->id, "num_local_experts", "num_experts_per_tok",
                       "moe_intermediate_size");
    if (m->topk > m->num_experts)
        return aic_err(p->err, AIC_ERR_PARSE,
                       "%s of model '%s': num_experts_per_tok %d exceeds the "
                       "%d experts",
                       p->file, p->id, m->topk, m->num_experts);
    return AIC_OK;
}

/*
 * Llama 4: MoE layers listed in moe_layers, else every interleave_moe_layer_step-th layer; the
 * others are dense MLP layers of intermediate_size_mlp (Maverick: 24 of 48), counted in
 * first_k_dense (the op lists need their number, not their place). The routed experts and the
 * shared expert keep intermediate_size (moe_inter_size).
 */
static void parse_interleaved_moe(struct pctx *p, const json_t *c, struct aic_model *m)
{
    const json_t *list = json_object_get(c, "moe_layers");
    int step = opt_int(p, c, KEYS("interleave_moe_layer_step"), 1, 0);
    int moe, mlp = opt_int(p, c, KEYS("intermediate_size_mlp"), 1, 0);

    if (json_is_array(list) && json_array_size(list) > 0)
        moe = (int)json_array_size(list);
    else if (step > 0)
        moe = m->num_layers / step;
    else
        return;
    if (moe <= 0 || moe >= m->num_layers || mlp <= 0 || p->rc)
        return;
    m->first_k_dense = m->num_layers - moe;
    m->inter_size = mlp;
}

static void parse_mla(struct pctx *p, const json_t *c, struct aic_model *m)
{
    m->q_lora_rank =
        opt_int(p, c, KEYS("q_lora_rank"), 0, json_object_get(c, "q_lora_rank") ? 0 : 1536);
    m->kv_lora_rank = opt_int(p, c, KEYS("kv_lora_rank"), 1, 512);
    m->qk_nope_head_dim = opt_int(p, c, KEYS("qk_nope_head_dim"), 1, 128);
    m->qk_rope_head_dim = opt_int(p, c, KEYS("qk_rope_head_dim"), 1, 64);
    m->v_head_dim = opt_int(p, c, KEYS("v_head_dim"), 1, 128);
    m->index_heads = opt_int(p, c, KEYS("index_n_heads"), 0, 0);
    m->index_head_dim = opt_int(p, c, KEYS("index_head_dim"), 0, 0);
    m->index_topk = opt_int(p, c, KEYS("index_topk"), 0, 0);
    if (m->index_heads <= 0 || m->index_head_dim <= 0 || m->index_topk <= 0)
        m->index_heads = m->index_head_dim = m->index_topk = 0;
}

/* Layers of Llama 4's chunked attention: the RoPE layers (no_rope_layers 1), else all but every
 * no_rope_layer_interval-th (default 4); these attend within attention_chunk_size tokens. */
static int chunked_layers(struct pctx *p, const json_t *c, const struct aic_model *m)
{
    const json_t *rope = json_object_get(c, "no_rope_layers"), *v;
    int n = 0, interval;
    size_t i;

    if (json_is_array(rope) && json_array_size(rope) > 0) {
        json_array_foreach(rope, i, v) n += json_is_integer(v) && json_integer_value(v) != 0;
        return n < m->num_layers ? n : m->num_layers;
    }
    interval = opt_int(p, c, KEYS("no_rope_layer_interval"), 1, 4);
    return m->num_layers - m->num_layers / interval;
}

/* Architectures whose config class ties the LM head to the embedding unless the config says
 * otherwise (transformers' PretrainedConfig default, kept by GPT-2 and GPTBigCode; the other
 * architectures here default to untied). */
static const char *const tied_by_default[] = {"GPT2LMHeadModel", "GPTBigCodeForCausalLM"};

/* tie_word_embeddings of the language model's config (text_config of a wrapper), else of the
 * top level, else the architecture's default; anything but true, false or null is an error. */
static void parse_tied(struct pctx *p, const json_t *root, const json_t *c, struct aic_model *m)
{
    const json_t *v = json_object_get(c, "tie_word_embeddings");

    if (!v || json_is_null(v))
        v = json_object_get(root, "tie_word_embeddings");
    if (v && !json_is_null(v)) {
        if (json_is_boolean(v))
            m->tie_word_embeddings = json_is_true(v);
        else if (!p->rc)
            p->rc = aic_err(p->err, AIC_ERR_PARSE,
                            "%s of model '%s': 'tie_word_embeddings' must be true or false, not "
                            "%s; fix the config",
                            p->file, p->id, model_json_kind(v));
        return;
    }
    for (size_t i = 0; i < sizeof(tied_by_default) / sizeof(tied_by_default[0]); i++)
        if (!strcmp(m->architecture, tied_by_default[i]))
            m->tie_word_embeddings = 1;
}

/* Sliding-window and linear-attention layers from layer_types / sliding_window. Chunked
 * attention (attention_chunk_size, Llama 4) is modelled as a window of the chunk size. */
static void parse_attention_variants(struct pctx *p, const json_t *c, struct aic_model *m)
{
    json_t *types = json_object_get(c, "layer_types");
    json_t *use_sw = json_object_get(c, "use_sliding_window");
    int window = opt_int(p, c, KEYS("sliding_window"), 0, 0);
    int interval = opt_int(p, c, KEYS("full_attention_interval"), 0, 0);
    int chunk = opt_int(p, c, KEYS("attention_chunk_size"), 0, 0);

    if (window <= 0 && chunk > 0)
        window = chunk;
    else
        chunk = 0;

    if (json_is_array(types) && json_array_size(types) > 0) {
        size_t i;
        json_t *t;
        json_array_foreach(types, i, t)
        {
            const char *s = json_string_value(t);
            if (!s)
                continue;
            if (strstr(s, "sliding") || strstr(s, "chunked"))
                m->num_sliding_layers++;
            else if (strstr(s, "linear"))
                m->num_linear_attn_layers++;
        }
    } else if (interval > 1) {
        m->num_linear_attn_layers = m->num_layers - m->num_layers / interval;
    } else if (chunk > 0) {
        m->num_sliding_layers = chunked_layers(p, c, m);
    } else if (window > 0 && !json_is_false(use_sw) &&
               (m->max_position_embeddings == 0 || window < m->max_position_embeddings)) {
        m->num_sliding_layers = m->num_layers; /* Mistral-style: every layer windowed */
    }
    m->lin_k_heads = opt_int(p, c, KEYS("linear_num_key_heads"), 0, 0);
    m->lin_v_heads = opt_int(p, c, KEYS("linear_num_value_heads"), 0, 0);
    m->lin_k_dim = opt_int(p, c, KEYS("linear_key_head_dim"), 0, 0);
    m->lin_v_dim = opt_int(p, c, KEYS("linear_value_head_dim"), 0, 0);
    m->lin_conv = opt_int(p, c, KEYS("linear_conv_kernel_dim"), 0, 4);
    if (m->num_linear_attn_layers == 0 || m->lin_k_heads <= 0 || m->lin_v_heads <= 0 ||
        m->lin_k_dim <= 0 || m->lin_v_dim <= 0)
        m->lin_k_heads = m->lin_v_heads = m->lin_k_dim = m->lin_v_dim = m->lin_conv = 0;
    m->attn_output_gate = json_is_true(json_object_get(c, "attn_output_gate"));
    if (json_is_false(use_sw) || m->num_sliding_layers == 0)
        m->num_sliding_layers = 0;
    m->sliding_window = m->num_sliding_layers > 0 ? window : 0;
    if (m->num_sliding_layers > 0 && window <= 0)
        m->num_sliding_layers = 0;
}

/* ---- quantization defaults ----------------------------------------------------------- */

/* Per quant kind: gemm, moe, and whether attention/KV go fp8. */
static const struct {
    enum aic_quant gemm, moe;
    int fp8_attn;
} ckpt_map[] = {
    [CQ_NONE] = {AIC_Q_BF16, AIC_Q_BF16, 0},
    [CQ_FP8] = {AIC_Q_FP8, AIC_Q_FP8, 1},
    [CQ_FP8_STATIC] = {AIC_Q_FP8_STATIC, AIC_Q_FP8, 1},
    [CQ_FP8_BLOCK] = {AIC_Q_FP8_BLOCK, AIC_Q_FP8_BLOCK, 1},
    [CQ_NVFP4] = {AIC_Q_NVFP4, AIC_Q_NVFP4, 1},
    [CQ_MXFP4] = {AIC_Q_BF16, AIC_Q_W4A16_MXFP4, 0},
    [CQ_INT4_WO] = {AIC_Q_BF16, AIC_Q_INT4_WO, 0},
    [CQ_INT4_ALL] = {AIC_Q_INT4_WO, AIC_Q_INT4_WO, 0},
    [CQ_INT8_WO] = {AIC_Q_INT8_WO, AIC_Q_INT8_WO, 0},
    [CQ_SQ] = {AIC_Q_SQ, AIC_Q_INT8_WO, 0},
};

/* quant_algo strings of NVIDIA ModelOpt (hf_quant_config.json or quantization_config);
 * `prefix`: also every NVFP4_* spelling (NVFP4_AWQ, ...). */
static const struct {
    const char *algo;
    enum ckpt_quant cq;
    int prefix;
} algo_table[] = {
    {"FP8", CQ_FP8, 0},
    {"FP8_PER_CHANNEL_PER_TOKEN", CQ_FP8, 0},
    {"FP8_BLOCK", CQ_FP8_BLOCK, 0},
    {"FP8_BLOCK_SCALES", CQ_FP8_BLOCK, 0},
    {"NVFP4", CQ_NVFP4, 1},
    {"MXFP4", CQ_MXFP4, 0},
    {"W4A16_AWQ", CQ_INT4_ALL, 0},
    {"INT4_AWQ", CQ_INT4_ALL, 0},
};

/* quantization_config quant_method values; any other needs a known quant_algo beside it. */
static const char *const known_methods[] = {"fp8", "mxfp4", "compressed-tensors",
                                            "awq", "gptq",  "modelopt"};

/* The checkpoint kind a quant_algo names (NULL: none); an unknown one is an error naming the
 * accepted spellings. */
static enum ckpt_quant from_algo(struct pctx *p, const char *algo)
{
    struct aic_buf b = {0};

    if (!algo)
        return CQ_NONE;
    for (size_t i = 0; i < sizeof(algo_table) / sizeof(algo_table[0]); i++) {
        const char *t = algo_table[i].algo;
        if (!strcasecmp(algo, t) || (algo_table[i].prefix && !strncasecmp(algo, t, strlen(t))))
            return algo_table[i].cq;
    }
    for (size_t i = 0; i < sizeof(algo_table) / sizeof(algo_table[0]); i++)
        aic_buf_printf(&b, "%s%s%s", i ? ", " : "", algo_table[i].algo,
                       algo_table[i].prefix ? " (and NVFP4_*)" : "");
    if (!p->rc)
        p->rc = aic_err(p->err, AIC_ERR_PARSE,
                        "%s of model '%s': quant_algo '%s' is not supported; accepted: %s", p->file,
                        p->id, algo, aic_buf_str(&b));
    aic_buf_release(&b);
    return CQ_NONE;
}

/* The way out of a quantization_config that is not read, at the end of every such error. */
#define QUANT_FLAGS_HINT                                                                           \
    "remove quantization_config (in a copy) and give --gemm-quant-mode, --moe-quant-mode, "        \
    "--kvcache-quant-mode"

/* compressed-tensors (model_ct.c); *kv_algo becomes "FP8" when its kv_cache_scheme is. A
 * scheme not read names itself and the way to estimate the model anyway; a malformed config
 * names the key to fix. */
static enum ckpt_quant from_compressed_tensors(struct pctx *p, const json_t *qc,
                                               const char **kv_algo)
{
    enum ckpt_quant cq;
    char why[512];
    int kv_fp8, rc = model_ct_quant(qc, &cq, &kv_fp8, why, sizeof(why));

    if (rc) {
        if (!p->rc)
            p->rc = aic_err(p->err, AIC_ERR_PARSE, "%s of model '%s': %s; %s " QUANT_FLAGS_HINT,
                            p->file, p->id, why,
                            rc == -1 ? "to estimate it anyway," : "fix the config, or");
        return CQ_NONE;
    }
    if (kv_fp8)
        *kv_algo = "FP8";
    return cq;
}

static int known_method(const char *method)
{
    for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++)
        if (!strcasecmp(method, known_methods[i]))
            return 1;
    return 0;
}

/* AWQ and GPTQ checkpoints: integer weights of `bits` bits in every linear layer (attention
 * included; MoE ones too), 16-bit activations. */
static enum ckpt_quant integer_weights(struct pctx *p, const json_t *qc, const char *method)
{
    int bits = opt_int(p, qc, KEYS("bits", "w_bit"), 1, 4);

    if (bits == 4 || bits == 8)
        return bits == 4 ? CQ_INT4_ALL : CQ_INT8_WO;
    if (!p->rc)
        p->rc = aic_err(p->err, AIC_ERR_PARSE,
                        "%s of model '%s': %s with %d-bit weights is not supported; accepted: 4 "
                        "or 8 bits",
                        p->file, p->id, method, bits);
    return CQ_NONE;
}

/* quant_method modelopt names its scheme in a quant_algo, in config.json or in
 * hf_quant_config.json (hf_algo: that file has the key); with none the weights' format is
 * unknown. A quant_algo of null says "none" on purpose. */
static void modelopt_needs_algo(struct pctx *p, const json_t *qc, int hf_algo)
{
    const json_t *v = json_object_get(qc, "quant_algo");

    if (p->rc)
        return;
    if (v && !json_is_string(v) && !json_is_null(v))
        p->rc = aic_err(p->err, AIC_ERR_PARSE,
                        "%s of model '%s': quantization_config quant_algo must be a string (FP8, "
                        "NVFP4, ...), not %s; fix the config, or " QUANT_FLAGS_HINT,
                        p->file, p->id, model_json_kind(v));
    if (hf_algo || v)
        return;
    p->rc = aic_err(p->err, AIC_ERR_PARSE,
                    "%s of model '%s': quantization_config has quant_method 'modelopt' but no "
                    "quant_algo (nor does hf_quant_config.json); add its quant_algo (FP8, "
                    "FP8_BLOCK, NVFP4, MXFP4, W4A16_AWQ), or " QUANT_FLAGS_HINT,
                    p->file, p->id);
}

/* config.json's quantization_config: by quant_method, else by quant_algo (ModelOpt);
 * *kv_algo: the KV-cache algorithm a compressed-tensors kv_cache_scheme names; hf_algo:
 * hf_quant_config.json has a quant_algo key. */
static enum ckpt_quant from_quantization_config(struct pctx *p, const json_t *qc,
                                                const char **kv_algo, int hf_algo)
{
    const char *method = json_str(qc, "quant_method");
    const char *algo = json_str(qc, "quant_algo");
    if (!method)
        return from_algo(p, algo);
    if (!strcasecmp(method, "modelopt"))
        modelopt_needs_algo(p, qc, hf_algo);
    if (strcasecmp(method, "fp8") == 0) {
        const char *act = json_str(qc, "activation_scheme");
        if (json_object_get(qc, "weight_block_size") &&
            !json_is_null(json_object_get(qc, "weight_block_size")))
            return CQ_FP8_BLOCK;
        return (act && strcmp(act, "static") == 0) ? CQ_FP8_STATIC : CQ_FP8;
    }
    if (strcasecmp(method, "mxfp4") == 0)
        return CQ_MXFP4;
    if (strcasecmp(method, "compressed-tensors") == 0)
        return from_compressed_tensors(p, qc, kv_algo);
    if (!strcasecmp(method, "awq") || !strcasecmp(method, "gptq"))
        return integer_weights(p, qc, method);
    if (!algo && !known_method(method) && !p->rc)
        p->rc = aic_err(p->err, AIC_ERR_PARSE,
                        "%s of model '%s': quantization_config quant_method '%s' is not "
                        "supported; accepted: fp8, mxfp4, compressed-tensors, awq, gptq, modelopt "
                        "(with a quant_algo)",
                        p->file, p->id, method);
    return from_algo(p, algo); /* modelopt and friends */
}

void model_set_ckpt_quant(struct aic_model *m, enum ckpt_quant cq, const char *kv_algo)
{
    m->gemm_quant = ckpt_map[cq].gemm;
    m->moe_quant = ckpt_map[cq].moe;
    /* compressed-tensors int4 MoE checkpoints (Kimi K2) quantize the experts alone; a dense
     * one has nothing else (AWQ and GPTQ quantize every linear layer: CQ_INT4_ALL) */
    if (cq == CQ_INT4_WO && m->family != AIC_FAMILY_MOE && m->family != AIC_FAMILY_MLA_MOE)
        m->gemm_quant = AIC_Q_INT4_WO;
    if (ckpt_map[cq].fp8_attn || (kv_algo && strcasecmp(kv_algo, "FP8") == 0)) {
        m->kv_quant = AIC_Q_FP8;
        m->fmha_quant = AIC_Q_FP8;
    } else {
        m->kv_quant = AIC_Q_BF16;
        m->fmha_quant = AIC_Q_BF16;
    }
}

/* hf_quant_config.json first (pq names it), then config.json's quantization_config (pc). */
static int apply_quant_defaults(struct pctx *pc, struct pctx *pq, const json_t *qc,
                                const json_t *hfq, struct aic_model *m)
{
    const json_t *hq = json_object_get(hfq, "quantization");
    enum ckpt_quant cq = CQ_NONE;
    const char *kv_algo = NULL, *ct_kv = NULL;
    const struct pctx *kv_from = pq;

    if (hq) {
        cq = from_algo(pq, json_str(hq, "quant_algo"));
        kv_algo = json_str(hq, "kv_cache_quant_algo");
        if (pq->rc)
            return pq->rc;
    }
    if (cq == CQ_NONE && qc) {
        cq = from_quantization_config(pc, qc, &ct_kv, json_object_get(hq, "quant_algo") != NULL);
        if (!kv_algo && (kv_algo = ct_kv ? ct_kv : json_str(qc, "kv_cache_quant_algo")))
            kv_from = pc;
        if (pc->rc)
            return pc->rc;
    }
    if (kv_algo && strcasecmp(kv_algo, "FP8") && strcasecmp(kv_algo, "NONE") &&
        strcasecmp(kv_algo, "BF16") && strcasecmp(kv_algo, "FP16"))
        return aic_err(pc->err, AIC_ERR_PARSE,
                       "%s of model '%s': kv_cache_quant_algo '%s' is not supported; accepted: "
                       "FP8, NONE (16-bit)",
                       kv_from->file, kv_from->id, kv_algo);
    model_set_ckpt_quant(m, cq, kv_algo);
    return AIC_OK;
}

/* ---- entry point --------------------------------------------------------------------- */

/* The object holding the language model's fields: text_config for multimodal wrappers. */
static const json_t *text_part(const json_t *root)
{
    const json_t *t = json_object_get(root, "text_config");
    if (json_is_object(t) && json_object_get(t, "num_hidden_layers"))
        return t;
    t = json_object_get(root, "llm_config");
    if (json_is_object(t) && json_object_get(t, "num_hidden_layers"))
        return t;
    return root;
}

static const char *first_architecture(const json_t *root, const json_t *cfg)
{
    json_t *a = json_object_get(root, "architectures");
    if (!json_is_array(a) || json_array_size(a) == 0)
        a = json_object_get(cfg, "architectures");
    if (json_is_array(a) && json_array_size(a) > 0 && json_is_string(json_array_get(a, 0)))
        return json_string_value(json_array_get(a, 0));
    return NULL;
}

/* Every dimension within what any model has, far below what products of them could
 * overflow in the op lists (the values as derived: head_dim from hidden_size / heads, ...);
 * query heads a multiple of KV heads (GQA). */
static int check_dims(struct pctx *p, const struct aic_model *m)
{
    const struct {
        const char *name;
        int v, min, max;
    } d[] = {
        {"num_hidden_layers", m->num_layers, 1, 10000},
        {"hidden_size", m->hidden_size, 1, 1 << 18},
        {"num_attention_heads", m->num_heads, 1, 1 << 14},
        {"num_key_value_heads", m->num_kv_heads, 1, 1 << 14},
        {"head_dim", m->head_dim, 1, 1 << 14},
        {"intermediate_size", m->inter_size, 1, 1 << 22},
        {"vocab_size", m->vocab_size, 1, 1 << 24},
        {"max_position_embeddings", m->max_position_embeddings, 0, 1 << 30},
        {"num_experts", m->num_experts, 0, 1 << 16},
        {"num_experts_per_tok", m->topk, 0, 1 << 16},
        {"moe_intermediate_size", m->moe_inter_size, 0, 1 << 22},
        {"n_shared_experts", m->num_shared_experts, 0, 1 << 10},
        {"q_lora_rank", m->q_lora_rank, 0, 1 << 16},
        {"kv_lora_rank", m->kv_lora_rank, 0, 1 << 16},
        {"qk_nope_head_dim", m->qk_nope_head_dim, 0, 1 << 14},
        {"qk_rope_head_dim", m->qk_rope_head_dim, 0, 1 << 14},
        {"v_head_dim", m->v_head_dim, 0, 1 << 14},
        {"index_n_heads", m->index_heads, 0, 1 << 14},
        {"index_head_dim", m->index_head_dim, 0, 1 << 14},
        {"index_topk", m->index_topk, 0, 1 << 24},
        {"sliding_window", m->sliding_window, 0, 1 << 30},
        {"linear_num_key_heads", m->lin_k_heads, 0, 1 << 14},
        {"linear_num_value_heads", m->lin_v_heads, 0, 1 << 14},
        {"linear_key_head_dim", m->lin_k_dim, 0, 1 << 14},
        {"linear_value_head_dim", m->lin_v_dim, 0, 1 << 14},
        {"linear_conv_kernel_dim", m->lin_conv, 0, 1 << 10},
        {"num_nextn_predict_layers", m->num_nextn_predict_layers, 0, 64},
    };

    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        if (d[i].v < d[i].min || d[i].v > d[i].max)
            return aic_err(p->err, AIC_ERR_PARSE,
                           "%s of model '%s': %s = %d is out of range (%d to %d); fix the config",
                           p->file, p->id, d[i].name, d[i].v, d[i].min, d[i].max);
    if (m->num_heads % m->num_kv_heads)
        return aic_err(p->err, AIC_ERR_PARSE,
                       "%s of model '%s': num_attention_heads %d is not a multiple of "
                       "num_key_value_heads %d (grouped-query attention); fix the config",
                       p->file, p->id, m->num_heads, m->num_kv_heads);
    return AIC_OK;
}

/* Family and dimensions from config.json (pc), then the quantization (pq: the quant file). */
static int fill_model(const json_t *root, const json_t *hfq, struct pctx *pc, struct pctx *pq,
                      struct aic_model *m)
{
    const json_t *c = text_part(root);
    const char *arch = first_architecture(root, c);
    const struct arch_row *row;
    const json_t *qc;
    int rc;

    if (!arch)
        return aic_err(pc->err, AIC_ERR_PARSE, "%s of model '%s' has no 'architectures' (required)",
                       pc->file, pc->id);
    if (!(row = arch_lookup(arch)))
        return unsupported_arch(pc->id, arch, pc->err);
    aic_strlcpy(m->architecture, arch, sizeof(m->architecture));
    m->family = row->family;
    m->qk_norm = row->qk_norm;
    if ((rc = parse_dims(pc, c, m)))
        return rc;
    if (m->family == AIC_FAMILY_MOE || m->family == AIC_FAMILY_MLA_MOE) {
        if ((rc = parse_moe(pc, c, m)))
            return rc;
        if (row->shared && !m->num_shared_experts)
            m->num_shared_experts = row->shared;
        parse_interleaved_moe(pc, c, m);
    }
    if (m->inter_size <= 0)
        return aic_err(pc->err, AIC_ERR_PARSE, "%s of model '%s' needs a positive '%s' (required)",
                       pc->file, pc->id, "intermediate_size");
    if (m->family == AIC_FAMILY_MLA_MOE)
        parse_mla(pc, c, m);
    parse_attention_variants(pc, c, m);
    parse_tied(pc, root, c, m);
    if (pc->rc || (rc = check_dims(pc, m)))
        return pc->rc ? pc->rc : rc;
    qc = json_object_get(root, "quantization_config");
    if (!qc)
        qc = json_object_get(c, "quantization_config");
    if (qc && !json_is_null(qc) && !json_is_object(qc))
        return aic_err(pc->err, AIC_ERR_PARSE,
                       "%s of model '%s': quantization_config must be an object (quant_method, "
                       "...), not %s; fix the config, or " QUANT_FLAGS_HINT,
                       pc->file, pc->id, model_json_kind(qc));
    return apply_quant_defaults(pc, pq, json_is_object(qc) ? qc : NULL, hfq, m);
}

int aic_model_parse_named(const char *config_json, const char *quant_json, const char *id,
                          const char *cfg_file, const char *quant_file, struct aic_model *out,
                          struct aic_error *err)
{
    json_t *root, *hfq = NULL;
    struct pctx pc = {cfg_file, id ? id : "", err, AIC_OK};
    struct pctx pq = {quant_file, id ? id : "", err, AIC_OK};
    int rc;

    memset(out, 0, sizeof(*out));
    if (!id)
        id = "";
    aic_strlcpy(out->id, id, sizeof(out->id));
    if (!config_json)
        return aic_err(err, AIC_ERR_USAGE, "model '%s': no config.json text given", id);
    if (!(root = load_json(config_json, cfg_file, id, err)))
        return err ? err->code : AIC_ERR_PARSE;
    if (quant_json && !(hfq = load_json(quant_json, quant_file, id, err))) {
        json_decref(root);
        return err ? err->code : AIC_ERR_PARSE;
    }
    rc = fill_model(root, hfq, &pc, &pq, out);
    json_decref(root);
    json_decref(hfq);
    return rc;
}

int aic_model_parse(const char *config_json, const char *quant_json, const char *id,
                    struct aic_model *out, struct aic_error *err)
{
    return aic_model_parse_named(config_json, quant_json, id, "config.json", "hf_quant_config.json",
                                 out, err);
}
