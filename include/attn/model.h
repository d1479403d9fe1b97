/** @file
 * libattn models: a BERT encoder assembled from the public layers, with a
 * pooler and a sequence-classification head, Hugging Face compatible.
 *
 * Data path: input_ids/token_type_ids/attention_mask [B, T] -> embeddings
 * (word + position + token type, LayerNorm, dropout) -> N encoder blocks
 * (attention, dropout, add & LayerNorm, FFN, dropout, add & LayerNorm) ->
 * pooler tanh(W h[CLS] + b) -> dropout -> classifier logits [B, num_labels].
 *
 * By default only the real (unmasked) tokens are computed: rows of padding
 * are skipped entirely, which changes nothing for real tokens, the pooled
 * output or the logits, and leaves zeros in last_hidden_state's padded
 * rows. Set ATTN_MODEL_OPT_SKIP_PADDING to 0 to compute padded rows as
 * Hugging Face does (bit-for-bit comparable last_hidden_state everywhere).
 */
#ifndef ATTN_MODEL_H
#define ATTN_MODEL_H

#include "attn/layers.h"
#include "attn/io.h"
#include "attn/optim.h"
#include "attn/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The task of the classification head, which decides its loss. */
typedef enum attn_problem_type {
    ATTN_PROBLEM_SINGLE_LABEL = 0, /**< cross-entropy on class indices (num_labels > 1) */
    ATTN_PROBLEM_REGRESSION = 1,   /**< MSE (num_labels == 1) */
    ATTN_PROBLEM_MULTI_LABEL = 2   /**< BCE-with-logits on 0/1 targets [B, num_labels] */
} attn_problem_type;

/** How a sequence's hidden states become one vector (the pooled output, on
 *  which a classifier head sits and from which embeddings come). Modes 1..6
 *  have no parameters and are sentence-transformers' Pooling modes, computed
 *  as it does over the real (unmasked) tokens. */
typedef enum attn_pooling {
    ATTN_POOL_CLS_DENSE = 0, /**< BERT's pooler: tanh(W h[CLS] + b) */
    ATTN_POOL_CLS = 1,       /**< h[CLS] as is, no pooler parameters ("cls") */
    ATTN_POOL_MEAN = 2,      /**< mean of the real tokens' hidden states ("mean") */
    ATTN_POOL_MAX = 3,       /**< element-wise maximum over the real tokens ("max") */
    ATTN_POOL_MEAN_SQRT_LEN = 4, /**< sum of the real tokens / sqrt(their count) ("mean_sqrt_len_tokens") */
    ATTN_POOL_WEIGHTED_MEAN = 5, /**< mean weighted by position 1, 2, ... of each real token ("weightedmean") */
    ATTN_POOL_LAST_TOKEN = 6     /**< the last real token ("lasttoken") */
} attn_pooling;

/** Where each block's LayerNorms sit. */
typedef enum attn_norm_position {
    ATTN_NORM_POST = 0, /**< BERT: LN(x + sublayer(x)) */
    ATTN_NORM_PRE = 1   /**< x + sublayer(LN(x)), with a final LayerNorm */
} attn_norm_position;

/** Limits attn_bert_config_validate enforces (ATTN_ERR_LIMIT beyond them):
 *  far above every published BERT-family model, low enough that a config
 *  file cannot make size arithmetic overflow. */
#define ATTN_BERT_MAX_VOCAB 16777216
#define ATTN_BERT_MAX_HIDDEN 65536         /**< largest hidden_size */
#define ATTN_BERT_MAX_LAYERS 1024          /**< largest num_layers */
#define ATTN_BERT_MAX_INTERMEDIATE 1048576 /**< largest intermediate_size */
#define ATTN_BERT_MAX_POSITIONS 1048576    /**< largest max_position_embeddings */
#define ATTN_BERT_MAX_LABELS 1048576       /**< largest num_labels */

/** Model configuration. A versioned struct: set struct_size =
 *  sizeof(attn_bert_config) and fill it with attn_bert_config_init first;
 *  fields are only ever appended. */
