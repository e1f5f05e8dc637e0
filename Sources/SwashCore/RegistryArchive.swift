import Foundation
import ProviderArchiveKit

/// What validating an archive before a push, or after a pull, established.
struct ArchiveSummary: Sendable {
    /// The provider's name from its claims.
    var name: String
    /// Gzip (`.par.gz`) or a plain tar (`.par`).
    var compression: ArchiveCompression
}

/// The one place push and pull validate a provider archive: ProviderArchiveKit's verifying reader (every
/// entry read, hashes and gzip trailer checked) and the claims' signature and validity window.
/// - Parameters:
///   - url: the file.
///   - name: how messages name it (a pulled archive is named by its reference, not its temporary file).
/// - Throws: `SwashCoreError.invalidArchive` saying what is wrong, or `.fileUnreadable`.
func validateArchive(at url: URL, shownAs name: String? = nil) throws(SwashCoreError) -> ArchiveSummary {
    do {
        let archive = try ProviderArchive(verifying: url)
        try archive.requireTrusted(at: ArchiveWorkflows.now())
        return ArchiveSummary(name: archive.claims.name ?? "", compression: archive.compression)
    } catch {
        switch error {
        case .cannotRead(_, let reason):
            throw .fileUnreadable(path: name ?? url.path, reason: reason)
        case .invalidArchive(_, let defect):
            throw .invalidArchive(path: name ?? url.path, reason: "\(defect)")
        case .untrustedClaims(_, let problem):
            throw .invalidArchive(path: name ?? url.path, reason: "its claims cannot be trusted: \(problem)")
        default:
            throw .invalidArchive(path: name ?? url.path, reason: error.description)
        }
    }
}
