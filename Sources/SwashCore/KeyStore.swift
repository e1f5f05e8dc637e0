import FileIO
import Foundation
import NKeys

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory of nkey seed files, compatible with wash's `~/.wash/keys`.
///
/// Files hold exactly the 58-character seed without a trailing newline, mode 0600, in a 0700 directory.
/// A key file is never overwritten: creation writes a private temporary file and links it into place
/// (`AtomicFile.create`), so processes racing on a first run all end up using the single key that won.
public struct KeyStore: Sendable {
    /// The directory holding the `.nk` files.
    public let directory: URL

    /// The largest seed file read: a seed is 58 characters, so anything near this is not one.
    static let seedFileLimit = 4096

    /// A key store over a directory (created on first write).
    /// - Parameter directory: the keys directory.
    public init(directory: URL) {
        self.directory = directory
    }

    /// One entry of `list()`.
    public struct Entry: Sendable, Equatable, Codable {
        /// The file name without `.nk`.
        public var name: String
        /// The key's public key, when the file holds a valid seed.
        public var publicKey: String?
        /// Why the file is not a usable key, when it is not.
        public var problem: String?
    }

    /// Reads the key `NAME` from `<dir>/NAME.nk`, or from `<dir>/NAME` when that exists instead.
    /// - Parameter name: the key's name, e.g. `user_account`.
    /// - Throws: `KeyError.keyNotFound` when neither file exists; `.invalidKeyFile` /
    ///   `.keyFileUnreadable` when the file is not a valid seed.
    public func key(named name: String, notice: (String) -> Void = { _ in }) throws(KeyError) -> KeyPair {
        let candidates = [directory.appendingPathComponent(name + ".nk"), directory.appendingPathComponent(name)]
        guard let url = candidates.first(where: { FileStatus.exists($0) && !FileStatus.isDirectory($0) }) else {
            throw .keyNotFound(name: name, directory: directory.path)
        }
        Self.permissionWarnings(for: url).forEach(notice)
        return try Self.readSeedFile(url, expecting: nil)
    }

    /// Loads `<dir>/<fileName>`, generating and storing a new key first when it is missing.
    /// - Parameters:
    ///   - fileName: e.g. `user_account.nk`.
    ///   - type: the key type the file must hold.
    ///   - allowGenerate: when `false`, a missing file is an error instead.
    ///   - flags: how the user can supply this key instead (named in the error).
    ///   - notice: receives the first-run notice naming the path.
    /// - Throws: `KeyError` when the file is invalid or of another type, when generation is disabled and the
    ///   file is missing, or when the directory or file cannot be written.
    public func loadOrCreate(
        fileName: String, type: KeyType, allowGenerate: Bool, flags: String,
        notice: (String) -> Void
    ) throws(KeyError) -> KeyPair {
        let url = directory.appendingPathComponent(fileName)
        // Copies of a seed a killed run left behind go on every use of the key, not only when one is made.
        TemporaryFiles.sweep(beside: url)
        if FileStatus.exists(url) {
            Self.permissionWarnings(for: url).forEach(notice)
            return try Self.readSeedFile(url, expecting: type)
        }
        guard allowGenerate else { throw .keyMissing(path: url.path, type: type, flags: flags) }
        notice(
            "No keypair found in \"\(url.path)\". We will generate one for you and place it there. "
                + "If you'd like to use alternative keys, you can supply them as a flag.")
        try createDirectory()
        let pair = try KeyWorkflows.generate(type)
        // If another process won the race, its key is the one everybody uses.
        do { _ = try AtomicFile.create(Array(pair.seed.utf8), at: url, access: .private) } catch {
            throw .keyWriteFailed(error)
        }
        return try Self.readSeedFile(url, expecting: type)
    }

    /// Lists the `.nk` files of the directory, sorted by name, with their public keys.
    /// - Throws: `KeyError.keysDirectoryUnusable` when the directory cannot be read.
    public func list() throws(KeyError) -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .keysDirectoryUnusable(FileSystemError(.list, path: directory.path, from: error))
        }
        return names.filter { $0.hasSuffix(".nk") && !$0.hasPrefix(".") }.sorted().map { file in
            let name = String(file.dropLast(3))
            do {
                let pair = try Self.readSeedFile(directory.appendingPathComponent(file), expecting: nil)
                return Entry(name: name, publicKey: pair.publicKey.encoded, problem: nil)
            } catch {
                return Entry(name: name, publicKey: nil, problem: String(describing: error))
            }
        }
    }

    /// Reads a seed file, tolerating surrounding whitespace, and checks its type when one is given. The file
    /// is judged before it is read: a FIFO or a huge file is refused without reading a byte.
    static func readSeedFile(_ url: URL, expecting type: KeyType?) throws(KeyError) -> KeyPair {
        let text: String
        do {
            text = String(decoding: try FileStatus.readSmallFile(url, limit: seedFileLimit, what: "a seed file"), as: UTF8.self)
        } catch {
            throw .keyFileUnreadable(error)
        }
        do {
            if let type { return try KeyPair(seed: text, expecting: type) }
            return try KeyPair(seed: text)
        } catch {
            throw .invalidKeyFile(path: url.path, error)
        }
    }

    /// Warnings, as ssh gives them, when a key file or its directory is open to other users: a directory others
    /// can write to (they could swap the key), a file others can read (they could copy the seed) or that another
    /// user owns. The key is still used; each warning names the path and the fix.
    /// - Parameter url: a key file.
    public static func permissionWarnings(for url: URL) -> [String] {
        var warnings: [String] = []
        var info = stat()
        let directory = url.deletingLastPathComponent()
        if stat(directory.path, &info) == 0, info.st_mode & 0o022 != 0 {
            warnings.append("warning: the keys directory \"\(directory.path)\" is writable by other users, who could replace its keys; run chmod 700 \"\(directory.path)\"")
        }
        if stat(url.path, &info) == 0 {
            if info.st_mode & 0o077 != 0 {
                warnings.append("warning: the key file \"\(url.path)\" is accessible by other users, who could copy its seed; run chmod 600 \"\(url.path)\"")
            }
            if info.st_uid != geteuid() {
                warnings.append("warning: the key file \"\(url.path)\" is owned by another user (uid \(info.st_uid)); make it yours with chown, or use a key of your own")
            }
        }
        return warnings
    }

    /// Creates the directory (and parents) with mode 0700 for the directories it creates.
    func createDirectory() throws(KeyError) {
        do { try Directories.createPrivate(directory) } catch { throw .keysDirectoryUnusable(error) }
    }
}
