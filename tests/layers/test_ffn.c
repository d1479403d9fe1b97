/* Feed-forward block: parity with torch (Linear, GELU exact/tanh, ReLU,
 * tanh, Linear; run live), finite differences, bad input, no allocation in
 * steady state. */
#include "layer_testing.h"

START_TEST(ffn_matches_torch_for_each_activation)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const char *dir = lt_run_reference("ffn", 14);
    int k = 0;
    for (attn_case *c; (c = lt_load_case(ctx, dir, "ffn", k)) != NULL; k++) {
        attn_tensor *w1 = attn_case_need(c, "p.intermediate.dense.weight");
        attn_layer *l;
        attn_activation act = (attn_activation)attn_case_scalar(c, "act");
        ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, attn_tensor_dim(w1, 1), attn_tensor_dim(w1, 0), act, &l));
        lt_load_params(ctx, l, c);
        lt_expect_row_case(ctx, l, c, attn_ffn_forward, attn_ffn_backward);
        attn_layer_destroy(l);
        attn_case_free(c);
    }
    ck_assert_int_eq(k, 4);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(ffn_gradients_match_finite_differences)
{
    attn_activation acts[3] = {ATTN_ACT_GELU, ATTN_ACT_GELU_TANH, ATTN_ACT_SIGMOID};
    for (int i = 0; i < 3; i++) {
        attn_ctx *ctx = attn_test_ctx();
        const int64_t n = 3, h = 5, in = 7;
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, h, in, acts[i], &l));
        ck_assert_int_eq(attn_layer_param_count(l), 4);
        lt_randomize_params(l, 10 + i, 1.0f);
        lt_row_loss_arg a = {l, attn_ffn_forward, lt_tensor2(ctx, n, h, 20), lt_tensor2(ctx, n, h, 0), lt_tensor2(ctx, n, h, 21)};
        attn_tensor *dx = lt_tensor2(ctx, n, h, 0);
        ATTN_ASSERT_OK(ctx, attn_ffn_forward(l, a.x, a.y));
        ATTN_ASSERT_OK(ctx, attn_ffn_backward(l, a.x, a.r, dx));
        lt_fd_check_params(l, lt_row_loss, &a, 1e-2f, 5e-3);
        ck_assert_double_le(lt_fd_error(lt_row_loss, &a, attn_tensor_data_f32(a.x), attn_tensor_data_f32(dx), n * h, 1e-2f,
                                        1e-3),
                            5e-3);
        attn_tensor_destroy(a.x), attn_tensor_destroy(a.y), attn_tensor_destroy(a.r), attn_tensor_destroy(dx);
        attn_layer_destroy(l);
        attn_ctx_destroy(ctx);
    }
}
END_TEST

static int64_t in_use(attn_ctx *ctx)
{
    int64_t v;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &v));
    return v;
}

/* Backward's [N, inner] gradient lives in the context's shared work area:
 * a second layer's backward allocates nothing, and the area goes with the
 * last layer. */
