/** @file
 * libattn optimizers: SGD (momentum, dampening, Nesterov), Adam and AdamW
 * with PyTorch 1.13's exact update rules (torch.optim), parameter groups,
 * gradient clipping by global norm, learning-rate schedules, and optimizer
 * state that can be saved and restored.
 *
 * An optimizer borrows (parameter, gradient) tensor pairs: it reads the
 * gradients and updates the parameters in place at each step. Gradients
 * are never cleared by a step; call attn_optim_zero_grad (or the model's or
 * layer's zero_grad) before accumulating the next ones.
 *
 * Update rules, per element, with g the gradient, lr the group's learning
 * rate (base lr * lr_scale), wd the group's weight decay and t the step
 * number counted from 1:
 *   SGD:   g += wd θ; b = g at t = 1, else b = μ b + (1 - dampening) g;
 *          g = nesterov ? g + μ b : b (when μ > 0); θ -= lr g
 *   Adam:  g += wd θ (L2); m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²;
 *          v̂ = amsgrad ? max(v̂, v) : v;
 *          θ -= lr / (1 - β1^t) · m / (sqrt(v̂) / sqrt(1 - β2^t) + eps)
 *   AdamW: θ *= 1 - lr wd (decoupled), then Adam's step without the L2 term.
 *
 * All parameters step together, so the step count is one number for the
 * whole optimizer (PyTorch keeps one per parameter; they agree when every
 * parameter has a gradient at every step).
 *
 * Checkpoints: every state tensor has a stable name -- "momentum_buffer.<param>"
 * (SGD with momentum), "exp_avg.<param>", "exp_avg_sq.<param>" and, with
 * amsgrad, "max_exp_avg_sq.<param>" (Adam/AdamW). Save them with the step
 * count; to resume, build the optimizer the same way (same params, same
 * names), write the saved values into the tensors of attn_optim_state and
 * call attn_optim_set_step: the run continues bit for bit.
 *
 * Only attn_optim_create, attn_optim_add_group and attn_optim_add_param
 * allocate (the state is allocated with its parameter); step, clipping,
 * zero_grad, the lr and the state calls never do.
 */
#ifndef ATTN_OPTIM_H
#define ATTN_OPTIM_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An optimizer: its rule, groups, borrowed parameters and their state. Opaque. */
typedef struct attn_optim attn_optim;

/** The update rule (see the file comment). */
typedef enum attn_optim_kind {
    ATTN_OPTIM_SGD = 0,
    ATTN_OPTIM_ADAM = 1,  /**< weight decay as an L2 term added to the gradient */
    ATTN_OPTIM_ADAMW = 2  /**< decoupled weight decay */
} attn_optim_kind;

/** Optimizer options. Versioned: set struct_size = sizeof(attn_optim_opts);
 *  fields are only ever appended. Nothing is defaulted: PyTorch's defaults
 *  are momentum 0, dampening 0, beta1 0.9, beta2 0.999, eps 1e-8,
 *  weight_decay 0 (AdamW: 0.01). Fields of the other kinds are ignored. */
typedef struct attn_optim_opts {
    uint32_t struct_size; /**< sizeof(attn_optim_opts) */
    int32_t kind;          /**< attn_optim_kind */
    double lr;             /**< base learning rate, >= 0 */
    double momentum;       /**< SGD, >= 0 */
    double dampening;      /**< SGD */
    int32_t nesterov;      /**< SGD: 1 = Nesterov momentum (needs momentum > 0, dampening 0) */
    int32_t amsgrad;       /**< Adam/AdamW: 1 = keep the maximum of v */
    double beta1;          /**< Adam/AdamW, in [0, 1) */
    double beta2;          /**< Adam/AdamW, in [0, 1) */
    double eps;            /**< Adam/AdamW, >= 0 */
    double weight_decay;   /**< of group 0, >= 0 */
} attn_optim_opts;

/** Creates an optimizer with one parameter group (group 0: lr scale 1,
 *  opts->weight_decay) and no parameters. ATTN_ERR_INVALID_ARG for a NULL
 *  argument, struct_size below the first version, an unknown kind or a value
 *  PyTorch rejects (negative lr, momentum, eps or weight decay, beta outside
 *  [0, 1), Nesterov without momentum or with dampening, NaN anywhere);
 *  ATTN_ERR_UNSUPPORTED when struct_size is larger than this library knows
 *  and the unknown trailing bytes are not zero. */
ATTN_API attn_status attn_optim_create(attn_ctx *ctx, const attn_optim_opts *opts, attn_optim **out);
/** Destroys the optimizer and its state (not the borrowed tensors). NULL is a no-op. */
ATTN_API void attn_optim_destroy(attn_optim *opt);

/** Adds a parameter group whose learning rate is lr_scale times the base lr
 *  and whose weight decay is weight_decay (e.g. 0 for biases and LayerNorm
 *  weights). *group receives its index. ATTN_ERR_INVALID_ARG for negative or
 *  non-finite values. */
ATTN_API attn_status attn_optim_add_group(attn_optim *opt, double lr_scale, double weight_decay, int32_t *group);
/** Adds a parameter of a group. param and grad are borrowed (they must
 *  outlive the optimizer), float32, contiguous, of the same shape. name must
 *  be unique (it names the state tensors) and is copied. Allocates the
 *  parameter's state (zeros). ATTN_ERR_INVALID_ARG for a NULL or empty
 *  name, an unknown group, a duplicate name or tensor; ATTN_ERR_DTYPE,
 *  ATTN_ERR_SHAPE for mismatched tensors; ATTN_ERR_STATE once a step has
 *  been taken (the step count is shared). */
