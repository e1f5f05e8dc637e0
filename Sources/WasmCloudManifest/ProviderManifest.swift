import FileIO
import Foundation
import TOMLLite

/// A capability provider project as described by its `wasmcloud.toml` (SPEC §4), with every path resolved.
///
/// Read with ``load(from:)`` (a file or its directory) or ``parse(_:fileURL:)``. Reading checks the types of
/// all keys swash knows, resolves relative paths against the file's directory, and checks that the project
/// directory exists; it never creates directories, reads environment variables or runs programs (the
/// `bin_name` default from `cargo metadata` and creating the build directory are the build workflow's job).
///
/// Unknown keys and tables are ignored, as wash does; each one gets a line in ``notes``.
///
/// Directory URLs (``projectDirectory``, ``buildDirectory``, ``ProviderSection/keyDirectory``,
/// ``RustSection/targetPath``) are standardized and have a directory path (trailing `/`), so they compare
/// equal to `URL(fileURLWithPath: path, isDirectory: true)`.
public struct ProviderManifest: Sendable, Equatable {
    /// The languages swash builds providers in.
    public enum Language: String, Sendable, Equatable, CaseIterable {
        /// `language = "rust"`: built with cargo.
        case rust
        /// `language = "swift"`: built with SwiftPM.
        case swift
        /// `language = "go"`: built with `go build`.
        case go
    }

    /// The `wasmcloud.toml` that was read (absolute, standardized).
    public var fileURL: URL
    /// `language`.
    public var language: Language
    /// `name`, or for Rust the `[package] name` of the project's `Cargo.toml` when absent.
    public var name: String
    /// `version` (a semantic version), or for Rust the `[package] version` of `Cargo.toml` when absent.
    public var version: String
    /// `revision`, 0 when absent; written as the claims' `rev`.
    public var revision: Int
    /// `path`: the project directory, where the toolchain runs. Relative to the file's directory, which is
    /// also the default. Exists (checked).
    public var projectDirectory: URL
    /// `build`: the output directory, relative to the file's directory; default `<project>/build`. Not
    /// checked or created here.
    public var buildDirectory: URL
    /// `wit`: the project's WIT directory, relative to the file's directory; default `<project>/wit`. Not
    /// checked here: a missing default directory just means the provider declares no WIT.
    public var witDirectory: URL
    /// Whether `wit` was written in the file (then a missing directory is an error, not a silent default).
    public var witDirectoryIsExplicit: Bool
    /// `[provider]`; defaults when the table is absent.
    public var provider: ProviderSection
    /// `[rust]`, or `nil` when the file has no such table.
    public var rust: RustSection?
    /// `[swift]`, or `nil` when the file has no such table.
    public var swift: SwiftSection?
    /// `[go]`, or `nil` when the file has no such table.
    public var go: GoSection?
    /// `[registry]`, or `nil` when the file has no such table.
    public var registry: RegistrySection?
    /// What was read and ignored or filled in, one sentence each with its line, for verbose output
    /// (`line 9: [provider] wit_world is read and ignored, as wash does`).
    public var notes: [String]
    /// Where each key was written, by dotted path (`"provider.bin_name"`, `"name"`), for later messages.
    public var keyPositions: [String: TOMLPosition]

    /// Reads the `wasmcloud.toml` of a project.
    /// - Parameter url: The `wasmcloud.toml` file, or the directory holding it.
    /// - Throws: ``ManifestError/notFound(_:)`` when there is no such file, ``ManifestError/unreadable(_:reason:)``,
    ///   and everything ``parse(_:fileURL:)`` throws.
    public static func load(from url: URL) throws(ManifestError) -> ProviderManifest {
        let given = url.standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: given.path, isDirectory: &isDirectory)
        let file =
            exists && isDirectory.boolValue ? given.appendingPathComponent("wasmcloud.toml", isDirectory: false) : given
        guard FileManager.default.fileExists(atPath: file.path) else { throw .notFound(file) }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw .unreadable(file, reason: FileSystemError(.read, path: file.path, from: error).reason)
        }
        return try parse([UInt8](data), fileURL: file)
    }

    /// Reads `wasmcloud.toml` content whose file is at `fileURL` (relative paths in it are resolved against
    /// that file's directory; a Rust project's `Cargo.toml` is read from the project directory when `name`
    /// or `version` is missing).
    /// - Parameters:
    ///   - bytes: The content of the file.
    ///   - fileURL: Where the file is (or would be).
    /// - Throws: ``ManifestError``: ``ManifestError/syntax(_:)`` for invalid TOML (in this file or in
    ///   `Cargo.toml`), ``ManifestError/notAProvider(type:_:)`` for components and actors,
    ///   ``ManifestError/unknownProjectType(_:_:)``, ``ManifestError/unsupportedLanguage(_:_:)``,
    ///   ``ManifestError/missingKey(_:_:reason:)``, ``ManifestError/wrongType(key:expected:found:_:hint:)``,
    ///   ``ManifestError/invalidValue(key:reason:_:)`` and ``ManifestError/directoryNotFound(key:_:_:)``.
    public static func parse(_ bytes: [UInt8], fileURL: URL) throws(ManifestError) -> ProviderManifest {
        let file = URL(fileURLWithPath: fileURL.standardizedFileURL.path, isDirectory: false)
        let table: TOMLTable
        do {
            table = try TOMLTable(parsing: bytes, fileName: file.path)
        } catch {
            throw .syntax(error)
        }
        var reader = ManifestReader(table: table, source: bytes, fileURL: file)
        return try reader.read()
    }
}

