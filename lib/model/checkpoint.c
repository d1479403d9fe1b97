/* Training checkpoints: weights + optimizer state + where the run stands +
 * the RNG, in one safetensors file written atomically. Numbers go to the
 * metadata as decimal strings ("%.17g" for doubles: exact round trip). */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/bert_internal.h"

#define PREFIX "optim."

typedef struct {
    const char *key;
    size_t offset;
    int is_double;
} state_field;

static const state_field fields[] = {
    {"attn.train.epoch", offsetof(attn_train_state, epoch), 0},
    {"attn.train.step", offsetof(attn_train_state, step), 0},
    {"attn.train.total_steps", offsetof(attn_train_state, total_steps), 0},
    {"attn.train.warmup_steps", offsetof(attn_train_state, warmup_steps), 0},
    {"attn.train.base_lr", offsetof(attn_train_state, base_lr), 1},
    {"attn.train.best_metric", offsetof(attn_train_state, best_metric), 1},
    {"attn.train.best_epoch", offsetof(attn_train_state, best_epoch), 0},
    {"attn.train.epochs_without_improvement", offsetof(attn_train_state, epochs_without_improvement), 0},
};

attn_status attn_checkpoint_save(attn_model *m, attn_optim *opt, const attn_train_state *state, const char *path)
{
    if (!m || !state || !path) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_checkpoint_save: NULL argument");
    attn_ctx *ctx = m->ctx;
    attn_train_state current;
    memset(&current, 0, sizeof current);
    ATTN_CHECK(attn__accept_versioned(ctx, "attn_checkpoint_save: state", state, ATTN__TRAIN_STATE_V1_SIZE, &current,
                                      sizeof current));
    state = &current;
    attn_safetensors_writer *w;
    ATTN_CHECK(attn_safetensors_writer_create(ctx, &w));
    attn_status st = attn__model_add_params(m, w);
    for (int32_t i = 0; opt && st == ATTN_OK && i < attn_optim_state_count(opt); i++) {
        const char *name;
        attn_tensor *t;
        char key[ATTN_PARAM_NAME_MAX + 32];
        st = attn_optim_state(opt, i, &name, &t);
        if (st != ATTN_OK) break;
        snprintf(key, sizeof key, PREFIX "%s", name);
        st = attn_safetensors_writer_add(w, key, t);
    }
    char value[64];
    for (size_t i = 0; st == ATTN_OK && i < sizeof fields / sizeof fields[0]; i++) {
        const char *p = (const char *)state + fields[i].offset;
        if (fields[i].is_double) snprintf(value, sizeof value, "%.17g", *(const double *)p);
        else snprintf(value, sizeof value, "%" PRId64, *(const int64_t *)p);
        st = attn_safetensors_writer_set_metadata(w, fields[i].key, value);
    }
    if (st == ATTN_OK) {
        snprintf(value, sizeof value, "%" PRIu64, ctx->seed);
        st = attn_safetensors_writer_set_metadata(w, "attn.rng.seed", value);
    }
    if (st == ATTN_OK) {
        snprintf(value, sizeof value, "%" PRIu64, ctx->rng_counter);
        st = attn_safetensors_writer_set_metadata(w, "attn.rng.counter", value);
    }
    if (st == ATTN_OK) st = attn_safetensors_writer_save(w, path);
    attn_safetensors_writer_destroy(w);
    return st == ATTN_OK ? attn__ok(ctx) : st;
}

static attn_status parse_u64(attn_ctx *ctx, const attn_safetensors *st, const char *path, const char *key, uint64_t *out)
{
    const char *s = attn_safetensors_metadata(st, key);
    if (!s) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: not a training checkpoint (no metadata \"%s\")", path, key);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: metadata \"%s\" = \"%s\" is not a number", path, key, s);
    *out = v;
    return ATTN_OK;
}

static attn_status read_state(attn_ctx *ctx, const attn_safetensors *st, const char *path, attn_train_state *state)
{
    attn_train_state s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = attn_safetensors_metadata(st, fields[i].key);
        if (!v) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: not a training checkpoint (no metadata \"%s\")", path, fields[i].key);
        char *end;
        errno = 0;
        char *p = (char *)&s + fields[i].offset;
        if (fields[i].is_double) *(double *)p = strtod(v, &end);
        else *(int64_t *)p = strtoll(v, &end, 10);
        if (errno || end == v || *end)
            return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: metadata \"%s\" = \"%s\" is not a number", path, fields[i].key, v);
    }
    if (s.step < 0 || s.epoch < 0) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: negative step or epoch", path);
    *state = s;
    return ATTN_OK;
}

attn_status attn_checkpoint_load(attn_model *m, attn_optim *opt, attn_train_state *state, const char *path)
{
    if (!m || !state || !path) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_checkpoint_load: NULL argument");
    attn_ctx *ctx = m->ctx;
    if (state->struct_size < ATTN__TRAIN_STATE_V1_SIZE)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_checkpoint_load: set state->struct_size = sizeof(attn_train_state)");
    attn_safetensors *st;
    ATTN_CHECK(attn_safetensors_open(ctx, path, &st));
    attn_train_state s;
    uint64_t seed = 0, counter = 0;
    attn_status status = read_state(ctx, st, path, &s);
    if (status == ATTN_OK) status = parse_u64(ctx, st, path, "attn.rng.seed", &seed);
    if (status == ATTN_OK) status = parse_u64(ctx, st, path, "attn.rng.counter", &counter);
    for (int32_t i = 0; opt && status == ATTN_OK && i < attn_optim_state_count(opt); i++) {
        const char *name;
        attn_tensor *t;
        char key[ATTN_PARAM_NAME_MAX + 32];
        status = attn_optim_state(opt, i, &name, &t);
        if (status != ATTN_OK) break;
        snprintf(key, sizeof key, PREFIX "%s", name);
        status = attn_safetensors_read(st, key, t);
    }
    attn_safetensors_close(st);
    /* weights last: a file that fails above leaves the model as it was */
    if (status == ATTN_OK) status = attn_model_load_weights(m, path, 0);
    if (status == ATTN_OK && opt) status = attn_optim_set_step(opt, s.step);
    if (status != ATTN_OK) return status;
    ctx->seed = seed;
    ctx->rng_counter = counter;
    uint32_t size = state->struct_size < sizeof s ? state->struct_size : (uint32_t)sizeof s;
    memcpy(state, &s, size); /* an older caller's struct gets the fields it has */
    state->struct_size = size;
    return attn__ok(ctx);
}
