/* Multi-head self-attention: parity with Hugging Face's BertSelfAttention +
 * output dense written in torch (run live) in padded form (rank-3 x or
 * explicit seq_offsets, with masks and a fully masked sequence) and in
 * packed form (real tokens only); finite differences (with masks, with
 * dropout); masked keys and other sequences having no influence; thread
 * count; bad input; no allocation in steady state. */
#include "layer_testing.h"

static attn_tensor *int_tensor(attn_ctx *ctx, attn_dtype dt, int64_t n, const int64_t *v)
{
    return lt_ints(ctx, dt, n, v);
}

/* Rows of src ([..., H] as rows) where keep[i] != 0, as a new [count, H]. */
static attn_tensor *gather_rows(attn_ctx *ctx, const attn_tensor *src, const int32_t *keep, int64_t n, int64_t h)
{
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) count += keep[i] != 0;
    attn_tensor *out = lt_tensor2(ctx, count, h, 0);
    float *all = lt_floats(src), *po = attn_tensor_data_f32(out);
    for (int64_t i = 0, j = 0; i < n; i++)
        if (keep[i]) memcpy(po + (j++) * h, all + i * h, (size_t)h * sizeof(float));
    free(all);
    return out;
}

static void check_case(attn_ctx *ctx, attn_case *c)
{
    attn_tensor *x = attn_case_need(c, "x"), *mask = attn_case_need(c, "mask");
    int64_t b = attn_tensor_dim(x, 0), t = attn_tensor_dim(x, 1), h = attn_tensor_dim(x, 2), n = b * t;
    int32_t heads = (int32_t)attn_case_scalar(c, "heads");
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, h, heads, 0.1f, &l));
    lt_load_params(ctx, l, c);

    /* padded, [B, T, H]: one sequence per batch entry */
    attn_tensor *y = lt_like(ctx, x), *dx = lt_like(ctx, x);
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, NULL, mask, y));
    LT_EXPECT_CLOSE("y (padded)", y, attn_case_need(c, "y"), 1e-5);
    ATTN_ASSERT_OK(ctx, attn_attention_backward(l, x, attn_case_need(c, "dy"), dx));
    LT_EXPECT_CLOSE("dx (padded)", dx, attn_case_need(c, "dx"), 1e-4);
    lt_expect_param_grads(l, c, "g.", 1e-4);

    /* padded, [B*T, H] with explicit offsets (int64 this time) */
    int64_t s2[2] = {n, h}, offs[64];
    attn_tensor *x2, *y2 = lt_tensor2(ctx, n, h, 0);
    ATTN_ASSERT_OK(ctx, attn_tensor_view_reshape(x, 2, s2, &x2));
    for (int64_t i = 0; i <= b; i++) offs[i] = i * t;
    attn_tensor *off = int_tensor(ctx, ATTN_I64, b + 1, offs);
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x2, off, mask, y2));
    LT_EXPECT_CLOSE("y (offsets)", y2, attn_case_need(c, "y"), 1e-5);

    /* packed: only real tokens, no mask */
    int32_t *m = (int32_t *)attn_tensor_data(mask);
    int64_t poffs[64] = {0};
    for (int64_t i = 0; i < b; i++) {
        poffs[i + 1] = poffs[i];
        for (int64_t j = 0; j < t; j++) poffs[i + 1] += m[i * t + j];
    }
    attn_tensor *xp = gather_rows(ctx, x, m, n, h), *dyp = gather_rows(ctx, attn_case_need(c, "dy"), m, n, h);
    attn_tensor *want_y = gather_rows(ctx, attn_case_need(c, "y"), m, n, h);
    attn_tensor *want_dx = gather_rows(ctx, attn_case_need(c, "dx_real"), m, n, h);
    attn_tensor *poff = int_tensor(ctx, ATTN_I32, b + 1, poffs), *yp = lt_like(ctx, xp), *dxp = lt_like(ctx, xp);
    ATTN_ASSERT_OK(ctx, attn_layer_zero_grad(l));
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, xp, poff, NULL, yp));
    LT_EXPECT_CLOSE("y (packed)", yp, want_y, 1e-5);
    ATTN_ASSERT_OK(ctx, attn_attention_backward(l, xp, dyp, dxp));
    LT_EXPECT_CLOSE("dx (packed)", dxp, want_dx, 1e-4);
    lt_expect_param_grads(l, c, "gr.", 1e-4);

    attn_tensor *ts[] = {y, dx, x2, y2, off, xp, dyp, want_y, want_dx, poff, yp, dxp};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_layer_destroy(l);
}

