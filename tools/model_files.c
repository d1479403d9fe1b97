/* Finding and loading a trained model (see model_files.h). */
#include "model_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"

/* A folder with a tokenizer is a Hugging Face / sentence-transformers one. */
static int has_tokenizer(const char *dir)
{
    static const char *names[] = {"tokenizer.json", "vocab.txt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[4096];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) return 1;
    }
    return 0;
}

int model_files_load(const char *cmd, attn_ctx *ctx, const char *model, const char *config, char *config_out,
                     size_t size, attn_model **out)
{
    char weights[4096];
    struct stat sb;
    *out = NULL;
    if (!config && stat(model, &sb) == 0 && S_ISDIR(sb.st_mode) && has_tokenizer(model)) {
        /* the whole folder: config, weights, tokenizer, sentence-transformers modules */
        snprintf(config_out, size, "%s/config.json", model);
        if (attn_model_load_dir(ctx, model, NULL, out) != ATTN_OK) return cli_fail(cmd, ctx, "--model");
        return 0;
    }
    if (stat(model, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(weights, sizeof weights, "%s/model.safetensors", model);
        if (stat(weights, &sb) != 0) {
            fprintf(stderr, "attn %s: --model %s is a folder without model.safetensors (attn train writes one)\n", cmd,
                    model);
            return 1;
        }
    } else {
        snprintf(weights, sizeof weights, "%s", model);
    }
    cli_config_path(config, weights, config_out, size);
    if (cli_check_weights(cmd, "--model", weights) || cli_check_config(cmd, "--config", config_out)) return 1;
    if (attn_bert_load(ctx, weights, config_out, out) != ATTN_OK) return cli_fail(cmd, ctx, "--model");
    return 0;
}

int model_files_tokenizer(const char *cmd, attn_ctx *ctx, attn_model *model, const char *vocab_given, int cased,
                          attn_tokenizer **tok, int *owned)
{
    *tok = attn_model_tokenizer(model);
    *owned = 0;
    if (*tok) return 0;
    const char *vocab = attn_cmd_find_vocab(vocab_given);
    if (!vocab) {
        fprintf(stderr, "attn %s: no vocabulary found; pass --vocab VOCAB.txt\n", cmd);
        return 1;
    }
    if (attn_tokenizer_load(ctx, vocab, cased ? 0 : ATTN_TOKENIZER_LOWERCASE, tok) != ATTN_OK)
        return cli_fail(cmd, ctx, "--vocab");
    *owned = 1;
    return 0;
}

int model_files_max_len(const char *cmd, const attn_model *model, int given, long *max_len)
{
    int32_t limit = attn_model_config(model)->max_position_embeddings;
    if (!given) *max_len = 128 < limit ? 128 : limit;
    if (*max_len > limit) {
        fprintf(stderr, "attn %s: --max-len %ld exceeds the model's max_position_embeddings %d\n", cmd, *max_len, (int)limit);
        return 1;
    }
    return 0;
}

char (*model_files_labels(const char *cmd, attn_ctx *ctx, const attn_model *model, const char *config))[MODEL_LABEL_BYTES]
{
    int32_t k = attn_model_config(model)->num_labels;
    if (k < 1 || k > MODEL_MAX_LABELS) {
        fprintf(stderr, "attn %s: the model has %d labels (it needs a classifier head of 1 to %d)\n", cmd, (int)k,
                MODEL_MAX_LABELS);
        return NULL;
    }
    char(*names)[MODEL_LABEL_BYTES] = calloc((size_t)k, sizeof *names);
    if (!names) {
        fprintf(stderr, "attn %s: out of memory\n", cmd);
        return NULL;
    }
    for (int32_t c = 0; c < k; c++)
        if (attn_bert_config_label(ctx, config, c, names[c], sizeof names[c]) != ATTN_OK)
            snprintf(names[c], sizeof names[c], "LABEL_%d", (int)c);
    return names;
}

static const char *tokenizer_files[] = {"tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
                                        "sentence_bert_config.json"};

int model_files_copy_tokenizer(const char *cmd, const char *from, const char *dir)
{
    for (size_t i = 0; i < sizeof tokenizer_files / sizeof tokenizer_files[0]; i++) {
        char src[4096], dst[4096], tmp[4200];
        struct stat sb;
        snprintf(src, sizeof src, "%s/%s", from, tokenizer_files[i]);
        if (stat(src, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        snprintf(dst, sizeof dst, "%s/%s", dir, tokenizer_files[i]);
        snprintf(tmp, sizeof tmp, "%s.tmp", dst);
        FILE *in = fopen(src, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
        char buf[65536];
        size_t got;
        int ok = in && out;
        while (ok && (got = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, got, out) == got;
        ok = ok && !ferror(in);
        if (in) fclose(in);
        if (out && fclose(out) != 0) ok = 0;
        /* renamed into place, so a folder never holds half a tokenizer */
        if (!ok || rename(tmp, dst) != 0) {
            fprintf(stderr, "attn %s: cannot copy %s into %s\n", cmd, src, dir);
            remove(tmp);
            return 1;
        }
    }
    return 0;
}
