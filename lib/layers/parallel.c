/* Fork-join for the layers' kernels and GEMMs (see gemm_split.c). Each
 * call starts its helper threads and joins them, as BLIS's pthreads build
 * does per GEMM: no pool lives between calls, so nothing is left running
 * in the host process and the library holds no global state. A failed
 * thread start only means that worker's share runs on the caller. */
#include <pthread.h>

#include "layers/layer_kernels.h"

/* About the floats one thread should touch before a second one pays off
 * (a thread start costs some tens of microseconds). */
#define MIN_WORK_PER_WORKER 32768

typedef struct {
    attn__worker_fn fn;
    void *arg;
    int32_t worker, workers;
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->fn(j->arg, j->worker, j->workers);
    return NULL;
}

void attn__parallel_run(int32_t workers, attn__worker_fn fn, void *arg)
{
    if (workers > ATTN__MAX_WORKERS) workers = ATTN__MAX_WORKERS;
    if (workers <= 1) {
        fn(arg, 0, 1);
        return;
    }
    pthread_t tid[ATTN__MAX_WORKERS];
    job jobs[ATTN__MAX_WORKERS];
    int started[ATTN__MAX_WORKERS];
    for (int32_t w = 0; w < workers; w++) jobs[w] = (job){fn, arg, w, workers};
    for (int32_t w = 1; w < workers; w++) started[w] = pthread_create(&tid[w], NULL, run_job, &jobs[w]) == 0;
    fn(arg, 0, workers);
    for (int32_t w = 1; w < workers; w++) {
        if (started[w]) pthread_join(tid[w], NULL);
        else fn(arg, w, workers);
    }
}

int32_t attn__parallel_workers(const attn_ctx *ctx, int64_t n, int64_t work_per_item)
{
    int64_t threads = ctx ? ctx->threads : 1;
    if (threads > ATTN__MAX_WORKERS) threads = ATTN__MAX_WORKERS;
    if (work_per_item < 1) work_per_item = 1;
    int64_t by_work = n * work_per_item / MIN_WORK_PER_WORKER;
    if (threads > by_work) threads = by_work;
    if (threads > n) threads = n;
    return threads < 1 ? 1 : (int32_t)threads;
}

typedef struct {
    attn__range_fn fn;
    void *arg;
    int64_t n;
} range_job;

static void run_range(void *p, int32_t w, int32_t workers)
{
    range_job *r = p;
    int64_t begin = r->n * w / workers, end = r->n * (w + 1) / workers;
    if (end > begin) r->fn(r->arg, begin, end);
}

void attn__parallel_for(const attn_ctx *ctx, int64_t n, int64_t work_per_item, attn__range_fn fn, void *arg)
{
    if (n <= 0) return;
    int32_t workers = attn__parallel_workers(ctx, n, work_per_item);
    if (workers == 1) {
        fn(arg, 0, n);
        return;
    }
    range_job r = {fn, arg, n};
    attn__parallel_run(workers, run_range, &r);
}
