/* GEMM for products too small for BLIS to pay off: few rows (a bert-tiny
 * forward on one short sequence) or one attention head (L x L x D).
 * BLIS packs both operands on every call and its AVX-512 micro-kernel
 * computes 32 rows at a time, so a 16-row product wastes half of each tile
 * and packs the 16-row edge panel element by element; measured here at
 * 16 x 384 x 128 it ran at 39 GFLOP/s. These kernels read the operands in
 * place:
 *   dot form   C[i, j] = sum_k A[i, k] B[j, k]   (op(A) and op(B)^T have
 *              unit stride along k): 4 x 4 tiles of 16-lane partial sums,
 *              then one transposing reduction per tile;
 *   axpy form  C[i, j:j+64] += A[i, k] B[k, j:j+64]   (op(B) has unit stride
 *              along n): A broadcast, tiles of 4 x 64, 8 x 32 or 8 x 16.
 * Each output element is one sum over k in a fixed order that depends only
 * on k, so splitting C over threads never changes a result.
 *
 * Vectors are GCC/clang vector extensions of 16 floats; the file is built
 * for AVX-512, AVX2 and baseline x86-64 (one zmm, two ymm or four xmm per
 * vector) and the best is picked at load time. */
#include <string.h>

#include "internal.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast", "no-trapping-math")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SMALL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SMALL_CLONES
#endif

#define INLINE static inline __attribute__((always_inline))

#if defined(__GNUC__) && !defined(__clang__)
/* vectors pass between always-inline helpers only: no call ABI is involved */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float v16 __attribute__((vector_size(64)));

