/* The context's worker threads. A context with ATTN_OPT_THREADS = n > 1
 * keeps n - 1 helper threads for its whole life (they used to be started
 * and joined around every parallel region: tens of microseconds each, a
 * few hundred times per forward pass).
 *
 * A job is a number of shares; the caller and the helpers claim shares one
 * at a time from a shared counter until none is left, so when the machine
 * is busy and a helper is not scheduled, the caller does its shares instead
 * of waiting for it. Each share runs exactly once, on one thread.
 *
 * Waiting: a helper spins for a bounded time (SPIN_NS) on the job counter,
 * then sleeps on a condition variable; the caller, once every share is
 * claimed, does the same for the shares still running. Nothing spins
 * without bound, so an idle context costs no CPU.
 *
 * The pool's own few hundred bytes come from malloc, not the context's
 * allocator: they are not data, and a context must be able to change its
 * allocator while it holds no data (attn_ctx_set_allocator). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* How long a thread spins before it sleeps: long enough to bridge the
 * serial stretch between two parallel regions of a forward pass, short
 * enough that an idle pool gives its CPU back at once. */
#define SPIN_NS 50000
#define YIELD_AFTER_NS 5000

struct attn__pool {
    int32_t helpers;               /* threads started */
    pid_t pid;                     /* process that started them (a fork child has none) */
    pthread_t *tid;
    pthread_mutex_t lock;
    pthread_cond_t wake;           /* helpers sleep here between jobs */
    pthread_cond_t finished;       /* the caller sleeps here for the last shares */
    /* the current job; fields are atomics because a late helper may read
     * them while the caller publishes the next job (it then fails to claim) */
    _Atomic(attn__share_fn) fn;
    _Atomic(void *) arg;
    atomic_int shares;
    /* (job number << 32) | next unclaimed share: a claim is valid only for
     * the job it was read with */
    atomic_uint_fast64_t next;
    atomic_int done;               /* shares finished in the current job */
    atomic_uint job;               /* job number; helpers wait for it to change */
    atomic_int sleeping;           /* helpers asleep on wake */
    atomic_int caller_sleeping;
    atomic_int stop;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A bounded wait: spin_more returns 0 once SPIN_NS have passed. After the
 * first YIELD_AFTER_NS it yields between checks, so on a busy machine a
 * waiting thread lets the one it waits for (or anyone else) run. */
typedef struct {
    uint64_t start;
    unsigned spins;
} spin_wait;

static int spin_more(spin_wait *w)
{
    CPU_RELAX();
    if (++w->spins % 32) return 1;
    uint64_t t = now_ns();
    if (!w->start) {
        w->start = t;
        return 1;
    }
    if (t - w->start > SPIN_NS) return 0;
    if (t - w->start > YIELD_AFTER_NS) sched_yield();
    return 1;
}

/* Claims and runs shares of job `job` until none is left. */
static void work_on(attn__pool *p, uint32_t job)
{
    attn__share_fn fn = atomic_load_explicit(&p->fn, memory_order_relaxed);
    void *arg = atomic_load_explicit(&p->arg, memory_order_relaxed);
    int shares = atomic_load_explicit(&p->shares, memory_order_relaxed);
    uint64_t v = atomic_load_explicit(&p->next, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(v >> 32) != job || (int64_t)(v & 0xffffffffu) >= shares) return;
        /* success means job `job` was still open, so fn/arg/shares read
         * above were its own (the caller rewrites them only after it ends) */
        if (!atomic_compare_exchange_weak_explicit(&p->next, &v, v + 1, memory_order_acq_rel, memory_order_acquire))
            continue;
        int32_t share = (int32_t)(v & 0xffffffffu);
        fn(arg, share, shares);
        /* seq_cst against the caller's caller_sleeping store and done load */
        if (atomic_fetch_add(&p->done, 1) + 1 == shares && atomic_load(&p->caller_sleeping)) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->finished);
            pthread_mutex_unlock(&p->lock);
        }
        v = atomic_load_explicit(&p->next, memory_order_acquire);
    }
}

static void *helper_main(void *arg)
{
    attn__pool *p = arg;
    uint32_t seen = atomic_load(&p->job);
    for (;;) {
        spin_wait w = {0, 0};
        uint32_t job;
        while ((job = atomic_load_explicit(&p->job, memory_order_acquire)) == seen && !atomic_load(&p->stop))
            if (!spin_more(&w)) break;
        if (job == seen && !atomic_load(&p->stop)) {
            pthread_mutex_lock(&p->lock);
            atomic_fetch_add(&p->sleeping, 1);
            /* the caller bumps job before it reads sleeping (both seq_cst),
             * so either we see the new job here or it sees us asleep */
            while ((job = atomic_load(&p->job)) == seen && !atomic_load(&p->stop)) pthread_cond_wait(&p->wake, &p->lock);
            atomic_fetch_sub(&p->sleeping, 1);
            pthread_mutex_unlock(&p->lock);
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = job;
        work_on(p, job);
    }
}

attn__pool *attn__pool_create(int32_t helpers)
{
    if (helpers < 1) return NULL;
    attn__pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->tid = calloc((size_t)helpers, sizeof *p->tid);
    if (!p->tid || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p->tid);
        free(p);
        return NULL;
    }
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->finished, NULL);
    p->pid = getpid();
    atomic_init(&p->next, 0);
    /* helpers start with every signal blocked, so the host's signals keep
     * going to the host's own threads */
    sigset_t all, old;
    sigfillset(&all);
    int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    for (int32_t i = 0; i < helpers; i++) {
        if (pthread_create(&p->tid[p->helpers], NULL, helper_main, p) != 0) break;
        p->helpers++;
    }
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (p->helpers == 0) {
        attn__pool_destroy(p);
        return NULL;
    }
    return p;
}

void attn__pool_destroy(attn__pool *p)
{
    if (!p) return;
    /* in a fork child the helpers do not exist: nothing to join or signal */
    if (p->pid != getpid()) return;
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int32_t i = 0; i < p->helpers; i++) pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->finished);
    pthread_mutex_destroy(&p->lock);
    free(p->tid);
    free(p);
}

int32_t attn__pool_threads(const attn__pool *p)
{
    return p && p->pid == getpid() ? p->helpers + 1 : 1;
}

void attn__pool_run(attn__pool *p, int32_t shares, attn__share_fn fn, void *arg)
{
    if (shares <= 0) return;
    if (shares == 1 || !p || p->pid != getpid()) {
        for (int32_t s = 0; s < shares; s++) fn(arg, s, shares);
        return;
    }
    uint32_t job = atomic_load_explicit(&p->job, memory_order_relaxed) + 1;
    atomic_store_explicit(&p->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&p->arg, arg, memory_order_relaxed);
    atomic_store_explicit(&p->shares, shares, memory_order_relaxed);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    atomic_store_explicit(&p->next, (uint64_t)job << 32, memory_order_release);
    atomic_store(&p->job, job);
    if (atomic_load(&p->sleeping) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    work_on(p, job);
    /* every share is claimed; wait for those still running elsewhere */
    spin_wait w = {0, 0};
    while (atomic_load_explicit(&p->done, memory_order_acquire) != shares)
        if (!spin_more(&w)) break;
    if (atomic_load_explicit(&p->done, memory_order_acquire) != shares) {
        pthread_mutex_lock(&p->lock);
        atomic_store(&p->caller_sleeping, 1);
        while (atomic_load(&p->done) != shares) pthread_cond_wait(&p->finished, &p->lock);
        atomic_store(&p->caller_sleeping, 0);
        pthread_mutex_unlock(&p->lock);
    }
}
