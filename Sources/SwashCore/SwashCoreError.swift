import Foundation
import NKeys

/// Failures of swash's workflows. Messages say what happened, where, and what to do; they never contain seeds.
public enum SwashCoreError: Error, CustomStringConvertible, LocalizedError {
    /// A key file exists but could not be read.
    case keyFileUnreadable(path: String, reason: String)
    /// A key file holds something that is not a valid seed of the needed type.
    case invalidKeyFile(path: String, NKeysError)
    /// A needed key file is missing and key generation is disabled.
    case keyMissing(path: String, type: KeyType, flags: String)
    /// A key could not be written to the key directory.
    case keyWriteFailed(path: String, reason: String)
    /// The key directory could not be created or listed.
    case keysDirectoryUnusable(path: String, reason: String)
    /// A key given by flag or environment variable is neither a seed file nor a valid seed.
    case invalidKeyValue(source: String, shown: String?, NKeysError)
    /// `keys get NAME` found no `<dir>/NAME.nk` nor `<dir>/NAME`.
    case keyNotFound(name: String, directory: String)

    public var description: String {
        switch self {
        case .keyFileUnreadable(let path, let reason):
            return "cannot read key file \"\(path)\": \(reason)"
        case .invalidKeyFile(let path, let error):
            return "key file \"\(path)\" is not usable: \(error). Fix or remove the file, or supply another key"
        case .keyMissing(let path, let type, let flags):
            return "no \(type) key at \"\(path)\" and key generation is disabled (--disable-keygen); supply one with \(flags), or drop --disable-keygen to generate it"
        case .keyWriteFailed(let path, let reason):
            return "cannot write key file \"\(path)\": \(reason)"
        case .keysDirectoryUnusable(let path, let reason):
            return "cannot use keys directory \"\(path)\": \(reason); choose another with --keys-directory or WASH_KEYS"
        case .invalidKeyValue(let source, let shown, let error):
            let what = shown.map { "\"\($0)\" is neither an existing file nor a valid seed" }
                ?? "the value is not an existing file, and as a seed it is invalid"
            return "\(source): \(what): \(error)"
        case .keyNotFound(let name, let directory):
            return "no key named \"\(name)\" in \"\(directory)\" (looked for \(name).nk and \(name)); run `swash keys list` to see the keys there"
        }
    }

    public var errorDescription: String? { description }
}
