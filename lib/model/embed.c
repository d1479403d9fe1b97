/* Texts in, vectors out: sentence embeddings (attn_model_embed) and
 * cross-encoder scores (attn_model_score_pairs), as sentence-transformers
 * computes them. Both tokenize every input once, sort the inputs by token
 * count so that each batch holds sequences of about one length (padding
 * costs nothing: the model skips it anyway, and the sort keeps the [b, T]
 * input small), run the model batch by batch and write each result back at
 * its input's place. */
#include <math.h>
#include <string.h>

#include "model/bert_internal.h"

/* every input's tokens, back to back */
typedef struct encoded {
    int32_t *ids, *types;
    int64_t *start;  /* [n + 1] */
    int32_t *order;  /* inputs by token count, longest first */
} encoded;

static void encoded_free(attn_ctx *ctx, encoded *e)
{
    attn__free(ctx, e->ids);
    attn__free(ctx, e->types);
    attn__free(ctx, e->start);
    attn__free(ctx, e->order);
}

/* order[] = inputs by token count, longest first, ties in input order: a
 * counting sort over lengths 0..max_len (stable, linear, no shared state). */
static attn_status sort_by_length(attn_ctx *ctx, encoded *e, int32_t n, int32_t max_len)
{
    int64_t *first_of = attn__calloc(ctx, (size_t)max_len + 2, sizeof *first_of);
    if (!first_of) return ATTN_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) first_of[max_len - (e->start[i + 1] - e->start[i]) + 1]++;
    for (int32_t l = 1; l <= max_len + 1; l++) first_of[l] += first_of[l - 1];
    for (int32_t i = 0; i < n; i++) e->order[first_of[max_len - (e->start[i + 1] - e->start[i])]++] = i;
    attn__free(ctx, first_of);
    return ATTN_OK;
}

static attn_status encode_all(attn_model *m, const char *const *a, const char *const *b, int32_t n, encoded *e)
{
    attn_ctx *ctx = m->ctx;
    int64_t cap = (int64_t)n * m->max_length;
    e->ids = attn__calloc(ctx, (size_t)(cap ? cap : 1), sizeof(int32_t));
    e->types = attn__calloc(ctx, (size_t)(cap ? cap : 1), sizeof(int32_t));
    e->start = attn__calloc(ctx, (size_t)n + 1, sizeof(int64_t));
    e->order = attn__calloc(ctx, (size_t)(n ? n : 1), sizeof(int32_t));
    if (!e->ids || !e->types || !e->start || !e->order) return ATTN_ERR_NOMEM;
    e->start[0] = 0;
    for (int32_t i = 0; i < n; i++) {
        if (!a[i] || (b && !b[i])) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "text %d is NULL", (int)i);
        int64_t at = e->start[i];
        int32_t len = 0;
        ATTN_CHECK(attn_tokenizer_encode(m->tokenizer, a[i], b ? b[i] : NULL, m->max_length, e->ids + at,
                                         e->types + at, m->max_length, &len));
        e->start[i + 1] = at + len;
    }
    return sort_by_length(ctx, e, n, m->max_length);
}

/* inputs order[first .. first + count) as a right-padded [count, T] batch, then the forward */
static attn_status forward_batch(attn_model *m, const encoded *e, int32_t first, int32_t count)
{
    attn_ctx *ctx = m->ctx;
    int64_t T = 1;
    for (int32_t k = 0; k < count; k++) {
        int32_t i = e->order[first + k];
        if (e->start[i + 1] - e->start[i] > T) T = e->start[i + 1] - e->start[i];
    }
    ATTN_CHECK(attn__model_buffer(ctx, &m->in_ids, ATTN_I32, count, T));
    ATTN_CHECK(attn__model_buffer(ctx, &m->in_types, ATTN_I32, count, T));
    ATTN_CHECK(attn__model_buffer(ctx, &m->in_mask, ATTN_I32, count, T));
    int32_t *ids = attn_tensor_data(m->in_ids), *types = attn_tensor_data(m->in_types);
    int32_t *mask = attn_tensor_data(m->in_mask);
    for (int32_t k = 0; k < count; k++) {
        int32_t i = e->order[first + k];
        int64_t len = e->start[i + 1] - e->start[i];
        for (int64_t t = 0; t < T; t++) {
            int real = t < len;
            ids[k * T + t] = real ? e->ids[e->start[i] + t] : m->cfg.pad_token_id;
            types[k * T + t] = real ? e->types[e->start[i] + t] : 0;
            mask[k * T + t] = real;
        }
    }
    return attn_model_forward(m, m->in_ids, m->in_types, m->in_mask);
}

int64_t attn_model_embedding_dim(const attn_model *m)
{
    if (!m) return 0;
    if (!m->ndense) return m->cfg.hidden_size;
    attn_tensor *w;
    if (attn_layer_param(m->dense[m->ndense - 1].linear, 0, NULL, &w, NULL) != ATTN_OK) return 0;
    return attn_tensor_dim(w, 0);
}

