/* A small JSON reader for the tokenizer tests: parses the reference files
 * of tests/data (objects, arrays, strings with every escape, numbers,
 * literals) into a tree. Test-only: it trusts its input to be small, and
 * keeps the library's own parser (if any) out of the tokenizer's tests. */
#ifndef ATTN_TEST_MINI_JSON_H
#define ATTN_TEST_MINI_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { MJ_NULL, MJ_BOOL, MJ_NUMBER, MJ_STRING, MJ_ARRAY, MJ_OBJECT } mj_kind;

typedef struct mj_value {
    mj_kind kind;
    double number;           /* MJ_NUMBER, MJ_BOOL (0/1) */
    char *string;            /* MJ_STRING: UTF-8, NUL-terminated (may hold NULs: see length) */
    size_t length;           /* MJ_STRING bytes */
    struct mj_value *items;  /* MJ_ARRAY elements, MJ_OBJECT values */
    char **keys;             /* MJ_OBJECT keys */
    size_t count;
} mj_value;

typedef struct {
    const char *p, *end;
} mj_reader;

static void mj_skip_space(mj_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')) r->p++;
}

static int mj_hex4(mj_reader *r, unsigned *out)
{
    if (r->end - r->p < 4) return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static size_t mj_put_utf8(char *dst, unsigned c)
{
    if (c < 0x80) { dst[0] = (char)c; return 1; }
    if (c < 0x800) { dst[0] = (char)(0xC0 | (c >> 6)); dst[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) {
        dst[0] = (char)(0xE0 | (c >> 12)); dst[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (c >> 18)); dst[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((c >> 6) & 0x3F)); dst[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* r->p is just past the opening quote. */
static char *mj_string(mj_reader *r, size_t *len_out)
{
    char *out = malloc((size_t)(r->end - r->p) + 1); /* escapes never grow the text */
    size_t n = 0;
    while (r->p < r->end && *r->p != '"') {
        char c = *r->p++;
        if (c != '\\') { out[n++] = c; continue; }
        if (r->p >= r->end) break;
        char e = *r->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned c1, c2;
            if (!mj_hex4(r, &c1)) goto fail;
            if (c1 >= 0xD800 && c1 < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
                r->p += 2;
                if (!mj_hex4(r, &c2)) goto fail;
                c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
            }
            n += mj_put_utf8(out + n, c1);
            break;
        }
        default: goto fail;
        }
    }
    if (r->p >= r->end) goto fail;
    r->p++;
    out[n] = '\0';
    *len_out = n;
    return out;
fail:
    free(out);
    return NULL;
}

static int mj_value_parse(mj_reader *r, mj_value *v, int depth);

static int mj_push(mj_value *v, size_t *cap)
{
    if (v->count == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        v->items = realloc(v->items, *cap * sizeof *v->items);
        if (v->kind == MJ_OBJECT) v->keys = realloc(v->keys, *cap * sizeof *v->keys);
    }
    return 1;
}

static int mj_value_parse(mj_reader *r, mj_value *v, int depth)
{
    memset(v, 0, sizeof *v);
    mj_skip_space(r);
    if (r->p >= r->end || depth > 64) return 0;
    char c = *r->p;
    if (c == '"') {
        r->p++;
        v->kind = MJ_STRING;
        v->string = mj_string(r, &v->length);
        return v->string != NULL;
    }
    if (c == '[' || c == '{') {
        v->kind = c == '[' ? MJ_ARRAY : MJ_OBJECT;
        char close = c == '[' ? ']' : '}';
        size_t cap = 0;
        r->p++;
        mj_skip_space(r);
        if (r->p < r->end && *r->p == close) { r->p++; return 1; }
        for (;;) {
            mj_push(v, &cap);
            if (v->kind == MJ_OBJECT) {
                mj_skip_space(r);
                size_t klen;
                if (r->p >= r->end || *r->p != '"') return 0;
                r->p++;
                v->keys[v->count] = mj_string(r, &klen);
                if (!v->keys[v->count]) return 0;
                mj_skip_space(r);
                if (r->p >= r->end || *r->p != ':') { free(v->keys[v->count]); return 0; }
                r->p++;
            }
            if (!mj_value_parse(r, &v->items[v->count], depth + 1)) {
                if (v->kind == MJ_OBJECT) free(v->keys[v->count]);
                return 0;
            }
            v->count++;
            mj_skip_space(r);
            if (r->p < r->end && *r->p == ',') { r->p++; continue; }
            if (r->p < r->end && *r->p == close) { r->p++; return 1; }
            return 0;
        }
    }
    if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) { r->p += 4; v->kind = MJ_NULL; return 1; }
    if (r->end - r->p >= 4 && memcmp(r->p, "true", 4) == 0) { r->p += 4; v->kind = MJ_BOOL; v->number = 1; return 1; }
    if (r->end - r->p >= 5 && memcmp(r->p, "false", 5) == 0) { r->p += 5; v->kind = MJ_BOOL; return 1; }
    char buf[64];
    size_t n = 0;
    while (r->p < r->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", *r->p)) buf[n++] = *r->p++;
    if (n == 0) return 0;
    buf[n] = '\0';
    v->kind = MJ_NUMBER;
    v->number = strtod(buf, NULL);
    return 1;
}

static void mj_clear(mj_value *v)
{
    for (size_t i = 0; i < v->count; i++) {
        mj_clear(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

static void mj_free(mj_value *v)
{
    if (!v) return;
    mj_clear(v);
    free(v);
}

/* Parses a whole file; NULL if it cannot be read or is not JSON. */
static mj_value *mj_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    size_t got;
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) data = realloc(data, cap *= 2);
    }
    fclose(f);
    mj_reader r = {data, data + n};
    mj_value *v = malloc(sizeof *v);
    int ok = mj_value_parse(&r, v, 0);
    mj_skip_space(&r);
    free(data);
    if (!ok || r.p != r.end) {
        mj_clear(v);
        free(v);
        return NULL;
    }
    return v;
}

/* Member of an object by key, NULL if absent or v is not an object. */
static const mj_value *mj_get(const mj_value *v, const char *key)
{
    if (!v || v->kind != MJ_OBJECT) return NULL;
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->keys[i], key) == 0) return &v->items[i];
    return NULL;
}

#endif
