/* Hugging Face tokenizer.json (the `tokenizers` serialization, version
 * 1.0) for WordPiece models: each section becomes the stage description
 * of text_internal.h. Everything in the file is hostile: types are
 * checked member by member, numbers against limits before they size
 * anything, and a type this library does not implement is refused with
 * ATTN_ERR_UNSUPPORTED naming it rather than approximated. The "decoder"
 * section is not read (libattn does not decode). */
#include <stdio.h>
#include <string.h>

#include "io/json.h"
#include "text_internal.h"

/* Longest continuing_subword_prefix and max_input_chars_per_word taken. */
#define MAX_PREFIX_BYTES 64
#define MAX_WORD_CHARS_LIMIT 100000
/* Longest Replace pattern (code points): the search costs this per character. */
#define MAX_PATTERN 256

typedef struct loader {
    attn_tokenizer *tok;
    attn_ctx *ctx;
    const char *fn;
    const attn__json_doc *doc;
} loader;

static attn_status fail(const loader *L, const attn__json *v, attn_status st, const char *what)
{
    return attn__json_fail(L->doc, v, st, "%s: %s", L->fn, what);
}

/* The "type" of a section object. */
static attn_status type_of(const loader *L, const attn__json *obj, const char *section, const char **type)
{
    if (attn__json_type_of(obj) != ATTN_JSON_OBJECT) {
        char m[160];
        snprintf(m, sizeof m, "\"%s\" must be an object or null, found %s", section,
                 attn__json_type_name(attn__json_type_of(obj)));
        return fail(L, obj, ATTN_ERR_FORMAT, m);
    }
    return attn__json_need_string(L->doc, obj, "type", type);
}

static attn_status unsupported(const loader *L, const attn__json *v, const char *section, const char *type,
                               const char *supported)
{
    return attn__json_fail(L->doc, v, ATTN_ERR_UNSUPPORTED, "%s: %s type \"%.64s\" is not supported (supported: %s)",
                           L->fn, section, type, supported);
}

static attn_status opt_flag(const loader *L, const attn__json *obj, const char *key, int dflt, uint8_t *out)
{
    int v = dflt;
    ATTN_CHECK(attn__json_opt_bool(L->doc, obj, key, &v));
    *out = (uint8_t)(v != 0);
    return ATTN_OK;
}

/* A non-negative integer member no larger than max. */
static attn_status need_count(const loader *L, const attn__json *obj, const char *key, int64_t max, int64_t *out)
{
    ATTN_CHECK(attn__json_need_int64(L->doc, obj, key, out));
    if (*out < 0 || *out > max)
        return attn__json_fail(L->doc, attn__json_object_get(obj, key), *out < 0 ? ATTN_ERR_FORMAT : ATTN_ERR_LIMIT,
                               "%s: \"%s\" is %lld, outside 0..%lld", L->fn, key, (long long)*out, (long long)max);
    return ATTN_OK;
}

/* ---- model -------------------------------------------------------------- */

