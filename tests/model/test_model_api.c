/* The model builder's variants and API beyond Hugging Face parity:
 * gradients of pre-LN / mean-pooling / regression / multi-label models by
 * finite differences, custom-loss backward, training checkpoints that
 * resume bit for bit, options and config errors. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

static attn_bert_config tiny_config(void)
{
    attn_bert_config c;
    attn_bert_config_init(&c);
    c.vocab_size = 50;
    c.hidden_size = 8;
    c.num_layers = 2;
    c.num_heads = 2;
    c.intermediate_size = 16;
    c.max_position_embeddings = 16;
    c.initializer_range = 0.3f;
    c.num_labels = 3;
    c.hidden_dropout = 0.0f;
    c.attention_dropout = 0.0f;
    return c;
}

typedef struct {
    attn_tensor *ids, *types, *mask, *labels;
} batch;

static batch make_batch(attn_ctx *ctx, const attn_bert_config *c)
{
    batch b;
    int64_t shape[2] = {3, 6}, lshape[2] = {3, c->num_labels};
    int32_t ids[18] = {1, 5, 9, 13, 2, 0, 1, 7, 7, 2, 0, 0, 1, 3, 4, 5, 6, 2};
    int32_t types[18] = {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    int32_t mask[18] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &b.ids));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &b.types));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &b.mask));
    attn_tensor_write(b.ids, ATTN_I32, ids, sizeof ids);
    attn_tensor_write(b.types, ATTN_I32, types, sizeof types);
    attn_tensor_write(b.mask, ATTN_I32, mask, sizeof mask);
    if (c->problem_type == ATTN_PROBLEM_SINGLE_LABEL) {
        int32_t l[3] = {2, 0, 1};
        ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, lshape, &b.labels));
        attn_tensor_write(b.labels, ATTN_I32, l, sizeof l);
    } else if (c->problem_type == ATTN_PROBLEM_REGRESSION) {
        float l[3] = {0.5f, -1.0f, 2.0f};
        ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, lshape, &b.labels));
        attn_tensor_write(b.labels, ATTN_F32, l, sizeof l);
    } else {
        ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, lshape, &b.labels));
        float *l = attn_tensor_data_f32(b.labels);
        for (int i = 0; i < 3 * c->num_labels; i++) l[i] = (float)((i * 7) % 3 == 0);
    }
    return b;
}

static void free_batch(batch *b)
{
    attn_tensor_destroy(b->ids);
    attn_tensor_destroy(b->types);
    attn_tensor_destroy(b->mask);
    attn_tensor_destroy(b->labels);
}

static double loss_at(attn_ctx *ctx, attn_model *m, const batch *b)
{
    float loss;
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b->ids, b->types, b->mask));
    ATTN_ASSERT_OK(ctx, attn_model_loss(m, b->labels, &loss));
    return loss;
}

/* The directional derivative along a random direction d over every
 * parameter: (L(p + h d) - L(p - h d)) / 2h against sum(grad * d). */
static void check_gradients(attn_bert_config c, const char *what)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, 3));
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    batch b = make_batch(ctx, &c);
    ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_model_loss_backward(m, b.labels, NULL));
    int32_t np = attn_model_param_count(m);
    float **dirs = calloc((size_t)np, sizeof *dirs);
    double analytic = 0.0;
    for (int32_t i = 0; i < np; i++) {
        attn_tensor *v, *g;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, &g));
        int64_t n = attn_tensor_numel(v);
        dirs[i] = malloc((size_t)n * sizeof(float));
        attn_test_fill_random(dirs[i], n, 100 + (uint64_t)i);
        for (int64_t k = 0; k < n; k++) analytic += (double)attn_tensor_data_f32(g)[k] * dirs[i][k];
    }
    const float h = 1e-2f;
    double f[2];
    for (int s = 0; s < 2; s++) {
        float sign = s ? -1.0f : 1.0f;
        for (int32_t i = 0; i < np; i++) {
            attn_tensor *v;
            attn_model_param(m, i, NULL, &v, NULL);
            for (int64_t k = 0; k < attn_tensor_numel(v); k++) attn_tensor_data_f32(v)[k] += sign * h * dirs[i][k];
        }
        f[s] = loss_at(ctx, m, &b);
        for (int32_t i = 0; i < np; i++) {
            attn_tensor *v;
            attn_model_param(m, i, NULL, &v, NULL);
            for (int64_t k = 0; k < attn_tensor_numel(v); k++) attn_tensor_data_f32(v)[k] -= sign * h * dirs[i][k];
        }
    }
    double numeric = (f[0] - f[1]) / (2.0 * h);
    ck_assert_msg(fabs(numeric - analytic) <= 2e-2 * fmax(fabs(analytic), 1e-3), "%s: directional derivative %g vs %g",
                  what, numeric, analytic);
    for (int32_t i = 0; i < np; i++) free(dirs[i]);
    free(dirs);
    free_batch(&b);
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}

