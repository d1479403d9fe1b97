/* Losses against PyTorch, live: tests/parity/losses_ref.py draws every
 * kind x reduction x option combination (odd sizes, ignored targets, class
 * weights, label smoothing, pos_weight, int32/int64 labels) and records
 * torch.nn.functional's value and input gradient; the library must agree
 * within 1e-5 relative (forward) and 1e-4 of the largest gradient. */
#include <math.h>
#include <stdio.h>

#include "case_file.h"
#include "test_common.h"

static void run_case(attn_ctx *ctx, const char *dir, int i)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/case_%d.case", dir, i);
    attn_case *c = attn_case_load(ctx, path);
    ck_assert_msg(c != NULL, "cannot load %s", path);
    attn_loss_opts o = {.struct_size = sizeof o,
                        .kind = (int32_t)attn_case_scalar(c, "opt.kind"),
                        .reduction = (int32_t)attn_case_scalar(c, "opt.reduction"),
                        .label_smoothing = (float)attn_case_scalar(c, "opt.label_smoothing")};
    attn_loss *loss;
    ATTN_ASSERT_OK(ctx, attn_loss_create(ctx, &o, &loss));
    if (attn_case_get(c, "opt.ignore_index"))
        ATTN_ASSERT_OK(ctx, attn_loss_set_ignore_index(loss, (int64_t)attn_case_scalar(c, "opt.ignore_index")));
    if (attn_case_get(c, "weight")) ATTN_ASSERT_OK(ctx, attn_loss_set_weight(loss, attn_case_get(c, "weight")));
    if (attn_case_get(c, "pos_weight"))
        ATTN_ASSERT_OK(ctx, attn_loss_set_pos_weight(loss, attn_case_get(c, "pos_weight")));
    attn_tensor *x = attn_case_need(c, "input"), *t = attn_case_need(c, "target");
    attn_tensor *want_dx = attn_case_need(c, "expected.dinput");
    float scale = (float)attn_case_scalar(c, "scale");

    if (o.reduction == ATTN_REDUCTION_NONE) {
        attn_tensor *want = attn_case_need(c, "expected.elements"), *e;
        int64_t shape[ATTN_MAX_RANK];
        for (int32_t a = 0; a < attn_tensor_rank(want); a++) shape[a] = attn_tensor_dim(want, a);
        ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, attn_tensor_rank(want), shape, &e));
        ATTN_ASSERT_OK(ctx, attn_loss_forward(loss, x, t, NULL, e));
        double err = attn_test_rel_err(attn_tensor_data_f32(e), attn_tensor_data_f32(want), attn_tensor_numel(e), 1e-6);
        ck_assert_msg(err <= 1e-5, "case %d (kind %d, none): elements rel err %g", i, o.kind, err);
        attn_tensor_destroy(e);
    } else {
        double v = 0, want = attn_case_scalar(c, "expected.value");
        ATTN_ASSERT_OK(ctx, attn_loss_forward(loss, x, t, &v, NULL));
        double err = fabs(v - want) / fmax(fabs(want), 1e-6);
        ck_assert_msg(err <= 1e-5, "case %d (kind %d, reduction %d, smoothing %g): value %.9g, torch %.9g", i, o.kind,
                      o.reduction, (double)o.label_smoothing, v, want);
    }

    int64_t shape[ATTN_MAX_RANK];
    for (int32_t a = 0; a < attn_tensor_rank(x); a++) shape[a] = attn_tensor_dim(x, a);
    attn_tensor *dx;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, attn_tensor_rank(x), shape, &dx));
    ATTN_ASSERT_OK(ctx, attn_loss_backward(loss, x, t, scale, attn_case_get(c, "delements"), dx));
    double err = attn_test_rel_err(attn_tensor_data_f32(dx), attn_tensor_data_f32(want_dx), attn_tensor_numel(dx), 1e-6);
    ck_assert_msg(err <= 1e-4, "case %d (kind %d, reduction %d, smoothing %g): dinput rel err %g", i, o.kind,
                  o.reduction, (double)o.label_smoothing, err);
    attn_tensor_destroy(dx);
    attn_loss_destroy(loss);
    attn_case_free(c);
}

START_TEST(every_loss_and_option_matches_pytorch)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char args[4200];
    snprintf(args, sizeof args, "'%s'", dir);
    attn_case_run_python("tests/parity/losses_ref.py", args);
    char index[4096];
    snprintf(index, sizeof index, "%s/index.case", dir);
    attn_case *idx = attn_case_load(ctx, index);
    ck_assert_ptr_nonnull(idx);
    int count = (int)attn_case_scalar(idx, "count");
    ck_assert_int_ge(count, 60);
    for (int i = 0; i < count; i++) run_case(ctx, dir, i);
    attn_case_free(idx);
    attn_ctx_destroy(ctx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("loss_parity");
    TCase *tc = tcase_create("pytorch");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_loss_and_option_matches_pytorch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return attn_test_run(suite()); }
