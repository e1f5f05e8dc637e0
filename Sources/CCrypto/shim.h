#ifndef SWASH_CCRYPTO_SHIM_H
#define SWASH_CCRYPTO_SHIM_H
/* OpenSSL's libcrypto, for SHA-256 only: its SHA-256 uses the CPU's SHA extensions (SHA-NI, ARMv8 SHA2)
   where they exist. The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, but they run
   the same code and keep the state in a plain struct (a value that copies); wrapped here so Swift sees no
   deprecated API. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>

typedef SHA256_CTX swash_sha256_state;

static inline void swash_sha256_init(swash_sha256_state *state) { SHA256_Init(state); }
static inline void swash_sha256_update(swash_sha256_state *state, const void *bytes, size_t count) {
    SHA256_Update(state, bytes, count);
}
static inline void swash_sha256_final(swash_sha256_state *state, unsigned char digest[32]) { SHA256_Final(digest, state); }
#endif
