internal import CSodium

/// libsodium set-up and randomness for this module.
enum SodiumLibrary {
    /// `sodium_init` once per process.
    static let ready: Bool = sodium_init() >= 0

    /// A uniformly random integer in `0..<upperBound` from the system's secure source.
    static func uniform(_ upperBound: UInt32) -> UInt32 {
        _ = ready
        return randombytes_uniform(upperBound)
    }
}
