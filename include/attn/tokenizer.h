/** @file
 * libattn tokenizer: Hugging Face's BertTokenizer (BasicTokenizer, then
 * greedy longest-match-first WordPiece) over a vocab.txt, and batches of
 * padded int32 tensors ready for attn_model_forward.
 *
 * What a text goes through, in order (the rules of Hugging Face
 * transformers 5.x, whose BertTokenizer runs the `tokenizers` pipeline):
 *  1. The special tokens [PAD] [UNK] [CLS] [SEP] [MASK] that the vocab holds
 *     are cut out of the raw text wherever they appear, exactly as written
 *     (case-sensitive, even inside a word): they are never split or
 *     lowercased. "[mask]" in an uncased text is ordinary text.
 *  2. Invalid UTF-8 bytes are dropped (as if decoded with U+FFFD
 *     replacement, which step 3 then removes). Surrogates and overlong
 *     forms count as invalid.
 *  3. Cleaning: NUL, U+FFFD and control characters (categories Cc, Cf, Cn,
 *     Co, Cs, except TAB, LF and CR) are removed; whitespace (TAB, LF, CR
 *     and categories Zs, Zl, Zp) becomes a space.
 *  4. Spaces are put around CJK ideographs (U+4E00-9FFF, 3400-4DBF,
 *     20000-2A6DF, 2A700-2B73F, 2B740-2B81F, 2B920-2CEAF, F900-FAFF,
 *     2F800-2FA1F: the blocks of `tokenizers`' BertNormalizer).
 *  5. Uncased (ATTN_TOKENIZER_LOWERCASE): NFD, then nonspacing marks (Mn)
 *     are removed (unless ATTN_TOKENIZER_KEEP_ACCENTS), then every
 *     character is lowercased (U+0130 becomes "i" + U+0307).
 *  6. Words are split at spaces, and every punctuation character (every
 *     printable ASCII character that is not a letter or digit, and the
 *     Unicode P* categories) is a word of its own.
 *  7. WordPiece: each word becomes the longest vocab entry that prefixes
 *     it, then "##"-prefixed entries for the rest, greedily; a word with
 *     more than 100 characters (not bytes), or with a part no entry
 *     matches, becomes [UNK] as a whole.
 * Unicode properties (categories, NFD, case mapping) come from utf8proc;
 * characters that Unicode assigned after the tables of Hugging Face's
 * build may be classed differently.
 *
 * A tokenizer keeps scratch buffers that it reuses across calls, so the
 * encoding calls take a non-const handle: use one tokenizer per thread,
 * like every object of a context.
 */
#ifndef ATTN_TOKENIZER_H
#define ATTN_TOKENIZER_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Flags of attn_tokenizer_load. 0 = cased (no lowercasing, accents kept),
 *  as bert-base-cased and bert-base-chinese. */
enum {
    ATTN_TOKENIZER_LOWERCASE = 1u << 0,   /**< lowercase and strip accents, as uncased BERT */
    ATTN_TOKENIZER_KEEP_ACCENTS = 1u << 1 /**< with LOWERCASE: lowercase but keep accents
                                               (HF strip_accents=False); no effect alone */
};

/** Limits on vocab files; exceeding one gives ATTN_ERR_LIMIT. */
#define ATTN_TOKENIZER_MAX_VOCAB 16777216       /**< entries (lines) */
#define ATTN_TOKENIZER_MAX_TOKEN_BYTES 1024     /**< bytes in one vocab line */
#define ATTN_TOKENIZER_MAX_VOCAB_BYTES 1073741824 /**< bytes of the whole file */
/** Longest text one call accepts (ATTN_ERR_LIMIT beyond), in bytes. */
#define ATTN_TOKENIZER_MAX_TEXT_BYTES 1073741824
/** Words with more characters than this become [UNK] (Hugging Face's value). */
#define ATTN_TOKENIZER_MAX_WORD_CHARS 100

/** A WordPiece tokenizer: its vocabulary and flags. Opaque; freed by attn_tokenizer_destroy. */
typedef struct attn_tokenizer attn_tokenizer;

/** Loads a vocab.txt: one token per line, the line number (from 0) is the
 *  id. Lines end at LF; one CR before the LF is removed, nothing else is
 *  stripped. A final line without LF counts; an empty line is an entry no
 *  word can match. A token written on several lines maps to its LAST line
 *  (as Hugging Face's loader does); attn_tokenizer_id_to_token still gives
 *  the text of every line.
 *  [UNK], [CLS], [SEP] and [PAD] are optional at load time: a call that
 *  needs a missing one fails with ATTN_ERR_NOT_FOUND naming it.
 *  flags: ATTN_TOKENIZER_* bits (others: ATTN_ERR_INVALID_ARG).
 *  Errors: ATTN_ERR_IO (cannot open or read the file), ATTN_ERR_FORMAT
 *  (empty vocab, invalid UTF-8 or a NUL byte, with the line number),
 *  ATTN_ERR_LIMIT (see ATTN_TOKENIZER_MAX_*), ATTN_ERR_NOMEM.
 *  *out is NULL on error; destroy with attn_tokenizer_destroy. */
ATTN_API attn_status attn_tokenizer_load(attn_ctx *ctx, const char *vocab_path, uint32_t flags,
                                         attn_tokenizer **out);
/** Same as attn_tokenizer_load from len bytes in memory (copied; data
 *  may be freed after the call). */
ATTN_API attn_status attn_tokenizer_load_buffer(attn_ctx *ctx, const char *data, size_t len, uint32_t flags,
                                                attn_tokenizer **out);
/** Frees the tokenizer. NULL is a no-op. */
ATTN_API void attn_tokenizer_destroy(attn_tokenizer *tok);

