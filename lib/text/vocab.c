/* The WordPiece vocabulary: vocab.txt parsed into one block of
 * NUL-terminated lines and an open-addressing hash table from token text
 * to id (tokenizer.json's vocab object builds the same). Every byte of the file is treated as hostile; the limits are the
 * ATTN_TOKENIZER_MAX_* constants of the public header. Matching words to
 * entries is wordpiece.c's job. */
#include <string.h>
#include <utf8proc.h>

#include "text_internal.h"

/* The key is drawn per vocab (keyed_hash.h): with an unkeyed hash such
 * as FNV-1a, 100,000 crafted lines that share one slot made loading
 * quadratic (22 s). */
static uint64_t hash_pieces(const attn__vocab *v, const char *prefix, size_t prefix_len, const char *s, size_t len)
{
    return attn__keyed_hash2(v->key, prefix, prefix_len, s, len);
}

int32_t attn__vocab_find(const attn__vocab *v, const char *prefix, size_t prefix_len, const char *s,
                         size_t len)
{
    if (!v->slots) return -1;
    attn__vocab *counted = (attn__vocab *)v; /* the probe count is statistics, not state */
    size_t i = (size_t)hash_pieces(v, prefix, prefix_len, s, len) & v->slot_mask;
    for (;;) {
        counted->probes++;
        int32_t id = v->slots[i];
        if (id < 0) return -1;
        const char *t = v->text + v->offset[id];
        if (v->len[id] == prefix_len + len && memcmp(t, prefix, prefix_len) == 0 &&
            memcmp(t + prefix_len, s, len) == 0)
            return id;
        i = (i + 1) & v->slot_mask;
    }
}

/* Inserts id; an equal token already present is re-pointed to id, so the
 * last line of a duplicated token wins, as in Hugging Face's load_vocab. */
static void insert(attn__vocab *v, int32_t id)
{
    const char *t = v->text + v->offset[id];
    size_t i = (size_t)hash_pieces(v, "", 0, t, v->len[id]) & v->slot_mask;
    for (;;) {
        v->probes++;
        int32_t cur = v->slots[i];
        if (cur < 0 || (v->len[cur] == v->len[id] && memcmp(v->text + v->offset[cur], t, v->len[id]) == 0)) {
            v->slots[i] = id;
            return;
        }
        i = (i + 1) & v->slot_mask;
    }
}

/* Allocates the arrays of ids ids, text_bytes of entry text and a table
 * of at least twice as many slots as entries. */
static attn_status vocab_alloc(attn_ctx *ctx, attn__vocab *v, size_t ids, size_t entries, size_t text_bytes)
{
    size_t slots = 16;
    while (slots < 2 * entries) slots *= 2;
    v->text = attn__alloc(ctx, text_bytes + 1);
    v->offset = attn__alloc(ctx, (ids ? ids : 1) * sizeof *v->offset);
    v->len = attn__alloc(ctx, (ids ? ids : 1) * sizeof *v->len);
    v->slots = attn__alloc(ctx, slots * sizeof *v->slots);
    if (!v->text || !v->offset || !v->len || !v->slots) {
        attn__vocab_free(ctx, v);
        return ATTN_ERR_NOMEM;
    }
    memset(v->slots, 0xff, slots * sizeof *v->slots); /* every slot -1 */
    v->slot_mask = slots - 1;
    v->key = attn__hash_key_new();
    return ATTN_OK;
}

/* Checks one line: length, NUL bytes, UTF-8. line_no is 1-based. */
static attn_status check_line(attn_ctx *ctx, const char *fn, const char *p, size_t n, int64_t line_no)
{
    if (n > ATTN_TOKENIZER_MAX_TOKEN_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: vocab line %lld is %zu bytes long, more than the limit of %d",
                          fn, (long long)line_no, n, ATTN_TOKENIZER_MAX_TOKEN_BYTES);
    size_t i = 0;
    while (i < n) {
        if (p[i] == '\0')
            return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: vocab line %lld has a NUL byte at column %zu", fn,
                              (long long)line_no, i + 1);
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0)
            return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: vocab line %lld is not valid UTF-8 (byte %zu)", fn,
                              (long long)line_no, i + 1);
        i += (size_t)step;
    }
    return ATTN_OK;
}

