/* libattn io (filled in by its area). */
#ifndef ATTN_IO_H
#define ATTN_IO_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* ATTN_IO_H */