typedef struct attn_bert_config {
    uint32_t struct_size;         /**< sizeof(attn_bert_config), set by attn_bert_config_init */
    int32_t vocab_size;           /**< rows of the word embedding table */
    int32_t hidden_size;          /**< H, width of every token's hidden state */
    int32_t num_layers;           /**< encoder blocks */
    int32_t num_heads;            /**< attention heads; must divide hidden_size */
    int32_t intermediate_size;    /**< inner size of the feed-forward block */
    int32_t max_position_embeddings; /**< longest sequence (rows of the position table) */
    int32_t type_vocab_size;      /**< token types (segments), 2 in BERT */
    int32_t hidden_act;           /**< attn_activation: ATTN_ACT_GELU ("gelu") or ATTN_ACT_GELU_TANH ("gelu_new") */
    float layer_norm_eps;         /**< epsilon inside every LayerNorm's square root */
    float hidden_dropout;         /**< dropout after embeddings and each sublayer */
    float attention_dropout;      /**< dropout on attention probabilities */
    float classifier_dropout;     /**< < 0: use hidden_dropout (HF's null) */
    float initializer_range;      /**< std of the normal init of weights */
    int32_t num_labels;           /**< 0 = no classifier head */
    int32_t problem_type;         /**< attn_problem_type */
    int32_t pooling;              /**< attn_pooling */
    int32_t norm_position;        /**< attn_norm_position */
    int32_t pad_token_id;         /**< id whose embedding row starts at zero */
} attn_bert_config;

/** Fills cfg with bert-base-uncased's values (30522/768/12/12/3072/512/2,
 *  gelu, eps 1e-12, dropouts 0.1, init 0.02, num_labels 2, single label,
 *  BERT pooler, post-LN). Sets struct_size. */
ATTN_API void attn_bert_config_init(attn_bert_config *cfg);
/** Reads a Hugging Face config.json into cfg (set cfg->struct_size first,
 *  e.g. with attn_bert_config_init; fields the file lacks keep their
 *  defaults; num_labels comes from id2label or num_labels; problem_type
 *  from "problem_type" when present). ATTN_ERR_FORMAT names the bad key. */
ATTN_API attn_status attn_bert_config_load(attn_ctx *ctx, const char *path, attn_bert_config *cfg);
/** Writes cfg as a Hugging Face config.json (BertForSequenceClassification),
 *  atomically. labels: NULL (names "LABEL_i") or num_labels names for
 *  id2label/label2id. Fields HF lacks (pooling, norm position) are written
 *  as "attn_pooling"/"attn_norm_position" only when not BERT's defaults. */
ATTN_API attn_status attn_bert_config_save(attn_ctx *ctx, const attn_bert_config *cfg,
                                           const char *const *labels, const char *path);
/** Copies the name of label index from a config.json's id2label into buf
 *  (NUL-terminated, truncated to size). ATTN_ERR_NOT_FOUND if absent. */
ATTN_API attn_status attn_bert_config_label(attn_ctx *ctx, const char *path, int32_t index, char *buf,
                                            size_t size);
/** Checks the values (positive sizes, heads dividing hidden, ...). */
ATTN_API attn_status attn_bert_config_validate(attn_ctx *ctx, const attn_bert_config *cfg);

/** Number of parameters a model of this configuration has (64-bit, no
 *  overflow within the limits above); -1 for an invalid configuration.
 *  attn_bert_create refuses, before allocating, a model whose parameters
 *  exceed the context's memory limit (ATTN_ERR_NOMEM giving the size). */
ATTN_API int64_t attn_bert_config_param_count(const attn_bert_config *cfg);

/** A BERT model: its layers, parameters, gradients and the outputs of the
 *  last forward. Opaque; freed by attn_model_destroy. */
typedef struct attn_model attn_model;

/** Builds a model with freshly initialised parameters (normal(0,
 *  initializer_range) weights, zero biases, LayerNorm 1/0) from the
 *  context's seeded RNG. */
ATTN_API attn_status attn_bert_create(attn_ctx *ctx, const attn_bert_config *cfg, attn_model **out);
/** Builds a model from a Hugging Face config.json and loads weights from a
 *  safetensors checkpoint (see attn_model_load_weights). */
