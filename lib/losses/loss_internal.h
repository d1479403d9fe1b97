/* Private to lib/losses: the loss handle and the two families of losses
 * (class losses on [N, C] rows, pointwise losses on matching tensors) that
 * loss.c dispatches to. */
#ifndef ATTN_LOSS_INTERNAL_H
#define ATTN_LOSS_INTERNAL_H

#include "internal.h"

struct attn_loss {
    attn_ctx *ctx;
    attn_loss_kind kind;
    attn_reduction reduction;
    float label_smoothing;
    int64_t ignore_index;
    float *weight;           /* [weight_len] or NULL */
    int64_t weight_len;
    float *pos_weight;       /* [pos_weight_len] or NULL */
    int64_t pos_weight_len;
};

/* One forward or backward request. Forward: dinput is NULL and value /
 * elements receive the result. Backward: dinput is set and accumulates. */
typedef struct attn__loss_call {
    const char *fn;
    const attn_tensor *input;
    const attn_tensor *target;
    double *value;
    attn_tensor *elements;
    float scale;
    const attn_tensor *delements;
    attn_tensor *dinput;
} attn__loss_call;

/* ATTN_ERR_NUMERIC naming what[i, j, ...] when t holds a NaN or Inf and the
 * context's check_finite is on; ATTN_OK otherwise. t may be NULL. */
attn_status attn__loss_check_finite(const attn_loss *loss, const char *fn, const char *what, const attn_tensor *t);
/* Writes "2, 3" (the multi-index of a rank-dims position) into buf. */
const char *attn__loss_position(const int64_t *idx, int32_t rank, char *buf, size_t n);
/* Checks the per-element tensor (elements or delements) against the shape
 * the reduction produces: rank/shape given, float32. */
attn_status attn__loss_check_elements(const attn_loss *loss, const char *fn, const char *what,
                                      const attn_tensor *t, int32_t rank, const int64_t *shape);

/* CROSS_ENTROPY and NLL (lib/losses/cross_entropy.c). */
attn_status attn__class_loss_run(const attn_loss *loss, const attn__loss_call *call);
/* MSE, BCE and BCE_WITH_LOGITS (lib/losses/pointwise.c). */
attn_status attn__pointwise_loss_run(const attn_loss *loss, const attn__loss_call *call);

#endif /* ATTN_LOSS_INTERNAL_H */
