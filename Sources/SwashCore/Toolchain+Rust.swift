import Foundation

/// How to build a Rust provider: the `[provider]` and `[rust]` keys of wasmcloud.toml, as plain values.
public struct RustBuildSettings: Sendable, Hashable {
    /// The directory holding `Cargo.toml`; cargo runs here.
    public var projectDirectory: URL
    /// The binary to package (`[provider] bin_name`); the package's first bin target when `nil`.
    public var binName: String?
    /// The target triple for `cargo build --target` (`[provider] rust_target`).
    public var target: String?
    /// Where cargo puts its output (`[rust] target_path`); `target_directory` of `cargo metadata` when `nil`.
    /// It only tells swash where to look: cargo is not told (set `CARGO_TARGET_DIR` for that).
    public var targetPath: URL?
    /// Build without `--release` and take the binary from `debug/` (`[rust] debug`).
    public var debug: Bool
    /// The cargo program (`[rust] cargo_path`); `cargo` on `PATH` when `nil`.
    public var cargoPath: String?
    /// Before compiling for `target`, check that its standard library is installed and, for a Linux cross
    /// triple with no linker configured, use `<arch>-linux-gnu-gcc` when it is on `PATH` (SPEC §7).
    public var prepareCrossTarget: Bool = false

    /// Settings from explicit values; only the project directory is required.
    /// - Parameters:
    ///   - projectDirectory: the directory holding `Cargo.toml`.
    ///   - binName: the binary to package, or `nil` for the first bin target.
    ///   - target: a target triple, or `nil` for the host.
    ///   - targetPath: cargo's target directory, or `nil` to ask `cargo metadata`.
    ///   - debug: `true` for a debug build.
    ///   - cargoPath: the cargo program, or `nil` for `cargo` on `PATH`.
    public init(
        projectDirectory: URL, binName: String? = nil, target: String? = nil, targetPath: URL? = nil,
        debug: Bool = false, cargoPath: String? = nil
    ) {
        self.projectDirectory = projectDirectory
        self.binName = binName
        self.target = target
        self.targetPath = targetPath
        self.debug = debug
        self.cargoPath = cargoPath
    }
}

/// What `cargo metadata` says about the package in a project directory.
public struct CargoPackage: Sendable, Hashable {
    /// The package name (`[package] name`).
    public var name: String
    /// The package version (`[package] version`).
    public var version: String
    /// The names of its bin targets, in cargo's order.
    public var binTargets: [String]
    /// The workspace's target directory (honours `CARGO_TARGET_DIR` and `.cargo/config.toml`).
    public var targetDirectory: URL
}

extension Toolchain {
    /// Builds a Rust provider with `cargo build --release [--target T]` (no `--release` when `debug`) in the
    /// project directory, and finds the binary at `<target dir>/[<triple>/]release|debug/<bin>`.
    /// - Parameter settings: the project and its options.
    /// - Returns: the built binary.
    /// - Throws: `BuildError.toolNotFound` when cargo is missing, `.toolFailed` when `cargo metadata` or
    ///   `cargo build` fails (with the output's last lines), `.executableUndetermined` when there is no bin
    ///   target to default to, `.builtBinaryMissing` when the binary is not where cargo should have put it.
    public func buildRust(_ settings: RustBuildSettings) async throws(BuildError) -> URL {
        try await buildRustBinary(settings).binary
    }

    /// Builds a Rust provider as `buildRust` does, and also says which bin target it packaged: `bin_name`, or
    /// the default one `cargo metadata` named (asked once per build).
    /// - Parameter settings: the project and its options.
    /// - Returns: the built binary and its bin target's name.
    /// - Throws: as `buildRust`.
    public func buildRustBinary(_ settings: RustBuildSettings) async throws(BuildError) -> (binary: URL, binName: String) {
        // Ask cargo metadata first: a project without a bin target fails before a long compile.
        let package = try await cargoPackage(in: settings.projectDirectory, cargoPath: settings.cargoPath)
        let binName: String
        if let named = settings.binName {
            binName = named
        } else {
            binName = try Self.defaultBinName(of: package, in: settings.projectDirectory)
        }

        var arguments = ["build"]
        if !settings.debug { arguments.append("--release") }
        if let target = settings.target { arguments += ["--target", target] }
        let program = ToolProgram.cargo(settings.cargoPath)
        var toolchain = self
        if let triple = settings.target, settings.prepareCrossTarget {
            try await requireRustStandardLibrary(triple: triple, settings: settings)
            toolchain.environment.merge(crossLinker(triple: triple, projectDirectory: settings.projectDirectory)) { $1 }
        }
        let command = try await toolchain.compile(
            program, arguments, in: settings.projectDirectory, phase: "compiling with cargo", done: "compiled")

        var binary = settings.targetPath ?? package.targetDirectory
        if let target = settings.target { binary.appendPathComponent(target) }
        binary.appendPathComponent(settings.debug ? "debug" : "release")
        binary.appendPathComponent(binName + (Self.isWindows(settings.target) ? ".exe" : ""))
        try Self.requireBinary(
            binary, builtBy: command.description,
            advice: settings.binName == nil
                ? "check [rust] target_path in wasmcloud.toml"
                : "check that [provider] bin_name in wasmcloud.toml names a bin target, and [rust] target_path")
        return (binary, binName)
    }