START_TEST(attention_matches_hugging_face_padded_and_packed)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const char *dir = lt_run_reference("attention", 15);
    int k = 0;
    for (attn_case *c; (c = lt_load_case(ctx, dir, "attention", k)) != NULL; k++) {
        check_case(ctx, c);
        attn_case_free(c);
    }
    ck_assert_int_eq(k, 4);
    attn_ctx_destroy(ctx);
}
END_TEST

typedef struct {
    attn_ctx *ctx;
    attn_layer *l;
    attn_tensor *x, *off, *mask, *y, *r;
} fd_arg;

static double attention_loss(void *p)
{
    fd_arg *a = p;
    ck_assert_int_eq(attn_ctx_set_int(a->ctx, ATTN_OPT_RNG_COUNTER, 1000), ATTN_OK);
    ck_assert_int_eq(attn_attention_forward(a->l, a->x, a->off, a->mask, a->y), ATTN_OK);
    return lt_dot(a->y, a->r);
}

START_TEST(attention_gradients_match_finite_differences)
{
    /* eval, then training with dropout on the probabilities (same counters each time) */
    for (int training = 0; training < 2; training++) {
        attn_ctx *ctx = attn_test_ctx();
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 6, 2, 0.2f, &l));
        ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, training));
        lt_randomize_params(l, 30, 0.7f);
        int64_t offs[3] = {0, 4, 7}, mk[7] = {1, 0, 1, 1, 1, 1, 0};
        fd_arg a = {ctx, l, lt_tensor2(ctx, 7, 6, 31), int_tensor(ctx, ATTN_I32, 3, offs), int_tensor(ctx, ATTN_I32, 7, mk),
                    lt_tensor2(ctx, 7, 6, 0), lt_tensor2(ctx, 7, 6, 32)};
        attn_tensor *dx = lt_tensor2(ctx, 7, 6, 0);
        attention_loss(&a);
        ATTN_ASSERT_OK(ctx, attn_attention_backward(l, a.x, a.r, dx));
        lt_fd_check_params(l, attention_loss, &a, 1e-2f, 5e-3);
        ck_assert_double_le(lt_fd_error(attention_loss, &a, attn_tensor_data_f32(a.x), attn_tensor_data_f32(dx), 42,
                                        1e-2f, 1e-3),
                            5e-3);
        attn_tensor *ts[] = {a.x, a.off, a.mask, a.y, a.r, dx};
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
        attn_layer_destroy(l);
        attn_ctx_destroy(ctx);
    }
}
END_TEST

