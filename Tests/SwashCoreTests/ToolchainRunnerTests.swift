import Foundation
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// Lines collected from a runner's output sink.
private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var all: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

private let shellEnvironment = ["PATH": "/usr/bin:/bin"]

private func shell(_ script: String, in directory: URL = URL(fileURLWithPath: "/"), environment: [String: String] = shellEnvironment)
    -> Command
{
    Command("sh", ["-c", script], in: directory, environment: environment)
}

@Suite("Toolchain: the real command runner")
struct ToolchainRunnerTests {
    let runner = SystemCommandRunner()

    @Test func streamsStdoutAndStderrInOrderAndKeepsTheTail() async throws {
        let lines = Lines()
        let outcome = try await runner.run(
            shell("i=1; while [ $i -le 150 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done; exit 3"),
            output: lines.append)
        let expected = (1...150).flatMap { ["out \($0)", "err \($0)"] }
        #expect(lines.all == expected)
        #expect(outcome.exit == .exited(3))
        #expect(outcome.tail == Array(expected.suffix(CommandOutcome.tailLimit)))
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test func linesArriveWhileTheCommandRuns() async throws {
        // A handshake instead of a clock: the command prints "first", then waits (up to 30 s) for a file that
        // only the output sink creates on seeing "first". It can only say "second: answered" if the first line
        // reached us while it was still running.
        let directory = try makeTemporaryDirectory("runner-stream")
        let flag = directory.appendingPathComponent("seen-first")
        let lines = Lines()
        let script = """
            echo first
            i=0; while [ ! -f seen-first ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
            if [ -f seen-first ]; then echo "second: answered"; else echo "second: timed out"; fi
            """
        _ = try await runner.run(shell(script, in: directory)) { line in
            lines.append(line)
            if line == "first" { FileManager.default.createFile(atPath: flag.path, contents: Data()) }
        }
        #expect(lines.all == ["first", "second: answered"])
    }

    @Test func runsInTheDirectoryWithExactlyTheGivenEnvironment() async throws {
        let directory = try makeTemporaryDirectory("runner-cwd")
        let lines = Lines()
        let environment = shellEnvironment.merging(["SWASH_PROBE": "a value"]) { $1 }
        let outcome = try await runner.run(
            shell("pwd -P; echo \"$SWASH_PROBE\"; echo \"${HOME-unset}\"", in: directory, environment: environment),
            output: lines.append)
        #expect(outcome.exit == .exited(0))
        #expect(lines.all == [directory.resolvingSymlinksInPath().path, "a value", "unset"])
    }

    @Test func captureKeepsStdoutApartFromStderr() async throws {
        let outcome = try await runner.capture(shell("echo '{\"a\":1}'; echo 'warning: noise' >&2"), limit: 1024)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "{\"a\":1}\n")
        #expect(outcome.tail == ["warning: noise"])
        #expect(outcome.exit == .exited(0))
    }

