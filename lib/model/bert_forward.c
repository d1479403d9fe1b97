/* BERT forward: gathers the rows to compute from the padded batch, runs
 * embeddings -> encoder blocks -> pooler -> classifier, and keeps every
 * activation backward needs. */
#include <string.h>

#include "layers/fused.h"
#include "model/bert_internal.h"

/* Element (b, t) of an int32/int64 [B, T] tensor. */
static int64_t int_at(const attn_tensor *t, int64_t b, int64_t i)
{
    int64_t off = t->offset + b * t->stride[0] + i * t->stride[1];
    return t->dtype == ATTN_I32 ? ((const int32_t *)t->storage->data)[off]
                                : ((const int64_t *)t->storage->data)[off];
}

static attn_status check_input(attn_model *m, const attn_tensor *t, const char *what, int64_t B, int64_t T)
{
    if (t->dtype != ATTN_I32 && t->dtype != ATTN_I64)
        return attn__fail(m->ctx, ATTN_ERR_DTYPE, "attn_model_forward: %s must be int32 or int64", what);
    if (t->rank != 2 || t->shape[0] != B || t->shape[1] != T) {
        char s[96];
        return attn__fail(m->ctx, ATTN_ERR_SHAPE, "attn_model_forward: %s is %s, input_ids is [%lld, %lld]", what,
                          attn__shape_str(t, s, sizeof s), (long long)B, (long long)T);
    }
    return ATTN_OK;
}

/* Chooses the rows: only real tokens when padding may be skipped exactly
 * (every sequence starts with a real [CLS] token), else every position. */
static attn_status gather_rows(attn_model *m, const attn_tensor *ids, const attn_tensor *types, const attn_tensor *mask)
{
    attn_ctx *ctx = m->ctx;
    int64_t B = m->B, T = m->T;
    int full = !m->skip_padding || !mask;
    for (int64_t b = 0; b < B && !full; b++)
        if (int_at(mask, b, 0) == 0) full = 1; /* left padding or an empty sequence: HF pools position 0 */
    int64_t N = 0;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            if (full || int_at(mask, b, t) != 0) N++;
    m->N = N;
    m->full_rows = full;
    ATTN_CHECK(attn__model_buffer(ctx, &m->row_ids, ATTN_I32, N, 0));
    ATTN_CHECK(attn__model_buffer(ctx, &m->row_pos, ATTN_I32, N, 0));
    ATTN_CHECK(attn__model_buffer(ctx, &m->row_types, ATTN_I32, N, 0));
    ATTN_CHECK(attn__model_buffer(ctx, &m->row_index, ATTN_I32, N, 0));
    ATTN_CHECK(attn__model_buffer(ctx, &m->key_mask, ATTN_I32, N, 0));
    ATTN_CHECK(attn__model_buffer(ctx, &m->seq_offsets, ATTN_I32, B + 1, 0));
    int32_t *rid = attn_tensor_data(m->row_ids), *rpos = attn_tensor_data(m->row_pos);
    int32_t *rtyp = attn_tensor_data(m->row_types), *ridx = attn_tensor_data(m->row_index);
    int32_t *kmask = attn_tensor_data(m->key_mask), *offs = attn_tensor_data(m->seq_offsets);
    const attn_bert_config *c = &m->cfg;
    int64_t n = 0;
    for (int64_t b = 0; b < B; b++) {
        offs[b] = (int32_t)n;
        for (int64_t t = 0; t < T; t++) {
            int64_t mk = mask ? int_at(mask, b, t) : 1;
            if (!full && mk == 0) continue;
            int64_t id = int_at(ids, b, t), ty = types ? int_at(types, b, t) : 0;
            if (id < 0 || id >= c->vocab_size)
                return attn__fail(ctx, ATTN_ERR_RANGE, "input_ids[%lld][%lld] = %lld is outside the vocabulary of %d",
                                  (long long)b, (long long)t, (long long)id, c->vocab_size);
            if (ty < 0 || ty >= c->type_vocab_size)
                return attn__fail(ctx, ATTN_ERR_RANGE, "token_type_ids[%lld][%lld] = %lld is outside [0, %d)",
                                  (long long)b, (long long)t, (long long)ty, c->type_vocab_size);
            if (mk != 0 && mk != 1)
                return attn__fail(ctx, ATTN_ERR_RANGE, "attention_mask[%lld][%lld] = %lld is not 0 or 1",
                                  (long long)b, (long long)t, (long long)mk);
            rid[n] = (int32_t)id;
            rpos[n] = (int32_t)t;
            rtyp[n] = (int32_t)ty;
            ridx[n] = (int32_t)(b * T + t);
            kmask[n] = (int32_t)mk;
            n++;
        }
    }
    offs[B] = (int32_t)n;
    return ATTN_OK;
}

