/* The tokenizer against Hugging Face's own output (tokens.json of
 * bert-base-uncased and bert-base-chinese, cased and uncased), and each
 * BERT normalization rule on small hand-made vocabs whose ids are their
 * line numbers. */
#include <stdlib.h>
#include <string.h>

#include "mini_json.h"
#include "test_common.h"

/* ---- helpers ----------------------------------------------------------- */

static attn_tokenizer *load_file(attn_ctx *ctx, const char *rel, uint32_t flags)
{
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load(ctx, attn_test_data(rel), flags, &tok));
    return tok;
}

static attn_tokenizer *load_text(attn_ctx *ctx, const char *vocab, uint32_t flags)
{
    attn_tokenizer *tok = NULL;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, vocab, strlen(vocab), flags, &tok));
    return tok;
}

/* The pieces of text joined by single spaces, e.g. "un ##aff ##able". */
static const char *pieces(attn_tokenizer *tok, const char *text)
{
    static char out[4096];
    int32_t ids[512], n = -1;
    attn_status st = attn_tokenizer_tokenize(tok, text, ids, 512, &n);
    ck_assert_msg(st == ATTN_OK, "tokenize(\"%s\"): %s", text, attn_status_str(st));
    out[0] = '\0';
    for (int32_t i = 0; i < n; i++) {
        const char *t = attn_tokenizer_id_to_token(tok, ids[i]);
        ck_assert_ptr_nonnull(t);
        if (i) strcat(out, " ");
        strcat(out, t);
    }
    return out;
}

static const mj_value *need(const mj_value *obj, const char *key)
{
    const mj_value *v = mj_get(obj, key);
    ck_assert_msg(v != NULL, "reference JSON lacks \"%s\"", key);
    return v;
}

/* Encodes one reference case and compares ids, token types and token
 * strings with Hugging Face's. */
static void check_case(attn_ctx *ctx, attn_tokenizer *tok, const mj_value *c, const char *label)
{
    const mj_value *text = mj_get(c, "text");
    const char *first = text ? text->string : need(c, "text_a")->string;
    const char *second = text ? NULL : need(c, "text_b")->string;
    const mj_value *want_ids = need(c, "input_ids"), *want_types = need(c, "token_type_ids"),
                   *want_tokens = need(c, "tokens");
    int32_t ids[1024], types[1024], n = -1;
    attn_status st = attn_tokenizer_encode(tok, first, second, 0, ids, types, 1024, &n);
    ck_assert_msg(st == ATTN_OK, "%s: encode(\"%s\") failed: %s", label, first,
                  attn_ctx_last_error(ctx));
    ck_assert_msg((size_t)n == want_ids->count, "%s: \"%s\": %d ids, Hugging Face has %zu", label, first, (int)n,
                  want_ids->count);
    for (int32_t i = 0; i < n; i++) {
        const char *got = attn_tokenizer_id_to_token(tok, ids[i]);
        ck_assert_msg(ids[i] == (int32_t)want_ids->items[i].number,
                      "%s: \"%s\": id %d is %d (%s), Hugging Face has %d (%s)", label, first, (int)i, (int)ids[i],
                      got ? got : "?", (int)want_ids->items[i].number, want_tokens->items[i].string);
        ck_assert_int_eq(types[i], (int32_t)want_types->items[i].number);
        ck_assert_str_eq(got, want_tokens->items[i].string);
    }
    /* tokenize() gives the same pieces without [CLS]/[SEP] for single texts */
    if (!second) {
        int32_t bare[1024], m = -1;
        ck_assert_int_eq(attn_tokenizer_tokenize(tok, first, bare, 1024, &m), ATTN_OK);
        ck_assert_int_eq(m, n - 2);
        for (int32_t i = 0; i < m; i++) ck_assert_int_eq(bare[i], ids[i + 1]);
    }
}

/* ---- Hugging Face reference data --------------------------------------- */

