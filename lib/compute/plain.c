/* The plain twins of the vectorised kernels: scalar loops in the obvious
 * order, compiled once, at the baseline. Each is the definition its fast
 * twin (compiled per ISA level, reached through attn__kernels) must agree
 * with; tests/compute/test_kernels.c compares the pairs at every level the
 * CPU runs. The activation and softmax twins are in activations.c
 * (kernels.h). Also here: the non-vector halves of the row kernels. */
#include <math.h>
#include <string.h>

#include "compute/compute.h"
#include "compute/kernels.h"

/* This file is ISO C without contraction pragmas: GCC fuses no multiply-add
 * here, so every operation is one IEEE rounding. The twins of the kernels
 * that also round once per operation (dropout, Adam) give the same bits;
 * the others differ by summation order and FMA rounding only. */
void attn__softmax_keep_row_plain(float *x, const uint8_t *keep, int64_t n)
{
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (!keep || keep[i]) m = x[i] > m ? x[i] : m;
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        x[i] = !keep || keep[i] ? expf(x[i] - m) : 0.0f;
        s += x[i];
    }
    for (int64_t i = 0; i < n; i++) x[i] /= s;
}

void attn__layernorm_row_plain(float *y, const float *x, const float *w, const float *b, int64_t n, float eps,
                               float *mean, float *rstd)
{
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += x[i];
    float mu = s / (float)n, v = 0.0f;
    for (int64_t i = 0; i < n; i++) v += (x[i] - mu) * (x[i] - mu);
    float r = 1.0f / sqrtf(v / (float)n + eps);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - mu) * r * w[i] + b[i];
    *mean = mu;
    *rstd = r;
}

void attn__layernorm_row_backward_plain(float *dx, const float *x, const float *dy, const float *w, float mean,
                                        float rstd, int64_t n)
{
    float sg = 0.0f, sgx = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        sg += dy[i] * w[i];
        sgx += dy[i] * w[i] * ((x[i] - mean) * rstd);
    }
    for (int64_t i = 0; i < n; i++)
        dx[i] += rstd * (dy[i] * w[i] - sg / (float)n - (x[i] - mean) * rstd * (sgx / (float)n));
}

void attn__layernorm_param_grad_plain(float *dw, float *db, const float *x, int64_t ldx, const float *dy,
                                      int64_t lddy, const float *mean, const float *rstd, int64_t rows, int64_t c0,
                                      int64_t c1)
{
    for (int64_t c = c0; c < c1; c++)
        for (int64_t r = 0; r < rows; r++) {
            dw[c] += dy[r * lddy + c] * ((x[r * ldx + c] - mean[r]) * rstd[r]);
            db[c] += dy[r * lddy + c];
        }
}

void attn__bias_add_rows_plain(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) y[r * ld + c] += bias[c];
}

void attn__colsum_add_plain(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1)
{
    for (int64_t c = c0; c < c1; c++)
        for (int64_t r = 0; r < rows; r++) acc[c] += a[r * ld + c];
}

void attn__dropout_row_plain(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p,
                             float scale)
{
    for (int64_t i = 0; i < n; i++) y[i] = attn__rng_uniform(seed, counter + (uint64_t)i) >= p ? x[i] * scale : 0.0f;
}

void attn__dropout_row_backward_plain(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter,
                                      float p, float scale, int accumulate)
{
    for (int64_t i = 0; i < n; i++) {
        float d = attn__rng_uniform(seed, counter + (uint64_t)i) >= p ? dy[i] * scale : 0.0f;
        dx[i] = accumulate ? dx[i] + d : d;
    }
}

void attn__adam_update_plain(const attn__adam_args *j, int64_t begin, int64_t end)
{
    for (int64_t i = begin; i < end; i++) {
        float th = j->theta[i] * j->shrink;
        float g = j->decay ? j->grad[i] + j->wd * th : j->grad[i];
        j->m[i] = j->m[i] * j->b1 + j->one_m_b1 * g;
        j->v[i] = j->v[i] * j->b2 + j->one_m_b2 * g * g;
        float v = j->v[i];
        if (j->vmax) {
            j->vmax[i] = j->vmax[i] > v ? j->vmax[i] : v;
            v = j->vmax[i];
        }
        j->theta[i] = th + j->neg_step * (j->m[i] / (sqrtf(v) / j->bias2_sqrt + j->eps));
    }
}

void attn__sgemm_plain(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                       int64_t rsa, int64_t csa, const float *b, int64_t rsb, int64_t csb, float beta, float *c,
                       int64_t rsc, int64_t csc)
{
    int64_t ra = trans_a ? csa : rsa, ca = trans_a ? rsa : csa;
    int64_t rb = trans_b ? csb : rsb, cb = trans_b ? rsb : csb;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            float s = 0.0f;
            for (int64_t kk = 0; kk < k; kk++) s += a[i * ra + kk * ca] * b[kk * rb + j * cb];
            float *p = &c[i * rsc + j * csc];
            *p = beta == 0.0f ? alpha * s : alpha * s + beta * *p;
        }
}

/* ---- the non-vector halves ---- */

void attn__bias_fill_rows(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols)
{
    for (int64_t r = 0; r < rows; r++) memcpy(y + r * ld, bias, (size_t)cols * sizeof(float));
}

/* Columns per block: a strip of each row stays in cache while rows stream. */
#define COL_BLOCK 512

typedef struct {
    const attn__kernels *k;
    float *acc;
    const float *a;
    int64_t rows, ld, cols;
} colsum_job;

static void colsum_blocks(void *arg, int64_t b0, int64_t b1)
{
    colsum_job *j = arg;
    int64_t c0 = b0 * COL_BLOCK, c1 = b1 * COL_BLOCK < j->cols ? b1 * COL_BLOCK : j->cols;
    j->k->colsum_add(j->acc, j->a, j->rows, j->ld, c0, c1);
}

void attn__colsum_add_parallel(const attn_ctx *ctx, float *acc, const float *a, int64_t rows, int64_t ld,
                               int64_t cols)
{
    if (rows <= 0 || cols <= 0) return;
    colsum_job j = {attn__kern(ctx), acc, a, rows, ld, cols};
    int64_t blocks = (cols + COL_BLOCK - 1) / COL_BLOCK;
    attn__parallel_for(ctx, blocks, rows * COL_BLOCK, colsum_blocks, &j);
}
