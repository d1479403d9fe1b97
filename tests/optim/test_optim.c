/* Optimizers: single steps computed by hand, parameter groups, clipping,
 * schedules, named state and bit-for-bit resume, no allocation per step,
 * NaN gradients, and every error path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

static attn_tensor *vec(attn_ctx *ctx, int64_t n, const float *values)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, &n, &t));
    if (values) memcpy(attn_tensor_data_f32(t), values, (size_t)n * sizeof(float));
    return t;
}

static attn_optim_opts sgd_opts(double lr, double momentum, double dampening, int32_t nesterov, double wd)
{
    attn_optim_opts o = {.struct_size = sizeof o, .kind = ATTN_OPTIM_SGD, .lr = lr, .momentum = momentum,
                         .dampening = dampening, .nesterov = nesterov, .weight_decay = wd};
    return o;
}

static attn_optim_opts adam_opts(attn_optim_kind kind, double lr, double wd, int32_t amsgrad)
{
    attn_optim_opts o = {.struct_size = sizeof o, .kind = kind, .lr = lr, .beta1 = 0.9, .beta2 = 0.999,
                         .eps = 1e-8, .weight_decay = wd, .amsgrad = amsgrad};
    return o;
}

/* One parameter w = [1, 0] with gradient g = [-0.4, -0.2], two steps. */
static void two_steps(const attn_optim_opts *o, float out1[2], float out2[2])
{
    attn_ctx *ctx = attn_test_ctx();
    const float w0[2] = {1.0f, 0.0f}, g0[2] = {-0.4f, -0.2f};
    attn_tensor *w = vec(ctx, 2, w0), *g = vec(ctx, 2, g0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    memcpy(out1, attn_tensor_data_f32(w), sizeof(float) * 2);
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    memcpy(out2, attn_tensor_data_f32(w), sizeof(float) * 2);
    /* the step never touches the gradient */
    ck_assert_float_eq(attn_tensor_data_f32(g)[0], -0.4f);
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);
    attn_ctx_destroy(ctx);
}

START_TEST(sgd_steps_match_the_hand_formulas)
{
    float a[2], b[2];
    attn_optim_opts o = sgd_opts(0.1, 0, 0, 0, 0);
    two_steps(&o, a, b); /* w - lr g, twice */
    ck_assert_float_eq_tol(a[0], 1.04f, 1e-6f);
    ck_assert_float_eq_tol(a[1], 0.02f, 1e-6f);
    ck_assert_float_eq_tol(b[0], 1.08f, 1e-6f);
    ck_assert_float_eq_tol(b[1], 0.04f, 1e-6f);
    o = sgd_opts(0.1, 0.9, 0, 0, 0);
    two_steps(&o, a, b); /* b1 = g, b2 = 0.9 g + g = 1.9 g */
    ck_assert_float_eq_tol(a[0], 1.04f, 1e-6f);
    ck_assert_float_eq_tol(b[0], 1.04f + 0.1f * 1.9f * 0.4f, 1e-6f);
    ck_assert_float_eq_tol(b[1], 0.02f + 0.1f * 1.9f * 0.2f, 1e-6f);
    o = sgd_opts(0.1, 0.9, 0.5, 0, 0);
    two_steps(&o, a, b); /* the first buffer is undamped; b2 = 0.9 g + 0.5 g = 1.4 g */
    ck_assert_float_eq_tol(a[0], 1.04f, 1e-6f);
    ck_assert_float_eq_tol(b[0], 1.04f + 0.1f * 1.4f * 0.4f, 1e-6f);
    o = sgd_opts(0.1, 0.9, 0, 1, 0);
    two_steps(&o, a, b); /* Nesterov: d1 = g + 0.9 g = 1.9 g; d2 = g + 0.9 * 1.9 g = 2.71 g */
    ck_assert_float_eq_tol(a[0], 1.0f + 0.1f * 1.9f * 0.4f, 1e-6f);
    ck_assert_float_eq_tol(b[0], a[0] + 0.1f * 2.71f * 0.4f, 1e-6f);
    o = sgd_opts(0.1, 0, 0, 0, 0.5);
    two_steps(&o, a, b); /* L2: d = g + 0.5 w = [-0.4 + 0.5, -0.2] */
    ck_assert_float_eq_tol(a[0], 1.0f - 0.1f * 0.1f, 1e-6f);
    ck_assert_float_eq_tol(a[1], 0.02f, 1e-6f);
}
END_TEST

