import Foundation

/// Writes a new project's files all at once, or not at all.
enum ProjectDirectory {
    /// Writes `files` into a staging directory beside `destination`, claims `destination` with `mkdir`
    /// (which fails if anything is there), then renames the staging directory over that empty claim.
    /// A failure removes the staging directory; an existing `destination` is never touched.
    /// - Throws: `SwashCoreError.projectExists`, or `.projectWriteFailed` naming the path and the reason.
    static func write(_ files: [NewProject.TemplateFile], to destination: URL) throws(SwashCoreError) {
        let manager = FileManager.default
        let parent = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .projectWriteFailed(path: parent.path, reason: "no such directory; create it or choose another --path")
        }
        if (try? manager.attributesOfItem(atPath: destination.path)) != nil { throw .projectExists(path: destination.path) }

        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).swash-new-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: staging) }  // after the rename there is nothing left to remove
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: false)
            for file in files {
                let url = staging.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url, options: .withoutOverwriting)
            }
        } catch {
            throw .projectWriteFailed(path: staging.path, reason: KeyStore.reason(error))
        }
        guard mkdir(destination.path, 0o755) == 0 else {
            let code = errno
            if code == EEXIST { throw .projectExists(path: destination.path) }
            throw .projectWriteFailed(path: destination.path, reason: String(cString: strerror(code)))
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(destination.path)
            throw .projectWriteFailed(path: destination.path, reason: reason)
        }
    }
}