ATTN_API attn_status attn_bert_load(attn_ctx *ctx, const char *weights_path, const char *config_path,
                                    attn_model **out);
/** NULL is a no-op. */
ATTN_API void attn_model_destroy(attn_model *model);
/** The configuration the model was built with (borrowed). */
ATTN_API const attn_bert_config *attn_model_config(const attn_model *model);

/** Loads parameters from a safetensors file. Names are accepted with and
 *  without the "bert." prefix and with legacy LayerNorm gamma/beta; a
 *  missing parameter is an error naming it, except the classifier and
 *  pooler, which keep their initialisation when allow_missing_head is 1
 *  and the file lacks them or has them in another shape (fine-tuning a
 *  pre-trained encoder for a new set of labels). Tensors of other models
 *  (e.g. "cls.predictions.*") are ignored; an encoder tensor the model has
 *  no place for (another depth or width) is ATTN_ERR_FORMAT naming it. */
ATTN_API attn_status attn_model_load_weights(attn_model *model, const char *path, int32_t allow_missing_head);
/** What the last load did besides reading tensors one for one, one note per
 *  line (borrowed, "" when there is nothing to say): heads or poolers in the
 *  file that the model does not use ("ignored: 2 tensors pooler.* (the
 *  pooling is mean)"), a masked-LM head skipped, a head the model has but the
 *  file lacks ("initialised: classifier.* (not in the file)"). */
ATTN_API const char *attn_model_load_notes(const attn_model *model);
/** Saves every parameter under Hugging Face BertForSequenceClassification
 *  names ("bert." prefix, "classifier.*") with __metadata__ {"format": "pt"},
 *  atomically (temporary file, fsync, rename). */
ATTN_API attn_status attn_model_save(attn_model *model, const char *path);

/** Number of parameter tensors (0 for NULL). */
ATTN_API int32_t attn_model_param_count(const attn_model *model);
/** Parameter i with its full HF name (borrowed; out pointers may be NULL).
 *  Gradients get their memory with the first backward, attn_model_add_to_optim
 *  or a call here that asks for one (zeroed; ATTN_ERR_NOMEM if it cannot be
 *  had), so a model used only for inference never holds them. */
ATTN_API attn_status attn_model_param(attn_model *model, int32_t i, const char **name, attn_tensor **value,
                                      attn_tensor **grad);
/** Finds a parameter by its HF name (with or without "bert."); a requested
 *  gradient gets its memory as in attn_model_param. */
ATTN_API attn_status attn_model_find_param(attn_model *model, const char *name, attn_tensor **value,
                                           attn_tensor **grad);
/** Sets every gradient to zero, split over the context's threads (gradients
 *  that have no memory yet read as zeros already and stay without). */
ATTN_API attn_status attn_model_zero_grad(attn_model *model);
/** 1 = training (dropout active), 0 = eval (default). */
ATTN_API attn_status attn_model_set_training(attn_model *model, int32_t training);

/** Integer settings of a model (attn_model_set_int). */
typedef enum attn_model_option {
    ATTN_MODEL_OPT_SKIP_PADDING = 1,  /**< 1 (default): compute only unmasked tokens; 0: every position */
    ATTN_MODEL_OPT_INFERENCE_ONLY = 2, /**< 1: forward keeps nothing for backward (the blocks share one work
                                           area: less memory; backward fails with ATTN_ERR_STATE); 0 (default) */
    ATTN_MODEL_OPT_MAX_LENGTH = 3,  /**< tokens per text in attn_model_embed / attn_model_score_pairs, special
                                         tokens included, 1..max_position_embeddings. Default: the folder's
                                         max_seq_length (sentence-transformers), else the tokenizer's
                                         model_max_length, else max_position_embeddings */
    ATTN_MODEL_OPT_BATCH_SIZE = 4,  /**< texts per forward pass in attn_model_embed / score_pairs (default 32) */
    ATTN_MODEL_OPT_NORMALIZE = 5,   /**< 1: attn_model_embed L2-normalises each embedding. Default: 1 when
                                         the folder has a Normalize module, else 0 */
    ATTN_MODEL_OPT_POOLING = 6,     /**< the pooling (attn_pooling) of the pooled output from the next forward
                                         on; ATTN_POOL_CLS_DENSE only for a model that has a pooler */
    ATTN_MODEL_OPT_FREEZE = 7       /**< which parameters training leaves as they are (attn_freeze; default
                                         ATTN_FREEZE_NONE). Set it before handing the parameters to an optimizer */
} attn_model_option;
/** Values of ATTN_MODEL_OPT_FREEZE. Backward computes no gradient for a
 *  frozen parameter and stops where nothing below it trains (a frozen
 *  encoder costs only the head's backward, and its forward keeps nothing for
 *  backward); frozen gradients keep whatever they held. attn_model_add_to_optim
 *  and attn_model_add_to_optim_layerwise leave frozen parameters out, so
 *  neither the update nor weight decay touches them. */
