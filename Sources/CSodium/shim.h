#ifndef SWASH_CSODIUM_SHIM_H
#define SWASH_CSODIUM_SHIM_H
#include <sodium.h>
#endif
