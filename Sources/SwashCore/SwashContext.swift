import Foundation

/// What a workflow may know about the world: environment, home, working directory, and whom to report to.
///
/// Workflows take a context instead of reading `ProcessInfo` themselves, so tests run them against a
/// temporary home and never touch the real `~/.wash`.
public struct SwashContext: Sendable {
    /// Environment variables (`WASH_KEYS`, `USER`, `SOURCE_DATE_EPOCH`, …).
    public var environment: [String: String]
    /// The user's home directory; keys default to `<home>/.wash/keys`.
    public var homeDirectory: URL
    /// The directory relative paths are resolved against.
    public var currentDirectory: URL
    /// Where notices, phases and tool output go (the CLI's console). Never receives secrets.
    public var reporter: any ProgressReporter

    /// A context from explicit values.
    /// - Parameters:
    ///   - environment: the environment variables to honour.
    ///   - homeDirectory: the home directory.
    ///   - currentDirectory: the base for relative paths.
    ///   - reporter: receives notices, phases and tool output.
    public init(
        environment: [String: String], homeDirectory: URL, currentDirectory: URL,
        reporter: any ProgressReporter = SilentReporter()
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.currentDirectory = currentDirectory
        self.reporter = reporter
    }

    /// A context whose notices go to `log` (one notice per call, without a trailing newline).
    public init(
        environment: [String: String], homeDirectory: URL, currentDirectory: URL,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.init(
            environment: environment, homeDirectory: homeDirectory, currentDirectory: currentDirectory,
            reporter: NoticeReporter(log))
    }

    /// The running process's context: its environment, `$HOME` and working directory, reporting to `reporter`.
    /// - Parameter reporter: where notices and progress go.
    public static func current(reporter: any ProgressReporter) -> SwashContext {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return SwashContext(
            environment: environment,
            homeDirectory: home,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            reporter: reporter)
    }

    /// Sends a notice to the reporter.
    public func notice(_ text: String) { reporter.notice(text) }

    /// The user name used in account key file names: `$USER`, or `user` when unset.
    public var userName: String {
        if let user = environment["USER"], !user.isEmpty { return user }
        return "user"
    }

    /// Resolves a path the user typed: `~` expanded, relative paths against `currentDirectory`.
    public func resolve(path: String) -> URL {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory.appendingPathComponent(String(path.dropFirst(2))) }
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        return currentDirectory.appendingPathComponent(path).standardizedFileURL
    }

    /// `SOURCE_DATE_EPOCH` when set to a whole number of seconds (surrounding blanks allowed); `nil` when unset
    /// or empty. The one reading of the variable: archives (`iat`, entry times) and manifests (the creation
    /// annotation) use it alike.
    /// - Throws: `SourceDateEpochError` for a value that is not a number of seconds.
    public func sourceDateEpoch() throws(SourceDateEpochError) -> UInt64? {
        guard let text = environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return nil }
        guard let seconds = UInt64(text.trimmingCharacters(in: .whitespaces)) else { throw SourceDateEpochError(value: text) }
        return seconds
    }
}

/// `SOURCE_DATE_EPOCH` holds something other than a number of seconds since 1970.
public struct SourceDateEpochError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The variable's value.
    public var value: String
    public var description: String {
        "SOURCE_DATE_EPOCH: \"\(value)\" is not a number of seconds since 1970; set it to one (e.g. $(git log -1 --format=%ct)) or unset it"
    }
    public var errorDescription: String? { description }
}