typedef enum attn_freeze {
    ATTN_FREEZE_NONE = 0,       /**< everything trains */
    ATTN_FREEZE_EMBEDDINGS = 1, /**< the word, position and token-type tables and their LayerNorm stay */
    ATTN_FREEZE_ENCODER = 2     /**< only the classifier head trains (embeddings, blocks and pooler stay): a linear probe */
} attn_freeze;

/** Sets an option (the values each accepts are listed with it).
 *  ATTN_ERR_INVALID_ARG for an unknown key or a value it does not accept. */
ATTN_API attn_status attn_model_set_int(attn_model *model, attn_model_option key, int64_t value);
/** Reads an option into *value. ATTN_ERR_INVALID_ARG for an unknown key or NULL value. */
ATTN_API attn_status attn_model_get_int(const attn_model *model, attn_model_option key, int64_t *value);

/** Forward pass on a padded batch. input_ids [B, T] int32 or int64;
 *  token_type_ids [B, T] or NULL (all 0); attention_mask [B, T] (1 real,
 *  0 padding) or NULL (all real). T <= max_position_embeddings. */
ATTN_API attn_status attn_model_forward(attn_model *model, const attn_tensor *input_ids,
                                        const attn_tensor *token_type_ids, const attn_tensor *attention_mask);

/** The outputs of a forward pass (attn_model_output). */
typedef enum attn_model_output_kind {
    ATTN_OUT_LAST_HIDDEN = 0, /**< [B, T, H] */
    ATTN_OUT_POOLED = 1,      /**< [B, H] */
    ATTN_OUT_LOGITS = 2       /**< [B, num_labels] (models with a head) */
} attn_model_output_kind;

/** An output of the last forward pass (borrowed, valid until the next
 *  forward); NULL before any forward or for logits without a head. */
ATTN_API attn_tensor *attn_model_output(attn_model *model, attn_model_output_kind kind);

/** Loss of the last forward pass's logits against labels, by the config's
 *  problem type (cross-entropy mean, MSE mean, BCE-with-logits mean), and
 *  its backward through the whole model: every parameter gradient
 *  accumulates. labels: int32/int64 [B] class indices (ignore_index -100
 *  skips an example), float32 [B] for regression, float32 [B, num_labels]
 *  for multi-label. *loss may be NULL. */
ATTN_API attn_status attn_model_loss_backward(attn_model *model, const attn_tensor *labels, float *loss);
/** Only the loss value (no backward), e.g. for validation. */
ATTN_API attn_status attn_model_loss(attn_model *model, const attn_tensor *labels, float *loss);
/** Backward from a caller's gradient of the logits [B, num_labels] or, for
 *  models without a head, of the pooled output [B, H] (custom losses). */
ATTN_API attn_status attn_model_backward(attn_model *model, const attn_tensor *grad_output);

/** Adds every parameter (with its gradient and full name) to opt: biases
 *  and LayerNorm weights to no_decay_group, the rest to decay_group (the
 *  usual BERT fine-tuning split; pass the same group twice to decay all, as
 *  a plain torch.optim.AdamW(model.parameters()) does). */
