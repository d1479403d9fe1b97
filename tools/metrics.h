/* Classification metrics: confusion matrix, accuracy, per-class
 * precision/recall/F1 and their macro average. */
#ifndef ATTN_TOOLS_METRICS_H
#define ATTN_TOOLS_METRICS_H

#include <stdint.h>
#include <stdio.h>

typedef struct metrics {
    int32_t k;            /* classes */
    int64_t *confusion;   /* [k, k]: row = true label, column = predicted */
    int64_t n;
    double loss_sum;      /* sum of per-batch mean losses x batch size */
} metrics;

int metrics_init(metrics *m, int32_t k);
void metrics_reset(metrics *m);
void metrics_free(metrics *m);
void metrics_add(metrics *m, int32_t truth, int32_t predicted);
double metrics_accuracy(const metrics *m);
double metrics_loss(const metrics *m);
/* Per-class precision, recall, F1 (0 when undefined, as sklearn's zero_division=0). */
void metrics_class(const metrics *m, int32_t c, double *precision, double *recall, double *f1);
double metrics_macro_f1(const metrics *m);
/* Prints the per-class table and the confusion matrix. */
void metrics_report(const metrics *m, const char *const *names, FILE *out);

#endif