START_TEST(variants_have_correct_gradients)
{
    attn_bert_config c = tiny_config();
    check_gradients(c, "post-LN, BERT pooler");
    c.norm_position = ATTN_NORM_PRE;
    check_gradients(c, "pre-LN");
    c = tiny_config();
    c.pooling = ATTN_POOL_MEAN;
    check_gradients(c, "mean pooling");
    c = tiny_config();
    c.pooling = ATTN_POOL_CLS;
    c.hidden_act = ATTN_ACT_GELU_TANH;
    check_gradients(c, "CLS without pooler, gelu_new");
    /* sentence-transformers' other pooling modes */
    const struct {
        int32_t pooling;
        const char *name;
    } modes[] = {{ATTN_POOL_MAX, "max pooling"},
                 {ATTN_POOL_MEAN_SQRT_LEN, "mean_sqrt_len_tokens pooling"},
                 {ATTN_POOL_WEIGHTED_MEAN, "weightedmean pooling"},
                 {ATTN_POOL_LAST_TOKEN, "lasttoken pooling"}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        c = tiny_config();
        c.pooling = modes[i].pooling;
        check_gradients(c, modes[i].name);
    }
    c = tiny_config();
    c.num_labels = 1;
    c.problem_type = ATTN_PROBLEM_REGRESSION;
    check_gradients(c, "regression (MSE)");
    c = tiny_config();
    c.problem_type = ATTN_PROBLEM_MULTI_LABEL;
    check_gradients(c, "multi-label (BCE with logits)");
}
END_TEST

START_TEST(custom_loss_backward_equals_the_built_in_one)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny_config();
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    batch b = make_batch(ctx, &c);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_backward(m, b.labels));
    ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_model_loss_backward(m, b.labels, NULL));
    attn_tensor *g0;
    ATTN_ASSERT_OK(ctx, attn_model_find_param(m, "embeddings.word_embeddings.weight", NULL, &g0));
    int64_t n = attn_tensor_numel(g0);
    float *want = malloc((size_t)n * 4);
    memcpy(want, attn_tensor_data_f32(g0), (size_t)n * 4);
    /* d(mean CE)/d logits = (softmax - onehot) / B, computed here by hand */
    ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    attn_tensor *logits = attn_model_output(m, ATTN_OUT_LOGITS), *d;
    int64_t shape[2] = {3, 3};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, shape, &d));
    const int32_t *labels = attn_tensor_data(b.labels);
    for (int r = 0; r < 3; r++) {
        const float *z = attn_tensor_data_f32(logits) + r * 3;
        double mx = fmax(z[0], fmax(z[1], z[2])), s = 0;
        for (int k = 0; k < 3; k++) s += exp(z[k] - mx);
        for (int k = 0; k < 3; k++) attn_tensor_data_f32(d)[r * 3 + k] = (float)((exp(z[k] - mx) / s - (k == labels[r])) / 3.0);
    }
    ATTN_ASSERT_OK(ctx, attn_model_backward(m, d));
    ck_assert_double_lt(attn_test_rel_err(attn_tensor_data_f32(g0), want, n, 1e-6), 1e-5);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_backward(m, d)); /* forward state is used up */
    int64_t bad[2] = {3, 2};
    attn_tensor *wrong;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 2, bad, &wrong));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_model_backward(m, wrong));
    attn_tensor_destroy(wrong);
    attn_tensor_destroy(d);
    free(want);
    free_batch(&b);
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

