/* attn rerank: scores passages (one per line, from files or stdin) against a
 * query with a cross-encoder, as sentence-transformers' CrossEncoder does,
 * and prints them best first: "score<TAB>passage". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "text_model.h"

static cli_opt opts_template[] = {
    TEXT_MODEL_OPTS,
    {"--query", "TEXT", "the query the passages are scored against", NULL, 0},
    {"--top", "K", "print only the K best (default: all)", NULL, 0},
};

typedef struct scored {
    float score;
    int32_t index;
} scored;

static int best_first(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

int attn_cmd_rerank(int argc, char **argv)
{
    const char *cmd = "rerank";
    cli_opt opts[sizeof opts_template / sizeof opts_template[0]];
    int n = sizeof opts / sizeof opts[0];
    memcpy(opts, opts_template, sizeof opts);
    const char *files[64] = {NULL};
    int rc = cli_parse_args(cmd, "--model DIR --query TEXT [FILE...]   (passages one per line; no FILE: stdin)", argc,
                            argv, opts, n, files, 63);
    if (rc) return rc == 1 ? 0 : 2;
    const char *query = cli_value(opts, n, "--query");
    long top = 0;
    if (!query) {
        fprintf(stderr, "attn %s: --query is required\n", cmd);
        return 2;
    }
    if (cli_value(opts, n, "--top") && !cli_long_in(cmd, opts, n, "--top", 1, 1L << 30, &top)) return 2;
    attn_ctx *ctx;
    attn_model *model;
    text_list passages = {0};
    const char **queries = NULL;
    float *scores = NULL;
    scored *order = NULL;
    rc = 1;
    if (!text_model_open(cmd, opts, n, &ctx, &model) || !text_list_read(cmd, files[0] ? files : NULL, &passages))
        goto done;
    int32_t k = attn_model_config(model)->num_labels, count = passages.count;
    if (k != 1) {
        fprintf(stderr, "attn %s: --model has %d labels; a cross-encoder has one (its relevance score)\n", cmd, (int)k);
        goto done;
    }
    queries = malloc((size_t)(count ? count : 1) * sizeof *queries);
    scores = malloc((size_t)(count ? count : 1) * sizeof *scores);
    order = malloc((size_t)(count ? count : 1) * sizeof *order);
    if (!queries || !scores || !order) {
        fprintf(stderr, "attn %s: out of memory\n", cmd);
        goto done;
    }
    for (int32_t i = 0; i < count; i++) queries[i] = query;
    if (attn_model_score_pairs(model, queries, (const char *const *)passages.texts, count, scores, count) != ATTN_OK) {
        cli_fail(cmd, ctx, "scoring");
        goto done;
    }
    for (int32_t i = 0; i < count; i++) order[i] = (scored){scores[i], i};
    qsort(order, (size_t)count, sizeof *order, best_first);
    for (int32_t i = 0; i < count && (!top || i < top); i++)
        printf("%.6f\t%s\n", (double)order[i].score, passages.texts[order[i].index]);
    rc = fflush(stdout) != 0;
done:
    free(order);
    free(scores);
    free(queries);
    text_list_free(&passages);
    attn_model_destroy(model);
    attn_ctx_destroy(ctx);
    return rc;
}
