import Foundation

/// A program to run: what, with which arguments, where, and with which environment.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// The program: a name looked up on `PATH`, or a path (anything containing `/`).
    public var executable: String
    /// The arguments, without the program itself.
    public var arguments: [String]
    /// The working directory.
    public var directory: URL
    /// The complete environment of the child; nothing else is inherited.
    public var environment: [String: String]
    /// What the child reads on stdin (`capture` only; empty means `/dev/null`).
    public var standardInput = Data()

    /// A command from explicit values.
    /// - Parameters:
    ///   - executable: a program name looked up on `environment`'s `PATH`, or a path.
    ///   - arguments: the arguments.
    ///   - directory: the working directory.
    ///   - environment: the child's whole environment.
    public init(_ executable: String, _ arguments: [String], in directory: URL, environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
    }

    /// The command line as a user would type it, arguments quoted where the shell needs it.
    public var description: String {
        ([executable] + arguments).map(Self.shellQuoted).joined(separator: " ")
    }

    private static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        if plain && !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

/// How a command ended.
public enum CommandExit: Sendable, Hashable, CustomStringConvertible {
    /// It exited with this status.
    case exited(Int32)
    /// A signal with this number ended it.
    case signaled(Int32)

    /// True for exit status 0.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit code \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// What a finished command leaves behind.
public struct CommandOutcome: Sendable, Hashable {
    /// How many lines of output `tail` keeps at most.
    public static let tailLimit = 200

    /// How the command ended.
    public var exit: CommandExit
    /// The last lines (at most `tailLimit`) of its output: stdout and stderr interleaved for `run`, stderr
    /// alone for `capture`.
    public var tail: [String]
    /// Everything it wrote to stdout, for `capture`; empty for `run`, where stdout is in `tail`.
    public var standardOutput: Data

    /// An outcome from explicit values (the real runner builds these; fakes in tests do too).
    /// - Parameters:
    ///   - exit: how the command ended.
    ///   - tail: the last lines of its output.
    ///   - standardOutput: its captured stdout (`capture` only).
    public init(exit: CommandExit, tail: [String] = [], standardOutput: Data = Data()) {
        self.exit = exit
        self.tail = tail
        self.standardOutput = standardOutput
    }
}

/// Runs commands. `SystemCommandRunner` spawns real processes; tests substitute a fake so build logic is
/// checked without compiling anything.
///
/// A command that runs and exits non-zero is not an error here: it is reported in the outcome, and the caller
/// decides what it means.
public protocol CommandRunner: Sendable {
    /// Runs a command to completion, passing each line of its output (stdout and stderr merged, in order)
    /// to `output` as it arrives.
    /// - Parameters:
    ///   - command: what to run.
    ///   - output: receives each line, without its line break, as soon as it is complete.
    /// - Returns: the exit status and the last `CommandOutcome.tailLimit` lines.
    /// - Throws: `BuildError.toolNotFound` when the program does not exist; `.toolLaunchFailed` when it
    ///   cannot be started or its output cannot be read.
    func run(_ command: Command, output: @escaping @Sendable (String) -> Void) async throws(BuildError)
        -> CommandOutcome

    /// Runs a command to completion, collecting its stdout (for machine-readable answers such as
    /// `cargo metadata`) and keeping the last lines of its stderr.
    /// - Parameters:
    ///   - command: what to run.
    ///   - limit: the most stdout bytes accepted.
    /// - Returns: the exit status, stderr's last lines as `tail`, and stdout as `standardOutput`.
    /// - Throws: `BuildError.toolNotFound` when the program does not exist; `.toolLaunchFailed` when it
    ///   cannot be started, its output cannot be read, or stdout exceeds `limit`.
    func capture(_ command: Command, limit: Int) async throws(BuildError) -> CommandOutcome
}

/// Splits a byte stream into lines, keeping only the last few.
///
/// A line ends at `\n`, `\r\n` or a lone `\r` (tools redraw progress with `\r`). A line longer than
/// `maxLineBytes` is cut into pieces, so memory stays bounded whatever a tool prints. Invalid UTF-8 becomes
/// U+FFFD.
struct OutputLines {
    /// The longest line kept whole, in bytes.
    static let maxLineBytes = 16 * 1024

    private var pending: [UInt8] = []
    private var afterCarriageReturn = false
    private let tailLimit: Int
    private var kept: [String] = []

    /// The last lines seen (at most `tailLimit`), oldest first.
    var tail: [String] { Array(kept.suffix(tailLimit)) }

    init(tailLimit: Int = CommandOutcome.tailLimit) {
        self.tailLimit = tailLimit
    }

    /// Consumes a chunk of output, calling `emit` for each line it completes.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if afterCarriageReturn {
                    afterCarriageReturn = false  // the `\n` of a `\r\n` already ended
                } else {
                    endLine(emit)
                }
            case UInt8(ascii: "\r"):
                endLine(emit)
                afterCarriageReturn = true
            default:
                afterCarriageReturn = false
                pending.append(byte)
                if pending.count >= Self.maxLineBytes { endLine(emit) }
            }
        }
    }

    /// Ends the stream: an unterminated last line is emitted too.
    mutating func finish(emit: (String) -> Void) {
        if !pending.isEmpty { endLine(emit) }
    }

    private mutating func endLine(_ emit: (String) -> Void) {
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        kept.append(line)
        if kept.count >= 2 * tailLimit { kept.removeFirst(kept.count - tailLimit) }
        emit(line)
    }
}
