/* Optimizer steps, worked by hand and by libattn, on a weight vector
 * w = [1, 0] with gradient g = [-0.4, -0.2] and learning rate 0.1:
 *
 *   SGD:       w <- w - lr g                       = [1.04, 0.02]
 *   momentum:  v <- mu v + g (v = g at the first step), w <- w - lr v;
 *              with mu = 0.9 and the same g twice: v = 1.9 g, w = [1.116, 0.058]
 *   Adam:      m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
 *              w <- w - lr m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t),
 *              v_hat = v / (1 - b2^t). At t = 1, m_hat = g and v_hat = g^2, so
 *              every weight moves by lr against its gradient's sign: [1.1, 0.1].
 *              A second step with g2 = [0.2, -0.1] gives [1.1266, 0.1932].
 *
 * The momentum and Adam figures usually printed with this example are wrong;
 * these are the values the formulas (and PyTorch) give. */
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

/* An optimizer over one parameter w = [1, 0] whose gradient is g. */
static attn_status setup(attn_ctx *ctx, const attn_optim_opts *o, float *w, float *g, attn_tensor **tw,
                         attn_tensor **tg, attn_optim **opt)
{
    int64_t shape[1] = {2};
    w[0] = 1.0f, w[1] = 0.0f;
    g[0] = -0.4f, g[1] = -0.2f;
    attn_status st = attn_tensor_wrap(ctx, ATTN_F32, 1, shape, w, tw);
    if (st == ATTN_OK) st = attn_tensor_wrap(ctx, ATTN_F32, 1, shape, g, tg);
    if (st == ATTN_OK) st = attn_optim_create(ctx, o, opt);
    if (st == ATTN_OK) st = attn_optim_add_param(*opt, 0, "w", *tw, *tg);
    return st;
}

static void teardown(attn_tensor *tw, attn_tensor *tg, attn_optim *opt)
{
    attn_optim_destroy(opt);
    attn_tensor_destroy(tw);
    attn_tensor_destroy(tg);
}

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    float w[2], g[2];
    attn_tensor *tw, *tg;
    attn_optim *opt;
    const double lr = 0.1;
    printf("w = [1, 0], g = [-0.4, -0.2], lr = 0.1\n");

    attn_optim_opts sgd = {.struct_size = sizeof sgd, .kind = ATTN_OPTIM_SGD, .lr = lr};
    CHECK(setup(ctx, &sgd, w, g, &tw, &tg, &opt));
    CHECK(attn_optim_step(opt));
    printf("SGD by hand: w - lr g = [%.4f, %.4f]\n", 1.0 - lr * -0.4, 0.0 - lr * -0.2);
    printf("SGD step: w = [%.4f, %.4f]\n", w[0], w[1]);
    teardown(tw, tg, opt);

    attn_optim_opts momentum = {.struct_size = sizeof momentum, .kind = ATTN_OPTIM_SGD, .lr = lr, .momentum = 0.9};
    CHECK(setup(ctx, &momentum, w, g, &tw, &tg, &opt));
    CHECK(attn_optim_step(opt));
    printf("momentum 0.9, step 1: w = [%.4f, %.4f]\n", w[0], w[1]);
    CHECK(attn_optim_step(opt));
    double v0 = 0.9 * -0.4 + -0.4, v1 = 0.9 * -0.2 + -0.2; /* v = 0.9 g + g */
    printf("momentum by hand, step 2: v = 0.9 g + g = [%.4f, %.4f], w = [%.4f, %.4f]\n", v0, v1,
           1.04 - lr * v0, 0.02 - lr * v1);
    printf("momentum 0.9, step 2: w = [%.4f, %.4f]\n", w[0], w[1]);
    attn_tensor *buf;
    CHECK(attn_optim_find_state(opt, "momentum_buffer.w", &buf));
    const float *pb = attn_tensor_data_f32(buf);
    printf("momentum buffer: v = [%.4f, %.4f]\n", pb[0], pb[1]);
    teardown(tw, tg, opt);

    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    attn_optim_opts adam = {.struct_size = sizeof adam, .kind = ATTN_OPTIM_ADAM, .lr = lr, .beta1 = b1,
                            .beta2 = b2, .eps = eps};
    CHECK(setup(ctx, &adam, w, g, &tw, &tg, &opt));
    CHECK(attn_optim_step(opt));
    printf("Adam by hand, step 1: m_hat = g, v_hat = g^2, w - lr g / (|g| + eps) = [%.4f, %.4f]\n",
           1.0 - lr * -0.4 / (0.4 + eps), 0.0 - lr * -0.2 / (0.2 + eps));
    printf("Adam step 1: w = [%.4f, %.4f]\n", w[0], w[1]);
    g[0] = 0.2f, g[1] = -0.1f; /* the gradient tensor wraps g: the next step reads the new values */
    CHECK(attn_optim_step(opt));
    double hand[2], g1[2] = {-0.4, -0.2}, g2[2] = {0.2, -0.1}, w1[2] = {1.1, 0.1};
    for (int i = 0; i < 2; i++) {
        double m = b1 * (1 - b1) * g1[i] + (1 - b1) * g2[i];
        double v = b2 * (1 - b2) * g1[i] * g1[i] + (1 - b2) * g2[i] * g2[i];
        double m_hat = m / (1 - b1 * b1), v_hat = v / (1 - b2 * b2);
        hand[i] = w1[i] - lr * m_hat / (sqrt(v_hat) + eps);
    }
    printf("Adam by hand, step 2 with g2 = [0.2, -0.1]: w = [%.4f, %.4f]\n", hand[0], hand[1]);
    printf("Adam step 2: w = [%.4f, %.4f]\n", w[0], w[1]);
    teardown(tw, tg, opt);

    attn_ctx_destroy(ctx);
    return 0;
}
