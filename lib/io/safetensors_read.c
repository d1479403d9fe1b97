/* Reading safetensors files: validation of the header against every rule in
 * attn/io.h, the checksum, lookups, and reading tensors into attn tensors
 * with dtype conversion. Tensor bytes go from the file straight into the
 * destination when no conversion is needed, else through a small buffer. */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "file.h"
#include "json.h"
#include "safetensors_format.h"

#define CHUNK_BYTES ((size_t)1 << 16)       /* conversion buffer */
#define CHECKSUM_CHUNK ((size_t)1 << 20)    /* read size while verifying */
#define METADATA_KEY "__metadata__"

typedef struct {
    const char *name;     /* in the pool */
    int32_t dtype;        /* attn_st_dtype */
    int32_t rank;
    int64_t shape[ATTN_SAFETENSORS_MAX_RANK];
    uint64_t begin, end;  /* within the data section */
} st_tensor;

struct attn_safetensors {
    attn_ctx *ctx;
    char *path;                   /* for messages; "<memory>" */
    int fd;                       /* -1 when reading from memory */
    const unsigned char *mem;     /* the whole file when reading from memory */
    uint64_t data_start, data_len;
    int32_t count;
    st_tensor *tensors;           /* in data-offset order */
    int32_t *by_name;             /* tensor indices sorted by name */
    int32_t meta_count;
    const char **meta_keys, **meta_values; /* sorted by key */
    char *pool;                   /* names, keys and values */
};

/* ---- reading bytes ---- */

static attn_status read_data(attn_safetensors *st, uint64_t offset, void *dst, size_t n)
{
    if (st->mem) {
        memcpy(dst, st->mem + st->data_start + offset, n);
        return ATTN_OK;
    }
    return attn__file_pread(st->ctx, st->fd, st->path, dst, n, st->data_start + offset);
}

/* ---- header validation ---- */

typedef struct {
    attn_safetensors *st;
    attn__json_doc *doc;
} checker;

static void shape_str(const int64_t *shape, int32_t rank, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "[");
    for (int32_t i = 0; i < rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (used < n) snprintf(buf + used, n - used, "]");
}

