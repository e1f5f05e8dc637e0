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
/// A key file is never overwritten: creation writes a private temporary file and links it into place,
/// so processes racing on a first run all end up using the single key that won.
public struct KeyStore: Sendable {
    /// The directory holding the `.nk` files.
    public let directory: URL

    /// A key store over a directory (created on first write).
    /// - Parameter directory: the keys directory.
    public init(directory: URL) {
        self.directory = directory
    }

    /// One entry of `list()`.
    public struct Entry: Sendable, Equatable {
        /// The file name without `.nk`.
        public var name: String
        /// The key's public key, when the file holds a valid seed.
        public var publicKey: PublicKey?
        /// Why the file is not a usable key, when it is not.
        public var problem: String?
    }

    /// Reads the key `NAME` from `<dir>/NAME.nk`, or from `<dir>/NAME` when that exists instead.
    /// - Parameter name: the key's name, e.g. `user_account`.
    /// - Throws: `SwashCoreError.keyNotFound` when neither file exists; `.invalidKeyFile` /
    ///   `.keyFileUnreadable` when the file is not a valid seed.
    public func key(named name: String) throws(SwashCoreError) -> KeyPair {
        let candidates = [directory.appendingPathComponent(name + ".nk"), directory.appendingPathComponent(name)]
        guard let url = candidates.first(where: { isRegularFile($0) }) else {
            throw .keyNotFound(name: name, directory: directory.path)
        }
        return try Self.readSeedFile(url, expecting: nil)
    }

    /// Loads `<dir>/<fileName>`, generating and storing a new key first when it is missing.
    /// - Parameters:
    ///   - fileName: e.g. `user_account.nk`.
    ///   - type: the key type the file must hold.
    ///   - allowGenerate: when `false`, a missing file is an error instead.
    ///   - flags: how the user can supply this key instead (named in the error).
    ///   - log: receives the first-run notice naming the path.
    /// - Throws: `SwashCoreError` when the file is invalid or of another type, when generation is
    ///   disabled and the file is missing, or when the directory or file cannot be written.
    public func loadOrCreate(
        fileName: String, type: KeyType, allowGenerate: Bool, flags: String,
        log: @Sendable (String) -> Void
    ) throws(SwashCoreError) -> KeyPair {
        let url = directory.appendingPathComponent(fileName)
        // Copies of a seed a killed run left behind go on every use of the key, not only when one is made.
        TemporaryFiles.removeStale(beside: url)
        if FileManager.default.fileExists(atPath: url.path) {
            return try Self.readSeedFile(url, expecting: type)
        }
        guard allowGenerate else { throw .keyMissing(path: url.path, type: type, flags: flags) }
        log(
            "No keypair found in \"\(url.path)\". We will generate one for you and place it there. "
                + "If you'd like to use alternative keys, you can supply them as a flag.")
        try createDirectory()
        let pair: KeyPair
        do { pair = try KeyPair.generate(type) } catch { throw .keyWriteFailed(path: url.path, reason: "\(error)") }
        // If another process won the race, its key is the one everybody uses.
        _ = try Self.createExclusively(url, contents: Array(pair.seed.utf8))
        return try Self.readSeedFile(url, expecting: type)
    }

