/* Hostile safetensors files: every rule of attn/io.h broken on purpose,
 * truncation at every length, flipped bits in the data (checksum) and in the
 * header. Each must give a clean status, a message naming the file and the
 * tensor, and leave nothing allocated. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "st_fixture.h"

/* Opens b from memory, expects status and every fragment in the message. */
static void refuse_with(const st_bytes *b, attn_status status, const char *frag1, const char *frag2)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st = (attn_safetensors *)1;
    attn_status s = attn_safetensors_open_memory(ctx, b->p, b->n, &st);
    const char *msg = attn_ctx_last_error(ctx);
    ck_assert_msg(s == status, "got %s, expected %s: %s", attn_status_str(s), attn_status_str(status), msg);
    ck_assert_ptr_null(st);
    ck_assert_msg(strncmp(msg, "<memory>: ", 10) == 0, "message does not name the file: %s", msg);
    ck_assert_msg(strstr(msg, frag1) != NULL, "message \"%s\" lacks \"%s\"", msg, frag1);
    if (frag2) ck_assert_msg(strstr(msg, frag2) != NULL, "message \"%s\" lacks \"%s\"", msg, frag2);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}

/* A header refused with status; data_len zero bytes follow it. */
static void refuse_header(const char *header, size_t data_len, attn_status status, const char *frag1, const char *frag2)
{
    static const unsigned char zeros[64];
    ck_assert_uint_le(data_len, sizeof zeros);
    st_bytes b = st_make(header, zeros, data_len);
    refuse_with(&b, status, frag1, frag2);
    st_free(&b);
}

static void accept_header(const char *header, size_t data_len, int32_t count)
{
    static const unsigned char zeros[64];
    st_bytes b = st_make(header, zeros, data_len);
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    ck_assert_int_eq(attn_safetensors_count(st), count);
    attn_safetensors_close(st);
    st_free(&b);
    attn_ctx_destroy(ctx);
}

#define T(name, dtype, shape, offsets) "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offsets "}"

/* A small valid file written by the writer (so it carries a checksum). */
static st_bytes valid_file(attn_ctx *ctx)
{
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/v.safetensors", dir);
    int64_t s1[1] = {5}, s2[2] = {2, 3};
    attn_tensor *a, *b;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, 1, s1, &a));
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_I64, 2, s2, &b));
    attn_test_fill_random(attn_tensor_data_f32(a), 5, 9);
    ATTN_ASSERT_OK(ctx, attn_tensor_fill(b, 7));
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "weights", a));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "ids", b));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "step", "3"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    attn_safetensors_writer_destroy(w);
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    st_bytes f = st_read_file(path);
    remove(path);
    remove(dir);
    return f;
}

static uint64_t header_len(const st_bytes *f)
{
    uint64_t n = 0;
    for (int k = 7; k >= 0; k--) n = n << 8 | f->p[k];
    return n;
}