START_TEST(masked_keys_and_other_sequences_have_no_influence)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 8, 2, 0.0f, &l));
    lt_randomize_params(l, 40, 0.8f);
    /* sequences [0, 5) and [5, 9); key 2 of the first is masked */
    int64_t offs[3] = {0, 5, 9}, mk[9] = {1, 1, 0, 1, 1, 1, 1, 1, 1};
    attn_tensor *x = lt_tensor2(ctx, 9, 8, 41), *off = int_tensor(ctx, ATTN_I32, 3, offs);
    attn_tensor *mask = int_tensor(ctx, ATTN_I64, 9, mk), *y0 = lt_tensor2(ctx, 9, 8, 0), *y1 = lt_tensor2(ctx, 9, 8, 0);
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, off, mask, y0));
    float *px = attn_tensor_data_f32(x);
    for (int c = 0; c < 8; c++) px[2 * 8 + c] += 3.0f;   /* the masked key's row */
    for (int c = 0; c < 8; c++) px[7 * 8 + c] -= 2.0f;   /* a row of the second sequence */
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, off, mask, y1));
    const float *a = attn_tensor_data_f32(y0), *b = attn_tensor_data_f32(y1);
    /* rows 0, 1, 3, 4 see neither change: bit-identical */
    int rows[4] = {0, 1, 3, 4};
    for (int i = 0; i < 4; i++) ck_assert_int_eq(memcmp(a + rows[i] * 8, b + rows[i] * 8, 8 * sizeof(float)), 0);
    /* the changed rows themselves do change */
    ck_assert_int_ne(memcmp(a + 2 * 8, b + 2 * 8, 8 * sizeof(float)), 0);
    ck_assert_int_ne(memcmp(a + 5 * 8, b + 5 * 8, 8 * sizeof(float)), 0);
    attn_tensor *ts[] = {x, off, mask, y0, y1};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_fully_masked_sequence_attends_uniformly_without_nan)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 6, 3, 0.0f, &l));
    lt_randomize_params(l, 50, 1.0f);
    int64_t s3[3] = {2, 4, 6}, mk[8] = {1, 1, 1, 0, 0, 0, 0, 0};
    attn_tensor *x = lt_tensor(ctx, 3, s3, 51), *mask = int_tensor(ctx, ATTN_I32, 8, mk), *y = lt_tensor(ctx, 3, s3, 0);
    attn_tensor *dx = lt_tensor(ctx, 3, s3, 0), *dy = lt_tensor(ctx, 3, s3, 52);
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, NULL, mask, y));
    const float *py = attn_tensor_data_f32(y);
    for (int i = 0; i < 48; i++) ck_assert(isfinite(py[i]));
    /* every query of the masked sequence averages all four value rows */
    for (int r = 5; r < 8; r++) ck_assert_int_eq(memcmp(py + 4 * 6, py + r * 6, 6 * sizeof(float)), 0);
    ATTN_ASSERT_OK(ctx, attn_attention_backward(l, x, dy, dx));
    for (int i = 0; i < 48; i++) ck_assert(isfinite(attn_tensor_data_f32(dx)[i]));
    attn_tensor *ts[] = {x, mask, y, dx, dy};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(attention_parameters_are_live_views_with_hf_names)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 12, 4, 0.0f, &l));
    const char *want[8] = {"self.query.weight", "self.query.bias", "self.key.weight", "self.key.bias",
                           "self.value.weight", "self.value.bias", "output.dense.weight", "output.dense.bias"};
    ck_assert_int_eq(attn_layer_param_count(l), 8);
    for (int32_t i = 0; i < 8; i++) {
        const char *n;
        attn_tensor *v, *g;
        ATTN_ASSERT_OK(ctx, attn_layer_param(l, i, &n, &v, &g));
        ck_assert_str_eq(n, want[i]);
        ck_assert_int_eq(attn_tensor_rank(v), i % 2 ? 1 : 2);
        ck_assert_int_eq(attn_tensor_dim(v, 0), 12);
        ck_assert_int_eq(attn_tensor_numel(g), attn_tensor_numel(v));
        ck_assert(attn_tensor_is_contiguous(v));
    }
    /* a value bias written through its view shows in the output */
    attn_tensor *x = lt_tensor2(ctx, 3, 12, 1), *y = lt_tensor2(ctx, 3, 12, 0), *vb, *wo;
    vb = lt_param(l, "self.value.bias", NULL);
    wo = lt_param(l, "output.dense.weight", NULL);
    for (int i = 0; i < 12; i++) attn_tensor_data_f32(wo)[i * 12 + i] = 1.0f;   /* identity output */
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(vb, 0.25));
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, NULL, NULL, y));
    for (int i = 0; i < 36; i++) ck_assert_float_eq_tol(attn_tensor_data_f32(y)[i], 0.25f, 1e-6f);
    attn_tensor_destroy(x), attn_tensor_destroy(y);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(attention_results_do_not_depend_on_the_thread_count)
{
    float *first[2] = {NULL, NULL};
    for (int32_t t = 1; t <= 2; t++) {
        attn_ctx *ctx = attn_test_ctx();
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, t));
        attn_layer *l;
        ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 64, 4, 0.1f, &l));
        ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
        lt_randomize_params(l, 60, 0.2f);
        int64_t s3[3] = {4, 40, 64};
        attn_tensor *x = lt_tensor(ctx, 3, s3, 61), *y = lt_tensor(ctx, 3, s3, 0), *dy = lt_tensor(ctx, 3, s3, 62);
        attn_tensor *dx = lt_tensor(ctx, 3, s3, 0);
        ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, NULL, NULL, y));
        ATTN_ASSERT_OK(ctx, attn_attention_backward(l, x, dy, dx));
        float *got[2] = {lt_floats(y), lt_floats(dx)};
        for (int i = 0; i < 2; i++) {
            if (t == 1) {
                first[i] = got[i];
            } else {
                double e = attn_test_rel_err(got[i], first[i], 4 * 40 * 64, 1e-3);
                ck_assert_msg(e < 1e-6, "2 threads differ from 1 by %.3g", e);
                free(got[i]);
            }
        }
        attn_tensor_destroy(x), attn_tensor_destroy(y), attn_tensor_destroy(dy), attn_tensor_destroy(dx);
        attn_layer_destroy(l);
        attn_ctx_destroy(ctx);
    }
    free(first[0]), free(first[1]);
}
END_TEST

