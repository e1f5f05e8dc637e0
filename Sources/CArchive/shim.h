#ifndef SWASH_CARCHIVE_SHIM_H
#define SWASH_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

/* The AE_IF* constants are macros with casts Swift cannot import; expose them as functions. */
static inline unsigned int swash_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int swash_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int swash_ae_iflnk(void) { return AE_IFLNK; }
static inline unsigned int swash_ae_ifmt(void) { return AE_IFMT; }
static inline unsigned int swash_ae_ifchr(void) { return AE_IFCHR; }
static inline unsigned int swash_ae_ifblk(void) { return AE_IFBLK; }
static inline unsigned int swash_ae_ififo(void) { return AE_IFIFO; }
static inline unsigned int swash_ae_ifsock(void) { return AE_IFSOCK; }
#endif
