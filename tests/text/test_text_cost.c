/* Inputs an attacker controls must cost time linear in their size, checked
 * by operation counts, never by a clock (issue 13):
 *  - a long run of combining marks: canonical ordering used to exchange
 *    neighbours (64 KB of marks took 5 s); the normalizer counts the code
 *    points it handles and the marks it moves (attn__normalizer.work);
 *  - a vocab of 100,000 lines crafted to crowd the slots of the old
 *    unkeyed FNV-1a table (it loaded in 22 s); the table counts its probes
 *    (attn__vocab.probes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "test_common.h"
#include "text/text_internal.h"

/* "a" then n pairs of marks in the wrong canonical order (U+0301, class
 * 230, before U+0323, class 220): every U+0323 must move in front of
 * every U+0301, n^2 / 2 moves for an exchange sort. */
static int32_t *marks_text(size_t n, size_t *len)
{
    int32_t *p = malloc((2 * n + 1) * sizeof *p);
    p[0] = 'a';
    for (size_t i = 0; i < n; i++) {
        p[1 + 2 * i] = 0x301;
        p[2 + 2 * i] = 0x323;
    }
    *len = 2 * n + 1;
    return p;
}

static uint64_t nfd_work(attn_ctx *ctx, size_t n)
{
    attn__norm_step step = {0};
    step.kind = ATTN__NORM_NFD;
    attn__normalizer nz = {0};
    nz.steps = &step;
    nz.n_steps = 1;
    size_t len;
    int32_t *in = marks_text(n, &len);
    attn__text_ids *out;
    ATTN_ASSERT_OK(ctx, attn__normalize_points(ctx, &nz, in, len, &out));
    /* the result is canonical order: the same marks, every 220 before every 230 */
    ck_assert_uint_eq(out->n, len);
    const int32_t *o = attn__text_ids_data(out);
    ck_assert_int_eq(o[0], 'a');
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(o[1 + i], 0x323);
        ck_assert_int_eq(o[1 + n + i], 0x301);
    }
    uint64_t work = nz.work;
    nz.steps = NULL; /* the step is on the stack */
    nz.n_steps = 0;
    attn__normalizer_free(ctx, &nz);
    free(in);
    return work;
}

START_TEST(a_run_of_4n_combining_marks_costs_four_times_a_run_of_n)
{
    attn_ctx *ctx = attn_test_ctx();
    uint64_t w1 = nfd_work(ctx, 8192), w4 = nfd_work(ctx, 32768);
    ck_assert_msg(w1 > 0 && (double)w4 <= 4.2 * (double)w1,
                  "NFD of %d marks: %llu operations, of %d marks: %llu (%.1f times; linear is 4)", 2 * 8192,
                  (unsigned long long)w1, 2 * 32768, (unsigned long long)w4, (double)w4 / (double)w1);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(sixty_four_kilobytes_of_marks_tokenize_like_hugging_face)
{
    /* uncased: the marks are stripped, "a" is left (as BertTokenizer does);
     * cased: the word has more than 100 characters and is [UNK] */
    attn_ctx *ctx = attn_test_ctx();
    static const char vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\na\n";
    size_t n = 32768; /* 2-byte marks: 64 KB */
    char *text = malloc(2 * n + 2);
    text[0] = 'a';
    for (size_t i = 0; i < n; i++) utf8proc_encode_char(i % 2 ? 0x323 : 0x301, (utf8proc_uint8_t *)text + 1 + 2 * i);
    text[1 + 2 * n] = '\0';
    attn_tokenizer *tok;
    int32_t ids[4], count = -1;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, vocab, sizeof vocab - 1, ATTN_TOKENIZER_LOWERCASE, &tok));
    tok->nz.work = 0;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, text, ids, 4, &count));
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(ids[0], 4);
    ck_assert_uint_lt(tok->nz.work, 20 * (2 * n + 1)); /* a few passes, not n^2 */
    attn_tokenizer_destroy(tok);
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, vocab, sizeof vocab - 1, 0, &tok));
    ATTN_ASSERT_OK(ctx, attn_tokenizer_tokenize(tok, text, ids, 4, &count));
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(ids[0], 1);
    attn_tokenizer_destroy(tok);
    free(text);
    attn_ctx_destroy(ctx);
}
END_TEST