attn_status attn__vocab_parse(attn_ctx *ctx, const char *fn, const char *data, size_t len, attn__vocab *v)
{
    memset(v, 0, sizeof *v);
    if (len == 0) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: the vocab is empty", fn);

    /* Count first, so an oversized file fails before anything is allocated. */
    size_t lines = 0;
    for (const char *p = data, *end = data + len; p < end; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
        if (lines >= ATTN_TOKENIZER_MAX_VOCAB)
            return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the vocab has more than %d lines", fn,
                              ATTN_TOKENIZER_MAX_VOCAB);
    }

    ATTN_CHECK(vocab_alloc(ctx, v, lines, lines, len));

    size_t out = 0;
    const char *p = data, *end = data + len;
    for (size_t id = 0; id < lines; id++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (nl && n > 0 && p[n - 1] == '\r') n--; /* CRLF files */
        attn_status st = check_line(ctx, fn, p, n, (int64_t)id + 1);
        if (st != ATTN_OK) {
            attn__vocab_free(ctx, v);
            return st;
        }
        memcpy(v->text + out, p, n);
        v->text[out + n] = '\0';
        v->offset[id] = out;
        v->len[id] = (uint32_t)n;
        if (n > v->longest) v->longest = n;
        out += n + 1;
        p = nl ? nl + 1 : end;
    }
    v->size = v->entries = (int32_t)lines;
    for (int32_t id = 0; id < v->size; id++) insert(v, id);
    return ATTN_OK;
}

attn_status attn__vocab_from_pairs(attn_ctx *ctx, const char *fn, size_t n, const char *const *tokens,
                                   const size_t *lens, const int64_t *ids, attn__vocab *v)
{
    memset(v, 0, sizeof *v);
    if (n == 0) return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: the vocab is empty", fn);
    if (n > ATTN_TOKENIZER_MAX_VOCAB)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the vocab has %zu entries, more than the limit of %d", fn, n,
                          ATTN_TOKENIZER_MAX_VOCAB);
    /* ids size the arrays: a few gaps are fine, an id far beyond the entry
     * count is a file asking for memory it does not describe */
    int64_t max_id = -1;
    size_t text_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= (int64_t)n + 65536 || ids[i] >= ATTN_TOKENIZER_MAX_VOCAB)
            return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: vocab entry \"%.64s\" has id %lld, outside 0..%lld", fn,
                              tokens[i], (long long)ids[i], (long long)n + 65535);
        if (lens[i] > ATTN_TOKENIZER_MAX_TOKEN_BYTES)
            return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: vocab entry \"%.64s...\" is %zu bytes long, more than the limit of %d",
                              fn, tokens[i], lens[i], ATTN_TOKENIZER_MAX_TOKEN_BYTES);
        if (ids[i] > max_id) max_id = ids[i];
        text_bytes += lens[i] + 1;
    }
    size_t size = (size_t)max_id + 1;
    ATTN_CHECK(vocab_alloc(ctx, v, size, n, text_bytes));
    for (size_t id = 0; id < size; id++) {
        v->len[id] = ATTN__VOCAB_GAP;
        v->offset[id] = 0;
    }
    v->text[0] = '\0';
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        size_t id = (size_t)ids[i];
        if (v->len[id] != ATTN__VOCAB_GAP) {
            attn_status st = attn__fail(ctx, ATTN_ERR_FORMAT, "%s: vocab entries \"%.64s\" and \"%.64s\" share the id %zu",
                                        fn, v->text + v->offset[id], tokens[i], id);
            attn__vocab_free(ctx, v); /* after the message: it quotes the entry */
            return st;
        }
        memcpy(v->text + out, tokens[i], lens[i]);
        v->text[out + lens[i]] = '\0';
        v->offset[id] = out;
        v->len[id] = (uint32_t)lens[i];
        if (lens[i] > v->longest) v->longest = lens[i];
        out += lens[i] + 1;
    }
    v->size = (int32_t)size;
    v->entries = (int32_t)n;
    for (int32_t id = 0; id < v->size; id++)
        if (v->len[id] != ATTN__VOCAB_GAP) insert(v, id);
    return ATTN_OK;
}

void attn__vocab_free(attn_ctx *ctx, attn__vocab *v)
{
    attn__free(ctx, v->text);
    attn__free(ctx, v->offset);
    attn__free(ctx, v->len);
    attn__free(ctx, v->slots);
    memset(v, 0, sizeof *v);
}
