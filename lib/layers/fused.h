/* Entry points that let the model fuse work across layers (lib/model/
 * bert_forward.c): an output bias left for the next pass to add, and the
 * residual sum computed inside the LayerNorm pass. Each is the public call
 * it extends with the same checks; the results are the same floats as the
 * unfused sequence of public calls. */
#ifndef ATTN_LAYERS_FUSED_H
#define ATTN_LAYERS_FUSED_H

#include "internal.h"

/* attn_attention_forward; output_bias 0 leaves the output dense bias out of
 * y (the caller adds it, see attn__layernorm_forward_residual). */
attn_status attn__attention_forward_ex(attn_layer *layer, const attn_tensor *x, const attn_tensor *seq_offsets,
                                       const attn_tensor *key_mask, attn_tensor *y, int output_bias);
/* The output dense bias [H] of an attention layer. */
const float *attn__attention_output_bias(const attn_layer *layer);
/* attn_ffn_forward; output_bias 0 leaves b2 out of y. */
attn_status attn__ffn_forward_ex(attn_layer *layer, const attn_tensor *x, attn_tensor *y, int output_bias);
/* The output bias b2 [H] of a feed-forward layer. */
const float *attn__ffn_output_bias(const attn_layer *layer);

/* y = LayerNorm(x + (r + bias)) (bias [dim] or NULL), with the sum written to
 * s (the input attn_layernorm_backward then takes as x). s may be x; y may
 * be s. Same floats as attn_add(s, x, r) (after adding bias to r) followed
 * by attn_layernorm_forward(layer, s, y). */
attn_status attn__layernorm_forward_residual(attn_layer *layer, const attn_tensor *x, const attn_tensor *r,
                                             const float *bias, attn_tensor *s, attn_tensor *y);

#endif /* ATTN_LAYERS_FUSED_H */
