/* Fine-tuning a pretrained encoder: what ATTN_MODEL_OPT_FREEZE leaves
 * untouched and what it still computes, and the parameter groups of
 * attn_model_add_to_optim_layerwise (learning-rate scale and weight decay
 * per depth), checked against AdamW's first-step formula worked out here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

static attn_bert_config tiny_config(void)
{
    attn_bert_config c;
    attn_bert_config_init(&c);
    c.vocab_size = 40;
    c.hidden_size = 8;
    c.num_layers = 3;
    c.num_heads = 2;
    c.intermediate_size = 16;
    c.max_position_embeddings = 16;
    c.initializer_range = 0.3f;
    c.num_labels = 3;
    c.hidden_dropout = 0.0f;
    c.attention_dropout = 0.0f;
    c.pooling = ATTN_POOL_MEAN;
    return c;
}

typedef struct {
    attn_tensor *ids, *mask, *labels;
} batch;

static batch make_batch(attn_ctx *ctx)
{
    batch b;
    int64_t shape[2] = {2, 5}, lshape[1] = {2};
    int32_t ids[10] = {1, 5, 9, 13, 2, 1, 7, 3, 2, 0};
    int32_t mask[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    int32_t labels[2] = {2, 0};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &b.ids));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 2, shape, &b.mask));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, lshape, &b.labels));
    attn_tensor_write(b.ids, ATTN_I32, ids, sizeof ids);
    attn_tensor_write(b.mask, ATTN_I32, mask, sizeof mask);
    attn_tensor_write(b.labels, ATTN_I32, labels, sizeof labels);
    return b;
}

static void free_batch(batch *b)
{
    attn_tensor_destroy(b->ids);
    attn_tensor_destroy(b->mask);
    attn_tensor_destroy(b->labels);
}

static attn_model *tiny_model(attn_ctx *ctx)
{
    attn_bert_config c = tiny_config();
    attn_model *m;
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, 7));
    ATTN_ASSERT_OK(ctx, attn_bert_create(ctx, &c, &m));
    return m;
}

/* The gradients of one forward/backward, parameter by parameter (malloc'd copies). */
static float **gradients(attn_ctx *ctx, attn_model *m, const batch *b)
{
    int32_t n = attn_model_param_count(m);
    float **g = calloc((size_t)n, sizeof *g);
    ATTN_ASSERT_OK(ctx, attn_model_zero_grad(m));
    ATTN_ASSERT_OK(ctx, attn_model_forward(m, b->ids, NULL, b->mask));
    ATTN_ASSERT_OK(ctx, attn_model_loss_backward(m, b->labels, NULL));
    for (int32_t i = 0; i < n; i++) {
        attn_tensor *t;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, NULL, &t));
        size_t bytes = (size_t)attn_tensor_numel(t) * sizeof(float);
        g[i] = malloc(bytes);
        memcpy(g[i], attn_tensor_data(t), bytes);
    }
    return g;
}

static void free_gradients(float **g, int32_t n)
{
    for (int32_t i = 0; i < n; i++) free(g[i]);
    free(g);
}

static int all_zero(const float *v, int64_t n)
{
    for (int64_t k = 0; k < n; k++)
        if (v[k] != 0.0f) return 0;
    return 1;
}

/* A parameter's depth, read here from its Hugging Face name on its own. */
static int32_t expected_depth(const char *name, int32_t layers)
{
    if (strstr(name, "embeddings.")) return 0;
    const char *l = strstr(name, "encoder.layer.");
    if (l) return atoi(l + 14) + 1;
    return layers + 1;
}

