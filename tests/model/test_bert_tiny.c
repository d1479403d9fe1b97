/* The BERT builder against Hugging Face: tiny_a's outputs, gradients and one
 * AdamW step, as BertForSequenceClassification computed them
 * (tests/data/hf-bert-tiny/tiny_a.expected.safetensors). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

typedef struct {
    attn_ctx *ctx;
    attn_model *model;
    attn_safetensors *expected;
    attn_tensor *ids, *types, *mask, *labels;
} fixture;

static attn_tensor *load(fixture *f, const char *name, attn_dtype dt)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(f->ctx, attn_safetensors_load(f->expected, name, dt, &t));
    return t;
}

static void setup(fixture *f, int skip_padding)
{
    f->ctx = attn_test_ctx();
    ATTN_ASSERT_OK(f->ctx, attn_bert_load(f->ctx, attn_test_data("hf-bert-tiny/tiny_a.safetensors"),
                                          attn_test_data("hf-bert-tiny/tiny_a.config.json"), &f->model));
    ATTN_ASSERT_OK(f->ctx, attn_model_set_int(f->model, ATTN_MODEL_OPT_SKIP_PADDING, skip_padding));
    ATTN_ASSERT_OK(f->ctx, attn_safetensors_open(f->ctx, attn_test_data("hf-bert-tiny/tiny_a.expected.safetensors"), &f->expected));
    f->ids = load(f, "input_ids", ATTN_I64);
    f->types = load(f, "token_type_ids", ATTN_I64);
    f->mask = load(f, "attention_mask", ATTN_I64);
    f->labels = load(f, "labels", ATTN_I64);
}

static void teardown(fixture *f)
{
    attn_tensor_destroy(f->ids);
    attn_tensor_destroy(f->types);
    attn_tensor_destroy(f->mask);
    attn_tensor_destroy(f->labels);
    attn_safetensors_close(f->expected);
    attn_model_destroy(f->model);
    int64_t in_use;
    attn_ctx_get_int(f->ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(f->ctx);
}

/* max |a - b| relative to max(|b|_inf, floor) */
static double compare(fixture *f, attn_tensor *got, const char *name, double floor)
{
    attn_tensor *want = load(f, name, ATTN_F32);
    ck_assert_int_eq(attn_tensor_numel(got), attn_tensor_numel(want));
    int64_t n = attn_tensor_numel(want);
    float *g = malloc((size_t)n * sizeof(float));
    ATTN_ASSERT_OK(f->ctx, attn_tensor_read(got, ATTN_F32, g, (size_t)n * sizeof(float)));
    double err = attn_test_rel_err(g, attn_tensor_data_f32(want), n, floor);
    free(g);
    attn_tensor_destroy(want);
    return err;
}

START_TEST(forward_matches_hugging_face)
{
    fixture f;
    setup(&f, 0);
    ATTN_ASSERT_OK(f.ctx, attn_model_forward(f.model, f.ids, f.types, f.mask));
    double e1 = compare(&f, attn_model_output(f.model, ATTN_OUT_LAST_HIDDEN), "last_hidden_state", 1e-6);
    double e2 = compare(&f, attn_model_output(f.model, ATTN_OUT_POOLED), "pooler_output", 1e-6);
    double e3 = compare(&f, attn_model_output(f.model, ATTN_OUT_LOGITS), "logits", 1e-6);
    ck_assert_msg(e1 < 1e-5, "last_hidden_state error %g", e1);
    ck_assert_msg(e2 < 1e-5, "pooler_output error %g", e2);
    ck_assert_msg(e3 < 1e-5, "logits error %g", e3);
    float loss;
    ATTN_ASSERT_OK(f.ctx, attn_model_loss(f.model, f.labels, &loss));
    attn_tensor *want = load(&f, "loss", ATTN_F32);
    ck_assert_double_eq_tol(loss, attn_tensor_data_f32(want)[0], 1e-5 * fabs(attn_tensor_data_f32(want)[0]));
    attn_tensor_destroy(want);
    teardown(&f);
}
END_TEST