/// `[provider]`.
public struct ProviderSection: Sendable, Equatable {
    /// `vendor`, default `NoVendor`.
    public var vendor: String
    /// `bin_name`: the provider binary's name; `nil` when absent (Rust: the build workflow takes the first bin
    /// target of `cargo metadata`; Swift: the only executable product).
    public var binName: String?
    /// `capability_id`: written as the claims' `capid`, for 0.x hosts.
    public var capabilityID: String?
    /// `rust_target`: the target triple for `cargo build --target`.
    public var rustTarget: String?
    /// `key_directory`, resolved against the file's directory (`~` is not expanded).
    public var keyDirectory: URL?
    /// `targets`: the target names `build` builds when no `--target` is given (a swash extension, SPEC §7); empty
    /// for the single native build.
    public var targets: [String] = []

    /// A section with the given values (all defaults when called without arguments).
    /// - Parameters:
    ///   - vendor: The vendor name.
    ///   - binName: The binary name.
    ///   - capabilityID: The capability contract ID.
    ///   - rustTarget: The Rust target triple.
    ///   - keyDirectory: The key directory.
    public init(
        vendor: String = "NoVendor", binName: String? = nil, capabilityID: String? = nil, rustTarget: String? = nil,
        keyDirectory: URL? = nil
    ) {
        self.vendor = vendor
        self.binName = binName
        self.capabilityID = capabilityID
        self.rustTarget = rustTarget
        self.keyDirectory = keyDirectory
    }
}

/// `[rust]`.
public struct RustSection: Sendable, Equatable {
    /// `cargo_path`: a program name looked up on `PATH` (no `/`), or an absolute path (a relative path is
    /// resolved against the file's directory).
    public var cargoPath: String?
    /// `target_path`: cargo's target directory, resolved against the file's directory.
    public var targetPath: URL?
    /// `debug`: build without `--release`. Default `false`.
    public var debug: Bool
    /// `targets`: target triples by target name, overriding SPEC §7's defaults (`{ "aarch64-linux" = "…" }`).
    public var targets: [String: String] = [:]

    /// A section with the given values.
    /// - Parameters:
    ///   - cargoPath: The cargo program.
    ///   - targetPath: The target directory.
    ///   - debug: Whether to build in debug mode.
    ///   - targets: Triples by target name.
    public init(cargoPath: String? = nil, targetPath: URL? = nil, debug: Bool = false, targets: [String: String] = [:]) {
        self.targets = targets
        self.cargoPath = cargoPath
        self.targetPath = targetPath
        self.debug = debug
    }
}

/// `[swift]` (a swash extension; wash has no Swift support).
public struct SwiftSection: Sendable, Equatable {
    /// `swift_path`: a program name looked up on `PATH`, or an absolute path (relative paths are resolved
    /// against the file's directory).
    public var swiftPath: String?
    /// `product`: the executable product to build (default: the package's only executable product).
    public var product: String?
    /// `configuration`: `release` (default) or `debug`.
    public var configuration: String
    /// `swift_sdk`: passed as `--swift-sdk`.
    public var swiftSDK: String?
    /// `triple`: passed as `--triple`; names the archive's target by SPEC §3's map.
    public var triple: String?
    /// `sdks`: Swift SDK ids by target name, for builds of several targets (`{ "aarch64-linux" = "…" }`).
    public var sdks: [String: String] = [:]

    /// A section with the given values.
    /// - Parameters:
    ///   - swiftPath: The swift program.
    ///   - product: The product to build.
    ///   - configuration: `release` or `debug`.
    ///   - swiftSDK: The Swift SDK for cross-compilation.
    ///   - triple: The target triple.
    ///   - sdks: Swift SDK ids by target name.
    public init(
        swiftPath: String? = nil, product: String? = nil, configuration: String = "release", swiftSDK: String? = nil,
        triple: String? = nil, sdks: [String: String] = [:]
    ) {
        self.sdks = sdks
        self.swiftPath = swiftPath
        self.product = product
        self.configuration = configuration
        self.swiftSDK = swiftSDK
        self.triple = triple
    }
}

/// `[go]`.
public struct GoSection: Sendable, Equatable {
    /// `go_path`: a program name looked up on `PATH`, or an absolute path (relative paths are resolved
    /// against the file's directory).
    public var goPath: String?
    /// `disable_go_generate`: skip `go generate ./...`. Default `false`.
    public var disableGoGenerate: Bool

    /// A section with the given values.
    /// - Parameters:
    ///   - goPath: The go program.
    ///   - disableGoGenerate: Whether to skip `go generate`.
    public init(goPath: String? = nil, disableGoGenerate: Bool = false) {
        self.goPath = goPath
        self.disableGoGenerate = disableGoGenerate
    }
}

/// `[registry]`: defaults for push and pull.
public struct RegistrySection: Sendable, Equatable {
    /// `url`: the registry (and repository) to push to.
    public var url: String?
    /// `credentials`: a credentials file, resolved against the file's directory.
    public var credentials: URL?
    /// `push_insecure`: push over plain HTTP. Default `false`.
    public var pushInsecure: Bool

    /// A section with the given values.
    /// - Parameters:
    ///   - url: The registry URL.
    ///   - credentials: The credentials file.
    ///   - pushInsecure: Whether to use plain HTTP.
    public init(url: String? = nil, credentials: URL? = nil, pushInsecure: Bool = false) {
        self.url = url
        self.credentials = credentials
        self.pushInsecure = pushInsecure
    }
}
