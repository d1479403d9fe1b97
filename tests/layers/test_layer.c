/* The generic layer calls on every kind: parameter tables with Hugging
 * Face names and shapes, initial values, zero_grad, the training switch,
 * NULL handles, memory returned on destroy, and creation under a memory
 * limit. */
#include "layer_testing.h"

typedef struct {
    const char *name;
    int32_t rank;
    int64_t d0, d1;
} param_spec;

static void expect_params(attn_layer *l, const param_spec *spec, int32_t n)
{
    ck_assert_int_eq(attn_layer_param_count(l), n);
    for (int32_t i = 0; i < n; i++) {
        const char *name;
        attn_tensor *v, *g;
        ck_assert_int_eq(attn_layer_param(l, i, &name, &v, &g), ATTN_OK);
        ck_assert_str_eq(name, spec[i].name);
        ck_assert_int_eq(attn_tensor_rank(v), spec[i].rank);
        ck_assert_int_eq(attn_tensor_dim(v, 0), spec[i].d0);
        if (spec[i].rank == 2) ck_assert_int_eq(attn_tensor_dim(v, 1), spec[i].d1);
        ck_assert_int_eq(attn_tensor_rank(g), spec[i].rank);
        ck_assert_int_eq(attn_tensor_numel(g), attn_tensor_numel(v));
        ck_assert_int_eq(attn_tensor_dtype(v), ATTN_F32);
    }
}

