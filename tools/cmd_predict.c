/* attn predict and attn embed: read texts on stdin, one per line, and print
 * a label with probabilities, or a sentence embedding, per line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

#define BATCH 32
#define MAX_LABELS 256

typedef struct session {
    attn_ctx *ctx;
    attn_tokenizer *tok;
    attn_model *model;
    attn_batch *batch;
    char config[4096];
    char *lines[BATCH];
    size_t caps[BATCH];
} session;

static int open_session(const char *cmd, session *s, cli_opt *opts, int n)
{
    memset(s, 0, sizeof *s);
    const char *model = cli_get(opts, n, "--model")->value, *config = cli_get(opts, n, "--config")->value;
    cli_config_path(config, model, s->config, sizeof s->config);
    const char *vocab = attn_cmd_find_vocab(cli_get(opts, n, "--vocab")->value);
    if (!vocab) {
        fprintf(stderr, "attn %s: no vocabulary found; pass --vocab VOCAB.txt\n", cmd);
        return 0;
    }
    if (!cli_ctx(cmd, cli_get(opts, n, "--threads"), &s->ctx)) return 0;
    uint32_t flags = cli_get(opts, n, "--cased")->present ? 0 : ATTN_TOKENIZER_LOWERCASE;
    if (attn_tokenizer_load(s->ctx, vocab, flags, &s->tok) != ATTN_OK) return !cli_fail(cmd, s->ctx, "--vocab");
    if (attn_bert_load(s->ctx, model, s->config, &s->model) != ATTN_OK) return !cli_fail(cmd, s->ctx, "--model");
    /* predict and embed never train: the blocks may share their work memory */
    if (attn_model_set_int(s->model, ATTN_MODEL_OPT_INFERENCE_ONLY, 1) != ATTN_OK)
        return !cli_fail(cmd, s->ctx, "inference mode");
    if (attn_batch_create(s->ctx, &s->batch) != ATTN_OK) return !cli_fail(cmd, s->ctx, "batch");
    return 1;
}

static void close_session(session *s)
{
    for (int i = 0; i < BATCH; i++) free(s->lines[i]);
    attn_batch_destroy(s->batch);
    attn_model_destroy(s->model);
    attn_tokenizer_destroy(s->tok);
    attn_ctx_destroy(s->ctx);
}

/* Reads up to BATCH lines (newline removed); returns the count. */
static int read_lines(session *s)
{
    int count = 0;
    while (count < BATCH) {
        ssize_t len = getline(&s->lines[count], &s->caps[count], stdin);
        if (len < 0) break;
        while (len > 0 && (s->lines[count][len - 1] == '\n' || s->lines[count][len - 1] == '\r')) s->lines[count][--len] = '\0';
        count++;
    }
    return count;
}

static int run_batch(const char *cmd, session *s, int count, long max_len)
{
    if (attn_tokenizer_encode_batch(s->tok, s->batch, (const char *const *)s->lines, NULL, count, (int32_t)max_len, 0) != ATTN_OK ||
        attn_model_forward(s->model, attn_batch_tensor(s->batch, ATTN_BATCH_INPUT_IDS),
                           attn_batch_tensor(s->batch, ATTN_BATCH_TOKEN_TYPE_IDS),
                           attn_batch_tensor(s->batch, ATTN_BATCH_ATTENTION_MASK)) != ATTN_OK)
        return cli_fail(cmd, s->ctx, "forward");
    return 0;
}

static void json_string(const char *str)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if (*p < 0x20) printf("\\u%04x", *p);
        else putchar(*p);
    }
    putchar('"');
}

static cli_opt common_opts[] = {
    {"--model", "CKPT", "model weights (safetensors, Hugging Face names)", NULL, 0},
    {"--vocab", "VOCAB.txt", "WordPiece vocabulary (default: bert-base-uncased)", NULL, 0},
    {"--config", "config.json", "model config (default: config.json beside CKPT)", NULL, 0},
    {"--max-len", "N", "tokens per text, [CLS] and [SEP] included", "128", 0},
    {"--threads", "N", "compute threads", "1", 0},
    {"--cased", NULL, "do not lowercase (cased vocabularies)", NULL, 0},
    {"--json", NULL, "one JSON object per line", NULL, 0},
    {"--pooling", "cls|mean", "embed: [CLS] hidden state or mean of the tokens", "cls", 0},
};

