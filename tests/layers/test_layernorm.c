/* LayerNorm: parity with torch.nn.LayerNorm (run live), finite-difference
 * gradients, in-place forward, constant rows, thread-count invariance, bad
 * input, no allocation in steady state. */
#include "layer_testing.h"
#include "layers/fused.h"

START_TEST(layernorm_matches_torch_forward_and_backward)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const char *dir = lt_run_reference("layernorm", 12);
    int k = 0;
    for (attn_case *c; (c = lt_load_case(ctx, dir, "layernorm", k)) != NULL; k++) {
        attn_tensor *w = attn_case_need(c, "p.weight");
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, attn_tensor_dim(w, 0), (float)attn_case_scalar(c, "eps"), &l));
        lt_load_params(ctx, l, c);
        lt_expect_row_case(ctx, l, c, attn_layernorm_forward, attn_layernorm_backward);
        attn_layer_destroy(l);
        attn_case_free(c);
    }
    ck_assert_int_eq(k, 3);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(layernorm_gradients_match_finite_differences)
{
    attn_ctx *ctx = attn_test_ctx();
    const int64_t n = 4, h = 9;
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, h, 1e-5f, &l));
    lt_randomize_params(l, 5, 1.0f);
    lt_row_loss_arg a = {l, attn_layernorm_forward, lt_tensor2(ctx, n, h, 6), lt_tensor2(ctx, n, h, 0), lt_tensor2(ctx, n, h, 7)};
    attn_tensor *dx = lt_tensor2(ctx, n, h, 0);
    ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, a.x, a.y));
    ATTN_ASSERT_OK(ctx, attn_layernorm_backward(l, a.x, a.r, dx));
    lt_fd_check_params(l, lt_row_loss, &a, 1e-2f, 5e-3);
    ck_assert_double_le(lt_fd_error(lt_row_loss, &a, attn_tensor_data_f32(a.x), attn_tensor_data_f32(dx), n * h,
                                    1e-2f, 1e-3),
                        5e-3);
    attn_tensor_destroy(a.x), attn_tensor_destroy(a.y), attn_tensor_destroy(a.r), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(layernorm_starts_as_identity_normalisation_and_may_run_in_place)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, 6, 1e-12f, &l));
    attn_tensor *x = lt_tensor2(ctx, 3, 6, 2), *y = lt_tensor2(ctx, 3, 6, 0);
    ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, y));
    const float *py = attn_tensor_data_f32(y);
    for (int r = 0; r < 3; r++) {
        double m = 0, v = 0;
        for (int c = 0; c < 6; c++) m += py[r * 6 + c];
        for (int c = 0; c < 6; c++) v += (py[r * 6 + c] - m / 6) * (py[r * 6 + c] - m / 6);
        ck_assert_double_eq_tol(m / 6, 0.0, 1e-6);
        ck_assert_double_eq_tol(v / 6, 1.0, 1e-5);
    }
    /* y = x in place gives the same values */
    ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, x));
    ck_assert_double_eq(attn_test_rel_err(attn_tensor_data_f32(x), py, 18, 1e-6), 0.0);
    /* a constant row normalises to the bias (0), not NaN, even with eps = 1e-12 */
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(x, 3.5));
    ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, y));
    for (int i = 0; i < 18; i++) ck_assert_float_eq(py[i], 0.0f);
    attn_tensor_destroy(x), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(layernorm_gives_the_same_bits_on_any_thread_count)
{
    const int64_t n = 256, h = 300;
    float *first[3] = {NULL, NULL, NULL};
    for (int32_t t = 1; t <= 2; t++) {
        attn_ctx *ctx = attn_test_ctx();
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, t));
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, h, 1e-12f, &l));
        lt_randomize_params(l, 3, 1.0f);
        attn_tensor *x = lt_tensor2(ctx, n, h, 4), *y = lt_tensor2(ctx, n, h, 0), *dy = lt_tensor2(ctx, n, h, 5);
        attn_tensor *dx = lt_tensor2(ctx, n, h, 0), *gw;
        lt_param(l, "weight", &gw);
        ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, y));
        ATTN_ASSERT_OK(ctx, attn_layernorm_backward(l, x, dy, dx));
        float *got[3] = {lt_floats(y), lt_floats(dx), lt_floats(gw)};
        int64_t sizes[3] = {n * h, n * h, h};
        for (int i = 0; i < 3; i++) {
            if (t == 1) {
                first[i] = got[i];
            } else {
                ck_assert_int_eq(memcmp(first[i], got[i], (size_t)sizes[i] * sizeof(float)), 0);
                free(got[i]);
            }
        }
        attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
        attn_layer_destroy(l);
        attn_ctx_destroy(ctx);
    }
    for (int i = 0; i < 3; i++) free(first[i]);
}
END_TEST

/* The model's fused residual pass: the same bits as adding the bias to r,
 * adding r to x and normalising, in place or not, and backward from it. */
