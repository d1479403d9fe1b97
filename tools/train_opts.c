/* attn train's options (train_opts.h). */
#include "train_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attn.h"

static const char *cmd = "train";

static const cli_opt table[] = {
    {"--data", "DIR", "fortunes directory", ATTN_DATASET_FORTUNES_DIR, 0},
    {"--categories", "A,B,...", "fortunes categories", "computers,politics,science,songs-poems", 0},
    {"--tsv", "FILE", "train on a label<TAB>text file instead (see doc/DATA.md); its own 80/10/10 split", NULL, 0},
    {"--val", "FILE", "validation examples from this file (the --tsv file's validation share then trains)", NULL, 0},
    {"--test", "FILE", "test examples from this file (the --tsv file's test share then trains)", NULL, 0},
    {"--problem", "single-label|multi-label|regression",
     "labels are class names, 0/1 values (\"1,0,1\"), or numbers", "single-label", 0},
    {"--label-names", "A,B,...", "multi-label: names of the 0/1 positions (default LABEL_0, ...)", NULL, 0},
    {"--columns", "label,text|text,label", "column order of the TSV files", "label,text", 0},
    {"--on-bad-line", "stop|skip", "a malformed TSV line: stop with its line number, or report it and leave it out",
     "stop", 0},
    {"--strip-attribution", NULL, "remove trailing \"-- Author\" lines from the texts", NULL, 0},
    {"--vocab", "VOCAB.txt", "WordPiece vocabulary (default: bert-base-uncased)", NULL, 0},
    {"--out", "DIR", "where checkpoints, config, curve and report go (default: runs/fortunes, or runs/NAME for "
                     "--tsv NAME.tsv)", NULL, 0},
    {"--force", NULL, "replace the model a previous run left in --out", NULL, 0},
    {"--layers", "N", "encoder blocks", "2", 0},
    {"--hidden", "N", "hidden size", "128", 0},
    {"--heads", "N", "attention heads", "2", 0},
    {"--ffn", "N", "feed-forward size", "512", 0},
    {"--max-len", "N", "tokens per text, [CLS] and [SEP] included", "128", 0},
    {"--batch", "N", "batch size", "32", 0},
    {"--epochs", "N", "maximum epochs", "10", 0},
    {"--select", "val-acc|val-loss|last",
     "which epoch's weights become model.safetensors: best validation accuracy (R^2 for regression, exact match "
     "for multi-label), lowest validation loss, or the last (default: val-acc; val-loss for regression)", NULL, 0},
    {"--patience", "N|auto", "stop after N epochs without a better validation score (auto: about 180 steps' worth, "
                             "at least 3)", "auto", 0},
    {"--min-epochs", "N", "never stop early before this many epochs", "1", 0},
    {"--lr", "X", "peak learning rate (AdamW; default 1e-3 from scratch, 5e-5 fine-tuning --init DIR, 1e-3 with "
                  "--freeze-encoder)", NULL, 0},
    {"--warmup", "X", "fraction of the steps for linear warmup", "0.1", 0},
    {"--weight-decay", "X", "AdamW weight decay (not on biases and LayerNorm)", "0.01", 0},
    {"--clip", "X", "clip gradients to this global L2 norm (0: off)", "1.0", 0},
    {"--dropout", "X", "dropout probability (default 0.1; with --init DIR its config.json's)", NULL, 0},
    {"--seed", "N", "seed for initialisation, dropout and shuffling", "42", 0},
    CLI_OPT_THREADS,
    CLI_OPT_MEMORY_LIMIT,
    {"--init", "DIR|CKPT", "fine-tune a pretrained model: a Hugging Face / sentence-transformers folder (its "
                           "tokenizer, pooling and dropout; a new classifier head), or weights with --vocab", NULL, 0},
    {"--init-config", "config.json", "with --init CKPT: its config (default: config.json beside CKPT)", NULL, 0},
    {"--from-scratch", NULL, "train a new model from random weights (the default without --init)", NULL, 0},
    {"--freeze-encoder", NULL, "with --init: train only the classifier head (a linear probe)", NULL, 0},
    {"--freeze-embeddings", NULL, "with --init: leave the embedding tables and their LayerNorm as they are", NULL, 0},
    {"--layer-lr-decay", "X", "learning rate of each block below the head X times the one above (0 < X <= 1; "
                              "the embeddings lowest)", "1", 0},
    {"--resume", NULL, "continue from DIR/checkpoint.safetensors", NULL, 0},
    {"--dump-tokens", "FILE", "write split, label and token ids of every text as TSV and exit", NULL, 0},
    {"--quiet", NULL, "no progress bar", NULL, 0},
    {"--stop-after", "N", "end this run after N epochs (continue later with --resume)", "0", 0},
    {"--pooling", "cls-dense|cls|mean", "sentence vector: BERT pooler, [CLS] as is, or mean of the tokens", "cls-dense", 0},
};

