/* The public tokenizer: building one (the pieces every loader uses, and
 * the vocab.txt loader), the pipeline one text goes through (see
 * text_internal.h), and model input with the template, token types and
 * truncation. The stages themselves live in their own files; the
 * tokenizer.json and model-folder loaders in tokenizer_json.c and
 * tokenizer_dir.c; padded batches in batch.c. */
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "io/file.h"
#include "text_internal.h"

#define KNOWN_FLAGS (ATTN_TOKENIZER_LOWERCASE | ATTN_TOKENIZER_KEEP_ACCENTS)

/* The special tokens a vocab.txt tokenizer cuts out of the text, as
 * Hugging Face's BertTokenizer does with its five defaults. */
static const char *const vocab_specials[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

attn_status attn__tokenizer_new(attn_ctx *ctx, attn_tokenizer **out)
{
    attn_tokenizer *tok = attn__calloc(ctx, 1, sizeof *tok);
    if (!tok) return ATTN_ERR_NOMEM;
    tok->ctx = ctx;
    tok->wp.unk = -1;
    tok->wp.max_chars = ATTN_TOKENIZER_MAX_WORD_CHARS;
    tok->pad_id = -1;
    *out = tok;
    return ATTN_OK;
}

static attn_status set_string(attn_ctx *ctx, char **dst, const char *s, size_t n)
{
    char *c = attn__alloc(ctx, n + 1);
    if (!c) return ATTN_ERR_NOMEM;
    memcpy(c, s, n);
    c[n] = '\0';
    attn__free(ctx, *dst);
    *dst = c;
    return ATTN_OK;
}

attn_status attn__tokenizer_set_bert(attn_tokenizer *tok, int clean_text, int chinese_chars, int strip_accents,
                                     int lowercase)
{
    attn_ctx *ctx = tok->ctx;
    attn__norm_step *ns = attn__calloc(ctx, 1, sizeof *ns);
    attn__pre_step *ps = attn__calloc(ctx, 1, sizeof *ps);
    if (!ns || !ps) {
        attn__free(ctx, ns);
        attn__free(ctx, ps);
        return ATTN_ERR_NOMEM;
    }
    ns->kind = ATTN__NORM_BERT;
    ns->clean_text = (uint8_t)clean_text;
    ns->chinese_chars = (uint8_t)chinese_chars;
    ns->strip_accents = (uint8_t)strip_accents;
    ns->lowercase = (uint8_t)lowercase;
    ps->kind = ATTN__PRE_BERT;
    attn__normalizer_free(ctx, &tok->nz);
    attn__pretokenizer_free(ctx, &tok->pre);
    tok->nz.steps = ns;
    tok->nz.n_steps = 1;
    tok->pre.steps = ps;
    tok->pre.n_steps = 1;
    ATTN_CHECK(set_string(ctx, &tok->wp.prefix, "##", 2));
    tok->wp.prefix_len = 2;
    return ATTN_OK;
}

int32_t attn__tokenizer_find(const attn_tokenizer *tok, const char *s, size_t n)
{
    const attn__added_token *t = attn__added_find(&tok->added, s, n);
    if (t) return t->id;
    return attn__vocab_find(&tok->vocab, "", 0, s, n);
}

/* The next id `tokenizers` gives a token the model lacks: the model's
 * entry count (not its highest id + 1: in a vocab with gaps the two
 * differ, and `tokenizers` counts), or past the highest added id when
 * that is beyond it. */
static int32_t next_free_id(const attn_tokenizer *tok)
{
    int32_t next = tok->vocab.entries, max_added = -1;
    for (size_t i = 0; i < tok->added.n; i++)
        if (tok->added.tok[i].id > max_added) max_added = tok->added.tok[i].id;
    return max_added >= next ? max_added + 1 : next;
}

/* One past the highest id anything can produce: the model, an added
 * token, a template's special token, the pad id. */
static int32_t id_count(const attn_tokenizer *tok)
{
    int32_t n = tok->vocab.size;
    for (size_t i = 0; i < tok->added.n; i++)
        if (tok->added.tok[i].id >= n) n = tok->added.tok[i].id + 1;
    const attn__template *t[2] = {&tok->single, &tok->pair};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < t[k]->n_ids; i++)
            if (t[k]->ids[i] >= n) n = t[k]->ids[i] + 1;
    if (tok->pad_id >= n) n = tok->pad_id + 1;
    return n;
}

