/* Tutorial chapter 5 (doc/tutorial/05-transformer-block.md): one
 * Transformer block assembled from libattn's public layers -- token
 * embeddings plus positional encodings (learned, or sinusoidal), multi-head
 * self-attention, residual connections, LayerNorm, a feed-forward network --
 * with a linear head, trained with Adam to reverse a sequence of digits.
 * The block's backward pass is written out call by call and checked against
 * finite differences; the same block without positions shows why they are
 * needed.
 *
 *   cc 05_transformer_block.c $(pkg-config --cflags --libs libattn) -lm -o 05_transformer_block
 *
 * Legend: B = sequences, T = tokens per sequence, H = hidden size,
 * V = vocabulary (the digits 0..V-1), I = FFN inner size.
 * Post-LN, as BERT: h1 = LN1(e + Attn(e)), h2 = LN2(h1 + FFN(h1)). */
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
        attn_status st_ = (call);                                            \
        if (st_ != ATTN_OK) return st_;                                      \
    } while (0)

enum { V = 4, T = 4, B = 256, H = 16, HEADS = 2, I = 32, STEPS = 150 };
enum { POS_NONE = 0, POS_LEARNED = 1, POS_SINUSOIDAL = 2 };

typedef struct {
    int pos_kind;
    attn_layer *tok, *pos, *attn, *ln1, *ffn, *ln2, *head;
    attn_tensor *ids, *pos_ids, *labels, *sinus;         /* inputs */
    attn_tensor *e, *a, *r1, *h1, *f, *r2, *h2, *logits; /* forward, [B, T, *] */
    attn_tensor *logits2d, *dlogits, *dlogits2d, *dh2, *dr2, *dh1, *dr1, *de; /* backward */
    attn_loss *ce;
} block_model;

/* Every sequence of T digits once: all V^T of them (B = V^T). Target at
 * position t is the digit at position T-1-t. */
static void make_data(int32_t *ids, int32_t *pos_ids, int32_t *labels)
{
    for (int b = 0; b < B; b++)
        for (int t = 0, code = b; t < T; t++, code /= V) ids[b * T + t] = code % V;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            labels[b * T + t] = ids[b * T + T - 1 - t];
            pos_ids[b * T + t] = t;
        }
}

/* PE[t, 2i] = sin(t / 10000^(2i/H)), PE[t, 2i+1] = cos(t / 10000^(2i/H)),
 * repeated for every sequence of the batch. */
static void fill_sinusoidal(float *pe)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int i = 0; i < H / 2; i++) {
                double angle = t / pow(10000.0, 2.0 * i / H);
                pe[(b * T + t) * H + 2 * i] = (float)sin(angle);
                pe[(b * T + t) * H + 2 * i + 1] = (float)cos(angle);
            }
}

/* Forward through the block and the head; *loss = mean cross-entropy. */
static attn_status block_forward(block_model *m, double *loss)
{
    TRY(attn_embedding_forward(m->tok, m->ids, m->e));
    if (m->pos_kind == POS_LEARNED) {
        TRY(attn_embedding_forward(m->pos, m->pos_ids, m->a)); /* a as scratch: e += P[t] */
        TRY(attn_add(m->e, m->e, m->a));
    } else if (m->pos_kind == POS_SINUSOIDAL) {
        TRY(attn_add(m->e, m->e, m->sinus));
    }
    TRY(attn_attention_forward(m->attn, m->e, NULL, NULL, m->a)); /* [B, T, H]: B sequences */
    TRY(attn_add(m->r1, m->e, m->a));                             /* residual */
    TRY(attn_layernorm_forward(m->ln1, m->r1, m->h1));
    TRY(attn_ffn_forward(m->ffn, m->h1, m->f));
    TRY(attn_add(m->r2, m->h1, m->f)); /* residual */
    TRY(attn_layernorm_forward(m->ln2, m->r2, m->h2));
    TRY(attn_linear_forward(m->head, m->h2, m->logits));
    return attn_loss_forward(m->ce, m->logits2d, m->labels, loss, NULL);
}

/* Backward in reverse order. Every backward accumulates into its dx, so
 * each gradient buffer starts from zero, or from the residual's copy:
 * for r = x + sub(x), dL/dx = dL/dr + sub's backward of dL/dr. */
