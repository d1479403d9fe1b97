/* The optimizer step: all gradients are checked before anything changes
 * (so a NaN leaves parameters, state and step count as they were), then
 * each parameter is updated with its group's lr and weight decay. */
#include <math.h>
#include <stdio.h>

#include "optim_internal.h"

attn_status attn__optim_check_grads(const attn_optim *opt, const char *fn)
{
    for (int32_t i = 0; i < opt->n_params; i++) {
        const attn__optim_param *p = &opt->params[i];
        const float *g = attn__f32(p->grad);
        int64_t n = attn_tensor_numel(p->grad);
        for (int64_t j = 0; j < n; j++)
            if (!isfinite(g[j]))
                return attn__fail(opt->ctx, ATTN_ERR_NUMERIC,
                                  "%s: gradient of '%s' is %s at flat index %lld (ATTN_OPT_CHECK_FINITE is on); "
                                  "nothing was modified",
                                  fn, p->name, isnan(g[j]) ? "NaN" : g[j] > 0 ? "+Inf" : "-Inf", (long long)j);
    }
    return ATTN_OK;
}

attn_status attn_optim_step(attn_optim *opt)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (opt->ctx->check_finite) ATTN_CHECK(attn__optim_check_grads(opt, "attn_optim_step"));
    if (opt->step == INT64_MAX) return attn__fail(opt->ctx, ATTN_ERR_OVERFLOW, "attn_optim_step: step count overflows");
    opt->step++;
    for (int32_t i = 0; i < opt->n_params; i++) {
        attn__optim_param *p = &opt->params[i];
        const attn__optim_group *g = &opt->groups[p->group];
        attn__optim_update u = {opt->step, opt->lr * g->lr_scale, g->weight_decay};
        if (opt->kind == ATTN_OPTIM_SGD) attn__sgd_update(opt, &u, p);
        else attn__adam_update(opt, &u, p);
    }
    return attn__ok(opt->ctx);
}
