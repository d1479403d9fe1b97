/* Replays fuzz inputs through a fuzz target without libFuzzer, so the
 * regression corpora run in every `meson test` with the normal compiler
 * (and under the sanitizer and valgrind test setups).
 *
 * Usage: replay_<target> [DIR-or-FILE ...]
 * Feeds the empty input first, then every regular file named on the command
 * line or found directly inside a named directory (in name order, so a run
 * is reproducible). A crash, a sanitizer report or a non-zero return from
 * the target fails the run; the output is TAP, one line per input. A missing
 * path is an error: a mistyped corpus directory must not pass silently.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as with libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int tests_run;
static int tests_failed;

static void run_one(const char *label, const uint8_t *data, size_t size)
{
    /* a private copy of exactly size bytes: reads past the end are caught by ASan/valgrind */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) {
        printf("not ok %d - %s: out of memory\n", ++tests_run, label);
        tests_failed++;
        return;
    }
    if (size) memcpy(copy, data, size);
    int rc = LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    tests_run++;
    /* libFuzzer allows 0 and -1 (keep out of the corpus); anything else is a target bug */
    if (rc != 0 && rc != -1) {
        printf("not ok %d - %s (%zu bytes): target returned %d\n", tests_run, label, size, rc);
        tests_failed++;
        fflush(stdout);
        return;
    }
    printf("ok %d - %s (%zu bytes)\n", tests_run, label, size);
    fflush(stdout);
}

static int read_whole(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

static void run_file(const char *path)
{
    uint8_t *data;
    size_t size;
    if (read_whole(path, &data, &size) != 0) {
        printf("not ok %d - %s: cannot read: %s\n", ++tests_run, path, strerror(errno));
        tests_failed++;
        return;
    }
    run_one(path, data, size);
    free(data);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("not ok %d - %s: cannot open: %s\n", ++tests_run, dir, strerror(errno));
        tests_failed++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ".", "..", editor and git leftovers */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            if (!bigger) break;
            names = bigger;
        }
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        names[n] = malloc(len);
        if (!names[n]) break;
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) run_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    run_one("empty input", (const uint8_t *)"", 0);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            printf("not ok %d - %s: %s\n", ++tests_run, argv[i], strerror(errno));
            tests_failed++;
        } else if (S_ISDIR(st.st_mode)) {
            run_dir(argv[i]);
        } else {
            run_file(argv[i]);
        }
    }
    printf("1..%d\n", tests_run);
    return tests_failed ? 1 : 0;
}
