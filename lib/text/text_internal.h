/* Private declarations of lib/text. A text goes through the stages of the
 * Hugging Face `tokenizers` pipeline, one file each:
 *
 *   raw UTF-8 --(tokenizer.c: invalid bytes dropped)--> added tokens cut out
 *   (added_tokens.c) --> normalizer (normalize.c) --> added tokens with
 *   normalized=true cut out --> pre-tokenizer (pretokenize.c) --> words
 *   --> WordPiece (wordpiece.c, over the vocab of vocab.c) --> pieces
 *   --> truncation + template (template.c) --> ids and type ids
 *   --> padded batches (batch.c).
 *
 * The loaders fill the stage descriptions: vocab.txt + flags (tokenizer.c),
 * tokenizer.json (tokenizer_json.c), a model folder (tokenizer_dir.c). */
#ifndef ATTN_TEXT_INTERNAL_H
#define ATTN_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/keyed_hash.h"
#include "internal.h"

/* ---- scratch.c: growable buffers reused from call to call ------------- */

typedef struct attn__text_buf {
    void *data;
    size_t cap;          /* bytes */
} attn__text_buf;

/* Makes room for at least bytes bytes; contents up to the old capacity are
 * kept. Grows geometrically so repeated calls amortize. */
attn_status attn__text_buf_reserve(attn_ctx *ctx, attn__text_buf *b, size_t bytes);
void attn__text_buf_free(attn_ctx *ctx, attn__text_buf *b);

/* A growable int32 list (token ids, code points). */
typedef struct attn__text_ids {
    attn__text_buf buf;
    size_t n;
} attn__text_ids;

/* Appends v, growing the list (the slow path) when it is full. */
attn_status attn__text_ids_grow_push(attn_ctx *ctx, attn__text_ids *l, int32_t v);
static inline int32_t *attn__text_ids_data(const attn__text_ids *l) { return (int32_t *)l->buf.data; }
static inline attn_status attn__text_ids_push(attn_ctx *ctx, attn__text_ids *l, int32_t v)
{
    if (l->n < l->buf.cap / sizeof(int32_t) && l->n < (size_t)INT32_MAX) {
        attn__text_ids_data(l)[l->n++] = v;
        return ATTN_OK;
    }
    return attn__text_ids_grow_push(ctx, l, v);
}

/* A growable list of byte spans [start, end) of a string. */
typedef struct attn__span {
    size_t start, end;
} attn__span;
typedef struct attn__spans {
    attn__text_buf buf;
    size_t n;
} attn__spans;
attn_status attn__spans_push(attn_ctx *ctx, attn__spans *l, size_t start, size_t end);
static inline attn__span *attn__spans_data(const attn__spans *l) { return (attn__span *)l->buf.data; }


/* ---- unicode_class.c: the character classes of the Rust tokenizers ---- */

int attn__is_white_space(int32_t c);      /* Unicode White_Space (Rust char::is_whitespace) */
int attn__is_bert_punctuation(int32_t c); /* ASCII punctuation or a P* category */
int attn__is_other(int32_t c);            /* Cc Cf Co Cs, as BertNormalizer's tables know them */
int attn__is_cjk_ideograph(int32_t c);    /* the blocks of BertNormalizer */
int attn__is_word_char(int32_t c);        /* regex \w: Alphabetic, marks, Nd, Pc, joiners */
int attn__is_mark(int32_t c);             /* Mn Mc Me */
/* Appends the full lowercase of c (Rust char::to_lowercase) to out[0..);
 * returns the count (1 or 2). */
int attn__lowercase(int32_t c, int32_t out[2]);

/* Decodes s[0, n) (valid UTF-8) to code points appended to out. */
attn_status attn__utf8_to_points(attn_ctx *ctx, const char *s, size_t n, attn__text_ids *out);
/* Encodes pts[0, n) as UTF-8 into buf (reserved here); *len = bytes. */
attn_status attn__points_to_utf8(attn_ctx *ctx, const int32_t *pts, size_t n, attn__text_buf *buf, size_t *len);

/* ---- vocab.c: the model's vocabulary and a keyed hash table over it ---- */

#define ATTN__VOCAB_GAP UINT32_MAX /* len[id] of an id no entry has */

typedef struct attn__vocab {
    char *text;          /* every entry, each NUL-terminated */
    size_t *offset;      /* offset[id] = start of entry id in text */
    uint32_t *len;       /* len[id] = bytes of entry id, ATTN__VOCAB_GAP if none */
    int32_t size;        /* ids run from 0 to size - 1 */
    int32_t entries;     /* ids that have an entry (size less the gaps) */
    int32_t *slots;      /* open addressing: id or -1; a power of two long */
    size_t slot_mask;
    size_t longest;      /* bytes of the longest entry, bounds WordPiece's search */
    attn__hash_key key;  /* fresh per vocab: a file cannot aim at its slots */
    uint64_t probes;     /* slots visited by every insert and lookup so far */
} attn__vocab;

