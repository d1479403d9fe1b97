/* libattn tokenizer: Hugging Face's WordPiece tokenizers (BertTokenizer
 * over a vocab.txt, any WordPiece tokenizer.json, a model folder), and
 * batches of padded int32 tensors ready for attn_model_forward.
 *
 * Three loaders build one: attn_tokenizer_load (a vocab.txt and flags,
 * the rules below), attn_tokenizer_load_json (the `tokenizers` pipeline a
 * tokenizer.json describes: normalizer, pre-tokenizer, WordPiece model,
 * post-processor, added tokens, truncation and padding) and
 * attn_tokenizer_load_dir (a Hugging Face / sentence-transformers folder).
 *
 * What a text goes through with a vocab.txt, in order (the rules of
 * Hugging Face transformers 5.x, whose BertTokenizer runs the `tokenizers`
 * pipeline with BertNormalizer and BertPreTokenizer):
 *  1. Invalid UTF-8 bytes are dropped (as if decoded with U+FFFD
 *     replacement, which step 3 would remove). Surrogates and overlong
 *     forms count as invalid.
 *  2. The special tokens [PAD] [UNK] [CLS] [SEP] [MASK] that the vocab holds
 *     are cut out of the text wherever they appear, exactly as written
 *     (case-sensitive, even inside a word): they are never split or
 *     lowercased. "[mask]" in an uncased text is ordinary text.
 *  3. Cleaning: NUL, U+FFFD and control characters (categories Cc, Cf,
 *     Co, Cs, except TAB, LF and CR) are removed; whitespace (TAB, LF, CR
 *     and categories Zs, Zl, Zp) becomes a space. Unassigned code points
 *     (Cn) and the few Cf characters assigned since Unicode 9 stay, as in
 *     `tokenizers`, whose tables are that old.
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
 * Unicode properties (categories, NFD, case mapping) come from utf8proc
 * (Unicode 15); characters that Unicode assigned after the tables of
 * Hugging Face's build (its punctuation and mark tables predate Unicode
 * 9, its letters and case mappings follow Unicode 16) may be classed
 * differently: a few hundred code points, none in common use.
 *
 * The work per text is linear in its length: a long run of combining marks
 * is put in canonical order by a linear sort (not by exchanges, which are
 * quadratic), vocab lookups go through a table keyed per tokenizer with a
 * random SipHash key (a vocab file cannot be crafted to collide), and
 * added tokens are found with at most 256 steps per byte.
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
/** Largest tokenizer.json read, in bytes (ATTN_ERR_LIMIT beyond). */
#define ATTN_TOKENIZER_MAX_JSON_BYTES 268435456
/** Longest text one call accepts (ATTN_ERR_LIMIT beyond), in bytes. */
#define ATTN_TOKENIZER_MAX_TEXT_BYTES 1073741824
/** Words with more characters than this become [UNK] (Hugging Face's value). */
#define ATTN_TOKENIZER_MAX_WORD_CHARS 100

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
/** Loads a Hugging Face tokenizer.json (the `tokenizers` library's format,
 *  version 1.0) whose model is WordPiece, and encodes as that library does
 *  (ids and type ids identical on the texts the tests cover):
 *  - "normalizer": BertNormalizer (clean_text, handle_chinese_chars,
 *    strip_accents (null follows lowercase), lowercase), NFD, NFKD, NFC,
 *    NFKC, Lowercase, StripAccents (drops Mn, Mc, Me), Replace with a
 *    "String" pattern, Strip, and Sequence of these; null = none.
 *  - "pre_tokenizer": BertPreTokenizer, Whitespace (runs of word
 *    characters and runs of other non-space characters), WhitespaceSplit,
 *    Punctuation (every behavior), Sequence; null = the whole normalized
 *    text is one word.
 *  - "model": WordPiece (vocab, unk_token, continuing_subword_prefix,
 *    max_input_chars_per_word up to 100000).
 *  - "post_processor": TemplateProcessing (single and pair templates with
 *    type ids; special tokens of several ids) or BertProcessing; null =
 *    the sequences alone, the pair's pieces with type id 1.
 *  - "added_tokens": cut out of the text before the model sees it, with
 *    their flags: normalized=false tokens are matched in the raw text,
 *    normalized=true ones in the normalized text; leftmost-longest;
 *    single_word, lstrip and rstrip as `tokenizers` applies them. As in
 *    `tokenizers`, a token's id is the vocab's when the vocab has it, else
 *    the next free one (the file's "id" is not read). At most 16384 of
 *    them, each at most 256 bytes (ATTN_ERR_LIMIT).
 *  - "truncation": max_length gives attn_tokenizer_max_length; strategy
 *    (LongestFirst, OnlyFirst, OnlySecond) and direction (Left keeps the
 *    end) apply whenever an encoding call truncates to a max_len; stride
 *    is not used (no overflowing pieces are made).
 *  - "padding": pad_id, pad_type_id and direction are what the batch calls
 *    pad with; the length padded to is the call's pad_to (strategy and
 *    pad_to_multiple_of are not used).
 *  - "decoder" and unknown members are ignored.
 *  Errors: ATTN_ERR_IO (cannot read the file), ATTN_ERR_FORMAT (not JSON,
 *  a member of the wrong type, a template naming an undefined special
 *  token, two vocab entries with one id, ... with the file offset),
 *  ATTN_ERR_UNSUPPORTED (a model, normalizer, pre-tokenizer or
 *  post-processor type not listed above, e.g. model type "BPE" or
 *  "Unigram", named in the message), ATTN_ERR_LIMIT (the file is larger
 *  than ATTN_TOKENIZER_MAX_JSON_BYTES, or a count beyond the limits
 *  above or the ATTN_TOKENIZER_MAX_* ones), ATTN_ERR_NOMEM.
 *  *out is NULL on error; destroy with attn_tokenizer_destroy. */
