/* libattn tokenizer (filled in by its area). */
#ifndef ATTN_TOKENIZER_H
#define ATTN_TOKENIZER_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* ATTN_TOKENIZER_H */
