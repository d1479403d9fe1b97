/* lib/compute's vectorised kernels, at every ISA level the CPU runs,
 * against their plain twins (plain.c, activations.c) and against
 * double-precision formulas; the fork-join's split and the GEMM split.
 * White-box: calls attn__ internals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/compute.h"
#include "compute/kernels.h"
#include "compute/vecmath.h"
#include "test_common.h"

/* The kernel tables of every level this CPU runs, best first, NULL-ended. */
static const attn__kernels *const *levels(void)
{
    static const attn__kernels *list[4];
    int n = 0;
    for (int l = attn__isa_best(); l >= ATTN_ISA_BASELINE; l--) list[n++] = attn__kernels_for(l);
    list[n] = NULL;
    return list;
}

/* for (each level's kernels k) */
#define EACH_LEVEL(k)                                                                                                  \
    for (const attn__kernels *const *kp_ = levels(); *kp_; kp_++)                                                      \
        for (const attn__kernels *k = *kp_; k; k = NULL)

static float *randv(int64_t n, uint64_t seed, float scale)
{
    float *p = malloc((size_t)n * sizeof(float));
    attn_test_fill_random(p, n, seed);
    for (int64_t i = 0; i < n; i++) p[i] *= scale;
    return p;
}

START_TEST(vector_exp_is_within_three_ulp_and_flushes_underflow_to_zero)
{
    double worst = 0.0;
    for (int i = 0; i <= 400000; i++) {
        float x = -87.0f + 175.0f * (float)i / 400000.0f;
        double want = exp((double)x), got = attn__vexp(x);
        worst = fmax(worst, fabs(got - want) / want);
    }
    ck_assert_msg(worst < 3.0 * 5.96e-8, "exp relative error %.3g", worst);
    ck_assert_float_eq(attn__vexp(0.0f), 1.0f);
    ck_assert_float_eq(attn__vexp(-100.0f), 0.0f);
    ck_assert_float_eq(attn__vexp(-INFINITY), 0.0f);
    ck_assert(isnan(attn__vexp(NAN)));
}
END_TEST

START_TEST(vector_erf_is_within_2e_7_and_saturates)
{
    double worst = 0.0;
    for (int i = 0; i <= 400000; i++) {
        float x = -8.0f + 16.0f * (float)i / 400000.0f;
        worst = fmax(worst, fabs((double)attn__verf(x) - erf((double)x)));
        ck_assert_float_eq(attn__verf(-x), -attn__verf(x));
    }
    ck_assert_msg(worst < 2e-7, "erf absolute error %.3g", worst);
    ck_assert_float_eq(attn__verf(INFINITY), 1.0f);
    ck_assert_float_eq(attn__verf(-INFINITY), -1.0f);
    ck_assert_float_eq(attn__verf(0.0f), 0.0f);
    ck_assert(isnan(attn__verf(NAN)));
    ck_assert_float_eq_tol(attn__vsigmoid(0.0f), 0.5f, 1e-7f);
    ck_assert_float_eq(attn__vsigmoid(INFINITY), 1.0f);
    ck_assert_float_eq_tol(attn__vsigmoid(-INFINITY), 0.0f, 1e-30f);
}
END_TEST

START_TEST(scaled_erfc_is_within_4e_7_relative_and_clamps_at_4)
{
    double worst = 0.0;
    for (int i = 0; i <= 400000; i++) {
        float t = 4.0f * (float)i / 400000.0f;
        double want = erfc((double)t) * exp((double)t * (double)t);
        worst = fmax(worst, fabs((double)attn__verfcx(t) - want) / want);
    }
    ck_assert_msg(worst < 4e-7, "erfcx relative error %.3g", worst);
    ck_assert_float_eq(attn__verfcx(7.0f), attn__verfcx(4.0f));
    ck_assert_float_eq(attn__verfcx(INFINITY), attn__verfcx(4.0f));
}
END_TEST

