import FileIO
import Foundation
import SwashCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one writer of swash's stdout and stderr: results, errors, notices, the progress of long steps and the
/// output of the tools they run.
///
/// It knows whether a status line is showing on the terminal, so a notice or an output line clears it, prints,
/// and redraws it — nothing ever lands on the status line. It writes with `write(2)` and never traps: a
/// closed or full stderr loses the message and nothing else; a failed write to stdout is reported to the
/// command, which decides what it means (`ConsoleError`).
///
/// On a terminal (stderr a tty, `TERM` not `dumb`) a phase shows as `⠋ compiling with cargo — 12.3s`
/// redrawn in place; elsewhere (a pipe, a CI log) as plain lines: `swash: compiling with cargo…`, the
/// output, then `swash: compiled in 12.3s`.
final class Console: ProgressReporter, @unchecked Sendable {
    /// How progress is shown.
    enum Style: Sendable, Hashable {
        /// A status line redrawn in place (needs a terminal that understands `\r` and `ESC [2K`).
        case terminal
        /// Plain lines, for logs and pipes.
        case plain
        /// No progress at all (notices still go out).
        case silent
    }

    /// The style in use.
    let style: Style
    private let writeError: @Sendable (String) -> Void
    private let writeOutput: @Sendable (String) throws(ConsoleError) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant
    private let tick: Duration
    private let lock = NSLock()
    private var active: (title: String, start: ContinuousClock.Instant)?
    private var frame = 0
    private var ticker: Task<Void, Never>?

    private static let spinner = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
    private static let clearLine = "\r\u{1B}[2K"

    /// A console writing to any sinks (tests pass closures collecting the text).
    /// - Parameters:
    ///   - style: terminal, plain or silent progress.
    ///   - tick: how often the terminal status line is redrawn.
    ///   - now: the clock reading used for elapsed times.
    ///   - standardError: receives stderr text exactly as it should appear.
    ///   - standardOutput: receives stdout text; throws when it cannot be written.
    init(
        style: Style, tick: Duration = .milliseconds(100),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        standardError: @escaping @Sendable (String) -> Void,
        standardOutput: @escaping @Sendable (String) throws(ConsoleError) -> Void = { _ in }
    ) {
        self.style = style
        self.tick = tick
        self.now = now
        self.writeError = standardError
        self.writeOutput = standardOutput
    }

    /// The process's console, set up by `StandardStreams.prepare()`.
    static let shared: Console = {
        let stderrIsTerminal = StandardStreams.prepare()
        let environment = ProcessInfo.processInfo.environment
        let style: Style = stderrIsTerminal && environment["TERM"] != "dumb" ? .terminal : .plain
        return Console(
            style: style, standardError: { StandardStreams.writeError($0) },
            standardOutput: { text throws(ConsoleError) in try StandardStreams.writeOutput(text) })
    }()

    // MARK: Results and errors

    /// Prints `text` and a newline on stdout.
    /// - Throws: `ConsoleError.standardOutput` when it cannot be written (closed, full, a broken pipe).
    func printResult(_ text: String) throws(ConsoleError) {
        try writeOutput(text + "\n")
    }

    /// Prints a message on stderr, on a line of its own: a status line showing is cleared first and redrawn
    /// after.
    func printError(_ text: String) {
        lock.withLock { writeAboveStatus(text) }
    }

    // MARK: ProgressReporter

    func notice(_ text: String) {
        lock.withLock { writeAboveStatus(text) }
    }

    func beginPhase(_ title: String) {
        lock.withLock {
            active = (title, now())
            frame = 0
            switch style {
            case .terminal:
                writeError(statusLine())
                startTicker()
            case .plain: writeError("swash: \(title)…\n")
            case .silent: break
            }
        }
    }

    func phaseOutput(_ line: String) {
        lock.withLock {
            switch style {
            case .terminal: writeError(Self.clearLine + line + "\n" + statusLine())
            case .plain: writeError(line + "\n")
            case .silent: break
            }
        }
    }

    func endPhase(title: String, done: String, succeeded: Bool) {
        lock.withLock {
            ticker?.cancel()
            ticker = nil
            guard let phase = active else { return }
            active = nil
            let elapsed = Self.format(now() - phase.start)
            let line = "swash: " + (succeeded ? "\(done) in \(elapsed)" : "\(title) failed after \(elapsed)") + "\n"
            switch style {
            case .terminal: writeError(Self.clearLine + line)
            case .plain: writeError(line)
            case .silent: break
            }
        }
    }

    /// Formats an elapsed time: `0.4s`, `12.3s`, `2m 05s`.
    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        return String(format: "%dm %02ds", whole / 60, whole % 60)
    }

    // MARK: Private (call with `lock` held)

    private func writeAboveStatus(_ text: String) {
        if style == .terminal, active != nil {
            writeError(Self.clearLine + text + "\n" + statusLine())
        } else {
            writeError(text + "\n")
        }
    }

    private func startTicker() {
        ticker = Task { [weak self, tick] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                guard let self else { return }
                self.lock.withLock {
                    guard self.active != nil, !Task.isCancelled else { return }
                    self.frame += 1
                    self.writeError(self.statusLine())
                }
            }
        }
    }

    private func statusLine() -> String {
        guard let phase = active else { return "" }
        let symbol = Self.spinner[frame % Self.spinner.count]
        return Self.clearLine + "\(symbol) \(phase.title) — \(Self.format(now() - phase.start))"
    }
}

/// A failure to write a command's result.
enum ConsoleError: Error, CustomStringConvertible {
    /// Standard output could not be written (`reason` is the system's word).
    case standardOutput(reason: String)

    var description: String {
        switch self {
        case .standardOutput(let reason): return "cannot write to standard output: \(reason)"
        }
    }
}

/// The process's file descriptors 0, 1 and 2, made safe to use.
///
/// A descriptor the parent closed (`2>&-`) would be handed out by the next `open` — an archive written
/// through "stderr" — so each closed one is filled with `/dev/null` first and remembered as closed: stdout
/// writes then fail with "Bad file descriptor", stderr writes go nowhere.
enum StandardStreams {
    nonisolated(unsafe) private static var stdoutClosed = false
    nonisolated(unsafe) private static var stderrClosed = false

    /// Fills closed standard descriptors and reports whether stderr is a terminal. Call once, first thing.
    /// - Returns: whether stderr is a terminal.
    static func prepare() -> Bool {
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0, null != fd {
                dup2(null, fd)
                close(null)
            }
            if fd == STDOUT_FILENO { stdoutClosed = true }
            if fd == STDERR_FILENO { stderrClosed = true }
        }
        return !stderrClosed && isatty(STDERR_FILENO) == 1
    }

    /// Writes to stderr; failures are ignored (there is nowhere left to report them).
    static func writeError(_ text: String) {
        guard !stderrClosed else { return }
        _ = writeAll(STDERR_FILENO, text)
    }

    /// Writes to stdout.
    /// - Throws: `ConsoleError.standardOutput` with the system's reason.
    static func writeOutput(_ text: String) throws(ConsoleError) {
        guard !stdoutClosed else { throw .standardOutput(reason: String(cString: strerror(EBADF))) }
        if let code = writeAll(STDOUT_FILENO, text) { throw .standardOutput(reason: String(cString: strerror(code))) }
    }

    /// Writes all of `text`; returns the `errno` of a failed write.
    private static func writeAll(_ fd: Int32, _ text: String) -> Int32? {
        // A file name that is not UTF-8 is printed as the bytes it is (SystemPath).
        var bytes = SystemPath.hasRawBytes(text) ? SystemPath.bytes(text) : Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}
