/** @file
 * libattn layers: trainable building blocks with forward and backward.
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
 *  - layers keep internal buffers sized for the largest N seen (attention:
 *    also the longest sequence), so steady-state calls do not allocate;
 *  - work runs on the context's ATTN_OPT_THREADS threads; results do not
 *    depend on the thread count;
 *  - an output that overlaps an input it is computed from (other than the
 *    in-place forms allowed below) is ATTN_ERR_INVALID_ARG; mismatched
 *    shapes are ATTN_ERR_SHAPE, non-float activations ATTN_ERR_DTYPE, a
 *    typed call on another kind of layer ATTN_ERR_INVALID_ARG. NaN inputs
 *    are not an error (they propagate).
 */
#ifndef ATTN_LAYERS_H
#define ATTN_LAYERS_H

#include "attn/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A layer: its parameters, their gradients and what backward needs from
 *  forward. Opaque; created by attn_<kind>_create, freed by attn_layer_destroy. */
typedef struct attn_layer attn_layer;

/** Destroys a layer and its parameters (tensors obtained from
 *  attn_layer_param become invalid). NULL is a no-op. */
ATTN_API void attn_layer_destroy(attn_layer *layer);
/** Number of parameter tensors (0 for NULL). */
ATTN_API int32_t attn_layer_param_count(const attn_layer *layer);
/** Parameter i: its Hugging Face style name relative to the layer (e.g.
 *  "weight", "self.query.bias"), the value and its gradient (borrowed; any
 *  out pointer may be NULL). ATTN_ERR_RANGE for i outside 0..count-1.
 *  Gradients get their memory (zeroed) with the first backward or when a
 *  call here asks for one; ATTN_ERR_NOMEM if it cannot be had. */
ATTN_API attn_status attn_layer_param(attn_layer *layer, int32_t i, const char **name,
                                      attn_tensor **value, attn_tensor **grad);
/** Sets every parameter gradient to zero. */
ATTN_API attn_status attn_layer_zero_grad(attn_layer *layer);
/** 1 = training mode (dropout active), 0 = eval mode (default); any
 *  other value is ATTN_ERR_INVALID_ARG. */
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
/** ids: contiguous int32 or int64 tensor of N indices (any shape), y [N, dim].
 *  ATTN_ERR_RANGE (naming the position) for an id outside [0, num); every
 *  id is checked before y is written. */
ATTN_API attn_status attn_embedding_forward(attn_layer *layer, const attn_tensor *ids, attn_tensor *y);
/** grad[ids[n]] += dy[n]; only the touched rows are written (ids as in
 *  forward; repeated ids add up in order). */
ATTN_API attn_status attn_embedding_backward(attn_layer *layer, const attn_tensor *ids, const attn_tensor *dy);

/* ---- Dropout: zeroes with probability p, scales the rest by 1/(1-p) ---- */

/** p in [0, 1). Draws from the context's counter-based RNG; the mask is
 *  regenerated in backward from the saved counter, not stored. */
ATTN_API attn_status attn_dropout_create(attn_ctx *ctx, float p, attn_layer **out);
/** y = dropout(x) in training mode, y = x in eval mode. y may alias x. */
ATTN_API attn_status attn_dropout_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y);
/** dx += mask * dy / (1 - p) (dx += dy in eval mode), with the mask of
 *  the last forward; dy must have its input's shape. dx NULL: nothing to do. */
ATTN_API attn_status attn_dropout_backward(attn_layer *layer, const attn_tensor *dy, attn_tensor *dx);

/* ---- Multi-head self-attention (BERT): Q/K/V projections, scaled dot
 * product per head, additive key mask, softmax, dropout on the
 * probabilities, output projection. Parameters (HF names):
 * self.query.{weight,bias}, self.key.*, self.value.*, output.dense.* ---- */

/** Creates a multi-head self-attention layer of width hidden with heads
 *  heads. All weights and biases start at zero: initialise them
 *  (attn_tensor_init_*) or load them. ATTN_ERR_INVALID_ARG unless hidden is
 *  a positive multiple of heads and dropout_p is in [0, 1). */
ATTN_API attn_status attn_attention_create(attn_ctx *ctx, int64_t hidden, int32_t heads, float dropout_p,
                                           attn_layer **out);
/** x [N, H] -> y [N, H]; hidden % heads must be 0 (head size H / heads).
 *  seq_offsets: int32 or int64 [B+1], rows seq_offsets[b] .. seq_offsets[b+1]-1
 *  form sequence b (offsets start at 0, are non-decreasing and end at N,
 *  else ATTN_ERR_RANGE naming the position; empty sequences are allowed);
 *  tokens attend only within their sequence. NULL: x [B, T, H] holds B
 *  sequences of T rows, x [N, H] one sequence.
 *  key_mask: int32 or int64 with N entries of 0 or 1 (1 = may be attended
 *  to, 0 = padding; any shape, e.g. [B, T]) or NULL for all ones. Masked
 *  keys get exactly zero probability; a row whose sequence has no unmasked
 *  key attends uniformly to all of its sequence (as Hugging Face's additive
 *  finfo.min mask does), never NaN. Passing only real tokens (packed,
 *  key_mask NULL) skips the work on padding entirely.
 *  In training mode dropout (dropout_p) applies to the probabilities. */
ATTN_API attn_status attn_attention_forward(attn_layer *layer, const attn_tensor *x,
                                            const attn_tensor *seq_offsets, const attn_tensor *key_mask,
                                            attn_tensor *y);
/** Gradients as autograd gives them for Hugging Face's additive mask; in
 *  a sequence with no unmasked key that includes the (uniform) softmax's
 *  gradient flowing into its queries and keys, although the output does not
 *  depend on them. */
ATTN_API attn_status attn_attention_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy,
                                             attn_tensor *dx);

/* ---- Feed-forward: y = W2 act(W1 x + b1) + b2. Parameters (HF names):
 * intermediate.dense.{weight,bias}, output.dense.{weight,bias} ---- */

/** Creates a feed-forward block hidden -> inner -> hidden with activation
 *  act. Weights and biases start at zero: initialise them or load them.
 *  ATTN_ERR_INVALID_ARG for a size below 1 or an unknown activation. */
ATTN_API attn_status attn_ffn_create(attn_ctx *ctx, int64_t hidden, int64_t inner, attn_activation act,
                                     attn_layer **out);
/** x [N, H] -> y [N, H]; keeps the pre-activation and activation [N, I]
 *  for backward. act: any attn_activation (GELU exact is BERT's "gelu"). */
ATTN_API attn_status attn_ffn_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y);
/** Accumulates the gradients of both linear maps and dx += dy's gradient
 *  with respect to x (dx may be NULL); x as in the last forward. */
ATTN_API attn_status attn_ffn_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy,
                                       attn_tensor *dx);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_LAYERS_H */
