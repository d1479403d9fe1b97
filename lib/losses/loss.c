/* The loss handle: options, weights, argument checks shared by every loss,
 * and the dispatch of forward/backward to the family that computes it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "loss_internal.h"

/* First version of attn_loss_opts: everything up to label_smoothing. */
#define LOSS_OPTS_V1_SIZE (offsetof(attn_loss_opts, label_smoothing) + sizeof(float))

static int is_class_kind(attn_loss_kind k) { return k == ATTN_LOSS_CROSS_ENTROPY || k == ATTN_LOSS_NLL; }

attn_status attn_loss_create(attn_ctx *ctx, const attn_loss_opts *opts, attn_loss **out)
{
    if (out) *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!opts || !out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_loss_create: opts and out must not be NULL");
    if (opts->struct_size < LOSS_OPTS_V1_SIZE)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "attn_loss_create: opts->struct_size is %u, at least %zu expected (set it to sizeof(attn_loss_opts))",
                          opts->struct_size, (size_t)LOSS_OPTS_V1_SIZE);
    /* a newer caller's fields this library does not know must be left at zero */
    for (size_t i = sizeof(attn_loss_opts); i < opts->struct_size; i++)
        if (((const unsigned char *)opts)[i] != 0)
            return attn__fail(ctx, ATTN_ERR_UNSUPPORTED,
                              "attn_loss_create: opts has a non-zero byte at offset %zu, past the fields this library knows",
                              i);
    if (opts->kind < ATTN_LOSS_MSE || opts->kind > ATTN_LOSS_BCE_WITH_LOGITS)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_loss_create: unknown loss kind %d", (int)opts->kind);
    if (opts->reduction < ATTN_REDUCTION_MEAN || opts->reduction > ATTN_REDUCTION_NONE)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_loss_create: unknown reduction %d", (int)opts->reduction);
    float ls = opts->label_smoothing;
    if (!(ls >= 0.0f && ls <= 1.0f))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_loss_create: label_smoothing %g is outside [0, 1]", (double)ls);
    if (ls != 0.0f && opts->kind != ATTN_LOSS_CROSS_ENTROPY)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "attn_loss_create: label_smoothing applies to ATTN_LOSS_CROSS_ENTROPY only (kind %d)",
                          (int)opts->kind);
    attn_loss *loss = attn__calloc(ctx, 1, sizeof *loss);
    if (!loss) return ATTN_ERR_NOMEM;
    loss->ctx = ctx;
    loss->kind = (attn_loss_kind)opts->kind;
    loss->reduction = (attn_reduction)opts->reduction;
    loss->label_smoothing = ls;
    loss->ignore_index = -100; /* PyTorch's default */
    *out = loss;
    return attn__ok(ctx);
}

void attn_loss_destroy(attn_loss *loss)
{
    if (!loss) return;
    attn__free(loss->ctx, loss->weight);
    attn__free(loss->ctx, loss->pos_weight);
    attn__free(loss->ctx, loss);
}

attn_status attn_loss_set_ignore_index(attn_loss *loss, int64_t ignore_index)
{
    if (!loss) return ATTN_ERR_INVALID_ARG;
    if (!is_class_kind(loss->kind))
        return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG,
                          "attn_loss_set_ignore_index: only cross-entropy and NLL have class targets (kind %d)",
                          (int)loss->kind);
    loss->ignore_index = ignore_index;
    return attn__ok(loss->ctx);
}

/* Copies a rank-1 float32 tensor into *dst (replacing what was there). */
static attn_status copy_vector(attn_loss *loss, const char *fn, const attn_tensor *src, float **dst, int64_t *len)
{
    if (!src) {
        attn__free(loss->ctx, *dst);
        *dst = NULL;
        *len = 0;
        return attn__ok(loss->ctx);
    }
    ATTN_CHECK(attn__check_f32(src, fn));
    if (src->rank != 1) {
        char s[96];
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: expected a rank-1 tensor [C], got %s", fn,
                          attn__shape_str(src, s, sizeof s));
    }
    int64_t n = src->shape[0];
    float *copy = attn__alloc(loss->ctx, (size_t)(n > 0 ? n : 1) * sizeof(float));
    if (!copy) return ATTN_ERR_NOMEM;
    const float *p = attn__f32(src);
    for (int64_t i = 0; i < n; i++) copy[i] = p[i * src->stride[0]];
    attn__free(loss->ctx, *dst);
    *dst = copy;
    *len = n;
    return attn__ok(loss->ctx);
}

attn_status attn_loss_set_weight(attn_loss *loss, const attn_tensor *weight)
{
    if (!loss) return ATTN_ERR_INVALID_ARG;
    if (loss->kind == ATTN_LOSS_MSE)
        return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG, "attn_loss_set_weight: MSE takes no weight");
    return copy_vector(loss, "attn_loss_set_weight: weight", weight, &loss->weight, &loss->weight_len);
}

