import FileIO
import Foundation
import NKeys
import ProviderArchiveKit
import WasmCloudManifest

/// `swash build`: from a provider project to a signed `<build>/<bin_name>.par.gz`.
///
/// Resolve wasmcloud.toml → compile with the project's toolchain (or take `--binary`) → name the target →
/// load or generate keys → write the archive atomically. A failure at any step leaves an existing
/// archive as it was.
public enum BuildWorkflow {
    /// What `swash build` was asked to do.
    public struct Request: Sendable {
        /// `-p`: wasmcloud.toml or its directory.
        public var path: URL
        /// The key flags.
        public var keys: KeyOptions
        /// `--binary`: package this file instead of compiling.
        public var binary: URL?
        /// `--verbose`: also report the manifest keys that were read and ignored.
        public var verbose: Bool
        /// `--wit-directory` / `WIT_DIR`: the WIT directory to embed, given explicitly (then failing to encode it
        /// is an error; the project's own `wit` directory only warns).
        public var witDirectory: URL?
        /// `--target`: build for each of these and write one archive holding them all (SPEC §7); empty for
        /// `[provider] targets`, or the single native build when that is empty too.
        public var targets: [TargetName] = []

        /// A build request from the command's flags.
        public init(
            path: URL, keys: KeyOptions = KeyOptions(), binary: URL? = nil, verbose: Bool = false, witDirectory: URL? = nil,
            targets: [TargetName] = []
        ) {
            self.targets = targets
            self.witDirectory = witDirectory
            self.path = path
            self.keys = keys
            self.binary = binary
            self.verbose = verbose
        }
    }

    /// What a build produced.
    public struct Result: Sendable, Codable {
        /// The archive written.
        public var path: URL
        /// The binary packaged.
        public var binary: URL
        /// The archive's target name (`x86_64-linux`, …).
        public var target: TargetName
        /// The provider's name from wasmcloud.toml (or Cargo.toml).
        public var name: String
        /// Whether the archive embeds a WIT package (`world.wasm`).
        public var hasWorld: Bool
        /// Every target of a build of several (SPEC §7); absent for the single native build.
        public var targets: [TargetName]?
    }

    /// Builds and packages the provider project.
    /// - Parameters:
    ///   - request: the flags.
    ///   - context: environment, home and working directory; its reporter shows the phases and the
    ///     toolchain's output.
    ///   - runner: runs the toolchain (a fake in tests).
    /// - Returns: the archive's path and what went into it.
    /// - Throws: `ManifestError` for a missing or invalid wasmcloud.toml (with `file:line:column`),
    ///   `BuildError` for a missing toolchain, a failed compile, a missing binary or an unknown target triple,
    ///   `KeyError` for key problems, `FileSystemError` when the build directory cannot be made,
    ///   `ProviderArchiveError` when the archive cannot be written.
    public static func build(
        _ request: Request, context: SwashContext, runner: any CommandRunner = SystemCommandRunner()
    ) async throws -> Result {
        let manifest = try ProviderManifest.load(from: request.path)
        if request.verbose { manifest.notes.forEach { context.notice("note: \($0)") } }
        let toolchain = Toolchain(environment: context.environment, progress: context.reporter, runner: runner)
        let targets = request.targets.isEmpty ? try manifest.provider.targets.map { try TargetName($0) } : request.targets
        if request.binary == nil, !targets.isEmpty {
            return try await buildSeveral(targets, request, manifest, context: context, runner: runner)
        }
        // With --binary the file is one target: the one named, else as the single build names it.
        let target = try request.targets.first ?? targetName(manifest, environment: context.environment)

        let binary: URL
        let binName: String
        if let given = request.binary {
            _ = try FileStatus.requireReadableFile(given)
            binary = given
            binName = manifest.provider.binName ?? binary.lastPathComponent
        } else {
            (binary, binName) = try await compile(manifest, toolchain: toolchain)
        }

        let keys = SigningKeys(options: request.keys, context: context, manifestKeyDirectory: manifest.provider.keyDirectory)
        try Directories.create(manifest.buildDirectory)
        let destination = manifest.buildDirectory.appendingPathComponent("\(binName).par.gz")
        let world = try await encodeWorld(request, manifest, beside: destination, context: context, runner: runner)
        let written = try await context.reporter.phase("packaging \(destination.lastPathComponent)", done: "packaged") { _ in
            try await ArchiveWorkflows.create(
                ArchiveWorkflows.CreateRequest(
                    name: manifest.name, vendor: manifest.provider.vendor, binary: binary, target: target,
                    version: manifest.version, revision: manifest.revision,
                    capabilityContractID: manifest.provider.capabilityID, wit: world?.url, destination: destination,
                    compress: true, subjectStem: binName),
                keys: keys, context: context)
        }
        withExtendedLifetime(world) {}
        return Result(path: written.path, binary: binary, target: target, name: manifest.name, hasWorld: world != nil)
    }

