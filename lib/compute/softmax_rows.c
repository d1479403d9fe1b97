/* Softmax rows for attention: scores over the kept keys of one query, with
 * the vectorised exp, and the softmax gradient. Plain twins:
 * attn__softmax_row / attn__softmax_row_backward in lib/compute (a
 * keep mask is softmax with the dropped scores at -inf). Reductions run in
 * 16 fixed lanes summed in a fixed tree (vecmath.h), so every SIMD width
 * gives bit-identical results. */
#include <math.h>

#include "compute/simd.h"
#include "compute/vecmath.h"

#define LANES 16

void ATTN__K(softmax_keep_row)(float *x, const uint8_t *keep, int64_t n)
{
    attn__v16 mx = (attn__v16){0} - INFINITY;
    int64_t i = 0;
    if (keep) {
        for (; i + LANES <= n; i += LANES)
            mx = attn__max16(attn__select16(attn__keep16(keep + i), attn__load16(x + i), mx), mx);
    } else {
        for (; i + LANES <= n; i += LANES) mx = attn__max16(attn__load16(x + i), mx);
    }
    float m = attn__max_lanes16(mx);
    for (; i < n; i++)
        if (!keep || keep[i]) m = x[i] > m ? x[i] : m;

    if (keep) {
        for (i = 0; i < n; i++) x[i] = keep[i] ? attn__vexp(x[i] - m) : 0.0f;
    } else {
        for (i = 0; i < n; i++) x[i] = attn__vexp(x[i] - m);
    }
    attn__v16 acc = {0};
    for (i = 0; i + LANES <= n; i += LANES) acc += attn__load16(x + i);
    float s = attn__sum16(acc);
    for (; i < n; i++) s += x[i];
    float inv = 1.0f / s;
    for (i = 0; i < n; i++) x[i] *= inv;
}

void ATTN__K(softmax_grad_row)(float *d, const float *p, int64_t n)
{
    attn__v16 acc = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES) acc += attn__load16(d + i) * attn__load16(p + i);
    float dot = attn__sum16(acc);
    for (; i < n; i++) dot += d[i] * p[i];
    for (i = 0; i < n; i++) d[i] = p[i] * (d[i] - dot);
}
