/* attn eval: the test report of a trained model on any labelled TSV file
 * (every line of it, no split): the per-class table, the confusion matrix
 * and one JSON line, as attn train prints for its test split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "evaluate.h"
#include "labelled_data.h"
#include "model_files.h"
#include "train_data.h"

int attn_cmd_eval(int argc, char **argv)
{
    const char *cmd = "eval";
    cli_opt opts[] = {
        {"--model", "CKPT|DIR", "model weights (safetensors) or the folder attn train wrote", NULL, 0},
        {"--config", "config.json", "model config (default: config.json beside CKPT)", NULL, 0},
        {"--tsv", "FILE", "labelled examples, label<TAB>text (labels as the model was trained on)", NULL, 0},
        {"--vocab", "VOCAB.txt", "WordPiece vocabulary (default: bert-base-uncased)", NULL, 0},
        {"--cased", NULL, "do not lowercase (cased vocabularies)", NULL, 0},
        {"--max-len", "N", "tokens per text, [CLS] and [SEP] included (default: 128, at most the model's "
                           "max_position_embeddings)", NULL, 0},
        {"--batch-size", "N", "texts per forward pass", "64", 0},
        {"--columns", "label,text|text,label", "column order of the TSV file", "label,text", 0},
        {"--on-bad-line", "stop|skip", "a malformed line: stop with its line number, or report it and leave it out",
         "stop", 0},
        CLI_OPT_THREADS,
        CLI_OPT_MEMORY_LIMIT,
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "--model CKPT|DIR --tsv FILE [options]", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model", "--tsv"};
    long max_len = 128, batch;
    int columns, bad;
    if (!cli_require(cmd, opts, n, req, 2) || !cli_long_in(cmd, opts, n, "--batch-size", 1, 65536, &batch) ||
        !cli_choice(cmd, opts, n, "--columns", "label,text|text,label", &columns) ||
        !cli_choice(cmd, opts, n, "--on-bad-line", "stop|skip", &bad))
        return 2;
    if (cli_value(opts, n, "--max-len") && !cli_long_in(cmd, opts, n, "--max-len", 2, INT32_MAX, &max_len)) return 2;
    const char *tsv = cli_value(opts, n, "--tsv");
    attn_ctx *ctx = NULL;
    attn_tokenizer *tok = NULL;
    int tok_owned = 0;
    attn_model *model = NULL;
    attn_dataset *ds = NULL;
    char config[4096];
    char(*names)[MODEL_LABEL_BYTES] = NULL;
    const char **name_ptrs = NULL;
    label_space space;
    label_map map;
    encoded_set set;
    batch_tensors bt;
    evaluation e;
    memset(&space, 0, sizeof space);
    memset(&map, 0, sizeof map);
    memset(&set, 0, sizeof set);
    memset(&bt, 0, sizeof bt);
    memset(&e, 0, sizeof e);
    rc = 1;
    if (!cli_ctx_opts(cmd, opts, n, &ctx)) goto done;
    if (model_files_load(cmd, ctx, cli_value(opts, n, "--model"), cli_value(opts, n, "--config"), config, sizeof config,
                         &model) ||
        model_files_tokenizer(cmd, ctx, model, cli_value(opts, n, "--vocab"), cli_present(opts, n, "--cased"), &tok,
                              &tok_owned))
        goto done;
    const attn_bert_config *cfg = attn_model_config(model);
    if (model_files_max_len(cmd, model, cli_value(opts, n, "--max-len") != NULL, &max_len)) goto done;
    if (!(names = model_files_labels(cmd, ctx, model, config))) goto done;
    int32_t k = cfg->num_labels;
    if (!(name_ptrs = calloc((size_t)k, sizeof *name_ptrs))) goto done;
    for (int32_t c = 0; c < k; c++) name_ptrs[c] = names[c];
    data_opts d = {cmd, cfg->problem_type, columns == 1, bad == 1, 0};
    int32_t pad_id = 0;
    attn_tokenizer_token_to_id(tok, "[PAD]", &pad_id);
    if (label_space_from_names(&space, cfg->problem_type, k, name_ptrs) || data_load_tsv(ctx, tsv, &d, &ds) ||
        label_map_build(cmd, ds, tsv, &space, &map))
        goto done;
    if (encoded_set_build(&set, tok, ds, SPLITS_ALL, (int32_t)max_len, &map) ||
        batch_tensors_init(&bt, ctx, (int32_t)batch, (int32_t)max_len, pad_id, cfg->problem_type,
                           cfg->problem_type == ATTN_PROBLEM_SINGLE_LABEL ? 1 : k) ||
        evaluation_init(&e, cfg->problem_type, k) || attn_model_set_int(model, ATTN_MODEL_OPT_INFERENCE_ONLY, 1) != ATTN_OK) {
        cli_fail(cmd, ctx, "setting up");
        goto done;
    }
    if (evaluate(cmd, model, &set, &bt, (int32_t)batch, &e, ctx)) goto done;
    printf("report on %s (%lld texts, %lld truncated to %ld tokens)\n", tsv, (long long)set.n, (long long)set.truncated,
           max_len);
    evaluation_report(&e, name_ptrs, stdout);
    printf("\n");
    evaluation_summary(&e, stdout);
    printf("  loss %.4f\n{", evaluation_loss(&e));
    evaluation_json(&e, stdout);
    printf(", \"test_loss\": %.6f, \"test_examples\": %lld}\n", evaluation_loss(&e), (long long)set.n);
    rc = 0;
done:
    evaluation_free(&e);
    batch_tensors_free(&bt);
    encoded_set_free(&set);
    label_map_free(&map);
    label_space_free(&space);
    free(name_ptrs);
    free(names);
    attn_dataset_destroy(ds);
    attn_model_destroy(model);
    if (tok_owned) attn_tokenizer_destroy(tok);
    attn_ctx_destroy(ctx);
    return rc;
}
