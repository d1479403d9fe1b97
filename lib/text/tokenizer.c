/* The public tokenizer: loading a vocab, special tokens, texts to WordPiece
 * ids, and model input with [CLS]/[SEP], token types and longest-first
 * truncation. Normalization is normalize.c's, the piece search
 * wordpiece.c's, the padded batches batch.c's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "text_internal.h"

static const char *const special_text[ATTN__SPECIAL_COUNT] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

#define KNOWN_FLAGS (ATTN_TOKENIZER_LOWERCASE | ATTN_TOKENIZER_KEEP_ACCENTS)

attn_status attn_tokenizer_load_buffer(attn_ctx *ctx, const char *data, size_t len, uint32_t flags,
                                       attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load_buffer";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    if (!data && len > 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: data is NULL", fn);
    if (flags & ~(uint32_t)KNOWN_FLAGS)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: unknown flag bits 0x%x", fn,
                          (unsigned)(flags & ~(uint32_t)KNOWN_FLAGS));
    if (len > ATTN_TOKENIZER_MAX_VOCAB_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the vocab is %zu bytes, more than the limit of %d", fn, len,
                          ATTN_TOKENIZER_MAX_VOCAB_BYTES);
    attn_tokenizer *tok = attn__calloc(ctx, 1, sizeof *tok);
    if (!tok) return ATTN_ERR_NOMEM;
    tok->ctx = ctx;
    tok->flags = flags;
    attn_status st = attn__vocab_parse(ctx, fn, data, len, &tok->vocab);
    if (st != ATTN_OK) {
        attn__free(ctx, tok);
        return st;
    }
    for (int i = 0; i < ATTN__SPECIAL_COUNT; i++)
        tok->special[i] = attn__vocab_find(&tok->vocab, "", 0, special_text[i], strlen(special_text[i]));
    *out = tok;
    return attn__ok(ctx);
}

attn_status attn_tokenizer_load(attn_ctx *ctx, const char *vocab_path, uint32_t flags, attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (out) *out = NULL;
    if (!vocab_path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: vocab_path is NULL", fn);
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    FILE *f = fopen(vocab_path, "rb");
    if (!f) return attn__fail(ctx, ATTN_ERR_IO, "%s: cannot open '%s': %s", fn, vocab_path, strerror(errno));
    attn__text_buf buf = {0};
    size_t len = 0;
    attn_status st = ATTN_OK;
    for (;;) {
        if (len > ATTN_TOKENIZER_MAX_VOCAB_BYTES) {
            st = attn__fail(ctx, ATTN_ERR_LIMIT, "%s: '%s' is more than %d bytes", fn, vocab_path,
                            ATTN_TOKENIZER_MAX_VOCAB_BYTES);
            break;
        }
        if ((st = attn__text_buf_reserve(ctx, &buf, len + 65536)) != ATTN_OK) break;
        size_t got = fread((char *)buf.data + len, 1, buf.cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) st = attn__fail(ctx, ATTN_ERR_IO, "%s: error reading '%s'", fn, vocab_path);
            break;
        }
    }
    fclose(f);
    if (st == ATTN_OK) {
        st = attn_tokenizer_load_buffer(ctx, buf.data, len, flags, out);
        /* name the file: the buffer loader only knows line numbers */
        if (st != ATTN_OK) {
            char msg[ATTN_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s", attn_ctx_last_error(ctx));
            attn__fail(ctx, st, "%s ('%s')", msg, vocab_path);
        }
    }
    attn__text_buf_free(ctx, &buf);
    return st;
}

void attn_tokenizer_destroy(attn_tokenizer *tok)
{
    if (!tok) return;
    attn_ctx *ctx = tok->ctx;
    attn__vocab_free(ctx, &tok->vocab);
    attn__normalizer_free(ctx, &tok->nz);
    attn__text_buf_free(ctx, &tok->first.buf);
    attn__text_buf_free(ctx, &tok->second.buf);
    attn__text_buf_free(ctx, &tok->out_ids.buf);
    attn__text_buf_free(ctx, &tok->out_types.buf);
    attn__free(ctx, tok);
}

int32_t attn_tokenizer_vocab_size(const attn_tokenizer *tok) { return tok ? tok->vocab.size : -1; }

attn_status attn_tokenizer_token_to_id(const attn_tokenizer *tok, const char *token, int32_t *id)
{
    if (!tok) return ATTN_ERR_INVALID_ARG;
    if (!token || !id)
        return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "attn_tokenizer_token_to_id: %s is NULL",
                          token ? "id" : "token");
    *id = attn__vocab_find(&tok->vocab, "", 0, token, strlen(token));
    if (*id < 0)
        return attn__fail(tok->ctx, ATTN_ERR_NOT_FOUND, "attn_tokenizer_token_to_id: \"%.64s\" is not in the vocab",
                          token);
    return attn__ok(tok->ctx);
}

