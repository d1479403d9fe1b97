/* Private declarations of lib/text: the vocabulary, the scratch buffers a
 * tokenizer reuses across calls, the BERT normalizer and pre-tokenizer,
 * WordPiece, and the tokenizer layout that batch.c shares. */
#ifndef ATTN_TEXT_INTERNAL_H
#define ATTN_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* ---- vocab.c: the vocab.txt lines and a hash table over them ---------- */

typedef struct attn__vocab {
    char *text;          /* every line, each NUL-terminated, in file order */
    size_t *offset;      /* offset[id] = start of line id in text */
    uint32_t *len;       /* len[id] = bytes of line id */
    int32_t size;        /* number of lines */
    int32_t *slots;      /* open addressing: id or -1; a power of two long */
    size_t slot_mask;
    size_t longest;      /* bytes of the longest line, bounds WordPiece's search */
} attn__vocab;

/* Parses len bytes of vocab.txt into v (see attn_tokenizer_load for the
 * rules); fn names the caller in messages. */
attn_status attn__vocab_parse(attn_ctx *ctx, const char *fn, const char *data, size_t len, attn__vocab *v);
void attn__vocab_free(attn_ctx *ctx, attn__vocab *v);
/* Id of the entry prefix + s (prefix may be empty), -1 if absent. The
 * pieces are looked up without being joined. */
int32_t attn__vocab_find(const attn__vocab *v, const char *prefix, size_t prefix_len, const char *s,
                         size_t len);

/* ---- scratch.c: growable buffers reused from call to call ------------- */

typedef struct attn__text_buf {
    void *data;
    size_t cap;          /* bytes */
} attn__text_buf;

/* Makes room for at least bytes bytes; contents up to the old capacity are
 * kept. Grows geometrically so repeated calls amortize. */
attn_status attn__text_buf_reserve(attn_ctx *ctx, attn__text_buf *b, size_t bytes);
void attn__text_buf_free(attn_ctx *ctx, attn__text_buf *b);

/* A growable int32 list (token ids). */
typedef struct attn__text_ids {
    attn__text_buf buf;
    size_t n;
} attn__text_ids;

attn_status attn__text_ids_push(attn_ctx *ctx, attn__text_ids *l, int32_t v);
static inline int32_t *attn__text_ids_data(const attn__text_ids *l) { return (int32_t *)l->buf.data; }

/* ---- normalize.c: BertNormalizer + BertPreTokenizer ------------------- */

typedef struct attn__normalizer {
    attn__text_buf cleaned;   /* UTF-8 after cleaning and CJK spacing */
    attn__text_buf points;    /* int32 code points after NFD / lowercasing */
    attn__text_buf word;      /* UTF-8 of the current word */
} attn__normalizer;

/* Called for each word (UTF-8 in word[0..len), nchars characters). */
typedef attn_status (*attn__word_fn)(void *user, const char *word, size_t len, size_t nchars);

/* Normalizes len bytes of text by the flags (ATTN_TOKENIZER_*) and calls
 * on_word for every word in order. Invalid UTF-8 is dropped. */
attn_status attn__normalize_words(attn_ctx *ctx, attn__normalizer *nz, uint32_t flags, const char *text,
                                  size_t len, attn__word_fn on_word, void *user);
void attn__normalizer_free(attn_ctx *ctx, attn__normalizer *nz);

/* ---- wordpiece.c ------------------------------------------------------- */

/* Appends the WordPiece ids of one word to out; unk is [UNK]'s id or -1
 * (then an unknown word fails with ATTN_ERR_NOT_FOUND). */
attn_status attn__wordpiece(attn_ctx *ctx, const attn__vocab *v, int32_t unk, const char *word, size_t len,
                            size_t nchars, attn__text_ids *out);

/* ---- tokenizer.c ------------------------------------------------------- */

enum { ATTN__SPECIAL_PAD, ATTN__SPECIAL_UNK, ATTN__SPECIAL_CLS, ATTN__SPECIAL_SEP, ATTN__SPECIAL_MASK,
       ATTN__SPECIAL_COUNT };

struct attn_tokenizer {
    attn_ctx *ctx;
    uint32_t flags;
    attn__vocab vocab;
    int32_t special[ATTN__SPECIAL_COUNT]; /* ids, -1 when the vocab lacks one */
    attn__normalizer nz;
    attn__text_ids first, second;             /* pieces of the text and of the pair */
    attn__text_ids out_ids, out_types;        /* attn_tokenizer_encode's result */
};

/* Encodes text (and pair, may be NULL) with [CLS]/[SEP] and truncation to
 * max_len (0 = none), appending ids and token types to the lists. fn names
 * the public caller in messages. */
attn_status attn__tokenizer_encode_append(attn_tokenizer *tok, const char *fn, const char *text,
                                          const char *pair, int32_t max_len, attn__text_ids *ids,
                                          attn__text_ids *types);

#endif /* ATTN_TEXT_INTERNAL_H */
