/* The finite check of ATTN_OPT_CHECK_FINITE for any float tensor (see
 * internal.h): the first NaN or Inf, by its index, in the message. */
#include <math.h>
#include <stdio.h>

#include "internal.h"

attn_status attn__tensor_check_finite(attn_ctx *ctx, const attn_tensor *t, const char *fn, const char *what)
{
    if (!t || t->dtype != ATTN_F32 || attn_tensor_numel(t) == 0 || attn__tensor_deferred(t)) return ATTN_OK;
    const float *p = t->storage->data;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        float v = p[attn__offset_of(t, idx)];
        if (!isfinite(v)) {
            char pos[160];
            size_t used = 0;
            for (int32_t i = 0; i < t->rank && used < sizeof pos; i++)
                used += (size_t)snprintf(pos + used, sizeof pos - used, i ? ", %lld" : "%lld", (long long)idx[i]);
            return attn__fail(ctx, ATTN_ERR_NUMERIC, "%s: %s[%s] is %s (ATTN_OPT_CHECK_FINITE is on)", fn, what, pos,
                              isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
        }
    } while (attn__index_next(idx, t->shape, t->rank));
    return ATTN_OK;
}