const char *attn_tokenizer_id_to_token(const attn_tokenizer *tok, int32_t id)
{
    if (!tok || id < 0 || id >= tok->vocab.size) return NULL;
    return tok->vocab.text + tok->vocab.offset[id];
}

typedef struct piece_sink {
    attn_tokenizer *tok;
    attn__text_ids *out;
} piece_sink;

static attn_status word_to_pieces(void *user, const char *word, size_t len, size_t nchars)
{
    piece_sink *s = user;
    return attn__wordpiece(s->tok->ctx, &s->tok->vocab, s->tok->special[ATTN__SPECIAL_UNK], word, len, nchars,
                           s->out);
}

/* Length of the special token at text[0..len) (0 if none) and its id.
 * No special token is a prefix of another, so the first match is the
 * longest. */
static size_t match_special(const attn_tokenizer *tok, const char *text, size_t len, int32_t *id)
{
    for (int i = 0; i < ATTN__SPECIAL_COUNT; i++) {
        size_t n = strlen(special_text[i]);
        if (tok->special[i] >= 0 && n <= len && memcmp(text, special_text[i], n) == 0) {
            *id = tok->special[i];
            return n;
        }
    }
    return 0;
}

/* Appends the pieces of text to out: special tokens are cut out of the raw
 * text first, as the `tokenizers` added-vocabulary does, and the text
 * between them is normalized and split on its own. */
static attn_status text_to_pieces(attn_tokenizer *tok, const char *fn, const char *text, attn__text_ids *out)
{
    size_t len = strlen(text);
    if (len > ATTN_TOKENIZER_MAX_TEXT_BYTES)
        return attn__fail(tok->ctx, ATTN_ERR_LIMIT, "%s: the text is %zu bytes, more than the limit of %d", fn, len,
                          ATTN_TOKENIZER_MAX_TEXT_BYTES);
    piece_sink sink = {tok, out};
    size_t segment = 0;
    for (size_t i = 0; i < len;) {
        int32_t id;
        size_t n = text[i] == '[' ? match_special(tok, text + i, len - i, &id) : 0;
        if (n == 0) {
            i++;
            continue;
        }
        ATTN_CHECK(attn__normalize_words(tok->ctx, &tok->nz, tok->flags, text + segment, i - segment,
                                         word_to_pieces, &sink));
        ATTN_CHECK(attn__text_ids_push(tok->ctx, out, id));
        i += n;
        segment = i;
    }
    return attn__normalize_words(tok->ctx, &tok->nz, tok->flags, text + segment, len - segment, word_to_pieces,
                                 &sink);
}

/* Copies n ids to dst under the capacity rules of attn_tokenizer_tokenize. */
static attn_status copy_out(attn_ctx *ctx, const char *fn, const int32_t *src, const int32_t *src_types,
                            size_t n, int32_t *dst, int32_t *dst_types, int32_t capacity, int32_t *n_out)
{
    *n_out = (int32_t)n;
    size_t m = n < (size_t)capacity ? n : (size_t)capacity;
    if (m > 0) {
        memcpy(dst, src, m * sizeof *dst);
        if (dst_types) memcpy(dst_types, src_types, m * sizeof *dst_types);
    }
    if (capacity > 0 && (size_t)capacity < n)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %zu ids do not fit the capacity of %d", fn, n, (int)capacity);
    return attn__ok(ctx);
}

static attn_status check_out_args(attn_tokenizer *tok, const char *fn, const char *text, int32_t *ids,
                                  int32_t capacity, int32_t *n_out)
{
    if (!tok) return ATTN_ERR_INVALID_ARG;
    if (!text) return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: text is NULL", fn);
    if (!n_out) return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: n_out is NULL", fn);
    if (capacity < 0) return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: capacity %d is negative", fn, (int)capacity);
    if (capacity > 0 && !ids)
        return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: ids is NULL with capacity %d", fn, (int)capacity);
    return ATTN_OK;
}

attn_status attn_tokenizer_tokenize(attn_tokenizer *tok, const char *text, int32_t *ids, int32_t capacity,
                                    int32_t *n_out)
{
    static const char fn[] = "attn_tokenizer_tokenize";
    ATTN_CHECK(check_out_args(tok, fn, text, ids, capacity, n_out));
    *n_out = 0;
    tok->first.n = 0;
    ATTN_CHECK(text_to_pieces(tok, fn, text, &tok->first));
    return copy_out(tok->ctx, fn, attn__text_ids_data(&tok->first), NULL, tok->first.n, ids, NULL, capacity, n_out);
}

