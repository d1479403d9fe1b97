/* The record builder: the loaders hand it (label, raw text) records; it
 * cleans each text as it arrives (steps 2-4 of include/attn/data.h), keeps
 * the labels in a small hash table, and at the end de-duplicates, numbers
 * the labels by name and splits by hash (steps 5-6), producing the
 * attn_dataset that dataset.c reads. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

/* Grows an array of elem-byte items to hold at least need items. */
static attn_status grow(attn_ctx *ctx, void **p, size_t elem, size_t used, size_t *cap, size_t need)
{
    if (need <= *cap) return ATTN_OK;
    size_t ncap = *cap < 16 ? 16 : *cap;
    while (ncap < need) ncap = ncap > SIZE_MAX / 4 ? need : ncap * 2;
    size_t bytes;
    if (!attn__mul_size(ncap, elem, &bytes))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "data set: %zu items of %zu bytes overflow", ncap, elem);
    void *q = attn__alloc(ctx, bytes);
    if (!q) return ATTN_ERR_NOMEM;
    if (*p) {
        memcpy(q, *p, used * elem);
        attn__free(ctx, *p);
    }
    *p = q;
    *cap = ncap;
    return ATTN_OK;
}


attn_status attn__builder_init(attn__dataset_builder *b, attn_ctx *ctx, const char *fn,
                               const attn_dataset_opts *opts)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->hash_key = attn__hash_key_new();
    b->opts.struct_size = sizeof b->opts;
    if (!opts) return ATTN_OK;
    if (opts->struct_size < sizeof(attn_dataset_opts))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG,
                          "%s: opts->struct_size is %u, at least %zu expected (set it to sizeof(attn_dataset_opts))",
                          fn, opts->struct_size, sizeof(attn_dataset_opts));
    /* a newer caller's fields this library does not know must be left at zero */
    for (size_t i = sizeof(attn_dataset_opts); i < opts->struct_size; i++)
        if (((const unsigned char *)opts)[i] != 0)
            return attn__fail(ctx, ATTN_ERR_UNSUPPORTED,
                              "%s: opts has a non-zero byte at offset %zu, past the fields this library knows", fn, i);
    const struct {
        const char *name;
        int32_t value;
    } flags[] = {{"strip_attribution", opts->strip_attribution},
                 {"raw_text", opts->raw_text},
                 {"tsv_escapes", opts->tsv_escapes}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i].value != 0 && flags[i].value != 1)
            return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: opts->%s is %d, expected 0 or 1", fn, flags[i].name,
                              (int)flags[i].value);
    b->opts = *opts;
    b->opts.struct_size = sizeof b->opts;
    return ATTN_OK;
}

void attn__builder_free(attn__dataset_builder *b)
{
    attn_ctx *ctx = b->ctx;
    if (!ctx) return;
    for (int32_t i = 0; i < b->n_labels; i++) attn__free(ctx, b->label_names[i]);
    attn__free(ctx, b->label_names);
    attn__free(ctx, b->label_slots);
    attn__free(ctx, b->pool);
    attn__free(ctx, b->offset);
    attn__free(ctx, b->label);
    attn__free(ctx, b->key_hash);
    attn__free(ctx, b->split_hash);
    attn__free(ctx, b->scratch);
    memset(b, 0, sizeof *b);
}

/* Rebuilds the label table at twice the size (load stays below 1/2). */
static attn_status label_table_grow(attn__dataset_builder *b)
{
    size_t slots = b->label_slots ? (b->label_mask + 1) * 2 : 64;
    int32_t *t = attn__alloc(b->ctx, slots * sizeof *t);
    if (!t) return ATTN_ERR_NOMEM;
    for (size_t i = 0; i < slots; i++) t[i] = -1;
    for (int32_t id = 0; id < b->n_labels; id++) {
        const char *name = b->label_names[id];
        size_t i = (size_t)attn__keyed_hash2(b->hash_key, name, strlen(name), NULL, 0) & (slots - 1);
        while (t[i] >= 0) i = (i + 1) & (slots - 1);
        t[i] = id;
    }
    attn__free(b->ctx, b->label_slots);
    b->label_slots = t;
    b->label_mask = slots - 1;
    return ATTN_OK;
}