attn_status attn__tokenizer_add_token(attn_tokenizer *tok, const char *fn, const char *content, size_t len,
                                      int special, int single_word, int lstrip, int rstrip, int normalized)
{
    attn_ctx *ctx = tok->ctx;
    if (len == 0) return ATTN_OK; /* `tokenizers` ignores empty ones */
    if (len > ATTN__ADDED_MAX_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the added token \"%.64s...\" is %zu bytes, more than the limit of %d",
                          fn, content, len, ATTN__ADDED_MAX_BYTES);
    if (memchr(content, '\0', len))
        return attn__fail(ctx, ATTN_ERR_FORMAT, "%s: an added token contains a NUL character", fn);
    if (tok->added.n >= ATTN__ADDED_MAX)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: more than %d added tokens", fn, ATTN__ADDED_MAX);
    /* a content given twice: the later flags win, the id stays */
    attn__added_token *same = (attn__added_token *)attn__added_find(&tok->added, content, len);
    int32_t id = same ? same->id : attn__tokenizer_find(tok, content, len);
    if (id < 0) id = next_free_id(tok);
    if (id < 0 || id >= ATTN_TOKENIZER_MAX_VOCAB)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the added token \"%.64s\" would get an id beyond %d", fn, content,
                          ATTN_TOKENIZER_MAX_VOCAB);
    attn__added_token t = {0};
    t.len = len;
    t.id = id;
    t.special = (uint8_t)special;
    t.single_word = (uint8_t)single_word;
    t.lstrip = (uint8_t)lstrip;
    t.rstrip = (uint8_t)rstrip;
    t.normalized = (uint8_t)normalized;
    ATTN_CHECK(set_string(ctx, &t.content, content, len));
    t.match = t.content;
    t.match_len = len;
    attn_status st = ATTN_OK;
    if (normalized && tok->nz.n_steps > 0) {
        /* matched as the normalizer would write it */
        const char *m;
        size_t mlen;
        st = attn__normalize(ctx, &tok->nz, content, len, &m, &mlen);
        if (st == ATTN_OK && (mlen != len || memcmp(m, content, len) != 0)) {
            t.match = NULL;
            st = set_string(ctx, &t.match, m, mlen);
            t.match_len = mlen;
        }
    }
    if (st == ATTN_OK && same) {
        if (same->match != same->content) attn__free(ctx, same->match);
        attn__free(ctx, same->content);
        *same = t;
        return ATTN_OK;
    }
    if (st == ATTN_OK && tok->added.n == tok->added.cap) {
        size_t cap = tok->added.cap ? 2 * tok->added.cap : 8;
        attn__added_token *grown = attn__alloc(ctx, cap * sizeof *grown);
        if (grown) {
            if (tok->added.n) memcpy(grown, tok->added.tok, tok->added.n * sizeof *grown);
            attn__free(ctx, tok->added.tok);
            tok->added.tok = grown;
            tok->added.cap = cap;
        } else {
            st = ATTN_ERR_NOMEM;
        }
    }
    if (st != ATTN_OK) {
        if (t.match != t.content) attn__free(ctx, t.match);
        attn__free(ctx, t.content);
        return st;
    }
    tok->added.tok[tok->added.n++] = t;
    return ATTN_OK;
}

attn_status attn__tokenizer_set_bert_template(attn_tokenizer *tok, const char *cls, const char *sep)
{
    attn_ctx *ctx = tok->ctx;
    int32_t c = attn__tokenizer_find(tok, cls, strlen(cls)), s = attn__tokenizer_find(tok, sep, strlen(sep));
    attn__template_free(ctx, &tok->single);
    attn__template_free(ctx, &tok->pair);
    const char *missing = c < 0 ? cls : s < 0 ? sep : NULL;
    tok->single.missing = tok->pair.missing = missing;
    attn__template *t[2] = {&tok->single, &tok->pair};
    for (int k = 0; k < 2; k++) {
        ATTN_CHECK(attn__template_add_special(ctx, t[k], &c, 1, 0));
        ATTN_CHECK(attn__template_add_sequence(ctx, t[k], ATTN__PIECE_A, 0));
        ATTN_CHECK(attn__template_add_special(ctx, t[k], &s, 1, 0));
    }
    ATTN_CHECK(attn__template_add_sequence(ctx, &tok->pair, ATTN__PIECE_B, 1));
    return attn__template_add_special(ctx, &tok->pair, &s, 1, 1);
}

