/* One context per host thread, as core.h promises: several pthreads, each
 * with its own context, building, training and running models at the same
 * time give exactly the numbers of a run alone. scripts/sanitizers.sh also
 * runs this under ThreadSanitizer (libattn instrumented, BLIS not). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"
#include "tiny_training.h"

#define HOST_THREADS 4
#define STEPS 3
#define MAX_LOGITS (64 * TINY_LABELS)

typedef enum { TRAIN, INFER } workload_kind;

typedef struct {
    workload_kind kind;
    tiny_size size;
    int32_t compute_threads; /* ATTN_OPT_THREADS of the context */
    int32_t rounds;          /* INFER: forward passes */
    pthread_barrier_t *start;
    /* results */
    attn_status status;
    char message[512];
    float losses[STEPS];
    float logits[MAX_LOGITS];
    uint64_t params_hash;
    int64_t bytes_left;
} workload;

/* FNV-1a over every parameter's bytes: equal hashes = bit-identical weights */
static uint64_t hash_params(attn_model *m)
{
    uint64_t h = 1469598103934665603ULL;
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *v;
        if (attn_model_param(m, i, NULL, &v, NULL) != ATTN_OK) return 0;
        const unsigned char *p = (const unsigned char *)attn_tensor_data_f32(v);
        for (size_t k = 0; k < (size_t)attn_tensor_numel(v) * sizeof(float); k++) h = (h ^ p[k]) * 1099511628211ULL;
    }
    return h;
}

static attn_status run(workload *w, attn_ctx *ctx)
{
    tiny_training t;
    attn_status st = attn_ctx_set_int(ctx, ATTN_OPT_THREADS, w->compute_threads);
    if (st == ATTN_OK) st = tiny_open(ctx, &w->size, &t);
    if (st != ATTN_OK) return st;
    if (w->kind == TRAIN)
        for (int i = 0; i < STEPS && st == ATTN_OK; i++) st = tiny_train_step(&t, &w->losses[i]);
    for (int i = 0; i < (w->kind == INFER ? w->rounds : 1) && st == ATTN_OK; i++) st = tiny_infer(&t, w->logits);
    w->params_hash = hash_params(t.model);
    tiny_close(&t);
    return st;
}

static void *run_in_thread(void *arg)
{
    workload *w = arg;
    attn_ctx *ctx = NULL;
    if (w->start) pthread_barrier_wait(w->start);
    w->status = attn_ctx_create(&ctx);
    if (w->status == ATTN_OK) w->status = run(w, ctx);
    snprintf(w->message, sizeof w->message, "%s", attn_ctx_last_error(ctx));
    w->bytes_left = -1;
    if (ctx) attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &w->bytes_left);
    attn_ctx_destroy(ctx);
    return NULL;
}

static void run_alone(workload *w)
{
    w->start = NULL;
    run_in_thread(w);
    ck_assert_msg(w->status == ATTN_OK, "reference run: %s (%s)", attn_status_str(w->status), w->message);
}

/* Starts every workload in its own thread at the same moment and joins them. */
static void run_together(workload *w, int n)
{
    pthread_t tid[HOST_THREADS];
    pthread_barrier_t start;
    ck_assert_int_le(n, HOST_THREADS);
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        w[i].start = &start;
        ck_assert_int_eq(pthread_create(&tid[i], NULL, run_in_thread, &w[i]), 0);
    }
    for (int i = 0; i < n; i++) pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(w[i].status == ATTN_OK, "thread %d: %s (%s)", i, attn_status_str(w[i].status), w[i].message);
        ck_assert_msg(w[i].bytes_left == 0, "thread %d: %lld bytes left on its context", i, (long long)w[i].bytes_left);
    }
}

static void assert_same(const workload *got, const workload *want, int thread)
{
    size_t logits = (size_t)want->size.batch * TINY_LABELS * sizeof(float);
    ck_assert_msg(memcmp(got->losses, want->losses, sizeof want->losses) == 0, "thread %d: losses differ", thread);
    ck_assert_msg(memcmp(got->logits, want->logits, logits) == 0, "thread %d: logits differ", thread);
    ck_assert_msg(got->params_hash == want->params_hash, "thread %d: trained weights differ", thread);
}

