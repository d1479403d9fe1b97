#include "metrics.h"

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