attn_status attn__tokenizer_finish(attn_tokenizer *tok)
{
    ATTN_CHECK(attn__added_index(tok->ctx, &tok->added));
    if (tok->pad_id < 0) tok->pad_id = attn__tokenizer_find(tok, "[PAD]", 5);
    tok->id_count = id_count(tok);
    return ATTN_OK;
}

attn_status attn_tokenizer_load_buffer(attn_ctx *ctx, const char *data, size_t len, uint32_t flags,
                                       attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load_buffer";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    if (!data && len > 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: data is NULL", fn);
    if (flags & ~(uint32_t)KNOWN_FLAGS)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: unknown flag bits 0x%x", fn,
                          (unsigned)(flags & ~(uint32_t)KNOWN_FLAGS));
    if (len > ATTN_TOKENIZER_MAX_VOCAB_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the vocab is %zu bytes, more than the limit of %d", fn, len,
                          ATTN_TOKENIZER_MAX_VOCAB_BYTES);
    attn_tokenizer *tok;
    ATTN_CHECK(attn__tokenizer_new(ctx, &tok));
    attn_status st = attn__vocab_parse(ctx, fn, data, len, &tok->vocab);
    int lowercase = (flags & ATTN_TOKENIZER_LOWERCASE) != 0;
    if (st == ATTN_OK)
        st = attn__tokenizer_set_bert(tok, 1, 1, lowercase && !(flags & ATTN_TOKENIZER_KEEP_ACCENTS), lowercase);
    for (size_t i = 0; st == ATTN_OK && i < sizeof vocab_specials / sizeof *vocab_specials; i++) {
        size_t n = strlen(vocab_specials[i]);
        if (attn__vocab_find(&tok->vocab, "", 0, vocab_specials[i], n) >= 0)
            st = attn__tokenizer_add_token(tok, fn, vocab_specials[i], n, 1, 0, 0, 0, 0);
    }
    if (st == ATTN_OK) {
        tok->wp.unk = attn__vocab_find(&tok->vocab, "", 0, "[UNK]", 5);
        st = set_string(ctx, &tok->wp.unk_token, "[UNK]", 5);
    }
    if (st == ATTN_OK) st = attn__tokenizer_set_bert_template(tok, "[CLS]", "[SEP]");
    if (st == ATTN_OK) st = attn__tokenizer_finish(tok);
    if (st != ATTN_OK) {
        attn_tokenizer_destroy(tok);
        return st;
    }
    *out = tok;
    return attn__ok(ctx);
}

