/** @file
 * libattn losses: the value of a loss and its gradient with respect to the
 * input, float32, with PyTorch's definitions (torch.nn.functional 1.13).
 *
 * Legend: N = examples (rows), C = classes (columns).
 *
 * A loss is an attn_loss handle created from a versioned options struct;
 * class weights, pos_weight and ignore_index are set with setters (their
 * defaults are PyTorch's: no weights, ignore_index -100).
 *
 *   kind                       input            target
 *   ATTN_LOSS_MSE              any shape        float32, same shape
 *   ATTN_LOSS_CROSS_ENTROPY    logits [N, C]    int32/int64 class indices [N]
 *   ATTN_LOSS_NLL              log-probs [N, C] int32/int64 class indices [N]
 *   ATTN_LOSS_BCE              probs, any shape float32, same shape
 *   ATTN_LOSS_BCE_WITH_LOGITS  logits, any shape float32, same shape
 *
 * Rules shared by all losses:
 *  - forward is stateless: backward recomputes what it needs from the same
 *    input and target, so forward and backward may be called in any order
 *    and neither allocates;
 *  - backward ACCUMULATES: dinput += scale * dloss/dinput (zero dinput
 *    yourself when starting a new gradient);
 *  - everything is validated before anything is written: a failing call
 *    leaves its outputs untouched;
 *  - with the context's ATTN_OPT_CHECK_FINITE = 1, a NaN or Inf in the
 *    input, a float target or the upstream gradient is ATTN_ERR_NUMERIC and
 *    the message names the tensor and the position. With it off, non-finite
 *    values propagate as they do in PyTorch;
 *  - a mean over no elements (N = 0, or every target ignored) is NaN, as in
 *    PyTorch; its gradient is zero.
 */
#ifndef ATTN_LOSSES_H
#define ATTN_LOSSES_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A loss function with its options (kind, reduction, weights). Opaque; stateless between calls. */
typedef struct attn_loss attn_loss;

/** Which loss (see the table in the file comment). */
typedef enum attn_loss_kind {
    /** (x - y)^2 per element. */
    ATTN_LOSS_MSE = 0,
    /** Softmax cross-entropy on logits: per row -w[t] * log_softmax(x)[t],
     *  with optional label smoothing eps: (1 - eps) * that + (eps / C) *
     *  sum_c -w[c] * log_softmax(x)[c] (PyTorch's formula, weights included). */
    ATTN_LOSS_CROSS_ENTROPY = 1,
    /** Negative log-likelihood on log-probabilities: per row -w[t] * x[t]
     *  (PyTorch's NLLLoss; cross-entropy on probabilities p is NLL on log p). */
    ATTN_LOSS_NLL = 2,
    /** Binary cross-entropy on probabilities in [0, 1]:
     *  -w * (y log x + (1 - y) log(1 - x)), each log clamped at -100. */
    ATTN_LOSS_BCE = 3,
    /** BCE on logits, computed stably with pos_weight p (default 1):
     *  (1 - y) x + (1 + (p - 1) y) (max(-x, 0) + log(1 + exp(-|x|))), times w. */
    ATTN_LOSS_BCE_WITH_LOGITS = 4
} attn_loss_kind;

/** How per-element losses are combined into the value. */
typedef enum attn_reduction {
    /** Mean over elements; for CROSS_ENTROPY/NLL the sum divided by the
     *  summed class weight of the non-ignored targets (their count without
     *  weights), as PyTorch does. The default. */
    ATTN_REDUCTION_MEAN = 0,
    ATTN_REDUCTION_SUM = 1,
    /** One value per element (per row for CROSS_ENTROPY/NLL, 0 for ignored rows). */
    ATTN_REDUCTION_NONE = 2
} attn_reduction;

/** Options of a loss. Versioned: set struct_size = sizeof(attn_loss_opts);
 *  fields are only ever appended, and a zero-initialised struct with kind
 *  set gives PyTorch's defaults (mean, no smoothing). */
typedef struct attn_loss_opts {
    uint32_t struct_size; /**< sizeof(attn_loss_opts) */
    int32_t kind;            /**< attn_loss_kind */
    int32_t reduction;       /**< attn_reduction */
    float label_smoothing;   /**< CROSS_ENTROPY only, in [0, 1]; 0 = none */
} attn_loss_opts;

/** Creates a loss. ATTN_ERR_INVALID_ARG for a NULL argument, struct_size
 *  smaller than the first version of the struct, an unknown kind or
 *  reduction, or label_smoothing outside [0, 1] (or non-zero for a kind
 *  other than CROSS_ENTROPY); ATTN_ERR_UNSUPPORTED when struct_size is
 *  larger than this library knows and the unknown trailing bytes are not
 *  zero. */
ATTN_API attn_status attn_loss_create(attn_ctx *ctx, const attn_loss_opts *opts, attn_loss **out);
/** Destroys a loss. NULL is a no-op. */
ATTN_API void attn_loss_destroy(attn_loss *loss);

/** Targets equal to ignore_index contribute nothing (CROSS_ENTROPY, NLL);
 *  default -100. ATTN_ERR_INVALID_ARG for other kinds. */
ATTN_API attn_status attn_loss_set_ignore_index(attn_loss *loss, int64_t ignore_index);
/** Per-class weights, copied: float32 [C] for CROSS_ENTROPY/NLL (weight of
 *  each class) or for BCE/BCE_WITH_LOGITS (weight of each column of the last
 *  axis). NULL removes them. ATTN_ERR_INVALID_ARG for MSE; ATTN_ERR_SHAPE
 *  for a tensor that is not rank 1; the length is checked against the input
 *  at forward/backward (ATTN_ERR_SHAPE). */
ATTN_API attn_status attn_loss_set_weight(attn_loss *loss, const attn_tensor *weight);
/** Weight of the positive term per column of the last axis, float32 [C],
 *  copied (BCE_WITH_LOGITS only, otherwise ATTN_ERR_INVALID_ARG). NULL
 *  removes it. */
ATTN_API attn_status attn_loss_set_pos_weight(attn_loss *loss, const attn_tensor *pos_weight);

/** Computes the loss of input against target.
 *  Mean/sum: *value receives the loss; elements must be NULL.
 *  None: elements (float32, [N] for CROSS_ENTROPY/NLL, the input's shape
 *  otherwise) receives one value per element; value may be NULL and, if
 *  not, receives their sum.
 *  Errors: ATTN_ERR_INVALID_ARG (NULL or misplaced arguments), ATTN_ERR_DTYPE,
 *  ATTN_ERR_SHAPE (shapes disagree, weight length != C), ATTN_ERR_RANGE
 *  (class index outside [0, C) other than ignore_index, naming the
 *  position; BCE input outside [0, 1]), ATTN_ERR_NUMERIC (see above). */
ATTN_API attn_status attn_loss_forward(attn_loss *loss, const attn_tensor *input, const attn_tensor *target,
                                       double *value, attn_tensor *elements);
/** dinput += scale * d(loss)/d(input), dinput float32 with the input's shape.
 *  scale is the upstream gradient of the reduced loss (1 for plain
 *  training). For ATTN_REDUCTION_NONE, delements (shape of the elements) is
 *  the upstream gradient per element, NULL meaning all ones; it must be NULL
 *  for mean/sum. BCE follows PyTorch's gradient (x - y) / max(x (1 - x), 1e-12).
 *  Errors as for attn_loss_forward. */
ATTN_API attn_status attn_loss_backward(attn_loss *loss, const attn_tensor *input, const attn_tensor *target,
                                        float scale, const attn_tensor *delements, attn_tensor *dinput);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_LOSSES_H */
