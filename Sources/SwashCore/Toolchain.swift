import Foundation

/// Compiles provider projects with their own toolchains — `cargo`, `swift`, `go` — run as subprocesses in the
/// project directory, their output streamed to a `ProgressReporter`.
///
/// Each language has a settings struct of plain values (`RustBuildSettings`, `SwiftBuildSettings`,
/// `GoBuildSettings`) and a `build…` method returning the built binary's URL. The toolchain never reads
/// `wasmcloud.toml`; the caller maps the manifest onto the settings.
public struct Toolchain: Sendable {
    /// The environment every tool runs with (`PATH`, `HOME`, `CARGO_TARGET_DIR`, `CGO_ENABLED`, …), passed whole.
    public var environment: [String: String]
    /// Where the build phases and the tools' output are shown.
    public var progress: any ProgressReporter
    /// What runs the commands.
    public var runner: any CommandRunner

    /// A toolchain over an environment.
    /// - Parameters:
    ///   - environment: the tools' environment, usually `SwashContext.environment`.
    ///   - progress: the display for the compile phases.
    ///   - runner: what runs the commands; real processes unless a test substitutes a fake.
    public init(
        environment: [String: String], progress: any ProgressReporter, runner: any CommandRunner = SystemCommandRunner()
    ) {
        self.environment = environment
        self.progress = progress
        self.runner = runner
    }

    /// The most stdout bytes a query (`cargo metadata`, `swift package dump-package`) may return.
    static let queryLimit = 64 * 1024 * 1024

    /// The command running `program` with `arguments` in `directory`, in this toolchain's environment.
    func command(_ program: ToolProgram, _ arguments: [String], in directory: URL) -> Command {
        Command(program.executable, arguments, in: directory, environment: environment)
    }

    /// Runs a compile step as a progress phase, its output shown as it comes.
    /// - Returns: the command it ran, for messages.
    /// - Throws: `BuildError.toolNotFound` with advice for this tool, `.toolLaunchFailed`, or `.toolFailed`
    ///   with the output's last lines when it exits non-zero.
    @discardableResult
    func compile(
        _ program: ToolProgram, _ arguments: [String], in directory: URL, phase: String, done: String
    ) async throws(BuildError) -> Command {
        let command = command(program, arguments, in: directory)
        try await progress.phase(phase, done: done) { output throws(BuildError) in
            let outcome = try await program.explaining { () throws(BuildError) in
                try await runner.run(command, output: output)
            }
            try Self.requireSuccess(outcome, of: command)
        }
        return command
    }

    /// Runs a query quietly and returns its stdout.
    /// - Throws: as `compile`.
    func query(_ program: ToolProgram, _ arguments: [String], in directory: URL) async throws(BuildError) -> Data {
        let command = command(program, arguments, in: directory)
        let outcome = try await program.explaining { () throws(BuildError) in
            try await runner.capture(command, limit: Self.queryLimit)
        }
        try Self.requireSuccess(outcome, of: command)
        return outcome.standardOutput
    }

    /// Runs a query and decodes its stdout as JSON.
    /// - Throws: as `query`, or `.toolOutputUnreadable` when the JSON does not decode.
    func queryJSON<T: Decodable>(
        _ type: T.Type, _ program: ToolProgram, _ arguments: [String], in directory: URL
    ) async throws(BuildError) -> T {
        let data = try await query(program, arguments, in: directory)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .toolOutputUnreadable(
                command: command(program, arguments, in: directory).description, reason: "\(error)")
        }
    }

    private static func requireSuccess(_ outcome: CommandOutcome, of command: Command) throws(BuildError) {
        guard outcome.exit.isSuccess else {
            throw .toolFailed(
                command: command.description, directory: command.directory.path, exit: outcome.exit,
                outputTail: outcome.tail)
        }
    }

    /// Fails with `.builtBinaryMissing` unless `url` is a file.
    static func requireBinary(_ url: URL, builtBy command: String, advice: String) throws(BuildError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw .builtBinaryMissing(command: command, path: url.path, advice: advice)
        }
    }
}

/// A toolchain program, and what to tell a user who does not have it.
struct ToolProgram: Sendable {
    /// The program's usual name, e.g. `cargo`.
    var name: String
    /// The path set in wasmcloud.toml (`[rust] cargo_path`), if any.
    var configuredPath: String?
    /// How to install it, e.g. `install Rust (https://rustup.rs)`.
    var install: String
    /// The wasmcloud.toml key that sets its path.
    var key: String

    /// What to run: the configured path, else the name looked up on `PATH`.
    var executable: String { configuredPath ?? name }

    static func cargo(_ path: String?) -> ToolProgram {
        ToolProgram(name: "cargo", configuredPath: path, install: "install Rust (https://rustup.rs)", key: "[rust] cargo_path")
    }

    static func swift(_ path: String?) -> ToolProgram {
        ToolProgram(
            name: "swift", configuredPath: path, install: "install Swift (https://www.swift.org/install)",
            key: "[swift] swift_path")
    }

    static func go(_ path: String?) -> ToolProgram {
        ToolProgram(name: "go", configuredPath: path, install: "install Go (https://go.dev/dl)", key: "[go] go_path")
    }

    /// Runs `body`, replacing a generic "not found" with advice about this tool.
    func explaining<T>(_ body: () async throws(BuildError) -> T) async throws(BuildError) -> T {
        do {
            return try await body()
        } catch .toolNotFound {
            let advice = configuredPath == nil
                ? "\(install) or set \(key) in wasmcloud.toml"
                : "fix \(key) in wasmcloud.toml, or remove it to use \(name) from PATH"
            throw .toolNotFound(tool: name, configuredPath: configuredPath, advice: advice)
        }
    }
}
