/* attn predict: read texts, one per line, and print a label with
 * probabilities per line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "model_files.h"
#include "text_input.h"

typedef struct session {
    attn_ctx *ctx;
    attn_tokenizer *tok;
    int tok_owned;
    attn_model *model;
    attn_batch *batch;
    char config[4096];
} session;

static int open_session(const char *cmd, session *s, cli_opt *opts, int n)
{
    memset(s, 0, sizeof *s);
    const char *model = cli_get(opts, n, "--model")->value, *config = cli_get(opts, n, "--config")->value;
    if (!cli_ctx_opts(cmd, opts, n, &s->ctx)) return 0;
    if (model_files_load(cmd, s->ctx, model, config, s->config, sizeof s->config, &s->model) ||
        model_files_tokenizer(cmd, s->ctx, s->model, cli_get(opts, n, "--vocab")->value,
                              cli_get(opts, n, "--cased")->present, &s->tok, &s->tok_owned))
        return 0;
    /* predict and embed never train: the blocks may share their work memory */
    if (attn_model_set_int(s->model, ATTN_MODEL_OPT_INFERENCE_ONLY, 1) != ATTN_OK)
        return !cli_fail(cmd, s->ctx, "inference mode");
    if (attn_batch_create(s->ctx, &s->batch) != ATTN_OK) return !cli_fail(cmd, s->ctx, "batch");
    return 1;
}

static void close_session(session *s)
{
    attn_batch_destroy(s->batch);
    if (s->tok_owned) attn_tokenizer_destroy(s->tok);
    attn_model_destroy(s->model);
    attn_ctx_destroy(s->ctx);
}

/* attn predict's input, a batch of non-empty lines and where each came from. */
typedef struct pending {
    int count, cap;
    char **texts;
    size_t *caps;
    const char **file;
    long *line_no;
} pending;

static int pending_init(pending *p, int cap)
{
    memset(p, 0, sizeof *p);
    p->cap = cap;
    p->texts = calloc((size_t)cap, sizeof *p->texts);
    p->caps = calloc((size_t)cap, sizeof *p->caps);
    p->file = calloc((size_t)cap, sizeof *p->file);
    p->line_no = calloc((size_t)cap, sizeof *p->line_no);
    return p->texts && p->caps && p->file && p->line_no;
}

static void pending_free(pending *p)
{
    for (int i = 0; p->texts && i < p->cap; i++) free(p->texts[i]);
    free(p->texts);
    free(p->caps);
    free(p->file);
    free(p->line_no);
}

/* Fills p with up to p->cap non-blank lines: 1 while more may follow, 0 at
 * the end, -1 on a read error (printed). */
static int pending_fill(pending *p, text_input *in, const char *cmd)
{
    p->count = 0;
    while (p->count < p->cap) {
        int got = text_input_next(in, cmd);
        if (got <= 0) return got;
        if (text_input_blank(in->line)) continue;
        int i = p->count;
        if (p->caps[i] < in->len + 1) {
            char *t = realloc(p->texts[i], in->len + 1);
            if (!t) {
                fprintf(stderr, "attn %s: out of memory\n", cmd);
                return -1;
            }
            p->texts[i] = t;
            p->caps[i] = in->len + 1;
        }
        memcpy(p->texts[i], in->line, in->len + 1);
        p->file[i] = in->name;
        p->line_no[i] = in->line_no;
        p->count++;
    }
    return 1;
}

/* Tokenizes and runs the batch. A line the tokenizer refuses is reported
 * with its file and line and left out (the lines around it are still
 * labelled), or with stop_on_bad ends the run after the lines before it:
 * then *stop is set and p keeps only those. */
