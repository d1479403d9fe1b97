/* Elementwise ops, matmul through BLIS, reductions, activations, softmax:
 * values against plain loops and finite differences, and bad input. */
#include <math.h>
#include <string.h>

#include "test_common.h"

static attn_tensor *make(attn_ctx *ctx, int32_t rank, const int64_t *shape, uint64_t seed)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    if (seed) attn_test_fill_random(attn_tensor_data_f32(t), attn_tensor_numel(t), seed);
    return t;
}

START_TEST(add_sub_mul_broadcast_a_trailing_bias)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s2[2] = {3, 4}, s1[1] = {4}, s3[1] = {3};
    attn_tensor *a = make(ctx, 2, s2, 1), *b = make(ctx, 1, s1, 2), *o = make(ctx, 2, s2, 0), *bad = make(ctx, 1, s3, 3);
    const float *pa = attn_tensor_data_f32(a), *pb = attn_tensor_data_f32(b), *po = attn_tensor_data_f32(o);
    ATTN_ASSERT_OK(ctx, attn_add(o, a, b));
    for (int i = 0; i < 12; i++) ck_assert_float_eq(po[i], pa[i] + pb[i % 4]);
    ATTN_ASSERT_OK(ctx, attn_sub(o, a, b));
    for (int i = 0; i < 12; i++) ck_assert_float_eq(po[i], pa[i] - pb[i % 4]);
    ATTN_ASSERT_OK(ctx, attn_mul(o, a, a));
    for (int i = 0; i < 12; i++) ck_assert_float_eq(po[i], pa[i] * pa[i]);
    ATTN_ASSERT_OK(ctx, attn_scale(o, a, -2.0f));
    for (int i = 0; i < 12; i++) ck_assert_float_eq(po[i], -2.0f * pa[i]);
    ATTN_ASSERT_OK(ctx, attn_axpy(o, 2.0f, a));
    for (int i = 0; i < 12; i++) ck_assert_float_eq_tol(po[i], 0.0f, 1e-6f);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_add(o, a, bad));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "broadcast"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_axpy(o, 1.0f, bad));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_mul(o, NULL, a));
    attn_tensor *ti;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, s2, &ti));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_add(o, ti, b));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_scale(ti, a, 1.0f));
    attn_tensor_destroy(ti);
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_tensor_destroy(o);
    attn_tensor_destroy(bad);
    attn_ctx_destroy(ctx);
}
END_TEST

static void naive_matmul(float *c, const float *a, int ta, const float *b, int tb, int m, int n, int k)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++)
                s += (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
            c[i * n + j] = (float)s;
        }
}

