/* libattn layers: trainable building blocks with forward and backward.
 *
 * Legend: N = rows (tokens, all sequences packed one after another),
 * H = hidden size, I = inner (FFN) size, V = vocabulary rows.
 * Activations are row-major [N, C] tensors (a rank-3 [B, T, C] contiguous
 * tensor is accepted wherever [N, C] is, as N = B*T rows).
 *
 * Every layer is an attn_layer handle that owns its parameters, their
 * gradients and what its backward pass needs from the forward pass.
 * Rules shared by all layers:
 *  - forward writes (overwrites) its output tensor, which the caller provides
 *    with the right shape;
 *  - backward takes the same input x the forward saw (unchanged), and
 *    ACCUMULATES: dx += ..., parameter grads += ... . dx may be NULL when the
 *    input needs no gradient. Zero gradients with attn_layer_zero_grad;
 *  - backward must follow a forward of the same layer (ATTN_ERR_STATE otherwise);
 *  - in training mode dropout is active; eval mode (the default) is deterministic.
 *  - layers keep internal buffers sized for the largest N seen, so steady-state
 *    calls do not allocate.
 */
#ifndef ATTN_LAYERS_H
#define ATTN_LAYERS_H

#include "attn/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_layer attn_layer;

/** Destroys a layer and its parameters. NULL is a no-op. */
ATTN_API void attn_layer_destroy(attn_layer *layer);
/** Number of parameter tensors. */
ATTN_API int32_t attn_layer_param_count(const attn_layer *layer);
/** Parameter i: its Hugging Face style name relative to the layer (e.g.
 *  "weight", "self.query.bias"), the value and its gradient (borrowed; any
 *  out pointer may be NULL). */
ATTN_API attn_status attn_layer_param(attn_layer *layer, int32_t i, const char **name,
                                      attn_tensor **value, attn_tensor **grad);
/** Sets every parameter gradient to zero. */
ATTN_API attn_status attn_layer_zero_grad(attn_layer *layer);
/** 1 = training mode (dropout active), 0 = eval mode (default). */
ATTN_API attn_status attn_layer_set_training(attn_layer *layer, int32_t training);

/* ---- Linear: y = x W^T + b, W stored [out, in] as in PyTorch ---- */

/** bias: 1 = with bias, 0 = without. Weights start at zero: initialise
 *  them with attn_tensor_init_* or load them. */
ATTN_API attn_status attn_linear_create(attn_ctx *ctx, int64_t in_features, int64_t out_features,
                                        int32_t bias, attn_layer **out);
/** x [N, in] -> y [N, out]. */
ATTN_API attn_status attn_linear_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y);
/** dW += dy^T x, db += sum dy, dx += dy W. */
ATTN_API attn_status attn_linear_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy,
                                          attn_tensor *dx);

/* ---- LayerNorm over the last axis: biased variance, eps inside the sqrt ---- */

/** weight starts at 1, bias at 0. BERT uses eps = 1e-12. */
ATTN_API attn_status attn_layernorm_create(attn_ctx *ctx, int64_t dim, float eps, attn_layer **out);
/** x [N, H] -> y [N, H]; keeps mean and 1/std per row for backward. y may alias x. */
ATTN_API attn_status attn_layernorm_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y);
/** x must be the forward input (so y must not have aliased it when backward is needed). */
ATTN_API attn_status attn_layernorm_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy,
                                             attn_tensor *dx);

/* ---- Embedding: y[n] = table[ids[n]] ---- */

/** Table [num, dim], starts at zero. */
ATTN_API attn_status attn_embedding_create(attn_ctx *ctx, int64_t num, int64_t dim, attn_layer **out);
/** ids: int32 or int64 tensor of N indices (any shape), y [N, dim].
 *  ATTN_ERR_RANGE (naming the position) for an id outside [0, num). */
ATTN_API attn_status attn_embedding_forward(attn_layer *layer, const attn_tensor *ids, attn_tensor *y);
/** grad[ids[n]] += dy[n]; only the touched rows are written. */
ATTN_API attn_status attn_embedding_backward(attn_layer *layer, const attn_tensor *ids, const attn_tensor *dy);

/* ---- Dropout: zeroes with probability p, scales the rest by 1/(1-p) ---- */

/** p in [0, 1). Draws from the context's counter-based RNG; the mask is
 *  regenerated in backward from the saved counter, not stored. */
ATTN_API attn_status attn_dropout_create(attn_ctx *ctx, float p, attn_layer **out);
/** y = dropout(x) in training mode, y = x in eval mode. y may alias x. */
ATTN_API attn_status attn_dropout_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y);
/** dx += mask * dy / (1 - p) (dx += dy in eval mode). */
ATTN_API attn_status attn_dropout_backward(attn_layer *layer, const attn_tensor *dy, attn_tensor *dx);

/* ---- Multi-head self-attention (BERT): Q/K/V projections, scaled dot
 * product per head, additive key mask, softmax, dropout on the
 * probabilities, output projection. Parameters (HF names):
 * self.query.{weight,bias}, self.key.*, self.value.*, output.dense.* ---- */

ATTN_API attn_status attn_attention_create(attn_ctx *ctx, int64_t hidden, int32_t heads, float dropout_p,
                                           attn_layer **out);
/** x [N, H] -> y [N, H].
 *  seq_offsets: int32 [B+1], rows seq_offsets[b] .. seq_offsets[b+1]-1 form
 *  sequence b (offsets non-decreasing, last = N); tokens attend only within
 *  their sequence.
 *  key_mask: int32 [N] (1 = may be attended to, 0 = padding) or NULL for all
 *  ones. Masked keys get exactly zero probability; a row whose sequence has
 *  no unmasked key attends uniformly to all of its sequence (as Hugging
 *  Face's additive finfo.min mask does), never NaN. Passing only real tokens
 *  (packed, key_mask NULL) skips the work on padding entirely. */
ATTN_API attn_status attn_attention_forward(attn_layer *layer, const attn_tensor *x,
                                            const attn_tensor *seq_offsets, const attn_tensor *key_mask,
                                            attn_tensor *y);
ATTN_API attn_status attn_attention_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy,
                                             attn_tensor *dx);

/* ---- Feed-forward: y = W2 act(W1 x + b1) + b2. Parameters (HF names):
 * intermediate.dense.{weight,bias}, output.dense.{weight,bias} ---- */

ATTN_API attn_status attn_ffn_create(attn_ctx *ctx, int64_t hidden, int64_t inner, attn_activation act,
                                     attn_layer **out);
/** x [N, H] -> y [N, H]; keeps the pre-activation [N, I] for backward. */
ATTN_API attn_status attn_ffn_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y);
ATTN_API attn_status attn_ffn_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy,
                                       attn_tensor *dx);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_LAYERS_H */
