/*
 * model.h - a model description built from a Hugging Face config.json.
 *
 * A model is found by (in order): a local directory holding config.json (and optionally
 * hf_quant_config.json), a path to a config.json file, a bundled Hugging Face id
 * (data/models/<org>--<name>/config.json), or a legacy internal name (QWEN3_32B, ...).
 * Dimensions are whole-model values; parallel splitting happens in the engine.
 *
 * Ownership: struct aic_model is a plain value, filled by aic_model_load(); it holds no
 * pointers and needs no release.
 */
#ifndef AIC_MODEL_H
#define AIC_MODEL_H

#include "aiconfigurator/error.h"
#include "aiconfigurator/quant.h"

enum aic_family {
    AIC_FAMILY_DENSE = 0, /* dense GQA: Llama, Qwen2/2.5/3, Mistral, MiMo */
    AIC_FAMILY_GPT,       /* GPT-style: non-gated MLP */
    AIC_FAMILY_MOE,       /* MoE with GQA attention: Mixtral, Qwen3-MoE, gpt-oss, MiniMax-M2 */
    AIC_FAMILY_MLA_MOE,   /* MLA attention + MoE: DeepSeek-V3/R1, Kimi-K2, GLM-5 (DSA as MLA) */
    AIC_FAMILY_COUNT
};

#define AIC_MODEL_ID_MAX 160

struct aic_model {
    char id[AIC_MODEL_ID_MAX]; /* Hugging Face id or the directory it came from */
    /* the bundled config a published variant's id was read from (e.g. nvidia/X-FP8 -> org/X,
     * see aic_model_load); empty when the id itself is bundled or a local config */
    char config_of[AIC_MODEL_ID_MAX];
    char architecture[64]; /* architectures[0] */
    enum aic_family family;

    int num_layers;   /* L */
    int hidden_size;  /* h */
    int num_heads;    /* n (query heads) */
    int num_kv_heads; /* n_kv */
    int head_dim;     /* d */
    int inter_size;   /* dense MLP intermediate size */
    int vocab_size;   /* V */
    int max_position_embeddings;
    int qk_norm; /* 1: Qwen3-style per-head q/k RMSNorm; 2: RMSNorm over all of q and k
                  * (MiniMax-M2 "per_layer"), whose TP shards exchange partial sums */

    /* MoE (0 when dense) */
    int num_experts;    /* E, routed */
    int topk;           /* experts per token */
    int moe_inter_size; /* I_e */
    int num_shared_experts;
    /* layers with a dense MLP (inter_size) in place of the MoE block: DeepSeek's leading
     * first_k_dense_replace ones, Llama 4 Maverick's interleaved ones */
    int first_k_dense;

    /* MLA (0 when not MLA) */
    int q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim;
    /* DeepSeek sparse attention (GLM-5, DeepSeek-V3.2): the indexer's heads and head dim, and
     * the keys each query attends to; 0 = dense attention */
    int index_heads, index_head_dim, index_topk;

    /* Attention variants */
    int sliding_window;         /* tokens; 0 = none */
    int num_sliding_layers;     /* layers using the sliding window (gpt-oss: L/2) */
    int num_linear_attn_layers; /* layers with linear attention */
    /* Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5): key/value heads and dims, causal
     * conv width; 0 when the config has none (linear layers are then modelled as windowed) */
    int lin_k_heads, lin_v_heads, lin_k_dim, lin_v_dim, lin_conv;
    int attn_output_gate; /* full-attention q projection also yields a sigmoid output gate */

    int num_nextn_predict_layers; /* MTP layers in the checkpoint */
    /* tie_word_embeddings: the LM head is the embedding matrix (stored once); absent, the
     * architecture's default (GPT-2 and GPTBigCode tie, the others do not) */
    int tie_word_embeddings;

    /* Quantization of the checkpoint (AIC_Q_BF16 when not quantized) */
    enum aic_quant gemm_quant, moe_quant, kv_quant, fmha_quant;
};

/*
 * Loads a model. `name` is a directory, a config.json path, a bundled HF id, a published
 * variant of one (a quantization suffix -FP8, -FP8-dynamic, -FP4, -NVFP4, -AWQ, -GPTQ-Int4,
 * -GPTQ-Int8, optionally followed by a revision -v2; release suffixes -Instruct, -Chat, -Base,
 * -hf, -2507, -v0.3 ...; another organisation's republish: config_of names the bundled config, the
 * suffix sets the quantization) or a legacy name. `models_dir` is the bundled configs folder (NULL:
 * the built-in default, which the environment variable AIC_MODELS_DIR overrides). An unknown id
 * fails with AIC_ERR_USAGE and a message naming the closest bundled ids; a name that reads as a
 * path (/, ./, ../ or ~ first, a .json file, or two '/' or more) and does not exist fails with
 * AIC_ERR_NOTFOUND ("no such model directory"). A malformed config: AIC_ERR_PARSE.
 */
int aic_model_load(const char *name, const char *models_dir, struct aic_model *out,
                   struct aic_error *err);

/* Parses config.json text (and optional hf_quant_config.json text, may be NULL). */
int aic_model_parse(const char *config_json, const char *quant_json, const char *id,
                    struct aic_model *out, struct aic_error *err);

/* Name of a family ("dense", "gpt", "moe", "mla_moe"). */
const char *aic_family_name(enum aic_family f);

/* Number of bundled model ids and the i-th one (sorted), for listings. */
int aic_model_bundled_count(const char *models_dir);
const char *aic_model_bundled_id(const char *models_dir, int i);

/* The directory holding bundled data (models/, systems/, empirical/): env AIC_DATA_DIR,
 * else the compiled-in source data folder. Static storage. */
const char *aic_data_dir(void);

#endif