attn_status attn_tokenizer_load(attn_ctx *ctx, const char *vocab_path, uint32_t flags, attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (out) *out = NULL;
    if (!vocab_path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: vocab_path is NULL", fn);
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    void *data;
    size_t len;
    attn_status st = attn__file_read_all(ctx, vocab_path, ATTN_TOKENIZER_MAX_VOCAB_BYTES, &data, &len);
    if (st != ATTN_OK) {
        char msg[ATTN_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", attn_ctx_last_error(ctx));
        return attn__fail(ctx, st, "%s: %s", fn, msg);
    }
    st = attn_tokenizer_load_buffer(ctx, data, len, flags, out);
    attn__free(ctx, data);
    /* name the file: the buffer loader only knows line numbers */
    if (st != ATTN_OK) {
        char msg[ATTN_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", attn_ctx_last_error(ctx));
        attn__fail(ctx, st, "%s ('%s')", msg, vocab_path);
    }
    return st;
}

void attn_tokenizer_destroy(attn_tokenizer *tok)
{
    if (!tok) return;
    attn_ctx *ctx = tok->ctx;
    attn__vocab_free(ctx, &tok->vocab);
    attn__added_free(ctx, &tok->added);
    attn__normalizer_free(ctx, &tok->nz);
    attn__pretokenizer_free(ctx, &tok->pre);
    attn__free(ctx, tok->wp.prefix);
    attn__free(ctx, tok->wp.unk_token);
    attn__template_free(ctx, &tok->single);
    attn__template_free(ctx, &tok->pair);
    attn__text_buf *bufs[] = {&tok->clean, &tok->lower_pts.buf, &tok->lower, &tok->raw_spans.buf,
                              &tok->norm_spans.buf, &tok->raw_ids.buf, &tok->norm_ids.buf, &tok->first.buf,
                              &tok->second.buf, &tok->out_ids.buf, &tok->out_types.buf};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) attn__text_buf_free(ctx, bufs[i]);
    attn__free(ctx, tok);
}

int32_t attn_tokenizer_vocab_size(const attn_tokenizer *tok) { return tok ? tok->id_count : -1; }

int32_t attn_tokenizer_max_length(const attn_tokenizer *tok) { return tok ? tok->max_length : 0; }

attn_status attn_tokenizer_token_to_id(const attn_tokenizer *tok, const char *token, int32_t *id)
{
    if (!tok) return ATTN_ERR_INVALID_ARG;
    if (!token || !id)
        return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "attn_tokenizer_token_to_id: %s is NULL",
                          token ? "id" : "token");
    *id = attn__tokenizer_find(tok, token, strlen(token));
    if (*id < 0)
        return attn__fail(tok->ctx, ATTN_ERR_NOT_FOUND, "attn_tokenizer_token_to_id: \"%.64s\" is not in the vocab",
                          token);
    return attn__ok(tok->ctx);
}

const char *attn_tokenizer_id_to_token(const attn_tokenizer *tok, int32_t id)
{
    if (!tok || id < 0) return NULL;
    /* added tokens first, as `tokenizers` looks them up */
    const attn__added_token *t = attn__added_by_id(&tok->added, id);
    if (t) return t->content;
    if (id < tok->vocab.size && tok->vocab.len[id] != ATTN__VOCAB_GAP) return tok->vocab.text + tok->vocab.offset[id];
    return NULL;
}

/* ---- the pipeline ------------------------------------------------------ */

/* Drops invalid UTF-8 (as if decoded with U+FFFD replacement, which the
 * cleaning then removes) so every later stage sees valid UTF-8. */
static attn_status valid_utf8(attn_tokenizer *tok, const char *text, size_t len, const char **out, size_t *out_len)
{
    size_t i = 0;
    while (i < len && (unsigned char)text[i] < 0x80) i++;
    if (i == len) { /* ASCII: nothing to drop */
        *out = text;
        *out_len = len;
        return ATTN_OK;
    }
    ATTN_CHECK(attn__text_buf_reserve(tok->ctx, &tok->clean, len + 1));
    char *o = tok->clean.data;
    memcpy(o, text, i);
    size_t k = i;
    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &c);
        if (step <= 0) {
            i++;
            continue;
        }
        memcpy(o + k, text + i, (size_t)step);
        k += (size_t)step;
        i += (size_t)step;
    }
    o[k] = '\0';
    *out = o;
    *out_len = k;
    return ATTN_OK;
}

/* Unicode's Case_Ignorable (Mn Me Cf Lm Sk and the apostrophes, colons
 * and dots of Word_Break MidLetter / MidNumLet / Single_Quote) and Cased
 * (here Lu Ll Lt): what the final-sigma rule of str.lower() looks at. */
