/* Model input: [CLS]/[SEP] and token types, longest-first truncation as
 * Hugging Face's `tokenizers` cuts pairs, and padded batches (dynamic or
 * fixed length, reuse without allocation, errors that leave the batch as
 * it was). Vocab ids are line numbers, so every expected id is read off
 * the vocab below. */
#include <string.h>

#include "test_common.h"

/* 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 [MASK], 5 a, 6 b, 7 c, 8 d */
static const char vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd\n";

static attn_tokenizer *load(attn_ctx *ctx, const char *v)
{
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, v, strlen(v), ATTN_TOKENIZER_LOWERCASE, &tok));
    return tok;
}

/* "a a a ..." with n words */
static const char *words(char *buf, int n, char w)
{
    for (int i = 0; i < n; i++) {
        buf[2 * i] = w;
        buf[2 * i + 1] = ' ';
    }
    buf[n ? 2 * n - 1 : 0] = '\0';
    return buf;
}

START_TEST(single_and_pair_get_cls_sep_and_token_types)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    int32_t ids[16], types[16], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "A b", NULL, 0, ids, types, 16, &n));
    ck_assert_int_eq(n, 4);
    const int32_t want1[] = {2, 5, 6, 3};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ids[i], want1[i]);
        ck_assert_int_eq(types[i], 0);
    }
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "a", "c d", 0, ids, types, 16, &n));
    const int32_t want_ids[] = {2, 5, 3, 7, 8, 3}, want_types[] = {0, 0, 0, 1, 1, 1};
    ck_assert_int_eq(n, 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(ids[i], want_ids[i]);
        ck_assert_int_eq(types[i], want_types[i]);
    }
    /* empty texts still get their specials; type_ids may be NULL */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "", "", 0, ids, NULL, 16, &n));
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(ids[0], 2);
    ck_assert_int_eq(ids[1], 3);
    ck_assert_int_eq(ids[2], 3);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_single_text_keeps_its_first_pieces)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    int32_t ids[16], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "a b c d", NULL, 4, ids, NULL, 16, &n));
    ck_assert_int_eq(n, 4);
    const int32_t want[] = {2, 5, 6, 3};
    for (int i = 0; i < 4; i++) ck_assert_int_eq(ids[i], want[i]);
    /* no cut when it fits; max_len 2 leaves only the specials */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "a b c d", NULL, 6, ids, NULL, 16, &n));
    ck_assert_int_eq(n, 6);
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "a b c d", NULL, 2, ids, NULL, 16, &n));
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(ids[1], 3);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

/* Lengths of the two sides after encoding an n1-piece text with an
 * n2-piece pair to max_len (read off the token types). */
static void cut(attn_tokenizer *tok, int n1, int n2, int max_len, int *k1, int *k2)
{
    char a[64], b[64];
    int32_t ids[64], types[64], n;
    ck_assert_int_eq(attn_tokenizer_encode(tok, words(a, n1, 'a'), words(b, n2, 'b'), max_len, ids, types, 64, &n),
                     ATTN_OK);
    *k1 = *k2 = 0;
    for (int32_t i = 0; i < n; i++) {
        if (ids[i] == 5) { ck_assert_int_eq(types[i], 0); ++*k1; }
        if (ids[i] == 6) { ck_assert_int_eq(types[i], 1); ++*k2; }
    }
    ck_assert_int_eq(n, *k1 + *k2 + 3);
}