static attn_status load_model(loader *L, const attn__json *m)
{
    attn_tokenizer *tok = L->tok;
    if (!m) return fail(L, attn__json_root(L->doc), ATTN_ERR_FORMAT, "no \"model\" section");
    const char *type;
    ATTN_CHECK(type_of(L, m, "model", &type));
    if (strcmp(type, "WordPiece") != 0) return unsupported(L, m, "model", type, "WordPiece");
    const char *unk, *prefix;
    int64_t max_chars = ATTN_TOKENIZER_MAX_WORD_CHARS;
    ATTN_CHECK(attn__json_need_string(L->doc, m, "unk_token", &unk));
    ATTN_CHECK(attn__json_need_string(L->doc, m, "continuing_subword_prefix", &prefix));
    if (attn__json_object_get(m, "max_input_chars_per_word"))
        ATTN_CHECK(need_count(L, m, "max_input_chars_per_word", MAX_WORD_CHARS_LIMIT, &max_chars));
    size_t plen = strlen(prefix);
    if (plen > MAX_PREFIX_BYTES)
        return fail(L, attn__json_object_get(m, "continuing_subword_prefix"), ATTN_ERR_LIMIT,
                    "\"continuing_subword_prefix\" is longer than 64 bytes");
    const attn__json *vocab = attn__json_object_get(m, "vocab");
    if (attn__json_type_of(vocab) != ATTN_JSON_OBJECT)
        return fail(L, vocab ? vocab : m, ATTN_ERR_FORMAT, "\"model\".\"vocab\" must be an object of token: id");
    size_t n = attn__json_object_size(vocab);
    if (n > ATTN_TOKENIZER_MAX_VOCAB)
        return fail(L, vocab, ATTN_ERR_LIMIT, "the vocab has more entries than ATTN_TOKENIZER_MAX_VOCAB");
    const char **tokens = attn__alloc(L->ctx, (n ? n : 1) * sizeof *tokens);
    size_t *lens = attn__alloc(L->ctx, (n ? n : 1) * sizeof *lens);
    int64_t *ids = attn__alloc(L->ctx, (n ? n : 1) * sizeof *ids);
    attn_status st = tokens && lens && ids ? ATTN_OK : ATTN_ERR_NOMEM;
    for (size_t i = 0; st == ATTN_OK && i < n; i++) {
        tokens[i] = attn__json_object_key(vocab, i, &lens[i]);
        const attn__json *v = attn__json_object_value(vocab, i);
        if (strlen(tokens[i]) != lens[i]) st = fail(L, v, ATTN_ERR_FORMAT, "a vocab entry contains a NUL character");
        else if (!attn__json_get_int64(v, &ids[i])) st = fail(L, v, ATTN_ERR_FORMAT, "a vocab id is not an integer");
    }
    if (st == ATTN_OK) st = attn__vocab_from_pairs(L->ctx, L->fn, n, tokens, lens, ids, &tok->vocab);
    attn__free(L->ctx, tokens);
    attn__free(L->ctx, lens);
    attn__free(L->ctx, ids);
    ATTN_CHECK(st);
    tok->wp.unk = attn__vocab_find(&tok->vocab, "", 0, unk, strlen(unk));
    tok->wp.max_chars = (size_t)max_chars;
    tok->wp.prefix_len = plen;
    tok->wp.prefix = attn__strdup(L->ctx, prefix);
    tok->wp.unk_token = attn__strdup(L->ctx, unk);
    return tok->wp.prefix && tok->wp.unk_token ? ATTN_OK : ATTN_ERR_NOMEM;
}

/* ---- normalizer --------------------------------------------------------- */

typedef struct step_list {
    attn__norm_step *steps;
    size_t n, cap;
} step_list;

static attn_status push_step(loader *L, step_list *l, attn__norm_step s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        if (cap > 4096) return attn__fail(L->ctx, ATTN_ERR_LIMIT, "%s: more than 4096 normalizer steps", L->fn);
        attn__norm_step *g = attn__alloc(L->ctx, cap * sizeof *g);
        if (!g) return ATTN_ERR_NOMEM;
        if (l->n) memcpy(g, l->steps, l->n * sizeof *g);
        attn__free(L->ctx, l->steps);
        l->steps = g;
        l->cap = cap;
    }
    l->steps[l->n++] = s;
    return ATTN_OK;
}

static attn_status to_points(loader *L, const attn__json *v, const char *s, size_t n, int32_t **out, size_t *count)
{
    attn__text_ids pts = {0};
    attn_status st = attn__utf8_to_points(L->ctx, s, n, &pts);
    if (st == ATTN_OK && pts.n > MAX_PATTERN) st = fail(L, v, ATTN_ERR_LIMIT, "a Replace string is longer than 256 characters");
    if (st != ATTN_OK) {
        attn__text_buf_free(L->ctx, &pts.buf);
        return st;
    }
    *out = attn__text_ids_data(&pts);
    *count = pts.n;
    if (!*out) { /* empty: keep a valid pointer */
        *out = attn__alloc(L->ctx, sizeof(int32_t));
        if (!*out) return ATTN_ERR_NOMEM;
    }
    return ATTN_OK;
}

