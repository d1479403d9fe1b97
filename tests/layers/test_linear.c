/* Linear layer: parity with torch.nn.Linear (run live), finite-difference
 * gradients, accumulation, bad input, no allocation in steady state. */
#include "layer_testing.h"

START_TEST(linear_matches_torch_forward_and_backward)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const char *dir = lt_run_reference("linear", 11);
    int k = 0;
    for (attn_case *c; (c = lt_load_case(ctx, dir, "linear", k)) != NULL; k++) {
        attn_tensor *w = attn_case_need(c, "p.weight");
        int32_t bias = attn_case_get(c, "p.bias") != NULL;
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, attn_tensor_dim(w, 1), attn_tensor_dim(w, 0), bias, &l));
        lt_load_params(ctx, l, c);
        lt_expect_row_case(ctx, l, c, attn_linear_forward, attn_linear_backward);
        attn_layer_destroy(l);
        attn_case_free(c);
    }
    ck_assert_int_eq(k, 3);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(linear_gradients_match_finite_differences)
{
    for (int32_t bias = 0; bias < 2; bias++) {
        attn_ctx *ctx = attn_test_ctx();
        const int64_t n = 5, in = 7, out = 3;
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, in, out, bias, &l));
        ck_assert_int_eq(attn_layer_param_count(l), 1 + bias);
        lt_randomize_params(l, 3, 0.8f);
        lt_row_loss_arg a = {l, attn_linear_forward, lt_tensor2(ctx, n, in, 4), lt_tensor2(ctx, n, out, 0), lt_tensor2(ctx, n, out, 5)};
        attn_tensor *dx = lt_tensor2(ctx, n, in, 0);
        ATTN_ASSERT_OK(ctx, attn_linear_forward(l, a.x, a.y));
        ATTN_ASSERT_OK(ctx, attn_linear_backward(l, a.x, a.r, dx));
        lt_fd_check_params(l, lt_row_loss, &a, 1e-2f, 2e-3);
        ck_assert_double_le(lt_fd_error(lt_row_loss, &a, attn_tensor_data_f32(a.x), attn_tensor_data_f32(dx), n * in,
                                        1e-2f, 1e-3),
                            2e-3);
        attn_tensor_destroy(a.x);
        attn_tensor_destroy(a.y);
        attn_tensor_destroy(a.r);
        attn_tensor_destroy(dx);
        attn_layer_destroy(l);
        attn_ctx_destroy(ctx);
    }
}
END_TEST

