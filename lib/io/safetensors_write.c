/* Writing safetensors files in Hugging Face's layout (see attn/io.h), with a
 * CRC-32C of the data section in the metadata, through an atomic file
 * replacement (lib/core/atomic_file.h). Tensor values are streamed from the
 * tensors' memory; strided views are gathered through a small buffer. */
#include <stdio.h>
#include <string.h>

#include "crc32c.h"
#include "core/atomic_file.h"
#include "json.h"
#include "safetensors_format.h"

#define GATHER_BYTES ((size_t)1 << 16)

typedef struct {
    char *name;
    const attn_tensor *t;
} w_tensor;

typedef struct {
    char *key, *value;
} w_meta;

struct attn_safetensors_writer {
    attn_ctx *ctx;
    w_tensor *tensors;
    int32_t count, cap;
    w_meta *meta;
    int32_t meta_count, meta_cap;
};

attn_status attn_safetensors_writer_create(attn_ctx *ctx, attn_safetensors_writer **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_writer_create: out is NULL");
    *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    attn_safetensors_writer *w = attn__calloc(ctx, 1, sizeof *w);
    if (!w) return ATTN_ERR_NOMEM;
    w->ctx = ctx;
    *out = w;
    return attn__ok(ctx);
}

void attn_safetensors_writer_destroy(attn_safetensors_writer *w)
{
    if (!w) return;
    attn_ctx *ctx = w->ctx;
    for (int32_t i = 0; i < w->count; i++) attn__free(ctx, w->tensors[i].name);
    for (int32_t i = 0; i < w->meta_count; i++) {
        attn__free(ctx, w->meta[i].key);
        attn__free(ctx, w->meta[i].value);
    }
    attn__free(ctx, w->tensors);
    attn__free(ctx, w->meta);
    attn__free(ctx, w);
}

/* Doubles *cap (from 16) and moves the array; elem bytes per entry. */
static attn_status grow(attn_ctx *ctx, void **arr, int32_t *cap, int32_t count, size_t elem)
{
    if (count < *cap) return ATTN_OK;
    int32_t ncap = *cap ? *cap * 2 : 16;
    void *n = attn__calloc(ctx, (size_t)ncap, elem);
    if (!n) return ATTN_ERR_NOMEM;
    if (count) memcpy(n, *arr, (size_t)count * elem);
    attn__free(ctx, *arr);
    *arr = n;
    *cap = ncap;
    return ATTN_OK;
}

static attn_status check_text(attn_ctx *ctx, const char *fn, const char *what, const char *s, size_t max)
{
    size_t n = strlen(s), bad;
    if (n > max)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: %s \"%.64s...\" is %zu bytes long (limit %zu)", fn, what, s, n, max);
    if (!attn__utf8_valid(s, n, &bad))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: %s is not valid UTF-8 (byte %zu)", fn, what, bad);
    return ATTN_OK;
}

attn_status attn_safetensors_writer_add(attn_safetensors_writer *w, const char *name, const attn_tensor *t)
{
    static const char fn[] = "attn_safetensors_writer_add";
    if (!w) return ATTN_ERR_INVALID_ARG;
    attn_ctx *ctx = w->ctx;
    if (!name || !t) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: name or tensor is NULL", fn);
    if (!*name) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: the name is empty", fn);
    if (strcmp(name, "__metadata__") == 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: \"__metadata__\" is reserved for the metadata", fn);
    ATTN_CHECK(check_text(ctx, fn, "the name", name, ATTN_SAFETENSORS_MAX_NAME));
    if (attn__st_dtype_of(t->dtype) < 0)
        return attn__fail(ctx, ATTN_ERR_DTYPE, "%s: tensor \"%s\" has unknown dtype %d", fn, name, (int)t->dtype);
    for (int32_t i = 0; i < w->count; i++)
        if (strcmp(w->tensors[i].name, name) == 0)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: a tensor named \"%s\" was already added", fn, name);
    if (w->count >= ATTN_SAFETENSORS_MAX_TENSORS)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: more than %d tensors", fn, ATTN_SAFETENSORS_MAX_TENSORS);
    ATTN_CHECK(grow(ctx, (void **)&w->tensors, &w->cap, w->count, sizeof *w->tensors));
    char *copy = attn__strdup(ctx, name);
    if (!copy) return ATTN_ERR_NOMEM;
    w->tensors[w->count].name = copy;
    w->tensors[w->count].t = t;
    w->count++;
    return attn__ok(ctx);
}

