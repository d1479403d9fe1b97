/* SipHash-1-3 over two concatenated byte strings, and the per-table key.
 * See keyed_hash.h for why the tables of file contents are keyed. */
#include "keyed_hash.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rng_mix.h"

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static void sip_round(sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = ROTL(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = ROTL(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = ROTL(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = ROTL(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = ROTL(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = ROTL(s->v2, 32);
}

static void sip_word(sip_state *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s); /* one compression round: the "1" of SipHash-1-3 */
    s->v0 ^= m;
}

uint64_t attn__keyed_hash2(attn__hash_key key, const void *a, size_t na, const void *b, size_t nb)
{
    sip_state s = {key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
                   key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
    /* bytes go into a little-endian word as they come, across the seam of a and b */
    uint64_t word = 0;
    unsigned filled = 0;
    const unsigned char *parts[2] = {a, b};
    size_t lens[2] = {na, nb};
    for (int p = 0; p < 2; p++) {
        for (size_t i = 0; i < lens[p]; i++) {
            word |= (uint64_t)parts[p][i] << (8 * filled);
            if (++filled == 8) {
                sip_word(&s, word);
                word = 0;
                filled = 0;
            }
        }
    }
    sip_word(&s, word | ((uint64_t)(na + nb) << 56));
    s.v2 ^= 0xff;
    for (int r = 0; r < 3; r++) sip_round(&s); /* the "3" finalisation rounds */
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

attn__hash_key attn__hash_key_new(void)
{
    attn__hash_key key;
    unsigned char bytes[16];
    ssize_t got;
    do got = getrandom(bytes, sizeof bytes, GRND_NONBLOCK);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof bytes) {
        memcpy(&key.k0, bytes, 8);
        memcpy(&key.k1, bytes + 8, 8);
        return key;
    }
    /* no entropy yet (early boot) or no getrandom: the clock and two
     * addresses (ASLR) are still unknown to whoever wrote the file */
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    key.k0 = attn__rng_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)&key);
    key.k1 = attn__rng_mix64(key.k0 ^ ATTN__RNG_GOLDEN ^ (uint64_t)(uintptr_t)&attn__hash_key_new);
    return key;
}
