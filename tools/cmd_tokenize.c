/* attn tokenize: UTF-8 lines on stdin to BERT model input on stdout, one
 * JSON object per line ({"tokens", "input_ids", "token_type_ids"}, with
 * [CLS]/[SEP], no padding, no truncation). With --pair a line holds two
 * texts separated by the first TAB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "cli.h"
#include "commands.h"
#include "text_input.h"

static void put_ids(FILE *out, const int32_t *v, int32_t n)
{
    fputc('[', out);
    for (int32_t i = 0; i < n; i++) fprintf(out, i ? ", %d" : "%d", (int)v[i]);
    fputc(']', out);
}

typedef struct {
    int32_t *ids, *types;
    int32_t cap;
} buffers;

/* Encodes text (+ pair) into b, growing it when the sequence is longer. */
static attn_status encode(attn_tokenizer *tok, const char *text, const char *pair, buffers *b, int32_t *n)
{
    for (;;) {
        attn_status st = attn_tokenizer_encode(tok, text, pair, 0, b->ids, b->types, b->cap, n);
        if (st != ATTN_ERR_LIMIT || *n <= b->cap) return st;
        int32_t *ids = realloc(b->ids, (size_t)*n * sizeof *ids);
        if (ids) b->ids = ids;
        int32_t *types = realloc(b->types, (size_t)*n * sizeof *types);
        if (types) b->types = types;
        if (!ids || !types) return ATTN_ERR_NOMEM;
        b->cap = *n;
    }
}

int attn_cmd_tokenize(int argc, char **argv)
{
    const char *cmd = "tokenize";
    cli_opt opts[] = {
        {"--vocab", "VOCAB.txt", "WordPiece vocab, one token per line (id = line number)", NULL, 0},
        {"--cased", NULL, "keep case and accents (default: lowercase and strip accents)", NULL, 0},
        {"--pair", NULL, "each line is TEXT<TAB>PAIR, encoded as [CLS] TEXT [SEP] PAIR [SEP]", NULL, 0},
        {"--out", "FILE", "instead of JSON lines, write one padded batch as safetensors (int64 input_ids, "
                          "token_type_ids, attention_mask [B, T]: the input of attn forward)", NULL, 0},
        {"--max-len", "N", "with --out: truncate each sequence to N ids (0 = no limit)", "0", 0},
        CLI_OPT_MEMORY_LIMIT,
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd,
                       "--vocab VOCAB.txt [--cased] [--pair] [--out FILE [--max-len N]]\n"
                       "  Reads UTF-8 lines from stdin and writes one JSON object per line:\n"
                       "  {\"tokens\": [...], \"input_ids\": [...], \"token_type_ids\": [...]}",
                       argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--vocab"};
    if (!cli_require(cmd, opts, n, req, 1)) return 2;
    long max_len;
    if (!cli_long_in(cmd, opts, n, "--max-len", 0, INT32_MAX, &max_len)) return 2;
    const char *vocab = cli_value(opts, n, "--vocab"), *out = cli_value(opts, n, "--out");
    int cased = cli_present(opts, n, "--cased"), pair = cli_present(opts, n, "--pair");

    attn_ctx *ctx;
    if (!cli_ctx_opts(cmd, opts, n, &ctx)) return 1;
    attn_tokenizer *tok = NULL;
    if (attn_tokenizer_load(ctx, vocab, cased ? 0 : ATTN_TOKENIZER_LOWERCASE, &tok) != ATTN_OK) {
        cli_fail(cmd, ctx, "--vocab");
        attn_ctx_destroy(ctx);
        return 1;
    }

    if (out) {
        rc = attn_cmd_tokenize_to_file(ctx, tok, pair, (int32_t)max_len, out);
        attn_tokenizer_destroy(tok);
        attn_ctx_destroy(ctx);
        return rc;
    }
    rc = 0;
    buffers b = {malloc(256 * sizeof(int32_t)), malloc(256 * sizeof(int32_t)), 256};
    text_input in;
    text_input_init(&in, NULL);
    int got;
    if (!b.ids || !b.types) {
        fprintf(stderr, "attn tokenize: out of memory\n");
        rc = 1;
    }
    while (rc == 0 && (got = text_input_next(&in, cmd)) != 0) {
        if (got < 0) {
            rc = 1;
            break;
        }
        char *line = in.line;
        long line_no = in.line_no;
        const char *second = NULL;
        if (pair) {
            char *tab = strchr(line, '\t');
            if (!tab) {
                fprintf(stderr, "attn tokenize: line %ld has no TAB between the text and its pair (--pair)\n",
                        line_no);
                rc = 1;
                break;
            }
            *tab = '\0';
            second = tab + 1;
        }
        int32_t n = 0;
        attn_status st = encode(tok, line, second, &b, &n);
        if (st != ATTN_OK) {
            fprintf(stderr, "attn tokenize: line %ld: %s\n", line_no,
                    st == ATTN_ERR_NOMEM ? "out of memory" : attn_ctx_last_error(ctx));
            rc = 1;
            break;
        }
        fputs("{\"tokens\": [", stdout);
        for (int32_t i = 0; i < n; i++) {
            if (i) fputs(", ", stdout);
            cli_json_string(stdout, attn_tokenizer_id_to_token(tok, b.ids[i]));
        }
        fputs("], \"input_ids\": ", stdout);
        put_ids(stdout, b.ids, n);
        fputs(", \"token_type_ids\": ", stdout);
        put_ids(stdout, b.types, n);
        fputs("}\n", stdout);
    }
    text_input_warn(&in, cmd);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == 0) fprintf(stderr, "attn tokenize: error writing stdout\n");
        rc = 1;
    }
    text_input_free(&in);
    free(b.ids);
    free(b.types);
    attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
    return rc;
}
