/** @file
 * libattn io: safetensors files (the Hugging Face checkpoint format).
 *
 * A safetensors file is an 8-byte little-endian header length N, N bytes of
 * JSON  {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [..],
 * "data_offsets": [begin, end]}, ...}  and then the raw little-endian data;
 * offsets are relative to the start of the data section.
 *
 * Reading treats every byte as hostile. A file is refused (ATTN_ERR_FORMAT,
 * or ATTN_ERR_LIMIT for the size limits below, with a message naming the
 * file and the tensor) unless:
 *  - N <= ATTN_SAFETENSORS_MAX_HEADER and 8 + N <= the file size;
 *  - the header is strict JSON (valid UTF-8, no duplicate keys, nothing
 *    after the object but the spaces that pad it) whose top level is an
 *    object;
 *  - "__metadata__", if present, maps strings to strings;
 *  - every other member is a tensor: an object with exactly "dtype" (a known
 *    safetensors dtype), "shape" (0..ATTN_SAFETENSORS_MAX_RANK non-negative
 *    integers whose product times the element size fits in 63 bits) and
 *    "data_offsets" ([begin, end] integers with end - begin equal to that
 *    byte size); names are non-empty UTF-8 without NUL, at most
 *    ATTN_SAFETENSORS_MAX_NAME bytes, at most ATTN_SAFETENSORS_MAX_TENSORS
 *    of them;
 *  - the tensors, sorted by offset, tile the data section exactly: no
 *    overlap, no hole, no trailing byte (the rule of Hugging Face's own
 *    reader, so files it writes and reads pass here too);
 *  - when the metadata holds "attn.crc32c" (written by this library), the
 *    CRC-32C of the data section equals it: a flipped bit or a damaged
 *    region is reported at open instead of turning into wrong weights.
 *    Files without the key (from PyTorch, Hugging Face) load normally; a
 *    tool that rewrites the data but copies libattn's metadata produces a
 *    mismatch too (drop the key to load such a file).
 * Error messages name the file (or "<memory>") and the tensor; offsets in
 * messages about the JSON header count from the header's first byte.
 *
 * Writing produces the layout of Hugging Face's safetensors: tensors sorted
 * by descending dtype (I64, F32, I32) then by name, header keys in that
 * order after "__metadata__", header padded with spaces to a multiple of 8
 * so every tensor is aligned, and the file replaced atomically (a crash
 * leaves either the old or the new complete file).
 */
#ifndef ATTN_IO_H
#define ATTN_IO_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest header accepted (bytes), as in Hugging Face's reader. */
#define ATTN_SAFETENSORS_MAX_HEADER 100000000
/** Most tensors in one file. */
#define ATTN_SAFETENSORS_MAX_TENSORS 262144
/** Most dimensions of a tensor in a file (libattn tensors have at most ATTN_MAX_RANK). */
#define ATTN_SAFETENSORS_MAX_RANK 8
/** Longest tensor name or metadata key, in bytes. */
#define ATTN_SAFETENSORS_MAX_NAME 4096
/** Metadata key under which libattn stores the CRC-32C of the data section
 *  (8 lowercase hex digits). Reserved: the writer refuses it as a user key. */
#define ATTN_SAFETENSORS_CHECKSUM_KEY "attn.crc32c"

/** Element types a safetensors file may declare (values never change). */
typedef enum attn_st_dtype {
    ATTN_ST_F32 = 0,
    ATTN_ST_F16 = 1,
    ATTN_ST_BF16 = 2,
    ATTN_ST_F64 = 3,
    ATTN_ST_I64 = 4,
    ATTN_ST_I32 = 5,
    ATTN_ST_I16 = 6,
    ATTN_ST_I8 = 7,
    ATTN_ST_U8 = 8,
    ATTN_ST_U16 = 9,
    ATTN_ST_U32 = 10,
    ATTN_ST_U64 = 11,
    ATTN_ST_BOOL = 12,
    ATTN_ST_F8_E4M3 = 13,
    ATTN_ST_F8_E5M2 = 14
} attn_st_dtype;

/** The file's spelling of a dtype ("F32", "BF16", ...); NULL if unknown. Static. */
ATTN_API const char *attn_safetensors_dtype_name(int32_t file_dtype);

/* ---- reading ---- */

/** An open safetensors file for reading (header parsed, data mapped or read). Opaque. */
typedef struct attn_safetensors attn_safetensors;

/** Opens and validates the file at path (every rule above; the data section
 *  is read once when it carries a checksum). The header is kept in memory,
 *  tensor data stays in the file until read. The file stays open until
 *  attn_safetensors_close. Errors: ATTN_ERR_INVALID_ARG (NULL argument),
 *  ATTN_ERR_IO (missing, unreadable, a directory), ATTN_ERR_FORMAT,
 *  ATTN_ERR_LIMIT, ATTN_ERR_NOMEM. On error *out is NULL. */
ATTN_API attn_status attn_safetensors_open(attn_ctx *ctx, const char *path, attn_safetensors **out);
/** Same from memory. The bytes are borrowed, not copied: they must stay
 *  valid and unchanged until attn_safetensors_close. Messages name the file
 *  "<memory>". */
ATTN_API attn_status attn_safetensors_open_memory(attn_ctx *ctx, const void *data, size_t len,
                                                  attn_safetensors **out);