static attn_status block_backward(block_model *m)
{
    TRY(attn_tensor_fill(m->dlogits, 0.0));
    TRY(attn_loss_backward(m->ce, m->logits2d, m->labels, 1.0f, NULL, m->dlogits2d));
    TRY(attn_tensor_fill(m->dh2, 0.0));
    TRY(attn_linear_backward(m->head, m->h2, m->dlogits, m->dh2));
    TRY(attn_tensor_fill(m->dr2, 0.0));
    TRY(attn_layernorm_backward(m->ln2, m->r2, m->dh2, m->dr2));
    TRY(attn_tensor_copy(m->dh1, m->dr2)); /* the residual path */
    TRY(attn_ffn_backward(m->ffn, m->h1, m->dr2, m->dh1));
    TRY(attn_tensor_fill(m->dr1, 0.0));
    TRY(attn_layernorm_backward(m->ln1, m->r1, m->dh1, m->dr1));
    TRY(attn_tensor_copy(m->de, m->dr1)); /* the residual path */
    TRY(attn_attention_backward(m->attn, m->e, m->dr1, m->de));
    TRY(attn_embedding_backward(m->tok, m->ids, m->de));
    if (m->pos_kind == POS_LEARNED) TRY(attn_embedding_backward(m->pos, m->pos_ids, m->de));
    return ATTN_OK;
}

static attn_status tensor3(attn_ctx *ctx, int64_t c, attn_tensor **out)
{
    int64_t shape[3] = {B, T, c};
    return attn_tensor_create(ctx, ATTN_F32, 3, shape, out);
}

static attn_status build(attn_ctx *ctx, int pos_kind, int32_t *ids, int32_t *pos_ids, int32_t *labels, float *sinus,
                         block_model *m)
{
    memset(m, 0, sizeof *m);
    m->pos_kind = pos_kind;
    int64_t bt[2] = {B, T}, n[1] = {B * T}, bth[3] = {B, T, H}, nv[2] = {B * T, V};
    TRY(attn_embedding_create(ctx, V, H, &m->tok));
    TRY(attn_embedding_create(ctx, T, H, &m->pos));
    TRY(attn_attention_create(ctx, H, HEADS, 0.0f, &m->attn));
    TRY(attn_layernorm_create(ctx, H, 1e-5f, &m->ln1));
    TRY(attn_ffn_create(ctx, H, I, ATTN_ACT_GELU, &m->ffn));
    TRY(attn_layernorm_create(ctx, H, 1e-5f, &m->ln2));
    TRY(attn_linear_create(ctx, H, V, 1, &m->head));
    /* Embeddings, attention, FFN and linear layers all start at zero: draw
     * their weights (normal, std 0.02 as BERT; larger for this tiny model).
     * LayerNorm starts right (weight 1, bias 0) and biases stay 0. */
    attn_layer *init[5] = {m->tok, m->pos, m->attn, m->ffn, m->head};
    for (int l = 0; l < 5; l++)
        for (int32_t i = 0; i < attn_layer_param_count(init[l]); i++) {
            const char *name;
            attn_tensor *v;
            TRY(attn_layer_param(init[l], i, &name, &v, NULL));
            if (strstr(name, "bias") == NULL) TRY(attn_tensor_init_normal(v, 0.0f, 0.3f));
        }
    TRY(attn_tensor_wrap(ctx, ATTN_I32, 2, bt, ids, &m->ids));
    TRY(attn_tensor_wrap(ctx, ATTN_I32, 2, bt, pos_ids, &m->pos_ids));
    TRY(attn_tensor_wrap(ctx, ATTN_I32, 1, n, labels, &m->labels));
    TRY(attn_tensor_wrap(ctx, ATTN_F32, 3, bth, sinus, &m->sinus));
    attn_tensor **hid[] = {&m->e, &m->a, &m->r1, &m->h1, &m->f, &m->r2, &m->h2, &m->dh2, &m->dr2, &m->dh1, &m->dr1, &m->de};
    for (size_t i = 0; i < sizeof hid / sizeof hid[0]; i++) TRY(tensor3(ctx, H, hid[i]));
    TRY(tensor3(ctx, V, &m->logits));
    TRY(tensor3(ctx, V, &m->dlogits));
    /* the loss wants logits as [N, V]: a reshaped view of the same storage */
    TRY(attn_tensor_view_reshape(m->logits, 2, nv, &m->logits2d));
    TRY(attn_tensor_view_reshape(m->dlogits, 2, nv, &m->dlogits2d));
    attn_loss_opts lo = {.struct_size = sizeof lo, .kind = ATTN_LOSS_CROSS_ENTROPY};
    return attn_loss_create(ctx, &lo, &m->ce);
}

static void destroy(block_model *m)
{
    attn_layer *layers[] = {m->tok, m->pos, m->attn, m->ln1, m->ffn, m->ln2, m->head};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) attn_layer_destroy(layers[i]);
    attn_tensor *ts[] = {m->ids, m->pos_ids, m->labels, m->sinus, m->e, m->a, m->r1, m->h1, m->f, m->r2, m->h2,
                         m->logits2d, m->dlogits2d, m->logits, m->dlogits, m->dh2, m->dr2, m->dh1, m->dr1, m->de};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) attn_tensor_destroy(ts[i]);
    attn_loss_destroy(m->ce);
}

