/* lib/compute's interface to the rest of the library: the fork-join over a
 * context's threads (parallel.c), GEMM split over it (gemm_split.c), and
 * the table of vectorised kernels for one ISA level (kernel_table.c).
 *
 * Every vectorised kernel is compiled once per ISA level (AVX-512 =
 * x86-64-v4, AVX2+FMA = x86-64-v3, baseline x86-64 = SSE2; one generic level
 * elsewhere) and reached through the context's table, so ATTN_OPT_MAX_ISA
 * picks the level per context. Each has a plain twin (plain.c,
 * activations.c) that defines its result; tests/compute/test_kernels.c
 * compares every kernel of every level the CPU runs with its twin. */
#ifndef ATTN_COMPUTE_COMPUTE_H
#define ATTN_COMPUTE_COMPUTE_H

#include <stdint.h>

#include "internal.h"

/* ---- parallel.c: fork-join over the context's threads ---- */

/* Processes items [begin, end) of a split. */
typedef void (*attn__range_fn)(void *arg, int64_t begin, int64_t end);
/* The one worker-count rule of the library: as many of the context's
 * threads as each get at least MIN_WORK_PER_WORKER units of work (a unit is
 * about one float read or written, some 0.3 ns), at most n (items). GEMMs
 * count ATTN__GEMM_MULADDS_PER_UNIT multiply-adds as one unit. */
int32_t attn__parallel_workers(const attn_ctx *ctx, int64_t n, int64_t work_per_item);
#define ATTN__GEMM_MULADDS_PER_UNIT 128
/* Runs fn over [0, n) in contiguous ranges on attn__parallel_workers
 * threads (the caller is one of them). Ranges depend only on n and the
 * worker count, and every kernel writes disjoint outputs per item, so
 * results never depend on the thread count. */
void attn__parallel_for(const attn_ctx *ctx, int64_t n, int64_t work_per_item, attn__range_fn fn, void *arg);
/* Runs fn(arg, s, shares) once for every s in [0, shares) on the context's
 * threads (attn__pool_run); a share never runs on two threads at once, so
 * per-share scratch needs no lock. */
void attn__parallel_run(const attn_ctx *ctx, int32_t shares, attn__share_fn fn, void *arg);
/* Most threads a fork-join uses. */
#define ATTN__MAX_WORKERS ATTN__MAX_THREADS

/* ---- gemm_split.c: GEMMs on several threads ---- */

/* attn__sgemm_rm with the context's kernels on up to attn__parallel_workers
 * threads, each running one single-threaded call on a block of C's rows or
 * columns. The GEMM every layer and attn_matmul run. */
