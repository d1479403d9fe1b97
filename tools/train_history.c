/* history.tsv of attn train (train_history.h). */
#include "train_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void history_init(history *h, const char *score_column, const char *second_column)
{
    memset(h, 0, sizeof *h);
    h->score_column = score_column;
    h->second_column = second_column;
}

void history_free(history *h)
{
    free(h->train_loss);
    free(h->val_loss);
    free(h->val_score);
    free(h->val_second);
    free(h->seconds);
    h->train_loss = h->val_loss = h->val_score = h->val_second = h->seconds = NULL;
    h->n = h->cap = 0;
}

static int grow(double **v, int64_t cap)
{
    double *p = realloc(*v, (size_t)cap * sizeof *p);
    if (!p) return -1;
    *v = p;
    return 0;
}

int history_add(history *h, double train_loss, double val_loss, double score, double second, double seconds)
{
    if (h->n == h->cap) {
        int64_t cap = h->cap ? 2 * h->cap : 16;
        if (grow(&h->train_loss, cap) || grow(&h->val_loss, cap) || grow(&h->val_score, cap) ||
            grow(&h->val_second, cap) || grow(&h->seconds, cap))
            return -1;
        h->cap = cap;
    }
    h->train_loss[h->n] = train_loss;
    h->val_loss[h->n] = val_loss;
    h->val_score[h->n] = score;
    h->val_second[h->n] = second;
    h->seconds[h->n] = seconds;
    h->n++;
    return 0;
}

int history_save(const history *h, const char *dir)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/history.tsv", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    fprintf(f, "epoch\ttrain_loss\tval_loss\t%s\t%s\tseconds\n", h->score_column, h->second_column);
    for (int64_t i = 0; i < h->n; i++)
        fprintf(f, "%lld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", (long long)i + 1, h->train_loss[i], h->val_loss[i],
                h->val_score[i], h->val_second[i], h->seconds[i]);
    if (fclose(f) != 0) return -1;
    return rename(tmp, path);
}

int history_load(history *h, const char *dir, int64_t epochs)
{
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/history.tsv", dir);
    FILE *f = fopen(path, "r");
    h->n = 0;
    if (!f) return -1;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    long long e;
    double v[5];
    while (h->n < epochs && fscanf(f, "%lld %lf %lf %lf %lf %lf", &e, &v[0], &v[1], &v[2], &v[3], &v[4]) == 6) {
        if (e != h->n + 1 || history_add(h, v[0], v[1], v[2], v[3], v[4])) break;
    }
    fclose(f);
    return h->n == epochs ? 0 : -1;
}
