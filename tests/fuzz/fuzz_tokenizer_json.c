/* libFuzzer target for tokenizer.json (lib/text/tokenizer_json.c): the
 * input is read as a tokenizer.json through the public loader, and every
 * tokenizer it accepts encodes a few fixed texts (single, pair, truncated
 * by its own max length, in a batch); the input is also used as a text for
 * a fixed tokenizer.json that has every stage (added tokens with each
 * flag, Sequence normalizers, Punctuation, a custom template), under a
 * memory limit. The target aborts when a promise breaks:
 *  - a failed load carries a known status and a message, and no handle;
 *  - encoding succeeds or fails with a status tokenizer.h names for it;
 *  - every id is below attn_tokenizer_vocab_size, a truncated sequence
 *    fits max_len, tokenize and encode agree, batches have the shape asked;
 *  - every byte counted on the context is returned.
 * scripts/fuzz.sh builds and runs it with tests/fuzz/tokenizer_json.dict. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"

static const char fixed_json[] =
    "{\"version\": \"1.0\", \"truncation\": {\"max_length\": 12, \"strategy\": \"LongestFirst\", \"direction\": \"Left\"},"
    " \"padding\": {\"strategy\": \"BatchLongest\", \"direction\": \"Right\", \"pad_id\": 0, \"pad_type_id\": 0, \"pad_token\": \"[PAD]\"},"
    " \"added_tokens\": [{\"id\": 0, \"content\": \"[PAD]\", \"special\": true, \"normalized\": false},"
    " {\"id\": 9, \"content\": \"<e>\", \"single_word\": true, \"normalized\": false},"
    " {\"id\": 10, \"content\": \"[L]\", \"lstrip\": true, \"rstrip\": true, \"normalized\": false},"
    " {\"id\": 11, \"content\": \"Caf\\u00e9\", \"normalized\": true}],"
    " \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Replace\", \"pattern\": {\"String\": \"``\"}, \"content\": \"\\\"\"},"
    " {\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, \"strip_accents\": null, \"lowercase\": true},"
    " {\"type\": \"NFKC\"}]},"
    " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"}, {\"type\": \"Punctuation\", \"behavior\": \"MergedWithNext\"}]},"
    " \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
    " \"pair\": [{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}, {\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 1}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
    " \"special_tokens\": {\"[CLS]\": {\"id\": \"[CLS]\", \"ids\": [2, 3], \"tokens\": [\"[CLS]\", \"a\"]}}},"
    " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", \"max_input_chars_per_word\": 20,"
    " \"vocab\": {\"[PAD]\": 0, \"[UNK]\": 1, \"[CLS]\": 2, \"a\": 3, \"##b\": 4, \"the\": 5, \"\\u4eba\": 6, \"caf\": 7, \"##e\": 8}}}";

static const char *const texts[] = {"the ab", "Caf\xc3\xa9 <e> x<e> [L]  a", "\xe4\xba\xba\xe4\xba\xba ``the''", ""};

static void require(int ok, const char *what, const attn_ctx *ctx)
{
    if (ok) return;
    fprintf(stderr, "fuzz_tokenizer_json: %s (last error: \"%s\")\n", what, attn_ctx_last_error(ctx));
    abort();
}

static int encode_ok(attn_status st)
{
    /* NOT_FOUND: no unk token; LIMIT: an only-first/second cut too short;
     * INVALID_ARG: max_len below the template, OnlySecond without a pair;
     * NOMEM: the memory limit */
    return st == ATTN_OK || st == ATTN_ERR_NOT_FOUND || st == ATTN_ERR_LIMIT || st == ATTN_ERR_INVALID_ARG ||
           st == ATTN_ERR_NOMEM;
}

static void exercise(attn_ctx *ctx, attn_tokenizer *tok, attn_batch *batch, const char *text, const char *pair)
{
    int32_t size = attn_tokenizer_vocab_size(tok);
    int32_t max_len = attn_tokenizer_max_length(tok);
    require(size >= 0 && max_len >= 0, "accessors out of range", ctx);
    int32_t ids[256], types[256], n = -1, m = -1;
    attn_status st = attn_tokenizer_tokenize(tok, text, ids, 256, &n);
    require(encode_ok(st), "tokenize failed with an unexpected status", ctx);
    if (st == ATTN_OK)
        for (int32_t i = 0; i < n; i++) require(ids[i] >= 0 && ids[i] < size, "tokenize gave an id out of range", ctx);
    int32_t lens[2] = {0, max_len > 0 && max_len < 8 ? max_len : 8};
    for (int k = 0; k < 2; k++) {
        st = attn_tokenizer_encode(tok, text, pair, lens[k], ids, types, 256, &m);
        require(encode_ok(st), "encode failed with an unexpected status", ctx);
        if (st != ATTN_OK) continue;
        if (lens[k] > 0) require(m <= lens[k], "a truncated sequence is longer than max_len", ctx);
        for (int32_t i = 0; i < m && i < 256; i++) require(ids[i] >= 0 && ids[i] < size, "encode gave an id out of range", ctx);
    }
    const char *tx[2] = {text, "a"}, *px[2] = {pair, NULL};
    st = attn_tokenizer_encode_batch(tok, batch, tx, px, 2, lens[1], 0);
    require(encode_ok(st), "encode_batch failed with an unexpected status", ctx);
    if (st == ATTN_OK) {
        attn_tensor *mask = attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK);
        require(attn_tensor_dim(mask, 0) == 2 && attn_tensor_dim(mask, 1) <= lens[1], "batch of the wrong shape", ctx);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) abort();
    attn_ctx_set_int(ctx, ATTN_OPT_MEMORY_LIMIT, 64 << 20);
    attn_batch *batch = NULL;
    require(attn_batch_create(ctx, &batch) == ATTN_OK, "batch", ctx);

    /* the input as a tokenizer.json */
    attn_tokenizer *tok = (attn_tokenizer *)&tok;
    attn_status st = attn_tokenizer_load_json_buffer(ctx, (const char *)data, size, &tok);
    require((st == ATTN_OK) == (tok != NULL), "load status and handle disagree", ctx);
    if (st != ATTN_OK) {
        require(st > ATTN_OK && st <= ATTN_ERR_OVERFLOW, "load failed with an unknown status", ctx);
        require(attn_ctx_last_error(ctx)[0] != '\0', "load failed without a message", ctx);
    } else {
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) exercise(ctx, tok, batch, texts[i], i % 2 ? texts[0] : NULL);
        attn_tokenizer_destroy(tok);
    }

    /* the input as a text (and a pair after the first TAB); the first
     * 2 KB are enough to reach every path and keep the runs fast */
    size_t text_size = size < 2048 ? size : 2048;
    char *text = malloc(text_size + 1);
    if (text) {
        memcpy(text, data, text_size);
        text[text_size] = '\0';
        char *tab = memchr(text, '\t', text_size);
        if (tab) *tab = '\0';
        tok = NULL;
        require(attn_tokenizer_load_json_buffer(ctx, fixed_json, sizeof fixed_json - 1, &tok) == ATTN_OK,
                "the fixed tokenizer.json does not load", ctx);
        exercise(ctx, tok, batch, text, tab ? tab + 1 : NULL);
        attn_tokenizer_destroy(tok);
        free(text);
    }
    attn_batch_destroy(batch);
    int64_t in_use = -1;
    attn_ctx_get_int(ctx, ATTN_INFO_BYTES_IN_USE, &in_use);
    require(in_use == 0, "bytes still counted on the context after everything was freed", ctx);
    attn_ctx_destroy(ctx);
    return 0;
}
