import Foundation
import TOMLLite

/// Where something is in a manifest file: the file, and the line and column when known.
public struct ManifestLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var fileURL: URL
    /// The line and column, or `nil` when the problem is about the file as a whole (a missing key).
    public var position: TOMLPosition?
    /// The text of that line, for the caret snippet.
    public var sourceLine: String?

    /// Creates a location.
    /// - Parameters:
    ///   - fileURL: The file.
    ///   - position: The line and column, if the problem has one.
    ///   - sourceLine: The text of that line, if known.
    public init(fileURL: URL, position: TOMLPosition? = nil, sourceLine: String? = nil) {
        self.fileURL = fileURL
        self.position = position
        self.sourceLine = sourceLine
    }

    /// `<path>:<line>:<column>`, or `<path>` without a position.
    public var description: String {
        position.map { "\(fileURL.path):\($0.line):\($0.column)" } ?? fileURL.path
    }

    /// `<location>: <message>`, with the caret snippet when there is a position.
    func render(_ message: String) -> String {
        guard let position else { return "\(fileURL.path): \(message)" }
        return TOMLError(message: message, fileName: fileURL.path, position: position, sourceLine: sourceLine ?? "")
            .description
    }
}

/// Why a `wasmcloud.toml` cannot be used to build a provider. Every case names the file, and the line and
/// column when there is one; `description` says what to do about it.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// There is no `wasmcloud.toml` at this path (the file `-p` named, or `<directory>/wasmcloud.toml`).
    case notFound(URL)
    /// The file exists but cannot be read.
    case unreadable(URL, reason: String)
    /// The file (or the project's `Cargo.toml`) is not valid TOML; the error has the position and snippet.
    case syntax(TOMLError)
    /// `type` is `component` or `actor`: swash builds providers only.
    case notAProvider(type: String, ManifestLocation)
    /// `type` is neither `provider` nor a component type.
    case unknownProjectType(String, ManifestLocation)
    /// `language` is not one swash builds providers in.
    case unsupportedLanguage(String, ManifestLocation)
    /// A required key is absent; `reason` says how to supply it.
    case missingKey(String, ManifestLocation, reason: String)
    /// A key swash knows has a value of the wrong TOML type.
    case wrongType(key: String, expected: String, found: String, ManifestLocation, hint: String?)
    /// A key swash knows has a value of the right type that cannot be used.
    case invalidValue(key: String, reason: String, ManifestLocation)
    /// A key names a directory that does not exist.
    case directoryNotFound(key: String, URL, ManifestLocation)

    /// The file the problem is in.
    public var fileURL: URL? {
        switch self {
        case .notFound(let url), .unreadable(let url, _): return url
        case .syntax(let error): return error.fileName.map { URL(fileURLWithPath: $0) }
        case .notAProvider(_, let location), .unknownProjectType(_, let location),
            .unsupportedLanguage(_, let location), .missingKey(_, let location, _),
            .wrongType(_, _, _, let location, _), .invalidValue(_, _, let location),
            .directoryNotFound(_, _, let location):
            return location.fileURL
        }
    }

    /// The message: `<file>[:<line>:<column>]: <what is wrong and what to do>`, then a caret snippet when
    /// the problem has a position.
    public var description: String {
        switch self {
        case .notFound(let url):
            return "no wasmcloud.toml at \(url.path): pass the project directory or its wasmcloud.toml with -p PATH"
        case .unreadable(let url, let reason):
            return "cannot read \(url.path): \(reason)"
        case .syntax(let error):
            return error.description
        case .notAProvider(let type, let location):
            let what = type == "actor" ? "an actor project (actors are now called components)" : "a component project"
            return location.render(
                "type = \"\(type)\": this is \(what); swash builds capability providers only (type = \"provider\"), build components with wash"
            )
        case .unknownProjectType(let type, let location):
            return location.render("unknown project type \"\(type)\": swash builds capability providers, use type = \"provider\"")
        case .unsupportedLanguage(let language, let location):
            return location.render(
                "unsupported language for providers: \"\(language)\" (swash builds providers in rust, swift or go)")
        case .missingKey(let key, let location, let reason):
            return location.render("missing required key `\(key)`: \(reason)")
        case .wrongType(let key, let expected, let found, let location, let hint):
            let article = "aeiou".contains(found.first ?? "x") ? "an" : "a"
            return location.render("`\(key)` must be \(expected), but it is \(article) \(found)" + (hint.map { "; " + $0 } ?? ""))
        case .invalidValue(let key, let reason, let location):
            return location.render("invalid `\(key)`: \(reason)")
        case .directoryNotFound(let key, let url, let location):
            return location.render("`\(key)` is \(url.path), which is not an existing directory; fix the path or create it")
        }
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}