static attn_status ensure_activations(attn_model *m)
{
    attn_ctx *ctx = m->ctx;
    int64_t N = m->N, H = m->cfg.hidden_size, B = m->B;
    attn_tensor **nh[] = {&m->emb_sum, &m->x0, &m->scratch};
    for (size_t i = 0; i < sizeof nh / sizeof nh[0]; i++) ATTN_CHECK(attn__model_buffer(ctx, nh[i], ATTN_F32, N, H));
    for (int32_t l = 0; l < m->cfg.num_layers; l++) {
        bert_block *b = &m->blocks[l];
        if (m->cfg.norm_position == ATTN_NORM_PRE) ATTN_CHECK(attn__model_buffer(ctx, &b->norm1, ATTN_F32, N, H));
        else ATTN_CHECK(attn__model_buffer(ctx, &b->res2, ATTN_F32, N, H));
        ATTN_CHECK(attn__model_buffer(ctx, &b->res1, ATTN_F32, N, H));
        ATTN_CHECK(attn__model_buffer(ctx, &b->norm2, ATTN_F32, N, H));
        ATTN_CHECK(attn__model_buffer(ctx, &b->out, ATTN_F32, N, H));
    }
    if (m->final_ln) ATTN_CHECK(attn__model_buffer(ctx, &m->final_out, ATTN_F32, N, H));
    attn_tensor **bh[] = {&m->cls, &m->pool_pre, &m->pooled, &m->pooled_drop};
    for (size_t i = 0; i < sizeof bh / sizeof bh[0]; i++) ATTN_CHECK(attn__model_buffer(ctx, bh[i], ATTN_F32, B, H));
    if (m->classifier) ATTN_CHECK(attn__model_buffer(ctx, &m->logits, ATTN_F32, B, m->cfg.num_labels));
    return ATTN_OK;
}

/* word + position + type, then LayerNorm: the last sum is done inside the
 * LayerNorm pass */
static attn_status embeddings_forward(attn_model *m)
{
    ATTN_CHECK(attn_embedding_forward(m->word_emb, m->row_ids, m->emb_sum));
    ATTN_CHECK(attn_embedding_forward(m->pos_emb, m->row_pos, m->scratch));
    ATTN_CHECK(attn_add(m->emb_sum, m->emb_sum, m->scratch));
    ATTN_CHECK(attn_embedding_forward(m->type_emb, m->row_types, m->scratch));
    ATTN_CHECK(attn__layernorm_forward_residual(m->emb_ln, m->emb_sum, m->scratch, NULL, m->emb_sum, m->x0));
    return attn_dropout_forward(m->emb_drop, m->x0, m->x0);
}

/* Residual sums are computed inside the LayerNorm pass that follows them.
 * Without dropout in the way (eval mode) the output biases of attention and
 * feed-forward go there too instead of a pass of their own. */
static attn_status block_forward(attn_model *m, bert_block *b, attn_tensor *in)
{
    const attn_tensor *kmask = m->full_rows ? m->key_mask : NULL;
    attn_tensor *sub = m->scratch;
    int fold = !m->training;
    const float *attn_bias = fold ? attn__attention_output_bias(b->attn) : NULL;
    if (m->cfg.norm_position == ATTN_NORM_POST) {
        const float *ffn_bias = fold ? attn__ffn_output_bias(b->ffn) : NULL;
        ATTN_CHECK(attn__attention_forward_ex(b->attn, in, m->seq_offsets, kmask, sub, !fold));
        ATTN_CHECK(attn_dropout_forward(b->drop1, sub, sub));
        ATTN_CHECK(attn__layernorm_forward_residual(b->ln1, in, sub, attn_bias, b->res1, b->norm2));
        ATTN_CHECK(attn__ffn_forward_ex(b->ffn, b->norm2, sub, !fold));
        ATTN_CHECK(attn_dropout_forward(b->drop2, sub, sub));
        return attn__layernorm_forward_residual(b->ln2, b->norm2, sub, ffn_bias, b->res2, b->out);
    }
    ATTN_CHECK(attn_layernorm_forward(b->ln1, in, b->norm1));
    ATTN_CHECK(attn__attention_forward_ex(b->attn, b->norm1, m->seq_offsets, kmask, sub, !fold));
    ATTN_CHECK(attn_dropout_forward(b->drop1, sub, sub));
    ATTN_CHECK(attn__layernorm_forward_residual(b->ln2, in, sub, attn_bias, b->res1, b->norm2));
    ATTN_CHECK(attn_ffn_forward(b->ffn, b->norm2, sub));
    ATTN_CHECK(attn_dropout_forward(b->drop2, sub, sub));
    return attn_add(b->out, b->res1, sub);
}

