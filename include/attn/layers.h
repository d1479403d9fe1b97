/* libattn layers (filled in by its area). */
#ifndef ATTN_LAYERS_H
#define ATTN_LAYERS_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* ATTN_LAYERS_H */