ATTN_API attn_status attn_tokenizer_load_json(attn_ctx *ctx, const char *path, attn_tokenizer **out);
/** Same as attn_tokenizer_load_json from len bytes of tokenizer.json in
 *  memory (not kept: data may be freed after the call). */
ATTN_API attn_status attn_tokenizer_load_json_buffer(attn_ctx *ctx, const char *data, size_t len,
                                                     attn_tokenizer **out);
/** Loads the tokenizer of a model folder as Hugging Face and
 *  sentence-transformers save it (dir is the folder's path):
 *  - dir/tokenizer.json if present (as attn_tokenizer_load_json);
 *  - else dir/vocab.txt (as attn_tokenizer_load) with the settings of
 *    dir/tokenizer_config.json: do_lower_case (default true),
 *    strip_accents (null follows do_lower_case), tokenize_chinese_chars
 *    (default true), unk/sep/pad/cls/mask_token and
 *    additional_special_tokens (strings or {"content": ..., flags}),
 *    added_tokens_decoder; dir/special_tokens_map.json supplies the
 *    special tokens tokenizer_config.json does not name;
 *  - tokenizer_config.json's model_max_length (when below 2^31) becomes
 *    attn_tokenizer_max_length, over a tokenizer.json's truncation, as in
 *    transformers;
 *  - dir/sentence_bert_config.json with "do_lower_case": true lowercases
 *    every text before tokenizing, as sentence-transformers does (its
 *    max_seq_length is the model's business: read it there).
 *  Missing optional files are fine; a name that exists but is not a
 *  regular file is ATTN_ERR_IO. Errors as the two loaders, plus
 *  ATTN_ERR_NOT_FOUND (neither tokenizer.json nor vocab.txt in dir),
 *  ATTN_ERR_FORMAT (a config file that is not a JSON object or has a
 *  member of the wrong type). *out is NULL on error. */
ATTN_API attn_status attn_tokenizer_load_dir(attn_ctx *ctx, const char *dir, attn_tokenizer **out);
/** The longest sequence (special tokens included) the tokenizer's files
 *  name: tokenizer.json's truncation max_length, or a folder's
 *  model_max_length (see attn_tokenizer_load_dir); 0 when none is known
 *  (always for attn_tokenizer_load) or tok is NULL. Pass it as max_len to
 *  the encoding calls to truncate as Hugging Face does with
 *  truncation=True. */
ATTN_API int32_t attn_tokenizer_max_length(const attn_tokenizer *tok);
/** Frees the tokenizer. NULL is a no-op. */
ATTN_API void attn_tokenizer_destroy(attn_tokenizer *tok);

