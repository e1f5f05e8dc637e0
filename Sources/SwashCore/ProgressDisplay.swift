import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shows what swash is doing during a long step ("compiling with cargo", "packaging", "signing"), with the
/// elapsed time, and prints the step's output lines.
///
/// On a terminal a status line such as `⠋ compiling with cargo — 12.3s` is redrawn in place and output lines
/// are printed above it. Elsewhere (a pipe, a CI log) it writes plain lines:
/// `swash: compiling with cargo…`, the output, then `swash: compiled in 12.3s`.
/// One phase runs at a time.
public final class ProgressDisplay: @unchecked Sendable {
    /// How progress is shown.
    public enum Style: Sendable, Hashable {
        /// A status line redrawn in place (needs a terminal that understands `\r` and `ESC [2K`).
        case terminal
        /// Plain lines, for logs and pipes.
        case plain
        /// Nothing at all: neither status nor output lines.
        case silent
    }

    /// The style in use.
    public let style: Style
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant
    private let tick: Duration
    private let lock = NSLock()
    private var active: (title: String, start: ContinuousClock.Instant)?
    private var frame = 0

    private static let spinner = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
    private static let clearLine = "\r\u{1B}[2K"

    /// A display writing to any sink.
    /// - Parameters:
    ///   - style: terminal, plain or silent.
    ///   - tick: how often the terminal status line is redrawn.
    ///   - now: the clock reading used for elapsed times (tests pass a fake one).
    ///   - write: receives text exactly as it should appear, line breaks included.
    public init(
        style: Style, tick: Duration = .milliseconds(100),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        write: @escaping @Sendable (String) -> Void
    ) {
        self.style = style
        self.tick = tick
        self.now = now
        self.write = write
    }

    /// A display on the process's stderr: `.terminal` when stderr is a terminal and `TERM` is not `dumb`,
    /// `.plain` otherwise.
    /// - Parameter environment: the environment to read `TERM` from.
    public static func standardError(environment: [String: String]) -> ProgressDisplay {
        let isTerminal = isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
        return ProgressDisplay(style: isTerminal ? .terminal : .plain) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Runs `body` as one phase: announces `title`, hands `body` a sink for output lines, and reports how long
    /// it took as `<done> in 12.3s` (or `<title> failed after 12.3s`).
    /// - Parameters:
    ///   - title: what is happening, e.g. `compiling with cargo`.
    ///   - done: the past tense for the closing line, e.g. `compiled`.
    ///   - body: the work; the sink it receives prints one output line per call.
    /// - Throws: whatever `body` throws, after the status line is cleared.
    public func phase<Result, Failure: Error>(
        _ title: String, done: String,
        _ body: (_ output: @escaping @Sendable (String) -> Void) async throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        begin(title)
        let ticker = startTicker()
        defer { ticker?.cancel() }
        do {
            let result = try await body { [self] line in show(line) }
            end { elapsed in "\(done) in \(elapsed)" }
            return result
        } catch {
            end { elapsed in "\(title) failed after \(elapsed)" }
            throw error
        }
    }

    /// Formats an elapsed time: `0.4s`, `12.3s`, `2m 05s`.
    /// - Parameter duration: the time to format.
    public static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds < 60 {
            return String(format: "%.1fs", seconds)
        }
        let whole = Int(seconds)
        return String(format: "%dm %02ds", whole / 60, whole % 60)
    }

    private func begin(_ title: String) {
        lock.withLock {
            active = (title, now())
            frame = 0
            switch style {
            case .terminal: write(statusLine())
            case .plain: write("swash: \(title)…\n")
            case .silent: break
            }
        }
    }

    private func show(_ line: String) {
        lock.withLock {
            switch style {
            case .terminal:
                write(Self.clearLine + line + "\n" + (active == nil ? "" : statusLine()))
            case .plain: write(line + "\n")
            case .silent: break
            }
        }
    }

    private func end(_ closing: (String) -> String) {
        lock.withLock {
            guard let phase = active else { return }
            active = nil
            let line = "swash: " + closing(Self.format(now() - phase.start)) + "\n"
            switch style {
            case .terminal: write(Self.clearLine + line)
            case .plain: write(line)
            case .silent: break
            }
        }
    }

    private func startTicker() -> Task<Void, Never>? {
        guard style == .terminal else { return nil }
        return Task { [weak self, tick] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                guard let self else { return }
                self.lock.withLock {
                    guard self.active != nil, !Task.isCancelled else { return }
                    self.frame += 1
                    self.write(self.statusLine())
                }
            }
        }
    }

    /// The in-place status line, drawn from the start of the line. Call with `lock` held.
    private func statusLine() -> String {
        guard let phase = active else { return "" }
        let symbol = Self.spinner[frame % Self.spinner.count]
        return Self.clearLine + "\(symbol) \(phase.title) — \(Self.format(now() - phase.start))"
    }
}
