/* Status codes: static names, and the per-context last-error message. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *attn_status_str(attn_status status)
{
    switch (status) {
    case ATTN_OK: return "ATTN_OK: success";
    case ATTN_ERR_INVALID_ARG: return "ATTN_ERR_INVALID_ARG: invalid argument";
    case ATTN_ERR_NOMEM: return "ATTN_ERR_NOMEM: out of memory or over the memory limit";
    case ATTN_ERR_SHAPE: return "ATTN_ERR_SHAPE: tensor shapes do not agree";
    case ATTN_ERR_DTYPE: return "ATTN_ERR_DTYPE: wrong element type";
    case ATTN_ERR_IO: return "ATTN_ERR_IO: input/output error";
    case ATTN_ERR_FORMAT: return "ATTN_ERR_FORMAT: malformed input";
    case ATTN_ERR_RANGE: return "ATTN_ERR_RANGE: index out of range";
    case ATTN_ERR_STATE: return "ATTN_ERR_STATE: call out of order";
    case ATTN_ERR_NUMERIC: return "ATTN_ERR_NUMERIC: NaN or Inf";
    case ATTN_ERR_LIMIT: return "ATTN_ERR_LIMIT: size limit exceeded";
    case ATTN_ERR_UNSUPPORTED: return "ATTN_ERR_UNSUPPORTED: not supported";
    case ATTN_ERR_NOT_FOUND: return "ATTN_ERR_NOT_FOUND: not found";
    case ATTN_ERR_OVERFLOW: return "ATTN_ERR_OVERFLOW: size overflow";
    default: return "unknown attn_status";
    }
}

attn_status attn__fail(attn_ctx *ctx, attn_status status, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->last_error, sizeof ctx->last_error, fmt, ap);
        va_end(ap);
    }
    return status;
}

attn_status attn__ok(attn_ctx *ctx)
{
    if (ctx) ctx->last_error[0] = '\0';
    return ATTN_OK;
}

const char *attn_ctx_last_error(const attn_ctx *ctx)
{
    return ctx ? ctx->last_error : "no context";
}