/* Fraction of positions whose most likely digit is the target. */
static double accuracy(block_model *m, const int32_t *labels)
{
    const float *z = attn_tensor_data_f32(m->logits);
    int right = 0;
    for (int r = 0; r < B * T; r++) {
        int best = 0;
        for (int c = 1; c < V; c++)
            if (z[r * V + c] > z[r * V + best]) best = c;
        right += best == labels[r];
    }
    return (double)right / (B * T);
}

/* Relative gap between backward's gradient of one parameter element and a
 * central finite difference of the loss. */
static double fd_gap(block_model *m, attn_layer *layer, const char *pname, int64_t index)
{
    attn_tensor *v = NULL, *g = NULL;
    for (int32_t i = 0; i < attn_layer_param_count(layer); i++) {
        const char *name;
        if (attn_layer_param(layer, i, &name, &v, &g) == ATTN_OK && strcmp(name, pname) == 0) break;
        v = g = NULL;
    }
    double loss, up, down;
    if (!v || attn_layer_zero_grad(layer) != ATTN_OK || block_forward(m, &loss) != ATTN_OK ||
        block_backward(m) != ATTN_OK)
        return INFINITY;
    float *p = attn_tensor_data_f32(v) + index;
    const float keep = *p, h = 1e-2f;
    *p = keep + h;
    attn_status st = block_forward(m, &up);
    *p = keep - h;
    if (st == ATTN_OK) st = block_forward(m, &down);
    *p = keep;
    double fd = (up - down) / (2.0 * h), an = attn_tensor_data_f32(g)[index];
    return st == ATTN_OK ? fabs(fd - an) / fmax(1e-3, fabs(fd)) : INFINITY;
}

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    static int32_t ids[B * T], pos_ids[B * T], labels[B * T];
    static float sinus[B * T * H];
    make_data(ids, pos_ids, labels);
    fill_sinusoidal(sinus);
    printf("sinusoidal PE[1] = [%.4f, %.4f, %.4f, %.4f, ...]\n", sinus[H], sinus[H + 1], sinus[H + 2], sinus[H + 3]);

    const char *names[3] = {"no positions", "learned positions", "sinusoidal positions"};
    for (int kind = POS_NONE; kind <= POS_SINUSOIDAL; kind++) {
        CHECK(attn_ctx_set_int(ctx, ATTN_OPT_SEED, 1)); /* the same start for each kind */
        block_model m;
        CHECK(build(ctx, kind, ids, pos_ids, labels, sinus, &m));
        attn_optim_opts oo = {.struct_size = sizeof oo, .kind = ATTN_OPTIM_ADAM, .lr = 0.02, .beta1 = 0.9,
                              .beta2 = 0.999, .eps = 1e-8};
        attn_optim *opt;
        CHECK(attn_optim_create(ctx, &oo, &opt));
        attn_layer *layers[7] = {m.tok, m.pos, m.attn, m.ln1, m.ffn, m.ln2, m.head};
        const char *lnames[7] = {"tok", "pos", "attn", "ln1", "ffn", "ln2", "head"};
        for (int l = 0; l < 7; l++) {
            if (l == 1 && kind != POS_LEARNED) continue;
            for (int32_t i = 0; i < attn_layer_param_count(layers[l]); i++) {
                const char *pn;
                attn_tensor *v, *g;
                char full[96];
                CHECK(attn_layer_param(layers[l], i, &pn, &v, &g));
                snprintf(full, sizeof full, "%s.%s", lnames[l], pn);
                CHECK(attn_optim_add_param(opt, 0, full, v, g));
            }
        }
        if (kind == POS_LEARNED) {
            const double gaps[3] = {fd_gap(&m, m.attn, "self.query.weight", 5), fd_gap(&m, m.ffn, "intermediate.dense.weight", 3),
                                    fd_gap(&m, m.pos, "weight", 2)};
            printf("block backward agrees with finite differences (within 1e-2): %s\n",
                   fmax(gaps[0], fmax(gaps[1], gaps[2])) < 1e-2 ? "yes" : "NO");
        }
        double first = 0, loss = 0;
        for (int s = 0; s < STEPS; s++) {
            CHECK(attn_optim_zero_grad(opt));
            CHECK(block_forward(&m, &loss));
            if (s == 0) first = loss;
            CHECK(block_backward(&m));
            CHECK(attn_optim_step(opt));
        }
        CHECK(block_forward(&m, &loss));
        double acc = accuracy(&m, labels);
        printf("%s: loss %.4f -> %.4f, accuracy %.1f%%\n", names[kind], first, loss, 100 * acc);
        if (kind == POS_NONE) printf("without positions the block cannot reverse: %s\n", acc < 0.9 ? "yes" : "NO");
        else printf("%s reverse every sequence: %s\n", names[kind], acc == 1.0 ? "yes" : "NO");
        attn_optim_destroy(opt);
        destroy(&m);
    }
    attn_ctx_destroy(ctx);
    return 0;
}
