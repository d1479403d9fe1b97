/* Embedding: parity with torch.nn.Embedding (run live), finite
 * differences, backward touching only the rows used, id range checks, bad
 * input, no allocation in steady state. */
#include "layer_testing.h"

START_TEST(embedding_matches_torch_forward_and_backward)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const char *dir = lt_run_reference("embedding", 13);
    int k = 0;
    for (attn_case *c; (c = lt_load_case(ctx, dir, "embedding", k)) != NULL; k++) {
        attn_tensor *w = attn_case_need(c, "p.weight"), *ids = attn_case_need(c, "ids"), *want = attn_case_need(c, "y");
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, attn_tensor_dim(w, 0), attn_tensor_dim(w, 1), &l));
        lt_load_params(ctx, l, c);
        attn_tensor *y = lt_like(ctx, want);
        ATTN_ASSERT_OK(ctx, attn_embedding_forward(l, ids, y));
        LT_EXPECT_CLOSE("y", y, want, 0.0);
        ATTN_ASSERT_OK(ctx, attn_embedding_backward(l, ids, attn_case_need(c, "dy")));
        lt_expect_param_grads(l, c, "g.", 1e-6);
        attn_tensor_destroy(y);
        attn_layer_destroy(l);
        attn_case_free(c);
    }
    ck_assert_int_eq(k, 2);
    attn_ctx_destroy(ctx);
}
END_TEST

typedef struct {
    attn_layer *l;
    attn_tensor *ids, *y, *r;
} fd_arg;

static double embedding_loss(void *p)
{
    fd_arg *a = p;
    ck_assert_int_eq(attn_embedding_forward(a->l, a->ids, a->y), ATTN_OK);
    return lt_dot(a->y, a->r);
}