START_TEST(gelu_rows_match_double_precision_and_keep_nan)
{
    const int64_t n = 200001;
    float *pre = malloc(n * sizeof(float)), *act = malloc(n * sizeof(float)), *d = malloc(n * sizeof(float));
    for (int64_t i = 0; i < n; i++) pre[i] = -12.0f + 24.0f * (float)i / (float)(n - 1);
    EACH_LEVEL(k) {
    for (int64_t i = 0; i < n; i++) pre[i] = -12.0f + 24.0f * (float)i / (float)(n - 1);
    for (int64_t i = 0; i < n; i++) d[i] = 1.0f;
    k->bias_act_row(ATTN_ACT_GELU, pre, act, NULL, n);
    k->act_grad_row(ATTN_ACT_GELU, d, pre, n);
    double worst = 0.0, worst_grad = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double x = pre[i], cdf = 0.5 * erfc(-x / sqrt(2.0)), pdf = exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
        /* float's 1 + erf(x) cancels below x = -5 as torch's does (up to
         * 0.5 |x| 3e-8 absolute): relative 1e-6 above 0.2, 2e-7 absolute below */
        worst = fmax(worst, fabs(act[i] - x * cdf) / (fabs(x * cdf) + 0.2));
        worst_grad = fmax(worst_grad, fabs(d[i] - (cdf + x * pdf)) / (fabs(cdf + x * pdf) + 0.1));
    }
    ck_assert_msg(worst < 1e-6, "%s: gelu error %.3g", k->name, worst);
    ck_assert_msg(worst_grad < 1e-6, "%s: gelu gradient error %.3g", k->name, worst_grad);
    pre[0] = NAN;
    k->bias_act_row(ATTN_ACT_GELU, pre, act, NULL, 1);
    ck_assert(isnan(act[0]));
    }
    free(pre), free(act), free(d);
}
END_TEST

START_TEST(activation_rows_agree_with_the_plain_kernels)
{
    const int64_t n = 1003;
    EACH_LEVEL(k)
    for (int f = ATTN_ACT_RELU; f <= ATTN_ACT_IDENTITY; f++) {
        float *x = randv(n, 5 + f, 6.0f), *bias = randv(n, 9, 0.5f);
        float *pre = malloc(n * sizeof(float)), *act = malloc(n * sizeof(float));
        float *want_pre = malloc(n * sizeof(float)), *want = malloc(n * sizeof(float));
        for (int64_t i = 0; i < n; i++) pre[i] = x[i];
        k->bias_act_row((attn_activation)f, pre, act, bias, n);
        for (int64_t i = 0; i < n; i++) want_pre[i] = x[i] + bias[i];
        attn__act_forward((attn_activation)f, want, want_pre, n);
        ck_assert_double_eq(attn_test_rel_err(pre, want_pre, n, 1e-6), 0.0);
        double e = attn_test_rel_err(act, want, n, 0.1);
        ck_assert_msg(e < 1e-6, "%s: activation %d forward differs by %.3g", k->name, f, e);
        /* gradient in place vs the accumulating plain kernel on zeros */
        float *dy = randv(n, 21, 1.0f), *d = malloc(n * sizeof(float)), *wantd = calloc(n, sizeof(float));
        for (int64_t i = 0; i < n; i++) d[i] = dy[i];
        k->act_grad_row((attn_activation)f, d, want_pre, n);
        attn__act_backward((attn_activation)f, wantd, want_pre, dy, n);
        e = attn_test_rel_err(d, wantd, n, 0.1);
        ck_assert_msg(e < 2e-6, "%s: activation %d gradient differs by %.3g", k->name, f, e);
        free(x), free(bias), free(pre), free(act), free(want_pre), free(want), free(dy), free(d), free(wantd);
    }
}
END_TEST

