// Real processes are run with swift-subprocess, not Foundation.Process, because it gives directly what a
// build needs, where Process needs hand-written plumbing:
// - stdout and stderr merged into one pipe (`error: .combinedWithOutput`, i.e. `2>&1`), so a compiler's
//   warnings and progress stay in the order the tool wrote them;
// - output as an AsyncSequence of chunks, delivered as soon as the child writes them (no readabilityHandler
//   callbacks, no thread blocked in readDataToEndOfFile), so lines reach the display at once and only the
//   kept tail stays in memory; for queries, stdout collected under a byte limit while stderr streams apart;
// - the child's environment given whole and its working directory set in the spawn (no process-wide chdir);
//   an exit status that tells an exit code from a signal;
// - no hang when a grandchild (a build server, `sleep &`) keeps the pipe open after the child exits: the read
//   stops when the child is reaped; and cancelling the calling Task, or a throwing body, tears the child down.
// It is already a dependency of SwashCore. The cost is that running is async, so the builders are async.
// The PATH lookup is our own (`locate`), done before spawning, so "not found" is decided in one place and
// gives the same answer callers get when they ask whether a toolchain is installed.
import Foundation
import Subprocess

/// Runs commands as real child processes. Standard input is empty (`/dev/null`).
public struct SystemCommandRunner: CommandRunner {
    /// A runner for real processes.
    public init() {}

    /// Where a program would be found: a path (containing `/`) is taken as it is, relative ones against
    /// `directory`; a bare name is searched on `environment`'s `PATH`.
    /// - Parameters:
    ///   - executable: the program name or path.
    ///   - environment: the environment whose `PATH` is searched.
    ///   - directory: the base for a relative path; the current directory when `nil`.
    /// - Returns: the executable file, or `nil` when there is none.
    public static func locate(_ executable: String, environment: [String: String], relativeTo directory: URL? = nil)
        -> URL?
    {
        let fileManager = FileManager.default
        func runnable(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && fileManager.isExecutableFile(atPath: url.path)
        }
        if executable.contains("/") {
            let url = executable.hasPrefix("/")
                ? URL(fileURLWithPath: executable)
                : URL(fileURLWithPath: executable, relativeTo: directory).absoluteURL
            return runnable(url) ? url.standardizedFileURL : nil
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for entry in path.split(separator: ":") where entry.hasPrefix("/") {
            let url = URL(fileURLWithPath: String(entry)).appendingPathComponent(executable)
            if runnable(url) { return url }
        }
        return nil
    }

    public func run(_ command: Command, output: @escaping @Sendable (String) -> Void) async throws(BuildError)
        -> CommandOutcome
    {
        let result = try await spawn(
            command, input: .none, output: .sequence, error: .combinedWithOutput, lines: { $0.standardOutput }, emit: output)
        return CommandOutcome(exit: result.exit, tail: result.tail)
    }

    public func capture(_ command: Command, limit: Int) async throws(BuildError) -> CommandOutcome {
        let result = command.standardInput.isEmpty
            ? try await spawn(
                command, input: .none, output: .bytes(limit: limit), error: .sequence, lines: { $0.standardError }, emit: { _ in })
            : try await spawn(
                command, input: .array([UInt8](command.standardInput)), output: .bytes(limit: limit), error: .sequence,
                lines: { $0.standardError }, emit: { _ in })
        return CommandOutcome(exit: result.exit, tail: result.tail, standardOutput: Data(result.standardOutput))
    }

    /// Spawns `command` with `input` on stdin, feeds the stream `lines` picks through `OutputLines` to `emit`
    /// while the child runs, and returns the exit status, the kept tail, and whatever `output` collected.
    private func spawn<Input: InputProtocol, Output: OutputProtocol, Failure: ErrorOutputProtocol>(
        _ command: Command, input: Input, output: Output, error: Failure,
        lines: @escaping (Execution<Input, Output, Failure>) -> SubprocessOutputSequence,
        emit: @escaping (String) -> Void
    ) async throws(BuildError) -> (exit: CommandExit, tail: [String], standardOutput: Output.OutputType) {
        let program = try prepare(command)
        do {
            let result = try await Subprocess.run(
                .path(.init(program.path)), arguments: Arguments(command.arguments),
                environment: Self.environment(command.environment),
                workingDirectory: .init(command.directory.path),
                input: input, output: output, error: error
            ) { execution in
                var splitter = OutputLines()
                for try await chunk in lines(execution) {
                    chunk.withUnsafeBytes { splitter.feed($0, emit: emit) }
                }
                splitter.finish(emit: emit)
                return splitter.tail
            }
            return (CommandExit(result.terminationStatus), result.closureResult, result.standardOutput)
        } catch {
            throw Self.launchError(error, command: command)
        }
    }

    /// Checks what can be checked before spawning, so failures name the program or directory plainly.
    private func prepare(_ command: Command) throws(BuildError) -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: command.directory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw .toolLaunchFailed(
                command: command.description,
                reason: "its working directory \"\(command.directory.path)\" does not exist")
        }
        guard
            let program = Self.locate(
                command.executable, environment: command.environment, relativeTo: command.directory)
        else {
            throw Self.notFound(command)
        }
        return program
    }

    private static func notFound(_ command: Command) -> BuildError {
        let isPath = command.executable.contains("/")
        return .toolNotFound(
            tool: isPath ? URL(fileURLWithPath: command.executable).lastPathComponent : command.executable,
            configuredPath: isPath ? command.executable : nil,
            advice: isPath ? "check the path" : "install it, or add its directory to PATH")
    }

    private static func environment(_ values: [String: String]) -> Subprocess.Environment {
        .custom(Dictionary(uniqueKeysWithValues: values.compactMap { key, value in
            Subprocess.Environment.Key(rawValue: key).map { ($0, value) }
        }))
    }

    private static func launchError(_ error: any Error, command: Command) -> BuildError {
        guard let error = error as? SubprocessError else {
            return .toolLaunchFailed(command: command.description, reason: "\(error)")
        }
        switch error.code {
        case .executableNotFound: return notFound(command)
        case .outputLimitExceeded:
            return .toolLaunchFailed(command: command.description, reason: "it wrote more output than swash accepts")
        default: return .toolLaunchFailed(command: command.description, reason: "\(error)")
        }
    }
}

extension CommandExit {
    init(_ status: TerminationStatus) {
        switch status {
        case .exited(let code): self = .exited(Int32(truncatingIfNeeded: code))
        case .signaled(let signal): self = .signaled(Int32(truncatingIfNeeded: signal))
        }
    }
}
