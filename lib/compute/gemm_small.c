/* GEMM for products too small for BLIS to pay off: few rows (a bert-tiny
 * forward on one short sequence) or one attention head (L x L x D).
 * BLIS packs both operands on every call and its micro-kernel computes a
 * fixed block of rows (32 on AVX-512), so a 16-row product wastes half of
 * each tile and packs the 16-row edge panel element by element; measured on
 * AVX-512 at 16 x 384 x 128 it ran at 39 GFLOP/s. These kernels read the
 * operands in place:
 *   dot form   C[i, j] = sum_k A[i, k] B[j, k]   (op(A) and op(B)^T have
 *              unit stride along k): MR x NR tiles of W-lane partial sums,
 *              then one transposing reduction per W accumulators;
 *   axpy form  C[i, j:j+W*NV] += A[i, k] B[k, j:j+W*NV]   (op(B) has unit
 *              stride along n): A broadcast, MR x NV vectors per tile.
 * Each output element is one sum over k in a fixed order that depends only
 * on k and the level, so splitting C over threads never changes a result.
 *
 * The file is compiled once per ISA level (simd.h), and the register tiles
 * are sized for each level's register file; a tile that fits one spills on
 * another (the AVX-512 dot tile, 16 accumulators of 16 floats, is 32 ymm
 * registers on AVX2, which has 16: bert-tiny ran at a sixth of ONNX
 * Runtime's speed there). W is the native vector width in floats.
 *   AVX-512 (32 zmm):  W 16, dot 4 x 4 (16 accumulators), axpy 4 x 4 vectors
 *   AVX2 (16 ymm):     W 8,  dot 2 x 4 (8),  axpy 6 x 2 vectors (12, as
 *                      BLIS's 6 x 16 haswell kernel)
 *   SSE2 / generic:    W 4,  dot 2 x 4 (8),  axpy 4 x 2 vectors (8; no FMA,
 *                      each product needs a temporary register)
 * Eight accumulators at least keep two FMA units with 4 cycles of latency
 * busy. */
#include <string.h>

#include "compute/simd.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast", "no-trapping-math")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

#define INLINE static inline __attribute__((always_inline))

/* vectors pass between always-inline helpers only: no call ABI is involved */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#if ATTN__ISA_LEVEL >= 3
#define W 16
#define DOT_MR 4
#define DOT_NR 4
#define AXPY_MR 4
#define AXPY_NV 4
#elif ATTN__ISA_LEVEL == 2
#define W 8
#define DOT_MR 2
#define DOT_NR 4
#define AXPY_MR 6
#define AXPY_NV 2
#else
#define W 4
#define DOT_MR 2
#define DOT_NR 4
#define AXPY_MR 4
#define AXPY_NV 2
#endif

typedef float vf __attribute__((vector_size(W * 4)));

/* The shuffles of one step of a W x W transpose: for block size h, LO_h
 * takes the low h lanes of each 2h block from x then from y, HI_h the
 * high ones (indices >= W pick from y). */