attn_status attn__builder_label(attn__dataset_builder *b, const char *name, size_t len, const char *where,
                                int32_t *id)
{
    if (!b->label_slots) ATTN_CHECK(label_table_grow(b));
    size_t i = (size_t)attn__keyed_hash2(b->hash_key, name, len, NULL, 0) & b->label_mask;
    for (;; i = (i + 1) & b->label_mask, b->label_probes++) {
        int32_t cur = b->label_slots[i];
        if (cur < 0) break;
        const char *s = b->label_names[cur];
        if (strlen(s) == len && memcmp(s, name, len) == 0) {
            *id = cur;
            return ATTN_OK;
        }
    }
    if (b->n_labels >= ATTN_DATASET_MAX_LABELS)
        return attn__fail(b->ctx, ATTN_ERR_LIMIT, "%s: more than %d distinct labels", where, ATTN_DATASET_MAX_LABELS);
    size_t cap = (size_t)b->cap_labels;
    ATTN_CHECK(grow(b->ctx, (void **)&b->label_names, sizeof(char *), (size_t)b->n_labels, &cap,
                    (size_t)b->n_labels + 1));
    b->cap_labels = (int32_t)cap;
    char *copy = attn__alloc(b->ctx, len + 1);
    if (!copy) return ATTN_ERR_NOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    b->label_names[b->n_labels] = copy;
    b->label_slots[i] = b->n_labels;
    *id = b->n_labels++;
    if ((size_t)b->n_labels * 2 > b->label_mask + 1) ATTN_CHECK(label_table_grow(b));
    return ATTN_OK;
}

/* Room for one more record of len bytes in every per-record array and the pool. */
static attn_status reserve_records(attn__dataset_builder *b, size_t len)
{
    size_t need = (size_t)b->n + 1;
    if (need > (size_t)b->cap) {
        size_t cap = (size_t)b->cap, c2 = cap, c3 = cap, c4 = cap;
        ATTN_CHECK(grow(b->ctx, (void **)&b->offset, sizeof(size_t), (size_t)b->n, &cap, need));
        ATTN_CHECK(grow(b->ctx, (void **)&b->label, sizeof(int32_t), (size_t)b->n, &c2, need));
        ATTN_CHECK(grow(b->ctx, (void **)&b->key_hash, sizeof(uint64_t), (size_t)b->n, &c3, need));
        ATTN_CHECK(grow(b->ctx, (void **)&b->split_hash, sizeof(uint64_t), (size_t)b->n, &c4, need));
        b->cap = (int64_t)cap; /* the four grew alike */
    }
    return grow(b->ctx, (void **)&b->pool, 1, b->pool_len, &b->pool_cap, b->pool_len + len + 1);
}