START_TEST(softmax_keep_row_is_softmax_with_dropped_keys_at_minus_infinity)
{
    const int64_t n = 77;
    float *x = randv(n, 3, 8.0f), *got = malloc(n * sizeof(float)), *want = malloc(n * sizeof(float));
    uint8_t keep[77];
    for (int64_t i = 0; i < n; i++) keep[i] = (i % 3) != 1;
    EACH_LEVEL(k) {
    for (int64_t i = 0; i < n; i++) got[i] = x[i];
    k->softmax_keep_row(got, keep, n);
    for (int64_t i = 0; i < n; i++) want[i] = keep[i] ? x[i] : -INFINITY;
    attn__softmax_row(want, want, n);
    ck_assert_double_lt(attn_test_rel_err(got, want, n, 1e-3), 1e-6);
    for (int64_t i = 0; i < n; i++)
        if (!keep[i]) ck_assert_float_eq(got[i], 0.0f);
    /* the masked twin */
    for (int64_t i = 0; i < n; i++) want[i] = x[i];
    attn__softmax_keep_row_plain(want, keep, n);
    ck_assert_double_lt(attn_test_rel_err(got, want, n, 1e-3), 1e-6);
    /* no mask: plain softmax */
    for (int64_t i = 0; i < n; i++) got[i] = x[i];
    k->softmax_keep_row(got, NULL, n);
    attn__softmax_row(want, x, n);
    ck_assert_double_lt(attn_test_rel_err(got, want, n, 1e-3), 1e-6);
    /* one kept key takes all the probability */
    uint8_t one[5] = {0, 0, 1, 0, 0};
    float five[5] = {1e30f, -3.0f, 2.0f, 7.0f, 0.0f};
    k->softmax_keep_row(five, one, 5);
    ck_assert_float_eq(five[2], 1.0f);
    ck_assert_float_eq(five[0], 0.0f);
    }
    free(x), free(got), free(want);
}
END_TEST

START_TEST(softmax_gradient_row_agrees_with_the_plain_kernel)
{
    const int64_t n = 53;
    float *s = randv(n, 4, 3.0f), *p = malloc(n * sizeof(float)), *dy = randv(n, 5, 1.0f);
    float *d = malloc(n * sizeof(float)), *want = calloc(n, sizeof(float));
    attn__softmax_row(p, s, n);
    attn__softmax_row_backward(want, p, dy, n);
    EACH_LEVEL(k) {
        for (int64_t i = 0; i < n; i++) d[i] = dy[i];
        k->softmax_grad_row(d, p, n);
        ck_assert_double_lt(attn_test_rel_err(d, want, n, 1e-3), 1e-6);
    }
    free(s), free(p), free(dy), free(d), free(want);
}
END_TEST

