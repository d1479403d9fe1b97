/* safetensors reading and writing: the Hugging Face files in tests/data
 * (names, shapes and values that numpy read independently), bit-identical
 * round trips, dtype conversions against hand-computed bit patterns,
 * strided tensors, and the argument errors of every public function.
 * Hostile files are in test_safetensors_hostile.c, saving failures and
 * PyTorch interop in test_safetensors_save.c. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "st_fixture.h"

static attn_tensor *load(attn_ctx *ctx, attn_safetensors *st, const char *name, attn_dtype dt)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_safetensors_load(st, name, dt, &t));
    return t;
}

START_TEST(reads_the_hugging_face_checkpoint)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, attn_test_data("hf-bert-tiny/tiny_a.safetensors"), &st));
    ck_assert_int_eq(attn_safetensors_count(st), 41);
    /* data-offset order, which Hugging Face writes sorted by name within a dtype */
    ck_assert_str_eq(attn_safetensors_name(st, 0), "bert.embeddings.LayerNorm.bias");
    ck_assert_str_eq(attn_safetensors_name(st, 40), "classifier.weight");
    ck_assert_ptr_null(attn_safetensors_name(st, 41));
    ck_assert_ptr_null(attn_safetensors_name(st, -1));
    int32_t idx, dt, rank;
    int64_t shape[ATTN_SAFETENSORS_MAX_RANK];
    ATTN_ASSERT_OK(ctx, attn_safetensors_find(st, "bert.embeddings.word_embeddings.weight", &idx));
    ck_assert_int_eq(idx, 4);
    ATTN_ASSERT_OK(ctx, attn_safetensors_info(st, idx, &dt, &rank, shape));
    ck_assert_int_eq(dt, ATTN_ST_F32);
    ck_assert_int_eq(rank, 2);
    ck_assert_int_eq(shape[0], 30522);
    ck_assert_int_eq(shape[1], 64);
    ck_assert_int_eq(shape[2], 0);
    /* values as numpy read them from the same bytes */
    attn_tensor *we = load(ctx, st, "bert.embeddings.word_embeddings.weight", ATTN_F32);
    const float *w = attn_tensor_data_f32(we);
    ck_assert_float_eq(w[0], 0.0f); /* the padding row */
    ck_assert_uint_eq(st_bits(w[64]), 0x3c9fe278u);
    ck_assert_uint_eq(st_bits(w[65]), 0x3d9fa64bu);
    ck_assert_uint_eq(st_bits(w[30522 * 64 - 1]), 0xbdb8ddbeu);
    double sum = 0;
    for (int64_t i = 0; i < 30522 * 64; i++) sum += w[i];
    ck_assert_double_eq_tol(sum, 10.828572928777511, 1e-9);
    attn_tensor *cw = load(ctx, st, "classifier.weight", ATTN_F32);
    ck_assert_int_eq(attn_tensor_dim(cw, 0), 3);
    ck_assert_int_eq(attn_tensor_dim(cw, 1), 64);
    const float *c = attn_tensor_data_f32(cw);
    ck_assert_uint_eq(st_bits(c[0]), 0x3da023c5u);
    ck_assert_uint_eq(st_bits(c[1]), 0xbc9106ebu);
    ck_assert_uint_eq(st_bits(c[2]), 0x3cb1d2d2u);
    ck_assert_uint_eq(st_bits(c[191]), 0xbdcaed70u);
    attn_tensor *ln = load(ctx, st, "bert.encoder.layer.1.output.LayerNorm.weight", ATTN_F32);
    sum = 0;
    for (int i = 0; i < 64; i++) sum += attn_tensor_data_f32(ln)[i];
    ck_assert_double_eq_tol(sum, 64.42971885204315, 1e-9);
    /* metadata as save_pretrained wrote it; no libattn checksum */
    ck_assert_int_eq(attn_safetensors_metadata_count(st), 1);
    ck_assert_str_eq(attn_safetensors_metadata_key(st, 0), "format");
    ck_assert_str_eq(attn_safetensors_metadata(st, "format"), "pt");
    ck_assert_ptr_null(attn_safetensors_metadata(st, ATTN_SAFETENSORS_CHECKSUM_KEY));
    ck_assert_ptr_null(attn_safetensors_metadata_key(st, 1));
    attn_tensor_destroy(we);
    attn_tensor_destroy(cw);
    attn_tensor_destroy(ln);
    attn_safetensors_close(st);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(reads_the_expected_outputs_file_with_int64_tensors)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, attn_test_data("hf-bert-tiny/tiny_a.expected.safetensors"), &st));
    ck_assert_int_eq(attn_safetensors_count(st), 91);
    ck_assert_str_eq(attn_safetensors_name(st, 0), "attention_mask"); /* I64 first */
    ck_assert_str_eq(attn_safetensors_metadata(st, "mode"), "eval (no dropout)");
    ck_assert_str_eq(attn_safetensors_metadata(st, "loss"), "cross_entropy mean");
    ck_assert_ptr_null(attn_safetensors_metadata(st, "format"));
    int32_t idx, dt;
    ATTN_ASSERT_OK(ctx, attn_safetensors_find(st, "input_ids", &idx));
    ATTN_ASSERT_OK(ctx, attn_safetensors_info(st, idx, &dt, NULL, NULL));
    ck_assert_int_eq(dt, ATTN_ST_I64);
    static const int64_t first[11] = {101, 2023, 2003, 1037, 7099, 6251, 2005, 3793, 5579, 1012, 102};
    attn_tensor *ids = load(ctx, st, "input_ids", ATTN_I64);
    attn_tensor *ids32 = load(ctx, st, "input_ids", ATTN_I32);
    ck_assert_int_eq(attn_tensor_dim(ids, 0), 4);
    ck_assert_int_eq(attn_tensor_dim(ids, 1), 40);
    const int64_t *p = attn_tensor_data(ids);
    const int32_t *p32 = attn_tensor_data(ids32);
    int64_t sum = 0;
    for (int i = 0; i < 160; i++) {
        if (i < 11) ck_assert_int_eq(p[i], first[i]);
        ck_assert_int_eq(p32[i], p[i]);
        sum += p[i];
    }
    ck_assert_int_eq(sum, 178735);
    attn_tensor *labels = load(ctx, st, "labels", ATTN_I32);
    const int32_t *l = attn_tensor_data(labels);
    ck_assert(l[0] == 0 && l[1] == 2 && l[2] == 1 && l[3] == 2);
    attn_tensor *loss = load(ctx, st, "loss", ATTN_F32);
    ck_assert_int_eq(attn_tensor_numel(loss), 1);
    ck_assert_uint_eq(st_bits(attn_tensor_data_f32(loss)[0]), 0x3f8f9386u);
    attn_tensor *logits = load(ctx, st, "logits", ATTN_F32);
    ck_assert_uint_eq(st_bits(attn_tensor_data_f32(logits)[2]), 0x3e106ef8u);
    /* an int tensor is not silently read as float, nor a float one as int */
    attn_tensor *bad = (attn_tensor *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_safetensors_load(st, "attention_mask", ATTN_F32, &bad));
    ck_assert_ptr_null(bad);
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "\"attention_mask\" is I64 in the file and cannot be read into a float32"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_safetensors_load(st, "logits", ATTN_I64, &bad));
    attn_tensor_destroy(ids);
    attn_tensor_destroy(ids32);
    attn_tensor_destroy(labels);
    attn_tensor_destroy(loss);
    attn_tensor_destroy(logits);
    attn_safetensors_close(st);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

