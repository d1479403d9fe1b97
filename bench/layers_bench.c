/* layers_bench: times each libattn layer's forward and backward at BERT-base
 * shapes (B = 8, T = 128, hidden 768, 12 heads, FFN 3072; 2 threads by
 * default), plus the row kernels behind LayerNorm, the attention softmax
 * and GELU with their memory rates. bench/layers_bench.py measures the same
 * cases in PyTorch and bench/layers_compare.py runs both side by side.
 *
 * Each case runs --warmup untimed and --reps timed repetitions and reports
 * the median (and the minimum). Forward runs in eval mode except dropout's;
 * backward repeats after one forward (backward accumulates, so no forward
 * is needed in between). One JSON object per line:
 *   {"case": "attention", "pass": "forward", "median_ms": ..., "min_ms": ..., "gbps": ...}
 * "gbps" appears for the memory-bound kernels: bytes read + written per
 * call / median time.
 *
 * Cases:
 *   linear          768 -> 768 with bias, N = B*T rows
 *   layernorm       768, eps 1e-12
 *   attention       768, 12 heads, B sequences of T, no mask
 *   attention_pad   the same with the last 25% of each sequence masked
 *   attention_packed the same real tokens packed (padding left out)
 *   ffn             768 -> 3072 -> 768, exact GELU
 *   embedding       30522 x 768 lookup of N ids (backward: scatter-add)
 *   dropout         p = 0.1 on [N, 768], training mode
 *   kernel_layernorm / kernel_softmax / kernel_gelu: the row kernels alone
 *                   (softmax over B*heads*T rows of T; GELU over [N, 3072])
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attn.h"
#include "compute/compute.h"

typedef struct {
    int64_t batch, seq, hidden, heads, ffn, vocab;
    int32_t threads, reps, warmup;
    const char *cases;  /* comma-separated case names to run, NULL = all */
    const char *isa;    /* ATTN_OPT_MAX_ISA by name, NULL = the CPU's best */
} options;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(attn_ctx *ctx, const char *what, attn_status st)
{
    fprintf(stderr, "layers_bench: %s failed: %s (%s)\n", what, attn_status_str(st), attn_ctx_last_error(ctx));
    exit(1);
}

#define CHECK(ctx, expr)                                  \
    do {                                                  \
        attn_status st_ = (expr);                         \
        if (st_ != ATTN_OK) die((ctx), #expr, st_);       \
    } while (0)

typedef void (*step_fn)(void *arg);

/* Runs fn warmup + reps times, prints one JSON line with the median. */
static void measure(const options *o, const char *name, const char *pass, step_fn fn, void *arg, double bytes)
{
    double *t = malloc(sizeof(double) * (size_t)o->reps);
    for (int i = 0; i < o->warmup; i++) fn(arg);
    for (int i = 0; i < o->reps; i++) {
        double t0 = now_ms();
        fn(arg);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)o->reps, sizeof(double), cmp_double);
    double med = o->reps % 2 ? t[o->reps / 2] : 0.5 * (t[o->reps / 2 - 1] + t[o->reps / 2]);
    printf("{\"case\": \"%s\", \"pass\": \"%s\", \"median_ms\": %.4f, \"min_ms\": %.4f", name, pass, med, t[0]);
    if (bytes > 0) printf(", \"gbps\": %.2f", bytes / (med * 1e-3) / 1e9);
    printf("}\n");
    fflush(stdout);
    free(t);
}