static attn_status add_normalizer(loader *L, const attn__json *v, step_list *l)
{
    const char *type;
    ATTN_CHECK(type_of(L, v, "normalizer", &type));
    attn__norm_step s;
    memset(&s, 0, sizeof s);
    if (strcmp(type, "Sequence") == 0) {
        const attn__json *list = attn__json_object_get(v, "normalizers");
        if (attn__json_type_of(list) != ATTN_JSON_ARRAY)
            return fail(L, list ? list : v, ATTN_ERR_FORMAT, "a Sequence normalizer needs a \"normalizers\" array");
        for (size_t i = 0; i < attn__json_array_size(list); i++)
            ATTN_CHECK(add_normalizer(L, attn__json_array_at(list, i), l));
        return ATTN_OK;
    }
    if (strcmp(type, "BertNormalizer") == 0) {
        s.kind = ATTN__NORM_BERT;
        ATTN_CHECK(opt_flag(L, v, "clean_text", 1, &s.clean_text));
        ATTN_CHECK(opt_flag(L, v, "handle_chinese_chars", 1, &s.chinese_chars));
        ATTN_CHECK(opt_flag(L, v, "lowercase", 1, &s.lowercase));
        /* strip_accents: null follows lowercase */
        ATTN_CHECK(opt_flag(L, v, "strip_accents", s.lowercase, &s.strip_accents));
    } else if (strcmp(type, "NFD") == 0) {
        s.kind = ATTN__NORM_NFD;
    } else if (strcmp(type, "NFKD") == 0) {
        s.kind = ATTN__NORM_NFKD;
    } else if (strcmp(type, "NFC") == 0) {
        s.kind = ATTN__NORM_NFC;
    } else if (strcmp(type, "NFKC") == 0) {
        s.kind = ATTN__NORM_NFKC;
    } else if (strcmp(type, "Lowercase") == 0) {
        s.kind = ATTN__NORM_LOWERCASE;
    } else if (strcmp(type, "StripAccents") == 0) {
        s.kind = ATTN__NORM_STRIP_ACCENTS;
    } else if (strcmp(type, "Strip") == 0) {
        s.kind = ATTN__NORM_STRIP;
        ATTN_CHECK(opt_flag(L, v, "strip_left", 1, &s.left));
        ATTN_CHECK(opt_flag(L, v, "strip_right", 1, &s.right));
    } else if (strcmp(type, "Replace") == 0) {
        s.kind = ATTN__NORM_REPLACE;
        const attn__json *pat = attn__json_object_get(v, "pattern");
        const char *content, *literal = NULL;
        ATTN_CHECK(attn__json_need_string(L->doc, v, "content", &content));
        if (attn__json_type_of(pat) == ATTN_JSON_OBJECT && attn__json_object_get(pat, "Regex"))
            return unsupported(L, pat, "Replace pattern", "Regex", "String");
        if (attn__json_type_of(pat) == ATTN_JSON_OBJECT) ATTN_CHECK(attn__json_need_string(L->doc, pat, "String", &literal));
        if (!literal) return fail(L, pat ? pat : v, ATTN_ERR_FORMAT, "a Replace normalizer needs \"pattern\": {\"String\": ...}");
        if (!*literal) return fail(L, pat, ATTN_ERR_FORMAT, "a Replace pattern is empty");
        ATTN_CHECK(to_points(L, pat, literal, strlen(literal), &s.pattern, &s.pattern_len));
        attn_status st = to_points(L, v, content, strlen(content), &s.content, &s.content_len);
        if (st != ATTN_OK) {
            attn__free(L->ctx, s.pattern);
            return st;
        }
    } else {
        return unsupported(L, v, "normalizer", type,
                           "BertNormalizer, NFD, NFKD, NFC, NFKC, Lowercase, StripAccents, Replace, Strip, Sequence");
    }
    attn_status st = push_step(L, l, s);
    if (st != ATTN_OK) {
        attn__free(L->ctx, s.pattern);
        attn__free(L->ctx, s.content);
    }
    return st;
}

static attn_status load_normalizer(loader *L, const attn__json *v)
{
    if (attn__json_type_of(v) == ATTN_JSON_NULL) return ATTN_OK;
    step_list l = {0};
    attn_status st = add_normalizer(L, v, &l);
    /* owned by the tokenizer from here, so a failure frees them with it */
    L->tok->nz.steps = l.steps;
    L->tok->nz.n_steps = l.n;
    return st;
}

/* ---- pre-tokenizer -------------------------------------------------------- */

