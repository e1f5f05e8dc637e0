import Foundation

/// The hidden temporary files swash writes beside a destination before renaming them into place, and the
/// removal of those a killed process left behind (docs/hardening.md).
///
/// Every writer names its temporary file `.<destination name>.<random>.<suffix>` in the destination's
/// directory: `.tmp` for archives (`ProviderArchiveWriter`) and key files (`KeyStore`), `.partial` for pulled
/// archives. Such a file never shadows real output (it is hidden, and no reader looks for it). A process
/// killed before its rename leaves it behind; the next run that writes the same destination removes the ones
/// no write has touched for `staleAge`. A live writer writes (or fails) long before that — downloads time
/// out after 60 s without progress — so only a writer stopped (SIGSTOP) for that long can lose its file,
/// and then its rename fails and the destination stays as it was.
public enum TemporaryFiles {
    /// How long a temporary file must have gone without a write before it counts as abandoned: 10 minutes.
    public static let staleAge: TimeInterval = 600

    /// The suffixes of swash's temporary files.
    public static let suffixes = [".tmp", ".partial"]

    /// Whether `name` is one of swash's temporary files for a destination named `destinationName`.
    public static func isTemporary(_ name: String, for destinationName: String) -> Bool {
        let prefix = "." + destinationName + "."
        guard name.hasPrefix(prefix), let suffix = suffixes.first(where: { name.hasSuffix($0) }) else { return false }
        return name.count > prefix.count + suffix.count  // a random part between them
    }

    /// Removes the abandoned temporary files of `destination` from its directory; failures are ignored
    /// (cleaning up is a courtesy, never a reason to fail).
    /// - Parameters:
    ///   - destination: the file about to be written.
    ///   - now: the current time.
    /// - Returns: the names removed.
    @discardableResult
    public static func removeStale(beside destination: URL, now: Date = Date()) -> [String] {
        let directory = destination.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        let cutoff = now.addingTimeInterval(-staleAge)
        return names.filter { name in
            guard isTemporary(name, for: destination.lastPathComponent) else { return false }
            let path = directory.appendingPathComponent(name).path
            // attributesOfItem does not follow a symbolic link: only a regular file is ever removed.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let modified = attributes[.modificationDate] as? Date, modified < cutoff
            else { return false }
            return unlink(path) == 0
        }
    }
}
