/* Writing a file so that a crash at any moment leaves either the old file
 * or the complete new one: write a temporary file in the same directory,
 * fsync it, rename it over the target, fsync the directory. */
#ifndef ATTN_ATOMIC_FILE_H
#define ATTN_ATOMIC_FILE_H

#include "internal.h"

typedef struct attn__atomic_file attn__atomic_file;

/* Starts writing path (through a temporary "path.tmp.XXXXXX"). */
attn_status attn__atomic_open(attn_ctx *ctx, const char *path, attn__atomic_file **out);
/* Appends bytes; on failure the file is aborted and later calls fail. */
attn_status attn__atomic_write(attn__atomic_file *f, const void *data, size_t len);
/* fsync, rename over the target, fsync the directory; frees f. */
attn_status attn__atomic_commit(attn__atomic_file *f);
/* Removes the temporary file and frees f; the target is untouched. NULL is a no-op. */
void attn__atomic_abort(attn__atomic_file *f);
/* The whole sequence for a buffer in memory. */
attn_status attn__write_file_atomic(attn_ctx *ctx, const char *path, const void *data, size_t len);

#endif