static attn_status parse_tensor(checker *c, const char *name, const attn__json *v, st_tensor *t)
{
    attn_safetensors *st = c->st;
    const char *p = st->path;
    if (attn__json_type_of(v) != ATTN_JSON_OBJECT)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": expected an object, found %s", p, name,
                          attn__json_type_name(attn__json_type_of(v)));
    const attn__json *dtype = NULL, *shape = NULL, *offsets = NULL;
    for (size_t i = 0; i < attn__json_object_size(v); i++) {
        size_t kl;
        const char *k = attn__json_object_key(v, i, &kl);
        const attn__json *val = attn__json_object_value(v, i);
        if (kl == 5 && memcmp(k, "dtype", 5) == 0) dtype = val;
        else if (kl == 5 && memcmp(k, "shape", 5) == 0) shape = val;
        else if (kl == 12 && memcmp(k, "data_offsets", 12) == 0) offsets = val;
        else
            return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": unknown field \"%.64s\"", p, name, k);
    }
    if (!dtype || !shape || !offsets)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": missing \"%s\"", p, name,
                          !dtype ? "dtype" : !shape ? "shape" : "data_offsets");

    size_t dl;
    const char *ds = attn__json_get_string(dtype, &dl);
    if (!ds) return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": dtype must be a string", p, name);
    t->dtype = attn__st_dtype_parse(ds, dl);
    if (t->dtype < 0)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": unknown dtype \"%.32s\"", p, name, ds);
    size_t elem = attn__st_dtype(t->dtype)->size;

    if (attn__json_type_of(shape) != ATTN_JSON_ARRAY)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": shape must be an array", p, name);
    size_t rank = attn__json_array_size(shape);
    if (rank > ATTN_SAFETENSORS_MAX_RANK)
        return attn__fail(st->ctx, ATTN_ERR_LIMIT, "%s: tensor \"%s\": rank %zu exceeds the limit of %d", p, name,
                          rank, ATTN_SAFETENSORS_MAX_RANK);
    t->rank = (int32_t)rank;
    uint64_t numel = 1;
    int overflow = 0;
    for (size_t i = 0; i < rank; i++) {
        int64_t d;
        if (!attn__json_get_int64(attn__json_array_at(shape, i), &d) || d < 0)
            return attn__fail(st->ctx, ATTN_ERR_FORMAT,
                              "%s: tensor \"%s\": dimension %zu of the shape is not a non-negative integer", p, name, i);
        t->shape[i] = d;
        if (d == 0) continue;
        if (numel > (uint64_t)INT64_MAX / (uint64_t)d) overflow = 1;
        else numel *= (uint64_t)d;
    }
    char sb[200];
    shape_str(t->shape, t->rank, sb, sizeof sb);
    /* a zero dimension makes the byte count 0, but not the strides of a
     * tensor of that shape: the product of the other dimensions must fit
     * too (overflow was computed skipping zeros) */
    for (size_t i = 0; i < rank; i++)
        if (t->shape[i] == 0) numel = 0;
    if (overflow || numel > (uint64_t)INT64_MAX / elem)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": shape %s overflows the byte count (zero dimensions aside)", p, name, sb);
    uint64_t bytes = numel * elem;

    int64_t b, e;
    if (attn__json_array_size(offsets) != 2 || !attn__json_get_int64(attn__json_array_at(offsets, 0), &b) ||
        !attn__json_get_int64(attn__json_array_at(offsets, 1), &e) || b < 0 || e < 0)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT,
                          "%s: tensor \"%s\": data_offsets must be two non-negative integers [begin, end]", p, name);
    if (b > e)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: tensor \"%s\": data_offsets [%lld, %lld] end before they begin",
                          p, name, (long long)b, (long long)e);
    if ((uint64_t)e > st->data_len)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT,
                          "%s: tensor \"%s\": data_offsets [%lld, %lld] reach past the end of the %llu-byte data section",
                          p, name, (long long)b, (long long)e, (unsigned long long)st->data_len);
    if ((uint64_t)(e - b) != bytes)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT,
                          "%s: tensor \"%s\": data_offsets [%lld, %lld] hold %lld bytes but %s %s needs %llu", p, name,
                          (long long)b, (long long)e, (long long)(e - b), attn__st_dtype(t->dtype)->name, sb,
                          (unsigned long long)bytes);
    t->begin = (uint64_t)b;
    t->end = (uint64_t)e;
    return ATTN_OK;
}

static int by_offset(int32_t a, int32_t b, const void *user)
{
    const st_tensor *t = user;
    if (t[a].begin != t[b].begin) return t[a].begin < t[b].begin ? -1 : 1;
    if (t[a].end != t[b].end) return t[a].end < t[b].end ? -1 : 1;
    return 0;
}

static int by_name(int32_t a, int32_t b, const void *user)
{
    const st_tensor *t = user;
    return strcmp(t[a].name, t[b].name);
}

static int by_key(int32_t a, int32_t b, const void *user)
{
    const char *const *k = user;
    return strcmp(k[a], k[b]);
}

/* Copies s[0, n) into the pool at *cursor. */
static const char *pool_put(char **cursor, const char *s, size_t n)
{
    char *d = *cursor;
    memcpy(d, s, n);
    d[n] = '\0';
    *cursor = d + n + 1;
    return d;
}

static attn_status check_string(attn_safetensors *st, const char *what, const char *s, size_t n, size_t max)
{
    if (strlen(s) != n)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: %s \"%.64s\" contains a NUL character", st->path, what, s);
    if (n > max)
        return attn__fail(st->ctx, ATTN_ERR_LIMIT, "%s: %s \"%.64s...\" is %zu bytes long (limit %zu)", st->path, what,
                          s, n, max);
    return ATTN_OK;
}

