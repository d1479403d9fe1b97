/* Text cleaning as the loaders apply it: backspace overstrike, control
 * characters, mojibake repair, raw_text, attribution detection and
 * stripping, and the fortunes file reader (separators, Latin-1 bytes,
 * empty entries, duplicates across files, limits and argument errors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_common.h"

static attn_dataset_opts opts_with(int32_t strip, int32_t raw)
{
    attn_dataset_opts o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.strip_attribution = strip;
    o.raw_text = raw;
    o.tsv_escapes = 1; /* so that texts can hold line breaks */
    return o;
}

/* Loads "x<TAB>text" with escapes and the given options; returns the text
 * (static copy) and the data set's counter s in *stat. */
static const char *cleaned(const char *text, int32_t strip, int32_t raw, attn_dataset_stat s, int64_t *stat)
{
    static char out[1024];
    char line[1024];
    snprintf(line, sizeof line, "x\t%s\n", text);
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset_opts o = opts_with(strip, raw);
    attn_dataset *ds = NULL;
    ATTN_ASSERT_OK(ctx, attn_dataset_load_tsv_buffer(ctx, line, strlen(line), &o, &ds));
    ck_assert_int_eq(attn_dataset_size(ds), 1);
    snprintf(out, sizeof out, "%s", attn_dataset_text(ds, 0));
    if (stat) *stat = attn_dataset_stat_get(ds, s);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
    return out;
}

#define ASSERT_CLEAN(in, want, stat_key, want_count)                                                  \
    do {                                                                                               \
        int64_t n_ = -1;                                                                               \
        ck_assert_str_eq(cleaned(in, 0, 0, stat_key, &n_), want);                                      \
        ck_assert_int_eq(n_, want_count);                                                              \
    } while (0)

START_TEST(backspace_deletes_the_character_before_it_within_the_line)
{
    ASSERT_CLEAN("_\bx", "x", ATTN_DATASET_STAT_CONTROL_CHARS, 1);
    ASSERT_CLEAN("x\bx", "x", ATTN_DATASET_STAT_CONTROL_CHARS, 1);
    ASSERT_CLEAN("I *____\b\b\b\bknew* it", "I *knew* it", ATTN_DATASET_STAT_CONTROL_CHARS, 4);
    ASSERT_CLEAN("Ren'\be de Visme", "Rene de Visme", ATTN_DATASET_STAT_CONTROL_CHARS, 1);
    /* a multi-byte character goes as a whole */
    ASSERT_CLEAN("caf\xc3\xa9\bx", "cafx", ATTN_DATASET_STAT_CONTROL_CHARS, 1);
    /* at the start of a line (or of the text) there is nothing to delete */
    ASSERT_CLEAN("one\\n\btwo", "one\ntwo", ATTN_DATASET_STAT_CONTROL_CHARS, 1);
    ASSERT_CLEAN("\b\bstart", "start", ATTN_DATASET_STAT_CONTROL_CHARS, 2);
}
END_TEST

START_TEST(bells_and_other_control_characters_go_but_tab_and_newline_stay)
{
    ASSERT_CLEAN("ring\a\a\a the bell", "ring the bell", ATTN_DATASET_STAT_CONTROL_CHARS, 3);
    ASSERT_CLEAN("esc\x1b[1mbold\x7f del\xc2\x85nel", "esc[1mbold delnel", ATTN_DATASET_STAT_CONTROL_CHARS, 3);
    /* (a CR would end the TSV line: CR, LF and CRLF all end lines, issue 13) */
    ASSERT_CLEAN("tab\\tand\\nnew\x01line", "tab\tand\nnewline", ATTN_DATASET_STAT_CONTROL_CHARS, 1);
    /* a bell between a character and a backspace does not shield it */
    ASSERT_CLEAN("ab\a\bc", "ac", ATTN_DATASET_STAT_CONTROL_CHARS, 2);
}
END_TEST