START_TEST(linear_backward_accumulates_and_zero_grad_resets)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 4, 3, 1, &l));
    lt_randomize_params(l, 7, 1.0f);
    attn_tensor *x = lt_tensor2(ctx, 6, 4, 8), *y = lt_tensor2(ctx, 6, 3, 0), *dy = lt_tensor2(ctx, 6, 3, 9);
    attn_tensor *dx = lt_tensor2(ctx, 6, 4, 10), *dx0 = lt_tensor2(ctx, 6, 4, 10), *gw, *gb;
    lt_param(l, "weight", &gw);
    lt_param(l, "bias", &gb);
    ATTN_ASSERT_OK(ctx, attn_linear_forward(l, x, y));
    ATTN_ASSERT_OK(ctx, attn_linear_backward(l, x, dy, dx));
    float *g1 = lt_floats(gw), *b1 = lt_floats(gb), *d1 = lt_floats(dx), *d0 = lt_floats(dx0);
    ATTN_ASSERT_OK(ctx, attn_linear_backward(l, x, dy, dx));
    float *g2 = lt_floats(gw), *b2 = lt_floats(gb), *d2 = lt_floats(dx);
    for (int i = 0; i < 12; i++) ck_assert_float_eq_tol(g2[i], 2.0f * g1[i], 1e-5f);
    for (int i = 0; i < 3; i++) ck_assert_float_eq_tol(b2[i], 2.0f * b1[i], 1e-5f);
    /* dx started from non-zero values: each backward adds the same amount */
    for (int i = 0; i < 24; i++) ck_assert_float_eq_tol(d2[i] - d1[i], d1[i] - d0[i], 1e-5f);
    ATTN_ASSERT_OK(ctx, attn_layer_zero_grad(l));
    double s;
    ATTN_ASSERT_OK(ctx, attn_norm_l1(gw, &s));
    ck_assert_double_eq(s, 0.0);
    ATTN_ASSERT_OK(ctx, attn_norm_l1(gb, &s));
    ck_assert_double_eq(s, 0.0);
    /* no dx wanted: parameter gradients only */
    ATTN_ASSERT_OK(ctx, attn_linear_backward(l, x, dy, NULL));
    float *g3 = lt_floats(gw);
    for (int i = 0; i < 12; i++) ck_assert_float_eq_tol(g3[i], g1[i], 1e-6f);
    free(g1), free(b1), free(d1), free(d0), free(g2), free(b2), free(d2), free(g3);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
    attn_tensor_destroy(dx0);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(linear_rejects_bad_input_with_a_message)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l, *ln, *tmp = (attn_layer *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_create(ctx, 0, 3, 1, &tmp));
    ck_assert_ptr_null(tmp);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_create(ctx, 3, 3, 2, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_create(ctx, 3, 3, 1, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_create(NULL, 3, 3, 1, &tmp));
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 4, 3, 1, &l));
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, 4, 1e-5f, &ln));
    attn_tensor *x = lt_tensor2(ctx, 5, 4, 1), *y = lt_tensor2(ctx, 5, 3, 0), *dy = lt_tensor2(ctx, 5, 3, 2);
    attn_tensor *xbad = lt_tensor2(ctx, 5, 6, 1), *ybad = lt_tensor2(ctx, 4, 3, 0), *dx = lt_tensor2(ctx, 5, 4, 0);
    attn_tensor *xi;
    int64_t s[2] = {5, 4};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, s, &xi));

    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_linear_backward(l, x, dy, dx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "attn_linear_forward first"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_linear_forward(l, xbad, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 6]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_linear_forward(l, x, ybad));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 4]"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[4, 3]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_linear_forward(l, xi, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_forward(l, NULL, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_forward(NULL, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_forward(ln, x, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not a linear layer"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_backward(ln, x, dy, dx));
    /* an output that overlaps the input it is computed from */
    attn_tensor *big = lt_tensor2(ctx, 5, 7, 3), *xin, *yout;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(big, 1, 0, 4, &xin));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(big, 1, 2, 3, &yout));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_linear_forward(l, xin, yout));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "overlaps"));

    ATTN_ASSERT_OK(ctx, attn_linear_forward(l, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_linear_backward(l, x, ybad, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_linear_backward(l, x, dy, xbad));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_linear_backward(l, x, x, dx));
    /* a failed forward leaves the layer without a forward to go back through */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_linear_forward(l, xbad, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_linear_backward(l, x, dy, dx));

    attn_tensor_destroy(xin), attn_tensor_destroy(yout), attn_tensor_destroy(big);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(xbad);
    attn_tensor_destroy(ybad), attn_tensor_destroy(dx), attn_tensor_destroy(xi);
    attn_layer_destroy(l);
    attn_layer_destroy(ln);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(linear_steady_state_does_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 64, 48, 1, &l));
    attn_tensor *x = lt_tensor2(ctx, 40, 64, 1), *y = lt_tensor2(ctx, 40, 48, 0), *dy = lt_tensor2(ctx, 40, 48, 2);
    attn_tensor *dx = lt_tensor2(ctx, 40, 64, 0), *xs, *ys, *dys, *dxs;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(x, 0, 0, 17, &xs));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(y, 0, 0, 17, &ys));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(dy, 0, 0, 17, &dys));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(dx, 0, 0, 17, &dxs));
    ATTN_ASSERT_OK(ctx, attn_linear_forward(l, x, y));
    ATTN_ASSERT_OK(ctx, attn_linear_backward(l, x, dy, dx));
    int64_t before = lt_allocs(ctx);
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_linear_forward(l, x, y));
        ATTN_ASSERT_OK(ctx, attn_linear_backward(l, x, dy, dx));
        ATTN_ASSERT_OK(ctx, attn_linear_forward(l, xs, ys));
        ATTN_ASSERT_OK(ctx, attn_linear_backward(l, xs, dys, dxs));
        ATTN_ASSERT_OK(ctx, attn_layer_zero_grad(l));
    }
    ck_assert_int_eq(lt_allocs(ctx), before);
    attn_tensor_destroy(xs), attn_tensor_destroy(ys), attn_tensor_destroy(dys), attn_tensor_destroy(dxs);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/linear");
    TCase *tc = tcase_create("linear");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, linear_matches_torch_forward_and_backward);
    tcase_add_test(tc, linear_gradients_match_finite_differences);
    tcase_add_test(tc, linear_backward_accumulates_and_zero_grad_resets);
    tcase_add_test(tc, linear_rejects_bad_input_with_a_message);
    tcase_add_test(tc, linear_steady_state_does_not_allocate);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