static attn_status load_header(attn_safetensors *st, const void *json, size_t json_len)
{
    attn_ctx *ctx = st->ctx;
    char label[300];
    snprintf(label, sizeof label, "%s: JSON header", st->path);
    /* a valid header nests 3 deep (root, tensor, shape) */
    /* the longest array of a valid header is a shape of the maximum rank:
     * a much longer one is refused while it is read, before it costs
     * memory (one item more gets parse_tensor's message about the rank) */
    attn__json_limits lim = {json_len, 8, (size_t)ATTN_SAFETENSORS_MAX_TENSORS * 16, ATTN_SAFETENSORS_MAX_RANK + 1};
    checker c = {st, NULL};
    ATTN_CHECK(attn__json_parse(ctx, label, json, json_len, &lim, &c.doc));
    const attn__json *root = attn__json_root(c.doc);
    attn_status s = ATTN_OK;
    int32_t *tmp = NULL;
    if (attn__json_type_of(root) != ATTN_JSON_OBJECT) {
        s = attn__fail(ctx, ATTN_ERR_FORMAT, "%s: the JSON header is %s, not an object", st->path,
                       attn__json_type_name(attn__json_type_of(root)));
        goto done;
    }
    const attn__json *meta = attn__json_object_get(root, METADATA_KEY);
    if (meta && attn__json_type_of(meta) != ATTN_JSON_OBJECT) {
        s = attn__fail(ctx, ATTN_ERR_FORMAT, "%s: \"__metadata__\" must be an object of strings", st->path);
        goto done;
    }
    size_t members = attn__json_object_size(root), n_tensors = members - (meta ? 1 : 0);
    size_t n_meta = attn__json_object_size(meta);
    if (n_tensors > ATTN_SAFETENSORS_MAX_TENSORS) {
        s = attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %zu tensors exceed the limit of %d", st->path, n_tensors,
                       ATTN_SAFETENSORS_MAX_TENSORS);
        goto done;
    }
    /* everything we keep goes into one pool: the header bounds its size */
    size_t pool_bytes = json_len + members + 2 * n_meta + 1;
    st->pool = attn__alloc(ctx, pool_bytes);
    st->tensors = attn__calloc(ctx, n_tensors + 1, sizeof *st->tensors);
    st->by_name = attn__calloc(ctx, n_tensors + 1, sizeof *st->by_name);
    st->meta_keys = attn__calloc(ctx, n_meta + 1, sizeof *st->meta_keys);
    st->meta_values = attn__calloc(ctx, n_meta + 1, sizeof *st->meta_values);
    tmp = attn__calloc(ctx, (n_tensors > n_meta ? n_tensors : n_meta) + 1, sizeof *tmp);
    if (!st->pool || !st->tensors || !st->by_name || !st->meta_keys || !st->meta_values || !tmp) {
        s = ATTN_ERR_NOMEM;
        goto done;
    }
    char *cursor = st->pool;

    for (size_t i = 0; i < n_meta; i++) {
        size_t kl, vl;
        const char *k = attn__json_object_key(meta, i, &kl);
        const char *v = attn__json_get_string(attn__json_object_value(meta, i), &vl);
        if (!v) {
            s = attn__fail(ctx, ATTN_ERR_FORMAT, "%s: metadata \"%.64s\" must be a string", st->path, k);
            goto done;
        }
        if ((s = check_string(st, "metadata key", k, kl, ATTN_SAFETENSORS_MAX_NAME)) != ATTN_OK ||
            (s = check_string(st, "metadata value", v, vl, SIZE_MAX)) != ATTN_OK)
            goto done;
        st->meta_keys[i] = pool_put(&cursor, k, kl);
        st->meta_values[i] = pool_put(&cursor, v, vl);
    }
    st->meta_count = (int32_t)n_meta;

    /* tensors, as they come */
    st_tensor *raw = st->tensors;
    int32_t n = 0;
    for (size_t i = 0; i < members; i++) {
        size_t kl;
        const char *k = attn__json_object_key(root, i, &kl);
        if (kl == strlen(METADATA_KEY) && memcmp(k, METADATA_KEY, kl) == 0) continue;
        if (kl == 0) {
            s = attn__fail(ctx, ATTN_ERR_FORMAT, "%s: a tensor has an empty name", st->path);
            goto done;
        }
        if ((s = check_string(st, "tensor name", k, kl, ATTN_SAFETENSORS_MAX_NAME)) != ATTN_OK) goto done;
        raw[n].name = pool_put(&cursor, k, kl);
        if ((s = parse_tensor(&c, raw[n].name, attn__json_object_value(root, i), &raw[n])) != ATTN_OK) goto done;
        n++;
    }
    st->count = n;

    /* order by offset and check the tiling: no overlap, no hole, no tail */
    int32_t *order = st->by_name; /* borrowed as scratch until the name sort */
    for (int32_t i = 0; i < n; i++) order[i] = i;
    attn__sort_indices(order, tmp, n, by_offset, raw);
    st_tensor *sorted = attn__calloc(ctx, (size_t)n + 1, sizeof *sorted);
    if (!sorted) {
        s = ATTN_ERR_NOMEM;
        goto done;
    }
    for (int32_t i = 0; i < n; i++) sorted[i] = raw[order[i]];
    attn__free(ctx, raw);
    st->tensors = sorted;
    uint64_t expect = 0;
    for (int32_t i = 0; i < n; i++) {
        const st_tensor *t = &sorted[i];
        if (t->begin < expect) {
            const st_tensor *prev = &sorted[i - 1];
            s = attn__fail(ctx, ATTN_ERR_FORMAT,
                           "%s: tensor \"%s\" (bytes %llu..%llu) overlaps tensor \"%s\" (bytes %llu..%llu)", st->path,
                           t->name, (unsigned long long)t->begin, (unsigned long long)t->end, prev->name,
                           (unsigned long long)prev->begin, (unsigned long long)prev->end);
            goto done;
        }
        if (t->begin > expect) {
            s = attn__fail(ctx, ATTN_ERR_FORMAT,
                           "%s: bytes %llu..%llu of the data section belong to no tensor (a hole before tensor \"%s\")",
                           st->path, (unsigned long long)expect, (unsigned long long)t->begin, t->name);
            goto done;
        }
        expect = t->end;
    }
    if (expect != st->data_len) {
        s = attn__fail(ctx, ATTN_ERR_FORMAT,
                       "%s: the last %llu bytes of the data section belong to no tensor (trailing data after byte %llu)",
                       st->path, (unsigned long long)(st->data_len - expect), (unsigned long long)expect);
        goto done;
    }

    for (int32_t i = 0; i < n; i++) st->by_name[i] = i;
    attn__sort_indices(st->by_name, tmp, n, by_name, st->tensors);
    /* metadata sorted by key (values follow their keys) */
    int32_t *midx = tmp;
    const char **keys = st->meta_keys, **vals = st->meta_values;
    const char **k2 = attn__calloc(ctx, n_meta + 1, sizeof *k2), **v2 = attn__calloc(ctx, n_meta + 1, sizeof *v2);
    int32_t *mtmp = attn__calloc(ctx, n_meta + 1, sizeof *mtmp);
    if (!k2 || !v2 || !mtmp) {
        attn__free(ctx, (void *)k2);
        attn__free(ctx, (void *)v2);
        attn__free(ctx, mtmp);
        s = ATTN_ERR_NOMEM;
        goto done;
    }
    for (int32_t i = 0; i < (int32_t)n_meta; i++) midx[i] = i;
    attn__sort_indices(midx, mtmp, (int32_t)n_meta, by_key, keys);
    for (size_t i = 0; i < n_meta; i++) {
        k2[i] = keys[midx[i]];
        v2[i] = vals[midx[i]];
    }
    attn__free(ctx, mtmp);
    attn__free(ctx, (void *)keys);
    attn__free(ctx, (void *)vals);
    st->meta_keys = k2;
    st->meta_values = v2;
