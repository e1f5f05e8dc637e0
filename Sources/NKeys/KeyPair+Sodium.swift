internal import CSodium

/// Every libsodium call of this module, behind `[UInt8]` APIs.
enum Sodium {
    /// `sodium_init` once per process; `true` when the library is usable.
    private static let ready: Bool = sodium_init() >= 0

    static func keyPair(seed: [UInt8]) throws(NKeysError) -> (publicKey: [UInt8], secretKey: [UInt8]) {
        guard ready else { throw .cryptoUnavailable }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        let status = crypto_sign_seed_keypair(&publicKey, &secretKey, seed)
        guard status == 0 else { throw .cryptoUnavailable }
        return (publicKey, secretKey)
    }

    /// The X25519 public key of a 32-byte private scalar (`crypto_scalarmult_base`), as nkeys' curve keys
    /// and PyNaCl's `PrivateKey(seed).public_key` derive it.
    static func curvePublicKey(seed: [UInt8]) throws(NKeysError) -> [UInt8] {
        guard ready else { throw .cryptoUnavailable }
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_scalarmult_BYTES))
        guard crypto_scalarmult_base(&publicKey, seed) == 0 else { throw .cryptoUnavailable }
        return publicKey
    }

    static func randomBytes(_ count: Int) throws(NKeysError) -> [UInt8] {
        guard ready else { throw .cryptoUnavailable }
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return bytes
    }

    static func sign(message: [UInt8], secretKey: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        return signature
    }

    static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard ready else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
