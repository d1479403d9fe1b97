/* Fuzz target: history.tsv, the per-epoch table `attn train --resume`
 * reads back (tools/history.c), with the epoch counts a checkpoint may
 * claim: none, one, the rows the file seems to have, and far more than any
 * fixed array would hold (issue 13: a 1,500-epoch resume once wrote past a
 * 1,000-row array in tools/cmd_train.c). Promises, checked with abort:
 * the load succeeds exactly when the file has that many rows, never keeps
 * more rows than asked, and what it kept survives a save and a load again.
 * Library-independent: tools/history.c is compiled in.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../tools/history.h"

static int input_fd = -1;
static char input_path[64], dir[64], saved[96];

static void require(int ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_history: %s\n", what);
    abort();
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        input_fd = memfd_create("history.tsv", 0);
        require(input_fd >= 0, "memfd_create");
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
        snprintf(dir, sizeof dir, "/tmp/fuzz-history-XXXXXX");
        require(mkdtemp(dir) != NULL, "mkdtemp");
        snprintf(saved, sizeof saved, "%s/history.tsv", dir);
    }
    require(ftruncate(input_fd, 0) == 0, "ftruncate");
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(input_fd, data + done, size - done, (off_t)done);
        require(n > 0, "pwrite");
        done += (size_t)n;
    }
    int64_t lines = 0;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    const int64_t asks[] = {0, 1, lines > 0 ? lines - 1 : 0, lines, 1500, 1000000};
    for (size_t k = 0; k < sizeof asks / sizeof asks[0]; k++) {
        history h;
        memset(&h, 0, sizeof h);
        int rc = history_load(&h, input_path, asks[k]);
        require(h.n <= asks[k], "more rows kept than asked");
        require((rc == 0) == (h.n == asks[k]), "the status disagrees with the rows read");
        require(h.n <= lines, "more rows than lines");
        if (rc == 0 && h.n > 0) {
            require(history_save(&h, saved) == 0, "history_save");
            history again;
            memset(&again, 0, sizeof again);
            require(history_load(&again, saved, h.n) == 0, "a saved history does not load");
            for (int64_t i = 0; i < h.n; i++)
                require(same(h.train_loss[i], again.train_loss[i]) && same(h.val_loss[i], again.val_loss[i]) &&
                            same(h.val_acc[i], again.val_acc[i]) && same(h.val_f1[i], again.val_f1[i]) &&
                            same(h.seconds[i], again.seconds[i]),
                        "a row changed through save and load");
            history_free(&again);
            unlink(saved);
        }
        history_free(&h);
    }
    return 0;
}
