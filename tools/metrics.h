/* Evaluation metrics: for classes a confusion matrix, accuracy, per-class
 * precision/recall/F1 and their macro average; for multi-label outputs the
 * same per label at a 0.5 threshold, micro-F1 and exact-match accuracy;
 * for regression MSE, MAE and R^2. */
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

/* Multi-label: k independent yes/no decisions per example. */
typedef struct multilabel_metrics {
    int32_t k;
    int64_t *tp, *fp, *fn;   /* [k] */
    int64_t n, exact;        /* examples, examples with every label right */
    double loss_sum;
} multilabel_metrics;

int multilabel_init(multilabel_metrics *m, int32_t k);
void multilabel_reset(multilabel_metrics *m);
void multilabel_free(multilabel_metrics *m);
/* truth: k values 0/1; predicted: k probabilities (>= 0.5 means yes). */
void multilabel_add(multilabel_metrics *m, const float *truth, const double *predicted);
double multilabel_exact_match(const multilabel_metrics *m);
double multilabel_macro_f1(const multilabel_metrics *m);
double multilabel_micro_f1(const multilabel_metrics *m);
void multilabel_report(const multilabel_metrics *m, const char *const *names, FILE *out);

/* Regression: one value per example. */
typedef struct regression_metrics {
    int64_t n;
    double sum_sq, sum_abs, sum_y, sum_y2, loss_sum;
} regression_metrics;

void regression_reset(regression_metrics *m);
void regression_add(regression_metrics *m, double truth, double predicted);
double regression_mse(const regression_metrics *m);
double regression_mae(const regression_metrics *m);
/* 1 - SSE / SST (0 when every truth is the same). */
double regression_r2(const regression_metrics *m);
void regression_report(const regression_metrics *m, FILE *out);

#endif
