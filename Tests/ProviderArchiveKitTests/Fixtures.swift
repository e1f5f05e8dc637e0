import Foundation
import NKeys
import SwashTestSupport
import Wascap

@testable import ProviderArchiveKit

/// Fixed keys so tokens are stable across runs.
let testAccount = try! KeyPair(type: .account, rawSeed: (1...32).map { UInt8($0) })
let testService = try! KeyPair(type: .service, rawSeed: (101...132).map { UInt8($0) })

/// Bytes standing in for a provider binary: deterministic, not all one value.
func fakeBinary(_ size: Int, seed: UInt8 = 7) -> [UInt8] {
    var state = UInt32(seed) &* 2_654_435_761 | 1
    return (0..<size).map { _ in
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return UInt8(truncatingIfNeeded: state)
    }
}

func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hex(SHA256.hash(bytes)) }

/// A token as wash would sign it, for hand-built archives. `extraClaims` adds unknown keys.
func washToken(
    hashes: [String: String], capid: String? = "examples:payments", extraClaims: String = "", issuer: KeyPair = testAccount
) -> String {
    let hashText = hashes.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
    let capidText = capid.map { "\"capid\":\"\($0)\"," } ?? ""
    let json = """
        {"jti":"Ftos3Nndqov7etaQwz5Ntl","iat":1612208012,"iss":"\(issuer.publicKey.encoded)","sub":"\(testService.publicKey.encoded)",\
        "wascap":{"name":"Fake Payments",\(capidText)"vendor":"wasmCloud","rev":1,"ver":"1.0","target_hashes":{\(hashText)}}\(extraClaims)}
        """
    let input = ClaimsToken.encodedHeader + "." + HostileArchives.base64URLEncode(Array(json.utf8))
    return input + "." + HostileArchives.base64URLEncode(issuer.sign(Array(input.utf8)))
}

/// Writes bytes to a new file in `directory`.
@discardableResult
func write(_ bytes: [UInt8], to name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

/// What an error is, as a short label, for comparing typed errors regardless of their context.
func label(_ error: ProviderArchiveError) -> String {
    switch error {
    case .invalidArchive(_, let defect):
        switch defect {
        case .corrupt: "corrupt"
        case .gzipTrailerMismatch: "gzipTrailerMismatch"
        case .unsafeEntryName: "unsafeEntryName"
        case .unsupportedEntryType: "unsupportedEntryType"
        case .entryTooLarge: "entryTooLarge"
        case .archiveTooLarge: "archiveTooLarge"
        case .tooManyEntries: "tooManyEntries"
        case .duplicateEntry: "duplicateEntry"
        case .missingClaims: "missingClaims"
        case .noTargets: "noTargets"
        case .claimsNotUTF8: "claimsNotUTF8"
        case .invalidClaims: "invalidClaims"
        case .invalidTargetInClaims: "invalidTargetInClaims"
        case .missingHash: "missingHash"
        case .hashMismatch: "hashMismatch"
        case .missingEntry: "missingEntry"
        }
    case .cannotRead: "cannotRead"
    case .cannotWrite: "cannotWrite"
    case .untrustedClaims: "untrustedClaims"
    case .invalidTargetName: "invalidTargetName"
    case .issuerMismatch: "issuerMismatch"
    case .inputTooLarge: "inputTooLarge"
    case .inputChanged: "inputChanged"
    case .binaryContradictsTarget: "binaryContradictsTarget"
    case .targetUndetermined: "targetUndetermined"
    case .mergeConflict: "mergeConflict"
    case .mergeTargetConflict: "mergeTargetConflict"
    case .signingFailed: "signingFailed"
    case .claimsTooLarge: "claimsTooLarge"
    }
}

/// Runs `body` and returns the `ProviderArchiveError` it throws, or `nil`.
func archiveError(_ body: () throws -> Void) -> ProviderArchiveError? {
    do {
        try body()
        return nil
    } catch let error as ProviderArchiveError {
        return error
    } catch {
        return nil
    }
}
