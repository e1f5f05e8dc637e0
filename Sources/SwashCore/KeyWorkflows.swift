import Foundation
import NKeys

/// The `swash keys` workflows.
public enum KeyWorkflows {
    /// A new key pair of the given type; nothing is written.
    /// - Throws: `SwashCoreError.keyWriteFailed` only when the system's random source is unusable.
    public static func generate(_ type: KeyType) throws(SwashCoreError) -> KeyPair {
        do { return try KeyPair.generate(type) } catch { throw .keyWriteFailed(path: "-", reason: "\(error)") }
    }

    /// The stored key `NAME` of the keys directory (`-d`, else `$WASH_KEYS`, else `~/.wash/keys`).
    /// - Throws: `SwashCoreError.keyNotFound`, or an error naming the file when it is not a valid seed.
    public static func key(named name: String, keysDirectory: String?, context: SwashContext)
        throws(SwashCoreError) -> KeyPair
    {
        try SigningKeys(options: KeyOptions(keysDirectory: keysDirectory), context: context).store.key(named: name)
    }

    /// The keys of a directory, ready to print.
    public struct Listing: Sendable {
        /// The directory listed.
        public var directory: URL
        /// Its `.nk` files, sorted by name.
        public var entries: [KeyStore.Entry]

        /// `{"keys":[{"name","public_key"}], "directory", "success"}`; unusable files carry `error`.
        public var json: [String: Any] {
            let keys: [[String: Any]] = entries.map { entry in
                var item: [String: Any] = ["name": entry.name]
                if let key = entry.publicKey { item["public_key"] = key.encoded }
                if let problem = entry.problem { item["error"] = problem }
                return item
            }
            return ["keys": keys, "directory": directory.path, "success": true]
        }

        /// One line per key: name, then public key (or what is wrong with the file).
        public var text: String {
            guard !entries.isEmpty else { return "No keys in \(directory.path)" }
            let width = entries.map(\.name.count).max() ?? 0
            let rows = entries.map { entry in
                entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + (entry.publicKey?.encoded ?? "(unusable: \(entry.problem ?? "unknown"))")
            }
            return (["Keys in \(directory.path):"] + rows).joined(separator: "\n")
        }
    }

    /// Lists the keys directory (`-d`, else `$WASH_KEYS`, else `~/.wash/keys`); a missing directory has no keys.
    /// - Throws: `SwashCoreError.keysDirectoryUnusable` when it exists but cannot be read.
    public static func list(keysDirectory: String?, context: SwashContext) throws(SwashCoreError) -> Listing {
        let store = SigningKeys(options: KeyOptions(keysDirectory: keysDirectory), context: context).store
        guard FileManager.default.fileExists(atPath: store.directory.path) else {
            return Listing(directory: store.directory, entries: [])
        }
        return Listing(directory: store.directory, entries: try store.list())
    }
}
