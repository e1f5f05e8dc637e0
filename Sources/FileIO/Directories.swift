import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Creating directories: private ones (0700 whatever the umask), and output directories that leave nothing
/// behind when their creation fails part way.
public enum Directories {
    /// Creates `directory` and its missing parents with mode 0700, whatever the umask, so that no directory
    /// swash makes under `~/.wash` lets another user swap what is inside. Existing directories are left as
    /// they are.
    /// - Throws: `FileSystemError` naming the path that could not be made.
    public static func createPrivate(_ directory: URL) throws(FileSystemError) {
        try create(directory, mode: 0o700, exact: true)
    }

    /// Creates `directory` and its missing parents (0755 before the umask). If one of them cannot be made,
    /// those made by this call are removed again, so a failure leaves the file system as it was.
    /// - Throws: `FileSystemError` naming the path that could not be made.
    public static func create(_ directory: URL) throws(FileSystemError) {
        try create(directory, mode: 0o755, exact: false)
    }

    private static func create(_ directory: URL, mode: mode_t, exact: Bool) throws(FileSystemError) {
        var missing: [URL] = []
        var cursor = directory.standardizedFileURL
        var info = stat()
        while SystemPath.withBytes(cursor.path, { stat($0, &info) }) != 0 {
            let code = errno
            guard code == ENOENT else { throw FileSystemError(.createDirectory, path: cursor.path, code: code) }
            missing.append(cursor)
            let parent = cursor.deletingLastPathComponent()
            if parent.path == cursor.path { break }
            cursor = parent
        }
        if missing.isEmpty || SystemPath.withBytes(cursor.path, { stat($0, &info) }) == 0 {
            guard missing.isEmpty || info.st_mode & S_IFMT == S_IFDIR else {
                throw FileSystemError(.createDirectory, path: cursor.path, detail: "it exists and is not a directory")
            }
        }
        var made: [URL] = []
        for url in missing.reversed() {
            if SystemPath.withBytes(url.path, { mkdir($0, mode) }) != 0, errno != EEXIST {
                let error = FileSystemError(.createDirectory, path: url.path)
                for created in made.reversed() { SystemPath.withBytes(created.path) { _ = rmdir($0) } }
                throw error
            }
            made.append(url)
            if exact { SystemPath.withBytes(url.path) { _ = chmod($0, mode) } }  // mkdir's mode is filtered by the umask
        }
        guard SystemPath.withBytes(directory.path, { stat($0, &info) }) == 0 else { throw FileSystemError(.createDirectory, path: directory.path) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw FileSystemError(.createDirectory, path: directory.path, detail: "it exists and is not a directory")
        }
    }

    /// Syncs a directory, so a rename or link inside it survives a crash. Failures are ignored.
    public static func sync(_ directory: URL) {
        let fd = SystemPath.withBytes(directory.path) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
