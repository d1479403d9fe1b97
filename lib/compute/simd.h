/* Included by the sources compiled once per ISA level (lib/compute/
 * meson.build: gemm_small.c, the *_rows.c files, kernel_table.c). The build
 * passes -march for the level and ATTN__ISA_NAME (avx512, avx2, sse2 or
 * generic); ATTN__K(name) gives each level's copy of a kernel its own
 * symbol, attn__<name>_<level>, and kernel_table.c collects them into
 * that level's attn__kernels table. Nothing outside those files calls a
 * level's kernel by name: the table is the way in. */
#ifndef ATTN_COMPUTE_SIMD_H
#define ATTN_COMPUTE_SIMD_H

#ifndef ATTN__ISA_NAME
#error "compiled once per ISA level: the build defines ATTN__ISA_NAME"
#endif

#include "compute/compute.h"

#define ATTN__CAT3(a, b, c) a##b##c
#define ATTN__XCAT3(a, b, c) ATTN__CAT3(a, b, c)
#define ATTN__K(name) ATTN__XCAT3(attn__, name, ATTN__XCAT3(_, ATTN__ISA_NAME, ))

void ATTN__K(sgemm_small_dot)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                              const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
void ATTN__K(sgemm_small_axpy)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t rsa,
                               int64_t csa, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
void ATTN__K(transpose)(int64_t rows, int64_t cols, const float *src, int64_t lds, float *dst, int64_t ldd);
void ATTN__K(bias_act_row)(attn_activation f, float *pre, float *act, const float *bias, int64_t n);
void ATTN__K(act_grad_row)(attn_activation f, float *d, const float *pre, int64_t n);
void ATTN__K(softmax_keep_row)(float *x, const uint8_t *keep, int64_t n);
void ATTN__K(softmax_grad_row)(float *d, const float *p, int64_t n);
void ATTN__K(layernorm_row)(float *y, const float *x, const float *w, const float *b, int64_t n, float eps,
                            float *mean, float *rstd);
void ATTN__K(layernorm_row_backward)(float *dx, const float *x, const float *dy, const float *w, float mean,
                                     float rstd, int64_t n);
void ATTN__K(layernorm_param_grad)(float *dw, float *db, const float *x, int64_t ldx, const float *dy, int64_t lddy,
                                   const float *mean, const float *rstd, int64_t rows, int64_t c0, int64_t c1);
void ATTN__K(bias_add_rows)(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols);
void ATTN__K(colsum_add)(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1);
void ATTN__K(dropout_row)(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p, float scale);
void ATTN__K(dropout_row_backward)(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter, float p,
                                   float scale, int accumulate);
void ATTN__K(adam_update)(const attn__adam_args *a, int64_t begin, int64_t end);

#endif /* ATTN_COMPUTE_SIMD_H */
