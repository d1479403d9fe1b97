/* Tutorial chapter 4 (doc/tutorial/04-attention.md): self-attention,
 * softmax(Q K^T / sqrt(d)) V, first by hand with tensor operations, then
 * with libattn's attention layer, shown equal; padding masks; several
 * heads; and the layer's backward pass against finite differences.
 *
 *   cc 04_attention.c $(pkg-config --cflags --libs libattn) -lm -o 04_attention
 *
 * Legend: T = tokens of one sequence, H = hidden size, d = H / heads. */
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
#define TRY(call)                                                            \
    do {                                                                     \
        if ((st = (call)) != ATTN_OK) goto done;                             \
    } while (0)

/* The layer's parameter called name (borrowed). */
static attn_tensor *param(attn_layer *layer, const char *name)
{
    for (int32_t i = 0; i < attn_layer_param_count(layer); i++) {
        const char *n;
        attn_tensor *v;
        if (attn_layer_param(layer, i, &n, &v, NULL) == ATTN_OK && strcmp(n, name) == 0) return v;
    }
    return NULL;
}

/* y = x W^T + b for x [T, H], the projection called prefix in the layer. */
static attn_status project(attn_layer *layer, const char *prefix, const attn_tensor *x, attn_tensor *y)
{
    char wname[64], bname[64];
    snprintf(wname, sizeof wname, "%s.weight", prefix);
    snprintf(bname, sizeof bname, "%s.bias", prefix);
    attn_status st = attn_matmul(y, x, ATTN_NO_TRANS, param(layer, wname), ATTN_TRANS, 1.0f, 0.0f);
    return st == ATTN_OK ? attn_add(y, y, param(layer, bname)) : st; /* the bias [H] broadcasts over rows */
}

/* Self-attention of one sequence x [T, H] by hand, with the layer's own
 * weights: per head, P = softmax(Q K^T / sqrt(d) + mask), out = P V; then
 * the output projection. mask: T entries of 1 (a real token) or 0
 * (padding), or NULL. */
static attn_status attend_by_hand(attn_ctx *ctx, attn_layer *layer, int32_t heads, const attn_tensor *x,
                                  const int32_t *mask, attn_tensor *y)
{
    const int64_t t = attn_tensor_dim(x, 0), hid = attn_tensor_dim(x, 1), d = hid / heads;
    int64_t th[2] = {t, hid}, tt[2] = {t, t}, one[1] = {t};
    attn_tensor *q = NULL, *k = NULL, *v = NULL, *o = NULL, *s = NULL, *add = NULL;
    attn_tensor *qh = NULL, *kh = NULL, *vh = NULL, *oh = NULL;
    attn_status st;
    TRY(attn_tensor_create(ctx, ATTN_F32, 2, th, &q));
    TRY(attn_tensor_create(ctx, ATTN_F32, 2, th, &k));
    TRY(attn_tensor_create(ctx, ATTN_F32, 2, th, &v));
    TRY(attn_tensor_create(ctx, ATTN_F32, 2, th, &o));
    TRY(attn_tensor_create(ctx, ATTN_F32, 2, tt, &s));
    TRY(attn_tensor_create(ctx, ATTN_F32, 1, one, &add));
    TRY(project(layer, "self.query", x, q));
    TRY(project(layer, "self.key", x, k));
    TRY(project(layer, "self.value", x, v));
    /* the additive mask: 0 for a real key, a huge negative number for
     * padding, so that exp() of its score is exactly 0 */
    for (int64_t j = 0; j < t; j++) attn_tensor_data_f32(add)[j] = mask && !mask[j] ? -1e30f : 0.0f;
    for (int32_t h = 0; h < heads; h++) {
        /* head h owns columns h*d .. h*d+d-1 of Q, K, V and of the output:
         * column slices are strided views, and matmul takes any strides */
        TRY(attn_tensor_view_slice(q, 1, h * d, d, &qh));
        TRY(attn_tensor_view_slice(k, 1, h * d, d, &kh));
        TRY(attn_tensor_view_slice(v, 1, h * d, d, &vh));
        TRY(attn_tensor_view_slice(o, 1, h * d, d, &oh));
        TRY(attn_matmul(s, qh, ATTN_NO_TRANS, kh, ATTN_TRANS, 1.0f / sqrtf((float)d), 0.0f)); /* Q K^T / sqrt(d) */
        TRY(attn_add(s, s, add));  /* [T] broadcast over the rows: one mask per key */
        TRY(attn_softmax(s, s));   /* each row sums to 1 */
        TRY(attn_matmul(oh, s, ATTN_NO_TRANS, vh, ATTN_NO_TRANS, 1.0f, 0.0f)); /* P V */
        attn_tensor_destroy(qh), attn_tensor_destroy(kh), attn_tensor_destroy(vh), attn_tensor_destroy(oh);
        qh = kh = vh = oh = NULL;
    }
    TRY(project(layer, "output.dense", o, y));
done:
    attn_tensor_destroy(qh), attn_tensor_destroy(kh), attn_tensor_destroy(vh), attn_tensor_destroy(oh);
    attn_tensor_destroy(q), attn_tensor_destroy(k), attn_tensor_destroy(v), attn_tensor_destroy(o);
    attn_tensor_destroy(s), attn_tensor_destroy(add);
    return st;
}