START_TEST(matmul_matches_naive_for_every_transpose)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    const int m = 37, n = 19, k = 53;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            int64_t sa[2] = {ta ? k : m, ta ? m : k}, sb[2] = {tb ? n : k, tb ? k : n}, sc[2] = {m, n};
            attn_tensor *a = make(ctx, 2, sa, 11), *b = make(ctx, 2, sb, 12), *c = make(ctx, 2, sc, 0);
            float want[37 * 19];
            naive_matmul(want, attn_tensor_data_f32(a), ta, attn_tensor_data_f32(b), tb, m, n, k);
            ATTN_ASSERT_OK(ctx, attn_matmul(c, a, ta, b, tb, 1.0f, 0.0f));
            ck_assert_double_lt(attn_test_rel_err(attn_tensor_data_f32(c), want, m * n, 1e-6), 1e-5);
            /* beta = 1 accumulates */
            ATTN_ASSERT_OK(ctx, attn_matmul(c, a, ta, b, tb, 1.0f, 1.0f));
            for (int i = 0; i < m * n; i++) want[i] *= 2.0f;
            ck_assert_double_lt(attn_test_rel_err(attn_tensor_data_f32(c), want, m * n, 1e-6), 1e-5);
            attn_tensor_destroy(a);
            attn_tensor_destroy(b);
            attn_tensor_destroy(c);
        }
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(matmul_of_transposed_view_needs_no_copy)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t sa[2] = {6, 4}, sb[2] = {6, 5}, sc[2] = {4, 5};
    attn_tensor *a = make(ctx, 2, sa, 3), *b = make(ctx, 2, sb, 4), *c = make(ctx, 2, sc, 0), *c2 = make(ctx, 2, sc, 0), *at;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(a, 0, 1, &at));
    ATTN_ASSERT_OK(ctx, attn_matmul(c, at, ATTN_NO_TRANS, b, ATTN_NO_TRANS, 1.0f, 0.0f));
    ATTN_ASSERT_OK(ctx, attn_matmul(c2, a, ATTN_TRANS, b, ATTN_NO_TRANS, 1.0f, 0.0f));
    ck_assert_double_lt(attn_test_rel_err(attn_tensor_data_f32(c), attn_tensor_data_f32(c2), 20, 1e-6), 1e-6);
    attn_tensor_destroy(at);
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_tensor_destroy(c);
    attn_tensor_destroy(c2);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(batched_matmul_and_shape_errors)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t sa[3] = {3, 4, 5}, sb[3] = {3, 5, 2}, sc[3] = {3, 4, 2}, bad[3] = {3, 4, 3}, bb[3] = {2, 5, 2};
    attn_tensor *a = make(ctx, 3, sa, 5), *b = make(ctx, 3, sb, 6), *c = make(ctx, 3, sc, 0);
    ATTN_ASSERT_OK(ctx, attn_matmul(c, a, 0, b, 0, 1.0f, 0.0f));
    for (int i = 0; i < 3; i++) {
        float want[8];
        naive_matmul(want, attn_tensor_data_f32(a) + i * 20, 0, attn_tensor_data_f32(b) + i * 10, 0, 4, 2, 5);
        ck_assert_double_lt(attn_test_rel_err(attn_tensor_data_f32(c) + i * 8, want, 8, 1e-6), 1e-5);
    }
    attn_tensor *cbad = make(ctx, 3, bad, 0), *bbad = make(ctx, 3, bb, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_matmul(cbad, a, 0, b, 0, 1.0f, 0.0f));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "op(a) is 4x5"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_matmul(c, a, 0, bbad, 0, 1.0f, 0.0f));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_matmul(c, a, 1, b, 0, 1.0f, 0.0f));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_matmul(c, a, 2, b, 0, 1.0f, 0.0f));
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_tensor_destroy(c);
    attn_tensor_destroy(cbad);
    attn_tensor_destroy(bbad);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(reductions_match_the_article)
{
    attn_ctx *ctx = attn_test_ctx();
    float v[3] = {1.0f, -2.0f, 3.0f}, w[3] = {4.0f, 5.0f, 6.0f};
    int64_t s[1] = {3};
    attn_tensor *a, *b;
    ATTN_ASSERT_OK(ctx, attn_tensor_wrap(ctx, ATTN_F32, 1, s, v, &a));
    ATTN_ASSERT_OK(ctx, attn_tensor_wrap(ctx, ATTN_F32, 1, s, w, &b));
    double r;
    ATTN_ASSERT_OK(ctx, attn_sum(a, &r));
    ck_assert_double_eq(r, 2.0);
    ATTN_ASSERT_OK(ctx, attn_mean(a, &r));
    ck_assert_double_eq_tol(r, 2.0 / 3.0, 1e-12);
    ATTN_ASSERT_OK(ctx, attn_max(a, &r));
    ck_assert_double_eq(r, 3.0);
    ATTN_ASSERT_OK(ctx, attn_dot(a, b, &r));
    ck_assert_double_eq(r, 4.0 - 10.0 + 18.0);
    ATTN_ASSERT_OK(ctx, attn_norm_l1(a, &r));
    ck_assert_double_eq(r, 6.0);
    ATTN_ASSERT_OK(ctx, attn_norm_l2(a, &r));
    ck_assert_double_eq_tol(r, sqrt(14.0), 1e-12);
    int64_t z[1] = {0};
    attn_tensor *e;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, z, &e));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_max(e, &r));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_mean(e, &r));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_sum(a, NULL));
    attn_tensor_destroy(e);
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_ctx_destroy(ctx);
}
END_TEST

/* central differences in double on the scalar definition */
static double act_ref(attn_activation f, double x)
{
    switch (f) {
    case ATTN_ACT_RELU: return x > 0 ? x : 0;
    case ATTN_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case ATTN_ACT_TANH: return tanh(x);
    case ATTN_ACT_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case ATTN_ACT_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    default: return x;
    }
}

