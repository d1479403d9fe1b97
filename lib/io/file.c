/* Whole-file reads and positioned reads (see file.h). POSIX only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

const char *attn__errno_str(int err, char *buf, size_t n)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(err, buf, n);
#else
    if (strerror_r(err, buf, n) != 0) snprintf(buf, n, "error %d", err);
    return buf;
#endif
}

static attn_status io_fail(attn_ctx *ctx, int err, const char *path, const char *what)
{
    char eb[128];
    return attn__fail(ctx, ATTN_ERR_IO, "%s: %s: %s", path, what, attn__errno_str(err, eb, sizeof eb));
}

/* What a file that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

attn_status attn__file_read_all(attn_ctx *ctx, const char *path, size_t max_bytes, void **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (max_bytes > SIZE_MAX / 4) max_bytes = SIZE_MAX / 4; /* keeps cap arithmetic exact */
    /* O_NONBLOCK: opening a FIFO without a writer must not hang; the file
     * type is checked on the descriptor (no race with a rename between a
     * stat and the open), and only regular files are read: a FIFO, a
     * device (/dev/zero, a tty) or a socket named like a model file would
     * block or never end. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return io_fail(ctx, errno, path, "cannot open");
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        attn_status st = io_fail(ctx, errno, path, "cannot stat");
        close(fd);
        return st;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return attn__fail(ctx, ATTN_ERR_IO, "%s: is %s; only regular files are read", path, file_kind(sb.st_mode));
    }
    if ((uint64_t)sb.st_size > max_bytes) {
        close(fd);
        return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: %lld bytes exceed the limit of %zu", path,
                          (long long)sb.st_size, max_bytes);
    }
    /* read in one go when the size is right; a file that grows while read
     * (or reports size 0, as /proc files do) grows the buffer, still
     * bounded. One byte more than the content holds the terminating NUL. */
    size_t cap = (size_t)sb.st_size + 1;
    if (cap < 4096) cap = 4096;
    if (cap > max_bytes + 1) cap = max_bytes + 1;
    char *buf = attn__alloc(ctx, cap);
    size_t used = 0;
    attn_status st = buf ? ATTN_OK : ATTN_ERR_NOMEM;
    while (st == ATTN_OK) {
        if (used + 1 == cap) {
            if (used >= max_bytes) {
                st = attn__fail(ctx, ATTN_ERR_LIMIT, "%s: more than %zu bytes", path, max_bytes);
                break;
            }
            size_t ncap = cap > max_bytes / 2 ? max_bytes + 2 : cap * 2;
            char *nb = attn__alloc(ctx, ncap);
            if (!nb) {
                st = ATTN_ERR_NOMEM;
                break;
            }
            memcpy(nb, buf, used);
            attn__free(ctx, buf);
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + used, cap - 1 - used);
        if (r < 0) {
            if (errno == EINTR) continue;
            st = io_fail(ctx, errno, path, "cannot read");
        } else if (r == 0) {
            break;
        } else {
            used += (size_t)r;
        }
    }
    close(fd);
    if (st == ATTN_OK && used > max_bytes)
        st = attn__fail(ctx, ATTN_ERR_LIMIT, "%s: more than %zu bytes", path, max_bytes);
    if (st != ATTN_OK) {
        attn__free(ctx, buf);
        return st;
    }
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return ATTN_OK;
}

attn_status attn__file_pread(attn_ctx *ctx, int fd, const char *path, void *dst, size_t n, uint64_t offset)
{
    char *p = dst;
    while (n > 0) {
        if (offset > (uint64_t)INT64_MAX - n)
            return attn__fail(ctx, ATTN_ERR_IO, "%s: read offset %llu overflows", path, (unsigned long long)offset);
        ssize_t r = pread(fd, p, n, (off_t)offset);
        if (r < 0) {
            if (errno == EINTR) continue;
            return io_fail(ctx, errno, path, "read failed");
        }
        if (r == 0)
            return attn__fail(ctx, ATTN_ERR_IO, "%s: file ended at offset %llu while %zu more bytes were expected "
                              "(was it truncated while open?)", path, (unsigned long long)offset, n);
        p += r;
        n -= (size_t)r;
        offset += (uint64_t)r;
    }
    return ATTN_OK;
}
