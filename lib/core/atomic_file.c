/* Atomic file replacement (see atomic_file.h). */
#include "core/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/file.h" /* attn__errno_str, the one thread-safe strerror */


struct attn__atomic_file {
    attn_ctx *ctx;
    int fd;
    char *path, *tmp;
    attn_status status;
};

attn_status attn__atomic_open(attn_ctx *ctx, const char *path, attn__atomic_file **out)
{
    *out = NULL;
    attn__atomic_file *f = attn__calloc(ctx, 1, sizeof *f);
    if (!f) return ATTN_ERR_NOMEM;
    size_t n = strlen(path);
    f->ctx = ctx;
    f->fd = -1;
    f->path = attn__strdup(ctx, path);
    f->tmp = attn__alloc(ctx, n + 16);
    if (!f->path || !f->tmp) {
        attn__atomic_abort(f);
        return ATTN_ERR_NOMEM;
    }
    /* The temporary file is created with mode 0666 so that the kernel
     * applies the process's umask (and a default ACL) as for any new file:
     * reading the umask would mean changing it, which is process-wide
     * state. mkstemp cannot be used: it always creates 0600. A file being
     * replaced keeps its permission bits (set-id bits dropped). */
    struct stat old;
    int replacing = stat(path, &old) == 0 && S_ISREG(old.st_mode);
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t r = (uint64_t)(uintptr_t)f ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
    int err = EEXIST;
    for (int attempt = 0; attempt < 100 && err == EEXIST; attempt++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL; /* a new name per attempt */
        char suffix[7];
        for (int i = 0; i < 6; i++) suffix[i] = letters[(r >> (64 - 6 * (i + 1))) % (sizeof letters - 1)];
        suffix[6] = '\0';
        snprintf(f->tmp, n + 16, "%s.tmp.%s", path, suffix);
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        err = f->fd < 0 ? errno : 0;
    }
    if (f->fd < 0) {
        char e[128];
        attn_status st = attn__fail(ctx, ATTN_ERR_IO, "%s: cannot create a temporary file: %s", path, attn__errno_str(err, e, sizeof e));
        f->tmp[0] = '\0';
        attn__atomic_abort(f);
        return st;
    }
    if (replacing && fchmod(f->fd, old.st_mode & 0777) != 0) {
        char e[128];
        attn_status st = attn__fail(ctx, ATTN_ERR_IO, "%s: cannot give the new file the mode %03o of the old one: %s",
                                    path, (unsigned)(old.st_mode & 0777), attn__errno_str(errno, e, sizeof e));
        attn__atomic_abort(f);
        return st;
    }
    *out = f;
    return ATTN_OK;
}

attn_status attn__atomic_write(attn__atomic_file *f, const void *data, size_t len)
{
    if (f->status != ATTN_OK) return f->status;
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(f->fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            char e[128];
            f->status = attn__fail(f->ctx, ATTN_ERR_IO, "%s: write failed: %s", f->path, w < 0 ? attn__errno_str(errno, e, sizeof e) : "no progress");
            return f->status;
        }
        p += w;
        len -= (size_t)w;
    }
    return ATTN_OK;
}

/* fsync of the directory makes the rename itself durable. */
static int sync_directory(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) dir[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

attn_status attn__atomic_commit(attn__atomic_file *f)
{
    attn_status st = f->status;
    char e[128];
    if (st == ATTN_OK && fsync(f->fd) != 0)
        st = attn__fail(f->ctx, ATTN_ERR_IO, "%s: fsync failed: %s", f->path, attn__errno_str(errno, e, sizeof e));
    if (close(f->fd) != 0 && st == ATTN_OK)
        st = attn__fail(f->ctx, ATTN_ERR_IO, "%s: close failed: %s", f->path, attn__errno_str(errno, e, sizeof e));
    f->fd = -1;
    if (st == ATTN_OK && rename(f->tmp, f->path) != 0)
        st = attn__fail(f->ctx, ATTN_ERR_IO, "%s: cannot rename the temporary file into place: %s", f->path, attn__errno_str(errno, e, sizeof e));
    if (st == ATTN_OK) {
        f->tmp[0] = '\0'; /* renamed: nothing left to remove */
        if (sync_directory(f->path) != 0)
            st = attn__fail(f->ctx, ATTN_ERR_IO, "%s: written, but syncing its directory failed (%s): the new file may not survive a crash",
                            f->path, attn__errno_str(errno, e, sizeof e));
    }
    attn__atomic_abort(f);
    return st;
}

void attn__atomic_abort(attn__atomic_file *f)
{
    if (!f) return;
    if (f->fd >= 0) close(f->fd);
    if (f->tmp && f->tmp[0]) unlink(f->tmp);
    attn__free(f->ctx, f->tmp);
    attn__free(f->ctx, f->path);
    attn__free(f->ctx, f);
}

attn_status attn__write_file_atomic(attn_ctx *ctx, const char *path, const void *data, size_t len)
{
    attn__atomic_file *f;
    ATTN_CHECK(attn__atomic_open(ctx, path, &f));
    attn_status st = attn__atomic_write(f, data, len);
    if (st != ATTN_OK) {
        attn__atomic_abort(f);
        return st;
    }
    return attn__atomic_commit(f);
}
