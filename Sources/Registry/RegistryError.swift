import FileIO
import Foundation
import UntrustedText

/// Failures of talking to an OCI registry and of the push and pull workflows around it. Messages say what
/// happened, where, and what to do; text a registry sent is escaped before it is shown.
public enum RegistryError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// An OCI reference that cannot be parsed (`registry/repository[:tag][@sha256:…]`).
    case invalidReference(String, reason: String)
    /// `push` to tag `latest`, or to a reference without a tag, without `--allow-latest`; with `pulling`, a
    /// pull or inspect of one (as wash refuses it).
    case latestTagRefused(reference: String, pulling: Bool = false)
    /// A flag or setting that cannot be used (an annotation without `=`, half a credential pair).
    case invalidOption(option: String, reason: String)
    /// The archive to push, or the one pulled, is not a valid provider archive.
    case invalidArchive(path: String, reason: String)
    /// Nothing usable answered at the registry's address.
    case unreachable(registry: String, reason: String, overHTTPS: Bool)
    /// The registry refused the credentials, or asked for some and none were given (401/403).
    case authenticationFailed(registry: String, realm: String?, status: Int, hadCredentials: Bool)
    /// The tag or digest does not exist in the repository (404).
    case manifestNotFound(reference: String)
    /// The registry answered something the distribution protocol does not allow at that point; `detail`
    /// is what it said (escaped when shown).
    case requestFailed(registry: String, request: String, status: Int, detail: String)
    /// The manifest exists but does not describe a provider archive.
    case notAProviderArchive(reference: String, found: String)
    /// Downloaded or announced bytes do not have the digest they should.
    case digestMismatch(what: String, expected: String, actual: String)
    /// The registry sent more bytes than `what` may have.
    case responseTooLarge(what: String, limit: Int64)
    /// A transfer stopped before all its bytes arrived.
    case transferInterrupted(what: String, received: Int64, expected: Int64?, reason: String)
    /// A local file push or pull needs could not be read or written.
    case file(FileSystemError)

    public var description: String {
        switch self {
        case .invalidReference(let reference, let reason):
            return "invalid OCI reference \"\(UntrustedText.escape(reference))\": \(reason); expected registry/repository:tag, e.g. localhost:5000/providers/http:0.1.0"
        case .latestTagRefused(let reference, false):
            return "refusing to push \"\(reference)\" as tag latest: name a version tag (e.g. :0.1.0), or pass --allow-latest"
        case .latestTagRefused(let reference, true):
            return "refusing to pull \"\(reference)\" by tag latest (a tag that moves): name a version tag or a digest (@sha256:…), or pass --allow-latest"
        case .invalidOption(let option, let reason):
            return "\(option): \(reason)"
        case .invalidArchive(let path, let reason):
            return "\"\(path)\" is not a valid provider archive: \(reason)"
        case .unreachable(let registry, let reason, let overHTTPS):
            let hint = overHTTPS
                ? "; if \(registry) serves plain HTTP (a local registry, say), add --insecure"
                : "; check the address and that the registry is running"
            return "cannot reach registry \(registry): \(reason)\(hint)"
        case .authenticationFailed(let registry, let realm, let status, let hadCredentials):
            let realmText = realm.map { " (realm \"\(UntrustedText.escape($0, limit: 200))\")" } ?? ""
            let what = status == 403 ? "denied access" : hadCredentials ? "rejected the credentials" : "requires authentication"
            let hint = hadCredentials
                ? "check the user name and password (and their rights on this repository)"
                : "give credentials with -u/-p or WASH_REG_USER/WASH_REG_PASSWORD"
            return "registry \(registry)\(realmText) \(what) (HTTP \(status)); \(hint)"
        case .manifestNotFound(let reference):
            return "\(reference) not found: the registry has no such tag or digest; check the reference (and push it first)"
        case .requestFailed(let registry, let request, let status, let detail):
            return "registry \(registry) answered HTTP \(status) to \(request)\(detail.isEmpty ? "" : ": \(UntrustedText.escape(detail))")"
        case .notAProviderArchive(let reference, let found):
            return "\(reference) is not a wasmCloud provider archive: it is \(UntrustedText.escape(found)); pull it with a tool for that kind of artifact"
        case .digestMismatch(let what, let expected, let actual):
            return "digest mismatch for \(what): expected \(expected), got \(UntrustedText.escape(actual, limit: 100)); nothing was written"
        case .responseTooLarge(let what, let limit):
            return "the registry sent more than \(limit) bytes for \(what); nothing was written"
        case .transferInterrupted(let what, let received, let expected, let reason):
            let of = expected.map { " of \($0)" } ?? ""
            return "transfer of \(what) was interrupted after \(received)\(of) bytes: \(reason); nothing was written, try again"
        case .file(let error):
            return error.description
        }
    }

    public var errorDescription: String? { description }
}
