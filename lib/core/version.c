/* Runtime version queries (the header's macros tell the compile-time one). */
#include "internal.h"

uint32_t attn_version_number(void) { return ATTN_VERSION_NUMBER; }
const char *attn_version_string(void) { return ATTN_VERSION_STRING; }