ATTN_API attn_status attn_model_add_to_optim(attn_model *model, attn_optim *opt, int32_t decay_group,
                                             int32_t no_decay_group);

/** Adds the model's trainable parameters to opt in groups as fine-tuning a
 *  pretrained encoder does: per depth (0 the embeddings, l + 1 encoder block
 *  l, num_layers + 1 everything above the blocks: final LayerNorm, pooler,
 *  classifier) a group of learning-rate scale layer_lr_decay^(num_layers + 1
 *  - depth) with weight decay weight_decay, and one with weight decay 0 for
 *  that depth's biases and LayerNorm weights. layer_lr_decay 1 gives every
 *  group the base learning rate (plain fine-tuning); 0.8, say, lets the
 *  embeddings move 0.8^(L+1) times as fast as the head. Groups are added
 *  only for depths that have parameters; the optimizer's own group 0 is left
 *  as it is. Frozen parameters (ATTN_MODEL_OPT_FREEZE) are left out.
 *  ATTN_ERR_INVALID_ARG for a NULL argument, weight_decay < 0 or
 *  layer_lr_decay outside (0, 1]; errors of attn_optim_add_group /
 *  attn_optim_add_param (e.g. ATTN_ERR_STATE after a step) pass through. */
ATTN_API attn_status attn_model_add_to_optim_layerwise(attn_model *model, attn_optim *opt, double weight_decay,
                                                       double layer_lr_decay);
/** The depth of parameter i as attn_model_add_to_optim_layerwise counts it
 *  (0 embeddings, l + 1 block l, num_layers + 1 above the blocks), and
 *  whether ATTN_MODEL_OPT_FREEZE freezes it (*frozen, may be NULL).
 *  ATTN_ERR_RANGE for i out of range. */
ATTN_API attn_status attn_model_param_depth(const attn_model *model, int32_t i, int32_t *depth, int32_t *frozen);

/* ---- Model folders, as Hugging Face and sentence-transformers save them ---- */

/** Options of attn_model_load_dir. Versioned: fill with
 *  attn_model_load_opts_init, then change what you need. */
typedef struct attn_model_load_opts {
    uint32_t struct_size;  /**< sizeof(attn_model_load_opts), set by attn_model_load_opts_init */
    int32_t num_labels;    /**< -1 (default): the head config.json describes; 0: no head; n > 0: a
                                classifier of n labels (initialised anew unless the file has one of that size) */
    int32_t problem_type;  /**< -1 (default): config.json's, else by num_labels; else an attn_problem_type */
    int32_t pooling;       /**< -1 (default): the folder's Pooling module, else BERT's pooler; else an attn_pooling */
    float dropout;         /**< < 0 (default): config.json's dropout probabilities; else in [0, 1): the hidden,
                                attention and classifier dropout for training (fine-tuning with another one) */
} attn_model_load_opts;

/** Fills opts with the defaults (everything from the folder). NULL is a no-op. */
ATTN_API void attn_model_load_opts_init(attn_model_load_opts *opts);

/** Loads a model folder as Hugging Face's save_pretrained and
 *  sentence-transformers' save write it: config.json (the architecture
 *  decides the head: BertModel none, BertForSequenceClassification a
 *  classifier, BertForMaskedLM / BertForPreTraining none, their cls.* heads
 *  skipped with a note), model.safetensors (a pytorch_model.bin alone is
 *  ATTN_ERR_UNSUPPORTED with how to convert it), the tokenizer
 *  (attn_tokenizer_load_dir), and sentence-transformers' modules.json,
 *  sentence_bert_config.json (max_seq_length), 1_Pooling/config.json,
 *  Normalize and Dense modules. What the load did besides reading tensors
 *  is in attn_model_load_notes. opts may be NULL (defaults). A Pooling
 *  module that concatenates several modes, or include_prompt false with a
 *  prompt, is ATTN_ERR_UNSUPPORTED naming it. */
ATTN_API attn_status attn_model_load_dir(attn_ctx *ctx, const char *dir, const attn_model_load_opts *opts,
                                         attn_model **out);