#if W == 16
#define LO8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define HI8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#define LO4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define HI4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define LO2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define HI2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define LO1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define HI1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
static const int bitrev[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
#elif W == 8
#define LO4 0, 1, 2, 3, 8, 9, 10, 11
#define HI4 4, 5, 6, 7, 12, 13, 14, 15
#define LO2 0, 1, 8, 9, 4, 5, 12, 13
#define HI2 2, 3, 10, 11, 6, 7, 14, 15
#define LO1 0, 8, 2, 10, 4, 12, 6, 14
#define HI1 1, 9, 3, 11, 5, 13, 7, 15
static const int bitrev[8] = {0, 4, 2, 6, 1, 5, 3, 7};
#else
#define LO2 0, 1, 4, 5
#define HI2 2, 3, 6, 7
#define LO1 0, 4, 2, 6
#define HI1 1, 5, 3, 7
static const int bitrev[4] = {0, 2, 1, 3};
#endif

/* Keeps v in a register: without it GCC folds each load of B into every
 * multiply-add that uses it (a memory operand per FMA), and the AVX2 dot
 * tile then issued 10 loads per 8 FMAs, more than two load ports carry. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define IN_REGISTER(v) __asm__("" : "+x"(v))
#else
#define IN_REGISTER(v) ((void)0)
#endif

#define SHUF(x, y, ...) __builtin_shufflevector(x, y, __VA_ARGS__)

INLINE vf loadv(const float *p)
{
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}

INLINE void storev(float *p, vf v) { memcpy(p, &v, sizeof v); }

/* Up to W floats from p, zero-padded. */
INLINE vf load_part(const float *p, int64_t len)
{
    float t[W] = {0};
    for (int64_t i = 0; i < len; i++) t[i] = p[i];
    return loadv(t);
}

/* Lane i of the result is the sum of the W lanes of x[i]: log2(W) levels of
 * "half from each, then add". Each level leaves the inputs in bit-reversed
 * order, so the caller passes them bit-reversed and gets them back in
 * order. Every input is folded by the same tree, wherever it sits. */
INLINE vf reduce(const vf *x)
{
#if W == 16
    vf y[8], z[4], w[2];
    for (int p = 0; p < 8; p++) y[p] = SHUF(x[2 * p], x[2 * p + 1], LO8) + SHUF(x[2 * p], x[2 * p + 1], HI8);
    for (int q = 0; q < 4; q++) z[q] = SHUF(y[2 * q], y[2 * q + 1], LO4) + SHUF(y[2 * q], y[2 * q + 1], HI4);
    for (int s = 0; s < 2; s++) w[s] = SHUF(z[2 * s], z[2 * s + 1], LO2) + SHUF(z[2 * s], z[2 * s + 1], HI2);
    return SHUF(w[0], w[1], LO1) + SHUF(w[0], w[1], HI1);
#elif W == 8
    vf z[4], w[2];
    for (int q = 0; q < 4; q++) z[q] = SHUF(x[2 * q], x[2 * q + 1], LO4) + SHUF(x[2 * q], x[2 * q + 1], HI4);
    for (int s = 0; s < 2; s++) w[s] = SHUF(z[2 * s], z[2 * s + 1], LO2) + SHUF(z[2 * s], z[2 * s + 1], HI2);
    return SHUF(w[0], w[1], LO1) + SHUF(w[0], w[1], HI1);
#else
    vf w[2];
    for (int s = 0; s < 2; s++) w[s] = SHUF(x[2 * s], x[2 * s + 1], LO2) + SHUF(x[2 * s], x[2 * s + 1], HI2);
    return SHUF(w[0], w[1], LO1) + SHUF(w[0], w[1], HI1);
#endif
}

/* alpha * s + beta * c as one vector expression, so every element of C gets
 * the same operations (with fused multiply-adds where the CPU has them):
 * two rows that hold the same inputs give the same outputs bit for bit.
 * beta = 0 never reads c (it may hold NaN). */
INLINE vf scale_add(vf s, float alpha, vf c, float beta)
{
    return beta == 0.0f ? s * alpha : s * alpha + c * beta;
}

#define DOT_ACC (DOT_MR * DOT_NR)
/* accumulators reduced in groups of W; a last partial group is padded with zeros */
#define DOT_GROUPS ((DOT_ACC + W - 1) / W)

void ATTN__K(sgemm_small_dot)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                              const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    const int64_t kv = k & ~(int64_t)(W - 1);
    for (int64_t j0 = 0; j0 < n; j0 += DOT_NR) {
        /* a partial tile repeats its last row or column and stores only the real ones */
        const float *bj[DOT_NR];
        for (int cc = 0; cc < DOT_NR; cc++) bj[cc] = b + (j0 + cc < n ? j0 + cc : n - 1) * ldb;
        for (int64_t i0 = 0; i0 < m; i0 += DOT_MR) {
            const float *ai[DOT_MR];
            for (int r = 0; r < DOT_MR; r++) ai[r] = a + (i0 + r < m ? i0 + r : m - 1) * lda;
            vf acc[DOT_ACC];
            for (int t = 0; t < DOT_ACC; t++) acc[t] = (vf){0};
            for (int64_t kk = 0; kk < kv; kk += W) {
                vf av[DOT_MR], bv[DOT_NR];
                for (int r = 0; r < DOT_MR; r++) av[r] = loadv(ai[r] + kk);
                for (int cc = 0; cc < DOT_NR; cc++) {
                    bv[cc] = loadv(bj[cc] + kk);
                    IN_REGISTER(bv[cc]);
                }
                for (int r = 0; r < DOT_MR; r++)
                    for (int cc = 0; cc < DOT_NR; cc++) acc[r * DOT_NR + cc] += av[r] * bv[cc];
            }
            if (kv < k) {
                vf av[DOT_MR], bv[DOT_NR];
                for (int r = 0; r < DOT_MR; r++) av[r] = load_part(ai[r] + kv, k - kv);
                for (int cc = 0; cc < DOT_NR; cc++) bv[cc] = load_part(bj[cc] + kv, k - kv);
                for (int r = 0; r < DOT_MR; r++)
                    for (int cc = 0; cc < DOT_NR; cc++) acc[r * DOT_NR + cc] += av[r] * bv[cc];
            }
            float out[DOT_GROUPS * W];
            for (int g = 0; g < DOT_GROUPS; g++) {
                vf in[W];
                for (int t = 0; t < W; t++) in[t] = g * W + bitrev[t] < DOT_ACC ? acc[g * W + bitrev[t]] : (vf){0};
                float old[W] = {0};
                if (beta != 0.0f)
                    for (int t = 0; t < W && g * W + t < DOT_ACC; t++) {
                        int r = (g * W + t) / DOT_NR, cc = (g * W + t) % DOT_NR;
                        if (i0 + r < m && j0 + cc < n) old[t] = c[(i0 + r) * ldc + j0 + cc];
                    }
                storev(out + g * W, scale_add(reduce(in), alpha, loadv(old), beta));
            }
            for (int r = 0; r < DOT_MR && i0 + r < m; r++)
                for (int cc = 0; cc < DOT_NR && j0 + cc < n; cc++) c[(i0 + r) * ldc + j0 + cc] = out[r * DOT_NR + cc];
        }
    }
}