START_TEST(adam_steps_match_the_hand_formulas)
{
    float a[2], b[2];
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAM, 0.1, 0, 0);
    two_steps(&o, a, b);
    /* step 1: m_hat = g, v_hat = g^2, so w moves by lr * g / (|g| + eps), i.e. lr against the sign */
    ck_assert_float_eq_tol(a[0], 1.1f, 1e-6f);
    ck_assert_float_eq_tol(a[1], 0.1f, 1e-6f);
    /* step 2 with the same g: m = 0.19 g, v = 0.001999 g^2, and after bias correction
     * m_hat = g, v_hat = g^2 again */
    ck_assert_float_eq_tol(b[0], 1.2f, 1e-6f);
    ck_assert_float_eq_tol(b[1], 0.2f, 1e-6f);
    /* AMSGrad with a constant gradient changes nothing (v only grows) */
    o = adam_opts(ATTN_OPTIM_ADAM, 0.1, 0, 1);
    two_steps(&o, a, b);
    ck_assert_float_eq_tol(b[0], 1.2f, 1e-6f);
}
END_TEST

START_TEST(adam_couples_weight_decay_and_adamw_decouples_it)
{
    /* theta = 4, gradient 0, lr 0.01, weight decay 0.5:
     * AdamW shrinks first, theta (1 - lr wd) = 3.98, and the zero moments add nothing;
     * Adam adds wd theta = 2 to the gradient, and its first step moves lr against the sign: 3.99 */
    attn_ctx *ctx = attn_test_ctx();
    const float w0 = 4.0f;
    for (int kind = ATTN_OPTIM_ADAM; kind <= ATTN_OPTIM_ADAMW; kind++) {
        attn_tensor *w = vec(ctx, 1, &w0), *g = vec(ctx, 1, NULL);
        attn_optim_opts o = adam_opts((attn_optim_kind)kind, 0.01, 0.5, 0);
        attn_optim *opt;
        ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
        ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
        ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
        ck_assert_float_eq_tol(attn_tensor_data_f32(w)[0], kind == ATTN_OPTIM_ADAMW ? 3.98f : 3.99f, 1e-6f);
        attn_optim_destroy(opt);
        attn_tensor_destroy(w);
        attn_tensor_destroy(g);
    }
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(groups_have_their_own_lr_scale_and_weight_decay)
{
    /* AdamW with zero gradients: only the decoupled decay moves a parameter */
    attn_ctx *ctx = attn_test_ctx();
    const float one = 1.0f;
    attn_tensor *w = vec(ctx, 1, &one), *b = vec(ctx, 1, &one), *ln = vec(ctx, 1, &one);
    attn_tensor *gw = vec(ctx, 1, NULL), *gb = vec(ctx, 1, NULL), *gln = vec(ctx, 1, NULL);
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAMW, 0.1, 0.2, 0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    int32_t no_decay = -1, fast = -1;
    ATTN_ASSERT_OK(ctx, attn_optim_add_group(opt, 1.0, 0.0, &no_decay));
    ATTN_ASSERT_OK(ctx, attn_optim_add_group(opt, 2.0, 0.2, &fast));
    ck_assert_int_eq(no_decay, 1);
    ck_assert_int_eq(fast, 2);
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "dense.weight", w, gw));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, no_decay, "dense.bias", b, gb));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, fast, "LayerNorm.weight", ln, gln));
    ck_assert_int_eq(attn_optim_param_count(opt), 3);
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    ck_assert_float_eq_tol(attn_tensor_data_f32(w)[0], 1.0f - 0.1f * 0.2f, 1e-7f);
    ck_assert_float_eq(attn_tensor_data_f32(b)[0], 1.0f);
    ck_assert_float_eq_tol(attn_tensor_data_f32(ln)[0], 1.0f - 0.2f * 0.2f, 1e-7f);
    attn_optim_destroy(opt);
    attn_tensor *all[6] = {w, b, ln, gw, gb, gln};
    for (int i = 0; i < 6; i++) attn_tensor_destroy(all[i]);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(clipping_scales_by_the_global_norm_only_above_max_norm)
{
    attn_ctx *ctx = attn_test_ctx();
    const float a0[2] = {3.0f, 4.0f}, b0 = 12.0f;
    attn_tensor *pa = vec(ctx, 2, NULL), *pb = vec(ctx, 1, NULL), *ga = vec(ctx, 2, a0), *gb = vec(ctx, 1, &b0);
    attn_optim_opts o = sgd_opts(0.1, 0, 0, 0, 0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "a", pa, ga));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "b", pb, gb));
    double norm = 0;
    ATTN_ASSERT_OK(ctx, attn_optim_clip_grad_norm(opt, 20.0, &norm)); /* sqrt(9 + 16 + 144) = 13 < 20 */
    ck_assert_double_eq_tol(norm, 13.0, 1e-12);
    ck_assert_float_eq(attn_tensor_data_f32(ga)[0], 3.0f);
    ATTN_ASSERT_OK(ctx, attn_optim_clip_grad_norm(opt, 6.5, &norm)); /* halves them, up to the 1e-6 guard */
    ck_assert_double_eq_tol(norm, 13.0, 1e-12);
    const double coef = 6.5 / (13.0 + 1e-6);
    ck_assert_float_eq_tol(attn_tensor_data_f32(ga)[0], (float)(3.0 * coef), 1e-6f);
    ck_assert_float_eq_tol(attn_tensor_data_f32(ga)[1], (float)(4.0 * coef), 1e-6f);
    ck_assert_float_eq_tol(attn_tensor_data_f32(gb)[0], (float)(12.0 * coef), 1e-6f);
    ck_assert_float_lt(attn_tensor_data_f32(gb)[0], 6.0f);
    ATTN_ASSERT_OK(ctx, attn_optim_clip_grad_norm(opt, 1.0, NULL)); /* the norm is optional */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_clip_grad_norm(opt, -1.0, &norm));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_clip_grad_norm(opt, NAN, &norm));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_clip_grad_norm(NULL, 1.0, &norm));
    /* zero_grad clears every gradient */
    ATTN_ASSERT_OK(ctx, attn_optim_zero_grad(opt));
    ck_assert_float_eq(attn_tensor_data_f32(ga)[1], 0.0f);
    ck_assert_float_eq(attn_tensor_data_f32(gb)[0], 0.0f);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_zero_grad(NULL));
    attn_optim_destroy(opt);
    attn_tensor_destroy(pa);
    attn_tensor_destroy(pb);
    attn_tensor_destroy(ga);
    attn_tensor_destroy(gb);
    attn_ctx_destroy(ctx);
}
END_TEST

