/* The attn command-line tool: one function per subcommand, each in its own
 * file (cmd_<name>.c). Each returns the process exit code and reports errors
 * as one line on stderr. */
#ifndef ATTN_TOOLS_COMMANDS_H
#define ATTN_TOOLS_COMMANDS_H

#include "attn.h"

int attn_cmd_info(int argc, char **argv);
int attn_cmd_tokenize(int argc, char **argv);
/* attn tokenize --out: stdin lines to one padded int64 batch in safetensors. */
int attn_cmd_tokenize_to_file(attn_ctx *ctx, attn_tokenizer *tok, int pair, int32_t max_len, const char *path);
int attn_cmd_forward(int argc, char **argv);
int attn_cmd_train_step(int argc, char **argv);
int attn_cmd_train(int argc, char **argv);
int attn_cmd_predict(int argc, char **argv);
int attn_cmd_eval(int argc, char **argv);
int attn_cmd_embed(int argc, char **argv);
int attn_cmd_rerank(int argc, char **argv);
int attn_cmd_similarity(int argc, char **argv);
int attn_cmd_bench(int argc, char **argv);
/* The WordPiece vocabulary to use: given, $ATTN_VOCAB, installed, or the source tree's. */
const char *attn_cmd_find_vocab(const char *given);
/* Loads input_ids (+ optional token_type_ids, attention_mask, labels) from a
 * safetensors file; 0 on success, else prints the error and returns 1. */
int attn_cmd_load_batch(const char *cmd, attn_ctx *ctx, const char *path, attn_tensor **ids, attn_tensor **types,
                        attn_tensor **mask, attn_tensor **labels);

#endif
