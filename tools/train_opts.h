/* The options of attn train, parsed and checked by name. */
#ifndef ATTN_TOOLS_TRAIN_OPTS_H
#define ATTN_TOOLS_TRAIN_OPTS_H

#include "cli.h"

enum { SELECT_VAL_ACC = 0, SELECT_VAL_LOSS = 1, SELECT_LAST = 2 };
#define TRAIN_MAX_EPOCHS 1000000

typedef struct train_opts {
    const char *data, *tsv, *val, *test, *categories, *vocab, *out, *init, *init_config, *dump_tokens, *pooling;
    const char *label_names;
    long layers, hidden, heads, ffn, max_len, batch, epochs, patience, min_epochs, seed, stop_after;
    double lr, warmup, weight_decay, clip, dropout, layer_lr_decay;
    /* fine-tuning: --init names a model folder (init_dir) or a checkpoint file */
    int init_dir, freeze;     /* freeze: attn_freeze */
    int dropout_given;        /* --dropout given: else a folder's config.json decides */
    int problem;      /* attn_problem_type */
    int select;       /* SELECT_* */
    int strip_attribution, quiet, resume, force, text_first, skip_bad, out_given;
    char default_out[4096];
    /* the table, for the context's --threads and --memory-limit */
    cli_opt *table;
    int table_size;
} train_opts;

/* Fills o from argv: 0 on success, -1 after --help, 2 after an error
 * (printed). The table stays valid until train_opts_free. */
int train_opts_parse(int argc, char **argv, train_opts *o);
void train_opts_free(train_opts *o);
/* --patience auto: epochs without improvement before stopping, enough for
 * about 180 optimizer steps (so a small file, with few steps per epoch,
 * gets many epochs) and at least 3. */
long train_opts_patience(const train_opts *o, long steps_per_epoch);

#endif
