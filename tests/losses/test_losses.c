/* Losses: the article's worked numbers (correctly computed), hand-computed
 * values, finite-difference gradients for every kind, reduction and
 * option, accumulation, strided inputs, and every error path. */
#include <math.h>
#include <string.h>

#include "test_common.h"

static attn_tensor *tensor_f32(attn_ctx *ctx, int32_t rank, const int64_t *shape, const float *values)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    if (values) memcpy(attn_tensor_data_f32(t), values, (size_t)attn_tensor_numel(t) * sizeof(float));
    return t;
}

static attn_tensor *tensor_labels(attn_ctx *ctx, attn_dtype dtype, int64_t n, const int64_t *labels)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, dtype, 1, &n, &t));
    ATTN_ASSERT_OK(ctx, attn_tensor_write(t, ATTN_I64, labels, (size_t)n * sizeof(int64_t)));
    return t;
}

static attn_loss *make_loss(attn_ctx *ctx, attn_loss_kind kind, attn_reduction red, float smoothing)
{
    attn_loss_opts o = {.struct_size = sizeof o, .kind = kind, .reduction = red, .label_smoothing = smoothing};
    attn_loss *loss = NULL;
    ATTN_ASSERT_OK(ctx, attn_loss_create(ctx, &o, &loss));
    return loss;
}

