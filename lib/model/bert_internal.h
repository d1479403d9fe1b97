/* The BERT model's private layout, shared by the files of lib/model/.
 * Legend: B = batch, T = padded length, N = rows computed (real tokens when
 * padding is skipped, B*T otherwise), H = hidden, L = labels. */
#ifndef ATTN_BERT_INTERNAL_H
#define ATTN_BERT_INTERNAL_H

#include <stddef.h>

#include "internal.h"
#include "io/json.h"

#define ATTN_PARAM_NAME_MAX 96

typedef struct bert_block {
    attn_layer *attn, *drop1, *ln1, *ffn, *drop2, *ln2;
    /* activations kept for backward, [N, H] each:
     * post-LN: res1 = in + attn(in), norm2 = LN1(res1), res2 = norm2 + ffn(norm2), out = LN2(res2)
     * pre-LN:  norm1 = LN1(in), res1 = in + attn(norm1), norm2 = LN2(res1), out = res1 + ffn(norm2) */
    attn_tensor *norm1, *res1, *norm2, *res2, *out;
} bert_block;

/* a sentence-transformers Dense module: activation(W x + b) */
#define ATTN__MAX_DENSE 4
typedef struct dense_module {
    attn_layer *linear;
    int32_t activation; /* attn_activation */
} dense_module;

typedef struct bert_param {
    char name[ATTN_PARAM_NAME_MAX];
    attn_tensor *value, *grad;
} bert_param;

struct attn_model {
    attn_ctx *ctx;
    attn_bert_config cfg;
    int32_t training;
    int32_t skip_padding;
    int32_t inference_only;          /* ATTN_MODEL_OPT_INFERENCE_ONLY */
    int32_t freeze;                  /* ATTN_MODEL_OPT_FREEZE (attn_freeze) */

    /* parts */
    attn_layer *word_emb, *pos_emb, *type_emb, *emb_ln, *emb_drop;
    bert_block *blocks;
    attn_layer *final_ln;            /* pre-LN only */
    attn_layer *pooler, *cls_drop, *classifier;
    attn_loss *loss;                 /* by problem type; models with a head */

    bert_param *params;
    int32_t nparams, max_params;
    attn__strbuf notes;              /* attn_model_load_notes */

    /* a model folder's parts (attn_model_load_dir) and the settings of
     * attn_model_embed / attn_model_score_pairs */
    attn_tokenizer *tokenizer;       /* owned; NULL for a model built otherwise */
    dense_module dense[ATTN__MAX_DENSE];
    int32_t ndense;
    int32_t normalize, max_length, batch_size;
    int32_t score_activation;        /* attn_activation applied to score_pairs' logits */
    attn_tensor *in_ids, *in_types, *in_mask;      /* int32 [b, T]: one batch of embed / score_pairs */
    attn_tensor *dense_out[2];                     /* [b, width]: Dense modules' outputs, alternating */

    /* the batch of the last forward */
    int64_t B, T, N;
    int32_t full_rows;               /* 1 if every position was computed */
    int32_t have_forward;            /* a forward ran and backward may follow */
    int32_t have_output;             /* outputs of the last forward are valid */
    attn_tensor *row_ids, *row_pos, *row_types;   /* int32 [N] gathered inputs */
    attn_tensor *row_index;          /* int32 [N]: b * T + t of each row */
    attn_tensor *seq_offsets;        /* int32 [B + 1] */
    attn_tensor *key_mask;           /* int32 [N] (full rows only) */

    /* activations */
    attn_tensor *emb_sum, *x0, *final_out;         /* [N, H] */
    attn_tensor *scratch;                          /* [N, H]: sublayer outputs, embedding terms */
    attn_tensor *cls, *pool_pre, *pooled, *pooled_drop, *logits;   /* [B, H] / [B, L] */
    attn_tensor *pool_argmax;                      /* int32 [B, H]: the row max pooling took */
    attn_tensor *last_hidden;                      /* [B, T, H], filled on request */
    int32_t last_hidden_ready;

    /* gradients */
    attn_tensor *dA, *dB, *dS;                     /* [N, H] */
    attn_tensor *label_buf;                        /* regression labels as [B, 1] */
    attn_tensor *d_logits, *d_pooled_drop, *d_pooled, *d_pool_pre, *d_cls;   /* [B, *] */
};

/* 1 if s ends with suffix (parameter names, module types). */
int attn__ends_with(const char *s, const char *suffix);
/* The configuration's name of a pooling ("mean", "cls_dense", ...). */
const char *attn__pooling_name(int32_t pooling);
/* Makes *t a float32 (or dtype) tensor of shape [rows, cols] (cols = 0 for
 * rank 1), reusing its storage when it fits and reallocating only to grow. */
attn_status attn__model_buffer(attn_ctx *ctx, attn_tensor **t, attn_dtype dtype, int64_t rows, int64_t cols);
/* Destroys a model that failed half-way, keeping the context's error message. */
void attn__model_discard(attn_model *m);
/* Gives parameter i's gradient its memory (zeroed) if it has none yet:
 * before the gradient is handed out or given to an optimizer. */
attn_status attn__model_grad_memory(attn_model *m, int32_t i);
/* 1 if ATTN_MODEL_OPT_FREEZE leaves parameter i as it is (optim_params.c). */
int attn__model_param_frozen(const attn_model *m, int32_t i);
/* The last encoder output [N, H] (after the final LayerNorm in pre-LN). */
attn_tensor *attn__model_hidden(attn_model *m);
/* Size of the first version of each versioned struct: callers built
 * against that header pass it, and newer fields keep their defaults. */
#define ATTN__BERT_CONFIG_V1_SIZE (offsetof(attn_bert_config, pad_token_id) + sizeof(int32_t))
#define ATTN__TRAIN_STATE_V1_SIZE (offsetof(attn_train_state, epochs_without_improvement) + sizeof(int64_t))
/* Copies a caller's versioned struct of any version into the current
 * layout: defaults first, then the caller's struct_size bytes. Fails when
 * it is older than version 1 or newer with non-zero unknown fields. */
attn_status attn__accept_versioned(attn_ctx *ctx, const char *what, const void *in, size_t v1_size, void *out,
                                   size_t out_size);
/* A caller's bert config in the current layout, validated. */
attn_status attn__bert_config_accept(attn_ctx *ctx, const attn_bert_config *in, attn_bert_config *out);

/* Adds every parameter under its HF name to a checkpoint writer. */
attn_status attn__model_add_params(attn_model *m, attn_safetensors_writer *w);
/* The pooling of the hidden rows into out [B, H] (before BERT's pooler),
 * and its backward: d_hidden [N, H] is overwritten (pooling.c). */
attn_status attn__model_pool_forward(attn_model *m, attn_tensor *out);
attn_status attn__model_pool_backward(attn_model *m, const attn_tensor *d_pooled, attn_tensor *d_hidden);
/* Backward from dA = d(hidden rows) through encoder and embeddings. */
attn_status attn__model_backward_encoder(attn_model *m);

#endif