static double max_gap(attn_tensor *a, attn_tensor *b)
{
    double worst = 0;
    const float *pa = attn_tensor_data_f32(a), *pb = attn_tensor_data_f32(b);
    for (int64_t i = 0; i < attn_tensor_numel(a); i++)
        if (fabs(pa[i] - pb[i]) > worst) worst = fabs(pa[i] - pb[i]);
    return worst;
}

static void print_rows(const char *name, attn_tensor *t)
{
    const float *p = attn_tensor_data_f32(t);
    int64_t rows = attn_tensor_dim(t, 0), cols = attn_tensor_dim(t, 1);
    for (int64_t i = 0; i < rows; i++) {
        printf("%s row %lld = [", name, (long long)i);
        for (int64_t j = 0; j < cols; j++) printf(j ? ", %.4f" : "%.4f", p[i * cols + j]);
        printf("]\n");
    }
}

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    CHECK(attn_ctx_set_int(ctx, ATTN_OPT_SEED, 4));

    /* ---- 1. three tokens in two dimensions, one head, every projection
     * the identity: the output is softmax(X X^T / sqrt(2)) X ---- */
    attn_layer *tiny;
    CHECK(attn_attention_create(ctx, 2, 1, 0.0f, &tiny));
    const float eye[4] = {1, 0, 0, 1};
    const char *weights[4] = {"self.query.weight", "self.key.weight", "self.value.weight", "output.dense.weight"};
    for (int i = 0; i < 4; i++) CHECK(attn_tensor_write(param(tiny, weights[i]), ATTN_F32, eye, sizeof eye));
    float xv[6] = {1, 0, 0, 1, 1, 1};
    int64_t xs[2] = {3, 2};
    attn_tensor *x, *y_hand, *y_layer;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, xs, xv, &x));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, xs, &y_hand));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, xs, &y_layer));
    CHECK(attend_by_hand(ctx, tiny, 1, x, NULL, y_hand));
    CHECK(attn_attention_forward(tiny, x, NULL, NULL, y_layer));
    print_rows("by hand", y_hand);
    print_rows("layer", y_layer);
    printf("tiny: layer equals the hand computation (within 1e-6): %s\n", max_gap(y_hand, y_layer) < 1e-6 ? "yes" : "NO");

    /* the third token is padding: nobody may attend to it */
    int32_t mask[3] = {1, 1, 0};
    int64_t ms[1] = {3};
    attn_tensor *tmask;
    CHECK(attn_tensor_wrap(ctx, ATTN_I32, 1, ms, mask, &tmask));
    CHECK(attend_by_hand(ctx, tiny, 1, x, mask, y_hand));
    CHECK(attn_attention_forward(tiny, x, NULL, tmask, y_layer));
    print_rows("masked, by hand", y_hand);
    print_rows("masked, layer", y_layer);
    printf("masked: layer equals the hand computation (within 1e-6): %s\n",
           max_gap(y_hand, y_layer) < 1e-6 ? "yes" : "NO");

    /* ---- 2. two heads, two sequences of five tokens, H = 8, random
     * weights, the second sequence with two padding tokens ---- */
    enum { B = 2, T = 5, H = 8, HEADS = 2 };
    attn_layer *mha;
    CHECK(attn_attention_create(ctx, H, HEADS, 0.0f, &mha));
    for (int32_t i = 0; i < attn_layer_param_count(mha); i++) {
        attn_tensor *v;
        CHECK(attn_layer_param(mha, i, NULL, &v, NULL));
        CHECK(attn_tensor_init_normal(v, 0.0f, 0.5f)); /* the layer starts at zero weights */
    }
    int64_t bth[3] = {B, T, H}, bt[2] = {B, T}, th[2] = {T, H};
    int32_t bmask[B * T] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    attn_tensor *bx, *by, *tb, *row_x, *row_hand;
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &bx));
    CHECK(attn_tensor_init_normal(bx, 0.0f, 1.0f));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &by));
    CHECK(attn_tensor_wrap(ctx, ATTN_I32, 2, bt, bmask, &tb));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, th, &row_hand));
    CHECK(attn_attention_forward(mha, bx, NULL, tb, by));
    double worst = 0;
    for (int b = 0; b < B; b++) {
        attn_tensor *slab, *ylayer;
        CHECK(attn_tensor_view_slice(bx, 0, b, 1, &slab));
        CHECK(attn_tensor_view_reshape(slab, 2, th, &row_x)); /* sequence b as [T, H] */
        attn_tensor_destroy(slab);
        CHECK(attend_by_hand(ctx, mha, HEADS, row_x, bmask + b * T, row_hand));
        CHECK(attn_tensor_view_slice(by, 0, b, 1, &slab));
        CHECK(attn_tensor_view_reshape(slab, 2, th, &ylayer));
        attn_tensor_destroy(slab);
        double g = max_gap(row_hand, ylayer);
        if (g > worst) worst = g;
        attn_tensor_destroy(ylayer);
        attn_tensor_destroy(row_x);
    }
    printf("two heads, two sequences: layer equals the hand computation (within 1e-5): %s\n",
           worst < 1e-5 ? "yes" : "NO");

    /* a padding token's value must not leak into the real tokens' outputs */
    attn_tensor *by2;
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &by2));
    attn_tensor_data_f32(bx)[(1 * T + 4) * H + 0] += 100.0f;
    CHECK(attn_attention_forward(mha, bx, NULL, tb, by2));
    double leak = 0;
    for (int t = 0; t < 3; t++)
        for (int c = 0; c < H; c++) {
            int64_t at = (1 * T + t) * H + c;
            leak = fmax(leak, fabs(attn_tensor_data_f32(by)[at] - attn_tensor_data_f32(by2)[at]));
        }
    printf("changing a padding token changes no real token's output: %s\n", leak == 0.0 ? "yes" : "NO");
    attn_tensor_data_f32(bx)[(1 * T + 4) * H + 0] -= 100.0f;

    /* ---- 3. backward: d(sum c*y)/dx against finite differences ---- */
    attn_tensor *c, *dx;
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &c));
    CHECK(attn_tensor_init_normal(c, 0.0f, 1.0f));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 3, bth, &dx));
    CHECK(attn_attention_forward(mha, bx, NULL, tb, by));
    CHECK(attn_layer_zero_grad(mha));
    CHECK(attn_attention_backward(mha, bx, c, dx));
    double fd_worst = 0;
    float *px = attn_tensor_data_f32(bx);
    for (int64_t i = 0; i < B * T * H; i += 7) {
        const float keep = px[i], h = 1e-2f;
        double f[2];
        for (int s = 0; s < 2; s++) {
            px[i] = keep + (s ? -h : h);
            CHECK(attn_attention_forward(mha, bx, NULL, tb, by2));
            CHECK(attn_dot(by2, c, &f[s]));
        }
        px[i] = keep;
        double fd = (f[0] - f[1]) / (2.0 * h);
        fd_worst = fmax(fd_worst, fabs(fd - attn_tensor_data_f32(dx)[i]) / fmax(1.0, fabs(fd)));
    }
    printf("attention backward agrees with finite differences (within 1e-2): %s\n", fd_worst < 1e-2 ? "yes" : "NO");

    attn_tensor *all[] = {x, y_hand, y_layer, tmask, bx, by, by2, tb, row_hand, c, dx};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) attn_tensor_destroy(all[i]);
    attn_layer_destroy(tiny);
    attn_layer_destroy(mha);
    attn_ctx_destroy(ctx);
    return 0;
}