ATTN_API attn_status attn_optim_add_param(attn_optim *opt, int32_t group, const char *name, attn_tensor *param,
                                          attn_tensor *grad);
/** Number of parameters added (0 for NULL). */
ATTN_API int32_t attn_optim_param_count(const attn_optim *opt);

/** One update of every parameter from its gradient. With the context's
 *  ATTN_OPT_CHECK_FINITE = 1, a NaN or Inf in any gradient is
 *  ATTN_ERR_NUMERIC naming the parameter and position, and nothing (no
 *  parameter, no state, not the step count) is modified. */
ATTN_API attn_status attn_optim_step(attn_optim *opt);
/** Sets every gradient to zero. */
ATTN_API attn_status attn_optim_zero_grad(attn_optim *opt);

/** Base learning rate (each group uses lr * its lr_scale). ATTN_ERR_INVALID_ARG
 *  for a negative or non-finite lr. */
ATTN_API attn_status attn_optim_set_lr(attn_optim *opt, double lr);
/** The base learning rate now in use. ATTN_ERR_INVALID_ARG for a NULL argument. */
ATTN_API attn_status attn_optim_get_lr(const attn_optim *opt, double *lr);

/** Clips the gradients by their global L2 norm (all parameters as one
 *  vector), as torch.nn.utils.clip_grad_norm_: with total the norm,
 *  coef = max_norm / (total + 1e-6), and the gradients are multiplied by coef
 *  only when coef < 1. *total_norm (may be NULL) receives the norm before
 *  clipping. ATTN_ERR_INVALID_ARG for a negative or NaN max_norm. With
 *  ATTN_OPT_CHECK_FINITE = 1 a non-finite gradient is ATTN_ERR_NUMERIC naming
 *  it, and nothing is modified. */
ATTN_API attn_status attn_optim_clip_grad_norm(attn_optim *opt, double max_norm, double *total_norm);

/** Number of state tensors (depends on the kind and options, grows with
 *  add_param). */
ATTN_API int32_t attn_optim_state_count(const attn_optim *opt);
/** State tensor i (0 <= i < attn_optim_state_count): its stable name and the
 *  tensor itself (borrowed, writable: write saved values into it to restore).
 *  Out pointers may be NULL. ATTN_ERR_RANGE for i out of range. */
ATTN_API attn_status attn_optim_state(attn_optim *opt, int32_t i, const char **name, attn_tensor **tensor);
/** Finds a state tensor by name. ATTN_ERR_NOT_FOUND if there is none. */
ATTN_API attn_status attn_optim_find_state(attn_optim *opt, const char *name, attn_tensor **tensor);
/** Number of steps taken (0 for a fresh optimizer). */
ATTN_API attn_status attn_optim_get_step(const attn_optim *opt, int64_t *step);
/** Sets the step count (restoring a checkpoint). ATTN_ERR_INVALID_ARG if negative. */
ATTN_API attn_status attn_optim_set_step(attn_optim *opt, int64_t step);

/* ---- Learning-rate schedules: pure functions of the step ---- */

/** The shape of a learning-rate schedule (attn_lr_schedule). */
typedef enum attn_lr_schedule_kind {
    /** base_lr; with warmup_steps > 0, linear warmup first (HF get_constant_schedule_with_warmup) */
    ATTN_LR_CONSTANT = 0,
    /** linear warmup 0 -> base_lr, then linear decay to 0 at total_steps (HF get_linear_schedule_with_warmup) */
    ATTN_LR_LINEAR = 1,
    /** linear warmup, then half a cosine to 0 at total_steps (HF get_cosine_schedule_with_warmup) */
    ATTN_LR_COSINE = 2
} attn_lr_schedule_kind;

/** The learning rate of step `step` (0 for the first step), as Hugging Face's
 *  LambdaLR schedules give it: for step < warmup_steps, base_lr * step /
 *  max(1, warmup_steps); then, with p = (step - warmup_steps) / max(1,
 *  total_steps - warmup_steps), base_lr * max(0, 1 - p) (linear) or base_lr *
 *  max(0, (1 + cos(pi p)) / 2) (cosine). Use it as
 *  attn_optim_set_lr(opt, lr) before each attn_optim_step. ATTN_ERR_INVALID_ARG
 *  for an unknown kind, a negative step or step count, a negative or
 *  non-finite base_lr or a NULL lr; there is no context for a message:
 *  attn_lr_schedule_error gives it. */
ATTN_API attn_status attn_lr_schedule(attn_lr_schedule_kind kind, double base_lr, int64_t step, int64_t warmup_steps,
                                      int64_t total_steps, double *lr);
/** Why attn_lr_schedule refuses these arguments (it has no context to put a
 *  message on): NULL when it accepts them, else a static sentence naming the
 *  argument, e.g. "warmup_steps is negative". Never fails, allocates
 *  nothing; the string is owned by the library. */
ATTN_API const char *attn_lr_schedule_error(attn_lr_schedule_kind kind, double base_lr, int64_t step,
                                           int64_t warmup_steps, int64_t total_steps);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_OPTIM_H */
