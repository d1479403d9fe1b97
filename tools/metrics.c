#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int metrics_init(metrics *m, int32_t k)
{
    memset(m, 0, sizeof *m);
    m->k = k;
    m->confusion = calloc((size_t)k * (size_t)k, sizeof *m->confusion);
    return m->confusion ? 0 : -1;
}

void metrics_reset(metrics *m)
{
    memset(m->confusion, 0, (size_t)m->k * (size_t)m->k * sizeof *m->confusion);
    m->n = 0;
    m->loss_sum = 0.0;
}

void metrics_free(metrics *m)
{
    free(m->confusion);
    m->confusion = NULL;
}

void metrics_add(metrics *m, int32_t truth, int32_t predicted)
{
    m->confusion[(int64_t)truth * m->k + predicted]++;
    m->n++;
}

double metrics_accuracy(const metrics *m)
{
    int64_t right = 0;
    for (int32_t c = 0; c < m->k; c++) right += m->confusion[(int64_t)c * m->k + c];
    return m->n ? (double)right / (double)m->n : 0.0;
}

double metrics_loss(const metrics *m) { return m->n ? m->loss_sum / (double)m->n : 0.0; }

void metrics_class(const metrics *m, int32_t c, double *precision, double *recall, double *f1)
{
    int64_t tp = m->confusion[(int64_t)c * m->k + c], predicted = 0, actual = 0;
    for (int32_t j = 0; j < m->k; j++) {
        predicted += m->confusion[(int64_t)j * m->k + c];
        actual += m->confusion[(int64_t)c * m->k + j];
    }
    *precision = predicted ? (double)tp / (double)predicted : 0.0;
    *recall = actual ? (double)tp / (double)actual : 0.0;
    *f1 = *precision + *recall > 0 ? 2 * *precision * *recall / (*precision + *recall) : 0.0;
}

double metrics_macro_f1(const metrics *m)
{
    double sum = 0.0;
    for (int32_t c = 0; c < m->k; c++) {
        double p, r, f;
        metrics_class(m, c, &p, &r, &f);
        sum += f;
    }
    return m->k ? sum / m->k : 0.0;
}

void metrics_report(const metrics *m, const char *const *names, FILE *out)
{
    fprintf(out, "%-16s %9s %9s %9s %8s\n", "class", "precision", "recall", "f1", "support");
    for (int32_t c = 0; c < m->k; c++) {
        double p, r, f;
        int64_t support = 0;
        for (int32_t j = 0; j < m->k; j++) support += m->confusion[(int64_t)c * m->k + j];
        metrics_class(m, c, &p, &r, &f);
        fprintf(out, "%-16s %9.3f %9.3f %9.3f %8lld\n", names[c], p, r, f, (long long)support);
    }
    fprintf(out, "%-16s %29.3f %8lld\n", "accuracy", metrics_accuracy(m), (long long)m->n);
    fprintf(out, "%-16s %29.3f %8lld\n", "macro-F1", metrics_macro_f1(m), (long long)m->n);
    fprintf(out, "\nconfusion matrix (rows: true, columns: predicted)\n%-16s", "");
    for (int32_t c = 0; c < m->k; c++) fprintf(out, " %8.8s", names[c]);
    fprintf(out, "\n");
    for (int32_t c = 0; c < m->k; c++) {
        fprintf(out, "%-16s", names[c]);
        for (int32_t j = 0; j < m->k; j++) fprintf(out, " %8lld", (long long)m->confusion[(int64_t)c * m->k + j]);
        fprintf(out, "\n");
    }
}

int multilabel_init(multilabel_metrics *m, int32_t k)
{
    memset(m, 0, sizeof *m);
    m->k = k;
    m->tp = calloc((size_t)k, sizeof *m->tp);
    m->fp = calloc((size_t)k, sizeof *m->fp);
    m->fn = calloc((size_t)k, sizeof *m->fn);
    return m->tp && m->fp && m->fn ? 0 : -1;
}

