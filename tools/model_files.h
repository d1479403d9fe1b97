/* Finding and loading a trained model for predict, embed and eval:
 * --model names the weights file, the folder attn train wrote
 * (DIR/model.safetensors + DIR/config.json), or a Hugging Face /
 * sentence-transformers folder with its tokenizer (attn_model_load_dir);
 * --config overrides the config. */
#ifndef ATTN_TOOLS_MODEL_FILES_H
#define ATTN_TOOLS_MODEL_FILES_H

#include <stddef.h>

#include "attn.h"

#define MODEL_MAX_LABELS 4096
#define MODEL_LABEL_BYTES 64

/* Loads the model named by model (file or folder) and config (NULL: beside
 * it); the config path used is left in config_out. Files of the wrong kind
 * are named for what they are. Prints the error and returns 1 on failure. */
int model_files_load(const char *cmd, attn_ctx *ctx, const char *model, const char *config, char *config_out,
                     size_t size, attn_model **out);
/* The tokens per text for a model: *max_len as given (given = 1), refused
 * with a message (1) beyond the model's max_position_embeddings; or (given
 * = 0) 128 capped at it. */
int model_files_max_len(const char *cmd, const attn_model *model, int given, long *max_len);
/* The tokenizer for model: its own (a model folder's, borrowed: *owned = 0),
 * else the vocabulary given or the default (*owned = 1: the caller destroys
 * it). Prints the error and returns 1 on failure. */
int model_files_tokenizer(const char *cmd, attn_ctx *ctx, attn_model *model, const char *vocab_given, int cased,
                          attn_tokenizer **tok, int *owned);
/* The label names of the model's head (id2label of the config, else
 * "LABEL_i"): num_labels rows of MODEL_LABEL_BYTES, freed with free(). NULL
 * with a message when the model has no head or too many labels. */
char (*model_files_labels(const char *cmd, attn_ctx *ctx, const attn_model *model, const char *config))[MODEL_LABEL_BYTES];
/* Copies the tokenizer files of a model folder (tokenizer.json, vocab.txt,
 * tokenizer_config.json, special_tokens_map.json, sentence_bert_config.json,
 * those that exist) into dir, so that dir is a complete model folder.
 * Prints the error and returns 1 on failure. */
int model_files_copy_tokenizer(const char *cmd, const char *from, const char *dir);

#endif
