/* SGD's update of one parameter, torch.optim.SGD (1.13) rule for rule, in
 * float32 with the coefficients rounded to float as PyTorch's kernels do:
 *   d = g + wd θ
 *   b = d (first step) or μ b + (1 - dampening) d;  d = nesterov ? d + μ b : b
 *   θ = θ - lr d
 * The momentum buffer counts as fresh when t = 1, so a restored step count
 * resumes with the saved buffer. */
#include "optim_internal.h"

void attn__sgd_update(const attn_optim *opt, const attn__optim_update *u, attn__optim_param *p)
{
    const int64_t n = attn_tensor_numel(p->param);
    float *theta = attn__f32(p->param);
    const float *grad = attn__f32(p->grad);
    float *buf = p->state[0] ? attn__f32(p->state[0]) : NULL;
    const float wd = (float)u->weight_decay, mu = (float)opt->momentum;
    const float keep = (float)(1.0 - opt->dampening), neg_lr = (float)-u->lr;
    const int first = u->t == 1;
    for (int64_t i = 0; i < n; i++) {
        float d = grad[i];
        if (u->weight_decay != 0.0) d = d + wd * theta[i];
        if (buf) {
            buf[i] = first ? d : buf[i] * mu + keep * d;
            d = opt->nesterov ? d + mu * buf[i] : buf[i];
        }
        theta[i] = theta[i] + neg_lr * d;
    }
}
