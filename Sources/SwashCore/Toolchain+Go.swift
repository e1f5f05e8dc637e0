import FileIO
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How to build a Go provider: the `[provider]` and `[go]` keys of wasmcloud.toml, as plain values.
public struct GoBuildSettings: Sendable, Hashable {
    /// The directory holding `go.mod`; go runs here.
    public var projectDirectory: URL
    /// Where the binary is written (the project's build directory); created when missing.
    public var outputDirectory: URL
    /// The binary's file name (`[provider] bin_name`); Go providers must name it.
    public var binName: String?
    /// Skip `go generate ./...` (`[go] disable_go_generate`).
    public var disableGoGenerate: Bool
    /// The go program (`[go] go_path`); `go` on `PATH` when `nil`.
    public var goPath: String?
    /// Variables set for `go generate` and `go build` on top of the toolchain's environment (`GOOS`, `GOARCH`,
    /// `CGO_ENABLED` for a build of several targets).
    public var environment: [String: String] = [:]
    /// Where the binary goes instead of `<outputDirectory>/<binName>` (a temporary path for one target of several).
    public var output: URL?

    /// Settings from explicit values.
    /// - Parameters:
    ///   - projectDirectory: the directory holding `go.mod`.
    ///   - outputDirectory: where the binary goes.
    ///   - binName: the binary's name; required for a build, `nil` only to report that it is missing.
    ///   - disableGoGenerate: `true` to skip `go generate ./...`.
    ///   - goPath: the go program, or `nil` for `go` on `PATH`.
    public init(
        projectDirectory: URL, outputDirectory: URL, binName: String?, disableGoGenerate: Bool = false,
        goPath: String? = nil
    ) {
        self.projectDirectory = projectDirectory
        self.outputDirectory = outputDirectory
        self.binName = binName
        self.disableGoGenerate = disableGoGenerate
        self.goPath = goPath
    }
}

extension Toolchain {
    /// Builds a Go provider: `go generate ./...` (unless disabled), then `go build -o <output>/<bin_name>` in
    /// the project directory. `CGO_ENABLED` and the rest of the environment are passed as they are.
    ///
    /// go writes to a temporary path beside the destination (`TemporaryPath`), renamed into place only after it
    /// succeeds, so a failed or interrupted build never leaves a half-written binary or destroys the previous one.
    /// - Parameter settings: the project and its options.
    /// - Returns: the built binary, `<outputDirectory>/<binName>` (or `output`).
    /// - Throws: `BuildError.executableUndetermined` when no bin name is set, `.toolNotFound` when go is
    ///   missing, `.toolFailed` when `go generate` or `go build` fails (with the output's last lines),
    ///   `.builtBinaryMissing` when go reported success but wrote nothing; `FileSystemError` when the output
    ///   directory cannot be created or the binary moved into place.
    public func buildGo(_ settings: GoBuildSettings) async throws -> URL {
        guard let binName = settings.binName, !binName.isEmpty, !binName.contains("/") else {
            throw BuildError.executableUndetermined(
                language: "Go", directory: settings.projectDirectory.path, candidates: [],
                advice: "set [provider] bin_name in wasmcloud.toml to the binary's file name")
        }
        let program = ToolProgram.go(settings.goPath)
        var toolchain = self
        toolchain.environment.merge(settings.environment) { $1 }
        if !settings.disableGoGenerate {
            try await toolchain.compile(
                program, ["generate", "./..."], in: settings.projectDirectory, phase: "running go generate",
                done: "generated")
        }

        let destination = settings.output ?? settings.outputDirectory.appendingPathComponent(binName)
        try Directories.create(destination.deletingLastPathComponent())
        let partial = TemporaryPath(beside: destination)
        let command = try await toolchain.compile(
            program, ["build", "-o", partial.url.path], in: settings.projectDirectory, phase: "compiling with go",
            done: "compiled")
        try Self.requireBinary(partial.url, builtBy: command.description, advice: "check the go toolchain")
        try partial.moveIntoPlace()
        return destination
    }
}
