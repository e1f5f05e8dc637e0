import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one naming scheme of swash's temporary files and directories, the removal of those a killed run left
/// behind, and the removal of live ones when the process is interrupted (docs/hardening.md).
///
/// Every temporary path is `.<destination name>.<random>.tmp` in the destination's directory: hidden, so it
/// never shadows real output, and named after its destination, so the next write of that destination can
/// recognise and remove what an earlier, killed run abandoned there (once nothing has written to it for
/// `staleAge`). Paths in use are registered while they exist, so `InterruptCleanup` can remove them when
/// SIGINT or SIGTERM ends the process.
public enum TemporaryFiles {
    /// How long a temporary file must have gone without a write before it counts as abandoned: 10 minutes.
    /// A live writer writes (or fails) long before that; only a writer stopped (SIGSTOP) for that long can lose
    /// its file, and then its rename fails and the destination stays as it was.
    public static let staleAge: TimeInterval = 600

    /// The suffix of every temporary name.
    public static let suffix = ".tmp"

    /// A fresh temporary path beside `destination` (not created).
    /// - Parameter destination: the file or directory the temporary path stands in for.
    public static func path(beside destination: URL) -> URL {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return destination.deletingLastPathComponent()
            .appendingPathComponent("." + destination.lastPathComponent + "." + random + suffix)
    }

    /// Whether `name` is a temporary name for a destination named `destinationName`. Names of swash 0.1's
    /// writers (a UUID for the random part; `.partial` for pulls and Go builds) are recognised too, so what they
    /// abandoned is swept as well.
    /// - Parameters:
    ///   - name: a directory entry's name.
    ///   - destinationName: the destination's last path component.
    public static func isTemporary(_ name: String, for destinationName: String) -> Bool {
        let prefix = "." + destinationName + "."
        guard name.hasPrefix(prefix), let ending = [suffix, ".partial"].first(where: name.hasSuffix),
            name.count > prefix.count + ending.count
        else { return false }
        let random = name.dropFirst(prefix.count).dropLast(ending.count)
        return random.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// Removes the abandoned temporary files and directories of `destination` from its directory. Failures are
    /// ignored: cleaning up is a courtesy, never a reason to fail.
    /// - Parameters:
    ///   - destination: the path about to be written.
    ///   - now: the current time.
    /// - Returns: the names removed.
    @discardableResult
    public static func sweep(beside destination: URL, now: Date = Date()) -> [String] {
        let directory = destination.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        let cutoff = now.timeIntervalSince1970 - staleAge
        return names.filter { name in
            guard isTemporary(name, for: destination.lastPathComponent) else { return false }
            let path = directory.appendingPathComponent(name).path
            var info = stat()
            // lstat: a symbolic link is never followed, and never removed.
            guard lstat(path, &info) == 0, Double(FileStatus.modificationSeconds(info)) < cutoff else { return false }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return unlink(path) == 0
            case S_IFDIR: return (try? FileManager.default.removeItem(atPath: path)) != nil
            default: return false
            }
        }
    }

    // MARK: Live paths

    private static let live = LivePaths()

    /// Records a temporary path in use, to be removed if the process is interrupted.
    static func register(_ path: String) { live.insert(path) }

    /// Forgets a temporary path that was renamed into place or removed.
    static func unregister(_ path: String) { live.remove(path) }

    /// Removes every registered temporary path (files, and directories with their contents); called when the
    /// process is interrupted.
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeLive() -> [String] {
        live.drain().filter { path in
            var info = stat()
            guard lstat(path, &info) == 0 else { return false }
            if info.st_mode & S_IFMT == S_IFDIR { return (try? FileManager.default.removeItem(atPath: path)) != nil }
            return unlink(path) == 0
        }
    }

    /// The temporary paths in use (for tests).
    public static var livePaths: Set<String> { live.snapshot() }
}

/// A lock-protected set of paths.
private final class LivePaths: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: Set<String> = []

    func insert(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    func remove(_ path: String) { lock.withLock { _ = paths.remove(path) } }
    func snapshot() -> Set<String> { lock.withLock { paths } }
    func drain() -> [String] {
        lock.withLock {
            defer { paths.removeAll() }
            return Array(paths)
        }
    }
}

/// A temporary path beside a destination, removed when dropped unless it was moved into place: for a
/// subprocess's output (`go build -o`) or a staged directory (`swash new`).
public final class TemporaryPath: @unchecked Sendable {
    /// Where the result belongs.
    public let destination: URL
    /// The temporary path (`.<name>.<random>.tmp` beside `destination`).
    public let url: URL
    private var settled = false

    /// Reserves a temporary path beside `destination`, after sweeping abandoned ones. Nothing is created.
    /// - Parameter destination: the final path.
    public init(beside destination: URL) {
        self.destination = destination
        TemporaryFiles.sweep(beside: destination)
        url = TemporaryFiles.path(beside: destination)
        TemporaryFiles.register(url.path)
    }

    deinit { remove() }

    /// Renames the temporary path over `destination` and syncs the directory.
    /// - Throws: `FileSystemError` when the rename fails; the temporary path is then removed on drop.
    public func moveIntoPlace() throws(FileSystemError) {
        guard SystemPath.withBytes(url.path, { from in SystemPath.withBytes(destination.path) { rename(from, $0) } }) == 0 else { throw FileSystemError(.write, path: destination.path) }
        settled = true
        TemporaryFiles.unregister(url.path)
        Directories.sync(destination.deletingLastPathComponent())
    }

    /// Removes whatever is at the temporary path (a file, or a directory and its contents).
    public func remove() {
        guard !settled else { return }
        settled = true
        var info = stat()
        if SystemPath.withBytes(url.path, { lstat($0, &info) }) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { try? FileManager.default.removeItem(at: url) } else { SystemPath.withBytes(url.path) { _ = unlink($0) } }
        }
        TemporaryFiles.unregister(url.path)
    }
}
