/* A one-step linear regression by gradient descent (the usual textbook example), with
 * libattn's linear layer: f(x) = w.x + b, loss = (f(x) - y)^2 / 2.
 * x = [2, 1], y = 3, w = [1, 0], b = 0, lr = 0.1:
 *   f(x) = 2, error = f(x) - y = -1, dw = error * x = [-2, -1], db = -1,
 *   w <- w - lr dw = [1.2, 0.1], b <- b - lr db = 0.1.
 * Textbooks then quote f(x) = 2.5: that is w.x with the new weights; with
 * the new bias added, f(x) = 2.5 + 0.1 = 2.6. Both are printed. */
#include <stdio.h>

#include <attn.h>

#define CHECK(call)                                                          \
    do {                                                                     \
        if ((call) != ATTN_OK) {                                             \
            fprintf(stderr, "%s: %s\n", #call, attn_ctx_last_error(ctx));   \
            return 1;                                                        \
        }                                                                    \
    } while (0)

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    attn_layer *lin;
    CHECK(attn_linear_create(ctx, 2, 1, 1, &lin));
    attn_tensor *w, *b, *dw, *db;
    CHECK(attn_layer_param(lin, 0, NULL, &w, &dw));
    CHECK(attn_layer_param(lin, 1, NULL, &b, &db));
    float w0[2] = {1.0f, 0.0f};
    CHECK(attn_tensor_write(w, ATTN_F32, w0, sizeof w0));

    float xv[2] = {2.0f, 1.0f}, yv = 3.0f, lr = 0.1f;
    int64_t xs[2] = {1, 2}, ys[2] = {1, 1};
    attn_tensor *x, *pred, *dpred;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, xs, xv, &x));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &pred));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &dpred));

    CHECK(attn_linear_forward(lin, x, pred));
    float f = attn_tensor_data_f32(pred)[0];
    printf("before: f(x) = %g, loss = %g\n", f, 0.5f * (f - yv) * (f - yv));
    attn_tensor_data_f32(dpred)[0] = f - yv;      /* d loss / d f */
    CHECK(attn_layer_zero_grad(lin));
    CHECK(attn_linear_backward(lin, x, dpred, NULL));
    printf("gradients: dw = [%g, %g], db = %g\n", attn_tensor_data_f32(dw)[0], attn_tensor_data_f32(dw)[1],
           attn_tensor_data_f32(db)[0]);
    CHECK(attn_axpy(w, -lr, dw));                 /* plain gradient descent */
    CHECK(attn_axpy(b, -lr, db));
    printf("after one step: w = [%g, %g], b = %g\n", attn_tensor_data_f32(w)[0], attn_tensor_data_f32(w)[1],
           attn_tensor_data_f32(b)[0]);
    CHECK(attn_linear_forward(lin, x, pred));
    float wx = attn_tensor_data_f32(w)[0] * xv[0] + attn_tensor_data_f32(w)[1] * xv[1];
    printf("after: w.x = %g, f(x) = w.x + b = %g\n", wx, attn_tensor_data_f32(pred)[0]);

    attn_tensor_destroy(x);
    attn_tensor_destroy(pred);
    attn_tensor_destroy(dpred);
    attn_layer_destroy(lin);
    attn_ctx_destroy(ctx);
    return 0;
}