static int wanted(const options *o, const char *name)
{
    if (!o->cases) return 1;
    size_t len = strlen(name);
    for (const char *p = o->cases; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

static attn_tensor *tensor(attn_ctx *ctx, int32_t rank, const int64_t *shape, float scale)
{
    attn_tensor *t;
    CHECK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    if (scale > 0) CHECK(ctx, attn_tensor_init_uniform(t, -scale, scale));
    return t;
}

static void init_params(attn_ctx *ctx, attn_layer *l, float scale)
{
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        attn_tensor *v;
        CHECK(ctx, attn_layer_param(l, i, NULL, &v, NULL));
        CHECK(ctx, attn_tensor_init_uniform(v, -scale, scale));
    }
}

/* ---- one struct for every layer case: the step functions pick fields ---- */

typedef struct {
    attn_ctx *ctx;
    attn_layer *l;
    attn_tensor *x, *y, *dy, *dx, *ids, *offsets, *mask;
    int kind;
} layer_case;

enum { K_LINEAR, K_LAYERNORM, K_ATTENTION, K_FFN, K_EMBEDDING, K_DROPOUT };

static void forward(void *p)
{
    layer_case *c = p;
    attn_status st = ATTN_OK;
    switch (c->kind) {
    case K_LINEAR: st = attn_linear_forward(c->l, c->x, c->y); break;
    case K_LAYERNORM: st = attn_layernorm_forward(c->l, c->x, c->y); break;
    case K_ATTENTION: st = attn_attention_forward(c->l, c->x, c->offsets, c->mask, c->y); break;
    case K_FFN: st = attn_ffn_forward(c->l, c->x, c->y); break;
    case K_EMBEDDING: st = attn_embedding_forward(c->l, c->ids, c->y); break;
    case K_DROPOUT: st = attn_dropout_forward(c->l, c->x, c->y); break;
    }
    if (st != ATTN_OK) die(c->ctx, "forward", st);
}

static void backward(void *p)
{
    layer_case *c = p;
    attn_status st = ATTN_OK;
    switch (c->kind) {
    case K_LINEAR: st = attn_linear_backward(c->l, c->x, c->dy, c->dx); break;
    case K_LAYERNORM: st = attn_layernorm_backward(c->l, c->x, c->dy, c->dx); break;
    case K_ATTENTION: st = attn_attention_backward(c->l, c->x, c->dy, c->dx); break;
    case K_FFN: st = attn_ffn_backward(c->l, c->x, c->dy, c->dx); break;
    case K_EMBEDDING: st = attn_embedding_backward(c->l, c->ids, c->dy); break;
    case K_DROPOUT: st = attn_dropout_backward(c->l, c->dy, c->dx); break;
    }
    if (st != ATTN_OK) die(c->ctx, "backward", st);
}

/* Times forward and backward of c; rows x width activations. */
static void run_layer(const options *o, const char *name, layer_case *c, int64_t rows, int64_t in_w, int64_t out_w)
{
    int64_t xs[2] = {rows, in_w}, ys[2] = {rows, out_w};
    if (!c->x && c->kind != K_EMBEDDING) c->x = tensor(c->ctx, 2, xs, 1.0f);
    c->y = tensor(c->ctx, 2, ys, 0);
    c->dy = tensor(c->ctx, 2, ys, 1.0f);
    if (c->kind != K_EMBEDDING) c->dx = tensor(c->ctx, 2, xs, 0);
    double bytes = c->kind == K_LAYERNORM ? (double)rows * in_w * 8.0 : 0.0;
    measure(o, name, "forward", forward, c, bytes);
    forward(c);
    measure(o, name, "backward", backward, c, 0.0);
    attn_tensor_destroy(c->x), attn_tensor_destroy(c->y), attn_tensor_destroy(c->dy), attn_tensor_destroy(c->dx);
    attn_tensor_destroy(c->ids), attn_tensor_destroy(c->offsets), attn_tensor_destroy(c->mask);
    attn_layer_destroy(c->l);
}

/* ---- row kernels alone, split over threads as the layers split them ---- */

typedef struct {
    attn_ctx *ctx;
    float *a, *b, *w, *bias, *stats;
    int64_t rows, cols;
} kernel_case;

static void softmax_rows(void *p, int64_t r0, int64_t r1)
{
    kernel_case *k = p;
    for (int64_t r = r0; r < r1; r++) attn__kern(k->ctx)->softmax_keep_row(k->a + r * k->cols, NULL, k->cols);
}

static void gelu_rows(void *p, int64_t r0, int64_t r1)
{
    kernel_case *k = p;
    for (int64_t r = r0; r < r1; r++)
        attn__kern(k->ctx)->bias_act_row(ATTN_ACT_GELU, k->a + r * k->cols, k->b + r * k->cols, NULL, k->cols);
}

static void layernorm_rows(void *p, int64_t r0, int64_t r1)
{
    kernel_case *k = p;
    for (int64_t r = r0; r < r1; r++)
        attn__kern(k->ctx)->layernorm_row(k->b + r * k->cols, k->a + r * k->cols, k->w, k->bias, k->cols, 1e-12f,
                                          &k->stats[2 * r], &k->stats[2 * r + 1]);
}

static void softmax_step(void *p)
{
    kernel_case *k = p;
    attn__parallel_for(k->ctx, k->rows, k->cols * 8, softmax_rows, k);
}

static void gelu_step(void *p)
{
    kernel_case *k = p;
    attn__parallel_for(k->ctx, k->rows, k->cols * 16, gelu_rows, k);
}

static void layernorm_step(void *p)
{
    kernel_case *k = p;
    attn__parallel_for(k->ctx, k->rows, k->cols * 3, layernorm_rows, k);
}

static float *filled(int64_t n, float scale)
{
    float *p = malloc((size_t)n * sizeof(float));
    uint64_t s = 88172645463325252ULL;
    for (int64_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        p[i] = scale * ((float)(s >> 40) / (float)(1 << 24) * 2.0f - 1.0f);
    }
    return p;
}

static void run_kernel(const options *o, attn_ctx *ctx, const char *name, step_fn fn, int64_t rows, int64_t cols,
                       float scale)
{
    kernel_case k = {ctx, filled(rows * cols, scale), filled(rows * cols, 1.0f), filled(cols, 1.0f),
                     filled(cols, 1.0f), filled(2 * rows, 1.0f), rows, cols};
    /* softmax works in place: refresh is not needed, the rows stay valid inputs */
    measure(o, name, "forward", fn, &k, (double)rows * cols * 8.0);
    free(k.a), free(k.b), free(k.w), free(k.bias), free(k.stats);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: layers_bench [--threads N] [--reps R] [--warmup W] [--batch B] [--seq T]\n"
            "                    [--hidden H] [--heads A] [--ffn I] [--cases NAME,NAME,...] [--isa LEVEL]\n"
            "--isa (or ATTN_MAX_CPU_ISA): avx512, avx2 or sse2, the highest ISA level of libattn's kernels\n");
    exit(2);
}

