/* Added tokens (tokenizer.json's "added_tokens", a vocab.txt's special
 * tokens): cut out of the text before the model sees it, the way
 * `tokenizers`' AddedVocabulary does. Tokens with normalized=false are
 * matched in the raw text, the others in the normalized text between
 * those matches (tokenizer.c runs the two rounds). In each round the match
 * is leftmost-longest and matches do not overlap; a single_word token only
 * counts when no word character (\w) touches it, and a rejected match is
 * skipped, not searched again for shorter tokens; lstrip / rstrip take the
 * White_Space before / after the token into it.
 *
 * A set is its tokens sorted by bytes: the tokens that start with a prefix
 * are one range of the sorted list, narrowed by binary search one byte at
 * a time, so finding the longest token at a position costs at most
 * ATTN__ADDED_MAX_BYTES narrowing steps whatever the tokens are. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "text_internal.h"

static int cmp_match(const void *pa, const void *pb)
{
    const attn__added_token *a = *(attn__added_token *const *)pa, *b = *(attn__added_token *const *)pb;
    size_t n = a->match_len < b->match_len ? a->match_len : b->match_len;
    int c = memcmp(a->match, b->match, n);
    if (c) return c;
    return a->match_len < b->match_len ? -1 : a->match_len > b->match_len;
}

static attn_status build_set(attn_ctx *ctx, attn__added *a, int normalized, attn__added_set *set)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->tok[i].normalized == normalized && a->tok[i].match_len > 0) n++;
    attn__free(ctx, set->sorted);
    memset(set, 0, sizeof *set);
    if (n == 0) return ATTN_OK;
    set->sorted = attn__alloc(ctx, n * sizeof *set->sorted);
    if (!set->sorted) return ATTN_ERR_NOMEM;
    for (size_t i = 0; i < a->n; i++)
        if (a->tok[i].normalized == normalized && a->tok[i].match_len > 0) set->sorted[set->n++] = &a->tok[i];
    qsort(set->sorted, n, sizeof *set->sorted, cmp_match);
    for (size_t i = 0; i < n; i++) {
        set->first_byte[(unsigned char)set->sorted[i]->match[0]] = 1;
        if (i > 0 && cmp_match(&set->sorted[i - 1], &set->sorted[i]) == 0)
            /* the Aho-Corasick automaton of `tokenizers` refuses a pattern twice */
            return attn__fail(ctx, ATTN_ERR_FORMAT, "added tokens \"%.64s\" and \"%.64s\" are both matched as \"%.64s\"",
                              set->sorted[i - 1]->content, set->sorted[i]->content, set->sorted[i]->match);
    }
    return ATTN_OK;
}

attn_status attn__added_index(attn_ctx *ctx, attn__added *a)
{
    ATTN_CHECK(build_set(ctx, a, 0, &a->raw));
    return build_set(ctx, a, 1, &a->normalized);
}

void attn__added_free(attn_ctx *ctx, attn__added *a)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->tok[i].match != a->tok[i].content) attn__free(ctx, a->tok[i].match);
        attn__free(ctx, a->tok[i].content);
    }
    attn__free(ctx, a->tok);
    attn__free(ctx, a->raw.sorted);
    attn__free(ctx, a->normalized.sorted);
    memset(a, 0, sizeof *a);
}

const attn__added_token *attn__added_find(const attn__added *a, const char *s, size_t n)
{
    for (size_t i = 0; i < a->n; i++) /* loading only: added tokens are few */
        if (a->tok[i].len == n && memcmp(a->tok[i].content, s, n) == 0) return &a->tok[i];
    return NULL;
}

const attn__added_token *attn__added_by_id(const attn__added *a, int32_t id)
{
    for (size_t i = a->n; i-- > 0;) /* the last token given an id is the one `tokenizers` keeps */
        if (a->tok[i].id == id) return &a->tok[i];
    return NULL;
}

/* The longest token of set at s[i..n), or NULL. */
static const attn__added_token *longest_at(const attn__added_set *set, const char *s, size_t i, size_t n)
{
    if (!set->first_byte[(unsigned char)s[i]]) return NULL;
    size_t lo = 0, hi = set->n;
    const attn__added_token *best = NULL;
    for (size_t d = 0; i + d < n && d < ATTN__ADDED_MAX_BYTES; d++) {
        /* [lo, hi): the tokens whose first d bytes are s[i, i + d); one of
         * exactly d bytes sorts first */
        if (set->sorted[lo]->match_len == d) {
            best = set->sorted[lo];
            if (++lo == hi) return best;
        }
        unsigned char byte = (unsigned char)s[i + d];
        size_t a = lo, b = hi; /* first with byte d >= byte */
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if ((unsigned char)set->sorted[mid]->match[d] < byte) a = mid + 1;
            else b = mid;
        }
        size_t c = a, e = hi; /* first with byte d > byte */
        while (c < e) {
            size_t mid = c + (e - c) / 2;
            if ((unsigned char)set->sorted[mid]->match[d] <= byte) c = mid + 1;
            else e = mid;
        }
        lo = a;
        hi = c;
        if (lo >= hi) return best;
        if (i + d + 1 == n || d + 1 == ATTN__ADDED_MAX_BYTES) {
            if (set->sorted[lo]->match_len == d + 1) best = set->sorted[lo];
            return best;
        }
    }
    return best;
}

static int32_t char_before(const char *s, size_t at)
{
    size_t i = at;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i > 0) i--;
    utf8proc_int32_t c = -1;
    utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(at - i), &c);
    return c;
}

static int32_t char_at(const char *s, size_t at, size_t n, size_t *len)
{
    utf8proc_int32_t c = -1;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at, (utf8proc_ssize_t)(n - at), &c);
    *len = k > 0 ? (size_t)k : 1;
    return c;
}

static attn_status emit(attn_ctx *ctx, attn__spans *out, attn__text_ids *ids, size_t start, size_t end, int32_t id)
{
    ATTN_CHECK(attn__spans_push(ctx, out, start, end));
    return attn__text_ids_push(ctx, ids, id);
}

attn_status attn__added_split(attn_ctx *ctx, const attn__added_set *set, const char *s, size_t n,
                              attn__spans *out, attn__text_ids *ids)
{
    size_t start_offset = 0;
    if (set->n > 0) {
        for (size_t i = 0; i < n;) {
            const attn__added_token *t = longest_at(set, s, i, n);
            if (!t) {
                i++;
                continue;
            }
            size_t start = i, stop = i + t->match_len;
            i = stop; /* the search goes on after the match, kept or not */
            if (t->single_word) {
                size_t len;
                int word_before = start > 0 && attn__is_word_char(char_before(s, start));
                int word_after = stop < n && attn__is_word_char(char_at(s, stop, n, &len));
                if (word_before || word_after) continue;
            }
            if (t->lstrip) {
                size_t b = start;
                while (b > 0) {
                    size_t p = b - 1;
                    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80) p--;
                    size_t len;
                    if (!attn__is_white_space(char_at(s, p, n, &len))) break;
                    b = p;
                }
                start = b > start_offset ? b : start_offset;
            }
            if (t->rstrip) {
                while (stop < n) {
                    size_t len;
                    if (!attn__is_white_space(char_at(s, stop, n, &len))) break;
                    stop += len;
                }
            }
            if (start_offset < start) ATTN_CHECK(emit(ctx, out, ids, start_offset, start, -1));
            ATTN_CHECK(emit(ctx, out, ids, start, stop, t->id));
            start_offset = stop;
        }
    }
    if (start_offset < n) ATTN_CHECK(emit(ctx, out, ids, start_offset, n, -1));
    return ATTN_OK;
}
