/* The optimizer handle: options, parameter groups, borrowed parameters and
 * the state allocated for them, the learning rate, the step count and the
 * named state tensors a checkpoint saves. The updates live in sgd.c and
 * adam.c, the step driver in step.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "optim_internal.h"

/* First version of attn_optim_opts: everything up to weight_decay. */
#define OPTIM_OPTS_V1_SIZE (offsetof(attn_optim_opts, weight_decay) + sizeof(double))

static const char *const sgd_state_names[] = {"momentum_buffer"};
static const char *const adam_state_names[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};

static attn_status bad(attn_ctx *ctx, const char *what, double v, const char *rule)
{
    return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_create: %s = %g, must be %s", what, v, rule);
}

static attn_status validate_opts(attn_ctx *ctx, const attn_optim_opts *o)
{
    if (o->struct_size < OPTIM_OPTS_V1_SIZE)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "attn_optim_create: opts->struct_size is %u, at least %zu expected (set it to sizeof(attn_optim_opts))",
                          o->struct_size, (size_t)OPTIM_OPTS_V1_SIZE);
    for (size_t i = sizeof(attn_optim_opts); i < o->struct_size; i++)
        if (((const unsigned char *)o)[i] != 0)
            return attn__fail(ctx, ATTN_ERR_UNSUPPORTED,
                              "attn_optim_create: opts has a non-zero byte at offset %zu, past the fields this library knows",
                              i);
    if (o->kind < ATTN_OPTIM_SGD || o->kind > ATTN_OPTIM_ADAMW)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_create: unknown optimizer kind %d", (int)o->kind);
    /* !(x >= 0) also rejects NaN */
    if (!(o->lr >= 0.0) || isinf(o->lr)) return bad(ctx, "lr", o->lr, "finite and >= 0");
    if (!(o->weight_decay >= 0.0) || isinf(o->weight_decay))
        return bad(ctx, "weight_decay", o->weight_decay, "finite and >= 0");
    if (o->kind == ATTN_OPTIM_SGD) {
        if (!(o->momentum >= 0.0) || isinf(o->momentum)) return bad(ctx, "momentum", o->momentum, "finite and >= 0");
        if (!isfinite(o->dampening)) return bad(ctx, "dampening", o->dampening, "finite");
        if (o->nesterov != 0 && o->nesterov != 1)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_create: nesterov = %d, must be 0 or 1", (int)o->nesterov);
        if (o->nesterov && (o->momentum <= 0.0 || o->dampening != 0.0))
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                              "attn_optim_create: Nesterov momentum requires momentum > 0 and dampening = 0 "
                              "(momentum %g, dampening %g)", o->momentum, o->dampening);
    } else {
        if (!(o->beta1 >= 0.0 && o->beta1 < 1.0)) return bad(ctx, "beta1", o->beta1, "in [0, 1)");
        if (!(o->beta2 >= 0.0 && o->beta2 < 1.0)) return bad(ctx, "beta2", o->beta2, "in [0, 1)");
        if (!(o->eps >= 0.0) || isinf(o->eps)) return bad(ctx, "eps", o->eps, "finite and >= 0");
        if (o->amsgrad != 0 && o->amsgrad != 1)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_create: amsgrad = %d, must be 0 or 1", (int)o->amsgrad);
    }
    return ATTN_OK;
}

attn_status attn_optim_create(attn_ctx *ctx, const attn_optim_opts *opts, attn_optim **out)
{
    if (out) *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!opts || !out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_create: opts and out must not be NULL");
    ATTN_CHECK(validate_opts(ctx, opts));
    attn_optim *opt = attn__calloc(ctx, 1, sizeof *opt);
    if (!opt) return ATTN_ERR_NOMEM;
    opt->ctx = ctx;
    opt->kind = (attn_optim_kind)opts->kind;
    opt->lr = opts->lr;
    if (opt->kind == ATTN_OPTIM_SGD) {
        opt->momentum = opts->momentum;
        opt->dampening = opts->dampening;
        opt->nesterov = opts->nesterov;
        opt->states_per_param = opts->momentum != 0.0 ? 1 : 0;
    } else {
        opt->beta1 = opts->beta1;
        opt->beta2 = opts->beta2;
        opt->eps = opts->eps;
        opt->amsgrad = opts->amsgrad;
        opt->states_per_param = opts->amsgrad ? 3 : 2;
    }
    int32_t g0;
    attn_status st = attn_optim_add_group(opt, 1.0, opts->weight_decay, &g0);
    if (st != ATTN_OK) {
        attn_optim_destroy(opt);
        return st;
    }
    *out = opt;
    return attn__ok(ctx);
}

