/* TSV data sets: the format's rules (labels sorted, TABs in the text, CRLF,
 * blank lines counted, escapes), every malformed line reported with its
 * line number, the limits, the options struct, the getters' sentinels and
 * the split hash against published FNV-1a values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_common.h"

static attn_dataset_opts opts_with(int32_t strip, int32_t raw, int32_t escapes)
{
    attn_dataset_opts o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.strip_attribution = strip;
    o.raw_text = raw;
    o.tsv_escapes = escapes;
    return o;
}

static attn_dataset *load(attn_ctx *ctx, const char *tsv, const attn_dataset_opts *opts)
{
    attn_dataset *ds = NULL;
    ATTN_ASSERT_OK(ctx, attn_dataset_load_tsv_buffer(ctx, tsv, strlen(tsv), opts, &ds));
    ck_assert_ptr_nonnull(ds);
    return ds;
}

/* The call fails with status and its message contains want. */
static void expect_error(attn_ctx *ctx, const char *tsv, size_t len, const attn_dataset_opts *opts,
                         attn_status status, const char *want)
{
    attn_dataset *ds = (attn_dataset *)1;
    attn_status st = attn_dataset_load_tsv_buffer(ctx, tsv, len, opts, &ds);
    ck_assert_msg(st == status, "got %s (%s), expected %s for %.60s", attn_status_str(st), attn_ctx_last_error(ctx),
                  attn_status_str(status), tsv);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(attn_ctx_last_error(ctx), want) != NULL, "message \"%s\" lacks \"%s\"",
                  attn_ctx_last_error(ctx), want);
}

START_TEST(labels_are_numbered_by_sorted_name_and_examples_keep_line_order)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *ds = load(ctx, "zeta\tfirst text\nalpha\tsecond text\nmid\tthird\nalpha\tfourth\n", NULL);
    ck_assert_int_eq(attn_dataset_size(ds), 4);
    ck_assert_int_eq(attn_dataset_num_labels(ds), 3);
    ck_assert_str_eq(attn_dataset_label_name(ds, 0), "alpha");
    ck_assert_str_eq(attn_dataset_label_name(ds, 1), "mid");
    ck_assert_str_eq(attn_dataset_label_name(ds, 2), "zeta");
    const char *texts[] = {"first text", "second text", "third", "fourth"};
    const int32_t labels[] = {2, 0, 1, 0};
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(attn_dataset_text(ds, i), texts[i]);
        ck_assert_int_eq(attn_dataset_label(ds, i), labels[i]);
    }
    ck_assert_int_eq(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_RECORDS), 4);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(text_keeps_inner_tabs_crlf_and_a_last_line_without_newline_work)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *ds = load(ctx, "a\tone\ttwo\t three\r\nb\t  padded text \t\r\nb\tlast line", NULL);
    ck_assert_int_eq(attn_dataset_size(ds), 3);
    ck_assert_str_eq(attn_dataset_text(ds, 0), "one\ttwo\t three");
    ck_assert_str_eq(attn_dataset_text(ds, 1), "padded text");
    ck_assert_str_eq(attn_dataset_text(ds, 2), "last line");
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

/* issue 13: a CR-only file once loaded as one record whose text held all
 * the others ("a\tone\rb\ttwo" became label a, text "one b two") */
