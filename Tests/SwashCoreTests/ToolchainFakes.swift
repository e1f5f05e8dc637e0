import Foundation
import SwashTestSupport

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// A `CommandRunner` that runs nothing: it records each command and answers from a script.
final class FakeRunner: CommandRunner, @unchecked Sendable {
    /// One command the fake was asked to run.
    struct Call: Equatable {
        enum Kind: Equatable { case run, capture }
        var kind: Kind
        var command: Command
        /// The command line, for compact assertions.
        var line: String { command.description }
    }

    /// What a scripted command does.
    struct Reply {
        var exit: CommandExit = .exited(0)
        /// Output lines (`run`: shown and kept; `capture`: kept as stderr).
        var lines: [String] = []
        /// Standard output (`capture` only).
        var stdout: String = ""
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    private let script: @Sendable (Command) throws(BuildError) -> Reply

    /// A fake answering each command with `script(command)`; the script may also create files.
    init(script: @escaping @Sendable (Command) throws(BuildError) -> Reply) {
        self.script = script
    }

    /// A fake answering by the command's arguments joined with spaces; unknown commands succeed silently.
    convenience init(_ replies: [String: Reply], effects: @escaping @Sendable (Command) -> Void = { _ in }) {
        self.init { command in
            effects(command)
            return replies[command.arguments.joined(separator: " ")] ?? Reply()
        }
    }

    var calls: [Call] { lock.withLock { recorded } }
    var lines: [String] { calls.map(\.line) }

    func run(_ command: Command, output: @escaping @Sendable (String) -> Void) async throws(BuildError)
        -> CommandOutcome
    {
        lock.withLock { recorded.append(Call(kind: .run, command: command)) }
        let reply = try script(command)
        reply.lines.forEach(output)
        return CommandOutcome(exit: reply.exit, tail: Array(reply.lines.suffix(CommandOutcome.tailLimit)))
    }

    func capture(_ command: Command, limit: Int) async throws(BuildError) -> CommandOutcome {
        lock.withLock { recorded.append(Call(kind: .capture, command: command)) }
        let reply = try script(command)
        return CommandOutcome(exit: reply.exit, tail: reply.lines, standardOutput: Data(reply.stdout.utf8))
    }
}

/// Records what workflows report, as plain lines: `swash: <title>…`, output lines, `swash: <done>` (or
/// `swash: <title> failed`), notices.
final class WrittenText: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [String] = []

    var text: String { lock.withLock { chunks.joined() } }
    var writes: [String] { lock.withLock { chunks } }

    func append(_ chunk: String) { lock.withLock { chunks.append(chunk) } }

    /// This recorder as a reporter (`.silent` records nothing).
    func display(_ style: Style = .plain) -> any ProgressReporter { style == .silent ? SilentReporter() : self }

    enum Style { case plain, silent }

    func notice(_ text: String) { append(text + "\n") }
    func beginPhase(_ title: String) { append("swash: \(title)…\n") }
    func phaseOutput(_ line: String) { append(line + "\n") }
    func endPhase(title: String, done: String, succeeded: Bool) {
        append(succeeded ? "swash: \(done)\n" : "swash: \(title) failed\n")
    }
}

/// Writes an empty executable file (creating its directory), as a compiler would.
func touchBinary(_ url: URL) {
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: url.path, contents: Data("binary".utf8), attributes: [.posixPermissions: 0o755])
}

/// The environment the fake-runner tests give their toolchain.
let fakeEnvironment = ["PATH": "/usr/bin:/bin", "HOME": "/home/tester"]

/// A toolchain over a fake runner, with a plain display collecting into `text`.
func fakeToolchain(_ runner: FakeRunner, _ text: WrittenText = WrittenText(), environment: [String: String] = fakeEnvironment)
    -> Toolchain
{
    Toolchain(environment: environment, progress: text.display(), runner: runner)
}