/* --init, --from-scratch and what fine-tuning changes: the defaults of
 * --lr and --dropout, and freezing. */
static int fine_tuning_opts(cli_opt *opts, int n, train_opts *o)
{
    int scratch = cli_present(opts, n, "--from-scratch");
    int freeze_enc = cli_present(opts, n, "--freeze-encoder"), freeze_emb = cli_present(opts, n, "--freeze-embeddings");
    if (scratch && o->init) {
        fprintf(stderr, "attn %s: --from-scratch trains new weights and --init starts from pretrained ones: pass one "
                        "of them\n", cmd);
        return 1;
    }
    if ((freeze_enc || freeze_emb || o->layer_lr_decay != 1.0) && !o->init) {
        fprintf(stderr, "attn %s: --freeze-encoder, --freeze-embeddings and --layer-lr-decay fine-tune a pretrained "
                        "model: they need --init DIR\n", cmd);
        return 1;
    }
    if (o->init_dir && o->vocab) {
        fprintf(stderr, "attn %s: --init %s is a model folder, which brings its own tokenizer: leave out --vocab\n",
                cmd, o->init);
        return 1;
    }
    if (freeze_enc && freeze_emb) {
        fprintf(stderr, "attn %s: --freeze-encoder already freezes the embeddings: pass one of them\n", cmd);
        return 1;
    }
    o->freeze = freeze_enc ? ATTN_FREEZE_ENCODER : freeze_emb ? ATTN_FREEZE_EMBEDDINGS : ATTN_FREEZE_NONE;
    /* a pretrained encoder forgets what it knows at the from-scratch rate;
     * a head alone learns at it */
    o->lr = o->init && o->freeze != ATTN_FREEZE_ENCODER ? 5e-5 : 1e-3;
    if (cli_value(opts, n, "--lr") && !cli_double(cmd, cli_get(opts, n, "--lr"), &o->lr)) return 1;
    o->dropout_given = cli_value(opts, n, "--dropout") != NULL;
    o->dropout = 0.1;
    if (o->dropout_given && !cli_double_in(cmd, opts, n, "--dropout", 0.0, 0.999, &o->dropout)) return 1;
    return 0;
}

/* runs/NAME for --tsv DIR/NAME.tsv: a TSV run never lands in runs/fortunes. */
static void default_out(const char *tsv, char *buf, size_t size)
{
    if (!tsv) {
        snprintf(buf, size, "runs/fortunes");
        return;
    }
    const char *base = strrchr(tsv, '/');
    base = base ? base + 1 : tsv;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) len = (size_t)(dot - base);
    if (len == 0 || (len == 1 && base[0] == '.') || (len == 2 && strncmp(base, "..", 2) == 0))
        snprintf(buf, size, "runs/tsv");
    else
        snprintf(buf, size, "runs/%.*s", (int)len, base);
}