/* pooled [b, H] -> the Dense modules -> [b, dim] */
static attn_status apply_dense(attn_model *m, const attn_tensor **out)
{
    const attn_tensor *x = attn_model_output(m, ATTN_OUT_POOLED);
    for (int32_t d = 0; d < m->ndense; d++) {
        attn_tensor *w;
        ATTN_CHECK(attn_layer_param(m->dense[d].linear, 0, NULL, &w, NULL));
        attn_tensor **y = &m->dense_out[d % 2];
        ATTN_CHECK(attn__model_buffer(m->ctx, y, ATTN_F32, attn_tensor_dim(x, 0), attn_tensor_dim(w, 0)));
        ATTN_CHECK(attn_linear_forward(m->dense[d].linear, x, *y));
        ATTN_CHECK(attn_activation_forward((attn_activation)m->dense[d].activation, *y, *y));
        x = *y;
    }
    *out = x;
    return ATTN_OK;
}

/* as torch.nn.functional.normalize: x / max(||x||, 1e-12) */
static void l2_normalize(float *v, int64_t n)
{
    double sum = 0.0;
    for (int64_t j = 0; j < n; j++) sum += (double)v[j] * v[j];
    float norm = (float)sqrt(sum);
    float inv = 1.0f / (norm > 1e-12f ? norm : 1e-12f);
    for (int64_t j = 0; j < n; j++) v[j] *= inv;
}

typedef attn_status (*batch_result)(attn_model *m, const encoded *e, int32_t first, int32_t count, float *out,
                                    int64_t width);

static attn_status embeddings_of_batch(attn_model *m, const encoded *e, int32_t first, int32_t count, float *out,
                                       int64_t width)
{
    const attn_tensor *y;
    ATTN_CHECK(apply_dense(m, &y));
    const float *src = attn_tensor_data_f32((attn_tensor *)y);
    for (int32_t k = 0; k < count; k++) {
        float *dst = out + (int64_t)e->order[first + k] * width;
        memcpy(dst, src + (int64_t)k * width, (size_t)width * sizeof(float));
        if (m->normalize) l2_normalize(dst, width);
    }
    return ATTN_OK;
}

static attn_status scores_of_batch(attn_model *m, const encoded *e, int32_t first, int32_t count, float *out,
                                   int64_t width)
{
    attn_tensor *logits = attn_model_output(m, ATTN_OUT_LOGITS);
    ATTN_CHECK(attn_activation_forward((attn_activation)m->score_activation, logits, logits));
    const float *src = attn_tensor_data_f32(logits);
    for (int32_t k = 0; k < count; k++)
        memcpy(out + (int64_t)e->order[first + k] * width, src + (int64_t)k * width, (size_t)width * sizeof(float));
    return ATTN_OK;
}

/* The common walk: check, encode, batches in eval mode, the training mode restored. */
static attn_status run(attn_model *m, const char *what, const char *const *a, const char *const *b, int32_t n,
                       float *out, int64_t out_len, int64_t width, batch_result result)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    attn_ctx *ctx = m->ctx;
    if (!a || !out || n < 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: NULL texts or output, or n < 0", what);
    if (!m->tokenizer)
        return attn__fail(ctx, ATTN_ERR_STATE, "%s: the model has no tokenizer (load it with attn_model_load_dir)", what);
    if (out_len < (int64_t)n * width)
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: the output holds %lld floats, %d inputs need %lld", what,
                          (long long)out_len, (int)n, (long long)n * width);
    encoded e = {0};
    attn_status st = encode_all(m, a, b, n, &e);
    int32_t training = m->training, invariant = ctx->batch_invariant;
    ctx->batch_invariant = 1; /* each text's result independent of its batch */
    if (st == ATTN_OK && training) st = attn_model_set_training(m, 0);
    for (int32_t first = 0; st == ATTN_OK && first < n; first += m->batch_size) {
        int32_t count = n - first < m->batch_size ? n - first : m->batch_size;
        st = forward_batch(m, &e, first, count);
        if (st == ATTN_OK) st = result(m, &e, first, count, out, width);
    }
    ctx->batch_invariant = invariant;
    if (training) {
        attn_status restore = attn_model_set_training(m, 1);
        if (st == ATTN_OK) st = restore;
    }
    encoded_free(ctx, &e);
    return st == ATTN_OK ? attn__ok(ctx) : st;
}

attn_status attn_model_embed(attn_model *m, const char *const *texts, int32_t n, float *out, int64_t out_len)
{
    return run(m, "attn_model_embed", texts, NULL, n, out, out_len, attn_model_embedding_dim(m), embeddings_of_batch);
}

attn_status attn_model_score_pairs(attn_model *m, const char *const *queries, const char *const *passages, int32_t n,
                                   float *scores, int64_t scores_len)
{
    if (m && m->cfg.num_labels < 1)
        return attn__fail(m->ctx, ATTN_ERR_STATE,
                          "attn_model_score_pairs: the model has no classifier head (a cross-encoder is a "
                          "BertForSequenceClassification)");
    if (m && !passages) return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_score_pairs: passages is NULL");
    return run(m, "attn_model_score_pairs", queries, passages, n, scores, scores_len, m ? m->cfg.num_labels : 0,
               scores_of_batch);
}