void attn_optim_destroy(attn_optim *opt)
{
    if (!opt) return;
    for (int32_t i = 0; i < opt->n_params; i++) {
        attn__optim_param *p = &opt->params[i];
        for (int32_t s = 0; s < ATTN_OPTIM_MAX_STATES; s++) {
            attn_tensor_destroy(p->state[s]);
            attn__free(opt->ctx, p->state_name[s]);
        }
        attn__free(opt->ctx, p->name);
    }
    attn__free(opt->ctx, opt->params);
    attn__free(opt->ctx, opt->groups);
    attn__free(opt->ctx, opt);
}

/* Grows an array of elem-sized items to hold one more; 0 on failure. */
static int reserve(attn_ctx *ctx, void **items, int32_t count, int32_t *cap, size_t elem)
{
    if (count < *cap) return 1;
    int32_t ncap = *cap ? *cap * 2 : 8;
    void *n = attn__calloc(ctx, (size_t)ncap, elem);
    if (!n) return 0;
    if (count) memcpy(n, *items, (size_t)count * elem);
    attn__free(ctx, *items);
    *items = n;
    *cap = ncap;
    return 1;
}

attn_status attn_optim_add_group(attn_optim *opt, double lr_scale, double weight_decay, int32_t *group)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (!group) return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_group: group must not be NULL");
    if (!(lr_scale >= 0.0) || isinf(lr_scale))
        return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_group: lr_scale = %g, must be finite and >= 0",
                          lr_scale);
    if (!(weight_decay >= 0.0) || isinf(weight_decay))
        return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG,
                          "attn_optim_add_group: weight_decay = %g, must be finite and >= 0", weight_decay);
    if (opt->n_groups == INT32_MAX)
        return attn__fail(opt->ctx, ATTN_ERR_LIMIT, "attn_optim_add_group: too many groups");
    if (!reserve(opt->ctx, (void **)&opt->groups, opt->n_groups, &opt->cap_groups, sizeof *opt->groups))
        return ATTN_ERR_NOMEM;
    opt->groups[opt->n_groups] = (attn__optim_group){lr_scale, weight_decay};
    *group = opt->n_groups++;
    return attn__ok(opt->ctx);
}

static attn_status check_param_tensor(attn_optim *opt, const char *name, const char *what, const attn_tensor *t)
{
    if (t->dtype != ATTN_F32)
        return attn__fail(opt->ctx, ATTN_ERR_DTYPE, "attn_optim_add_param: %s of '%s' must be float32 (dtype %d)", what,
                          name, (int)t->dtype);
    if (!attn_tensor_is_contiguous(t))
        return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_param: %s of '%s' must be contiguous", what,
                          name);
    return ATTN_OK;
}

static void free_entry(attn_ctx *ctx, attn__optim_param *p)
{
    for (int32_t s = 0; s < ATTN_OPTIM_MAX_STATES; s++) {
        attn_tensor_destroy(p->state[s]);
        attn__free(ctx, p->state_name[s]);
    }
    attn__free(ctx, p->name);
    memset(p, 0, sizeof *p);
}