    /// Builds the project once per target and writes one archive holding them all, signed once (SPEC §7). Every
    /// binary is judged by its header; any target failing stops the build before anything is written.
    static func buildSeveral(
        _ targets: [TargetName], _ request: Request, _ manifest: ProviderManifest, context: SwashContext,
        runner: any CommandRunner
    ) async throws -> Result {
        var binaries: [TargetName: URL] = [:]
        var temporaries: [TemporaryPath] = []
        var binName = manifest.provider.binName
        var warnings: [String] = []
        for (offset, target) in targets.enumerated() {
            let reporter = TargetReporter(base: context.reporter, target: target, index: offset + 1, count: targets.count)
            let toolchain = Toolchain(environment: context.environment, progress: reporter, runner: runner)
            do {
                let built = try await compile(manifest, toolchain: toolchain, for: target)
                if let temporary = built.temporary { temporaries.append(temporary) }
                binName = binName ?? built.binName
                if let warning = try ArchiveWorkflows.judgeTarget(of: built.binary, requested: target).warning { warnings.append(warning) }
                binaries[target] = built.binary
            } catch {
                throw BuildError.targetFailed(target: target.rawValue, index: offset + 1, count: targets.count, reason: "\(error)")
            }
        }
        let name = binName ?? manifest.name
        let keys = SigningKeys(options: request.keys, context: context, manifestKeyDirectory: manifest.provider.keyDirectory)
        try Directories.create(manifest.buildDirectory)
        let destination = manifest.buildDirectory.appendingPathComponent("\(name).par.gz")
        let world = try await encodeWorld(request, manifest, beside: destination, context: context, runner: runner)
        let first = binaries[targets[0]]!
        let written = try await context.reporter.phase("packaging \(targets.count) targets into \(destination.lastPathComponent)", done: "packaged") { _ in
            try await ArchiveWorkflows.createArchive(
                ArchiveWorkflows.CreateRequest(
                    name: manifest.name, vendor: manifest.provider.vendor, binary: first, target: targets[0],
                    version: manifest.version, revision: manifest.revision,
                    capabilityContractID: manifest.provider.capabilityID, wit: world?.url, destination: destination,
                    compress: true, subjectStem: name),
                targets: binaries, keys: keys, context: context)
        }
        withExtendedLifetime((world, temporaries)) {}
        warnings.forEach(context.notice)
        return Result(
            path: written.path, binary: first, target: targets[0], name: manifest.name, hasWorld: world != nil,
            targets: binaries.keys.sorted())
    }

    /// One target's binary: compiled with the triple, SDK or `GOOS`/`GOARCH` for `target` (SPEC §7).
    static func compile(_ manifest: ProviderManifest, toolchain: Toolchain, for target: TargetName) async throws
        -> (binary: URL, binName: String, temporary: TemporaryPath?)
    {
        let project = manifest.projectDirectory
        switch manifest.language {
        case .rust:
            let rust = manifest.rust
            let triple = try BuildTargets.rustTriple(target, overrides: rust?.targets ?? [:])
            var settings = RustBuildSettings(
                projectDirectory: project, binName: manifest.provider.binName, target: triple,
                targetPath: rust?.targetPath, debug: rust?.debug ?? false, cargoPath: rust?.cargoPath)
            settings.prepareCrossTarget = true
            let (binary, name) = try await toolchain.buildRustBinary(settings)
            return (binary, name, nil)
        case .swift:
            let swift = manifest.swift
            let (sdk, triple) = try await toolchain.swiftTarget(
                target, configured: swift?.sdks ?? [:], swiftPath: swift?.swiftPath, in: project)
            let binary = try await toolchain.buildSwift(
                SwiftBuildSettings(
                    projectDirectory: project, product: swift?.product ?? manifest.provider.binName,
                    configuration: swift?.configuration ?? "release", swiftSDK: sdk, triple: triple,
                    swiftPath: swift?.swiftPath))
            return (binary, manifest.provider.binName ?? binary.lastPathComponent, nil)
        case .go:
            let name = manifest.provider.binName ?? "provider"
            let temporary = TemporaryPath(beside: manifest.buildDirectory.appendingPathComponent("\(name).\(target)"))
            var settings = GoBuildSettings(
                projectDirectory: project, outputDirectory: manifest.buildDirectory,
                binName: manifest.provider.binName, disableGoGenerate: manifest.go?.disableGoGenerate ?? false,
                goPath: manifest.go?.goPath)
            settings.environment = try BuildTargets.goEnvironment(target, environment: toolchain.environment)
            settings.output = temporary.url
            let binary = try await toolchain.buildGo(settings)
            return (binary, name, temporary)
        }
    }