START_TEST(layernorm_rows_match_double_precision)
{
    const int64_t n = 37;
    float *x = randv(n, 7, 2.0f), *w = randv(n, 8, 1.0f), *b = randv(n, 9, 1.0f), *dy = randv(n, 10, 1.0f);
    for (int64_t i = 0; i < n; i++) x[i] += 5.0f;
    EACH_LEVEL(k) {
    float y[37], mean, rstd, dx[37] = {0};
    k->layernorm_row(y, x, w, b, n, 1e-5f, &mean, &rstd);
    k->layernorm_row_backward(dx, x, dy, w, mean, rstd, n);
    /* the plain twins */
    float py[37], pmean, prstd, pdx[37] = {0};
    attn__layernorm_row_plain(py, x, w, b, n, 1e-5f, &pmean, &prstd);
    attn__layernorm_row_backward_plain(pdx, x, dy, w, pmean, prstd, n);
    ck_assert_double_lt(attn_test_rel_err(y, py, n, 1e-3), 1e-6);
    ck_assert_double_lt(attn_test_rel_err(dx, pdx, n, 1e-3), 1e-5);
    double m = 0, v = 0, g = 0, gx = 0;
    for (int64_t i = 0; i < n; i++) m += x[i];
    m /= n;
    for (int64_t i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    v /= n;
    double rs = 1.0 / sqrt(v + 1e-5);
    ck_assert_double_eq_tol(mean, m, 1e-6);
    ck_assert_double_eq_tol(rstd, rs, 1e-6 * rs);
    for (int64_t i = 0; i < n; i++) {
        ck_assert_double_eq_tol(y[i], (x[i] - m) * rs * w[i] + b[i], 1e-5);
        g += dy[i] * w[i];
        gx += dy[i] * w[i] * (x[i] - m) * rs;
    }
    for (int64_t i = 0; i < n; i++) {
        double want = rs * (dy[i] * w[i] - g / n - (x[i] - m) * rs * gx / n);
        ck_assert_double_eq_tol(dx[i], want, 1e-5);
    }
    /* parameter gradients over rows, one column block at a time */
    float mean2[2] = {mean, mean}, rstd2[2] = {rstd, rstd}, dw[37] = {0}, db[37] = {0};
    float xx[74], dd[74];
    for (int64_t i = 0; i < n; i++) xx[i] = xx[n + i] = x[i], dd[i] = dy[i], dd[n + i] = 2.0f * dy[i];
    k->layernorm_param_grad(dw, db, xx, n, dd, n, mean2, rstd2, 2, 0, 20);
    k->layernorm_param_grad(dw, db, xx, n, dd, n, mean2, rstd2, 2, 20, n);
    float pdw[37] = {0}, pdb[37] = {0};
    attn__layernorm_param_grad_plain(pdw, pdb, xx, n, dd, n, mean2, rstd2, 2, 0, n);
    for (int64_t i = 0; i < n; i++) {
        ck_assert_double_eq_tol(db[i], 3.0 * dy[i], 1e-6);
        ck_assert_double_eq_tol(dw[i], 3.0 * dy[i] * (x[i] - m) * rs, 1e-5);
        ck_assert_double_eq_tol(dw[i], pdw[i], 1e-6);
        ck_assert_float_eq(db[i], pdb[i]);
    }
    }
    free(x), free(w), free(b), free(dy);
}
END_TEST

START_TEST(column_sums_are_the_same_on_any_thread_count)
{
    const int64_t rows = 300, cols = 1100, ld = 1103;
    float *a = randv(rows * ld, 12, 1.0f);
    double want[1100] = {0};
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) want[c] += a[r * ld + c];
    float first[1100], plain[1100];
    for (int64_t c = 0; c < cols; c++) plain[c] = 1.0f;
    attn__colsum_add_plain(plain, a, rows, ld, 0, cols);
    for (int32_t t = 1; t <= 3; t++)
    for (int isa = attn__isa_best(); isa >= ATTN_ISA_BASELINE; isa--) {
        attn_ctx *ctx = attn_test_ctx();
        ck_assert_int_eq(attn_ctx_set_int(ctx, ATTN_OPT_THREADS, t), ATTN_OK);
        ck_assert_int_eq(attn_ctx_set_int(ctx, ATTN_OPT_MAX_ISA, isa), ATTN_OK);
        float acc[1100];
        for (int64_t c = 0; c < cols; c++) acc[c] = 1.0f;
        attn__colsum_add_parallel(ctx, acc, a, rows, ld, cols);
        for (int64_t c = 0; c < cols; c++) {
            ck_assert_double_eq_tol(acc[c], want[c] + 1.0, 1e-4);
            /* rows summed in order at every level and thread count: the twin's bits */
            ck_assert_float_eq(acc[c], plain[c]);
            if (t == 1) first[c] = acc[c];
            else ck_assert_float_eq(acc[c], first[c]);
        }
        attn_ctx_destroy(ctx);
    }
    float y[3 * 4], bias[4] = {1, 2, 3, 4};
    attn__bias_fill_rows(y, 4, 3, bias, 4);
    for (int i = 0; i < 12; i++) ck_assert_float_eq(y[i], bias[i % 4]);
    free(a);
}
END_TEST

typedef struct {
    int hits[1000];
} cover;

static void mark(void *arg, int64_t b, int64_t e)
{
    cover *c = arg;
    for (int64_t i = b; i < e; i++) __atomic_add_fetch(&c->hits[i], 1, __ATOMIC_RELAXED);
}

