/* Tutorial chapter 7 (doc/tutorial/07-losses.md): losses, worked by hand
 * and by libattn -- MSE, cross-entropy (on logits and on probabilities),
 * binary cross-entropy on probabilities and on logits, with their gradients
 * checked against finite differences.
 *
 * The usual textbook cross-entropy and BCE examples print wrong numbers;
 * this program prints the true values and names the wrong ones:
 *  - targets [0,1,0] and [1,0,0] with predicted probabilities [0.3,0.4,0.3]
 *    and [0.1,0.8,0.1]: CE = -(ln 0.4 + ln 0.1) / 2 = ln 5 = 1.6094
 *    (textbook: 0.3466, which is ln 2 / 2);
 *  - y = 1, p = 0.7 and y = 0, p = 0.3: BCE = -ln 0.7 - ln 0.7 = 0.7133,
 *    mean 0.3567 (textbook: -0.8796; this loss is never negative).
 * Cross-entropy on probabilities is NLL on their logarithms
 * (ATTN_LOSS_NLL); on logits use ATTN_LOSS_CROSS_ENTROPY.
 *
 *   cc 07_losses.c $(pkg-config --cflags --libs libattn) -lm -o 07_losses */
#include <math.h>
#include <stdio.h>

#include <attn.h>

#define CHECK(call)                                                          \
    do {                                                                     \
        if ((call) != ATTN_OK) {                                             \
            fprintf(stderr, "%s: %s\n", #call, attn_ctx_last_error(ctx));   \
            return 1;                                                        \
        }                                                                    \
    } while (0)

static attn_status make_loss(attn_ctx *ctx, attn_loss_kind kind, attn_reduction reduction, attn_loss **out)
{
    attn_loss_opts o = {.struct_size = sizeof o, .kind = kind, .reduction = reduction};
    return attn_loss_create(ctx, &o, out);
}

/* Largest gap between the library's gradient of loss at input (added to a
 * zeroed grad) and central finite differences of its forward value. */
static double fd_gap(attn_loss *loss, attn_tensor *input, const attn_tensor *target, attn_tensor *grad)
{
    if (attn_tensor_fill(grad, 0.0) != ATTN_OK || attn_loss_backward(loss, input, target, 1.0f, NULL, grad) != ATTN_OK)
        return INFINITY;
    float *v = attn_tensor_data_f32(input);
    const float *g = attn_tensor_data_f32(grad);
    double worst = 0;
    for (int64_t i = 0; i < attn_tensor_numel(input); i++) {
        const float keep = v[i], h = 1e-2f;
        double up, down;
        v[i] = keep + h;
        attn_status st = attn_loss_forward(loss, input, target, &up, NULL);
        v[i] = keep - h;
        if (st == ATTN_OK) st = attn_loss_forward(loss, input, target, &down, NULL);
        v[i] = keep;
        if (st != ATTN_OK) return INFINITY;
        double gap = fabs((up - down) / (2.0 * h) - g[i]);
        if (gap > worst) worst = gap;
    }
    return worst;
}

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;

    /* MSE: mean of (x - y)^2, gradient 2 (x - y) / n */
    float pred[2] = {2.5f, 0.0f}, truth[2] = {3.0f, -0.5f}, dpred[2] = {0, 0};
    int64_t s2[1] = {2};
    attn_tensor *x, *y, *dx;
    attn_loss *mse;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, pred, &x));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, truth, &y));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, dpred, &dx));
    CHECK(make_loss(ctx, ATTN_LOSS_MSE, ATTN_REDUCTION_MEAN, &mse));
    double v;
    CHECK(attn_loss_forward(mse, x, y, &v, NULL));
    CHECK(attn_loss_backward(mse, x, y, 1.0f, NULL, dx));
    printf("MSE of [2.5, 0] against [3, -0.5]\n");
    printf("  by hand: ((-0.5)^2 + 0.5^2) / 2 = %.4f, gradient 2(x - y)/2 = [%.4f, %.4f]\n",
           (0.25 + 0.25) / 2, 2 * (2.5 - 3.0) / 2, 2 * (0.0 + 0.5) / 2);
    printf("MSE = %.4f\n", v);
    printf("MSE gradient = [%.4f, %.4f]\n", dpred[0], dpred[1]);

    /* cross-entropy on logits: -log softmax(z)[label], gradient softmax(z) - onehot */
    float logits[3] = {2.0f, 1.0f, 0.1f}, dlogits[3] = {0, 0, 0};
    int64_t label = 0, s13[2] = {1, 3}, s1[1] = {1};
    attn_tensor *z, *dz, *t1;
    attn_loss *ce;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, s13, logits, &z));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, s13, dlogits, &dz));
    CHECK(attn_tensor_wrap(ctx, ATTN_I64, 1, s1, &label, &t1));
    CHECK(make_loss(ctx, ATTN_LOSS_CROSS_ENTROPY, ATTN_REDUCTION_MEAN, &ce));
    CHECK(attn_loss_forward(ce, z, t1, &v, NULL));
    CHECK(attn_loss_backward(ce, z, t1, 1.0f, NULL, dz));
    double se = exp(2.0) + exp(1.0) + exp(0.1);
    printf("cross-entropy of logits [2, 1, 0.1] with label 0\n");
    printf("  by hand: ln(e^2 + e^1 + e^0.1) - 2 = %.4f\n", log(se) - 2.0);
    printf("cross-entropy = %.4f\n", v);
    printf("cross-entropy gradient = [%.4f, %.4f, %.4f]\n", dlogits[0], dlogits[1], dlogits[2]);

    /* the textbook's cross-entropy example, on probabilities: NLL on log p */
    float logp[6] = {logf(0.3f), logf(0.4f), logf(0.3f), logf(0.1f), logf(0.8f), logf(0.1f)};
    int64_t labels[2] = {1, 0}, s23[2] = {2, 3}; /* the one-hot targets as class indices */
    attn_tensor *lp, *t2;
    attn_loss *nll;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, s23, logp, &lp));
    CHECK(attn_tensor_wrap(ctx, ATTN_I64, 1, s2, labels, &t2));
    CHECK(make_loss(ctx, ATTN_LOSS_NLL, ATTN_REDUCTION_MEAN, &nll));
    CHECK(attn_loss_forward(nll, lp, t2, &v, NULL));
    printf("textbook example: targets [0,1,0], [1,0,0]; probabilities [0.3,0.4,0.3], [0.1,0.8,0.1]\n");
    printf("  by hand: -(ln 0.4 + ln 0.1) / 2 = %.4f\n", -(log(0.4) + log(0.1)) / 2);
    printf("textbook cross-entropy = %.4f (the textbook prints 0.3466, which is wrong)\n", v);

    /* the textbook's BCE example: -(y ln p + (1 - y) ln(1 - p)) */
    float probs[2] = {0.7f, 0.3f}, ys[2] = {1.0f, 0.0f};
    attn_tensor *p, *yb;
    attn_loss *bce_sum, *bce_mean;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, probs, &p));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, ys, &yb));
    CHECK(make_loss(ctx, ATTN_LOSS_BCE, ATTN_REDUCTION_SUM, &bce_sum));
    CHECK(make_loss(ctx, ATTN_LOSS_BCE, ATTN_REDUCTION_MEAN, &bce_mean));
    double sum, mean;
    CHECK(attn_loss_forward(bce_sum, p, yb, &sum, NULL));
    CHECK(attn_loss_forward(bce_mean, p, yb, &mean, NULL));
    printf("textbook example: y = 1, p = 0.7 and y = 0, p = 0.3\n");
    printf("  by hand: -ln 0.7 - ln(1 - 0.3) = %.4f\n", -log(0.7) - log(1.0 - 0.3));
    printf("textbook BCE sum = %.4f, mean = %.4f (the textbook prints -0.8796, which is wrong: BCE is never negative)\n",
           sum, mean);

    /* the same BCE on logits z = ln(p / (1 - p)), computed stably from z;
     * its gradient is (sigmoid(z) - y) / n */
    float zs[2] = {logf(0.7f / 0.3f), logf(0.3f / 0.7f)}, dzs[2] = {0, 0};
    attn_tensor *zb, *dzb, *dpb;
    attn_loss *bcel;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, zs, &zb));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, s2, dzs, &dzb));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 1, s2, &dpb));
    CHECK(make_loss(ctx, ATTN_LOSS_BCE_WITH_LOGITS, ATTN_REDUCTION_MEAN, &bcel));
    CHECK(attn_loss_forward(bcel, zb, yb, &v, NULL));
    CHECK(attn_loss_backward(bcel, zb, yb, 1.0f, NULL, dzb));
    printf("BCE with logits [%.4f, %.4f]: mean = %.4f, gradient = [%.4f, %.4f]\n", zs[0], zs[1], v, dzs[0], dzs[1]);

    /* every gradient above against finite differences of its loss */
    double gaps[4] = {fd_gap(mse, x, y, dx), fd_gap(ce, z, t1, dz), fd_gap(bce_mean, p, yb, dpb),
                      fd_gap(bcel, zb, yb, dzb)};
    const char *names[4] = {"MSE", "cross-entropy", "BCE", "BCE with logits"};
    for (int i = 0; i < 4; i++)
        printf("%s gradient agrees with finite differences (within 1e-3): %s\n", names[i], gaps[i] < 1e-3 ? "yes" : "NO");

    attn_loss_destroy(bcel);
    attn_tensor_destroy(zb);
    attn_tensor_destroy(dzb);
    attn_tensor_destroy(dpb);
    attn_loss_destroy(mse);
    attn_loss_destroy(ce);
    attn_loss_destroy(nll);
    attn_loss_destroy(bce_sum);
    attn_loss_destroy(bce_mean);
    attn_tensor *all[10] = {x, y, dx, z, dz, t1, lp, t2, p, yb};
    for (int i = 0; i < 10; i++) attn_tensor_destroy(all[i]);
    attn_ctx_destroy(ctx);
    return 0;
}
