/** @file
 * libattn core: contexts, status codes, settings, version queries.
 *
 * Every libattn object belongs to one context (attn_ctx). A context and the
 * objects created from it may be used by one thread at a time; use one
 * context per host thread (contexts share nothing mutable).
 *
 * Rules every public function follows unless its own comment says otherwise:
 *
 * - **Errors.** A function returning attn_status returns ATTN_OK or one of
 *   the codes below; on failure the context's attn_ctx_last_error says what
 *   was wrong and what to do; a call that creates a handle sets `*out` to
 *   NULL (nothing half-built is ever handed out and nothing leaks); other
 *   out-parameters are not to be relied on after a failure.
 *   A NULL required argument is ATTN_ERR_INVALID_ARG. Functions returning
 *   void never fail; queries returning a number or pointer say what they
 *   return for a NULL or invalid argument. Nothing aborts, exits, prints or
 *   changes process-wide state (environment, signals, locale, BLIS's global
 *   settings).
 * - **Ownership.** A handle written to `**out` by a `*_create`, `*_load`,
 *   `*_open` or `*_view_*` call belongs to the caller, who releases it with
 *   the matching `*_destroy` / `*_close`; destroy calls accept NULL. Inputs
 *   are borrowed for the duration of the call only, unless the comment says
 *   a handle keeps a reference (views keep their storage; a model keeps its
 *   tokenizer). Pointers returned by queries (strings, data pointers,
 *   tensors of a batch or a layer) are borrowed: valid until the object they
 *   come from is destroyed or changed by a later call on it, never freed by
 *   the caller.
 * - **Threads.** One thread at a time per context (as above). The only
 *   functions safe to call from any thread at any time, with no context, are
 *   attn_status_str, attn_version_number, attn_version_string,
 *   attn_isa_parse, attn_ctx_option_bounds, attn_dtype_size,
 *   attn_safetensors_dtype_name, attn_lr_schedule, attn_lr_schedule_error,
 *   attn_bert_config_init and attn_ctx_create itself. Work a call spreads
 *   over the context's ATTN_OPT_THREADS threads is finished when it returns.
 *
 * Anything not declared in the public headers is not part of the API.
 */
#ifndef ATTN_CORE_H
#define ATTN_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "attn/export.h"
#include "attn/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status code returned by every fallible call. Values are fixed forever;
 *  new codes are only ever appended. */
typedef int32_t attn_status;

enum {
    ATTN_OK = 0,                 /**< success */
    ATTN_ERR_INVALID_ARG = 1,    /**< a NULL handle, a bad enum value, an out-of-range number */
    ATTN_ERR_NOMEM = 2,          /**< allocation failed or the context's memory limit was hit */
    ATTN_ERR_SHAPE = 3,          /**< tensor shapes do not agree */
    ATTN_ERR_DTYPE = 4,          /**< wrong element type */
    ATTN_ERR_IO = 5,             /**< a file could not be opened, read or written */
    ATTN_ERR_FORMAT = 6,         /**< a file or string is malformed (the message says where) */
    ATTN_ERR_RANGE = 7,          /**< an index or label is out of range */
    ATTN_ERR_STATE = 8,          /**< call out of order (e.g. backward before forward) */
    ATTN_ERR_NUMERIC = 9,        /**< NaN or Inf where finite values are required */
    ATTN_ERR_LIMIT = 10,         /**< a configured or built-in size limit was exceeded */
    ATTN_ERR_UNSUPPORTED = 11,   /**< valid request this build cannot do */
    ATTN_ERR_NOT_FOUND = 12,     /**< a named item (tensor, token, option) does not exist */
    ATTN_ERR_OVERFLOW = 13       /**< a size computation would overflow */
};

/** Static, human-readable name of a status code ("ATTN_ERR_SHAPE: ..."). Never NULL. */
ATTN_API const char *attn_status_str(attn_status status);

/** Runtime version: ATTN_VERSION_NUMBER of the library actually loaded. */
ATTN_API uint32_t attn_version_number(void);
/** Runtime version as "MAJOR.MINOR.PATCH". Static string. */
ATTN_API const char *attn_version_string(void);

/** A context: settings, the last error, the allocator, the RNG and the
 *  thread pool that every object created from it uses. Opaque. */
typedef struct attn_ctx attn_ctx;

/** Creates a context with default settings (threads = 1, seed = 0, no memory
 *  limit, malloc/free, the best ISA level the CPU runs). On first use in the
 *  process this also initialises BLIS, which picks its kernel set itself
 *  (see ATTN_INFO_BLIS_ARCH); libattn changes no process-wide state. */
ATTN_API attn_status attn_ctx_create(attn_ctx **out);
/** Destroys a context. NULL is a no-op. Every object created from the
 *  context must be destroyed first. */
ATTN_API void attn_ctx_destroy(attn_ctx *ctx);

/** Detailed message for the last error on this context ("" if none).
 *  Valid until the next call on the context. Never NULL (ctx may be NULL). */
ATTN_API const char *attn_ctx_last_error(const attn_ctx *ctx);

