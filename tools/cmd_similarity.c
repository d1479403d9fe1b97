/* attn similarity: embeds a corpus of texts once, then for each query line
 * prints the K nearest corpus texts by cosine similarity with the scores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "text_model.h"

static cli_opt opts_template[] = {
    TEXT_MODEL_OPTS,
    {"--corpus", "FILE", "the texts to search, one per line", NULL, 0},
    {"-k", "K", "nearest texts per query", "5", 0},
    {"--json", NULL, "one JSON object per query", NULL, 0},
};

static int embed_all(const char *cmd, attn_ctx *ctx, attn_model *model, const text_list *t, float **out)
{
    int64_t dim = attn_model_embedding_dim(model), total = (int64_t)t->count * dim;
    *out = malloc((size_t)(total ? total : 1) * sizeof **out);
    if (!*out) {
        fprintf(stderr, "attn %s: out of memory for %d embeddings\n", cmd, (int)t->count);
        return 0;
    }
    if (attn_model_embed(model, (const char *const *)t->texts, t->count, *out, total) != ATTN_OK)
        return !cli_fail(cmd, ctx, "embedding");
    return 1;
}

int attn_cmd_similarity(int argc, char **argv)
{
    const char *cmd = "similarity";
    cli_opt opts[sizeof opts_template / sizeof opts_template[0]];
    int n = sizeof opts / sizeof opts[0];
    memcpy(opts, opts_template, sizeof opts);
    const char *files[64] = {NULL};
    int rc = cli_parse_args(cmd, "--model DIR --corpus FILE [-k K] [FILE...]   (queries one per line; no FILE: stdin)",
                            argc, argv, opts, n, files, 63);
    if (rc) return rc == 1 ? 0 : 2;
    const char *corpus_path = cli_value(opts, n, "--corpus");
    long k;
    if (!corpus_path) {
        fprintf(stderr, "attn %s: --corpus FILE is required\n", cmd);
        return 2;
    }
    if (!cli_long_in(cmd, opts, n, "-k", 1, 1L << 20, &k)) return 2;
    attn_ctx *ctx;
    attn_model *model;
    text_list corpus = {0}, queries = {0};
    float *ce = NULL, *qe = NULL;
    int32_t *best = NULL;
    float *best_score = NULL;
    rc = 1;
    const char *corpus_files[2] = {corpus_path, NULL};
    if (!text_model_open(cmd, opts, n, &ctx, &model) || !text_list_read(cmd, corpus_files, &corpus) ||
        !text_list_read(cmd, files[0] ? files : NULL, &queries))
        goto done;
    if (k > corpus.count) k = corpus.count;
    /* cosine: unit vectors, whatever the model's own normalisation */
    if (attn_model_set_int(model, ATTN_MODEL_OPT_NORMALIZE, 1) != ATTN_OK) {
        cli_fail(cmd, ctx, "normalisation");
        goto done;
    }
    if (!embed_all(cmd, ctx, model, &corpus, &ce) || !embed_all(cmd, ctx, model, &queries, &qe)) goto done;
    best = malloc((size_t)(k ? k : 1) * sizeof *best);
    best_score = malloc((size_t)(k ? k : 1) * sizeof *best_score);
    if (!best || !best_score) goto done;
    int64_t dim = attn_model_embedding_dim(model);
    int json = cli_present(opts, n, "--json");
    for (int32_t q = 0; q < queries.count; q++) {
        /* the k best by insertion: k is small beside the corpus */
        long have = 0;
        for (int32_t c = 0; c < corpus.count; c++) {
            float s = 0.0f;
            for (int64_t j = 0; j < dim; j++) s += qe[(int64_t)q * dim + j] * ce[(int64_t)c * dim + j];
            if (have == k && s <= best_score[k - 1]) continue;
            long at = have < k ? have++ : k - 1;
            while (at > 0 && best_score[at - 1] < s) {
                best_score[at] = best_score[at - 1];
                best[at] = best[at - 1];
                at--;
            }
            best_score[at] = s;
            best[at] = c;
        }
        if (json) {
            printf("{\"query\": ");
            cli_json_string(stdout, queries.texts[q]);
            printf(", \"nearest\": [");
            for (long i = 0; i < have; i++) {
                printf("%s{\"score\": %.6f, \"text\": ", i ? ", " : "", (double)best_score[i]);
                cli_json_string(stdout, corpus.texts[best[i]]);
                putchar('}');
            }
            printf("]}\n");
        } else {
            printf("%s\n", queries.texts[q]);
            for (long i = 0; i < have; i++) printf("  %.6f\t%s\n", (double)best_score[i], corpus.texts[best[i]]);
        }
    }
    rc = fflush(stdout) != 0;
done:
    free(best);
    free(best_score);
    free(ce);
    free(qe);
    text_list_free(&corpus);
    text_list_free(&queries);
    attn_model_destroy(model);
    attn_ctx_destroy(ctx);
    return rc;
}