START_TEST(concurrent_training_is_bit_identical_to_a_run_alone)
{
    workload want = {.kind = TRAIN, .size = tiny_default_size, .compute_threads = 1};
    run_alone(&want);
    workload w[HOST_THREADS];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < HOST_THREADS; i++) w[i] = want;
        run_together(w, HOST_THREADS);
        for (int i = 0; i < HOST_THREADS; i++) assert_same(&w[i], &want, i);
    }
}
END_TEST

START_TEST(inference_and_training_side_by_side_match_their_runs_alone)
{
    workload train = {.kind = TRAIN, .size = tiny_default_size, .compute_threads = 1};
    workload infer = {.kind = INFER, .size = tiny_default_size, .compute_threads = 1, .rounds = 20};
    run_alone(&train);
    run_alone(&infer);
    workload w[HOST_THREADS] = {train, infer, train, infer};
    run_together(w, HOST_THREADS);
    for (int i = 0; i < HOST_THREADS; i++) assert_same(&w[i], i % 2 ? &infer : &train, i);
}
END_TEST

/* The model with two compute threads per context (the context's worker
 * pool splits the GEMMs, row kernels and the AdamW update) in two host
 * threads at once: 4 threads on the machine, each context's results the
 * same bits as its run alone. About 1500 real tokens: enough rows for the
 * work to be split. */
START_TEST(training_with_compute_threads_side_by_side_matches_a_run_alone)
{
    const tiny_size medium = {64, 32, 64};
    workload want = {.kind = TRAIN, .size = medium, .compute_threads = 2};
    run_alone(&want);
    workload w[2] = {want, want};
    run_together(w, 2);
    for (int i = 0; i < 2; i++) assert_same(&w[i], &want, i);
}
END_TEST

/* Row kernels (LayerNorm, dropout, embedding lookup) over 4096 rows fork
 * their own workers when the context has several compute threads: host
 * threads and compute threads at once, without BLIS (whose per-call
 * threads are not under test here). Rows are independent, so the thread
 * count must not change a bit of the outputs. */
#define ROWS 4096
#define DIM 64

typedef struct {
    int32_t compute_threads;
    pthread_barrier_t *start;
    attn_status status;
    char message[512];
    uint64_t rows_hash;  /* y, dx, dropout, embedding: one result per row */
    uint64_t sums_hash;  /* LayerNorm weight and bias gradients: sums over rows (no GEMM) */
} row_work;

static uint64_t hash_floats(uint64_t h, attn_tensor *t)
{
    const unsigned char *p = (const unsigned char *)attn_tensor_data_f32(t);
    for (size_t k = 0; k < (size_t)attn_tensor_numel(t) * sizeof(float); k++) h = (h ^ p[k]) * 1099511628211ULL;
    return h;
}