/* Two training steps with dropout, or one + save + load + one: same bytes. */
static void train_steps(attn_ctx *ctx, attn_model *m, attn_optim *opt, const batch *b, int steps)
{
    for (int s = 0; s < steps; s++) {
        ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
        ATTN_ASSERT_OK(ctx, attn_model_forward(m, b->ids, b->types, b->mask));
        ATTN_ASSERT_OK(ctx, attn_model_loss_backward(m, b->labels, NULL));
        ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    }
}

static void setup_training(attn_ctx **ctx, attn_model **m, attn_optim **opt)
{
    *ctx = attn_test_ctx();
    attn_bert_config c = tiny_config();
    c.hidden_dropout = 0.2f;
    c.attention_dropout = 0.2f;
    ATTN_ASSERT_OK(*ctx, attn_ctx_set_int(*ctx, ATTN_OPT_SEED, 11));
    ATTN_ASSERT_OK(*ctx, attn_bert_create(*ctx, &c, m));
    ATTN_ASSERT_OK(*ctx, attn_model_set_training(*m, 1));
    attn_optim_opts o = attn_test_adamw(1e-2, 1e-8, 0.01);
    int32_t nd;
    ATTN_ASSERT_OK(*ctx, attn_optim_create(*ctx, &o, opt));
    ATTN_ASSERT_OK(*ctx, attn_optim_add_group(*opt, 1.0, 0.0, &nd));
    ATTN_ASSERT_OK(*ctx, attn_model_add_to_optim(*m, *opt, 0, nd));
}

START_TEST(checkpoint_resume_continues_bit_for_bit)
{
    attn_ctx *c1, *c2;
    attn_model *m1, *m2;
    attn_optim *o1, *o2;
    setup_training(&c1, &m1, &o1);
    batch b1 = make_batch(c1, attn_model_config(m1));
    train_steps(c1, m1, o1, &b1, 3);

    setup_training(&c2, &m2, &o2);
    batch b2 = make_batch(c2, attn_model_config(m2));
    train_steps(c2, m2, o2, &b2, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/train.safetensors", attn_test_tmpdir());
    attn_train_state st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    st.epoch = 1;
    st.step = 1;
    st.best_metric = 0.625;
    ATTN_ASSERT_OK(c2, attn_checkpoint_save(m2, o2, &st, path));
    free_batch(&b2); /* its tensors belong to c2 */
    attn_model_destroy(m2);
    attn_optim_destroy(o2);
    attn_ctx_destroy(c2);
    /* a new process, in effect: fresh context, model and optimizer */
    setup_training(&c2, &m2, &o2);
    b2 = make_batch(c2, attn_model_config(m2));
    attn_train_state got;
    memset(&got, 0, sizeof got);
    ATTN_ASSERT_FAILS(c2, ATTN_ERR_INVALID_ARG, attn_checkpoint_load(m2, o2, &got, path)); /* struct_size unset */
    got.struct_size = sizeof got;
    ATTN_ASSERT_OK(c2, attn_checkpoint_load(m2, o2, &got, path));
    ck_assert_int_eq(got.epoch, 1);
    ck_assert_int_eq(got.step, 1);
    ck_assert_double_eq(got.best_metric, 0.625);
    int64_t step;
    ATTN_ASSERT_OK(c2, attn_optim_get_step(o2, &step));
    ck_assert_int_eq(step, 1);
    train_steps(c2, m2, o2, &b2, 2);
    for (int32_t i = 0; i < attn_model_param_count(m1); i++) {
        attn_tensor *v1, *v2;
        const char *name;
        attn_model_param(m1, i, &name, &v1, NULL);
        attn_model_param(m2, i, NULL, &v2, NULL);
        ck_assert_msg(memcmp(attn_tensor_data(v1), attn_tensor_data(v2), (size_t)attn_tensor_numel(v1) * 4) == 0,
                      "%s differs after resume", name);
    }
    /* a plain weights file is not a training checkpoint */
    char weights[512];
    snprintf(weights, sizeof weights, "%s/weights.safetensors", attn_test_tmpdir());
    ATTN_ASSERT_OK(c2, attn_model_save(m2, weights));
    ATTN_ASSERT_FAILS(c2, ATTN_ERR_FORMAT, attn_checkpoint_load(m2, o2, &got, weights));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(c2), "not a training checkpoint"));
    st.struct_size = 4;
    ATTN_ASSERT_FAILS(c2, ATTN_ERR_INVALID_ARG, attn_checkpoint_save(m2, o2, &st, path));
    free_batch(&b1);
    free_batch(&b2);
    attn_model_destroy(m1);
    attn_optim_destroy(o1);
    attn_ctx_destroy(c1);
    attn_model_destroy(m2);
    attn_optim_destroy(o2);
    attn_ctx_destroy(c2);
}
END_TEST

