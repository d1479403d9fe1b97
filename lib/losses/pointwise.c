/* Pointwise losses: MSE, BCE on probabilities, BCE on logits. Input, target
 * and (for reduction 'none') elements share one shape; weight and
 * pos_weight [C] apply per column of the last axis. Each element's loss and
 * derivative are computed in double from PyTorch 1.13's formulas; the mean
 * divides by the element count. */
#include <math.h>

#include "loss_internal.h"

/* loss and d loss / d x of one element; w = weight, pw = pos_weight */
typedef void (*elem_fn)(double x, double y, double pw, double *loss, double *grad);

static void mse_elem(double x, double y, double pw, double *loss, double *grad)
{
    double d = x - y;
    *loss = d * d;
    *grad = 2.0 * d;
}

/* logs clamped at -100 so x = 0 or 1 gives a finite loss; the gradient keeps
 * PyTorch's guard (x - y) / max(x (1 - x), 1e-12) instead of the clamp's */
static void bce_elem(double x, double y, double pw, double *loss, double *grad)
{
    double log_x = fmax(log(x), -100.0), log_1mx = fmax(log1p(-x), -100.0);
    *loss = (y - 1.0) * log_1mx - y * log_x;
    *grad = (x - y) / fmax((1.0 - x) * x, 1e-12);
}

/* (1 - y) x + (1 + (pw - 1) y) softplus(-x), softplus(-x) = max(-x, 0) + log1p(exp(-|x|)):
 * no exp of a large positive number, so no overflow */
static void bce_logits_elem(double x, double y, double pw, double *loss, double *grad)
{
    double softplus_neg = fmax(-x, 0.0) + log1p(exp(-fabs(x)));
    *loss = (1.0 - y) * x + (1.0 + (pw - 1.0) * y) * softplus_neg;
    double sig = x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
    *grad = (pw * y + 1.0 - y) * sig - pw * y;
}

static attn_status validate(const attn_loss *loss, const attn__loss_call *call)
{
    const char *fn = call->fn;
    const attn_tensor *in = call->input, *target = call->target;
    if (target->dtype != ATTN_F32)
        return attn__fail(loss->ctx, ATTN_ERR_DTYPE, "%s: target must be float32 (dtype %d)", fn, (int)target->dtype);
    ATTN_CHECK(attn__check_same_shape(target, in, "target", "input"));
    int64_t cols = in->shape[in->rank - 1];
    if (loss->weight && loss->weight_len != cols)
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: weight has %lld entries, the input's last axis %lld", fn,
                          (long long)loss->weight_len, (long long)cols);
    if (loss->pos_weight && loss->pos_weight_len != cols)
        return attn__fail(loss->ctx, ATTN_ERR_SHAPE, "%s: pos_weight has %lld entries, the input's last axis %lld", fn,
                          (long long)loss->pos_weight_len, (long long)cols);
    if (loss->reduction == ATTN_REDUCTION_NONE) {
        if (call->elements)
            ATTN_CHECK(attn__loss_check_elements(loss, fn, "elements", call->elements, in->rank, in->shape));
        if (call->delements)
            ATTN_CHECK(attn__loss_check_elements(loss, fn, "delements", call->delements, in->rank, in->shape));
    }
    ATTN_CHECK(attn__loss_check_finite(loss, fn, "input", in));
    ATTN_CHECK(attn__loss_check_finite(loss, fn, "target", target));
    ATTN_CHECK(attn__loss_check_finite(loss, fn, "delements", call->delements));
    if (loss->kind == ATTN_LOSS_BCE && attn_tensor_numel(in) > 0) {
        /* PyTorch refuses probabilities outside [0, 1]; NaN fails here too */
        const float *p = in->storage->data;
        int64_t idx[ATTN_MAX_RANK] = {0};
        do {
            float v = p[attn__offset_of(in, idx)];
            if (!(v >= 0.0f && v <= 1.0f)) {
                char pos[128];
                return attn__fail(loss->ctx, ATTN_ERR_RANGE,
                                  "%s: input[%s] = %g is not a probability in [0, 1] (BCE; use BCE_WITH_LOGITS for logits)",
                                  fn, attn__loss_position(idx, in->rank, pos, sizeof pos), (double)v);
            }
        } while (attn__index_next(idx, in->shape, in->rank));
    }
    return ATTN_OK;
}

attn_status attn__pointwise_loss_run(const attn_loss *loss, const attn__loss_call *call)
{
    ATTN_CHECK(validate(loss, call));
    const attn_tensor *in = call->input, *target = call->target;
    elem_fn f = loss->kind == ATTN_LOSS_MSE ? mse_elem : loss->kind == ATTN_LOSS_BCE ? bce_elem : bce_logits_elem;
    const attn_reduction red = loss->reduction;
    int64_t n = attn_tensor_numel(in);
    double g_all = call->scale;
    if (red == ATTN_REDUCTION_MEAN) g_all /= (double)n;
    double total = 0.0;
    if (n > 0) {
        const float *px = in->storage->data, *py = target->storage->data;
        float *pe = call->elements ? call->elements->storage->data : NULL;
        const float *pde = call->delements ? call->delements->storage->data : NULL;
        float *pdx = call->dinput ? call->dinput->storage->data : NULL;
        int64_t idx[ATTN_MAX_RANK] = {0};
        do {
            int64_t col = idx[in->rank - 1];
            double w = loss->weight ? loss->weight[col] : 1.0;
            double pw = loss->pos_weight ? loss->pos_weight[col] : 1.0;
            double l, d;
            f(px[attn__offset_of(in, idx)], py[attn__offset_of(target, idx)], pw, &l, &d);
            if (!call->dinput) {
                total += w * l;
                if (red == ATTN_REDUCTION_NONE)
                    pe[attn__offset_of(call->elements, idx)] = (float)(w * l);
            } else {
                double g = g_all;
                if (red == ATTN_REDUCTION_NONE && pde) g *= pde[attn__offset_of(call->delements, idx)];
                pdx[attn__offset_of(call->dinput, idx)] += (float)(g * w * d);
            }
        } while (attn__index_next(idx, in->shape, in->rank));
    }
    if (!call->dinput && call->value) *call->value = red == ATTN_REDUCTION_MEAN ? total / (double)n : total;
    return ATTN_OK;
}