attn_tensor *attn__model_hidden(attn_model *m)
{
    if (m->final_ln) return m->final_out;
    return m->cfg.num_layers > 0 ? m->blocks[m->cfg.num_layers - 1].out : m->x0;
}

/* pooled [B, H]: the pooling of the hidden rows (pooling.c), then BERT's pooler if the model has one */
static attn_status pool(attn_model *m)
{
    ATTN_CHECK(attn__model_pool_forward(m, m->cls));
    if (m->cfg.pooling == ATTN_POOL_CLS_DENSE) {
        ATTN_CHECK(attn_linear_forward(m->pooler, m->cls, m->pool_pre));
        return attn_activation_forward(ATTN_ACT_TANH, m->pooled, m->pool_pre);
    }
    return attn_tensor_copy(m->pooled, m->cls);
}

attn_status attn_model_forward(attn_model *m, const attn_tensor *ids, const attn_tensor *types, const attn_tensor *mask)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    m->have_forward = 0;
    m->have_output = 0;
    if (!ids) return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_forward: input_ids is NULL");
    if (ids->rank != 2) return attn__fail(m->ctx, ATTN_ERR_SHAPE, "attn_model_forward: input_ids must be [B, T]");
    int64_t B = ids->shape[0], T = ids->shape[1];
    ATTN_CHECK(check_input(m, ids, "input_ids", B, T));
    if (types) ATTN_CHECK(check_input(m, types, "token_type_ids", B, T));
    if (mask) ATTN_CHECK(check_input(m, mask, "attention_mask", B, T));
    if (B < 1 || T < 1) return attn__fail(m->ctx, ATTN_ERR_SHAPE, "attn_model_forward: empty batch [%lld, %lld]", (long long)B, (long long)T);
    if (T > m->cfg.max_position_embeddings)
        return attn__fail(m->ctx, ATTN_ERR_SHAPE, "attn_model_forward: sequence length %lld exceeds max_position_embeddings %d",
                          (long long)T, m->cfg.max_position_embeddings);
    m->B = B;
    m->T = T;
    m->last_hidden_ready = 0;
    ATTN_CHECK(gather_rows(m, ids, types, mask));
    ATTN_CHECK(ensure_activations(m));
    ATTN_CHECK(embeddings_forward(m));
    attn_tensor *in = m->x0;
    for (int32_t l = 0; l < m->cfg.num_layers; l++) {
        ATTN_CHECK(block_forward(m, &m->blocks[l], in));
        in = m->blocks[l].out;
    }
    if (m->final_ln) ATTN_CHECK(attn_layernorm_forward(m->final_ln, in, m->final_out));
    ATTN_CHECK(pool(m));
    if (m->classifier) {
        ATTN_CHECK(attn_dropout_forward(m->cls_drop, m->pooled, m->pooled_drop));
        ATTN_CHECK(attn_linear_forward(m->classifier, m->pooled_drop, m->logits));
    }
    /* inference gets the switch training has (there the loss checks and
     * names the parameter): NaN weights must not give NaN outputs and OK */
    if (m->ctx->check_finite && !m->training)
        ATTN_CHECK(attn__tensor_check_finite(m->ctx, m->classifier ? m->logits : m->pooled, "attn_model_forward",
                                             m->classifier ? "logits" : "pooled output"));
    m->have_forward = 1;
    m->have_output = 1;
    return attn__ok(m->ctx);
}

attn_tensor *attn_model_output(attn_model *m, attn_model_output_kind kind)
{
    if (!m || !m->have_output) return NULL;
    switch (kind) {
    case ATTN_OUT_POOLED: return m->pooled;
    case ATTN_OUT_LOGITS: return m->classifier ? m->logits : NULL;
    case ATTN_OUT_LAST_HIDDEN: break;
    default: return NULL;
    }
    if (!m->last_hidden_ready) {
        /* scatter the computed rows into [B, T, H]; skipped padding stays zero */
        int64_t H = m->cfg.hidden_size, shape[3] = {m->B, m->T, H};
        int64_t flat = m->B * m->T;
        if (attn__model_buffer(m->ctx, &m->last_hidden, ATTN_F32, flat, H) != ATTN_OK) return NULL;
        if (attn_tensor_set_shape(m->last_hidden, 3, shape) != ATTN_OK) return NULL;
        float *dst = attn_tensor_data_f32(m->last_hidden);
        const float *src = attn_tensor_data_f32(attn__model_hidden(m));
        const int32_t *ridx = attn_tensor_data(m->row_index);
        if (!m->full_rows) memset(dst, 0, (size_t)(flat * H) * sizeof(float));
        for (int64_t r = 0; r < m->N; r++) memcpy(dst + (int64_t)ridx[r] * H, src + r * H, (size_t)H * sizeof(float));
        m->last_hidden_ready = 1;
    }
    return m->last_hidden;
}