START_TEST(skipping_padding_changes_no_real_output)
{
    fixture f;
    setup(&f, 1);
    ATTN_ASSERT_OK(f.ctx, attn_model_forward(f.model, f.ids, f.types, f.mask));
    ck_assert_double_lt(compare(&f, attn_model_output(f.model, ATTN_OUT_POOLED), "pooler_output", 1e-6), 1e-5);
    ck_assert_double_lt(compare(&f, attn_model_output(f.model, ATTN_OUT_LOGITS), "logits", 1e-6), 1e-5);
    /* real tokens' hidden states agree; padded rows are zero */
    attn_tensor *got = attn_model_output(f.model, ATTN_OUT_LAST_HIDDEN), *want = load(&f, "last_hidden_state", ATTN_F32);
    int64_t B = attn_tensor_dim(got, 0), T = attn_tensor_dim(got, 1), H = attn_tensor_dim(got, 2);
    const int64_t *mask = attn_tensor_data(f.mask);
    const float *g = attn_tensor_data_f32(got), *w = attn_tensor_data_f32(want);
    int padded = 0;
    for (int64_t r = 0; r < B * T; r++) {
        for (int64_t j = 0; j < H; j++) {
            if (mask[r]) ck_assert_float_eq_tol(g[r * H + j], w[r * H + j], 1e-4f);
            else ck_assert_float_eq(g[r * H + j], 0.0f);
        }
        padded += !mask[r];
    }
    ck_assert_int_gt(padded, 0);
    attn_tensor_destroy(want);
    teardown(&f);
}
END_TEST

/* Compares t with "<prefix>.<name>" of the expected file; for the word
 * embeddings only the rows the batch touched are stored ("...rows"). */
static void check_param(fixture *f, const char *prefix, const char *name, attn_tensor *t, attn_tensor *rows, double tol)
{
    char key[256];
    if (!strstr(name, "word_embeddings")) {
        snprintf(key, sizeof key, "%s.%s", prefix, name);
        double e = compare(f, t, key, 1e-3);
        ck_assert_msg(e < tol, "%s: error %g", key, e);
        return;
    }
    const int64_t *row_ids = attn_tensor_data(rows);
    int64_t nrows = attn_tensor_numel(rows), H = attn_tensor_dim(t, 1), shape[2] = {nrows, H};
    attn_tensor *sub;
    ATTN_ASSERT_OK(f->ctx, attn_tensor_create(f->ctx, ATTN_F32, 2, shape, &sub));
    for (int64_t r = 0; r < nrows; r++)
        memcpy(attn_tensor_data_f32(sub) + r * H, attn_tensor_data_f32(t) + row_ids[r] * H, (size_t)H * sizeof(float));
    snprintf(key, sizeof key, "%s.%s.rows", prefix, name);
    double e = compare(f, sub, key, 1e-3);
    ck_assert_msg(e < tol, "%s: error %g", key, e);
    attn_tensor_destroy(sub);
}

START_TEST(gradients_and_adamw_step_match_hugging_face)
{
    fixture f;
    setup(&f, 1);
    ATTN_ASSERT_OK(f.ctx, attn_model_zero_grad(f.model));
    ATTN_ASSERT_OK(f.ctx, attn_model_forward(f.model, f.ids, f.types, f.mask));
    float loss;
    ATTN_ASSERT_OK(f.ctx, attn_model_loss_backward(f.model, f.labels, &loss));
    attn_tensor *rows = load(&f, "grad_rows_ids", ATTN_I64);
    int checked = 0;
    for (int32_t i = 0; i < attn_model_param_count(f.model); i++) {
        const char *name;
        attn_tensor *grad;
        ATTN_ASSERT_OK(f.ctx, attn_model_param(f.model, i, &name, NULL, &grad));
        check_param(&f, "grad", name, grad, rows, 1e-4);
        checked++;
    }
    ck_assert_int_eq(checked, 41);

    /* one plain AdamW step over every parameter, as the reference did */
    attn_optim_opts o = attn_test_adamw(1e-3, 1e-6, 0.01);
    attn_optim *opt;
    ATTN_ASSERT_OK(f.ctx, attn_optim_create(f.ctx, &o, &opt));
    ATTN_ASSERT_OK(f.ctx, attn_model_add_to_optim(f.model, opt, 0, 0));
    ATTN_ASSERT_OK(f.ctx, attn_optim_step(opt));
    for (int32_t i = 0; i < attn_model_param_count(f.model); i++) {
        const char *name;
        attn_tensor *value;
        ATTN_ASSERT_OK(f.ctx, attn_model_param(f.model, i, &name, &value, NULL));
        check_param(&f, "adamw1", name, value, rows, 2e-4);
    }
    attn_optim_destroy(opt);
    attn_tensor_destroy(rows);
    teardown(&f);
}
END_TEST

