import Foundation

/// Where the package lives on disk, found from this file's path.
public enum PackageRoot {
    /// The package's root directory (the one holding `Package.swift`).
    public static let url: URL = {
        // Tests/SwashTestSupport/SwashTestSupport.swift → three levels up.
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
    }()
}

/// The shared corpora (`../shared/corpora` beside the clone), read in place, never copied.
public enum Corpora {
    /// The corpora directory, or `nil` when `../shared` is not beside the clone.
    public static let root: URL? = {
        if let env = ProcessInfo.processInfo.environment["SWASH_CORPORA"], !env.isEmpty {
            let url = URL(fileURLWithPath: env)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        let url = PackageRoot.url.deletingLastPathComponent()
            .appendingPathComponent("shared/corpora")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// A file inside the corpora, or `nil` (with a note on stderr) when the corpora are absent.
    public static func file(_ relativePath: String) -> URL? {
        guard let root else {
            FileHandle.standardError.write(
                Data("note: ../shared/corpora is absent; skipping the test that reads \(relativePath)\n".utf8))
            return nil
        }
        return root.appendingPathComponent(relativePath)
    }

    /// True when the corpora are present; tests use it in `.enabled(if:)`.
    public static var available: Bool { root != nil }
}

/// A fresh temporary directory, unique per call. The caller removes it (or leaves it to the OS).
public func makeTemporaryDirectory(_ label: String = "swash-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