START_TEST(truncation_at_every_length_is_refused)
{
    attn_ctx *ctx = attn_test_ctx();
    st_bytes f = valid_file(ctx);
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/cut.safetensors", dir);
    uint64_t n = header_len(&f);
    for (size_t len = 0; len < f.n; len++) {
        /* from memory */
        attn_safetensors *st = (attn_safetensors *)1;
        attn_status s = attn_safetensors_open_memory(ctx, f.p, len, &st);
        ck_assert_msg(s == ATTN_ERR_FORMAT, "length %zu: %s", len, attn_status_str(s));
        ck_assert_ptr_null(st);
        const char *msg = attn_ctx_last_error(ctx);
        const char *why = len < 8 ? "too short for the 8-byte header length"
                        : len < 8 + n ? "runs past the end of the"
                                      : "reach past the end of the";
        ck_assert_msg(strstr(msg, why) != NULL, "length %zu: %s", len, msg);
        /* and from a file */
        st_write_file(path, f.p, len);
        s = attn_safetensors_open(ctx, path, &st);
        ck_assert_msg(s == ATTN_ERR_FORMAT, "file length %zu: %s", len, attn_status_str(s));
        ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), path));
        ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), why));
        ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    }
    /* the whole file opens */
    attn_safetensors *st;
    st_write_file(path, f.p, f.n);
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    attn_safetensors_close(st);
    /* one extra byte is trailing data */
    unsigned char *longer = malloc(f.n + 1);
    memcpy(longer, f.p, f.n);
    longer[f.n] = 0;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_safetensors_open_memory(ctx, longer, f.n + 1, &st));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "the last 1 bytes of the data section belong to no tensor"));
    free(longer);
    remove(path);
    remove(dir);
    st_free(&f);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(every_flipped_data_bit_fails_the_checksum)
{
    attn_ctx *ctx = attn_test_ctx();
    st_bytes f = valid_file(ctx);
    size_t start = 8 + header_len(&f);
    ck_assert_uint_eq(f.n - start, 6 * 8 + 5 * 4);
    for (size_t i = start; i < f.n; i++)
        for (int bit = 0; bit < 8; bit++) {
            f.p[i] ^= (unsigned char)(1u << bit);
            attn_safetensors *st = (attn_safetensors *)1;
            attn_status s = attn_safetensors_open_memory(ctx, f.p, f.n, &st);
            ck_assert_msg(s == ATTN_ERR_FORMAT, "byte %zu bit %d: %s", i, bit, attn_status_str(s));
            ck_assert_ptr_null(st);
            ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "checksum mismatch"));
            f.p[i] ^= (unsigned char)(1u << bit);
        }
    /* through a file too, where the data are read back in chunks */
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/flip.safetensors", dir);
    f.p[f.n - 1] ^= 0x80;
    st_write_file(path, f.p, f.n);
    attn_safetensors *st;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_safetensors_open(ctx, path, &st));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "checksum mismatch: the data section's CRC-32C is"));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), path));
    f.p[f.n - 1] ^= 0x80;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, f.p, f.n, &st));
    attn_safetensors_close(st);
    remove(path);
    remove(dir);
    st_free(&f);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(flipped_header_bits_never_crash_or_leak)
{
    /* a flip may still give a valid file (a letter of a name), so only the
     * outcome's kind is checked */
    attn_ctx *ctx = attn_test_ctx();
    st_bytes f = valid_file(ctx);
    size_t end = 8 + header_len(&f);
    for (size_t i = 0; i < end; i++)
        for (int bit = 0; bit < 8; bit++) {
            f.p[i] ^= (unsigned char)(1u << bit);
            attn_safetensors *st = NULL;
            attn_status s = attn_safetensors_open_memory(ctx, f.p, f.n, &st);
            ck_assert_msg(s == ATTN_OK || s == ATTN_ERR_FORMAT || s == ATTN_ERR_LIMIT, "byte %zu bit %d: %s", i, bit,
                          attn_status_str(s));
            ck_assert((s == ATTN_OK) == (st != NULL));
            if (st) {
                /* whatever was accepted reads without trouble */
                for (int32_t k = 0; k < attn_safetensors_count(st); k++) {
                    int32_t dt;
                    attn_safetensors_info(st, k, &dt, NULL, NULL);
                    attn_tensor *t = NULL;
                    attn_status r = attn_safetensors_load(st, attn_safetensors_name(st, k),
                                                          dt == ATTN_ST_F32 ? ATTN_F32 : ATTN_I64, &t);
                    ck_assert(r == ATTN_OK || r == ATTN_ERR_DTYPE || r == ATTN_ERR_UNSUPPORTED || r == ATTN_ERR_RANGE);
                    attn_tensor_destroy(t);
                }
                attn_safetensors_close(st);
            }
            ck_assert_int_eq(st_bytes_in_use(ctx), 0);
            f.p[i] ^= (unsigned char)(1u << bit);
        }
    st_free(&f);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(header_length_field_is_bounded)
{
    static const char hdr[] = "{}      ";
    st_bytes b = st_make_len(hdr, NULL, 0, -1);
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st)); /* no tensors is valid */
    ck_assert_int_eq(attn_safetensors_count(st), 0);
    attn_safetensors_close(st);
    attn_ctx_destroy(ctx);
    st_free(&b);
    b = st_make_len(hdr, NULL, 0, (long long)0x7fffffffffffffffLL);
    refuse_with(&b, ATTN_ERR_LIMIT, "header length 9223372036854775807 exceeds the limit of 100000000 bytes", NULL);
    st_free(&b);
    b = st_make_len(hdr, NULL, 0, 100000001);
    refuse_with(&b, ATTN_ERR_LIMIT, "exceeds the limit", NULL);
    st_free(&b);
    b = st_make_len(hdr, NULL, 0, 100000000);
    refuse_with(&b, ATTN_ERR_FORMAT, "header length 100000000 runs past the end of the 16-byte file", NULL);
    st_free(&b);
    b = st_make_len(hdr, NULL, 0, 9);
    refuse_with(&b, ATTN_ERR_FORMAT, "runs past", NULL);
    st_free(&b);
    /* all 64 bits are read: 2^64 - 1 */
    b = st_make_len(hdr, NULL, 0, 0);
    memset(b.p, 0xff, 8);
    refuse_with(&b, ATTN_ERR_LIMIT, "header length 18446744073709551615", NULL);
    st_free(&b);
    b = st_make_len(hdr, NULL, 0, 0);
    refuse_with(&b, ATTN_ERR_FORMAT, "JSON header: offset 0", "expected a value");
    st_free(&b);
}
END_TEST

