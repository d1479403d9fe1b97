/* Tutorial chapter 2 (doc/tutorial/02-neuron.md): one neuron,
 * y = act(w.x + b), and the activations ReLU, sigmoid, tanh and GELU with
 * their derivatives. The derivatives come from libattn's backward passes
 * and are checked here against central finite differences of the forward
 * passes, so the program itself shows that they are right.
 *
 *   cc 02_neuron.c $(pkg-config --cflags --libs libattn) -lm -o 02_neuron */
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

enum { NPOINTS = 5 };

/* f(x) at one point, through the library (a 1-element tensor). */
static double act_at(attn_ctx *ctx, attn_activation f, double x)
{
    float in = (float)x, out = 0;
    int64_t one[1] = {1};
    attn_tensor *tx = NULL, *ty = NULL;
    if (attn_tensor_wrap(ctx, ATTN_F32, 1, one, &in, &tx) == ATTN_OK &&
        attn_tensor_wrap(ctx, ATTN_F32, 1, one, &out, &ty) == ATTN_OK)
        attn_activation_forward(f, ty, tx);
    attn_tensor_destroy(tx);
    attn_tensor_destroy(ty);
    return out;
}

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;

    /* ---- one neuron: a linear layer with one output, then a sigmoid ---- */
    attn_layer *neuron;
    CHECK(attn_linear_create(ctx, 3, 1, 1, &neuron));
    attn_tensor *w, *b, *dw, *db;
    CHECK(attn_layer_param(neuron, 0, NULL, &w, &dw)); /* "weight" [1, 3] */
    CHECK(attn_layer_param(neuron, 1, NULL, &b, &db)); /* "bias" [1] */
    const float w0[3] = {0.5f, -0.25f, 0.1f}, b0 = 0.2f;
    CHECK(attn_tensor_write(w, ATTN_F32, w0, sizeof w0)); /* layers start at zero: set the weights */
    CHECK(attn_tensor_write(b, ATTN_F32, &b0, sizeof b0));

    float xv[3] = {1, 2, 3};
    int64_t xs[2] = {1, 3}, ys[2] = {1, 1};
    attn_tensor *x, *z, *y, *dy, *dz;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, xs, xv, &x));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &z));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &y));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &dy));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &dz));
    CHECK(attn_linear_forward(neuron, x, z));
    CHECK(attn_activation_forward(ATTN_ACT_SIGMOID, y, z));
    printf("neuron: z = w.x + b = %.6f, y = sigmoid(z) = %.6f\n", attn_tensor_data_f32(z)[0],
           attn_tensor_data_f32(y)[0]);

    /* backward: dy/dy = 1 -> dz = sigmoid'(z) -> dw = dz x, db = dz */
    CHECK(attn_tensor_fill(dy, 1.0));
    CHECK(attn_activation_backward(ATTN_ACT_SIGMOID, dz, z, dy));
    CHECK(attn_layer_zero_grad(neuron));
    CHECK(attn_linear_backward(neuron, x, dz, NULL));
    const float *pdw = attn_tensor_data_f32(dw);
    printf("neuron: dy/dz = %.6f, dy/dw = [%.6f, %.6f, %.6f], dy/db = %.6f\n", attn_tensor_data_f32(dz)[0], pdw[0],
           pdw[1], pdw[2], attn_tensor_data_f32(db)[0]);

    /* the same derivatives by finite differences of the whole neuron */
    double worst = 0;
    for (int i = 0; i < 4; i++) {
        float *p = i < 3 ? &attn_tensor_data_f32(w)[i] : attn_tensor_data_f32(b);
        const float *g = i < 3 ? &pdw[i] : attn_tensor_data_f32(db);
        const float keep = *p, h = 1e-2f;
        double f[2];
        for (int s = 0; s < 2; s++) {
            *p = keep + (s ? -h : h);
            CHECK(attn_linear_forward(neuron, x, z));
            CHECK(attn_activation_forward(ATTN_ACT_SIGMOID, y, z));
            f[s] = attn_tensor_data_f32(y)[0];
        }
        *p = keep;
        double fd = (f[0] - f[1]) / (2.0 * h);
        if (fabs(fd - *g) > worst) worst = fabs(fd - *g);
    }
    printf("neuron gradients agree with finite differences (within 1e-4): %s\n", worst < 1e-4 ? "yes" : "NO");

    /* ---- activations and their derivatives ---- */
    float pts[NPOINTS] = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f};
    int64_t shape[1] = {NPOINTS};
    attn_tensor *px, *py, *pdx, *ones;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, shape, pts, &px));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 1, shape, &py));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 1, shape, &pdx));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 1, shape, &ones));
    CHECK(attn_tensor_fill(ones, 1.0));
    const struct {
        attn_activation f;
        const char *name;
    } acts[] = {{ATTN_ACT_RELU, "relu"}, {ATTN_ACT_SIGMOID, "sigmoid"}, {ATTN_ACT_TANH, "tanh"},
                {ATTN_ACT_GELU, "gelu"}, {ATTN_ACT_GELU_TANH, "gelu_tanh"}};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        CHECK(attn_tensor_fill(pdx, 0.0)); /* backward accumulates: start from zero */
        CHECK(attn_activation_forward(acts[a].f, py, px));
        CHECK(attn_activation_backward(acts[a].f, pdx, px, ones));
        const float *fy = attn_tensor_data_f32(py), *fd = attn_tensor_data_f32(pdx);
        double err = 0;
        for (int i = 0; i < NPOINTS; i++) {
            printf("%s(%g) = %.6f  %s'(%g) = %.6f\n", acts[a].name, pts[i], fy[i], acts[a].name, pts[i], fd[i]);
            /* ReLU has a kink at 0: no derivative there to compare with
             * (the library, like PyTorch, uses 0) */
            if (acts[a].f == ATTN_ACT_RELU && pts[i] == 0.0f) continue;
            const double h = 1e-2;
            double num = (act_at(ctx, acts[a].f, pts[i] + h) - act_at(ctx, acts[a].f, pts[i] - h)) / (2 * h);
            if (fabs(num - fd[i]) > err) err = fabs(num - fd[i]);
        }
        printf("%s' agrees with finite differences (within 1e-4): %s\n", acts[a].name, err < 1e-4 ? "yes" : "NO");
    }

    attn_tensor *all[] = {x, z, y, dy, dz, px, py, pdx, ones};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) attn_tensor_destroy(all[i]);
    attn_layer_destroy(neuron);
    attn_ctx_destroy(ctx);
    return 0;
}
