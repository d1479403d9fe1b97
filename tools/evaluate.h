/* A model evaluated on a tokenized set, whatever its problem type: the
 * numbers model selection compares and the report attn train and attn eval
 * print. */
#ifndef ATTN_TOOLS_EVALUATE_H
#define ATTN_TOOLS_EVALUATE_H

#include <stdio.h>

#include "attn.h"
#include "metrics.h"
#include "train_data.h"

typedef struct evaluation {
    int32_t problem, k;
    metrics classes;            /* single-label */
    multilabel_metrics multi;   /* multi-label */
    regression_metrics reg;     /* regression */
} evaluation;

int evaluation_init(evaluation *e, int32_t problem, int32_t k);
void evaluation_free(evaluation *e);
/* Empties the counts (an empty evaluation reports null in JSON). */
void evaluation_reset(evaluation *e);
/* Loss and metrics of model over set, in eval mode, batch examples at a
 * time; prints the error and returns 1 on failure. */
int evaluate(const char *cmd, attn_model *model, const encoded_set *set, batch_tensors *bt, int32_t batch,
             evaluation *e, attn_ctx *ctx);
int64_t evaluation_count(const evaluation *e);
double evaluation_loss(const evaluation *e);
/* The headline number: accuracy (classes), exact-match accuracy
 * (multi-label), R^2 (regression). */
double evaluation_score(const evaluation *e);
/* The second number: macro-F1 (classes, multi-label), MAE (regression). */
double evaluation_second(const evaluation *e);
/* Names of those two for messages: "acc"/"macro-F1", "R^2"/"MAE". */
const char *evaluation_score_name(const evaluation *e);
const char *evaluation_second_name(const evaluation *e);
/* The per-class (or per-label) table, or the regression errors. */
void evaluation_report(const evaluation *e, const char *const *names, FILE *out);
/* "accuracy 0.9000  macro-F1 0.8000" (or exact-match accuracy, R^2 and MAE). */
void evaluation_summary(const evaluation *e, FILE *out);
/* The JSON fields of a test report, prefix "test_": accuracy and macro_f1
 * (classes; multi-label adds micro_f1), or mse, mae and r2; null for an
 * empty set. No braces. */
void evaluation_json(const evaluation *e, FILE *out);

#endif
