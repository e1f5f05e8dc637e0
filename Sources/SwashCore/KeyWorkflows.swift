import FileIO
import Foundation
import NKeys

/// The `swash keys` workflows.
public enum KeyWorkflows {
    /// A new key pair of the given type; nothing is written.
    /// - Throws: `KeyError.randomSourceFailed` only when the system's random source is unusable.
    public static func generate(_ type: KeyType) throws(KeyError) -> KeyPair {
        do { return try KeyPair.generate(type) } catch { throw .randomSourceFailed(error) }
    }

    /// The stored key `NAME` of the keys directory (`directory`, else `$WASH_KEYS`, else `~/.wash/keys`).
    /// - Throws: `KeyError.keyNotFound`, or an error naming the file when it is not a valid seed.
    public static func key(named name: String, keysDirectory: URL?, context: SwashContext) throws(KeyError) -> KeyPair {
        try SigningKeys(options: KeyOptions(keysDirectory: keysDirectory), context: context).store.key(named: name, notice: context.notice)
    }

    /// The keys of a directory.
    public struct Listing: Sendable, Codable {
        /// The directory listed.
        public var directory: URL
        /// Its `.nk` files, sorted by name.
        public var entries: [KeyStore.Entry]
    }

    /// Lists the keys directory (`directory`, else `$WASH_KEYS`, else `~/.wash/keys`); a missing directory has
    /// no keys.
    /// - Throws: `KeyError.keysDirectoryUnusable` when it exists but cannot be read.
    public static func list(keysDirectory: URL?, context: SwashContext) throws(KeyError) -> Listing {
        let store = SigningKeys(options: KeyOptions(keysDirectory: keysDirectory), context: context).store
        guard FileStatus.exists(store.directory) else { return Listing(directory: store.directory, entries: []) }
        return Listing(directory: store.directory, entries: try store.list())
    }
}