attn_status attn__builder_add(attn__dataset_builder *b, int32_t label, const char *text, size_t len, int latin1,
                              int *empty)
{
    attn_ctx *ctx = b->ctx;
    *empty = 0;
    /* the Latin-1 fallback at most doubles the text; every later step shrinks it */
    size_t need = latin1 ? 2 * len + 1 : len + 1;
    if (need > b->scratch_cap) {
        attn__free(ctx, b->scratch);
        b->scratch_cap = 0;
        b->scratch = attn__alloc(ctx, need);
        if (!b->scratch) return ATTN_ERR_NOMEM;
        b->scratch_cap = need;
    }
    char *s = b->scratch;
    size_t n;
    if (latin1) {
        n = attn__utf8_from_latin1_fallback(text, len, s, &b->stats[ATTN_DATASET_STAT_LATIN1_BYTES]);
    } else {
        memcpy(s, text, len);
        n = len;
    }
    if (b->opts.raw_text) {
        n = attn__nul_remove(s, n, &b->stats[ATTN_DATASET_STAT_CONTROL_CHARS]);
    } else {
        n = attn__mojibake_repair(s, n, &b->stats[ATTN_DATASET_STAT_MOJIBAKE]);
        n = attn__controls_remove(s, n, &b->stats[ATTN_DATASET_STAT_CONTROL_CHARS]);
    }
    size_t attribution = attn__attribution_start(s, n);
    /* the split is decided on the text with its attribution, so stripping
     * it does not move examples between splits */
    uint64_t split_hash = attn_dataset_hash(s, n);
    if (attribution < n) {
        b->stats[ATTN_DATASET_STAT_ATTRIBUTIONS]++;
        if (b->opts.strip_attribution) n = attribution;
    }
    size_t start = 0;
    while (start < n && attn__data_is_space((unsigned char)s[start])) start++;
    while (n > start && attn__data_is_space((unsigned char)s[n - 1])) n--;
    if (n == start) {
        *empty = 1;
        return ATTN_OK;
    }
    size_t m = n - start;
    ATTN_CHECK(reserve_records(b, m));
    memcpy(b->pool + b->pool_len, s + start, m);
    b->pool[b->pool_len + m] = '\0';
    b->offset[b->n] = b->pool_len;
    b->label[b->n] = label;
    b->key_hash[b->n] = attn_dataset_hash(s + start, m);
    b->split_hash[b->n] = split_hash;
    b->pool_len += m + 1;
    b->n++;
    b->stats[ATTN_DATASET_STAT_RECORDS]++;
    return ATTN_OK;
}

typedef struct {
    char *name;
    int32_t old_id;
} named_label;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named_label *)a)->name, ((const named_label *)b)->name);
}

/* rep[i] = the first record with record i's normalised text; conflict[j]
 * = 1 when the texts represented by j carry more than one label. */
static attn_status find_duplicates(attn__dataset_builder *b, int64_t *rep, uint8_t *conflict)
{
    size_t slots = 16;
    while (slots < (size_t)b->n * 2) slots *= 2;
    size_t longest = 0;
    for (int64_t r = 0; r < b->n; r++) {
        size_t len = strlen(b->pool + b->offset[r]);
        if (len > longest) longest = len;
    }
    int64_t *t = attn__alloc(b->ctx, slots * sizeof *t);
    char *norm = t ? attn__alloc(b->ctx, longest + 1) : NULL; /* a normalised text never grows */
    if (!norm) {
        attn__free(b->ctx, t);
        return ATTN_ERR_NOMEM;
    }
    for (size_t i = 0; i < slots; i++) t[i] = -1;
    for (int64_t r = 0; r < b->n; r++) {
        const char *text = b->pool + b->offset[r];
        size_t len = strlen(text);
        /* the slot comes from a keyed hash: key_hash is the published
         * split hash, whose collisions anyone can compute */
        size_t i = (size_t)attn__keyed_hash2(b->hash_key, norm, attn__normalize_copy(text, len, norm), NULL, 0) &
                   (slots - 1);
        rep[r] = r;
        conflict[r] = 0;
        for (;; i = (i + 1) & (slots - 1), b->dedup_probes++) {
            int64_t j = t[i];
            if (j < 0) {
                t[i] = r;
                break;
            }
            const char *other = b->pool + b->offset[j];
            if (b->key_hash[j] == b->key_hash[r] && attn__normalized_equal(other, strlen(other), text, len)) {
                rep[r] = j;
                if (b->label[j] != b->label[r]) conflict[j] = 1;
                break;
            }
        }
    }
    attn__free(b->ctx, norm);
    attn__free(b->ctx, t);
    return ATTN_OK;
}

