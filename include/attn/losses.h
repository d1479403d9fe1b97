/* libattn losses (filled in by its area). */
#ifndef ATTN_LOSSES_H
#define ATTN_LOSSES_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* ATTN_LOSSES_H */