static double sched(attn_lr_schedule_kind kind, int64_t step, int64_t warmup, int64_t total)
{
    double lr = -1;
    ck_assert_int_eq(attn_lr_schedule(kind, 2.0, step, warmup, total, &lr), ATTN_OK);
    return lr;
}

START_TEST(schedules_follow_hugging_face_warmup_linear_and_cosine)
{
    /* base lr 2, warmup 10, total 110 */
    ck_assert_double_eq(sched(ATTN_LR_LINEAR, 0, 10, 110), 0.0);
    ck_assert_double_eq_tol(sched(ATTN_LR_LINEAR, 5, 10, 110), 1.0, 1e-15);
    ck_assert_double_eq_tol(sched(ATTN_LR_LINEAR, 10, 10, 110), 2.0, 1e-15);
    ck_assert_double_eq_tol(sched(ATTN_LR_LINEAR, 60, 10, 110), 1.0, 1e-15);
    ck_assert_double_eq(sched(ATTN_LR_LINEAR, 110, 10, 110), 0.0);
    ck_assert_double_eq(sched(ATTN_LR_LINEAR, 500, 10, 110), 0.0);
    ck_assert_double_eq_tol(sched(ATTN_LR_COSINE, 5, 10, 110), 1.0, 1e-15);
    ck_assert_double_eq_tol(sched(ATTN_LR_COSINE, 10, 10, 110), 2.0, 1e-15);
    ck_assert_double_eq_tol(sched(ATTN_LR_COSINE, 35, 10, 110), 1.0 + cos(M_PI / 4.0), 1e-12);
    ck_assert_double_eq_tol(sched(ATTN_LR_COSINE, 60, 10, 110), 1.0, 1e-12);
    ck_assert_double_eq_tol(sched(ATTN_LR_COSINE, 110, 10, 110), 0.0, 1e-15);
    ck_assert_double_eq_tol(sched(ATTN_LR_CONSTANT, 2, 4, 10), 1.0, 1e-15);
    ck_assert_double_eq(sched(ATTN_LR_CONSTANT, 4, 4, 10), 2.0);
    ck_assert_double_eq(sched(ATTN_LR_CONSTANT, 0, 0, 0), 2.0);
    ck_assert_double_eq(sched(ATTN_LR_CONSTANT, 1000, 4, 10), 2.0);
    /* no warmup: the first step already has the full rate */
    ck_assert_double_eq(sched(ATTN_LR_LINEAR, 0, 0, 4), 2.0);
    ck_assert_double_eq_tol(sched(ATTN_LR_LINEAR, 1, 0, 4), 1.5, 1e-15);
    double lr;
    ck_assert_int_eq(attn_lr_schedule((attn_lr_schedule_kind)7, 1.0, 0, 0, 1, &lr), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, 1.0, -1, 0, 1, &lr), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, 1.0, 0, -2, 1, &lr), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, 1.0, 0, 0, -1, &lr), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, -1.0, 0, 0, 1, &lr), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, NAN, 0, 0, 1, &lr), ATTN_ERR_INVALID_ARG);
    ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, 1.0, 0, 0, 1, NULL), ATTN_ERR_INVALID_ARG);
    /* each refusal has its sentence (issue 13: a negative schedule length
     * once stopped `attn train` with no message at all) */
    ck_assert_ptr_null(attn_lr_schedule_error(ATTN_LR_COSINE, 1.0, 5, 2, 10));
    ck_assert_str_eq(attn_lr_schedule_error((attn_lr_schedule_kind)7, 1.0, 0, 0, 1),
                     "unknown schedule kind (ATTN_LR_CONSTANT, ATTN_LR_LINEAR or ATTN_LR_COSINE)");
    ck_assert_str_eq(attn_lr_schedule_error(ATTN_LR_LINEAR, 1.0, -1, 0, 1), "step is negative");
    ck_assert_str_eq(attn_lr_schedule_error(ATTN_LR_LINEAR, 1.0, 0, -2, 1), "warmup_steps is negative");
    ck_assert_str_eq(attn_lr_schedule_error(ATTN_LR_LINEAR, 1.0, 0, 0, -1), "total_steps is negative");
    ck_assert_str_eq(attn_lr_schedule_error(ATTN_LR_LINEAR, -1.0, 0, 0, 1), "base_lr is negative");
    ck_assert_str_eq(attn_lr_schedule_error(ATTN_LR_LINEAR, NAN, 0, 0, 1), "base_lr is NaN");
    ck_assert_str_eq(attn_lr_schedule_error(ATTN_LR_LINEAR, INFINITY, 0, 0, 1), "base_lr is infinite");
}
END_TEST