START_TEST(utf8_read_as_latin1_is_repaired_once)
{
    /* "Café" whose é was read as Latin-1 "Ã©" */
    ASSERT_CLEAN("Caf\xc3\x83\xc2\xa9", "Caf\xc3\xa9", ATTN_DATASET_STAT_MOJIBAKE, 1);
    /* the quotes of Debian's computers fortunes: E2 80 9C / E2 80 9D as Latin-1 */
    ASSERT_CLEAN("\xc3\xa2\xc2\x80\xc2\x9cwrong\xc3\xa2\xc2\x80\xc2\x9d", "\xe2\x80\x9cwrong\xe2\x80\x9d",
                 ATTN_DATASET_STAT_MOJIBAKE, 2);
    ASSERT_CLEAN("[\xc3\xa2\xc2\x88\xc2\x97]", "[\xe2\x88\x97]", ATTN_DATASET_STAT_MOJIBAKE, 1);
    /* a four-byte character (U+1F600) */
    ASSERT_CLEAN("\xc3\xb0\xc2\x9f\xc2\x98\xc2\x80!", "\xf0\x9f\x98\x80!", ATTN_DATASET_STAT_MOJIBAKE, 1);
    /* Latin-1 text that is not such a sequence stays: a lone "Ã", "Â" before
     * an ASCII letter, too few continuations, "Ã©" twice broken is fixed once */
    ASSERT_CLEAN("\xc3\x83 alone, \xc3\x82x", "\xc3\x83 alone, \xc3\x82x", ATTN_DATASET_STAT_MOJIBAKE, 0);
    ASSERT_CLEAN("\xc3\xb0\xc2\xa0\xc2\xa0x", "\xc3\xb0\xc2\xa0\xc2\xa0x", ATTN_DATASET_STAT_MOJIBAKE, 0);
    ASSERT_CLEAN("\xc3\x83\xc2\x83\xc3\x82\xc2\xa9", "\xc3\x83\xc2\xa9", ATTN_DATASET_STAT_MOJIBAKE, 2);
    /* Latin-1 bytes that would form an overlong or surrogate sequence are not
     * repaired (their C1 controls are then removed as any other) */
    ASSERT_CLEAN("\xc3\xa0\xc2\x80\xc2\x80.", "\xc3\xa0.", ATTN_DATASET_STAT_MOJIBAKE, 0);
    ASSERT_CLEAN("\xc3\xad\xc2\xa0\xc2\x80.", "\xc3\xad\xc2\xa0.", ATTN_DATASET_STAT_MOJIBAKE, 0);
}
END_TEST

START_TEST(raw_text_keeps_controls_and_mojibake)
{
    int64_t n = -1;
    ck_assert_str_eq(cleaned("a\a_\bb Caf\xc3\x83\xc2\xa9", 0, 1, ATTN_DATASET_STAT_CONTROL_CHARS, &n),
                     "a\a_\bb Caf\xc3\x83\xc2\xa9");
    ck_assert_int_eq(n, 0);
    ck_assert_str_eq(cleaned("a Caf\xc3\x83\xc2\xa9", 0, 1, ATTN_DATASET_STAT_MOJIBAKE, &n), "a Caf\xc3\x83\xc2\xa9");
    ck_assert_int_eq(n, 0);
}
END_TEST

/* (text, stripped text or NULL when the text has no attribution) */
static const char *const attribution_cases[][2] = {
    {"Quote text.\\n\\t\\t-- Mark Twain", "Quote text."},
    {"Quote.\\n\\t-- A. Person,\\n\\t   in a letter, 1876\\n", "Quote."},
    {"Quote.\\n  \xe2\x80\x94 Someone", "Quote."},
    {"Quote.\\n\\t-- Who\\n\\n  \\n", "Quote."},
    {"a\\n\\t-- x\\nb\\n\\t-- y", "a\\n\\t-- x\\nb"},
    {"Quote.\\n\\t\\t-- Ren'\be de Visme", "Quote."},
    /* not attributions: unindented text after it, "--" in column 0, nothing before it */
    {"Quote.\\n\\t-- Someone\\nmore text", NULL},
    {"Deductions:\\n-- $40,000.", NULL},
    {"\\t-- Nobody", NULL},
    {"\\n \\n\\t-- Nobody", NULL},
    {"Dash--in the middle", NULL},
};

