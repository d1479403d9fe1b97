/* Numerical safety through the whole model: with ATTN_OPT_CHECK_FINITE a
 * NaN stops training with ATTN_ERR_NUMERIC before any weight is touched,
 * and the message says where; a fully masked row never produces a NaN,
 * whether padding is skipped or computed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_common.h"
#include "tiny_training.h"

static uint64_t hash_params(attn_ctx *ctx, attn_model *m)
{
    uint64_t h = 1469598103934665603ULL;
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *v;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, NULL));
        const unsigned char *p = (const unsigned char *)attn_tensor_data_f32(v);
        for (size_t k = 0; k < (size_t)attn_tensor_numel(v) * sizeof(float); k++) h = (h ^ p[k]) * 1099511628211ULL;
    }
    return h;
}

static int all_finite(attn_tensor *t)
{
    const float *p = attn_tensor_data_f32(t);
    for (int64_t i = 0; i < attn_tensor_numel(t); i++)
        if (!isfinite(p[i])) return 0;
    return 1;
}

static float *param_data(attn_ctx *ctx, attn_model *m, const char *name, int grad)
{
    attn_tensor *v = NULL, *g = NULL;
    ATTN_ASSERT_OK(ctx, attn_model_find_param(m, name, &v, &g));
    return attn_tensor_data_f32(grad ? g : v);
}

#define QUERY "bert.encoder.layer.1.attention.self.query.weight"
#define OUTPUT "bert.encoder.layer.0.output.dense.weight"

START_TEST(a_nan_weight_stops_training_before_any_update)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1));
    tiny_training t;
    ATTN_ASSERT_OK(ctx, tiny_open(ctx, NULL, &t));
    ATTN_ASSERT_OK(ctx, tiny_train_step(&t, NULL));
    param_data(ctx, t.model, QUERY, 0)[7] = NAN;
    uint64_t before = hash_params(ctx, t.model);
    int64_t step_before, step_after;
    ATTN_ASSERT_OK(ctx, attn_optim_get_step(t.opt, &step_before));

    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, tiny_train_step(&t, NULL));
    const char *msg = attn_ctx_last_error(ctx);
    ck_assert_msg(strstr(msg, "NaN") && strstr(msg, QUERY),
                  "the message does not name the parameter and the NaN: \"%s\"", msg);
    ck_assert_msg(hash_params(ctx, t.model) == before, "a weight changed after the NaN was found");
    ATTN_ASSERT_OK(ctx, attn_optim_get_step(t.opt, &step_after));
    ck_assert_int_eq(step_after, step_before);
    tiny_close(&t);
    attn_ctx_destroy(ctx);
}
END_TEST

/* issue 13: NaN weights gave NaN outputs and exit status 0 at inference;
 * the switch of training now covers an eval-mode forward too */
START_TEST(a_nan_weight_stops_inference_when_the_check_is_on)
{
    attn_ctx *ctx = attn_test_ctx();
    tiny_training t;
    ATTN_ASSERT_OK(ctx, tiny_open(ctx, NULL, &t));
    float logits[3 * TINY_LABELS];
    ATTN_ASSERT_OK(ctx, tiny_infer(&t, logits));
    param_data(ctx, t.model, QUERY, 0)[7] = NAN;
    /* off (the default): the NaN reaches the logits and the call succeeds */
    ATTN_ASSERT_OK(ctx, tiny_infer(&t, logits));
    ck_assert(isnan(logits[0]));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, tiny_infer(&t, logits));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "attn_model_forward: logits[0, 0] is NaN (ATTN_OPT_CHECK_FINITE is on)");
    ck_assert_ptr_null(attn_model_output(t.model, ATTN_OUT_LOGITS)); /* no output to read by mistake */
    tiny_close(&t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_nan_gradient_is_refused_by_the_optimizer_naming_the_parameter)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_CHECK_FINITE, 1));
    tiny_training t;
    ATTN_ASSERT_OK(ctx, tiny_open(ctx, NULL, &t));
    ATTN_ASSERT_OK(ctx, attn_model_forward(t.model, t.ids, t.types, t.mask));
    ATTN_ASSERT_OK(ctx, attn_model_loss_backward(t.model, t.labels, NULL));
    /* what an overflow in a backward pass would leave behind */
    param_data(ctx, t.model, OUTPUT, 1)[3] = INFINITY;
    uint64_t before = hash_params(ctx, t.model);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NUMERIC, attn_optim_step(t.opt));
    ck_assert_msg(strstr(attn_ctx_last_error(ctx), OUTPUT) != NULL, "the message does not name " OUTPUT ": \"%s\"",
                  attn_ctx_last_error(ctx));
    ck_assert_msg(hash_params(ctx, t.model) == before, "a weight changed although the step was refused");
    tiny_close(&t);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(without_the_check_a_nan_weight_spreads_silently)
{
    /* the reason the option exists: off (the default), nothing stops it */
    attn_ctx *ctx = attn_test_ctx();
    tiny_training t;
    ATTN_ASSERT_OK(ctx, tiny_open(ctx, NULL, &t));
    param_data(ctx, t.model, QUERY, 0)[7] = NAN;
    float loss = 0.0f;
    ATTN_ASSERT_OK(ctx, tiny_train_step(&t, &loss));
    ck_assert_msg(isnan(loss), "loss %g with a NaN weight", loss);
    tiny_close(&t);
    attn_ctx_destroy(ctx);
}
END_TEST

