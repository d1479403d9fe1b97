/* Pooling: one vector per sequence from the hidden rows of its tokens, in
 * every mode sentence-transformers' Pooling module has, and the backward of
 * each. All modes but max are a weighted sum over the sequence's rows,
 * pooled[b] = scale_b * sum_r w_r h_r, so one loop serves forward and
 * backward (d h_r = scale_b * w_r * d pooled[b]); the weights and scales are
 * those sentence-transformers uses:
 *   cls       w = 1 on the first real token             scale 1
 *   mean      w = 1 on every real token                 scale 1 / count
 *   sqrt-len  w = 1 on every real token                 scale 1 / sqrt(count)
 *   weighted  w = position from the first real token, 1, 2, ...   scale 1 / sum w
 *   last      w = 1 on the last real token              scale 1
 * Max takes, per component, the largest value over the real tokens, and its
 * backward sends the gradient to the row that held it (the first such row
 * on a tie, as torch.max does). */
#include <math.h>
#include <string.h>

#include "model/bert_internal.h"

/* The weight of row r (position pos in its sequence, first real position
 * first) under the model's pooling; real is 0 for a padding row. */
static float row_weight(int32_t pooling, int64_t r, int64_t first_row, int64_t last_row, int64_t pos,
                        int64_t first_pos, int real)
{
    if (!real) return 0.0f;
    switch (pooling) {
    case ATTN_POOL_CLS:
    case ATTN_POOL_CLS_DENSE: return r == first_row ? 1.0f : 0.0f;
    case ATTN_POOL_LAST_TOKEN: return r == last_row ? 1.0f : 0.0f;
    case ATTN_POOL_WEIGHTED_MEAN: return (float)(pos - first_pos + 1);
    default: return 1.0f; /* mean, sqrt-len */
    }
}

/* Rows [begin, end) of sequence b, its first and last real rows, the
 * position of the first and the count of real rows. Without padding skipped
 * the rows are every position and the key mask says which are real; BERT's
 * pooler and "cls" take position 0 then whatever it holds, as Hugging Face
 * does. */
typedef struct seq_rows {
    int64_t begin, end, first, last, first_pos, count;
} seq_rows;

static seq_rows rows_of(const attn_model *m, int64_t b)
{
    const int32_t *offs = attn_tensor_data(m->seq_offsets), *kmask = attn_tensor_data(m->key_mask);
    const int32_t *pos = attn_tensor_data(m->row_pos);
    seq_rows s = {offs[b], offs[b + 1], -1, -1, 0, 0};
    for (int64_t r = s.begin; r < s.end; r++) {
        if (!kmask[r]) continue;
        if (s.first < 0) s.first = r, s.first_pos = pos[r];
        s.last = r;
        s.count++;
    }
    return s;
}

static float scale_of(int32_t pooling, const seq_rows *s, float weight_sum)
{
    if (s->count == 0) return 0.0f;
    switch (pooling) {
    case ATTN_POOL_MEAN: return 1.0f / (float)s->count;
    case ATTN_POOL_MEAN_SQRT_LEN: return 1.0f / sqrtf((float)s->count);
    case ATTN_POOL_WEIGHTED_MEAN: return 1.0f / weight_sum;
    default: return 1.0f;
    }
}

/* cls and BERT's pooler read position 0 even when it is padding (HF) */
static int cls_like(int32_t pooling) { return pooling == ATTN_POOL_CLS || pooling == ATTN_POOL_CLS_DENSE; }

attn_status attn__model_pool_forward(attn_model *m, attn_tensor *out)
{
    int64_t H = m->cfg.hidden_size;
    int32_t pooling = m->cfg.pooling;
    const float *h = attn_tensor_data_f32(attn__model_hidden(m));
    const int32_t *kmask = attn_tensor_data(m->key_mask), *pos = attn_tensor_data(m->row_pos);
    float *dst_all = attn_tensor_data_f32(out);
    int32_t *arg = NULL;
    if (pooling == ATTN_POOL_MAX) {
        ATTN_CHECK(attn__model_buffer(m->ctx, &m->pool_argmax, ATTN_I32, m->B, H));
        arg = attn_tensor_data(m->pool_argmax);
    }
    for (int64_t b = 0; b < m->B; b++) {
        float *dst = dst_all + b * H;
        seq_rows s = rows_of(m, b);
        if (cls_like(pooling)) {
            memcpy(dst, h + s.begin * H, (size_t)H * sizeof(float));
            continue;
        }
        if (pooling == ATTN_POOL_MAX) {
            int32_t *a = arg + b * H;
            for (int64_t j = 0; j < H; j++) dst[j] = 0.0f, a[j] = -1;
            for (int64_t r = s.begin; r < s.end; r++) {
                if (!kmask[r]) continue;
                for (int64_t j = 0; j < H; j++)
                    if (a[j] < 0 || h[r * H + j] > dst[j]) dst[j] = h[r * H + j], a[j] = (int32_t)r;
            }
            continue;
        }
        memset(dst, 0, (size_t)H * sizeof(float));
        float weight_sum = 0.0f;
        for (int64_t r = s.begin; r < s.end; r++) {
            float w = row_weight(pooling, r, s.first, s.last, pos[r], s.first_pos, kmask[r] != 0);
            if (w == 0.0f) continue;
            weight_sum += w;
            for (int64_t j = 0; j < H; j++) dst[j] += w * h[r * H + j];
        }
        float scale = scale_of(pooling, &s, weight_sum);
        for (int64_t j = 0; j < H; j++) dst[j] *= scale;
    }
    return ATTN_OK;
}

attn_status attn__model_pool_backward(attn_model *m, const attn_tensor *d_pooled, attn_tensor *d_hidden)
{
    int64_t H = m->cfg.hidden_size;
    int32_t pooling = m->cfg.pooling;
    const int32_t *kmask = attn_tensor_data(m->key_mask), *pos = attn_tensor_data(m->row_pos);
    const float *g = attn_tensor_data_f32((attn_tensor *)d_pooled);
    float *dh = attn_tensor_data_f32(d_hidden);
    memset(dh, 0, (size_t)(m->N * H) * sizeof(float));
    for (int64_t b = 0; b < m->B; b++) {
        const float *gb = g + b * H;
        seq_rows s = rows_of(m, b);
        if (cls_like(pooling)) {
            memcpy(dh + s.begin * H, gb, (size_t)H * sizeof(float));
            continue;
        }
        if (pooling == ATTN_POOL_MAX) {
            const int32_t *a = (const int32_t *)attn_tensor_data(m->pool_argmax) + b * H;
            for (int64_t j = 0; j < H; j++)
                if (a[j] >= 0) dh[(int64_t)a[j] * H + j] += gb[j];
            continue;
        }
        float weight_sum = 0.0f;
        for (int64_t r = s.begin; r < s.end; r++)
            weight_sum += row_weight(pooling, r, s.first, s.last, pos[r], s.first_pos, kmask[r] != 0);
        float scale = scale_of(pooling, &s, weight_sum);
        for (int64_t r = s.begin; r < s.end; r++) {
            float w = row_weight(pooling, r, s.first, s.last, pos[r], s.first_pos, kmask[r] != 0) * scale;
            if (w == 0.0f) continue;
            for (int64_t j = 0; j < H; j++) dh[r * H + j] = w * gb[j];
        }
    }
    return ATTN_OK;
}
