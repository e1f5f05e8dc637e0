import Foundation
import SwashCore
import SwashTestSupport
import Testing

@testable import swash

private struct TestFailure: Error {}

/// Collects what a `Console` writes to stderr.
final class WrittenText: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [String] = []

    var text: String { lock.withLock { chunks.joined() } }
    var writes: [String] { lock.withLock { chunks } }

    func append(_ chunk: String) { lock.withLock { chunks.append(chunk) } }

    /// A console writing here.
    func display(_ style: Console.Style = .plain, clock: FakeClock? = nil, tick: Duration = .seconds(3600)) -> Console {
        let now: @Sendable () -> ContinuousClock.Instant
        if let clock {
            now = { clock.now }
        } else {
            now = { .now }
        }
        return Console(style: style, tick: tick, now: now, standardError: { [self] chunk in append(chunk) })
    }
}

/// A clock that moves only when told to.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var offset = Duration.zero

    var now: ContinuousClock.Instant { lock.withLock { start + offset } }
    func advance(by duration: Duration) { lock.withLock { offset += duration } }
}

@Suite("Console: progress, notices and results on one stderr writer")
struct ConsoleTests {
    @Test func plainStyleWritesAnnouncementLinesAndElapsedTime() async throws {
        let clock = FakeClock()
        let text = WrittenText()
        let display = text.display(.plain, clock: clock)
        let value = await display.phase("compiling with cargo", done: "compiled") { output in
            output("   Compiling p v0.1.0")
            clock.advance(by: .milliseconds(12_340))
            return 7
        }
        #expect(value == 7)
        #expect(text.text == "swash: compiling with cargo…\n   Compiling p v0.1.0\nswash: compiled in 12.3s\n")
    }

    @Test func failureIsAnnouncedAndRethrown() async throws {
        let clock = FakeClock()
        let text = WrittenText()
        let display = text.display(.plain, clock: clock)
        await #expect(throws: TestFailure.self) {
            try await display.phase("signing", done: "signed") { _ throws(TestFailure) in
                clock.advance(by: .seconds(1))
                throw TestFailure()
            }
        }
        #expect(text.text == "swash: signing…\nswash: signing failed after 1.0s\n")
    }

    @Test func terminalStyleRedrawsAStatusLineBelowTheOutput() async throws {
        let clock = FakeClock()
        let text = WrittenText()
        let display = text.display(.terminal, clock: clock)
        await display.phase("compiling with cargo", done: "compiled") { output in
            clock.advance(by: .milliseconds(1_500))
            output("warning: unused variable")
            clock.advance(by: .seconds(1))
        }
        let clear = "\r\u{1B}[2K"
        #expect(text.writes == [
            "\(clear)⠋ compiling with cargo — 0.0s",
            "\(clear)warning: unused variable\n\(clear)⠋ compiling with cargo — 1.5s",
            "\(clear)swash: compiled in 2.5s\n",
        ])
    }

    @Test func terminalStatusLineTicksWhileWaiting() async throws {
        let text = WrittenText()
        let display = text.display(.terminal, tick: .milliseconds(10))
        await display.phase("packaging", done: "packaged") { _ in
            // Wait for a few redraws rather than a fixed time, so a loaded machine cannot starve the check: in
            // `make test` the other suites' synchronous tests hold the cooperative pool (two threads on a 2-core
            // machine) for long stretches, and once 20 s passed with a single redraw.
            let deadline = ContinuousClock.now + .seconds(180)
            while text.writes.count < 6, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        let frames = text.writes.dropFirst().dropLast().compactMap { $0.dropFirst(5).first }
        #expect(frames.count >= 3)
        #expect(Set(frames).count >= 3)  // the spinner moves
        let last = try #require(text.writes.last)
        #expect(last.hasPrefix("\r\u{1B}[2Kswash: packaged in "))
        // Nothing is drawn after the phase ends.
        let count = text.writes.count
        try await Task.sleep(for: .milliseconds(50))
        #expect(text.writes.count == count)
    }

    @Test func silentStyleWritesNothing() async {
        let text = WrittenText()
        await text.display(.silent).phase("compiling", done: "compiled") { output in output("line") }
        #expect(text.text == "")
    }

    @Test(arguments: [
        (Duration.milliseconds(40), "0.0s"), (.milliseconds(12_345), "12.3s"), (.seconds(59), "59.0s"),
        (.seconds(125), "2m 05s"), (.seconds(3_600), "60m 00s"),
    ])
    func elapsedTimeFormat(_ duration: Duration, _ expected: String) {
        #expect(Console.format(duration) == expected)
    }
}

extension ConsoleTests {
    /// A notice during a phase (the first-run key notice during packaging) clears the status line, takes a line
    /// of its own, and the status line is redrawn below it: the two never share a line.
    @Test func noticeDuringAPhaseNeverSharesTheStatusLine() async {
        let clock = FakeClock()
        let text = WrittenText()
        let console = text.display(.terminal, clock: clock)
        await console.phase("packaging x.par.gz", done: "packaged") { _ in
            console.notice("No keypair found in \"/k/user_account.nk\".")
        }
        let clear = "\r\u{1B}[2K"
        #expect(text.writes == [
            "\(clear)⠋ packaging x.par.gz — 0.0s",
            "\(clear)No keypair found in \"/k/user_account.nk\".\n\(clear)⠋ packaging x.par.gz — 0.0s",
            "\(clear)swash: packaged in 0.0s\n",
        ])
    }

    @Test func noticesOutsideAPhaseArePlainLines() {
        let text = WrittenText()
        let console = text.display(.terminal)
        console.notice("note: hello")
        console.printError("error: bad")
        #expect(text.text == "note: hello\nerror: bad\n")
    }

    @Test func resultsThatCannotBeWrittenAreReported() {
        let console = Console(
            style: .plain, standardError: { _ in },
            standardOutput: { _ throws(ConsoleError) in throw .standardOutput(reason: "No space left on device") })
        #expect(throws: ConsoleError.self) { try console.printResult("x") }
    }
}

@Suite("Usage errors in JSON")
struct JSONRequestTests {
    @Test(arguments: [
        (["pull", "x", "-o", "json"], true), (["pull", "--output=json"], true), (["pull", "-ojson"], true),
        (["pull", "--output", "json"], true), (["pull", "-o", "text"], false), (["pull", "--", "-o", "json"], false),
        (["pull", "-o"], false),
    ])
    func detectsJSONOutput(_ arguments: [String], _ expected: Bool) {
        #expect(Failure.wantsJSON(arguments) == expected)
    }
}
