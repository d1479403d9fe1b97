/* history.tsv of `attn train` (see history.h). */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(double **p, int64_t cap)
{
    double *q = realloc(*p, (size_t)cap * sizeof *q);
    if (!q) return -1;
    *p = q;
    return 0;
}

int history_push(history *h, double train_loss, double val_loss, double val_acc, double val_f1, double seconds)
{
    if (h->n == h->cap) {
        int64_t cap = h->cap ? h->cap * 2 : 64;
        if (cap > INT64_MAX / 8 / (int64_t)sizeof(double)) return -1;
        /* each column grows on its own; one that fails leaves the others larger, which is harmless */
        if (grow(&h->train_loss, cap) || grow(&h->val_loss, cap) || grow(&h->val_acc, cap) ||
            grow(&h->val_f1, cap) || grow(&h->seconds, cap))
            return -1;
        h->cap = cap;
    }
    h->train_loss[h->n] = train_loss;
    h->val_loss[h->n] = val_loss;
    h->val_acc[h->n] = val_acc;
    h->val_f1[h->n] = val_f1;
    h->seconds[h->n] = seconds;
    h->n++;
    return 0;
}

int history_load(history *h, const char *path, int64_t epochs)
{
    h->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    /* the header line, however long */
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {}
    long long e;
    double v[5];
    while (h->n < epochs && fscanf(f, "%lld %lf %lf %lf %lf %lf", &e, &v[0], &v[1], &v[2], &v[3], &v[4]) == 6)
        if (history_push(h, v[0], v[1], v[2], v[3], v[4]) != 0) break;
    fclose(f);
    return h->n == epochs ? 0 : -1;
}

int history_save(const history *h, const char *path)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    if (!tmp) return -1;
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        fprintf(f, "epoch\ttrain_loss\tval_loss\tval_accuracy\tval_macro_f1\tseconds\n");
        for (int64_t i = 0; i < h->n; i++)
            fprintf(f, "%lld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", (long long)i + 1, h->train_loss[i],
                    h->val_loss[i], h->val_acc[i], h->val_f1[i], h->seconds[i]);
        rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
    }
    free(tmp);
    return rc;
}

void history_free(history *h)
{
    free(h->train_loss);
    free(h->val_loss);
    free(h->val_acc);
    free(h->val_f1);
    free(h->seconds);
    memset(h, 0, sizeof *h);
}
