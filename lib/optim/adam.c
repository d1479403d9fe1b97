/* Adam's and AdamW's update of one parameter, torch.optim.Adam/AdamW (1.13)
 * rule for rule, in float32 with the scalar coefficients computed in double
 * and rounded to float as PyTorch's kernels receive them:
 *   AdamW: θ = θ (1 - lr wd)          Adam: g = g + wd θ
 *   m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g g;  v̂ = max(v̂, v) with amsgrad
 *   θ = θ - lr / (1 - β1^t) · m / (sqrt(v̂) / sqrt(1 - β2^t) + eps)
 *
 * The element loop is lib/compute/adam_rows.c (vectorised per ISA level, one
 * IEEE rounding per operation, so neither the level nor the vector width
 * changes a result). Large parameters are cut into ranges over the
 * context's threads by the library's one fork-join: the update is
 * elementwise, so the thread count changes nothing either. */
#include <math.h>

#include "compute/compute.h"
#include "optim_internal.h"

/* Floats one element's update touches (four read, three written): the work
 * unit of the library's worker-count rule. */
#define FLOATS_PER_ELEMENT 7

typedef struct {
    const attn__kernels *kern;
    attn__adam_args args;
} adam_job;

static void update_range(void *arg, int64_t begin, int64_t end)
{
    const adam_job *j = arg;
    j->kern->adam_update(&j->args, begin, end);
}

void attn__adam_update(const attn_optim *opt, const attn__optim_update *u, attn__optim_param *p)
{
    const double bias1 = 1.0 - pow(opt->beta1, (double)u->t), bias2 = 1.0 - pow(opt->beta2, (double)u->t);
    attn__adam_args j;
    int64_t n = attn_tensor_numel(p->param);
    j.theta = attn__f32(p->param);
    j.grad = attn__f32(p->grad);
    j.m = attn__f32(p->state[0]);
    j.v = attn__f32(p->state[1]);
    j.vmax = opt->amsgrad ? attn__f32(p->state[2]) : NULL;
    int decoupled = opt->kind == ATTN_OPTIM_ADAMW;
    j.decay = !decoupled && u->weight_decay != 0.0;
    j.neg_step = (float)-(u->lr / bias1);
    j.bias2_sqrt = (float)sqrt(bias2);
    j.b1 = (float)opt->beta1;
    j.one_m_b1 = (float)(1.0 - opt->beta1);
    j.b2 = (float)opt->beta2;
    j.one_m_b2 = (float)(1.0 - opt->beta2);
    j.eps = (float)opt->eps;
    j.wd = (float)u->weight_decay;
    j.shrink = decoupled ? (float)(1.0 - u->lr * u->weight_decay) : 1.0f;

    adam_job job = {attn__kern(opt->ctx), j};
    attn__parallel_for(opt->ctx, n, FLOATS_PER_ELEMENT, update_range, &job);
}