void multilabel_reset(multilabel_metrics *m)
{
    memset(m->tp, 0, (size_t)m->k * sizeof *m->tp);
    memset(m->fp, 0, (size_t)m->k * sizeof *m->fp);
    memset(m->fn, 0, (size_t)m->k * sizeof *m->fn);
    m->n = m->exact = 0;
    m->loss_sum = 0.0;
}

void multilabel_free(multilabel_metrics *m)
{
    free(m->tp);
    free(m->fp);
    free(m->fn);
    m->tp = m->fp = m->fn = NULL;
}

void multilabel_add(multilabel_metrics *m, const float *truth, const double *predicted)
{
    int all = 1;
    for (int32_t c = 0; c < m->k; c++) {
        int t = truth[c] >= 0.5f, p = predicted[c] >= 0.5;
        m->tp[c] += t && p;
        m->fp[c] += !t && p;
        m->fn[c] += t && !p;
        all &= t == p;
    }
    m->exact += all;
    m->n++;
}

double multilabel_exact_match(const multilabel_metrics *m) { return m->n ? (double)m->exact / (double)m->n : 0.0; }

static double f1_of(int64_t tp, int64_t fp, int64_t fn)
{
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

double multilabel_macro_f1(const multilabel_metrics *m)
{
    double sum = 0.0;
    for (int32_t c = 0; c < m->k; c++) sum += f1_of(m->tp[c], m->fp[c], m->fn[c]);
    return m->k ? sum / m->k : 0.0;
}

double multilabel_micro_f1(const multilabel_metrics *m)
{
    int64_t tp = 0, fp = 0, fn = 0;
    for (int32_t c = 0; c < m->k; c++) tp += m->tp[c], fp += m->fp[c], fn += m->fn[c];
    return f1_of(tp, fp, fn);
}

void multilabel_report(const multilabel_metrics *m, const char *const *names, FILE *out)
{
    fprintf(out, "%-16s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support");
    for (int32_t c = 0; c < m->k; c++) {
        int64_t tp = m->tp[c], fp = m->fp[c], fn = m->fn[c];
        fprintf(out, "%-16s %9.3f %9.3f %9.3f %8lld\n", names[c], tp + fp ? (double)tp / (double)(tp + fp) : 0.0,
                tp + fn ? (double)tp / (double)(tp + fn) : 0.0, f1_of(tp, fp, fn), (long long)(tp + fn));
    }
    fprintf(out, "%-16s %29.3f %8lld\n", "micro-F1", multilabel_micro_f1(m), (long long)m->n);
    fprintf(out, "%-16s %29.3f %8lld\n", "macro-F1", multilabel_macro_f1(m), (long long)m->n);
    fprintf(out, "%-16s %29.3f %8lld\n", "exact match", multilabel_exact_match(m), (long long)m->n);
}

void regression_reset(regression_metrics *m) { memset(m, 0, sizeof *m); }

void regression_add(regression_metrics *m, double truth, double predicted)
{
    double d = predicted - truth;
    m->sum_sq += d * d;
    m->sum_abs += d < 0 ? -d : d;
    m->sum_y += truth;
    m->sum_y2 += truth * truth;
    m->n++;
}

double regression_mse(const regression_metrics *m) { return m->n ? m->sum_sq / (double)m->n : 0.0; }
double regression_mae(const regression_metrics *m) { return m->n ? m->sum_abs / (double)m->n : 0.0; }

double regression_r2(const regression_metrics *m)
{
    if (!m->n) return 0.0;
    double mean = m->sum_y / (double)m->n, sst = m->sum_y2 - (double)m->n * mean * mean;
    return sst > 0.0 ? 1.0 - m->sum_sq / sst : 0.0;
}

void regression_report(const regression_metrics *m, FILE *out)
{
    fprintf(out, "%-16s %12.6g\n%-16s %12.6g\n%-16s %12.6g\n%-16s %12.4f\n%-16s %12lld\n", "MSE", regression_mse(m),
            "RMSE", sqrt(regression_mse(m)), "MAE", regression_mae(m), "R^2", regression_r2(m), "examples",
            (long long)m->n);
}