/* Unescapes \n and \t of a case (what the TSV loader does). */
static void unescape(const char *in, char *out)
{
    while (*in) {
        if (in[0] == '\\' && in[1] == 'n') *out++ = '\n', in += 2;
        else if (in[0] == '\\' && in[1] == 't') *out++ = '\t', in += 2;
        else *out++ = *in++;
    }
    *out = '\0';
}

START_TEST(trailing_attributions_are_counted_and_stripped_on_request)
{
    for (size_t i = 0; i < sizeof attribution_cases / sizeof attribution_cases[0]; i++) {
        const char *in = attribution_cases[i][0], *stripped = attribution_cases[i][1];
        char kept[256], want[256], trimmed[256];
        unescape(in, kept);
        /* the loader trims whitespace around every text */
        char *s = kept;
        while (*s == ' ' || *s == '\t' || *s == '\n') s++;
        snprintf(trimmed, sizeof trimmed, "%s", s);
        for (size_t n = strlen(trimmed); n > 0 && strchr(" \t\n", trimmed[n - 1]); n--) trimmed[n - 1] = '\0';
        if (strchr(trimmed, '\b')) { /* the overstruck case: backspace applied */
            char *b = strchr(trimmed, '\b');
            memmove(b - 1, b + 1, strlen(b + 1) + 1);
        }
        int64_t n = -1;
        ck_assert_msg(strcmp(cleaned(in, 0, 0, ATTN_DATASET_STAT_ATTRIBUTIONS, &n), trimmed) == 0,
                      "case %zu kept: got \"%s\"", i, cleaned(in, 0, 0, ATTN_DATASET_STAT_ATTRIBUTIONS, NULL));
        ck_assert_msg(n == (stripped ? 1 : 0), "case %zu counted %lld", i, (long long)n);
        unescape(stripped ? stripped : in, want);
        if (!stripped) snprintf(want, sizeof want, "%s", trimmed);
        const char *got = cleaned(in, 1, 0, ATTN_DATASET_STAT_ATTRIBUTIONS, &n);
        ck_assert_msg(strcmp(got, want) == 0, "case %zu stripped: got \"%s\", want \"%s\"", i, got, want);
        ck_assert_int_eq(n, stripped ? 1 : 0);
    }
}
END_TEST

/* Writes len bytes to dir/name. */
static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static const char alpha[] = "first\n%\ncaf\xe9 au lait\n%\n%\n\n\a\n%\r\nsecond entry\r\n%\r\nno final separator";
static const char beta[] = "first\n%\nbeta only\n%\n  beta   only\n%\n";