static int predict_forward(const char *cmd, session *s, pending *p, long max_len, int stop_on_bad, int64_t *skipped,
                           int *stop)
{
    if (attn_tokenizer_encode_batch(s->tok, s->batch, (const char *const *)p->texts, NULL, p->count, (int32_t)max_len,
                                    0) != ATTN_OK) {
        int kept = 0;
        for (int i = 0; i < p->count && !*stop; i++) {
            int32_t len;
            if (attn_tokenizer_encode(s->tok, p->texts[i], NULL, (int32_t)max_len, NULL, NULL, 0, &len) != ATTN_OK) {
                fprintf(stderr, "attn %s: %s:%ld: %s%s\n", cmd, p->file[i], p->line_no[i], attn_ctx_last_error(s->ctx),
                        stop_on_bad ? " (stopping: --on-bad-line stop)" : " (line skipped)");
                *stop = stop_on_bad;
                *skipped += !stop_on_bad;
                continue;
            }
            /* swap, so that every buffer stays owned by exactly one slot */
            char *t = p->texts[kept];
            size_t c = p->caps[kept];
            p->texts[kept] = p->texts[i], p->caps[kept] = p->caps[i];
            p->texts[i] = t, p->caps[i] = c;
            p->file[kept] = p->file[i], p->line_no[kept] = p->line_no[i];
            kept++;
        }
        p->count = kept;
        if (kept == 0) return 0;
        if (attn_tokenizer_encode_batch(s->tok, s->batch, (const char *const *)p->texts, NULL, p->count,
                                        (int32_t)max_len, 0) != ATTN_OK)
            return cli_fail(cmd, s->ctx, "tokenizing");
    }
    if (attn_model_forward(s->model, attn_batch_tensor(s->batch, ATTN_BATCH_INPUT_IDS),
                           attn_batch_tensor(s->batch, ATTN_BATCH_TOKEN_TYPE_IDS),
                           attn_batch_tensor(s->batch, ATTN_BATCH_ATTENTION_MASK)) != ATTN_OK)
        return cli_fail(cmd, s->ctx, "forward");
    return 0;
}

/* One output line: the label (classes), the labels at or above 0.5
 * (multi-label) or the value (regression), then the probabilities. */
static void print_prediction(const float *z, int32_t k, int32_t problem, char (*names)[MODEL_LABEL_BYTES], int json,
                             const char *echo, double *p)
{
    if (problem == ATTN_PROBLEM_REGRESSION) {
        if (json) {
            printf("{\"value\": %.6g", (double)z[0]);
        } else {
            printf("%.6g", (double)z[0]);
        }
    } else {
        double mx = z[0], sum = 0.0;
        int32_t best = 0;
        for (int32_t c = 1; c < k; c++)
            if (z[c] > mx) mx = z[c], best = c;
        for (int32_t c = 0; c < k; c++)
            sum += p[c] = problem == ATTN_PROBLEM_SINGLE_LABEL ? exp(z[c] - mx) : 1.0 / (1.0 + exp(-z[c]));
        if (problem == ATTN_PROBLEM_SINGLE_LABEL)
            for (int32_t c = 0; c < k; c++) p[c] /= sum;
        if (json) {
            if (problem == ATTN_PROBLEM_SINGLE_LABEL) {
                printf("{\"label\": ");
                cli_json_string(stdout, names[best]);
            } else {
                printf("{\"labels\": [");
                for (int32_t c = 0, first = 1; c < k; c++)
                    if (p[c] >= 0.5) {
                        printf(first ? "" : ", ");
                        cli_json_string(stdout, names[c]);
                        first = 0;
                    }
                printf("]");
            }
            printf(", \"probabilities\": {");
            for (int32_t c = 0; c < k; c++) {
                printf(c ? ", " : "");
                cli_json_string(stdout, names[c]);
                printf(": %.4f", p[c]);
            }
            printf("}");
        } else {
            if (problem == ATTN_PROBLEM_SINGLE_LABEL) {
                printf("%s\t%.3f\t", names[best], p[best]);
            } else {
                int any = 0;
                for (int32_t c = 0; c < k; c++)
                    if (p[c] >= 0.5) printf("%s%s", any++ ? "," : "", names[c]);
                printf("%s\t", any ? "" : "-");
            }
            for (int32_t c = 0; c < k; c++) printf("%s%s=%.3f", c ? " " : "", names[c], p[c]);
        }
    }
    if (json) {
        if (echo) {
            printf(", \"text\": ");
            cli_json_string(stdout, echo);
        }
        printf("}\n");
    } else {
        printf(echo ? "\t%s\n" : "\n", echo);
    }
}

