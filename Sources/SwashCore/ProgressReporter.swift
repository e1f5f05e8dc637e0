import Foundation

/// What a workflow tells its user while it runs: notices, long steps ("phases") and the output lines of the
/// tools it runs. SwashCore only reports; the `swash` executable renders (a status line on a terminal, plain
/// lines in a log) and knows what is on the screen, so a notice never lands on the status line.
///
/// Calls come from any thread, one phase at a time; a notice may come during a phase.
public protocol ProgressReporter: Sendable {
    /// A one-off message for the user: a first-run notice, a warning, a note. No trailing newline.
    func notice(_ text: String)
    /// A long step begins, e.g. `compiling with cargo`.
    func beginPhase(_ title: String)
    /// One line of output of the current phase's tool, without its newline.
    func phaseOutput(_ line: String)
    /// The current phase ends: with success (`done` is its past tense, e.g. `compiled`), or failed.
    func endPhase(title: String, done: String, succeeded: Bool)
}

extension ProgressReporter {
    /// Runs `body` as one phase: announces `title`, hands `body` a sink for output lines, and reports the end.
    /// - Parameters:
    ///   - title: what is happening, e.g. `compiling with cargo`.
    ///   - done: the past tense for the closing line, e.g. `compiled`.
    ///   - body: the work; the sink it receives reports one output line per call.
    /// - Throws: whatever `body` throws, after the failed end is reported.
    public func phase<Result, Failure: Error>(
        _ title: String, done: String,
        _ body: (_ output: @escaping @Sendable (String) -> Void) async throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        beginPhase(title)
        do {
            let result = try await body { [self] line in phaseOutput(line) }
            endPhase(title: title, done: done, succeeded: true)
            return result
        } catch {
            endPhase(title: title, done: done, succeeded: false)
            throw error
        }
    }
}

/// A reporter that shows nothing.
public struct SilentReporter: ProgressReporter {
    /// A reporter that drops everything.
    public init() {}
    public func notice(_ text: String) {}
    public func beginPhase(_ title: String) {}
    public func phaseOutput(_ line: String) {}
    public func endPhase(title: String, done: String, succeeded: Bool) {}
}

/// A reporter that hands notices to a closure and drops phases (for embedding swash's workflows in code
/// that only wants to log what the user should know).
public struct NoticeReporter: ProgressReporter {
    private let sink: @Sendable (String) -> Void

    /// A reporter sending each notice to `sink`.
    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }
    public func notice(_ text: String) { sink(text) }
    public func beginPhase(_ title: String) {}
    public func phaseOutput(_ line: String) {}
    public func endPhase(title: String, done: String, succeeded: Bool) {}
}
