/* Helpers for the io tests: safetensors files assembled byte by byte (the
 * 8-byte length, a header text as given, the data) independently of the
 * writer under test, and whole-file reads and writes. */
#ifndef ATTN_TEST_ST_FIXTURE_H
#define ATTN_TEST_ST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_common.h"

typedef struct {
    unsigned char *p;
    size_t n;
} st_bytes;

/* length (little-endian) + header + data; header_len_override >= 0 replaces
 * the length field. */
static inline st_bytes st_make_raw(const char *header, size_t h, const void *data, size_t data_len,
                                   long long header_len_override)
{
    st_bytes b;
    b.n = 8 + h + data_len;
    b.p = malloc(b.n + 1);
    ck_assert_ptr_nonnull(b.p);
    unsigned long long len = header_len_override >= 0 ? (unsigned long long)header_len_override : h;
    for (int i = 0; i < 8; i++) b.p[i] = (unsigned char)(len >> (8 * i));
    memcpy(b.p + 8, header, h);
    if (data_len) memcpy(b.p + 8 + h, data, data_len);
    return b;
}

static inline st_bytes st_make_len(const char *header, const void *data, size_t data_len, long long header_len_override)
{
    return st_make_raw(header, strlen(header), data, data_len, header_len_override);
}

static inline st_bytes st_make(const char *header, const void *data, size_t data_len)
{
    return st_make_len(header, data, data_len, -1);
}

static inline void st_free(st_bytes *b)
{
    free(b->p);
    b->p = NULL;
}

static inline void st_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static inline st_bytes st_read_file(const char *path)
{
    st_bytes b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b.p = malloc((size_t)n + 1);
    b.n = fread(b.p, 1, (size_t)n, f);
    fclose(f);
    ck_assert_uint_eq(b.n, (size_t)n);
    return b;
}

static inline int64_t st_bytes_in_use(attn_ctx *ctx)
{
    int64_t v = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &v);
    return v;
}

static inline uint32_t st_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

#endif
