/* A damaged checkpoint, end to end through the model loader: a file saved
 * by attn_model_save, then truncated at many lengths or with one bit
 * flipped at many positions, is either refused with a status and a message
 * naming the file, or (a flip in bytes that do not matter, such as header
 * padding) loads exactly the saved weights. Never different weights with
 * ATTN_OK. The safetensors reader's own tests cover the format rules one by
 * one; this checks that the model path keeps the promise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_common.h"
#include "tiny_training.h"

/* Under valgrind (see tests/meson.build) only every n-th case of a sweep. */
static size_t sweep_stride(void)
{
    const char *v = getenv("ATTN_TEST_SWEEP_STRIDE");
    return v && atoi(v) > 1 ? (size_t)atoi(v) : 1;
}

static uint64_t hash_params(attn_ctx *ctx, attn_model *m)
{
    uint64_t h = 1469598103934665603ULL;
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *v;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, NULL));
        const unsigned char *p = (const unsigned char *)attn_tensor_data_f32(v);
        for (size_t k = 0; k < (size_t)attn_tensor_numel(v) * sizeof(float); k++) h = (h ^ p[k]) * 1099511628211ULL;
    }
    return h;
}

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void write_file(const char *path, const unsigned char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
}

typedef struct {
    attn_ctx *ctx;
    tiny_training saved, other;
    uint64_t saved_hash;
    char dir[256], good[300], bad[300];
    float *other_weights; /* the other model's own weights, restored before each load */
    unsigned char *bytes;
    size_t size, header_end;
    int refused, harmless;
} bench;

/* Copies the model's weights out of (to = 0) or back into (to = 1) buf. */
static size_t move_weights(attn_ctx *ctx, attn_model *m, float *buf, int to)
{
    size_t n = 0;
    for (int32_t i = 0; i < attn_model_param_count(m); i++) {
        attn_tensor *v;
        ATTN_ASSERT_OK(ctx, attn_model_param(m, i, NULL, &v, NULL));
        size_t k = (size_t)attn_tensor_numel(v);
        if (buf && to) ATTN_ASSERT_OK(ctx, attn_tensor_write(v, ATTN_F32, buf + n, k * sizeof(float)));
        if (buf && !to) ATTN_ASSERT_OK(ctx, attn_tensor_read(v, ATTN_F32, buf + n, k * sizeof(float)));
        n += k;
    }
    return n;
}