START_TEST(set_lr_drives_the_next_step)
{
    attn_ctx *ctx = attn_test_ctx();
    const float one = 1.0f, g0 = 1.0f;
    attn_tensor *w = vec(ctx, 1, &one), *g = vec(ctx, 1, &g0);
    attn_optim_opts o = sgd_opts(0.1, 0, 0, 0, 0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
    double lr = 0;
    ATTN_ASSERT_OK(ctx, attn_optim_get_lr(opt, &lr));
    ck_assert_double_eq(lr, 0.1);
    ATTN_ASSERT_OK(ctx, attn_lr_schedule(ATTN_LR_LINEAR, 0.1, 0, 2, 10, &lr)); /* warmup starts at 0 */
    ATTN_ASSERT_OK(ctx, attn_optim_set_lr(opt, lr));
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    ck_assert_float_eq(attn_tensor_data_f32(w)[0], 1.0f);
    ATTN_ASSERT_OK(ctx, attn_optim_set_lr(opt, 0.25));
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    ck_assert_float_eq(attn_tensor_data_f32(w)[0], 0.75f);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_set_lr(opt, -0.1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_set_lr(opt, INFINITY));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_set_lr(NULL, 0.1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_get_lr(opt, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_get_lr(NULL, &lr));
    ATTN_ASSERT_OK(ctx, attn_optim_get_lr(opt, &lr));
    ck_assert_double_eq(lr, 0.25);
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(state_tensors_have_stable_names)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tensor *w = vec(ctx, 3, NULL), *gw = vec(ctx, 3, NULL), *b = vec(ctx, 2, NULL), *gb = vec(ctx, 2, NULL);
    static const char *const want_adam[] = {"exp_avg.enc.w", "exp_avg_sq.enc.w", "max_exp_avg_sq.enc.w",
                                            "exp_avg.enc.b", "exp_avg_sq.enc.b", "max_exp_avg_sq.enc.b"};
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAMW, 0.1, 0.0, 1);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ck_assert_int_eq(attn_optim_state_count(opt), 0);
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "enc.w", w, gw));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "enc.b", b, gb));
    ck_assert_int_eq(attn_optim_state_count(opt), 6);
    for (int32_t i = 0; i < 6; i++) {
        const char *name = NULL;
        attn_tensor *t = NULL, *found = NULL;
        ATTN_ASSERT_OK(ctx, attn_optim_state(opt, i, &name, &t));
        ck_assert_str_eq(name, want_adam[i]);
        ck_assert_int_eq(attn_tensor_numel(t), i < 3 ? 3 : 2);
        ATTN_ASSERT_OK(ctx, attn_optim_find_state(opt, name, &found));
        ck_assert_ptr_eq(found, t);
    }
    ATTN_ASSERT_OK(ctx, attn_optim_state(opt, 0, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_optim_state(opt, 6, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_optim_state(opt, -1, NULL, NULL));
    attn_tensor *t;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_optim_find_state(opt, "momentum_buffer.enc.w", &t));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "momentum_buffer.enc.w"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_find_state(opt, NULL, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_find_state(NULL, "x", &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_state(NULL, 0, NULL, NULL));
    attn_optim_destroy(opt);

    o = sgd_opts(0.1, 0.9, 0, 0, 0);
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "enc.w", w, gw));
    ck_assert_int_eq(attn_optim_state_count(opt), 1);
    const char *name;
    ATTN_ASSERT_OK(ctx, attn_optim_state(opt, 0, &name, NULL));
    ck_assert_str_eq(name, "momentum_buffer.enc.w");
    attn_optim_destroy(opt);
    o = sgd_opts(0.1, 0, 0, 0, 0); /* plain SGD keeps no state */
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "enc.w", w, gw));
    ck_assert_int_eq(attn_optim_state_count(opt), 0);
    attn_optim_destroy(opt);
    ck_assert_int_eq(attn_optim_state_count(NULL), 0);
    ck_assert_int_eq(attn_optim_param_count(NULL), 0);
    attn_tensor_destroy(w);
    attn_tensor_destroy(gw);
    attn_tensor_destroy(b);
    attn_tensor_destroy(gb);
    attn_ctx_destroy(ctx);
}
END_TEST

