/* The character classes the Rust `tokenizers` library decides with, from
 * utf8proc's tables: White_Space, punctuation, "other", CJK ideographs,
 * regex word characters, marks, and the full lowercase mapping; plus the
 * UTF-8 <-> code point conversions of lib/text. The only literal code
 * points are those of fixed Unicode property lists (White_Space, the
 * non-mark part of Other_Alphabetic) and the blocks BERT names. */
#include <utf8proc.h>

#include "text_internal.h"

int attn__is_white_space(int32_t c)
{
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Rust's char::is_ascii_punctuation: every printable ASCII character that
 * is not a letter or digit ("$", "^", "`" are symbols in Unicode). */
int attn__is_bert_punctuation(int32_t c)
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

/* BertNormalizer's "other" (Rust unicode_categories' is_other): Cc, Co,
 * Cs and Cf. Its tables predate Unicode 9: unassigned code points (Cn)
 * are never "other" there, nor the format characters assigned since
 * (Arabic pound and piastre marks above, the disputed end of ayah, Kaithi
 * number sign above, the Egyptian hieroglyph format controls), so
 * cleaning keeps them, as `tokenizers` does. */
int attn__is_other(int32_t c)
{
    if (c < 0x80) return c < 0x20 || c == 0x7f;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS: return 1;
    case UTF8PROC_CATEGORY_CF:
        return !(c == 0x890 || c == 0x891 || c == 0x8E2 || c == 0x110CD || (c >= 0x13430 && c <= 0x1343F));
    default: return 0;
    }
}

/* The CJK blocks of `tokenizers`' BertNormalizer. Its list starts the
 * Extension E range at U+2B920 where Google's original BERT (and the old
 * Python tokenizer) say U+2B820; transformers 5.x runs `tokenizers`, so
 * this follows it. Hangul, kana and CJK punctuation are not in the list. */
int attn__is_cjk_ideograph(int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

int attn__is_mark(int32_t c)
{
    if (c < 0x300) return 0;
    utf8proc_category_t cat = utf8proc_category(c);
    return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME;
}

/* The regex crate's Unicode \w: Alphabetic (letters, Nl, Other_Alphabetic),
 * every mark, Nd, Pc and Join_Control (ZWNJ, ZWJ). Other_Alphabetic is
 * mostly marks; its symbols are the circled and squared Latin letters. */
int attn__is_word_char(int32_t c)
{
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (c == 0x200C || c == 0x200D) return 1;
    if ((c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169) ||
        (c >= 0x1F170 && c <= 0x1F189))
        return 1;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_PC: return 1;
    default: return 0;
    }
}

int attn__lowercase(int32_t c, int32_t out[2])
{
    if (c == 0x130) {
        /* the one character whose full lowercase is two (SpecialCasing:
         * U+0130 -> i + U+0307); utf8proc only has the simple mapping */
        out[0] = 'i';
        out[1] = 0x307;
        return 2;
    }
    out[0] = c < 0x80 ? (c >= 'A' && c <= 'Z' ? c + 32 : c) : utf8proc_tolower(c);
    return 1;
}

attn_status attn__utf8_to_points(attn_ctx *ctx, const char *s, size_t n, attn__text_ids *out)
{
    ATTN_CHECK(attn__text_buf_reserve(ctx, &out->buf, (out->n + n + 1) * sizeof(int32_t)));
    int32_t *pts = attn__text_ids_data(out);
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            pts[out->n++] = b;
            i++;
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (step <= 0) return attn__fail(ctx, ATTN_ERR_FORMAT, "invalid UTF-8 at byte %zu", i); /* callers validated */
        pts[out->n++] = c;
        i += (size_t)step;
    }
    return ATTN_OK;
}

attn_status attn__points_to_utf8(attn_ctx *ctx, const int32_t *pts, size_t n, attn__text_buf *buf, size_t *len)
{
    size_t bytes;
    if (!attn__mul_size(n, 4, &bytes) || bytes == SIZE_MAX)
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "text of %zu characters too long to encode", n);
    ATTN_CHECK(attn__text_buf_reserve(ctx, buf, bytes + 1));
    utf8proc_uint8_t *o = buf->data;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (pts[i] < 0x80) o[k++] = (utf8proc_uint8_t)pts[i];
        else k += (size_t)utf8proc_encode_char(pts[i], o + k);
    }
    o[k] = 0;
    *len = k;
    return ATTN_OK;
}
