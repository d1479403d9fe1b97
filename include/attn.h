/** @file
 * libattn: build, train and run BERT-style transformer encoders on the CPU.
 *
 * The umbrella header: include this one. Each area has its own header under
 * attn/. Rules that hold everywhere:
 *  - every fallible call returns attn_status (ATTN_OK = 0) and leaves a
 *    detailed message in attn_ctx_last_error(ctx);
 *  - X_create(ctx, ..., &out) / X_destroy(x), destroy(NULL) is a no-op;
 *  - getters return borrowed pointers; backward passes accumulate into
 *    gradients, zeroing is explicit;
 *  - one context per host thread; objects of one context are not locked.
 */
#ifndef ATTN_H
#define ATTN_H

#include "attn/core.h"
#include "attn/tensor.h"
#include "attn/ops.h"
#include "attn/layers.h"
#include "attn/losses.h"
#include "attn/optim.h"
#include "attn/tokenizer.h"
#include "attn/io.h"
#include "attn/model.h"
#include "attn/data.h"

#endif /* ATTN_H */