attn_status attn__builder_finish(attn__dataset_builder *b, const char *fn, const char *source,
                                 attn_dataset **out)
{
    attn_ctx *ctx = b->ctx;
    *out = NULL;
    if (b->n == 0)
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: %s holds no example (%lld blank lines, %lld empty entries)", fn,
                          source, (long long)b->stats[ATTN_DATASET_STAT_BLANK_LINES],
                          (long long)b->stats[ATTN_DATASET_STAT_EMPTY_DROPPED]);
    attn_status st = ATTN_ERR_NOMEM;
    int64_t *rep = attn__alloc(ctx, (size_t)b->n * sizeof *rep);
    uint8_t *conflict = attn__alloc(ctx, (size_t)b->n);
    named_label *order = attn__alloc(ctx, (size_t)b->n_labels * sizeof *order);
    int32_t *new_id = attn__alloc(ctx, (size_t)b->n_labels * sizeof *new_id);
    attn_dataset *ds = attn__calloc(ctx, 1, sizeof *ds);
    if (!rep || !conflict || !order || !new_id || !ds) goto done;
    ds->ctx = ctx;
    if ((st = find_duplicates(b, rep, conflict)) != ATTN_OK) goto done;

    int64_t kept = 0;
    size_t kept_bytes = 0;
    for (int64_t r = 0; r < b->n; r++) {
        if (conflict[rep[r]]) b->stats[ATTN_DATASET_STAT_CROSS_LABEL_DROPPED]++;
        else if (rep[r] != r) b->stats[ATTN_DATASET_STAT_DUPLICATES_DROPPED]++;
        else {
            kept++;
            kept_bytes += strlen(b->pool + b->offset[r]) + 1;
        }
    }
    if (kept == 0) {
        st = attn__fail(ctx, ATTN_ERR_FORMAT,
                        "%s: %s leaves no example: all %lld texts occur under more than one label", fn, source,
                        (long long)b->n);
        goto done;
    }
    for (int32_t i = 0; i < b->n_labels; i++) order[i] = (named_label){b->label_names[i], i};
    qsort(order, (size_t)b->n_labels, sizeof *order, by_name);
    for (int32_t i = 0; i < b->n_labels; i++) new_id[order[i].old_id] = i;

    st = ATTN_ERR_NOMEM;
    ds->pool = attn__alloc(ctx, kept_bytes);
    ds->offset = attn__alloc(ctx, (size_t)kept * sizeof *ds->offset);
    ds->label = attn__alloc(ctx, (size_t)kept * sizeof *ds->label);
    ds->split = attn__alloc(ctx, (size_t)kept);
    ds->label_names = attn__calloc(ctx, (size_t)b->n_labels, sizeof *ds->label_names);
    ds->counts = attn__calloc(ctx, (size_t)b->n_labels * ATTN__DATASET_N_SPLITS, sizeof *ds->counts);
    if (!ds->pool || !ds->offset || !ds->label || !ds->split || !ds->label_names || !ds->counts) goto done;

    size_t at = 0;
    for (int64_t r = 0; r < b->n; r++) {
        if (conflict[rep[r]] || rep[r] != r) continue;
        const char *text = b->pool + b->offset[r];
        size_t len = strlen(text) + 1;
        memcpy(ds->pool + at, text, len);
        uint64_t bucket = b->split_hash[r] % 10;
        int32_t split = bucket < 8 ? ATTN_SPLIT_TRAIN : bucket == 8 ? ATTN_SPLIT_VALIDATION : ATTN_SPLIT_TEST;
        int32_t label = new_id[b->label[r]];
        ds->offset[ds->n] = at;
        ds->label[ds->n] = label;
        ds->split[ds->n] = (uint8_t)split;
        ds->counts[(size_t)split * (size_t)b->n_labels + (size_t)label]++;
        ds->n++;
        at += len;
    }
    /* the names move to the data set, in sorted order */
    for (int32_t i = 0; i < b->n_labels; i++) {
        ds->label_names[i] = order[i].name;
        b->label_names[order[i].old_id] = NULL;
    }
    ds->n_labels = b->n_labels;
    memcpy(ds->stats, b->stats, sizeof ds->stats);
    *out = ds;
    ds = NULL;
    st = ATTN_OK;
done:
    attn__free(ctx, rep);
    attn__free(ctx, conflict);
    attn__free(ctx, order);
    attn__free(ctx, new_id);
    if (ds) attn_dataset_destroy(ds);
    return st;
}
