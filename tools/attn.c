/* attn: the command-line face of libattn. Dispatches to cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "attn.h"
#include "commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command commands[] = {
    {"info", attn_cmd_info, "version, BLIS kernel set in use, threads"},
    {"tokenize", attn_cmd_tokenize, "WordPiece-tokenize stdin lines to JSON (ids, token types)"},
    {"forward", attn_cmd_forward, "run a checkpoint on a batch (safetensors in, safetensors out)"},
    {"train", attn_cmd_train, "train a text classifier (fortunes or your TSV), with a test report"},
    {"predict", attn_cmd_predict, "label texts (files or stdin) with a trained model (--json for JSON)"},
    {"eval", attn_cmd_eval, "the test report of a trained model on a labelled TSV file"},
    {"embed", attn_cmd_embed, "sentence embeddings of texts with a model folder's pooling and normalisation"},
    {"rerank", attn_cmd_rerank, "scores passages against a query with a cross-encoder, best first"},
    {"similarity", attn_cmd_similarity, "the nearest texts of a corpus for each query, by cosine similarity"},
    {"bench", attn_cmd_bench, "time inference or a training step of a BERT config (one JSON line)"},
    {"train-step", attn_cmd_train_step, "one training step; writes loss, gradients and updated parameters"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: attn <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'attn <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("attn %s\n", attn_version_string());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "attn: unknown command '%s' (try 'attn --help')\n", argv[1]);
    return 2;
}
