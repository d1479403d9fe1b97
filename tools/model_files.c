/* Finding and loading a trained model (see model_files.h). */
#include "model_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"

int model_files_load(const char *cmd, attn_ctx *ctx, const char *model, const char *config, char *config_out,
                     size_t size, attn_model **out)
{
    char weights[4096];
    struct stat sb;
    *out = NULL;
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