START_TEST(pairs_are_cut_longest_first_as_hugging_face_tokenizers_does)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    /* the cases of tokenizers' truncate_encodings_longest_first test, with
     * a budget of 7 pieces (max_len 10 minus 3 specials) */
    static const int cases[][4] = {
        /* n1 n2 -> k1 k2 */
        {0, 0, 0, 0}, {0, 2, 0, 2}, {0, 4, 0, 4}, {0, 8, 0, 7},
        {2, 0, 2, 0}, {2, 2, 2, 2}, {2, 4, 2, 4}, {2, 8, 2, 5},
        {4, 0, 4, 0}, {4, 2, 4, 2}, {4, 4, 3, 4}, {4, 8, 3, 4},
        {8, 0, 7, 0}, {8, 2, 5, 2}, {8, 4, 4, 3}, {8, 8, 3, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int k1, k2;
        cut(tok, cases[i][0], cases[i][1], 10, &k1, &k2);
        ck_assert_msg(k1 == cases[i][2] && k2 == cases[i][3], "(%d, %d) cut to (%d, %d), expected (%d, %d)",
                      cases[i][0], cases[i][1], k1, k2, cases[i][2], cases[i][3]);
    }
    /* an even budget splits evenly; max_len 3 leaves only the specials */
    int k1, k2;
    cut(tok, 9, 9, 9, &k1, &k2);
    ck_assert_int_eq(k1, 3);
    ck_assert_int_eq(k2, 3);
    cut(tok, 5, 1, 3, &k1, &k2);
    ck_assert_int_eq(k1 + k2, 0);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(encode_rejects_bad_lengths_and_missing_specials_by_name)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    int32_t ids[16], n;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(tok, "a", NULL, 1, ids, NULL, 16, &n));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "max_len"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(tok, "a", "b", 2, ids, NULL, 16, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(tok, "a", NULL, -1, ids, NULL, 16, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(tok, NULL, "b", 0, ids, NULL, 16, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(tok, "a", NULL, 0, NULL, NULL, 16, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(tok, "a", NULL, 0, ids, NULL, 16, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode(NULL, "a", NULL, 0, ids, NULL, 16, &n));
    /* capacity: 0 asks, too small fails after writing what fits */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode(tok, "a b", NULL, 0, NULL, NULL, 0, &n));
    ck_assert_int_eq(n, 4);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_tokenizer_encode(tok, "a b", NULL, 0, ids, NULL, 3, &n));
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(ids[2], 6);
    attn_tokenizer_destroy(tok);

    tok = load(ctx, "[UNK]\n[SEP]\na\n");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_encode(tok, "a", NULL, 0, ids, NULL, 16, &n));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[CLS]"));
    /* tokenize needs no specials */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "a", ids, 16, &n));
    attn_tokenizer_destroy(tok);
    tok = load(ctx, "[UNK]\n[CLS]\na\n");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_encode(tok, "a", NULL, 0, ids, NULL, 16, &n));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[SEP]"));
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

static const int32_t *field(attn_batch *b, attn_batch_field f, int64_t rows, int64_t cols)
{
    attn_tensor *t = attn_batch_tensor(b, f);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(attn_tensor_dtype(t), ATTN_I32);
    ck_assert_int_eq(attn_tensor_rank(t), 2);
    ck_assert_int_eq(attn_tensor_dim(t, 0), rows);
    ck_assert_int_eq(attn_tensor_dim(t, 1), cols);
    return attn_tensor_data(t);
}

