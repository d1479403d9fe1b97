/* Adam's element loop (the rule and its coefficients: lib/optim/adam.c).
 * The loop has no branch (the variant is chosen outside it), so it
 * vectorises at every ISA level; every operation is one IEEE rounding, as
 * in the scalar formula (no fused multiply-add: this file turns
 * contraction off), so the vector width never changes a result and the
 * plain twin (plain.c) gives the same bits. shrink is 1 except for AdamW
 * (x * 1 is exact); wd is used only by Adam's coupled decay. */
#include <math.h>

#include "compute/simd.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif

void ATTN__K(adam_update)(const attn__adam_args *j, int64_t begin, int64_t end)
{
    float *restrict theta = j->theta, *restrict m = j->m, *restrict v = j->v, *restrict vmax = j->vmax;
    const float *restrict grad = j->grad;
    const float neg_step = j->neg_step, bias2_sqrt = j->bias2_sqrt, b1 = j->b1, one_m_b1 = j->one_m_b1;
    const float b2 = j->b2, one_m_b2 = j->one_m_b2, eps = j->eps, wd = j->wd, shrink = j->shrink;
    if (vmax) {
        for (int64_t i = begin; i < end; i++) {
            float th = theta[i] * shrink;
            float g = j->decay ? grad[i] + wd * th : grad[i];
            m[i] = m[i] * b1 + one_m_b1 * g;
            v[i] = v[i] * b2 + one_m_b2 * g * g;
            vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
            float denom = sqrtf(vmax[i]) / bias2_sqrt + eps;
            theta[i] = th + neg_step * (m[i] / denom);
        }
    } else if (j->decay) {
        for (int64_t i = begin; i < end; i++) {
            float g = grad[i] + wd * theta[i];
            m[i] = m[i] * b1 + one_m_b1 * g;
            v[i] = v[i] * b2 + one_m_b2 * g * g;
            float denom = sqrtf(v[i]) / bias2_sqrt + eps;
            theta[i] = theta[i] + neg_step * (m[i] / denom);
        }
    } else {
        for (int64_t i = begin; i < end; i++) {
            float g = grad[i];
            m[i] = m[i] * b1 + one_m_b1 * g;
            v[i] = v[i] * b2 + one_m_b2 * g * g;
            float denom = sqrtf(v[i]) / bias2_sqrt + eps;
            theta[i] = theta[i] * shrink + neg_step * (m[i] / denom);
        }
    }
}
