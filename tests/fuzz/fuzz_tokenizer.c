/* libFuzzer target for lib/text: the input is used both as text (single,
 * pair and batch encoding, cased and uncased, under a memory limit) and as
 * a vocab file. Any status is fine; crashes, leaks, sanitizer reports and
 * inconsistent results are not.
 *
 * Build by hand from the source root (BUILD = a meson build dir, for the
 * generated attn/version.h), e.g.:
 *   B=/usr/lib/x86_64-linux-gnu/blis-pthread
 *   clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *     -Iinclude -IBUILD/include -Ilib -isystem /usr/include/x86_64-linux-gnu/blis-pthread \
 *     tests/fuzz/fuzz_tokenizer.c $(find lib/text lib/core lib/tensor lib/compute -name '*.c') \
 *     -L$B -Wl,-rpath,$B -lutf8proc -lblis -lm -lpthread -o fuzz_tokenizer
 *   mkdir -p corpus && ./fuzz_tokenizer -max_len=4096 corpus tests/fuzz/corpus/tokenizer
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"

/* Specials, ASCII and CJK entries, continuations, a multi-byte "##" piece. */
static const char fuzz_vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nun\n##aff\n##able\na\nb\n##b\n.\n,\n"
                                 "\xe4\xba\xba\n\xe5\xb7\xa5\ncafe\n##\xc3\xa9\n\xc3\xa9\n##s\n";

static void check(int cond)
{
    if (!cond) abort();
}

static void encode_text(attn_tokenizer *tok, attn_batch *batch, const char *text, const char *pair)
{
    int32_t ids[64], types[64], n = -1, m = -1;
    attn_status st = attn_tokenizer_tokenize(tok, text, ids, 64, &n);
    check(st == ATTN_OK || st == ATTN_ERR_LIMIT);
    check(n >= 0);
    /* encode = [CLS] pieces [SEP] (+ pair [SEP]) */
    st = attn_tokenizer_encode(tok, text, pair, 0, NULL, NULL, 0, &m);
    check(st == ATTN_OK);
    if (!pair) check(m == n + 2);
    st = attn_tokenizer_encode(tok, text, pair, 16, ids, types, 64, &m);
    check(st == ATTN_OK && m <= 16 && m >= (pair ? 3 : 2));
    for (int32_t i = 0; i < m; i++) check(attn_tokenizer_id_to_token(tok, ids[i]) != NULL);
    const char *texts[2] = {text, pair ? pair : ""};
    const char *pairs[2] = {pair, NULL};
    st = attn_tokenizer_encode_batch(tok, batch, texts, pairs, 2, 12, 0);
    check(st == ATTN_OK);
    attn_tensor *mask = attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK);
    check(attn_tensor_dim(mask, 0) == 2 && attn_tensor_dim(mask, 1) <= 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 0;
    /* inputs are small; a limit turns runaway growth into a status */
    attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 64 << 20);

    char *text = malloc(size + 1);
    if (!text) {
        attn_ctx_destroy(ctx);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    /* the pair is the part after the first TAB, if any */
    char *tab = memchr(text, '\t', size);
    char *pair = NULL;
    if (tab) {
        *tab = '\0';
        pair = tab + 1;
    }

    static const uint32_t modes[3] = {0, ATTN_TOKENIZER_LOWERCASE,
                                      ATTN_TOKENIZER_LOWERCASE | ATTN_TOKENIZER_KEEP_ACCENTS};
    attn_batch *batch = NULL;
    check(attn_batch_create(ctx, &batch) == ATTN_OK);
    for (int m = 0; m < 3; m++) {
        attn_tokenizer *tok = NULL;
        check(attn_tokenizer_load_buffer(ctx, fuzz_vocab, sizeof fuzz_vocab - 1, modes[m], &tok) == ATTN_OK);
        encode_text(tok, batch, text, pair);
        attn_tokenizer_destroy(tok);
    }

    /* the same bytes as a vocab file */
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load_buffer(ctx, (const char *)data, size, ATTN_TOKENIZER_LOWERCASE, &tok);
    check((st == ATTN_OK) == (tok != NULL));
    if (tok) {
        int32_t ids[32], n;
        check(attn_tokenizer_vocab_size(tok) >= 1);
        st = attn_tokenizer_tokenize(tok, "the unaffable cafe [MASK] \xe4\xba\xba", ids, 32, &n);
        check(st == ATTN_OK || st == ATTN_ERR_NOT_FOUND);
        st = attn_tokenizer_encode_batch(tok, batch, (const char *const[]){"a", "b c"}, NULL, 2, 0, 0);
        check(st == ATTN_OK || st == ATTN_ERR_NOT_FOUND);
        attn_tokenizer_destroy(tok);
    }
    attn_batch_destroy(batch);
    free(text);
    int64_t in_use = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    check(in_use == 0);
    attn_ctx_destroy(ctx);
    return 0;
}