INLINE v16 load16(const float *p)
{
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

INLINE void store16(float *p, v16 v) { memcpy(p, &v, sizeof v); }


/* Lane i of the result is the sum of the 16 lanes of x[i]: four levels of
 * pairwise "half from each, then add". Each level leaves the inputs in
 * bit-reversed order, so the caller passes them bit-reversed (see the tile
 * below) and gets them back in order. */
INLINE v16 reduce16(const v16 *x)
{
    v16 y[8], z[4], w[2];
    for (int p = 0; p < 8; p++)
        y[p] = __builtin_shufflevector(x[2 * p], x[2 * p + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +
               __builtin_shufflevector(x[2 * p], x[2 * p + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30,
                                       31);
    for (int q = 0; q < 4; q++)
        z[q] = __builtin_shufflevector(y[2 * q], y[2 * q + 1], 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27) +
               __builtin_shufflevector(y[2 * q], y[2 * q + 1], 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30,
                                       31);
    for (int s = 0; s < 2; s++)
        w[s] = __builtin_shufflevector(z[2 * s], z[2 * s + 1], 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29) +
               __builtin_shufflevector(z[2 * s], z[2 * s + 1], 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30,
                                       31);
    return __builtin_shufflevector(w[0], w[1], 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30) +
           __builtin_shufflevector(w[0], w[1], 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
}

static const int bitrev4[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};

/* Up to 16 floats from p, zero-padded. */
INLINE v16 load_part(const float *p, int64_t len)
{
    float t[16] = {0};
    for (int64_t i = 0; i < len; i++) t[i] = p[i];
    return load16(t);
}

/* alpha * s + beta * c as one vector expression, so every element of C gets
 * the same operations (with fused multiply-adds where the CPU has them):
 * two rows that hold the same inputs give the same outputs bit for bit.
 * beta = 0 never reads c (it may hold NaN). */
INLINE v16 scale_add(v16 s, float alpha, v16 c, float beta)
{
    return beta == 0.0f ? s * alpha : s * alpha + c * beta;
}

SMALL_CLONES
void attn__sgemm_small_dot(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, const float *b,
                           int64_t ldb, float beta, float *c, int64_t ldc)
{
    const int64_t kv = k & ~(int64_t)15;
    for (int64_t j0 = 0; j0 < n; j0 += 4) {
        /* a partial tile repeats its last row or column and stores only the real ones */
        const float *bj[4];
        for (int cc = 0; cc < 4; cc++) bj[cc] = b + (j0 + cc < n ? j0 + cc : n - 1) * ldb;
        for (int64_t i0 = 0; i0 < m; i0 += 4) {
            const float *ai[4];
            for (int r = 0; r < 4; r++) ai[r] = a + (i0 + r < m ? i0 + r : m - 1) * lda;
            v16 acc[16];
            for (int t = 0; t < 16; t++) acc[t] = (v16){0};
            for (int64_t kk = 0; kk < kv; kk += 16) {
                v16 av[4], bv[4];
                for (int r = 0; r < 4; r++) av[r] = load16(ai[r] + kk);
                for (int cc = 0; cc < 4; cc++) bv[cc] = load16(bj[cc] + kk);
                for (int r = 0; r < 4; r++)
                    for (int cc = 0; cc < 4; cc++) acc[r * 4 + cc] += av[r] * bv[cc];
            }
            if (kv < k) {
                v16 av[4], bv[4];
                for (int r = 0; r < 4; r++) av[r] = load_part(ai[r] + kv, k - kv);
                for (int cc = 0; cc < 4; cc++) bv[cc] = load_part(bj[cc] + kv, k - kv);
                for (int r = 0; r < 4; r++)
                    for (int cc = 0; cc < 4; cc++) acc[r * 4 + cc] += av[r] * bv[cc];
            }
            v16 in[16];
            for (int t = 0; t < 16; t++) in[t] = acc[bitrev4[t]];
            float old[16] = {0}, out[16];
            if (beta != 0.0f)
                for (int r = 0; r < 4 && i0 + r < m; r++)
                    for (int cc = 0; cc < 4 && j0 + cc < n; cc++) old[r * 4 + cc] = c[(i0 + r) * ldc + j0 + cc];
            store16(out, scale_add(reduce16(in), alpha, load16(old), beta));
            for (int r = 0; r < 4 && i0 + r < m; r++)
                for (int cc = 0; cc < 4 && j0 + cc < n; cc++) c[(i0 + r) * ldc + j0 + cc] = out[r * 4 + cc];
        }
    }
}

/* One axpy tile: MR rows from i0 + R0 (clamped), NV full vectors of
 * columns from j. At most 16 accumulators, and at least 8 so that two FMA
 * units with 4 cycles of latency stay busy. */
#define AXPY_TILE(R0, MR, NV)                                                                                          \
    do {                                                                                                               \
        v16 acc[MR][NV];                                                                                               \
        for (int r = 0; r < MR; r++)                                                                                   \
            for (int v = 0; v < NV; v++) acc[r][v] = (v16){0};                                                         \
        for (int64_t kk = 0; kk < k; kk++) {                                                                           \
            v16 bv[NV];                                                                                                \
            for (int v = 0; v < NV; v++) bv[v] = load16(b + kk * ldb + j + 16 * v);                                    \
            for (int r = 0; r < MR; r++) {                                                                             \
                float av = ai[(R0) + r][kk * csa]; /* vector * scalar broadcasts */                                    \
                for (int v = 0; v < NV; v++) acc[r][v] += bv[v] * av;                                                  \
            }                                                                                                          \
        }                                                                                                              \
        for (int r = 0; r < MR && i0 + (R0) + r < m; r++)                                                              \
            for (int v = 0; v < NV; v++) {                                                                             \
                float *cp = c + (i0 + (R0) + r) * ldc + j + 16 * v;                                                    \
                store16(cp, scale_add(acc[r][v], alpha, beta == 0.0f ? (v16){0} : load16(cp), beta));                  \
            }                                                                                                          \
    } while (0)

SMALL_CLONES
void attn__sgemm_small_axpy(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t rsa, int64_t csa,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    for (int64_t i0 = 0; i0 < m; i0 += 8) {
        const float *ai[8];
        for (int r = 0; r < 8; r++) ai[r] = a + (i0 + r < m ? i0 + r : m - 1) * rsa;
        int64_t j = 0;
        for (; j + 64 <= n; j += 64) {
            AXPY_TILE(0, 4, 4);
            if (i0 + 4 < m) AXPY_TILE(4, 4, 4);
        }
        for (; j + 32 <= n; j += 32) AXPY_TILE(0, 8, 2);
        for (; j + 16 <= n; j += 16) AXPY_TILE(0, 8, 1);
        if (j < n) {
            /* the last columns through zero-padded copies of B's row pieces */
            const int64_t nt = n - j;
            v16 acc[8];
            for (int r = 0; r < 8; r++) acc[r] = (v16){0};
            for (int64_t kk = 0; kk < k; kk++) {
                v16 bv = load_part(b + kk * ldb + j, nt);
                for (int r = 0; r < 8; r++) acc[r] += bv * ai[r][kk * csa];
            }
            for (int r = 0; r < 8 && i0 + r < m; r++) {
                float *cp = c + (i0 + r) * ldc + j, out[16];
                store16(out, scale_add(acc[r], alpha, beta == 0.0f ? (v16){0} : load_part(cp, nt), beta));
                for (int64_t l = 0; l < nt; l++) cp[l] = out[l];
            }
        }
    }
}

/* 16 x 16 transpose in place: for h = 8, 4, 2, 1 the rows i and i + h
 * (bit h of i clear) swap their off-diagonal h x h blocks. */
#define SWAP_BLOCKS(h, lo, hi)                                                                                        \
    for (int i = 0; i < 16; i++)                                                                                       \
        if (!(i & (h))) {                                                                                              \
            v16 x = r[i], y = r[i + (h)];                                                                              \
            r[i] = __builtin_shufflevector(x, y, lo);                                                                  \
            r[i + (h)] = __builtin_shufflevector(x, y, hi);                                                            \
        }
#define H8_LO 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define H8_HI 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#define H4_LO 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define H4_HI 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define H2_LO 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define H2_HI 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define H1_LO 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define H1_HI 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31

INLINE void transpose16(v16 *r)
{
    SWAP_BLOCKS(8, H8_LO, H8_HI)
    SWAP_BLOCKS(4, H4_LO, H4_HI)
    SWAP_BLOCKS(2, H2_LO, H2_HI)
    SWAP_BLOCKS(1, H1_LO, H1_HI)
}

SMALL_CLONES
void attn__transpose(int64_t rows, int64_t cols, const float *src, int64_t lds, float *dst, int64_t ldd)
{
    int64_t r0 = 0;
    for (; r0 + 16 <= rows; r0 += 16) {
        int64_t c0 = 0;
        for (; c0 + 16 <= cols; c0 += 16) {
            v16 t[16];
            for (int i = 0; i < 16; i++) t[i] = load16(src + (r0 + i) * lds + c0);
            transpose16(t);
            for (int i = 0; i < 16; i++) store16(dst + (c0 + i) * ldd + r0, t[i]);
        }
        for (; c0 < cols; c0++)
            for (int i = 0; i < 16; i++) dst[c0 * ldd + r0 + i] = src[(r0 + i) * lds + c0];
    }
    for (; r0 < rows; r0++)
        for (int64_t c = 0; c < cols; c++) dst[c * ldd + r0] = src[r0 * lds + c];
}