/* A batch whose row 1 is all padding (mask all zero) and row 2 half. */
static void masked_batch(attn_ctx *ctx, attn_tensor **ids, attn_tensor **mask, attn_tensor **labels)
{
    static const int32_t idv[3 * 6] = {2, 11, 12, 13, 14, 3, 0, 0, 0, 0, 0, 0, 2, 21, 3, 0, 0, 0};
    static const int32_t maskv[3 * 6] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0};
    static const int32_t labelv[3] = {0, 1, 2};
    const int64_t bt[2] = {3, 6}, b[1] = {3};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, bt, ids));
    ATTN_ASSERT_OK(ctx, attn_tensor_write(*ids, ATTN_I32, idv, sizeof idv));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, bt, mask));
    ATTN_ASSERT_OK(ctx, attn_tensor_write(*mask, ATTN_I32, maskv, sizeof maskv));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, b, labels));
    ATTN_ASSERT_OK(ctx, attn_tensor_write(*labels, ATTN_I32, labelv, sizeof labelv));
}

START_TEST(a_fully_masked_row_gives_no_nan_anywhere)
{
    for (int skip = 0; skip <= 1; skip++)
        for (int training = 0; training <= 1; training++) {
            attn_ctx *ctx = attn_test_ctx();
            tiny_training t;
            ATTN_ASSERT_OK(ctx, tiny_open(ctx, NULL, &t));
            attn_tensor *ids, *mask, *labels;
            masked_batch(ctx, &ids, &mask, &labels);
            ATTN_ASSERT_OK(ctx, attn_model_set_int(t.model, ATTN_MODEL_OPT_SKIP_PADDING, skip));
            ATTN_ASSERT_OK(ctx, attn_model_set_training(t.model, training));
            ATTN_ASSERT_OK(ctx, attn_model_forward(t.model, ids, NULL, mask));
            ck_assert_msg(all_finite(attn_model_output(t.model, ATTN_OUT_LAST_HIDDEN)), "hidden states (skip %d, training %d)",
                          skip, training);
            ck_assert_msg(all_finite(attn_model_output(t.model, ATTN_OUT_POOLED)), "pooled (skip %d, training %d)", skip,
                          training);
            ck_assert_msg(all_finite(attn_model_output(t.model, ATTN_OUT_LOGITS)), "logits (skip %d, training %d)", skip,
                          training);
            float loss;
            ATTN_ASSERT_OK(ctx, attn_model_loss_backward(t.model, labels, &loss));
            ck_assert_msg(isfinite(loss), "loss %g (skip %d, training %d)", loss, skip, training);
            for (int32_t i = 0; i < attn_model_param_count(t.model); i++) {
                const char *name;
                attn_tensor *g;
                ATTN_ASSERT_OK(ctx, attn_model_param(t.model, i, &name, NULL, &g));
                ck_assert_msg(all_finite(g), "gradient of %s (skip %d, training %d)", name, skip, training);
            }
            ATTN_ASSERT_OK(ctx, attn_optim_step(t.opt));
            attn_tensor_destroy(ids);
            attn_tensor_destroy(mask);
            attn_tensor_destroy(labels);
            tiny_close(&t);
            attn_ctx_destroy(ctx);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("numerics");
    TCase *tc = tcase_create("numerics");
    tcase_add_test(tc, a_nan_weight_stops_training_before_any_update);
    tcase_add_test(tc, a_nan_weight_stops_inference_when_the_check_is_on);
    tcase_add_test(tc, a_nan_gradient_is_refused_by_the_optimizer_naming_the_parameter);
    tcase_add_test(tc, without_the_check_a_nan_weight_spreads_silently);
    tcase_add_test(tc, a_fully_masked_row_gives_no_nan_anywhere);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