START_TEST(fortunes_files_split_at_percent_lines_and_read_latin1_bytes)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    write_file(dir, "alpha", alpha, sizeof alpha - 1);
    write_file(dir, "beta", beta, sizeof beta - 1);
    const char *cats[] = {"beta", "alpha"};
    attn_dataset *ds = NULL;
    ATTN_ASSERT_OK(ctx, attn_dataset_load_fortunes(ctx, dir, cats, 2, NULL, &ds));
    ck_assert_int_eq(attn_dataset_num_labels(ds), 2);
    ck_assert_str_eq(attn_dataset_label_name(ds, 0), "alpha");
    ck_assert_str_eq(attn_dataset_label_name(ds, 1), "beta");
    const char *texts[] = {"caf\xc3\xa9 au lait", "second entry", "no final separator", "beta only"};
    const int32_t labels[] = {0, 0, 0, 1};
    ck_assert_int_eq(attn_dataset_size(ds), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(attn_dataset_text(ds, i), texts[i]);
        ck_assert_int_eq(attn_dataset_label(ds, i), labels[i]);
    }
    const int64_t stats[][2] = {{ATTN_DATASET_STAT_LATIN1_BYTES, 1}, {ATTN_DATASET_STAT_EMPTY_DROPPED, 1},
                                {ATTN_DATASET_STAT_CONTROL_CHARS, 2}, /* the bell and one CR */
                                {ATTN_DATASET_STAT_CROSS_LABEL_DROPPED, 2}, {ATTN_DATASET_STAT_DUPLICATES_DROPPED, 1},
                                {ATTN_DATASET_STAT_RECORDS, 7}, {ATTN_DATASET_STAT_BLANK_LINES, 0}};
    for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++)
        ck_assert_msg(attn_dataset_stat_get(ds, (attn_dataset_stat)stats[i][0]) == stats[i][1], "stat %lld is %lld",
                      (long long)stats[i][0], (long long)attn_dataset_stat_get(ds, (attn_dataset_stat)stats[i][0]));
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(fortunes_errors_name_the_file_and_line)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    attn_dataset *ds = (attn_dataset *)1;
    const char *one[] = {"missing"};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_dataset_load_fortunes(ctx, dir, one, 1, NULL, &ds));
    ck_assert_ptr_null(ds);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "/missing"));
    /* the default task in a directory without it */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_dataset_load_fortunes(ctx, dir, NULL, 0, NULL, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "/computers"));

    /* an entry one byte over the limit, starting on line 3 */
    size_t n = ATTN_DATASET_MAX_RECORD_BYTES + 1;
    char *big = malloc(n + 8);
    memcpy(big, "x\n%\n", 4);
    memset(big + 4, 'y', n);
    write_file(dir, "big", big, n + 4);
    free(big);
    const char *b[] = {"big"};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_dataset_load_fortunes(ctx, dir, b, 1, NULL, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "/big:3: entry of 1048577 bytes"));

    write_file(dir, "empty", "%\n%\n \n", 6);
    const char *e[] = {"empty"};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_dataset_load_fortunes(ctx, dir, e, 1, NULL, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "holds no example (0 blank lines, 1 empty entries)"));

    write_file(dir, "a", "x\n", 2);
    const char *twice[] = {"a", "a"};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, twice, 2, NULL, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "\"a\" is listed twice"));
    const char *bad_names[] = {"", "../etc", ".", ".."};
    for (int i = 0; i < 4; i++) {
        const char *list[] = {"a", bad_names[i]};
        ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, list, 2, NULL, &ds));
        ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "categories[1]"));
    }
    const char *with_null[] = {"a", NULL};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, with_null, 2, NULL, &ds));
    char long_name[ATTN_DATASET_MAX_LABEL_BYTES + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *too_long[] = {long_name};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, too_long, 1, NULL, &ds));
    const char *a[] = {"a"};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, a, 0, NULL, &ds));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, a, -1, NULL, &ds));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, NULL, 2, NULL, &ds));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, a, 1, NULL, NULL));
    ck_assert_int_eq(attn_dataset_load_fortunes(NULL, dir, a, 1, NULL, &ds), ATTN_ERR_INVALID_ARG);
    attn_dataset_opts o = opts_with(0, 0);
    o.struct_size = 4;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_fortunes(ctx, dir, a, 1, &o, &ds));
    ck_assert_ptr_null(ds);
    /* and a good call on the same directory works */
    ATTN_ASSERT_OK(ctx, attn_dataset_load_fortunes(ctx, dir, a, 1, NULL, &ds));
    ck_assert_str_eq(attn_dataset_text(ds, 0), "x");
    attn_dataset_destroy(ds);
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data_clean");
    TCase *tc = tcase_create("clean");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, backspace_deletes_the_character_before_it_within_the_line);
    tcase_add_test(tc, bells_and_other_control_characters_go_but_tab_and_newline_stay);
    tcase_add_test(tc, utf8_read_as_latin1_is_repaired_once);
    tcase_add_test(tc, raw_text_keeps_controls_and_mojibake);
    tcase_add_test(tc, trailing_attributions_are_counted_and_stripped_on_request);
    tcase_add_test(tc, fortunes_files_split_at_percent_lines_and_read_latin1_bytes);
    tcase_add_test(tc, fortunes_errors_name_the_file_and_line);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
