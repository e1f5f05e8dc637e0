import Foundation
import SwashTestSupport
import Testing

@testable import NKeys

/// Vectors made for this project with an independent implementation (Python: base64, PyNaCl, and the
/// `nkeys` package for the types it knows): raw seed bytes `(i*31 + k*7) & 0xff`, signature over "swash".
private let ownVectors: [(type: KeyType, seed: String, publicKey: String, signatureHex: String)] = [
    (.account, "SAAAABYOCUOCGKRRHA7UMTKULNRGS4DXP2CYZE42UGUK7NV5YTF5FWPEQA", "ABGQ5Q5A2A76774TVG6M4KREWQDNI32EV37R654H3LW3CPFK7JACZAFF", "c66200796773b344d25249428b01815c1b6fd4eb172f5130cfd1e4454c19732b5983347113cc381e66e85e5323316dcdc2a403edb787cb4204d44c2721df5706"),
    (.cluster, "SCAB6JRNGQ5UESKQK5PGK3DTPKAYRD4WTWSKXMVZYDD45VO44PVPD6DMZU", "CAF5G2S5PQSYOGJYNN7TA7NDSBDHLY7535EZQGGROUEXUQR5HPOM6IT6", "472dec2e4c1235a3ca11ba5a7f602111dcdebe8fe8a667d346ec9a580fa2bf9b3f219aa3f91f7c179b0560760e56e290c275d961b7b7b14ef527f2972a1f8400"),
    (.module, "SMAD4RKMKNNGC2DPOZ6YJC4STGQKPLVVXTB4VUOY37TO35H3AIERAFZJMM", "MBQEJAULHT5YVPRTY4EYNKKR765U5LX5Q5SPZQCT7FX5LUV64RXITA3A", "067d2d64c041d2616774b8ee8facf3103509c29ac0efbcb55558b27da0c1f003ae905a6bc4f03101340037bd6e89d0f47f2b8bc1817b4d758425a44c52a81601"),
    (.server, "SNAF2ZDLOJ4YBB4OSWOKHKVRXC74NTOU3PROT4HX7YCQYEY2EEUC6NQ2FQ", "NCFXGGTD3WPEA5MAUVFY5FALN5UNA4UE2NMUDIWQHSBMY3PQU3AYJSJ7", "2d2592ec9256d921f83928f55666dec0f0659ba6cbb93c8ce074e94ffe0d0219a5891e6b774a7235b0efb836155895c4a11403a6618dab2abfb3d6ff42176301"),
    (.operator, "SOAHZA4KSGMJ7JVNWS54FSOQ27POL3HT7IAQQDYWDUSCWMRZIBDU4VLTQY", "OBPHXNHVFBP64P6HJTC6E5CYNILTD7OULAD2KFESVQFCJJ2O6KFUKQNZ", "7ef1dd64f5b96f31024b98d59b9754e19998097604574a7cfb1754c468526eed9fc3a07bab2efaf7ecbebf7ab2aca1202078c9e9319a73342c63e111940d0c00"),
    (.user, "SUAJXIVJWC335ROM2PNOD2HP636QICYSDEQCOLRVHRBUUUKYL5TG25B274", "UCPVLMAYZ27QZGQRWCVALRDQAO3YEO6R5QEA2L4PHIL6AMM3DMRMKBSD", "bdd12270f53040daf8fec732715a02b3b9f3325e40b41d1c0fc58bab86ae237ce1b71572e9f0383585da785ff2010d82d6328e1ea86533323b0848cadf08990d"),
    (.service, "SVALVQOIZ7LN3ZHL6L4QABYOCUOCGKRRHA7UMTKULNRGS4DXP2CYZE343M", "VA52K6KOD5U4LUVYQME5KNLOM35R4YYDCDE3I4UUHHWMH7JIJ4L6TA2K", "70f35794ee8d8679f47ac24ceb1946f0fafd3d5f212dbe8eaaad1e9aa977f449048f2bc4b4d1e3681259b1e8bf1e97b568c46e81f3823df7cdfeeda5d88c0900"),
]

private func hex(_ text: String) -> [UInt8] {
    var bytes = [UInt8]()
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

@Suite("Text format")
struct TextFormatTests {
    @Test func crcCheckValue() {
        #expect(CRC16.checksum(Array("123456789".utf8)) == 0x31C3)
    }

    @Test(arguments: [[UInt8](), [0], [0xFF, 0x00, 0x10], Array(0..<35), Array(0..<36)])
    func base32RoundTrip(bytes: [UInt8]) throws {
        let text = Base32.encode(bytes)
        #expect(text.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        let decoded = try Base32.decode(text)
        #expect(decoded == bytes)
    }

    @Test func base32MatchesRFC4648() {
        // RFC 4648 §10 test vectors, without padding.
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("fo".utf8)) == "MZXQ")
    }

    @Test func prefixLetters() {
        #expect(KeyType.allCases.map { String($0.letter) }.joined() == "ACMNOUVX")
    }
}

