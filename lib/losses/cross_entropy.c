/* Class losses on rows: cross-entropy on logits (log-softmax, then NLL, with
 * PyTorch's label smoothing) and NLL on log-probabilities.
 *
 * Shapes: input x [N, C], target t [N] (int32/int64), weight w [C] (1 when
 * absent), elements [N]. For a non-ignored row with smoothing eps:
 *   loss_i = (1 - eps) * -w[t] logp[t] + (eps / C) * sum_c -w[c] logp[c]
 *   dloss_i/dx_j = (1 - eps) w[t] (p_j - [j = t]) + (eps / C) (p_j sum_c w[c] - w[j])
 * where logp = log_softmax(x) (CE) and p = exp(logp). The mean divides by
 * W = sum of w[t] over non-ignored rows, for the smoothing term too, which
 * is PyTorch 1.13's formula. Rows are computed in double. */
#include <math.h>

#include "loss_internal.h"

static int64_t target_at(const attn_tensor *t, int64_t i)
{
    int64_t o = t->offset + i * t->stride[0];
    return t->dtype == ATTN_I32 ? ((const int32_t *)t->storage->data)[o] : ((const int64_t *)t->storage->data)[o];
}

static double class_weight(const attn_loss *loss, int64_t c) { return loss->weight ? loss->weight[c] : 1.0; }

static attn_status validate(const attn_loss *loss, const attn__loss_call *call, int64_t n, int64_t c)
{
    const char *fn = call->fn;
    const attn_tensor *target = call->target;
    char s1[96], s2[96];
    if (call->input->rank != 2)
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: input must be [N, C], got %s", fn,
                          attn__shape_str(call->input, s1, sizeof s1));
    if (c == 0) return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: input [%lld, 0] has no classes", fn, (long long)n);
    if (target->dtype != ATTN_I32 && target->dtype != ATTN_I64)
        return attn__fail(loss->ctx, ATTN_ERR_DTYPE, "%s: target must hold int32 or int64 class indices (dtype %d)", fn,
                          (int)target->dtype);
    if (target->rank != 1 || target->shape[0] != n)
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: target %s does not match input %s (expected [%lld])", fn,
                          attn__shape_str(target, s1, sizeof s1), attn__shape_str(call->input, s2, sizeof s2),
                          (long long)n);
    if (loss->weight && loss->weight_len != c)
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: weight has %lld entries, input has %lld classes", fn,
                          (long long)loss->weight_len, (long long)c);
    if (loss->reduction == ATTN_REDUCTION_NONE) {
        if (call->elements) ATTN_CHECK(attn__loss_check_elements(loss, fn, "elements", call->elements, 1, &n));
        if (call->delements) ATTN_CHECK(attn__loss_check_elements(loss, fn, "delements", call->delements, 1, &n));
    }
    ATTN_CHECK(attn__loss_check_finite(loss, fn, "input", call->input));
    ATTN_CHECK(attn__loss_check_finite(loss, fn, "delements", call->delements));
    for (int64_t i = 0; i < n; i++) {
        int64_t t = target_at(target, i);
        if (t != loss->ignore_index && (t < 0 || t >= c))
            return attn__fail(loss->ctx, ATTN_ERR_RANGE,
                              "%s: target[%lld] = %lld is outside [0, %lld) and is not ignore_index (%lld)", fn,
                              (long long)i, (long long)t, (long long)c, (long long)loss->ignore_index);
    }
    return ATTN_OK;
}

/* log-sum-exp of row i, max-subtracted (CE); 0 for NLL, whose input already is logp */
static double row_lse(const attn_loss *loss, const float *x, int64_t sc, int64_t c)
{
    if (loss->kind == ATTN_LOSS_NLL) return 0.0;
    float m = -INFINITY;
    for (int64_t j = 0; j < c; j++) m = x[j * sc] > m ? x[j * sc] : m;
    double s = 0.0;
    for (int64_t j = 0; j < c; j++) s += exp((double)x[j * sc] - m);
    return (double)m + log(s);
}

attn_status attn__class_loss_run(const attn_loss *loss, const attn__loss_call *call)
{
    const attn_tensor *in = call->input;
    int64_t n = in->rank == 2 ? in->shape[0] : 0, c = in->rank == 2 ? in->shape[1] : 0;
    ATTN_CHECK(validate(loss, call, n, c));

    const double eps = loss->label_smoothing;
    double w_all = 0.0, w_total = 0.0;
    for (int64_t j = 0; j < c; j++) w_all += class_weight(loss, j);
    for (int64_t i = 0; i < n; i++) {
        int64_t t = target_at(call->target, i);
        if (t != loss->ignore_index) w_total += class_weight(loss, t);
    }
    const float *x0 = attn__f32(in);
    const int64_t sr = in->stride[0], sc = in->stride[1];
    const attn_reduction red = loss->reduction;

    if (!call->dinput) {
        double total = 0.0;
        for (int64_t i = 0; i < n; i++) {
            int64_t t = target_at(call->target, i);
            double li = 0.0;
            if (t != loss->ignore_index) {
                const float *x = x0 + i * sr;
                double lse = row_lse(loss, x, sc, c);
                li = (1.0 - eps) * -class_weight(loss, t) * ((double)x[t * sc] - lse);
                if (eps != 0.0) {
                    double smooth = 0.0;
                    for (int64_t j = 0; j < c; j++) smooth -= class_weight(loss, j) * ((double)x[j * sc] - lse);
                    li += eps / (double)c * smooth;
                }
            }
            total += li;
            if (red == ATTN_REDUCTION_NONE)
                attn__f32(call->elements)[i * call->elements->stride[0]] = (float)li;
        }
        if (call->value) *call->value = red == ATTN_REDUCTION_MEAN ? total / w_total : total;
        return ATTN_OK;
    }

    /* backward: a mean over no weight has nothing to propagate (PyTorch gives zeros) */
    if (red == ATTN_REDUCTION_MEAN && w_total == 0.0) return ATTN_OK;
    float *dx0 = attn__f32(call->dinput);
    const int64_t dr = call->dinput->stride[0], dc = call->dinput->stride[1];
    for (int64_t i = 0; i < n; i++) {
        int64_t t = target_at(call->target, i);
        if (t == loss->ignore_index) continue;
        double g = call->scale;
        if (red == ATTN_REDUCTION_MEAN) g /= w_total;
        if (red == ATTN_REDUCTION_NONE && call->delements)
            g *= attn__f32(call->delements)[i * call->delements->stride[0]];
        const float *x = x0 + i * sr;
        float *dx = dx0 + i * dr;
        double wt = class_weight(loss, t);
        if (loss->kind == ATTN_LOSS_NLL) {
            dx[t * dc] += (float)(-g * wt);
            continue;
        }
        double lse = row_lse(loss, x, sc, c);
        for (int64_t j = 0; j < c; j++) {
            double p = exp((double)x[j * sc] - lse);
            double d = (1.0 - eps) * wt * (p - (j == t ? 1.0 : 0.0));
            if (eps != 0.0) d += eps / (double)c * (p * w_all - class_weight(loss, j));
            dx[j * dc] += (float)(g * d);
        }
    }
    return ATTN_OK;
}
