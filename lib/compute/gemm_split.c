/* How the layers run a GEMM on several threads: the output is cut into
 * blocks of rows (or of columns) and each worker of a fork-join runs one
 * single-threaded BLIS call on its block, instead of handing BLIS the
 * thread count. Measured on a 2-CPU machine shared with other work:
 * BLIS's own threading meets at barriers several times per call and each
 * barrier waits for a descheduled thread, so a [1024,768]x[768,768] product
 * with 2 threads took 60-280 ms instead of ~5 ms; a split has one join per
 * call. Each output element is still computed by one call over the whole
 * inner dimension, so the result does not depend on the thread count.
 * Products too small to pay for waking a helper run on the caller alone. */
#include "compute/compute.h"

/* Block boundaries fall on multiples of these (BLIS's register blocks on
 * AVX-512 and AVX2 are 32x12 and 24x8 floats), so no worker gets a ragged
 * micro-tile it would not otherwise have. Whether to split at all is the
 * library's one worker-count rule (attn__parallel_workers). */
#define ROW_ALIGN 96
#define COL_ALIGN 48

typedef struct {
    const attn__kernels *kern;
    int trans_a, trans_b;
    int64_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    float *c;
    int64_t lda, ldb, ldc;
    int split_rows;   /* 1: workers take blocks of C's rows, 0: of its columns */
} gemm_job;

static void gemm_block(void *arg, int32_t w, int32_t workers)
{
    const gemm_job *g = arg;
    int64_t total = g->split_rows ? g->m : g->n, align = g->split_rows ? ROW_ALIGN : COL_ALIGN;
    int64_t units = (total + align - 1) / align;
    int64_t begin = units * w / workers * align, end = units * (w + 1) / workers * align;
    if (end > total) end = total;
    if (begin >= end) return;
    const float *a = g->a, *b = g->b;
    float *c = g->c;
    int64_t m = g->m, n = g->n;
    if (g->split_rows) {
        /* rows begin..end of op(A) and C */
        a += g->trans_a ? begin : begin * g->lda;
        c += begin * g->ldc;
        m = end - begin;
    } else {
        /* columns begin..end of op(B) and C */
        b += g->trans_b ? begin * g->ldb : begin;
        c += begin;
        n = end - begin;
    }
    attn__sgemm_rm(g->kern, 1, g->trans_a, g->trans_b, m, n, g->k, g->alpha, a, g->lda, b, g->ldb, g->beta, c,
                   g->ldc);
}

void attn__gemm(const attn_ctx *ctx, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    /* splitting rows makes every worker pack all of op(B) (k x n), splitting
     * columns all of op(A) (m x k): duplicate the smaller */
    int split_rows = n <= m;
    int64_t units = split_rows ? (m + ROW_ALIGN - 1) / ROW_ALIGN : (n + COL_ALIGN - 1) / COL_ALIGN;
    double muladds = (double)m * (double)n * (double)k;
    int64_t per_unit = (int64_t)(muladds / (double)units / ATTN__GEMM_MULADDS_PER_UNIT);
    int32_t workers = attn__parallel_workers(ctx, units, per_unit);
    /* NULL kernels: BLIS's packed path only, the same bits for a row in any batch */
    const attn__kernels *kern = ctx->batch_invariant ? NULL : attn__kern(ctx);
    gemm_job g = {kern, trans_a, trans_b, m, n, k, alpha, beta, a, b, c, lda, ldb, ldc, split_rows};
    if (workers <= 1) {
        attn__sgemm_rm(g.kern, 1, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    /* one block per worker, claimed as they go (a helper that has not
     * started when the caller is done leaves its block to the caller); two
     * or three blocks per worker cost 3-13% more CPU on BERT shapes, each
     * block packing the shared operand again */
    attn__parallel_run(ctx, workers, gemm_block, &g);
}
