import FileIO
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a new project's files all at once, or not at all.
enum ProjectDirectory {
    /// Writes `files` into a staging directory beside `destination` (a `TemporaryPath`: removed on failure and
    /// on SIGINT/SIGTERM, swept when abandoned), claims `destination` with `mkdir` (which fails if anything is
    /// there), then renames the staging directory over that empty claim. An existing `destination` is never
    /// touched.
    /// - Throws: `ProjectError.projectExists`, or `.projectWriteFailed` naming the path and the reason.
    static func write(_ files: [NewProject.TemplateFile], to destination: URL) throws(ProjectError) {
        let parent = destination.deletingLastPathComponent()
        guard FileStatus.isDirectory(parent) else {
            throw .projectWriteFailed(FileSystemError(.write, path: parent.path, detail: "no such directory; create it or choose another --path"))
        }
        if FileStatus.exists(destination) { throw .projectExists(path: destination.path) }

        let staging = TemporaryPath(beside: destination)
        do {
            try Directories.create(staging.url)
            for file in files {
                let url = staging.url.appendingPathComponent(file.path)
                try Directories.create(url.deletingLastPathComponent())
                try AtomicFile.write(Array(file.contents.utf8), to: url)
            }
        } catch {
            throw .projectWriteFailed(error)
        }
        guard mkdir(destination.path, 0o755) == 0 else {
            let code = errno
            if code == EEXIST { throw .projectExists(path: destination.path) }
            throw .projectWriteFailed(FileSystemError(.write, path: destination.path, code: code))
        }
        do { try staging.moveIntoPlace() } catch {
            rmdir(destination.path)
            throw .projectWriteFailed(error)
        }
    }
}
