/* A tokenizer from a model folder as Hugging Face and sentence-transformers
 * save it: tokenizer.json when there is one, else vocab.txt with the
 * settings of tokenizer_config.json (do_lower_case, strip_accents,
 * tokenize_chinese_chars, the special tokens, added_tokens_decoder) and
 * special_tokens_map.json, the way transformers builds its BertTokenizer
 * from them. model_max_length gives attn_tokenizer_max_length, and
 * sentence_bert_config.json's do_lower_case lowercases the input as
 * sentence-transformers does. Only regular files are read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/file.h"
#include "io/json.h"
#include "text_internal.h"

#define MAX_SMALL_JSON ((size_t)4 << 20) /* tokenizer_config.json and friends */

typedef struct dir_loader {
    attn_ctx *ctx;
    const char *fn, *dir;
    char path[4096];
} dir_loader;

/* 1 if dir/name is a regular file (path filled), 0 if absent; an error
 * for anything else there. */
static attn_status find_file(dir_loader *D, const char *name, int *found)
{
    *found = 0;
    int n = snprintf(D->path, sizeof D->path, "%s/%s", D->dir, name);
    if (n < 0 || (size_t)n >= sizeof D->path)
        return attn__fail(D->ctx, ATTN_ERR_LIMIT, "%s: the path '%s/%s' is too long", D->fn, D->dir, name);
    struct stat sb;
    if (stat(D->path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return ATTN_OK;
        return attn__fail(D->ctx, ATTN_ERR_IO, "%s: cannot read '%s'", D->fn, D->path);
    }
    if (!S_ISREG(sb.st_mode))
        return attn__fail(D->ctx, ATTN_ERR_IO, "%s: '%s' is not a regular file", D->fn, D->path);
    *found = 1;
    return ATTN_OK;
}

/* Parses dir/name if it is there; *doc stays NULL otherwise. */
static attn_status read_json(dir_loader *D, const char *name, attn__json_doc **doc)
{
    *doc = NULL;
    int found;
    ATTN_CHECK(find_file(D, name, &found));
    if (!found) return ATTN_OK;
    attn__json_limits lim = {MAX_SMALL_JSON, 32, 1 << 20, 0};
    ATTN_CHECK(attn__json_parse_file(D->ctx, D->path, &lim, doc));
    if (attn__json_type_of(attn__json_root(*doc)) != ATTN_JSON_OBJECT) {
        attn__json_fail(*doc, attn__json_root(*doc), ATTN_ERR_FORMAT, "%s: the document is not an object", D->fn);
        attn__json_free(*doc);
        *doc = NULL;
        return ATTN_ERR_FORMAT;
    }
    return ATTN_OK;
}

/* model_max_length: transformers writes 1e30 for "none". */
static attn_status max_length_of(const attn__json_doc *cfg, int32_t *out)
{
    if (!cfg) return ATTN_OK;
    double m = 0;
    ATTN_CHECK(attn__json_opt_number(cfg, attn__json_root(cfg), "model_max_length", &m));
    if (m >= 1 && m <= (double)INT32_MAX) *out = (int32_t)m;
    return ATTN_OK;
}

/* A special token of tokenizer_config.json / special_tokens_map.json: a
 * string, or an object with "content" and the AddedToken flags. */
typedef struct special {
    const char *content;
    int single_word, lstrip, rstrip, normalized;
} special;

static attn_status special_of(const attn__json_doc *doc, const attn__json *v, special *s)
{
    memset(s, 0, sizeof *s);
    if (attn__json_type_of(v) == ATTN_JSON_NULL) return ATTN_OK;
    size_t n;
    if (attn__json_type_of(v) == ATTN_JSON_STRING) {
        s->content = attn__json_get_string(v, &n);
    } else {
        ATTN_CHECK(attn__json_need_string(doc, v, "content", &s->content));
        ATTN_CHECK(attn__json_opt_bool(doc, v, "single_word", &s->single_word));
        ATTN_CHECK(attn__json_opt_bool(doc, v, "lstrip", &s->lstrip));
        ATTN_CHECK(attn__json_opt_bool(doc, v, "rstrip", &s->rstrip));
        ATTN_CHECK(attn__json_opt_bool(doc, v, "normalized", &s->normalized));
        n = strlen(s->content);
    }
    if (s->content && strlen(s->content) != n)
        return attn__json_fail(doc, v, ATTN_ERR_FORMAT, "a special token contains a NUL character");
    return ATTN_OK;
}

/* The special token key from the config, else from the map, else dflt. */
static attn_status named_special(const attn__json_doc *cfg, const attn__json_doc *map, const char *key, const char *dflt,
                                 special *s)
{
    memset(s, 0, sizeof *s);
    if (cfg) ATTN_CHECK(special_of(cfg, attn__json_object_get(attn__json_root(cfg), key), s));
    if (!s->content && map) ATTN_CHECK(special_of(map, attn__json_object_get(attn__json_root(map), key), s));
    if (!s->content) s->content = dflt;
    return ATTN_OK;
}

static attn_status add_special(attn_tokenizer *tok, const char *fn, const special *s)
{
    if (!s->content) return ATTN_OK;
    return attn__tokenizer_add_token(tok, fn, s->content, strlen(s->content), 1, s->single_word, s->lstrip, s->rstrip,
                                     s->normalized);
}

/* added_tokens_decoder: {"0": {"content": "[PAD]", "special": true, ...}}, by id. */
static attn_status add_decoder_tokens(attn_tokenizer *tok, const char *fn, const attn__json_doc *cfg)
{
    const attn__json *dec = cfg ? attn__json_object_get(attn__json_root(cfg), "added_tokens_decoder") : NULL;
    if (attn__json_type_of(dec) == ATTN_JSON_NULL) return ATTN_OK;
    if (attn__json_type_of(dec) != ATTN_JSON_OBJECT)
        return attn__json_fail(cfg, dec, ATTN_ERR_FORMAT, "%s: \"added_tokens_decoder\" must be an object", fn);
    for (size_t i = 0; i < attn__json_object_size(dec); i++) {
        const attn__json *t = attn__json_object_value(dec, i);
        const char *content;
        int special = 0, single_word = 0, lstrip = 0, rstrip = 0, normalized;
        ATTN_CHECK(attn__json_need_string(cfg, t, "content", &content));
        ATTN_CHECK(attn__json_opt_bool(cfg, t, "special", &special));
        normalized = !special;
        ATTN_CHECK(attn__json_opt_bool(cfg, t, "single_word", &single_word));
        ATTN_CHECK(attn__json_opt_bool(cfg, t, "lstrip", &lstrip));
        ATTN_CHECK(attn__json_opt_bool(cfg, t, "rstrip", &rstrip));
        ATTN_CHECK(attn__json_opt_bool(cfg, t, "normalized", &normalized));
        ATTN_CHECK(attn__tokenizer_add_token(tok, fn, content, strlen(content), special, single_word, lstrip, rstrip,
                                             normalized));
    }
    return ATTN_OK;
}

/* vocab.txt + tokenizer_config.json + special_tokens_map.json. */
static attn_status from_vocab(dir_loader *D, attn_tokenizer *tok, const attn__json_doc *cfg, const attn__json_doc *map)
{
    attn_ctx *ctx = D->ctx;
    int found;
    ATTN_CHECK(find_file(D, "vocab.txt", &found));
    if (!found)
        return attn__fail(ctx, ATTN_ERR_NOT_FOUND, "%s: '%s' has neither tokenizer.json nor vocab.txt", D->fn, D->dir);
    void *data;
    size_t len;
    ATTN_CHECK(attn__file_read_all(ctx, D->path, ATTN_TOKENIZER_MAX_VOCAB_BYTES, &data, &len));
    attn_status st = attn__vocab_parse(ctx, D->fn, data, len, &tok->vocab);
    attn__free(ctx, data);
    ATTN_CHECK(st);

    const attn__json *root = cfg ? attn__json_root(cfg) : NULL;
    int lower = 1, chinese = 1, strip = -1;
    if (cfg) {
        ATTN_CHECK(attn__json_opt_bool(cfg, root, "do_lower_case", &lower));
        ATTN_CHECK(attn__json_opt_bool(cfg, root, "tokenize_chinese_chars", &chinese));
        int s = 0;
        if (attn__json_type_of(attn__json_object_get(root, "strip_accents")) != ATTN_JSON_NULL) {
            ATTN_CHECK(attn__json_need_bool(cfg, root, "strip_accents", &s));
            strip = s;
        }
    }
    ATTN_CHECK(attn__tokenizer_set_bert(tok, 1, chinese, strip < 0 ? lower : strip, lower));

    /* added tokens in id order first, then the named specials */
    ATTN_CHECK(add_decoder_tokens(tok, D->fn, cfg));
    static const char *const keys[] = {"pad_token", "unk_token", "cls_token", "sep_token", "mask_token"};
    static const char *const dflt[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    special sp[5];
    for (int i = 0; i < 5; i++) {
        ATTN_CHECK(named_special(cfg, map, keys[i], dflt[i], &sp[i]));
        ATTN_CHECK(add_special(tok, D->fn, &sp[i]));
    }
    const attn__json *extra = NULL;
    const attn__json_doc *extra_doc = NULL;
    if (cfg && (extra = attn__json_object_get(root, "additional_special_tokens"))) extra_doc = cfg;
    else if (map && (extra = attn__json_object_get(attn__json_root(map), "additional_special_tokens"))) extra_doc = map;
    for (size_t i = 0; i < attn__json_array_size(extra); i++) {
        special s;
        ATTN_CHECK(special_of(extra_doc, attn__json_array_at(extra, i), &s));
        ATTN_CHECK(add_special(tok, D->fn, &s));
    }
    tok->wp.unk = attn__vocab_find(&tok->vocab, "", 0, sp[1].content, strlen(sp[1].content));
    tok->wp.unk_token = attn__strdup(ctx, sp[1].content);
    if (!tok->wp.unk_token) return ATTN_ERR_NOMEM;
    tok->pad_id = attn__tokenizer_find(tok, sp[0].content, strlen(sp[0].content));
    ATTN_CHECK(attn__tokenizer_set_bert_template(tok, sp[2].content, sp[3].content));
    return attn__tokenizer_finish(tok);
}

static attn_status load_dir(dir_loader *D, attn_tokenizer *tok, attn__json_doc **cfg, attn__json_doc **map,
                            attn__json_doc **st_cfg)
{
    ATTN_CHECK(read_json(D, "tokenizer_config.json", cfg));
    ATTN_CHECK(read_json(D, "special_tokens_map.json", map));
    ATTN_CHECK(read_json(D, "sentence_bert_config.json", st_cfg));
    int found;
    ATTN_CHECK(find_file(D, "tokenizer.json", &found));
    if (found) {
        attn__json_doc *doc;
        static const attn__json_limits lim = {ATTN_TOKENIZER_MAX_JSON_BYTES, 64, (size_t)ATTN_TOKENIZER_MAX_VOCAB + 65536, 0};
        ATTN_CHECK(attn__json_parse_file(D->ctx, D->path, &lim, &doc));
        attn_status st = attn__tokenizer_from_json(tok, D->fn, doc);
        attn__json_free(doc);
        ATTN_CHECK(st);
    } else {
        ATTN_CHECK(from_vocab(D, tok, *cfg, *map));
    }
    /* transformers truncates to model_max_length, not to the truncation
     * section a tokenizer.json was saved with */
    ATTN_CHECK(max_length_of(*cfg, &tok->max_length));
    if (*st_cfg) {
        int lower = 0;
        ATTN_CHECK(attn__json_opt_bool(*st_cfg, attn__json_root(*st_cfg), "do_lower_case", &lower));
        tok->lowercase_input = lower;
    }
    return ATTN_OK;
}

attn_status attn_tokenizer_load_dir(attn_ctx *ctx, const char *dir, attn_tokenizer **out)
{
    static const char fn[] = "attn_tokenizer_load_dir";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (out) *out = NULL;
    if (!dir) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: dir is NULL", fn);
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    dir_loader *D = attn__calloc(ctx, 1, sizeof *D);
    if (!D) return ATTN_ERR_NOMEM;
    D->ctx = ctx;
    D->fn = fn;
    D->dir = dir;
    attn_tokenizer *tok = NULL;
    attn__json_doc *cfg = NULL, *map = NULL, *st_cfg = NULL;
    attn_status st = attn__tokenizer_new(ctx, &tok);
    if (st == ATTN_OK) st = load_dir(D, tok, &cfg, &map, &st_cfg);
    attn__json_free(cfg);
    attn__json_free(map);
    attn__json_free(st_cfg);
    attn__free(ctx, D);
    if (st != ATTN_OK) {
        attn_tokenizer_destroy(tok);
        return st;
    }
    *out = tok;
    return attn__ok(ctx);
}