/** Closes the file and frees everything. NULL is a no-op. */
ATTN_API void attn_safetensors_close(attn_safetensors *st);

/** Number of tensors (0 for NULL). */
ATTN_API int32_t attn_safetensors_count(const attn_safetensors *st);
/** Name of tensor i, 0 <= i < count, in data-offset order (the order of the
 *  file); borrowed until close. NULL if i is out of range. */
ATTN_API const char *attn_safetensors_name(const attn_safetensors *st, int32_t i);
/** Index of the tensor called name. ATTN_ERR_NOT_FOUND if there is none. */
ATTN_API attn_status attn_safetensors_find(const attn_safetensors *st, const char *name, int32_t *index);
/** The file's dtype (attn_st_dtype), rank (0..8) and shape of tensor i.
 *  Any out pointer may be NULL; shape needs ATTN_SAFETENSORS_MAX_RANK
 *  entries. ATTN_ERR_RANGE for a bad i. */
ATTN_API attn_status attn_safetensors_info(const attn_safetensors *st, int32_t i, int32_t *file_dtype,
                                           int32_t *rank, int64_t *shape);

/** Reads tensor name into dst, whose shape must equal the file's exactly
 *  (a rank-0 scalar in the file matches a dst of shape [1]). dst may be a
 *  strided view. Conversions:
 *   - ATTN_F32 from F32, F16, BF16 (exact) and F64 (rounded; a finite value
 *     beyond the float range is ATTN_ERR_RANGE);
 *   - ATTN_I32 / ATTN_I64 from I64, I32, I16, I8, U8, U16, U32, U64, BOOL
 *     (a value that does not fit dst is ATTN_ERR_RANGE naming the element).
 *  Anything else is ATTN_ERR_DTYPE. Same-type reads into a contiguous dst
 *  go straight from the file into dst's memory. On an error dst may be
 *  partly written. Other errors: ATTN_ERR_NOT_FOUND, ATTN_ERR_SHAPE,
 *  ATTN_ERR_IO. */
ATTN_API attn_status attn_safetensors_read(attn_safetensors *st, const char *name, attn_tensor *dst);
/** Creates a contiguous tensor of dtype with the file's shape (rank 0 gives
 *  [1]) and reads name into it (conversions as above). The caller destroys
 *  *out. ATTN_ERR_UNSUPPORTED for a file rank above ATTN_MAX_RANK. */
ATTN_API attn_status attn_safetensors_load(attn_safetensors *st, const char *name, attn_dtype dtype,
                                           attn_tensor **out);

/** Metadata value of key, borrowed until close; NULL if absent. */
ATTN_API const char *attn_safetensors_metadata(const attn_safetensors *st, const char *key);
/** Number of metadata entries, and key i of them in byte order (NULL if i
 *  is out of range). */
ATTN_API int32_t attn_safetensors_metadata_count(const attn_safetensors *st);
/** Key i of the metadata in byte order (borrowed until close); NULL if i is out of range. */
ATTN_API const char *attn_safetensors_metadata_key(const attn_safetensors *st, int32_t i);

/* ---- writing ---- */

/** A safetensors file being assembled: tensors (borrowed) and metadata, written by save. Opaque. */
typedef struct attn_safetensors_writer attn_safetensors_writer;

/** An empty writer: add tensors and metadata, then save. */
ATTN_API attn_status attn_safetensors_writer_create(attn_ctx *ctx, attn_safetensors_writer **out);
/** Frees the writer (not the tensors). NULL is a no-op. */
ATTN_API void attn_safetensors_writer_destroy(attn_safetensors_writer *w);
/** Adds tensor t under name. t is borrowed until the last save: it must
 *  stay alive and its values are read at save time. Any dtype of libattn is
 *  written as is (ATTN_F32 -> F32, ATTN_I32 -> I32, ATTN_I64 -> I64);
 *  strided views are written in row-major order. Errors:
 *  ATTN_ERR_INVALID_ARG for a NULL argument, a name that is empty, longer
 *  than ATTN_SAFETENSORS_MAX_NAME, not UTF-8, "__metadata__", or already
 *  added; ATTN_ERR_LIMIT beyond ATTN_SAFETENSORS_MAX_TENSORS. */
ATTN_API attn_status attn_safetensors_writer_add(attn_safetensors_writer *w, const char *name,
                                                 const attn_tensor *t);
/** Sets a metadata entry (copied; setting a key again replaces its value).
 *  "format" is "pt" unless set here. Keys and values are UTF-8 strings;
 *  ATTN_SAFETENSORS_CHECKSUM_KEY is reserved (ATTN_ERR_INVALID_ARG). */
ATTN_API attn_status attn_safetensors_writer_set_metadata(attn_safetensors_writer *w, const char *key,
                                                          const char *value);
/** Writes everything added so far to path, replacing it atomically, with
 *  the CRC-32C of the data section under ATTN_SAFETENSORS_CHECKSUM_KEY. On
 *  failure (ATTN_ERR_IO, ATTN_ERR_NOMEM, ATTN_ERR_OVERFLOW) an existing
 *  file at path is left as it was and no temporary file remains. The
 *  writer may be saved again. */
ATTN_API attn_status attn_safetensors_writer_save(attn_safetensors_writer *w, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_IO_H */
