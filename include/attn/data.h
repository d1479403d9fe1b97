/** @file
 * libattn data sets: labelled texts for sequence classification, loaded
 * from Debian's `fortunes` category files or from a user's TSV file, cleaned,
 * de-duplicated and split deterministically into train / validation / test.
 * doc/DATA.md describes the fortunes task and its measured quirks.
 *
 * What every loader does, in order:
 *  1. Reads records: a fortunes entry (the lines between lines holding only
 *     "%") or a TSV line (label, TAB, text).
 *  2. Cleans each text (unless opts->raw_text):
 *     a. mojibake repair: a run of characters U+00C2-U+00F4 followed by one
 *        to three characters U+0080-U+00BF whose Latin-1 bytes form one
 *        valid UTF-8 sequence (text that was UTF-8, read as Latin-1 and
 *        written as UTF-8 again, e.g. "Ã©" for "é") becomes the character
 *        those bytes encode. One pass: doubly broken text is repaired once.
 *        Windows-1252 mojibake ("â€™") is not recognised.
 *     b. control characters: a backspace (^H) deletes the character before
 *        it, as on a printing terminal ("_\bx" and "x\bx" give "x"; fortunes
 *        use it for underlining and accents), except at the start of a line
 *        where it is just removed; every other control character (Unicode
 *        Cc: U+0000-U+001F, U+007F-U+009F) except TAB and LF is removed
 *        (^G bells, CR, escape codes' ESC).
 *  3. Attribution: the last line that starts with one or more spaces/TABs
 *     then "--" or "—" (U+2014), when at least one earlier line has text
 *     and every later line is blank or starts with a space/TAB (the
 *     attribution's continuation), begins an attribution ("\t\t-- Mark
 *     Twain"). It is counted always and removed, with the lines after it,
 *     when opts->strip_attribution is 1.
 *  4. Leading and trailing whitespace (space, TAB, LF, CR, VT, FF) is
 *     removed; inner whitespace and line breaks are kept.
 *  5. De-duplication on the normalised text (the text with every run of
 *     that whitespace replaced by one space): a text found under two or more
 *     labels is dropped with all its copies; a text repeated under one label
 *     keeps its first copy. Both are counted (attn_dataset_stat_get).
 *  6. Split: bucket = FNV-1a-64(normalised text) mod 10 (attn_dataset_hash)
 *     of the text after step 2 with its attribution (stripping it does not
 *     move an example to another split); 0-7 train, 8 validation, 9 test.
 *     A text's split depends on nothing else (not on the other examples or
 *     their order), so a data set can grow without moving old examples,
 *     and the de-duplication (on the final text) leaves no text in two
 *     splits. raw_text changes the text that is hashed where cleaning
 *     would have changed it.
 *  Labels are numbered in byte order of their names (strcmp), not in order
 *  of appearance, so the numbering does not depend on the file order.
 *  Examples keep the order of the input: by label, then file order for
 *  fortunes; line order for TSV.
 *
 * Counters (attn_dataset_stat) are over every record read, before
 * de-duplication.
 */
#ifndef ATTN_DATA_H
#define ATTN_DATA_H

#include "attn/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Limits against hostile input; exceeding one gives ATTN_ERR_LIMIT. */
#define ATTN_DATASET_MAX_INPUT_BYTES 1073741824 /**< bytes one load call reads (all files together) */
#define ATTN_DATASET_MAX_RECORD_BYTES 1048576   /**< one TSV line (without LF) or one fortunes entry */
#define ATTN_DATASET_MAX_LABEL_BYTES 256        /**< one label (TSV) or category name (fortunes) */
#define ATTN_DATASET_MAX_LABELS 65536           /**< distinct labels */

/** Where attn_dataset_load_fortunes looks when dir is NULL (Debian's `fortunes` package). */
#define ATTN_DATASET_FORTUNES_DIR "/usr/share/games/fortunes"

/** A loaded data set: cleaned texts, labels and splits. Opaque; owns its texts. */
typedef struct attn_dataset attn_dataset;

