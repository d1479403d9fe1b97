/* libattn model (filled in by its area). */
#ifndef ATTN_MODEL_H
#define ATTN_MODEL_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* ATTN_MODEL_H */
