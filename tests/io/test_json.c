/* The internal JSON reader and writer helpers (lib/io/json.h): values and
 * lookups of valid documents, every rejection rule with its message and
 * offset, limits, member readers, escaping, and no memory left behind. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/json.h"
#include "test_common.h"

static int64_t bytes_in_use(attn_ctx *ctx)
{
    int64_t v = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &v);
    return v;
}

static attn__json_doc *parse_ok(attn_ctx *ctx, const char *text, size_t len)
{
    attn__json_doc *doc = NULL;
    ATTN_ASSERT_OK(ctx, attn__json_parse(ctx, "t.json", text, len, NULL, &doc));
    ck_assert_ptr_nonnull(doc);
    return doc;
}

/* The text is refused with status, the message names the label, the byte
 * offset and contains what; nothing stays allocated. */
static void refuse_n(const char *text, size_t len, attn_status status, size_t offset, const char *what)
{
    attn_ctx *ctx = attn_test_ctx();
    attn__json_doc *doc = (attn__json_doc *)1;
    attn_status st = attn__json_parse(ctx, "t.json", text, len, NULL, &doc);
    const char *msg = attn_ctx_last_error(ctx);
    ck_assert_msg(st == status, "%.60s: status %s, expected %s (%s)", text, attn_status_str(st), attn_status_str(status), msg);
    ck_assert_ptr_null(doc);
    char where[64];
    snprintf(where, sizeof where, "t.json: offset %zu ", offset);
    ck_assert_msg(strstr(msg, where) != NULL, "%.60s: message \"%s\" lacks \"%s\"", text, msg, where);
    ck_assert_msg(strstr(msg, what) != NULL, "%.60s: message \"%s\" lacks \"%s\"", text, msg, what);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}

static void refuse(const char *text, attn_status status, size_t offset, const char *what)
{
    refuse_n(text, strlen(text), status, offset, what);
}