/* Parses len bytes of vocab.txt into v (see attn_tokenizer_load for the
 * rules); fn names the caller in messages. */
attn_status attn__vocab_parse(attn_ctx *ctx, const char *fn, const char *data, size_t len, attn__vocab *v);
/* Builds v from n (token, id) pairs (tokenizer.json's "vocab"); tokens are
 * valid UTF-8 without NUL (the JSON reader checked), ids are checked here. */
attn_status attn__vocab_from_pairs(attn_ctx *ctx, const char *fn, size_t n, const char *const *tokens,
                                   const size_t *lens, const int64_t *ids, attn__vocab *v);
void attn__vocab_free(attn_ctx *ctx, attn__vocab *v);
/* Id of the entry prefix + s (prefix may be empty), -1 if absent. The
 * pieces are looked up without being joined. Counts its probes on v. */
int32_t attn__vocab_find(const attn__vocab *v, const char *prefix, size_t prefix_len, const char *s,
                         size_t len);

/* ---- normalize.c: the normalizers ------------------------------------- */

typedef enum attn__norm_kind {
    ATTN__NORM_BERT,          /* BertNormalizer */
    ATTN__NORM_NFD, ATTN__NORM_NFKD, ATTN__NORM_NFC, ATTN__NORM_NFKC,
    ATTN__NORM_LOWERCASE,     /* Rust char::to_lowercase per character */
    ATTN__NORM_STRIP_ACCENTS, /* drop Mn Mc Me (no decomposition first) */
    ATTN__NORM_REPLACE,       /* a literal pattern, every occurrence */
    ATTN__NORM_STRIP          /* White_Space at either end */
} attn__norm_kind;

typedef struct attn__norm_step {
    attn__norm_kind kind;
    uint8_t clean_text, chinese_chars, strip_accents, lowercase; /* BERT */
    uint8_t left, right;                                         /* STRIP */
    int32_t *pattern, *content;                                  /* REPLACE, code points */
    size_t pattern_len, content_len;
} attn__norm_step;

typedef struct attn__normalizer {
    attn__norm_step *steps;   /* owned; NULL with n_steps 0 = no normalizer */
    size_t n_steps;
    attn__text_ids a, b;      /* code points, ping-pong between steps */
    attn__text_ids run;       /* canonical ordering's scratch */
    attn__text_buf out;       /* the UTF-8 result */
    uint64_t work;            /* code points handled by every step so far */
} attn__normalizer;

/* Normalizes s[0, n) (valid UTF-8) through the steps; *out points into
 * nz->out (valid until the next call), *out_len its bytes. The work per
 * code point is bounded by a constant: canonical ordering sorts a run of
 * combining marks in linear time however long it is. */
attn_status attn__normalize(attn_ctx *ctx, attn__normalizer *nz, const char *s, size_t n, const char **out,
                            size_t *out_len);
/* The same steps over code points (no UTF-8 round trip), into nz->a or
 * nz->b; *out points at the result. Exposed for the linear-time tests. */
attn_status attn__normalize_points(attn_ctx *ctx, attn__normalizer *nz, const int32_t *in, size_t n,
                                   attn__text_ids **out);
void attn__normalizer_free(attn_ctx *ctx, attn__normalizer *nz);

/* ---- pretokenize.c: the pre-tokenizers -------------------------------- */

typedef enum attn__pre_kind {
    ATTN__PRE_BERT,             /* BertPreTokenizer */
    ATTN__PRE_WHITESPACE,       /* \w+|[^\w\s]+ */
    ATTN__PRE_WHITESPACE_SPLIT, /* split at White_Space */
    ATTN__PRE_PUNCTUATION       /* split at punctuation with a behaviour */
} attn__pre_kind;

typedef enum attn__split_behavior {
    ATTN__SPLIT_REMOVED, ATTN__SPLIT_ISOLATED, ATTN__SPLIT_MERGED_WITH_PREVIOUS,
    ATTN__SPLIT_MERGED_WITH_NEXT, ATTN__SPLIT_CONTIGUOUS
} attn__split_behavior;

typedef struct attn__pre_step {
    attn__pre_kind kind;
    attn__split_behavior behavior; /* PUNCTUATION */
} attn__pre_step;