attn_status attn_optim_add_param(attn_optim *opt, int32_t group, const char *name, attn_tensor *param,
                                 attn_tensor *grad)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    attn_ctx *ctx = opt->ctx;
    if (!name || !name[0] || !param || !grad)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_param: name, param and grad must be given");
    if (opt->step > 0)
        return attn__fail(ctx, ATTN_ERR_STATE,
                          "attn_optim_add_param: '%s' added after %lld steps; add every parameter before the first step",
                          name, (long long)opt->step);
    if (group < 0 || group >= opt->n_groups)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_param: group %d of '%s' does not exist (%d groups)",
                          (int)group, name, (int)opt->n_groups);
    ATTN_CHECK(check_param_tensor(opt, name, "param", param));
    ATTN_CHECK(check_param_tensor(opt, name, "grad", grad));
    char buf[128];
    if (attn__check_same_shape(grad, param, "grad", "param") != ATTN_OK)
        return attn__fail(ctx, ATTN_ERR_SHAPE, "attn_optim_add_param: grad of '%s' is %s, param is %s", name,
                          attn__shape_str(grad, buf, sizeof buf), attn__shape_str(param, buf + 64, sizeof buf - 64));
    if (attn__f32(param) == attn__f32(grad) && attn_tensor_numel(param) > 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_param: param and grad of '%s' share memory", name);
    for (int32_t i = 0; i < opt->n_params; i++) {
        const attn__optim_param *q = &opt->params[i];
        if (strcmp(q->name, name) == 0)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_optim_add_param: a parameter named '%s' was already added",
                              name);
        if (attn_tensor_numel(param) > 0 && (attn__f32(q->param) == attn__f32(param) || attn__f32(q->grad) == attn__f32(grad)))
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                              "attn_optim_add_param: '%s' uses the same memory as '%s', which was already added", name,
                              q->name);
    }
    if (opt->n_params == INT32_MAX / ATTN_OPTIM_MAX_STATES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "attn_optim_add_param: too many parameters");
    if (!reserve(ctx, (void **)&opt->params, opt->n_params, &opt->cap_params, sizeof *opt->params))
        return ATTN_ERR_NOMEM;

    attn__optim_param *p = &opt->params[opt->n_params];
    memset(p, 0, sizeof *p);
    p->group = group;
    p->param = param;
    p->grad = grad;
    p->name = attn__strdup(ctx, name);
    if (!p->name) return ATTN_ERR_NOMEM;
    const char *const *prefixes = opt->kind == ATTN_OPTIM_SGD ? sgd_state_names : adam_state_names;
    for (int32_t s = 0; s < opt->states_per_param; s++) {
        size_t len = strlen(prefixes[s]) + 1 + strlen(name) + 1;
        p->state_name[s] = attn__alloc(ctx, len);
        attn_status st = p->state_name[s] ? attn_tensor_create(ctx, ATTN_F32, param->rank, param->shape, &p->state[s])
                                          : ATTN_ERR_NOMEM;
        if (st != ATTN_OK) {
            free_entry(ctx, p);
            return st;
        }
        snprintf(p->state_name[s], len, "%s.%s", prefixes[s], name);
    }
    opt->n_params++;
    return attn__ok(ctx);
}

int32_t attn_optim_param_count(const attn_optim *opt) { return opt ? opt->n_params : 0; }

attn_status attn_optim_zero_grad(attn_optim *opt)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    for (int32_t i = 0; i < opt->n_params; i++) {
        const attn_tensor *g = opt->params[i].grad;
        memset(attn__f32(g), 0, (size_t)attn_tensor_numel(g) * sizeof(float));
    }
    return attn__ok(opt->ctx);
}

attn_status attn_optim_set_lr(attn_optim *opt, double lr)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (!(lr >= 0.0) || isinf(lr))
        return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_set_lr: lr = %g, must be finite and >= 0", lr);
    opt->lr = lr;
    return attn__ok(opt->ctx);
}

attn_status attn_optim_get_lr(const attn_optim *opt, double *lr)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (!lr) return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_get_lr: lr must not be NULL");
    *lr = opt->lr;
    return attn__ok(opt->ctx);
}

int32_t attn_optim_state_count(const attn_optim *opt) { return opt ? opt->n_params * opt->states_per_param : 0; }

attn_status attn_optim_state(attn_optim *opt, int32_t i, const char **name, attn_tensor **tensor)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    int32_t n = attn_optim_state_count(opt);
    if (i < 0 || i >= n)
        return attn__fail(opt->ctx, ATTN_ERR_RANGE, "attn_optim_state: index %d is outside [0, %d)", (int)i, (int)n);
    attn__optim_param *p = &opt->params[i / opt->states_per_param];
    int32_t s = i % opt->states_per_param;
    if (name) *name = p->state_name[s];
    if (tensor) *tensor = p->state[s];
    return attn__ok(opt->ctx);
}

attn_status attn_optim_find_state(attn_optim *opt, const char *name, attn_tensor **tensor)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (!name || !tensor) return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_find_state: name and tensor must not be NULL");
    for (int32_t i = 0; i < opt->n_params; i++)
        for (int32_t s = 0; s < opt->states_per_param; s++)
            if (strcmp(opt->params[i].state_name[s], name) == 0) {
                *tensor = opt->params[i].state[s];
                return attn__ok(opt->ctx);
            }
    return attn__fail(opt->ctx, ATTN_ERR_NOT_FOUND, "attn_optim_find_state: no state tensor named '%s'", name);
}

attn_status attn_optim_get_step(const attn_optim *opt, int64_t *step)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (!step) return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_get_step: step must not be NULL");
    *step = opt->step;
    return attn__ok(opt->ctx);
}

attn_status attn_optim_set_step(attn_optim *opt, int64_t step)
{
    if (!opt) return ATTN_ERR_INVALID_ARG;
    if (step < 0)
        return attn__fail(opt->ctx, ATTN_ERR_INVALID_ARG, "attn_optim_set_step: step = %lld, must be >= 0", (long long)step);
    opt->step = step;
    return attn__ok(opt->ctx);
}
