import Foundation
import Wascap

/// Why a provider archive could not be read, trusted or written.
public enum ProviderArchiveError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// A file could not be opened or read (`path`, what the system said).
    case cannotRead(path: String, reason: String)
    /// A file could not be written, synced or renamed into place.
    case cannotWrite(path: String, reason: String)
    /// The archive at `archive` is not a valid provider archive; `defect` says what is wrong.
    case invalidArchive(archive: String, ArchiveDefect)
    /// The archive's claims are well formed but not trustworthy (bad signature, expired, not yet valid).
    case untrustedClaims(archive: String, WascapError)
    /// A target name given for writing is not usable.
    case invalidTargetName(String, reason: String)
    /// Re-signing would change the archive's issuer and `--force-resign` was not given.
    case issuerMismatch(archive: String, archiveIssuer: String, givenIssuer: String)
    /// A file given as input is larger than the per-entry limit.
    case inputTooLarge(path: String, size: Int64, limit: Int64)
    /// An input changed between being hashed and being written into the archive.
    case inputChanged(path: String)
    /// Claims could not be built or signed.
    case signingFailed(WascapError)
    /// The signed claims would be larger than readers accept (a huge name, vendor or schema).
    case claimsTooLarge(size: Int, limit: Int64)
    /// A binary's header names another architecture or operating system than the target it is to be stored under.
    case binaryContradictsTarget(path: String, target: String, header: BinaryHeader)
    /// No target was named and the binary's header names several (a universal Mach-O file).
    case targetUndetermined(path: String, candidates: [String])
    /// Archives to merge disagree on a claim or on world.wasm (`field` is `vendor`, `sub`, …); `values` pairs each
    /// input with what it holds.
    case mergeConflict(field: String, values: [MergeInput])
    /// Archives to merge hold different binaries for the same target.
    case mergeTargetConflict(target: String, values: [MergeInput])

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read \"\(path)\": \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write \"\(path)\": \(reason); check the directory exists and is writable (an existing archive there is left as it was)"
        case .invalidArchive(let archive, let defect):
            return "\"\(archive)\" is not a valid provider archive: \(defect)"
        case .untrustedClaims(let archive, let error):
            return "\"\(archive)\": \(error)"
        case .invalidTargetName(let name, let reason):
            return "invalid target name \"\(name)\": \(reason); use <arch>-<os> such as x86_64-linux or aarch64-macos"
        case .issuerMismatch(let archive, let archiveIssuer, let givenIssuer):
            return "\"\(archive)\" is signed by account \(archiveIssuer), but the issuer key is \(givenIssuer); pass that account's seed with -i/--issuer (or WASH_ISSUER_KEY), or add --force-resign to re-sign the archive as \(givenIssuer)"
        case .claimsTooLarge(let size, let limit):
            return "the signed claims would be \(size) bytes, over the \(limit)-byte limit archive readers accept; shorten the name, vendor, version or configuration schema"
        case .inputTooLarge(let path, let size, let limit):
            return "\"\(path)\" is \(size) bytes, over the \(limit)-byte limit for one archive entry"
        case .inputChanged(let path):
            return "\"\(path)\" changed while the archive was being written; nothing was written, run the command again"
        case .signingFailed(let error):
            return "cannot sign the claims: \(error)"
        case .binaryContradictsTarget(let path, let target, let header):
            let names = header.targetNames.map(\.rawValue)
            let advice = names.count == 1
                ? "label it -a \(names[0]), or give the binary built for \(target)"
                : "give the binary built for \(target)"
            return "\"\(path)\" is \(header.withArticle), not \(target): a host would fail to start it; \(advice)"
        case .targetUndetermined(let path, let candidates):
            return "\"\(path)\" holds several architectures (\(candidates.joined(separator: ", "))); name the target to store it under with -a"
        case .mergeTargetConflict(let target, let values):
            return "cannot merge: the inputs hold different binaries for target \(target) (\(MergeInput.list(values))); keep the one you want in one input only; nothing was written"
        case .mergeConflict(let field, let values):
            let listed = MergeInput.list(values)
            return "cannot merge: the inputs disagree on \(field) (\(listed)); build them from the same wasmcloud.toml and keys; nothing was written"
        }
    }

    public var errorDescription: String? { description }
}