/** Integer settings of a context (enum keys; values never change). */
typedef enum attn_ctx_option {
    ATTN_OPT_THREADS = 1,        /**< threads for compute, >= 1 (default 1) */
    ATTN_OPT_SEED = 2,           /**< RNG seed, any int64 (default 0); resets the RNG counter */
    ATTN_OPT_MEMORY_LIMIT = 3,   /**< bytes the context may hold at once, 0 = unlimited */
    ATTN_OPT_CHECK_FINITE = 4,   /**< 1 = losses, optimizers and inference (eval-mode attn_model_forward) fail on NaN/Inf (default 0) */
    ATTN_OPT_RNG_COUNTER = 5,    /**< position of the context's random stream (for resume) */
    ATTN_OPT_MAX_ISA = 6,        /**< highest attn_isa level the context's kernels may use (default
                                      ATTN_ISA_AVX512 = no cap); the level in use is the lower of this
                                      and what the CPU runs (ATTN_INFO_ISA). The BLIS kernels are not
                                      capped (see ATTN_INFO_BLIS_CHOICE). */
    ATTN_OPT_BATCH_INVARIANT = 7, /**< 1: a row's results never depend on the other rows of a batch (every
                                      GEMM with the model's weights takes BLIS's packed path, whose order of
                                      summation per element is fixed by the inner dimension alone), so a text
                                      gives the same bits alone or in any batch; 0 (default): small products
                                      take faster kernels, results agree to float rounding. attn_model_embed
                                      and attn_model_score_pairs always run with 1. */
    /* read-only statistics, for attn_ctx_get_int only */
    ATTN_INFO_BYTES_IN_USE = 100, /**< bytes currently allocated through the context */
    ATTN_INFO_PEAK_BYTES = 101,   /**< high-water mark of ATTN_INFO_BYTES_IN_USE */
    ATTN_INFO_ALLOC_COUNT = 102,  /**< number of heap allocations made so far */
    ATTN_INFO_ISA = 103           /**< attn_isa level the context's own kernels run at */
} attn_ctx_option;

/** Instruction-set levels of the library's own vectorised kernels (small
 *  GEMM, row kernels, optimizer loops), lowest first. Each is built into
 *  every x86-64 library and chosen per context; other CPUs have only
 *  ATTN_ISA_BASELINE (portable C the compiler vectorises for its target). */
typedef enum attn_isa {
    ATTN_ISA_BASELINE = 1,       /**< x86-64 baseline (SSE2), "sse2" */
    ATTN_ISA_AVX2 = 2,           /**< x86-64-v3: AVX2 + FMA, "avx2" */
    ATTN_ISA_AVX512 = 3          /**< x86-64-v4: AVX-512 F/BW/CD/DQ/VL, "avx512" */
} attn_isa;

/** Parses a level name as programs take it from the user (for instance from
 *  an ATTN_MAX_CPU_ISA environment variable, which the attn CLI and the test
 *  and benchmark programs read; the library itself reads no environment
 *  for it): "sse2" (or "baseline"), "avx2", "avx512". Writes the attn_isa
 *  value to *isa. ATTN_ERR_INVALID_ARG for NULL arguments or an unknown name
 *  (*isa unchanged). */
ATTN_API attn_status attn_isa_parse(const char *name, int64_t *isa);

/** Sets an integer option. ATTN_ERR_INVALID_ARG for an unknown key, a
 *  read-only key or a value outside attn_ctx_option_bounds. */
ATTN_API attn_status attn_ctx_set_int(attn_ctx *ctx, attn_ctx_option key, int64_t value);
/** Reads an integer option or statistic into *value. */
ATTN_API attn_status attn_ctx_get_int(const attn_ctx *ctx, attn_ctx_option key, int64_t *value);
/** Smallest and largest value accepted by attn_ctx_set_int for key. */
ATTN_API attn_status attn_ctx_option_bounds(attn_ctx_option key, int64_t *min, int64_t *max);

/** String information about the running library. */
typedef enum attn_ctx_info {
    ATTN_INFO_BLIS_ARCH = 1,     /**< BLIS kernel set in use, e.g. "skx" */
    ATTN_INFO_BLIS_CHOICE = 2,   /**< how it was chosen: "BLIS's own detection, kept (cpuid: ...)", "BLIS_ARCH_TYPE=3 from
                                      the environment", or a set below the CPU's with the BLIS_ARCH_TYPE a
                                      program may set before it starts; libattn sets no environment */
    ATTN_INFO_BLIS_LIBRARY = 3,  /**< BLIS version string */
    ATTN_INFO_ISA_NAME = 4       /**< name of the context's ATTN_INFO_ISA level: "avx512", "avx2", "sse2"
                                      or "generic" (a non-x86 build's baseline) */
} attn_ctx_info;

/** Static string for an info key, or NULL for an unknown key (or a NULL ctx
 *  for ATTN_INFO_ISA_NAME, the one key that depends on the context). */
ATTN_API const char *attn_ctx_info_string(const attn_ctx *ctx, attn_ctx_info key);

/** Allocator hook: alloc returns memory of at least size bytes (NULL on
 *  failure), free releases it. user is passed through unchanged. */
typedef void *(*attn_alloc_fn)(void *user, size_t size);
/** Frees ptr, which came from the matching attn_alloc_fn (never NULL). */
typedef void (*attn_free_fn)(void *user, void *ptr);

/** Routes the context's allocations through alloc/free. Only allowed while
 *  the context holds no memory (right after attn_ctx_create): otherwise
 *  ATTN_ERR_STATE. Passing NULL for both restores malloc/free. */
ATTN_API attn_status attn_ctx_set_allocator(attn_ctx *ctx, attn_alloc_fn alloc,
                                            attn_free_fn free_fn, void *user);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_CORE_H */
