import Foundation

/// How to build a Swift provider: the `[provider]` and `[swift]` keys of wasmcloud.toml, as plain values.
public struct SwiftBuildSettings: Sendable, Hashable {
    /// The directory holding `Package.swift`; swift runs here.
    public var projectDirectory: URL
    /// The executable product to build (`[swift] product`, or `[provider] bin_name`); the package's only
    /// executable product when `nil`.
    public var product: String?
    /// The build configuration, `release` or `debug` (`[swift] configuration`).
    public var configuration: String
    /// A Swift SDK to cross-compile with, `--swift-sdk` (`[swift] swift_sdk`).
    public var swiftSDK: String?
    /// A target triple, `--triple` (`[swift] triple`).
    public var triple: String?
    /// The swift program (`[swift] swift_path`); `swift` on `PATH` when `nil`.
    public var swiftPath: String?
    /// SwiftPM's build directory, `--scratch-path` (not a wasmcloud.toml key: for CI and tests); `.build` when `nil`.
    public var scratchPath: URL?

    /// Settings from explicit values; only the project directory is required.
    /// - Parameters:
    ///   - projectDirectory: the directory holding `Package.swift`.
    ///   - product: the executable product, or `nil` for the only one.
    ///   - configuration: `release` (the default) or `debug`.
    ///   - swiftSDK: a Swift SDK for cross-compilation, or `nil`.
    ///   - triple: a target triple, or `nil` for the host.
    ///   - swiftPath: the swift program, or `nil` for `swift` on `PATH`.
    ///   - scratchPath: SwiftPM's build directory, or `nil` for the package's `.build`.
    public init(
        projectDirectory: URL, product: String? = nil, configuration: String = "release", swiftSDK: String? = nil,
        triple: String? = nil, swiftPath: String? = nil, scratchPath: URL? = nil
    ) {
        self.projectDirectory = projectDirectory
        self.product = product
        self.configuration = configuration
        self.swiftSDK = swiftSDK
        self.triple = triple
        self.swiftPath = swiftPath
        self.scratchPath = scratchPath
    }
}

extension Toolchain {
    /// Builds a Swift provider with `swift build -c <configuration> --product P [--swift-sdk S] [--triple T]`
    /// in the project directory, and finds the binary in the directory the same command prints with
    /// `--show-bin-path`.
    /// - Parameter settings: the project and its options.
    /// - Returns: the built binary.
    /// - Throws: `BuildError.toolNotFound` when swift is missing, `.toolFailed` when a swift command fails
    ///   (with the output's last lines), `.executableUndetermined` when no product is named and the package
    ///   has several executable products or none, `.builtBinaryMissing` when the binary is not in the bin
    ///   directory.
    public func buildSwift(_ settings: SwiftBuildSettings) async throws(BuildError) -> URL {
        let product: String
        if let named = settings.product {
            product = named
        } else {
            product = try await swiftDefaultProduct(
                projectDirectory: settings.projectDirectory, swiftPath: settings.swiftPath,
                scratchPath: settings.scratchPath)
        }

        var arguments = ["build", "-c", settings.configuration, "--product", product]
        if let sdk = settings.swiftSDK { arguments += ["--swift-sdk", sdk] }
        if let triple = settings.triple { arguments += ["--triple", triple] }
        if let scratch = settings.scratchPath { arguments += ["--scratch-path", scratch.path] }
        let program = ToolProgram.swift(settings.swiftPath)
        let command = try await compile(
            program, arguments, in: settings.projectDirectory, phase: "compiling with swift", done: "compiled")

        let showArguments = arguments + ["--show-bin-path"]
        let printed = try await query(program, showArguments, in: settings.projectDirectory)
        // The path is the last non-empty line (SwiftPM may print notes before it).
        guard
            let binPath = String(decoding: printed, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map({ $0.trimmingCharacters(in: .whitespaces) }).last(where: { $0.hasPrefix("/") })
        else {
            throw .toolOutputUnreadable(
                command: self.command(program, showArguments, in: settings.projectDirectory).description,
                reason: "it printed no absolute path")
        }
        let binary = URL(fileURLWithPath: binPath, isDirectory: true).appendingPathComponent(product)
        try Self.requireBinary(
            binary, builtBy: command.description,
            advice: "check that \(product) is an executable product of the package")
        return binary
    }

    /// The product a Swift project builds by default: its only executable product, found with
    /// `swift package dump-package`.
    /// - Parameters:
    ///   - projectDirectory: the directory holding `Package.swift`.
    ///   - swiftPath: the swift program, or `nil` for `swift` on `PATH`.
    ///   - scratchPath: SwiftPM's build directory, or `nil` for the package's `.build`.
    /// - Throws: `BuildError.toolNotFound`, `.toolFailed` when the manifest cannot be loaded,
    ///   `.toolOutputUnreadable`, or `.executableUndetermined` (listing the candidates) when there are several
    ///   executable products or none.
    public func swiftDefaultProduct(projectDirectory: URL, swiftPath: String? = nil, scratchPath: URL? = nil)
        async throws(BuildError) -> String
    {
        var arguments = ["package"]
        if let scratch = scratchPath { arguments += ["--scratch-path", scratch.path] }
        arguments.append("dump-package")
        let manifest = try await queryJSON(
            PackageDump.self, .swift(swiftPath), arguments, in: projectDirectory)
        let executables = manifest.products.filter { $0.type.keys.contains("executable") }.map(\.name)
        guard executables.count == 1 else {
            throw .executableUndetermined(
                language: "Swift", directory: projectDirectory.path, candidates: executables,
                advice: executables.isEmpty
                    ? "add an .executable product to Package.swift"
                    : "name the one to package with [swift] product in wasmcloud.toml")
        }
        return executables[0]
    }
}

/// The part of `swift package dump-package` swash reads: `products[].name` and `products[].type`, an object
/// keyed by the product kind (`{"executable": null}`, `{"library": ["automatic"]}`).
private struct PackageDump: Decodable {
    struct Product: Decodable {
        var name: String
        var type: [String: Kind]
    }
    /// Any JSON value; only the key it sits under matters.
    struct Kind: Decodable {
        init(from decoder: any Decoder) throws {}
    }
    var products: [Product]
}