@Suite("Keys from this project's own vectors")
struct OwnVectorTests {
    @Test(arguments: ownVectors.indices)
    func seedDerivesPublicKeyAndSignature(index: Int) throws {
        let vector = ownVectors[index]
        let pair = try KeyPair(seed: vector.seed)
        #expect(pair.type == vector.type)
        #expect(pair.publicKey.encoded == vector.publicKey)
        #expect(pair.seed == vector.seed)
        #expect(pair.sign(Array("swash".utf8)) == hex(vector.signatureHex))
        let publicKey = try PublicKey(vector.publicKey)
        #expect(publicKey.type == vector.type)
        #expect(publicKey.verify(signature: hex(vector.signatureHex), for: Array("swash".utf8)))
        #expect(!publicKey.verify(signature: hex(vector.signatureHex), for: Array("swasH".utf8)))
    }

    @Test(arguments: KeyType.allCases)
    func generatedKeysRoundTrip(type: KeyType) throws {
        let pair = try KeyPair.generate(type)
        #expect(pair.seed.count == 58)
        #expect(pair.seed.hasPrefix("S\(type.letter)"))
        #expect(pair.publicKey.encoded.count == 56)
        #expect(pair.publicKey.encoded.first == type.letter)
        let again = try KeyPair(seed: pair.seed, expecting: type)
        #expect(again.publicKey == pair.publicKey)
        guard type != .curve else { return }  // X25519 keys encrypt, they do not sign (checked with PyNaCl elsewhere)
        let signature = pair.sign([1, 2, 3])
        #expect(try PublicKey(pair.publicKey.encoded).verify(signature: signature, for: [1, 2, 3]))
    }

    /// A curve key's public key is X25519 of its seed: RFC 7748's test vector (Alice's keys, §6.1).
    @Test func curveKeysAreX25519() throws {
        let secret: [UInt8] = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let pair = try KeyPair(type: .curve, rawSeed: secret)
        #expect(try PublicKey(pair.publicKey.encoded).rawBytes == hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
        #expect(pair.seed.hasPrefix("SX") && pair.publicKey.encoded.hasPrefix("X"))
    }

    @Test func generatedKeysDiffer() throws {
        #expect(try KeyPair.generate(.account).seed != KeyPair.generate(.account).seed)
    }

    @Test func whitespaceAroundSeedIsTolerated() throws {
        let pair = try KeyPair(seed: "  \(ownVectors[0].seed)\r\n")
        #expect(pair.publicKey.encoded == ownVectors[0].publicKey)
    }

    @Test func descriptionHidesSeed() throws {
        let pair = try KeyPair(seed: ownVectors[0].seed)
        #expect(!"\(pair)".contains(ownVectors[0].seed))
        #expect("\(pair)".contains(ownVectors[0].publicKey))
    }
}

@Suite("Rejected input")
struct RejectionTests {
    let seed = ownVectors[0].seed  // an account seed
    let publicKey = ownVectors[6].publicKey  // a service public key

    @Test func badCharacter() {
        var broken = Array(seed)
        broken[10] = "1"
        #expect(throws: NKeysError.invalidCharacter("1", position: 11)) { try KeyPair(seed: String(broken)) }
        #expect(throws: NKeysError.invalidCharacter("a", position: 1)) { try PublicKey("a" + publicKey.dropFirst()) }
    }

    @Test func wrongLength() {
        #expect(throws: NKeysError.invalidLength(57, expected: [58])) { try KeyPair(seed: String(seed.dropLast())) }
        #expect(throws: NKeysError.invalidLength(55, expected: [56])) { try PublicKey(String(publicKey.dropLast())) }
        #expect(throws: NKeysError.invalidLength(0, expected: [58])) { try KeyPair(seed: "") }
    }

    @Test func checksumMismatch() {
        // Change one payload character: still base32 and the right length, but the CRC no longer fits.
        var broken = Array(publicKey)
        broken[20] = broken[20] == "A" ? "B" : "A"
        #expect(throws: NKeysError.checksumMismatch) { try PublicKey(String(broken)) }
        var brokenSeed = Array(seed)
        brokenSeed[30] = brokenSeed[30] == "A" ? "B" : "A"
        #expect(throws: NKeysError.checksumMismatch) { try KeyPair(seed: String(brokenSeed)) }
    }

