/* A keyed hash for hash tables over the contents of files (labels, texts,
 * vocabulary entries): SipHash-2-4 (Aumasson and Bernstein), with a key
 * drawn at random for each table, so that a crafted file cannot choose
 * entries that share a slot (hash flooding: a file of colliding labels once
 * made loading quadratic). The value of a text is not stable between
 * tables or runs: never store it or use it for anything but a table's
 * slot. Internal. */
#ifndef ATTN_CORE_KEYED_HASH_H
#define ATTN_CORE_KEYED_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct attn__hash_key {
    uint64_t k0, k1;
} attn__hash_key;

/* A fresh random key (getrandom; if the kernel has no entropy to give,
 * the clock, the process id and an address: unpredictable enough for slot
 * placement, never for secrets). Touches no process-wide state. */
attn__hash_key attn__hash_key_random(void);

/* Incremental form, for texts read a byte at a time (the data sets'
 * normalised texts). */
typedef struct attn__keyed_hash {
    uint64_t v0, v1, v2, v3;
    uint64_t tail;      /* bytes not yet in a full 8-byte word */
    uint64_t len;       /* bytes so far */
} attn__keyed_hash;

void attn__keyed_hash_init(attn__keyed_hash *h, attn__hash_key key);
void attn__keyed_hash_byte(attn__keyed_hash *h, unsigned char c);
void attn__keyed_hash_bytes(attn__keyed_hash *h, const void *data, size_t n);
uint64_t attn__keyed_hash_final(const attn__keyed_hash *h);

/* The hash of data[0, n) in one call. */
uint64_t attn__keyed_hash_of(attn__hash_key key, const void *data, size_t n);

#endif /* ATTN_CORE_KEYED_HASH_H */
