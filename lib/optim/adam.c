/* Adam's and AdamW's update of one parameter, torch.optim.Adam/AdamW (1.13)
 * rule for rule, in float32 with the scalar coefficients computed in double
 * and rounded to float as PyTorch's kernels receive them:
 *   AdamW: θ = θ (1 - lr wd)          Adam: g = g + wd θ
 *   m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g g;  v̂ = max(v̂, v) with amsgrad
 *   θ = θ - lr / (1 - β1^t) · m / (sqrt(v̂) / sqrt(1 - β2^t) + eps)
 *
 * The element loop has no branch (the variant is chosen outside it), so it
 * vectorises; it is built for AVX-512, AVX2 and baseline x86-64 and picked
 * at load time. Every operation is one IEEE rounding, as in the scalar
 * formula (no fused multiply-add), so the vector width never changes a
 * result. Large parameters are cut into ranges over the context's threads:
 * the update is elementwise, so the thread count changes nothing either. */
#include <math.h>

#include "optim_internal.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ADAM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ADAM_CLONES
#endif

/* Elements below which a parameter is updated on the calling thread. */
#define PARALLEL_FROM 65536
/* Elements per share of a split parameter (a few hundred kB of state). */
#define SHARE_ELEMENTS 32768

typedef struct {
    float *theta, *m, *v, *vmax;
    const float *grad;
    float neg_step, bias2_sqrt, b1, one_m_b1, b2, one_m_b2, eps, wd, shrink;
    int decoupled, decay;
    int64_t n;
} adam_job;

/* shrink is 1 except for AdamW (x * 1 is exact), wd is used only by Adam's
 * coupled decay (decay = 1). */
ADAM_CLONES
static void update_range(const adam_job *j, int64_t begin, int64_t end)
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

static void update_share(void *arg, int32_t s, int32_t shares)
{
    const adam_job *j = arg;
    update_range(j, j->n * s / shares, j->n * (s + 1) / shares);
}

void attn__adam_update(const attn_optim *opt, const attn__optim_update *u, attn__optim_param *p)
{
    const double bias1 = 1.0 - pow(opt->beta1, (double)u->t), bias2 = 1.0 - pow(opt->beta2, (double)u->t);
    adam_job j;
    j.n = attn_tensor_numel(p->param);
    j.theta = attn__f32(p->param);
    j.grad = attn__f32(p->grad);
    j.m = attn__f32(p->state[0]);
    j.v = attn__f32(p->state[1]);
    j.vmax = opt->amsgrad ? attn__f32(p->state[2]) : NULL;
    j.decoupled = opt->kind == ATTN_OPTIM_ADAMW;
    j.decay = !j.decoupled && u->weight_decay != 0.0;
    j.neg_step = (float)-(u->lr / bias1);
    j.bias2_sqrt = (float)sqrt(bias2);
    j.b1 = (float)opt->beta1;
    j.one_m_b1 = (float)(1.0 - opt->beta1);
    j.b2 = (float)opt->beta2;
    j.one_m_b2 = (float)(1.0 - opt->beta2);
    j.eps = (float)opt->eps;
    j.wd = (float)u->weight_decay;
    j.shrink = j.decoupled ? (float)(1.0 - u->lr * u->weight_decay) : 1.0f;

    const attn_ctx *ctx = opt->ctx;
    int64_t threads = attn__pool_threads(ctx->pool);
    if (threads > ctx->threads) threads = ctx->threads;
    if (threads <= 1 || j.n < PARALLEL_FROM) {
        update_range(&j, 0, j.n);
        return;
    }
    int64_t shares = j.n / SHARE_ELEMENTS;
    if (shares > 64 * threads) shares = 64 * threads;
    attn__pool_run(ctx->pool, (int32_t)shares, update_share, &j);
}