static attn_tensor *make(attn_ctx *ctx, attn_dtype dt, int32_t rank, const int64_t *shape)
{
    attn_tensor *t;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, dt, rank, shape, &t));
    return t;
}

START_TEST(round_trip_is_bit_identical_for_every_dtype_and_rank)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/rt.safetensors", dir);
    int64_t s1[1] = {7}, s2[2] = {3, 5}, s3[3] = {2, 3, 4}, s4[4] = {2, 1, 3, 2}, s0[2] = {0, 3}, sb[2] = {5, 3};
    attn_tensor *f1 = make(ctx, ATTN_F32, 1, s1), *f3 = make(ctx, ATTN_F32, 3, s3), *f4 = make(ctx, ATTN_F32, 4, s4);
    attn_tensor *i2 = make(ctx, ATTN_I32, 2, s2), *l2 = make(ctx, ATTN_I64, 2, s2), *z = make(ctx, ATTN_F32, 2, s0);
    attn_tensor *base = make(ctx, ATTN_F32, 2, sb), *tv;
    /* specials survive bit for bit: -0, inf, a NaN payload, denormals, extremes */
    static const uint32_t specials[7] = {0x80000000u, 0x7f800000u, 0x7fa12345u, 0x00000001u, 0x807fffffu, 0x7f7fffffu, 0x3eaaaaabu};
    memcpy(attn_tensor_data(f1), specials, sizeof specials);
    attn_test_fill_random(attn_tensor_data_f32(f3), 24, 1);
    attn_test_fill_random(attn_tensor_data_f32(f4), 12, 2);
    attn_test_fill_random(attn_tensor_data_f32(base), 15, 3);
    int32_t *pi = attn_tensor_data(i2);
    int64_t *pl = attn_tensor_data(l2);
    for (int k = 0; k < 15; k++) {
        pi[k] = k == 0 ? INT32_MIN : k == 1 ? INT32_MAX : k * 1000003 - 7;
        pl[k] = k == 0 ? INT64_MIN : k == 1 ? INT64_MAX : (int64_t)k << 40;
    }
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(base, 0, 1, &tv)); /* [3, 5], strided */
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "f.rank1", f1));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "f.rank3", f3));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "f.rank4", f4));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "ids32", i2));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "ids64", l2));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "empty", z));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "transposed", tv));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "caf\xc3\xa9 \"quoted\"\n", f1));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "step", "1200"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "note", "tab\there \xe2\x9c\x93"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));

    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    ck_assert_int_eq(attn_safetensors_count(st), 8);
    /* Hugging Face order: I64, then F32 by name, then I32 */
    static const char *order[8] = {"ids64", "caf\xc3\xa9 \"quoted\"\n", "empty", "f.rank1", "f.rank3", "f.rank4", "transposed", "ids32"};
    for (int k = 0; k < 8; k++) ck_assert_str_eq(attn_safetensors_name(st, k), order[k]);
    ck_assert_str_eq(attn_safetensors_metadata(st, "step"), "1200");
    ck_assert_str_eq(attn_safetensors_metadata(st, "note"), "tab\there \xe2\x9c\x93");
    ck_assert_str_eq(attn_safetensors_metadata(st, "format"), "pt");
    ck_assert_int_eq(attn_safetensors_metadata_count(st), 4);
    const char *crc = attn_safetensors_metadata(st, ATTN_SAFETENSORS_CHECKSUM_KEY);
    ck_assert_ptr_nonnull(crc);
    ck_assert_uint_eq(strlen(crc), 8);
    /* metadata keys come back in byte order */
    ck_assert_str_eq(attn_safetensors_metadata_key(st, 0), ATTN_SAFETENSORS_CHECKSUM_KEY);
    ck_assert_str_eq(attn_safetensors_metadata_key(st, 1), "format");
    ck_assert_str_eq(attn_safetensors_metadata_key(st, 2), "note");
    ck_assert_str_eq(attn_safetensors_metadata_key(st, 3), "step");

    attn_tensor *r;
    r = load(ctx, st, "f.rank1", ATTN_F32);
    ck_assert_mem_eq(attn_tensor_data(r), specials, sizeof specials);
    attn_tensor_destroy(r);
    r = load(ctx, st, "caf\xc3\xa9 \"quoted\"\n", ATTN_F32);
    ck_assert_mem_eq(attn_tensor_data(r), specials, sizeof specials);
    attn_tensor_destroy(r);
    r = load(ctx, st, "f.rank3", ATTN_F32);
    ck_assert_int_eq(attn_tensor_rank(r), 3);
    ck_assert_mem_eq(attn_tensor_data(r), attn_tensor_data(f3), 24 * 4);
    attn_tensor_destroy(r);
    r = load(ctx, st, "f.rank4", ATTN_F32);
    ck_assert_int_eq(attn_tensor_rank(r), 4);
    ck_assert_int_eq(attn_tensor_dim(r, 1), 1);
    ck_assert_mem_eq(attn_tensor_data(r), attn_tensor_data(f4), 12 * 4);
    attn_tensor_destroy(r);
    r = load(ctx, st, "ids32", ATTN_I32);
    ck_assert_mem_eq(attn_tensor_data(r), pi, 15 * 4);
    attn_tensor_destroy(r);
    r = load(ctx, st, "ids64", ATTN_I64);
    ck_assert_mem_eq(attn_tensor_data(r), pl, 15 * 8);
    attn_tensor_destroy(r);
    r = load(ctx, st, "empty", ATTN_F32);
    ck_assert_int_eq(attn_tensor_dim(r, 0), 0);
    ck_assert_int_eq(attn_tensor_dim(r, 1), 3);
    attn_tensor_destroy(r);
    /* the strided view was written in row-major order of the view */
    r = load(ctx, st, "transposed", ATTN_F32);
    const float *pb = attn_tensor_data_f32(base), *pr = attn_tensor_data_f32(r);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 5; b++) ck_assert_uint_eq(st_bits(pr[a * 5 + b]), st_bits(pb[b * 3 + a]));
    attn_tensor_destroy(r);
    attn_safetensors_close(st);

    /* the same bytes through open_memory give the same tensors */
    st_bytes file = st_read_file(path);
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, file.p, file.n, &st));
    ck_assert_int_eq(attn_safetensors_count(st), 8);
    r = load(ctx, st, "ids64", ATTN_I64);
    ck_assert_mem_eq(attn_tensor_data(r), pl, 15 * 8);
    attn_tensor_destroy(r);
    attn_safetensors_close(st);
    /* the header is padded to 8 bytes, with __metadata__ first */
    uint64_t n = 0;
    for (int k = 7; k >= 0; k--) n = n << 8 | file.p[k];
    ck_assert_uint_eq(n % 8, 0);
    ck_assert_mem_eq(file.p + 8, "{\"__metadata__\":{\"attn.crc32c\":\"", 32);
    size_t last = 8 + n - 1;
    while (file.p[last] == ' ') last--;
    ck_assert_int_eq(file.p[last], '}');
    ck_assert_uint_lt(8 + n - 1 - last, 8);
    st_free(&file);

    /* saving again replaces the file */
    attn_tensor_fill(f3, 0.5);
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    r = load(ctx, st, "f.rank3", ATTN_F32);
    ck_assert_float_eq(attn_tensor_data_f32(r)[23], 0.5f);
    attn_tensor_destroy(r);
    attn_safetensors_close(st);

    attn_safetensors_writer_destroy(w);
    attn_tensor_destroy(f1);
    attn_tensor_destroy(f3);
    attn_tensor_destroy(f4);
    attn_tensor_destroy(i2);
    attn_tensor_destroy(l2);
    attn_tensor_destroy(z);
    attn_tensor_destroy(tv);
    attn_tensor_destroy(base);
    remove(path);
    remove(dir);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(half_bfloat_and_double_widen_to_the_expected_bits)
{
    /* hand-computed: binary16 1, -2, 65504, 2^-24, largest subnormal
     * 1023*2^-24, 2^-14, +inf, -inf, quiet NaN, NaN with payload 0x101, -0,
     * 0x3555, -2^-24 */
    static const uint16_t f16[13] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x7C00,
                                     0xFC00, 0x7E00, 0x7D01, 0x8000, 0x3555, 0x8001};
    static const uint32_t f16_want[13] = {0x3F800000, 0xC0000000, 0x477FE000, 0x33800000, 0x387FC000,
                                          0x38800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7FA02000,
                                          0x80000000, 0x3EAAA000, 0xB3800000};
    static const uint16_t bf16[5] = {0x3F80, 0xC2F7, 0x7F80, 0xFFC1, 0x0001};
    static const uint32_t bf16_want[5] = {0x3F800000, 0xC2F70000, 0x7F800000, 0xFFC10000, 0x00010000};
    const double f64[6] = {1.0 / 3.0, -0.0, 1e-50, (double)FLT_MAX, INFINITY, -2.5};
    static const uint32_t f64_want[6] = {0x3EAAAAAB, 0x80000000, 0x00000000, 0x7F7FFFFF, 0x7F800000, 0xC0200000};
    unsigned char data[26 + 10 + 48];
    memcpy(data, f16, 26);
    memcpy(data + 26, bf16, 10);
    memcpy(data + 36, f64, 48); /* unaligned on purpose */
    st_bytes b = st_make("{\"h\":{\"dtype\":\"F16\",\"shape\":[13],\"data_offsets\":[0,26]},"
                         "\"b\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[26,36]},"
                         "\"d\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[36,84]}}",
                         data, sizeof data);
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    attn_tensor *t = load(ctx, st, "h", ATTN_F32);
    for (int i = 0; i < 13; i++)
        ck_assert_msg(st_bits(attn_tensor_data_f32(t)[i]) == f16_want[i], "F16 0x%04x gave 0x%08x, want 0x%08x", f16[i],
                      st_bits(attn_tensor_data_f32(t)[i]), f16_want[i]);
    attn_tensor_destroy(t);
    t = load(ctx, st, "b", ATTN_F32);
    for (int i = 0; i < 5; i++) ck_assert_uint_eq(st_bits(attn_tensor_data_f32(t)[i]), bf16_want[i]);
    attn_tensor_destroy(t);
    t = load(ctx, st, "d", ATTN_F32);
    for (int i = 0; i < 6; i++) ck_assert_uint_eq(st_bits(attn_tensor_data_f32(t)[i]), f64_want[i]);
    attn_tensor_destroy(t);
    /* half precision into a strided view lands element by element */
    int64_t s[2] = {3, 2};
    attn_tensor *base = make(ctx, ATTN_F32, 2, s), *v;
    ATTN_ASSERT_OK(ctx, attn_tensor_view_transpose(base, 0, 1, &v)); /* [2, 3] */
    ATTN_ASSERT_OK(ctx, attn_safetensors_read(st, "d", v));
    const float *pb = attn_tensor_data_f32(base);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) ck_assert_uint_eq(st_bits(pb[j * 2 + i]), f64_want[i * 3 + j]);
    attn_tensor_destroy(v);
    attn_tensor_destroy(base);
    attn_safetensors_close(st);
    st_free(&b);

    /* a finite double beyond the float range is refused, naming the element */
    const double big[3] = {1.0, 2.0, 1e300};
    b = st_make("{\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}", big, sizeof big);
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_load(st, "d", ATTN_F32, &t));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "<memory>: tensor \"d\": element 2 (1e+300) is beyond the float range");
    attn_safetensors_close(st);
    st_free(&b);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(integer_files_convert_with_range_checks)
{
    unsigned char data[64];
    size_t o = 0;
    const int16_t i16[2] = {-32768, 32767};
    const uint16_t u16[2] = {0, 65535};
    const uint32_t u32[2] = {4000000000u, 7};
    const int8_t i8[2] = {-128, 127};
    const uint8_t u8[2] = {0, 255}, bools[2] = {1, 0};
    const int32_t i32[2] = {INT32_MIN, 5};
    memcpy(data + o, i16, 4), o += 4;
    memcpy(data + o, u16, 4), o += 4;
    memcpy(data + o, u32, 8), o += 8;
    memcpy(data + o, i8, 2), o += 2;
    memcpy(data + o, u8, 2), o += 2;
    memcpy(data + o, bools, 2), o += 2;
    memcpy(data + o, i32, 8), o += 8;
    ck_assert_uint_eq(o, 30);
    st_bytes b = st_make("{\"i16\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                         "\"u16\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                         "\"u32\":{\"dtype\":\"U32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                         "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[16,18]},"
                         "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[18,20]},"
                         "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[20,22]},"
                         "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[22,30]}}",
                         data, 30);
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    struct { const char *name; int64_t a, b; } want[7] = {
        {"i16", -32768, 32767}, {"u16", 0, 65535}, {"u32", 4000000000LL, 7}, {"i8", -128, 127},
        {"u8", 0, 255}, {"bool", 1, 0}, {"i32", INT32_MIN, 5}};
    for (int k = 0; k < 7; k++) {
        attn_tensor *t = load(ctx, st, want[k].name, ATTN_I64);
        const int64_t *p = attn_tensor_data(t);
        ck_assert_int_eq(p[0], want[k].a);
        ck_assert_int_eq(p[1], want[k].b);
        attn_tensor_destroy(t);
        if (k == 2) continue; /* 4e9 does not fit int32 */
        t = load(ctx, st, want[k].name, ATTN_I32);
        ck_assert_int_eq(((const int32_t *)attn_tensor_data(t))[0], want[k].a);
        attn_tensor_destroy(t);
    }
    attn_tensor *t = (attn_tensor *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_load(st, "u32", ATTN_I32, &t));
    ck_assert_ptr_null(t);
    ck_assert_str_eq(attn_ctx_last_error(ctx), "<memory>: tensor \"u32\": element 0 of the U32 data does not fit int32");
    attn_safetensors_close(st);
    st_free(&b);

    /* U64 above INT64_MAX, I64 beyond int32, BOOL other than 0/1 */
    const uint64_t u64[2] = {1, (uint64_t)1 << 63};
    const int64_t i64[2] = {-1, (int64_t)1 << 40};
    const uint8_t badbool[1] = {2};
    memcpy(data, u64, 16);
    memcpy(data + 16, i64, 16);
    memcpy(data + 32, badbool, 1);
    b = st_make("{\"u64\":{\"dtype\":\"U64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                "\"i64\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]},"
                "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[32,33]}}",
                data, 33);
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_load(st, "u64", ATTN_I64, &t));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "element 1 of the U64 data does not fit int64"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_load(st, "i64", ATTN_I32, &t));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "element 1 of the I64 data does not fit int32"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_load(st, "bool", ATTN_I32, &t));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "a boolean (0 or 1)"));
    t = load(ctx, st, "i64", ATTN_I64);
    ck_assert_int_eq(((const int64_t *)attn_tensor_data(t))[1], (int64_t)1 << 40);
    attn_tensor_destroy(t);
    attn_safetensors_close(st);
    st_free(&b);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(shapes_must_match_and_scalars_read_as_one_element)
{
    const float vals[7] = {1, 2, 3, 4, 5, 6, 42};
    st_bytes b = st_make("{\"m\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                         "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]},"
                         "\"r5\":{\"dtype\":\"F8_E4M3\",\"shape\":[1,1,1,1,0],\"data_offsets\":[28,28]}}",
                         vals, sizeof vals);
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    int64_t s32[2] = {3, 2}, s23[2] = {2, 3}, s6[1] = {6}, s1[1] = {1};
    attn_tensor *t32 = make(ctx, ATTN_F32, 2, s32), *t23 = make(ctx, ATTN_F32, 2, s23), *t6 = make(ctx, ATTN_F32, 1, s6);
    attn_tensor *t1 = make(ctx, ATTN_F32, 1, s1);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_safetensors_read(st, "m", t32));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "<memory>: tensor \"m\" is F32 [2, 3] in the file but the destination is [3, 2]");
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_safetensors_read(st, "m", t6));
    ATTN_ASSERT_OK(ctx, attn_safetensors_read(st, "m", t23));
    ck_assert_float_eq(attn_tensor_data_f32(t23)[5], 6.0f);
    /* a rank-0 scalar reads into [1] and loads as [1] */
    ATTN_ASSERT_OK(ctx, attn_safetensors_read(st, "s", t1));
    ck_assert_float_eq(attn_tensor_data_f32(t1)[0], 42.0f);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_SHAPE, attn_safetensors_read(st, "s", t6));
    attn_tensor *ld;
    ATTN_ASSERT_OK(ctx, attn_safetensors_load(st, "s", ATTN_F32, &ld));
    ck_assert_int_eq(attn_tensor_rank(ld), 1);
    ck_assert_int_eq(attn_tensor_dim(ld, 0), 1);
    attn_tensor_destroy(ld);
    int32_t idx, dt, rank;
    int64_t shape[ATTN_SAFETENSORS_MAX_RANK];
    ATTN_ASSERT_OK(ctx, attn_safetensors_find(st, "s", &idx));
    ATTN_ASSERT_OK(ctx, attn_safetensors_info(st, idx, &dt, &rank, shape));
    ck_assert_int_eq(rank, 0);
    /* rank 5 and an 8-bit float: visible, not loadable */
    ATTN_ASSERT_OK(ctx, attn_safetensors_find(st, "r5", &idx));
    ATTN_ASSERT_OK(ctx, attn_safetensors_info(st, idx, &dt, &rank, shape));
    ck_assert_int_eq(dt, ATTN_ST_F8_E4M3);
    ck_assert_str_eq(attn_safetensors_dtype_name(dt), "F8_E4M3");
    ck_assert_int_eq(rank, 5);
    ck_assert_int_eq(shape[4], 0);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_UNSUPPORTED, attn_safetensors_load(st, "r5", ATTN_F32, &ld));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "rank 5"));
    attn_tensor_destroy(t32);
    attn_tensor_destroy(t23);
    attn_tensor_destroy(t6);
    attn_tensor_destroy(t1);
    attn_safetensors_close(st);
    st_free(&b);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(reader_arguments_are_checked)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors *st = (attn_safetensors *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_open(ctx, NULL, &st));
    ck_assert_ptr_null(st);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_open(ctx, "x", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_open(NULL, "x", &st));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_open_memory(ctx, NULL, 10, &st));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_open_memory(ctx, "x", 1, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_open_memory(NULL, "x", 1, &st));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_FORMAT, attn_safetensors_open_memory(ctx, NULL, 0, &st));
    ck_assert_ptr_null(st);

    const float v[2] = {1, 2};
    st_bytes b = st_make("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", v, 8);
    ATTN_ASSERT_OK(ctx, attn_safetensors_open_memory(ctx, b.p, b.n, &st));
    int32_t idx = 5;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_safetensors_find(st, "b", &idx));
    ck_assert_str_eq(attn_ctx_last_error(ctx), "<memory>: no tensor named \"b\"");
    ck_assert_int_eq(idx, -1);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_find(st, NULL, &idx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_find(st, "a", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_find(NULL, "a", &idx));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_info(st, 1, NULL, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_RANGE, attn_safetensors_info(st, -1, NULL, NULL, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_info(NULL, 0, NULL, NULL, NULL));
    ATTN_ASSERT_OK(ctx, attn_safetensors_info(st, 0, NULL, NULL, NULL));
    int64_t s2[1] = {2};
    attn_tensor *t = make(ctx, ATTN_F32, 1, s2), *out = (attn_tensor *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_safetensors_read(st, "zz", t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_read(st, NULL, t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_read(st, "a", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_read(NULL, "a", t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_NOT_FOUND, attn_safetensors_load(st, "zz", ATTN_F32, &out));
    ck_assert_ptr_null(out);
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_load(st, NULL, ATTN_F32, &out));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_load(st, "a", ATTN_F32, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_load(NULL, "a", ATTN_F32, &out));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_DTYPE, attn_safetensors_load(st, "a", (attn_dtype)9, &out));
    ck_assert_int_eq(attn_safetensors_count(NULL), 0);
    ck_assert_ptr_null(attn_safetensors_name(NULL, 0));
    ck_assert_ptr_null(attn_safetensors_metadata(NULL, "format"));
    ck_assert_ptr_null(attn_safetensors_metadata(st, NULL));
    ck_assert_ptr_null(attn_safetensors_metadata(st, "format")); /* this file has no metadata */
    ck_assert_int_eq(attn_safetensors_metadata_count(st), 0);
    ck_assert_int_eq(attn_safetensors_metadata_count(NULL), 0);
    ck_assert_ptr_null(attn_safetensors_metadata_key(st, 0));
    ck_assert_ptr_null(attn_safetensors_metadata_key(NULL, 0));
    ck_assert_str_eq(attn_safetensors_dtype_name(ATTN_ST_BF16), "BF16");
    ck_assert_str_eq(attn_safetensors_dtype_name(ATTN_ST_BOOL), "BOOL");
    ck_assert_ptr_null(attn_safetensors_dtype_name(15));
    ck_assert_ptr_null(attn_safetensors_dtype_name(-1));
    attn_tensor_destroy(t);
    attn_safetensors_close(st);
    attn_safetensors_close(NULL);
    st_free(&b);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(writer_refuses_bad_names_and_reserved_keys)
{
    attn_ctx *ctx = attn_test_ctx();
    attn_safetensors_writer *w = (attn_safetensors_writer *)1;
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_create(ctx, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_create(NULL, &w));
    ck_assert_ptr_null(w);
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    int64_t s[1] = {2};
    attn_tensor *t = make(ctx, ATTN_F32, 1, s);
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, "a", t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, "a", t));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "\"a\" was already added"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, "", t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, "__metadata__", t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, "bad\xff", t));
    ck_assert_ptr_nonnull(strstr(attn_ctx_last_error(ctx), "not valid UTF-8"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, NULL, t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, "b", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(NULL, "b", t));
    char longname[ATTN_SAFETENSORS_MAX_NAME + 2];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_add(w, longname, t));
    longname[ATTN_SAFETENSORS_MAX_NAME] = '\0';
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_add(w, longname, t));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_set_metadata(w, ATTN_SAFETENSORS_CHECKSUM_KEY, "0"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_set_metadata(w, "k", "\xc3"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_set_metadata(w, "\xc3", "v"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_set_metadata(w, NULL, "v"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_set_metadata(w, "k", NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_set_metadata(NULL, "k", "v"));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_save(w, NULL));
    ATTN_ASSERT_FAILS(ctx, ATTN_ERR_INVALID_ARG, attn_safetensors_writer_save(NULL, "x"));
    /* setting a key twice keeps the last value; "format" may be replaced */
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "k", "1"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "k", "2"));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_set_metadata(w, "format", "attn"));
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/w.safetensors", dir);
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    ck_assert_str_eq(attn_safetensors_metadata(st, "k"), "2");
    ck_assert_str_eq(attn_safetensors_metadata(st, "format"), "attn");
    ck_assert_int_eq(attn_safetensors_metadata_count(st), 3);
    ck_assert_int_eq(attn_safetensors_count(st), 2);
    int32_t idx;
    ATTN_ASSERT_OK(ctx, attn_safetensors_find(st, longname, &idx));
    attn_safetensors_close(st);
    attn_safetensors_writer_destroy(w);
    attn_safetensors_writer_destroy(NULL);
    attn_tensor_destroy(t);
    remove(path);
    remove(dir);
    ck_assert_int_eq(st_bytes_in_use(ctx), 0);
    attn_ctx_destroy(ctx);
}
END_TEST