/* How many pieces of each side survive a longest-first cut to budget, by
 * the rule of `tokenizers` (truncate_encodings, LongestFirst): the shorter
 * side stays whole if the longer can absorb the whole cut; otherwise both
 * get half the budget and the longer side (the second on a tie) the odd
 * piece. The old Python tokenizers removed one piece at a time, which
 * gives the odd piece to the first side on a tie. */
static void longest_first(size_t n1, size_t n2, size_t budget, size_t *k1, size_t *k2)
{
    *k1 = n1;
    *k2 = n2;
    if (n1 + n2 <= budget) return;
    int swapped = n1 > n2;
    size_t shorter = swapped ? n2 : n1, longer;
    if (2 * shorter <= budget) {
        longer = budget - shorter;
    } else {
        shorter = budget / 2;
        longer = budget - shorter;
    }
    *k1 = swapped ? longer : shorter;
    *k2 = swapped ? shorter : longer;
}

static attn_status push_pair(attn_ctx *ctx, attn__text_ids *ids, attn__text_ids *types, int32_t id, int32_t type)
{
    ATTN_CHECK(attn__text_ids_push(ctx, ids, id));
    return types ? attn__text_ids_push(ctx, types, type) : ATTN_OK;
}

attn_status attn__tokenizer_encode_append(attn_tokenizer *tok, const char *fn, const char *text,
                                          const char *pair, int32_t max_len, attn__text_ids *ids, attn__text_ids *types)
{
    attn_ctx *ctx = tok->ctx;
    int32_t added = pair ? 3 : 2;
    if (max_len < 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: max_len %d is negative", fn, (int)max_len);
    if (max_len > 0 && max_len < added)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: max_len %d leaves no room for the %d special tokens of a %s",
                          fn, (int)max_len, (int)added, pair ? "pair" : "single text");
    int32_t cls = tok->special[ATTN__SPECIAL_CLS], sep = tok->special[ATTN__SPECIAL_SEP];
    if (cls < 0 || sep < 0)
        return attn__fail(ctx, ATTN_ERR_NOT_FOUND, "%s: the vocab has no %s entry", fn, cls < 0 ? "[CLS]" : "[SEP]");
    tok->first.n = 0;
    tok->second.n = 0;
    ATTN_CHECK(text_to_pieces(tok, fn, text, &tok->first));
    if (pair) ATTN_CHECK(text_to_pieces(tok, fn, pair, &tok->second));

    size_t k1 = tok->first.n, k2 = tok->second.n;
    if (max_len > 0) {
        if (pair)
            longest_first(tok->first.n, tok->second.n, (size_t)(max_len - added), &k1, &k2);
        else if (k1 > (size_t)(max_len - added))
            k1 = (size_t)(max_len - added);
    }
    if (k1 + k2 + (size_t)added > (size_t)INT32_MAX)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the sequence would have more than %d ids", fn, INT32_MAX);
    const int32_t *a = attn__text_ids_data(&tok->first), *b = attn__text_ids_data(&tok->second);
    ATTN_CHECK(push_pair(ctx, ids, types, cls, 0));
    for (size_t i = 0; i < k1; i++) ATTN_CHECK(push_pair(ctx, ids, types, a[i], 0));
    ATTN_CHECK(push_pair(ctx, ids, types, sep, 0));
    if (pair) {
        for (size_t i = 0; i < k2; i++) ATTN_CHECK(push_pair(ctx, ids, types, b[i], 1));
        ATTN_CHECK(push_pair(ctx, ids, types, sep, 1));
    }
    return ATTN_OK;
}

attn_status attn_tokenizer_encode(attn_tokenizer *tok, const char *text, const char *pair, int32_t max_len,
                                  int32_t *ids, int32_t *type_ids, int32_t capacity, int32_t *n_out)
{
    static const char fn[] = "attn_tokenizer_encode";
    ATTN_CHECK(check_out_args(tok, fn, text, ids, capacity, n_out));
    *n_out = 0;
    tok->out_ids.n = 0;
    tok->out_types.n = 0;
    ATTN_CHECK(attn__tokenizer_encode_append(tok, fn, text, pair, max_len, &tok->out_ids, &tok->out_types));
    return copy_out(tok->ctx, fn, attn__text_ids_data(&tok->out_ids), attn__text_ids_data(&tok->out_types), tok->out_ids.n,
                    ids, type_ids, capacity, n_out);
}