START_TEST(activations_match_definitions_and_finite_differences)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {5, 13};
    attn_tensor *x = make(ctx, 2, s, 21), *y = make(ctx, 2, s, 0), *dy = make(ctx, 2, s, 0), *dx = make(ctx, 2, s, 0);
    float *px = attn_tensor_data_f32(x);
    for (int i = 0; i < 65; i++) px[i] *= 4.0f;
    px[0] = 0.3f; /* keep ReLU away from its kink */
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(dy, 1.0));
    for (int f = ATTN_ACT_RELU; f <= ATTN_ACT_IDENTITY; f++) {
        ATTN_ASSERT_OK(ctx, attn_activation_forward((attn_activation)f, y, x));
        ATTN_ASSERT_OK(ctx, attn_tensor_fill(dx, 0.0));
        ATTN_ASSERT_OK(ctx, attn_activation_backward((attn_activation)f, dx, x, dy));
        for (int i = 0; i < 65; i++) {
            double xv = px[i], h = 1e-4;
            ck_assert_double_eq_tol(attn_tensor_data_f32(y)[i], act_ref((attn_activation)f, xv), 1e-6);
            if (f == ATTN_ACT_RELU && fabs(xv) < 2 * h) continue;
            double num = (act_ref((attn_activation)f, xv + h) - act_ref((attn_activation)f, xv - h)) / (2 * h);
            ck_assert_msg(fabs(attn_tensor_data_f32(dx)[i] - num) < 1e-4, "act %d at x=%g: %g vs %g", f, xv,
                          attn_tensor_data_f32(dx)[i], num);
        }
    }
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_activation_forward((attn_activation)42, y, x));
    int64_t s2[2] = {13, 5};
    attn_tensor *w = make(ctx, 2, s2, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_activation_forward(ATTN_ACT_RELU, w, x));
    attn_tensor_destroy(w);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(dy);
    attn_tensor_destroy(dx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(softmax_is_stable_and_its_gradient_is_right)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {2, 3};
    float xv[6] = {1000.0f, 1001.0f, 1002.0f, -1.0f, 0.0f, 1.0f};
    attn_tensor *x, *y = make(ctx, 2, s, 0), *ly = make(ctx, 2, s, 0), *dy = make(ctx, 2, s, 31), *dx = make(ctx, 2, s, 0);
    ATTN_ASSERT_OK(ctx, attn_tensor_wrap(ctx, ATTN_F32, 2, s, xv, &x));
    ATTN_ASSERT_OK(ctx, attn_softmax(y, x));
    ATTN_ASSERT_OK(ctx, attn_log_softmax(ly, x));
    const float *py = attn_tensor_data_f32(y), *pl = attn_tensor_data_f32(ly);
    double z = exp(-2.0) + exp(-1.0) + 1.0;
    ck_assert_double_eq_tol(py[2], 1.0 / z, 1e-6);
    ck_assert_double_eq_tol(py[5], 1.0 / z, 1e-6);
    ck_assert_double_eq_tol(pl[0], -2.0 - log(z), 1e-5);
    /* gradient of sum(dy * softmax(x)) by central differences */
    ATTN_ASSERT_OK(ctx, attn_softmax_backward(dx, y, dy));
    const float *pd = attn_tensor_data_f32(dy);
    for (int i = 3; i < 6; i++) {
        double h = 1e-3, f[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            double xs[3] = {xv[3], xv[4], xv[5]};
            xs[i - 3] += sgn ? -h : h;
            double zz = exp(xs[0]) + exp(xs[1]) + exp(xs[2]);
            f[sgn] = (pd[3] * exp(xs[0]) + pd[4] * exp(xs[1]) + pd[5] * exp(xs[2])) / zz;
        }
        ck_assert_double_eq_tol(attn_tensor_data_f32(dx)[i], (f[0] - f[1]) / (2 * h), 1e-4);
    }
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(dx, 0.0));
    ATTN_ASSERT_OK(ctx, attn_log_softmax_backward(dx, ly, dy));
    for (int i = 3; i < 6; i++) {
        double h = 1e-3, f[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            double xs[3] = {xv[3], xv[4], xv[5]};
            xs[i - 3] += sgn ? -h : h;
            double lz = log(exp(xs[0]) + exp(xs[1]) + exp(xs[2]));
            f[sgn] = pd[3] * (xs[0] - lz) + pd[4] * (xs[1] - lz) + pd[5] * (xs[2] - lz);
        }
        ck_assert_double_eq_tol(attn_tensor_data_f32(dx)[i], (f[0] - f[1]) / (2 * h), 1e-4);
    }
    attn_tensor *tv;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(y, 0, 1, &tv));
    int64_t s3[2] = {3, 2};
    attn_tensor *o = make(ctx, 2, s3, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_softmax(o, tv));
    attn_tensor_destroy(o);
    attn_tensor_destroy(tv);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(ly);
    attn_tensor_destroy(dy);
    attn_tensor_destroy(dx);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("ops");
    tcase_add_test(tc, add_sub_mul_broadcast_a_trailing_bias);
    tcase_add_test(tc, matmul_matches_naive_for_every_transpose);
    tcase_add_test(tc, matmul_of_transposed_view_needs_no_copy);
    tcase_add_test(tc, batched_matmul_and_shape_errors);
    tcase_add_test(tc, reductions_match_the_article);
    tcase_add_test(tc, activations_match_definitions_and_finite_differences);
    tcase_add_test(tc, softmax_is_stable_and_its_gradient_is_right);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
