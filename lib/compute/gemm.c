/* The one place GEMM reaches BLIS. The typed API takes row and column
 * strides, so transposed views need no copies; the thread count travels in a
 * per-call rntm_t and never touches BLIS's global settings (which belong to
 * the host program). Callers validate shapes first: BLIS aborts on bad ones.
 * Small products go to lib/compute/gemm_small.c instead. */
#include <blis.h>

#include "compute/compute.h"

/* Products that gemm_small.c does faster than BLIS (measured on AVX-512,
 * one thread). Dot form: up to 32 rows of C, or up to 64 while op(B) has at
 * most 256K elements (BLIS's micro-tile is 32 rows and it packs the
 * weights on every call: 16 x 384 x 128 ran at 39 GFLOP/s in BLIS and 110
 * in the dot kernel; with more rows the dot kernel rereads a large op(B)).
 * Axpy form: while op(B) fits in L2 (an attention head's P V, 48 x 64 x 48:
 * 50 GFLOP/s in BLIS, 170 in the axpy kernel). The same limits hold on AMD
 * EPYC Zen 3 (AVX2, BLIS's zen3 kernels), best of 100 calls on one thread:
 * dot form 80 vs 81 GFLOP/s at 16 x 384 x 384 and 50 vs 46 at 16 x 128 x 128,
 * level with BLIS up to 64 rows; axpy form 54 vs 17 at 16 x 32 x 16, 86 vs
 * 75 at 48 x 64 x 48, level at 128 x 64 x 128, behind only from 256 rows
 * (80 vs 93 at 256 x 64 x 256, still inside the limit; bench/gemm_bench
 * --path blis / --path direct). */
#define SMALL_DOT_MAX_M 64
#define SMALL_DOT_MAX_B (1 << 18)
#define SMALL_AXPY_MAX_B 32768

void attn__sgemm(const attn__kernels *kern, int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n,
                 int64_t k, float alpha, const float *a, int64_t rsa, int64_t csa, const float *b, int64_t rsb,
                 int64_t csb, float beta, float *c, int64_t rsc, int64_t csc)
{
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        /* BLIS would still scale C; do the same without calling it */
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                float *p = &c[i * rsc + j * csc];
                *p = beta == 0.0f ? 0.0f : beta * *p;
            }
        return;
    }
    if (kern && csc == 1) {
        /* op(A)[i, k] = a[i*ra + k*ca], op(B)[k, j] = b[k*rb + j*cb] */
        int64_t ra = trans_a ? csa : rsa, ca = trans_a ? rsa : csa;
        int64_t rb = trans_b ? csb : rsb, cb = trans_b ? rsb : csb;
        if (ca == 1 && rb == 1 && (m <= SMALL_DOT_MAX_M / 2 || (m <= SMALL_DOT_MAX_M && n * k <= SMALL_DOT_MAX_B))) {
            kern->sgemm_small_dot(m, n, k, alpha, a, ra, b, cb, beta, c, rsc);
            return;
        }
        if (cb == 1 && k * n <= SMALL_AXPY_MAX_B) {
            kern->sgemm_small_axpy(m, n, k, alpha, a, ra, ca, b, rb, beta, c, rsc);
            return;
        }
    }
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(threads > 1 ? threads : 1, &rntm);
    /* BLIS 0.9.0's small-matrix ("sup") sgemm kernel 1x16n reads one row
     * past A when m = 16q+1 and k is not a multiple of 8 (found by valgrind;
     * fixed upstream after 0.9.0): keep such shapes on the packed path. */
    if (k % 8 != 0) bli_rntm_disable_l3_sup(&rntm);
    /* batch-invariant: sup kernels are picked by m and n and sum in another order */
    if (!kern) bli_rntm_disable_l3_sup(&rntm);
    float al = alpha, be = beta;
    bli_sgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &al,
                 (float *)a, (inc_t)rsa, (inc_t)csa,
                 (float *)b, (inc_t)rsb, (inc_t)csb,
                 &be, c, (inc_t)rsc, (inc_t)csc, NULL, &rntm);
}

void attn__sgemm_rm(const attn__kernels *kern, int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n,
                    int64_t k, float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                    float *c, int64_t ldc)
{
    attn__sgemm(kern, threads, trans_a, trans_b, m, n, k, alpha, a, lda, 1, b, ldb, 1, beta, c, ldc, 1);
}
