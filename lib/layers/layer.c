/* The generic half of every layer: creation of the common header, the
 * parameter table (values, gradients, views into packed storage), work
 * buffers that only grow, destroy, zero_grad, the training switch, and the
 * argument checks shared by the typed forward/backward functions. */
#include <string.h>

#include "layers/layer.h"

static const char *const kind_names[] = {
    [ATTN__LAYER_LINEAR] = "linear",       [ATTN__LAYER_LAYERNORM] = "layernorm",
    [ATTN__LAYER_EMBEDDING] = "embedding", [ATTN__LAYER_DROPOUT] = "dropout",
    [ATTN__LAYER_ATTENTION] = "attention", [ATTN__LAYER_FFN] = "feed-forward",
};

const char *attn__layer_kind_name(attn__layer_kind kind)
{
    if (kind < ATTN__LAYER_LINEAR || kind > ATTN__LAYER_FFN) return "unknown";
    return kind_names[kind];
}

attn_status attn__layer_new(attn_ctx *ctx, attn__layer_kind kind, size_t size, attn_layer **out)
{
    attn_layer *l = attn__calloc(ctx, 1, size);
    if (!l) return ATTN_ERR_NOMEM;
    l->ctx = ctx;
    l->kind = kind;
    *out = l;
    return ATTN_OK;
}

static attn_status own(attn_layer *l, attn_tensor *t)
{
    if (l->nowned >= ATTN__MAX_OWNED) {
        attn_tensor_destroy(t);
        return attn__fail(l->ctx, ATTN_ERR_LIMIT, "layer owns more than %d tensors", ATTN__MAX_OWNED);
    }
    l->owned[l->nowned++] = t;
    return ATTN_OK;
}

/* A float tensor the layer owns: memory now, or deferred (gradients). */
static attn_status add_owned(attn_layer *l, int32_t rank, const int64_t *shape, int deferred, attn_tensor **out)
{
    attn_tensor *t;
    ATTN_CHECK(deferred ? attn__tensor_create_deferred(l->ctx, ATTN_F32, rank, shape, &t)
                        : attn_tensor_create(l->ctx, ATTN_F32, rank, shape, &t));
    ATTN_CHECK(own(l, t));
    *out = t;
    return ATTN_OK;
}

attn_status attn__layer_add_tensor(attn_layer *l, int32_t rank, const int64_t *shape, attn_tensor **out)
{
    return add_owned(l, rank, shape, 0, out);
}

static attn_status add_entry(attn_layer *l, const char *name, attn_tensor *value, attn_tensor *grad)
{
    if (l->nparams >= ATTN__MAX_PARAMS)
        return attn__fail(l->ctx, ATTN_ERR_LIMIT, "layer has more than %d parameters", ATTN__MAX_PARAMS);
    l->params[l->nparams].name = name;
    l->params[l->nparams].value = value;
    l->params[l->nparams].grad = grad;
    l->nparams++;
    return ATTN_OK;
}

attn_status attn__layer_add_grad_tensor(attn_layer *l, int32_t rank, const int64_t *shape, attn_tensor **out)
{
    return add_owned(l, rank, shape, 1, out);
}

attn_status attn__layer_grads(attn_layer *l)
{
    for (int32_t i = 0; i < l->nparams; i++)
        if (attn__tensor_materialize(l->params[i].grad) != ATTN_OK)
            return attn__fail(l->ctx, ATTN_ERR_NOMEM, "no memory for the gradient of %s (%s layer)", l->params[i].name,
                              attn__layer_kind_name(l->kind));
    return ATTN_OK;
}

attn_status attn__layer_add_param(attn_layer *l, const char *name, int32_t rank, const int64_t *shape,
                                  attn_tensor **value, attn_tensor **grad)
{
    attn_tensor *v, *g;
    ATTN_CHECK(attn__layer_add_tensor(l, rank, shape, &v));
    ATTN_CHECK(attn__layer_add_grad_tensor(l, rank, shape, &g));
    ATTN_CHECK(add_entry(l, name, v, g));
    if (value) *value = v;
    if (grad) *grad = g;
    return ATTN_OK;
}

