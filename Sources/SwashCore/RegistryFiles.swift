import Foundation

/// How pulled archives reach the disk.
enum RegistryFiles {
    /// Writes `destination` atomically: into a hidden temporary file beside it (`.<name>.<uuid>.partial`),
    /// then fsync, `validate`, rename over any previous file, fsync of the directory. On any failure the
    /// temporary file is removed and `destination` is left as it was; abandoned ones of earlier, killed runs
    /// are removed first (`TemporaryFiles`).
    /// - Parameters:
    ///   - destination: the file to create or replace.
    ///   - write: fills the temporary file through its handle.
    ///   - validate: checks the complete temporary file before it is renamed into place.
    /// - Throws: what `write` or `validate` throw, or `SwashCoreError.fileWriteFailed`.
    static func writeAtomically(
        to destination: URL,
        write: (FileHandle) async throws(SwashCoreError) -> Void,
        validate: (URL) throws(SwashCoreError) -> Void
    ) async throws(SwashCoreError) {
        let directory = destination.deletingLastPathComponent()
        TemporaryFiles.removeStale(beside: destination)
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        func failed(_ error: any Error) -> SwashCoreError {
            .fileWriteFailed(path: destination.path, reason: KeyStore.reason(error))
        }
        // 0644 before the umask, as archives swash creates (FileManager would ask for 0666).
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue
            throw .fileWriteFailed(path: destination.path, reason: exists ? "cannot create a file in \(directory.path): \(reason)" : "the directory \(directory.path) does not exist")
        }
        var renamed = false
        defer { if !renamed { unlink(temporary.path) } }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do throws(SwashCoreError) {
            try await write(handle)
            do {
                try handle.synchronize()
                try handle.close()
            } catch { throw failed(error) }
        } catch {
            try? handle.close()
            throw error
        }
        try validate(temporary)
        guard rename(temporary.path, destination.path) == 0 else {
            throw .fileWriteFailed(path: destination.path, reason: String(cString: strerror(errno)))
        }
        renamed = true
        KeyStore.syncDirectory(directory)
    }
}
