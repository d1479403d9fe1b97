/* Optimizers against PyTorch, live: tests/parity/optim_ref.py runs 10 steps
 * of torch.optim for every configuration (SGD variants, Adam, AdamW, AMSGrad,
 * parameter groups, clip_grad_norm_, Hugging Face schedules) on the same
 * parameters and gradients; after every step the library's parameters must
 * agree, and so must the clipping norms and the final state tensors. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "case_file.h"
#include "test_common.h"

#define STEPS 10
#define NPARAMS 3
static const char *const param_names[NPARAMS] = {"dense.weight", "dense.bias", "LayerNorm.weight"};

static attn_tensor *clone(attn_ctx *ctx, attn_tensor *src)
{
    int64_t shape[ATTN_MAX_RANK];
    for (int32_t a = 0; a < attn_tensor_rank(src); a++) shape[a] = attn_tensor_dim(src, a);
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, attn_tensor_rank(src), shape, &t));
    ATTN_ASSERT_OK(ctx, attn_tensor_copy(t, src));
    return t;
}

static void config_name(attn_case *idx, int i, char *out, size_t n)
{
    attn_tensor *names = attn_case_need(idx, "names");
    const int32_t *ch = attn_tensor_data(names);
    int64_t len = attn_tensor_numel(names), at = 0;
    for (int line = 0; line < i && at < len; at++)
        if (ch[at] == '\n') line++;
    size_t k = 0;
    while (at < len && ch[at] != '\n' && k + 1 < n) out[k++] = (char)ch[at++];
    out[k] = '\0';
}

static void run_case(attn_ctx *ctx, const char *dir, int i, const char *label)
{
    char path[4096], key[256];
    snprintf(path, sizeof path, "%s/case_%d.case", dir, i);
    attn_case *c = attn_case_load(ctx, path);
    ck_assert_msg(c != NULL, "cannot load %s", path);
    attn_optim_opts o = {.struct_size = sizeof o,
                         .kind = (int32_t)attn_case_scalar(c, "opt.kind"),
                         .lr = attn_case_scalar(c, "opt.lr"),
                         .momentum = attn_case_scalar(c, "opt.momentum"),
                         .dampening = attn_case_scalar(c, "opt.dampening"),
                         .nesterov = (int32_t)attn_case_scalar(c, "opt.nesterov"),
                         .amsgrad = (int32_t)attn_case_scalar(c, "opt.amsgrad"),
                         .beta1 = attn_case_scalar(c, "opt.beta1"),
                         .beta2 = attn_case_scalar(c, "opt.beta2"),
                         .eps = attn_case_scalar(c, "opt.eps"),
                         .weight_decay = attn_case_scalar(c, "opt.weight_decay")};
    attn_optim *opt;
    ATTN_ASSERT_OK(ctx, attn_optim_create(ctx, &o, &opt));
    attn_tensor *scales = attn_case_need(c, "groups.lr_scale"), *decays = attn_case_need(c, "groups.weight_decay");
    for (int64_t g = 1; g < attn_tensor_numel(scales); g++) {
        int32_t id;
        ATTN_ASSERT_OK(ctx, attn_optim_add_group(opt, attn_tensor_data_f32(scales)[g], attn_tensor_data_f32(decays)[g], &id));
        ck_assert_int_eq(id, g);
    }
    const int32_t *membership = attn_tensor_data(attn_case_need(c, "params.group"));
    attn_tensor *params[NPARAMS], *grads[NPARAMS];
    for (int p = 0; p < NPARAMS; p++) {
        snprintf(key, sizeof key, "init.%s", param_names[p]);
        params[p] = clone(ctx, attn_case_need(c, key));
        grads[p] = clone(ctx, params[p]);
        ATTN_ASSERT_OK(ctx, attn_optim_add_param(opt, membership[p], param_names[p], params[p], grads[p]));
    }
    const double base_lr = o.lr, clip = attn_case_scalar(c, "clip");
    const int32_t *sched = attn_tensor_data(attn_case_need(c, "schedule"));
    attn_tensor *norms = attn_case_get(c, "expected.norms");

    for (int k = 0; k < STEPS; k++) {
        for (int p = 0; p < NPARAMS; p++) {
            snprintf(key, sizeof key, "grad.%d.%s", k, param_names[p]);
            ATTN_ASSERT_OK(ctx, attn_tensor_copy(grads[p], attn_case_need(c, key)));
        }
        if (clip > 0) {
            double norm = 0, want = attn_tensor_data_f32(norms)[k];
            ATTN_ASSERT_OK(ctx, attn_optim_clip_grad_norm(opt, clip, &norm));
            ck_assert_msg(fabs(norm - want) <= 1e-5 * want, "%s step %d: norm %.9g, torch %.9g", label, k, norm, want);
        }
        if (sched[0] >= 0) {
            double lr;
            ATTN_ASSERT_OK(ctx, attn_lr_schedule((attn_lr_schedule_kind)sched[0], base_lr, k, sched[1], sched[2], &lr));
            ATTN_ASSERT_OK(ctx, attn_optim_set_lr(opt, lr));
        }
        ATTN_ASSERT_OK(ctx, attn_optim_step(opt));
        for (int p = 0; p < NPARAMS; p++) {
            snprintf(key, sizeof key, "expected.%d.%s", k, param_names[p]);
            attn_tensor *want = attn_case_need(c, key);
            double err = attn_test_rel_err(attn_tensor_data_f32(params[p]), attn_tensor_data_f32(want),
                                           attn_tensor_numel(want), 1e-6);
            ck_assert_msg(err <= 1e-6, "%s step %d: %s rel err %g", label, k + 1, param_names[p], err);
        }
    }
    int64_t steps;
    ATTN_ASSERT_OK(ctx, attn_optim_get_step(opt, &steps));
    ck_assert_int_eq(steps, STEPS);
    /* every torch state tensor has a library twin of the same name and value, and vice versa */
    int found = 0;
    for (int32_t s = 0; s < attn_optim_state_count(opt); s++) {
        const char *name;
        attn_tensor *mine;
        ATTN_ASSERT_OK(ctx, attn_optim_state(opt, s, &name, &mine));
        snprintf(key, sizeof key, "expected_state.%s", name);
        attn_tensor *want = attn_case_need(c, key);
        double err = attn_test_rel_err(attn_tensor_data_f32(mine), attn_tensor_data_f32(want), attn_tensor_numel(want), 1e-6);
        ck_assert_msg(err <= 1e-6, "%s: state %s rel err %g", label, name, err);
        found++;
    }
    int expected_states = 0;
    static const char *const kinds[] = {"momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    for (int p = 0; p < NPARAMS; p++)
        for (int s = 0; s < 4; s++) {
            snprintf(key, sizeof key, "expected_state.%s.%s", kinds[s], param_names[p]);
            expected_states += attn_case_get(c, key) != NULL;
        }
    ck_assert_msg(found == expected_states, "%s: %d state tensors, torch has %d", label, found, expected_states);
    for (int p = 0; p < NPARAMS; p++) {
        attn_tensor_destroy(params[p]);
        attn_tensor_destroy(grads[p]);
    }
    attn_optim_destroy(opt);
    attn_case_free(c);
}

START_TEST(ten_steps_of_every_configuration_match_torch_optim)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char args[4200], index[4096], label[128];
    snprintf(args, sizeof args, "'%s'", dir);
    attn_case_run_python("tests/parity/optim_ref.py", args);
    snprintf(index, sizeof index, "%s/index.case", dir);
    attn_case *idx = attn_case_load(ctx, index);
    ck_assert_ptr_nonnull(idx);
    int count = (int)attn_case_scalar(idx, "count");
    ck_assert_int_ge(count, 18);
    for (int i = 0; i < count; i++) {
        config_name(idx, i, label, sizeof label);
        run_case(ctx, dir, i, label);
    }
    attn_case_free(idx);
    attn_ctx_destroy(ctx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("optim_parity");
    TCase *tc = tcase_create("pytorch");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ten_steps_of_every_configuration_match_torch_optim);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return attn_test_run(suite()); }