    /// Lists the `.nk` files of the directory, sorted by name, with their public keys.
    /// - Throws: `SwashCoreError.keysDirectoryUnusable` when the directory cannot be read.
    public func list() throws(SwashCoreError) -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .keysDirectoryUnusable(path: directory.path, reason: Self.reason(error))
        }
        return names.filter { $0.hasSuffix(".nk") && !$0.hasPrefix(".") }.sorted().map { file in
            let name = String(file.dropLast(3))
            do {
                let pair = try Self.readSeedFile(directory.appendingPathComponent(file), expecting: nil)
                return Entry(name: name, publicKey: pair.publicKey, problem: nil)
            } catch {
                return Entry(name: name, publicKey: nil, problem: String(describing: error))
            }
        }
    }

    /// Reads a seed file, tolerating surrounding whitespace, and checks its type when one is given.
    static func readSeedFile(_ url: URL, expecting type: KeyType?) throws(SwashCoreError) -> KeyPair {
        let text: String
        do {
            // Judged before reading: a FIFO would block, and a huge file would be read whole into memory.
            let attributes = try FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw SwashCoreError.keyFileUnreadable(path: url.path, reason: "not a regular file")
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            guard size <= 4096 else {
                throw SwashCoreError.keyFileUnreadable(path: url.path, reason: "\(size) bytes is far too large for a seed file")
            }
            let data = try Data(contentsOf: url)
            guard data.count <= 4096 else {
                throw SwashCoreError.keyFileUnreadable(path: url.path, reason: "\(data.count) bytes is far too large for a seed file")
            }
            text = String(decoding: data, as: UTF8.self)
        } catch let error as SwashCoreError {
            throw error
        } catch {
            throw .keyFileUnreadable(path: url.path, reason: reason(error))
        }
        do {
            if let type { return try KeyPair(seed: text, expecting: type) }
            return try KeyPair(seed: text)
        } catch {
            throw .invalidKeyFile(path: url.path, error)
        }
    }

    /// Creates the directory (and parents) with mode 0700 for the directories it creates.
    func createDirectory() throws(SwashCoreError) {
        if let failure = Self.createPrivateDirectory(directory) {
            throw .keysDirectoryUnusable(path: failure.path, reason: failure.reason)
        }
    }

    /// Creates `directory` and its missing parents with mode 0700, whatever the umask, so that no directory
    /// swash makes under `~/.wash` lets another user swap what is inside.
    /// - Returns: the path that could not be made and why, or `nil` when `directory` now exists as a directory.
    static func createPrivateDirectory(_ directory: URL) -> (path: String, reason: String)? {
        var missing: [URL] = []
        var cursor = directory
        while !FileManager.default.fileExists(atPath: cursor.path), cursor.path != "/" {
            missing.append(cursor)
            cursor = cursor.deletingLastPathComponent()
        }
        for url in missing.reversed() {
            if mkdir(url.path, 0o700) != 0, errno != EEXIST {
                return (url.path, String(cString: strerror(errno)))
            }
            chmod(url.path, 0o700)  // mkdir's mode is filtered by the umask
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return (directory.path, "it exists but is not a directory")
        }
        return nil
    }

    /// Writes `contents` to `url` only if no file is there, atomically: readers see either no file or
    /// the whole one. Returns `false` (and leaves the existing file alone) when `url` already exists.
    static func createExclusively(_ url: URL, contents: [UInt8]) throws(SwashCoreError) -> Bool {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .keyWriteFailed(path: url.path, reason: String(cString: strerror(errno))) }
        defer { unlink(temporary.path) }
        var failure: Int32 = 0
        if fchmod(fd, 0o600) != 0 { failure = errno }
        if failure == 0 {
            failure = contents.withUnsafeBytes { buffer -> Int32 in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += written
                }
                return 0
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        guard failure == 0 else { throw .keyWriteFailed(path: url.path, reason: String(cString: strerror(failure))) }
        if link(temporary.path, url.path) != 0 {
            let error = errno
            if error == EEXIST { return false }
            throw .keyWriteFailed(path: url.path, reason: String(cString: strerror(error)))
        }
        syncDirectory(directory)
        return true
    }

    static func syncDirectory(_ directory: URL) {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// The system's own words for a failed file operation ("No space left on device"), not Foundation's
    /// paraphrase of them ("There isn’t enough space.").
    static func reason(_ error: any Error) -> String {
        let error = error as NSError
        for candidate in [error, error.userInfo[NSUnderlyingErrorKey] as? NSError] {
            if let candidate, candidate.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(candidate.code))) }
        }
        return error.localizedDescription
    }

    private func isRegularFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