static int case_ignorable(int32_t c)
{
    switch (c) {
    case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4: case 0x2018: case 0x2019:
    case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A: return 1;
    default: break;
    }
    if (c < 0x80) return 0;
    utf8proc_category_t cat = utf8proc_category(c);
    return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF ||
           cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

static int cased(int32_t c)
{
    utf8proc_category_t cat = utf8proc_category(c);
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
}

/* Final sigma: capital sigma at pts[i] ends a word when a cased letter
 * comes before it and none after it (case-ignorables skipped). Each scan
 * stops at the first character that is not case-ignorable, so the work
 * stays linear in the text. */
static int final_sigma(const int32_t *pts, size_t n, size_t i)
{
    size_t b = i;
    while (b > 0 && case_ignorable(pts[b - 1])) b--;
    if (b == 0 || !cased(pts[b - 1])) return 0;
    size_t a = i + 1;
    while (a < n && case_ignorable(pts[a])) a++;
    return a == n || !cased(pts[a]);
}

/* sentence-transformers' do_lower_case: Python's str.lower() on the text
 * before the tokenizer sees it (so "[CLS]" typed in a text is no longer
 * the special token), final sigma included. */
static attn_status lower_input(attn_tokenizer *tok, const char **s, size_t *n)
{
    attn_ctx *ctx = tok->ctx;
    tok->lower_pts.n = 0;
    ATTN_CHECK(attn__utf8_to_points(ctx, *s, *n, &tok->lower_pts));
    size_t m = tok->lower_pts.n;
    for (size_t i = 0; i < m; i++) {
        const int32_t *pts = attn__text_ids_data(&tok->lower_pts); /* pushing may move it */
        int32_t lc[2];
        int k = pts[i] == 0x3A3 && final_sigma(pts, m, i) ? (lc[0] = 0x3C2, 1) : attn__lowercase(pts[i], lc);
        for (int j = 0; j < k; j++) ATTN_CHECK(attn__text_ids_push(ctx, &tok->lower_pts, lc[j]));
    }
    ATTN_CHECK(attn__points_to_utf8(ctx, attn__text_ids_data(&tok->lower_pts) + m, tok->lower_pts.n - m, &tok->lower, n));
    *s = tok->lower.data;
    return ATTN_OK;
}

/* Normalized text between added tokens: pre-tokenize, then WordPiece. */
static attn_status words_to_pieces(attn_tokenizer *tok, const char *s, size_t n, attn__text_ids *out)
{
    const attn__spans *words;
    ATTN_CHECK(attn__pretokenize(tok->ctx, &tok->pre, s, n, &words));
    const attn__span *w = attn__spans_data(words);
    for (size_t i = 0; i < words->n; i++)
        ATTN_CHECK(attn__wordpiece(tok->ctx, &tok->vocab, &tok->wp, s + w[i].start, w[i].end - w[i].start, out));
    return ATTN_OK;
}

/* Raw text between raw added tokens: normalize, cut out the normalized
 * added tokens, and split the rest into words. */
static attn_status segment_to_pieces(attn_tokenizer *tok, const char *s, size_t n, attn__text_ids *out)
{
    attn_ctx *ctx = tok->ctx;
    const char *norm;
    size_t nlen;
    ATTN_CHECK(attn__normalize(ctx, &tok->nz, s, n, &norm, &nlen));
    if (tok->added.normalized.n == 0) return words_to_pieces(tok, norm, nlen, out);
    tok->norm_spans.n = tok->norm_ids.n = 0;
    ATTN_CHECK(attn__added_split(ctx, &tok->added.normalized, norm, nlen, &tok->norm_spans, &tok->norm_ids));
    for (size_t i = 0; i < tok->norm_spans.n; i++) {
        /* the spans and ids are read before anything else uses the lists */
        attn__span sp = attn__spans_data(&tok->norm_spans)[i];
        int32_t id = attn__text_ids_data(&tok->norm_ids)[i];
        if (id >= 0) ATTN_CHECK(attn__text_ids_push(ctx, out, id));
        else ATTN_CHECK(words_to_pieces(tok, norm + sp.start, sp.end - sp.start, out));
    }
    return ATTN_OK;
}

/* Appends the pieces of text to out: added tokens are cut out of the raw
 * text first, as the `tokenizers` added vocabulary does, and the text
 * between them is normalized and split on its own. */
static attn_status text_to_pieces(attn_tokenizer *tok, const char *fn, const char *text, attn__text_ids *out)
{
    attn_ctx *ctx = tok->ctx;
    size_t len = strlen(text);
    if (len > ATTN_TOKENIZER_MAX_TEXT_BYTES)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the text is %zu bytes, more than the limit of %d", fn, len,
                          ATTN_TOKENIZER_MAX_TEXT_BYTES);
    const char *s;
    size_t n;
    ATTN_CHECK(valid_utf8(tok, text, len, &s, &n));
    if (tok->lowercase_input) ATTN_CHECK(lower_input(tok, &s, &n));
    if (tok->added.raw.n == 0) return segment_to_pieces(tok, s, n, out);
    tok->raw_spans.n = tok->raw_ids.n = 0;
    ATTN_CHECK(attn__added_split(ctx, &tok->added.raw, s, n, &tok->raw_spans, &tok->raw_ids));
    for (size_t i = 0; i < tok->raw_spans.n; i++) {
        attn__span sp = attn__spans_data(&tok->raw_spans)[i];
        int32_t id = attn__text_ids_data(&tok->raw_ids)[i];
        if (id >= 0) ATTN_CHECK(attn__text_ids_push(ctx, out, id));
        else ATTN_CHECK(segment_to_pieces(tok, s + sp.start, sp.end - sp.start, out));
    }
    return ATTN_OK;
}

/* Copies n ids to dst under the capacity rules of attn_tokenizer_tokenize. */
static attn_status copy_out(attn_ctx *ctx, const char *fn, const int32_t *src, const int32_t *src_types,
                            size_t n, int32_t *dst, int32_t *dst_types, int32_t capacity, int32_t *n_out)
{
    *n_out = (int32_t)n;
    size_t m = n < (size_t)capacity ? n : (size_t)capacity;
    if (m > 0) {
        memcpy(dst, src, m * sizeof *dst);
        if (dst_types) memcpy(dst_types, src_types, m * sizeof *dst_types);
    }
    if (capacity > 0 && (size_t)capacity < n)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %zu ids do not fit the capacity of %d", fn, n, (int)capacity);
    return attn__ok(ctx);
}

