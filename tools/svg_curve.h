/* The training curve as an SVG: train and validation loss (left axis) and
 * validation accuracy (right axis) per epoch. */
#ifndef ATTN_TOOLS_SVG_CURVE_H
#define ATTN_TOOLS_SVG_CURVE_H

#include <stdint.h>

int svg_curve_write(const char *path, const char *title, int64_t epochs, const double *train_loss,
                    const double *val_loss, const double *val_acc);

#endif
