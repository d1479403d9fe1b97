/* BERT's text normalization and word splitting (Hugging Face's
 * BertNormalizer followed by BertPreTokenizer): clean the text, space out
 * CJK ideographs, NFD + strip nonspacing marks and lowercase when uncased,
 * then split at whitespace and around every punctuation character. The
 * order of the steps is the order of the `tokenizers` pipeline. Unicode
 * properties all come from utf8proc; the only literal code points here are
 * the ones the BERT rules themselves name. Special tokens and WordPiece are
 * handled elsewhere (tokenizer.c, wordpiece.c). */
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "text_internal.h"

/* TAB, LF and CR are control characters that BERT counts as whitespace. */
static int is_bert_whitespace(int32_t c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
    if (c < 0x80) return 0;
    utf8proc_category_t cat = utf8proc_category(c);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

/* Every "Other" category: control, format, unassigned, private use,
 * surrogate. */
static int is_bert_control(int32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r') return 0;
    if (c < 0x80) return c < 0x20 || c == 0x7f;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS: return 1;
    default: return 0;
    }
}

/* BERT counts every printable ASCII non-alphanumeric as punctuation ("$",
 * "^", "`" are symbols in Unicode), plus the Unicode P* categories. */
static int is_bert_punctuation(int32_t c)
{
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: return 1;
    default: return 0;
    }
}

/* The CJK blocks of `tokenizers`' BertNormalizer. Its list starts the
 * Extension E range at U+2B920 where Google's original BERT (and the old
 * Python tokenizer) say U+2B820; transformers 5.x runs `tokenizers`, so
 * this follows it. Hangul, kana and CJK punctuation are not in the list. */
static int is_cjk_ideograph(int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Step 1: decode (dropping invalid UTF-8), clean, space out CJK. The result
 * is valid UTF-8 in nz->cleaned; returns its length in *out_len. */
static attn_status clean(attn_ctx *ctx, attn__normalizer *nz, const char *text, size_t len, size_t *out_len)
{
    /* A 3-byte ideograph grows to 5 bytes, a 4-byte one to 6: 2 * len bounds it. */
    ATTN_CHECK(attn__text_buf_reserve(ctx, &nz->cleaned, 2 * len + 8));
    utf8proc_uint8_t *out = nz->cleaned.data;
    size_t o = 0, i = 0;
    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &c);
        if (step <= 0) { /* one invalid byte: its U+FFFD would be dropped below */
            i++;
            continue;
        }
        i += (size_t)step;
        if (c == 0 || c == 0xFFFD || is_bert_control(c)) continue;
        if (is_bert_whitespace(c)) {
            out[o++] = ' ';
        } else if (is_cjk_ideograph(c)) {
            out[o++] = ' ';
            o += (size_t)utf8proc_encode_char(c, out + o);
            out[o++] = ' ';
        } else {
            o += (size_t)utf8proc_encode_char(c, out + o);
        }
    }
    *out_len = o;
    return ATTN_OK;
}

/* Step 2: the cleaned text as code points, in NFD without nonspacing marks
 * when accents are stripped. Returns the count in *n_out. */
