/* A bias over rows: broadcast it into every row before a GEMM that adds
 * its product (beta = 1, as torch's addmm), and sum rows into its gradient
 * (db += sum over rows of dy). For the sums threads split the columns,
 * never the rows, so each column is summed in row order by exactly one
 * thread: the result does not depend on the thread count. */
#include <string.h>

#include "layers/layer_kernels.h"
#include "layers/vecmath.h"

void attn__bias_fill_rows(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols)
{
    for (int64_t r = 0; r < rows; r++) memcpy(y + r * ld, bias, (size_t)cols * sizeof(float));
}

ATTN__SIMD_CLONES
void attn__bias_add_rows(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) y[r * ld + c] += bias[c];
}

/* Columns per block: a strip of each row stays in cache while rows stream. */
#define COL_BLOCK 512

ATTN__SIMD_CLONES
void attn__colsum_add(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *ar = a + r * ld;
        for (int64_t c = c0; c < c1; c++) acc[c] += ar[c];
    }
}

typedef struct {
    float *acc;
    const float *a;
    int64_t rows, ld, cols;
} colsum_job;

static void colsum_blocks(void *arg, int64_t b0, int64_t b1)
{
    colsum_job *j = arg;
    int64_t c0 = b0 * COL_BLOCK, c1 = b1 * COL_BLOCK < j->cols ? b1 * COL_BLOCK : j->cols;
    attn__colsum_add(j->acc, j->a, j->rows, j->ld, c0, c1);
}

void attn__colsum_add_parallel(const attn_ctx *ctx, float *acc, const float *a, int64_t rows, int64_t ld,
                               int64_t cols)
{
    if (rows <= 0 || cols <= 0) return;
    colsum_job j = {acc, a, rows, ld, cols};
    int64_t blocks = (cols + COL_BLOCK - 1) / COL_BLOCK;
    attn__parallel_for(ctx, blocks, rows * COL_BLOCK, colsum_blocks, &j);
}
