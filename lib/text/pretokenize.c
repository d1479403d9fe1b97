/* The pre-tokenizers of tokenizer.json: BertPreTokenizer, Whitespace,
 * WhitespaceSplit, Punctuation (with its five split behaviours) and
 * Sequence, as passes over a list of byte spans of the normalized text.
 * A split finds its delimiters one character at a time, and then merges or
 * drops them by the behaviour, the way `tokenizers`' NormalizedString::split
 * does; empty pieces are dropped. Words go to WordPiece (wordpiece.c). */
#include <string.h>
#include <utf8proc.h>

#include "text_internal.h"

typedef int (*char_pred)(int32_t c);

static int32_t next_char(const char *s, size_t i, size_t end, size_t *len)
{
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *len = 1;
        return b;
    }
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(end - i), &c);
    *len = k > 0 ? (size_t)k : 1; /* the text is valid UTF-8: k > 0 */
    return c;
}

static attn_status keep(attn_ctx *ctx, attn__spans *out, size_t start, size_t end)
{
    return end > start ? attn__spans_push(ctx, out, start, end) : ATTN_OK;
}

/* Splits span sp at every character pred accepts, by behaviour b. */
static attn_status split(attn_ctx *ctx, attn__pretokenizer *pt, const char *s, attn__span sp, char_pred pred,
                         attn__split_behavior b, attn__spans *out)
{
    attn__spans *ev = &pt->events;
    ev->n = 0;
    size_t last = sp.start;
    for (size_t i = sp.start; i < sp.end;) {
        size_t len;
        int32_t c = next_char(s, i, sp.end, &len);
        if (pred(c)) {
            if (last < i) ATTN_CHECK(attn__spans_push(ctx, ev, last, i));
            ATTN_CHECK(attn__spans_push(ctx, ev, i, i + len));
            last = i + len;
        }
        i += len;
    }
    if (last < sp.end) ATTN_CHECK(attn__spans_push(ctx, ev, last, sp.end));
    /* whether event k is a delimiter: re-derived from its first character */
    const attn__span *e = attn__spans_data(ev);
    size_t n = ev->n;
    ATTN_CHECK(attn__text_buf_reserve(ctx, &pt->is_match, n + 1));
    unsigned char *m = pt->is_match.data;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        m[k] = (unsigned char)(pred(next_char(s, e[k].start, e[k].end, &len)) != 0);
    }
    switch (b) {
    case ATTN__SPLIT_REMOVED:
        for (size_t k = 0; k < n; k++)
            if (!m[k]) ATTN_CHECK(keep(ctx, out, e[k].start, e[k].end));
        return ATTN_OK;
    case ATTN__SPLIT_ISOLATED:
        for (size_t k = 0; k < n; k++) ATTN_CHECK(keep(ctx, out, e[k].start, e[k].end));
        return ATTN_OK;
    case ATTN__SPLIT_CONTIGUOUS:
        /* runs of delimiters become one piece */
        for (size_t k = 0; k < n;) {
            size_t j = k + 1;
            while (j < n && m[j] == m[k]) j++;
            ATTN_CHECK(keep(ctx, out, e[k].start, e[j - 1].end));
            k = j;
        }
        return ATTN_OK;
    case ATTN__SPLIT_MERGED_WITH_PREVIOUS:
        /* a delimiter joins the text before it; a second delimiter in a row stays alone */
        for (size_t k = 0; k < n; k++) {
            if (m[k] && k > 0 && !m[k - 1]) {
                ATTN_CHECK(keep(ctx, out, e[k - 1].start, e[k].end));
            } else if (!(k + 1 < n && m[k + 1] && !m[k])) {
                ATTN_CHECK(keep(ctx, out, e[k].start, e[k].end));
            }
        }
        return ATTN_OK;
    case ATTN__SPLIT_MERGED_WITH_NEXT:
        /* the mirror image: a delimiter joins the text after it */
        for (size_t k = 0; k < n; k++) {
            if (m[k] && k + 1 < n && !m[k + 1]) {
                ATTN_CHECK(keep(ctx, out, e[k].start, e[k + 1].end));
                k++;
            } else {
                ATTN_CHECK(keep(ctx, out, e[k].start, e[k].end));
            }
        }
        return ATTN_OK;
    }
    return attn__fail(ctx, ATTN_ERR_STATE, "unknown split behaviour %d", (int)b);
}