START_TEST(layers_of_a_context_share_the_backward_work_area)
{
    attn_ctx *ctx = attn_test_ctx();
    const int64_t n = 64, h = 16, inner = 256;
    int64_t base = in_use(ctx);
    attn_layer *a, *b, *att;
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, h, inner, ATTN_ACT_GELU, &a));
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, h, inner, ATTN_ACT_GELU, &b));
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, h, 2, 0.0f, &att));
    attn_tensor *x = lt_tensor2(ctx, n, h, 3), *y = lt_tensor2(ctx, n, h, 0), *dx = lt_tensor2(ctx, n, h, 0);
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(a, x, y));
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(b, x, y));
    ATTN_ASSERT_OK(ctx, attn_attention_forward(att, x, NULL, NULL, y));
    /* gradients get their memory with the first backward: take that out of the count */
    attn_layer *layers[] = {a, b, att};
    for (int i = 0; i < 3; i++) {
        attn_tensor *g;
        ATTN_ASSERT_OK(ctx, attn_layer_param(layers[i], 0, NULL, NULL, &g));
    }
    int64_t before = in_use(ctx);
    ATTN_ASSERT_OK(ctx, attn_ffn_backward(a, x, y, dx));
    int64_t after_first = in_use(ctx);
    ck_assert_int_ge(after_first - before, n * inner * (int64_t)sizeof(float));
    ATTN_ASSERT_OK(ctx, attn_ffn_backward(b, x, y, dx));
    ATTN_ASSERT_OK(ctx, attn_attention_backward(att, x, y, dx)); /* needs 4 n h < n inner floats */
    ck_assert_int_eq(in_use(ctx), after_first);
    attn_layer_destroy(a);
    attn_layer_destroy(att);
    /* b still holds the area: its next backward allocates nothing */
    int64_t held = in_use(ctx);
    ATTN_ASSERT_OK(ctx, attn_ffn_backward(b, x, y, dx));
    ck_assert_int_eq(in_use(ctx), held);
    attn_layer_destroy(b);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dx);
    ck_assert_int_eq(in_use(ctx), base);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(ffn_rejects_bad_input_with_a_message)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l, *lin, *tmp;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_create(ctx, 4, 8, (attn_activation)99, &tmp));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "activation 99"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_create(ctx, 0, 8, ATTN_ACT_GELU, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_create(ctx, 4, 8, ATTN_ACT_GELU, NULL));
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, 4, 8, ATTN_ACT_GELU, &l));
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 4, 4, 1, &lin));
    attn_tensor *x = lt_tensor2(ctx, 5, 4, 1), *y = lt_tensor2(ctx, 5, 4, 0), *dy = lt_tensor2(ctx, 5, 4, 2);
    attn_tensor *x3 = lt_tensor2(ctx, 3, 4, 1), *bad = lt_tensor2(ctx, 5, 8, 0), *dx = lt_tensor2(ctx, 5, 4, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_ffn_backward(l, x, dy, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_ffn_forward(l, bad, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 8]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_ffn_forward(l, x, x3));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[3, 4]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_forward(l, x, x));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_forward(lin, x, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not a feed-forward layer"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_forward(NULL, x, y));
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(l, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_ffn_backward(l, x3, dy, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_ffn_backward(l, x, bad, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_ffn_backward(l, x, dy, x3));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_ffn_backward(lin, x, dy, dx));
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(x3);
    attn_tensor_destroy(bad), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_layer_destroy(lin);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(ffn_steady_state_does_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, 64, 256, ATTN_ACT_GELU, &l));
    lt_randomize_params(l, 1, 0.1f);
    attn_tensor *x = lt_tensor2(ctx, 60, 64, 1), *y = lt_tensor2(ctx, 60, 64, 0), *dy = lt_tensor2(ctx, 60, 64, 2);
    attn_tensor *dx = lt_tensor2(ctx, 60, 64, 0), *xs, *ys, *dys;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(x, 0, 0, 21, &xs));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(y, 0, 0, 21, &ys));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(dy, 0, 0, 21, &dys));
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(l, x, y));
    ATTN_ASSERT_OK(ctx, attn_ffn_backward(l, x, dy, dx));
    int64_t before = lt_allocs(ctx);
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_ffn_forward(l, x, y));
        ATTN_ASSERT_OK(ctx, attn_ffn_backward(l, x, dy, dx));
        ATTN_ASSERT_OK(ctx, attn_ffn_forward(l, xs, ys));
        ATTN_ASSERT_OK(ctx, attn_ffn_backward(l, xs, dys, NULL));
    }
    ck_assert_int_eq(lt_allocs(ctx), before);
    attn_tensor_destroy(xs), attn_tensor_destroy(ys), attn_tensor_destroy(dys);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/ffn");
    TCase *tc = tcase_create("ffn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ffn_matches_torch_for_each_activation);
    tcase_add_test(tc, ffn_gradients_match_finite_differences);
    tcase_add_test(tc, layers_of_a_context_share_the_backward_work_area);
    tcase_add_test(tc, ffn_rejects_bad_input_with_a_message);
    tcase_add_test(tc, ffn_steady_state_does_not_allocate);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
