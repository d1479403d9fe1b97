/* Private to lib/optim: the optimizer handle, its parameter entries and the
 * per-kind update functions the step driver calls. */
#ifndef ATTN_OPTIM_INTERNAL_H
#define ATTN_OPTIM_INTERNAL_H

#include "internal.h"

#define ATTN_OPTIM_MAX_STATES 3 /* per parameter: Adam's exp_avg, exp_avg_sq, max_exp_avg_sq */

typedef struct attn__optim_group {
    double lr_scale;
    double weight_decay;
} attn__optim_group;

typedef struct attn__optim_param {
    char *name;
    int32_t group;
    attn_tensor *param;                        /* borrowed */
    attn_tensor *grad;                         /* borrowed */
    attn_tensor *state[ATTN_OPTIM_MAX_STATES]; /* owned, zero at creation */
    char *state_name[ATTN_OPTIM_MAX_STATES];   /* "exp_avg.<name>", ... */
} attn__optim_param;

struct attn_optim {
    attn_ctx *ctx;
    attn_optim_kind kind;
    double lr;
    double momentum, dampening;
    int32_t nesterov, amsgrad;
    double beta1, beta2, eps;
    int64_t step;                  /* steps taken */
    int32_t states_per_param;
    attn__optim_group *groups;
    int32_t n_groups, cap_groups;
    attn__optim_param *params;
    int32_t n_params, cap_params;
};

/* The hyper-parameters of one parameter's update at step t (counted from 1). */
typedef struct attn__optim_update {
    int64_t t;
    double lr;            /* base lr * group lr_scale */
    double weight_decay;  /* the group's */
} attn__optim_update;

/* In-place updates of n contiguous elements (lib/optim/sgd.c, adam.c). */
void attn__sgd_update(const attn_optim *opt, const attn__optim_update *u, attn__optim_param *p);
void attn__adam_update(const attn_optim *opt, const attn__optim_update *u, attn__optim_param *p);

/* ATTN_ERR_NUMERIC naming the first gradient element that is NaN or Inf
 * (fn = the public call), or ATTN_OK. Checks regardless of check_finite. */
attn_status attn__optim_check_grads(const attn_optim *opt, const char *fn);

#endif /* ATTN_OPTIM_INTERNAL_H */