/** The tokenizer of a model loaded with attn_model_load_dir (borrowed,
 *  owned by the model); NULL for a model built otherwise. */
ATTN_API attn_tokenizer *attn_model_tokenizer(attn_model *model);
/** Gives the model a tokenizer for attn_model_embed / attn_model_score_pairs
 *  (a model built by hand or loaded from a checkpoint file). The model takes
 *  ownership: it destroys tok, and a tokenizer it had before. tok may be
 *  NULL (removes the tokenizer). */
ATTN_API attn_status attn_model_set_tokenizer(attn_model *model, attn_tokenizer *tok);

/** Width of attn_model_embed's vectors: hidden_size, or the out_features
 *  of the folder's last Dense module. 0 for NULL. */
ATTN_API int64_t attn_model_embedding_dim(const attn_model *model);

/** Sentence embeddings of n texts, as sentence-transformers' encode computes
 *  them: tokenized (truncated to ATTN_MODEL_OPT_MAX_LENGTH), the model's
 *  pooling, the folder's Dense modules, L2 normalisation if
 *  ATTN_MODEL_OPT_NORMALIZE. Texts are batched by length internally (sorted,
 *  ATTN_MODEL_OPT_BATCH_SIZE a batch, the original order restored), so
 *  padding costs nothing; each text's vector does not depend on the others.
 *  out holds n * attn_model_embedding_dim floats (out_len is its size, in
 *  floats: ATTN_ERR_SHAPE if it is too small). Needs a tokenizer
 *  (attn_model_load_dir): ATTN_ERR_STATE otherwise. Evaluation mode. */
ATTN_API attn_status attn_model_embed(attn_model *model, const char *const *texts, int32_t n, float *out,
                                      int64_t out_len);

/** Cross-encoder scores of n (query, passage) pairs, as sentence-transformers'
 *  CrossEncoder.predict gives them: each pair encoded as [CLS] q [SEP] p [SEP]
 *  with token type ids, truncated longest-first to ATTN_MODEL_OPT_MAX_LENGTH,
 *  the logits through the folder's activation (config.json's
 *  sentence_transformers.activation_fn; by default a sigmoid with one label,
 *  none with more). scores holds n * num_labels floats (scores_len, in
 *  floats). Needs a classifier head and a tokenizer. */
ATTN_API attn_status attn_model_score_pairs(attn_model *model, const char *const *queries,
                                            const char *const *passages, int32_t n, float *scores,
                                            int64_t scores_len);

/** Where a training run stands; saved with a training checkpoint.
 *  Versioned: set struct_size = sizeof(attn_train_state). */
typedef struct attn_train_state {
    uint32_t struct_size;  /**< sizeof(attn_train_state) */
    int64_t epoch;         /**< epochs completed */
    int64_t step;          /**< optimizer steps taken (also restored into the optimizer) */
    int64_t total_steps;   /**< of the learning-rate schedule */
    int64_t warmup_steps;  /**< of the learning-rate schedule */
    double base_lr;        /**< peak learning rate of the schedule */
    double best_metric;    /**< best validation metric so far (model selection) */
    int64_t best_epoch;    /**< epoch (from 1) of best_metric */
    int64_t epochs_without_improvement; /**< for early stopping */
} attn_train_state;

/** Saves a training checkpoint: the model's parameters under their HF
 *  names (so the file also loads as plain weights), the optimizer state as
 *  "optim.<state name>" tensors, the train state and the context's RNG
 *  (seed and counter) in the metadata. Atomic: a crash leaves the previous
 *  file intact. */
ATTN_API attn_status attn_checkpoint_save(attn_model *model, attn_optim *opt, const attn_train_state *state,
                                          const char *path);
/** Restores what attn_checkpoint_save wrote into a model and an optimizer
 *  built the same way, the train state into *state (set its struct_size
 *  first) and the RNG into the model's context, so the run continues bit
 *  for bit. opt may be NULL (weights and state only). */
ATTN_API attn_status attn_checkpoint_load(attn_model *model, attn_optim *opt, attn_train_state *state,
                                          const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_MODEL_H */
