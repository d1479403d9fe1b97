/* Fuzz target: the internal JSON reader (lib/io/json.h) with its default
 * limits and with tight ones.
 *
 * The target aborts (a finding for libFuzzer, a failed test for the replay)
 * when the reader breaks a promise rather than crashing by itself:
 *  - a refusal carries a known status, a message that starts with the label
 *    and gives an offset, and no tree;
 *  - an accepted document is consistent: strings are valid UTF-8 of their
 *    stated length, every key is found by lookup at its own member;
 *  - writing the tree back out (the writer helpers, numbers with %.17g)
 *    gives text the reader accepts, and that parses to the same tree;
 *  - every byte counted on the context is returned afterwards.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"

static attn_ctx *the_ctx;

static void require(int ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_json: %s (last error: %s)\n", what, attn_ctx_last_error(the_ctx));
    abort();
}

static void check_tree(const attn__json *v)
{
    size_t n;
    const char *s;
    switch (attn__json_type_of(v)) {
    case ATTN_JSON_STRING:
        s = attn__json_get_string(v, &n);
        require(s != NULL && s[n] == '\0' && attn__utf8_valid(s, n, NULL), "a string is not valid UTF-8");
        break;
    case ATTN_JSON_ARRAY:
        for (size_t i = 0; i < attn__json_array_size(v); i++) check_tree(attn__json_array_at(v, i));
        require(attn__json_array_at(v, attn__json_array_size(v)) == NULL, "an array has an item past its end");
        break;
    case ATTN_JSON_OBJECT:
        for (size_t i = 0; i < attn__json_object_size(v); i++) {
            const char *k = attn__json_object_key(v, i, &n);
            require(k != NULL && attn__utf8_valid(k, n, NULL), "a key is not valid UTF-8");
            require(attn__json_object_getn(v, k, n) == attn__json_object_value(v, i), "a key is not found at its member");
            check_tree(attn__json_object_value(v, i));
        }
        break;
    default:
        break;
    }
}

static void write_tree(attn__strbuf *b, const attn__json *v)
{
    size_t n;
    const char *s;
    int64_t i64;
    double d;
    int flag;
    switch (attn__json_type_of(v)) {
    case ATTN_JSON_NULL: attn__strbuf_append(b, "null", 4); break;
    case ATTN_JSON_BOOL:
        attn__json_get_bool(v, &flag);
        attn__strbuf_append(b, flag ? "true" : "false", flag ? 4 : 5);
        break;
    case ATTN_JSON_NUMBER:
        if (attn__json_get_int64(v, &i64)) attn__strbuf_appendf(b, "%lld", (long long)i64);
        else {
            attn__json_get_number(v, &d);
            require(isfinite(d), "a number is not finite");
            attn__strbuf_appendf(b, "%.17g", d);
        }
        break;
    case ATTN_JSON_STRING:
        s = attn__json_get_string(v, &n);
        require(attn__json_append_string(b, s, n) == ATTN_OK, "a parsed string cannot be written back");
        break;
    case ATTN_JSON_ARRAY:
        attn__strbuf_append(b, "[", 1);
        for (size_t i = 0; i < attn__json_array_size(v); i++) {
            if (i) attn__strbuf_append(b, ",", 1);
            write_tree(b, attn__json_array_at(v, i));
        }
        attn__strbuf_append(b, "]", 1);
        break;
    case ATTN_JSON_OBJECT:
        attn__strbuf_append(b, "{", 1);
        for (size_t i = 0; i < attn__json_object_size(v); i++) {
            if (i) attn__strbuf_append(b, ",", 1);
            s = attn__json_object_key(v, i, &n);
            attn__json_append_string(b, s, n);
            attn__strbuf_append(b, ":", 1);
            write_tree(b, attn__json_object_value(v, i));
        }
        attn__strbuf_append(b, "}", 1);
        break;
    }
}

static void same_tree(const attn__json *a, const attn__json *b)
{
    require(attn__json_type_of(a) == attn__json_type_of(b), "types differ after a round trip");
    size_t na, nb;
    const char *sa, *sb;
    double da, db;
    int fa, fb;
    switch (attn__json_type_of(a)) {
    case ATTN_JSON_BOOL:
        attn__json_get_bool(a, &fa);
        attn__json_get_bool(b, &fb);
        require(fa == fb, "booleans differ after a round trip");
        break;
    case ATTN_JSON_NUMBER:
        attn__json_get_number(a, &da);
        attn__json_get_number(b, &db);
        require(da == db, "numbers differ after a round trip");
        break;
    case ATTN_JSON_STRING:
        sa = attn__json_get_string(a, &na);
        sb = attn__json_get_string(b, &nb);
        require(na == nb && memcmp(sa, sb, na) == 0, "strings differ after a round trip");
        break;
    case ATTN_JSON_ARRAY:
        require(attn__json_array_size(a) == attn__json_array_size(b), "array sizes differ after a round trip");
        for (size_t i = 0; i < attn__json_array_size(a); i++) same_tree(attn__json_array_at(a, i), attn__json_array_at(b, i));
        break;
    case ATTN_JSON_OBJECT:
        require(attn__json_object_size(a) == attn__json_object_size(b), "object sizes differ after a round trip");
        for (size_t i = 0; i < attn__json_object_size(a); i++) {
            sa = attn__json_object_key(a, i, &na);
            sb = attn__json_object_key(b, i, &nb);
            require(na == nb && memcmp(sa, sb, na) == 0, "keys differ after a round trip");
            same_tree(attn__json_object_value(a, i), attn__json_object_value(b, i));
        }
        break;
    default:
        break;
    }
}

static void run(const uint8_t *data, size_t size, const attn__json_limits *limits)
{
    attn__json_doc *doc = (attn__json_doc *)1;
    attn_status s = attn__json_parse(the_ctx, "fuzz.json", data, size, limits, &doc);
    if (s != ATTN_OK) {
        require(s == ATTN_ERR_FORMAT || s == ATTN_ERR_LIMIT || s == ATTN_ERR_NOMEM, "refused with an unexpected status");
        require(doc == NULL, "a refusal left a tree");
        const char *msg = attn_ctx_last_error(the_ctx);
        require(strncmp(msg, "fuzz.json: ", 11) == 0 || s == ATTN_ERR_NOMEM, "a refusal without the label");
        require(strstr(msg, "offset ") != NULL || strstr(msg, "limit") != NULL || s == ATTN_ERR_NOMEM,
                "a refusal without an offset");
        return;
    }
    const attn__json *root = attn__json_root(doc);
    check_tree(root);
    attn__strbuf b;
    attn__strbuf_init(&b, the_ctx);
    write_tree(&b, root);
    require(b.status == ATTN_OK, "writing the tree back failed");
    attn__json_doc *again = NULL;
    /* the written text has no whitespace, so it is never larger than what
     * the limits let through, except for escapes: parse it with room */
    attn__json_limits roomy = {b.len + 1, limits ? limits->max_depth : ATTN_JSON_DEFAULT_MAX_DEPTH,
                               limits ? limits->max_values : ATTN_JSON_DEFAULT_MAX_VALUES,
                               limits ? limits->max_array_items : 0};
    s = attn__json_parse(the_ctx, "again.json", b.data, b.len, &roomy, &again);
    require(s == ATTN_OK, "the written text does not parse");
    same_tree(root, attn__json_root(again));
    attn__json_free(again);
    attn__strbuf_free(&b);
    attn__json_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (attn_ctx_create(&the_ctx) != ATTN_OK) abort();
    run(data, size, NULL);
    attn__json_limits tight = {size > 64 ? size - 64 : size, 4, 100, 3};
    run(data, size, &tight);
    int64_t in_use = -1;
    attn_ctx_get_int(the_ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    require(in_use == 0, "bytes still counted on the context after free");
    attn_ctx_destroy(the_ctx);
    return 0;
}
