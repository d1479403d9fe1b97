/* The per-epoch record of a training run (DIR/history.tsv): losses, the
 * validation score and second metric, seconds. Grows as epochs are added;
 * nothing read from the file sizes a fixed array. */
#ifndef ATTN_TOOLS_TRAIN_HISTORY_H
#define ATTN_TOOLS_TRAIN_HISTORY_H

#include <stdint.h>

typedef struct history {
    int64_t n, cap;
    double *train_loss, *val_loss, *val_score, *val_second, *seconds;
    const char *score_column, *second_column; /* "val_accuracy", "val_macro_f1" (or R^2 / MAE) */
} history;

void history_init(history *h, const char *score_column, const char *second_column);
void history_free(history *h);
int history_add(history *h, double train_loss, double val_loss, double score, double second, double seconds);
/* Atomically writes dir/history.tsv. */
int history_save(const history *h, const char *dir);
/* Reads the first epochs rows of dir/history.tsv (a resumed run's past);
 * -1 if the file is missing, malformed or shorter. */
int history_load(history *h, const char *dir, int64_t epochs);

#endif
