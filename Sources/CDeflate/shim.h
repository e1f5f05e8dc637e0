#ifndef SWASH_CDEFLATE_SHIM_H
#define SWASH_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