/* ---- save / restore ---- */

#define RN 13 /* parameter elements */

static void grad_of_step(float *g, int step)
{
    attn_test_fill_random(g, RN, 500 + (uint64_t)step);
    for (int i = 0; i < RN; i++) g[i] *= 0.2f + 0.3f * (float)(step % 4);
}

typedef struct saved {
    float param[RN];
    float state[3][RN];
    char names[3][64];
    int32_t n_states;
    int64_t step;
} saved;

static attn_optim *build(attn_ctx *ctx, const attn_optim_opts *o, attn_tensor *w, attn_tensor *g)
{
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, o, &opt));
    int32_t grp;
    ATTN_ASSERT_OK(ctx, attn_optim_add_group(opt, 0.5, 0.01, &grp));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, grp, "layer.weight", w, g));
    return opt;
}

static void run_steps(attn_optim *opt, attn_tensor *g, int from, int to)
{
    for (int k = from; k < to; k++) {
        grad_of_step(attn_tensor_data_f32(g), k);
        double lr;
        ck_assert_int_eq(attn_lr_schedule(ATTN_LR_LINEAR, 0.05, k, 2, 10, &lr), ATTN_OK);
        ck_assert_int_eq(attn_optim_set_lr(opt, lr), ATTN_OK);
        ck_assert_int_eq(attn_optim_clip_grad_norm(opt, 1.0, NULL), ATTN_OK);
        ck_assert_int_eq(attn_optim_step(opt), ATTN_OK);
    }
}

static void check_resume(const attn_optim_opts *o)
{
    attn_ctx *ctx = attn_test_ctx();
    float init[RN];
    attn_test_fill_random(init, RN, 77);
    /* uninterrupted: 10 steps */
    attn_tensor *w = vec(ctx, RN, init), *g = vec(ctx, RN, NULL);
    attn_optim *opt = build(ctx, o, w, g);
    run_steps(opt, g, 0, 10);
    float straight[RN];
    memcpy(straight, attn_tensor_data_f32(w), sizeof straight);
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);

    /* 4 steps, save everything a checkpoint writer would, throw it all away */
    saved s;
    memset(&s, 0, sizeof s);
    w = vec(ctx, RN, init);
    g = vec(ctx, RN, NULL);
    opt = build(ctx, o, w, g);
    run_steps(opt, g, 0, 4);
    memcpy(s.param, attn_tensor_data_f32(w), sizeof s.param);
    s.n_states = attn_optim_state_count(opt);
    for (int32_t i = 0; i < s.n_states; i++) {
        const char *name;
        attn_tensor *t;
        ATTN_ASSERT_OK(ctx, attn_optim_state(opt, i, &name, &t));
        strncpy(s.names[i], name, sizeof s.names[i] - 1);
        ATTN_ASSERT_OK(ctx, attn_tensor_read(t, ATTN_F32, s.state[i], sizeof s.state[i]));
    }
    ATTN_ASSERT_OK(ctx, attn_optim_get_step(opt, &s.step));
    ck_assert_int_eq(s.step, 4);
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);

    /* a new process: rebuild, restore by name, continue 6 steps */
    w = vec(ctx, RN, s.param);
    g = vec(ctx, RN, NULL);
    opt = build(ctx, o, w, g);
    ck_assert_int_eq(attn_optim_state_count(opt), s.n_states);
    for (int32_t i = 0; i < s.n_states; i++) {
        attn_tensor *t;
        ATTN_ASSERT_OK(ctx, attn_optim_find_state(opt, s.names[i], &t));
        ATTN_ASSERT_OK(ctx, attn_tensor_write(t, ATTN_F32, s.state[i], sizeof s.state[i]));
    }
    ATTN_ASSERT_OK(ctx, attn_optim_set_step(opt, s.step));
    run_steps(opt, g, 4, 10);
    ck_assert_msg(memcmp(straight, attn_tensor_data_f32(w), sizeof straight) == 0,
                  "kind %d: resumed run differs from the uninterrupted one", o->kind);
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);
    attn_ctx_destroy(ctx);
}