attn_status attn_loss_set_pos_weight(attn_loss *loss, const attn_tensor *pos_weight)
{
    if (!loss) return ATTN_ERR_INVALID_ARG;
    if (loss->kind != ATTN_LOSS_BCE_WITH_LOGITS)
        return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG,
                          "attn_loss_set_pos_weight: only ATTN_LOSS_BCE_WITH_LOGITS has a pos_weight (kind %d)",
                          (int)loss->kind);
    return copy_vector(loss, "attn_loss_set_pos_weight: pos_weight", pos_weight, &loss->pos_weight,
                       &loss->pos_weight_len);
}

const char *attn__loss_position(const int64_t *idx, int32_t rank, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %lld" : "%lld", (long long)idx[i]);
    return buf;
}

attn_status attn__loss_check_finite(const attn_loss *loss, const char *fn, const char *what, const attn_tensor *t)
{
    if (!loss->ctx->check_finite || !t || attn_tensor_numel(t) == 0) return ATTN_OK;
    const float *p = t->storage->data;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        float v = p[attn__offset_of(t, idx)];
        if (!isfinite(v)) {
            char pos[128];
            return attn__fail(loss->ctx, ATTN_ERR_NUMERIC, "%s: %s[%s] is %s (ATTN_OPT_CHECK_FINITE is on)", fn, what,
                              attn__loss_position(idx, t->rank, pos, sizeof pos), isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
        }
    } while (attn__index_next(idx, t->shape, t->rank));
    return ATTN_OK;
}

attn_status attn__loss_check_elements(const attn_loss *loss, const char *fn, const char *what,
                                      const attn_tensor *t, int32_t rank, const int64_t *shape)
{
    if (t->dtype != ATTN_F32)
        return attn__fail(loss->ctx, ATTN_ERR_DTYPE, "%s: %s must be float32 (dtype %d)", fn, what, (int)t->dtype);
    int same = t->rank == rank;
    for (int32_t i = 0; same && i < rank; i++) same = t->shape[i] == shape[i];
    if (!same) {
        char got[96], want[96];
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: %s is %s, the reduction 'none' gives [%s]", fn, what,
                          attn__shape_str(t, got, sizeof got), attn__loss_position(shape, rank, want, sizeof want));
    }
    return ATTN_OK;
}

static attn_status run(attn_loss *loss, const attn__loss_call *call)
{
    if (!call->input || !call->target)
        return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG, "%s: input and target must not be NULL", call->fn);
    int none = loss->reduction == ATTN_REDUCTION_NONE;
    if (!call->dinput) {
        if (none && !call->elements)
            return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG, "%s: reduction 'none' needs the elements tensor", call->fn);
        if (!none && call->elements)
            return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG,
                              "%s: elements must be NULL for reduction mean/sum (the loss goes to *value)", call->fn);
        if (!none && !call->value)
            return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG, "%s: value must not be NULL", call->fn);
    } else {
        if (!none && call->delements)
            return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG,
                              "%s: delements must be NULL for reduction mean/sum (use scale)", call->fn);
        if (!isfinite(call->scale) && loss->ctx->check_finite)
            return attn__fail(loss->ctx, ATTN_ERR_NUMERIC, "%s: scale is %g (ATTN_OPT_CHECK_FINITE is on)", call->fn,
                              (double)call->scale);
        ATTN_CHECK(attn__check_f32(call->dinput, "attn_loss_backward: dinput"));
        ATTN_CHECK(attn__check_same_shape(call->dinput, call->input, "attn_loss_backward: dinput", "input"));
    }
    ATTN_CHECK(attn__check_f32(call->input, call->dinput ? "attn_loss_backward: input" : "attn_loss_forward: input"));
    if (loss->kind == ATTN_LOSS_CROSS_ENTROPY || loss->kind == ATTN_LOSS_NLL)
        return attn__class_loss_run(loss, call);
    return attn__pointwise_loss_run(loss, call);
}

attn_status attn_loss_forward(attn_loss *loss, const attn_tensor *input, const attn_tensor *target, double *value,
                              attn_tensor *elements)
{
    if (!loss) return ATTN_ERR_INVALID_ARG;
    attn__loss_call call = {"attn_loss_forward", input, target, value, elements, 1.0f, NULL, NULL};
    ATTN_CHECK(run(loss, &call));
    return attn__ok(loss->ctx);
}

attn_status attn_loss_backward(attn_loss *loss, const attn_tensor *input, const attn_tensor *target, float scale,
                               const attn_tensor *delements, attn_tensor *dinput)
{
    if (!loss) return ATTN_ERR_INVALID_ARG;
    if (!dinput) return attn__fail(loss->ctx, ATTN_ERR_INVALID_ARG, "attn_loss_backward: dinput must not be NULL");
    attn__loss_call call = {"attn_loss_backward", input, target, NULL, NULL, scale, delements, dinput};
    ATTN_CHECK(run(loss, &call));
    return attn__ok(loss->ctx);
}