attn_status attn_safetensors_writer_set_metadata(attn_safetensors_writer *w, const char *key, const char *value)
{
    static const char fn[] = "attn_safetensors_writer_set_metadata";
    if (!w) return ATTN_ERR_INVALID_ARG;
    attn_ctx *ctx = w->ctx;
    if (!key || !value) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: key or value is NULL", fn);
    if (strcmp(key, ATTN_SAFETENSORS_CHECKSUM_KEY) == 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: \"%s\" is written by libattn itself", fn, key);
    ATTN_CHECK(check_text(ctx, fn, "the key", key, ATTN_SAFETENSORS_MAX_NAME));
    ATTN_CHECK(check_text(ctx, fn, "the value", value, ATTN_SAFETENSORS_MAX_HEADER));
    char *v = attn__strdup(ctx, value);
    if (!v) return ATTN_ERR_NOMEM;
    for (int32_t i = 0; i < w->meta_count; i++)
        if (strcmp(w->meta[i].key, key) == 0) {
            attn__free(ctx, w->meta[i].value);
            w->meta[i].value = v;
            return attn__ok(ctx);
        }
    char *k = attn__strdup(ctx, key);
    if (!k || grow(ctx, (void **)&w->meta, &w->meta_cap, w->meta_count, sizeof *w->meta) != ATTN_OK) {
        attn__free(ctx, k);
        attn__free(ctx, v);
        return ATTN_ERR_NOMEM;
    }
    w->meta[w->meta_count].key = k;
    w->meta[w->meta_count].value = v;
    w->meta_count++;
    return attn__ok(ctx);
}

/* Hugging Face's order: descending dtype rank (I64, F32, I32), then name. */
static int file_order(int32_t a, int32_t b, const void *user)
{
    const w_tensor *t = user;
    int32_t ra = attn__st_dtype(attn__st_dtype_of(t[a].t->dtype))->hf_rank;
    int32_t rb = attn__st_dtype(attn__st_dtype_of(t[b].t->dtype))->hf_rank;
    if (ra != rb) return ra > rb ? -1 : 1;
    return strcmp(t[a].name, t[b].name);
}

static int key_order(int32_t a, int32_t b, const void *user)
{
    const char *const *k = user;
    return strcmp(k[a], k[b]);
}

static uint64_t tensor_bytes(const attn_tensor *t)
{
    return (uint64_t)attn_tensor_numel(t) * attn_dtype_size(t->dtype);
}

/* The header JSON, padded with spaces to a multiple of 8. *crc_at receives
 * the position of the 8 checksum digits (written as zeros here). */
static attn_status build_header(attn_safetensors_writer *w, const int32_t *order, attn__strbuf *h, size_t *crc_at)
{
    attn_ctx *ctx = w->ctx;
    /* metadata: the user's entries, "format" unless set, and the checksum */
    int32_t n = w->meta_count + 2;
    const char **keys = attn__calloc(ctx, (size_t)n, sizeof *keys), **vals = attn__calloc(ctx, (size_t)n, sizeof *vals);
    int32_t *idx = attn__calloc(ctx, (size_t)n, sizeof *idx), *tmp = attn__calloc(ctx, (size_t)n, sizeof *tmp);
    attn_status s = ATTN_OK;
    if (!keys || !vals || !idx || !tmp) {
        s = ATTN_ERR_NOMEM;
        goto done;
    }
    int32_t m = 0, has_format = 0;
    for (int32_t i = 0; i < w->meta_count; i++) {
        keys[m] = w->meta[i].key;
        vals[m++] = w->meta[i].value;
        has_format |= strcmp(w->meta[i].key, "format") == 0;
    }
    if (!has_format) {
        keys[m] = "format";
        vals[m++] = "pt";
    }
    keys[m] = ATTN_SAFETENSORS_CHECKSUM_KEY;
    vals[m++] = "00000000";
    for (int32_t i = 0; i < m; i++) idx[i] = i;
    attn__sort_indices(idx, tmp, m, key_order, keys);

    attn__strbuf_append(h, "{\"__metadata__\":{", 17);
    for (int32_t i = 0; i < m; i++) {
        const char *k = keys[idx[i]], *v = vals[idx[i]];
        if (i) attn__strbuf_append(h, ",", 1);
        attn__json_append_string(h, k, strlen(k));
        attn__strbuf_append(h, ":", 1);
        if (strcmp(k, ATTN_SAFETENSORS_CHECKSUM_KEY) == 0) *crc_at = h->len + 1;
        attn__json_append_string(h, v, strlen(v));
    }
    attn__strbuf_append(h, "}", 1);
    uint64_t offset = 0;
    for (int32_t i = 0; i < w->count; i++) {
        const w_tensor *e = &w->tensors[order[i]];
        attn__strbuf_append(h, ",", 1);
        attn__json_append_string(h, e->name, strlen(e->name));
        attn__strbuf_appendf(h, ":{\"dtype\":\"%s\",\"shape\":[", attn__st_dtype(attn__st_dtype_of(e->t->dtype))->name);
        for (int32_t d = 0; d < e->t->rank; d++)
            attn__strbuf_appendf(h, d ? ",%lld" : "%lld", (long long)e->t->shape[d]);
        uint64_t end = offset + tensor_bytes(e->t);
        attn__strbuf_appendf(h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset, (unsigned long long)end);
        offset = end;
    }
    attn__strbuf_append(h, "}", 1);
    while (h->status == ATTN_OK && h->len % 8) attn__strbuf_append(h, " ", 1);
    s = h->status;
    if (s == ATTN_OK && h->len > ATTN_SAFETENSORS_MAX_HEADER)
        s = attn__fail(ctx, ATTN_ERR_LIMIT, "attn_safetensors_writer_save: the header would be %zu bytes (limit %d)",
                       h->len, ATTN_SAFETENSORS_MAX_HEADER);
done:
    attn__free(ctx, (void *)keys);
    attn__free(ctx, (void *)vals);
    attn__free(ctx, idx);
    attn__free(ctx, tmp);
    return s;
}