static attn_status behavior_of(loader *L, const attn__json *v, attn__split_behavior *b)
{
    static const char *const names[] = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"};
    const char *s = "Isolated";
    ATTN_CHECK(attn__json_opt_string(L->doc, v, "behavior", &s));
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *b = (attn__split_behavior)i;
            return ATTN_OK;
        }
    return fail(L, attn__json_object_get(v, "behavior"), ATTN_ERR_FORMAT,
                "\"behavior\" must be Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous");
}

static attn_status add_pre(loader *L, const attn__json *v, attn__pretokenizer *pt, size_t *cap)
{
    const char *type;
    ATTN_CHECK(type_of(L, v, "pre_tokenizer", &type));
    if (strcmp(type, "Sequence") == 0) {
        const attn__json *list = attn__json_object_get(v, "pretokenizers");
        if (attn__json_type_of(list) != ATTN_JSON_ARRAY)
            return fail(L, list ? list : v, ATTN_ERR_FORMAT, "a Sequence pre-tokenizer needs a \"pretokenizers\" array");
        for (size_t i = 0; i < attn__json_array_size(list); i++) ATTN_CHECK(add_pre(L, attn__json_array_at(list, i), pt, cap));
        return ATTN_OK;
    }
    attn__pre_step s = {ATTN__PRE_BERT, ATTN__SPLIT_ISOLATED};
    if (strcmp(type, "BertPreTokenizer") == 0) s.kind = ATTN__PRE_BERT;
    else if (strcmp(type, "Whitespace") == 0) s.kind = ATTN__PRE_WHITESPACE;
    else if (strcmp(type, "WhitespaceSplit") == 0) s.kind = ATTN__PRE_WHITESPACE_SPLIT;
    else if (strcmp(type, "Punctuation") == 0) {
        s.kind = ATTN__PRE_PUNCTUATION;
        ATTN_CHECK(behavior_of(L, v, &s.behavior));
    } else {
        return unsupported(L, v, "pre_tokenizer", type, "BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Sequence");
    }
    if (pt->n_steps == *cap) {
        size_t nc = *cap ? 2 * *cap : 4;
        if (nc > 4096) return attn__fail(L->ctx, ATTN_ERR_LIMIT, "%s: more than 4096 pre-tokenizer steps", L->fn);
        attn__pre_step *g = attn__alloc(L->ctx, nc * sizeof *g);
        if (!g) return ATTN_ERR_NOMEM;
        if (pt->n_steps) memcpy(g, pt->steps, pt->n_steps * sizeof *g);
        attn__free(L->ctx, pt->steps);
        pt->steps = g;
        *cap = nc;
    }
    pt->steps[pt->n_steps++] = s;
    return ATTN_OK;
}

static attn_status load_pre(loader *L, const attn__json *v)
{
    if (attn__json_type_of(v) == ATTN_JSON_NULL) return ATTN_OK;
    size_t cap = 0;
    return add_pre(L, v, &L->tok->pre, &cap);
}

/* ---- added tokens ---------------------------------------------------------- */

static attn_status load_added(loader *L, const attn__json *list)
{
    if (attn__json_type_of(list) == ATTN_JSON_NULL) return ATTN_OK;
    if (attn__json_type_of(list) != ATTN_JSON_ARRAY)
        return fail(L, list, ATTN_ERR_FORMAT, "\"added_tokens\" must be an array");
    for (size_t i = 0; i < attn__json_array_size(list); i++) {
        const attn__json *t = attn__json_array_at(list, i);
        const char *content;
        size_t len;
        uint8_t special, single_word, lstrip, rstrip, normalized;
        ATTN_CHECK(attn__json_need_string(L->doc, t, "content", &content));
        len = strlen(content);
        ATTN_CHECK(opt_flag(L, t, "special", 0, &special));
        ATTN_CHECK(opt_flag(L, t, "single_word", 0, &single_word));
        ATTN_CHECK(opt_flag(L, t, "lstrip", 0, &lstrip));
        ATTN_CHECK(opt_flag(L, t, "rstrip", 0, &rstrip));
        ATTN_CHECK(opt_flag(L, t, "normalized", !special, &normalized));
        /* "id" is not read: `tokenizers` gives the model's id, or the next
         * free one, whatever the file says */
        ATTN_CHECK(attn__tokenizer_add_token(L->tok, L->fn, content, len, special, single_word, lstrip, rstrip,
                                             normalized));
    }
    return ATTN_OK;
}