static void open_bench(bench *b)
{
    memset(b, 0, sizeof *b);
    b->ctx = attn_test_ctx();
    /* thousands of small files: in memory when the system has a tmpfs */
    snprintf(b->dir, sizeof b->dir, "/dev/shm/attn-damaged-XXXXXX");
    if (!mkdtemp(b->dir)) snprintf(b->dir, sizeof b->dir, "%s", attn_test_tmpdir());
    snprintf(b->good, sizeof b->good, "%s/model.safetensors", b->dir);
    snprintf(b->bad, sizeof b->bad, "%s/damaged.safetensors", b->dir);
    ATTN_ASSERT_OK(b->ctx, tiny_open(b->ctx, NULL, &b->saved));
    ATTN_ASSERT_OK(b->ctx, tiny_train_step(&b->saved, NULL));
    ATTN_ASSERT_OK(b->ctx, attn_model_save(b->saved.model, b->good));
    b->saved_hash = hash_params(b->ctx, b->saved.model);
    /* a second model with other weights (another seed) loads the files */
    ATTN_ASSERT_OK(b->ctx, attn_ctx_set_int(b->ctx, ATTN_OPT_SEED, 99));
    ATTN_ASSERT_OK(b->ctx, tiny_open(b->ctx, NULL, &b->other));
    ck_assert(hash_params(b->ctx, b->other.model) != b->saved_hash);
    b->other_weights = malloc(move_weights(b->ctx, b->other.model, NULL, 0) * sizeof(float));
    ck_assert_ptr_nonnull(b->other_weights);
    move_weights(b->ctx, b->other.model, b->other_weights, 0);
    b->bytes = read_file(b->good, &b->size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | b->bytes[i];
    ck_assert_uint_lt(n, b->size);
    b->header_end = 8 + (size_t)n;
    /* the intact file loads, and gives exactly the saved weights */
    ATTN_ASSERT_OK(b->ctx, attn_model_load_weights(b->other.model, b->good, 0));
    ck_assert(hash_params(b->ctx, b->other.model) == b->saved_hash);
}

static void close_bench(bench *b)
{
    tiny_close(&b->saved);
    tiny_close(&b->other);
    int64_t in_use = -1;
    attn_ctx_get_int(b->ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(b->ctx);
    unlink(b->good);
    unlink(b->bad);
    rmdir(b->dir);
    free(b->bytes);
    free(b->other_weights);
}

/* Loads the damaged copy into the other model: refused with a message that
 * names the file, or loaded with exactly the saved weights. */
static void try_damaged(bench *b, const unsigned char *data, size_t size, const char *what, size_t where)
{
    write_file(b->bad, data, size);
    move_weights(b->ctx, b->other.model, b->other_weights, 1);
    attn_status st = attn_model_load_weights(b->other.model, b->bad, 0);
    if (st == ATTN_OK) {
        ck_assert_msg(hash_params(b->ctx, b->other.model) == b->saved_hash,
                      "%s at %zu: loaded with ATTN_OK but the weights differ from the saved ones", what, where);
        b->harmless++;
        return;
    }
    ck_assert_msg(st == ATTN_ERR_FORMAT || st == ATTN_ERR_IO || st == ATTN_ERR_LIMIT || st == ATTN_ERR_NOT_FOUND ||
                      st == ATTN_ERR_SHAPE || st == ATTN_ERR_DTYPE || st == ATTN_ERR_RANGE,
                  "%s at %zu: unexpected %s (%s)", what, where, attn_status_str(st), attn_ctx_last_error(b->ctx));
    ck_assert_msg(strstr(attn_ctx_last_error(b->ctx), "damaged.safetensors") != NULL,
                  "%s at %zu: the message does not name the file: \"%s\"", what, where, attn_ctx_last_error(b->ctx));
    b->refused++;
}

START_TEST(a_truncated_checkpoint_is_refused_at_every_length)
{
    bench b;
    open_bench(&b);
    /* every length through the header, then a stride through the data */
    const size_t stride = sweep_stride();
    for (size_t len = 0; len < b.size; len += (len < b.header_end + 16 ? 1 : 97) * stride)
        try_damaged(&b, b.bytes, len, "cut", len);
    try_damaged(&b, b.bytes, b.size - 1, "cut", b.size - 1);
    ck_assert_int_eq(b.harmless, 0);
    fprintf(stderr, "damaged checkpoint: %d truncations refused\n", b.refused);
    close_bench(&b);
}
END_TEST

START_TEST(a_flipped_bit_is_refused_or_harmless_never_wrong_weights)
{
    bench b;
    open_bench(&b);
    unsigned char *copy = malloc(b.size);
    ck_assert_ptr_nonnull(copy);
    int data_refused = 0, data_tried = 0;
    /* every byte of the length field and the header, then a stride through the data */
    const size_t stride = sweep_stride();
    size_t tried = 0;
    for (size_t pos = 0; pos < b.size; pos += (pos < b.header_end ? 1 : 61) * stride, tried++) {
        memcpy(copy, b.bytes, b.size);
        copy[pos] ^= (unsigned char)(1u << (tried % 8)); /* each bit position in turn */
        int refused_before = b.refused;
        try_damaged(&b, copy, b.size, "bit flip", pos);
        if (pos >= b.header_end) {
            data_tried++;
            data_refused += b.refused > refused_before;
        }
    }
    /* the data section is covered by the checksum: every flip there is caught */
    ck_assert_int_eq(data_refused, data_tried);
    fprintf(stderr, "damaged checkpoint: %d bit flips refused (%d in the data), %d harmless (header bytes that do not matter)\n",
            b.refused, data_refused, b.harmless);
    free(copy);
    close_bench(&b);
}
END_TEST

/* A training checkpoint (weights, AdamW state, where the run stands, the
 * RNG): every metadata value a resume reads is covered by a checksum.
 * Issue 13: of 11,458 one-bit flips of such a header, 126 once loaded with
 * ATTN_OK and a silently changed state (seed 42 -> 52, base_lr 0.001 ->
 * 8.001, the RNG counter, the step). Now each flip of the header is
 * refused, or loads exactly the saved state. */
typedef struct {
    attn_train_state state;
    int64_t seed, counter;
} resume_point;

static int same_point(const resume_point *a, const resume_point *b)
{
    const attn_train_state *x = &a->state, *y = &b->state;
    return x->epoch == y->epoch && x->step == y->step && x->total_steps == y->total_steps &&
           x->warmup_steps == y->warmup_steps && memcmp(&x->base_lr, &y->base_lr, sizeof x->base_lr) == 0 &&
           memcmp(&x->best_metric, &y->best_metric, sizeof x->best_metric) == 0 && x->best_epoch == y->best_epoch &&
           x->epochs_without_improvement == y->epochs_without_improvement && a->seed == b->seed &&
           a->counter == b->counter;
}

static void point_of(attn_ctx *ctx, const attn_train_state *st, resume_point *p)
{
    p->state = *st;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_SEED, &p->seed));
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_OPT_RNG_COUNTER, &p->counter));
}

