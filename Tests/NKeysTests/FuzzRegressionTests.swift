import Testing

@testable import NKeys

/// Inputs `Scripts/fuzz fuzz-nkeys` found, kept so the bugs stay fixed (see docs/hardening.md).
@Suite("Fuzz regressions")
struct NKeysFuzzRegressionTests {
    /// fuzz-nkeys, crash-4c905f68: a seed whose last character differs from a valid seed's only in the two
    /// bits past the 288 the seed holds. It decoded to that seed's key, so two texts named one key and the
    /// seed did not re-encode to itself.
    @Test func seedWithNonzeroUnusedBits() throws {
        let canonical = "SUAJXIVJWC335ROM2PNOD2HP636QICYSDEQCOLRVHRBUUUKYL5TG25B274"
        #expect(try KeyPair(seed: canonical).seed == canonical)
        for last in ["5", "6", "7"] {
            let variant = String(canonical.dropLast()) + last
            #expect(throws: NKeysError.nonCanonicalEncoding) { try KeyPair(seed: variant) }
        }
    }

    /// Public keys use all 280 bits of their 56 characters: every last character is canonical.
    @Test func publicKeysHaveNoUnusedBits() throws {
        let key = try KeyPair(seed: "SUAJXIVJWC335ROM2PNOD2HP636QICYSDEQCOLRVHRBUUUKYL5TG25B274").publicKey.encoded
        #expect(try PublicKey(key).encoded == key)
    }
}