static attn_status check_out_args(attn_tokenizer *tok, const char *fn, const char *text, int32_t *ids,
                                  int32_t capacity, int32_t *n_out)
{
    if (!tok) return ATTN_ERR_INVALID_ARG;
    if (!text) return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: text is NULL", fn);
    if (!n_out) return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: n_out is NULL", fn);
    if (capacity < 0) return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: capacity %d is negative", fn, (int)capacity);
    if (capacity > 0 && !ids)
        return attn__fail(tok->ctx, ATTN_ERR_INVALID_ARG, "%s: ids is NULL with capacity %d", fn, (int)capacity);
    return ATTN_OK;
}

attn_status attn_tokenizer_tokenize(attn_tokenizer *tok, const char *text, int32_t *ids, int32_t capacity,
                                    int32_t *n_out)
{
    static const char fn[] = "attn_tokenizer_tokenize";
    ATTN_CHECK(check_out_args(tok, fn, text, ids, capacity, n_out));
    *n_out = 0;
    tok->first.n = 0;
    ATTN_CHECK(text_to_pieces(tok, fn, text, &tok->first));
    if (tok->first.n > (size_t)INT32_MAX)
        return attn__fail(tok->ctx, ATTN_ERR_LIMIT, "%s: more than %d ids", fn, INT32_MAX);
    return copy_out(tok->ctx, fn, attn__text_ids_data(&tok->first), NULL, tok->first.n, ids, NULL, capacity, n_out);
}

attn_status attn__tokenizer_encode_append(attn_tokenizer *tok, const char *fn, const char *text,
                                          const char *pair, int32_t max_len, attn__text_ids *ids, attn__text_ids *types)
{
    attn_ctx *ctx = tok->ctx;
    const attn__template *t = pair ? &tok->pair : &tok->single;
    size_t added = attn__template_added(t);
    if (max_len < 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: max_len %d is negative", fn, (int)max_len);
    if (max_len > 0 && (size_t)max_len < added)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: max_len %d leaves no room for the %zu special tokens of a %s",
                          fn, (int)max_len, added, pair ? "pair" : "single text");
    if (t->missing) return attn__fail(ctx, ATTN_ERR_NOT_FOUND, "%s: the vocab has no %s entry", fn, t->missing);
    tok->first.n = 0;
    tok->second.n = 0;
    ATTN_CHECK(text_to_pieces(tok, fn, text, &tok->first));
    if (pair) ATTN_CHECK(text_to_pieces(tok, fn, pair, &tok->second));

    size_t n1 = tok->first.n, n2 = tok->second.n, k1 = n1, k2 = n2;
    if (max_len > 0)
        ATTN_CHECK(attn__truncate(ctx, fn, &tok->trunc, pair != NULL, n1, n2, (size_t)max_len - added, &k1, &k2));
    if (k1 + k2 + added > (size_t)INT32_MAX)
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: the sequence would have more than %d ids", fn, INT32_MAX);
    const int32_t *a = attn__text_ids_data(&tok->first), *b = attn__text_ids_data(&tok->second);
    /* direction Left keeps the end of each sequence */
    size_t from1 = tok->trunc.left ? n1 - k1 : 0, from2 = tok->trunc.left ? n2 - k2 : 0;
    return attn__template_apply(ctx, t, a ? a + from1 : NULL, k1, b ? b + from2 : NULL, k2, ids, types);
}

attn_status attn_tokenizer_encode(attn_tokenizer *tok, const char *text, const char *pair, int32_t max_len,
                                  int32_t *ids, int32_t *type_ids, int32_t capacity, int32_t *n_out)
{
    static const char fn[] = "attn_tokenizer_encode";
    ATTN_CHECK(check_out_args(tok, fn, text, ids, capacity, n_out));
    *n_out = 0;
    tok->out_ids.n = 0;
    tok->out_types.n = 0;
    ATTN_CHECK(attn__tokenizer_encode_append(tok, fn, text, pair, max_len, &tok->out_ids, &tok->out_types));
    return copy_out(tok->ctx, fn, attn__text_ids_data(&tok->out_ids), attn__text_ids_data(&tok->out_types), tok->out_ids.n,
                    ids, type_ids, capacity, n_out);
}
