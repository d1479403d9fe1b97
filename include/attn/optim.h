/* libattn optim (filled in by its area). */
#ifndef ATTN_OPTIM_H
#define ATTN_OPTIM_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* ATTN_OPTIM_H */
