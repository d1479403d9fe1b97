/* The model and texts of attn embed, rerank and similarity (text_model.h). */
#include "text_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "model_files.h"
#include "text_input.h"

int text_model_load(const char *cmd, attn_ctx *ctx, const char *path, const char *config, const char *vocab,
                    attn_model **model)
{
    char config_used[4096];
    attn_tokenizer *tok;
    int owned;
    if (model_files_load(cmd, ctx, path, config, config_used, sizeof config_used, model)) return 0;
    if (model_files_tokenizer(cmd, ctx, *model, vocab, 0, &tok, &owned)) return 0;
    if (owned) attn_model_set_tokenizer(*model, tok); /* the model owns it from here */
    return 1;
}

void text_model_describe(FILE *f, attn_model *m)
{
    static const char *poolings[] = {"BERT's pooler (tanh dense on [CLS])", "cls", "mean", "max",
                                     "mean_sqrt_len_tokens", "weightedmean", "lasttoken"};
    const attn_bert_config *c = attn_model_config(m);
    int64_t pooling = 0, normalize = 0, max_len = 0;
    attn_model_get_int(m, ATTN_MODEL_OPT_POOLING, &pooling);
    attn_model_get_int(m, ATTN_MODEL_OPT_NORMALIZE, &normalize);
    attn_model_get_int(m, ATTN_MODEL_OPT_MAX_LENGTH, &max_len);
    int64_t params = attn_bert_config_param_count(c);
    fprintf(f, "model: BERT, %d layers, hidden %d, %d heads, feed-forward %d, %lld parameters (%.1f MB)\n",
            (int)c->num_layers, (int)c->hidden_size, (int)c->num_heads, (int)c->intermediate_size, (long long)params,
            (double)params * 4.0 / 1e6);
    fprintf(f, "head: %s; pooling: %s\n", c->num_labels ? "sequence classifier" : "none (encoder only)",
            pooling >= 0 && pooling < 7 ? poolings[pooling] : "?");
    if (c->num_labels) fprintf(f, "labels: %d\n", (int)c->num_labels);
    attn_tokenizer *tok = attn_model_tokenizer(m);
    if (tok) fprintf(f, "tokenizer: %d entries\n", (int)attn_tokenizer_vocab_size(tok));
    fprintf(f, "embeddings: %lld floats, %s, texts cut at %lld tokens\n", (long long)attn_model_embedding_dim(m),
            normalize ? "L2-normalised" : "not normalised", (long long)max_len);
    const char *notes = attn_model_load_notes(m);
    for (const char *line = notes; *line;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        fprintf(f, "note: %.*s\n", len, line);
        line += len + (end != NULL);
    }
}

int text_model_open(const char *cmd, cli_opt *opts, int n, attn_ctx **ctx, attn_model **model)
{
    *ctx = NULL;
    *model = NULL;
    const char *path = cli_value(opts, n, "--model");
    if (!path) {
        fprintf(stderr, "attn %s: --model is required (a model folder, or weights with --vocab)\n", cmd);
        return 0;
    }
    long max_len = 0, batch = 32;
    if (cli_value(opts, n, "--max-len") && !cli_long_in(cmd, opts, n, "--max-len", 2, 1 << 20, &max_len)) return 0;
    if (cli_value(opts, n, "--batch-size") && !cli_long_in(cmd, opts, n, "--batch-size", 1, 65536, &batch)) return 0;
    if (!cli_ctx_opts(cmd, opts, n, ctx)) return 0;
    if (!text_model_load(cmd, *ctx, path, cli_value(opts, n, "--config"), cli_value(opts, n, "--vocab"), model))
        return 0;
    /* without --max-len the folder's own setting stays (max_seq_length) */
    if (max_len && model_files_max_len(cmd, *model, 1, &max_len)) return 0;
    if ((max_len && attn_model_set_int(*model, ATTN_MODEL_OPT_MAX_LENGTH, max_len) != ATTN_OK) ||
        attn_model_set_int(*model, ATTN_MODEL_OPT_BATCH_SIZE, batch) != ATTN_OK ||
        attn_model_set_int(*model, ATTN_MODEL_OPT_INFERENCE_ONLY, 1) != ATTN_OK)
        return !cli_fail(cmd, *ctx, "model options");
    return 1;
}

int text_list_read(const char *cmd, const char *const *files, text_list *out)
{
    memset(out, 0, sizeof *out);
    text_input in;
    text_input_init(&in, files);
    int r;
    while ((r = text_input_next(&in, cmd)) > 0) {
        if (text_input_blank(in.line)) continue;
        if (out->count == out->cap) {
            int32_t cap = out->cap ? out->cap * 2 : 256;
            char **grown = realloc(out->texts, (size_t)cap * sizeof *grown);
            if (!grown) break;
            out->texts = grown;
            out->cap = cap;
        }
        if (!(out->texts[out->count] = strdup(in.line))) break;
        out->count++;
    }
    text_input_warn(&in, cmd);
    text_input_free(&in);
    if (r > 0) fprintf(stderr, "attn %s: out of memory reading the texts\n", cmd);
    return r == 0;
}

void text_list_free(text_list *l)
{
    for (int32_t i = 0; i < l->count; i++) free(l->texts[i]);
    free(l->texts);
    memset(l, 0, sizeof *l);
}
