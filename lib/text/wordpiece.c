/* WordPiece: one word to vocab ids, greedy longest match first. The first
 * piece is looked up as is, every later one with the continuing-subword
 * prefix ("##") in front; if some position matches nothing, or the word
 * has more characters than max_input_chars_per_word, the whole word is
 * the unknown token. */
#include <string.h>

#include "text_internal.h"

static int is_utf8_continuation(char b) { return ((unsigned char)b & 0xC0) == 0x80; }

static attn_status push_unk(attn_ctx *ctx, const attn__wordpiece_cfg *cfg, const char *word, size_t len,
                            attn__text_ids *out)
{
    if (cfg->unk < 0) {
        int shown = len > 64 ? 64 : (int)len;
        return attn__fail(ctx, ATTN_ERR_NOT_FOUND, "the vocab has no %s entry, which the word \"%.*s%s\" needs",
                          cfg->unk_token ? cfg->unk_token : "unknown-token", shown, word, len > 64 ? "..." : "");
    }
    return attn__text_ids_push(ctx, out, cfg->unk);
}

attn_status attn__wordpiece(attn_ctx *ctx, const attn__vocab *v, const attn__wordpiece_cfg *cfg,
                            const char *word, size_t len, attn__text_ids *out)
{
    size_t nchars = 0;
    for (size_t i = 0; i < len && nchars <= cfg->max_chars; i++) nchars += !is_utf8_continuation(word[i]);
    if (nchars > cfg->max_chars) return push_unk(ctx, cfg, word, len, out);
    size_t first = out->n;
    size_t start = 0;
    while (start < len) {
        size_t prefix = start > 0 ? cfg->prefix_len : 0;
        /* No entry is longer than the vocab's longest: start there. */
        size_t room = v->longest > prefix ? v->longest - prefix : 0;
        size_t end = len - start > room ? start + room : len;
        while (end > start && end < len && is_utf8_continuation(word[end])) end--;
        int32_t id = -1;
        while (end > start) {
            id = attn__vocab_find(v, cfg->prefix, prefix, word + start, end - start);
            if (id >= 0) break;
            do end--;
            while (end > start && is_utf8_continuation(word[end]));
        }
        if (id < 0) {
            out->n = first; /* pieces found so far are discarded */
            return push_unk(ctx, cfg, word, len, out);
        }
        ATTN_CHECK(attn__text_ids_push(ctx, out, id));
        start = end;
    }
    return ATTN_OK;
}