typedef struct attn__pretokenizer {
    attn__pre_step *steps;    /* owned; n_steps 0 = the whole text is one word */
    size_t n_steps;
    attn__spans a, b;         /* ping-pong word lists */
    attn__spans events;       /* one split's matches */
    attn__text_buf is_match;  /* one byte per event */
} attn__pretokenizer;

/* Splits s[0, n) (valid UTF-8) into words: *words points at spans of s,
 * valid until the next call. */
attn_status attn__pretokenize(attn_ctx *ctx, attn__pretokenizer *pt, const char *s, size_t n,
                              const attn__spans **words);
void attn__pretokenizer_free(attn_ctx *ctx, attn__pretokenizer *pt);

/* ---- added_tokens.c: tokens cut out of the text before the model ------ */

typedef struct attn__added_token {
    char *content;            /* as written (attn_tokenizer_id_to_token gives it) */
    size_t len;
    char *match;              /* what is matched: the content, normalized when normalized=1 */
    size_t match_len;
    int32_t id;
    uint8_t special, single_word, lstrip, rstrip, normalized;
} attn__added_token;

/* One matching set: the tokens sorted by content for prefix search. */
typedef struct attn__added_set {
    attn__added_token **sorted;
    size_t n;
    uint8_t first_byte[256];  /* 1 if some token starts with the byte */
} attn__added_set;

typedef struct attn__added {
    attn__added_token *tok;   /* owned, in file order */
    size_t n, cap;
    attn__added_set raw, normalized;
} attn__added;

/* Longest token content accepted (bytes): matching costs at most this many
 * steps per text byte. */
#define ATTN__ADDED_MAX_BYTES 256
/* Most added tokens a tokenizer takes. */
#define ATTN__ADDED_MAX 16384

/* Builds the two matching sets from a->tok (after every token is in). */
attn_status attn__added_index(attn_ctx *ctx, attn__added *a);
void attn__added_free(attn_ctx *ctx, attn__added *a);
/* The added token whose content (as written) is s[0, n), or NULL. */
const attn__added_token *attn__added_find(const attn__added *a, const char *s, size_t n);
/* The added token with this id, or NULL. */
const attn__added_token *attn__added_by_id(const attn__added *a, int32_t id);
/* Splits s[0, n) at the tokens of set as `tokenizers` does (leftmost
 * longest; single_word, lstrip, rstrip): appends spans to out, with
 * ids[i] the token of span i or -1 for text between tokens. */
attn_status attn__added_split(attn_ctx *ctx, const attn__added_set *set, const char *s, size_t n,
                              attn__spans *out, attn__text_ids *ids);

/* ---- wordpiece.c ------------------------------------------------------- */

typedef struct attn__wordpiece_cfg {
    int32_t unk;              /* id, -1 when the vocab lacks it */
    char *unk_token;          /* its text, for messages */
    char *prefix;             /* continuing_subword_prefix */
    size_t prefix_len;
    size_t max_chars;         /* max_input_chars_per_word */
} attn__wordpiece_cfg;

/* Appends the WordPiece ids of one word (UTF-8) to out. An unknown word
 * without an unk id fails with ATTN_ERR_NOT_FOUND. */
attn_status attn__wordpiece(attn_ctx *ctx, const attn__vocab *v, const attn__wordpiece_cfg *cfg,
                            const char *word, size_t len, attn__text_ids *out);

/* ---- template.c: truncation and the post-processor --------------------- */

typedef enum attn__piece_kind { ATTN__PIECE_A, ATTN__PIECE_B, ATTN__PIECE_SPECIAL } attn__piece_kind;

typedef struct attn__template_piece {
    attn__piece_kind kind;
    int32_t type_id;
    size_t first, count;      /* SPECIAL: ids[first, first + count) of the template */
} attn__template_piece;

typedef struct attn__template {
    attn__template_piece *pieces;
    size_t n;
    int32_t *ids;             /* the special tokens' ids */
    size_t n_ids;
    const char *missing;      /* a special token the vocab lacks (vocab.txt): encoding fails naming it */
} attn__template;

typedef enum attn__trunc_strategy { ATTN__TRUNC_LONGEST_FIRST, ATTN__TRUNC_ONLY_FIRST, ATTN__TRUNC_ONLY_SECOND } attn__trunc_strategy;

typedef struct attn__truncation {
    int32_t max_length;       /* 0 = the file names none */
    attn__trunc_strategy strategy;
    int left;                 /* direction Left: keep the last pieces */
} attn__truncation;