/* ---- post-processor -------------------------------------------------------- */

static attn_status need_id(loader *L, const attn__json *v, int32_t *id)
{
    int64_t x;
    if (!attn__json_get_int64(v, &x) || x < 0 || x >= ATTN_TOKENIZER_MAX_VOCAB)
        return fail(L, v, ATTN_ERR_FORMAT, "a special token id must be an integer in 0..ATTN_TOKENIZER_MAX_VOCAB-1");
    *id = (int32_t)x;
    return ATTN_OK;
}

/* BertProcessing's "cls" / "sep": ["[CLS]", 101]. */
static attn_status bert_pair(loader *L, const attn__json *v, const char *key, int32_t *id)
{
    const attn__json *p = attn__json_object_get(v, key);
    if (attn__json_type_of(p) != ATTN_JSON_ARRAY || attn__json_array_size(p) != 2 ||
        attn__json_type_of(attn__json_array_at(p, 0)) != ATTN_JSON_STRING)
        return fail(L, p ? p : v, ATTN_ERR_FORMAT, "BertProcessing's \"cls\" and \"sep\" must be [token, id]");
    return need_id(L, attn__json_array_at(p, 1), id);
}

static attn_status template_of(loader *L, const attn__json *v, const char *key, const attn__json *specials,
                               int pair, attn__template *t)
{
    const attn__json *list = attn__json_object_get(v, key);
    if (attn__json_type_of(list) != ATTN_JSON_ARRAY)
        return fail(L, list ? list : v, ATTN_ERR_FORMAT, "TemplateProcessing needs \"single\" and \"pair\" arrays");
    int has_a = 0, has_b = 0;
    for (size_t i = 0; i < attn__json_array_size(list); i++) {
        const attn__json *item = attn__json_array_at(list, i), *body;
        int is_special = (body = attn__json_object_get(item, "SpecialToken")) != NULL;
        if (!is_special) body = attn__json_object_get(item, "Sequence");
        if (attn__json_type_of(item) != ATTN_JSON_OBJECT || attn__json_object_size(item) != 1 || !body)
            return fail(L, item, ATTN_ERR_FORMAT, "a template piece must be {\"SpecialToken\": ...} or {\"Sequence\": ...}");
        const char *name;
        int64_t type_id = 0;
        ATTN_CHECK(attn__json_need_string(L->doc, body, "id", &name));
        if (attn__json_object_get(body, "type_id")) ATTN_CHECK(need_count(L, body, "type_id", INT32_MAX, &type_id));
        if (!is_special) {
            int b = strcmp(name, "B") == 0;
            if (!b && strcmp(name, "A") != 0) return fail(L, body, ATTN_ERR_FORMAT, "a template Sequence id must be A or B");
            if (b && !pair) return fail(L, body, ATTN_ERR_FORMAT, "the single template uses sequence B");
            /* `tokenizers` would repeat it, and a truncated sequence would
             * no longer fit max_len */
            if (b ? has_b : has_a) return fail(L, body, ATTN_ERR_FORMAT, "the template uses a sequence twice");
            has_a |= !b;
            has_b |= b;
            ATTN_CHECK(attn__template_add_sequence(L->ctx, t, b ? ATTN__PIECE_B : ATTN__PIECE_A, (int32_t)type_id));
            continue;
        }
        const attn__json *sp = attn__json_object_get(specials, name);
        const attn__json *ids = attn__json_object_get(sp, "ids");
        if (!sp || attn__json_type_of(ids) != ATTN_JSON_ARRAY) {
            char m[200];
            snprintf(m, sizeof m, "the template uses \"%.64s\", which \"special_tokens\" does not define with \"ids\"", name);
            return fail(L, item, ATTN_ERR_FORMAT, m);
        }
        size_t n = attn__json_array_size(ids);
        if (n > 1024) return fail(L, ids, ATTN_ERR_LIMIT, "a special token has more than 1024 ids");
        int32_t buf[1024];
        for (size_t k = 0; k < n; k++) ATTN_CHECK(need_id(L, attn__json_array_at(ids, k), &buf[k]));
        ATTN_CHECK(attn__template_add_special(L->ctx, t, buf, n, (int32_t)type_id));
    }
    if (pair && !(has_a && has_b)) return fail(L, list, ATTN_ERR_FORMAT, "the pair template must use both sequences");
    return ATTN_OK;
}

