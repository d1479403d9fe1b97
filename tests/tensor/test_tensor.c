/* Tensor handles: create/wrap/views/copy/fill/init/read/write and bad input. */
#include <math.h>
#include <string.h>

#include "test_common.h"

static attn_tensor *make(attn_ctx *ctx, int32_t rank, const int64_t *shape)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    return t;
}

START_TEST(create_gives_zeroed_contiguous_tensor)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t shape[3] = {2, 3, 4};
    attn_tensor *t = make(ctx, 3, shape);
    ck_assert_int_eq(attn_tensor_rank(t), 3);
    ck_assert_int_eq(attn_tensor_dim(t, 0), 2);
    ck_assert_int_eq(attn_tensor_dim(t, -1), 4);
    ck_assert_int_eq(attn_tensor_dim(t, 3), -1);
    ck_assert_int_eq(attn_tensor_stride(t, 0), 12);
    ck_assert_int_eq(attn_tensor_stride(t, 7), 0);
    ck_assert_int_eq(attn_tensor_numel(t), 24);
    ck_assert_int_eq(attn_tensor_is_contiguous(t), 1);
    ck_assert_int_eq(attn_tensor_dtype(t), ATTN_F32);
    ck_assert_ptr_eq(attn_tensor_ctx(t), ctx);
    float *p = attn_tensor_data_f32(t);
    for (int i = 0; i < 24; i++) ck_assert_float_eq(p[i], 0.0f);
    attn_tensor_destroy(t);
    attn_tensor_destroy(NULL);
    ck_assert_int_eq(attn_tensor_rank(NULL), 0);
    ck_assert_int_eq(attn_tensor_dim(NULL, 0), -1);
    ck_assert_int_eq(attn_tensor_numel(NULL), 0);
    ck_assert_ptr_null(attn_tensor_data(NULL));
    ck_assert_ptr_null(attn_tensor_ctx(NULL));
    ck_assert_int_eq(attn_tensor_is_contiguous(NULL), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bad_shapes_and_dtypes_are_rejected)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tensor *t = (attn_tensor *)0x1;
    int64_t neg[2] = {2, -1}, huge[4] = {INT64_MAX / 2, 4, 4, 4}, ok[1] = {3}, five[5] = {1, 1, 1, 1, 1};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_create(ctx, ATTN_F32, 2, neg, &t));
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "negative"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_OVERFLOW, attn_tensor_create(ctx, ATTN_F32, 4, huge, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_create(ctx, ATTN_F32, 5, five, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_create(ctx, ATTN_F32, 0, ok, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_tensor_create(ctx, (attn_dtype)9, 1, ok, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_create(ctx, ATTN_F32, 1, NULL, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_create(ctx, ATTN_F32, 1, ok, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_create(NULL, ATTN_F32, 1, ok, &t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_wrap(ctx, ATTN_F32, 1, ok, NULL, &t));
    ck_assert_uint_eq(attn_dtype_size((attn_dtype)9), 0);
    ck_assert_uint_eq(attn_dtype_size(ATTN_I64), 8);
    attn_ctx_destroy(ctx);
}
END_TEST

/* issue 13: [0, 2^40, 2^40] has no elements, but its first stride would be
 * 2^80 (UBSan: signed overflow in the stride computation) */
START_TEST(a_zero_dim_does_not_hide_an_overflowing_stride)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tensor *t = (attn_tensor *)0x1, *v = (attn_tensor *)0x1;
    int64_t hidden[3] = {0, (int64_t)1 << 40, (int64_t)1 << 40}, last[3] = {(int64_t)1 << 40, (int64_t)1 << 40, 0};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_OVERFLOW, attn_tensor_create(ctx, ATTN_F32, 3, hidden, &t));
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "stride overflows at dim 2"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_OVERFLOW, attn_tensor_create(ctx, ATTN_F32, 3, last, &t));
    /* empty shapes whose strides fit stay legal */
    int64_t fits[3] = {0, (int64_t)1 << 30, (int64_t)1 << 30};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 3, fits, &t));
    ck_assert_int_eq(attn_tensor_numel(t), 0);
    /* a reshape of an empty tensor meets the same rule */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_OVERFLOW, attn_tensor_view_reshape(t, 3, hidden, &v));
    ck_assert_ptr_null(v);
    int64_t other[2] = {(int64_t)1 << 30, 0};
    ATTN_ASSERT_OK(ctx, attn_tensor_view_reshape(t, 2, other, &v));
    attn_tensor_destroy(v);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(wrap_borrows_caller_memory)
{
    attn_ctx *ctx = attn_test_ctx();
    int32_t ids[6] = {1, 2, 3, 4, 5, 6};
    int64_t shape[2] = {2, 3};
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_tensor_wrap(ctx, ATTN_I32, 2, shape, ids, &t));
    ck_assert_ptr_eq(attn_tensor_data(t), ids);
    ck_assert_ptr_null(attn_tensor_data_f32(t));
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(t, 9));
    ck_assert_int_eq(ids[5], 9);
    attn_tensor_destroy(t);
    ck_assert_int_eq(ids[0], 9); /* still ours */
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(views_share_storage_and_outlive_base)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t shape[2] = {3, 4};
    attn_tensor *t = make(ctx, 2, shape), *s, *tr, *r;
    float *p = attn_tensor_data_f32(t);
    for (int i = 0; i < 12; i++) p[i] = (float)i;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_slice(t, 1, 1, 2, &s));
    ck_assert_int_eq(attn_tensor_dim(s, 1), 2);
    ck_assert_int_eq(attn_tensor_is_contiguous(s), 0);
    float out[6];
    ATTN_ASSERT_OK(ctx, attn_tensor_read(s, ATTN_F32, out, sizeof out));
    float want[6] = {1, 2, 5, 6, 9, 10};
    for (int i = 0; i < 6; i++) ck_assert_float_eq(out[i], want[i]);
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(t, 0, 1, &tr));
    ck_assert_int_eq(attn_tensor_dim(tr, 0), 4);
    float tv[12];
    ATTN_ASSERT_OK(ctx, attn_tensor_read(tr, ATTN_F32, tv, sizeof tv));
    ck_assert_float_eq(tv[1], 4.0f); /* tr[0][1] = t[1][0] */
    int64_t flat[2] = {-1, 6};
    ATTN_ASSERT_OK(ctx, attn_tensor_view_reshape(t, 2, flat, &r));
    ck_assert_int_eq(attn_tensor_dim(r, 0), 2);
    attn_tensor_destroy(t); /* views keep the storage alive */
    ck_assert_float_eq(attn_tensor_data_f32(r)[11], 11.0f);
    attn_tensor *bad = NULL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_tensor_view_slice(r, 1, 4, 3, &bad));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "outside"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_tensor_view_slice(r, 2, 0, 1, &bad));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_tensor_view_transpose(r, 0, 5, &bad));
    int64_t wrong[2] = {5, 5}, two_inf[2] = {-1, -1};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_view_reshape(r, 2, wrong, &bad));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_view_reshape(r, 2, two_inf, &bad));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_tensor_view_reshape(s, 1, flat + 1, &bad));
    ck_assert_ptr_null(bad);
    attn_tensor_destroy(s);
    attn_tensor_destroy(tr);
    attn_tensor_destroy(r);
    int64_t in_use;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(copy_fill_read_write_convert)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t shape[2] = {2, 3};
    attn_tensor *a = make(ctx, 2, shape), *b = make(ctx, 2, shape), *ti;
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(a, 1.5));
    ATTN_ASSERT_OK(ctx, attn_tensor_copy(b, a));
    ck_assert_float_eq(attn_tensor_data_f32(b)[5], 1.5f);
    int64_t ids[6] = {0, 1, 2, 3, 4, 30521};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &ti));
    ATTN_ASSERT_OK(ctx, attn_tensor_write(ti, ATTN_I64, ids, sizeof ids));
    ck_assert_int_eq(((int32_t *)attn_tensor_data(ti))[5], 30521);
    float f[6];
    ATTN_ASSERT_OK(ctx, attn_tensor_read(ti, ATTN_F32, f, sizeof f));
    ck_assert_float_eq(f[4], 4.0f);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_read(ti, ATTN_F32, f, 5));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_read(ti, ATTN_F32, NULL, 24));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_tensor_write(ti, (attn_dtype)7, ids, 48));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_tensor_copy(a, ti));
    int64_t other[2] = {3, 2};
    attn_tensor *c = make(ctx, 2, other);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_tensor_copy(a, c));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[2, 3]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_copy(a, NULL));
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_tensor_destroy(c);
    attn_tensor_destroy(ti);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(random_init_is_seeded_and_has_the_right_moments)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t shape[1] = {20000};
    attn_tensor *a = make(ctx, 1, shape), *b = make(ctx, 1, shape);
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, 5));
    ATTN_ASSERT_OK(ctx, attn_tensor_init_normal(a, 1.0f, 0.02f));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, 5));
    ATTN_ASSERT_OK(ctx, attn_tensor_init_normal(b, 1.0f, 0.02f));
    ck_assert_int_eq(memcmp(attn_tensor_data(a), attn_tensor_data(b), 20000 * 4), 0);
    double mean, l2;
    ATTN_ASSERT_OK(ctx, attn_mean(a, &mean));
    ck_assert_double_eq_tol(mean, 1.0, 0.001);
    ATTN_ASSERT_OK(ctx, attn_tensor_init_uniform(a, -2.0f, 2.0f));
    double mx;
    ATTN_ASSERT_OK(ctx, attn_max(a, &mx));
    ck_assert(mx < 2.0 && mx > 1.9);
    ATTN_ASSERT_OK(ctx, attn_norm_l2(a, &l2));
    ck_assert_double_eq_tol(l2 * l2 / 20000, 4.0 / 3.0, 0.05);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_init_uniform(a, 1.0f, -1.0f));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tensor_init_normal(a, 0.0f, NAN));
    attn_tensor *ti;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I64, 1, shape, &ti));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_tensor_init_normal(ti, 0.0f, 1.0f));
    attn_tensor_destroy(ti);
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(set_shape_reuses_storage_without_allocating)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t shape[2] = {8, 16};
    attn_tensor *t = make(ctx, 2, shape);
    int64_t before, after;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &before));
    int64_t smaller[3] = {2, 3, 16};
    ATTN_ASSERT_OK(ctx, attn_tensor_set_shape(t, 3, smaller));
    ck_assert_int_eq(attn_tensor_numel(t), 96);
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &after));
    ck_assert_int_eq(before, after);
    int64_t bigger[2] = {9, 16};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_tensor_set_shape(t, 2, bigger));
    attn_tensor *v;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(t, 0, 2, &v));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_tensor_set_shape(v, 2, shape));
    attn_tensor_destroy(v);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_add_test(tc, create_gives_zeroed_contiguous_tensor);
    tcase_add_test(tc, bad_shapes_and_dtypes_are_rejected);
    tcase_add_test(tc, a_zero_dim_does_not_hide_an_overflowing_stride);
    tcase_add_test(tc, wrap_borrows_caller_memory);
    tcase_add_test(tc, views_share_storage_and_outlive_base);
    tcase_add_test(tc, copy_fill_read_write_convert);
    tcase_add_test(tc, random_init_is_seeded_and_has_the_right_moments);
    tcase_add_test(tc, set_shape_reuses_storage_without_allocating);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