/* Whitespace: the maximal runs of word characters and of characters that
 * are neither word nor White_Space (\w+|[^\w\s]+); White_Space goes. */
static attn_status whitespace_runs(attn_ctx *ctx, const char *s, attn__span sp, attn__spans *out)
{
    int run_class = 0; /* 0 none, 1 word, 2 other */
    size_t run_start = sp.start;
    for (size_t i = sp.start; i < sp.end;) {
        size_t len;
        int32_t c = next_char(s, i, sp.end, &len);
        int cls = attn__is_word_char(c) ? 1 : attn__is_white_space(c) ? 0 : 2;
        if (cls != run_class) {
            if (run_class) ATTN_CHECK(keep(ctx, out, run_start, i));
            run_class = cls;
            run_start = i;
        }
        i += len;
    }
    if (run_class) ATTN_CHECK(keep(ctx, out, run_start, sp.end));
    return ATTN_OK;
}

/* One pass over every span of in: a split by pred and behaviour, or the
 * Whitespace runs when pred is NULL. */
static attn_status pass(attn_ctx *ctx, attn__pretokenizer *pt, const char *s, char_pred pred,
                        attn__split_behavior b, attn__spans **cur, attn__spans **other)
{
    const attn__span *sp = attn__spans_data(*cur);
    (*other)->n = 0;
    for (size_t i = 0; i < (*cur)->n; i++) {
        if (pred) ATTN_CHECK(split(ctx, pt, s, sp[i], pred, b, *other));
        else ATTN_CHECK(whitespace_runs(ctx, s, sp[i], *other));
    }
    attn__spans *t = *cur;
    *cur = *other;
    *other = t;
    return ATTN_OK;
}

attn_status attn__pretokenize(attn_ctx *ctx, attn__pretokenizer *pt, const char *s, size_t n,
                              const attn__spans **words)
{
    attn__spans *cur = &pt->a, *other = &pt->b;
    cur->n = 0;
    ATTN_CHECK(keep(ctx, cur, 0, n));
    for (size_t i = 0; i < pt->n_steps; i++) {
        const attn__pre_step *st = &pt->steps[i];
        switch (st->kind) {
        case ATTN__PRE_BERT: /* whitespace removed, then punctuation isolated */
            ATTN_CHECK(pass(ctx, pt, s, attn__is_white_space, ATTN__SPLIT_REMOVED, &cur, &other));
            ATTN_CHECK(pass(ctx, pt, s, attn__is_bert_punctuation, ATTN__SPLIT_ISOLATED, &cur, &other));
            break;
        case ATTN__PRE_WHITESPACE: ATTN_CHECK(pass(ctx, pt, s, NULL, ATTN__SPLIT_REMOVED, &cur, &other)); break;
        case ATTN__PRE_WHITESPACE_SPLIT:
            ATTN_CHECK(pass(ctx, pt, s, attn__is_white_space, ATTN__SPLIT_REMOVED, &cur, &other));
            break;
        case ATTN__PRE_PUNCTUATION:
            ATTN_CHECK(pass(ctx, pt, s, attn__is_bert_punctuation, st->behavior, &cur, &other));
            break;
        default: return attn__fail(ctx, ATTN_ERR_STATE, "unknown pre-tokenizer step %d", (int)st->kind);
        }
    }
    *words = cur;
    return ATTN_OK;
}

void attn__pretokenizer_free(attn_ctx *ctx, attn__pretokenizer *pt)
{
    attn__free(ctx, pt->steps);
    attn__text_buf_free(ctx, &pt->a.buf);
    attn__text_buf_free(ctx, &pt->b.buf);
    attn__text_buf_free(ctx, &pt->events.buf);
    attn__text_buf_free(ctx, &pt->is_match);
    memset(pt, 0, sizeof *pt);
}
