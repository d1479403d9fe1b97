/* The shared small training workload (see tiny_training.h). */
#include "tiny_training.h"

#include "test_common.h"

#include <stdlib.h>
#include <string.h>

const tiny_size tiny_default_size = {16, 3, 8};

void tiny_config(attn_bert_config *cfg, const tiny_size *size)
{
    attn_bert_config_init(cfg);
    cfg->vocab_size = 50;
    cfg->hidden_size = size->hidden;
    cfg->num_layers = 2;
    cfg->num_heads = 2;
    cfg->intermediate_size = 2 * size->hidden;
    cfg->max_position_embeddings = size->seq > 16 ? size->seq : 16;
    cfg->type_vocab_size = 2;
    cfg->num_labels = TINY_LABELS;
    cfg->hidden_dropout = 0.1f;
    cfg->attention_dropout = 0.1f;
    cfg->classifier_dropout = 0.1f;
}

/* ids, token types and mask of row r ([CLS]=2, [SEP]=3, padding 0) */
static void fill_row(int32_t r, int32_t seq, int32_t *ids, int32_t *types, int32_t *mask)
{
    int32_t real = seq - (r % 3) * (seq / 4), middle = r % 3 == 2 ? real / 2 : -1;
    for (int32_t p = 0; p < seq; p++) {
        ids[p] = p >= real ? 0 : p == 0 ? 2 : p == real - 1 || p == middle ? 3 : 5 + (r * 7 + p * 3) % 45;
        types[p] = middle > 0 && p > middle && p < real;
        mask[p] = p < real;
    }
}

static attn_status make_i32(attn_ctx *ctx, int32_t rank, const int64_t *shape, const int32_t *values,
                            attn_tensor **out)
{
    attn_status st = attn_tensor_create(ctx, ATTN_I32, rank, shape, out);
    if (st != ATTN_OK) return st;
    return attn_tensor_write(*out, ATTN_I32, values, (size_t)attn_tensor_numel(*out) * sizeof(int32_t));
}

attn_status tiny_open(attn_ctx *ctx, const tiny_size *size, tiny_training *t)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    t->size = size ? *size : tiny_default_size;
    const int32_t b = t->size.batch, s = t->size.seq;
    /* the batch is test input, not library memory: plain malloc */
    int32_t *ids = malloc(3 * (size_t)b * (size_t)s * sizeof(int32_t)), *labels = malloc((size_t)b * sizeof(int32_t));
    if (!ids || !labels) {
        free(ids);
        free(labels);
        return ATTN_ERR_NOMEM;
    }
    int32_t *types = ids + b * s, *mask = types + b * s;
    for (int32_t r = 0; r < b; r++) {
        fill_row(r, s, ids + r * s, types + r * s, mask + r * s);
        labels[r] = r % TINY_LABELS;
    }
    const int64_t bt[2] = {b, s}, b1[1] = {b};

    attn_bert_config cfg;
    tiny_config(&cfg, &t->size);
    attn_optim_opts o = attn_test_adamw(1e-3, 1e-6, 0.01);
    attn_status st = attn_bert_create(ctx, &cfg, &t->model);
    if (st == ATTN_OK) st = attn_optim_create(ctx, &o, &t->opt);
    if (st == ATTN_OK) st = attn_model_add_to_optim(t->model, t->opt, 0, 0);
    if (st == ATTN_OK) st = make_i32(ctx, 2, bt, ids, &t->ids);
    if (st == ATTN_OK) st = make_i32(ctx, 2, bt, types, &t->types);
    if (st == ATTN_OK) st = make_i32(ctx, 2, bt, mask, &t->mask);
    if (st == ATTN_OK) st = make_i32(ctx, 1, b1, labels, &t->labels);
    free(ids);
    free(labels);
    if (st != ATTN_OK) tiny_close(t);
    return st;
}

attn_status tiny_train_step(tiny_training *t, float *loss)
{
    attn_status st = attn_model_set_training(t->model, 1);
    if (st == ATTN_OK) st = attn_model_forward(t->model, t->ids, t->types, t->mask);
    if (st == ATTN_OK) st = attn_model_loss_backward(t->model, t->labels, loss);
    if (st == ATTN_OK) st = attn_optim_step(t->opt);
    if (st == ATTN_OK) st = attn_model_zero_grad(t->model);
    return st;
}

attn_status tiny_infer(tiny_training *t, float *logits)
{
    attn_status st = attn_model_set_training(t->model, 0);
    if (st == ATTN_OK) st = attn_model_forward(t->model, t->ids, t->types, t->mask);
    if (st != ATTN_OK) return st;
    return attn_tensor_read(attn_model_output(t->model, ATTN_OUT_LOGITS), ATTN_F32, logits,
                            (size_t)t->size.batch * TINY_LABELS * sizeof(float));
}

void tiny_close(tiny_training *t)
{
    attn_tensor_destroy(t->ids);
    attn_tensor_destroy(t->types);
    attn_tensor_destroy(t->mask);
    attn_tensor_destroy(t->labels);
    attn_optim_destroy(t->opt);
    attn_model_destroy(t->model);
    attn_ctx *ctx = t->ctx;
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
}