START_TEST(bert_base_uncased_matches_hugging_face_token_for_token)
{
    attn_ctx *ctx = attn_test_ctx();
    mj_value *ref = mj_load(attn_test_data("bert-base-uncased/tokens.json"));
    ck_assert_msg(ref != NULL, "cannot read bert-base-uncased/tokens.json");
    attn_tokenizer *tok = load_file(ctx, "bert-base-uncased/vocab.txt", ATTN_TOKENIZER_LOWERCASE);
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 30522);
    const mj_value *single = need(ref, "single"), *pairs = need(ref, "pairs");
    ck_assert_uint_gt(single->count, 5);
    ck_assert_uint_gt(pairs->count, 0);
    for (size_t i = 0; i < single->count; i++) check_case(ctx, tok, &single->items[i], "uncased single");
    for (size_t i = 0; i < pairs->count; i++) check_case(ctx, tok, &pairs->items[i], "uncased pair");
    attn_tokenizer_destroy(tok);
    mj_free(ref);
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bert_base_chinese_cased_and_uncased_runs_match_hugging_face)
{
    attn_ctx *ctx = attn_test_ctx();
    mj_value *ref = mj_load(attn_test_data("bert-base-chinese/tokens.json"));
    ck_assert_msg(ref != NULL, "cannot read bert-base-chinese/tokens.json");
    const mj_value *runs = need(ref, "runs");
    static const struct { const char *name; uint32_t flags; } modes[] = {
        {"cased", 0}, {"uncased", ATTN_TOKENIZER_LOWERCASE}};
    for (int m = 0; m < 2; m++) {
        attn_tokenizer *tok = load_file(ctx, "bert-base-chinese/vocab.txt", modes[m].flags);
        ck_assert_int_eq(attn_tokenizer_vocab_size(tok), 21128);
        const mj_value *cases = need(runs, modes[m].name);
        ck_assert_uint_gt(cases->count, 10);
        for (size_t i = 0; i < cases->count; i++) check_case(ctx, tok, &cases->items[i], modes[m].name);
        attn_tokenizer_destroy(tok);
    }
    mj_free(ref);
    attn_ctx_destroy(ctx);
}
END_TEST

/* ---- rules on hand-made vocabs ----------------------------------------- */

/* ids:            0     1     2     3     4      5  6  7  8   9     10      11      12    13 */
static const char small_vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n[\n]\n.\nun\n##aff\n##able\n##a\nmask\ncafe\n"
/* 14 café, 15 Café, 16 unk, 17 ##k, 18 a, 19 b, 20 $, 21 ^, 22 `, 23 em dash, 24 人, 25 工, 26 i,
 * 27 "##" + U+0307 (combining dot above) */
                                  "caf\xc3\xa9\nCaf\xc3\xa9\nunk\n##k\na\nb\n$\n^\n`\n\xe2\x80\x94\n"
                                  "\xe4\xba\xba\n\xe5\xb7\xa5\ni\n##\xcc\x87\n";

