/* CRC-32C: published check values (the "123456789" check and the iSCSI
 * vectors of RFC 3720, B.4), chaining, and the CPU-instruction path (with
 * its interleaved streams) agreeing with the table path at every length and
 * alignment. */
#include <string.h>

#include "io/crc32c.h"
#include "test_common.h"

START_TEST(matches_the_published_check_values)
{
    ck_assert_uint_eq(attn__crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(attn__crc32c_portable(0, "123456789", 9), 0xE3069283u);
    unsigned char buf[32];
    memset(buf, 0, 32);
    ck_assert_uint_eq(attn__crc32c(0, buf, 32), 0x8A9136AAu);
    memset(buf, 0xFF, 32);
    ck_assert_uint_eq(attn__crc32c(0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++) buf[i] = (unsigned char)i;
    ck_assert_uint_eq(attn__crc32c(0, buf, 32), 0x46DD794Eu);
    ck_assert_uint_eq(attn__crc32c_portable(0, buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++) buf[i] = (unsigned char)(31 - i);
    ck_assert_uint_eq(attn__crc32c(0, buf, 32), 0x113FDB5Cu);
    ck_assert_uint_eq(attn__crc32c(0, buf, 0), 0u);
}
END_TEST

START_TEST(chained_updates_equal_one_pass)
{
    const char *s = "123456789";
    for (size_t cut = 0; cut <= 9; cut++) {
        ck_assert_uint_eq(attn__crc32c(attn__crc32c(0, s, cut), s + cut, 9 - cut), 0xE3069283u);
        ck_assert_uint_eq(attn__crc32c_portable(attn__crc32c_portable(0, s, cut), s + cut, 9 - cut), 0xE3069283u);
    }
}
END_TEST

START_TEST(hardware_and_table_paths_agree)
{
    static unsigned char buf[100000 + 16];
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n < 300; n += 1 + n / 8) {
            ck_assert_uint_eq(attn__crc32c(0, buf + off, n), attn__crc32c_portable(0, buf + off, n));
            ck_assert_uint_eq(attn__crc32c(0x12345678u, buf + off, n), attn__crc32c_portable(0x12345678u, buf + off, n));
        }
    /* around the three-block rounds of the interleaved path (3 x 8192 bytes) */
    static const size_t long_lengths[] = {24575, 24576, 24577, 24583, 49151, 49152, 49160, 73728, 100000};
    for (size_t i = 0; i < sizeof long_lengths / sizeof long_lengths[0]; i++)
        for (size_t off = 0; off < 16; off += 5) {
            size_t n = long_lengths[i] - (long_lengths[i] == 100000 ? off : 0);
            ck_assert_uint_eq(attn__crc32c(0, buf + off, n), attn__crc32c_portable(0, buf + off, n));
            ck_assert_uint_eq(attn__crc32c(0xdeadbeefu, buf + off, n), attn__crc32c_portable(0xdeadbeefu, buf + off, n));
        }
    /* chaining across a round boundary */
    ck_assert_uint_eq(attn__crc32c(attn__crc32c(0, buf, 30000), buf + 30000, 70000), attn__crc32c_portable(0, buf, 100000));
    /* a single flipped bit changes the value */
    uint32_t before = attn__crc32c(0, buf, 100000);
    buf[51234] ^= 0x10;
    ck_assert_uint_ne(attn__crc32c(0, buf, 100000), before);
    ck_assert_int_ge(attn__crc32c_hardware(), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crc32c");
    TCase *tc = tcase_create("crc32c");
    tcase_add_test(tc, matches_the_published_check_values);
    tcase_add_test(tc, chained_updates_equal_one_pass);
    tcase_add_test(tc, hardware_and_table_paths_agree);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
