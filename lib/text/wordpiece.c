/* WordPiece: one normalized word to vocab ids, greedy longest match first.
 * The first piece is looked up as is, every later one with "##" in front;
 * if some position matches nothing, or the word has more than
 * ATTN_TOKENIZER_MAX_WORD_CHARS characters, the whole word is [UNK]. */
#include <string.h>

#include "text_internal.h"

static const char continuation[] = "##";
#define CONTINUATION_LEN 2

static int is_utf8_continuation(char b) { return ((unsigned char)b & 0xC0) == 0x80; }

static attn_status push_unk(attn_ctx *ctx, int32_t unk, const char *word, size_t len, attn__text_ids *out)
{
    if (unk < 0) {
        int shown = len > 64 ? 64 : (int)len;
        return attn__fail(ctx, ATTN_ERR_NOT_FOUND,
                          "the vocab has no [UNK] entry, which the word \"%.*s%s\" needs", shown, word,
                          len > 64 ? "..." : "");
    }
    return attn__text_ids_push(ctx, out, unk);
}

attn_status attn__wordpiece(attn_ctx *ctx, const attn__vocab *v, int32_t unk, const char *word, size_t len,
                            size_t nchars, attn__text_ids *out)
{
    if (nchars > ATTN_TOKENIZER_MAX_WORD_CHARS) return push_unk(ctx, unk, word, len, out);
    size_t first = out->n;
    size_t start = 0;
    while (start < len) {
        size_t prefix = start > 0 ? CONTINUATION_LEN : 0;
        /* No entry is longer than the vocab's longest line: start there. */
        size_t room = v->longest > prefix ? v->longest - prefix : 0;
        size_t end = len - start > room ? start + room : len;
        while (end > start && end < len && is_utf8_continuation(word[end])) end--;
        int32_t id = -1;
        while (end > start) {
            id = attn__vocab_find(v, continuation, prefix, word + start, end - start);
            if (id >= 0) break;
            do end--;
            while (end > start && is_utf8_continuation(word[end]));
        }
        if (id < 0) {
            out->n = first; /* pieces found so far are discarded */
            return push_unk(ctx, unk, word, len, out);
        }
        ATTN_CHECK(attn__text_ids_push(ctx, out, id));
        start = end;
    }
    return ATTN_OK;
}