START_TEST(save_restore_continue_equals_uninterrupted_bit_for_bit)
{
    attn_optim_opts o = sgd_opts(0.05, 0.9, 0, 1, 0.01);
    check_resume(&o);
    o = sgd_opts(0.05, 0.9, 0.2, 0, 0);
    check_resume(&o);
    o = adam_opts(ATTN_OPTIM_ADAM, 0.05, 0.1, 1);
    check_resume(&o);
    o = adam_opts(ATTN_OPTIM_ADAMW, 0.05, 0.1, 0);
    check_resume(&o);
}
END_TEST

START_TEST(restoring_without_the_step_count_is_not_the_same_run)
{
    /* guards the test above: the step count matters (bias correction, first momentum step) */
    attn_ctx *ctx = attn_test_ctx();
    const float one = 1.0f, g0 = 0.5f;
    attn_tensor *w1 = vec(ctx, 1, &one), *w2 = vec(ctx, 1, &one), *g = vec(ctx, 1, &g0);
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAM, 0.1, 0, 0);
    attn_optim *a, *b;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &a));
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &b));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(a, 0, "w", w1, g));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(b, 0, "w", w2, g));
    ATTN_ASSERT_OK(ctx, attn_optim_set_step(b, 5));
    ATTN_ASSERT_OK(ctx, attn_optim_step(a));
    ATTN_ASSERT_OK(ctx, attn_optim_step(b));
    ck_assert_float_ne(attn_tensor_data_f32(w1)[0], attn_tensor_data_f32(w2)[0]);
    int64_t step;
    ATTN_ASSERT_OK(ctx, attn_optim_get_step(b, &step));
    ck_assert_int_eq(step, 6);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_set_step(b, -1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_set_step(NULL, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_get_step(b, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_get_step(NULL, &step));
    attn_optim_destroy(a);
    attn_optim_destroy(b);
    attn_tensor_destroy(w1);
    attn_tensor_destroy(w2);
    attn_tensor_destroy(g);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(step_clip_and_zero_grad_do_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tensor *w = vec(ctx, 50, NULL), *g = vec(ctx, 50, NULL);
    attn_test_fill_random(attn_tensor_data_f32(g), 50, 3);
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAMW, 0.01, 0.01, 1);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
    int64_t before, after;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &before));
    for (int i = 0; i < 5; i++) {
        ATTN_ASSERT_OK(ctx, attn_optim_clip_grad_norm(opt, 0.5, NULL));
        ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    }
    ATTN_ASSERT_OK(ctx, attn_optim_zero_grad(opt));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &after));
    ck_assert_int_eq(before, after);
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(non_finite_gradient_names_the_parameter_and_modifies_nothing)
{
    attn_ctx *ctx = attn_test_ctx();
    const float w0[3] = {1, 2, 3}, b0[2] = {4, 5}, gw0[3] = {0.1f, 0.2f, 0.3f}, gb0[2] = {0.5f, NAN};
    attn_tensor *w = vec(ctx, 3, w0), *b = vec(ctx, 2, b0), *gw = vec(ctx, 3, gw0), *gb = vec(ctx, 2, gb0);
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAMW, 0.1, 0.1, 0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "encoder.weight", w, gw));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "encoder.bias", b, gb));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_optim_step(opt));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "'encoder.bias' is NaN at flat index 1"));
    /* the first parameter comes before the bad one and is not touched either */
    ck_assert(memcmp(attn_tensor_data_f32(w), w0, sizeof w0) == 0);
    ck_assert(memcmp(attn_tensor_data_f32(b), b0, sizeof b0) == 0);
    attn_tensor *m;
    ATTN_ASSERT_OK(ctx, attn_optim_find_state(opt, "exp_avg.encoder.weight", &m));
    for (int i = 0; i < 3; i++) ck_assert_float_eq(attn_tensor_data_f32(m)[i], 0.0f);
    int64_t step;
    ATTN_ASSERT_OK(ctx, attn_optim_get_step(opt, &step));
    ck_assert_int_eq(step, 0);
    double norm;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_optim_clip_grad_norm(opt, 1e-3, &norm));
    ck_assert_float_eq(attn_tensor_data_f32(gw)[0], 0.1f);
    attn_tensor_data_f32(gb)[1] = -INFINITY;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_optim_step(opt));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "-Inf"));
    /* with the check off the step goes ahead (and the NaN spreads, as in PyTorch) */
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 0));
    attn_tensor_data_f32(gb)[1] = NAN;
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    ck_assert(isnan(attn_tensor_data_f32(b)[1]));
    ck_assert(!isnan(attn_tensor_data_f32(b)[0]));
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(b);
    attn_tensor_destroy(gw);
    attn_tensor_destroy(gb);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bad_options_are_invalid_arguments)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_optim *opt = (attn_optim *)1;
    attn_optim_opts good = adam_opts(ATTN_OPTIM_ADAM, 1e-3, 0, 0), o;