static attn_status load_post(loader *L, const attn__json *v)
{
    attn_tokenizer *tok = L->tok;
    if (attn__json_type_of(v) == ATTN_JSON_NULL) {
        /* none: the sequences as they are, the pair with type id 1 */
        ATTN_CHECK(attn__template_add_sequence(L->ctx, &tok->single, ATTN__PIECE_A, 0));
        ATTN_CHECK(attn__template_add_sequence(L->ctx, &tok->pair, ATTN__PIECE_A, 0));
        return attn__template_add_sequence(L->ctx, &tok->pair, ATTN__PIECE_B, 1);
    }
    const char *type;
    ATTN_CHECK(type_of(L, v, "post_processor", &type));
    if (strcmp(type, "BertProcessing") == 0) {
        int32_t cls, sep;
        ATTN_CHECK(bert_pair(L, v, "cls", &cls));
        ATTN_CHECK(bert_pair(L, v, "sep", &sep));
        attn__template *t[2] = {&tok->single, &tok->pair};
        for (int k = 0; k < 2; k++) {
            ATTN_CHECK(attn__template_add_special(L->ctx, t[k], &cls, 1, 0));
            ATTN_CHECK(attn__template_add_sequence(L->ctx, t[k], ATTN__PIECE_A, 0));
            ATTN_CHECK(attn__template_add_special(L->ctx, t[k], &sep, 1, 0));
        }
        ATTN_CHECK(attn__template_add_sequence(L->ctx, &tok->pair, ATTN__PIECE_B, 1));
        return attn__template_add_special(L->ctx, &tok->pair, &sep, 1, 1);
    }
    if (strcmp(type, "TemplateProcessing") != 0)
        return unsupported(L, v, "post_processor", type, "TemplateProcessing, BertProcessing");
    const attn__json *specials = attn__json_object_get(v, "special_tokens");
    if (specials && attn__json_type_of(specials) != ATTN_JSON_OBJECT)
        return fail(L, specials, ATTN_ERR_FORMAT, "\"special_tokens\" must be an object");
    ATTN_CHECK(template_of(L, v, "single", specials, 0, &tok->single));
    return template_of(L, v, "pair", specials, 1, &tok->pair);
}

/* ---- truncation and padding -------------------------------------------------- */

static attn_status load_truncation(loader *L, const attn__json *v)
{
    if (attn__json_type_of(v) == ATTN_JSON_NULL) return ATTN_OK;
    attn__truncation *tr = &L->tok->trunc;
    int64_t max_length;
    const char *strategy = "LongestFirst", *direction = "Right";
    ATTN_CHECK(need_count(L, v, "max_length", INT32_MAX, &max_length));
    ATTN_CHECK(attn__json_opt_string(L->doc, v, "strategy", &strategy));
    ATTN_CHECK(attn__json_opt_string(L->doc, v, "direction", &direction));
    if (strcmp(strategy, "LongestFirst") == 0) tr->strategy = ATTN__TRUNC_LONGEST_FIRST;
    else if (strcmp(strategy, "OnlyFirst") == 0) tr->strategy = ATTN__TRUNC_ONLY_FIRST;
    else if (strcmp(strategy, "OnlySecond") == 0) tr->strategy = ATTN__TRUNC_ONLY_SECOND;
    else return fail(L, attn__json_object_get(v, "strategy"), ATTN_ERR_FORMAT,
                     "truncation \"strategy\" must be LongestFirst, OnlyFirst or OnlySecond");
    if (strcmp(direction, "Left") != 0 && strcmp(direction, "Right") != 0)
        return fail(L, attn__json_object_get(v, "direction"), ATTN_ERR_FORMAT, "truncation \"direction\" must be Left or Right");
    tr->left = strcmp(direction, "Left") == 0;
    tr->max_length = (int32_t)max_length;
    L->tok->max_length = (int32_t)max_length;
    return ATTN_OK;
}