static attn_status to_points(attn_ctx *ctx, attn__normalizer *nz, int strip_accents, size_t len, size_t *n_out)
{
    const utf8proc_uint8_t *s = nz->cleaned.data;
    if (!strip_accents) {
        ATTN_CHECK(attn__text_buf_reserve(ctx, &nz->points, (len + 1) * sizeof(int32_t)));
        int32_t *pts = nz->points.data;
        size_t n = 0;
        for (size_t i = 0; i < len;) {
            utf8proc_int32_t c;
            i += (size_t)utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c); /* valid: clean() wrote it */
            pts[n++] = c;
        }
        *n_out = n;
        return ATTN_OK;
    }
    /* utf8proc_decompose also puts combining marks in canonical order; it
     * reports the size it needs when the buffer is too small. */
    size_t want = len + 16;
    for (;;) {
        if (want > (size_t)PTRDIFF_MAX / sizeof(int32_t))
            return attn__fail(ctx, ATTN_ERR_OVERFLOW, "text too long to decompose (%zu bytes)", len);
        ATTN_CHECK(attn__text_buf_reserve(ctx, &nz->points, want * sizeof(int32_t)));
        utf8proc_ssize_t got = utf8proc_decompose(s, (utf8proc_ssize_t)len, nz->points.data,
                                                  (utf8proc_ssize_t)(nz->points.cap / sizeof(int32_t)),
                                                  UTF8PROC_DECOMPOSE);
        if (got < 0)
            return attn__fail(ctx, ATTN_ERR_FORMAT, "NFD failed: %s", utf8proc_errmsg(got));
        if ((size_t)got <= nz->points.cap / sizeof(int32_t)) {
            int32_t *pts = nz->points.data;
            size_t n = 0;
            for (size_t i = 0; i < (size_t)got; i++)
                if (utf8proc_category(pts[i]) != UTF8PROC_CATEGORY_MN) pts[n++] = pts[i];
            *n_out = n;
            return ATTN_OK;
        }
        want = (size_t)got;
    }
}

typedef struct word_state {
    attn_ctx *ctx;
    attn__normalizer *nz;
    size_t len, nchars;
    attn__word_fn on_word;
    void *user;
} word_state;

static attn_status flush(word_state *w)
{
    if (w->len == 0) return ATTN_OK;
    attn_status st = w->on_word(w->user, w->nz->word.data, w->len, w->nchars);
    w->len = 0;
    w->nchars = 0;
    return st;
}

static attn_status append(word_state *w, int32_t c)
{
    ATTN_CHECK(attn__text_buf_reserve(w->ctx, &w->nz->word, w->len + 4));
    w->len += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)w->nz->word.data + w->len);
    w->nchars++;
    return ATTN_OK;
}

/* Step 3 for one (already lowercased) character. */
static attn_status split(word_state *w, int32_t c)
{
    if (is_bert_whitespace(c)) return flush(w);
    if (is_bert_punctuation(c)) {
        ATTN_CHECK(flush(w));
        ATTN_CHECK(append(w, c));
        return flush(w);
    }
    return append(w, c);
}

attn_status attn__normalize_words(attn_ctx *ctx, attn__normalizer *nz, uint32_t flags, const char *text,
                                  size_t len, attn__word_fn on_word, void *user)
{
    int lowercase = (flags & ATTN_TOKENIZER_LOWERCASE) != 0;
    int strip_accents = lowercase && !(flags & ATTN_TOKENIZER_KEEP_ACCENTS);
    size_t clen = 0, n = 0;
    ATTN_CHECK(clean(ctx, nz, text, len, &clen));
    ATTN_CHECK(to_points(ctx, nz, strip_accents, clen, &n));
    word_state w = {ctx, nz, 0, 0, on_word, user};
    const int32_t *pts = nz->points.data;
    for (size_t i = 0; i < n; i++) {
        int32_t c = pts[i];
        if (lowercase && c == 0x130) {
            /* The one character whose full lowercase is two (SpecialCasing:
             * U+0130 -> i + U+0307); utf8proc only has the simple mapping.
             * Reached only with accents kept: NFD already split it. */
            ATTN_CHECK(split(&w, 'i'));
            ATTN_CHECK(split(&w, 0x307));
            continue;
        }
        ATTN_CHECK(split(&w, lowercase ? utf8proc_tolower(c) : c));
    }
    return flush(&w);
}

void attn__normalizer_free(attn_ctx *ctx, attn__normalizer *nz)
{
    attn__text_buf_free(ctx, &nz->cleaned);
    attn__text_buf_free(ctx, &nz->points);
    attn__text_buf_free(ctx, &nz->word);
}