START_TEST(save_then_load_is_bit_identical)
{
    fixture f;
    setup(&f, 1);
    ATTN_ASSERT_OK(f.ctx, attn_model_forward(f.model, f.ids, f.types, f.mask));
    float before[12];
    ATTN_ASSERT_OK(f.ctx, attn_tensor_read(attn_model_output(f.model, ATTN_OUT_LOGITS), ATTN_F32, before, sizeof before));
    char path[512], cfg_path[512];
    const char *dir = attn_test_tmpdir();
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    snprintf(cfg_path, sizeof cfg_path, "%s/config.json", dir);
    ATTN_ASSERT_OK(f.ctx, attn_model_save(f.model, path));
    const char *labels[3] = {"neg", "neutral", "pos"};
    ATTN_ASSERT_OK(f.ctx, attn_bert_config_save(f.ctx, attn_model_config(f.model), labels, cfg_path));
    attn_model *again;
    ATTN_ASSERT_OK(f.ctx, attn_bert_load(f.ctx, path, cfg_path, &again));
    ATTN_ASSERT_OK(f.ctx, attn_model_forward(again, f.ids, f.types, f.mask));
    float after[12];
    ATTN_ASSERT_OK(f.ctx, attn_tensor_read(attn_model_output(again, ATTN_OUT_LOGITS), ATTN_F32, after, sizeof after));
    ck_assert_int_eq(memcmp(before, after, sizeof before), 0);
    char name[32];
    ATTN_ASSERT_OK(f.ctx, attn_bert_config_label(f.ctx, cfg_path, 2, name, sizeof name));
    ck_assert_str_eq(name, "pos");
    ATTN_ASSERT_FAILS(f.ctx, ATTN_ERR_NOT_FOUND, attn_bert_config_label(f.ctx, cfg_path, 3, name, sizeof name));
    /* a reader that knows only HF naming accepts the file */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s %s %s", attn_test_python(), attn_test_src("tests/model/hf_names_check.py"), path,
             attn_test_data("hf-bert-tiny/tiny_a.safetensors"));
    ck_assert_int_eq(system(cmd), 0);
    attn_model_destroy(again);
    teardown(&f);
}
END_TEST

START_TEST(bad_inputs_are_rejected_with_a_message)
{
    fixture f;
    setup(&f, 1);
    attn_ctx *ctx = f.ctx;
    int64_t shape[2] = {2, 3};
    attn_tensor *ids, *fl;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &ids));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, shape, &fl));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_loss_backward(f.model, f.labels, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_model_forward(f.model, fl, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_model_forward(f.model, ids, f.types, NULL));
    attn_tensor_data_f32(fl)[0] = 0;
    ((int32_t *)attn_tensor_data(ids))[4] = 30522;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_model_forward(f.model, ids, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "input_ids[1][1]"));
    ((int32_t *)attn_tensor_data(ids))[4] = 5;
    ATTN_ASSERT_OK(ctx, attn_model_forward(f.model, ids, NULL, NULL));
    int64_t lshape[1] = {2};
    attn_tensor *labels;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I64, 1, lshape, &labels));
    ((int64_t *)attn_tensor_data(labels))[1] = 7;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_model_loss_backward(f.model, labels, NULL));
    attn_model *m2 = NULL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_bert_load(ctx, "/nonexistent.safetensors", attn_test_data("hf-bert-tiny/tiny_a.config.json"), &m2));
    ck_assert_ptr_null(m2);
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    cfg.num_heads = 5;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_bert_create(ctx, &cfg, &m2));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "multiple of num_heads"));
    attn_bert_config_init(&cfg);
    cfg.struct_size = 8;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_bert_create(ctx, &cfg, &m2));
    attn_tensor_destroy(labels);
    attn_tensor_destroy(ids);
    attn_tensor_destroy(fl);
    teardown(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bert_tiny");
    TCase *tc = tcase_create("bert_tiny");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, forward_matches_hugging_face);
    tcase_add_test(tc, skipping_padding_changes_no_real_output);
    tcase_add_test(tc, gradients_and_adamw_step_match_hugging_face);
    tcase_add_test(tc, save_then_load_is_bit_identical);
    tcase_add_test(tc, bad_inputs_are_rejected_with_a_message);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