START_TEST(parallel_for_visits_every_item_exactly_once)
{
    for (int32_t t = 1; t <= 5; t++) {
        attn_ctx *ctx = attn_test_ctx();
        ck_assert_int_eq(attn_ctx_set_int(ctx, ATTN_OPT_THREADS, t), ATTN_OK);
        int64_t sizes[4] = {1, 3, 7, 1000};
        for (int s = 0; s < 4; s++) {
            cover c = {{0}};
            attn__parallel_for(ctx, sizes[s], 1 << 20, mark, &c);
            for (int64_t i = 0; i < 1000; i++) ck_assert_int_eq(c.hits[i], i < sizes[s] ? 1 : 0);
            int32_t w = attn__parallel_workers(ctx, sizes[s], 1 << 20);
            ck_assert_int_ge(w, 1);
            ck_assert_int_le(w, t < sizes[s] ? t : sizes[s]);
        }
        /* too little work for a second thread */
        ck_assert_int_eq(attn__parallel_workers(ctx, 10, 1), 1);
        attn_ctx_destroy(ctx);
    }
}
END_TEST

START_TEST(split_gemm_matches_one_blis_call_for_every_transpose_and_thread_count)
{
    /* big enough to split over 3 workers; both shapes: rows split (m >= n) and
     * columns split. Not m = 16 q + 1 with k % 8 != 0 and B transposed: there
     * BLIS 0.9.0's sgemmsup 1x16n kernel reads a row past A (flame/blis
     * PR #824, fixed after 0.9), which valgrind reports. */
    const int64_t dims[2][3] = {{700, 130, 150}, {98, 600, 300}};
    for (int d = 0; d < 2; d++) {
        int64_t m = dims[d][0], n = dims[d][1], k = dims[d][2];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
                float *a = randv((ta ? k : m) * lda, 31, 1.0f), *b = randv((tb ? n : k) * ldb, 32, 1.0f);
                float *want = randv(m * ldc, 33, 1.0f), *got = malloc((size_t)(m * ldc) * sizeof(float));
                memcpy(got, want, (size_t)(m * ldc) * sizeof(float));
                float *c0 = malloc((size_t)(m * ldc) * sizeof(float));
                memcpy(c0, want, (size_t)(m * ldc) * sizeof(float));
                attn__sgemm_rm(attn__kernels_for(ATTN_ISA_BASELINE), 1, ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 1.0f, want,
                               ldc);
                float *plain = malloc((size_t)(m * ldc) * sizeof(float));
                memcpy(plain, c0, (size_t)(m * ldc) * sizeof(float));
                attn__sgemm_plain(ta, tb, m, n, k, 0.5f, a, lda, 1, b, ldb, 1, 1.0f, plain, ldc, 1);
                ck_assert_double_lt(attn_test_rel_err(plain, want, m * ldc, 1e-3), 1e-5);
                free(plain);
                for (int32_t t = 1; t <= 3; t++) {
                    attn_ctx *ctx = attn_test_ctx();
                    ck_assert_int_eq(attn_ctx_set_int(ctx, ATTN_OPT_THREADS, t), ATTN_OK);
                    memcpy(got, c0, (size_t)(m * ldc) * sizeof(float));
                    attn__gemm(ctx, ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 1.0f, got, ldc);
                    /* the padding between rows stays untouched too */
                    double e = attn_test_rel_err(got, want, m * ldc, 1e-3);
                    ck_assert_msg(e < 1e-6, "m %lld n %lld ta %d tb %d threads %d: error %.3g", (long long)m, (long long)n,
                                  ta, tb, t, e);
                    attn_ctx_destroy(ctx);
                }
                free(a), free(b), free(want), free(got), free(c0);
            }
    }
}
END_TEST

/* C = alpha op(A) op(B) + beta C in double, op(A)[i,k] = a[i*ra + k*ca], op(B)[k,j] = b[k*rb + j*cb]. */
static void gemm_ref(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t ra, int64_t ca,
                     const float *b, int64_t rb, int64_t cb, float beta, float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0.0;
            for (int64_t kk = 0; kk < k; kk++) s += (double)a[i * ra + kk * ca] * b[kk * rb + j * cb];
            c[i * ldc + j] = (float)(alpha * s + (beta == 0.0f ? 0.0 : (double)beta * c[i * ldc + j]));
        }
}