int train_opts_parse(int argc, char **argv, train_opts *o)
{
    memset(o, 0, sizeof *o);
    int n = (int)(sizeof table / sizeof table[0]);
    cli_opt *opts = malloc(sizeof table);
    if (!opts) return 2;
    memcpy(opts, table, sizeof table);
    o->table = opts;
    o->table_size = n;
    int rc = cli_parse(cmd, "[--out DIR] [--tsv FILE [--val FILE] [--test FILE]] [options]", argc, argv, opts, n);
    if (rc) return rc == 1 ? -1 : 2;
    o->data = cli_value(opts, n, "--data");
    o->categories = cli_value(opts, n, "--categories");
    o->tsv = cli_value(opts, n, "--tsv");
    o->val = cli_value(opts, n, "--val");
    o->test = cli_value(opts, n, "--test");
    o->label_names = cli_value(opts, n, "--label-names");
    o->strip_attribution = cli_present(opts, n, "--strip-attribution");
    o->vocab = cli_value(opts, n, "--vocab");
    o->out_given = cli_present(opts, n, "--out");
    default_out(o->tsv, o->default_out, sizeof o->default_out);
    o->out = o->out_given ? cli_value(opts, n, "--out") : o->default_out;
    o->force = cli_present(opts, n, "--force");
    o->init = cli_value(opts, n, "--init");
    struct stat sb;
    o->init_dir = o->init && stat(o->init, &sb) == 0 && S_ISDIR(sb.st_mode);
    o->init_config = cli_value(opts, n, "--init-config");
    o->resume = cli_present(opts, n, "--resume");
    o->dump_tokens = cli_value(opts, n, "--dump-tokens");
    o->quiet = cli_present(opts, n, "--quiet");
    o->pooling = cli_value(opts, n, "--pooling");
    int pooling, columns, bad;
    if (!cli_choice(cmd, opts, n, "--problem", "single-label|regression|multi-label", &o->problem) ||
        !cli_choice(cmd, opts, n, "--columns", "label,text|text,label", &columns) ||
        !cli_choice(cmd, opts, n, "--on-bad-line", "stop|skip", &bad) ||
        !cli_choice(cmd, opts, n, "--pooling", "cls-dense|cls|mean", &pooling))
        return 2;
    /* the choice lists follow attn_problem_type's values */
    o->text_first = columns == 1;
    o->skip_bad = bad == 1;
    o->select = o->problem == ATTN_PROBLEM_REGRESSION ? SELECT_VAL_LOSS : SELECT_VAL_ACC;
    if (cli_value(opts, n, "--select") && !cli_choice(cmd, opts, n, "--select", "val-acc|val-loss|last", &o->select))
        return 2;
    if (!cli_long_in(cmd, opts, n, "--layers", 1, 4096, &o->layers) ||
        !cli_long_in(cmd, opts, n, "--hidden", 1, 1 << 16, &o->hidden) ||
        !cli_long_in(cmd, opts, n, "--heads", 1, 1 << 12, &o->heads) ||
        !cli_long_in(cmd, opts, n, "--ffn", 1, 1 << 18, &o->ffn) ||
        !cli_long_in(cmd, opts, n, "--max-len", 8, 1 << 20, &o->max_len) ||
        !cli_long_in(cmd, opts, n, "--batch", 1, 1 << 16, &o->batch) ||
        !cli_long_in(cmd, opts, n, "--epochs", 1, TRAIN_MAX_EPOCHS, &o->epochs) ||
        !cli_long_in(cmd, opts, n, "--min-epochs", 0, TRAIN_MAX_EPOCHS, &o->min_epochs) ||
        !cli_long_in(cmd, opts, n, "--stop-after", 0, TRAIN_MAX_EPOCHS, &o->stop_after) ||
        !cli_long(cmd, cli_get(opts, n, "--seed"), &o->seed) ||
        !cli_double_in(cmd, opts, n, "--warmup", 0.0, 1.0, &o->warmup) ||
        !cli_double_in(cmd, opts, n, "--weight-decay", 0.0, 1e3, &o->weight_decay) ||
        !cli_double_in(cmd, opts, n, "--clip", 0.0, 1e30, &o->clip) ||
        !cli_double_in(cmd, opts, n, "--layer-lr-decay", 1e-6, 1.0, &o->layer_lr_decay))
        return 2;
    if (fine_tuning_opts(opts, n, o)) return 2;
    o->patience = -1;
    if (strcmp(cli_value(opts, n, "--patience"), "auto") != 0 &&
        !cli_long_in(cmd, opts, n, "--patience", 1, TRAIN_MAX_EPOCHS, &o->patience))
        return 2;
    if (!(o->lr > 0.0)) {
        fprintf(stderr, "attn %s: --lr %s: must be positive\n", cmd, cli_value(opts, n, "--lr"));
        return 2;
    }
    if (!o->tsv && (o->val || o->test || o->problem != ATTN_PROBLEM_SINGLE_LABEL || o->text_first)) {
        fprintf(stderr, "attn %s: --val, --test, --problem and --columns need --tsv FILE (the fortunes task is "
                        "single-label)\n", cmd);
        return 2;
    }
    if (o->label_names && o->problem != ATTN_PROBLEM_MULTI_LABEL) {
        fprintf(stderr, "attn %s: --label-names is for --problem multi-label\n", cmd);
        return 2;
    }
    if (o->resume && o->force) {
        fprintf(stderr, "attn %s: --resume continues the run in --out and --force replaces it: pass one of them\n", cmd);
        return 2;
    }
    return 0;
}

void train_opts_free(train_opts *o)
{
    free(o->table);
    o->table = NULL;
}

long train_opts_patience(const train_opts *o, long steps_per_epoch)
{
    if (o->patience > 0) return o->patience;
    long p = (180 + steps_per_epoch - 1) / (steps_per_epoch > 0 ? steps_per_epoch : 1);
    return p < 3 ? 3 : p;
}
