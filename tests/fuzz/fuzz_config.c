/* Fuzz target: a Hugging Face config.json through the public loader
 * (attn_bert_config_load), then the builder on whatever configuration the
 * loader accepted, under a small memory limit.
 *
 * The input reaches the loader as a file, as it would in use: it is written
 * to a memfd and opened through /proc/self/fd, so no disk is touched. The
 * target aborts (a finding for libFuzzer, a failed test for the replay) when
 * the library breaks a promise rather than crashing by itself:
 *  - a failure must carry a known status and a non-empty message;
 *  - an accepted configuration must pass attn_bert_config_validate;
 *  - building from it must succeed or fail with a status, and every byte
 *    counted on the context must be returned afterwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "attn.h"

/* Big enough for a model of a few thousand parameters, small enough that the
 * builder's out-of-memory paths run for most accepted configurations. */
#define BUILD_MEMORY_LIMIT (1 << 20)

static int input_fd = -1;
static char input_path[64];

static void require(int ok, const char *what, const attn_ctx *ctx)
{
    if (ok) return;
    fprintf(stderr, "fuzz_config: %s (last error: \"%s\")\n", what, attn_ctx_last_error(ctx));
    abort();
}

static int put_input(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        input_fd = memfd_create("fuzz_config.json", 0);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (put_input(data, size) != 0) {
        perror("fuzz_config: memfd");
        abort();
    }
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) abort();

    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    attn_status st = attn_bert_config_load(ctx, input_path, &cfg);
    if (st != ATTN_OK) {
        require(st > ATTN_OK && st <= ATTN_ERR_OVERFLOW, "load failed with an unknown status", ctx);
        require(attn_ctx_last_error(ctx)[0] != '\0', "load failed without a message", ctx);
    } else {
        require(attn_bert_config_validate(ctx, &cfg) == ATTN_OK, "load accepted an invalid configuration", ctx);
        char label[64];
        st = attn_bert_config_label(ctx, input_path, 0, label, sizeof label);
        require(st == ATTN_OK || attn_ctx_last_error(ctx)[0] != '\0', "label lookup failed without a message", ctx);

        require(attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, BUILD_MEMORY_LIMIT) == ATTN_OK, "set limit", ctx);
        attn_model *model = NULL;
        st = attn_bert_create(ctx, &cfg, &model);
        require(st == ATTN_OK || st == ATTN_ERR_NOMEM || st == ATTN_ERR_LIMIT || st == ATTN_ERR_OVERFLOW,
                "building an accepted configuration failed with an unexpected status", ctx);
        require((st == ATTN_OK) == (model != NULL), "builder status and handle disagree", ctx);
        if (st != ATTN_OK) require(attn_ctx_last_error(ctx)[0] != '\0', "build failed without a message", ctx);
        attn_model_destroy(model);
    }
    int64_t in_use = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    require(in_use == 0, "bytes still counted on the context after everything was freed", ctx);
    attn_ctx_destroy(ctx);
    return 0;
}
