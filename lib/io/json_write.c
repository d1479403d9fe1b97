/* Writing JSON text: a growable string allocated through the context and
 * the escaping of strings. Readers live in json.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void attn__strbuf_init(attn__strbuf *b, attn_ctx *ctx)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
}

void attn__strbuf_free(attn__strbuf *b)
{
    if (!b) return;
    attn__free(b->ctx, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Makes room for n more bytes plus the terminating NUL. */
static attn_status reserve(attn__strbuf *b, size_t n)
{
    if (b->status != ATTN_OK) return b->status;
    if (n > SIZE_MAX / 2 - b->len - 1) return b->status = attn__fail(b->ctx, ATTN_ERR_OVERFLOW, "string of %zu + %zu bytes overflows", b->len, n);
    size_t need = b->len + n + 1;
    if (need <= b->cap) return ATTN_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    char *d = attn__alloc(b->ctx, cap);
    if (!d) return b->status = ATTN_ERR_NOMEM;
    if (b->len) memcpy(d, b->data, b->len);
    attn__free(b->ctx, b->data);
    b->data = d;
    b->cap = cap;
    return ATTN_OK;
}

attn_status attn__strbuf_append(attn__strbuf *b, const char *s, size_t n)
{
    ATTN_CHECK(reserve(b, n));
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ATTN_OK;
}

attn_status attn__strbuf_appendf(attn__strbuf *b, const char *fmt, ...)
{
    if (b->status != ATTN_OK) return b->status;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return b->status = attn__fail(b->ctx, ATTN_ERR_INVALID_ARG, "bad format string \"%s\"", fmt);
    ATTN_CHECK(reserve(b, (size_t)n));
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ATTN_OK;
}

attn_status attn__json_append_string(attn__strbuf *b, const char *s, size_t n)
{
    if (b->status != ATTN_OK) return b->status;
    size_t bad;
    if (!attn__utf8_valid(s, n, &bad))
        return attn__fail(b->ctx, ATTN_ERR_FORMAT, "string is not valid UTF-8 (byte 0x%02X at offset %zu)",
                          (unsigned char)s[bad], bad);
    ATTN_CHECK(attn__strbuf_append(b, "\"", 1));
    size_t run = 0; /* bytes copied as they are, flushed in one append */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char ubuf[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(ubuf, sizeof ubuf, "\\u%04x", c);
                esc = ubuf;
            }
        }
        if (!esc) {
            run++;
            continue;
        }
        attn__strbuf_append(b, s + i - run, run);
        run = 0;
        attn__strbuf_append(b, esc, strlen(esc));
    }
    attn__strbuf_append(b, s + n - run, run);
    return attn__strbuf_append(b, "\"", 1);
}
