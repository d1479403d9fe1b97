/* A keyed hash for tables whose keys come from files (vocabularies, label
 * names): SipHash-1-3 (Aumasson and Bernstein's construction, 64-bit
 * output) under a 128-bit key drawn from the operating system when the
 * table is built. A file cannot be crafted to collide under a key it does
 * not know, so hash flooding (every entry in one probe chain, quadratic
 * loading) is out of reach; FNV and other unkeyed hashes are not.
 * Internal; keys are per table, so nothing process-wide is touched. */
#ifndef ATTN_CORE_KEYED_HASH_H
#define ATTN_CORE_KEYED_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct attn__hash_key {
    uint64_t k0, k1;
} attn__hash_key;

/* A fresh key: getrandom(2) when the kernel gives one without blocking,
 * else a mix of the clock, an address and a counter (unpredictable enough
 * to keep a file from targeting it, not for cryptography). */
attn__hash_key attn__hash_key_new(void);

/* The hash of the concatenation a[0, na) b[0, nb) under key: callers look
 * up a prefix + piece (WordPiece's "##" + subword) without joining them. */
uint64_t attn__keyed_hash2(attn__hash_key key, const void *a, size_t na, const void *b, size_t nb);

#endif