attn_status attn__layer_add_param_view(attn_layer *l, const char *name, attn_tensor *value, attn_tensor *grad,
                                       int64_t start, int64_t len)
{
    attn_tensor *v, *g;
    ATTN_CHECK(attn_tensor_view_slice(value, 0, start, len, &v));
    ATTN_CHECK(own(l, v));
    ATTN_CHECK(attn_tensor_view_slice(grad, 0, start, len, &g));
    ATTN_CHECK(own(l, g));
    return add_entry(l, name, v, g);
}

void attn__layer_track_buf(attn_layer *l, attn__layer_buf *b)
{
    /* the kinds register a fixed, small number of buffers at create time */
    if (l->nbufs < ATTN__MAX_BUFS) l->bufs[l->nbufs++] = b;
}

void attn__layer_drop_activations(attn_layer *l, int32_t drop)
{
    l->drop_activations = drop;
    l->ready = 0;
    /* the work buffers regrow as the next forward needs them; the ones
     * that only served backward are not taken again */
    if (drop)
        for (int32_t i = 0; i < l->nbufs; i++) attn__layer_buf_free(l->ctx, l->bufs[i]);
}

void attn__layer_buf_free(attn_ctx *ctx, attn__layer_buf *b)
{
    attn__free(ctx, b->p);
    b->p = NULL;
    b->bytes = 0;
}

attn_status attn__layer_buf_reserve(attn_ctx *ctx, attn__layer_buf *b, size_t count, size_t elem_size, const char *what)
{
    size_t bytes;
    if (!attn__mul_size(count, elem_size, &bytes))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: %zu elements of %zu bytes overflow", what, count, elem_size);
    if (bytes <= b->bytes) return ATTN_OK;
    attn__layer_buf_free(ctx, b);
    void *p = attn__alloc(ctx, bytes);
    if (!p) return ATTN_ERR_NOMEM;
    b->p = p;
    b->bytes = bytes;
    return ATTN_OK;
}

void attn_layer_destroy(attn_layer *layer)
{
    if (!layer) return;
    attn_ctx *ctx = layer->ctx;
    /* views first: they only drop a reference on the packed storage */
    for (int32_t i = layer->nowned - 1; i >= 0; i--) attn_tensor_destroy(layer->owned[i]);
    for (int32_t i = 0; i < layer->nbufs; i++) attn__free(ctx, layer->bufs[i]->p);
    if (layer->uses_scratch) attn__scratch_leave(ctx);
    attn__free(ctx, layer);
}

void attn__layer_use_scratch(attn_layer *l)
{
    if (l->uses_scratch) return;
    attn__scratch_join(l->ctx);
    l->uses_scratch = 1;
}

int32_t attn_layer_param_count(const attn_layer *layer)
{
    return layer ? layer->nparams : 0;
}

attn_status attn_layer_param(attn_layer *layer, int32_t i, const char **name, attn_tensor **value,
                             attn_tensor **grad)
{
    if (!layer) return ATTN_ERR_INVALID_ARG;
    if (i < 0 || i >= layer->nparams)
        return attn__fail(layer->ctx, ATTN_ERR_RANGE, "attn_layer_param: index %d outside 0..%d of this %s layer",
                          (int)i, (int)layer->nparams - 1, attn__layer_kind_name(layer->kind));
    if (grad) ATTN_CHECK(attn__layer_grads(layer)); /* the caller may read or write it */
    if (name) *name = layer->params[i].name;
    if (value) *value = layer->params[i].value;
    if (grad) *grad = layer->params[i].grad;
    return attn__ok(layer->ctx);
}