START_TEST(an_empty_writer_saves_a_valid_file)
{
    attn_ctx *ctx = attn_test_ctx();
    const char *dir = attn_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/empty.safetensors", dir);
    attn_safetensors_writer *w;
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_create(ctx, &w));
    ATTN_ASSERT_OK(ctx, attn_safetensors_writer_save(w, path));
    attn_safetensors *st;
    ATTN_ASSERT_OK(ctx, attn_safetensors_open(ctx, path, &st));
    ck_assert_int_eq(attn_safetensors_count(st), 0);
    ck_assert_str_eq(attn_safetensors_metadata(st, "format"), "pt");
    /* CRC-32C of no bytes */
    ck_assert_str_eq(attn_safetensors_metadata(st, ATTN_SAFETENSORS_CHECKSUM_KEY), "00000000");
    attn_safetensors_close(st);
    st_bytes f = st_read_file(path);
    ck_assert_uint_eq(f.n, 8 + 64);
    ck_assert_mem_eq(f.p + 8, "{\"__metadata__\":{\"attn.crc32c\":\"00000000\",\"format\":\"pt\"}}", 57);
    st_free(&f);
    attn_safetensors_writer_destroy(w);
    remove(path);
    remove(dir);
    attn_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("safetensors");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, reads_the_hugging_face_checkpoint);
    tcase_add_test(tc, reads_the_expected_outputs_file_with_int64_tensors);
    tcase_add_test(tc, round_trip_is_bit_identical_for_every_dtype_and_rank);
    tcase_add_test(tc, half_bfloat_and_double_widen_to_the_expected_bits);
    tcase_add_test(tc, integer_files_convert_with_range_checks);
    tcase_add_test(tc, shapes_must_match_and_scalars_read_as_one_element);
    tcase_add_test(tc, reader_arguments_are_checked);
    tcase_add_test(tc, writer_refuses_bad_names_and_reserved_keys);
    tcase_add_test(tc, an_empty_writer_saves_a_valid_file);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