START_TEST(special_tokens_in_text_stay_whole_and_are_case_sensitive)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE);
    ck_assert_str_eq(pieces(tok, "a [MASK] b"), "a [MASK] b");
    /* cut out even inside a word, and never lowercased */
    ck_assert_str_eq(pieces(tok, "a[MASK]b"), "a [MASK] b");
    ck_assert_str_eq(pieces(tok, "[CLS][SEP][PAD][UNK]"), "[CLS] [SEP] [PAD] [UNK]");
    /* written differently, it is ordinary text: punctuation and words */
    ck_assert_str_eq(pieces(tok, "[mask]"), "[ mask ]");
    ck_assert_str_eq(pieces(tok, "[Mask]"), "[ mask ]");
    ck_assert_str_eq(pieces(tok, "[MAS\x01K]"), "[ mask ]");
    ck_assert_str_eq(pieces(tok, "[UNK"), "[ unk");
    int32_t ids[8], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "[MASK]", ids, 8, &n));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ids[0], 4);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(invalid_utf8_is_dropped_as_replacement_characters_would_be)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE);
    /* stray continuation byte, a lead byte without its tail, an overlong
     * "/" (C0 AF), a UTF-16 surrogate (ED A0 80), a code point past
     * U+10FFFF (F4 90 80 80): all vanish without splitting the word */
    ck_assert_str_eq(pieces(tok, "ca\x80" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xc3" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xc0\xaf" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xed\xa0\x80" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xf4\x90\x80\x80" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "cafe\xe4\xba"), "cafe");
    /* a real U+FFFD is dropped too */
    ck_assert_str_eq(pieces(tok, "ca\xef\xbf\xbd" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "\xff\xfe\xfd"), "");
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(controls_are_dropped_and_unicode_whitespace_separates_words)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE);
    /* ESC, BEL, DEL, zero-width space (Cf), a private-use character (Co),
     * NEL (Cc) and the vertical tab are removed: the word stays whole */
    ck_assert_str_eq(pieces(tok, "ca\x1b\x07\x7f" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xe2\x80\x8b" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xee\x80\x80" "fe"), "cafe");
    ck_assert_str_eq(pieces(tok, "ca\xc2\x85" "fe\x0b"), "cafe");
    /* TAB, LF, CR, no-break space, ideographic space, line separator */
    ck_assert_str_eq(pieces(tok, "a\tb\na\rb"), "a b a b");
    ck_assert_str_eq(pieces(tok, "a\xc2\xa0" "b\xe3\x80\x80" "a\xe2\x80\xa8" "b"), "a b a b");
    ck_assert_str_eq(pieces(tok, " \t\r\n "), "");
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(ascii_symbols_and_unicode_punctuation_split_words)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, 0);
    /* "$", "^" and "`" are symbols in Unicode but punctuation to BERT */
    ck_assert_str_eq(pieces(tok, "a$b^a`b"), "a $ b ^ a ` b");
    /* the em dash (Pd) splits; the n-ary sum (Sm) does not */
    ck_assert_str_eq(pieces(tok, "a\xe2\x80\x94" "b"), "a \xe2\x80\x94 b");
    ck_assert_str_eq(pieces(tok, "a\xe2\x88\x91" "b"), "[UNK]");
    ck_assert_str_eq(pieces(tok, "a..b"), "a . . b");
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(cjk_ideographs_become_words_of_their_own)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, 0);
    ck_assert_str_eq(pieces(tok, "a人工b"), "a 人 工 b");
    /* U+3042 (hiragana) is not in the CJK blocks: it stays in its word */
    ck_assert_str_eq(pieces(tok, "a\xe3\x81\x82"), "[UNK]");
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(uncased_strips_accents_keep_accents_only_lowercases_cased_keeps_both)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *lower = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE);
    attn_tokenizer *keep = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE | ATTN_TOKENIZER_KEEP_ACCENTS);
    attn_tokenizer *cased = load_text(ctx, small_vocab, 0);
    /* precomposed é (C3 A9) and e + combining acute (65 CC 81) */
    ck_assert_str_eq(pieces(lower, "CAF\xc3\x89"), "cafe");
    ck_assert_str_eq(pieces(lower, "Cafe\xcc\x81"), "cafe");
    ck_assert_str_eq(pieces(keep, "CAF\xc3\x89"), "café");
    ck_assert_str_eq(pieces(cased, "Café"), "Café");
    ck_assert_str_eq(pieces(cased, "CAFE"), "[UNK]");
    /* U+0130 (capital I with dot) lowercases to i + U+0307 when accents are
     * kept, and to plain i when they are stripped */
    ck_assert_str_eq(pieces(keep, "\xc4\xb0"), "i ##\xcc\x87");
    ck_assert_str_eq(pieces(lower, "\xc4\xb0"), "i");
    attn_tokenizer_destroy(lower);
    attn_tokenizer_destroy(keep);
    attn_tokenizer_destroy(cased);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(wordpiece_takes_longest_pieces_and_an_unmatched_rest_makes_the_word_unk)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE);
    ck_assert_str_eq(pieces(tok, "unaffable"), "un ##aff ##able");
    ck_assert_str_eq(pieces(tok, "unaffablea"), "un ##aff ##able ##a");
    /* "un ##aff" matched, then "x" has no entry: the whole word is [UNK] */
    ck_assert_str_eq(pieces(tok, "unaffx b"), "[UNK] b");
    ck_assert_str_eq(pieces(tok, "unk unkk"), "unk unk ##k");
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(words_over_100_characters_are_unk_counting_characters_not_bytes)
{
    attn_ctx *ctx = attn_test_ctx();
    /* "é" and "##é" are 2-byte entries: 100 of them make a 200-byte word */
    static const char vocab[] = "[UNK]\n\xc3\xa9\n##\xc3\xa9\n";
    attn_tokenizer *tok = load_text(ctx, vocab, 0);
    char text[512] = "";
    for (int i = 0; i < 100; i++) strcat(text, "\xc3\xa9");
    int32_t ids[128], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, text, ids, 128, &n));
    ck_assert_int_eq(n, 100);
    ck_assert_int_eq(ids[0], 1);
    ck_assert_int_eq(ids[99], 2);
    strcat(text, "\xc3\xa9");
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, text, ids, 128, &n));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ids[0], 0);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_word_needing_unk_fails_by_name_when_the_vocab_has_none)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, "a\nb\n", 0);
    int32_t ids[4], n;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "a b", ids, 4, &n));
    ck_assert_int_eq(n, 2);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_tokenizer_tokenize(tok, "a zebra", ids, 4, &n));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "[UNK]"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "zebra"));
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(tokenize_reports_the_full_count_and_rejects_bad_arguments)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = load_text(ctx, small_vocab, ATTN_TOKENIZER_LOWERCASE);
    int32_t ids[4] = {-1, -1, -1, -1}, n = -1;
    /* capacity 0 asks for the count */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "a b a b a", NULL, 0, &n));
    ck_assert_int_eq(n, 5);
    /* too small: the first ids are written, the status says so */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_tokenizer_tokenize(tok, "a b a b a", ids, 2, &n));
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(ids[0], 18);
    ck_assert_int_eq(ids[1], 19);
    ck_assert_int_eq(ids[2], -1);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_tokenize(NULL, "a", ids, 4, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_tokenize(tok, NULL, ids, 4, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_tokenize(tok, "a", ids, 4, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_tokenize(tok, "a", ids, -1, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_tokenize(tok, "a", NULL, 4, &n));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "ids"));
    /* the empty text has no pieces */
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, "", ids, 4, &n));
    ck_assert_int_eq(n, 0);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(unknown_flags_are_rejected)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_tokenizer *tok = (attn_tokenizer *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_tokenizer_load_buffer(ctx, "a\n", 2, 1u << 5, &tok));
    ck_assert_ptr_null(tok);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "flag"));
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tokenizer");
    TCase *tc = tcase_create("tokenizer");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bert_base_uncased_matches_hugging_face_token_for_token);
    tcase_add_test(tc, bert_base_chinese_cased_and_uncased_runs_match_hugging_face);
    tcase_add_test(tc, special_tokens_in_text_stay_whole_and_are_case_sensitive);
    tcase_add_test(tc, invalid_utf8_is_dropped_as_replacement_characters_would_be);
    tcase_add_test(tc, controls_are_dropped_and_unicode_whitespace_separates_words);
    tcase_add_test(tc, ascii_symbols_and_unicode_punctuation_split_words);
    tcase_add_test(tc, cjk_ideographs_become_words_of_their_own);
    tcase_add_test(tc, uncased_strips_accents_keep_accents_only_lowercases_cased_keeps_both);
    tcase_add_test(tc, wordpiece_takes_longest_pieces_and_an_unmatched_rest_makes_the_word_unk);
    tcase_add_test(tc, words_over_100_characters_are_unk_counting_characters_not_bytes);
    tcase_add_test(tc, a_word_needing_unk_fails_by_name_when_the_vocab_has_none);
    tcase_add_test(tc, tokenize_reports_the_full_count_and_rejects_bad_arguments);
    tcase_add_test(tc, unknown_flags_are_rejected);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
