/* CRC-32C, two ways: eight lookup tables that consume eight bytes per step
 * (portable), and the SSE4.2 crc32 instruction, which computes the same
 * polynomial several times faster (a BERT-base checkpoint is ~440 MB and is
 * checked on every load). The instruction has a latency of about three
 * cycles but can start one per cycle, so long inputs run as three
 * interleaved streams over adjacent blocks whose CRCs are then joined: the
 * register is linear over GF(2), so CRC(A || B) = shift(CRC(A)) ^ CRC_0(B),
 * where shift appends |B| zero bytes and is itself a table lookup. */
#include <pthread.h>
#include <string.h>

#include "crc32c.h"

#define POLY 0x82F63B78u

#define LANE_BYTES 8192 /* block of one stream; three blocks per round */

/* table[k][b]: the CRC state after byte b followed by k zero bytes */
static uint32_t table[8][256];
/* shift_table[k][b]: the state (b << 8k) after LANE_BYTES zero bytes */
static uint32_t shift_table[4][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++) c = (c >> 1) ^ (POLY & (0u - (c & 1u)));
        table[0][b] = c;
    }
    for (int k = 1; k < 8; k++)
        for (uint32_t b = 0; b < 256; b++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xFF];
    /* the zero-append operator on each of the 32 basis states, then by
     * linearity on every byte value of every byte position */
    uint32_t basis[32];
    for (int j = 0; j < 32; j++) {
        uint32_t c = 1u << j;
        for (int i = 0; i < LANE_BYTES; i++) c = (c >> 8) ^ table[0][c & 0xFF];
        basis[j] = c;
    }
    for (int k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t v = 0;
            for (int j = 0; j < 8; j++)
                if (b >> j & 1) v ^= basis[8 * k + j];
            shift_table[k][b] = v;
        }
}

/* The raw state c followed by LANE_BYTES zero bytes. */
static inline uint32_t shift_lane(uint32_t c)
{
    return shift_table[0][c & 0xFF] ^ shift_table[1][(c >> 8) & 0xFF] ^ shift_table[2][(c >> 16) & 0xFF] ^
           shift_table[3][c >> 24];
}

uint32_t attn__crc32c_portable(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&table_once, build_tables);
    const unsigned char *s = p;
    uint32_t c = ~crc;
    while (n >= 8) {
        /* the first byte is furthest from the end of the block: it is
         * advanced through 7 more bytes (table 7), the last through none */
        uint32_t lo = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
        lo ^= c;
        c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^ table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
            table[3][s[4]] ^ table[2][s[5]] ^ table[1][s[6]] ^ table[0][s[7]];
        s += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ table[0][(c ^ *s++) & 0xFF];
    return ~c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t crc, const unsigned char *s, size_t n)
{
    pthread_once(&table_once, build_tables);
    uint64_t c = ~crc;
    while (n && ((uintptr_t)s & 7)) {
        c = _mm_crc32_u8((uint32_t)c, *s++);
        n--;
    }
    while (n >= 3 * LANE_BYTES) {
        uint64_t c1 = 0, c2 = 0, w0, w1, w2;
        for (size_t i = 0; i < LANE_BYTES; i += 8) {
            memcpy(&w0, s + i, 8);
            memcpy(&w1, s + LANE_BYTES + i, 8);
            memcpy(&w2, s + 2 * LANE_BYTES + i, 8);
            c = _mm_crc32_u64(c, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
        }
        c = shift_lane(shift_lane((uint32_t)c) ^ (uint32_t)c1) ^ (uint32_t)c2;
        s += 3 * LANE_BYTES;
        n -= 3 * LANE_BYTES;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        c = _mm_crc32_u64(c, w);
        s += 8;
        n -= 8;
    }
    while (n--) c = _mm_crc32_u8((uint32_t)c, *s++);
    return ~(uint32_t)c;
}

int attn__crc32c_hardware(void)
{
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

uint32_t attn__crc32c(uint32_t crc, const void *p, size_t n)
{
    if (attn__crc32c_hardware()) return crc_sse42(crc, p, n);
    return attn__crc32c_portable(crc, p, n);
}
#else
int attn__crc32c_hardware(void) { return 0; }

uint32_t attn__crc32c(uint32_t crc, const void *p, size_t n)
{
    return attn__crc32c_portable(crc, p, n);
}
#endif