#define BAD(field, value, text)                                                        \
    do {                                                                                \
        o = good;                                                                       \
        o.field = value;                                                                \
        ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_create(ctx, &o, &opt)); \
        ck_assert_ptr_null(opt);                                                        \
        ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), text));                  \
    } while (0)
    BAD(lr, -1e-3, "lr = -0.001");
    BAD(lr, NAN, "lr");
    BAD(beta1, 1.0, "beta1 = 1");
    BAD(beta1, -0.1, "beta1");
    BAD(beta2, 1.5, "beta2");
    BAD(eps, -1e-8, "eps");
    BAD(weight_decay, -0.01, "weight_decay");
    BAD(amsgrad, 2, "amsgrad");
    BAD(kind, 3, "kind");
    BAD(struct_size, 4, "struct_size");
    good = sgd_opts(0.1, 0.9, 0, 0, 0);
    BAD(momentum, -0.5, "momentum");
    BAD(nesterov, 2, "nesterov");
    BAD(dampening, INFINITY, "dampening");
    o = sgd_opts(0.1, 0, 0, 1, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_create(ctx, &o, &opt));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "Nesterov"));
    o = sgd_opts(0.1, 0.9, 0.1, 1, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_create(ctx, &o, &opt));
#undef BAD
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_create(ctx, NULL, &opt));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_create(ctx, &good, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_create(NULL, &good, &opt));
    /* a newer caller's struct: unknown trailing bytes must be zero */
    struct {
        attn_optim_opts o;
        double future;
    } bigger = {sgd_opts(0.1, 0, 0, 0, 0), 0.0};
    bigger.o.struct_size = sizeof bigger;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &bigger.o, &opt));
    attn_optim_destroy(opt);
    bigger.future = 1.0;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_optim_create(ctx, &bigger.o, &opt));
    attn_optim_destroy(NULL);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_step(NULL));
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bad_groups_and_params_are_rejected)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_optim_opts o = sgd_opts(0.1, 0.9, 0, 0, 0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    int32_t grp;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_group(opt, -1.0, 0.0, &grp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_group(opt, 1.0, -0.1, &grp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_group(opt, NAN, 0.0, &grp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_group(opt, 1.0, 0.0, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_group(NULL, 1.0, 0.0, &grp));
    int64_t s23[2] = {2, 3}, s32[2] = {3, 2};
    attn_tensor *w, *g, *g_bad, *gi, *wt, *w2, *g2;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, s23, &w));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, s23, &g));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, s32, &g_bad));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, s23, &gi));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, s23, &w2));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, s23, &g2));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(g_bad, 0, 1, &wt)); /* [2, 3], not contiguous */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 1, "w", w, g));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "group 1"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, -1, "w", w, g));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_optim_add_param(opt, 0, "w", w, g_bad));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "grad of 'w' is [3, 2], param is [2, 3]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_optim_add_param(opt, 0, "w", w, gi));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, "w", wt, g));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "contiguous"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, "w", w, w));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, "", w, g));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, NULL, w, g));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, "w", NULL, g));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(NULL, 0, "w", w, g));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, "w", w2, g2));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "already added"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_optim_add_param(opt, 0, "w_again", w, g2));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "same memory"));
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_optim_add_param(opt, 0, "w2", w2, g2));
    ck_assert_int_eq(attn_optim_param_count(opt), 1);
    attn_optim_destroy(opt);
    attn_tensor *all[7] = {w, g, g_bad, gi, wt, w2, g2};
    for (int i = 0; i < 7; i++) attn_tensor_destroy(all[i]);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(allocation_failure_in_add_param_leaves_the_optimizer_usable)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t big = 1 << 16;
    attn_tensor *w, *g, *w2, *g2;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, &big, &w));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, &big, &g));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, &big, &w2));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, &big, &g2));
    attn_optim_opts o = adam_opts(ATTN_OPTIM_ADAM, 0.01, 0, 1);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
    int64_t used;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &used));
    /* room for one more state tensor but not three */
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, used + big * 4 + 4096));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOMEM, attn_optim_add_param(opt, 0, "w2", w2, g2));
    ck_assert_int_eq(attn_optim_param_count(opt), 1);
    ck_assert_int_eq(attn_optim_state_count(opt), 3);
    int64_t after;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &after));
    ck_assert_int_le(after, used + 4096); /* the partial state was released */
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);
    attn_tensor_destroy(w2);
    attn_tensor_destroy(g2);
    attn_ctx_destroy(ctx);
}
END_TEST

/* A parameter large enough to be split over the threads: every element
 * must get exactly the scalar formula's float result, on any thread count. */