/** Number of ids (they run from 0 to this - 1): the vocab's lines, or for
 *  a tokenizer.json one more than the highest id its vocab, added tokens,
 *  templates or padding name; every id an encoding call gives is below
 *  it. -1 for NULL. */
ATTN_API int32_t attn_tokenizer_vocab_size(const attn_tokenizer *tok);
/** Id of an exact added token or vocab entry (no normalization).
 *  ATTN_ERR_NOT_FOUND if neither has it, ATTN_ERR_INVALID_ARG for NULL
 *  arguments. */
ATTN_API attn_status attn_tokenizer_token_to_id(const attn_tokenizer *tok, const char *token, int32_t *id);
/** Text of vocab entry id, or of the added token with that id (borrowed,
 *  lives as long as tok); NULL if no entry has the id or tok is NULL. */
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

/** Model input for one text, or for a pair when pair is not NULL, by the
 *  tokenizer's template: for a vocab.txt "[CLS] text [SEP]" or "[CLS] text
 *  [SEP] pair [SEP]", token types 0 for [CLS], text and its [SEP], 1 for
 *  the pair and the last [SEP]; for a tokenizer.json its post_processor.
 *  max_len > 0 truncates so the whole sequence (specials included) has at
 *  most max_len ids, by the tokenizer.json's truncation strategy and
 *  direction (default LongestFirst, Right): a single text keeps its first
 *  max_len - (specials) pieces; a pair is cut longest-first as Hugging
 *  Face's `tokenizers` does (the shorter side is kept whole when the
 *  longer can absorb the cut, else each keeps half of the budget, the
 *  longer one (the pair on a tie) taking the odd one). max_len 0 = no
 *  truncation (attn_tokenizer_max_length gives the files' value); a
 *  max_len below the template's special-token count is
 *  ATTN_ERR_INVALID_ARG. No padding (see the batch calls).
 *  ids receives the ids, type_ids (may be NULL) the token types; both
 *  follow attn_tokenizer_tokenize's capacity rules, *n_out = full length.
 *  Errors as attn_tokenizer_tokenize, plus ATTN_ERR_NOT_FOUND when the
 *  vocab lacks [CLS] or [SEP], ATTN_ERR_LIMIT when an OnlyFirst /
 *  OnlySecond truncation cannot make the sequence fit, ATTN_ERR_INVALID_ARG
 *  for OnlySecond without a pair. */
ATTN_API attn_status attn_tokenizer_encode(attn_tokenizer *tok, const char *text, const char *pair,
                                           int32_t max_len, int32_t *ids, int32_t *type_ids,
                                           int32_t capacity, int32_t *n_out);

/** A reusable batch: three int32 tensors [B, T] (input ids, token types,
 *  attention mask: 1 real token, 0 padding) that attn_tokenizer_encode_batch
 *  fills. Its storage only grows, so a training loop whose batches fit what
 *  was already allocated does not allocate. */
typedef struct attn_batch attn_batch;

typedef enum attn_batch_field {
    ATTN_BATCH_INPUT_IDS = 0,      /**< [B, T] int32 ids, the pad id after the end */
    ATTN_BATCH_TOKEN_TYPE_IDS = 1, /**< [B, T] int32 token types, the pad type id (0) on padding */
    ATTN_BATCH_ATTENTION_MASK = 2  /**< [B, T] int32 1 real, 0 padding */
} attn_batch_field;

/** Creates an empty batch (tensors of shape [0, 0]). *out is NULL on error. */
ATTN_API attn_status attn_batch_create(attn_ctx *ctx, attn_batch **out);
/** Frees the batch and its tensors. NULL is a no-op. */
ATTN_API void attn_batch_destroy(attn_batch *b);

/** Encodes n texts (and pairs[i] with texts[i] when pairs is not NULL and
 *  pairs[i] is not NULL) as attn_tokenizer_encode with max_len, then pads
 *  to T = pad_to, or to the longest sequence when pad_to is 0, with [PAD]
 *  on the right (a tokenizer.json's padding section may name another pad
 *  id, pad type id and the left side). n may be 0 (tensors [0, pad_to]).
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