/** Number of vocab lines (ids run from 0 to this - 1); -1 for NULL. */
ATTN_API int32_t attn_tokenizer_vocab_size(const attn_tokenizer *tok);
/** Id of an exact vocab entry (no normalization). ATTN_ERR_NOT_FOUND if the
 *  vocab lacks it, ATTN_ERR_INVALID_ARG for NULL arguments. */
ATTN_API attn_status attn_tokenizer_token_to_id(const attn_tokenizer *tok, const char *token, int32_t *id);
/** Text of line id of the vocab (borrowed, lives as long as tok); NULL if
 *  id is out of range or tok is NULL. */
ATTN_API const char *attn_tokenizer_id_to_token(const attn_tokenizer *tok, int32_t id);

/** WordPiece ids of a NUL-terminated UTF-8 text, without [CLS]/[SEP] and
 *  without truncation (the pieces Hugging Face's tokenize() gives; their
 *  strings are attn_tokenizer_id_to_token). Writes min(n, capacity) ids
 *  and sets *n_out = n, the full count.
 *  capacity 0 (ids may then be NULL) only asks for the count and succeeds;
 *  0 < capacity < n writes capacity ids and fails with ATTN_ERR_LIMIT.
 *  Errors: ATTN_ERR_NOT_FOUND (a word needs [UNK] and the vocab has none),
 *  ATTN_ERR_LIMIT (text longer than ATTN_TOKENIZER_MAX_TEXT_BYTES),
 *  ATTN_ERR_INVALID_ARG (NULL tok, text or n_out, negative capacity, NULL
 *  ids with capacity > 0). */
ATTN_API attn_status attn_tokenizer_tokenize(attn_tokenizer *tok, const char *text, int32_t *ids,
                                             int32_t capacity, int32_t *n_out);

/** Model input for one text, or for a pair when pair is not NULL:
 *  "[CLS] text [SEP]" or "[CLS] text [SEP] pair [SEP]", token types 0 for
 *  [CLS], text and its [SEP], 1 for the pair and the last [SEP].
 *  max_len > 0 truncates so the whole sequence (specials included) has at
 *  most max_len ids: a single text keeps its first max_len - 2 pieces; a
 *  pair is cut longest-first as Hugging Face's `tokenizers` does (the
 *  shorter side is kept whole when the longer can absorb the cut, else
 *  each keeps half of max_len - 3, the longer one (the pair on a tie)
 *  taking the odd one). max_len 0 = no truncation; 0 < max_len < 2 (3
 *  for a pair) is ATTN_ERR_INVALID_ARG. No padding (see the batch calls).
 *  ids receives the ids, type_ids (may be NULL) the token types; both
 *  follow attn_tokenizer_tokenize's capacity rules, *n_out = full length.
 *  Errors as attn_tokenizer_tokenize, plus ATTN_ERR_NOT_FOUND when the
 *  vocab lacks [CLS] or [SEP]. */
ATTN_API attn_status attn_tokenizer_encode(attn_tokenizer *tok, const char *text, const char *pair,
                                           int32_t max_len, int32_t *ids, int32_t *type_ids,
                                           int32_t capacity, int32_t *n_out);

/** A reusable batch: three int32 tensors [B, T] (input ids, token types,
 *  attention mask: 1 real token, 0 padding) that attn_tokenizer_encode_batch
 *  fills. Its storage only grows, so a training loop whose batches fit what
 *  was already allocated does not allocate. */
typedef struct attn_batch attn_batch;

/** The tensors of a batch (attn_batch_tensor). */
typedef enum attn_batch_field {
    ATTN_BATCH_INPUT_IDS = 0,      /**< [B, T] int32 ids, [PAD] after the end */
    ATTN_BATCH_TOKEN_TYPE_IDS = 1, /**< [B, T] int32 0/1, 0 on padding */
    ATTN_BATCH_ATTENTION_MASK = 2  /**< [B, T] int32 1 real, 0 padding */
} attn_batch_field;

/** Creates an empty batch (tensors of shape [0, 0]). *out is NULL on error. */
ATTN_API attn_status attn_batch_create(attn_ctx *ctx, attn_batch **out);
/** Frees the batch and its tensors. NULL is a no-op. */
ATTN_API void attn_batch_destroy(attn_batch *b);

/** Encodes n texts (and pairs[i] with texts[i] when pairs is not NULL and
 *  pairs[i] is not NULL) as attn_tokenizer_encode with max_len, then pads
 *  on the right with [PAD] to T = pad_to, or to the longest sequence when
 *  pad_to is 0. n may be 0 (tensors [0, pad_to]).
 *  Errors: ATTN_ERR_INVALID_ARG (NULL tok, batch or texts[i], negative n,
 *  max_len or pad_to, batch and tokenizer of different contexts),
 *  ATTN_ERR_LIMIT (a sequence longer than pad_to: pass max_len <= pad_to
 *  to truncate), ATTN_ERR_NOT_FOUND (padding needed but no [PAD], or as
 *  attn_tokenizer_encode), ATTN_ERR_OVERFLOW, ATTN_ERR_NOMEM. On error the
 *  batch keeps its previous shape and content. */
ATTN_API attn_status attn_tokenizer_encode_batch(attn_tokenizer *tok, attn_batch *batch,
                                                 const char *const *texts, const char *const *pairs,
                                                 int32_t n, int32_t max_len, int32_t pad_to);

/** A tensor of the batch (borrowed). The handle stays valid until the next
 *  attn_tokenizer_encode_batch on the batch (which may replace it when the
 *  batch must grow) or attn_batch_destroy. NULL for NULL b or an unknown
 *  field. */
ATTN_API attn_tensor *attn_batch_tensor(attn_batch *b, attn_batch_field f);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_TOKENIZER_H */
