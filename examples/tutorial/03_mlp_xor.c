/* Tutorial chapter 3 (doc/tutorial/03-mlp.md): a multi-layer perceptron
 * learns XOR. First by hand -- forward, backpropagation and gradient
 * descent written out in plain C arrays -- then with libattn's linear
 * layers, its tanh, its BCE-with-logits loss and its optimizers. The two
 * gradients are compared, then SGD, SGD with momentum and Adam train the
 * same network from the same start, and their loss curves are written as
 * SVG.
 *
 *   cc 03_mlp_xor.c $(pkg-config --cflags --libs libattn) -lm -o 03_mlp_xor
 *   ./03_mlp_xor [curves.svg]
 *
 * Network: x [4, 2] -> linear 2->4 -> tanh -> linear 4->1 -> logit z [4, 1];
 * loss = mean BCE(sigmoid(z), y). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <attn.h>

#define CHECK(call)                                                          \
    do {                                                                     \
        if ((call) != ATTN_OK) {                                             \
            fprintf(stderr, "%s: %s\n", #call, attn_ctx_last_error(ctx));   \
            return 1;                                                        \
        }                                                                    \
    } while (0)

enum { N = 4, IN = 2, HID = 4, EPOCHS = 300, NOPT = 3 };

static float X[N][IN] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
static float Y[N] = {0, 1, 1, 0};

/* ---- part 1: by hand ---- */

/* The network's parameters as plain arrays (PyTorch layout: W [out, in]). */
typedef struct {
    float w1[HID][IN], b1[HID], w2[HID], b2;
} mlp;

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* Forward and backward over the four examples: returns the mean BCE and
 * writes its gradient with respect to every parameter into g. */
static double hand_loss_and_grad(const mlp *p, mlp *g)
{
    memset(g, 0, sizeof *g);
    double loss = 0;
    for (int n = 0; n < N; n++) {
        double h[HID], z = p->b2;
        for (int j = 0; j < HID; j++) {
            h[j] = tanh(p->w1[j][0] * X[n][0] + p->w1[j][1] * X[n][1] + p->b1[j]);
            z += p->w2[j] * h[j];
        }
        double q = sigmoid(z);
        loss += -(Y[n] * log(q) + (1 - Y[n]) * log(1 - q)) / N;
        double dz = (q - Y[n]) / N; /* d BCE / d logit = sigmoid(z) - y, over the mean */
        g->b2 += (float)dz;
        for (int j = 0; j < HID; j++) {
            g->w2[j] += (float)(dz * h[j]);
            double dpre = dz * p->w2[j] * (1 - h[j] * h[j]); /* tanh' = 1 - tanh^2 */
            g->b1[j] += (float)dpre;
            for (int i = 0; i < IN; i++) g->w1[j][i] += (float)(dpre * X[n][i]);
        }
    }
    return loss;
}

/* ---- part 2: the library's layers ---- */

typedef struct {
    attn_layer *l1, *l2;
    attn_tensor *x, *y, *pre, *h, *z, *dz, *dh, *dpre;
    attn_loss *bce;
} net;

/* One forward and backward pass; gradients accumulate into the layers'. */
static attn_status net_step(net *m, double *loss)
{
    attn_status st = attn_linear_forward(m->l1, m->x, m->pre);
    if (st == ATTN_OK) st = attn_activation_forward(ATTN_ACT_TANH, m->h, m->pre);
    if (st == ATTN_OK) st = attn_linear_forward(m->l2, m->h, m->z);
    if (st == ATTN_OK) st = attn_loss_forward(m->bce, m->z, m->y, loss, NULL);
    /* backward in reverse; every backward accumulates, so zero what it adds into */
    if (st == ATTN_OK) st = attn_tensor_fill(m->dz, 0.0);
    if (st == ATTN_OK) st = attn_tensor_fill(m->dh, 0.0);
    if (st == ATTN_OK) st = attn_tensor_fill(m->dpre, 0.0);
    if (st == ATTN_OK) st = attn_loss_backward(m->bce, m->z, m->y, 1.0f, NULL, m->dz);
    if (st == ATTN_OK) st = attn_linear_backward(m->l2, m->h, m->dz, m->dh);
    if (st == ATTN_OK) st = attn_activation_backward(ATTN_ACT_TANH, m->dpre, m->pre, m->dh);
    if (st == ATTN_OK) st = attn_linear_backward(m->l1, m->x, m->dpre, NULL); /* no gradient for the data */
    return st;
}