void attn__template_free(attn_ctx *ctx, attn__template *t);
/* Appends a 1- or 2-sequence template to t: kind A/B/SPECIAL pieces. */
attn_status attn__template_add_special(attn_ctx *ctx, attn__template *t, const int32_t *ids, size_t n,
                                       int32_t type_id);
attn_status attn__template_add_sequence(attn_ctx *ctx, attn__template *t, attn__piece_kind which,
                                        int32_t type_id);
/* The number of ids the template adds. */
size_t attn__template_added(const attn__template *t);
/* How many pieces each side keeps under budget (n2 = 0 for a single text)
 * by the strategy of tr; ATTN_ERR_LIMIT when an only-first/second cut
 * cannot make the sequence fit (as `tokenizers` refuses it). */
attn_status attn__truncate(attn_ctx *ctx, const char *fn, const attn__truncation *tr, int pair, size_t n1,
                           size_t n2, size_t budget, size_t *k1, size_t *k2);
/* Appends the template filled with a[0, na) and b[0, nb) (the kept pieces)
 * to ids and types (types may be NULL). */
attn_status attn__template_apply(attn_ctx *ctx, const attn__template *t, const int32_t *a, size_t na,
                                 const int32_t *b, size_t nb, attn__text_ids *ids, attn__text_ids *types);

/* ---- tokenizer.c ------------------------------------------------------- */

struct attn_tokenizer {
    attn_ctx *ctx;
    attn__vocab vocab;                    /* the model's entries */
    attn__added added;                    /* added tokens (specials of a vocab.txt included) */
    attn__normalizer nz;
    attn__pretokenizer pre;
    attn__wordpiece_cfg wp;
    attn__template single, pair;          /* the post-processor */
    attn__truncation trunc;
    int32_t max_length;                   /* attn_tokenizer_max_length */
    int32_t pad_id, pad_type_id;          /* -1: no pad token */
    int pad_left;
    int lowercase_input;                  /* sentence-transformers' do_lower_case */
    int32_t id_count;                     /* attn_tokenizer_vocab_size */
    /* scratch */
    attn__text_buf clean;                 /* the text without invalid UTF-8 */
    attn__text_ids lower_pts;
    attn__text_buf lower;
    attn__spans raw_spans, norm_spans;
    attn__text_ids raw_ids, norm_ids;
    attn__text_ids first, second;         /* pieces of the text and of the pair */
    attn__text_ids out_ids, out_types;    /* attn_tokenizer_encode's result */
};

/* An empty tokenizer (no normalizer, no pre-tokenizer, no templates). */
attn_status attn__tokenizer_new(attn_ctx *ctx, attn_tokenizer **out);
/* Sets the BertNormalizer + BertPreTokenizer of the given settings. */
attn_status attn__tokenizer_set_bert(attn_tokenizer *tok, int clean_text, int chinese_chars, int strip_accents,
                                     int lowercase);
/* Adds a token to tok->added as `tokenizers` does (AddedVocabulary
 * add_tokens): its id is the model's when the vocab has the content, else
 * the next free one; normalized contents go through the normalizer, so
 * the normalizer must be set first. Call attn__added_index after the last. */
attn_status attn__tokenizer_add_token(attn_tokenizer *tok, const char *fn, const char *content, size_t len,
                                      int special, int single_word, int lstrip, int rstrip, int normalized);
/* Id of a token text: added tokens first, then the model's vocab; -1. */
int32_t attn__tokenizer_find(const attn_tokenizer *tok, const char *s, size_t n);
/* Sets the BERT templates "[CLS] A [SEP]" and "[CLS] A [SEP] B [SEP]" (type
 * ids 0 then 1) from the two tokens; a missing one makes encoding fail. */
attn_status attn__tokenizer_set_bert_template(attn_tokenizer *tok, const char *cls, const char *sep);
/* Finishes loading: indexes the added tokens and counts the ids. */
attn_status attn__tokenizer_finish(attn_tokenizer *tok);

/* Encodes text (and pair, may be NULL) with the template and truncation to
 * max_len (0 = none), appending ids and token types to the lists. fn names
 * the public caller in messages. */
attn_status attn__tokenizer_encode_append(attn_tokenizer *tok, const char *fn, const char *text,
                                          const char *pair, int32_t max_len, attn__text_ids *ids,
                                          attn__text_ids *types);

/* ---- tokenizer_json.c -------------------------------------------------- */

typedef struct attn__json_doc attn__json_doc;
/* Fills tok (from attn__tokenizer_new) from a parsed tokenizer.json. */
attn_status attn__tokenizer_from_json(attn_tokenizer *tok, const char *fn, const attn__json_doc *doc);

#endif /* ATTN_TEXT_INTERNAL_H */
