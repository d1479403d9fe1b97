/* Dropout: identity in eval, the mask rate, scaling, reproducibility from
 * the seed, backward reusing the forward's mask, thread-count invariance,
 * finite differences with a fixed mask, bad input, no allocation. */
#include "layer_testing.h"

START_TEST(dropout_is_the_identity_in_eval_mode)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.5f, &l));
    attn_tensor *x = lt_tensor2(ctx, 7, 9, 1), *y = lt_tensor2(ctx, 7, 9, 0), *dx = lt_tensor2(ctx, 7, 9, 2);
    float *dx0 = lt_floats(dx);
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    ck_assert_int_eq(memcmp(attn_tensor_data_f32(x), attn_tensor_data_f32(y), 63 * sizeof(float)), 0);
    ATTN_ASSERT_OK(ctx, attn_dropout_backward(l, x, dx));
    for (int i = 0; i < 63; i++) ck_assert_float_eq(attn_tensor_data_f32(dx)[i], dx0[i] + attn_tensor_data_f32(x)[i]);
    /* training with p = 0 also keeps everything */
    attn_layer *l0;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.0f, &l0));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l0, 1));
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l0, x, y));
    ck_assert_int_eq(memcmp(attn_tensor_data_f32(x), attn_tensor_data_f32(y), 63 * sizeof(float)), 0);
    free(dx0);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_layer_destroy(l0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(dropout_drops_about_p_and_scales_the_rest)
{
    attn_ctx *ctx = attn_test_ctx();
    const float p = 0.3f;
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, p, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    const int64_t rows = 200, cols = 500, n = rows * cols;
    attn_tensor *x = lt_tensor2(ctx, rows, cols, 0), *y = lt_tensor2(ctx, rows, cols, 0);
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(x, 2.0));
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    int64_t zeros = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = attn_tensor_data_f32(y)[i];
        if (v == 0.0f) zeros++;
        else ck_assert_float_eq(v, 2.0f * (1.0f / (1.0f - p)));
    }
    /* binomial: sd = sqrt(n p (1-p)) ~ 145; allow 6 sd */
    ck_assert_int_gt(zeros, (int64_t)(n * p) - 900);
    ck_assert_int_lt(zeros, (int64_t)(n * p) + 900);
    attn_tensor_destroy(x), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

/* Output of one training forward in a fresh context with the given seed and thread count. */
static float *masked_output(int64_t seed, int32_t threads, int forwards)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, seed));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, threads));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.5f, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    attn_tensor *x = lt_tensor2(ctx, 64, 1000, 3), *y = lt_tensor2(ctx, 64, 1000, 0);
    for (int i = 0; i < forwards; i++) ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    float *out = lt_floats(y);
    attn_tensor_destroy(x), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
    return out;
}

START_TEST(dropout_mask_depends_on_seed_and_counter_not_on_threads)
{
    const size_t bytes = 64000 * sizeof(float);
    float *a = masked_output(42, 1, 1), *b = masked_output(42, 2, 1), *c = masked_output(43, 1, 1);
    float *d = masked_output(42, 1, 2);
    ck_assert_int_eq(memcmp(a, b, bytes), 0);
    ck_assert_int_ne(memcmp(a, c, bytes), 0);
    /* the second forward draws fresh counters: a new mask */
    ck_assert_int_ne(memcmp(a, d, bytes), 0);
    free(a), free(b), free(c), free(d);
}
END_TEST

START_TEST(dropout_backward_uses_the_forward_mask)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const float p = 0.4f;
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, p, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    int64_t s3[3] = {4, 50, 301};
    attn_tensor *x = lt_tensor(ctx, 3, s3, 0), *y = lt_tensor(ctx, 3, s3, 0), *dy = lt_tensor(ctx, 3, s3, 5);
    attn_tensor *dx = lt_tensor(ctx, 3, s3, 0);
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(x, 1.0));
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    /* other draws from the context between forward and backward do not matter */
    attn_tensor *noise = lt_tensor2(ctx, 10, 10, 0);
    ATTN_ASSERT_OK(ctx, attn_tensor_init_uniform(noise, 0.0f, 1.0f));
    ATTN_ASSERT_OK(ctx, attn_dropout_backward(l, dy, dx));
    const float *py = attn_tensor_data_f32(y), *pdy = attn_tensor_data_f32(dy), *pdx = attn_tensor_data_f32(dx);
    for (int64_t i = 0; i < 4 * 50 * 301; i++) ck_assert_float_eq(pdx[i], py[i] != 0.0f ? pdy[i] * (1.0f / (1.0f - p)) : 0.0f);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
    attn_tensor_destroy(noise);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(dropout_runs_in_place)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.5f, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    attn_tensor *x = lt_tensor2(ctx, 5, 40, 1), *y = lt_tensor2(ctx, 5, 40, 0);
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_RNG_COUNTER, 100));
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_RNG_COUNTER, 100));
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, x));
    ck_assert_int_eq(memcmp(attn_tensor_data_f32(x), attn_tensor_data_f32(y), 200 * sizeof(float)), 0);
    attn_tensor_destroy(x), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

