/* Gradient clipping by the global L2 norm of all gradients, with
 * torch.nn.utils.clip_grad_norm_'s coefficient max_norm / (norm + 1e-6),
 * applied only when it is below 1. The norm is accumulated in double. */
#include <math.h>

#include "optim_internal.h"

attn_status attn_optim_clip_grad_norm(attn_optim *opt, double max_norm, double *total_norm)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (!(max_norm >= 0.0))
        return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_clip_grad_norm: max_norm = %g, must be >= 0",
                          max_norm);
    if (opt->ctx->check_finite) ATTN_CHECK(attn__optim_check_grads(opt, "attn_optim_clip_grad_norm"));
    double sq = 0.0;
    for (int32_t i = 0; i < opt->n_params; i++) {
        const float *g = attn__f32(opt->params[i].grad);
        int64_t n = attn_tensor_numel(opt->params[i].grad);
        for (int64_t j = 0; j < n; j++) sq += (double)g[j] * g[j];
    }
    double norm = sqrt(sq);
    double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0) {
        const float c = (float)coef;
        for (int32_t i = 0; i < opt->n_params; i++) {
            float *g = attn__f32(opt->params[i].grad);
            int64_t n = attn_tensor_numel(opt->params[i].grad);
            for (int64_t j = 0; j < n; j++) g[j] *= c;
        }
    }
    if (total_norm) *total_norm = norm;
    return attn__ok(opt->ctx);
}