    /// The project's WIT package, encoded: from `--wit-directory`/`WIT_DIR` (failure is an error), else from the
    /// `wit` directory of wasmcloud.toml (default `<project>/wit`) when it exists — where, as in wash, a missing
    /// or failing wasm-tools only warns that the archive has no world.wasm.
    static func encodeWorld(
        _ request: Request, _ manifest: ProviderManifest, beside destination: URL, context: SwashContext,
        runner: any CommandRunner
    ) async throws -> TemporaryPath? {
        if let explicit = request.witDirectory {
            return try await context.reporter.phase("encoding WIT with wasm-tools", done: "encoded") { _ in
                try await WitWorkflows.encode(explicit, beside: destination, context: context, runner: runner)
            }
        }
        let directory = manifest.witDirectory
        guard manifest.witDirectoryIsExplicit || FileStatus.isDirectory(directory) else { return nil }
        do {
            return try await WitWorkflows.encode(directory, beside: destination, context: context, runner: runner)
        } catch {
            context.notice("warning: the WIT directory \"\(directory.path)\" was not embedded, so the archive has no world.wasm: \(error)")
            return nil
        }
    }

    /// Compiles with the project's toolchain and returns the binary and its name.
    static func compile(_ manifest: ProviderManifest, toolchain: Toolchain) async throws -> (URL, String) {
        let project = manifest.projectDirectory
        switch manifest.language {
        case .rust:
            let rust = manifest.rust
            return try await toolchain.buildRustBinary(
                RustBuildSettings(
                    projectDirectory: project, binName: manifest.provider.binName, target: manifest.provider.rustTarget,
                    targetPath: rust?.targetPath, debug: rust?.debug ?? false, cargoPath: rust?.cargoPath))
        case .swift:
            let swift = manifest.swift
            let binary = try await toolchain.buildSwift(
                SwiftBuildSettings(
                    projectDirectory: project, product: swift?.product ?? manifest.provider.binName,
                    configuration: swift?.configuration ?? "release", swiftSDK: swift?.swiftSDK,
                    triple: swift?.triple, swiftPath: swift?.swiftPath))
            return (binary, manifest.provider.binName ?? binary.lastPathComponent)
        case .go:
            let binary = try await toolchain.buildGo(
                GoBuildSettings(
                    projectDirectory: project, outputDirectory: manifest.buildDirectory,
                    binName: manifest.provider.binName, disableGoGenerate: manifest.go?.disableGoGenerate ?? false,
                    goPath: manifest.go?.goPath))
            return (binary, manifest.provider.binName ?? binary.lastPathComponent)
        }
    }

    /// The archive's target name: from the cross-compilation triple when one is configured (SPEC §3's map),
    /// from `GOOS`/`GOARCH` for Go when set, else the host's.
    /// - Throws: `BuildError.unknownTargetTriple` when a configured triple cannot be mapped.
    static func targetName(_ manifest: ProviderManifest, environment: [String: String]) throws(BuildError) -> TargetName {
        let configured: (key: String, triple: String)?
        switch manifest.language {
        case .rust: configured = manifest.provider.rustTarget.map { ("[provider] rust_target", $0) }
        case .swift: configured = (manifest.swift?.triple ?? manifest.swift?.swiftSDK).map { ("[swift] triple", $0) }
        case .go:
            let os = environment["GOOS"].flatMap { $0.isEmpty ? nil : $0 }
            let arch = environment["GOARCH"].flatMap { $0.isEmpty ? nil : $0 }
            configured = (os != nil || arch != nil) ? ("GOOS/GOARCH", goTriple(os: os, arch: arch)) : nil
        }
        guard let configured else { return TargetName.host }
        if let name = TargetName(rustTriple: configured.triple) { return name }
        // A Swift SDK id need not be a triple; then the host's name is the honest default only if the
        // user did not ask for a triple.
        if configured.key == "[swift] triple", manifest.swift?.triple == nil { return TargetName.host }
        throw .unknownTargetTriple(configured.triple, key: configured.key)
    }

    /// A Rust-style triple for Go's `GOOS`/`GOARCH` (missing halves taken from the host).
    static func goTriple(os: String?, arch: String?) -> String {
        let hostParts = TargetName.host.rawValue.split(separator: "-", maxSplits: 1).map(String.init)
        let goArch = ["amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm": "armv7", "riscv64": "riscv64"]
        let goOS = ["darwin": "apple-darwin", "linux": "unknown-linux", "windows": "pc-windows", "freebsd": "unknown-freebsd"]
        let archPart = arch.map { goArch[$0] ?? $0 } ?? hostParts[0]
        let osPart = os.map { goOS[$0] ?? $0 } ?? "unknown-\(hostParts.count > 1 ? hostParts[1] : "linux")"
        return "\(archPart)-\(osPart)"
    }
}
