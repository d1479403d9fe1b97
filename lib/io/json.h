/* A small, strict JSON (RFC 8259) reader for hostile input, and a string
 * builder with JSON escaping for writers. Internal to libattn: the model
 * builder reads Hugging Face config.json with it, the safetensors reader its
 * header, tests their reference files.
 *
 * Reading rules (a document that breaks one is rejected, never repaired):
 *  - exactly one value, surrounded only by JSON whitespace; anything after it
 *    is "trailing characters"; a byte order mark is rejected (as Python's
 *    json.loads does);
 *  - strings must be valid UTF-8 (no overlong forms, no encoded surrogates,
 *    nothing above U+10FFFF) with control characters escaped; \uXXXX escapes
 *    become UTF-8, surrogate pairs are joined, a lone surrogate is an error;
 *    \u0000 is kept (string lengths are explicit);
 *  - duplicate keys in one object are an error: two readers that keep the
 *    first or the last would see different documents;
 *  - numbers follow the JSON grammar exactly (no leading '+', no leading
 *    zeros, no "1.", no NaN/Infinity); a number beyond the double range is an
 *    error; integer literals that fit int64 are kept exactly;
 *  - limits: input bytes, nesting depth, the total number of values and the
 *    items of one array (see attn__json_limits); exceeding one is
 *    ATTN_ERR_LIMIT, reported as soon as it is seen.
 * Every error is "<label>: offset N (line L, column C): <what>" with status
 * ATTN_ERR_FORMAT (or _LIMIT, _NOMEM) on the context.
 *
 * The tree lives in an arena allocated through the context and is freed in
 * one call. Nodes are read-only; lookups by key are binary searches.
 */
#ifndef ATTN_IO_JSON_H
#define ATTN_IO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef enum attn__json_type {
    ATTN_JSON_NULL = 0,
    ATTN_JSON_BOOL = 1,
    ATTN_JSON_NUMBER = 2,
    ATTN_JSON_STRING = 3,
    ATTN_JSON_ARRAY = 4,
    ATTN_JSON_OBJECT = 5
} attn__json_type;

typedef struct attn__json attn__json;          /* one value of the tree */
typedef struct attn__json_doc attn__json_doc;  /* the tree and its arena */

typedef struct attn__json_limits {
    size_t max_bytes;    /* input size; at most UINT32_MAX */
    int32_t max_depth;   /* nesting of arrays and objects (the root container is depth 1) */
    size_t max_values;   /* values in the whole document, members and items included */
    /* items in one array; 0 = only max_values bounds them. A format whose
     * arrays are short (a safetensors shape) says so here, so that a huge
     * array is refused at its first excess item instead of after the
     * parser has built it (an 8 MB header of one 4-million-item shape once
     * peaked at 277 MB before it was refused). */
    size_t max_array_items;
} attn__json_limits;

/* Defaults used when limits is NULL: 64 MiB, depth 64, 4 Mi values. */
#define ATTN_JSON_DEFAULT_MAX_BYTES ((size_t)64 << 20)
#define ATTN_JSON_DEFAULT_MAX_DEPTH 64
#define ATTN_JSON_DEFAULT_MAX_VALUES ((size_t)4 << 20)

/* Parses buf[0, len) into *out. label names the input in messages (a file
 * name, "safetensors header"); it is copied. On error *out is NULL and
 * nothing stays allocated. */
attn_status attn__json_parse(attn_ctx *ctx, const char *label, const void *buf, size_t len,
                             const attn__json_limits *limits, attn__json_doc **out);
/* Reads the file at path (at most limits->max_bytes) and parses it; the
 * label is the path. ATTN_ERR_IO if it cannot be read. */
attn_status attn__json_parse_file(attn_ctx *ctx, const char *path, const attn__json_limits *limits,
                                  attn__json_doc **out);
/* Frees the tree; every node and string of it becomes invalid. NULL is a no-op. */
void attn__json_free(attn__json_doc *doc);

const attn__json *attn__json_root(const attn__json_doc *doc);
const char *attn__json_label(const attn__json_doc *doc);