done:
    attn__free(ctx, tmp);
    attn__json_free(c.doc);
    return s;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

static attn_status verify_checksum(attn_safetensors *st)
{
    const char *want = attn_safetensors_metadata(st, ATTN_SAFETENSORS_CHECKSUM_KEY);
    if (!want) return ATTN_OK;
    uint32_t expect = 0;
    int ok = strlen(want) == 8;
    for (int i = 0; ok && i < 8; i++) {
        int h = hexval(want[i]);
        if (h < 0) ok = 0;
        expect = expect << 4 | (uint32_t)(h < 0 ? 0 : h);
    }
    if (!ok)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT, "%s: metadata \"%s\" is \"%.32s\", not 8 lowercase hex digits",
                          st->path, ATTN_SAFETENSORS_CHECKSUM_KEY, want);
    uint32_t crc = 0;
    if (st->mem) {
        crc = attn__crc32c(0, st->mem + st->data_start, (size_t)st->data_len);
    } else {
        size_t cap = st->data_len < CHECKSUM_CHUNK ? (size_t)st->data_len : CHECKSUM_CHUNK;
        unsigned char *buf = attn__alloc(st->ctx, cap ? cap : 1);
        if (!buf) return ATTN_ERR_NOMEM;
        for (uint64_t off = 0; off < st->data_len;) {
            size_t n = st->data_len - off < cap ? (size_t)(st->data_len - off) : cap;
            attn_status s = read_data(st, off, buf, n);
            if (s != ATTN_OK) {
                attn__free(st->ctx, buf);
                return s;
            }
            crc = attn__crc32c(crc, buf, n);
            off += n;
        }
        attn__free(st->ctx, buf);
    }
    if (crc != expect)
        return attn__fail(st->ctx, ATTN_ERR_FORMAT,
                          "%s: checksum mismatch: the data section's CRC-32C is %08x but the header records %s; the file "
                          "is damaged (or another tool rewrote the data and copied libattn's metadata)",
                          st->path, crc, want);
    return ATTN_OK;
}

