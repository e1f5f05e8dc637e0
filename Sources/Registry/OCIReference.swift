import Foundation

/// Where an artifact lives in a registry: `[registry/]repository[:tag][@sha256:…]`.
///
/// The rules are Docker's (docker/distribution `reference`), which wash's OCI crate follows too:
/// - The first `/`-separated component is the registry when it contains a `.` or a `:` (a port), is
///   `localhost`, or is a bracketed IPv6 address: `localhost:5000/x/y:0.1.0`, `ghcr.io/org/p:1`.
/// - Otherwise the reference has no registry and gets the default one: the `[registry] url` of
///   wasmcloud.toml when given, else `docker.io`, where a single-component name is an official image
///   under `library/` (`alpine` → `docker.io/library/alpine`) and requests go to `registry-1.docker.io`.
/// - Repository components (lowercased first, as wash does) are `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`; the whole
///   name (registry included) is at most 255 characters.
/// - A tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; a digest is `sha256:` and 64 lowercase hex digits.
///   With both, the digest decides what is fetched and the tag is informative.
public struct OCIReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry host, with its port when one was given (`localhost:5000`, `docker.io`).
    public var registry: String
    /// The repository inside the registry (`providers/http-server`, `library/alpine`).
    public var repository: String
    /// The tag, when the reference has one.
    public var tag: String?
    /// The manifest digest (`sha256:…`), when the reference pins one.
    public var digest: OCIDigest?

    /// The registry references without a host go to when no other default is configured.
    public static let dockerHub = "docker.io"

    /// Parses a reference and resolves it against the default registry (`OCIReferenceText` then
    /// `resolved(defaultRegistry:)`).
    /// - Parameters:
    ///   - text: the reference as the user typed it.
    ///   - defaultRegistry: the registry for references that name none (`[registry] url` of
    ///     wasmcloud.toml); `nil` means `docker.io`. A leading `http://` or `https://` is ignored.
    /// - Throws: `RegistryError.invalidReference` naming what is wrong.
    public init(parsing text: String, defaultRegistry: String? = nil) throws(RegistryError) {
        self = try OCIReferenceText(parsing: text).resolved(defaultRegistry: defaultRegistry)
    }

    init(registry: String, repository: String, tag: String?, digest: OCIDigest?) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// `registry/repository[:tag][@digest]`, the normalized form.
    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// What the manifest is fetched by: the digest when pinned, else the tag, else `latest`.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// True when the reference would push or pull the moving tag `latest` (explicitly or by omission).
    public var isLatest: Bool { digest == nil && (tag ?? "latest") == "latest" }

    /// The last component of the repository (`http-server` for `ghcr.io/org/http-server:1`).
    public var name: String { repository.split(separator: "/").last.map(String.init) ?? repository }

    /// The host requests go to: Docker Hub's API lives at `registry-1.docker.io`.
    var apiHost: String { registry == Self.dockerHub || registry == "index.docker.io" ? "registry-1.docker.io" : registry }

    /// The registry's API root, `https://host[:port]/v2/` (plain `http` only when `insecure`).
    func apiBase(insecure: Bool) -> URL {
        // The host was validated by the parser, so the URL is well formed.
        URL(string: "\(insecure ? "http" : "https")://\(apiHost)/v2/")!
    }

    /// Whether the first component of a name is a registry host (Docker's rule: a `.` or `:`, `localhost`, `[IPv6]`).
    public static func looksLikeRegistry(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost" || component.hasPrefix("[")
    }

    static func withoutScheme(_ url: String) -> String {
        var text = Substring(url)
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }

    /// `host[:port]`: a DNS name, an IPv4 address or a bracketed IPv6 address, and a port in 1…65535.
    static func isValidRegistry(_ text: String) -> Bool {
        let pattern = #/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:(?<port>[0-9]{1,5}))?/#
        guard let match = text.wholeMatch(of: pattern) else { return false }
        guard let port = match.output.port else { return true }
        return (1...65535).contains(Int(port) ?? 0)
    }

    static func isValidComponent(_ text: String) -> Bool {
        text.wholeMatch(of: #/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*/#) != nil
    }

    static func isValidTag(_ text: String) -> Bool {
        text.wholeMatch(of: #/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/#) != nil
    }
}

/// A reference as the user typed it, its syntax checked once (`[registry/]repository[:tag][@digest]`), before
/// the registry it names by default is known: that comes from the project (`[registry] url`), and is applied
/// by `resolved(defaultRegistry:)`.
public struct OCIReferenceText: Sendable, Hashable, CustomStringConvertible {
    /// The text as typed.
    public let text: String
    /// The registry the text names, if it names one.
    public let registry: String?
    /// The repository's components.
    let components: [String]
    /// The tag, when the text has one.
    public let tag: String?
    /// The digest, when the text pins one.
    public let digest: OCIDigest?

    /// Checks a reference's syntax (OCIReference's rules).
    /// - Parameter text: the reference as typed.
    /// - Throws: `RegistryError.invalidReference` naming what is wrong.
    public init(parsing text: String) throws(RegistryError) {
        func fail(_ reason: String) -> RegistryError { .invalidReference(text, reason: reason) }
        self.text = text
        guard !text.isEmpty else { throw fail("it is empty") }
        if text.contains("://") { throw fail("write it without a scheme; use --insecure for plain HTTP") }
        if let bad = text.unicodeScalars.first(where: { $0.properties.isWhitespace || !$0.isASCII || $0.value < 0x20 }) {
            throw fail(bad.properties.isWhitespace ? "it contains whitespace"
                : bad.isASCII ? "it contains a control character" : "it contains the non-ASCII character \"\(bad)\"")
        }

        var rest = Substring(text)
        var digest: OCIDigest?
        if let at = rest.lastIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            guard let parsed = OCIDigest(parsing: digestText) else {
                throw fail("\"\(digestText)\" is not a digest of the form sha256:<64 lowercase hex digits>")
            }
            digest = parsed
            rest = rest[..<at]
        }
        self.digest = digest
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let tagText = String(rest[rest.index(after: colon)...])
            guard OCIReference.isValidTag(tagText) else {
                throw fail("\"\(tagText)\" is not a valid tag (letters, digits, _ . -, not starting with . or -, at most 128)")
            }
            tag = tagText
            rest = rest[..<colon]
        }
        self.tag = tag

        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, OCIReference.looksLikeRegistry(components[0]) {
            let registry = components.removeFirst()
            guard OCIReference.isValidRegistry(registry) else { throw fail("\"\(registry)\" is not a valid host[:port]") }
            self.registry = registry
        } else {
            self.registry = nil
        }
        guard !components.contains(where: \.isEmpty) else {
            throw fail("it has an empty path component (a leading, trailing or doubled \"/\")")
        }
        // Repository names are lowercased, as wash does (`ghcr.io/64BitAsura/x` → `ghcr.io/64bitasura/x`); the
        // tag keeps its case (tags are case-sensitive).
        components = components.map { $0.lowercased() }
        if let bad = components.first(where: { !OCIReference.isValidComponent($0) }) {
            throw fail("\"\(bad)\" is not a valid repository component (lowercase letters and digits, separated by . _ __ or -)")
        }
        self.components = components
    }

    /// The text as typed.
    public var description: String { text }

    /// The reference, with `defaultRegistry` (else `docker.io`) when the text names no registry.
    /// - Parameter defaultRegistry: `[registry] url` of wasmcloud.toml; a leading scheme is ignored.
    /// - Throws: `RegistryError.invalidReference` when the default registry is not a host[:port], or the whole
    ///   name is longer than 255 characters.
    public func resolved(defaultRegistry: String?) throws(RegistryError) -> OCIReference {
        func fail(_ reason: String) -> RegistryError { .invalidReference(text, reason: reason) }
        var components = self.components
        let registry: String
        if let named = self.registry {
            registry = named
        } else if let configured = defaultRegistry.map(OCIReference.withoutScheme), !configured.isEmpty {
            registry = configured
            guard OCIReference.isValidRegistry(registry) else {
                throw fail("the default registry \"\(registry)\" (-r/--registry, WASH_REG_URL or [registry] url) is not a valid host[:port]")
            }
        } else {
            registry = OCIReference.dockerHub
            if components.count == 1 { components.insert("library", at: 0) }
        }
        let repository = components.joined(separator: "/")
        guard registry.count + 1 + repository.count <= 255 else { throw fail("the name is longer than 255 characters") }
        return OCIReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }
}