START_TEST(frozen_parameters_get_no_gradient_and_the_rest_the_same_one)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_model *m = tiny_model(ctx);
    batch b = make_batch(ctx);
    int32_t n = attn_model_param_count(m);
    float **full = gradients(ctx, m, &b);
    for (int32_t mode = ATTN_FREEZE_EMBEDDINGS; mode <= ATTN_FREEZE_ENCODER; mode++) {
        ATTN_ASSERT_OK(ctx, attn_model_set_int(m, ATTN_MODEL_OPT_FREEZE, mode));
        int64_t got;
        ATTN_ASSERT_OK(ctx, attn_model_get_int(m, ATTN_MODEL_OPT_FREEZE, &got));
        ck_assert_int_eq(got, mode);
        float **part = gradients(ctx, m, &b);
        int32_t trained = 0;
        for (int32_t i = 0; i < n; i++) {
            const char *name;
            attn_tensor *v;
            int32_t depth, frozen;
            ATTN_ASSERT_OK(ctx, attn_model_param(m, i, &name, &v, NULL));
            ATTN_ASSERT_OK(ctx, attn_model_param_depth(m, i, &depth, &frozen));
            ck_assert_int_eq(depth, expected_depth(name, 3));
            int want_frozen = mode == ATTN_FREEZE_ENCODER ? strncmp(name, "classifier.", 11) != 0 : depth == 0;
            ck_assert_msg(frozen == want_frozen, "%s: frozen %d in mode %d", name, frozen, mode);
            int64_t k = attn_tensor_numel(v);
            if (frozen) {
                ck_assert_msg(all_zero(part[i], k), "%s is frozen but has a gradient", name);
            } else {
                trained++;
                ck_assert_msg(!all_zero(full[i], k), "%s has no gradient in the full model", name);
                ck_assert_msg(attn_test_rel_err(part[i], full[i], k, 1e-6) < 1e-5, "%s: gradient differs when frozen",
                              name);
            }
        }
        ck_assert_int_eq(trained, mode == ATTN_FREEZE_ENCODER ? 2 : n - 5); /* 3 tables and the LayerNorm weight and bias */
        /* the optimizer gets exactly the parameters that train */
        attn_optim_opts oo = attn_test_adamw(1e-3, 1e-8, 0.01);
        attn_optim *opt;
        int32_t no_decay;
        ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &oo, &opt));
        ATTN_ASSERT_OK(ctx, attn_optim_add_group(opt, 1.0, 0.0, &no_decay));
        ATTN_ASSERT_OK(ctx, attn_model_add_to_optim(m, opt, 0, no_decay));
        ck_assert_int_eq(attn_optim_param_count(opt), trained);
        attn_optim_destroy(opt);
        ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &oo, &opt));
        ATTN_ASSERT_OK(ctx, attn_model_add_to_optim_layerwise(m, opt, 0.01, 0.8));
        ck_assert_int_eq(attn_optim_param_count(opt), trained);
        attn_optim_destroy(opt);
        free_gradients(part, n);
    }
    ATTN_ASSERT_OK(ctx, attn_model_set_int(m, ATTN_MODEL_OPT_FREEZE, ATTN_FREEZE_NONE));
    float **again = gradients(ctx, m, &b); /* unfrozen, the blocks keep what backward needs again */
    for (int32_t i = 0; i < n; i++) {
        attn_tensor *v;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, NULL));
        ck_assert(attn_test_rel_err(again[i], full[i], attn_tensor_numel(v), 1e-6) < 1e-5);
    }
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_set_int(m, ATTN_MODEL_OPT_FREEZE, 3));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_model_param_depth(m, n, NULL, NULL));
    free_gradients(again, n);
    free_gradients(full, n);
    free_batch(&b);
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

/* AdamW's first step with gradient g = 1 everywhere moves every element by
 * lr_s * (wd * θ + 1 / (1 + eps)) with lr_s = lr * decay^(L + 1 - depth):
 * the update shows each parameter's group. */
START_TEST(layerwise_groups_scale_the_learning_rate_by_depth_and_spare_biases_and_layernorm)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_model *m = tiny_model(ctx);
    const double lr = 0.01, wd = 0.5, decay = 0.7, eps = 1e-8;
    attn_optim_opts oo = attn_test_adamw(lr, eps, 0.0);
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &oo, &opt));
    ATTN_ASSERT_OK(ctx, attn_model_add_to_optim_layerwise(m, opt, wd, decay));
    int32_t n = attn_model_param_count(m);
    ck_assert_int_eq(attn_optim_param_count(opt), n);
    float **before = calloc((size_t)n, sizeof *before);
    for (int32_t i = 0; i < n; i++) {
        attn_tensor *v, *g;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, &g));
        ATTN_ASSERT_OK(ctx, attn_tensor_fill(g, 1.0));
        size_t bytes = (size_t)attn_tensor_numel(v) * sizeof(float);
        before[i] = malloc(bytes);
        memcpy(before[i], attn_tensor_data(v), bytes);
    }
    ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
    for (int32_t i = 0; i < n; i++) {
        const char *name;
        attn_tensor *v;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, &name, &v, NULL));
        size_t len = strlen(name);
        int spared = strstr(name, "LayerNorm") || (len >= 4 && strcmp(name + len - 4, "bias") == 0);
        double lr_s = lr * pow(decay, 4 - expected_depth(name, 3)), w = spared ? 0.0 : wd;
        const float *after = attn_tensor_data(v);
        for (int64_t k = 0; k < attn_tensor_numel(v); k++) {
            double want = before[i][k] * (1.0 - lr_s * w) - lr_s / (1.0 + eps);
            ck_assert_msg(fabs(after[k] - want) <= 1e-6 + 1e-5 * fabs(want), "%s[%lld]: %.8g, expected %.8g", name,
                          (long long)k, after[k], want);
        }
        free(before[i]);
    }
    free(before);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_add_to_optim_layerwise(m, opt, 0.01, 0.0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_add_to_optim_layerwise(m, opt, 0.01, 1.5));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_add_to_optim_layerwise(m, opt, -1.0, 0.9));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_model_add_to_optim_layerwise(NULL, opt, 0.01, 0.9));
    /* a step has been taken: the shared step count forbids new parameters */
    attn_optim *fresh;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &oo, &fresh));
    ATTN_ASSERT_OK(ctx, attn_model_add_to_optim_layerwise(m, fresh, 0.01, 1.0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_STATE, attn_model_add_to_optim_layerwise(m, opt, 0.01, 1.0));
    attn_optim_destroy(fresh);
    attn_optim_destroy(opt);
    attn_model_destroy(m);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("finetune");
    TCase *tc = tcase_create("finetune");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, frozen_parameters_get_no_gradient_and_the_rest_the_same_one);
    tcase_add_test(tc, layerwise_groups_scale_the_learning_rate_by_depth_and_spare_biases_and_layernorm);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