/// One input of a merge and the value it holds for a field that does not agree.
public struct MergeInput: Sendable, Hashable {
    /// The input archive's path.
    public var path: String
    /// What it holds, as shown to the user (`"Acme"`, `sha256:…`, `(none)`).
    public var value: String

    /// An input and its value.
    public init(path: String, value: String) {
        self.path = path
        self.value = value
    }

    static func list(_ values: [MergeInput]) -> String {
        values.map { "\"\($0.path)\" has \($0.value)" }.joined(separator: ", ")
    }
}

/// What is wrong inside an invalid archive, naming the entry concerned.
public enum ArchiveDefect: Equatable, Sendable, CustomStringConvertible {
    /// The tar or gzip stream is damaged or truncated (libarchive's or swash's finding).
    case corrupt(entry: String?, reason: String)
    /// The gzip trailer's CRC-32 or length does not match the decompressed data.
    case gzipTrailerMismatch(String)
    /// An entry name is absolute, has `..`, is nested, or has unsafe characters.
    case unsafeEntryName(String, reason: String)
    /// An entry is a link, device, FIFO or socket.
    case unsupportedEntryType(String, type: String)
    /// An entry declares or holds more bytes than allowed.
    case entryTooLarge(String, size: Int64, limit: Int64)
    /// The decompressed stream is larger than allowed.
    case archiveTooLarge(limit: Int64)
    /// The archive has more entries than allowed.
    case tooManyEntries(limit: Int)
    /// Two entries hold the same claims, WIT package or target.
    case duplicateEntry(String, role: String)
    /// There is no `claims.jwt`.
    case missingClaims
    /// There is no target binary.
    case noTargets
    /// `claims.jwt` is not valid UTF-8.
    case claimsNotUTF8(String)
    /// `claims.jwt` is not a valid claims token.
    case invalidClaims(String, WascapError)
    /// The claims list a name that cannot be a target (`claims`, `world`, a path, …).
    case invalidTargetInClaims(String, reason: String)
    /// A binary has no hash in the claims.
    case missingHash(entry: String, target: String)
    /// A binary's SHA-256 differs from the claims.
    case hashMismatch(entry: String, expected: String, actual: String)
    /// The claims list a hash for which the archive has no entry.
    case missingEntry(target: String)

    public var description: String {
        switch self {
        case .corrupt(let entry, let reason):
            return (entry.map { "entry \"\($0)\": " } ?? "") + reason + "; the file is damaged or incomplete, fetch or build it again"
        case .gzipTrailerMismatch(let detail):
            return "gzip trailer mismatch: \(detail); the file is corrupt, has bytes after the gzip stream, or is not a single gzip member"
        case .unsafeEntryName(let name, let reason):
            return "entry \"\(name)\": unsafe name (\(reason)); the archive may be malicious, do not extract it"
        case .unsupportedEntryType(let name, let type):
            return "entry \"\(name)\" is a \(type); a provider archive holds only regular files"
        case .entryTooLarge(let name, let size, let limit):
            return "entry \"\(name)\" is \(size) bytes, over the \(limit)-byte limit"
        case .archiveTooLarge(let limit):
            return "the archive expands to more than \(limit) bytes (a decompression bomb?)"
        case .tooManyEntries(let limit):
            return "the archive has more than \(limit) entries"
        case .duplicateEntry(let name, let role):
            return "entry \"\(name)\" is a second \(role)"
        case .missingClaims:
            return "it has no claims.jwt entry"
        case .noTargets:
            return "it has no target binary (<target>.bin)"
        case .claimsNotUTF8(let name):
            return "entry \"\(name)\" is not valid UTF-8 text"
        case .invalidClaims(let name, let error):
            return "entry \"\(name)\": \(error)"
        case .invalidTargetInClaims(let name, let reason):
            return "claims.jwt lists target \"\(name)\", which cannot be a target name (\(reason))"
        case .missingHash(let entry, let target):
            return "entry \"\(entry)\": claims.jwt has no hash for target \(target)"
        case .hashMismatch(let entry, let expected, let actual):
            return "entry \"\(entry)\": SHA-256 is \(actual) but claims.jwt says \(expected); the archive was tampered with or damaged"
        case .missingEntry(let target):
            return "claims.jwt lists \(target) but the archive has no entry for it"
        }
    }
}
