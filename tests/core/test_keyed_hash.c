/* The keyed hash of hash tables over file contents (lib/core/keyed_hash.h):
 * the two-part form equals the hash of the joined bytes wherever the seam
 * falls (across 8-byte words too), and fresh keys differ and change the
 * value, which is what keeps a crafted file from choosing collisions. */
#include <string.h>

#include "core/keyed_hash.h"
#include "test_common.h"

START_TEST(the_seam_of_the_two_parts_does_not_matter)
{
    attn__hash_key key = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
    const char *text = "##subword pieces across words";
    size_t n = strlen(text);
    uint64_t whole = attn__keyed_hash2(key, text, n, NULL, 0);
    for (size_t cut = 0; cut <= n; cut++)
        ck_assert(attn__keyed_hash2(key, text, cut, text + cut, n - cut) == whole);
    /* the length is part of the value: a prefix is another key */
    ck_assert(attn__keyed_hash2(key, text, n - 1, NULL, 0) != whole);
}
END_TEST

START_TEST(fresh_keys_differ_and_change_the_hash)
{
    attn__hash_key a = attn__hash_key_new(), b = attn__hash_key_new();
    ck_assert(a.k0 != b.k0 || a.k1 != b.k1);
    ck_assert(attn__keyed_hash2(a, "label", 5, NULL, 0) != attn__keyed_hash2(b, "label", 5, NULL, 0));
    ck_assert(attn__keyed_hash2(a, "label", 5, NULL, 0) == attn__keyed_hash2(a, "label", 5, NULL, 0));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("keyed_hash");
    TCase *tc = tcase_create("keyed_hash");
    tcase_add_test(tc, the_seam_of_the_two_parts_does_not_matter);
    tcase_add_test(tc, fresh_keys_differ_and_change_the_hash);
    suite_add_tcase(s, tc);
    return attn_test_run(s);
}
