/* The context: settings, statistics, the allocator hook, the helper
 * threads of ATTN_OPT_THREADS (started when the setting changes, so a
 * parallel region never starts a thread) and the layers' shared work area. */
#include <stdlib.h>
#include <string.h>

#include "compute/compute.h"
#include "internal.h"

attn_status attn_ctx_create(attn_ctx **out)
{
    if (!out) return ATTN_ERR_INVALID_ARG;
    *out = NULL;
    attn__blis_setup();
    attn_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return ATTN_ERR_NOMEM;
    ctx->threads = 1;
    ctx->max_isa = ATTN_ISA_AVX512;
    ctx->kernels = attn__kernels_for(ctx->max_isa);
    *out = ctx;
    return ATTN_OK;
}

void attn_ctx_destroy(attn_ctx *ctx)
{
    if (!ctx) return;
    attn__pool_destroy(ctx->pool);
    free(ctx);
}

void attn__scratch_join(attn_ctx *ctx)
{
    ctx->scratch_users++;
}

void attn__scratch_leave(attn_ctx *ctx)
{
    if (--ctx->scratch_users > 0) return;
    attn__free(ctx, ctx->scratch);
    ctx->scratch = NULL;
    ctx->scratch_bytes = 0;
}

void *attn__scratch(attn_ctx *ctx, size_t bytes)
{
    if (bytes <= ctx->scratch_bytes) return ctx->scratch;
    attn__free(ctx, ctx->scratch);
    ctx->scratch_bytes = 0;
    ctx->scratch = attn__alloc(ctx, bytes); /* on failure it has set the message */
    if (ctx->scratch) ctx->scratch_bytes = bytes;
    return ctx->scratch;
}

typedef struct {
    attn_ctx_option key;
    int64_t min, max;
    int writable;
} option_info;

static const option_info options[] = {
    {ATTN_OPT_THREADS, 1, 1024, 1},
    {ATTN_OPT_SEED, INT64_MIN, INT64_MAX, 1},
    {ATTN_OPT_MEMORY_LIMIT, 0, INT64_MAX, 1},
    {ATTN_OPT_CHECK_FINITE, 0, 1, 1},
    {ATTN_OPT_RNG_COUNTER, 0, INT64_MAX, 1},
    {ATTN_OPT_MAX_ISA, ATTN_ISA_BASELINE, ATTN_ISA_AVX512, 1},
    {ATTN_OPT_BATCH_INVARIANT, 0, 1, 1},
    {ATTN_INFO_BYTES_IN_USE, 0, INT64_MAX, 0},
    {ATTN_INFO_PEAK_BYTES, 0, INT64_MAX, 0},
    {ATTN_INFO_ALLOC_COUNT, 0, INT64_MAX, 0},
    {ATTN_INFO_ISA, ATTN_ISA_BASELINE, ATTN_ISA_AVX512, 0},
};

static const option_info *find_option(attn_ctx_option key)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (options[i].key == key) return &options[i];
    return NULL;
}

attn_status attn_ctx_option_bounds(attn_ctx_option key, int64_t *min, int64_t *max)
{
    const option_info *o = find_option(key);
    if (!o || !min || !max) return ATTN_ERR_INVALID_ARG;
    *min = o->min;
    *max = o->max;
    return ATTN_OK;
}

attn_status attn_ctx_set_int(attn_ctx *ctx, attn_ctx_option key, int64_t value)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    const option_info *o = find_option(key);
    if (!o) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_ctx_set_int: unknown option %d", (int)key);
    if (!o->writable)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_ctx_set_int: option %d is read-only", (int)key);
    if (value < o->min || value > o->max)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "attn_ctx_set_int: value %lld for option %d is outside [%lld, %lld]",
                          (long long)value, (int)key, (long long)o->min, (long long)o->max);
    switch (key) {
    case ATTN_OPT_THREADS:
        if (value != ctx->threads) {
            attn__pool_destroy(ctx->pool);
            /* a pool that could not start (or started fewer helpers) only
             * means fewer threads share the work */
            int64_t threads = value < ATTN__MAX_THREADS ? value : ATTN__MAX_THREADS;
            ctx->pool = threads > 1 ? attn__pool_create((int32_t)threads - 1) : NULL;
            ctx->threads = (int32_t)value;
        }
        break;
    case ATTN_OPT_SEED: ctx->seed = (uint64_t)value; ctx->rng_counter = 0; break;
    case ATTN_OPT_MEMORY_LIMIT: ctx->memory_limit = value; break;
    case ATTN_OPT_CHECK_FINITE: ctx->check_finite = (int32_t)value; break;
    case ATTN_OPT_RNG_COUNTER: ctx->rng_counter = (uint64_t)value; break;
    case ATTN_OPT_MAX_ISA:
        ctx->max_isa = (int32_t)value;
        ctx->kernels = attn__kernels_for(value);
        break;
    case ATTN_OPT_BATCH_INVARIANT: ctx->batch_invariant = (int32_t)value; break;
    default: break;
    }
    return attn__ok(ctx);
}

attn_status attn_ctx_get_int(const attn_ctx *ctx, attn_ctx_option key, int64_t *value)
{
    if (!ctx || !value) return ATTN_ERR_INVALID_ARG;
    switch (key) {
    case ATTN_OPT_THREADS: *value = ctx->threads; break;
    case ATTN_OPT_SEED: *value = (int64_t)ctx->seed; break;
    case ATTN_OPT_MEMORY_LIMIT: *value = ctx->memory_limit; break;
    case ATTN_OPT_CHECK_FINITE: *value = ctx->check_finite; break;
    case ATTN_OPT_RNG_COUNTER: *value = (int64_t)ctx->rng_counter; break;
    case ATTN_OPT_MAX_ISA: *value = ctx->max_isa; break;
    case ATTN_OPT_BATCH_INVARIANT: *value = ctx->batch_invariant; break;
    case ATTN_INFO_ISA: *value = ctx->kernels->isa; break;
    case ATTN_INFO_BYTES_IN_USE: *value = ctx->bytes_in_use; break;
    case ATTN_INFO_PEAK_BYTES: *value = ctx->peak_bytes; break;
    case ATTN_INFO_ALLOC_COUNT: *value = ctx->alloc_count; break;
    default:
        return attn__fail((attn_ctx *)ctx, ATTN_ERR_INVALID_ARG, "attn_ctx_get_int: unknown option %d", (int)key);
    }
    return ATTN_OK;
}

const char *attn_ctx_info_string(const attn_ctx *ctx, attn_ctx_info key)
{
    switch (key) {
    case ATTN_INFO_ISA_NAME: return ctx ? ctx->kernels->name : NULL;
    case ATTN_INFO_BLIS_ARCH: return attn__blis_arch_name();
    case ATTN_INFO_BLIS_CHOICE: return attn__blis_choice();
    case ATTN_INFO_BLIS_LIBRARY: return attn__blis_version();
    default: return NULL;
    }
}

attn_status attn_ctx_set_allocator(attn_ctx *ctx, attn_alloc_fn alloc, attn_free_fn free_fn, void *user)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if ((alloc == NULL) != (free_fn == NULL))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_ctx_set_allocator: give both alloc and free, or neither");
    if (ctx->bytes_in_use != 0)
        return attn__fail(ctx, ATTN_ERR_STATE,
                          "attn_ctx_set_allocator: the context still holds %lld bytes from the previous allocator",
                          (long long)ctx->bytes_in_use);
    ctx->alloc = alloc;
    ctx->free_fn = free_fn;
    ctx->alloc_user = user;
    return attn__ok(ctx);
}
