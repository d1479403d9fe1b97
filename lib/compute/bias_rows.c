/* A bias over rows, the vectorised halves: add it into every row after a
 * GEMM, and sum rows into its gradient (db += sum over rows of dy). For the
 * sums threads split the columns, never the rows (plain.c's
 * attn__colsum_add_parallel), so each column is summed in row order by
 * exactly one thread: the result does not depend on the thread count. */
#include "compute/simd.h"
#include "compute/vecmath.h"

void ATTN__K(bias_add_rows)(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) y[r * ld + c] += bias[c];
}

void ATTN__K(colsum_add)(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *ar = a + r * ld;
        for (int64_t c = c0; c < c1; c++) acc[c] += ar[c];
    }
}
