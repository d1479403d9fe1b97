/* The model and texts of attn embed, rerank and similarity: a model folder
 * (Hugging Face / sentence-transformers: tokenizer and settings inside), or
 * a checkpoint with --vocab, and every non-blank input line in memory. */
#ifndef ATTN_TOOLS_TEXT_MODEL_H
#define ATTN_TOOLS_TEXT_MODEL_H

#include <stdio.h>

#include "attn.h"
#include "cli.h"

/* The options these commands share; text_model_open reads them. */
#define TEXT_MODEL_OPTS                                                                                           \
    {"--model", "DIR|CKPT", "a model folder (Hugging Face / sentence-transformers), or weights with --vocab", NULL, 0}, \
    {"--vocab", "VOCAB.txt", "with weights: the WordPiece vocabulary (default: bert-base-uncased)", NULL, 0},   \
    {"--config", "config.json", "with weights: the config (default: config.json beside them)", NULL, 0},        \
    {"--max-len", "N", "tokens per text, specials included (default: the folder's max_seq_length)", NULL, 0},     \
    {"--batch-size", "N", "texts per forward pass (default 32)", NULL, 0},                                       \
    CLI_OPT_THREADS, CLI_OPT_MEMORY_LIMIT

/* Opens the context and the model with its tokenizer, and applies
 * --max-len and --batch-size. Prints the error and returns 0 on failure. */
int text_model_open(const char *cmd, cli_opt *opts, int n, attn_ctx **ctx, attn_model **model);

/* Loads the model at path into ctx: a model folder with its tokenizer, or
 * weights (config: given or beside them) with the vocabulary (given or the
 * default). Prints the error and returns 0 on failure. */
int text_model_load(const char *cmd, attn_ctx *ctx, const char *path, const char *config, const char *vocab,
                    attn_model **model);
/* A few lines on the model: shape, parameters, pooling, head, tokenizer,
 * embedding settings, and the notes its loading left. */
void text_model_describe(FILE *f, attn_model *model);

/* Non-blank lines of the files (NULL-terminated; none: stdin). */
typedef struct text_list {
    char **texts;
    int32_t count, cap;
} text_list;
/* Reads every line; 1 on success, 0 after printing an error. */
int text_list_read(const char *cmd, const char *const *files, text_list *out);
void text_list_free(text_list *l);

#endif
