/* libFuzzer target for lib/data: the input (after one option byte) is
 * loaded both as a TSV file and as a fortunes file, and every data set that
 * loads must satisfy the loader's promises: non-empty, valid UTF-8 texts
 * without NUL, trimmed, cleaned of control characters (unless raw_text),
 * labels and splits in range, the split equal to the hash's bucket (without
 * strip_attribution), and
 * counters that add up. Any status is fine; crashes, leaks, sanitizer
 * reports and broken promises are not.
 *
 * Build by hand, e.g. (version.h comes from a configured build dir):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilib -Ibuild-data/include \
 *     tests/fuzz/fuzz_tsv.c lib/data/\*.c lib/core/\*.c lib/compute/\*.c \
 *     -lutf8proc -lblis -lm -lpthread -o fuzz_tsv
 *   ./fuzz_tsv tests/fuzz/corpus/tsv
 * (meson replays tests/fuzz/corpus/tsv through it in every test run.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "data/data_internal.h"

static void check(int cond)
{
    if (!cond) abort();
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void check_dataset(const attn_dataset *ds, int raw_text, int stripped)
{
    int64_t n = attn_dataset_size(ds);
    int32_t labels = attn_dataset_num_labels(ds);
    check(n > 0 && labels > 0);
    for (int64_t i = 0; i < n; i++) {
        const char *t = attn_dataset_text(ds, i);
        check(t != NULL);
        size_t len = strlen(t);
        check(len > 0 && !is_space((unsigned char)t[0]) && !is_space((unsigned char)t[len - 1]));
        check(attn__utf8_valid_prefix(t, len) == len);
        if (!raw_text)
            for (size_t j = 0; j < len; j++) {
                unsigned char c = (unsigned char)t[j];
                check(c >= 0x20 || c == '\t' || c == '\n');
                unsigned char next = (unsigned char)t[j + 1];
                check(c != 0x7F && !(c == 0xC2 && next >= 0x80 && next <= 0x9F)); /* C1 */
            }
        int32_t label = attn_dataset_label(ds, i), split = attn_dataset_split(ds, i);
        check(label >= 0 && label < labels);
        uint64_t bucket = attn_dataset_hash(t, len) % 10;
        check(split >= ATTN_SPLIT_TRAIN && split <= ATTN_SPLIT_TEST);
        if (!stripped) /* else the split is the unstripped text's */
            check(split == (bucket < 8 ? ATTN_SPLIT_TRAIN : bucket == 8 ? ATTN_SPLIT_VALIDATION : ATTN_SPLIT_TEST));
    }
    for (int32_t l = 1; l < labels; l++)
        check(strcmp(attn_dataset_label_name(ds, l - 1), attn_dataset_label_name(ds, l)) < 0);
    check(attn_dataset_count(ds, -1, -1) == n);
    check(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_RECORDS) ==
          n + attn_dataset_stat_get(ds, ATTN_DATASET_STAT_CROSS_LABEL_DROPPED) +
              attn_dataset_stat_get(ds, ATTN_DATASET_STAT_DUPLICATES_DROPPED));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 0;
    attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 256 << 20);
    attn_dataset_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    if (size > 0) {
        opts.strip_attribution = data[0] & 1;
        opts.raw_text = (data[0] >> 1) & 1;
        opts.tsv_escapes = (data[0] >> 2) & 1;
        data++;
        size--;
    }

    attn_dataset *ds = NULL;
    attn_status st = attn_dataset_load_tsv_buffer(ctx, (const char *)data, size, &opts, &ds);
    check((st == ATTN_OK) == (ds != NULL));
    check(st == ATTN_OK || st == ATTN_ERR_FORMAT || st == ATTN_ERR_LIMIT || st == ATTN_ERR_NOMEM);
    if (ds) check_dataset(ds, opts.raw_text, opts.strip_attribution);
    attn_dataset_destroy(ds);

    /* the same bytes as one fortunes file (any bytes are readable there) */
    attn__dataset_builder b;
    check(attn__builder_init(&b, ctx, "fuzz", &opts) == ATTN_OK);
    int32_t label;
    check(attn__builder_label(&b, "cat", 3, "fuzz", &label) == ATTN_OK);
    st = attn__fortunes_parse(&b, "fuzz", "input", label, (const char *)data, size);
    check(st == ATTN_OK || st == ATTN_ERR_LIMIT || st == ATTN_ERR_NOMEM);
    ds = NULL;
    if (st == ATTN_OK) {
        st = attn__builder_finish(&b, "fuzz", "input", &ds);
        check(st == ATTN_OK || st == ATTN_ERR_FORMAT || st == ATTN_ERR_NOMEM);
        if (ds) check_dataset(ds, opts.raw_text, opts.strip_attribution);
    }
    attn_dataset_destroy(ds);
    attn__builder_free(&b);

    int64_t in_use = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    check(in_use == 0);
    attn_ctx_destroy(ctx);
    return 0;
}