    /// The binary a Rust project builds by default: the first bin target of the package in `projectDirectory`,
    /// as `cargo metadata` reports it.
    /// - Parameters:
    ///   - projectDirectory: the directory holding `Cargo.toml`.
    ///   - cargoPath: the cargo program, or `nil` for `cargo` on `PATH`.
    /// - Throws: `BuildError.toolNotFound`, `.toolFailed` when `cargo metadata` fails,
    ///   `.toolOutputUnreadable`, or `.executableUndetermined` when the package has no bin target.
    public func rustDefaultBinName(projectDirectory: URL, cargoPath: String? = nil) async throws(BuildError)
        -> String
    {
        let package = try await cargoPackage(in: projectDirectory, cargoPath: cargoPath)
        return try Self.defaultBinName(of: package, in: projectDirectory)
    }

    /// Runs `cargo metadata --format-version 1 --no-deps` in `directory` and picks the package whose
    /// `Cargo.toml` is there; in a virtual workspace, the first member with a bin target.
    /// - Parameters:
    ///   - directory: the project directory.
    ///   - cargoPath: the cargo program, or `nil` for `cargo` on `PATH`.
    /// - Throws: `BuildError.toolNotFound`, `.toolFailed` when cargo fails (no `Cargo.toml`, a bad
    ///   manifest), `.toolOutputUnreadable` when its JSON is not understood or lists no package.
    public func cargoPackage(in directory: URL, cargoPath: String? = nil) async throws(BuildError)
        -> CargoPackage
    {
        let program = ToolProgram.cargo(cargoPath)
        let arguments = ["metadata", "--format-version", "1", "--no-deps"]
        let metadata = try await queryJSON(CargoMetadata.self, program, arguments, in: directory)
        let manifest = directory.appendingPathComponent("Cargo.toml").resolvingSymlinksInPath().path
        let isBin = { (target: CargoMetadata.Target) in target.kind.contains("bin") }
        guard
            let package = metadata.packages.first(where: {
                URL(fileURLWithPath: $0.manifestPath).resolvingSymlinksInPath().path == manifest
            }) ?? metadata.packages.first(where: { $0.targets.contains(where: isBin) }) ?? metadata.packages.first
        else {
            throw .toolOutputUnreadable(
                command: command(program, arguments, in: directory).description, reason: "it lists no package")
        }
        return CargoPackage(
            name: package.name, version: package.version,
            binTargets: package.targets.filter(isBin).map(\.name),
            targetDirectory: URL(fileURLWithPath: metadata.targetDirectory))
    }

    private static func defaultBinName(of package: CargoPackage, in directory: URL) throws(BuildError) -> String {
        guard let first = package.binTargets.first else {
            throw .executableUndetermined(
                language: "Rust", directory: directory.path, candidates: [],
                advice: "package \(package.name) has no bin target; add src/main.rs or a [[bin]] section to Cargo.toml")
        }
        return first
    }

    private static func isWindows(_ triple: String?) -> Bool {
        guard let triple else {
            #if os(Windows)
                return true
            #else
                return false
            #endif
        }
        return triple.contains("-windows")
    }
}

/// The part of `cargo metadata --format-version 1` swash reads.
private struct CargoMetadata: Decodable {
    struct Target: Decodable {
        var name: String
        var kind: [String]
    }
    struct Package: Decodable {
        var name: String
        var version: String
        var manifestPath: String
        var targets: [Target]
        enum CodingKeys: String, CodingKey {
            case name, version, targets
            case manifestPath = "manifest_path"
        }
    }
    var packages: [Package]
    var targetDirectory: String
    enum CodingKeys: String, CodingKey {
        case packages
        case targetDirectory = "target_directory"
    }
}
