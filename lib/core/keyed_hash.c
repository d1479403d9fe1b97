/* SipHash-2-4 (see keyed_hash.h), written from the published description:
 * four 64-bit lanes initialised from the key and constants, two rounds per
 * 8-byte little-endian word, the length in the last word's top byte, four
 * final rounds. */
#include "core/keyed_hash.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(attn__keyed_hash *h)
{
    h->v0 += h->v1;
    h->v1 = ROTL(h->v1, 13);
    h->v1 ^= h->v0;
    h->v0 = ROTL(h->v0, 32);
    h->v2 += h->v3;
    h->v3 = ROTL(h->v3, 16);
    h->v3 ^= h->v2;
    h->v0 += h->v3;
    h->v3 = ROTL(h->v3, 21);
    h->v3 ^= h->v0;
    h->v2 += h->v1;
    h->v1 = ROTL(h->v1, 17);
    h->v1 ^= h->v2;
    h->v2 = ROTL(h->v2, 32);
}

static void absorb(attn__keyed_hash *h, uint64_t m)
{
    h->v3 ^= m;
    sip_round(h);
    sip_round(h);
    h->v0 ^= m;
}

attn__hash_key attn__hash_key_random(void)
{
    attn__hash_key k = {0, 0};
    if (getrandom(&k, sizeof k, GRND_NONBLOCK) == (ssize_t)sizeof k) return k;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* splitmix64 steps over what differs between processes and calls */
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 48) ^
                 (uint64_t)(uintptr_t)&k;
    uint64_t out[2];
    for (int i = 0; i < 2; i++) {
        uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        out[i] = z ^ (z >> 31);
    }
    k.k0 = out[0];
    k.k1 = out[1];
    return k;
}

void attn__keyed_hash_init(attn__keyed_hash *h, attn__hash_key key)
{
    h->v0 = key.k0 ^ 0x736f6d6570736575ULL;
    h->v1 = key.k1 ^ 0x646f72616e646f6dULL;
    h->v2 = key.k0 ^ 0x6c7967656e657261ULL;
    h->v3 = key.k1 ^ 0x7465646279746573ULL;
    h->tail = 0;
    h->len = 0;
}

void attn__keyed_hash_byte(attn__keyed_hash *h, unsigned char c)
{
    h->tail |= (uint64_t)c << (8 * (h->len & 7));
    if ((++h->len & 7) == 0) {
        absorb(h, h->tail);
        h->tail = 0;
    }
}

void attn__keyed_hash_bytes(attn__keyed_hash *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n > 0 && (h->len & 7) != 0) {
        attn__keyed_hash_byte(h, *p++);
        n--;
    }
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t m = 0;
        for (int i = 7; i >= 0; i--) m = (m << 8) | p[i];
        absorb(h, m);
        h->len += 8;
    }
    while (n-- > 0) attn__keyed_hash_byte(h, *p++);
}

uint64_t attn__keyed_hash_final(const attn__keyed_hash *h)
{
    attn__keyed_hash s = *h;
    absorb(&s, s.tail | (s.len & 0xff) << 56);
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; i++) sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t attn__keyed_hash_of(attn__hash_key key, const void *data, size_t n)
{
    attn__keyed_hash h;
    attn__keyed_hash_init(&h, key);
    attn__keyed_hash_bytes(&h, data, n);
    return attn__keyed_hash_final(&h);
}