START_TEST(residual_layernorm_equals_add_then_layernorm_bit_for_bit)
{
    const int64_t n = 37, h = 70;
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, h, 1e-12f, &l));
    lt_randomize_params(l, 7, 1.0f);
    attn_tensor *x = lt_tensor2(ctx, n, h, 8), *r = lt_tensor2(ctx, n, h, 9), *bias = lt_tensor2(ctx, 1, h, 10);
    attn_tensor *s = lt_tensor2(ctx, n, h, 0), *y = lt_tensor2(ctx, n, h, 0), *want_y = lt_tensor2(ctx, n, h, 0);
    attn_tensor *rb = lt_tensor2(ctx, n, h, 0), *want_s = lt_tensor2(ctx, n, h, 0);
    const float *pb = attn_tensor_data_f32(bias);
    for (int with_bias = 0; with_bias < 2; with_bias++) {
        /* unfused: rb = r (+ bias), want_s = x + rb, want_y = LN(want_s) */
        for (int64_t i = 0; i < n * h; i++)
            attn_tensor_data_f32(rb)[i] = attn_tensor_data_f32(r)[i] + (with_bias ? pb[i % h] : 0.0f);
        ATTN_ASSERT_OK(ctx, attn_add(want_s, x, rb));
        ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, want_s, want_y));
        ATTN_ASSERT_OK(ctx, attn__layernorm_forward_residual(l, x, r, with_bias ? pb : NULL, s, y));
        ck_assert_int_eq(memcmp(attn_tensor_data_f32(s), attn_tensor_data_f32(want_s), n * h * sizeof(float)), 0);
        ck_assert_int_eq(memcmp(attn_tensor_data_f32(y), attn_tensor_data_f32(want_y), n * h * sizeof(float)), 0);
        /* in place: s is x and y is s */
        attn_tensor *x2 = lt_tensor2(ctx, n, h, 8);
        ATTN_ASSERT_OK(ctx, attn__layernorm_forward_residual(l, x2, r, with_bias ? pb : NULL, x2, x2));
        ck_assert_int_eq(memcmp(attn_tensor_data_f32(x2), attn_tensor_data_f32(want_y), n * h * sizeof(float)), 0);
        attn_tensor_destroy(x2);
    }
    /* backward after the fused forward takes the sum as its input */
    attn_tensor *dy = lt_tensor2(ctx, n, h, 11), *dx = lt_tensor2(ctx, n, h, 0);
    ATTN_ASSERT_OK(ctx, attn_layernorm_backward(l, s, dy, dx));
    /* r may not overlap the outputs */
    ck_assert_int_eq(attn__layernorm_forward_residual(l, x, r, NULL, r, y), ATTN_ERR_INVALID_ARG);
    attn_tensor *ts[] = {x, r, bias, s, y, want_y, rb, want_s, dy, dx};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(layernorm_rejects_bad_input_with_a_message)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l, *lin, *tmp;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_create(ctx, 0, 1e-5f, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_create(ctx, 4, -1.0f, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_create(ctx, 4, NAN, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_create(ctx, 4, 1e-5f, NULL));
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, 4, 1e-5f, &l));
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 4, 4, 1, &lin));
    attn_tensor *x = lt_tensor2(ctx, 5, 4, 1), *y = lt_tensor2(ctx, 5, 4, 0), *dy = lt_tensor2(ctx, 5, 4, 2);
    attn_tensor *x3 = lt_tensor2(ctx, 3, 4, 1), *bad = lt_tensor2(ctx, 5, 3, 0), *dx = lt_tensor2(ctx, 5, 4, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_layernorm_backward(l, x, dy, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_layernorm_forward(l, bad, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 3]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_layernorm_forward(l, x, x3));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[3, 4]"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 4]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_forward(lin, x, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not a layernorm layer"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_forward(NULL, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_forward(l, x, NULL));
    ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, y));
    /* backward needs the rows the forward saw */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_layernorm_backward(l, x3, dy, dx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "forward saw 5"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_layernorm_backward(l, x, bad, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_backward(l, x, dy, x));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layernorm_backward(lin, x, dy, dx));
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(x3);
    attn_tensor_destroy(bad), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_layer_destroy(lin);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(layernorm_steady_state_does_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, 128, 1e-12f, &l));
    attn_tensor *x = lt_tensor2(ctx, 300, 128, 1), *y = lt_tensor2(ctx, 300, 128, 0), *dy = lt_tensor2(ctx, 300, 128, 2);
    attn_tensor *dx = lt_tensor2(ctx, 300, 128, 0), *xs, *dys;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(x, 0, 0, 100, &xs));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(dy, 0, 0, 100, &dys));
    ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, y));
    ATTN_ASSERT_OK(ctx, attn_layernorm_backward(l, x, dy, dx));
    int64_t before = lt_allocs(ctx);
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, x, y));
        ATTN_ASSERT_OK(ctx, attn_layernorm_backward(l, x, dy, dx));
        ATTN_ASSERT_OK(ctx, attn_layernorm_forward(l, xs, xs));
        ATTN_ASSERT_OK(ctx, attn_layernorm_backward(l, xs, dys, NULL));
    }
    ck_assert_int_eq(lt_allocs(ctx), before);
    attn_tensor_destroy(xs), attn_tensor_destroy(dys);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/layernorm");
    TCase *tc = tcase_create("layernorm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, layernorm_matches_torch_forward_and_backward);
    tcase_add_test(tc, layernorm_gradients_match_finite_differences);
    tcase_add_test(tc, layernorm_starts_as_identity_normalisation_and_may_run_in_place);
    tcase_add_test(tc, layernorm_gives_the_same_bits_on_any_thread_count);
    tcase_add_test(tc, residual_layernorm_equals_add_then_layernorm_bit_for_bit);
    tcase_add_test(tc, layernorm_rejects_bad_input_with_a_message);
    tcase_add_test(tc, layernorm_steady_state_does_not_allocate);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
