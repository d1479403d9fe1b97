#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_start(progress *p, int quiet, int64_t total_steps)
{
    p->enabled = !quiet && isatty(2);
    p->start = now_seconds();
    p->last_draw = 0.0;
    p->total = total_steps;
    p->examples = 0;
}

void progress_update(progress *p, int64_t epoch, int64_t epochs, int64_t step, int64_t examples, double loss)
{
    p->examples = examples;
    if (!p->enabled) return;
    double t = now_seconds();
    if (t - p->last_draw < 0.1 && step < p->total) return;
    p->last_draw = t;
    double elapsed = t - p->start, rate = elapsed > 0 ? (double)examples / elapsed : 0.0;
    double eta = step > 0 ? elapsed / (double)step * (double)(p->total - step) : 0.0;
    int width = 24, filled = p->total ? (int)(width * step / p->total) : 0;
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\repoch %lld/%lld [%s] %lld/%lld  loss %.4f  %.0f ex/s  ETA %d:%02d ", (long long)epoch,
            (long long)epochs, bar, (long long)step, (long long)p->total, loss, rate, (int)eta / 60, (int)eta % 60);
    fflush(stderr);
}

void progress_end(progress *p)
{
    if (p->enabled) fprintf(stderr, "\r\033[K");
}