static void big_adam_run(attn_optim_kind kind, double wd, int32_t amsgrad, int32_t threads, float *out, int64_t n)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, threads));
    attn_tensor *w = vec(ctx, n, NULL), *g = vec(ctx, n, NULL);
    float *pw = attn_tensor_data_f32(w), *pg = attn_tensor_data_f32(g);
    for (int64_t i = 0; i < n; i++) pw[i] = 0.001f * (float)(i % 2001) - 1.0f, pg[i] = 0.0005f * (float)(i % 997) - 0.2f;
    attn_optim_opts o = adam_opts(kind, 0.01, wd, amsgrad);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, 0, "w", w, g));
    for (int step = 0; step < 3; step++) {
        for (int64_t i = 0; i < n; i++) pg[i] = -pg[i] * 0.9f; /* a gradient that changes sign */
        ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    }
    memcpy(out, pw, (size_t)n * sizeof(float));
    attn_optim_destroy(opt);
    attn_tensor_destroy(w);
    attn_tensor_destroy(g);
    attn_ctx_destroy(ctx);
}

START_TEST(large_adam_parameters_give_the_scalar_result_on_any_thread_count)
{
    const int64_t n = 70001; /* above adam.c's PARALLEL_FROM, so it is split */
    float *want = malloc((size_t)n * sizeof(float)), *got = malloc((size_t)n * sizeof(float));
    const struct { attn_optim_kind kind; double wd; int32_t amsgrad; } cases[3] = {
        {ATTN_OPTIM_ADAMW, 0.1, 0}, {ATTN_OPTIM_ADAM, 0.1, 1}, {ATTN_OPTIM_ADAM, 0.0, 0}};
    for (int c = 0; c < 3; c++) {
        /* the torch rule in scalar float, as adam.c's header states it */
        float m_buf = 0, v_buf = 0, vmax = 0;
        for (int64_t i = 0; i < n; i++) {
            float w = 0.001f * (float)(i % 2001) - 1.0f, g = 0.0005f * (float)(i % 997) - 0.2f;
            const double lr = 0.01;
            const float wd = (float)cases[c].wd;
            m_buf = v_buf = vmax = 0.0f;
            for (int t = 1; t <= 3; t++) {
                g = -g * 0.9f;
                float gg = g;
                if (cases[c].kind == ATTN_OPTIM_ADAMW) w = w * (float)(1.0 - 0.01 * cases[c].wd);
                else if (wd != 0.0f) gg = g + wd * w;
                m_buf = m_buf * 0.9f + (float)(1.0 - 0.9) * gg;
                v_buf = v_buf * 0.999f + (float)(1.0 - 0.999) * gg * gg;
                vmax = vmax > v_buf ? vmax : v_buf;
                float second = cases[c].amsgrad ? vmax : v_buf;
                float denom = sqrtf(second) / (float)sqrt(1.0 - pow(0.999, t)) + 1e-8f;
                w = w + (float)-(lr / (1.0 - pow(0.9, t))) * (m_buf / denom);
            }
            want[i] = w;
        }
        for (int32_t threads = 1; threads <= 3; threads += 2) {
            big_adam_run(cases[c].kind, cases[c].wd, cases[c].amsgrad, threads, got, n);
            for (int64_t i = 0; i < n; i++)
                ck_assert_msg(got[i] == want[i], "case %d, %d threads: element %lld is %.9g, want %.9g", c, (int)threads,
                              (long long)i, (double)got[i], (double)want[i]);
        }
    }
    free(want);
    free(got);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("optim");
    tcase_add_test(tc, sgd_steps_match_the_hand_formulas);
    tcase_add_test(tc, adam_steps_match_the_hand_formulas);
    tcase_add_test(tc, adam_couples_weight_decay_and_adamw_decouples_it);
    tcase_add_test(tc, large_adam_parameters_give_the_scalar_result_on_any_thread_count);
    tcase_add_test(tc, groups_have_their_own_lr_scale_and_weight_decay);
    tcase_add_test(tc, clipping_scales_by_the_global_norm_only_above_max_norm);
    tcase_add_test(tc, schedules_follow_hugging_face_warmup_linear_and_cosine);
    tcase_add_test(tc, set_lr_drives_the_next_step);
    tcase_add_test(tc, state_tensors_have_stable_names);
    tcase_add_test(tc, save_restore_continue_equals_uninterrupted_bit_for_bit);
    tcase_add_test(tc, restoring_without_the_step_count_is_not_the_same_run);
    tcase_add_test(tc, step_clip_and_zero_grad_do_not_allocate);
    tcase_add_test(tc, non_finite_gradient_names_the_parameter_and_modifies_nothing);
    tcase_add_test(tc, bad_options_are_invalid_arguments);
    tcase_add_test(tc, bad_groups_and_params_are_rejected);
    tcase_add_test(tc, allocation_failure_in_add_param_leaves_the_optimizer_usable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return attn_test_run(suite()); }