START_TEST(header_must_be_a_json_object)
{
    refuse_header("not json", 0, ATTN_ERR_FORMAT, "<memory>: JSON header: offset 0 (line 1, column 1): expected a value", NULL);
    refuse_header("[]      ", 0, ATTN_ERR_FORMAT, "the JSON header is array, not an object", NULL);
    refuse_header("{", 0, ATTN_ERR_FORMAT, "JSON header: offset 1", NULL);
    st_bytes b = st_make_raw("{}\0\0\0\0\0\0", 8, NULL, 0, -1); /* padding must be spaces */
    refuse_with(&b, ATTN_ERR_FORMAT, "JSON header: offset 2", "trailing characters");
    st_free(&b);
    refuse_header("{} {}   ", 0, ATTN_ERR_FORMAT, "trailing characters", NULL);
    refuse_header("{\"a\xff\":{}}", 0, ATTN_ERR_FORMAT, "invalid UTF-8", NULL);
    refuse_header("{\"a\":[[[[[[[[[[1]]]]]]]]]]}", 0, ATTN_ERR_LIMIT, "nesting is deeper than 8 levels", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[0,4]") "," T("a", "F32", "[1]", "[4,8]") "}", 8, ATTN_ERR_FORMAT,
                  "duplicate key \"a\"", NULL);
}
END_TEST