int main(int argc, char **argv)
{
    options o = {8, 128, 768, 12, 3072, 30522, 2, 20, 3, NULL, getenv("ATTN_MAX_CPU_ISA")};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--threads")) o.threads = atoi(v);
        else if (!strcmp(a, "--reps")) o.reps = atoi(v);
        else if (!strcmp(a, "--warmup")) o.warmup = atoi(v);
        else if (!strcmp(a, "--batch")) o.batch = atoll(v);
        else if (!strcmp(a, "--seq")) o.seq = atoll(v);
        else if (!strcmp(a, "--hidden")) o.hidden = atoll(v);
        else if (!strcmp(a, "--heads")) o.heads = atoll(v);
        else if (!strcmp(a, "--ffn")) o.ffn = atoll(v);
        else if (!strcmp(a, "--cases")) o.cases = v;
        else if (!strcmp(a, "--isa")) o.isa = v;
        else usage();
    }
    if (o.reps < 1 || o.threads < 1 || o.warmup < 0) usage();
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    CHECK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_THREADS, o.threads));
    if (o.isa) {
        int64_t isa;
        if (attn_isa_parse(o.isa, &isa) != ATTN_OK) usage();
        CHECK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MAX_ISA, isa));
    }
    const int64_t n = o.batch * o.seq, h = o.hidden;
    printf("{\"library\": \"libattn %s\", \"blis_arch\": \"%s\", \"isa\": \"%s\", \"threads\": %d, \"batch\": %lld, \"seq\": %lld, "
           "\"hidden\": %lld, \"heads\": %lld, \"ffn\": %lld, \"reps\": %d}\n",
           attn_version_string(), attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH),
           attn_ctx_info_string(ctx, ATTN_INFO_ISA_NAME), o.threads, (long long)o.batch,
           (long long)o.seq, (long long)h, (long long)o.heads, (long long)o.ffn, o.reps);

    if (wanted(&o, "linear")) {
        layer_case c = {ctx, NULL, .kind = K_LINEAR};
        CHECK(ctx, attn_linear_create(ctx, h, h, 1, &c.l));
        init_params(ctx, c.l, 0.03f);
        run_layer(&o, "linear", &c, n, h, h);
    }
    if (wanted(&o, "layernorm")) {
        layer_case c = {ctx, NULL, .kind = K_LAYERNORM};
        CHECK(ctx, attn_layernorm_create(ctx, h, 1e-12f, &c.l));
        run_layer(&o, "layernorm", &c, n, h, h);
    }
    int64_t real = o.seq - (o.seq + 2) / 4;   /* 25% padding, rounded as round(0.25 T) */
    for (int variant = 0; variant < 3; variant++) {
        static const char *names[3] = {"attention", "attention_pad", "attention_packed"};
        if (!wanted(&o, names[variant])) continue;
        layer_case c = {ctx, NULL, .kind = K_ATTENTION};
        CHECK(ctx, attn_attention_create(ctx, h, (int32_t)o.heads, 0.1f, &c.l));
        init_params(ctx, c.l, 0.03f);
        int64_t rows = n;
        if (variant == 0) {
            int64_t xs[3] = {o.batch, o.seq, h};
            c.x = tensor(ctx, 3, xs, 1.0f);
        } else if (variant == 1) {
            int64_t ms[1] = {n};
            CHECK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, ms, &c.mask));
            int32_t *m = attn_tensor_data(c.mask);
            for (int64_t i = 0; i < n; i++) m[i] = i % o.seq < real;
            int64_t xs[3] = {o.batch, o.seq, h};
            c.x = tensor(ctx, 3, xs, 1.0f);
        } else {
            rows = o.batch * real;
            int64_t os[1] = {o.batch + 1};
            CHECK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, os, &c.offsets));
            int32_t *off = attn_tensor_data(c.offsets);
            for (int64_t b = 0; b <= o.batch; b++) off[b] = (int32_t)(b * real);
        }
        run_layer(&o, names[variant], &c, rows, h, h);
    }
    if (wanted(&o, "ffn")) {
        layer_case c = {ctx, NULL, .kind = K_FFN};
        CHECK(ctx, attn_ffn_create(ctx, h, o.ffn, ATTN_ACT_GELU, &c.l));
        init_params(ctx, c.l, 0.03f);
        run_layer(&o, "ffn", &c, n, h, h);
    }
    if (wanted(&o, "embedding")) {
        layer_case c = {ctx, NULL, .kind = K_EMBEDDING};
        CHECK(ctx, attn_embedding_create(ctx, o.vocab, h, &c.l));
        init_params(ctx, c.l, 0.03f);
        int64_t is[1] = {n};
        CHECK(ctx, attn_tensor_create(ctx, ATTN_I32, 1, is, &c.ids));
        int32_t *id = attn_tensor_data(c.ids);
        for (int64_t i = 0; i < n; i++) id[i] = (int32_t)((i * 7919) % o.vocab);
        run_layer(&o, "embedding", &c, n, h, h);
    }
    if (wanted(&o, "dropout")) {
        layer_case c = {ctx, NULL, .kind = K_DROPOUT};
        CHECK(ctx, attn_dropout_create(ctx, 0.1f, &c.l));
        CHECK(ctx, attn_layer_set_training(c.l, 1));
        run_layer(&o, "dropout", &c, n, h, h);
    }
    if (wanted(&o, "kernel_layernorm")) run_kernel(&o, ctx, "kernel_layernorm", layernorm_step, n, h, 3.0f);
    if (wanted(&o, "kernel_softmax")) run_kernel(&o, ctx, "kernel_softmax", softmax_step, o.batch * o.heads * o.seq, o.seq, 4.0f);
    if (wanted(&o, "kernel_gelu")) run_kernel(&o, ctx, "kernel_gelu", gelu_step, n, o.ffn, 3.0f);
    attn_ctx_destroy(ctx);
    return 0;
}
