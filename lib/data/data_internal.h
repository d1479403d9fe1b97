/* Private declarations of lib/data: the text-cleaning steps (each in its own
 * file), the record builder that the fortunes and TSV readers feed, and the
 * finished data set's layout. The order of the steps is the public
 * header's (include/attn/data.h). */
#ifndef ATTN_DATA_INTERNAL_H
#define ATTN_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/keyed_hash.h"
#include "internal.h"

#define ATTN__DATASET_N_STATS 9
#define ATTN__DATASET_N_SPLITS 3

/* ---- utf8.c: validation and the Latin-1 fallback ---------------------- */

/* Length of the valid UTF-8 sequence starting at s (1-4), or 0 if none
 * does: overlong forms, surrogates and values above U+10FFFF are invalid. */
size_t attn__utf8_seq_len(const unsigned char *s, size_t n);
/* Bytes of the longest valid UTF-8 prefix of s (n if all of s is valid). */
size_t attn__utf8_valid_prefix(const char *s, size_t n);
/* Copies s to out (room for 2n bytes), replacing each byte that starts no
 * valid sequence by the UTF-8 of the Latin-1 character of that value.
 * Returns the bytes written; adds the bytes replaced to *replaced. */
size_t attn__utf8_from_latin1_fallback(const char *s, size_t n, char *out, int64_t *replaced);

/* ---- mojibake.c ------------------------------------------------------- */

/* Repairs UTF-8 that was read as Latin-1 and encoded again, in place (the
 * text never grows). s must be valid UTF-8. Returns the new length; adds
 * the sequences repaired to *repaired. */
size_t attn__mojibake_repair(char *s, size_t n, int64_t *repaired);

/* ---- controls.c ------------------------------------------------------- */

/* Applies backspaces and removes the other control characters but TAB and
 * LF, in place. s must be valid UTF-8. Returns the new length; adds the
 * control characters removed to *removed. */
size_t attn__controls_remove(char *s, size_t n, int64_t *removed);
/* Removes NUL bytes only (raw_text mode), in place. */
size_t attn__nul_remove(char *s, size_t n, int64_t *removed);

/* ---- attribution.c ---------------------------------------------------- */

/* Offset of the line that starts a trailing attribution, or n if the text
 * has none (the rule of the public header, step 3). */
size_t attn__attribution_start(const char *s, size_t n);

/* ---- split_hash.c ----------------------------------------------------- */

/* Space, TAB, LF, CR, VT, FF: the whitespace of trimming and normalising. */
static inline int attn__data_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
/* Writes s's whitespace-normalised text (what the split hash reads) to out,
 * which has room for n bytes: texts that attn__normalized_equal calls equal
 * give the same bytes. Returns the length. */
size_t attn__normalize_copy(const char *s, size_t n, char *out);
/* 1 if a and b are equal after whitespace normalisation. */
int attn__normalized_equal(const char *a, size_t na, const char *b, size_t nb);

/* ---- builder.c: records in, data set out ------------------------------ */

typedef struct attn__dataset_builder {
    attn_ctx *ctx;
    attn_dataset_opts opts;
    /* labels in order of first appearance, and a hash table over them;
     * both tables (labels, and the de-duplication's over the texts) place
     * entries with a hash keyed at random per builder, so a crafted file
     * cannot make them collide. The probe counts (slots looked at beyond
     * the first) are for the tests that check it. */
    char **label_names;
    int32_t n_labels, cap_labels;
    int32_t *label_slots;
    size_t label_mask;
    attn__hash_key hash_key;
    int64_t label_probes, dedup_probes;
    /* the cleaned texts, NUL-terminated, back to back */
    char *pool;
    size_t pool_len, pool_cap;
    size_t *offset;
    int32_t *label;
    uint64_t *key_hash;    /* split hash of the final text: the de-duplication key */
    uint64_t *split_hash;  /* split hash of the text before attribution stripping */
    int64_t n, cap;
    char *scratch;
    size_t scratch_cap;
    int64_t stats[ATTN__DATASET_N_STATS];
} attn__dataset_builder;

/* Checks and copies opts (NULL = defaults); fn names the caller. */
attn_status attn__builder_init(attn__dataset_builder *b, attn_ctx *ctx, const char *fn,
                               const attn_dataset_opts *opts);
void attn__builder_free(attn__dataset_builder *b);
/* Id (in order of first appearance) of the label name[0..len), added if new.
 * where ("file:line") prefixes messages. ATTN_ERR_LIMIT beyond
 * ATTN_DATASET_MAX_LABELS. */
attn_status attn__builder_label(attn__dataset_builder *b, const char *name, size_t len, const char *where,
                                int32_t *id);
/* Cleans one record's text (steps 2-4; latin1 = 1 first reads invalid UTF-8
 * as Latin-1, otherwise text must be valid UTF-8) and appends it with its
 * label. A text left empty is not added and *empty is set to 1. */
attn_status attn__builder_add(attn__dataset_builder *b, int32_t label, const char *text, size_t len, int latin1,
                              int *empty);
/* De-duplicates, numbers the labels by name, assigns splits and returns the
 * data set; the builder is left empty (free it still). ATTN_ERR_FORMAT
 * if no example was read; source names the input in that message. */
attn_status attn__builder_finish(attn__dataset_builder *b, const char *fn, const char *source,
                                 attn_dataset **out);

/* ---- fortunes.c ------------------------------------------------------- */

/* Adds the entries of one fortunes file's bytes under label; path names
 * the file in messages. */
attn_status attn__fortunes_parse(attn__dataset_builder *b, const char *fn, const char *path, int32_t label,
                                 const char *data, size_t len);

/* ---- the finished data set -------------------------------------------- */

struct attn_dataset {
    attn_ctx *ctx;
    int64_t n;
    char *pool;            /* kept texts, NUL-terminated, back to back */
    size_t *offset;        /* [n] */
    int32_t *label;        /* [n] */
    uint8_t *split;        /* [n] attn_split */
    int32_t n_labels;
    char **label_names;    /* [n_labels], sorted by strcmp */
    int64_t *counts;       /* [ATTN__DATASET_N_SPLITS * n_labels] */
    int64_t stats[ATTN__DATASET_N_STATS];
};

#endif /* ATTN_DATA_INTERNAL_H */
