import Foundation
import SwashTestSupport
import WasmCloudManifest

/// A temporary project directory with a `wasmcloud.toml` (and any other files) written by the test.
struct Project {
    let directory: URL

    init(_ manifest: String, files: [String: String] = [:], directories: [String] = []) throws {
        directory = try makeTemporaryDirectory("swash-manifest")
        try write("wasmcloud.toml", manifest)
        for (path, text) in files { try write(path, text) }
        for path in directories {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(path), withIntermediateDirectories: true)
        }
    }

    var manifestURL: URL { file("wasmcloud.toml") }

    /// `directory` + a relative path to a directory, as the manifest resolves it.
    func subdirectory(_ relative: String) -> URL {
        directory.appendingPathComponent(relative, isDirectory: true).standardizedFileURL
    }

    /// `directory` + a relative path to a file, as the manifest resolves it.
    func file(_ relative: String) -> URL {
        directory.appendingPathComponent(relative, isDirectory: false).standardizedFileURL
    }

    func write(_ relative: String, _ text: String) throws {
        let url = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func load() throws(ManifestError) -> ProviderManifest {
        try ProviderManifest.load(from: directory)
    }

    /// The error loading fails with, or `nil` when it loads.
    func loadError() -> ManifestError? {
        do {
            _ = try load()
            return nil
        } catch {
            return error
        }
    }
}