START_TEST(parses_every_value_type_with_lookups_by_key)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *text = " {\"b\": [1, -2.5e3, true, false, null], \"a\": {\"x\": \"y\"},\n \"\": 0, \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\"} ";
    attn__json_doc *doc = parse_ok(ctx, text, strlen(text));
    const attn__json *root = attn__json_root(doc);
    ck_assert_int_eq(attn__json_type_of(root), ATTN_JSON_OBJECT);
    ck_assert_uint_eq(attn__json_object_size(root), 4);
    /* document order is kept */
    size_t kl;
    ck_assert_str_eq(attn__json_object_key(root, 0, &kl), "b");
    ck_assert_str_eq(attn__json_object_key(root, 1, NULL), "a");
    ck_assert_str_eq(attn__json_object_key(root, 2, &kl), "");
    ck_assert_uint_eq(kl, 0);
    ck_assert_ptr_null(attn__json_object_key(root, 4, NULL));
    ck_assert_ptr_null(attn__json_object_value(root, 4));
    const attn__json *b = attn__json_object_get(root, "b");
    ck_assert_int_eq(attn__json_type_of(b), ATTN_JSON_ARRAY);
    ck_assert_uint_eq(attn__json_array_size(b), 5);
    int64_t i64;
    double d;
    int flag;
    ck_assert(attn__json_get_int64(attn__json_array_at(b, 0), &i64) && i64 == 1);
    ck_assert(!attn__json_get_int64(attn__json_array_at(b, 1), &i64));
    ck_assert(attn__json_get_number(attn__json_array_at(b, 1), &d) && d == -2500.0);
    ck_assert(attn__json_get_bool(attn__json_array_at(b, 2), &flag) && flag == 1);
    ck_assert(attn__json_get_bool(attn__json_array_at(b, 3), &flag) && flag == 0);
    ck_assert_int_eq(attn__json_type_of(attn__json_array_at(b, 4)), ATTN_JSON_NULL);
    ck_assert_ptr_null(attn__json_array_at(b, 5));
    ck_assert_str_eq(attn__json_get_string(attn__json_object_get(attn__json_object_get(root, "a"), "x"), NULL), "y");
    ck_assert(attn__json_get_int64(attn__json_object_get(root, ""), &i64) && i64 == 0);
    size_t sl;
    ck_assert_str_eq(attn__json_get_string(attn__json_object_get(root, "s"), &sl), "q\"\\/\b\f\n\r\t");
    ck_assert_uint_eq(sl, 9);
    ck_assert_ptr_null(attn__json_object_get(root, "missing"));
    ck_assert_ptr_null(attn__json_object_get(b, "b")); /* not an object */
    ck_assert_ptr_null(attn__json_get_string(b, NULL));
    ck_assert(!attn__json_get_number(b, &d));
    ck_assert(!attn__json_get_bool(b, &flag));
    /* offsets and type names */
    ck_assert_uint_eq(attn__json_offset(root), 1);
    ck_assert_uint_eq(attn__json_offset(b), 7);
    ck_assert_str_eq(attn__json_type_name(ATTN_JSON_OBJECT), "object");
    ck_assert_str_eq(attn__json_type_name(ATTN_JSON_BOOL), "boolean");
    ck_assert_str_eq(attn__json_label(doc), "t.json");
    attn__json_free(doc);
    attn__json_free(NULL);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(integers_are_exact_to_the_int64_limits)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *text = "[9223372036854775807, -9223372036854775808, 9223372036854775808, 9007199254740993, -0, 1E2, 0.5e-3, 1e-400]";
    attn__json_doc *doc = parse_ok(ctx, text, strlen(text));
    const attn__json *a = attn__json_root(doc);
    int64_t v;
    double d;
    ck_assert(attn__json_get_int64(attn__json_array_at(a, 0), &v) && v == INT64_MAX);
    ck_assert(attn__json_get_int64(attn__json_array_at(a, 1), &v) && v == INT64_MIN);
    /* one past INT64_MAX is a number but not an int64 */
    ck_assert(!attn__json_get_int64(attn__json_array_at(a, 2), &v));
    ck_assert(attn__json_get_number(attn__json_array_at(a, 2), &d) && d == 9223372036854775808.0);
    /* 2^53 + 1 has no double, but is kept exactly as an integer */
    ck_assert(attn__json_get_int64(attn__json_array_at(a, 3), &v) && v == 9007199254740993LL);
    ck_assert(attn__json_get_int64(attn__json_array_at(a, 4), &v) && v == 0);
    /* an exponent makes it a non-integer literal even when integral */
    ck_assert(!attn__json_get_int64(attn__json_array_at(a, 5), &v));
    ck_assert(attn__json_get_number(attn__json_array_at(a, 5), &d) && d == 100.0);
    ck_assert(attn__json_get_number(attn__json_array_at(a, 6), &d) && d == 0.0005);
    /* underflow is not an error: it rounds to zero */
    ck_assert(attn__json_get_number(attn__json_array_at(a, 7), &d) && d == 0.0);
    attn__json_free(doc);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(unicode_escapes_become_utf8_and_surrogate_pairs_join)
{
    attn_ctx *ctx = attn_test_ctx();
    /* U+00E9, U+4E2D, U+1F600 (a pair), U+0000, and raw UTF-8 kept as is */
    const char *text = "[\"\\u00e9\\u4E2D\\ud83d\\ude00\", \"a\\u0000b\", \"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"]";
    attn__json_doc *doc = parse_ok(ctx, text, strlen(text));
    const attn__json *a = attn__json_root(doc);
    size_t n;
    const char *s = attn__json_get_string(attn__json_array_at(a, 0), &n);
    ck_assert_uint_eq(n, 2 + 3 + 4);
    ck_assert_mem_eq(s, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 9);
    s = attn__json_get_string(attn__json_array_at(a, 1), &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(s, "a\0b", 3);
    s = attn__json_get_string(attn__json_array_at(a, 2), &n);
    ck_assert_uint_eq(n, 9);
    ck_assert_mem_eq(s, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 9);
    attn__json_free(doc);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(object_lookup_finds_every_key_among_many)
{
    attn_ctx *ctx = attn_test_ctx();
    attn__strbuf b;
    attn__strbuf_init(&b, ctx);
    attn__strbuf_append(&b, "{", 1);
    for (int i = 999; i >= 0; i--) attn__strbuf_appendf(&b, "%s\"k%d\": %d", i == 999 ? "" : ",", i * 7 % 1000, i);
    attn__strbuf_append(&b, "}", 1);
    ATTN_ASSERT_OK(ctx, b.status);
    attn__json_doc *doc = parse_ok(ctx, b.data, b.len);
    const attn__json *root = attn__json_root(doc);
    ck_assert_uint_eq(attn__json_object_size(root), 1000);
    for (int i = 0; i < 1000; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i * 7 % 1000);
        int64_t v;
        ck_assert_msg(attn__json_get_int64(attn__json_object_get(root, key), &v) && v == i, "key %s", key);
        ck_assert_ptr_eq(attn__json_object_getn(root, key, strlen(key)), attn__json_object_get(root, key));
    }
    ck_assert_ptr_null(attn__json_object_get(root, "k1000"));
    ck_assert_ptr_eq(attn__json_object_getn(root, "k10", 2), attn__json_object_get(root, "k1"));
    ck_assert_ptr_nonnull(attn__json_object_getn(root, "k10", 3));
    attn__json_free(doc);
    attn__strbuf_free(&b);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(structural_errors_name_the_offset)
{
    refuse("", ATTN_ERR_FORMAT, 0, "expected a value, found end of input");
    refuse("   ", ATTN_ERR_FORMAT, 3, "end of input");
    refuse("{\"a\":1} x", ATTN_ERR_FORMAT, 8, "trailing characters");
    refuse("{\"a\":1}{}", ATTN_ERR_FORMAT, 7, "trailing characters");
    refuse("{\"a\" 1}", ATTN_ERR_FORMAT, 5, "expected ':'");
    refuse("{\"a\":1,}", ATTN_ERR_FORMAT, 7, "expected a string key");
    refuse("{a:1}", ATTN_ERR_FORMAT, 1, "expected a string key");
    refuse("[1,]", ATTN_ERR_FORMAT, 3, "expected a value, found ']'");
    refuse("[1 2]", ATTN_ERR_FORMAT, 3, "expected ',' or ']'");
    refuse("{\"a\":1 \"b\":2}", ATTN_ERR_FORMAT, 7, "expected ',' or '}'");
    refuse("[1, 2", ATTN_ERR_FORMAT, 5, "found end of input");
    refuse("{\"a\":", ATTN_ERR_FORMAT, 5, "expected a value");
    refuse("\"abc", ATTN_ERR_FORMAT, 0, "unterminated string");
    refuse("\"abc\\", ATTN_ERR_FORMAT, 0, "unterminated string");
    refuse("tru", ATTN_ERR_FORMAT, 0, "expected a value");
    refuse("nul", ATTN_ERR_FORMAT, 0, "expected a value");
    refuse("True", ATTN_ERR_FORMAT, 0, "found 'T'");
    refuse("'a'", ATTN_ERR_FORMAT, 0, "found '''");
    refuse("\xef\xbb\xbf{}", ATTN_ERR_FORMAT, 0, "byte order mark");
    refuse_n("[1]\0", 4, ATTN_ERR_FORMAT, 3, "byte 0x00");
    /* lines and columns help with multi-line config files */
    refuse("{\n  \"a\": 1,\n  \"b\" 2\n}", ATTN_ERR_FORMAT, 18, "(line 3, column 7): expected ':'");
}
END_TEST

START_TEST(duplicate_keys_are_refused_at_the_second_occurrence)
{
    refuse("{\"a\":1,\"b\":2,\"a\":3}", ATTN_ERR_FORMAT, 13, "duplicate key \"a\" (first at offset 1)");
    /* the same key spelled with an escape is the same key */
    refuse("{\"\\u0061\":1,\"a\":2}", ATTN_ERR_FORMAT, 12, "duplicate key \"a\"");
    refuse("[{}, {\"x\":{\"k\":1,\"k\":1}}]", ATTN_ERR_FORMAT, 17, "duplicate key \"k\"");
    /* keys differing only after an embedded NUL are different */
    attn_ctx *ctx = attn_test_ctx();
    const char *text = "{\"a\\u0000b\":1,\"a\\u0000c\":2,\"a\":3}";
    attn__json_doc *doc = parse_ok(ctx, text, strlen(text));
    ck_assert_uint_eq(attn__json_object_size(attn__json_root(doc)), 3);
    int64_t v;
    ck_assert(attn__json_get_int64(attn__json_object_getn(attn__json_root(doc), "a\0c", 3), &v) && v == 2);
    ck_assert(attn__json_get_int64(attn__json_object_get(attn__json_root(doc), "a"), &v) && v == 3);
    attn__json_free(doc);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(number_grammar_is_exact)
{
    refuse("01", ATTN_ERR_FORMAT, 0, "leading zeros");
    refuse("-01", ATTN_ERR_FORMAT, 0, "leading zeros");
    refuse("1.", ATTN_ERR_FORMAT, 2, "expected a digit after '.'");
    refuse(".5", ATTN_ERR_FORMAT, 0, "expected a value");
    refuse("+1", ATTN_ERR_FORMAT, 0, "expected a value");
    refuse("-", ATTN_ERR_FORMAT, 1, "expected a digit after '-'");
    refuse("-a", ATTN_ERR_FORMAT, 1, "expected a digit after '-'");
    refuse("1e", ATTN_ERR_FORMAT, 2, "exponent");
    refuse("1e+", ATTN_ERR_FORMAT, 3, "exponent");
    refuse("NaN", ATTN_ERR_FORMAT, 0, "expected a value");
    refuse("-Infinity", ATTN_ERR_FORMAT, 1, "expected a digit");
    refuse("0x10", ATTN_ERR_FORMAT, 1, "trailing characters");
    refuse("[1e400]", ATTN_ERR_FORMAT, 1, "outside the double range");
    refuse("[-1e400]", ATTN_ERR_FORMAT, 1, "outside the double range");
    /* a number too long to be handed to strtod is a limit, not a misreading */
    char big[1300];
    memset(big, '1', sizeof big - 2);
    big[0] = '[';
    big[1] = '0';
    big[2] = '.';
    big[sizeof big - 2] = ']';
    big[sizeof big - 1] = '\0';
    refuse(big, ATTN_ERR_LIMIT, 1, "characters long");
}
END_TEST

START_TEST(strings_must_be_valid_utf8_without_raw_control_characters)
{
    refuse("\"a\nb\"", ATTN_ERR_FORMAT, 2, "control character U+000A");
    refuse("\"\t\"", ATTN_ERR_FORMAT, 1, "must be escaped");
    refuse("\"\\x\"", ATTN_ERR_FORMAT, 2, "invalid escape");
    refuse("\"\\u12\"", ATTN_ERR_FORMAT, 1, "four hex digits");
    refuse("\"\\u12g4\"", ATTN_ERR_FORMAT, 1, "four hex digits");
    refuse("\"\\ud83d\"", ATTN_ERR_FORMAT, 1, "lone high surrogate");
    refuse("\"\\ud83dx\"", ATTN_ERR_FORMAT, 1, "lone high surrogate");
    refuse("\"\\ud83d\\u0041\"", ATTN_ERR_FORMAT, 1, "lone high surrogate");
    refuse("\"\\ud83d\\ud83d\"", ATTN_ERR_FORMAT, 1, "lone high surrogate");
    refuse("\"ab\\ude00\"", ATTN_ERR_FORMAT, 3, "lone low surrogate");
    /* invalid UTF-8, each at its first bad byte */
    refuse("\"\x80\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");               /* stray continuation */
    refuse("\"a\xc0\x80\"", ATTN_ERR_FORMAT, 2, "byte 0xC0");              /* overlong NUL */
    refuse("\"\xc1\xbf\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");           /* overlong */
    refuse("\"\xe0\x80\x80\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");       /* overlong 3-byte */
    refuse("\"\xed\xa0\x80\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");       /* encoded surrogate */
    refuse("\"\xf0\x80\x80\x80\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");   /* overlong 4-byte */
    refuse("\"\xf4\x90\x80\x80\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");   /* above U+10FFFF */
    refuse("\"\xf5\x80\x80\x80\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");
    refuse("\"\xe4\xb8\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");           /* cut short */
    refuse("\"\xe4\x41\x41\"", ATTN_ERR_FORMAT, 1, "invalid UTF-8");       /* bad continuation */
    refuse("\"\xff\"", ATTN_ERR_FORMAT, 1, "byte 0xFF");
    /* in keys too */
    refuse("{\"\xff\":1}", ATTN_ERR_FORMAT, 2, "invalid UTF-8");
    /* bytes outside strings are never UTF-8 text */
    refuse("[\xc3\xa9]", ATTN_ERR_FORMAT, 1, "byte 0xC3");
}
END_TEST

START_TEST(limits_on_depth_values_and_bytes)
{
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    refuse(deep, ATTN_ERR_LIMIT, 64, "deeper than 64");
    deep[64] = ']'; /* 64 levels are fine */
    deep[128] = '\0';
    attn_ctx *ctx = attn_test_ctx();
    attn__json_doc *doc = parse_ok(ctx, deep + 0, strlen(deep));
    attn__json_free(doc);

    attn__json_limits lim = {100, 3, 5, 0};
    ck_assert_int_eq(attn__json_parse(ctx, "L", "[[[1]]]", 7, &lim, &doc), ATTN_OK);
    attn__json_free(doc);
    ck_assert_int_eq(attn__json_parse(ctx, "L", "[[[[1]]]]", 9, &lim, &doc), ATTN_ERR_LIMIT);
    ck_assert_int_eq(attn__json_parse(ctx, "L", "[1,2,3,4]", 9, &lim, &doc), ATTN_OK);
    attn__json_free(doc);
    ck_assert_int_eq(attn__json_parse(ctx, "L", "[1,2,3,4,5]", 11, &lim, &doc), ATTN_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "more than 5 values"));
    /* the items of one array, counted while they are read */
    attn__json_limits items = {100, 3, 50, 3};
    ck_assert_int_eq(attn__json_parse(ctx, "L", "[[1,2,3],[4,5,6],7]", 19, &items, &doc), ATTN_OK);
    attn__json_free(doc);
    ck_assert_int_eq(attn__json_parse(ctx, "L", "[[1,2,3,4]]", 11, &items, &doc), ATTN_ERR_LIMIT);
    ck_assert_str_eq(attn_ctx_last_error(ctx), "L: offset 8 (line 1, column 9): an array of more than 3 items");
    ck_assert_int_eq(attn__json_parse(ctx, "L", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", 25, &items, &doc), ATTN_OK);
    attn__json_free(doc); /* objects are not arrays */
    char spaces[101];
    memset(spaces, ' ', 101);
    spaces[0] = '1';
    ck_assert_int_eq(attn__json_parse(ctx, "L", spaces, 101, &lim, &doc), ATTN_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "101 bytes exceed the limit of 100"));
    ck_assert_int_eq(attn__json_parse(ctx, "L", spaces, 100, &lim, &doc), ATTN_OK);
    attn__json_free(doc);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_memory_limit_fails_cleanly_at_every_size)
{
    /* walk the limit up until the parse succeeds: every failure is NOMEM and
     * leaves nothing allocated */
    const char *text = "{\"config\": {\"hidden_size\": 64, \"labels\": [\"a\", \"b\", \"c\"], \"eps\": 1e-12}, \"x\": [[1,2],[3,4]]}";
    attn_ctx *ctx = attn_test_ctx();
    int succeeded = 0;
    for (int64_t limit = 64; limit < (1 << 16) && !succeeded; limit += 64) {
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, limit));
        attn__json_doc *doc;
        attn_status st = attn__json_parse(ctx, "m.json", text, strlen(text), NULL, &doc);
        if (st == ATTN_OK) {
            succeeded = 1;
            attn__json_free(doc);
        } else {
            ck_assert_int_eq(st, ATTN_ERR_NOMEM);
            ck_assert_ptr_null(doc);
        }
        ck_assert_int_eq(bytes_in_use(ctx), 0);
    }
    ck_assert(succeeded);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(member_readers_report_missing_and_mistyped_keys)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *text = "{\n\"n\": 12, \"f\": 0.5, \"s\": \"gelu\", \"b\": true, \"z\": null, \"nul\": \"a\\u0000\", \"big\": 1e3}";
    attn__json_doc *doc = parse_ok(ctx, text, strlen(text));
    const attn__json *root = attn__json_root(doc);
    int64_t n = -1;
    double f = -1;
    const char *s = NULL;
    int b = -1;
    ATTN_ASSERT_OK(ctx, attn__json_need_int64(doc, root, "n", &n));
    ck_assert_int_eq(n, 12);
    ATTN_ASSERT_OK(ctx, attn__json_need_number(doc, root, "f", &f));
    ck_assert(f == 0.5);
    ATTN_ASSERT_OK(ctx, attn__json_need_number(doc, root, "n", &f)); /* an integer is a number */
    ck_assert(f == 12.0);
    ATTN_ASSERT_OK(ctx, attn__json_need_string(doc, root, "s", &s));
    ck_assert_str_eq(s, "gelu");
    ATTN_ASSERT_OK(ctx, attn__json_need_bool(doc, root, "b", &b));
    ck_assert_int_eq(b, 1);

    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_int64(doc, root, "missing", &n));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "t.json: offset 0 (line 1): missing key \"missing\"");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_int64(doc, root, "f", &n));
    ck_assert_str_eq(attn_ctx_last_error(ctx),
                     "t.json: offset 16 (line 2): \"f\" must be an integer, found a number that is not an int64 integer literal");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_int64(doc, root, "big", &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_string(doc, root, "n", &s));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "\"n\" must be a string, found number"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_bool(doc, root, "s", &b));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_number(doc, root, "s", &f));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_string(doc, root, "nul", &s));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "NUL"));
    /* null counts as missing: an error for need, the default for opt */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_int64(doc, root, "z", &n));
    n = 7;
    ATTN_ASSERT_OK(ctx, attn__json_opt_int64(doc, root, "z", &n));
    ATTN_ASSERT_OK(ctx, attn__json_opt_int64(doc, root, "absent", &n));
    ck_assert_int_eq(n, 7);
    f = 2;
    ATTN_ASSERT_OK(ctx, attn__json_opt_number(doc, root, "absent", &f));
    ck_assert(f == 2);
    s = "keep";
    ATTN_ASSERT_OK(ctx, attn__json_opt_string(doc, root, "absent", &s));
    ck_assert_str_eq(s, "keep");
    b = 5;
    ATTN_ASSERT_OK(ctx, attn__json_opt_bool(doc, root, "absent", &b));
    ck_assert_int_eq(b, 5);
    ATTN_ASSERT_OK(ctx, attn__json_opt_string(doc, root, "s", &s));
    ck_assert_str_eq(s, "gelu");
    /* opt still refuses a wrong type */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_opt_int64(doc, root, "s", &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_opt_bool(doc, root, "n", &b));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_opt_number(doc, root, "b", &f));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_opt_string(doc, root, "b", &s));
    /* the object itself must be an object */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_need_int64(doc, attn__json_object_get(root, "n"), "x", &n));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "expected an object"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_need_int64(doc, root, NULL, &n));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_need_int64(doc, root, "n", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_need_int64(NULL, root, "n", &n));
    /* attn__json_fail formats like the parser */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn__json_fail(doc, attn__json_object_get(root, "s"), ATTN_ERR_RANGE, "bad %s", "x"));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "t.json: offset 26 (line 2): bad x");
    attn__json_free(doc);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(bad_arguments_and_files)
{
    attn_ctx *ctx = attn_test_ctx();
    attn__json_doc *doc = (attn__json_doc *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_parse(ctx, "x", NULL, 3, NULL, &doc));
    ck_assert_ptr_null(doc);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_parse(ctx, "x", "1", 1, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_parse(NULL, "x", "1", 1, NULL, &doc));
    /* a NULL label still gives a message */
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_parse(ctx, NULL, "x", 1, NULL, &doc));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "JSON: offset 0"));

    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/missing.json", dir);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn__json_parse_file(ctx, path, NULL, &doc));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "missing.json: cannot open"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn__json_parse_file(ctx, dir, NULL, &doc));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "is a directory"));
    snprintf(path, sizeof path, "%s/c.json", dir);
    FILE *fp = fopen(path, "w");
    fputs("{\"hidden_size\": 64,\n \"x\": }", fp);
    fclose(fp);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_parse_file(ctx, path, NULL, &doc));
    char want[600];
    snprintf(want, sizeof want, "%s: offset 26 (line 2, column 7): expected a value, found '}'", path);
    ck_assert_str_eq(attn_ctx_last_error(ctx), want);
    attn__json_limits small = {10, 8, 100, 0};
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn__json_parse_file(ctx, path, &small, &doc));
    fp = fopen(path, "w");
    fputs("{\"hidden_size\": 64}\n", fp);
    fclose(fp);
    ATTN_ASSERT_OK(ctx, attn__json_parse_file(ctx, path, NULL, &doc));
    int64_t v;
    ATTN_ASSERT_OK(ctx, attn__json_need_int64(doc, attn__json_root(doc), "hidden_size", &v));
    ck_assert_int_eq(v, 64);
    ck_assert_str_eq(attn__json_label(doc), path);
    attn__json_free(doc);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn__json_parse_file(ctx, NULL, NULL, &doc));
    remove(path);
    remove(dir);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(escaped_strings_parse_back_to_the_original)
{
    attn_ctx *ctx = attn_test_ctx();
    attn__strbuf b;
    attn__strbuf_init(&b, ctx);
    const char raw[] = "q\"\\/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xf0\x9f\x98\x80 a\0z";
    size_t n = sizeof raw - 1;
    ATTN_ASSERT_OK(ctx, attn__json_append_string(&b, raw, n));
    ck_assert_str_eq(b.data, "\"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9\xf0\x9f\x98\x80 a\\u0000z\"");
    attn__json_doc *doc = parse_ok(ctx, b.data, b.len);
    size_t got;
    const char *s = attn__json_get_string(attn__json_root(doc), &got);
    ck_assert_uint_eq(got, n);
    ck_assert_mem_eq(s, raw, n);
    attn__json_free(doc);
    /* invalid UTF-8 is refused and nothing is appended */
    size_t before = b.len;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn__json_append_string(&b, "a\xff", 2));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "byte 0xFF at offset 1"));
    ck_assert_uint_eq(b.len, before);
    attn__strbuf_free(&b);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(strbuf_failures_stick)
{
    attn_ctx *ctx = attn_test_ctx();
    attn__strbuf b;
    attn__strbuf_init(&b, ctx);
    ATTN_ASSERT_OK(ctx, attn__strbuf_appendf(&b, "%d-%s", 42, "x"));
    ck_assert_str_eq(b.data, "42-x");
    for (int i = 0; i < 1000; i++) attn__strbuf_append(&b, "0123456789", 10);
    ck_assert_uint_eq(b.len, 10004);
    ck_assert_uint_eq(strlen(b.data), 10004);
    attn__strbuf_free(&b);
    /* over a memory limit: the first failure sticks and later calls return it */
    ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 1000));
    attn__strbuf_init(&b, ctx);
    attn_status st = ATTN_OK;
    for (int i = 0; i < 200 && st == ATTN_OK; i++) st = attn__strbuf_append(&b, "0123456789", 10);
    ck_assert_int_eq(st, ATTN_ERR_NOMEM);
    ck_assert_int_eq(attn__strbuf_append(&b, "x", 1), ATTN_ERR_NOMEM);
    ck_assert_int_eq(attn__strbuf_appendf(&b, "%d", 1), ATTN_ERR_NOMEM);
    ck_assert_int_eq(attn__json_append_string(&b, "x", 1), ATTN_ERR_NOMEM);
    attn__strbuf_free(&b);
    ck_assert_int_eq(bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(utf8_validation_reports_the_first_bad_byte)
{
    size_t at = 99;
    ck_assert(attn__utf8_valid("", 0, &at));
    const char *good = "abc \xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
    ck_assert(attn__utf8_valid(good, strlen(good), &at));
    ck_assert(!attn__utf8_valid("ab\xed\xbf\xbf", 5, &at));
    ck_assert_uint_eq(at, 2);
    ck_assert(!attn__utf8_valid("abc\xc3", 4, &at));
    ck_assert_uint_eq(at, 3);
    ck_assert(!attn__utf8_valid("\xbf", 1, NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, parses_every_value_type_with_lookups_by_key);
    tcase_add_test(tc, integers_are_exact_to_the_int64_limits);
    tcase_add_test(tc, unicode_escapes_become_utf8_and_surrogate_pairs_join);
    tcase_add_test(tc, object_lookup_finds_every_key_among_many);
    tcase_add_test(tc, structural_errors_name_the_offset);
    tcase_add_test(tc, duplicate_keys_are_refused_at_the_second_occurrence);
    tcase_add_test(tc, number_grammar_is_exact);
    tcase_add_test(tc, strings_must_be_valid_utf8_without_raw_control_characters);
    tcase_add_test(tc, limits_on_depth_values_and_bytes);
    tcase_add_test(tc, a_memory_limit_fails_cleanly_at_every_size);
    tcase_add_test(tc, member_readers_report_missing_and_mistyped_keys);
    tcase_add_test(tc, bad_arguments_and_files);
    tcase_add_test(tc, escaped_strings_parse_back_to_the_original);
    tcase_add_test(tc, strbuf_failures_stick);
    tcase_add_test(tc, utf8_validation_reports_the_first_bad_byte);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
