/* The per-epoch history of `attn train` (history.tsv in the output
 * folder): one row per epoch, read back on --resume. The arrays grow with
 * the run: a history.tsv and a checkpoint from a file decide how many rows
 * there are, so no fixed array may be sized by them (a 1,500-epoch resume
 * once wrote past a 1,000-row array). */
#ifndef ATTN_TOOLS_HISTORY_H
#define ATTN_TOOLS_HISTORY_H

#include <stdint.h>

typedef struct history {
    int64_t n, cap;
    double *train_loss, *val_loss, *val_acc, *val_f1, *seconds;
} history;

/* Appends one epoch's row; -1 if out of memory (h unchanged). */
int history_push(history *h, double train_loss, double val_loss, double val_acc, double val_f1, double seconds);
/* Replaces h with the first `epochs` rows of path (after its header line);
 * 0 when the file has at least that many well-formed rows, else -1. */
int history_load(history *h, const char *path, int64_t epochs);
/* Writes h to path (through path.tmp and a rename); 0 or -1. */
int history_save(const history *h, const char *path);
void history_free(history *h);

#endif
