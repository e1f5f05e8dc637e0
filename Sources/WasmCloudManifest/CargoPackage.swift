import FileIO
import Foundation
import TOMLLite

/// The `[package] name` and `version` of a Rust project's `Cargo.toml`, read with TOMLLite, for projects
/// whose `wasmcloud.toml` leaves them out.
struct CargoPackage {
    let fileURL: URL
    /// The parsed manifest, or `nil` when there is no `Cargo.toml`.
    private let manifest: TOMLTable?

    /// Reads `<projectDirectory>/Cargo.toml` if it exists.
    /// - Throws: ``ManifestError/syntax(_:)`` when it is not valid TOML, ``ManifestError/unreadable(_:reason:)``.
    init(projectDirectory: URL) throws(ManifestError) {
        fileURL = projectDirectory.appendingPathComponent("Cargo.toml")
        guard FileManager.default.fileExists(atPath: fileURL.path) else {
            manifest = nil
            return
        }
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            throw .unreadable(fileURL, reason: FileSystemError(.read, path: fileURL.path, from: error).reason)
        }
        do {
            manifest = try TOMLTable(parsing: data, fileName: fileURL.path)
        } catch {
            throw .syntax(error)
        }
    }

    var name: String? { value("name") }
    var version: String? { value("version") }

    private func value(_ key: String) -> String? {
        manifest?["package"]?[key]?.stringValue
    }

    /// Why `key` cannot be taken from this Cargo.toml (call when the value is `nil`).
    func unavailable(_ key: String) -> String {
        guard let manifest else { return "there is no Cargo.toml at \(fileURL.path)" }
        guard let package = manifest["package"] else {
            return "\(fileURL.path) has no [package] table (a workspace manifest?)"
        }
        guard let value = package[key] else { return "\(fileURL.path) has no [package] \(key)" }
        if value["workspace"] == true {
            return "\(fileURL.path) inherits it from the workspace (\(key).workspace = true), which swash does not read"
        }
        return "[package] \(key) in \(fileURL.path) is \(value.typeName == "integer" ? "an" : "a") \(value.typeName), not a string"
    }
}
