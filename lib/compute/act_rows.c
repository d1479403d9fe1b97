/* Activation rows for the feed-forward layer: bias + activation fused into
 * one pass, and the in-place gradient d *= f'(pre). GELU (exact and tanh)
 * use the vectorised exp/erfc of vecmath.h; the other activations follow
 * the plain kernels of lib/compute. Definitions (as torch):
 *   gelu(x)      = 0.5 x (1 + erf(x / sqrt 2)),  gelu'(x) = Phi(x) + x phi(x)
 *   gelu_tanh(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3),
 *                  computed as x sigmoid(2u) (the same function). */
#include <math.h>

#include "compute/kernels.h"
#include "compute/simd.h"
#include "compute/vecmath.h"

#define SQRT1_2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f
#define SQRT_2_OVER_PI 0.79788456080286535588f
#define GELU_C 0.044715f

/* GELU's Phi(x) = 0.5 (1 + erf(x / sqrt 2)) with erf(t) = sign(x) (1 - c),
 * c = erfc(|t|) = exp(-t^2) erfcx(|t|): one exp and one division. 1 - c is
 * rounded to float before 1 + erf is formed, as torch's 1 + erf(x) is, so
 * the far negative tail cancels the way PyTorch's does. */
static void gelu_bias_row(float *pre, float *act, const float *bias, int64_t n)
{
    if (bias)
        for (int64_t i = 0; i < n; i++) pre[i] += bias[i];
    for (int64_t i = 0; i < n; i++) {
        float v = pre[i];
        float t = (v < 0.0f ? -v : v) * SQRT1_2;
        float erf_abs = 1.0f - attn__vexp(-(t * t)) * attn__verfcx(t);
        float erf = v < 0.0f ? -erf_abs : erf_abs;
        act[i] = 0.5f * v * (1.0f + erf);
    }
}

static void gelu_tanh_bias_row(float *pre, float *act, const float *bias, int64_t n)
{
    if (bias)
        for (int64_t i = 0; i < n; i++) pre[i] += bias[i];
    for (int64_t i = 0; i < n; i++) {
        float v = pre[i];
        float u = SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
        act[i] = v * attn__vsigmoid(2.0f * u);
    }
}

/* gelu'(x) = Phi(x) + x phi(x); phi's exp(-x^2 / 2) is Phi's exp(-t^2). */
static void gelu_grad_row(float *d, const float *pre, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float v = pre[i];
        float t = (v < 0.0f ? -v : v) * SQRT1_2;
        float e = attn__vexp(-(t * t));
        float erf_abs = 1.0f - e * attn__verfcx(t);
        float cdf = 0.5f * (1.0f + (v < 0.0f ? -erf_abs : erf_abs));
        d[i] *= cdf + v * (INV_SQRT_2PI * e);
    }
}

static void gelu_tanh_grad_row(float *d, const float *pre, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float v = pre[i];
        float u = SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
        float du = SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_C * v * v);
        /* s = sigmoid(2u) and 1 - s = e s with e = exp(-2u): no cancellation
         * in 1 - s where s rounds towards 1 */
        float m2u = -2.0f * u;
        m2u = m2u < 80.0f ? m2u : 80.0f;
        float e = attn__vexp(m2u), s = 1.0f / (1.0f + e);
        d[i] *= s + v * s * (e * s) * 2.0f * du;
    }
}

void ATTN__K(bias_act_row)(attn_activation f, float *pre, float *act, const float *bias, int64_t n)
{
    switch (f) {
    case ATTN_ACT_GELU: gelu_bias_row(pre, act, bias, n); break;
    case ATTN_ACT_GELU_TANH: gelu_tanh_bias_row(pre, act, bias, n); break;
    default:
        if (bias)
            for (int64_t i = 0; i < n; i++) pre[i] += bias[i];
        attn__act_forward(f, act, pre, n);
        break;
    }
}

void ATTN__K(act_grad_row)(attn_activation f, float *d, const float *pre, int64_t n)
{
    switch (f) {
    case ATTN_ACT_GELU: gelu_grad_row(d, pre, n); break;
    case ATTN_ACT_GELU_TANH: gelu_tanh_grad_row(d, pre, n); break;
    case ATTN_ACT_RELU:
        /* torch: gradient 0 at x == 0 */
        for (int64_t i = 0; i < n; i++) d[i] = pre[i] > 0.0f ? d[i] : 0.0f;
        break;
    case ATTN_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++) {
            float s = 1.0f / (1.0f + expf(-pre[i]));
            d[i] *= s * (1.0f - s);
        }
        break;
    case ATTN_ACT_TANH:
        for (int64_t i = 0; i < n; i++) {
            float t = tanhf(pre[i]);
            d[i] *= 1.0f - t * t;
        }
        break;
    case ATTN_ACT_IDENTITY:
    default:
        break;
    }
}
