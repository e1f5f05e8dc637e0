import FileIO
import Foundation
import NKeys

/// Failures of finding, reading, generating and storing nkeys. Messages never contain a seed.
public enum KeyError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// A key file exists but could not be read (or is not a regular file of a seed's size).
    case keyFileUnreadable(FileSystemError)
    /// A key file holds something that is not a valid seed of the needed type.
    case invalidKeyFile(path: String, NKeysError)
    /// A needed key file is missing and key generation is disabled.
    case keyMissing(path: String, type: KeyType, flags: String)
    /// A key could not be written to the key directory.
    case keyWriteFailed(FileSystemError)
    /// The key directory could not be created or listed.
    case keysDirectoryUnusable(FileSystemError)
    /// A key given by flag or environment variable is neither a seed file nor a valid seed.
    case invalidKeyValue(source: String, shown: String?, NKeysError)
    /// A key given by flag or environment variable is empty (an unset CI secret, say).
    case emptyKeyValue(source: String)
    /// `keys get NAME` found no `<dir>/NAME.nk` nor `<dir>/NAME`.
    case keyNotFound(name: String, directory: String)
    /// The system's random source failed, so no key could be generated.
    case randomSourceFailed(NKeysError)

    public var description: String {
        switch self {
        case .keyFileUnreadable(let error):
            return "cannot read key file \"\(error.path)\": \(error.reason)"
        case .invalidKeyFile(let path, let error):
            return "key file \"\(path)\" is not usable: \(error). Fix or remove the file, or supply another key"
        case .keyMissing(let path, let type, let flags):
            return "no \(type) key at \"\(path)\" and key generation is disabled (--disable-keygen); supply one with \(flags), or drop --disable-keygen to generate it"
        case .keyWriteFailed(let error):
            return "cannot write key file \"\(error.path)\": \(error.reason)"
        case .keysDirectoryUnusable(let error):
            return "cannot use keys directory \"\(error.path)\": \(error.reason); choose another with --keys-directory or WASH_KEYS"
        case .invalidKeyValue(let source, let shown, let error):
            let what = shown.map { "\"\($0)\" is neither an existing file nor a valid seed" }
                ?? "the value is not an existing file, and as a seed it is invalid"
            return "\(source): \(what): \(error)"
        case .emptyKeyValue(let source):
            return "\(source) is empty; give a seed or a seed file, or leave it unset to use the keys directory"
        case .keyNotFound(let name, let directory):
            return "no key named \"\(name)\" in \"\(directory)\" (looked for \(name).nk and \(name)); run `swash keys list` to see the keys there"
        case .randomSourceFailed(let error):
            return "cannot generate a key: the system's random source failed (\(error))"
        }
    }

    public var errorDescription: String? { description }
}