START_TEST(a_flipped_bit_in_a_training_checkpoint_never_changes_the_state_silently)
{
    bench b;
    open_bench(&b);
    attn_ctx *ctx = b.ctx;
    attn_train_state st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    st.epoch = 3;
    st.step = 12;
    st.total_steps = 40;
    st.warmup_steps = 4;
    st.base_lr = 0.001;
    st.best_metric = 0.625;
    st.best_epoch = 2;
    st.epochs_without_improvement = 1;
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, 42));
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_RNG_COUNTER, 1234));
    resume_point saved;
    point_of(ctx, &st, &saved);
    char path[300];
    snprintf(path, sizeof path, "%s/checkpoint.safetensors", b.dir);
    ATTN_ASSERT_OK(ctx, attn_checkpoint_save(b.saved.model, b.saved.opt, &st, path));
    size_t size;
    unsigned char *bytes = read_file(path, &size), *copy = malloc(size);
    ck_assert_ptr_nonnull(copy);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | bytes[i];
    size_t header_end = 8 + (size_t)n;
    const size_t stride = sweep_stride();
    int refused = 0, harmless = 0;
    size_t tried = 0;
    for (size_t pos = 0; pos < header_end; pos += stride, tried++) {
        memcpy(copy, bytes, size);
        copy[pos] ^= (unsigned char)(1u << (tried % 8));
        write_file(b.bad, copy, size);
        /* a state that differs from the saved one in every field */
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_SEED, 7));
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_RNG_COUNTER, 5));
        attn_train_state got;
        memset(&got, 0, sizeof got);
        got.struct_size = sizeof got;
        attn_status s = attn_checkpoint_load(b.other.model, b.other.opt, &got, b.bad);
        if (s == ATTN_OK) {
            resume_point p;
            point_of(ctx, &got, &p);
            ck_assert_msg(same_point(&p, &saved), "bit flip at %zu: loaded with ATTN_OK but a changed state", pos);
            ck_assert_msg(hash_params(ctx, b.other.model) == b.saved_hash, "bit flip at %zu: other weights", pos);
            harmless++;
        } else {
            ck_assert_msg(strstr(attn_ctx_last_error(ctx), "damaged.safetensors") != NULL,
                          "bit flip at %zu: the message does not name the file: \"%s\"", pos, attn_ctx_last_error(ctx));
            refused++;
        }
    }
    fprintf(stderr, "damaged training checkpoint: %zu header bytes flipped, %d refused, %d harmless (same state)\n",
            tried, refused, harmless);
    ck_assert_int_eq(refused + harmless, (int)tried);
    free(copy);
    free(bytes);
    unlink(path);
    close_bench(&b);
}
END_TEST

/* A state no resume could use is refused on save and on load, by name. */
START_TEST(a_nan_best_metric_or_a_negative_schedule_is_refused_with_a_message)
{
    bench b;
    open_bench(&b);
    attn_ctx *ctx = b.ctx;
    attn_train_state st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    st.total_steps = 10;
    st.base_lr = 0.01;
    char path[300];
    snprintf(path, sizeof path, "%s/checkpoint.safetensors", b.dir);
    struct {
        const char *field, *words;
        attn_train_state s;
    } bad[4];
    for (int i = 0; i < 4; i++) bad[i].s = st;
    bad[0].field = "best_metric NaN", bad[0].s.best_metric = NAN, bad[0].words = "best_metric is NaN";
    bad[1].field = "total_steps -5", bad[1].s.total_steps = -5, bad[1].words = "learning-rate schedule: total_steps is negative";
    bad[2].field = "warmup_steps -1", bad[2].s.warmup_steps = -1, bad[2].words = "warmup_steps is negative";
    bad[3].field = "best_epoch 4 of 0", bad[3].s.best_epoch = 4, bad[3].words = "best_epoch 4 is outside 0..epoch";
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(attn_checkpoint_save(b.saved.model, b.saved.opt, &bad[i].s, path) == ATTN_ERR_FORMAT, "%s saved",
                      bad[i].field);
        ck_assert_msg(strstr(attn_ctx_last_error(ctx), bad[i].words) != NULL, "%s: message \"%s\"", bad[i].field,
                      attn_ctx_last_error(ctx));
    }
    /* (load runs the same check after the checksum; a valid state saves
     * with its checksum) */
    ATTN_ASSERT_OK(ctx, attn_checkpoint_save(b.saved.model, b.saved.opt, &st, path));
    attn_safetensors *r;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &r));
    ck_assert_ptr_nonnull(attn_safetensors_metadata(r, "attn.train.crc32c"));
    attn_safetensors_close(r);
    unlink(path);
    close_bench(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("damaged_checkpoint");
    TCase *tc = tcase_create("damaged_checkpoint");
    tcase_set_timeout(tc, 3600); /* meson's timeout governs */
    tcase_add_test(tc, a_truncated_checkpoint_is_refused_at_every_length);
    tcase_add_test(tc, a_flipped_bit_is_refused_or_harmless_never_wrong_weights);
    tcase_add_test(tc, a_flipped_bit_in_a_training_checkpoint_never_changes_the_state_silently);
    tcase_add_test(tc, a_nan_best_metric_or_a_negative_schedule_is_refused_with_a_message);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
