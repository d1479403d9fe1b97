/* attn tokenize --out: every stdin line (or TEXT<TAB>PAIR) into one padded
 * batch, written as the int64 safetensors input `attn forward` reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "text_input.h"

/* Copies an int32 tensor into a new int64 one (Hugging Face's index dtype). */
static attn_status widen(attn_ctx *ctx, attn_tensor *src, attn_tensor **out)
{
    int64_t shape[2] = {attn_tensor_dim(src, 0), attn_tensor_dim(src, 1)};
    attn_status st = attn_tensor_create(ctx, ATTN_I64, 2, shape, out);
    size_t n = (size_t)attn_tensor_numel(src);
    int64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (st == ATTN_OK && !tmp) st = ATTN_ERR_NOMEM;
    if (st == ATTN_OK) st = attn_tensor_read(src, ATTN_I64, tmp, n * sizeof *tmp);
    if (st == ATTN_OK) st = attn_tensor_write(*out, ATTN_I64, tmp, n * sizeof *tmp);
    free(tmp);
    return st;
}

int attn_cmd_tokenize_to_file(attn_ctx *ctx, attn_tokenizer *tok, int pair, int32_t max_len, const char *path)
{
    char **texts = NULL, **pairs = NULL;
    size_t cap = 0;
    int32_t n = 0;
    int rc = 1, got;
    text_input in;
    text_input_init(&in, NULL);
    attn_batch *batch = NULL;
    attn_tensor *wide[3] = {NULL, NULL, NULL};
    attn_safetensors_writer *w = NULL;
    while ((got = text_input_next(&in, "tokenize")) > 0) {
        char *line = in.line;
        if (n == INT32_MAX) {
            fprintf(stderr, "attn tokenize: more than %d lines\n", INT32_MAX);
            goto done;
        }
        if ((size_t)n == cap) {
            cap = cap ? 2 * cap : 64;
            char **t = realloc(texts, cap * sizeof *t), **p = realloc(pairs, cap * sizeof *p);
            if (t) texts = t;
            if (p) pairs = p;
            if (!t || !p) goto oom;
        }
        char *tab = pair ? strchr(line, '\t') : NULL;
        if (pair && !tab) {
            fprintf(stderr, "attn tokenize: line %ld has no TAB between the text and its pair (--pair)\n", in.line_no);
            goto done;
        }
        if (tab) *tab = '\0';
        texts[n] = strdup(line);
        pairs[n] = tab ? strdup(tab + 1) : NULL;
        if (!texts[n++] || (tab && !pairs[n - 1])) goto oom;
    }
    if (got < 0) goto done;
    text_input_warn(&in, "tokenize");
    const char *names[3] = {"input_ids", "token_type_ids", "attention_mask"};
    if (attn_batch_create(ctx, &batch) != ATTN_OK ||
        attn_tokenizer_encode_batch(tok, batch, (const char *const *)texts, pair ? (const char *const *)pairs : NULL, n,
                                    max_len, 0) != ATTN_OK ||
        attn_safetensors_writer_create(ctx, &w) != ATTN_OK) {
        fprintf(stderr, "attn tokenize: %s\n", attn_ctx_last_error(ctx));
        goto done;
    }
    for (int f = 0; f < 3; f++)
        if (widen(ctx, attn_batch_tensor(batch, (attn_batch_field)f), &wide[f]) != ATTN_OK ||
            attn_safetensors_writer_add(w, names[f], wide[f]) != ATTN_OK) {
            fprintf(stderr, "attn tokenize: %s\n", attn_ctx_last_error(ctx));
            goto done;
        }
    if (attn_safetensors_writer_save(w, path) != ATTN_OK) {
        fprintf(stderr, "attn tokenize: %s\n", attn_ctx_last_error(ctx));
        goto done;
    }
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "attn tokenize: out of memory\n");
done:
    for (int32_t i = 0; i < n; i++) {
        free(texts[i]);
        free(pairs[i]);
    }
    free(texts);
    free(pairs);
    text_input_free(&in);
    for (int f = 0; f < 3; f++) attn_tensor_destroy(wide[f]);
    attn_safetensors_writer_destroy(w);
    attn_batch_destroy(batch);
    return rc;
}