/* One axpy tile: MR rows from i0 (clamped: ai), NV full vectors of columns
 * from j. */
#define AXPY_TILE(MR, NV)                                                                                              \
    do {                                                                                                               \
        vf acc[MR][NV];                                                                                                \
        for (int r = 0; r < MR; r++)                                                                                   \
            for (int v = 0; v < NV; v++) acc[r][v] = (vf){0};                                                          \
        for (int64_t kk = 0; kk < k; kk++) {                                                                           \
            vf bv[NV];                                                                                                 \
            for (int v = 0; v < NV; v++) bv[v] = loadv(b + kk * ldb + j + W * v);                                     \
            for (int r = 0; r < MR; r++) {                                                                             \
                float av = ai[r][kk * csa]; /* vector * scalar broadcasts */                                           \
                for (int v = 0; v < NV; v++) acc[r][v] += bv[v] * av;                                                  \
            }                                                                                                          \
        }                                                                                                              \
        for (int r = 0; r < MR && i0 + r < m; r++)                                                                     \
            for (int v = 0; v < NV; v++) {                                                                             \
                float *cp = c + (i0 + r) * ldc + j + W * v;                                                            \
                storev(cp, scale_add(acc[r][v], alpha, beta == 0.0f ? (vf){0} : loadv(cp), beta));                     \
            }                                                                                                          \
    } while (0)

void ATTN__K(sgemm_small_axpy)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t rsa,
                               int64_t csa, const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    for (int64_t i0 = 0; i0 < m; i0 += AXPY_MR) {
        const float *ai[AXPY_MR];
        for (int r = 0; r < AXPY_MR; r++) ai[r] = a + (i0 + r < m ? i0 + r : m - 1) * rsa;
        int64_t j = 0;
        for (; j + W * AXPY_NV <= n; j += W * AXPY_NV) AXPY_TILE(AXPY_MR, AXPY_NV);
#if AXPY_NV > 2
        for (; j + 2 * W <= n; j += 2 * W) AXPY_TILE(AXPY_MR, 2);
#endif
        for (; j + W <= n; j += W) AXPY_TILE(AXPY_MR, 1);
        if (j < n) {
            /* the last columns through zero-padded copies of B's row pieces */
            const int64_t nt = n - j;
            vf acc[AXPY_MR];
            for (int r = 0; r < AXPY_MR; r++) acc[r] = (vf){0};
            for (int64_t kk = 0; kk < k; kk++) {
                vf bv = load_part(b + kk * ldb + j, nt);
                for (int r = 0; r < AXPY_MR; r++) acc[r] += bv * ai[r][kk * csa];
            }
            for (int r = 0; r < AXPY_MR && i0 + r < m; r++) {
                float *cp = c + (i0 + r) * ldc + j, out[W];
                storev(out, scale_add(acc[r], alpha, beta == 0.0f ? (vf){0} : load_part(cp, nt), beta));
                for (int64_t l = 0; l < nt; l++) cp[l] = out[l];
            }
        }
    }
}

/* W x W transpose in place: for h = W/2, ..., 1 the rows i and i + h (bit h
 * of i clear) swap their off-diagonal h x h blocks. */
#define SWAP_BLOCKS(h, lo, hi)                                                                                        \
    for (int i = 0; i < W; i++)                                                                                        \
        if (!(i & (h))) {                                                                                              \
            vf x = r[i], y = r[i + (h)];                                                                               \
            r[i] = SHUF(x, y, lo);                                                                                     \
            r[i + (h)] = SHUF(x, y, hi);                                                                               \
        }

INLINE void transpose_block(vf *r)
{
#if W == 16
    SWAP_BLOCKS(8, LO8, HI8)
#endif
#if W >= 8
    SWAP_BLOCKS(4, LO4, HI4)
#endif
    SWAP_BLOCKS(2, LO2, HI2)
    SWAP_BLOCKS(1, LO1, HI1)
}

void ATTN__K(transpose)(int64_t rows, int64_t cols, const float *src, int64_t lds, float *dst, int64_t ldd)
{
    int64_t r0 = 0;
    for (; r0 + W <= rows; r0 += W) {
        int64_t c0 = 0;
        for (; c0 + W <= cols; c0 += W) {
            vf t[W];
            for (int i = 0; i < W; i++) t[i] = loadv(src + (r0 + i) * lds + c0);
            transpose_block(t);
            for (int i = 0; i < W; i++) storev(dst + (c0 + i) * ldd + r0, t[i]);
        }
        for (; c0 < cols; c0++)
            for (int i = 0; i < W; i++) dst[c0 * ldd + r0 + i] = src[(r0 + i) * lds + c0];
    }
    for (; r0 < rows; r0++)
        for (int64_t c = 0; c < cols; c++) dst[c * ldd + r0] = src[r0 * lds + c];
}