START_TEST(embedding_gradient_matches_finite_differences)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, 7, 5, &l));
    lt_randomize_params(l, 2, 1.0f);
    int64_t idv[6] = {3, 0, 3, 6, 1, 3};
    fd_arg a = {l, lt_ints(ctx, ATTN_I64, 6, idv), lt_tensor2(ctx, 6, 5, 0), lt_tensor2(ctx, 6, 5, 3)};
    ATTN_ASSERT_OK(ctx, attn_embedding_forward(l, a.ids, a.y));
    ATTN_ASSERT_OK(ctx, attn_embedding_backward(l, a.ids, a.r));
    lt_fd_check_params(l, embedding_loss, &a, 1e-2f, 1e-4);
    attn_tensor_destroy(a.ids), attn_tensor_destroy(a.y), attn_tensor_destroy(a.r);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(embedding_backward_touches_only_the_rows_of_its_ids)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const int64_t num = 50, dim = 700;
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, num, dim, &l));
    attn_tensor *g;
    lt_param(l, "weight", &g);
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(g, 7.0));
    int64_t idv[5] = {9, 2, 9, 49, 9};
    attn_tensor *ids = lt_ints(ctx, ATTN_I32, 5, idv), *y = lt_tensor2(ctx, 5, dim, 0), *dy = lt_tensor2(ctx, 5, dim, 4);
    ATTN_ASSERT_OK(ctx, attn_embedding_forward(l, ids, y));
    ATTN_ASSERT_OK(ctx, attn_embedding_backward(l, ids, dy));
    const float *pg = attn_tensor_data_f32(g), *pd = attn_tensor_data_f32(dy);
    for (int64_t r = 0; r < num; r++)
        for (int64_t c = 0; c < dim; c++) {
            float want = 7.0f;
            /* in id order, as the layer sums */
            for (int i = 0; i < 5; i++)
                if (idv[i] == r) want += pd[i * dim + c];
            ck_assert_float_eq(pg[r * dim + c], want);
        }
    attn_tensor_destroy(ids), attn_tensor_destroy(y), attn_tensor_destroy(dy);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(embedding_rejects_out_of_range_ids_before_writing)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, 10, 3, &l));
    attn_tensor *y = lt_tensor2(ctx, 4, 3, 0);
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(y, -5.0));
    int64_t high[4] = {0, 1, 10, 2}, neg[4] = {0, -1, 3, 2};
    attn_tensor *ih = lt_ints(ctx, ATTN_I64, 4, high), *in = lt_ints(ctx, ATTN_I32, 4, neg);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_embedding_forward(l, ih, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "id 10 at position 2"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_embedding_forward(l, in, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "id -1 at position 1"));
    for (int i = 0; i < 12; i++) ck_assert_float_eq(attn_tensor_data_f32(y)[i], -5.0f);
    attn_tensor_destroy(ih), attn_tensor_destroy(in), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(embedding_rejects_bad_input_with_a_message)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l, *d, *tmp;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_create(ctx, 0, 3, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_create(ctx, 3, -1, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_create(ctx, 3, 3, NULL));
    ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, 10, 3, &l));
    ATTN_ASSERT_OK(ctx, attn_dropout_create(ctx, 0.1f, &d));
    int64_t idv[4] = {1, 2, 3, 4};
    attn_tensor *ids = lt_ints(ctx, ATTN_I64, 4, idv), *y = lt_tensor2(ctx, 4, 3, 0), *ybad = lt_tensor2(ctx, 5, 3, 0);
    attn_tensor *ywide = lt_tensor2(ctx, 4, 4, 0), *fids = lt_tensor2(ctx, 4, 1, 1), *idt;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_embedding_backward(l, ids, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_embedding_forward(l, fids, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_embedding_forward(l, ids, ybad));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[4]"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 3]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_embedding_forward(l, ids, ywide));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_forward(l, NULL, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_forward(NULL, ids, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_forward(d, ids, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not an embedding layer (this is a dropout layer)"));
    /* ids must be contiguous */
    int64_t s2[2] = {4, 2};
    attn_tensor *ids2;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, s2, &ids2));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(ids2, 1, 0, 1, &idt));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_embedding_forward(l, idt, y));
    ATTN_ASSERT_OK(ctx, attn_embedding_forward(l, ids, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_embedding_backward(l, ids, ybad));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_embedding_backward(d, ids, y));
    attn_tensor_destroy(ids), attn_tensor_destroy(y), attn_tensor_destroy(ybad), attn_tensor_destroy(ywide);
    attn_tensor_destroy(fids), attn_tensor_destroy(idt), attn_tensor_destroy(ids2);
    attn_layer_destroy(l);
    attn_layer_destroy(d);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(embedding_steady_state_does_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_embedding_create(ctx, 1000, 256, &l));
    int64_t idv[200];
    for (int i = 0; i < 200; i++) idv[i] = (i * 37) % 1000;
    attn_tensor *ids = lt_ints(ctx, ATTN_I64, 200, idv), *y = lt_tensor2(ctx, 200, 256, 0);
    attn_tensor *dy = lt_tensor2(ctx, 200, 256, 1);
    ATTN_ASSERT_OK(ctx, attn_embedding_forward(l, ids, y));
    ATTN_ASSERT_OK(ctx, attn_embedding_backward(l, ids, dy));
    int64_t before = lt_allocs(ctx);
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_embedding_forward(l, ids, y));
        ATTN_ASSERT_OK(ctx, attn_embedding_backward(l, ids, dy));
    }
    ck_assert_int_eq(lt_allocs(ctx), before);
    attn_tensor_destroy(ids), attn_tensor_destroy(y), attn_tensor_destroy(dy);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/embedding");
    TCase *tc = tcase_create("embedding");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, embedding_matches_torch_forward_and_backward);
    tcase_add_test(tc, embedding_gradient_matches_finite_differences);
    tcase_add_test(tc, embedding_backward_touches_only_the_rows_of_its_ids);
    tcase_add_test(tc, embedding_rejects_out_of_range_ids_before_writing);
    tcase_add_test(tc, embedding_rejects_bad_input_with_a_message);
    tcase_add_test(tc, embedding_steady_state_does_not_allocate);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
