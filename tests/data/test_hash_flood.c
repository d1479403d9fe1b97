/* Hash flooding of the data sets' tables (issue 13): labels and texts
 * chosen to share a slot under an unkeyed hash (the FNV-1a the label table
 * once used, and the published split hash the de-duplication once indexed
 * by) made a crafted TSV load in quadratic time (65,536 labels: 6 s). The
 * tables now place entries with a hash keyed at random per builder. The
 * test counts probes (slots looked at past the first), not time: the same
 * crafted input at n and 4n must cost a bounded number of probes per
 * entry, where the old placement cost n/2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_internal.h"
#include "test_common.h"

/* The label table's placement before the fix, which an attacker computes. */
static uint64_t old_label_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ^ (h >> 32);
}

/* n distinct names whose old hash has its low `bits` bits zero: they share
 * slot 0 of every table of up to 2^bits slots. */
static char (*colliding(int n, int bits, uint64_t (*hash)(const char *, size_t), uint64_t fold))[16]
{
    char(*names)[16] = calloc((size_t)n, sizeof *names);
    ck_assert_ptr_nonnull(names);
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    for (uint32_t c = 0, found = 0; found < (uint32_t)n; c++) {
        char s[16];
        int len = snprintf(s, sizeof s, "x%u", c);
        uint64_t h = hash(s, (size_t)len);
        if (fold) h ^= h >> fold;
        if ((h & mask) == 0) memcpy(names[found++], s, 16);
    }
    return names;
}

static int64_t label_probes(int n)
{
    int bits = 1;
    while ((1 << bits) < 2 * n) bits++;
    char(*names)[16] = colliding(n, bits, old_label_hash, 0);
    attn_ctx *ctx = attn_test_ctx();
    attn__dataset_builder b;
    ATTN_ASSERT_OK(ctx, attn__builder_init(&b, ctx, "test", NULL));
    for (int i = 0; i < n; i++) {
        int32_t id;
        ATTN_ASSERT_OK(ctx, attn__builder_label(&b, names[i], strlen(names[i]), "test", &id));
        ck_assert_int_eq(id, i);
    }
    /* and every one is found again */
    for (int i = 0; i < n; i++) {
        int32_t id;
        ATTN_ASSERT_OK(ctx, attn__builder_label(&b, names[i], strlen(names[i]), "test", &id));
        ck_assert_int_eq(id, i);
    }
    int64_t probes = b.label_probes;
    attn__builder_free(&b);
    attn_ctx_destroy(ctx);
    free(names);
    return probes;
}

static uint64_t split_hash(const char *s, size_t n) { return attn_dataset_hash(s, n); }

static int64_t dedup_probes(int n)
{
    int bits = 4;
    while ((1 << bits) < 2 * n) bits++;
    /* the de-duplication once took its slot from key ^ key >> 29 */
    char(*texts)[16] = colliding(n, bits, split_hash, 29);
    attn_ctx *ctx = attn_test_ctx();
    attn__dataset_builder b;
    ATTN_ASSERT_OK(ctx, attn__builder_init(&b, ctx, "test", NULL));
    int32_t label;
    ATTN_ASSERT_OK(ctx, attn__builder_label(&b, "a", 1, "test", &label));
    for (int i = 0; i < n; i++) {
        int empty;
        ATTN_ASSERT_OK(ctx, attn__builder_add(&b, label, texts[i], strlen(texts[i]), 0, &empty));
        ck_assert_int_eq(empty, 0);
    }
    attn_dataset *ds;
    ATTN_ASSERT_OK(ctx, attn__builder_finish(&b, "test", "<crafted>", &ds));
    ck_assert_int_eq(attn_dataset_size(ds), n); /* all distinct: none dropped */
    int64_t probes = b.dedup_probes;
    attn_dataset_destroy(ds);
    attn__builder_free(&b);
    attn_ctx_destroy(ctx);
    free(texts);
    return probes;
}

START_TEST(colliding_labels_cost_linear_probes)
{
    int n = 128;
    int64_t p1 = label_probes(n), p4 = label_probes(4 * n);
    fprintf(stderr, "# label table: %lld probes for %d crafted labels (inserted, then looked up), %lld for %d "
            "(unkeyed: n^2/2 = %lld and %lld)\n", (long long)p1, n, (long long)p4, 4 * n, (long long)n * n / 2,
            (long long)(4 * n) * (4 * n) / 2);
    /* at a load of at most 1/2, a few probes per insert and lookup */
    ck_assert_int_le(p1, 4 * (2 * n));
    ck_assert_int_le(p4, 4 * (8 * n));
}
END_TEST

START_TEST(colliding_texts_cost_linear_probes_in_the_deduplication)
{
    int n = 128;
    int64_t p1 = dedup_probes(n), p4 = dedup_probes(4 * n);
    fprintf(stderr, "# de-duplication: %lld probes for %d crafted texts, %lld for %d\n", (long long)p1, n,
            (long long)p4, 4 * n);
    ck_assert_int_le(p1, 4 * n);
    ck_assert_int_le(p4, 4 * 4 * n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hash_flood");
    TCase *tc = tcase_create("hash_flood");
    tcase_add_test(tc, colliding_labels_cost_linear_probes);
    tcase_add_test(tc, colliding_texts_cost_linear_probes_in_the_deduplication);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
