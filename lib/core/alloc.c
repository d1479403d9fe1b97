/* Allocation through the context: every byte libattn holds is counted, so a
 * memory limit can fail cleanly (ATTN_ERR_NOMEM) instead of meeting the OOM
 * killer, and tests can count allocations per step through the hook.
 *
 * Each block carries a 64-byte header in front of the aligned pointer with
 * the raw pointer and the size, so free needs no size from the caller and
 * the user's allocator needs to give no alignment guarantee. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ATTN_ALIGN 64

typedef struct {
    void *raw;
    size_t size;
} block_header;

int attn__mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

void *attn__alloc(attn_ctx *ctx, size_t size)
{
    if (size > SIZE_MAX - 2 * ATTN_ALIGN) {
        attn__fail(ctx, ATTN_ERR_NOMEM, "allocation of %zu bytes overflows", size);
        return NULL;
    }
    size_t total = size + 2 * ATTN_ALIGN;
    if (ctx->memory_limit > 0 && ctx->bytes_in_use + (int64_t)size > ctx->memory_limit) {
        attn__fail(ctx, ATTN_ERR_NOMEM,
                   "memory limit: %zu more bytes would exceed the limit of %lld (in use %lld)",
                   size, (long long)ctx->memory_limit, (long long)ctx->bytes_in_use);
        return NULL;
    }
    void *raw = ctx->alloc ? ctx->alloc(ctx->alloc_user, total) : malloc(total);
    if (!raw) {
        attn__fail(ctx, ATTN_ERR_NOMEM, "out of memory allocating %zu bytes", size);
        return NULL;
    }
    uintptr_t p = ((uintptr_t)raw + sizeof(block_header) + ATTN_ALIGN - 1) & ~(uintptr_t)(ATTN_ALIGN - 1);
    block_header *h = (block_header *)p - 1;
    h->raw = raw;
    h->size = size;
    ctx->bytes_in_use += (int64_t)size;
    if (ctx->bytes_in_use > ctx->peak_bytes) ctx->peak_bytes = ctx->bytes_in_use;
    ctx->alloc_count++;
    return (void *)p;
}

void *attn__calloc(attn_ctx *ctx, size_t count, size_t size)
{
    size_t total;
    if (!attn__mul_size(count, size, &total)) {
        attn__fail(ctx, ATTN_ERR_NOMEM, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    void *p = attn__alloc(ctx, total);
    if (p) memset(p, 0, total);
    return p;
}

void attn__free(attn_ctx *ctx, void *ptr)
{
    if (!ptr) return;
    block_header *h = (block_header *)ptr - 1;
    ctx->bytes_in_use -= (int64_t)h->size;
    if (ctx->free_fn) ctx->free_fn(ctx->alloc_user, h->raw);
    else free(h->raw);
}

char *attn__strdup(attn_ctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = attn__alloc(ctx, n);
    if (d) memcpy(d, s, n);
    return d;
}
