#ifndef SWASH_CZLIB_SHIM_H
#define SWASH_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro (it passes the library version and the stream's size); expose it as a function. */
static inline int swash_inflate_init_raw(z_streamp stream) { return inflateInit2(stream, -15); }
#endif