/** Loader options. A versioned struct: set struct_size = sizeof(attn_dataset_opts)
 *  and zero the rest (every field's 0 is its default); fields are only ever
 *  appended. A NULL opts means all defaults. */
typedef struct attn_dataset_opts {
    uint32_t struct_size; /**< sizeof(attn_dataset_opts) */
    int32_t strip_attribution; /**< 1: remove trailing "-- Author" lines (step 3); 0 keeps them */
    int32_t raw_text;          /**< 1: skip cleaning (step 2): no mojibake repair, control characters
                                    kept, except NUL bytes of fortunes files (texts are NUL-terminated) */
    int32_t tsv_escapes;       /**< TSV only. 1: in the text, "\n" is LF, "\t" TAB, "\\" a backslash,
                                    any other backslash is an error; 0: text taken literally */
} attn_dataset_opts;

/** Loads fortunes category files `dir/<category>`: entries are separated by
 *  lines holding only "%" (a CR before the LF is allowed), a last entry
 *  without a closing "%" counts, and an entry with no text after cleaning
 *  is skipped and counted (ATTN_DATASET_STAT_EMPTY_DROPPED). Bytes that are
 *  not valid UTF-8 are read as Latin-1 (each becomes the character with
 *  its value) and counted (ATTN_DATASET_STAT_LATIN1_BYTES). Each category
 *  is one label named like the file.
 *  dir: NULL for ATTN_DATASET_FORTUNES_DIR. categories: n_categories file
 *  names (no '/', not "." or ".."; no repeats); NULL with n_categories 0
 *  for the default task {"computers", "politics", "science", "songs-poems"}.
 *  Errors: ATTN_ERR_INVALID_ARG (NULL ctx or out, bad category name or
 *  count, a repeated category, bad opts), ATTN_ERR_IO (a file cannot be
 *  opened or read; the message names it), ATTN_ERR_FORMAT (no example at
 *  all), ATTN_ERR_LIMIT (ATTN_DATASET_MAX_*; the message gives the file and
 *  line), ATTN_ERR_NOMEM. *out is NULL on error; destroy with
 *  attn_dataset_destroy. */
ATTN_API attn_status attn_dataset_load_fortunes(attn_ctx *ctx, const char *dir, const char *const *categories,
                                                int32_t n_categories, const attn_dataset_opts *opts,
                                                attn_dataset **out);

/** Loads a TSV file of `label<TAB>text` lines:
 *  - UTF-8, one example per line; a line ends at LF, CRLF or a lone CR
 *    (so a CR inside a text ends its line too); a last line without an end
 *    counts. No header.
 *  - The label is everything before the first TAB: non-empty, no control
 *    characters, no leading or trailing space, at most
 *    ATTN_DATASET_MAX_LABEL_BYTES bytes.
 *  - The text is everything after the first TAB, further TABs included
 *    (they are whitespace to the tokenizer). A line break inside a text can
 *    only be written with opts->tsv_escapes.
 *  - A blank line (nothing but spaces and TABs) is skipped and counted
 *    (ATTN_DATASET_STAT_BLANK_LINES). Nothing else is skipped.
 *  Then the steps of the file comment apply (cleaning, attribution, dedup,
 *  split). Errors: ATTN_ERR_FORMAT with "path:line:" in the message for a
 *  missing TAB, an empty label, a label with control characters or
 *  surrounding spaces, a text that is empty after cleaning, invalid UTF-8
 *  (with the byte column), a NUL byte, a bad escape; ATTN_ERR_LIMIT (with
 *  the line) for a line, label, label count or file over the
 *  ATTN_DATASET_MAX_* limits; ATTN_ERR_FORMAT for a file without examples;
 *  ATTN_ERR_IO, ATTN_ERR_INVALID_ARG, ATTN_ERR_NOMEM. *out is NULL on error. */
ATTN_API attn_status attn_dataset_load_tsv(attn_ctx *ctx, const char *path, const attn_dataset_opts *opts,
                                           attn_dataset **out);
/** Same as attn_dataset_load_tsv from len bytes in memory (data is not
 *  kept; it may be NULL when len is 0). Messages say "<buffer>:line:". */
