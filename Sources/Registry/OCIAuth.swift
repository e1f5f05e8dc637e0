import Foundation

/// A user name and password for a registry.
public struct RegistryCredentials: Sendable, Hashable {
    /// The user name.
    public var username: String
    /// The password or access token.
    public var password: String

    /// Credentials from their parts.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Basic base64(user:password)`.
    var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// A parsed `WWW-Authenticate` challenge (RFC 7235): `Bearer realm="…",service="…",scope="…"` or
/// `Basic realm="…"`.
struct OCIAuthChallenge: Sendable, Hashable {
    /// `bearer` or `basic` (lowercased).
    var scheme: String
    /// The auth-params, names lowercased; quoted values unquoted.
    var parameters: [String: String]

    var realm: String? { parameters["realm"] }

    /// Parses the first challenge of a header value; `nil` when there is none.
    init?(header: String) {
        var scanner = Substring(header)
        func skipSpaces() { scanner = scanner.drop(while: { $0 == " " || $0 == "\t" }) }
        func token() -> String {
            let value = scanner.prefix(while: { !" \t,=\"".contains($0) })
            scanner = scanner.dropFirst(value.count)
            return String(value)
        }
        skipSpaces()
        let scheme = token().lowercased()
        guard !scheme.isEmpty else { return nil }
        var parameters: [String: String] = [:]
        while true {
            skipSpaces()
            if scanner.first == "," { scanner = scanner.dropFirst(); continue }
            let name = token().lowercased()
            skipSpaces()
            // A name without "=" starts the next challenge: stop at the first one.
            guard !name.isEmpty, scanner.first == "=" else { break }
            scanner = scanner.dropFirst()
            skipSpaces()
            var value = ""
            if scanner.first == "\"" {
                scanner = scanner.dropFirst()
                while let character = scanner.first, character != "\"" {
                    scanner = scanner.dropFirst()
                    if character == "\\", let escaped = scanner.first {
                        value.append(escaped)
                        scanner = scanner.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                scanner = scanner.dropFirst()
            } else {
                value = token()
            }
            parameters[name] = value
        }
        self.scheme = scheme
        self.parameters = parameters
    }
}
