/* Growable scratch buffers of the tokenizer. They live as long as the
 * tokenizer or batch that owns them and only grow, so that encoding texts
 * in a loop stops allocating once the buffers fit the longest text. */
#include <string.h>

#include "text_internal.h"

attn_status attn__text_buf_reserve(attn_ctx *ctx, attn__text_buf *b, size_t bytes)
{
    if (bytes <= b->cap) return ATTN_OK;
    size_t cap = b->cap < 256 ? 256 : b->cap;
    while (cap < bytes) {
        if (cap > SIZE_MAX / 2) {
            cap = bytes;
            break;
        }
        cap *= 2;
    }
    void *p = attn__alloc(ctx, cap);
    if (!p) return ATTN_ERR_NOMEM;
    if (b->data) {
        memcpy(p, b->data, b->cap);
        attn__free(ctx, b->data);
    }
    b->data = p;
    b->cap = cap;
    return ATTN_OK;
}

void attn__text_buf_free(attn_ctx *ctx, attn__text_buf *b)
{
    attn__free(ctx, b->data);
    b->data = NULL;
    b->cap = 0;
}

attn_status attn__text_ids_grow_push(attn_ctx *ctx, attn__text_ids *l, int32_t v)
{
    if (l->n >= (size_t)INT32_MAX)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "more than %d token ids in one sequence", INT32_MAX);
    if ((l->n + 1) * sizeof(int32_t) > l->buf.cap)
        ATTN_CHECK(attn__text_buf_reserve(ctx, &l->buf, (l->n + 1) * sizeof(int32_t)));
    attn__text_ids_data(l)[l->n++] = v;
    return ATTN_OK;
}

attn_status attn__spans_push(attn_ctx *ctx, attn__spans *l, size_t start, size_t end)
{
    if (l->n >= SIZE_MAX / (2 * sizeof(attn__span)))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "too many pieces in one text");
    if ((l->n + 1) * sizeof(attn__span) > l->buf.cap)
        ATTN_CHECK(attn__text_buf_reserve(ctx, &l->buf, (l->n + 1) * sizeof(attn__span)));
    attn__span *s = attn__spans_data(l) + l->n++;
    s->start = start;
    s->end = end;
    return ATTN_OK;
}