typedef struct {
    attn_ctx *ctx;
    attn_layer *l;
    attn_tensor *x, *y, *r;
} fd_arg;

static double dropout_loss(void *p)
{
    fd_arg *a = p;
    /* the same counters every time: the same mask */
    ck_assert_int_eq(attn_ctx_set_int(a->ctx, ATTN_OPT_RNG_COUNTER, 7), ATTN_OK);
    ck_assert_int_eq(attn_dropout_forward(a->l, a->x, a->y), ATTN_OK);
    return lt_dot(a->y, a->r);
}

START_TEST(dropout_gradient_matches_finite_differences)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.3f, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    fd_arg a = {ctx, l, lt_tensor2(ctx, 4, 9, 1), lt_tensor2(ctx, 4, 9, 0), lt_tensor2(ctx, 4, 9, 2)};
    attn_tensor *dx = lt_tensor2(ctx, 4, 9, 0);
    dropout_loss(&a);
    ATTN_ASSERT_OK(ctx, attn_dropout_backward(l, a.r, dx));
    ck_assert_double_le(lt_fd_error(dropout_loss, &a, attn_tensor_data_f32(a.x), attn_tensor_data_f32(dx), 36, 1e-2f,
                                    1e-3),
                        1e-4);
    attn_tensor_destroy(a.x), attn_tensor_destroy(a.y), attn_tensor_destroy(a.r), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(dropout_rejects_bad_input_with_a_message)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l, *lin, *tmp;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_create(ctx, 1.0f, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_create(ctx, -0.1f, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_create(ctx, NAN, &tmp));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[0, 1)"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_create(ctx, 0.1f, NULL));
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.1f, &l));
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 3, 3, 0, &lin));
    attn_tensor *x = lt_tensor2(ctx, 4, 3, 1), *y = lt_tensor2(ctx, 4, 3, 0), *bad = lt_tensor2(ctx, 3, 4, 0);
    attn_tensor *small = lt_tensor2(ctx, 2, 3, 0), *dx2 = lt_tensor2(ctx, 2, 3, 0), *xi;
    int64_t s[2] = {4, 3};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I64, 2, s, &xi));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_dropout_backward(l, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_dropout_forward(l, x, bad));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[4, 3]"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[3, 4]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_dropout_forward(l, xi, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_forward(l, NULL, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_forward(NULL, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_forward(lin, x, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not a dropout layer"));
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_dropout_backward(l, small, dx2));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "forward"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_dropout_backward(l, x, small));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_backward(l, x, x));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dropout_backward(lin, x, y));
    ATTN_ASSERT_OK(ctx, attn_dropout_backward(l, x, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layer_set_training(l, 2));
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(bad), attn_tensor_destroy(small);
    attn_tensor_destroy(dx2), attn_tensor_destroy(xi);
    attn_layer_destroy(l);
    attn_layer_destroy(lin);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(dropout_steady_state_does_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.1f, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    attn_tensor *x = lt_tensor2(ctx, 100, 300, 1), *y = lt_tensor2(ctx, 100, 300, 0), *dx = lt_tensor2(ctx, 100, 300, 0);
    ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
    ATTN_ASSERT_OK(ctx, attn_dropout_backward(l, y, dx));
    int64_t before = lt_allocs(ctx);
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_dropout_forward(l, x, y));
        ATTN_ASSERT_OK(ctx, attn_dropout_backward(l, y, dx));
    }
    ck_assert_int_eq(lt_allocs(ctx), before);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/dropout");
    TCase *tc = tcase_create("dropout");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, dropout_is_the_identity_in_eval_mode);
    tcase_add_test(tc, dropout_drops_about_p_and_scales_the_rest);
    tcase_add_test(tc, dropout_mask_depends_on_seed_and_counter_not_on_threads);
    tcase_add_test(tc, dropout_backward_uses_the_forward_mask);
    tcase_add_test(tc, dropout_runs_in_place);
    tcase_add_test(tc, dropout_gradient_matches_finite_differences);
    tcase_add_test(tc, dropout_rejects_bad_input_with_a_message);
    tcase_add_test(tc, dropout_steady_state_does_not_allocate);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