START_TEST(cr_lf_and_crlf_all_end_a_line)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *ds = load(ctx, "a\tone\rb\ttwo\rc\tthree\r", NULL);
    ck_assert_int_eq(attn_dataset_size(ds), 3);
    ck_assert_str_eq(attn_dataset_text(ds, 0), "one");
    ck_assert_str_eq(attn_dataset_text(ds, 1), "two");
    ck_assert_str_eq(attn_dataset_text(ds, 2), "three");
    ck_assert_int_eq(attn_dataset_label(ds, 2), 2);
    attn_dataset_destroy(ds);
    /* mixed ends; CR CR is an empty line between two records */
    ds = load(ctx, "a\tone\r\nb\ttwo\nc\tthree\r\rd\tfour", NULL);
    ck_assert_int_eq(attn_dataset_size(ds), 4);
    ck_assert_int_eq(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_BLANK_LINES), 1);
    ck_assert_str_eq(attn_dataset_text(ds, 3), "four");
    attn_dataset_destroy(ds);
    /* a CR inside a record ends it: the rest is refused with its line
     * number instead of being merged or dropped */
    expect_error(ctx, "a\tok\nb\tfirst half\rsecond half\n", 30, NULL, ATTN_ERR_FORMAT,
                 "<buffer>:3: no TAB between label and text");
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(blank_lines_are_skipped_and_counted)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *ds = load(ctx, "\na\tx\n   \n\t\n\r\nb\ty\n\n", NULL);
    ck_assert_int_eq(attn_dataset_size(ds), 2);
    ck_assert_int_eq(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_BLANK_LINES), 5);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(escapes_are_decoded_only_when_asked)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *tsv = "a\tline one\\nline two\\tcol \\\\ end\n";
    attn_dataset *literal = load(ctx, tsv, NULL);
    ck_assert_str_eq(attn_dataset_text(literal, 0), "line one\\nline two\\tcol \\\\ end");
    attn_dataset_opts o = opts_with(0, 0, 1);
    attn_dataset *decoded = load(ctx, tsv, &o);
    ck_assert_str_eq(attn_dataset_text(decoded, 0), "line one\nline two\tcol \\ end");
    attn_dataset_destroy(literal);
    attn_dataset_destroy(decoded);
    expect_error(ctx, "a\tok\nb\tbad \\x escape\n", 21, &o, ATTN_ERR_FORMAT, "<buffer>:2, byte 7: unknown escape \"\\x\"");
    expect_error(ctx, "a\tends with \\", 13, &o, ATTN_ERR_FORMAT, "<buffer>:1, byte 13: backslash at the end");
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(each_malformed_line_is_reported_with_its_number)
{
    attn_ctx *ctx = attn_test_ctx();
#define BAD(s, status, want) expect_error(ctx, s, sizeof(s) - 1, NULL, status, want)
    BAD("a\tok\nb\tok\nno tab here\n", ATTN_ERR_FORMAT, "<buffer>:3: no TAB between label and text");
    BAD("a\tok\n\tlabel missing\n", ATTN_ERR_FORMAT, "<buffer>:2: empty label");
    BAD("a\tok\nb\t   \n", ATTN_ERR_FORMAT, "<buffer>:2: empty text");
    BAD("a\tok\nb\t\a\a\b\n", ATTN_ERR_FORMAT, "<buffer>:2: empty text (after removing control characters)");
    BAD("a\tok\n\na b \tx\n", ATTN_ERR_FORMAT, "<buffer>:3: the label \"a b \" starts or ends with a space");
    BAD(" a\tx\n", ATTN_ERR_FORMAT, "<buffer>:1: the label \" a\" starts");
    BAD("a\tok\nl\x1b\tx\n", ATTN_ERR_FORMAT, "<buffer>:2, byte 2: control character in the label");
    BAD("a\tok\nl\xc2\x85\tx\n", ATTN_ERR_FORMAT, "<buffer>:2, byte 2: control character in the label");
    BAD("a\tok\nb\tcaf\xe9\n", ATTN_ERR_FORMAT, "<buffer>:2, byte 6: invalid UTF-8 (byte 0xE9)");
    BAD("a\tok\r\nb\t\xed\xa0\x80 surrogate\r\n", ATTN_ERR_FORMAT, "<buffer>:2, byte 3: invalid UTF-8");
    BAD("a\tok\nb\tover\xc0\xaflong\n", ATTN_ERR_FORMAT, "<buffer>:2, byte 7: invalid UTF-8 (byte 0xC0)");
    BAD("a\tok\nb\tnul\0byte\n", ATTN_ERR_FORMAT, "<buffer>:2, byte 6: NUL byte");
#undef BAD
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(limits_give_attn_err_limit_with_the_line)
{
    attn_ctx *ctx = attn_test_ctx();
    /* a line one byte over the record limit */
    size_t n = ATTN_DATASET_MAX_RECORD_BYTES + 1;
    char *big = malloc(n + 16);
    memcpy(big, "a\tok\nb\t", 7);
    memset(big + 7, 'x', n - 2);
    big[5 + n] = '\n';
    expect_error(ctx, big, n + 6, NULL, ATTN_ERR_LIMIT, "<buffer>:2: line of 1048577 bytes");
    /* exactly at the limit loads */
    attn_dataset *ds = NULL;
    ATTN_ASSERT_OK(ctx, attn_dataset_load_tsv_buffer(ctx, big, n + 4, NULL, &ds));
    ck_assert_int_eq((int64_t)strlen(attn_dataset_text(ds, 1)), ATTN_DATASET_MAX_RECORD_BYTES - 2);
    attn_dataset_destroy(ds);
    free(big);

    char label[ATTN_DATASET_MAX_LABEL_BYTES + 8];
    memset(label, 'L', ATTN_DATASET_MAX_LABEL_BYTES + 1);
    memcpy(label + ATTN_DATASET_MAX_LABEL_BYTES + 1, "\ttext\n", 7);
    expect_error(ctx, label, strlen(label), NULL, ATTN_ERR_LIMIT, "<buffer>:1: label of 257 bytes");

    /* one label too many: line ATTN_DATASET_MAX_LABELS + 1 brings it */
    size_t cap = (size_t)(ATTN_DATASET_MAX_LABELS + 1) * 16, len = 0;
    char *many = malloc(cap);
    for (int i = 0; i <= ATTN_DATASET_MAX_LABELS; i++) len += (size_t)sprintf(many + len, "L%d\tx%d\n", i, i);
    expect_error(ctx, many, len, NULL, ATTN_ERR_LIMIT, "<buffer>:65537: more than 65536 distinct labels");
    free(many);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(empty_input_and_all_conflicting_texts_are_format_errors)
{
    attn_ctx *ctx = attn_test_ctx();
    expect_error(ctx, NULL, 0, NULL, ATTN_ERR_FORMAT, "<buffer> holds no example");
    expect_error(ctx, "\n \n", 3, NULL, ATTN_ERR_FORMAT, "(2 blank lines");
    expect_error(ctx, "a\tsame\nb\tsame\n", 14, NULL, ATTN_ERR_FORMAT, "leaves no example: all 2 texts");
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(duplicates_keep_one_copy_and_cross_label_texts_are_dropped_everywhere)
{
    attn_ctx *ctx = attn_test_ctx();
    /* "dup" twice under a (differently spaced); "both" under a and b, twice under a */
    attn_dataset *ds = load(ctx, "a\tdup  text\na\tboth\nb\tboth\na\tkeep\na\t dup text\na\tboth\nb\tother\n", NULL);
    ck_assert_int_eq(attn_dataset_size(ds), 3);
    ck_assert_str_eq(attn_dataset_text(ds, 0), "dup  text");
    ck_assert_str_eq(attn_dataset_text(ds, 1), "keep");
    ck_assert_str_eq(attn_dataset_text(ds, 2), "other");
    ck_assert_int_eq(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_DUPLICATES_DROPPED), 1);
    ck_assert_int_eq(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_CROSS_LABEL_DROPPED), 3);
    ck_assert_int_eq(attn_dataset_stat_get(ds, ATTN_DATASET_STAT_RECORDS), 7);
    /* a label whose examples all went still counts */
    attn_dataset *gone = load(ctx, "a\tx\nb\tx\nc\ty\n", NULL);
    ck_assert_int_eq(attn_dataset_num_labels(gone), 3);
    ck_assert_int_eq(attn_dataset_count(gone, -1, 0), 0);
    ck_assert_int_eq(attn_dataset_count(gone, -1, 2), 1);
    attn_dataset_destroy(gone);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(split_hash_is_fnv1a_of_the_normalised_text)
{
    /* published FNV-1a 64-bit test vectors */
    ck_assert_uint_eq(attn_dataset_hash("", 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(attn_dataset_hash(NULL, 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(attn_dataset_hash("a", 1), 0xaf63dc4c8601ec8cULL);
    ck_assert_uint_eq(attn_dataset_hash("foobar", 6), 0x85944171f73967e8ULL);
    ck_assert_uint_eq(attn_dataset_hash(" \t\n", 3), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(attn_dataset_hash(" \r\n foo \t\v\f bar\n", 16), attn_dataset_hash("foo bar", 7));
    ck_assert_uint_ne(attn_dataset_hash("foobar", 6), attn_dataset_hash("foo bar", 7));
    /* only the first len bytes count */
    ck_assert_uint_eq(attn_dataset_hash("foobarXYZ", 6), 0x85944171f73967e8ULL);
}
END_TEST

START_TEST(each_example_lands_in_the_split_of_its_hash_and_counts_add_up)
{
    attn_ctx *ctx = attn_test_ctx();
    char tsv[64 * 200];
    size_t len = 0;
    for (int i = 0; i < 200; i++) len += (size_t)sprintf(tsv + len, "%s\texample number %d\n", i % 3 ? "x" : "y", i);
    attn_dataset *ds = load(ctx, tsv, NULL);
    int64_t per[3][2] = {{0}};
    for (int64_t i = 0; i < attn_dataset_size(ds); i++) {
        const char *t = attn_dataset_text(ds, i);
        uint64_t bucket = attn_dataset_hash(t, strlen(t)) % 10;
        int32_t want = bucket < 8 ? ATTN_SPLIT_TRAIN : bucket == 8 ? ATTN_SPLIT_VALIDATION : ATTN_SPLIT_TEST;
        ck_assert_int_eq(attn_dataset_split(ds, i), want);
        per[want][attn_dataset_label(ds, i)]++;
    }
    for (int s = 0; s < 3; s++) {
        for (int l = 0; l < 2; l++) ck_assert_int_eq(attn_dataset_count(ds, s, l), per[s][l]);
        ck_assert_int_eq(attn_dataset_count(ds, s, -1), per[s][0] + per[s][1]);
        ck_assert_int_gt(per[s][0] + per[s][1], 0);
    }
    ck_assert_int_eq(attn_dataset_count(ds, -1, -1), 200);
    ck_assert_int_eq(attn_dataset_count(ds, 3, 0), -1);
    ck_assert_int_eq(attn_dataset_count(ds, -2, 0), -1);
    ck_assert_int_eq(attn_dataset_count(ds, 0, 2), -1);
    ck_assert_int_eq(attn_dataset_count(ds, 0, -2), -1);
    ck_assert_int_eq(attn_dataset_count(NULL, 0, 0), -1);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(getters_return_sentinels_for_null_and_out_of_range)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *ds = load(ctx, "a\tx\n", NULL);
    ck_assert_ptr_null(attn_dataset_text(ds, 1));
    ck_assert_ptr_null(attn_dataset_text(ds, -1));
    ck_assert_ptr_null(attn_dataset_text(NULL, 0));
    ck_assert_int_eq(attn_dataset_label(ds, 1), -1);
    ck_assert_int_eq(attn_dataset_label(NULL, 0), -1);
    ck_assert_int_eq(attn_dataset_split(ds, -1), -1);
    ck_assert_int_eq(attn_dataset_split(NULL, 0), -1);
    ck_assert_ptr_null(attn_dataset_label_name(ds, 1));
    ck_assert_ptr_null(attn_dataset_label_name(ds, -1));
    ck_assert_ptr_null(attn_dataset_label_name(NULL, 0));
    ck_assert_int_eq(attn_dataset_size(NULL), -1);
    ck_assert_int_eq(attn_dataset_num_labels(NULL), -1);
    ck_assert_int_eq(attn_dataset_stat_get(NULL, ATTN_DATASET_STAT_RECORDS), -1);
    ck_assert_int_eq(attn_dataset_stat_get(ds, (attn_dataset_stat)9), -1);
    ck_assert_int_eq(attn_dataset_stat_get(ds, (attn_dataset_stat)-1), -1);
    attn_dataset_destroy(ds);
    attn_dataset_destroy(NULL);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bad_arguments_and_options_are_rejected)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_dataset *ds = (attn_dataset *)1;
    ck_assert_int_eq(attn_dataset_load_tsv_buffer(NULL, "a\tb", 3, NULL, &ds), ATTN_ERR_INVALID_ARG);
    ck_assert_ptr_null(ds);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv_buffer(ctx, NULL, 3, NULL, &ds));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv(ctx, NULL, NULL, &ds));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv(ctx, "x.tsv", NULL, NULL));
    ck_assert_int_eq(attn_dataset_load_tsv(NULL, "x.tsv", NULL, &ds), ATTN_ERR_INVALID_ARG);

    attn_dataset_opts o = opts_with(0, 0, 0);
    o.struct_size = sizeof o - 1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, &o, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "struct_size"));
    o = opts_with(2, 0, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, &o, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "strip_attribution is 2"));
    o = opts_with(0, -1, 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, &o, &ds));
    o = opts_with(0, 0, 7);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, &o, &ds));

    /* a newer caller's larger struct: zeros past our fields are fine, anything else is not */
    struct {
        attn_dataset_opts o;
        int32_t future;
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.o.struct_size = sizeof newer;
    ATTN_ASSERT_OK(ctx, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, &newer.o, &ds));
    attn_dataset_destroy(ds);
    newer.future = 1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_dataset_load_tsv_buffer(ctx, "a\tb", 3, &newer.o, &ds));
    ck_assert_ptr_null(ds);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(file_loader_matches_the_buffer_and_reports_io_errors)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/data.tsv", dir);
    const char *tsv = "pos\tgood film\nneg\tbad film\n\nneg\tsecond\n";
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(tsv, f);
    fclose(f);
    attn_dataset *from_file = NULL, *from_buffer = load(ctx, tsv, NULL);
    ATTN_ASSERT_OK(ctx, attn_dataset_load_tsv(ctx, path, NULL, &from_file));
    ck_assert_int_eq(attn_dataset_size(from_file), attn_dataset_size(from_buffer));
    for (int64_t i = 0; i < attn_dataset_size(from_file); i++) {
        ck_assert_str_eq(attn_dataset_text(from_file, i), attn_dataset_text(from_buffer, i));
        ck_assert_int_eq(attn_dataset_label(from_file, i), attn_dataset_label(from_buffer, i));
    }
    ck_assert_int_eq(attn_dataset_stat_get(from_file, ATTN_DATASET_STAT_BLANK_LINES), 1);
    attn_dataset_destroy(from_file);
    attn_dataset_destroy(from_buffer);

    /* errors name the file */
    f = fopen(path, "wb");
    fputs("a\tx\nbroken line\n", f);
    fclose(f);
    attn_dataset *ds = (attn_dataset *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_dataset_load_tsv(ctx, path, NULL, &ds));
    ck_assert_ptr_null(ds);
    char want[600];
    snprintf(want, sizeof want, "%s:2: no TAB", path);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), want));
    remove(path);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_dataset_load_tsv(ctx, path, NULL, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "cannot open"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_dataset_load_tsv(ctx, dir, NULL, &ds));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "is a directory; only regular files are read"));
    rmdir(dir);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(every_byte_is_returned_and_memory_limits_fail_cleanly)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *tsv = "a\tsome text here\nb\tmore text\nc\tand more\n";
    attn_dataset *ds = load(ctx, tsv, NULL);
    attn_dataset_destroy(ds);
    int64_t in_use = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
    ck_assert_int_eq(in_use, 0);
    /* every limit from tiny upwards either loads or fails with NOMEM, never leaks */
    for (int64_t limit = 64; limit < 65536; limit *= 2) {
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, limit));
        attn_status st = attn_dataset_load_tsv_buffer(ctx, tsv, strlen(tsv), NULL, &ds);
        ck_assert(st == ATTN_OK || st == ATTN_ERR_NOMEM);
        if (st == ATTN_OK) ck_assert_int_eq(attn_dataset_size(ds), 3);
        else ck_assert_ptr_null(ds);
        attn_dataset_destroy(ds);
        ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use));
        ck_assert_int_eq(in_use, 0);
    }
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data_tsv");
    TCase *tc = tcase_create("tsv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, labels_are_numbered_by_sorted_name_and_examples_keep_line_order);
    tcase_add_test(tc, text_keeps_inner_tabs_crlf_and_a_last_line_without_newline_work);
    tcase_add_test(tc, blank_lines_are_skipped_and_counted);
    tcase_add_test(tc, cr_lf_and_crlf_all_end_a_line);
    tcase_add_test(tc, escapes_are_decoded_only_when_asked);
    tcase_add_test(tc, each_malformed_line_is_reported_with_its_number);
    tcase_add_test(tc, limits_give_attn_err_limit_with_the_line);
    tcase_add_test(tc, empty_input_and_all_conflicting_texts_are_format_errors);
    tcase_add_test(tc, duplicates_keep_one_copy_and_cross_label_texts_are_dropped_everywhere);
    tcase_add_test(tc, split_hash_is_fnv1a_of_the_normalised_text);
    tcase_add_test(tc, each_example_lands_in_the_split_of_its_hash_and_counts_add_up);
    tcase_add_test(tc, getters_return_sentinels_for_null_and_out_of_range);
    tcase_add_test(tc, bad_arguments_and_options_are_rejected);
    tcase_add_test(tc, file_loader_matches_the_buffer_and_reports_io_errors);
    tcase_add_test(tc, every_byte_is_returned_and_memory_limits_fail_cleanly);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
