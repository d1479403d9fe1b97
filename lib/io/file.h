/* Reading files for the io area and its users: whole-file reads with a size
 * limit and positioned reads, with messages that name the file. Internal.
 * (Atomic writes are lib/core/atomic_file.h.) */
#ifndef ATTN_IO_FILE_H
#define ATTN_IO_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* The one whole-file reader of the library (configs, JSON, vocabularies,
 * data sets): reads the whole file into *out (allocated through ctx,
 * followed by a NUL byte that *len does not count; release with
 * attn__free). Only regular files are read: a directory, FIFO, device or
 * socket is ATTN_ERR_IO at once (opened O_NONBLOCK, checked with fstat), as
 * is a file that cannot be opened or read; ATTN_ERR_LIMIT if it is larger
 * than max_bytes. Messages start with the path. */
attn_status attn__file_read_all(attn_ctx *ctx, const char *path, size_t max_bytes, void **out, size_t *len);

/* Reads exactly n bytes at offset. ATTN_ERR_IO on an error or when the file
 * ends first (path is for the message). */
attn_status attn__file_pread(attn_ctx *ctx, int fd, const char *path, void *dst, size_t n, uint64_t offset);

/* strerror for messages, thread-safe. */
const char *attn__errno_str(int err, char *buf, size_t n);

#endif /* ATTN_IO_FILE_H */