ATTN_API attn_status attn_dataset_load_tsv_buffer(attn_ctx *ctx, const char *data, size_t len,
                                                  const attn_dataset_opts *opts, attn_dataset **out);

/** Frees the data set. NULL is a no-op. */
ATTN_API void attn_dataset_destroy(attn_dataset *ds);

/** Number of examples kept; -1 for NULL. */
ATTN_API int64_t attn_dataset_size(const attn_dataset *ds);
/** Cleaned text of example i (UTF-8, NUL-terminated, borrowed: lives as
 *  long as ds); NULL for NULL ds or i out of [0, size). */
ATTN_API const char *attn_dataset_text(const attn_dataset *ds, int64_t i);
/** Label of example i in [0, num_labels); -1 for NULL ds or a bad i. */
ATTN_API int32_t attn_dataset_label(const attn_dataset *ds, int64_t i);
/** Number of labels (sorted names; a label whose examples were all dropped
 *  as duplicates still counts); -1 for NULL. */
ATTN_API int32_t attn_dataset_num_labels(const attn_dataset *ds);
/** Name of a label (borrowed); NULL for NULL ds or a bad label. */
ATTN_API const char *attn_dataset_label_name(const attn_dataset *ds, int32_t label);

/** The split of an example, decided by the hash of its text (see the file comment). */
typedef enum attn_split {
    ATTN_SPLIT_TRAIN = 0,      /**< buckets 0-7 (80%) */
    ATTN_SPLIT_VALIDATION = 1, /**< bucket 8 (10%) */
    ATTN_SPLIT_TEST = 2        /**< bucket 9 (10%) */
} attn_split;

/** Split (attn_split) of example i; -1 for NULL ds or a bad i. */
ATTN_API int32_t attn_dataset_split(const attn_dataset *ds, int64_t i);
/** Number of examples of one split and one label; split -1 counts every
 *  split, label -1 every label. -1 for NULL ds or a split/label out of range. */
ATTN_API int64_t attn_dataset_count(const attn_dataset *ds, int32_t split, int32_t label);

/** The split hash: FNV-1a 64-bit (offset basis 14695981039346656037, prime
 *  1099511628211) over the bytes of the text with leading and trailing
 *  whitespace removed and every inner run of whitespace (space, TAB, LF,
 *  CR, VT, FF) replaced by one space. The split is hash % 10 (see
 *  attn_split) of attn_dataset_text, or of the text with its attribution
 *  when strip_attribution removed one. text may be NULL when len is 0. */
ATTN_API uint64_t attn_dataset_hash(const char *text, size_t len);

/** Counters of a load, over every record read. */
typedef enum attn_dataset_stat {
    ATTN_DATASET_STAT_CROSS_LABEL_DROPPED = 0, /**< examples dropped: their text occurs under more than one label */
    ATTN_DATASET_STAT_DUPLICATES_DROPPED = 1,  /**< examples dropped: repeats of a text under the same label */
    ATTN_DATASET_STAT_ATTRIBUTIONS = 2,        /**< texts with an attribution (stripped or not) */
    ATTN_DATASET_STAT_CONTROL_CHARS = 3,       /**< control characters removed (each ^H counts once) */
    ATTN_DATASET_STAT_MOJIBAKE = 4,            /**< mojibake sequences repaired */
    ATTN_DATASET_STAT_LATIN1_BYTES = 5,        /**< invalid UTF-8 bytes read as Latin-1 (fortunes) */
    ATTN_DATASET_STAT_EMPTY_DROPPED = 6,       /**< fortunes entries with no text after cleaning */
    ATTN_DATASET_STAT_BLANK_LINES = 7,         /**< blank TSV lines skipped */
    ATTN_DATASET_STAT_RECORDS = 8              /**< texts read before de-duplication
                                                    (= size + the two *_DROPPED counters) */
} attn_dataset_stat;

/** Value of a counter; -1 for NULL ds or an unknown counter. */
ATTN_API int64_t attn_dataset_stat_get(const attn_dataset *ds, attn_dataset_stat s);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_DATA_H */