/* ---- open / close ---- */

static attn_status open_common(attn_safetensors *st, uint64_t file_size)
{
    attn_ctx *ctx = st->ctx;
    if (file_size < 8)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %llu bytes is too short for the 8-byte header length", st->path,
                          (unsigned long long)file_size);
    unsigned char lenbuf[8];
    if (st->mem) memcpy(lenbuf, st->mem, 8);
    else ATTN_CHECK(attn__file_pread(ctx, st->fd, st->path, lenbuf, 8, 0));
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | lenbuf[i];
    if (n > ATTN_SAFETENSORS_MAX_HEADER)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: header length %llu exceeds the limit of %d bytes", st->path,
                          (unsigned long long)n, ATTN_SAFETENSORS_MAX_HEADER);
    if (n > file_size - 8)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: header length %llu runs past the end of the %llu-byte file",
                          st->path, (unsigned long long)n, (unsigned long long)file_size);
    st->data_start = 8 + n;
    st->data_len = file_size - 8 - n;
    attn_status s;
    if (st->mem) {
        s = load_header(st, st->mem + 8, (size_t)n);
    } else {
        void *json = attn__alloc(ctx, n ? (size_t)n : 1);
        if (!json) return ATTN_ERR_NOMEM;
        s = attn__file_pread(ctx, st->fd, st->path, json, (size_t)n, 8);
        if (s == ATTN_OK) s = load_header(st, json, (size_t)n);
        attn__free(ctx, json);
    }
    ATTN_CHECK(s);
    return verify_checksum(st);
}

static attn_safetensors *new_reader(attn_ctx *ctx, const char *label)
{
    attn_safetensors *st = attn__calloc(ctx, 1, sizeof *st);
    if (!st) return NULL;
    st->ctx = ctx;
    st->fd = -1;
    st->path = attn__strdup(ctx, label);
    if (!st->path) {
        attn__free(ctx, st);
        return NULL;
    }
    return st;
}

void attn_safetensors_close(attn_safetensors *st)
{
    if (!st) return;
    attn_ctx *ctx = st->ctx;
    if (st->fd >= 0) close(st->fd);
    attn__free(ctx, st->tensors);
    attn__free(ctx, st->by_name);
    attn__free(ctx, (void *)st->meta_keys);
    attn__free(ctx, (void *)st->meta_values);
    attn__free(ctx, st->pool);
    attn__free(ctx, st->path);
    attn__free(ctx, st);
}

attn_status attn_safetensors_open(attn_ctx *ctx, const char *path, attn_safetensors **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_open: out is NULL");
    *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_open: path is NULL");
    attn_safetensors *st = new_reader(ctx, path);
    if (!st) return ATTN_ERR_NOMEM;
    attn_status s = ATTN_OK;
    char eb[128];
    struct stat sb;
    /* O_NONBLOCK: a FIFO must be refused below, not block the open */
    st->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (st->fd < 0) s = attn__fail(ctx, ATTN_ERR_IO, "%s: cannot open: %s", path, attn__errno_str(errno, eb, sizeof eb));
    else if (fstat(st->fd, &sb) != 0)
        s = attn__fail(ctx, ATTN_ERR_IO, "%s: cannot stat: %s", path, attn__errno_str(errno, eb, sizeof eb));
    else if (S_ISDIR(sb.st_mode)) s = attn__fail(ctx, ATTN_ERR_IO, "%s: is a directory, not a safetensors file", path);
    else if (!S_ISREG(sb.st_mode)) s = attn__fail(ctx, ATTN_ERR_IO, "%s: is not a regular file", path);
    if (s == ATTN_OK) s = open_common(st, (uint64_t)sb.st_size);
    if (s != ATTN_OK) {
        attn_safetensors_close(st);
        return s;
    }
    *out = st;
    return attn__ok(ctx);
}

