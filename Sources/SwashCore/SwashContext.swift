import Foundation

/// What a workflow may know about the world: environment, home, working directory, and where to say things.
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
    /// Where progress and notices go (stderr for the CLI). Never receives secrets.
    public var log: @Sendable (String) -> Void

    /// A context from explicit values.
    /// - Parameters:
    ///   - environment: the environment variables to honour.
    ///   - homeDirectory: the home directory.
    ///   - currentDirectory: the base for relative paths.
    ///   - log: receives one notice per call, without a trailing newline.
    public init(
        environment: [String: String], homeDirectory: URL, currentDirectory: URL,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.currentDirectory = currentDirectory
        self.log = log
    }

    /// The running process's context: its environment, `$HOME`, working directory, and stderr.
    public static func current() -> SwashContext {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return SwashContext(
            environment: environment,
            homeDirectory: home,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
    }

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
}
