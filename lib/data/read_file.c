/* Whole-file reads for the loaders, bounded before the memory is taken: a
 * hostile or mistaken path (a device, a huge log) fails with
 * ATTN_ERR_LIMIT instead of exhausting memory. Reads until EOF rather than
 * trusting a size from stat, so pipes and /proc files work too. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "data_internal.h"

attn_status attn__data_read_file(attn_ctx *ctx, const char *fn, const char *path, size_t max_bytes,
                                 char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return attn__fail(ctx, ATTN_ERR_IO, "%s: cannot open %s: %s", fn, path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = attn__alloc(ctx, cap + 1);
    if (!buf) {
        fclose(f);
        return ATTN_ERR_NOMEM;
    }
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                attn__free(ctx, buf);
                fclose(f);
                return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %s is larger than the limit of %zu bytes", fn, path,
                                  max_bytes);
            }
            size_t ncap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            char *nb = attn__alloc(ctx, ncap + 1);
            if (!nb) {
                attn__free(ctx, buf);
                fclose(f);
                return ATTN_ERR_NOMEM;
            }
            memcpy(nb, buf, n);
            attn__free(ctx, buf);
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        attn__free(ctx, buf);
        return attn__fail(ctx, ATTN_ERR_IO, "%s: cannot read %s: %s", fn, path, strerror(err));
    }
    if (n > max_bytes) {
        attn__free(ctx, buf);
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %s is larger than the limit of %zu bytes", fn, path, max_bytes);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ATTN_OK;
}
