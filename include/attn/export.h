/** @file
 * libattn export macro: every public declaration carries ATTN_API; all other
 * symbols are hidden (the library is built with -fvisibility=hidden). */
#ifndef ATTN_EXPORT_H
#define ATTN_EXPORT_H

/** @def ATTN_API
 *  Marks a declaration as part of the public, exported API. */
#if defined(_WIN32)
#  define ATTN_API
#elif defined(ATTN_BUILDING_LIBRARY) && defined(__GNUC__)
#  define ATTN_API __attribute__((visibility("default")))
#else
#  define ATTN_API
#endif

#endif /* ATTN_EXPORT_H */
