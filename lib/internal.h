/* Private declarations shared by every area of the library: the context and
 * tensor layouts, error reporting, allocation through the context, the RNG
 * and the GEMM entry point. Never installed; names are attn__ (two
 * underscores) and hidden by -fvisibility=hidden.
 */
#ifndef ATTN_INTERNAL_H
#define ATTN_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>

#include "attn.h"

#define ATTN_ERRMSG_MAX 512

/* A small helper every caller must inline (the vectorised loops need it). */
#if defined(__GNUC__)
#define ATTN__INLINE static inline __attribute__((always_inline))
#else
#define ATTN__INLINE static inline
#endif

typedef struct attn__pool attn__pool;
typedef struct attn__kernels attn__kernels;

struct attn_ctx {
    int32_t threads;
    int32_t max_isa;             /* ATTN_OPT_MAX_ISA as set */
    const attn__kernels *kernels; /* the vectorised kernels in use (lib/compute/compute.h) */
    attn__pool *pool;            /* threads - 1 helpers, or NULL (lib/compute/pool.c) */
    void *scratch;               /* attn__scratch: shared work area of the layers */
    size_t scratch_bytes;
    int32_t scratch_users;
    int32_t check_finite;
    int32_t batch_invariant;     /* ATTN_OPT_BATCH_INVARIANT */
    uint64_t seed;
    uint64_t rng_counter;        /* next unused block of the context's random stream */
    int64_t memory_limit;        /* 0 = unlimited */
    int64_t bytes_in_use;
    int64_t peak_bytes;
    int64_t alloc_count;
    attn_alloc_fn alloc;
    attn_free_fn free_fn;
    void *alloc_user;
    char last_error[ATTN_ERRMSG_MAX];
};