int attn_cmd_predict(int argc, char **argv)
{
    const char *cmd = "predict";
    cli_opt opts[sizeof common_opts / sizeof common_opts[0] - 1];
    int n = sizeof opts / sizeof opts[0];
    memcpy(opts, common_opts, sizeof opts);
    int rc = cli_parse(cmd, "--model CKPT [--vocab VOCAB] < texts", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model"};
    long max_len;
    if (!cli_require(cmd, opts, n, req, 1) || !cli_long(cmd, cli_get(opts, n, "--max-len"), &max_len)) return 2;
    session s;
    rc = 1;
    if (!open_session(cmd, &s, opts, n)) goto done;
    const attn_bert_config *cfg = attn_model_config(s.model);
    int32_t k = cfg->num_labels;
    if (k < 1 || k > MAX_LABELS) {
        fprintf(stderr, "attn %s: the model has %d labels (needs a classifier head)\n", cmd, k);
        goto done;
    }
    char names[MAX_LABELS][64];
    for (int32_t c = 0; c < k; c++)
        if (attn_bert_config_label(s.ctx, s.config, c, names[c], sizeof names[c]) != ATTN_OK)
            snprintf(names[c], sizeof names[c], "LABEL_%d", (int)c);
    int json = cli_get(opts, n, "--json")->present;
    for (int count; (count = read_lines(&s)) > 0;) {
        if (run_batch(cmd, &s, count, max_len)) goto done;
        const float *logits = attn_tensor_data_f32(attn_model_output(s.model, ATTN_OUT_LOGITS));
        for (int b = 0; b < count; b++) {
            const float *z = logits + (int64_t)b * k;
            double p[MAX_LABELS], mx = z[0], sum = 0.0;
            int32_t best = 0;
            for (int32_t c = 1; c < k; c++)
                if (z[c] > mx) mx = z[c], best = c;
            for (int32_t c = 0; c < k; c++) sum += p[c] = cfg->problem_type == ATTN_PROBLEM_SINGLE_LABEL ? exp(z[c] - mx)
                                                                                                         : 1.0 / (1.0 + exp(-z[c]));
            if (cfg->problem_type == ATTN_PROBLEM_SINGLE_LABEL)
                for (int32_t c = 0; c < k; c++) p[c] /= sum;
            if (json) {
                printf("{\"label\": ");
                json_string(names[best]);
                printf(", \"probabilities\": {");
                for (int32_t c = 0; c < k; c++) {
                    printf(c ? ", " : "");
                    json_string(names[c]);
                    printf(": %.4f", p[c]);
                }
                printf("}}\n");
            } else {
                printf("%s\t%.3f\t", names[best], p[best]);
                for (int32_t c = 0; c < k; c++) printf("%s%s=%.3f", c ? " " : "", names[c], p[c]);
                printf("\n");
            }
        }
        fflush(stdout);
    }
    rc = 0;
done:
    close_session(&s);
    return rc;
}

int attn_cmd_embed(int argc, char **argv)
{
    const char *cmd = "embed";
    cli_opt opts[sizeof common_opts / sizeof common_opts[0]];
    int n = sizeof opts / sizeof opts[0];
    memcpy(opts, common_opts, sizeof opts);
    int rc = cli_parse(cmd, "--model CKPT [--vocab VOCAB] [--pooling cls|mean] < texts", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model"};
    long max_len;
    if (!cli_require(cmd, opts, n, req, 1) || !cli_long(cmd, cli_get(opts, n, "--max-len"), &max_len)) return 2;
    const char *pooling = cli_get(opts, n, "--pooling")->value;
    int mean = strcmp(pooling, "mean") == 0;
    if (!mean && strcmp(pooling, "cls") != 0) {
        fprintf(stderr, "attn %s: --pooling must be cls or mean\n", cmd);
        return 2;
    }
    session s;
    rc = 1;
    if (!open_session(cmd, &s, opts, n)) goto done;
    int json = cli_get(opts, n, "--json")->present;
    for (int count; (count = read_lines(&s)) > 0;) {
        if (run_batch(cmd, &s, count, max_len)) goto done;
        attn_tensor *hidden = attn_model_output(s.model, ATTN_OUT_LAST_HIDDEN);
        const float *h = attn_tensor_data_f32(hidden);
        const int32_t *mask = attn_tensor_data(attn_batch_tensor(s.batch, ATTN_BATCH_ATTENTION_MASK));
        int64_t T = attn_tensor_dim(hidden, 1), H = attn_tensor_dim(hidden, 2);
        for (int b = 0; b < count; b++) {
            int64_t real = 0;
            for (int64_t t = 0; t < T; t++) real += mask[b * T + t];
            printf(json ? "{\"embedding\": [" : "");
            for (int64_t j = 0; j < H; j++) {
                double v = h[(b * T) * H + j];
                if (mean) {
                    v = 0.0;
                    for (int64_t t = 0; t < T; t++)
                        if (mask[b * T + t]) v += h[(b * T + t) * H + j];
                    v /= (double)(real ? real : 1);
                }
                printf(json ? (j ? ", %.6g" : "%.6g") : (j ? " %.6g" : "%.6g"), v);
            }
            printf(json ? "]}\n" : "\n");
        }
        fflush(stdout);
    }
    rc = 0;
done:
    close_session(&s);
    return rc;
}
