/* A small BERT classifier, a deterministic padded batch and an AdamW
 * optimizer: the workload the reliability tests run under memory limits,
 * in threads and with injected NaNs. Everything is created through one
 * context and reported through statuses (no Check assertions), so a test
 * can count and judge failures itself. */
#ifndef ATTN_TINY_TRAINING_H
#define ATTN_TINY_TRAINING_H

#include "attn.h"

#define TINY_LABELS 3

/* hidden size, batch rows, sequence length */
typedef struct tiny_size {
    int32_t hidden, batch, seq;
} tiny_size;
/* The default: hidden 16, 3 rows of 8 tokens. */
extern const tiny_size tiny_default_size;

typedef struct tiny_training {
    attn_ctx *ctx; /* borrowed */
    tiny_size size;
    attn_model *model;
    attn_optim *opt;
    attn_tensor *ids, *types, *mask, *labels;
} tiny_training;

/* vocab 50, the given hidden size, 2 layers, 2 heads, FFN 2 x hidden,
 * 3 labels, dropout 0.1 everywhere (the random stream is the context's). */
void tiny_config(attn_bert_config *cfg, const tiny_size *size);
/* Builds model, optimizer and batch on ctx (size NULL = the default). Row
 * r of the batch has seq - (r % 3) * seq / 4 real tokens and is a sentence
 * pair when r % 3 == 2. On failure everything made so far is destroyed and
 * the status of the failing call is returned (its message stays on ctx). */
attn_status tiny_open(attn_ctx *ctx, const tiny_size *size, tiny_training *t);
/* One training step: forward in training mode, loss and backward, AdamW
 * step, zero grad. *loss may be NULL. */
attn_status tiny_train_step(tiny_training *t, float *loss);
/* Eval-mode forward; copies the [batch, TINY_LABELS] logits. */
attn_status tiny_infer(tiny_training *t, float *logits);
/* Destroys what tiny_open made; safe on a zeroed or partly built struct. */
void tiny_close(tiny_training *t);

#endif
