/* Loading vocab.txt: line rules (duplicates, CRLF, last line), hostile
 * files (empty, invalid UTF-8, NUL bytes, huge lines, too many lines,
 * missing files, memory limits) and the id <-> token lookups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

static attn_tokenizer *load_text(attn_ctx *ctx, const char *vocab)
{
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, vocab, strlen(vocab), 0, &tok));
    return tok;
}

static int32_t id_of(attn_ctx *ctx, attn_tokenizer *tok, const char *token)
{
    int32_t id = -2;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_token_to_id(tok, token, &id));
    return id;
}

START_TEST(a_duplicated_token_maps_to_its_last_line)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, "[UNK]\nx\ny\nx\nz\n");
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 5);
    ck_assert_int_eq(id_of(ctx, tok, "x"), 3);
    ck_assert_int_eq(id_of(ctx, tok, "y"), 2);
    /* the shadowed line keeps its text */
    ck_assert_str_eq(attn_tokenizer_id_to_token(tok, 1), "x");
    int32_t ids[2], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "x", ids, 2, &n));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ids[0], 3);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(crlf_lines_empty_lines_and_a_last_line_without_newline)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, "a\r\n\nb \nc");
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 4);
    ck_assert_int_eq(id_of(ctx, tok, "a"), 0);
    ck_assert_int_eq(id_of(ctx, tok, ""), 1);
    /* only the line end is removed: "b " keeps its space */
    ck_assert_int_eq(id_of(ctx, tok, "b "), 2);
    ck_assert_int_eq(id_of(ctx, tok, "c"), 3);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_token_to_id(tok, "b", &(int32_t){0}));
    ck_assert_str_eq(attn_tokenizer_id_to_token(tok, 0), "a");
    ck_assert_str_eq(attn_tokenizer_id_to_token(tok, 3), "c");
    attn_tokenizer_destroy(tok);
    /* a trailing newline does not add an entry; a lone CR is part of the token */
    tok = load_text(ctx, "a\rb\n");
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 1);
    ck_assert_int_eq(id_of(ctx, tok, "a\rb"), 0);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(an_empty_vocab_is_a_format_error)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = (attn_tokenizer *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load_buffer(ctx, "", 0, 0, &tok));
    ck_assert_ptr_null(tok);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "empty"));
    const char *path = attn_test_tmpdir();
    char file[512];
    snprintf(file, sizeof file, "%s/empty.txt", path);
    FILE *f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load(ctx, file, 0, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "empty.txt"));
    remove(file);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(invalid_utf8_or_a_nul_byte_is_a_format_error_naming_the_line)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = NULL;
    static const char bad_utf8[] = "a\nb\nc\xff\n";
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load_buffer(ctx, bad_utf8, sizeof bad_utf8 - 1, 0, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "line 3"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "UTF-8"));
    static const char surrogate[] = "\xed\xa0\x80\n";
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load_buffer(ctx, surrogate, sizeof surrogate - 1, 0, &tok));
    static const char truncated[] = "ok\n\xe4\xba";
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load_buffer(ctx, truncated, sizeof truncated - 1, 0, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "line 2"));
    static const char nul[] = "a\nb\0c\n";
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_tokenizer_load_buffer(ctx, nul, sizeof nul - 1, 0, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "NUL"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "line 2"));
    ck_assert_ptr_null(tok);
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_line_over_the_byte_limit_is_a_limit_error)
{
    attn_ctx *ctx = attn_test_ctx();
    size_t n = ATTN_TOKENIZER_MAX_TOKEN_BYTES;
    char *data = malloc(n + 8);
    memcpy(data, "a\n", 2);
    memset(data + 2, 'x', n);
    data[2 + n] = '\n';
    attn_tokenizer *tok = NULL;
    /* exactly at the limit loads */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, data, n + 3, 0, &tok));
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 2);
    attn_tokenizer_destroy(tok);
    memset(data + 2, 'x', n + 1);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_tokenizer_load_buffer(ctx, data, n + 3, 0, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "line 2"));
    ck_assert_ptr_null(tok);
    free(data);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(more_lines_than_the_entry_limit_is_a_limit_error)
{
    attn_ctx *ctx = attn_test_ctx();
    size_t n = (size_t)ATTN_TOKENIZER_MAX_VOCAB + 1;
    char *data = malloc(n);
    memset(data, '\n', n);
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_tokenizer_load_buffer(ctx, data, n, 0, &tok));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "lines"));
    ck_assert_ptr_null(tok);
    /* the count is checked before anything is allocated */
    int64_t peak = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_PEAK_BYTES, &peak));
    ck_assert_int_lt(peak, 1 << 20);
    free(data);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_missing_file_is_an_io_error_naming_the_path)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = (attn_tokenizer *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_tokenizer_load(ctx, "/nonexistent/vocab.txt", 0, &tok));
    ck_assert_ptr_null(tok);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "/nonexistent/vocab.txt"));
    /* a directory opens but cannot be read */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_tokenizer_load(ctx, attn_test_tmpdir(), 0, &tok));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load(ctx, NULL, 0, &tok));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load(ctx, "x", 0, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load(NULL, "x", 0, &tok));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load_buffer(ctx, NULL, 4, 0, &tok));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load_buffer(ctx, "a", 1, 0, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load_buffer(NULL, "a", 1, 0, &tok));
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(loading_the_real_vocab_file_gives_its_ids)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load(ctx, attn_test_data("bert-base-uncased/vocab.txt"),
                                            ATTN_TOKENIZER_LOWERCASE, &tok));
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 30522);
    /* well-known ids of bert-base-uncased */
    ck_assert_int_eq(id_of(ctx, tok, "[PAD]"), 0);
    ck_assert_int_eq(id_of(ctx, tok, "[UNK]"), 100);
    ck_assert_int_eq(id_of(ctx, tok, "[CLS]"), 101);
    ck_assert_int_eq(id_of(ctx, tok, "[SEP]"), 102);
    ck_assert_int_eq(id_of(ctx, tok, "[MASK]"), 103);
    ck_assert_int_eq(id_of(ctx, tok, "the"), 1996);
    /* this copy has CRLF line ends and its non-ASCII entries double-encoded
     * (the last line is "##" + U+FF5E's UTF-8 read as cp1252); Hugging
     * Face's tokens.json was made from the same bytes */
    ck_assert_str_eq(attn_tokenizer_id_to_token(tok, 30521), "##\xc3\xaf\xc2\xbd\xc5\xbe");
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(lookups_reject_bad_arguments_and_unknown_entries)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, "a\nb\n");
    int32_t id = 7;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_token_to_id(tok, "c", &id));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "\"c\""));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_token_to_id(tok, NULL, &id));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_token_to_id(tok, "a", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_token_to_id(NULL, "a", &id));
    ck_assert_ptr_null(attn_tokenizer_id_to_token(tok, -1));
    ck_assert_ptr_null(attn_tokenizer_id_to_token(tok, 2));
    ck_assert_ptr_null(attn_tokenizer_id_to_token(NULL, 0));
    ck_assert_int_eq(attn_tokenizer_vocab_size(NULL), -1);
    attn_tokenizer_destroy(tok);
    attn_tokenizer_destroy(NULL);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_memory_limit_fails_cleanly_and_leaks_nothing)
{
    attn_ctx *ctx = attn_test_ctx();
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 4096));
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOMEM, attn_tokenizer_load(ctx, attn_test_data("bert-base-uncased/vocab.txt"), 0,
                                                               &tok));
    ck_assert_ptr_null(tok);
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("vocab");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_duplicated_token_maps_to_its_last_line);
    tcase_add_test(tc, crlf_lines_empty_lines_and_a_last_line_without_newline);
    tcase_add_test(tc, an_empty_vocab_is_a_format_error);
    tcase_add_test(tc, invalid_utf8_or_a_nul_byte_is_a_format_error_naming_the_line);
    tcase_add_test(tc, a_line_over_the_byte_limit_is_a_limit_error);
    tcase_add_test(tc, more_lines_than_the_entry_limit_is_a_limit_error);
    tcase_add_test(tc, a_missing_file_is_an_io_error_naming_the_path);
    tcase_add_test(tc, loading_the_real_vocab_file_gives_its_ids);
    tcase_add_test(tc, lookups_reject_bad_arguments_and_unknown_entries);
    tcase_add_test(tc, a_memory_limit_fails_cleanly_and_leaks_nothing);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