/* Records a formatted message on ctx (if not NULL) and returns status. */
attn_status attn__fail(attn_ctx *ctx, attn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Clears the last error; returns ATTN_OK. */
attn_status attn__ok(attn_ctx *ctx);

/* Allocation through the context: counted, limited by ATTN_OPT_MEMORY_LIMIT,
 * 64-byte aligned. attn__alloc fails with a message on ctx and returns NULL;
 * the caller then returns ATTN_ERR_NOMEM. attn__calloc zero-fills. */
void *attn__alloc(attn_ctx *ctx, size_t size);
void *attn__calloc(attn_ctx *ctx, size_t count, size_t size);
void attn__free(attn_ctx *ctx, void *ptr);
/* Duplicates a NUL-terminated string through the context. */
char *attn__strdup(attn_ctx *ctx, const char *s);

/* A work area shared by every layer of a context (lib/core/ctx.c): a
 * backward pass needs its gradient buffers only during the call, and one
 * context runs one call at a time, so all layers can use the same memory
 * instead of each keeping its own (on BERT-base, 18 MB per block). A layer
 * that uses it joins at creation and leaves at destroy; the area is freed
 * when the last user leaves. attn__scratch returns at least `bytes`,
 * growing (contents lost) when needed; NULL (message set, the caller
 * returns ATTN_ERR_NOMEM) on failure. */
void attn__scratch_join(attn_ctx *ctx);
void attn__scratch_leave(attn_ctx *ctx);
void *attn__scratch(attn_ctx *ctx, size_t bytes);

/* Overflow-checked size arithmetic: return 0 on overflow. */
int attn__mul_size(size_t a, size_t b, size_t *out);

/* Counter-based RNG: the value at (seed, counter) never depends on which
 * thread draws it or in what order. attn__rng_reserve hands out n
 * consecutive counters from the context's stream. */
uint64_t attn__rng_reserve(attn_ctx *ctx, uint64_t n);
uint32_t attn__rng_u32(uint64_t seed, uint64_t counter);
float attn__rng_uniform(uint64_t seed, uint64_t counter);   /* [0, 1) */
float attn__rng_normal(uint64_t seed, uint64_t counter);    /* N(0, 1) */

/* The tensor layout. storage is shared between a tensor and its views. */
typedef struct attn__storage {
    int64_t refcount;
    void *data;          /* base of the allocation (or the caller's memory) */
    size_t bytes;        /* capacity */
    int32_t owned;       /* 1 = allocated by us */
    attn_ctx *ctx;
} attn__storage;

struct attn_tensor {
    attn_ctx *ctx;
    attn__storage *storage;
    attn_dtype dtype;
    int32_t rank;
    int64_t shape[ATTN_MAX_RANK];
    int64_t stride[ATTN_MAX_RANK];
    int64_t offset;      /* in elements from storage->data */
};

/* Validation helpers: each records a message naming the argument. */
attn_status attn__check_f32(const attn_tensor *t, const char *what);
attn_status attn__check_same_shape(const attn_tensor *a, const attn_tensor *b,
                                   const char *what_a, const char *what_b);
/* Writes "[2, 3, 4]" into buf. */
const char *attn__shape_str(const attn_tensor *t, char *buf, size_t n);
/* Pointer to the float data at the tensor's first element. */
static inline float *attn__f32(const attn_tensor *t)
{
    return (float *)t->storage->data + t->offset;
}
/* Views t as a row-major matrix [rows, cols] with row stride ld (elements)
 * and unit column stride; returns 0 if the layout does not allow it. */
int attn__as_matrix(const attn_tensor *t, int64_t *rows, int64_t *cols, int64_t *ld);
/* A new handle sharing t's storage (for views). */
attn_status attn__tensor_alias(const attn_tensor *t, attn_tensor **out);
/* A contiguous tensor whose memory is allocated (zeroed) only when
 * attn__tensor_materialize is first called: until then it reads as zeros
 * to the code that owns it and must not be handed out. Gradients are made
 * this way, so a model used only for inference never allocates them. */
attn_status attn__tensor_create_deferred(attn_ctx *ctx, attn_dtype dtype, int32_t rank, const int64_t *shape,
                                        attn_tensor **out);
/* Allocates a deferred tensor's memory (zeroed); a no-op once it has some.
 * Views share the storage, so materialising one materialises all. */
attn_status attn__tensor_materialize(attn_tensor *t);
/* 1 while a deferred tensor has no memory yet. */
static inline int attn__tensor_deferred(const attn_tensor *t)
{
    return t->storage->data == NULL;
}
/* Advances a row-major multi-index idx over shape (rank dims); returns 0 at the end. */
static inline int attn__index_next(int64_t *idx, const int64_t *shape, int32_t rank)
{
    for (int32_t i = rank - 1; i >= 0; i--) {
        if (++idx[i] < shape[i]) return 1;
        idx[i] = 0;
    }
    return 0;
}
/* Element offset of a multi-index in t. */
static inline int64_t attn__offset_of(const attn_tensor *t, const int64_t *idx)
{
    int64_t o = t->offset;
    for (int32_t i = 0; i < t->rank; i++) o += idx[i] * t->stride[i];
    return o;
}

/* Single-precision GEMM on one call: C = alpha * op(A) op(B) + beta * C,
 * C is m x n, op(A) m x k, op(B) k x n. Strides in elements; rs = row
 * stride, cs = column stride of the stored (un-transposed) matrices. Small
 * products run on the kernels k (gemm_small.c), the rest in BLIS with
 * `threads` threads in a per-call rntm_t (the library passes 1 and splits
 * over its own pool instead: attn__gemm in lib/compute/compute.h). k NULL:
 * BLIS's packed path only (no small kernels, no "sup" path), whose order of
 * summation per element of C depends on kdim alone, not on m or n
 * (ATTN_OPT_BATCH_INVARIANT). Shapes must have been validated: BLIS aborts. */
void attn__sgemm(const attn__kernels *k, int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n,
                 int64_t kdim, float alpha, const float *a, int64_t rsa, int64_t csa, const float *b, int64_t rsb,
                 int64_t csb, float beta, float *c, int64_t rsc, int64_t csc);
/* Row-major convenience: C[m,n] = alpha*op(A) op(B) + beta*C with lda/ldb/ldc
 * the row strides of the stored matrices. */
void attn__sgemm_rm(const attn__kernels *k, int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n,
                    int64_t kdim, float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                    float *c, int64_t ldc);

/* The context's helper threads (lib/compute/pool.c). A job is `shares`
 * calls fn(arg, share, shares), each share exactly once, spread over the
 * calling thread and the pool's helpers; attn__pool_run returns when all
 * have finished. pool NULL runs every share on the caller. */
typedef void (*attn__share_fn)(void *arg, int32_t share, int32_t shares);
/* Most threads one context computes with (ATTN_OPT_THREADS above it uses this many). */
#define ATTN__MAX_THREADS 64
/* Starts `helpers` threads (fewer if the system refuses some); NULL if none. */
attn__pool *attn__pool_create(int32_t helpers);
/* Stops and joins the helpers. NULL is a no-op. */
void attn__pool_destroy(attn__pool *pool);
/* Threads a job can use: helpers + 1 (1 for NULL). */
int32_t attn__pool_threads(const attn__pool *pool);
void attn__pool_run(attn__pool *pool, int32_t shares, attn__share_fn fn, void *arg);

/* Initialises BLIS once per process and records its kernel set (see
 * lib/compute/blis_arch.c; the choice stays BLIS's). */
void attn__blis_setup(void);
/* The BLIS_ARCH_TYPE number of the widest kernel set the CPU runs, by
 * cpuid, or -1 (for programs that compare kernel sets: bench/gemm_bench). */
int attn__blis_suggested_arch(void);
const char *attn__blis_arch_name(void);
const char *attn__blis_choice(void);
const char *attn__blis_version(void);

#define ATTN_CHECK(expr)                                                                  \
    do {                                                                                  \
        attn_status attn__st = (expr);                                                    \
        if (attn__st != ATTN_OK) return attn__st;                                         \
    } while (0)

#endif /* ATTN_INTERNAL_H */
