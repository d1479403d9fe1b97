/* Fuzz target: history.tsv, the per-epoch table `attn train --resume`
 * reads back (tools/train_history.c, compiled in: tools/ is not a library),
 * with the epoch counts a checkpoint may claim: none, one, about the rows
 * the file has, and far more than a fixed array would hold (issue 13: a
 * 1,500-epoch resume once wrote past a 1,000-row array in
 * tools/cmd_train.c). Promises, checked with abort: the load succeeds only
 * with that many rows, never keeps more rows than asked, and what it kept
 * survives a save and a load again.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/train_history.h"

static char dir[64], again_dir[80], path[96];

static void require(int ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_history: %s\n", what);
    abort();
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/fuzz-history-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        require(mkdtemp(dir) != NULL, "mkdtemp");
        snprintf(again_dir, sizeof again_dir, "%s/again", dir);
        require(mkdir(again_dir, 0700) == 0, "mkdir");
        snprintf(path, sizeof path, "%s/history.tsv", dir);
    }
    FILE *f = fopen(path, "wb");
    require(f && fwrite(data, 1, size, f) == size && fclose(f) == 0, "writing the input");
    int64_t lines = 0;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    const int64_t asks[] = {0, 1, lines > 0 ? lines - 1 : 0, lines, 1500, 1000000};
    for (size_t k = 0; k < sizeof asks / sizeof asks[0]; k++) {
        history h;
        history_init(&h, "val_accuracy", "val_macro_f1");
        int rc = history_load(&h, dir, asks[k]);
        require(h.n <= asks[k], "more rows kept than asked");
        require(rc != 0 || h.n == asks[k], "success with fewer rows than asked");
        if (rc == 0 && h.n > 0) {
            require(history_save(&h, again_dir) == 0, "history_save");
            history again;
            history_init(&again, "val_accuracy", "val_macro_f1");
            require(history_load(&again, again_dir, h.n) == 0, "a saved history does not load");
            for (int64_t i = 0; i < h.n; i++)
                require(same(h.train_loss[i], again.train_loss[i]) && same(h.val_loss[i], again.val_loss[i]) &&
                            same(h.val_score[i], again.val_score[i]) && same(h.val_second[i], again.val_second[i]) &&
                            same(h.seconds[i], again.seconds[i]),
                        "a row changed through save and load");
            history_free(&again);
        }
        history_free(&h);
    }
    return 0;
}