START_TEST(article_cross_entropy_on_probabilities_is_ln5_not_0_3466)
{
    /* one-hot targets [0,1,0] and [1,0,0] are classes 1 and 0; cross-entropy
     * on probabilities is NLL on their logs: -(ln 0.4 + ln 0.1) / 2 = ln 5 */
    attn_ctx *ctx = attn_test_ctx();
    float logp[6] = {logf(0.3f), logf(0.4f), logf(0.3f), logf(0.1f), logf(0.8f), logf(0.1f)};
    int64_t s[2] = {2, 3}, labels[2] = {1, 0};
    attn_tensor *x = tensor_f32(ctx, 2, s, logp), *t = tensor_labels(ctx, ATTN_I64, 2, labels);
    attn_loss *loss = make_loss(ctx, ATTN_LOSS_NLL, ATTN_REDUCTION_MEAN, 0.0f);
    double v = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(loss, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, 1.6094379124341003, 1e-6);
    ck_assert_double_gt(fabs(v - 0.3466), 1.0);
    attn_loss_destroy(loss);
    attn_tensor_destroy(x);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(article_bce_sums_to_0_7133_not_minus_0_8796)
{
    /* y = 1, p = 0.7 and y = 0, p = 0.3: each term is -ln 0.7 */
    attn_ctx *ctx = attn_test_ctx();
    float p[2] = {0.7f, 0.3f}, y[2] = {1.0f, 0.0f};
    int64_t s[1] = {2};
    attn_tensor *x = tensor_f32(ctx, 1, s, p), *t = tensor_f32(ctx, 1, s, y);
    attn_loss *sum = make_loss(ctx, ATTN_LOSS_BCE, ATTN_REDUCTION_SUM, 0.0f);
    attn_loss *mean = make_loss(ctx, ATTN_LOSS_BCE, ATTN_REDUCTION_MEAN, 0.0f);
    double v = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(sum, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, 0.7133498878774648, 1e-6);
    ATTN_ASSERT_OK(ctx, attn_loss_forward(mean, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, 0.3566749439387324, 1e-6);
    attn_loss_destroy(sum);
    attn_loss_destroy(mean);
    attn_tensor_destroy(x);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(mse_mean_sum_none_and_gradient_by_hand)
{
    attn_ctx *ctx = attn_test_ctx();
    float xv[3] = {1, 2, 3}, yv[3] = {1, 0, 5};
    int64_t s[1] = {3};
    attn_tensor *x = tensor_f32(ctx, 1, s, xv), *y = tensor_f32(ctx, 1, s, yv), *e = tensor_f32(ctx, 1, s, NULL),
                *dx = tensor_f32(ctx, 1, s, NULL);
    attn_loss *mean = make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_MEAN, 0.0f);
    attn_loss *sum = make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_SUM, 0.0f);
    attn_loss *none = make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_NONE, 0.0f);
    double v = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(mean, x, y, &v, NULL));
    ck_assert_double_eq_tol(v, 8.0 / 3.0, 1e-12);
    ATTN_ASSERT_OK(ctx, attn_loss_forward(sum, x, y, &v, NULL));
    ck_assert_double_eq(v, 8.0);
    ATTN_ASSERT_OK(ctx, attn_loss_forward(none, x, y, &v, e));
    const float *pe = attn_tensor_data_f32(e), *pd = attn_tensor_data_f32(dx);
    ck_assert_float_eq(pe[0], 0.0f);
    ck_assert_float_eq(pe[1], 4.0f);
    ck_assert_float_eq(pe[2], 4.0f);
    ck_assert_double_eq(v, 8.0); /* 'none' also reports the sum when asked */
    /* d mean / dx = 2 (x - y) / 3 */
    ATTN_ASSERT_OK(ctx, attn_loss_backward(mean, x, y, 1.0f, NULL, dx));
    ck_assert_float_eq_tol(pd[0], 0.0f, 1e-7f);
    ck_assert_float_eq_tol(pd[1], 4.0f / 3.0f, 1e-6f);
    ck_assert_float_eq_tol(pd[2], -4.0f / 3.0f, 1e-6f);
    /* backward accumulates: a second call with scale 0.5 adds half again */
    ATTN_ASSERT_OK(ctx, attn_loss_backward(mean, x, y, 0.5f, NULL, dx));
    ck_assert_float_eq_tol(pd[1], 2.0f, 1e-6f);
    attn_loss_destroy(mean);
    attn_loss_destroy(sum);
    attn_loss_destroy(none);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(e);
    attn_tensor_destroy(dx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(cross_entropy_of_equal_logits_is_log_c_and_ignores_ignore_index)
{
    attn_ctx *ctx = attn_test_ctx();
    float xv[8] = {0, 0, 0, 0, 5, -3, 2, 7};
    int64_t s[2] = {2, 4}, labels[2] = {2, -100};
    attn_tensor *x = tensor_f32(ctx, 2, s, xv), *t = tensor_labels(ctx, ATTN_I32, 2, labels),
                *dx = tensor_f32(ctx, 2, s, NULL);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.0f);
    double v = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, log(4.0), 1e-6); /* the ignored row neither adds nor counts */
    ATTN_ASSERT_OK(ctx, attn_loss_backward(ce, x, t, 1.0f, NULL, dx));
    const float *pd = attn_tensor_data_f32(dx);
    const float want[8] = {0.25f, 0.25f, -0.75f, 0.25f, 0, 0, 0, 0};
    for (int i = 0; i < 8; i++) ck_assert_float_eq_tol(pd[i], want[i], 1e-6f);
    /* label smoothing of equal logits: every class has log-probability -ln 4 */
    attn_loss *smooth = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_SUM, 0.3f);
    ATTN_ASSERT_OK(ctx, attn_loss_forward(smooth, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, log(4.0), 1e-6);
    /* a different ignore_index makes the second row count (its label -100 is then out of range) */
    ATTN_ASSERT_OK(ctx, attn_loss_set_ignore_index(ce, 2));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "target[1] = -100"));
    attn_loss_destroy(ce);
    attn_loss_destroy(smooth);
    attn_tensor_destroy(x);
    attn_tensor_destroy(t);
    attn_tensor_destroy(dx);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(weighted_cross_entropy_mean_divides_by_the_target_weights)
{
    /* rows with targets 0 and 1, weights 2 and 0.5: mean = (2 l0 + 0.5 l1) / 2.5 */
    attn_ctx *ctx = attn_test_ctx();
    float xv[6] = {1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 3.0f}, wv[3] = {2.0f, 0.5f, 1.0f};
    int64_t s[2] = {2, 3}, ws[1] = {3}, labels[2] = {0, 1};
    attn_tensor *x = tensor_f32(ctx, 2, s, xv), *w = tensor_f32(ctx, 1, ws, wv), *t = tensor_labels(ctx, ATTN_I64, 2, labels);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.0f);
    ATTN_ASSERT_OK(ctx, attn_loss_set_weight(ce, w));
    attn_tensor_destroy(w); /* the loss keeps its own copy */
    double l0 = -(1.0 - log(exp(1.0) + exp(2.0) + exp(0.5)));
    double l1 = -(0.0 - log(exp(-1.0) + exp(0.0) + exp(3.0)));
    double v = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, (2.0 * l0 + 0.5 * l1) / 2.5, 1e-6);
    ATTN_ASSERT_OK(ctx, attn_loss_set_weight(ce, NULL));
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert_double_eq_tol(v, (l0 + l1) / 2.0, 1e-6);
    attn_loss_destroy(ce);
    attn_tensor_destroy(x);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bce_with_logits_is_stable_for_large_logits)
{
    attn_ctx *ctx = attn_test_ctx();
    float xv[4] = {100.0f, -100.0f, 100.0f, 0.0f}, yv[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    int64_t s[1] = {4};
    attn_tensor *x = tensor_f32(ctx, 1, s, xv), *y = tensor_f32(ctx, 1, s, yv), *e = tensor_f32(ctx, 1, s, NULL);
    attn_loss *none = make_loss(ctx, ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_NONE, 0.0f);
    ATTN_ASSERT_OK(ctx, attn_loss_forward(none, x, y, NULL, e));
    const float *pe = attn_tensor_data_f32(e);
    ck_assert_float_eq_tol(pe[0], 0.0f, 1e-30f);
    ck_assert_float_eq_tol(pe[1], 0.0f, 1e-30f);
    ck_assert_float_eq_tol(pe[2], 100.0f, 1e-4f);
    ck_assert_float_eq_tol(pe[3], (float)log(2.0), 1e-6f);
    /* pos_weight 3 triples the positive term: -3 log sigmoid(0) = 3 ln 2 */
    float pw = 3.0f;
    int64_t one = 1;
    attn_tensor *pwt = tensor_f32(ctx, 1, &one, &pw), *x1, *y1, *e1;
    x1 = tensor_f32(ctx, 1, &one, &xv[3]);
    y1 = tensor_f32(ctx, 1, &one, &yv[3]);
    e1 = tensor_f32(ctx, 1, &one, NULL);
    ATTN_ASSERT_OK(ctx, attn_loss_set_pos_weight(none, pwt));
    ATTN_ASSERT_OK(ctx, attn_loss_forward(none, x1, y1, NULL, e1));
    ck_assert_float_eq_tol(attn_tensor_data_f32(e1)[0], (float)(3.0 * log(2.0)), 1e-6f);
    /* BCE on probabilities clamps its logs at -100 */
    attn_loss *bce = make_loss(ctx, ATTN_LOSS_BCE, ATTN_REDUCTION_NONE, 0.0f);
    float pv[2] = {0.0f, 1.0f}, tv[2] = {1.0f, 0.0f};
    int64_t s2[1] = {2};
    attn_tensor *p = tensor_f32(ctx, 1, s2, pv), *t = tensor_f32(ctx, 1, s2, tv), *e2 = tensor_f32(ctx, 1, s2, NULL);
    ATTN_ASSERT_OK(ctx, attn_loss_forward(bce, p, t, NULL, e2));
    ck_assert_float_eq(attn_tensor_data_f32(e2)[0], 100.0f);
    ck_assert_float_eq(attn_tensor_data_f32(e2)[1], 100.0f);
    attn_loss_destroy(none);
    attn_loss_destroy(bce);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(e);
    attn_tensor_destroy(pwt);
    attn_tensor_destroy(x1);
    attn_tensor_destroy(y1);
    attn_tensor_destroy(e1);
    attn_tensor_destroy(p);
    attn_tensor_destroy(t);
    attn_tensor_destroy(e2);
    attn_ctx_destroy(ctx);
}
END_TEST

/* ---- finite differences ---- */

typedef struct fd_case {
    attn_loss_kind kind;
    attn_reduction red;
    float smoothing;
    int weight, pos_weight, ignore;
} fd_case;

/* The scalar whose gradient backward gives: scale * loss for mean/sum,
 * scale * sum_i delements[i] * elements[i] for 'none'. */
static double objective(attn_ctx *ctx, attn_loss *loss, attn_reduction red, const attn_tensor *x,
                        const attn_tensor *t, float scale, attn_tensor *e, const attn_tensor *de)
{
    double v = 0;
    if (red != ATTN_REDUCTION_NONE) {
        ATTN_ASSERT_OK(ctx, attn_loss_forward(loss, x, t, &v, NULL));
        return scale * v;
    }
    ATTN_ASSERT_OK(ctx, attn_loss_forward(loss, x, t, NULL, e));
    const float *pe = attn_tensor_data_f32(e);
    const float *pd = attn_tensor_data_f32((attn_tensor *)de);
    for (int64_t i = 0; i < attn_tensor_numel(e); i++) v += (double)pd[i] * pe[i];
    return scale * v;
}

static void check_fd(const fd_case *c)
{
    attn_ctx *ctx = attn_test_ctx();
    const int64_t n = 5, k = 7;
    int64_t xs[2] = {n, k}, ks[1] = {k};
    int is_class = c->kind == ATTN_LOSS_CROSS_ENTROPY || c->kind == ATTN_LOSS_NLL;
    attn_tensor *x = tensor_f32(ctx, 2, xs, NULL), *dx = tensor_f32(ctx, 2, xs, NULL), *t, *e, *de;
    float *px = attn_tensor_data_f32(x);
    attn_test_fill_random(px, n * k, 100 + (uint64_t)c->kind * 10 + (uint64_t)c->red);
    for (int64_t i = 0; i < n * k; i++) px[i] *= 2.0f;
    if (c->kind == ATTN_LOSS_BCE) /* probabilities away from 0 and 1 */
        for (int64_t i = 0; i < n * k; i++) px[i] = 0.1f + 0.4f * (px[i] + 2.0f) / 2.0f;
    if (is_class) {
        int64_t labels[5] = {3, 0, 6, 2, 5};
        if (c->ignore) labels[2] = -100;
        t = tensor_labels(ctx, ATTN_I64, n, labels);
        e = tensor_f32(ctx, 1, &n, NULL);
        de = tensor_f32(ctx, 1, &n, NULL);
        attn_test_fill_random(attn_tensor_data_f32(de), n, 7);
    } else {
        t = tensor_f32(ctx, 2, xs, NULL);
        float *pt = attn_tensor_data_f32(t);
        attn_test_fill_random(pt, n * k, 8);
        if (c->kind != ATTN_LOSS_MSE) /* soft targets in [0, 1] exercise both terms */
            for (int64_t i = 0; i < n * k; i++) pt[i] = (pt[i] + 1.0f) / 2.0f;
        e = tensor_f32(ctx, 2, xs, NULL);
        de = tensor_f32(ctx, 2, xs, NULL);
        attn_test_fill_random(attn_tensor_data_f32(de), n * k, 9);
    }
    attn_loss *loss = make_loss(ctx, c->kind, c->red, c->smoothing);
    if (c->weight || c->pos_weight) {
        attn_tensor *w = tensor_f32(ctx, 1, ks, NULL);
        float *pw = attn_tensor_data_f32(w);
        attn_test_fill_random(pw, k, 11);
        for (int64_t i = 0; i < k; i++) pw[i] = 0.5f + fabsf(pw[i]) * 2.0f;
        if (c->weight) ATTN_ASSERT_OK(ctx, attn_loss_set_weight(loss, w));
        if (c->pos_weight) ATTN_ASSERT_OK(ctx, attn_loss_set_pos_weight(loss, w));
        attn_tensor_destroy(w);
    }
    const float scale = 0.75f;
    const attn_tensor *dep = c->red == ATTN_REDUCTION_NONE ? de : NULL;
    ATTN_ASSERT_OK(ctx, attn_loss_backward(loss, x, t, scale, dep, dx));
    const float *pdx = attn_tensor_data_f32(dx);
    float numeric[35];
    for (int64_t i = 0; i < n * k; i++) {
        float x0 = px[i], h = c->kind == ATTN_LOSS_BCE ? 1e-3f : 1e-2f;
        px[i] = x0 + h;
        double up = objective(ctx, loss, c->red, x, t, scale, e, de);
        float xp = px[i];
        px[i] = x0 - h;
        double down = objective(ctx, loss, c->red, x, t, scale, e, de);
        float xm = px[i];
        px[i] = x0;
        numeric[i] = (float)((up - down) / ((double)xp - xm));
    }
    double err = attn_test_rel_err(pdx, numeric, n * k, 1e-3);
    ck_assert_msg(err < 1e-4, "kind %d reduction %d smoothing %g weight %d pos_weight %d ignore %d: rel err %g",
                  (int)c->kind, (int)c->red, (double)c->smoothing, c->weight, c->pos_weight, c->ignore, err);
    if (c->ignore) /* the ignored row gets no gradient */
        for (int64_t j = 0; j < k; j++) ck_assert_float_eq(pdx[2 * k + j], 0.0f);
    attn_loss_destroy(loss);
    attn_tensor_destroy(x);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(t);
    attn_tensor_destroy(e);
    attn_tensor_destroy(de);
    attn_ctx_destroy(ctx);
}

START_TEST(gradients_match_finite_differences_for_every_kind_and_option)
{
    static const fd_case cases[] = {
        {ATTN_LOSS_MSE, ATTN_REDUCTION_MEAN, 0, 0, 0, 0},
        {ATTN_LOSS_MSE, ATTN_REDUCTION_SUM, 0, 0, 0, 0},
        {ATTN_LOSS_MSE, ATTN_REDUCTION_NONE, 0, 0, 0, 0},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0, 0, 0, 0},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0, 0, 0, 1},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0, 1, 0, 1},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.2f, 0, 0, 1},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.2f, 1, 0, 1},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_SUM, 0.1f, 1, 0, 0},
        {ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_NONE, 0.3f, 1, 0, 1},
        {ATTN_LOSS_NLL, ATTN_REDUCTION_MEAN, 0, 1, 0, 1},
        {ATTN_LOSS_NLL, ATTN_REDUCTION_SUM, 0, 0, 0, 0},
        {ATTN_LOSS_NLL, ATTN_REDUCTION_NONE, 0, 1, 0, 1},
        {ATTN_LOSS_BCE, ATTN_REDUCTION_MEAN, 0, 0, 0, 0},
        {ATTN_LOSS_BCE, ATTN_REDUCTION_SUM, 0, 1, 0, 0},
        {ATTN_LOSS_BCE, ATTN_REDUCTION_NONE, 0, 1, 0, 0},
        {ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_MEAN, 0, 0, 0, 0},
        {ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_MEAN, 0, 0, 1, 0},
        {ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_SUM, 0, 1, 1, 0},
        {ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_NONE, 0, 1, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_fd(&cases[i]);
}
END_TEST

