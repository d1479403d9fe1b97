/* LayerNorm rows, as torch.nn.LayerNorm computes them in float:
 *   mean = sum x / n, var = sum (x - mean)^2 / n (biased, two passes, so no
 *   cancellation), rstd = 1 / sqrt(var + eps), y = (x - mean) rstd w + b;
 * backward with g = dy w and xhat = (x - mean) rstd:
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),
 *   dw = sum_rows dy xhat, db = sum_rows dy.
 * Row sums use 16 fixed lanes summed in a fixed tree (vecmath.h); column
 * sums run over rows in order. Both give the same bits on every SIMD width
 * and thread count. */
#include <math.h>

#include "compute/simd.h"
#include "compute/vecmath.h"

#define LANES 16

void ATTN__K(layernorm_row)(float *y, const float *x, const float *w, const float *b, int64_t n, float eps,
                         float *mean_out, float *rstd_out)
{
    attn__v16 acc = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES) acc += attn__load16(x + i);
    float s = attn__sum16(acc);
    for (; i < n; i++) s += x[i];
    float mean = s / (float)n;

    attn__v16 acc2 = {0};
    for (i = 0; i + LANES <= n; i += LANES) {
        attn__v16 d = attn__load16(x + i) - mean;
        acc2 += d * d;
    }
    float v = attn__sum16(acc2);
    for (; i < n; i++) v += (x[i] - mean) * (x[i] - mean);
    float rstd = 1.0f / sqrtf(v / (float)n + eps);

    for (i = 0; i < n; i++) y[i] = (x[i] - mean) * rstd * w[i] + b[i];
    *mean_out = mean;
    *rstd_out = rstd;
}

void ATTN__K(layernorm_row_backward)(float *dx, const float *x, const float *dy, const float *w, float mean, float rstd,
                                  int64_t n)
{
    attn__v16 ag = {0}, agx = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        attn__v16 g = attn__load16(dy + i) * attn__load16(w + i);
        ag += g;
        agx += g * ((attn__load16(x + i) - mean) * rstd);
    }
    float sg = attn__sum16(ag), sgx = attn__sum16(agx);
    for (; i < n; i++) {
        float g = dy[i] * w[i];
        sg += g;
        sgx += g * ((x[i] - mean) * rstd);
    }
    float mg = sg / (float)n, mgx = sgx / (float)n;
    for (i = 0; i < n; i++) {
        float xhat = (x[i] - mean) * rstd;
        dx[i] += rstd * (dy[i] * w[i] - mg - xhat * mgx);
    }
}

void ATTN__K(layernorm_param_grad)(float *dw, float *db, const float *x, int64_t ldx, const float *dy, int64_t lddy,
                                const float *mean, const float *rstd, int64_t rows, int64_t c0, int64_t c1)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx, *dr = dy + r * lddy;
        float m = mean[r], rs = rstd[r];
        for (int64_t c = c0; c < c1; c++) {
            dw[c] += dr[c] * (xr[c] - m) * rs;
            db[c] += dr[c];
        }
    }
}
