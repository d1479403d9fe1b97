/* The normalizers of tokenizer.json, as steps over code points:
 * BertNormalizer (clean text, space out CJK ideographs, strip accents =
 * NFD then drop Mn, lowercase, in that order), NFD / NFKD / NFC / NFKC,
 * Lowercase, StripAccents, Replace with a literal pattern, Strip.
 *
 * Decomposition is done here, one character at a time through utf8proc's
 * tables, and canonical ordering by a stable sort on the combining class
 * that is linear in the length of a run of marks: utf8proc_decompose
 * orders marks by exchanging neighbours, which made 64 KB of combining
 * marks cost seconds (a quadratic run). Composition (NFC, NFKC) is
 * utf8proc's, which is linear. Every step adds the code points it reads to
 * nz->work, which the tests use to check linear cost without a clock.
 * Matching added tokens, word splitting and WordPiece live elsewhere. */
#include <string.h>
#include <utf8proc.h>

#include "text_internal.h"

static attn_status push(attn_ctx *ctx, attn__text_ids *l, int32_t c) { return attn__text_ids_push(ctx, l, c); }

/* BertNormalizer's clean_text: NUL, U+FFFD and "other" characters go,
 * TAB/LF/CR and other whitespace become a space. */
static attn_status bert_clean(attn_ctx *ctx, const int32_t *in, size_t n, attn__text_ids *out)
{
    for (size_t i = 0; i < n; i++) {
        int32_t c = in[i];
        if (c == 0 || c == 0xFFFD || (attn__is_other(c) && c != '\t' && c != '\n' && c != '\r')) continue;
        ATTN_CHECK(push(ctx, out, attn__is_white_space(c) ? ' ' : c));
    }
    return ATTN_OK;
}

static attn_status bert_chinese(attn_ctx *ctx, const int32_t *in, size_t n, attn__text_ids *out)
{
    for (size_t i = 0; i < n; i++) {
        if (attn__is_cjk_ideograph(in[i])) {
            ATTN_CHECK(push(ctx, out, ' '));
            ATTN_CHECK(push(ctx, out, in[i]));
            ATTN_CHECK(push(ctx, out, ' '));
        } else {
            ATTN_CHECK(push(ctx, out, in[i]));
        }
    }
    return ATTN_OK;
}

static int ccc(int32_t c) { return c < 0x300 ? 0 : utf8proc_get_property(c)->combining_class; }

/* Canonical ordering of pts[0, n): each run of non-starters is sorted by
 * combining class, stably. Short runs (the common case) by insertion,
 * long ones by counting sort: O(run + 256) however long the run is. */
#define INSERTION_MAX 16
static attn_status canonical_order(attn_ctx *ctx, attn__normalizer *nz, int32_t *pts, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (ccc(pts[i]) == 0) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && ccc(pts[i]) != 0) i++;
        size_t len = i - start;
        int32_t *r = pts + start;
        nz->work += len;
        if (len <= INSERTION_MAX) {
            for (size_t a = 1; a < len; a++) {
                int32_t c = r[a];
                int k = ccc(c);
                size_t b = a;
                while (b > 0 && ccc(r[b - 1]) > k) {
                    r[b] = r[b - 1];
                    b--;
                    nz->work++; /* every move counts: the tests see a quadratic sort */
                }
                r[b] = c;
            }
            continue;
        }
        nz->work += 2 * len + 257;
        size_t count[257] = {0};
        for (size_t a = 0; a < len; a++) count[ccc(r[a]) + 1]++;
        for (int k = 1; k <= 256; k++) count[k] += count[k - 1];
        nz->run.n = 0;
        ATTN_CHECK(attn__text_buf_reserve(ctx, &nz->run.buf, len * sizeof(int32_t)));
        int32_t *tmp = attn__text_ids_data(&nz->run);
        for (size_t a = 0; a < len; a++) tmp[count[ccc(r[a])]++] = r[a];
        memcpy(r, tmp, len * sizeof *r);
    }
    return ATTN_OK;
}