START_TEST(small_gemm_kernels_match_double_precision_on_ragged_shapes)
{
    const int64_t ms[4] = {1, 4, 5, 17}, ns[5] = {1, 17, 64, 65, 130}, ks[4] = {1, 16, 33, 70};
    float *a = randv(17 * 75 * 2, 61, 1.0f), *b = randv(130 * 75 * 2, 62, 1.0f), *want = malloc(17 * 133 * sizeof(float));
    float *got = malloc(17 * 133 * sizeof(float)), *c0 = randv(17 * 133, 63, 1.0f);
    float *plain = malloc(17 * 133 * sizeof(float));
    EACH_LEVEL(kern)
    for (int im = 0; im < 4; im++)
        for (int in = 0; in < 5; in++)
            for (int ik = 0; ik < 4; ik++)
                for (int form = 0; form < 3; form++)
                    for (int bz = 0; bz < 2; bz++) {
                        int64_t m = ms[im], n = ns[in], k = ks[ik], ldc = n + 3;
                        float beta = bz ? 0.5f : 0.0f;
                        for (int64_t i = 0; i < m * ldc; i++) want[i] = got[i] = plain[i] = bz ? c0[i] : NAN;
                        if (form == 0) { /* dot: A [m, k] (lda k + 2), B [n, k] (ldb k + 1) */
                            gemm_ref(m, n, k, 0.7f, a, k + 2, 1, b, 1, k + 1, beta, want, ldc);
                            attn__sgemm_plain(0, 0, m, n, k, 0.7f, a, k + 2, 1, b, 1, k + 1, beta, plain, ldc, 1);
                            kern->sgemm_small_dot(m, n, k, 0.7f, a, k + 2, b, k + 1, beta, got, ldc);
                        } else { /* axpy: A [m, k] or A^T stored [k, m]; B [k, n] (ldb n + 4) */
                            int64_t ra = form == 1 ? k + 2 : 1, ca = form == 1 ? 1 : m + 2;
                            gemm_ref(m, n, k, 0.7f, a, ra, ca, b, n + 4, 1, beta, want, ldc);
                            attn__sgemm_plain(0, 0, m, n, k, 0.7f, a, ra, ca, b, n + 4, 1, beta, plain, ldc, 1);
                            kern->sgemm_small_axpy(m, n, k, 0.7f, a, ra, ca, b, n + 4, beta, got, ldc);
                        }
                        for (int64_t i = 0; i < m; i++)
                            for (int64_t j = 0; j < ldc; j++) {
                                float w = want[i * ldc + j], g = got[i * ldc + j], p = plain[i * ldc + j];
                                if (j >= n) { /* the gap between rows is never written */
                                    ck_assert(bz ? g == w : isnan(g));
                                    continue;
                                }
                                ck_assert_msg(fabsf(g - w) <= 1e-5f * (1.0f + fabsf(w)),
                                              "%s form %d m %lld n %lld k %lld beta %g: C[%lld,%lld] = %g, want %g",
                                              kern->name, form, (long long)m, (long long)n, (long long)k, (double)beta,
                                              (long long)i, (long long)j, (double)g, (double)w);
                                ck_assert_msg(fabsf(g - p) <= 2e-5f * (1.0f + fabsf(w)),
                                              "%s form %d: C[%lld,%lld] = %g, the plain twin %g", kern->name, form,
                                              (long long)i, (long long)j, (double)g, (double)p);
                            }
                    }
    /* equal rows of A give equal rows of C, bit for bit, wherever they sit in a tile */
    float rows[13 * 40], out[13 * 50];
    for (int r = 0; r < 13; r++)
        for (int kk = 0; kk < 40; kk++) rows[r * 40 + kk] = a[kk];
    EACH_LEVEL(kern) {
        kern->sgemm_small_dot(13, 50, 40, 1.0f, rows, 40, b, 40, 0.0f, out, 50);
        for (int r = 1; r < 13; r++) ck_assert_int_eq(memcmp(out, out + r * 50, 50 * sizeof(float)), 0);
        kern->sgemm_small_axpy(13, 50, 40, 1.0f, rows, 40, 1, b, 50, 0.0f, out, 50);
        for (int r = 1; r < 13; r++) ck_assert_int_eq(memcmp(out, out + r * 50, 50 * sizeof(float)), 0);
    }
    free(a), free(b), free(want), free(got), free(c0), free(plain);
}
END_TEST

