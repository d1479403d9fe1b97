/* Fork-join for the layers' kernels and GEMMs (see gemm_split.c), on the
 * context's helper threads (lib/compute/pool.c). Work is cut into more
 * shares than threads and the threads claim shares as they go, so a thread
 * the OS does not schedule (a busy machine) delays the region by one share
 * at most, not by its whole half. */
#include "compute/compute.h"

/* About the floats one thread should touch before a second one pays off
 * (waking a helper and joining it costs a few microseconds). For a GEMM
 * (ATTN__GEMM_MULADDS_PER_UNIT) that is 4M multiply-adds, some 40 us. */
#define MIN_WORK_PER_WORKER 32768
/* Shares per thread in attn__parallel_for: the balance above. */
#define SHARES_PER_WORKER 4

void attn__parallel_run(const attn_ctx *ctx, int32_t shares, attn__share_fn fn, void *arg)
{
    attn__pool_run(ctx ? ctx->pool : NULL, shares, fn, arg);
}

int32_t attn__parallel_workers(const attn_ctx *ctx, int64_t n, int64_t work_per_item)
{
    int64_t threads = ctx ? attn__pool_threads(ctx->pool) : 1;
    if (ctx && threads > ctx->threads) threads = ctx->threads;
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

static void run_range(void *p, int32_t s, int32_t shares)
{
    range_job *r = p;
    int64_t begin = r->n * s / shares, end = r->n * (s + 1) / shares;
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
    int64_t shares = (int64_t)workers * SHARES_PER_WORKER;
    if (shares > n) shares = n;
    range_job r = {fn, arg, n};
    attn__parallel_run(ctx, (int32_t)shares, run_range, &r);
}