/* Full canonical (or compatibility) decomposition, then canonical order. */
static attn_status decompose(attn_ctx *ctx, attn__normalizer *nz, const int32_t *in, size_t n, int compat,
                             attn__text_ids *out)
{
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0);
    size_t first = out->n;
    for (size_t i = 0; i < n; i++) {
        int32_t c = in[i];
        if (c < 0xC0) { /* nothing below U+00C0 decomposes canonically */
            if (!compat || c < 0xA0) {
                ATTN_CHECK(push(ctx, out, c));
                continue;
            }
        }
        utf8proc_int32_t d[32];
        int boundclass = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(c, d, 32, opt, &boundclass);
        if (k < 0 || k > 32) /* no decomposition is longer than 18 */
            return attn__fail(ctx, ATTN_ERR_FORMAT, "cannot decompose U+%04X", (unsigned)c);
        for (utf8proc_ssize_t j = 0; j < k; j++) ATTN_CHECK(push(ctx, out, d[j]));
    }
    return canonical_order(ctx, nz, attn__text_ids_data(out) + first, out->n - first);
}

static attn_status compose(attn_ctx *ctx, attn__text_ids *l)
{
    if (l->n == 0) return ATTN_OK;
    utf8proc_ssize_t k = utf8proc_normalize_utf32(attn__text_ids_data(l), (utf8proc_ssize_t)l->n, UTF8PROC_COMPOSE);
    if (k < 0) return attn__fail(ctx, ATTN_ERR_FORMAT, "composition failed: %s", utf8proc_errmsg(k));
    l->n = (size_t)k;
    return ATTN_OK;
}

static attn_status lowercase(attn_ctx *ctx, const int32_t *in, size_t n, attn__text_ids *out)
{
    for (size_t i = 0; i < n; i++) {
        int32_t lc[2];
        int k = attn__lowercase(in[i], lc);
        for (int j = 0; j < k; j++) ATTN_CHECK(push(ctx, out, lc[j]));
    }
    return ATTN_OK;
}

/* drop_all_marks: StripAccents (Mn Mc Me); else BERT's (Mn only). */
static attn_status drop_marks(attn_ctx *ctx, const int32_t *in, size_t n, int drop_all_marks, attn__text_ids *out)
{
    for (size_t i = 0; i < n; i++) {
        int32_t c = in[i];
        int mark = drop_all_marks ? attn__is_mark(c) : (c >= 0x300 && utf8proc_category(c) == UTF8PROC_CATEGORY_MN);
        if (!mark) ATTN_CHECK(push(ctx, out, c));
    }
    return ATTN_OK;
}

/* Every non-overlapping occurrence, left to right (a literal regex). */
static attn_status replace(attn_ctx *ctx, attn__normalizer *nz, const attn__norm_step *s, const int32_t *in, size_t n,
                           attn__text_ids *out)
{
    size_t m = s->pattern_len;
    for (size_t i = 0; i < n;) {
        if (i + m <= n && in[i] == s->pattern[0] && memcmp(in + i, s->pattern, m * sizeof *in) == 0) {
            for (size_t j = 0; j < s->content_len; j++) ATTN_CHECK(push(ctx, out, s->content[j]));
            nz->work += m;
            i += m;
        } else {
            ATTN_CHECK(push(ctx, out, in[i]));
            i++;
        }
    }
    return ATTN_OK;
}

static attn_status strip(attn_ctx *ctx, const attn__norm_step *s, const int32_t *in, size_t n, attn__text_ids *out)
{
    size_t a = 0, b = n;
    if (s->left)
        while (a < b && attn__is_white_space(in[a])) a++;
    if (s->right)
        while (b > a && attn__is_white_space(in[b - 1])) b--;
    for (size_t i = a; i < b; i++) ATTN_CHECK(push(ctx, out, in[i]));
    return ATTN_OK;
}

/* One sub-step: in (nz->a or nz->b, or the caller's array) to the other
 * buffer; *cur follows the result. */
typedef struct flow {
    attn__normalizer *nz;
    const int32_t *in;
    size_t n;
    attn__text_ids *cur;
} flow;

static attn__text_ids *next_buffer(flow *f)
{
    attn__text_ids *o = f->cur == &f->nz->a ? &f->nz->b : &f->nz->a;
    o->n = 0;
    return o;
}

static void advance(flow *f, attn__text_ids *o)
{
    f->cur = o;
    f->in = attn__text_ids_data(o);
    f->n = o->n;
    f->nz->work += o->n;
}