/* Type queries. A NULL node has type ATTN_JSON_NULL. */
attn__json_type attn__json_type_of(const attn__json *v);
const char *attn__json_type_name(attn__json_type type); /* "null", "object", ... */
/* Byte offset of the value's first character in the input. */
size_t attn__json_offset(const attn__json *v);

/* Scalars: return 1 and set *out when v has the right type, else 0. */
int attn__json_get_bool(const attn__json *v, int *out);
int attn__json_get_number(const attn__json *v, double *out);
/* Only integer literals (no fraction or exponent) that fit int64. */
int attn__json_get_int64(const attn__json *v, int64_t *out);
/* NUL-terminated UTF-8, may contain \u0000 (then *len tells the truth);
 * len may be NULL. NULL if v is not a string. */
const char *attn__json_get_string(const attn__json *v, size_t *len);

/* Arrays: size (0 for a non-array) and item i (NULL when out of range). */
size_t attn__json_array_size(const attn__json *v);
const attn__json *attn__json_array_at(const attn__json *v, size_t i);

/* Objects: size (0 for a non-object); member i in document order. */
size_t attn__json_object_size(const attn__json *v);
const char *attn__json_object_key(const attn__json *v, size_t i, size_t *key_len);
const attn__json *attn__json_object_value(const attn__json *v, size_t i);
/* Value of key (NUL-terminated, or key_len bytes); NULL if absent or v is
 * not an object. */
const attn__json *attn__json_object_get(const attn__json *v, const char *key);
const attn__json *attn__json_object_getn(const attn__json *v, const char *key, size_t key_len);

/* Records "<label>: offset N (line L, column C): <message>" on the doc's
 * context for the value v (NULL: offset 0) and returns status. */
attn_status attn__json_fail(const attn__json_doc *doc, const attn__json *v, attn_status status,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Member readers for configuration objects. "need" fails with
 * ATTN_ERR_FORMAT when the key is missing or has the wrong type ("\"hidden_size\"
 * must be an integer, found string"); "opt" returns ATTN_OK and leaves *out
 * unchanged when the key is missing or null, and fails on a wrong type.
 * Strings are borrowed from the tree and rejected if they contain \u0000. */
attn_status attn__json_need_int64(const attn__json_doc *doc, const attn__json *obj, const char *key, int64_t *out);
attn_status attn__json_need_number(const attn__json_doc *doc, const attn__json *obj, const char *key, double *out);
attn_status attn__json_need_string(const attn__json_doc *doc, const attn__json *obj, const char *key, const char **out);
attn_status attn__json_need_bool(const attn__json_doc *doc, const attn__json *obj, const char *key, int *out);
attn_status attn__json_opt_int64(const attn__json_doc *doc, const attn__json *obj, const char *key, int64_t *out);
attn_status attn__json_opt_number(const attn__json_doc *doc, const attn__json *obj, const char *key, double *out);
attn_status attn__json_opt_string(const attn__json_doc *doc, const attn__json *obj, const char *key, const char **out);
attn_status attn__json_opt_bool(const attn__json_doc *doc, const attn__json *obj, const char *key, int *out);

/* 1 if s[0, n) is valid UTF-8 (the rules above); else 0 and, when bad_at is
 * not NULL, the offset of the first bad byte. */
int attn__utf8_valid(const char *s, size_t n, size_t *bad_at);

/* A growable byte string allocated through the context. The first failure
 * sticks: later appends do nothing and return it, so a writer may check
 * once at the end. data is NUL-terminated whenever len > 0. */
typedef struct attn__strbuf {
    attn_ctx *ctx;
    char *data;
    size_t len, cap;
    attn_status status;
} attn__strbuf;

void attn__strbuf_init(attn__strbuf *b, attn_ctx *ctx);
void attn__strbuf_free(attn__strbuf *b);
attn_status attn__strbuf_append(attn__strbuf *b, const char *s, size_t n);
attn_status attn__strbuf_appendf(attn__strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends s[0, n) as a quoted JSON string: '"', '\\' and control characters
 * escaped (\n, \t, ... or \u00XX), everything else copied. ATTN_ERR_FORMAT if
 * s is not valid UTF-8 (nothing is appended then). */
attn_status attn__json_append_string(attn__strbuf *b, const char *s, size_t n);

#endif /* ATTN_IO_JSON_H */