int attn_cmd_predict(int argc, char **argv)
{
    const char *cmd = "predict";
    cli_opt opts[] = {
        {"--model", "CKPT|DIR", "model weights (safetensors, Hugging Face names) or the folder attn train wrote", NULL, 0},
        {"--vocab", "VOCAB.txt", "WordPiece vocabulary (default: bert-base-uncased)", NULL, 0},
        {"--config", "config.json", "model config (default: config.json beside CKPT)", NULL, 0},
        {"--max-len", "N", "tokens per text, [CLS] and [SEP] included (default: 128, at most the model's "
                           "max_position_embeddings)", NULL, 0},
        {"--batch-size", "N", "texts per forward pass", "32", 0},
        {"--cased", NULL, "do not lowercase (cased vocabularies)", NULL, 0},
        {"--json", NULL, "one JSON object per line", NULL, 0},
        {"--echo", NULL, "print each text after its label (TAB-separated; \"text\" in JSON)", NULL, 0},
        {"--on-bad-line", "skip|stop", "a line the tokenizer refuses: report it and go on, or stop", "skip", 0},
        CLI_OPT_THREADS,
        CLI_OPT_MEMORY_LIMIT,
    };
    int n = sizeof opts / sizeof opts[0];
    const char *files[257];
    int rc = cli_parse_args(cmd,
                            "--model CKPT|DIR [--vocab VOCAB] [FILE...]\n"
                            "  Labels each non-empty line of the files (or of stdin) with the model's classes.",
                            argc, argv, opts, n, files, 256);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model"};
    long max_len = 128, batch_size;
    int stop_on_bad;
    if (!cli_require(cmd, opts, n, req, 1) || !cli_long_in(cmd, opts, n, "--batch-size", 1, 65536, &batch_size) ||
        !cli_choice(cmd, opts, n, "--on-bad-line", "skip|stop", &stop_on_bad))
        return 2;
    if (cli_value(opts, n, "--max-len") && !cli_long_in(cmd, opts, n, "--max-len", 2, INT32_MAX, &max_len)) return 2;
    session s;
    pending p;
    text_input in;
    char(*names)[MODEL_LABEL_BYTES] = NULL;
    double *probs = NULL;
    int64_t skipped = 0;
    memset(&s, 0, sizeof s);
    text_input_init(&in, files);
    rc = 1;
    if (!pending_init(&p, (int)batch_size)) {
        fprintf(stderr, "attn %s: out of memory\n", cmd);
        goto done;
    }
    if (!open_session(cmd, &s, opts, n)) goto done;
    const attn_bert_config *cfg = attn_model_config(s.model);
    if (model_files_max_len(cmd, s.model, cli_value(opts, n, "--max-len") != NULL, &max_len)) goto done;
    int32_t k = cfg->num_labels;
    if (!(names = model_files_labels(cmd, s.ctx, s.model, s.config))) goto done;
    if (!(probs = calloc((size_t)k, sizeof *probs))) goto done;
    int json = cli_present(opts, n, "--json"), echo = cli_present(opts, n, "--echo");
    int stop = 0;
    for (int more = 1; more > 0 && !stop;) {
        if ((more = pending_fill(&p, &in, cmd)) < 0) goto done;
        if (p.count == 0) continue;
        if (predict_forward(cmd, &s, &p, max_len, stop_on_bad, &skipped, &stop)) goto done;
        if (p.count == 0) continue;
        const float *logits = attn_tensor_data_f32(attn_model_output(s.model, ATTN_OUT_LOGITS));
        for (int b = 0; b < p.count; b++)
            print_prediction(logits + (int64_t)b * k, k, cfg->problem_type, names, json, echo ? p.texts[b] : NULL, probs);
        fflush(stdout);
    }
    text_input_warn(&in, cmd);
    if (skipped) fprintf(stderr, "attn %s: %lld line%s skipped\n", cmd, (long long)skipped, skipped == 1 ? "" : "s");
    rc = stop;
done:
    free(probs);
    free(names);
    text_input_free(&in);
    pending_free(&p);
    close_session(&s);
    return rc;
}