static attn_status row_kernels(row_work *w, attn_ctx *ctx)
{
    const int64_t xs[2] = {ROWS, DIM}, is[1] = {ROWS};
    attn_tensor *x = NULL, *y = NULL, *dx = NULL, *d = NULL, *e = NULL, *ids = NULL, *table, *gw, *gb;
    attn_layer *ln = NULL, *drop = NULL, *emb = NULL;
    int32_t *idv = malloc(ROWS * sizeof(int32_t));
    attn_status st = idv ? attn_ctx_set_int(ctx, ATTN_OPT_THREADS, w->compute_threads) : ATTN_ERR_NOMEM;
    if (st == ATTN_OK) st = attn_tensor_create(ctx, ATTN_F32, 2, xs, &x);
    if (st == ATTN_OK) st = attn_tensor_create(ctx, ATTN_F32, 2, xs, &y);
    if (st == ATTN_OK) st = attn_tensor_create(ctx, ATTN_F32, 2, xs, &dx);
    if (st == ATTN_OK) st = attn_tensor_create(ctx, ATTN_F32, 2, xs, &d);
    if (st == ATTN_OK) st = attn_tensor_create(ctx, ATTN_F32, 2, xs, &e);
    if (st == ATTN_OK) st = attn_tensor_create(ctx, ATTN_I32, 1, is, &ids);
    if (st == ATTN_OK) st = attn_tensor_init_normal(x, 0.5f, 2.0f);
    if (st == ATTN_OK) st = attn_tensor_fill(dx, 0.0);
    if (st == ATTN_OK) st = attn_layernorm_create(ctx, DIM, 1e-12f, &ln);
    if (st == ATTN_OK) st = attn_dropout_create(ctx, 0.1f, &drop);
    if (st == ATTN_OK) st = attn_layer_set_training(drop, 1);
    if (st == ATTN_OK) st = attn_embedding_create(ctx, 100, DIM, &emb);
    if (st == ATTN_OK) st = attn_layer_param(emb, 0, NULL, &table, NULL);
    if (st == ATTN_OK) st = attn_tensor_init_normal(table, 0.0f, 1.0f);
    if (st == ATTN_OK) {
        for (int32_t i = 0; i < ROWS; i++) idv[i] = (i * 37) % 100;
        st = attn_tensor_write(ids, ATTN_I32, idv, ROWS * sizeof(int32_t));
    }
    if (st == ATTN_OK) st = attn_layernorm_forward(ln, x, y);
    if (st == ATTN_OK) st = attn_layernorm_backward(ln, x, x, dx); /* any dy will do: x */
    if (st == ATTN_OK) st = attn_dropout_forward(drop, y, d);
    if (st == ATTN_OK) st = attn_embedding_forward(emb, ids, e);
    if (st == ATTN_OK) st = attn_layer_param(ln, 0, NULL, NULL, &gw);
    if (st == ATTN_OK) st = attn_layer_param(ln, 1, NULL, NULL, &gb);
    if (st == ATTN_OK) {
        w->rows_hash = hash_floats(hash_floats(hash_floats(hash_floats(1469598103934665603ULL, y), dx), d), e);
        w->sums_hash = hash_floats(hash_floats(1469598103934665603ULL, gw), gb);
    }
    attn_layer_destroy(ln);
    attn_layer_destroy(drop);
    attn_layer_destroy(emb);
    attn_tensor_destroy(x);
    attn_tensor_destroy(y);
    attn_tensor_destroy(dx);
    attn_tensor_destroy(d);
    attn_tensor_destroy(e);
    attn_tensor_destroy(ids);
    free(idv);
    return st;
}

static void *row_kernels_in_thread(void *arg)
{
    row_work *w = arg;
    attn_ctx *ctx = NULL;
    if (w->start) pthread_barrier_wait(w->start);
    w->status = attn_ctx_create(&ctx);
    if (w->status == ATTN_OK) w->status = row_kernels(w, ctx);
    snprintf(w->message, sizeof w->message, "%s", attn_ctx_last_error(ctx));
    attn_ctx_destroy(ctx);
    return NULL;
}

START_TEST(row_kernels_with_several_compute_threads_run_side_by_side)
{
    row_work one = {.compute_threads = 1}, several = {.compute_threads = 3};
    row_kernels_in_thread(&one);
    row_kernels_in_thread(&several);
    ck_assert_msg(one.status == ATTN_OK && several.status == ATTN_OK, "%s / %s", one.message, several.message);
    /* DESIGN.md: only GEMM reassociation may depend on the thread count */
    ck_assert_msg(one.rows_hash == several.rows_hash, "row results change with the compute thread count");
    ck_assert_msg(one.sums_hash == several.sums_hash, "gradient sums change with the compute thread count");

    row_work w[2] = {several, several};
    pthread_t tid[2];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    for (int i = 0; i < 2; i++) {
        w[i].start = &start;
        ck_assert_int_eq(pthread_create(&tid[i], NULL, row_kernels_in_thread, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(w[i].status == ATTN_OK, "thread %d: %s", i, w[i].message);
        ck_assert_msg(w[i].rows_hash == several.rows_hash, "thread %d: row results differ from a run alone", i);
        ck_assert_msg(w[i].sums_hash == several.sums_hash, "thread %d: gradient sums differ from a run alone", i);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *one = tcase_create("single_compute_thread"), *several = tcase_create("several_compute_threads");
    tcase_set_timeout(one, 3600); /* meson's timeout governs */
    tcase_set_timeout(several, 3600);
    tcase_add_test(one, concurrent_training_is_bit_identical_to_a_run_alone);
    tcase_add_test(one, inference_and_training_side_by_side_match_their_runs_alone);
    tcase_add_test(several, row_kernels_with_several_compute_threads_run_side_by_side);
    tcase_add_test(several, training_with_compute_threads_side_by_side_matches_a_run_alone);
    suite_add_tcase(s, one);
    suite_add_tcase(s, several);
    return attn_test_run(s);
}
