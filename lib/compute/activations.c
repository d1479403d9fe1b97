/* Activation and softmax kernels on contiguous rows.
 * GELU exact: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as torch's default and
 * BERT's "gelu". GELU tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
 * torch's approximate="tanh" and BERT's "gelu_new". */
#include <math.h>

#include "compute/kernels.h"

#define SQRT1_2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f
#define SQRT_2_OVER_PI 0.79788456080286535588f

void attn__act_forward(attn_activation f, float *y, const float *x, int64_t n)
{
    switch (f) {
    case ATTN_ACT_RELU:
        for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case ATTN_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case ATTN_ACT_TANH:
        for (int64_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
        break;
    case ATTN_ACT_GELU:
        for (int64_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * SQRT1_2));
        break;
    case ATTN_ACT_GELU_TANH:
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1.0f + tanhf(SQRT_2_OVER_PI * (v + 0.044715f * v * v * v)));
        }
        break;
    case ATTN_ACT_IDENTITY:
    default:
        if (y != x)
            for (int64_t i = 0; i < n; i++) y[i] = x[i];
        break;
    }
}

void attn__act_backward(attn_activation f, float *dx, const float *x, const float *dy, int64_t n)
{
    switch (f) {
    case ATTN_ACT_RELU:
        /* torch: gradient 0 at x == 0 */
        for (int64_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case ATTN_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++) {
            float s = 1.0f / (1.0f + expf(-x[i]));
            dx[i] += dy[i] * s * (1.0f - s);
        }
        break;
    case ATTN_ACT_TANH:
        for (int64_t i = 0; i < n; i++) {
            float t = tanhf(x[i]);
            dx[i] += dy[i] * (1.0f - t * t);
        }
        break;
    case ATTN_ACT_GELU:
        /* d/dx x Phi(x) = Phi(x) + x phi(x) */
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            float cdf = 0.5f * (1.0f + erff(v * SQRT1_2));
            float pdf = INV_SQRT_2PI * expf(-0.5f * v * v);
            dx[i] += dy[i] * (cdf + v * pdf);
        }
        break;
    case ATTN_ACT_GELU_TANH:
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            float inner = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
            float t = tanhf(inner);
            float dinner = SQRT_2_OVER_PI * (1.0f + 3.0f * 0.044715f * v * v);
            dx[i] += dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dinner);
        }
        break;
    case ATTN_ACT_IDENTITY:
    default:
        for (int64_t i = 0; i < n; i++) dx[i] += dy[i];
        break;
    }
}

void attn__softmax_row(float *y, const float *x, int64_t n)
{
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        y[i] = expf(x[i] - m);
        s += y[i];
    }
    float inv = 1.0f / s;
    for (int64_t i = 0; i < n; i++) y[i] *= inv;
}

void attn__softmax_row_backward(float *dx, const float *y, const float *dy, int64_t n)
{
    float d = 0.0f;
    for (int64_t i = 0; i < n; i++) d += dy[i] * y[i];
    for (int64_t i = 0; i < n; i++) dx[i] += y[i] * (dy[i] - d);
}

void attn__log_softmax_row(float *y, const float *x, int64_t n)
{
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += exp((double)x[i] - m);
    /* (x - m) - log s, not x - (m + log s): exact for large x, as torch does */
    float ls = (float)log(s);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - m) - ls;
}

void attn__log_softmax_row_backward(float *dx, const float *y, const float *dy, int64_t n)
{
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += dy[i];
    for (int64_t i = 0; i < n; i++) dx[i] += dy[i] - expf(y[i]) * s;
}