/* Feeds t's bytes in row-major order to sink: contiguous tensors in one
 * piece, strided views gathered through a small buffer. */
typedef attn_status (*sink_fn)(void *arg, const void *p, size_t n);

static attn_status stream_tensor(const attn_tensor *t, unsigned char *gather, sink_fn sink, void *arg)
{
    uint64_t bytes = tensor_bytes(t);
    if (bytes == 0) return ATTN_OK;
    if (attn_tensor_is_contiguous(t)) return sink(arg, attn_tensor_data((attn_tensor *)t), (size_t)bytes);
    size_t es = attn_dtype_size(t->dtype), used = 0;
    const unsigned char *base = t->storage->data;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        memcpy(gather + used, base + (size_t)attn__offset_of(t, idx) * es, es);
        used += es;
        if (used == GATHER_BYTES) {
            ATTN_CHECK(sink(arg, gather, used));
            used = 0;
        }
    } while (attn__index_next(idx, t->shape, t->rank));
    return sink(arg, gather, used);
}

static attn_status crc_sink(void *arg, const void *p, size_t n)
{
    uint32_t *crc = arg;
    *crc = attn__crc32c(*crc, p, n);
    return ATTN_OK;
}

static attn_status file_sink(void *arg, const void *p, size_t n)
{
    return attn__atomic_write(arg, p, n);
}

attn_status attn_safetensors_writer_save(attn_safetensors_writer *w, const char *path)
{
    if (!w) return ATTN_ERR_INVALID_ARG;
    attn_ctx *ctx = w->ctx;
    if (!path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_writer_save: path is NULL");
    /* the total must fit the 64-bit offsets and the file size */
    uint64_t total = 0;
    for (int32_t i = 0; i < w->count; i++) {
        uint64_t b = tensor_bytes(w->tensors[i].t);
        if (total > (uint64_t)INT64_MAX - ATTN_SAFETENSORS_MAX_HEADER - 8 - b)
            return attn__fail(ctx, ATTN_ERR_OVERFLOW, "attn_safetensors_writer_save: %s: the data exceed 2^63 bytes", path);
        total += b;
    }
    int32_t *order = attn__calloc(ctx, (size_t)w->count + 1, sizeof *order);
    int32_t *tmp = attn__calloc(ctx, (size_t)w->count + 1, sizeof *tmp);
    unsigned char *gather = attn__alloc(ctx, GATHER_BYTES);
    attn__strbuf h;
    attn__strbuf_init(&h, ctx);
    attn_status s = ATTN_OK;
    attn__atomic_file *f = NULL;
    if (!order || !tmp || !gather) {
        s = ATTN_ERR_NOMEM;
        goto done;
    }
    for (int32_t i = 0; i < w->count; i++) order[i] = i;
    attn__sort_indices(order, tmp, w->count, file_order, w->tensors);
    size_t crc_at = 0;
    if ((s = build_header(w, order, &h, &crc_at)) != ATTN_OK) goto done;
    /* the checksum goes in the header, which precedes the data: one pass
     * over memory to compute it, then one to write */
    uint32_t crc = 0;
    for (int32_t i = 0; i < w->count; i++) stream_tensor(w->tensors[order[i]].t, gather, crc_sink, &crc);
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", crc);
    memcpy(h.data + crc_at, hex, 8);

    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
    if ((s = attn__atomic_open(ctx, path, &f)) != ATTN_OK) goto done;
    attn__atomic_write(f, len8, 8);
    attn__atomic_write(f, h.data, h.len);
    for (int32_t i = 0; i < w->count && s == ATTN_OK; i++) s = stream_tensor(w->tensors[order[i]].t, gather, file_sink, f);
    /* the writes' first error sticks in f: commit reports it and removes the temporary */
    s = attn__atomic_commit(f);
    f = NULL;
done:
    attn__atomic_abort(f);
    attn__strbuf_free(&h);
    attn__free(ctx, order);
    attn__free(ctx, tmp);
    attn__free(ctx, gather);
    return s == ATTN_OK ? attn__ok(ctx) : s;
}
