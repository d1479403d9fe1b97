/* Training checkpoints: weights + optimizer state + where the run stands +
 * the RNG, in one safetensors file written atomically. Numbers go to the
 * metadata as decimal strings ("%.17g" for doubles: exact round trip).
 * The file's CRC covers the tensor data only; everything a resume reads
 * from the metadata is covered by a CRC of its own ("attn.train.crc32c"),
 * required on load: a flipped bit once turned seed 42 into 52 and base_lr
 * 0.001 into 8.001 without a word. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/crc32c.h"
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

#define STATE_CRC_KEY "attn.train.crc32c"
#define SEED_KEY "attn.rng.seed"
#define COUNTER_KEY "attn.rng.counter"
#define N_FIELDS (sizeof fields / sizeof fields[0])
#define N_COVERED (N_FIELDS + 2) /* the fields, the seed and the RNG counter */

/* The CRC-32C of "key=value\n" for every covered entry, in a fixed order. */
static uint32_t state_crc(const char *const *keys, const char *const *values)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < N_COVERED; i++) {
        crc = attn__crc32c(crc, keys[i], strlen(keys[i]));
        crc = attn__crc32c(crc, "=", 1);
        crc = attn__crc32c(crc, values[i], strlen(values[i]));
        crc = attn__crc32c(crc, "\n", 1);
    }
    return crc;
}

static const char *covered_key(size_t i) { return i < N_FIELDS ? fields[i].key : i == N_FIELDS ? SEED_KEY : COUNTER_KEY; }

/* A state a resume could not use is refused on save and on load, with the
 * field named (who names the file: the caller's prefix). */
static attn_status check_state(attn_ctx *ctx, const char *who, const attn_train_state *s)
{
    const char *why = attn_lr_schedule_error(ATTN_LR_CONSTANT, s->base_lr, s->step, s->warmup_steps, s->total_steps);
    if (why) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: learning-rate schedule: %s", who, why);
    if (s->epoch < 0) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: epoch %lld is negative", who, (long long)s->epoch);
    /* NaN compares false with everything: no later epoch would ever count
     * as better, and the best model would never be saved again */
    if (isnan(s->best_metric) || s->best_metric == INFINITY)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: best_metric is %s; no epoch could ever be better", who,
                          isnan(s->best_metric) ? "NaN" : "+infinity");
    if (s->best_epoch < 0 || s->best_epoch > s->epoch)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: best_epoch %lld is outside 0..epoch (%lld)", who,
                          (long long)s->best_epoch, (long long)s->epoch);
    if (s->epochs_without_improvement < 0 || s->epochs_without_improvement > s->epoch)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: epochs_without_improvement %lld is outside 0..epoch (%lld)", who,
                          (long long)s->epochs_without_improvement, (long long)s->epoch);
    return ATTN_OK;
}

attn_status attn_checkpoint_save(attn_model *m, attn_optim *opt, const attn_train_state *state, const char *path)
{
    if (!m || !state || !path) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_checkpoint_save: NULL argument");
    attn_ctx *ctx = m->ctx;
    attn_train_state current;
    memset(&current, 0, sizeof current);
    ATTN_CHECK(attn__accept_versioned(ctx, "attn_checkpoint_save: state", state, ATTN__TRAIN_STATE_V1_SIZE, &current,
                                      sizeof current));
    state = &current;
    ATTN_CHECK(check_state(ctx, "attn_checkpoint_save: state", state));
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
    char values[N_COVERED][64];
    const char *keys[N_COVERED], *vals[N_COVERED];
    for (size_t i = 0; i < N_COVERED; i++) {
        keys[i] = covered_key(i);
        vals[i] = values[i];
        if (i == N_FIELDS) {
            snprintf(values[i], sizeof values[i], "%" PRIu64, ctx->seed);
        } else if (i == N_FIELDS + 1) {
            snprintf(values[i], sizeof values[i], "%" PRIu64, ctx->rng_counter);
        } else {
            const char *p = (const char *)state + fields[i].offset;
            if (fields[i].is_double) snprintf(values[i], sizeof values[i], "%.17g", *(const double *)p);
            else snprintf(values[i], sizeof values[i], "%" PRId64, *(const int64_t *)p);
        }
        if (st == ATTN_OK) st = attn_safetensors_writer_set_metadata(w, keys[i], values[i]);
    }
    char crc[16];
    snprintf(crc, sizeof crc, "%08x", state_crc(keys, vals));
    if (st == ATTN_OK) st = attn_safetensors_writer_set_metadata(w, STATE_CRC_KEY, crc);
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

/* The covered entries must be there and match their CRC before any is
 * parsed. */
static attn_status check_state_crc(attn_ctx *ctx, const attn_safetensors *st, const char *path)
{
    const char *keys[N_COVERED], *vals[N_COVERED];
    for (size_t i = 0; i < N_COVERED; i++) {
        keys[i] = covered_key(i);
        vals[i] = attn_safetensors_metadata(st, keys[i]);
        if (!vals[i])
            return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: not a training checkpoint (no metadata \"%s\")", path, keys[i]);
    }
    const char *want = attn_safetensors_metadata(st, STATE_CRC_KEY);
    if (!want)
        return attn__fail(ctx, ATTN_ERR_FORMAT,
                          "%s: the training state has no checksum (metadata \"%s\"): the file is damaged or was saved "
                          "by a libattn before 0.1's checksummed checkpoints; start the run again", path, STATE_CRC_KEY);
    char got[16];
    snprintf(got, sizeof got, "%08x", state_crc(keys, vals));
    if (strcmp(got, want) != 0)
        return attn__fail(ctx, ATTN_ERR_FORMAT,
                          "%s: the training state (epoch, step, schedule, RNG, best metric) fails its checksum "
                          "(%s computed, \"%.16s\" stored): the file is damaged", path, got, want);
    return ATTN_OK;
}

static attn_status read_state(attn_ctx *ctx, const attn_safetensors *st, const char *path, attn_train_state *state)
{
    ATTN_CHECK(check_state_crc(ctx, st, path));
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
    ATTN_CHECK(check_state(ctx, path, &s));
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
    if (status == ATTN_OK) status = parse_u64(ctx, st, path, SEED_KEY, &seed);
    if (status == ATTN_OK) status = parse_u64(ctx, st, path, COUNTER_KEY, &counter);
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
