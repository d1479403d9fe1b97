/* Tensor-level activations and softmax: validate, then run the row kernels
 * of lib/compute over each row of a row-major matrix view. */
#include "internal.h"
#include "compute/kernels.h"

static attn_status as_rows(const attn_tensor *t, const char *fn, const char *what,
                           int64_t *rows, int64_t *cols, int64_t *ld)
{
    ATTN_CHECK(attn__check_f32(t, what));
    if (!attn__as_matrix(t, rows, cols, ld))
        return attn__fail(t->ctx, ATTN_ERR_STATE, "%s: %s must have contiguous rows (copy the view first)", fn, what);
    return ATTN_OK;
}

static int valid_act(attn_activation f) { return f >= ATTN_ACT_RELU && f <= ATTN_ACT_IDENTITY; }

attn_status attn_activation_forward(attn_activation f, attn_tensor *y, const attn_tensor *x)
{
    if (!y || !x) return ATTN_ERR_INVALID_ARG;
    if (!valid_act(f)) return attn__fail(y->ctx, ATTN_ERR_INVALID_ARG, "attn_activation_forward: unknown activation %d", (int)f);
    int64_t r, c, ldy, ldx;
    ATTN_CHECK(attn__check_same_shape(y, x, "attn_activation_forward: y", "x"));
    ATTN_CHECK(as_rows(y, "attn_activation_forward", "y", &r, &c, &ldy));
    ATTN_CHECK(as_rows(x, "attn_activation_forward", "x", &r, &c, &ldx));
    for (int64_t i = 0; i < r; i++) attn__act_forward(f, attn__f32(y) + i * ldy, attn__f32(x) + i * ldx, c);
    return attn__ok(y->ctx);
}

attn_status attn_activation_backward(attn_activation f, attn_tensor *dx, const attn_tensor *x, const attn_tensor *dy)
{
    if (!dx || !x || !dy) return ATTN_ERR_INVALID_ARG;
    if (!valid_act(f)) return attn__fail(dx->ctx, ATTN_ERR_INVALID_ARG, "attn_activation_backward: unknown activation %d", (int)f);
    int64_t r, c, ld1, ld2, ld3;
    ATTN_CHECK(attn__check_same_shape(dx, x, "attn_activation_backward: dx", "x"));
    ATTN_CHECK(attn__check_same_shape(dx, dy, "attn_activation_backward: dx", "dy"));
    ATTN_CHECK(as_rows(dx, "attn_activation_backward", "dx", &r, &c, &ld1));
    ATTN_CHECK(as_rows(x, "attn_activation_backward", "x", &r, &c, &ld2));
    ATTN_CHECK(as_rows(dy, "attn_activation_backward", "dy", &r, &c, &ld3));
    for (int64_t i = 0; i < r; i++)
        attn__act_backward(f, attn__f32(dx) + i * ld1, attn__f32(x) + i * ld2, attn__f32(dy) + i * ld3, c);
    return attn__ok(dx->ctx);
}

typedef void (*row_fn)(float *, const float *, int64_t);
typedef void (*row_bwd_fn)(float *, const float *, const float *, int64_t);

static attn_status rowwise(const char *fn, row_fn k, attn_tensor *y, const attn_tensor *x)
{
    if (!y || !x) return ATTN_ERR_INVALID_ARG;
    int64_t r, c, ldy, ldx;
    ATTN_CHECK(attn__check_same_shape(y, x, fn, "x"));
    ATTN_CHECK(as_rows(y, fn, "y", &r, &c, &ldy));
    ATTN_CHECK(as_rows(x, fn, "x", &r, &c, &ldx));
    if (c > 0)
        for (int64_t i = 0; i < r; i++) k(attn__f32(y) + i * ldy, attn__f32(x) + i * ldx, c);
    return attn__ok(y->ctx);
}

static attn_status rowwise_bwd(const char *fn, row_bwd_fn k, attn_tensor *dx, const attn_tensor *y, const attn_tensor *dy)
{
    if (!dx || !y || !dy) return ATTN_ERR_INVALID_ARG;
    int64_t r, c, l1, l2, l3;
    ATTN_CHECK(attn__check_same_shape(dx, y, fn, "y"));
    ATTN_CHECK(attn__check_same_shape(dx, dy, fn, "dy"));
    ATTN_CHECK(as_rows(dx, fn, "dx", &r, &c, &l1));
    ATTN_CHECK(as_rows(y, fn, "y", &r, &c, &l2));
    ATTN_CHECK(as_rows(dy, fn, "dy", &r, &c, &l3));
    for (int64_t i = 0; i < r; i++) k(attn__f32(dx) + i * l1, attn__f32(y) + i * l2, attn__f32(dy) + i * l3, c);
    return attn__ok(dx->ctx);
}

attn_status attn_softmax(attn_tensor *y, const attn_tensor *x)
{
    return rowwise("attn_softmax: y", attn__softmax_row, y, x);
}

attn_status attn_log_softmax(attn_tensor *y, const attn_tensor *x)
{
    return rowwise("attn_log_softmax: y", attn__log_softmax_row, y, x);
}

attn_status attn_softmax_backward(attn_tensor *dx, const attn_tensor *y, const attn_tensor *dy)
{
    return rowwise_bwd("attn_softmax_backward: dx", attn__softmax_row_backward, dx, y, dy);
}

attn_status attn_log_softmax_backward(attn_tensor *dx, const attn_tensor *y, const attn_tensor *dy)
{
    return rowwise_bwd("attn_log_softmax_backward: dx", attn__log_softmax_row_backward, dx, y, dy);
}
