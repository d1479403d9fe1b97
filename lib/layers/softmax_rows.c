/* Softmax rows for attention: scores over the kept keys of one query, with
 * the vectorised exp, and the softmax gradient. Plain twins:
 * attn__softmax_row / attn__softmax_row_backward in lib/compute (a
 * keep mask is softmax with the dropped scores at -inf). Reductions run in
 * 16 fixed lanes, so every SIMD width gives bit-identical results. */
#include <math.h>

#include "layers/layer_kernels.h"
#include "layers/vecmath.h"

#define LANES 16

ATTN__SIMD_CLONES
void attn__softmax_keep_row(float *x, const uint8_t *keep, int64_t n)
{
    float mx[LANES];
    for (int j = 0; j < LANES; j++) mx[j] = -INFINITY;
    int64_t i = 0;
    if (keep) {
        for (; i + LANES <= n; i += LANES)
            for (int j = 0; j < LANES; j++) {
                float v = keep[i + j] ? x[i + j] : -INFINITY;
                mx[j] = v > mx[j] ? v : mx[j];
            }
    } else {
        for (; i + LANES <= n; i += LANES)
            for (int j = 0; j < LANES; j++) mx[j] = x[i + j] > mx[j] ? x[i + j] : mx[j];
    }
    float m = -INFINITY;
    for (int j = 0; j < LANES; j++) m = mx[j] > m ? mx[j] : m;
    for (; i < n; i++)
        if (!keep || keep[i]) m = x[i] > m ? x[i] : m;

    if (keep) {
        for (i = 0; i < n; i++) x[i] = keep[i] ? attn__vexp(x[i] - m) : 0.0f;
    } else {
        for (i = 0; i < n; i++) x[i] = attn__vexp(x[i] - m);
    }
    float acc[LANES] = {0};
    for (i = 0; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) acc[j] += x[i + j];
    float s = 0.0f;
    for (int j = 0; j < LANES; j++) s += acc[j];
    for (; i < n; i++) s += x[i];
    float inv = 1.0f / s;
    for (i = 0; i < n; i++) x[i] *= inv;
}

ATTN__SIMD_CLONES
void attn__softmax_grad_row(float *d, const float *p, int64_t n)
{
    float acc[LANES] = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) acc[j] += d[i + j] * p[i + j];
    float dot = 0.0f;
    for (int j = 0; j < LANES; j++) dot += acc[j];
    for (; i < n; i++) dot += d[i] * p[i];
    for (i = 0; i < n; i++) d[i] = p[i] * (d[i] - dot);
}