static attn_status load_padding(loader *L, const attn__json *v)
{
    if (attn__json_type_of(v) == ATTN_JSON_NULL) return ATTN_OK;
    if (attn__json_type_of(v) != ATTN_JSON_OBJECT) return fail(L, v, ATTN_ERR_FORMAT, "\"padding\" must be an object or null");
    const char *direction = "Right";
    int64_t pad_id = -1, pad_type_id = 0;
    ATTN_CHECK(attn__json_opt_string(L->doc, v, "direction", &direction));
    if (strcmp(direction, "Left") != 0 && strcmp(direction, "Right") != 0)
        return fail(L, attn__json_object_get(v, "direction"), ATTN_ERR_FORMAT, "padding \"direction\" must be Left or Right");
    if (attn__json_object_get(v, "pad_id")) ATTN_CHECK(need_count(L, v, "pad_id", ATTN_TOKENIZER_MAX_VOCAB - 1, &pad_id));
    if (attn__json_object_get(v, "pad_type_id")) ATTN_CHECK(need_count(L, v, "pad_type_id", INT32_MAX, &pad_type_id));
    L->tok->pad_left = strcmp(direction, "Left") == 0;
    L->tok->pad_id = (int32_t)pad_id;
    L->tok->pad_type_id = (int32_t)pad_type_id;
    return ATTN_OK;
}

attn_status attn__tokenizer_from_json(attn_tokenizer *tok, const char *fn, const attn__json_doc *doc)
{
    loader L = {tok, tok->ctx, fn, doc};
    const attn__json *root = attn__json_root(doc);
    if (attn__json_type_of(root) != ATTN_JSON_OBJECT) return fail(&L, root, ATTN_ERR_FORMAT, "the document is not an object");
    const char *version = "1.0";
    ATTN_CHECK(attn__json_opt_string(doc, root, "version", &version));
    if (strcmp(version, "1.0") != 0)
        return fail(&L, attn__json_object_get(root, "version"), ATTN_ERR_UNSUPPORTED, "only tokenizer.json version 1.0 is read");
    /* the order matters: added tokens look up the vocab and go through the normalizer */
    ATTN_CHECK(load_model(&L, attn__json_object_get(root, "model")));
    ATTN_CHECK(load_normalizer(&L, attn__json_object_get(root, "normalizer")));
    ATTN_CHECK(load_pre(&L, attn__json_object_get(root, "pre_tokenizer")));
    ATTN_CHECK(load_added(&L, attn__json_object_get(root, "added_tokens")));
    ATTN_CHECK(load_post(&L, attn__json_object_get(root, "post_processor")));
    ATTN_CHECK(load_truncation(&L, attn__json_object_get(root, "truncation")));
    ATTN_CHECK(load_padding(&L, attn__json_object_get(root, "padding")));
    return attn__tokenizer_finish(tok);
}

static const attn__json_limits json_limits = {ATTN_TOKENIZER_MAX_JSON_BYTES, 64, (size_t)ATTN_TOKENIZER_MAX_VOCAB + 65536};

attn_status attn_tokenizer_load_json_buffer(attn_ctx *ctx, const char *data, size_t len, attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load_json_buffer";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    if (!data && len > 0) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: data is NULL", fn);
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse(ctx, "tokenizer.json", data ? data : "", len, &json_limits, &doc));
    attn_tokenizer *tok = NULL;
    attn_status st = attn__tokenizer_new(ctx, &tok);
    if (st == ATTN_OK) st = attn__tokenizer_from_json(tok, fn, doc);
    attn__json_free(doc);
    if (st != ATTN_OK) {
        attn_tokenizer_destroy(tok);
        return st;
    }
    *out = tok;
    return attn__ok(ctx);
}

attn_status attn_tokenizer_load_json(attn_ctx *ctx, const char *path, attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load_json";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (out) *out = NULL;
    if (!path) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: path is NULL", fn);
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    attn__json_doc *doc;
    ATTN_CHECK(attn__json_parse_file(ctx, path, &json_limits, &doc));
    attn_tokenizer *tok = NULL;
    attn_status st = attn__tokenizer_new(ctx, &tok);
    if (st == ATTN_OK) st = attn__tokenizer_from_json(tok, fn, doc);
    attn__json_free(doc);
    if (st != ATTN_OK) {
        attn_tokenizer_destroy(tok);
        return st;
    }
    *out = tok;
    return attn__ok(ctx);
}