    @Test func captureBeyondTheLimitFails() async throws {
        let error = await #expect(throws: BuildError.self) {
            try await runner.capture(shell("head -c 5000 /dev/zero"), limit: 100)
        }
        #expect(error?.description == "cannot run `sh -c 'head -c 5000 /dev/zero'`: it wrote more output than swash accepts")
    }

    @Test func aSignalIsToldFromAnExitCode() async throws {
        let outcome = try await runner.run(shell("kill -9 $$"), output: { _ in })
        #expect(outcome.exit == .signaled(9))
        #expect(outcome.exit.description == "killed by signal 9")
    }

    @Test func aBackgroundChildHoldingTheOutputOpenDoesNotHangTheRun() async throws {
        let start = ContinuousClock.now
        let lines = Lines()
        let outcome = try await runner.run(shell("sleep 120 & echo started"), output: lines.append)
        #expect(outcome.exit == .exited(0))
        #expect(lines.all == ["started"])
        // Far below the background child's 120 s. Alone this takes milliseconds; in the full suite, where other
        // tests spawn processes with Foundation's Process in the same test process, it has taken 30-33 s (not
        // pinned down; the swash executable never mixes the two), so the bound leaves room.
        #expect(ContinuousClock.now - start < .seconds(75))
    }

    @Test(arguments: [
        ("swash-no-such-tool", "swash-no-such-tool not found on PATH; install it, or add its directory to PATH"),
        ("/nonexistent/bin/tool", "tool not found at \"/nonexistent/bin/tool\"; check the path"),
    ])
    func aMissingProgramIsToolNotFound(_ executable: String, _ message: String) async throws {
        let error = await #expect(throws: BuildError.self) {
            try await runner.run(Command(executable, [], in: URL(fileURLWithPath: "/"), environment: shellEnvironment), output: { _ in })
        }
        #expect(error?.description == message)
    }

    @Test func aMissingWorkingDirectoryIsNamed() async throws {
        let error = await #expect(throws: BuildError.self) {
            try await runner.run(shell("true", in: URL(fileURLWithPath: "/nonexistent/project")), output: { _ in })
        }
        #expect(error?.description == "cannot run `sh -c true`: its working directory \"/nonexistent/project\" does not exist")
    }

    @Test func locateSearchesPathAndResolvesRelativePaths() throws {
        #expect(SystemCommandRunner.locate("sh", environment: shellEnvironment)?.lastPathComponent == "sh")
        #expect(SystemCommandRunner.locate("sh", environment: ["PATH": "/nonexistent"]) == nil)
        #expect(SystemCommandRunner.locate("bin", environment: ["PATH": "/"]) == nil)  // a directory is no program
        #expect(SystemCommandRunner.locate("bin/sh", environment: [:], relativeTo: URL(fileURLWithPath: "/"))?.path == "/bin/sh")
    }

    @Test func commandLinesAreQuotedForTheShell() {
        let command = Command("go", ["build", "-o", "/tmp/my dir/it's", ""], in: URL(fileURLWithPath: "/"), environment: [:])
        #expect(command.description == #"go build -o '/tmp/my dir/it'\''s' ''"#)
    }
}

@Suite("Toolchain: splitting output into lines")
struct ToolchainOutputLinesTests {
    private func split(_ chunks: [[UInt8]], tailLimit: Int = 200) -> (lines: [String], tail: [String]) {
        var splitter = OutputLines(tailLimit: tailLimit)
        var lines: [String] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { splitter.feed($0) { lines.append($0) } }
        }
        splitter.finish { lines.append($0) }
        return (lines, splitter.tail)
    }

    @Test(arguments: [
        (["a\nb\r\nc\rd"], ["a", "b", "c", "d"]),
        (["a\r", "\nb\n"], ["a", "b"]),  // CRLF split across chunks is one break
        (["\n\n"], ["", ""]),
        (["no newline at end"], ["no newline at end"]),
        (["x\u{FF}y\n"], ["x\u{FFFD}y"]),
    ])
    func breaksLines(_ chunks: [String], _ expected: [String]) {
        let bytes = chunks.map { chunk in
            chunk.unicodeScalars.map { $0.value == 0xFF ? UInt8(0xFF) : UInt8(truncatingIfNeeded: $0.value) }
        }
        #expect(split(bytes).lines == expected)
    }

    @Test func longLinesAreCutIntoBoundedPieces() {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: OutputLines.maxLineBytes * 2 + 10)
        let lines = split([long + [UInt8(ascii: "\n")]]).lines
        #expect(lines.map(\.count) == [OutputLines.maxLineBytes, OutputLines.maxLineBytes, 10])
    }

    @Test func tailKeepsOnlyTheLastLines() {
        let text = (1...1000).map { "\($0)\n" }.joined()
        let result = split([Array(text.utf8)], tailLimit: 3)
        #expect(result.lines.count == 1000)
        #expect(result.tail == ["998", "999", "1000"])
    }
}
