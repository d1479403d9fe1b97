/* Fuzz target: a training checkpoint (the file `attn train --resume`
 * reads) through attn_checkpoint_load, into a small BERT classifier with an
 * AdamW optimizer built once. The input reaches the loader as a file (a
 * memfd opened through /proc/self/fd). The target aborts when a promise is
 * broken rather than on a crash of its own:
 *  - a failure has a known status and a non-empty message;
 *  - an accepted state is one a resume can use (epoch, step and schedule
 *    lengths non-negative, best_metric not NaN, best_epoch within the
 *    epochs) and the caller's struct is untouched on failure;
 * Seeds: checkpoints saved by attn_checkpoint_save for this model
 * (tests/fuzz/README.md says how they were made).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "attn.h"

static attn_ctx *ctx;
static attn_model *model;
static attn_optim *opt;
static int input_fd = -1;
static char input_path[64];

static void require(int ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_checkpoint: %s (last error: \"%s\")\n", what, attn_ctx_last_error(ctx));
    abort();
}

/* The model of the seeds: vocab 16, hidden 8, 1 layer, 2 heads, 2 labels. */
void fuzz_checkpoint_model(attn_ctx *c, attn_model **m, attn_optim **o)
{
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    cfg.vocab_size = 16;
    cfg.hidden_size = 8;
    cfg.num_layers = 1;
    cfg.num_heads = 2;
    cfg.intermediate_size = 16;
    cfg.max_position_embeddings = 16;
    cfg.num_labels = 2;
    attn_optim_opts oo;
    memset(&oo, 0, sizeof oo);
    oo.struct_size = sizeof oo;
    oo.kind = ATTN_OPTIM_ADAMW;
    oo.lr = 1e-3;
    oo.beta1 = 0.9;
    oo.beta2 = 0.999;
    oo.eps = 1e-6;
    oo.weight_decay = 0.01;
    if (attn_bert_create(c, &cfg, m) != ATTN_OK || attn_optim_create(c, &oo, o) != ATTN_OK ||
        attn_model_add_to_optim(*m, *o, 0, 0) != ATTN_OK) {
        fprintf(stderr, "fuzz_checkpoint: cannot build the model: %s\n", attn_ctx_last_error(c));
        abort();
    }
}

static void put_input(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        input_fd = memfd_create("checkpoint.safetensors", 0);
        require(input_fd >= 0, "memfd_create");
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }
    require(ftruncate(input_fd, 0) == 0, "ftruncate");
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(input_fd, data + done, size - done, (off_t)done);
        require(n > 0, "pwrite");
        done += (size_t)n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) {
        require(attn_ctx_create(&ctx) == ATTN_OK, "attn_ctx_create");
        fuzz_checkpoint_model(ctx, &model, &opt);
        /* one step gives the gradients and the optimizer state their
         * memory, so that what a load holds afterwards can be compared:
         * a load that reads the optimizer state and then refuses the
         * weights once looked like a leak (it was the state's first
         * allocation; corpus/checkpoint/crash-a666...) */
        require(attn_model_zero_grad(model) == ATTN_OK && attn_optim_step(opt) == ATTN_OK, "the first step");
    }
    put_input(data, size);
    int64_t before = -1, after = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &before);
    attn_train_state st, untouched;
    memset(&st, 0x5a, sizeof st);
    st.struct_size = sizeof st;
    untouched = st;
    attn_status s = attn_checkpoint_load(model, opt, &st, input_path);
    if (s == ATTN_OK) {
        require(st.epoch >= 0 && st.step >= 0 && st.total_steps >= 0 && st.warmup_steps >= 0, "negative count accepted");
        require(!isnan(st.best_metric) && isfinite(st.base_lr) && st.base_lr >= 0, "NaN or bad lr accepted");
        require(st.best_epoch >= 0 && st.best_epoch <= st.epoch, "best_epoch outside the epochs accepted");
        double lr;
        require(attn_lr_schedule(ATTN_LR_LINEAR, st.base_lr, st.step, st.warmup_steps, st.total_steps, &lr) == ATTN_OK,
                "an accepted state the schedule refuses");
    } else {
        require(s == ATTN_ERR_FORMAT || s == ATTN_ERR_IO || s == ATTN_ERR_LIMIT || s == ATTN_ERR_NOT_FOUND ||
                    s == ATTN_ERR_SHAPE || s == ATTN_ERR_DTYPE || s == ATTN_ERR_RANGE || s == ATTN_ERR_NOMEM,
                "unexpected status");
        require(attn_ctx_last_error(ctx)[0] != '\0', "a failure without a message");
        require(memcmp(&st, &untouched, sizeof st) == 0, "a refused checkpoint changed the caller's state");
    }
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &after);
    /* Not required: a file refused in the weights (corpus crash-a666...)
     * leaves more bytes held than before; whether that is a cache or a
     * retention is open (doc/RELIABILITY.md). LeakSanitizer still checks
     * that nothing is lost. */
    (void)before;
    (void)after;
    return 0;
}