/* Copies the layers' parameters to (to_hand = 1) or from a by-hand mlp. */
static attn_status net_sync(net *m, mlp *p, int to_hand)
{
    struct {
        attn_layer *layer;
        int32_t index;
        float *data;
        size_t bytes;
    } map[4] = {{m->l1, 0, &p->w1[0][0], sizeof p->w1}, {m->l1, 1, p->b1, sizeof p->b1},
                {m->l2, 0, p->w2, sizeof p->w2}, {m->l2, 1, &p->b2, sizeof p->b2}};
    for (int i = 0; i < 4; i++) {
        attn_tensor *v;
        attn_status st = attn_layer_param(map[i].layer, map[i].index, NULL, &v, NULL);
        if (st == ATTN_OK)
            st = to_hand ? attn_tensor_read(v, ATTN_F32, map[i].data, map[i].bytes)
                         : attn_tensor_write(v, ATTN_F32, map[i].data, map[i].bytes);
        if (st != ATTN_OK) return st;
    }
    return ATTN_OK;
}

/* Writes the loss curves as an SVG line chart (epochs across, loss up). */
static int write_svg(const char *path, const char *const *names, double curves[][EPOCHS], int count)
{
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    const char *colors[NOPT] = {"#1f77b4", "#d62728", "#2ca02c"};
    const double w = 600, h = 300, left = 50, top = 20, pw = 500, ph = 240;
    double ymax = 0;
    for (int c = 0; c < count; c++)
        for (int e = 0; e < EPOCHS; e++)
            if (curves[c][e] > ymax) ymax = curves[c][e];
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h);
    fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#888\"/>\n", left, top, pw, ph);
    fprintf(f, "<text x=\"%g\" y=\"%g\">loss %.2f</text><text x=\"%g\" y=\"%g\">0</text>\n", 2.0, top + 10, ymax, 35.0, top + ph);
    fprintf(f, "<text x=\"%g\" y=\"%g\">epoch %d</text>\n", left + pw - 60, top + ph + 16, EPOCHS);
    for (int c = 0; c < count; c++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colors[c]);
        for (int e = 0; e < EPOCHS; e++)
            fprintf(f, "%.1f,%.1f ", left + pw * e / (EPOCHS - 1), top + ph * (1 - curves[c][e] / ymax));
        fprintf(f, "\"/>\n<text x=\"%g\" y=\"%g\" fill=\"%s\">%s</text>\n", left + pw - 120, top + 20 + 16.0 * c,
                colors[c], names[c]);
    }
    fprintf(f, "</svg>\n");
    return fclose(f) == 0;
}