void attn__gemm(const attn_ctx *ctx, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/* ---- the kernels of one ISA level (kernel_table.c) ---- */

/* Adam's update of elements [begin, end) of one parameter (adam_rows.c);
 * the rule is in lib/optim/adam.c. */
typedef struct {
    float *theta, *m, *v, *vmax;     /* vmax NULL without amsgrad */
    const float *grad;
    float neg_step, bias2_sqrt, b1, one_m_b1, b2, one_m_b2, eps, wd, shrink;
    int decay;                       /* 1: Adam's coupled weight decay g += wd theta */
} attn__adam_args;

typedef struct attn__kernels {
    int32_t isa;                     /* attn_isa level */
    const char *name;                /* "avx512", "avx2", "sse2", "generic" */

    /* gemm_small.c: the small-product GEMM forms (attn__sgemm routes to them) and a block transpose.
     * Dot form: C[m,n] = alpha A B^T + beta C with A [m,k] and B [n,k] rows of unit stride.
     * Axpy form: C[m,n] = alpha op(A) B + beta C with op(A)[i,k] = a[i*rsa + k*csa] and B [k,n]
     * rows of unit stride. Row-major C with unit column stride; beta = 0 never reads C.
     * transpose: dst[c * ldd + r] = src[r * lds + c] for a rows x cols block. */
    void (*sgemm_small_dot)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
    void (*sgemm_small_axpy)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t rsa, int64_t csa,
                             const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
    void (*transpose)(int64_t rows, int64_t cols, const float *src, int64_t lds, float *dst, int64_t ldd);

    /* act_rows.c. pre[i] += bias[i] (bias may be NULL), then act[i] = f(pre[i]). */
    void (*bias_act_row)(attn_activation f, float *pre, float *act, const float *bias, int64_t n);
    /* d[i] *= f'(pre[i]) in place. */
    void (*act_grad_row)(attn_activation f, float *d, const float *pre, int64_t n);

    /* softmax_rows.c. In place softmax of a score row over the keys with
     * keep[j] != 0 (keep NULL: all keys); dropped keys get exactly 0. At
     * least one key must be kept. */
    void (*softmax_keep_row)(float *x, const uint8_t *keep, int64_t n);
    /* d = p * (d - <d, p>) in place: the softmax gradient. */
    void (*softmax_grad_row)(float *d, const float *p, int64_t n);

    /* layernorm_rows.c. y = (x - mean) * rstd * w + b with mean and
     * rstd = 1/sqrt(var + eps), var biased; stores mean and rstd. y may equal x. */
    void (*layernorm_row)(float *y, const float *x, const float *w, const float *b, int64_t n, float eps,
                          float *mean, float *rstd);
    /* dx += rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w, xhat = (x - mean) * rstd. */
    void (*layernorm_row_backward)(float *dx, const float *x, const float *dy, const float *w, float mean,
                                   float rstd, int64_t n);
    /* Columns [c0, c1) over rows: dw[c] += sum_r dy[r,c] xhat[r,c], db[c] += sum_r dy[r,c]. */
    void (*layernorm_param_grad)(float *dw, float *db, const float *x, int64_t ldx, const float *dy, int64_t lddy,
                                 const float *mean, const float *rstd, int64_t rows, int64_t c0, int64_t c1);

    /* bias_rows.c. y[r, c] += bias[c]: a bias added after a GEMM with beta = 0
     * (torch's addmm adds it inside; the two differ only in rounding order). */
    void (*bias_add_rows)(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols);
    /* acc[c] += sum_r a[r*ld + c] for c in [c0, c1), rows summed in order. */
    void (*colsum_add)(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1);

    /* dropout_rows.c. Element i is kept when uniform(seed, counter + i) >= p.
     * y[i] = kept ? x[i] * scale : 0. y may equal x. */
    void (*dropout_row)(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p, float scale);
    /* dx[i] += kept ? dy[i] * scale : 0 (accumulate = 1) or dx[i] = ... (0). */
    void (*dropout_row_backward)(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter, float p,
                                 float scale, int accumulate);

    /* adam_rows.c */
    void (*adam_update)(const attn__adam_args *a, int64_t begin, int64_t end);
} attn__kernels;

/* The kernels of a level: `isa` (an attn_isa value) capped at what this
 * build has and this CPU and OS run. Never NULL. */
const attn__kernels *attn__kernels_for(int64_t isa);
/* The highest attn_isa level this build has and the CPU runs. */
int32_t attn__isa_best(void);

/* The kernels a context computes with (ATTN_OPT_MAX_ISA). */
static inline const attn__kernels *attn__kern(const attn_ctx *ctx)
{
    return ctx->kernels;
}

/* ---- plain twins (plain.c; the activation and softmax ones are in
 * kernels.h): scalar, in the obvious order, the definition each fast
 * kernel must agree with ---- */

void attn__softmax_keep_row_plain(float *x, const uint8_t *keep, int64_t n);
void attn__layernorm_row_plain(float *y, const float *x, const float *w, const float *b, int64_t n, float eps,
                               float *mean, float *rstd);
void attn__layernorm_row_backward_plain(float *dx, const float *x, const float *dy, const float *w, float mean,
                                        float rstd, int64_t n);
void attn__layernorm_param_grad_plain(float *dw, float *db, const float *x, int64_t ldx, const float *dy,
                                      int64_t lddy, const float *mean, const float *rstd, int64_t rows, int64_t c0,
                                      int64_t c1);
void attn__bias_add_rows_plain(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols);
void attn__colsum_add_plain(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1);
void attn__dropout_row_plain(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p,
                             float scale);
void attn__dropout_row_backward_plain(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter,
                                      float p, float scale, int accumulate);
void attn__adam_update_plain(const attn__adam_args *a, int64_t begin, int64_t end);
/* C = alpha op(A) op(B) + beta C, op(A)[i,k] = a[i*rsa + k*csa] (trans_a
 * swaps the strides), the same for B; row-major C. One float sum per
 * element over k in order; beta = 0 never reads C. */
void attn__sgemm_plain(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                       int64_t rsa, int64_t csa, const float *b, int64_t rsb, int64_t csb, float beta, float *c,
                       int64_t rsc, int64_t csc);

/* ---- the non-vector halves of the row kernels (plain.c) ---- */

/* y[r, :] = bias for every row. */
void attn__bias_fill_rows(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols);
/* attn__colsum_add over all columns, split by columns across the
 * context's threads (each column summed in row order by one thread). */
void attn__colsum_add_parallel(const attn_ctx *ctx, float *acc, const float *a, int64_t rows, int64_t ld,
                               int64_t cols);

#endif /* ATTN_COMPUTE_COMPUTE_H */