static attn_status run_step(attn_ctx *ctx, flow *f, const attn__norm_step *s)
{
    attn__text_ids *o;
    switch (s->kind) {
    case ATTN__NORM_BERT:
        if (s->clean_text) {
            o = next_buffer(f);
            ATTN_CHECK(bert_clean(ctx, f->in, f->n, o));
            advance(f, o);
        }
        if (s->chinese_chars) {
            o = next_buffer(f);
            ATTN_CHECK(bert_chinese(ctx, f->in, f->n, o));
            advance(f, o);
        }
        if (s->strip_accents) {
            o = next_buffer(f);
            ATTN_CHECK(decompose(ctx, f->nz, f->in, f->n, 0, o));
            advance(f, o);
            o = next_buffer(f);
            ATTN_CHECK(drop_marks(ctx, f->in, f->n, 0, o));
            advance(f, o);
        }
        if (s->lowercase) {
            o = next_buffer(f);
            ATTN_CHECK(lowercase(ctx, f->in, f->n, o));
            advance(f, o);
        }
        return ATTN_OK;
    case ATTN__NORM_NFD:
    case ATTN__NORM_NFKD:
    case ATTN__NORM_NFC:
    case ATTN__NORM_NFKC:
        o = next_buffer(f);
        ATTN_CHECK(decompose(ctx, f->nz, f->in, f->n, s->kind == ATTN__NORM_NFKD || s->kind == ATTN__NORM_NFKC, o));
        if (s->kind == ATTN__NORM_NFC || s->kind == ATTN__NORM_NFKC) ATTN_CHECK(compose(ctx, o));
        advance(f, o);
        return ATTN_OK;
    case ATTN__NORM_LOWERCASE:
        o = next_buffer(f);
        ATTN_CHECK(lowercase(ctx, f->in, f->n, o));
        break;
    case ATTN__NORM_STRIP_ACCENTS:
        o = next_buffer(f);
        ATTN_CHECK(drop_marks(ctx, f->in, f->n, 1, o));
        break;
    case ATTN__NORM_REPLACE:
        o = next_buffer(f);
        ATTN_CHECK(replace(ctx, f->nz, s, f->in, f->n, o));
        break;
    case ATTN__NORM_STRIP:
        o = next_buffer(f);
        ATTN_CHECK(strip(ctx, s, f->in, f->n, o));
        break;
    default: return attn__fail(ctx, ATTN_ERR_STATE, "unknown normalizer step %d", (int)s->kind);
    }
    advance(f, o);
    return ATTN_OK;
}

attn_status attn__normalize_points(attn_ctx *ctx, attn__normalizer *nz, const int32_t *in, size_t n,
                                   attn__text_ids **out)
{
    if (in != attn__text_ids_data(&nz->a)) { /* steps read from and write to nz->a and nz->b */
        ATTN_CHECK(attn__text_buf_reserve(ctx, &nz->a.buf, (n + 1) * sizeof(int32_t)));
        if (n) memcpy(attn__text_ids_data(&nz->a), in, n * sizeof *in);
    }
    nz->a.n = n;
    flow f = {nz, attn__text_ids_data(&nz->a), n, &nz->a};
    for (size_t i = 0; i < nz->n_steps; i++) ATTN_CHECK(run_step(ctx, &f, &nz->steps[i]));
    *out = f.cur;
    return ATTN_OK;
}

attn_status attn__normalize(attn_ctx *ctx, attn__normalizer *nz, const char *s, size_t n, const char **out,
                            size_t *out_len)
{
    if (nz->n_steps == 0) {
        *out = s;
        *out_len = n;
        return ATTN_OK;
    }
    nz->a.n = 0;
    ATTN_CHECK(attn__utf8_to_points(ctx, s, n, &nz->a));
    nz->work += nz->a.n;
    attn__text_ids *res;
    ATTN_CHECK(attn__normalize_points(ctx, nz, attn__text_ids_data(&nz->a), nz->a.n, &res));
    ATTN_CHECK(attn__points_to_utf8(ctx, attn__text_ids_data(res), res->n, &nz->out, out_len));
    *out = nz->out.data;
    return ATTN_OK;
}

void attn__normalizer_free(attn_ctx *ctx, attn__normalizer *nz)
{
    for (size_t i = 0; i < nz->n_steps; i++) {
        attn__free(ctx, nz->steps[i].pattern);
        attn__free(ctx, nz->steps[i].content);
    }
    attn__free(ctx, nz->steps);
    attn__text_buf_free(ctx, &nz->a.buf);
    attn__text_buf_free(ctx, &nz->b.buf);
    attn__text_buf_free(ctx, &nz->run.buf);
    attn__text_buf_free(ctx, &nz->out);
    memset(nz, 0, sizeof *nz);
}