    @Test func unknownType() {
        // Prefix byte 8 ('B') is no key type; the checksum is correct.
        let text = NKeyText.encode([8] + [UInt8](repeating: 7, count: 32))
        #expect(throws: NKeysError.unknownKeyType(prefixByte: 8)) { try PublicKey(text) }
    }

    @Test func wrongKindOfText() {
        #expect(throws: NKeysError.notAPublicKey) { try PublicKey(seed) }
        #expect(throws: NKeysError.notASeed) { try KeyPair(seed: publicKey) }
    }

    @Test func wrongTypeForPurpose() {
        #expect(throws: NKeysError.wrongKeyType(expected: .service, found: .account)) {
            try KeyPair(seed: seed, expecting: .service)
        }
        #expect(throws: NKeysError.wrongKeyType(expected: .account, found: .service)) {
            try PublicKey(publicKey, expecting: .account)
        }
    }

    @Test func messagesNeverContainTheSeed() {
        for input in [seed + "X", String(seed.dropLast()), "S" + seed.dropFirst().replacingOccurrences(of: "A", with: "B")] {
            do {
                _ = try KeyPair(seed: input, expecting: .service)
                Issue.record("accepted \(input)")
            } catch {
                #expect(!error.description.contains(String(seed.dropFirst(2).prefix(20))))
            }
        }
    }
}

/// The shared nkeys vectors, read in place from ../shared/corpora (skipped, with a note, when absent).
@Suite("Shared corpus vectors", .enabled(if: Corpora.available))
struct CorpusVectorTests {
    struct Vectors: Decodable {
        struct Pair: Decodable { let seed: String; let `public`: String; let type: String }
        struct Signature: Decodable { let seed: String; let message: String; let signature: String }
        struct Invalid: Decodable { let input: String; let why: String }
        let pairs: [Pair]
        let signatures_base64: [Signature]
        let public_roundtrip: [String]
        let invalid_seeds: [Invalid]
        let invalid_public_keys: [Invalid]
    }

    func load() throws -> Vectors {
        let url = try #require(Corpora.file("nkeys/vectors.json"))
        return try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }

    @Test func pairs() throws {
        let vectors = try load()
        #expect(vectors.pairs.count >= 10)
        for pair in vectors.pairs {
            let keyPair = try KeyPair(seed: pair.seed)
            #expect(keyPair.type.rawValue == pair.type)
            #expect(keyPair.publicKey.encoded == pair.public, "\(pair.public)")
            #expect(keyPair.seed == pair.seed)
        }
    }

    @Test func signatures() throws {
        for vector in try load().signatures_base64 {
            let pair = try KeyPair(seed: vector.seed)
            let expected = try #require(Data(base64Encoded: vector.signature))
            let signature = pair.sign(Array(vector.message.utf8))
            #expect(signature == [UInt8](expected))
            #expect(pair.publicKey.verify(signature: signature, for: Array(vector.message.utf8)))
        }
    }

    @Test func publicRoundTrips() throws {
        for text in try load().public_roundtrip {
            #expect(try PublicKey(text).encoded == text)
        }
    }

    /// Maps each vector's stated reason to the error kind it must produce.
    func expectedKind(_ why: String) -> (NKeysError) -> Bool {
        switch why {
        case let w where w.contains("checksum mismatch") || w.contains("bad checksum"):
            return { $0 == .checksumMismatch }
        case let w where w.contains("length") || w == "empty":
            return { if case .invalidLength = $0 { true } else { false } }
        case let w where w.contains("encoding"):
            return { if case .invalidCharacter = $0 { true } else { false } }
        case let w where w.contains("unknown"):
            return { if case .unknownKeyType = $0 { true } else { false } }
        case let w where w.contains("bad prefix"):
            return { $0 == .notASeed || { if case .unknownKeyType = $0 { true } else { false } }($0) }
        default:
            return { _ in false }
        }
    }

    @Test func invalidSeeds() throws {
        for vector in try load().invalid_seeds {
            let matches = expectedKind(vector.why)
            let error = #expect(throws: NKeysError.self, "\(vector.why): \(vector.input)") {
                try KeyPair(seed: vector.input)
            }
            if let error { #expect(matches(error), "\(vector.why) gave \(error)") }
        }
    }

    @Test func invalidPublicKeys() throws {
        for vector in try load().invalid_public_keys {
            let matches = expectedKind(vector.why)
            let error = #expect(throws: NKeysError.self, "\(vector.why): \(vector.input)") {
                try PublicKey(vector.input)
            }
            if let error { #expect(matches(error), "\(vector.why) gave \(error)") }
        }
    }
}