START_TEST(block_transpose_moves_every_element_on_ragged_shapes)
{
    const int64_t dims[6] = {1, 5, 16, 17, 33, 48};
    float *src = randv(48 * 53, 71, 1.0f), *dst = malloc(48 * 51 * sizeof(float));
    EACH_LEVEL(kern)
    for (int ir = 0; ir < 6; ir++)
        for (int ic = 0; ic < 6; ic++) {
            int64_t rows = dims[ir], cols = dims[ic], lds = cols + 5, ldd = rows + 3;
            for (int64_t i = 0; i < 48 * 51; i++) dst[i] = NAN;
            kern->transpose(rows, cols, src, lds, dst, ldd);
            for (int64_t c = 0; c < cols; c++)
                for (int64_t r = 0; r < ldd; r++)
                    if (r < rows) ck_assert_float_eq(dst[c * ldd + r], src[r * lds + c]);
                    else ck_assert(isnan(dst[c * ldd + r])); /* the gap between rows is never written */
        }
    free(src), free(dst);
}
END_TEST

START_TEST(dropout_rows_keep_exactly_where_the_rng_says)
{
    const int64_t n = 4000;
    float *x = randv(n, 2, 1.0f), y[4000], dx[4000];
    const float p = 0.25f, scale = 1.0f / 0.75f;
    float *py = malloc(n * sizeof(float)), *pdx = malloc(n * sizeof(float));
    attn__dropout_row_plain(py, x, n, 42, 1000, p, scale);
    EACH_LEVEL(k) {
    k->dropout_row(y, x, n, 42, 1000, p, scale);
    ck_assert_int_eq(memcmp(y, py, n * sizeof(float)), 0);
    int64_t kept = 0;
    for (int64_t i = 0; i < n; i++) {
        int keep = attn__rng_uniform(42, 1000 + (uint64_t)i) >= p;
        kept += keep;
        ck_assert_float_eq(y[i], keep ? x[i] * scale : 0.0f);
        dx[i] = 1.0f;
    }
    ck_assert_int_gt(kept, 0);
    ck_assert_int_lt(kept, n);
    for (int64_t i = 0; i < n; i++) pdx[i] = 1.0f;
    k->dropout_row_backward(dx, x, n, 42, 1000, p, scale, 1);
    attn__dropout_row_backward_plain(pdx, x, n, 42, 1000, p, scale, 1);
    ck_assert_int_eq(memcmp(dx, pdx, n * sizeof(float)), 0);
    for (int64_t i = 0; i < n; i++) ck_assert_float_eq(dx[i], 1.0f + y[i]);
    k->dropout_row_backward(dx, x, n, 42, 1000, p, scale, 0);
    for (int64_t i = 0; i < n; i++) ck_assert_float_eq(dx[i], y[i]);
    }
    free(x), free(py), free(pdx);
}
END_TEST

START_TEST(bias_rows_agree_with_the_plain_kernel_bit_for_bit)
{
    const int64_t rows = 5, cols = 37, ld = 41;
    float *bias = randv(cols, 81, 1.0f), *y0 = randv(rows * ld, 82, 1.0f);
    float *y = malloc(rows * ld * sizeof(float)), *want = malloc(rows * ld * sizeof(float));
    memcpy(want, y0, rows * ld * sizeof(float));
    attn__bias_add_rows_plain(want, ld, rows, bias, cols);
    EACH_LEVEL(k) {
        memcpy(y, y0, rows * ld * sizeof(float));
        k->bias_add_rows(y, ld, rows, bias, cols);
        ck_assert_int_eq(memcmp(y, want, rows * ld * sizeof(float)), 0);
    }
    free(bias), free(y0), free(y), free(want);
}
END_TEST