START_TEST(strided_inputs_and_int32_labels_give_the_same_result)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t ts[2] = {6, 4}, s[2] = {4, 6}, labels[4] = {5, 0, 2, 3};
    attn_tensor *xt = tensor_f32(ctx, 2, ts, NULL), *x = tensor_f32(ctx, 2, s, NULL), *view;
    attn_test_fill_random(attn_tensor_data_f32(xt), 24, 31);
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(xt, 0, 1, &view)); /* [4, 6] with column stride 4 */
    ATTN_ASSERT_OK(ctx, attn_tensor_copy(x, view));
    attn_tensor *t64 = tensor_labels(ctx, ATTN_I64, 4, labels), *t32 = tensor_labels(ctx, ATTN_I32, 4, labels);
    attn_tensor *dx = tensor_f32(ctx, 2, s, NULL), *dxt = tensor_f32(ctx, 2, ts, NULL), *dview;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(dxt, 0, 1, &dview));
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.1f);
    double a = 0, b = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t64, &a, NULL));
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, view, t32, &b, NULL));
    ck_assert_double_eq(a, b);
    ATTN_ASSERT_OK(ctx, attn_loss_backward(ce, x, t64, 1.0f, NULL, dx));
    ATTN_ASSERT_OK(ctx, attn_loss_backward(ce, view, t32, 1.0f, NULL, dview));
    const float *pd = attn_tensor_data_f32(dx), *pt = attn_tensor_data_f32(dxt);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 6; j++) ck_assert_float_eq(pd[i * 6 + j], pt[j * 4 + i]);
    attn_loss_destroy(ce);
    attn_tensor_destroy(view);
    attn_tensor_destroy(dview);
    attn_tensor_destroy(xt);
    attn_tensor_destroy(x);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(dxt);
    attn_tensor_destroy(t64);
    attn_tensor_destroy(t32);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(mean_over_only_ignored_targets_is_nan_with_zero_gradient)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {2, 3}, labels[2] = {-100, -100};
    attn_tensor *x = tensor_f32(ctx, 2, s, NULL), *dx = tensor_f32(ctx, 2, s, NULL),
                *t = tensor_labels(ctx, ATTN_I64, 2, labels);
    attn_test_fill_random(attn_tensor_data_f32(x), 6, 3);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.1f);
    double v = 0;
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert(isnan(v));
    ATTN_ASSERT_OK(ctx, attn_loss_backward(ce, x, t, 1.0f, NULL, dx));
    for (int i = 0; i < 6; i++) ck_assert_float_eq(attn_tensor_data_f32(dx)[i], 0.0f);
    attn_loss_destroy(ce);
    attn_tensor_destroy(x);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(forward_and_backward_do_not_allocate)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {3, 5}, labels[3] = {1, 4, 0};
    attn_tensor *x = tensor_f32(ctx, 2, s, NULL), *dx = tensor_f32(ctx, 2, s, NULL),
                *t = tensor_labels(ctx, ATTN_I64, 3, labels);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.1f);
    int64_t before, after;
    double v;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &before));
    for (int i = 0; i < 3; i++) {
        ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t, &v, NULL));
        ATTN_ASSERT_OK(ctx, attn_loss_backward(ce, x, t, 1.0f, NULL, dx));
    }
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &after));
    ck_assert_int_eq(before, after);
    attn_loss_destroy(ce);
    attn_tensor_destroy(x);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bad_options_are_invalid_arguments)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_loss *loss = (attn_loss *)1;
    attn_loss_opts o = {.struct_size = sizeof o, .kind = ATTN_LOSS_CROSS_ENTROPY};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, NULL, &loss));
    ck_assert_ptr_null(loss);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(NULL, &o, &loss));
    o.struct_size = 8;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, &loss));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "struct_size"));
    o.struct_size = sizeof o;
    o.kind = 9;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, &loss));
    o.kind = ATTN_LOSS_CROSS_ENTROPY;
    o.reduction = -1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, &loss));
    o.reduction = ATTN_REDUCTION_SUM;
    o.label_smoothing = 1.5f;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, &loss));
    o.label_smoothing = NAN;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, &loss));
    o.label_smoothing = 0.1f;
    o.kind = ATTN_LOSS_NLL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_create(ctx, &o, &loss));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "label_smoothing"));
    /* a newer caller's struct: unknown trailing bytes must be zero */
    struct {
        attn_loss_opts o;
        int32_t future;
    } bigger = {{.struct_size = sizeof bigger, .kind = ATTN_LOSS_MSE}, 0};
    ATTN_ASSERT_OK(ctx, attn_loss_create(ctx, &bigger.o, &loss));
    attn_loss_destroy(loss);
    bigger.future = 1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_loss_create(ctx, &bigger.o, &loss));
    attn_loss_destroy(NULL);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(setters_reject_what_the_kind_does_not_have)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_loss *mse = make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_MEAN, 0.0f);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.0f);
    int64_t s1[1] = {3}, s2[2] = {3, 1};
    attn_tensor *w = tensor_f32(ctx, 1, s1, NULL), *w2 = tensor_f32(ctx, 2, s2, NULL), *wi;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, s1, &wi));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_set_weight(mse, w));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_set_ignore_index(mse, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_set_pos_weight(ce, w));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_set_weight(ce, w2));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_loss_set_weight(ce, wi));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_set_weight(NULL, w));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_set_pos_weight(NULL, w));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_set_ignore_index(NULL, 0));
    attn_loss_destroy(mse);
    attn_loss_destroy(ce);
    attn_tensor_destroy(w);
    attn_tensor_destroy(w2);
    attn_tensor_destroy(wi);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(mismatched_shapes_and_types_are_rejected_before_any_write)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {3, 4}, s_bad[2] = {4, 3}, n3 = 3, n2 = 2, c5 = 5, labels[3] = {0, 1, 2};
    attn_tensor *x = tensor_f32(ctx, 2, s, NULL), *dx = tensor_f32(ctx, 2, s, NULL), *xbad = tensor_f32(ctx, 2, s_bad, NULL);
    attn_tensor *t = tensor_labels(ctx, ATTN_I64, 3, labels), *t2 = tensor_labels(ctx, ATTN_I64, 2, labels);
    attn_tensor *tf = tensor_f32(ctx, 1, &n3, NULL), *e3 = tensor_f32(ctx, 1, &n3, NULL), *e2 = tensor_f32(ctx, 1, &n2, NULL);
    attn_tensor *w5 = tensor_f32(ctx, 1, &c5, NULL), *x1 = tensor_f32(ctx, 1, &n3, NULL);
    attn_tensor_fill(dx, 7.0);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.0f);
    attn_loss *ce_none = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_NONE, 0.0f);
    attn_loss *mse = make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_MEAN, 0.0f);
    double v;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_forward(ce, x, t2, &v, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "target [2]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_forward(ce, x1, t, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_loss_forward(ce, x, tf, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_backward(ce, x, t, 1.0f, NULL, xbad));
    ATTN_ASSERT_OK(ctx, attn_loss_set_weight(ce, w5));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_backward(ce, x, t, 1.0f, NULL, dx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "weight has 5 entries"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_forward(ce_none, x, t, NULL, e2));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_backward(ce_none, x, t, 1.0f, e2, dx));
    /* misplaced outputs */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_forward(ce_none, x, t, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_forward(mse, x, x, &v, e3));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_forward(mse, x, x, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_backward(mse, x, x, 1.0f, x, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_backward(mse, x, x, 1.0f, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_forward(mse, NULL, x, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_forward(NULL, x, x, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_loss_backward(NULL, x, x, 1.0f, NULL, dx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_loss_forward(mse, x, xbad, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_loss_forward(mse, t, t, &v, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_loss_forward(mse, x, t, &v, NULL));
    /* nothing was written by any failing backward */
    for (int i = 0; i < 12; i++) ck_assert_float_eq(attn_tensor_data_f32(dx)[i], 7.0f);
    attn_loss_destroy(ce);
    attn_loss_destroy(ce_none);
    attn_loss_destroy(mse);
    attn_tensor_destroy(x);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(xbad);
    attn_tensor_destroy(t);
    attn_tensor_destroy(t2);
    attn_tensor_destroy(tf);
    attn_tensor_destroy(e3);
    attn_tensor_destroy(e2);
    attn_tensor_destroy(w5);
    attn_tensor_destroy(x1);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(labels_out_of_range_name_the_position)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {4, 3}, high[4] = {0, 2, 1, 3}, neg[4] = {0, -100, -1, 2};
    attn_tensor *x = tensor_f32(ctx, 2, s, NULL), *dx = tensor_f32(ctx, 2, s, NULL);
    attn_tensor *th = tensor_labels(ctx, ATTN_I32, 4, high), *tn = tensor_labels(ctx, ATTN_I64, 4, neg);
    attn_loss *nll = make_loss(ctx, ATTN_LOSS_NLL, ATTN_REDUCTION_SUM, 0.0f);
    double v;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_loss_forward(nll, x, th, &v, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "target[3] = 3 is outside [0, 3)"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_loss_backward(nll, x, tn, 1.0f, NULL, dx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "target[2] = -1"));
    for (int i = 0; i < 12; i++) ck_assert_float_eq(attn_tensor_data_f32(dx)[i], 0.0f);
    /* BCE probabilities outside [0, 1] */
    attn_loss *bce = make_loss(ctx, ATTN_LOSS_BCE, ATTN_REDUCTION_MEAN, 0.0f);
    attn_tensor_data_f32(x)[5] = 1.5f;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_loss_forward(bce, x, x, &v, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "input[1, 2] = 1.5"));
    attn_loss_destroy(nll);
    attn_loss_destroy(bce);
    attn_tensor_destroy(x);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(th);
    attn_tensor_destroy(tn);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(non_finite_inputs_fail_only_with_check_finite)
{
    attn_ctx *ctx = attn_test_ctx();
    int64_t s[2] = {2, 3}, labels[2] = {0, 2};
    attn_tensor *x = tensor_f32(ctx, 2, s, NULL), *y = tensor_f32(ctx, 2, s, NULL), *dx = tensor_f32(ctx, 2, s, NULL);
    attn_tensor *t = tensor_labels(ctx, ATTN_I64, 2, labels);
    attn_loss *ce = make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, 0.0f);
    attn_loss *mse = make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_NONE, 0.0f);
    attn_loss *bce = make_loss(ctx, ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_SUM, 0.0f);
    attn_tensor_data_f32(x)[4] = NAN;
    double v = 0;
    /* off (the default): NaN propagates as in PyTorch */
    ATTN_ASSERT_OK(ctx, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert(isnan(v));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_loss_forward(ce, x, t, &v, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "input[1, 1] is NaN"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_loss_backward(ce, x, t, 1.0f, NULL, dx));
    for (int i = 0; i < 6; i++) ck_assert_float_eq(attn_tensor_data_f32(dx)[i], 0.0f);
    attn_tensor_data_f32(x)[4] = 0.0f;
    attn_tensor_data_f32(y)[0] = -INFINITY;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_loss_forward(bce, x, y, &v, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "target[0, 0] is -Inf"));
    attn_tensor_data_f32(y)[0] = 0.0f;
    attn_tensor_data_f32(y)[5] = INFINITY; /* as upstream gradient of 'none' */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_loss_backward(mse, x, x, 1.0f, y, dx));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "delements[1, 2] is +Inf"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_loss_backward(ce, x, t, NAN, NULL, dx));
    attn_loss_destroy(ce);
    attn_loss_destroy(mse);
    attn_loss_destroy(bce);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(t);
    attn_ctx_destroy(ctx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("losses");
    TCase *tc = tcase_create("losses");
    tcase_add_test(tc, article_cross_entropy_on_probabilities_is_ln5_not_0_3466);
    tcase_add_test(tc, article_bce_sums_to_0_7133_not_minus_0_8796);
    tcase_add_test(tc, mse_mean_sum_none_and_gradient_by_hand);
    tcase_add_test(tc, cross_entropy_of_equal_logits_is_log_c_and_ignores_ignore_index);
    tcase_add_test(tc, weighted_cross_entropy_mean_divides_by_the_target_weights);
    tcase_add_test(tc, bce_with_logits_is_stable_for_large_logits);
    tcase_add_test(tc, gradients_match_finite_differences_for_every_kind_and_option);
    tcase_add_test(tc, strided_inputs_and_int32_labels_give_the_same_result);
    tcase_add_test(tc, mean_over_only_ignored_targets_is_nan_with_zero_gradient);
    tcase_add_test(tc, forward_and_backward_do_not_allocate);
    tcase_add_test(tc, bad_options_are_invalid_arguments);
    tcase_add_test(tc, setters_reject_what_the_kind_does_not_have);
    tcase_add_test(tc, mismatched_shapes_and_types_are_rejected_before_any_write);
    tcase_add_test(tc, labels_out_of_range_name_the_position);
    tcase_add_test(tc, non_finite_inputs_fail_only_with_check_finite);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return attn_test_run(suite()); }