/* The slot the old table gave a line: FNV-1a, folded, masked. */
static size_t old_slot(const char *s, size_t n, size_t mask)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29)) & mask;
}

#define FLOOD_LINES 100000

/* 100,000 distinct lines whose old slots all fall in the first 1024 of the
 * 2^18 slots a vocab of that size gets: one cluster, so that inserting
 * the k-th line walked k slots. Found by trying counters until one lands
 * (1 in 256 does). */
static char *flood_vocab(size_t *len)
{
    char *buf = malloc((size_t)FLOOD_LINES * 16);
    size_t o = 0, found = 0;
    for (uint64_t c = 0; found < FLOOD_LINES; c++) {
        char line[16];
        int n = snprintf(line, sizeof line, "w%llx", (unsigned long long)c);
        if (old_slot(line, (size_t)n, (1u << 18) - 1) >= 1024) continue;
        memcpy(buf + o, line, (size_t)n);
        o += (size_t)n;
        buf[o++] = '\n';
        found++;
    }
    *len = o;
    return buf;
}

START_TEST(a_vocab_crafted_against_an_unkeyed_hash_loads_in_linear_probes)
{
    attn_ctx *ctx = attn_test_ctx();
    size_t len;
    char *data = flood_vocab(&len);
    attn_tokenizer *tok;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, data, len, 0, &tok));
    ck_assert_int_eq(attn_tokenizer_vocab_size(tok), FLOOD_LINES);
    ck_assert_uint_eq(tok->vocab.slot_mask + 1, 1u << 18); /* the table the lines were aimed at */
    uint64_t load_probes = tok->vocab.probes;
    ck_assert_msg(load_probes <= 4 * (uint64_t)FLOOD_LINES, "loading %d lines took %llu probes", FLOOD_LINES,
                  (unsigned long long)load_probes);
    /* and every line is found again in a few probes */
    const char *p = data;
    for (int32_t id = 0; id < FLOOD_LINES; id++) {
        const char *nl = memchr(p, '\n', (size_t)(data + len - p));
        ck_assert_int_eq(attn__vocab_find(&tok->vocab, "", 0, p, (size_t)(nl - p)), id);
        p = nl + 1;
    }
    uint64_t find_probes = tok->vocab.probes - load_probes;
    ck_assert_msg(find_probes <= 4 * (uint64_t)FLOOD_LINES, "finding %d lines took %llu probes", FLOOD_LINES,
                  (unsigned long long)find_probes);
    attn_tokenizer_destroy(tok);
    free(data);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(two_vocabs_get_different_keys)
{
    /* a key per table: what one file learns of one table says nothing of another */
    attn_ctx *ctx = attn_test_ctx();
    static const char vocab[] = "a\nb\n";
    attn_tokenizer *t1, *t2;
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, vocab, sizeof vocab - 1, 0, &t1));
    ATTN_ASSERT_OK(ctx, attn_tokenizer_load_buffer(ctx, vocab, sizeof vocab - 1, 0, &t2));
    ck_assert(t1->vocab.key.k0 != t2->vocab.key.k0 || t1->vocab.key.k1 != t2->vocab.key.k1);
    ck_assert(attn__keyed_hash2(t1->vocab.key, "##", 2, "ab", 2) == attn__keyed_hash2(t1->vocab.key, "", 0, "##ab", 4));
    attn_tokenizer_destroy(t1);
    attn_tokenizer_destroy(t2);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("text_cost");
    TCase *tc = tcase_create("linear");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_run_of_4n_combining_marks_costs_four_times_a_run_of_n);
    tcase_add_test(tc, sixty_four_kilobytes_of_marks_tokenize_like_hugging_face);
    tcase_add_test(tc, a_vocab_crafted_against_an_unkeyed_hash_loads_in_linear_probes);
    tcase_add_test(tc, two_vocabs_get_different_keys);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