attn_status attn_layer_zero_grad(attn_layer *layer)
{
    if (!layer) return ATTN_ERR_INVALID_ARG;
    for (int32_t i = 0; i < layer->nparams; i++) {
        attn_tensor *g = layer->params[i].grad;
        if (attn__tensor_deferred(g)) continue; /* zeros once it exists */
        if (attn_tensor_is_contiguous(g)) {
            memset(attn__f32(g), 0, (size_t)attn_tensor_numel(g) * sizeof(float));
        } else {
            ATTN_CHECK(attn_tensor_fill(g, 0.0));
        }
    }
    return attn__ok(layer->ctx);
}

attn_status attn_layer_set_training(attn_layer *layer, int32_t training)
{
    if (!layer) return ATTN_ERR_INVALID_ARG;
    if (training != 0 && training != 1)
        return attn__fail(layer->ctx, ATTN_ERR_INVALID_ARG, "attn_layer_set_training: training must be 0 or 1, not %d",
                          (int)training);
    layer->training = training;
    return attn__ok(layer->ctx);
}

static const char *article(const char *noun)
{
    return strchr("aeiou", noun[0]) ? "an" : "a";
}

attn_status attn__layer_check(const attn_layer *l, attn__layer_kind kind, const char *fn)
{
    if (!l) return ATTN_ERR_INVALID_ARG;
    if (l->kind != kind)
        return attn__fail(l->ctx, ATTN_ERR_INVALID_ARG, "%s: not %s %s layer (this is %s %s layer)", fn,
                          article(attn__layer_kind_name(kind)), attn__layer_kind_name(kind),
                          article(attn__layer_kind_name(l->kind)), attn__layer_kind_name(l->kind));
    return ATTN_OK;
}

attn_status attn__layer_rows(attn_ctx *ctx, const attn_tensor *t, const char *fn, const char *what, int64_t cols,
                             int64_t *rows, int64_t *ld)
{
    if (!t) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: %s is NULL", fn, what);
    if (t->dtype != ATTN_F32)
        return attn__fail(ctx, ATTN_ERR_DTYPE, "%s: %s must be float32 (dtype %d)", fn, what, (int)t->dtype);
    char s[96];
    int64_t r, c, l;
    if (!attn__as_matrix(t, &r, &c, &l))
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: %s %s is not a row-major matrix (copy the view first)", fn, what,
                          attn__shape_str(t, s, sizeof s));
    if (cols >= 0 && c != cols)
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: %s %s must have %lld columns", fn, what,
                          attn__shape_str(t, s, sizeof s), (long long)cols);
    *rows = r;
    *ld = l;
    return ATTN_OK;
}

attn_status attn__layer_same_rows(attn_ctx *ctx, const char *fn, const attn_tensor *a, const char *what_a,
                                  int64_t rows_a, const attn_tensor *b, const char *what_b, int64_t rows_b)
{
    if (rows_a == rows_b) return ATTN_OK;
    char sa[96], sb[96];
    return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: %s %s has %lld rows but %s %s has %lld", fn, what_a,
                      attn__shape_str(a, sa, sizeof sa), (long long)rows_a, what_b, attn__shape_str(b, sb, sizeof sb),
                      (long long)rows_b);
}

attn_status attn__layer_no_overlap(attn_ctx *ctx, const char *fn, const attn_tensor *out, const char *what_out,
                                   int64_t rows_out, int64_t ld_out, int64_t cols_out, const attn_tensor *in,
                                   const char *what_in, int64_t rows_in, int64_t ld_in, int64_t cols_in)
{
    if (rows_out == 0 || rows_in == 0 || cols_out == 0 || cols_in == 0) return ATTN_OK;
    if (out->storage->data != in->storage->data) return ATTN_OK;
    const float *o0 = attn__f32(out), *o1 = o0 + (rows_out - 1) * ld_out + cols_out;
    const float *i0 = attn__f32(in), *i1 = i0 + (rows_in - 1) * ld_in + cols_in;
    if (o1 <= i0 || i1 <= o0) return ATTN_OK;
    return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: %s overlaps %s in memory; use a separate output tensor", fn,
                      what_out, what_in);
}
