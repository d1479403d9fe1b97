/* attn embed: sentence embeddings of texts (one per line, from files or
 * stdin) with the model folder's own pooling, Dense modules and
 * normalisation, as JSON lines, .npy or safetensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "text_model.h"

static cli_opt opts_template[] = {
    TEXT_MODEL_OPTS,
    {"--pooling", "MODE", "cls_dense|cls|mean|max|mean_sqrt_len_tokens|weightedmean|lasttoken (default: the folder's)",
     NULL, 0},
    {"--normalize", "yes|no", "L2-normalise each embedding (default: yes if the folder has a Normalize module)", NULL, 0},
    {"--format", "jsonl|npy|safetensors", "output format (npy and safetensors need --out)", "jsonl", 0},
    {"--out", "FILE", "write there instead of stdout", NULL, 0},
    {"--echo", NULL, "jsonl: put each text beside its embedding", NULL, 0},
};

#define POOLINGS "cls_dense|cls|mean|max|mean_sqrt_len_tokens|weightedmean|lasttoken"

static int write_jsonl(FILE *f, const text_list *t, const float *e, int64_t dim, int echo)
{
    for (int32_t i = 0; i < t->count; i++) {
        fputc('{', f);
        if (echo) {
            fputs("\"text\": ", f);
            cli_json_string(f, t->texts[i]);
            fputs(", ", f);
        }
        fputs("\"embedding\": [", f);
        for (int64_t j = 0; j < dim; j++) fprintf(f, j ? ", %.9g" : "%.9g", (double)e[i * dim + j]);
        fputs("]}\n", f);
    }
    return ferror(f) == 0;
}

/* NumPy's .npy, version 1.0: magic, header length, a Python dict literal
 * padded to a multiple of 64 bytes, then the little-endian float32 data. */
static int write_npy(FILE *f, const float *e, int64_t rows, int64_t dim)
{
    char header[128];
    int len = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %lld), }",
                       (long long)rows, (long long)dim);
    int total = 10 + len + 1, pad = (64 - total % 64) % 64;
    unsigned short hlen = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(hlen & 0xff, f);
    fputc(hlen >> 8, f);
    fwrite(header, 1, (size_t)len, f);
    for (int i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    fwrite(e, sizeof(float), (size_t)(rows * dim), f);
    return ferror(f) == 0;
}

static int write_safetensors(const char *cmd, attn_ctx *ctx, const char *path, float *e, int64_t rows, int64_t dim)
{
    int64_t shape[2] = {rows, dim};
    attn_tensor *t = NULL;
    attn_safetensors_writer *w = NULL;
    int ok = attn_tensor_wrap(ctx, ATTN_F32, 2, shape, e, &t) == ATTN_OK &&
             attn_safetensors_writer_create(ctx, &w) == ATTN_OK &&
             attn_safetensors_writer_add(w, "embeddings", t) == ATTN_OK &&
             attn_safetensors_writer_save(w, path) == ATTN_OK;
    if (!ok) cli_fail(cmd, ctx, "--out");
    attn_safetensors_writer_destroy(w);
    attn_tensor_destroy(t);
    return ok;
}

int attn_cmd_embed(int argc, char **argv)
{
    const char *cmd = "embed";
    cli_opt opts[sizeof opts_template / sizeof opts_template[0]];
    int n = sizeof opts / sizeof opts[0];
    memcpy(opts, opts_template, sizeof opts);
    const char *files[64] = {NULL};
    int rc = cli_parse_args(cmd, "--model DIR [options] [FILE...]   (texts one per line; no FILE: stdin)", argc, argv,
                            opts, n, files, 63);
    if (rc) return rc == 1 ? 0 : 2;
    int format = 0, pooling = -1, normalize = -1;
    if (!cli_choice(cmd, opts, n, "--format", "jsonl|npy|safetensors", &format)) return 2;
    if (cli_value(opts, n, "--pooling") && !cli_choice(cmd, opts, n, "--pooling", POOLINGS, &pooling)) return 2;
    if (cli_value(opts, n, "--normalize") && !cli_choice(cmd, opts, n, "--normalize", "no|yes", &normalize)) return 2;
    const char *out_path = cli_value(opts, n, "--out");
    if (format != 0 && !out_path) {
        fprintf(stderr, "attn %s: --format %s writes binary data: give --out FILE\n", cmd, format == 1 ? "npy" : "safetensors");
        return 2;
    }
    attn_ctx *ctx;
    attn_model *model;
    text_list texts = {0};
    float *e = NULL;
    FILE *f = NULL;
    rc = 1;
    if (!text_model_open(cmd, opts, n, &ctx, &model)) goto done;
    if ((pooling >= 0 && attn_model_set_int(model, ATTN_MODEL_OPT_POOLING, pooling) != ATTN_OK) ||
        (normalize >= 0 && attn_model_set_int(model, ATTN_MODEL_OPT_NORMALIZE, normalize) != ATTN_OK)) {
        cli_fail(cmd, ctx, pooling >= 0 ? "--pooling" : "--normalize");
        goto done;
    }
    if (!text_list_read(cmd, files[0] ? files : NULL, &texts)) goto done;
    int64_t dim = attn_model_embedding_dim(model), total = (int64_t)texts.count * dim;
    if (!(e = malloc((size_t)(total ? total : 1) * sizeof *e))) {
        fprintf(stderr, "attn %s: out of memory for %d embeddings\n", cmd, (int)texts.count);
        goto done;
    }
    if (attn_model_embed(model, (const char *const *)texts.texts, texts.count, e, total) != ATTN_OK) {
        cli_fail(cmd, ctx, "embedding");
        goto done;
    }
    if (format == 2) {
        rc = !write_safetensors(cmd, ctx, out_path, e, texts.count, dim);
        goto done;
    }
    f = out_path ? fopen(out_path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "attn %s: --out %s: cannot open it for writing\n", cmd, out_path);
        goto done;
    }
    int ok = format == 0 ? write_jsonl(f, &texts, e, dim, cli_present(opts, n, "--echo")) : write_npy(f, e, texts.count, dim);
    if (fflush(f) != 0 || !ok) {
        fprintf(stderr, "attn %s: writing %s failed\n", cmd, out_path ? out_path : "stdout");
        goto done;
    }
    rc = 0;
done:
    if (f && f != stdout) fclose(f);
    free(e);
    text_list_free(&texts);
    attn_model_destroy(model);
    attn_ctx_destroy(ctx);
    return rc;
}
