/* A one-line progress bar on stderr: epoch, step, loss, examples/s, ETA.
 * Redrawn in place on a terminal; silent otherwise (or when quiet). */
#ifndef ATTN_TOOLS_PROGRESS_H
#define ATTN_TOOLS_PROGRESS_H

#include <stdint.h>

typedef struct progress {
    int enabled;
    double start;         /* seconds */
    double last_draw;
    int64_t total, examples;
} progress;

double now_seconds(void);
void progress_start(progress *p, int quiet, int64_t total_steps);
void progress_update(progress *p, int64_t epoch, int64_t epochs, int64_t step, int64_t examples, double loss);
void progress_end(progress *p);

#endif
