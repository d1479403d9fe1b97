/* The article's activation walk-through: ReLU and sigmoid with their
 * derivatives, through libattn's activation forward and backward.
 * The derivative is what backward accumulates for an upstream gradient of 1. */
#include <stdio.h>

#include <attn.h>

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    float xs[5] = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f};
    int64_t shape[1] = {5};
    attn_tensor *x, *y, *dx, *ones;
    if (attn_tensor_wrap(ctx, ATTN_F32, 1, shape, xs, &x) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_F32, 1, shape, &y) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_F32, 1, shape, &dx) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_F32, 1, shape, &ones) != ATTN_OK) {
        fprintf(stderr, "%s\n", attn_ctx_last_error(ctx));
        return 1;
    }
    attn_tensor_fill(ones, 1.0);
    const struct {
        attn_activation f;
        const char *name;
    } acts[2] = {{ATTN_ACT_RELU, "relu"}, {ATTN_ACT_SIGMOID, "sigmoid"}};
    for (int a = 0; a < 2; a++) {
        attn_tensor_fill(dx, 0.0);
        if (attn_activation_forward(acts[a].f, y, x) != ATTN_OK ||
            attn_activation_backward(acts[a].f, dx, x, ones) != ATTN_OK) {
            fprintf(stderr, "%s\n", attn_ctx_last_error(ctx));
            return 1;
        }
        const float *py = attn_tensor_data_f32(y), *pd = attn_tensor_data_f32(dx);
        for (int i = 0; i < 5; i++)
            printf("%s(%g) = %.6f  %s'(%g) = %.6f\n", acts[a].name, xs[i], py[i], acts[a].name, xs[i], pd[i]);
    }
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(ones);
    attn_ctx_destroy(ctx);
    return 0;
}