START_TEST(a_batch_pads_to_its_longest_sequence_with_pad_and_a_zero_mask)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    attn_batch *b = NULL;
    ATTN_ASSERT_OK(ctx, attn_batch_create(ctx, &b));
    field(b, ATTN_BATCH_INPUT_IDS, 0, 0);
    const char *texts[3] = {"a", "b c d", "c"};
    const char *pairs[3] = {"d", NULL, NULL};
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, texts, pairs, 3, 0, 0));
    const int32_t *ids = field(b, ATTN_BATCH_INPUT_IDS, 3, 5);
    const int32_t *types = field(b, ATTN_BATCH_TOKEN_TYPE_IDS, 3, 5);
    const int32_t *mask = field(b, ATTN_BATCH_ATTENTION_MASK, 3, 5);
    const int32_t want_ids[15] = {2, 5, 3, 8, 3, /**/ 2, 6, 7, 8, 3, /**/ 2, 7, 3, 0, 0};
    const int32_t want_types[15] = {0, 0, 0, 1, 1, /**/ 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0};
    const int32_t want_mask[15] = {1, 1, 1, 1, 1, /**/ 1, 1, 1, 1, 1, /**/ 1, 1, 1, 0, 0};
    for (int i = 0; i < 15; i++) {
        ck_assert_int_eq(ids[i], want_ids[i]);
        ck_assert_int_eq(types[i], want_types[i]);
        ck_assert_int_eq(mask[i], want_mask[i]);
    }
    /* with max_len the longest row is cut and the width follows */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, texts, NULL, 3, 4, 0));
    ids = field(b, ATTN_BATCH_INPUT_IDS, 3, 4);
    const int32_t want_cut[12] = {2, 5, 3, 0, /**/ 2, 6, 7, 3, /**/ 2, 7, 3, 0};
    for (int i = 0; i < 12; i++) ck_assert_int_eq(ids[i], want_cut[i]);
    attn_batch_destroy(b);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_batch_pads_to_pad_to_and_refuses_longer_sequences)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    attn_batch *b = NULL;
    ATTN_ASSERT_OK(ctx, attn_batch_create(ctx, &b));
    const char *texts[2] = {"a", "b c"};
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, texts, NULL, 2, 0, 8));
    const int32_t *mask = field(b, ATTN_BATCH_ATTENTION_MASK, 2, 8);
    const int32_t want_mask[16] = {1, 1, 1, 0, 0, 0, 0, 0, /**/ 1, 1, 1, 1, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++) ck_assert_int_eq(mask[i], want_mask[i]);
    /* "b c" needs 4 > 3: an error naming the text, and the batch unchanged */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_tokenizer_encode_batch(tok, b, texts, NULL, 2, 0, 3));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "texts[1]"));
    mask = field(b, ATTN_BATCH_ATTENTION_MASK, 2, 8);
    for (int i = 0; i < 16; i++) ck_assert_int_eq(mask[i], want_mask[i]);
    /* truncating to pad_to makes it fit */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, texts, NULL, 2, 3, 3));
    const int32_t *ids = field(b, ATTN_BATCH_INPUT_IDS, 2, 3);
    const int32_t want_ids[6] = {2, 5, 3, 2, 6, 3};
    for (int i = 0; i < 6; i++) ck_assert_int_eq(ids[i], want_ids[i]);
    /* an empty batch has pad_to columns */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, NULL, NULL, 0, 0, 5));
    field(b, ATTN_BATCH_TOKEN_TYPE_IDS, 0, 5);
    attn_batch_destroy(b);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_batch_that_fits_its_storage_allocates_nothing)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    attn_batch *b = NULL;
    ATTN_ASSERT_OK(ctx, attn_batch_create(ctx, &b));
    const char *big[4] = {"a b c d a b c d", "a", "b", "c d"};
    const char *small[3] = {"d c", "a b", "c"};
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, big, NULL, 4, 0, 0));
    int64_t before = -1, after = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &before));
    for (int step = 0; step < 10; step++) {
        ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, step % 2 ? big : small, NULL, step % 2 ? 4 : 3, 0, 0));
        field(b, ATTN_BATCH_INPUT_IDS, step % 2 ? 4 : 3, step % 2 ? 10 : 4);
    }
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &after));
    ck_assert_int_eq(after, before);
    attn_batch_destroy(b);
    attn_tokenizer_destroy(tok);
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_vocab_without_pad_fails_only_when_padding_is_needed)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, "[UNK]\n[CLS]\n[SEP]\na\nb\n");
    attn_batch *b = NULL;
    ATTN_ASSERT_OK(ctx, attn_batch_create(ctx, &b));
    const char *same[2] = {"a", "b"}, *ragged[2] = {"a", "a b"};
    ATTN_ASSERT_OK(ctx, attn_tokenizer_encode_batch(tok, b, same, NULL, 2, 0, 0));
    field(b, ATTN_BATCH_INPUT_IDS, 2, 3);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_encode_batch(tok, b, ragged, NULL, 2, 0, 0));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[PAD]"));
    field(b, ATTN_BATCH_INPUT_IDS, 2, 3);
    attn_batch_destroy(b);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(batch_calls_reject_bad_arguments)
{
    attn_ctx *ctx = attn_test_ctx(), *other = attn_test_ctx();
    attn_tokenizer *tok = load(ctx, vocab);
    attn_batch *b = NULL, *foreign = NULL;
    ATTN_ASSERT_OK(ctx, attn_batch_create(ctx, &b));
    ATTN_ASSERT_OK(other, attn_batch_create(other, &foreign));
    const char *texts[2] = {"a", NULL};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, b, texts, NULL, 2, 0, 0));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "texts[1]"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, b, texts, NULL, -1, 0, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, b, texts, NULL, 1, -1, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, b, texts, NULL, 1, 0, -1));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, b, NULL, NULL, 1, 0, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, NULL, texts, NULL, 1, 0, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(NULL, b, texts, NULL, 1, 0, 0));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, foreign, texts, NULL, 1, 0, 0));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "context"));
    /* an encoding error names the text it came from */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_encode_batch(tok, b, texts, NULL, 1, 1, 0));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "texts[0]"));
    ck_assert_ptr_null(attn_batch_tensor(b, (attn_batch_field)3));
    ck_assert_ptr_null(attn_batch_tensor(b, (attn_batch_field)-1));
    ck_assert_ptr_null(attn_batch_tensor(NULL, ATTN_BATCH_INPUT_IDS));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_batch_create(ctx, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_batch_create(NULL, &b));
    attn_batch_destroy(NULL);
    attn_batch_destroy(foreign);
    attn_batch_destroy(b);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(other);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("encode_batch");
    TCase *tc = tcase_create("encode_batch");
    tcase_add_test(tc, single_and_pair_get_cls_sep_and_token_types);
    tcase_add_test(tc, a_single_text_keeps_its_first_pieces);
    tcase_add_test(tc, pairs_are_cut_longest_first_as_hugging_face_tokenizers_does);
    tcase_add_test(tc, encode_rejects_bad_lengths_and_missing_specials_by_name);
    tcase_add_test(tc, a_batch_pads_to_its_longest_sequence_with_pad_and_a_zero_mask);
    tcase_add_test(tc, a_batch_pads_to_pad_to_and_refuses_longer_sequences);
    tcase_add_test(tc, a_batch_that_fits_its_storage_allocates_nothing);
    tcase_add_test(tc, a_vocab_without_pad_fails_only_when_padding_is_needed);
    tcase_add_test(tc, batch_calls_reject_bad_arguments);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