START_TEST(attention_rejects_bad_input_with_a_message)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_layer *l, *lin, *tmp;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_create(ctx, 10, 3, 0.1f, &tmp));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "multiple of heads"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_create(ctx, 12, 0, 0.1f, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_create(ctx, 12, 3, 1.0f, &tmp));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_create(ctx, 12, 3, 0.1f, NULL));
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 6, 2, 0.0f, &l));
    ATTN_ASSERT_OK(ctx, attn_linear_create(ctx, 6, 6, 1, &lin));
    attn_tensor *x = lt_tensor2(ctx, 5, 6, 1), *y = lt_tensor2(ctx, 5, 6, 0), *dy = lt_tensor2(ctx, 5, 6, 2);
    attn_tensor *dx = lt_tensor2(ctx, 5, 6, 0), *bad = lt_tensor2(ctx, 5, 7, 0), *x4 = lt_tensor2(ctx, 4, 6, 0);
    int64_t ok[3] = {0, 2, 5}, start[3] = {1, 2, 5}, dec[3] = {0, 3, 2}, end[3] = {0, 2, 4}, m2[5] = {1, 1, 2, 1, 1};
    attn_tensor *off = int_tensor(ctx, ATTN_I32, 3, ok), *offs_bad[3] = {int_tensor(ctx, ATTN_I32, 3, start),
                                                                         int_tensor(ctx, ATTN_I32, 3, dec),
                                                                         int_tensor(ctx, ATTN_I32, 3, end)};
    attn_tensor *mask_bad = int_tensor(ctx, ATTN_I32, 5, m2), *mask_short = int_tensor(ctx, ATTN_I32, 4, NULL);
    attn_tensor *foff = lt_tensor2(ctx, 3, 1, 0);
    const char *why[3] = {"seq_offsets[0] is 1", "decrease at position 2", "end at 4 but x has 5 rows"};

    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_attention_backward(l, x, dy, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_attention_forward(l, bad, off, NULL, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[5, 7]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_attention_forward(l, x, off, NULL, x4));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[4, 6]"));
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_attention_forward(l, x, offs_bad[i], NULL, y));
        ck_assert_msg(strstr(attn_ctx_last_error(ctx), why[i]) != NULL, "message: %s", attn_ctx_last_error(ctx));
    }
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_attention_forward(l, x, foff, NULL, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_attention_forward(l, x, off, mask_bad, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "key_mask[2] is 2"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_attention_forward(l, x, off, mask_short, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_attention_forward(l, x, off, dy, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_forward(l, x, off, NULL, x));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_forward(lin, x, off, NULL, y));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not an attention layer"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_forward(NULL, x, off, NULL, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_forward(l, NULL, off, NULL, y));
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, off, NULL, y));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_attention_backward(l, x4, dy, dx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "forward saw 5"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_attention_backward(l, x, bad, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_backward(l, x, dy, dy));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_attention_backward(lin, x, dy, dx));
    attn_tensor *ts[] = {x, y, dy, dx, bad, x4, off, offs_bad[0], offs_bad[1], offs_bad[2], mask_bad, mask_short, foff};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_layer_destroy(l);
    attn_layer_destroy(lin);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(attention_steady_state_does_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_layer *l;
    ATTN_ASSERT_OK(ctx, attn_attention_create(ctx, 32, 4, 0.1f, &l));
    ATTN_ASSERT_OK(ctx, attn_layer_set_training(l, 1));
    lt_randomize_params(l, 70, 0.3f);
    attn_tensor *x = lt_tensor2(ctx, 96, 32, 71), *y = lt_tensor2(ctx, 96, 32, 0), *dy = lt_tensor2(ctx, 96, 32, 72);
    attn_tensor *dx = lt_tensor2(ctx, 96, 32, 0), *xs, *ys, *dys, *dxs;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(x, 0, 0, 50, &xs));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(y, 0, 0, 50, &ys));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(dy, 0, 0, 50, &dys));
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(dx, 0, 0, 50, &dxs));
    int64_t offs_a[4] = {0, 32, 64, 96}, offs_b[5] = {0, 20, 32, 40, 50}, mk[96];
    for (int i = 0; i < 96; i++) mk[i] = i % 7 != 3;
    attn_tensor *oa = int_tensor(ctx, ATTN_I32, 4, offs_a), *ob = int_tensor(ctx, ATTN_I32, 5, offs_b);
    attn_tensor *mask = int_tensor(ctx, ATTN_I32, 96, mk);
    ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, oa, mask, y));
    ATTN_ASSERT_OK(ctx, attn_attention_backward(l, x, dy, dx));
    int64_t before = lt_allocs(ctx);
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_attention_forward(l, x, oa, mask, y));
        ATTN_ASSERT_OK(ctx, attn_attention_backward(l, x, dy, dx));
        /* fewer rows, more and shorter sequences, no mask */
        ATTN_ASSERT_OK(ctx, attn_attention_forward(l, xs, ob, NULL, ys));
        ATTN_ASSERT_OK(ctx, attn_attention_backward(l, xs, dys, dxs));
    }
    ck_assert_int_eq(lt_allocs(ctx), before);
    attn_tensor *ts[] = {xs, ys, dys, dxs, x, y, dy, dx, oa, ob, mask};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_layer_destroy(l);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layers/attention");
    TCase *tc = tcase_create("attention");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, attention_matches_hugging_face_padded_and_packed);
    tcase_add_test(tc, attention_gradients_match_finite_differences);
    tcase_add_test(tc, masked_keys_and_other_sequences_have_no_influence);
    tcase_add_test(tc, a_fully_masked_sequence_attends_uniformly_without_nan);
    tcase_add_test(tc, attention_parameters_are_live_views_with_hf_names);
    tcase_add_test(tc, attention_results_do_not_depend_on_the_thread_count);
    tcase_add_test(tc, attention_rejects_bad_input_with_a_message);
    tcase_add_test(tc, attention_steady_state_does_not_allocate);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