START_TEST(tensor_entries_are_checked_field_by_field)
{
    refuse_header("{\"a\":5}", 0, ATTN_ERR_FORMAT, "tensor \"a\": expected an object, found number", NULL);
    refuse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4, ATTN_ERR_FORMAT,
                  "tensor \"a\": unknown field \"extra\"", NULL);
    refuse_header("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, ATTN_ERR_FORMAT, "tensor \"a\": missing \"shape\"", NULL);
    refuse_header("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, ATTN_ERR_FORMAT, "missing \"dtype\"", NULL);
    refuse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, ATTN_ERR_FORMAT, "missing \"data_offsets\"", NULL);
    refuse_header("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, ATTN_ERR_FORMAT, "dtype must be a string", NULL);
    refuse_header("{" T("a", "F33", "[1]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "tensor \"a\": unknown dtype \"F33\"", NULL);
    refuse_header("{" T("a", "f32", "[1]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "unknown dtype \"f32\"", NULL);
    refuse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4, ATTN_ERR_FORMAT, "shape must be an array", NULL);
}
END_TEST

START_TEST(shapes_must_be_small_non_negative_and_not_overflow)
{
    refuse_header("{" T("a", "F32", "[-1]", "[0,4]") "}", 4, ATTN_ERR_FORMAT,
                  "tensor \"a\": dimension 0 of the shape is not a non-negative integer", NULL);
    refuse_header("{" T("a", "F32", "[2,1.5]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "dimension 1", NULL);
    refuse_header("{" T("a", "F32", "[1e0]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "dimension 0", NULL);
    refuse_header("{" T("a", "F32", "[\"1\"]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "dimension 0", NULL);
    refuse_header("{" T("a", "F32", "[null]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "dimension 0", NULL);
    refuse_header("{" T("a", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}", 4, ATTN_ERR_LIMIT,
                  "tensor \"a\": rank 9 exceeds the limit of 8", NULL);
    refuse_header("{" T("a", "F32", "[4611686018427387904,4]", "[0,4]") "}", 4, ATTN_ERR_FORMAT,
                  "tensor \"a\": shape [4611686018427387904, 4] overflows the byte count", NULL);
    /* the element count fits but the byte count does not */
    refuse_header("{" T("a", "F32", "[4611686018427387904]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "overflows", NULL);
    refuse_header("{" T("a", "U8", "[4294967296,4294967296,4294967296]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "overflows", NULL);
    refuse_header("{" T("a", "U8", "[9223372036854775808]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "dimension 0", NULL);
    /* huge but fitting: caught by the data bounds */
    refuse_header("{" T("a", "U8", "[9223372036854775807]", "[0,9223372036854775807]") "}", 4, ATTN_ERR_FORMAT,
                  "reach past the end of the 4-byte data section", NULL);
    /* a zero dimension makes the tensor empty, but the other dimensions are
     * still strides of a tensor of that shape: their product must fit
     * (issue 13: this header once passed, and loading it overflowed the
     * stride computation, UBSan) */
    refuse_header("{" T("e", "F32", "[0,9223372036854775807,9223372036854775807]", "[0,0]") "," T("a", "F32", "[1]", "[0,4]") "}",
                  4, ATTN_ERR_FORMAT, "tensor \"e\": shape [0, 9223372036854775807, 9223372036854775807] overflows", NULL);
    refuse_header("{" T("e", "U8", "[4294967296,0,4294967296,4294967296]", "[0,0]") "}", 0, ATTN_ERR_FORMAT, "overflows",
                  NULL);
    accept_header("{" T("e", "F32", "[0,1073741824,1073741824]", "[0,0]") "," T("a", "F32", "[1]", "[0,4]") "}", 4, 2);
    {
        static const unsigned char four[4];
        st_bytes b = st_make("{" T("e", "F32", "[0,1073741824,1073741824]", "[0,0]") "," T("a", "F32", "[1]", "[0,4]") "}",
                             four, 4);
        attn_ctx *ctx = attn_test_ctx();
        attn_safetensors *st;
        attn_tensor *e;
        ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
        ATTN_ASSERT_OK(ctx, attn_safetensors_load(st, "e", ATTN_F32, &e));
        ck_assert_int_eq(attn_tensor_numel(e), 0);
        attn_tensor_destroy(e);
        attn_safetensors_close(st);
        st_free(&b);
        attn_ctx_destroy(ctx);
    }
    /* rank 0 is a scalar of one element */
    accept_header("{" T("s", "I64", "[]", "[0,8]") "}", 8, 1);
    refuse_header("{" T("s", "I64", "[]", "[0,0]") "}", 0, ATTN_ERR_FORMAT, "hold 0 bytes but I64 [] needs 8", NULL);
}
END_TEST

/* Peak bytes taken (the context's allocator statistics) while the reader
 * refuses or accepts header, a JSON text of about header_bytes bytes. */
static int64_t peak_of_header(const char *header, size_t data_len, attn_status want)
{
    static const unsigned char zeros[64];
    st_bytes b = st_make(header, zeros, data_len);
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st = NULL;
    attn_status got = attn_safetensors_open_memory(ctx, b.p, b.n, &st);
    ck_assert_msg(got == want, "status %d, expected %d: %s", (int)got, (int)want, attn_ctx_last_error(ctx));
    attn_safetensors_close(st);
    int64_t peak = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_PEAK_BYTES, &peak));
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
    st_free(&b);
    return peak;
}

/* issue 13: an 8 MB header describing one shape of 4.19 million items
 * peaked at 277 MB before the rank check refused it; the parser now stops
 * at the first item past the longest valid shape. Headers of many small
 * entries cost memory in proportion to their size, and the same factor
 * holds for a valid header of many tensors. */
START_TEST(a_huge_header_is_refused_before_it_is_built)
{
    const size_t items = (size_t)4 << 20; /* 4.19 M, the value limit of a header */
    size_t cap = 2 * items + 256;
    char *h = malloc(cap);
    ck_assert_ptr_nonnull(h);
    size_t n = (size_t)snprintf(h, cap, "{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1],\"shape\":[");
    for (size_t i = 0; i < items; i++) {
        h[n++] = '1';
        h[n++] = i + 1 < items ? ',' : ']';
    }
    n += (size_t)snprintf(h + n, cap - n, "}}");
    ck_assert_uint_ge(n, (size_t)8 << 20);
    int64_t peak = peak_of_header(h, 1, ATTN_ERR_LIMIT);
    fprintf(stderr, "# %zu-byte header, shape of %zu items: refused at a peak of %lld bytes\n", n, items, (long long)peak);
    ck_assert_int_lt(peak, 64 << 10);

    /* many members: metadata of 500,000 entries, and 100,000 valid tensors */
    n = (size_t)snprintf(h, cap, "{\"__metadata__\":{");
    for (int i = 0; i < 500000; i++) n += (size_t)snprintf(h + n, cap - n, "%s\"%d\":\"\"", i ? "," : "", i);
    n += (size_t)snprintf(h + n, cap - n, "},\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");
    peak = peak_of_header(h, 1, ATTN_OK);
    fprintf(stderr, "# %zu-byte header, 500,000 metadata entries: peak %lld bytes (%.1f per header byte)\n", n,
            (long long)peak, (double)peak / (double)n);
    ck_assert_int_lt(peak, (int64_t)(24 * n));
    free(h);
}
END_TEST

START_TEST(offsets_must_agree_with_the_shape_and_tile_the_data)
{
    refuse_header("{" T("a", "F32", "[1]", "[0]") "}", 4, ATTN_ERR_FORMAT,
                  "tensor \"a\": data_offsets must be two non-negative integers [begin, end]", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[0,4,8]") "}", 8, ATTN_ERR_FORMAT, "two non-negative integers", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[-4,0]") "}", 4, ATTN_ERR_FORMAT, "two non-negative integers", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[0,4.0]") "}", 4, ATTN_ERR_FORMAT, "two non-negative integers", NULL);
    refuse_header("{" T("a", "F32", "[1]", "{}") "}", 4, ATTN_ERR_FORMAT, "two non-negative integers", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[4,0]") "}", 4, ATTN_ERR_FORMAT, "data_offsets [4, 0] end before they begin", NULL);
    refuse_header("{" T("a", "F32", "[2]", "[0,8]") "}", 4, ATTN_ERR_FORMAT,
                  "tensor \"a\": data_offsets [0, 8] reach past the end of the 4-byte data section", NULL);
    refuse_header("{" T("a", "F32", "[3]", "[0,8]") "}", 8, ATTN_ERR_FORMAT,
                  "tensor \"a\": data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12", NULL);
    refuse_header("{" T("a", "BF16", "[3]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "BF16 [3] needs 6", NULL);
    refuse_header("{" T("a", "F32", "[2]", "[0,8]") "," T("b", "F32", "[2]", "[4,12]") "}", 12, ATTN_ERR_FORMAT,
                  "tensor \"b\" (bytes 4..12) overlaps tensor \"a\" (bytes 0..8)", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[0,4]") "," T("b", "F32", "[1]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "overlaps", NULL);
    /* an empty tensor inside another one is an overlap too (Hugging Face refuses it) */
    refuse_header("{" T("a", "F32", "[2]", "[0,8]") "," T("e", "F32", "[0]", "[4,4]") "}", 8, ATTN_ERR_FORMAT, "overlaps", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[0,4]") "," T("b", "F32", "[1]", "[8,12]") "}", 12, ATTN_ERR_FORMAT,
                  "bytes 4..8 of the data section belong to no tensor (a hole before tensor \"b\")", NULL);
    refuse_header("{" T("b", "F32", "[1]", "[4,8]") "}", 8, ATTN_ERR_FORMAT, "bytes 0..4", NULL);
    refuse_header("{" T("a", "F32", "[1]", "[0,4]") "}", 8, ATTN_ERR_FORMAT,
                  "the last 4 bytes of the data section belong to no tensor (trailing data after byte 4)", NULL);
    /* any order in the header is fine as long as the bytes tile */
    accept_header("{" T("b", "F32", "[1]", "[4,8]") "," T("a", "F32", "[1]", "[0,4]") "," T("e", "F32", "[0]", "[8,8]") "}", 8, 3);
}
END_TEST

START_TEST(names_and_metadata_are_checked)
{
    refuse_header("{" T("", "F32", "[1]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "a tensor has an empty name", NULL);
    refuse_header("{" T("a\\u0000b", "F32", "[1]", "[0,4]") "}", 4, ATTN_ERR_FORMAT, "tensor name \"a\" contains a NUL character", NULL);
    refuse_header("{\"__metadata__\":5}", 0, ATTN_ERR_FORMAT, "\"__metadata__\" must be an object of strings", NULL);
    refuse_header("{\"__metadata__\":{\"step\":5}}", 0, ATTN_ERR_FORMAT, "metadata \"step\" must be a string", NULL);
    refuse_header("{\"__metadata__\":{\"k\":\"a\\u0000\"}}", 0, ATTN_ERR_FORMAT, "metadata value \"a\" contains a NUL", NULL);
    refuse_header("{\"__metadata__\":{\"k\\u0000\":\"a\"}}", 0, ATTN_ERR_FORMAT, "metadata key", NULL);
    refuse_header("{\"__metadata__\":{\"attn.crc32c\":\"xyz\"}}", 0, ATTN_ERR_FORMAT,
                  "metadata \"attn.crc32c\" is \"xyz\", not 8 lowercase hex digits", NULL);
    refuse_header("{\"__metadata__\":{\"attn.crc32c\":\"0000000G\"}}", 0, ATTN_ERR_FORMAT, "not 8 lowercase hex digits", NULL);
    refuse_header("{\"__metadata__\":{\"attn.crc32c\":\"ABCDEF01\"}}", 0, ATTN_ERR_FORMAT, "not 8 lowercase hex digits", NULL);
    refuse_header("{\"__metadata__\":{\"attn.crc32c\":\"00000001\"}}", 0, ATTN_ERR_FORMAT,
                  "checksum mismatch: the data section's CRC-32C is 00000000 but the header records 00000001", NULL);
    accept_header("{\"__metadata__\":{\"attn.crc32c\":\"00000000\"}}", 0, 0);
    /* name length limits */
    size_t big = ATTN_SAFETENSORS_MAX_NAME + 1;
    char *h = malloc(big + 128);
    memcpy(h, "{\"", 2);
    memset(h + 2, 'n', big);
    strcpy(h + 2 + big, "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
    refuse_header(h, 4, ATTN_ERR_LIMIT, "tensor name \"nnnn", "is 4097 bytes long (limit 4096)");
    memcpy(h, "{\"__metadata__\":{\"", 18);
    memset(h + 18, 'k', big);
    strcpy(h + 18 + big, "\":\"v\"}}");
    refuse_header(h, 0, ATTN_ERR_LIMIT, "metadata key", "4097 bytes long");
    free(h);
}
END_TEST

START_TEST(too_many_tensors_is_a_limit)
{
    attn_ctx *ctx = attn_test_ctx();
    size_t n = (size_t)ATTN_SAFETENSORS_MAX_TENSORS + 1, cap = n * 64 + 16, used = 0;
    char *h = malloc(cap);
    used += (size_t)snprintf(h + used, cap - used, "{");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(h + used, cap - used, "%s\"%zx\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}",
                                 i ? "," : "", i);
    snprintf(h + used, cap - used, "}");
    st_bytes b = st_make(h, NULL, 0);
    free(h);
    attn_safetensors *st;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_LIMIT, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "<memory>: 262145 tensors exceed the limit of 262144");
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    st_free(&b);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(missing_files_directories_and_devices_are_io_errors)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/absent.safetensors", dir);
    attn_safetensors *st = (attn_safetensors *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_safetensors_open(ctx, path, &st));
    ck_assert_ptr_null(st);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    ck_assert_str_eq(attn_ctx_last_error(ctx), want);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_safetensors_open(ctx, dir, &st));
    snprintf(want, sizeof want, "%s: is a directory, not a safetensors file", dir);
    ck_assert_str_eq(attn_ctx_last_error(ctx), want);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_safetensors_open(ctx, "/dev/null", &st));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "/dev/null: is not a regular file");
    /* a FIFO with no writer is refused instead of blocking the open */
    snprintf(path, sizeof path, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_IO, attn_safetensors_open(ctx, path, &st));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "is not a regular file"));
    remove(path);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    remove(dir);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(a_memory_limit_fails_cleanly_while_opening)
{
    attn_ctx *ctx = attn_test_ctx();
    st_bytes f = st_read_file(attn_test_data("hf-bert-tiny/tiny_a.expected.safetensors"));
    int opened = 0;
    for (int64_t limit = 1024; !opened; limit += 4096) {
        ATTN_ASSERT_OK(ctx, attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, limit));
        attn_safetensors *st = (attn_safetensors *)1;
        attn_status s = attn_safetensors_open_memory(ctx, f.p, f.n, &st);
        if (s == ATTN_OK) {
            opened = 1;
            ck_assert_int_eq(attn_safetensors_count(st), 91);
            attn_safetensors_close(st);
        } else {
            ck_assert_int_eq(s, ATTN_ERR_NOMEM);
            ck_assert_ptr_null(st);
        }
        ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    }
    st_free(&f);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("safetensors_hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, truncation_at_every_length_is_refused);
    tcase_add_test(tc, every_flipped_data_bit_fails_the_checksum);
    tcase_add_test(tc, flipped_header_bits_never_crash_or_leak);
    tcase_add_test(tc, header_length_field_is_bounded);
    tcase_add_test(tc, header_must_be_a_json_object);
    tcase_add_test(tc, tensor_entries_are_checked_field_by_field);
    tcase_add_test(tc, shapes_must_be_small_non_negative_and_not_overflow);
    tcase_add_test(tc, a_huge_header_is_refused_before_it_is_built);
    tcase_add_test(tc, offsets_must_agree_with_the_shape_and_tile_the_data);
    tcase_add_test(tc, names_and_metadata_are_checked);
    tcase_add_test(tc, too_many_tensors_is_a_limit);
    tcase_add_test(tc, missing_files_directories_and_devices_are_io_errors);
    tcase_add_test(tc, a_memory_limit_fails_cleanly_while_opening);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
