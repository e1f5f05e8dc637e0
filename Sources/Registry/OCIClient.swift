import FileIO
import Foundation

/// Speaks the OCI distribution protocol to one repository of one registry, authenticating as it goes.
///
/// Authentication follows the distribution spec: a request answered `401` with
/// `WWW-Authenticate: Basic realm=…` is retried once with the credentials; with
/// `Bearer realm=…,service=…,scope=…` the client GETs the realm (with basic credentials when it has
/// some) for a token covering `repository:<repo>:pull[,push]` and retries once with `Bearer <token>`.
/// The resulting `Authorization` is kept for the following requests.
///
/// Credentials are scoped: `Authorization` goes only to the registry's own scheme, host and port (and the
/// basic credentials to the token realm it names), never to a host an upload `Location` or a redirect names,
/// never from https down to http. Bodies have caps known before reading (`Limits`).
public actor OCIRegistryClient {
    /// The most bytes read into memory for each kind of answer; more ends the transfer.
    public enum Limits {
        /// A manifest.
        public static let manifest = 4 << 20
        /// A token service's answer.
        public static let token = 1 << 20
        /// Any other answer's body (errors, upload sessions).
        public static let other = 64 << 10
        /// The largest blob swash downloads: the archive reader's limit of the whole tar stream.
        public static let blob: Int64 = 8 << 30
    }

    /// The repository (and tag or digest) this client speaks about.
    public let reference: OCIReference
    private let base: URL
    private let insecure: Bool
    private let credentials: RegistryCredentials?
    private let actions: String
    private let transport: OCIHTTPTransport
    private var authorization: String?

    /// A client for `reference`'s repository.
    /// - Parameters:
    ///   - push: ask tokens for `pull,push` instead of `pull`.
    ///   - transport: timeouts and TLS settings.
    public init(
        reference: OCIReference, insecure: Bool, credentials: RegistryCredentials?, push: Bool, transport: OCITransportOptions
    ) {
        self.reference = reference
        self.base = reference.apiBase(insecure: insecure)
        self.insecure = insecure
        self.credentials = credentials
        self.actions = push ? "pull,push" : "pull"
        self.transport = OCIHTTPTransport(options: transport)
    }

    // MARK: Blobs

    /// `HEAD /v2/<repo>/blobs/<digest>`: whether the registry already has the blob.
    public func blobExists(_ digest: OCIDigest) async throws(RegistryError) -> Bool {
        let response = try await send("HEAD", url("blobs/\(digest)"), what: "blob \(digest)")
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw failure(response, request: "HEAD blob \(digest)")
        }
    }

    /// Uploads a blob held in memory (a config) in one `POST` + `PUT ?digest=`.
    public func uploadBlob(_ data: Data, digest: OCIDigest) async throws(RegistryError) {
        let location = try await startUpload()
        try await finishUpload(at: location, digest: digest, body: data)
    }

    /// Uploads a file as a blob, streamed from disk (never held in memory): `PATCH`es of at most `chunkSize`
    /// bytes with `Content-Range` — one for any archive at the default size, as docker and skopeo upload —
    /// then a closing `PUT ?digest=`. A `nil` chunk size sends the whole file in the closing `PUT` instead
    /// (`--monolithic-push`, for registries that corrupt chunked uploads).
    /// - Throws: `RegistryError.file` when the file cannot be read or changed size meanwhile.
    public func uploadBlob(file: URL, digest: OCIDigest, size: Int64, chunkSize: Int?) async throws(RegistryError) {
        let location = try await startUpload()
        guard let chunkSize else {
            try await finishUpload(at: location, digest: digest, file: OCIFileBody(url: file, offset: 0, size: size))
            return
        }
        try await finishUpload(at: try await patch(file, size: size, chunkSize: chunkSize, at: location, what: "blob \(digest)"), digest: digest)
    }

    /// Sends `file` to an upload session in `PATCH`es of at most `chunkSize` bytes.
    /// - Returns: the session's location after the last one.
    private func patch(
        _ file: URL, size: Int64, chunkSize: Int, at start: URL, what: String
    ) async throws(RegistryError) -> URL {
        var location = start
        var offset: Int64 = 0
        while offset < size {
            let length = min(Int64(chunkSize), size - offset)
            let range = "\(offset)-\(offset + length - 1)"
            let response = try await send(
                "PATCH", location,
                headers: ["Content-Type": "application/octet-stream", "Content-Range": range],
                bodyFile: OCIFileBody(url: file, offset: offset, size: length), what: "\(what) (bytes \(range))")
            guard response.status == 202 else { throw failure(response, request: "PATCH blob upload (bytes \(range))") }
            location = try self.location(of: response, request: "PATCH blob upload")
            offset += length
        }
        return location
    }

    private func startUpload() async throws(RegistryError) -> URL {
        let response = try await send("POST", url("blobs/uploads/"), body: Data(), what: "upload session")
        guard response.status == 202 else { throw failure(response, request: "POST blob upload") }
        return try location(of: response, request: "POST blob upload")
    }

    private func finishUpload(
        at location: URL, digest: OCIDigest, body: Data = Data(), file: OCIFileBody? = nil
    ) async throws(RegistryError) {
        var components = URLComponents(url: location, resolvingAgainstBaseURL: true)
        let query = (components?.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        components?.queryItems = query
        guard let url = components?.url else {
            throw .requestFailed(registry: reference.registry, request: "PUT blob upload", status: 202, detail: "unusable upload location \(location)")
        }
        let response = try await send(
            "PUT", url, headers: ["Content-Type": "application/octet-stream"], body: body, bodyFile: file,
            what: "blob \(digest)")
        guard response.status == 201 else { throw failure(response, request: "PUT blob \(digest)") }
    }

    /// Streams a blob into `sink` in `Range` requests of `rangeSize` bytes, checking its size and digest.
    ///
    /// The transport hands bytes to the sink as they arrive, straight from its buffer (valid only during the
    /// call), so memory stays bounded either way; ranges keep each request short. A registry that ignores
    /// `Range` (answers `200`) is read in one stream.
    /// - Throws: `transferInterrupted` when fewer bytes arrive than the descriptor says, `digestMismatch`
    ///   when the bytes are not the ones named, or what the sink throws.
    public func downloadBlob(
        _ descriptor: OCIDescriptor, rangeSize: Int, into sink: @escaping @Sendable (UnsafeRawBufferPointer) throws(RegistryError) -> Void
    ) async throws(RegistryError) {
        let what = "blob \(descriptor.digest) of \(reference)"
        guard descriptor.size >= 0, descriptor.size <= Limits.blob else {
            throw .requestFailed(
                registry: reference.registry, request: "GET manifest \(reference.manifestReference)", status: 200,
                detail: "its layer claims \(descriptor.size) bytes; swash reads archives of at most \(Limits.blob) bytes")
        }
        let tally = DownloadTally(expected: descriptor.size, what: what, sink: sink)
        let blobURL = url("blobs/\(descriptor.digest)")
        func interrupted(_ reason: String) -> RegistryError {
            .transferInterrupted(what: what, received: tally.received, expected: descriptor.size, reason: reason)
        }
        ranges: while tally.received < descriptor.size {
            let start = tally.received
            let end = min(start + Int64(rangeSize), descriptor.size) - 1
            let response: OCIHTTPResponse
            do throws(RegistryError) {
                response = try await send(
                    "GET", blobURL, headers: ["Range": "bytes=\(start)-\(end)"], what: what, expectedSize: descriptor.size,
                    sink: { data in try tally.receive(data) })
            } catch .transferInterrupted(_, _, _, let reason) {
                throw interrupted(reason)
            }
            switch response.status {
            case 206:
                guard response.header("Content-Range")?.hasPrefix("bytes \(start)-") == true else {
                    throw .requestFailed(
                        registry: reference.registry, request: "GET \(what) (bytes \(start)-\(end))", status: 206,
                        detail: "it sent another range (\(response.header("Content-Range") ?? "none"))")
                }
                guard tally.received == end + 1 else { throw interrupted("the registry ended the range early") }
            case 200:
                guard start == 0 else {
                    throw .requestFailed(
                        registry: reference.registry, request: "GET \(what) (bytes \(start)-\(end))", status: 200,
                        detail: "it ignored the Range header after honouring it")
                }
                break ranges
            case 404:
                throw .requestFailed(
                    registry: reference.registry, request: "GET \(what)", status: 404, detail: "the manifest names a blob the registry does not have")
            default:
                throw failure(response, request: "GET \(what)")
            }
        }
        guard tally.received == descriptor.size else { throw interrupted("the registry ended the body early") }
        let digest = tally.finish()
        guard digest.description == descriptor.digest else {
            throw .digestMismatch(what: what, expected: descriptor.digest, actual: digest.description)
        }
    }

    // MARK: Manifests

    /// `PUT /v2/<repo>/manifests/<tag>` of an OCI image manifest.
    /// - Returns: the manifest's digest (checked against the registry's `Docker-Content-Digest`).
    public func putManifest(_ data: Data, tag: String) async throws(RegistryError) -> OCIDigest {
        let digest = OCIDigest.of(data)
        let response = try await send(
            "PUT", url("manifests/\(tag)"), headers: ["Content-Type": OCIMediaType.imageManifest], body: data,
            what: "manifest \(tag)")
        guard response.status == 201 else { throw failure(response, request: "PUT manifest \(tag)") }
        if let announced = response.header("Docker-Content-Digest"), announced != digest.description {
            throw .digestMismatch(what: "the manifest stored as \(reference)", expected: digest.description, actual: announced)
        }
        return digest
    }

    /// `GET /v2/<repo>/manifests/<tag or digest>`, verified against the pinned digest or the registry's
    /// `Docker-Content-Digest`.
    public func manifest() async throws(RegistryError) -> (data: Data, contentType: String?, digest: OCIDigest) {
        let response = try await send(
            "GET", url("manifests/\(reference.manifestReference)"),
            headers: ["Accept": OCIMediaType.acceptedManifests.joined(separator: ", ")], what: "manifest of \(reference)",
            collectLimit: Limits.manifest)
        switch response.status {
        case 200: break
        case 404: throw .manifestNotFound(reference: reference.description)
        default: throw failure(response, request: "GET manifest \(reference.manifestReference)")
        }
        let digest = OCIDigest.of(response.body)
        let expected = reference.digest?.description ?? response.header("Docker-Content-Digest")
        if let expected, expected != digest.description {
            throw .digestMismatch(what: "the manifest of \(reference)", expected: expected, actual: digest.description)
        }
        return (response.body, response.header("Content-Type"), digest)
    }

    // MARK: Requests and authentication

    private func url(_ path: String) -> URL {
        // Repository, digest and tag were validated by the reference parser: all URL-safe.
        URL(string: "\(reference.repository)/\(path)", relativeTo: base)!.absoluteURL
    }

    private func location(of response: OCIHTTPResponse, request: String) throws(RegistryError) -> URL {
        guard let text = response.header("Location"), let url = URL(string: text, relativeTo: base)?.absoluteURL else {
            throw .requestFailed(registry: reference.registry, request: request, status: response.status, detail: "no Location header")
        }
        return url
    }

    /// Whether `url` is the registry itself (scheme, host and port): only then does it get `Authorization`.
    private func isRegistry(_ url: URL) -> Bool {
        Self.origin(of: url) == Self.origin(of: base)
    }

    /// `scheme://host:port`, the port made explicit.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }

    /// Sends a request with the current authorization (to the registry's own origin only); on a `401`
    /// challenge, authenticates and retries once; follows a GET's or HEAD's redirects (at most 5, never from
    /// https to http, without credentials to another origin).
    private func send(
        _ method: String, _ url: URL, headers: [String: String] = [:], body: Data? = nil,
        bodyFile: OCIFileBody? = nil, what: String,
        expectedSize: Int64? = nil, collectLimit: Int = Limits.other, sink: OCIBodySink? = nil
    ) async throws(RegistryError) -> OCIHTTPResponse {
        var challenged = false
        var target = url
        var redirects = 0
        while true {
            var request = OCIHTTPRequest(method: method, url: target, headers: headers, body: body, bodyFile: bodyFile)
            if let authorization, isRegistry(target) { request.headers["Authorization"] = authorization }
            let response = try await perform(request, what: what, expectedSize: expectedSize, collectLimit: collectLimit, sink: sink)
            if [301, 302, 303, 307, 308].contains(response.status), method == "GET" || method == "HEAD" {
                target = try redirection(from: target, response: response, count: &redirects, what: what)
                continue
            }
            let challenge = response.header("WWW-Authenticate").flatMap(OCIAuthChallenge.init(header:))
            if response.status == 401, !challenged, let challenge, isRegistry(target) {
                authorization = try await authorize(challenge)
                challenged = true
                continue
            }
            if response.status == 401 || response.status == 403 {
                throw .authenticationFailed(
                    registry: reference.registry, realm: challenge?.realm, status: response.status,
                    hadCredentials: credentials != nil)
            }
            return response
        }
    }

    /// Where a redirect leads, checked: a usable `Location`, no more than 5 hops, no https → http.
    private func redirection(from url: URL, response: OCIHTTPResponse, count: inout Int, what: String) throws(RegistryError) -> URL {
        count += 1
        guard let text = response.header("Location"), let next = URL(string: text, relativeTo: url)?.absoluteURL,
            next.scheme == "https" || next.scheme == "http"
        else {
            throw .requestFailed(registry: reference.registry, request: "GET \(what)", status: response.status, detail: "a redirect without a usable Location")
        }
        guard count <= 5 else {
            throw .requestFailed(registry: reference.registry, request: "GET \(what)", status: response.status, detail: "more than 5 redirects")
        }
        guard !(url.scheme == "https" && next.scheme == "http") else {
            throw .requestFailed(
                registry: reference.registry, request: "GET \(what)", status: response.status,
                detail: "it redirects from https to plain http (\(next.absoluteString)); swash does not follow a downgrade")
        }
        return next
    }

    private func perform(
        _ request: OCIHTTPRequest, what: String, expectedSize: Int64? = nil, collectLimit: Int = Limits.other,
        sink: OCIBodySink? = nil
    ) async throws(RegistryError) -> OCIHTTPResponse {
        do {
            return try await transport.send(request, collectLimit: collectLimit, sink: sink)
        } catch {
            if let sinkError = error.sinkError as? RegistryError { throw sinkError }
            if case .bodyFile(let fileError) = error.kind { throw .file(fileError) }
            if case .tooLarge(let limit) = error.kind {
                throw .responseTooLarge(what: what, limit: limit >= 0 ? limit : Int64(collectLimit))
            }
            let reason = Self.describe(error, transport: transport.options)
            if error.status != nil || error.received > 0 {
                throw .transferInterrupted(what: what, received: error.received, expected: expectedSize, reason: reason)
            }
            let url = request.url
            let host = url.port.map { "\(url.host ?? ""):\($0)" } ?? (url.host ?? reference.registry)
            throw .unreachable(registry: host, reason: reason, overHTTPS: url.scheme == "https")
        }
    }

    /// Turns a challenge into an `Authorization` header value.
    private func authorize(_ challenge: OCIAuthChallenge) async throws(RegistryError) -> String {
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw .authenticationFailed(registry: reference.registry, realm: challenge.realm, status: 401, hadCredentials: false)
            }
            return credentials.basicAuthorization
        case "bearer":
            return try await bearerToken(challenge)
        default:
            throw .requestFailed(
                registry: reference.registry, request: "authentication", status: 401,
                detail: "unsupported authentication scheme \"\(challenge.scheme)\" (swash speaks Basic and Bearer)")
        }
    }

    /// GETs a token from the challenge's realm for this repository's scope.
    private func bearerToken(_ challenge: OCIAuthChallenge) async throws(RegistryError) -> String {
        guard let realm = challenge.realm, var components = URLComponents(string: realm),
            components.scheme == "https" || components.scheme == "http"
        else {
            throw .requestFailed(
                registry: reference.registry, request: "authentication", status: 401,
                detail: "the Bearer challenge names no usable token realm (\(challenge.realm ?? "none"))")
        }
        let scope = "repository:\(reference.repository):\(actions)"
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: scope))
        if let asked = challenge.parameters["scope"], asked != scope { query.append(URLQueryItem(name: "scope", value: asked)) }
        components.queryItems = query
        guard let url = components.url else {
            throw .requestFailed(registry: reference.registry, request: "authentication", status: 401, detail: "unusable token realm \(realm)")
        }
        // The realm gets the basic credentials, except over plain http from an https registry, or over plain
        // http to a host that is neither loopback nor the --insecure registry itself.
        var request = OCIHTTPRequest(method: "GET", url: url)
        if let credentials {
            let downgrade = base.scheme == "https" && url.scheme == "http"
            let plainToStranger = url.scheme == "http" && !Self.isLoopback(url) && !(insecure && url.host == base.host)
            if downgrade || plainToStranger {
                throw .requestFailed(
                    registry: reference.registry, request: "authentication", status: 401,
                    detail: "its token realm \(realm) is plain http; swash does not send credentials there")
            }
            request.headers["Authorization"] = credentials.basicAuthorization
        }
        let response = try await perform(request, what: "token from \(realm)", collectLimit: Limits.token)
        switch response.status {
        case 200:
            struct Token: Decodable {
                var token: String?
                var access_token: String?
            }
            guard let decoded = try? JSONDecoder().decode(Token.self, from: response.body),
                let token = decoded.token ?? decoded.access_token, !token.isEmpty
            else {
                throw .requestFailed(registry: reference.registry, request: "GET token from \(realm)", status: 200, detail: "the answer holds no token")
            }
            return "Bearer \(token)"
        case 401, 403:
            throw .authenticationFailed(
                registry: reference.registry, realm: realm, status: response.status, hadCredentials: credentials != nil)
        default:
            throw failure(response, request: "GET token from \(realm)")
        }
    }

    /// The error for an unexpected status, with the registry's own error codes when it sent some.
    private func failure(_ response: OCIHTTPResponse, request: String) -> RegistryError {
        struct Errors: Decodable {
            struct Entry: Decodable {
                var code: String?
                var message: String?
            }
            var errors: [Entry]
        }
        var detail = ""
        if let decoded = try? JSONDecoder().decode(Errors.self, from: response.body) {
            detail = decoded.errors.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
        } else if !response.body.isEmpty, response.body.count < 512 {
            detail = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return .requestFailed(registry: reference.registry, request: request, status: response.status, detail: detail)
    }

    /// Whether `url` names this machine (127.0.0.0/8, ::1, localhost).
    static func isLoopback(_ url: URL) -> Bool {
        guard let host = url.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// Words for a transport failure.
    static func describe(_ failure: OCITransportFailure, transport: OCITransportOptions) -> String {
        if let sinkError = failure.sinkError { return "\(sinkError)" }
        switch failure.kind {
        case .refused: return "connection refused (nothing listens there)"
        case .unknownHost: return "unknown host"
        case .stalled:
            return "no progress for \(Int(transport.timeout)) s (less than \(OCIHTTPTransport.minimumRate) bytes/s)"
        case .tlsUntrusted:
            let trust = transport.caFile.map { "the CAs of SSL_CERT_FILE=\($0)" } ?? "the system's CAs"
            return "its TLS certificate is not trusted by \(trust); name the registry's CA with SSL_CERT_FILE, or pass --insecure-skip-tls-verify"
        case .tlsFailed: return "the TLS handshake failed"
        case .closed: return "the connection was closed"
        case .tooLarge(let limit): return "the answer is larger than \(limit) bytes"
        case .other(let words): return words
        case .bodyFile(let error): return error.description
        }
    }
}

/// Counts and hashes a blob's bytes as they pass to their sink; used from the transport's serial queue only.
private final class DownloadTally: @unchecked Sendable {
    private let expected: Int64
    private let what: String
    private let sink: @Sendable (UnsafeRawBufferPointer) throws(RegistryError) -> Void
    private var hasher = OCIHasher()
    /// Bytes received so far; read by the client between requests.
    private(set) var received: Int64 = 0

    init(expected: Int64, what: String, sink: @escaping @Sendable (UnsafeRawBufferPointer) throws(RegistryError) -> Void) {
        self.expected = expected
        self.what = what
        self.sink = sink
    }

    func receive(_ data: UnsafeRawBufferPointer) throws {
        received += Int64(data.count)
        guard received <= expected else {
            throw RegistryError.responseTooLarge(what: what, limit: expected)
        }
        hasher.update(data)
        try sink(data)
    }

    func finish() -> OCIDigest { hasher.finalize() }
}