START_TEST(options_and_config_errors)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny_config();
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    int64_t v;
    ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_SKIP_PADDING, &v));
    ck_assert_int_eq(v, 1);
    ATTN_ASSERT_OK(ctx, attn_model_set_int(m, ATTN_MODEL_OPT_SKIP_PADDING, 0));
    ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_SKIP_PADDING, &v));
    ck_assert_int_eq(v, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_int(m, ATTN_MODEL_OPT_SKIP_PADDING, 2));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_int(m, (attn_model_option)9, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_get_int(m, (attn_model_option)9, &v));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_training(m, 3));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_model_find_param(m, "encoder.layer.7.output.dense.weight", NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_model_param(m, 999, NULL, NULL, NULL));
    ck_assert_ptr_null(attn_model_output(m, ATTN_OUT_LOGITS)); /* no forward yet */
    ck_assert_int_eq(attn_model_param_count(NULL), 0);
    ck_assert_ptr_null(attn_model_config(NULL));
    attn_model_destroy(NULL);

    /* tiny_a's weights: wrong widths are a shape error; a model of another depth
     * is refused naming the tensor it has no place for */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_model_load_weights(m, attn_test_data("hf-bert-tiny/tiny_a.safetensors"), 0));
    attn_bert_config one;
    attn_bert_config_init(&one);
    ATTN_ASSERT_OK(ctx, attn_bert_config_load(ctx, attn_test_data("hf-bert-tiny/tiny_a.config.json"), &one));
    one.num_layers = 1;
    attn_model *shallow;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &one, &shallow));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_model_load_weights(shallow, attn_test_data("hf-bert-tiny/tiny_a.safetensors"), 0));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "bert.encoder.layer.1."));
    attn_model_destroy(shallow);

    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/config.json", dir);
    const char *bad[] = {"{\"hidden_size\": \"big\"}", "{\"hidden_size\": 64, \"num_attention_heads\": 5}",
                         "{\"hidden_act\": \"swish\"}", "[1, 2]", "{\"model_type\": \"gpt2\"}", "{\"vocab_size\": 1,}",
                         "{\"layer_norm_eps\": 1e39}", "{\"initializer_range\": 1e999}"};
    attn_status want[] = {ATTN_ERR_FORMAT, ATTN_ERR_FORMAT, ATTN_ERR_FORMAT, ATTN_ERR_FORMAT, ATTN_ERR_UNSUPPORTED,
                          ATTN_ERR_FORMAT, ATTN_ERR_FORMAT, ATTN_ERR_FORMAT};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(bad[i], f);
        fclose(f);
        attn_bert_config cfg;
        attn_bert_config_init(&cfg);
        ATTN_ASSERT_FAILS(ctx, want[i], attn_bert_config_load(ctx, path, &cfg));
        ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "config.json"));
    }
    /* non-finite numbers set through the struct are refused too */
    attn_bert_config inf = tiny_config();
    inf.layer_norm_eps = INFINITY;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_bert_config_validate(ctx, &inf));
    inf = tiny_config();
    inf.initializer_range = INFINITY;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_bert_config_validate(ctx, &inf));
    /* a config written by us reads back equal */
    c.pooling = ATTN_POOL_MEAN;
    c.norm_position = ATTN_NORM_PRE;
    c.classifier_dropout = 0.25f;
    ATTN_ASSERT_OK(ctx, attn_bert_config_save(ctx, &c, NULL, path));
    attn_bert_config back;
    attn_bert_config_init(&back);
    ATTN_ASSERT_OK(ctx, attn_bert_config_load(ctx, path, &back));
    ck_assert_int_eq(memcmp(&back, &c, sizeof c), 0);
    /* a caller built against the first version of the struct: accepted, and
     * nothing beyond its struct_size is written */
    struct {
        attn_bert_config cfg;
        unsigned char guard[16];
    } old;
    memset(&old, 0xab, sizeof old);
    attn_bert_config_init(&old.cfg);
    old.cfg.struct_size = (uint32_t)(offsetof(attn_bert_config, pad_token_id) + sizeof(int32_t));
    ATTN_ASSERT_OK(ctx, attn_bert_config_validate(ctx, &old.cfg));
    ATTN_ASSERT_OK(ctx, attn_bert_config_load(ctx, path, &old.cfg));
    ck_assert_int_eq(old.guard[0], 0xab);
    old.cfg.struct_size = 12;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_bert_config_validate(ctx, &old.cfg));
    char label[16];
    ATTN_ASSERT_OK(ctx, attn_bert_config_label(ctx, path, 1, label, sizeof label));
    ck_assert_str_eq(label, "LABEL_1");
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