int main(int argc, char **argv)
{
    const char *svg_path = argc > 1 ? argv[1] : "xor_loss.svg";
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    CHECK(attn_ctx_set_int(ctx, ATTN_OPT_SEED, 5));

    net m;
    int64_t xs[2] = {N, IN}, ys[2] = {N, 1}, hs[2] = {N, HID};
    CHECK(attn_linear_create(ctx, IN, HID, 1, &m.l1));
    CHECK(attn_linear_create(ctx, HID, 1, 1, &m.l2));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, xs, X, &m.x));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, ys, Y, &m.y));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, hs, &m.pre));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, hs, &m.h));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, hs, &m.dh));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, hs, &m.dpre));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &m.z));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, ys, &m.dz));
    attn_loss_opts lo = {.struct_size = sizeof lo, .kind = ATTN_LOSS_BCE_WITH_LOGITS, .reduction = ATTN_REDUCTION_MEAN};
    CHECK(attn_loss_create(ctx, &lo, &m.bce));

    /* Linear layers start with all-zero weights. With zeros every hidden unit
     * computes the same thing and gets the same gradient, so they never
     * become different: draw them, as PyTorch does, from U(-1/sqrt(in), 1/sqrt(in)). */
    attn_layer *layers[2] = {m.l1, m.l2};
    const double fan_in[2] = {IN, HID};
    for (int l = 0; l < 2; l++)
        for (int32_t i = 0; i < attn_layer_param_count(layers[l]); i++) {
            attn_tensor *v;
            CHECK(attn_layer_param(layers[l], i, NULL, &v, NULL));
            float bound = (float)(1.0 / sqrt(fan_in[l]));
            CHECK(attn_tensor_init_uniform(v, -bound, bound));
        }
    mlp start, p, g;
    CHECK(net_sync(&m, &start, 1));

    /* part 1: by hand, plain gradient descent */
    p = start;
    double first = hand_loss_and_grad(&p, &g), loss = first;
    for (int e = 0; e < 2000; e++) {
        loss = hand_loss_and_grad(&p, &g);
        float *pv = &p.w1[0][0];
        const float *gv = &g.w1[0][0];
        for (size_t i = 0; i < sizeof p / sizeof(float); i++) pv[i] -= 1.0f * gv[i]; /* lr 1 */
    }
    printf("by hand: loss %.4f at the start, %.4f after 2000 steps of gradient descent (lr 1)\n", first, loss);
    printf("by hand: predictions");
    for (int n = 0; n < N; n++) {
        double z = p.b2;
        for (int j = 0; j < HID; j++) z += p.w2[j] * tanh(p.w1[j][0] * X[n][0] + p.w1[j][1] * X[n][1] + p.b1[j]);
        printf(" %.0f", sigmoid(z) > 0.5 ? 1.0 : 0.0);
    }
    printf("\n");

    /* part 2: the library's gradient at the same start equals the hand one */
    double lib_loss;
    CHECK(attn_layer_zero_grad(m.l1));
    CHECK(attn_layer_zero_grad(m.l2));
    CHECK(net_step(&m, &lib_loss));
    double hand_loss = hand_loss_and_grad(&start, &g);
    mlp lib_g;
    {
        attn_tensor *grads[4];
        CHECK(attn_layer_param(m.l1, 0, NULL, NULL, &grads[0]));
        CHECK(attn_layer_param(m.l1, 1, NULL, NULL, &grads[1]));
        CHECK(attn_layer_param(m.l2, 0, NULL, NULL, &grads[2]));
        CHECK(attn_layer_param(m.l2, 1, NULL, NULL, &grads[3]));
        CHECK(attn_tensor_read(grads[0], ATTN_F32, lib_g.w1, sizeof lib_g.w1));
        CHECK(attn_tensor_read(grads[1], ATTN_F32, lib_g.b1, sizeof lib_g.b1));
        CHECK(attn_tensor_read(grads[2], ATTN_F32, lib_g.w2, sizeof lib_g.w2));
        CHECK(attn_tensor_read(grads[3], ATTN_F32, &lib_g.b2, sizeof lib_g.b2));
    }
    double gap = fabs(lib_loss - hand_loss);
    for (size_t i = 0; i < sizeof g / sizeof(float); i++) {
        double d = fabs((double)(&g.w1[0][0])[i] - (double)(&lib_g.w1[0][0])[i]);
        if (d > gap) gap = d;
    }
    printf("library loss and gradients equal the hand-written backpropagation (within 1e-5): %s\n",
           gap < 1e-5 ? "yes" : "NO");

    /* part 3: three optimizers, same network, same start. Every field of the
     * options is set: nothing is defaulted, and a zero beta2 and eps would
     * divide zero by zero for a parameter whose gradient is zero. */
    const char *names[NOPT] = {"SGD lr 0.5", "momentum 0.9, lr 0.5", "Adam lr 0.05"};
    attn_optim_opts opts[NOPT] = {
        {.struct_size = sizeof(attn_optim_opts), .kind = ATTN_OPTIM_SGD, .lr = 0.5},
        {.struct_size = sizeof(attn_optim_opts), .kind = ATTN_OPTIM_SGD, .lr = 0.5, .momentum = 0.9},
        {.struct_size = sizeof(attn_optim_opts), .kind = ATTN_OPTIM_ADAM, .lr = 0.05, .beta1 = 0.9, .beta2 = 0.999,
         .eps = 1e-8}};
    static double curves[NOPT][EPOCHS];
    for (int o = 0; o < NOPT; o++) {
        CHECK(net_sync(&m, &start, 0));
        attn_optim *opt;
        CHECK(attn_optim_create(ctx, &opts[o], &opt));
        const char *pname[2][2] = {{"l1.weight", "l1.bias"}, {"l2.weight", "l2.bias"}};
        for (int l = 0; l < 2; l++)
            for (int32_t i = 0; i < 2; i++) {
                attn_tensor *v, *gr;
                CHECK(attn_layer_param(layers[l], i, NULL, &v, &gr));
                CHECK(attn_optim_add_param(opt, 0, pname[l][i], v, gr));
            }
        for (int e = 0; e < EPOCHS; e++) {
            CHECK(attn_optim_zero_grad(opt));
            CHECK(net_step(&m, &curves[o][e]));
            CHECK(attn_optim_step(opt));
        }
        double final;
        CHECK(net_step(&m, &final)); /* the loss after the last step, and the predictions */
        const float *z = attn_tensor_data_f32(m.z);
        int right = 0;
        for (int n = 0; n < N; n++) right += (z[n] > 0) == (Y[n] > 0.5f);
        printf("%s: loss %.4f after %d steps, %d of 4 right\n", names[o], final, EPOCHS, right);
        attn_optim_destroy(opt);
    }
    if (!write_svg(svg_path, names, curves, NOPT)) {
        fprintf(stderr, "cannot write %s\n", svg_path);
        return 1;
    }
    printf("loss curves written to %s\n", svg_path);

    attn_tensor *all[] = {m.x, m.y, m.pre, m.h, m.z, m.dz, m.dh, m.dpre};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) attn_tensor_destroy(all[i]);
    attn_loss_destroy(m.bce);
    attn_layer_destroy(m.l1);
    attn_layer_destroy(m.l2);
    attn_ctx_destroy(ctx);
    return 0;
}
