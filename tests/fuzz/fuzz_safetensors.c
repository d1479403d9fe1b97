/* Fuzz target: a safetensors file through the public reader, twice: from
 * memory (attn_safetensors_open_memory) and as a file (written to a memfd
 * and opened through /proc/self/fd, so the pread path runs too), then every
 * tensor loaded in the dtype its file type converts to.
 *
 * The target aborts (a finding for libFuzzer, a failed test for the replay)
 * when the library breaks a promise rather than crashing by itself:
 *  - a failure carries a known status, a non-empty message and a NULL handle;
 *  - both ways of opening agree on the outcome and on the tensors;
 *  - an accepted file is self-consistent: names are found at their index,
 *    metadata keys have values, and loading fails only for the documented
 *    reasons (dtype, rank, range);
 *  - every byte counted on the context is returned afterwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "attn.h"

static int input_fd = -1;
static char input_path[64];

static void require(int ok, const char *what, const attn_ctx *ctx)
{
    if (ok) return;
    fprintf(stderr, "fuzz_safetensors: %s (last error: %s)\n", what, attn_ctx_last_error(ctx));
    abort();
}

static int put_input(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        input_fd = memfd_create("fuzz_safetensors", MFD_CLOEXEC);
        if (input_fd < 0) return -1;
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }
    if (ftruncate(input_fd, 0) != 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(input_fd, data + done, size - done, (off_t)done);
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

static int is_float_type(int32_t dt)
{
    return dt == ATTN_ST_F32 || dt == ATTN_ST_F16 || dt == ATTN_ST_BF16 || dt == ATTN_ST_F64;
}

/* Walks an accepted file; returns a digest of what was loaded so the two
 * ways of opening can be compared. */
static uint64_t walk(attn_ctx *ctx, attn_safetensors *st)
{
    uint64_t digest = 1469598103934665603ULL;
    int32_t n = attn_safetensors_count(st);
    require(n >= 0 && n <= ATTN_SAFETENSORS_MAX_TENSORS, "tensor count out of range", ctx);
    for (int32_t i = 0; i < n; i++) {
        const char *name = attn_safetensors_name(st, i);
        require(name != NULL && name[0] != '\0', "a tensor without a name", ctx);
        int32_t idx = -1, dt = -1, rank = -1;
        int64_t shape[ATTN_SAFETENSORS_MAX_RANK];
        require(attn_safetensors_find(st, name, &idx) == ATTN_OK && idx == i, "a name is not found at its index", ctx);
        require(attn_safetensors_info(st, i, &dt, &rank, shape) == ATTN_OK, "info failed", ctx);
        require(attn_safetensors_dtype_name(dt) != NULL, "an unknown dtype was accepted", ctx);
        require(rank >= 0 && rank <= ATTN_SAFETENSORS_MAX_RANK, "rank out of range", ctx);
        for (int32_t k = 0; k < rank; k++) require(shape[k] >= 0, "a negative dimension was accepted", ctx);
        attn_dtype want = is_float_type(dt) ? ATTN_F32 : ATTN_I64;
        attn_tensor *t = NULL;
        attn_status s = attn_safetensors_load(st, name, want, &t);
        require(s == ATTN_OK || s == ATTN_ERR_DTYPE || s == ATTN_ERR_UNSUPPORTED || s == ATTN_ERR_RANGE ||
                    s == ATTN_ERR_NOMEM,
                "load failed with an undocumented status", ctx);
        require((s == ATTN_OK) == (t != NULL), "load status and tensor disagree", ctx);
        if (s == ATTN_ERR_DTYPE) require(dt == ATTN_ST_F8_E4M3 || dt == ATTN_ST_F8_E5M2, "a readable dtype refused", ctx);
        if (s == ATTN_ERR_UNSUPPORTED) require(rank > ATTN_MAX_RANK, "a loadable rank refused", ctx);
        if (t) {
            const unsigned char *p = attn_tensor_data(t);
            size_t bytes = (size_t)attn_tensor_numel(t) * attn_dtype_size(want);
            for (size_t b = 0; b < bytes; b++) digest = (digest ^ p[b]) * 1099511628211ULL;
            attn_tensor_destroy(t);
        }
        digest = (digest ^ (uint64_t)s) * 1099511628211ULL;
    }
    int32_t m = attn_safetensors_metadata_count(st);
    for (int32_t i = 0; i < m; i++) {
        const char *key = attn_safetensors_metadata_key(st, i);
        require(key != NULL && attn_safetensors_metadata(st, key) != NULL, "a metadata key without a value", ctx);
        if (i > 0) require(strcmp(attn_safetensors_metadata_key(st, i - 1), key) < 0, "metadata keys out of order", ctx);
    }
    return digest ^ (uint64_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (put_input(data, size) != 0) {
        perror("fuzz_safetensors: memfd");
        abort();
    }
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) abort();
    /* loads widen at most 8x (U8 -> int64) and the data are bounded by the input */
    require(attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, (int64_t)(1 << 28)) == ATTN_OK, "set limit", ctx);

    attn_status results[2];
    uint64_t digests[2] = {0, 0};
    for (int way = 0; way < 2; way++) {
        attn_safetensors *st = (attn_safetensors *)1;
        attn_status s = way == 0 ? attn_safetensors_open_memory(ctx, data, size, &st)
                                 : attn_safetensors_open(ctx, input_path, &st);
        results[way] = s;
        if (s != ATTN_OK) {
            require(s > ATTN_OK && s <= ATTN_ERR_OVERFLOW, "open failed with an unknown status", ctx);
            require(attn_ctx_last_error(ctx)[0] != '\0', "open failed without a message", ctx);
            require(st == NULL, "a failed open left a handle", ctx);
            continue;
        }
        digests[way] = walk(ctx, st);
        attn_safetensors_close(st);
    }
    require(results[0] == results[1], "memory and file disagree on the outcome", ctx);
    require(digests[0] == digests[1], "memory and file disagree on the tensors", ctx);

    int64_t in_use = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    require(in_use == 0, "bytes still counted on the context after close", ctx);
    attn_ctx_destroy(ctx);
    return 0;
}