typedef struct {
    int64_t allocs;
} alloc_counter;

static void *counting_alloc(void *user, size_t n)
{
    ((alloc_counter *)user)->allocs++;
    return malloc(n);
}

static void counting_free(void *user, void *p)
{
    (void)user;
    free(p);
}

START_TEST(inference_allocates_no_gradients)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny_config();
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    ATTN_ASSERT_OK(ctx, attn_model_set_training(m, 0));
    batch b = make_batch(ctx, &c);
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
    int64_t before, after, params = 0;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &before));
    /* asking for the gradients gives them memory: all of it was missing */
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *v, *g;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, &g));
        ck_assert_ptr_nonnull(attn_tensor_data(g));
        params += attn_tensor_numel(v) * (int64_t)sizeof(float);
    }
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &after));
    ck_assert_int_ge(after - before, params);
    free_batch(&b);
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

/* A copy of a float tensor's values (caller frees). */
static float *copy_floats(attn_tensor *t)
{
    size_t n = (size_t)attn_tensor_numel(t);
    float *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    memcpy(v, attn_tensor_data_f32(t), n * sizeof *v);
    return v;
}

START_TEST(inference_only_mode_gives_the_same_outputs_with_less_memory)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_bert_config c = tiny_config();
    c.num_layers = 4;
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    ATTN_ASSERT_OK(ctx, attn_model_set_training(m, 0));
    batch b = make_batch(ctx, &c);
    int64_t kept, dropped, v, count_before, count_after;
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &kept));
    attn_tensor *hidden = attn_model_output(m, ATTN_OUT_LAST_HIDDEN), *logits = attn_model_output(m, ATTN_OUT_LOGITS);
    float *want_hidden = copy_floats(hidden), *want_logits = copy_floats(logits);

    ATTN_ASSERT_OK(ctx, attn_model_set_int(m, ATTN_MODEL_OPT_INFERENCE_ONLY, 1));
    ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_INFERENCE_ONLY, &v));
    ck_assert_int_eq(v, 1);
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &dropped));
    ck_assert_int_lt(dropped, kept); /* four blocks' buffers became one shared area */
    hidden = attn_model_output(m, ATTN_OUT_LAST_HIDDEN);
    logits = attn_model_output(m, ATTN_OUT_LOGITS);
    ck_assert_int_eq(memcmp(attn_tensor_data_f32(hidden), want_hidden, (size_t)attn_tensor_numel(hidden) * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(attn_tensor_data_f32(logits), want_logits, (size_t)attn_tensor_numel(logits) * sizeof(float)), 0);
    /* the steady state allocates nothing; backward is refused with a reason */
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &count_before));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &count_after));
    ck_assert_int_eq(count_after, count_before);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_loss_backward(m, b.labels, NULL));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "inference only"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_backward(m, logits));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_int(m, ATTN_MODEL_OPT_INFERENCE_ONLY, 2));
    /* back to the default: training works again */
    ATTN_ASSERT_OK(ctx, attn_model_set_int(m, ATTN_MODEL_OPT_INFERENCE_ONLY, 0));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    ATTN_ASSERT_OK(ctx, attn_model_loss_backward(m, b.labels, NULL));
    free(want_hidden);
    free(want_logits);
    free_batch(&b);
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(training_steps_do_not_allocate_in_steady_state)
{
    attn_ctx *ctx = attn_test_ctx();
    alloc_counter counter = {0};
    ATTN_ASSERT_OK(ctx, attn_ctx_set_allocator(ctx, counting_alloc, counting_free, &counter));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    attn_model *m;
    attn_optim *opt;
    attn_bert_config c = tiny_config();
    c.vocab_size = 8192; /* 65,536 embedding gradients: enough for zero_grad to use both threads */
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    ATTN_ASSERT_OK(ctx, attn_model_set_training(m, 1));
    attn_optim_opts o = attn_test_adamw(1e-3, 1e-8, 0.0);
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    ATTN_ASSERT_OK(ctx, attn_model_add_to_optim(m, opt, 0, 0));
    batch b = make_batch(ctx, &c);
    /* a second, smaller batch (fewer rows and shorter) reuses the buffers */
    attn_tensor *ids2, *mask2, *labels2;
    int64_t shape[2] = {2, 4}, lshape[1] = {2};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &ids2));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &mask2));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, lshape, &labels2));
    attn_tensor_fill(ids2, 4);
    attn_tensor_fill(mask2, 1);
    train_steps(ctx, m, opt, &b, 2); /* warm-up: buffers reach their size */
    int64_t before = counter.allocs, count_before;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &count_before));
    for (int step = 0; step < 4; step++) {
        if (step % 2) {
            train_steps(ctx, m, opt, &b, 1);
        } else {
            ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
            ATTN_ASSERT_OK(ctx, attn_model_forward(m, ids2, NULL, mask2));
            ATTN_ASSERT_OK(ctx, attn_model_loss_backward(m, labels2, NULL));
            double norm;
            ATTN_ASSERT_OK(ctx, attn_optim_clip_grad_norm(opt, 1.0, &norm));
            ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
        }
    }
    ATTN_ASSERT_OK(ctx, attn_model_set_training(m, 0));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b.ids, b.types, b.mask));
    int64_t count_after;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &count_after));
    ck_assert_int_eq(counter.allocs, before);
    ck_assert_int_eq(count_after, count_before);
    /* zero_grad, split over the two threads, clears every gradient element */
    ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *g;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, NULL, &g));
        const float *gv = attn_tensor_data(g);
        for (int64_t k = 0; k < attn_tensor_numel(g); k++) ck_assert_float_eq(gv[k], 0.0f);
    }
    attn_tensor_destroy(ids2);
    attn_tensor_destroy(mask2);
    attn_tensor_destroy(labels2);
    free_batch(&b);
    attn_optim_destroy(opt);
    attn_model_destroy(m);
    int64_t in_use;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_api");
    TCase *tc = tcase_create("model_api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, variants_have_correct_gradients);
    tcase_add_test(tc, custom_loss_backward_equals_the_built_in_one);
    tcase_add_test(tc, checkpoint_resume_continues_bit_for_bit);
    tcase_add_test(tc, options_and_config_errors);
    tcase_add_test(tc, inference_allocates_no_gradients);
    tcase_add_test(tc, inference_only_mode_gives_the_same_outputs_with_less_memory);
    tcase_add_test(tc, training_steps_do_not_allocate_in_steady_state);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