/* Adam's three variants (plain, coupled decay, amsgrad with decoupled
 * shrink): every level gives the plain twin's bits, any split of the range too. */
START_TEST(adam_update_agrees_with_the_plain_kernel_bit_for_bit)
{
    const int64_t n = 1000;
    float *theta0 = randv(n, 91, 1.0f), *grad = randv(n, 92, 0.1f), *m0 = randv(n, 93, 0.01f), *v0 = randv(n, 94, 1.0f);
    for (int64_t i = 0; i < n; i++) v0[i] = v0[i] * v0[i] * 1e-4f;
    float *st[2][4];
    for (int w = 0; w < 2; w++)
        for (int a = 0; a < 4; a++) st[w][a] = malloc(n * sizeof(float));
    for (int variant = 0; variant < 3; variant++) {
        EACH_LEVEL(k) {
            attn__adam_args args[2];
            for (int w = 0; w < 2; w++) {
                memcpy(st[w][0], theta0, n * sizeof(float));
                memcpy(st[w][1], m0, n * sizeof(float));
                memcpy(st[w][2], v0, n * sizeof(float));
                memcpy(st[w][3], v0, n * sizeof(float));
                args[w] = (attn__adam_args){.theta = st[w][0], .m = st[w][1], .v = st[w][2],
                                            .vmax = variant == 2 ? st[w][3] : NULL, .grad = grad,
                                            .neg_step = -1e-3f / 0.1f, .bias2_sqrt = 0.0316f, .b1 = 0.9f,
                                            .one_m_b1 = 0.1f, .b2 = 0.999f, .one_m_b2 = 0.001f, .eps = 1e-8f,
                                            .wd = variant == 1 ? 0.01f : 0.0f,
                                            .shrink = variant == 2 ? 1.0f - 1e-5f : 1.0f, .decay = variant == 1};
            }
            attn__adam_update_plain(&args[0], 0, n);
            k->adam_update(&args[1], 0, 333);
            k->adam_update(&args[1], 333, n);
            for (int a = 0; a < 4; a++)
                ck_assert_msg(memcmp(st[0][a], st[1][a], n * sizeof(float)) == 0, "%s variant %d array %d differs",
                              k->name, variant, a);
        }
    }
    for (int w = 0; w < 2; w++)
        for (int a = 0; a < 4; a++) free(st[w][a]);
    free(theta0), free(grad), free(m0), free(v0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compute/kernels");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, vector_exp_is_within_three_ulp_and_flushes_underflow_to_zero);
    tcase_add_test(tc, vector_erf_is_within_2e_7_and_saturates);
    tcase_add_test(tc, scaled_erfc_is_within_4e_7_relative_and_clamps_at_4);
    tcase_add_test(tc, gelu_rows_match_double_precision_and_keep_nan);
    tcase_add_test(tc, activation_rows_agree_with_the_plain_kernels);
    tcase_add_test(tc, softmax_keep_row_is_softmax_with_dropped_keys_at_minus_infinity);
    tcase_add_test(tc, softmax_gradient_row_agrees_with_the_plain_kernel);
    tcase_add_test(tc, layernorm_rows_match_double_precision);
    tcase_add_test(tc, column_sums_are_the_same_on_any_thread_count);
    tcase_add_test(tc, parallel_for_visits_every_item_exactly_once);
    tcase_add_test(tc, split_gemm_matches_one_blis_call_for_every_transpose_and_thread_count);
    tcase_add_test(tc, small_gemm_kernels_match_double_precision_on_ragged_shapes);
    tcase_add_test(tc, block_transpose_moves_every_element_on_ragged_shapes);
    tcase_add_test(tc, dropout_rows_keep_exactly_where_the_rng_says);
    tcase_add_test(tc, bias_rows_agree_with_the_plain_kernel_bit_for_bit);
    tcase_add_test(tc, adam_update_agrees_with_the_plain_kernel_bit_for_bit);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