START_TEST(every_layer_lists_its_parameters_with_hf_names)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 5, 3, 1, &l));
    expect_params(l, (param_spec[]){{"weight", 2, 3, 5}, {"bias", 1, 3, 0}}, 2);
    attn_layer_destroy(l);
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, 7, 1e-12f, &l));
    expect_params(l, (param_spec[]){{"weight", 1, 7, 0}, {"bias", 1, 7, 0}}, 2);
    attn_layer_destroy(l);
    ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, 11, 4, &l));
    expect_params(l, (param_spec[]){{"weight", 2, 11, 4}}, 1);
    attn_layer_destroy(l);
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.1f, &l));
    expect_params(l, NULL, 0);
    attn_layer_destroy(l);
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, 4, 9, ATTN_ACT_GELU, &l));
    expect_params(l,
                  (param_spec[]){{"intermediate.dense.weight", 2, 9, 4},
                                 {"intermediate.dense.bias", 1, 9, 0},
                                 {"output.dense.weight", 2, 4, 9},
                                 {"output.dense.bias", 1, 4, 0}},
                  4);
    attn_layer_destroy(l);
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 6, 2, 0.1f, &l));
    expect_params(l,
                  (param_spec[]){{"self.query.weight", 2, 6, 6},
                                 {"self.query.bias", 1, 6, 0},
                                 {"self.key.weight", 2, 6, 6},
                                 {"self.key.bias", 1, 6, 0},
                                 {"self.value.weight", 2, 6, 6},
                                 {"self.value.bias", 1, 6, 0},
                                 {"output.dense.weight", 2, 6, 6},
                                 {"output.dense.bias", 1, 6, 0}},
                  8);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(parameters_start_where_the_header_says)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *lin, *ln;
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 5, 3, 1, &lin));
    ATTN_ASSERT_OK(ctx, attn_layernorm_create(ctx, 7, 1e-12f, &ln));
    double s;
    ATTN_ASSERT_OK(ctx, attn_norm_l1(lt_param(lin, "weight", NULL), &s));
    ck_assert_double_eq(s, 0.0);
    attn_tensor *w = lt_param(ln, "weight", NULL), *b = lt_param(ln, "bias", NULL);
    for (int i = 0; i < 7; i++) ck_assert_float_eq(attn_tensor_data_f32(w)[i], 1.0f);
    ATTN_ASSERT_OK(ctx, attn_norm_l1(b, &s));
    ck_assert_double_eq(s, 0.0);
    attn_layer_destroy(lin);
    attn_layer_destroy(ln);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(zero_grad_clears_every_gradient_including_packed_views)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 6, 2, 0.0f, &l));
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        attn_tensor *g;
        ATTN_ASSERT_OK(ctx, attn_layer_param(l, i, NULL, NULL, &g));
        ATTN_ASSERT_OK(ctx, attn_tensor_fill(g, 3.0));
    }
    ATTN_ASSERT_OK(ctx, attn_layer_zero_grad(l));
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        attn_tensor *g;
        double s;
        ATTN_ASSERT_OK(ctx, attn_layer_param(l, i, NULL, NULL, &g));
        ATTN_ASSERT_OK(ctx, attn_norm_l1(g, &s));
        ck_assert_double_eq(s, 0.0);
    }
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(generic_calls_check_their_arguments)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 2, 2, 1, &l));
    const char *name = NULL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_layer_param(l, 2, &name, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "index 2 outside 0..1"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_layer_param(l, -1, &name, NULL, NULL));
    ATTN_ASSERT_OK(ctx, attn_layer_param(l, 1, &name, NULL, NULL));
    ck_assert_str_eq(name, "bias");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layer_param(NULL, 0, &name, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layer_zero_grad(NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layer_set_training(NULL, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_layer_set_training(l, -1));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "0 or 1"));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 0));
    ck_assert_int_eq(attn_layer_param_count(NULL), 0);
    attn_layer_destroy(NULL);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(destroy_returns_every_byte_after_use)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    int64_t before, after;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &before));
    attn_layer *a, *f;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 16, 2, 0.1f, &a));
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, 16, 32, ATTN_ACT_GELU, &f));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(a, 1));
    attn_tensor *x = lt_tensor2(ctx, 20, 16, 1), *y = lt_tensor2(ctx, 20, 16, 0), *dx = lt_tensor2(ctx, 20, 16, 0);
    ATTN_ASSERT_OK(ctx, attn_attention_forward(a, x, NULL, NULL, y));
    ATTN_ASSERT_OK(ctx, attn_attention_backward(a, x, y, dx));
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(f, x, y));
    ATTN_ASSERT_OK(ctx, attn_ffn_backward(f, x, y, dx));
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dx);
    attn_layer_destroy(a);
    attn_layer_destroy(f);
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &after));
    ck_assert_int_eq(after, before);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(gradients_get_memory_only_when_training_needs_them)
{
    attn_ctx *ctx = attn_test_ctx();
    const int64_t h = 32, inner = 64, n = 5;
    int64_t created, forward_done, zeroed, after_backward;
    attn_layer *f;
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, h, inner, ATTN_ACT_GELU, &f));
    attn_tensor *x = lt_tensor2(ctx, n, h, 1), *y = lt_tensor2(ctx, n, h, 0), *dx = lt_tensor2(ctx, n, h, 0);
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &created));
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(f, x, y));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &forward_done));
    ATTN_ASSERT_OK(ctx, attn_layer_zero_grad(f)); /* gradients without memory are zeros already */
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &zeroed));
    ck_assert_int_eq(zeroed, forward_done);
    ATTN_ASSERT_OK(ctx, attn_ffn_backward(f, x, y, dx));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &after_backward));
    /* the backward added at least the four gradients (weights and biases) */
    int64_t grads = (2 * h * inner + inner + h) * (int64_t)sizeof(float);
    ck_assert_int_ge(after_backward - zeroed, grads);
    /* and they hold the gradient: the bias of the output layer is the column sum of dy */
    attn_tensor *g;
    ATTN_ASSERT_OK(ctx, attn_layer_param(f, 3, NULL, NULL, &g));
    const float *gb = attn_tensor_data_f32(g), *dy = attn_tensor_data_f32(y);
    for (int64_t c = 0; c < h; c++) {
        double sum = 0;
        for (int64_t r = 0; r < n; r++) sum += dy[r * h + c];
        ck_assert_double_eq_tol(gb[c], sum, 1e-4);
    }
    /* a fresh layer's gradient handed out by attn_layer_param is real, zeroed memory */
    attn_layer *lin;
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 3, 2, 1, &lin));
    ATTN_ASSERT_OK(ctx, attn_layer_param(lin, 0, NULL, NULL, &g));
    ck_assert_ptr_nonnull(attn_tensor_data(g));
    double l1;
    ATTN_ASSERT_OK(ctx, attn_norm_l1(g, &l1));
    ck_assert_double_eq(l1, 0.0);
    attn_layer_destroy(lin);
    attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dx);
    attn_layer_destroy(f);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_memory_limit_fails_cleanly_in_create_and_forward)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l = NULL;
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 4096));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOMEM, attn_attention_create(ctx, 64, 4, 0.0f, &l));
    ck_assert_ptr_null(l);
    int64_t used;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &used));
    ck_assert_int_eq(used, 0);
    /* enough for the parameters and the tensors, not for the work buffers */
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 40000));
    ATTN_ASSERT_OK(ctx, attn_ffn_create(ctx, 8, 32, ATTN_ACT_GELU, &l));
    attn_tensor *x = lt_tensor2(ctx, 200, 8, 1), *y = lt_tensor2(ctx, 200, 8, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOMEM, attn_ffn_forward(l, x, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_ffn_backward(l, x, y, NULL));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 0));
    ATTN_ASSERT_OK(ctx, attn_ffn_forward(l, x, y));
    attn_tensor_destroy(x), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/layer");
    TCase *tc = tcase_create("layer");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_layer_lists_its_parameters_with_hf_names);
    tcase_add_test(tc, parameters_start_where_the_header_says);
    tcase_add_test(tc, zero_grad_clears_every_gradient_including_packed_views);
    tcase_add_test(tc, generic_calls_check_their_arguments);
    tcase_add_test(tc, destroy_returns_every_byte_after_use);
    tcase_add_test(tc, gradients_get_memory_only_when_training_needs_them);
    tcase_add_test(tc, a_memory_limit_fails_cleanly_in_create_and_forward);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