attn_status attn_safetensors_open_memory(attn_ctx *ctx, const void *data, size_t len, attn_safetensors **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_open_memory: out is NULL");
    *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!data && len) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_open_memory: data is NULL");
    attn_safetensors *st = new_reader(ctx, "<memory>");
    if (!st) return ATTN_ERR_NOMEM;
    st->mem = data ? data : (const void *)"";
    attn_status s = open_common(st, len);
    if (s != ATTN_OK) {
        attn_safetensors_close(st);
        return s;
    }
    *out = st;
    return attn__ok(ctx);
}

/* ---- queries ---- */

int32_t attn_safetensors_count(const attn_safetensors *st) { return st ? st->count : 0; }

const char *attn_safetensors_name(const attn_safetensors *st, int32_t i)
{
    if (!st || i < 0 || i >= st->count) return NULL;
    return st->tensors[i].name;
}

static int32_t lookup(const attn_safetensors *st, const char *name)
{
    int32_t lo = 0, hi = st->count;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->tensors[st->by_name[mid]].name, name);
        if (c == 0) return st->by_name[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

attn_status attn_safetensors_find(const attn_safetensors *st, const char *name, int32_t *index)
{
    if (!st) return ATTN_ERR_INVALID_ARG;
    if (!name || !index) return attn__fail(st->ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_find: NULL argument");
    *index = lookup(st, name);
    if (*index < 0) return attn__fail(st->ctx, ATTN_ERR_NOT_FOUND, "%s: no tensor named \"%.200s\"", st->path, name);
    return attn__ok(st->ctx);
}

attn_status attn_safetensors_info(const attn_safetensors *st, int32_t i, int32_t *file_dtype, int32_t *rank,
                                  int64_t *shape)
{
    if (!st) return ATTN_ERR_INVALID_ARG;
    if (i < 0 || i >= st->count)
        return attn__fail(st->ctx, ATTN_ERR_RANGE, "attn_safetensors_info: index %d outside 0..%d", (int)i,
                          (int)st->count - 1);
    const st_tensor *t = &st->tensors[i];
    if (file_dtype) *file_dtype = t->dtype;
    if (rank) *rank = t->rank;
    if (shape)
        for (int32_t k = 0; k < ATTN_SAFETENSORS_MAX_RANK; k++) shape[k] = k < t->rank ? t->shape[k] : 0;
    return attn__ok(st->ctx);
}

const char *attn_safetensors_metadata(const attn_safetensors *st, const char *key)
{
    if (!st || !key) return NULL;
    int32_t lo = 0, hi = st->meta_count;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->meta_keys[mid], key);
        if (c == 0) return st->meta_values[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

int32_t attn_safetensors_metadata_count(const attn_safetensors *st) { return st ? st->meta_count : 0; }

const char *attn_safetensors_metadata_key(const attn_safetensors *st, int32_t i)
{
    if (!st || i < 0 || i >= st->meta_count) return NULL;
    return st->meta_keys[i];
}

/* ---- reading tensors ---- */

static int is_float_file(int32_t d)
{
    return d == ATTN_ST_F32 || d == ATTN_ST_F16 || d == ATTN_ST_BF16 || d == ATTN_ST_F64;
}

static int is_int_file(int32_t d)
{
    return d == ATTN_ST_I64 || d == ATTN_ST_I32 || d == ATTN_ST_I16 || d == ATTN_ST_I8 || d == ATTN_ST_U8 ||
           d == ATTN_ST_U16 || d == ATTN_ST_U32 || d == ATTN_ST_U64 || d == ATTN_ST_BOOL;
}

/* Element k of a float tensor; 0 if a finite F64 does not fit a float. */
static int load_float(const unsigned char *p, int32_t d, float *out)
{
    uint16_t h;
    switch (d) {
    case ATTN_ST_F32: memcpy(out, p, 4); return 1;
    case ATTN_ST_F16: memcpy(&h, p, 2); *out = attn__f16_to_f32(h); return 1;
    case ATTN_ST_BF16: memcpy(&h, p, 2); *out = attn__bf16_to_f32(h); return 1;
    default: {
        double v;
        memcpy(&v, p, 8);
        *out = (float)v;
        return !(isinf(*out) && isfinite(v));
    }
    }
}

/* Element of an integer tensor as int64; 0 if it has no int64 value. */
static int load_int(const unsigned char *p, int32_t d, int64_t *out)
{
    switch (d) {
    case ATTN_ST_I64: memcpy(out, p, 8); return 1;
    case ATTN_ST_I32: { int32_t v; memcpy(&v, p, 4); *out = v; return 1; }
    case ATTN_ST_I16: { int16_t v; memcpy(&v, p, 2); *out = v; return 1; }
    case ATTN_ST_I8: *out = (int8_t)p[0]; return 1;
    case ATTN_ST_U8: *out = p[0]; return 1;
    case ATTN_ST_BOOL: *out = p[0]; return p[0] <= 1;
    case ATTN_ST_U16: { uint16_t v; memcpy(&v, p, 2); *out = v; return 1; }
    case ATTN_ST_U32: { uint32_t v; memcpy(&v, p, 4); *out = v; return 1; }
    default: { uint64_t v; memcpy(&v, p, 8); *out = (int64_t)v; return v <= (uint64_t)INT64_MAX; }
    }
}

static const char *tensor_dtype_name(attn_dtype d)
{
    switch (d) {
    case ATTN_F32: return "float32";
    case ATTN_I32: return "int32";
    case ATTN_I64: return "int64";
    default: return "unknown-dtype";
    }
}

static attn_status check_target(attn_safetensors *st, const st_tensor *t, const attn_tensor *dst)
{
    char fs[200], ds[200];
    int same = 0;
    if (t->rank == 0) same = dst->rank == 1 && dst->shape[0] == 1;
    else if (t->rank == dst->rank) {
        same = 1;
        for (int32_t i = 0; i < t->rank; i++) same &= t->shape[i] == dst->shape[i];
    }
    if (!same) {
        shape_str(t->shape, t->rank, fs, sizeof fs);
        return attn__fail(st->ctx, ATTN_ERR_SHAPE, "%s: tensor \"%s\" is %s %s in the file but the destination is %s",
                          st->path, t->name, attn__st_dtype(t->dtype)->name, fs, attn__shape_str(dst, ds, sizeof ds));
    }
    int ok = dst->dtype == ATTN_F32 ? is_float_file(t->dtype)
                                    : (dst->dtype == ATTN_I32 || dst->dtype == ATTN_I64) && is_int_file(t->dtype);
    if (!ok)
        return attn__fail(st->ctx, ATTN_ERR_DTYPE, "%s: tensor \"%s\" is %s in the file and cannot be read into a %s tensor",
                          st->path, t->name, attn__st_dtype(t->dtype)->name, tensor_dtype_name(dst->dtype));
    return ATTN_OK;
}

/* Converts through a small buffer into dst in row-major order (dst may be strided). */
static attn_status read_converted(attn_safetensors *st, const st_tensor *t, attn_tensor *dst)
{
    size_t es = attn__st_dtype(t->dtype)->size;
    uint64_t total = (t->end - t->begin) / es;
    size_t per_chunk = CHUNK_BYTES / es;
    unsigned char *buf = attn__alloc(st->ctx, CHUNK_BYTES);
    if (!buf) return ATTN_ERR_NOMEM;
    int64_t idx[ATTN_MAX_RANK] = {0};
    attn_status s = ATTN_OK;
    for (uint64_t k0 = 0; k0 < total && s == ATTN_OK;) {
        size_t m = total - k0 < per_chunk ? (size_t)(total - k0) : per_chunk;
        s = read_data(st, t->begin + k0 * es, buf, m * es);
        for (size_t j = 0; j < m && s == ATTN_OK; j++) {
            const unsigned char *p = buf + j * es;
            int64_t off = attn__offset_of(dst, idx);
            if (dst->dtype == ATTN_F32) {
                float v;
                if (!load_float(p, t->dtype, &v)) {
                    double dv;
                    memcpy(&dv, p, 8);
                    s = attn__fail(st->ctx, ATTN_ERR_RANGE, "%s: tensor \"%s\": element %llu (%g) is beyond the float range",
                                   st->path, t->name, (unsigned long long)(k0 + j), dv);
                    break;
                }
                ((float *)dst->storage->data)[off] = v;
            } else {
                int64_t v;
                int ok = load_int(p, t->dtype, &v);
                if (ok && dst->dtype == ATTN_I32 && (v < INT32_MIN || v > INT32_MAX)) ok = 0;
                if (!ok) {
                    s = attn__fail(st->ctx, ATTN_ERR_RANGE, "%s: tensor \"%s\": element %llu of the %s data does not fit %s",
                                   st->path, t->name, (unsigned long long)(k0 + j), attn__st_dtype(t->dtype)->name,
                                   t->dtype == ATTN_ST_BOOL ? "a boolean (0 or 1)" : dst->dtype == ATTN_I32 ? "int32" : "int64");
                    break;
                }
                if (dst->dtype == ATTN_I32) ((int32_t *)dst->storage->data)[off] = (int32_t)v;
                else ((int64_t *)dst->storage->data)[off] = v;
            }
            attn__index_next(idx, dst->shape, dst->rank);
        }
        k0 += m;
    }
    attn__free(st->ctx, buf);
    return s;
}

attn_status attn_safetensors_read(attn_safetensors *st, const char *name, attn_tensor *dst)
{
    if (!st) return ATTN_ERR_INVALID_ARG;
    if (!name || !dst) return attn__fail(st->ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_read: NULL argument");
    int32_t i = lookup(st, name);
    if (i < 0) return attn__fail(st->ctx, ATTN_ERR_NOT_FOUND, "%s: no tensor named \"%.200s\"", st->path, name);
    const st_tensor *t = &st->tensors[i];
    ATTN_CHECK(check_target(st, t, dst));
    if (t->end == t->begin) return attn__ok(st->ctx);
    int same = (dst->dtype == ATTN_F32 && t->dtype == ATTN_ST_F32) || (dst->dtype == ATTN_I32 && t->dtype == ATTN_ST_I32) ||
               (dst->dtype == ATTN_I64 && t->dtype == ATTN_ST_I64);
    if (same && attn_tensor_is_contiguous(dst))
        ATTN_CHECK(read_data(st, t->begin, attn_tensor_data(dst), (size_t)(t->end - t->begin)));
    else
        ATTN_CHECK(read_converted(st, t, dst));
    return attn__ok(st->ctx);
}

attn_status attn_safetensors_load(attn_safetensors *st, const char *name, attn_dtype dtype, attn_tensor **out)
{
    if (!st) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(st->ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_load: out is NULL");
    *out = NULL;
    if (!name) return attn__fail(st->ctx, ATTN_ERR_INVALID_ARG, "attn_safetensors_load: name is NULL");
    int32_t i = lookup(st, name);
    if (i < 0) return attn__fail(st->ctx, ATTN_ERR_NOT_FOUND, "%s: no tensor named \"%.200s\"", st->path, name);
    const st_tensor *t = &st->tensors[i];
    if (t->rank > ATTN_MAX_RANK)
        return attn__fail(st->ctx, ATTN_ERR_UNSUPPORTED, "%s: tensor \"%s\" has rank %d; libattn tensors have at most %d",
                          st->path, t->name, (int)t->rank, ATTN_MAX_RANK);
    int64_t one = 1;
    attn_tensor *x;
    ATTN_CHECK(attn_tensor_create(st->ctx, dtype, t->rank ? t->rank : 1, t->rank ? t->shape : &one, &x));
    attn_status s = attn_safetensors_read(st, name, x);
    if (s != ATTN_OK) {
        attn_tensor_destroy(x);
        return s;
    }
    *out = x;
    return ATTN_OK;
}
