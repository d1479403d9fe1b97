/* Adam's and AdamW's update of one parameter, torch.optim.Adam/AdamW (1.13)
 * rule for rule, in float32 with the scalar coefficients computed in double
 * and rounded to float as PyTorch's kernels receive them:
 *   AdamW: θ = θ (1 - lr wd)          Adam: g = g + wd θ
 *   m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g g;  v̂ = max(v̂, v) with amsgrad
 *   θ = θ - lr / (1 - β1^t) · m / (sqrt(v̂) / sqrt(1 - β2^t) + eps) */
#include <math.h>

#include "optim_internal.h"

void attn__adam_update(const attn_optim *opt, const attn__optim_update *u, attn__optim_param *p)
{
    const int64_t n = attn_tensor_numel(p->param);
    float *theta = attn__f32(p->param);
    const float *grad = attn__f32(p->grad);
    float *m = attn__f32(p->state[0]), *v = attn__f32(p->state[1]);
    float *vmax = opt->amsgrad ? attn__f32(p->state[2]) : NULL;
    const int decoupled = opt->kind == ATTN_OPTIM_ADAMW;

    const double bias1 = 1.0 - pow(opt->beta1, (double)u->t), bias2 = 1.0 - pow(opt->beta2, (double)u->t);
    const float neg_step = (float)-(u->lr / bias1), bias2_sqrt = (float)sqrt(bias2);
    const float b1 = (float)opt->beta1, one_m_b1 = (float)(1.0 - opt->beta1);
    const float b2 = (float)opt->beta2, one_m_b2 = (float)(1.0 - opt->beta2);
    const float eps = (float)opt->eps, wd = (float)u->weight_decay;
    const float shrink = (float)(1.0 - u->lr * u->weight_decay);

    for (int64_t i = 0; i < n; i++) {
        float g = grad[i];
        if (decoupled) theta[i] = theta[i] * shrink;
        else if (u->weight_decay != 0.0) g = g + wd * theta[i];
        m[i] = m[i] * b1 + one_m_b1 * g;
        v[i] = v[i] * b2 + one_m_b2 * g * g;
        float second = v[i];
        if (vmax) {
            vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
            second = vmax[i];
        }
        float denom = sqrtf(second) / bias2_sqrt + eps;
        theta[i] = theta[i] + neg_step * (m[i] / denom);
    }
}
