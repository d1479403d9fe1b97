/* Evaluation over a tokenized set for every problem type (evaluate.h). */
#include "evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int evaluation_init(evaluation *e, int32_t problem, int32_t k)
{
    memset(e, 0, sizeof *e);
    e->problem = problem;
    e->k = k;
    if (problem == ATTN_PROBLEM_SINGLE_LABEL) return metrics_init(&e->classes, k);
    if (problem == ATTN_PROBLEM_MULTI_LABEL) return multilabel_init(&e->multi, k);
    return 0;
}

void evaluation_free(evaluation *e)
{
    metrics_free(&e->classes);
    multilabel_free(&e->multi);
}

void evaluation_reset(evaluation *e)
{
    if (e->problem == ATTN_PROBLEM_SINGLE_LABEL) metrics_reset(&e->classes);
    else if (e->problem == ATTN_PROBLEM_MULTI_LABEL) multilabel_reset(&e->multi);
    else regression_reset(&e->reg);
}

int evaluate(const char *cmd, attn_model *model, const encoded_set *set, batch_tensors *bt, int32_t batch,
             evaluation *e, attn_ctx *ctx)
{
    evaluation_reset(e);
    double loss_sum = 0.0, *p = calloc((size_t)e->k, sizeof *p);
    if (!p || attn_model_set_training(model, 0) != ATTN_OK) {
        free(p);
        return cli_fail(cmd, ctx, "eval mode");
    }
    for (int64_t first = 0; first < set->n; first += batch) {
        int64_t count = set->n - first < batch ? set->n - first : batch;
        float loss;
        if (batch_tensors_fill(bt, set, NULL, first, count) ||
            attn_model_forward(model, bt->ids, NULL, bt->mask) != ATTN_OK ||
            attn_model_loss(model, bt->labels, &loss) != ATTN_OK) {
            free(p);
            return cli_fail(cmd, ctx, "evaluation");
        }
        const float *z = attn_tensor_data_f32(attn_model_output(model, ATTN_OUT_LOGITS));
        for (int64_t b = 0; b < count; b++) {
            const float *zb = z + b * e->k;
            if (e->problem == ATTN_PROBLEM_SINGLE_LABEL) {
                int32_t best = 0;
                for (int32_t c = 1; c < e->k; c++)
                    if (zb[c] > zb[best]) best = c;
                metrics_add(&e->classes, set->labels[first + b], best);
            } else if (e->problem == ATTN_PROBLEM_MULTI_LABEL) {
                for (int32_t c = 0; c < e->k; c++) p[c] = 1.0 / (1.0 + exp(-(double)zb[c]));
                multilabel_add(&e->multi, set->targets + (first + b) * set->width, p);
            } else {
                regression_add(&e->reg, set->targets[first + b], zb[0]);
            }
        }
        loss_sum += (double)loss * (double)count;
    }
    free(p);
    e->classes.loss_sum = e->multi.loss_sum = e->reg.loss_sum = loss_sum;
    return 0;
}

int64_t evaluation_count(const evaluation *e)
{
    return e->problem == ATTN_PROBLEM_SINGLE_LABEL ? e->classes.n
           : e->problem == ATTN_PROBLEM_MULTI_LABEL ? e->multi.n
                                                    : e->reg.n;
}

double evaluation_loss(const evaluation *e)
{
    int64_t n = evaluation_count(e);
    return n ? e->reg.loss_sum / (double)n : 0.0;
}

double evaluation_score(const evaluation *e)
{
    return e->problem == ATTN_PROBLEM_SINGLE_LABEL ? metrics_accuracy(&e->classes)
           : e->problem == ATTN_PROBLEM_MULTI_LABEL ? multilabel_exact_match(&e->multi)
                                                    : regression_r2(&e->reg);
}

double evaluation_second(const evaluation *e)
{
    return e->problem == ATTN_PROBLEM_SINGLE_LABEL ? metrics_macro_f1(&e->classes)
           : e->problem == ATTN_PROBLEM_MULTI_LABEL ? multilabel_macro_f1(&e->multi)
                                                    : regression_mae(&e->reg);
}

const char *evaluation_score_name(const evaluation *e)
{
    return e->problem == ATTN_PROBLEM_REGRESSION ? "R^2" : e->problem == ATTN_PROBLEM_MULTI_LABEL ? "exact" : "acc";
}

const char *evaluation_second_name(const evaluation *e) { return e->problem == ATTN_PROBLEM_REGRESSION ? "MAE" : "macro-F1"; }

void evaluation_report(const evaluation *e, const char *const *names, FILE *out)
{
    if (e->problem == ATTN_PROBLEM_SINGLE_LABEL) metrics_report(&e->classes, names, out);
    else if (e->problem == ATTN_PROBLEM_MULTI_LABEL) multilabel_report(&e->multi, names, out);
    else regression_report(&e->reg, out);
}

void evaluation_summary(const evaluation *e, FILE *out)
{
    const char *name = e->problem == ATTN_PROBLEM_REGRESSION    ? "R^2"
                       : e->problem == ATTN_PROBLEM_MULTI_LABEL ? "exact-match accuracy"
                                                                : "accuracy";
    fprintf(out, "%s %.4f  %s %.4f", name, evaluation_score(e), evaluation_second_name(e), evaluation_second(e));
}

void evaluation_json(const evaluation *e, FILE *out)
{
    int empty = evaluation_count(e) == 0;
    const char *fmt = empty ? "\"test_%s\": null" : "\"test_%s\": %.6f";
    if (e->problem == ATTN_PROBLEM_REGRESSION) {
        fprintf(out, fmt, "mse", regression_mse(&e->reg));
        fprintf(out, ", ");
        fprintf(out, fmt, "mae", regression_mae(&e->reg));
        fprintf(out, ", ");
        fprintf(out, fmt, "r2", regression_r2(&e->reg));
        return;
    }
    fprintf(out, fmt, "accuracy", evaluation_score(e));
    fprintf(out, ", ");
    fprintf(out, fmt, "macro_f1", evaluation_second(e));
    if (e->problem == ATTN_PROBLEM_MULTI_LABEL) {
        fprintf(out, ", ");
        fprintf(out, fmt, "micro_f1", multilabel_micro_f1(&e->multi));
    }
}
