/* Learning-rate schedules as pure functions of the step: Hugging Face's
 * get_constant_schedule_with_warmup, get_linear_schedule_with_warmup and
 * get_cosine_schedule_with_warmup (half a cosine), whose LambdaLR multiplies
 * the base lr by the factor of the current step (0 for the first step). */
#include <math.h>

#include "internal.h"

const char *attn_lr_schedule_error(attn_lr_schedule_kind kind, double base_lr, int64_t step, int64_t warmup_steps,
                                   int64_t total_steps)
{
    if (kind < ATTN_LR_CONSTANT || kind > ATTN_LR_COSINE)
        return "unknown schedule kind (ATTN_LR_CONSTANT, ATTN_LR_LINEAR or ATTN_LR_COSINE)";
    if (isnan(base_lr)) return "base_lr is NaN";
    if (base_lr < 0.0) return "base_lr is negative";
    if (isinf(base_lr)) return "base_lr is infinite";
    if (step < 0) return "step is negative";
    if (warmup_steps < 0) return "warmup_steps is negative";
    if (total_steps < 0) return "total_steps is negative";
    return NULL;
}

attn_status attn_lr_schedule(attn_lr_schedule_kind kind, double base_lr, int64_t step, int64_t warmup_steps,
                             int64_t total_steps, double *lr)
{
    if (!lr || attn_lr_schedule_error(kind, base_lr, step, warmup_steps, total_steps)) return ATTN_ERR_INVALID_ARG;
    double factor;
    if (step < warmup_steps) {
        factor = (double)step / (double)(warmup_steps > 1 ? warmup_steps : 1);
    } else if (kind == ATTN_LR_CONSTANT) {
        factor = 1.0;
    } else {
        int64_t span = total_steps - warmup_steps;
        double progress = (double)(step - warmup_steps) / (double)(span > 1 ? span : 1);
        if (kind == ATTN_LR_LINEAR) {
            /* HF: (total - step) / max(1, total - warmup), clamped at 0 */
            factor = (double)(total_steps - step) / (double)(span > 1 ? span : 1);
        } else {
            factor = 0.5 * (1.0 + cos(M_PI * progress));
        }
        if (factor < 0.0) factor = 0.0;
    }
    *lr = base_lr * factor;
    return ATTN_OK;
}
