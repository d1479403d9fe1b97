/* One ISA level's kernel table (compiled once per level, see simd.h). */
#include "compute/simd.h"

#define ATTN__STR2(x) #x
#define ATTN__STR(x) ATTN__STR2(x)

const attn__kernels ATTN__K(kernels) = {
    .isa = ATTN__ISA_LEVEL,
    .name = ATTN__STR(ATTN__ISA_NAME),
    .sgemm_small_dot = ATTN__K(sgemm_small_dot),
    .sgemm_small_axpy = ATTN__K(sgemm_small_axpy),
    .transpose = ATTN__K(transpose),
    .bias_act_row = ATTN__K(bias_act_row),
    .act_grad_row = ATTN__K(act_grad_row),
    .softmax_keep_row = ATTN__K(softmax_keep_row),
    .softmax_grad_row = ATTN__K(softmax_grad_row),
    .layernorm_row = ATTN__K(layernorm_row),
    .layernorm_row_backward = ATTN__K(layernorm_row_backward),
    .layernorm_param_grad = ATTN__K(layernorm_param_grad),
    .bias_add_rows = ATTN__K(bias_add_rows),
    .colsum_add = ATTN__K(colsum_add),
    .dropout_row = ATTN__K(dropout_row),
    .dropout_row_backward = ATTN__K(dropout_row_backward),
    .adam_update = ATTN__K(adam_update),
};
