import Foundation

#if canImport(Glibc)
    import Glibc
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
    import Darwin
    private let streamSocket = SOCK_STREAM
#endif

/// A free TCP port on 127.0.0.1: bind port 0, read what the kernel chose, close.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestSupportError("bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
private func isListening(port: Int) -> Bool {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopbackAddress(port: UInt16(port))
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A failure of the test support itself (a tool missing, a server that would not start).
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Finds a program on `$PATH` (then `/usr/sbin`, `/usr/bin`).
public func findProgram(_ name: String) -> URL? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin"
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Debian's distribution registry (`docker-registry serve CONFIG.yml`) on 127.0.0.1, with storage in a temporary
/// directory and optionally htpasswd (bcrypt) basic auth. Call `stop()` when done (a `defer` right after
/// creating it); `deinit` stops it too.
public final class RegistryServer: @unchecked Sendable {
    /// The `docker-registry` program, when installed.
    public static let program = findProgram("docker-registry")

    /// True when `docker-registry` is installed; registry tests are skipped otherwise.
    public static var isAvailable: Bool {
        if program == nil {
            FileHandle.standardError.write(Data("note: docker-registry is not installed (apt-get install docker-registry); skipping the registry tests\n".utf8))
        }
        return program != nil
    }

    /// True when `htpasswd` (apache2-utils) is installed too, for the authentication tests.
    public static var canAuthenticate: Bool { isAvailable && findProgram("htpasswd") != nil }

    /// The port it listens on.
    public let port: Int
    /// `127.0.0.1:<port>`, the registry part of references.
    public var address: String { "127.0.0.1:\(port)" }
    /// The realm named in its basic-auth challenge.
    public static let realm = "swash-test-registry"

    private let directory: URL
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Token authentication (`auth: token:`): the registry checks JWTs signed by a key whose certificate chains
    /// to `rootBundle`, issued by `issuer` for `service`, fetched by clients from `realm`.
    public struct TokenAuth: Sendable {
        public var realm: String
        public var service: String
        public var issuer: String
        public var rootBundle: URL
        public init(realm: String, service: String, issuer: String, rootBundle: URL) {
            self.realm = realm
            self.service = service
            self.issuer = issuer
            self.rootBundle = rootBundle
        }
    }

    /// Starts a registry off the cooperative thread pool and waits until it accepts connections.
    /// - Parameters:
    ///   - user: when given, the registry requires these credentials (basic auth, realm `realm`).
    ///   - tls: when given, the registry serves HTTPS with this authority's server certificate.
    ///   - token: when given, the registry requires tokens (and `user` is ignored).
    public static func start(
        user: (name: String, password: String)? = nil, tls: TestCertificateAuthority? = nil, token: TokenAuth? = nil
    ) async throws -> RegistryServer {
        let name = user?.name
        let password = user?.password
        return try await offCooperativePool {
            try RegistryServer(user: name.flatMap { name in password.map { (name, $0) } }, tls: tls, token: token)
        }
    }

    /// Starts a registry and waits until it accepts connections (up to 10 s; three ports are tried).
    /// - Parameters:
    ///   - user: when given, the registry requires these credentials (basic auth, realm `realm`).
    ///   - tls: when given, the registry serves HTTPS with this authority's server certificate.
    ///   - token: when given, the registry requires tokens (and `user` is ignored).
    public init(
        user: (name: String, password: String)? = nil, tls: TestCertificateAuthority? = nil, token: TokenAuth? = nil
    ) throws {
        guard let program = Self.program else { throw TestSupportError("docker-registry is not installed") }
        directory = try makeTemporaryDirectory("swash-registry")
        var auth = ""
        var tlsSection = ""
        if let tls {
            tlsSection = """
                  tls:
                    certificate: \(tls.serverCertificate.path)
                    key: \(tls.serverKey.path)

                """
        }
        if let token {
            auth = """
                auth:
                  token:
                    realm: \(token.realm)
                    service: \(token.service)
                    issuer: \(token.issuer)
                    rootcertbundle: \(token.rootBundle.path)

                """
        } else if let user {
            guard let htpasswd = findProgram("htpasswd") else { throw TestSupportError("htpasswd (apache2-utils) is not installed") }
            let result = try runProcess(htpasswd, ["-Bbn", user.name, user.password], environment: [:])
            guard result.status == 0 else { throw TestSupportError("htpasswd failed: \(result.stderr)") }
            try Data(result.stdout.utf8).write(to: directory.appendingPathComponent("htpasswd"))
            auth = """
                auth:
                  htpasswd:
                    realm: \(Self.realm)
                    path: \(directory.path)/htpasswd

                """
        }
        var lastProcess: Process?
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let config = directory.appendingPathComponent("config.yml")
            try Data(
                """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: \(directory.path)/storage
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:\(port)
                \(tlsSection)\(auth)
                """.utf8
            ).write(to: config)
            let process = Process()
            process.executableURL = program
            process.arguments = ["serve", config.path]
            process.environment = ["PATH": "/usr/bin:/bin"]
            let log = directory.appendingPathComponent("registry.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let logHandle = try FileHandle(forWritingTo: log)
            process.standardOutput = logHandle
            process.standardError = logHandle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? logHandle.close()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline, !isListening(port: port) { usleep(20_000) }
            if process.isRunning, isListening(port: port) {
                self.port = port
                self.process = process
                return
            }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            lastProcess = process
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("registry.log"), encoding: .utf8)) ?? ""
        _ = lastProcess
        try? FileManager.default.removeItem(at: directory)
        throw TestSupportError("docker-registry did not start: \(log)")
    }

    /// Stops the registry, waits for it, and removes its storage. SIGTERM first; the registry drains for over
    /// a second after it, so after 50 ms SIGKILL ends it (its storage is thrown away anyway): a test's `defer`
    /// never holds a cooperative thread for long.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(0.05)
            while process.isRunning, Date() < deadline { usleep(5_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    // MARK: Talking to it by hand (curl), independently of swash

    /// `curl -s` against the registry, with basic credentials when given.
    /// - Returns: the response body (with `-i`, head and body).
    public func curl(_ arguments: [String], user: (name: String, password: String)? = nil) throws -> CommandResult {
        guard let curl = findProgram("curl") else { throw TestSupportError("curl is not installed") }
        let auth = user.map { ["-u", "\($0.name):\($0.password)"] } ?? []
        return try runProcess(curl, ["-sS", "--max-time", "20"] + auth + arguments, environment: [:])
    }

    /// The raw manifest at `repository:reference`, asking for OCI and Docker manifest types.
    public func manifest(_ repository: String, _ reference: String, user: (name: String, password: String)? = nil) throws -> Data {
        let result = try curl(
            [
                "-H", "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
                "http://\(address)/v2/\(repository)/manifests/\(reference)",
            ], user: user)
        return Data(result.stdout.utf8)
    }

    /// Uploads a blob by hand (`POST` for an upload URL, then one `PUT ?digest=`); returns its digest.
    @discardableResult
    public func putBlob(_ data: Data, repository: String) throws -> String {
        let file = directory.appendingPathComponent("blob-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let digest = "sha256:" + sha256Hex(of: file)
        let start = try curl(["-f", "-i", "-X", "POST", "http://\(address)/v2/\(repository)/blobs/uploads/"])
        guard start.status == 0,
            let line = start.stdout.components(separatedBy: "\r\n").first(where: { $0.lowercased().hasPrefix("location:") })
        else { throw TestSupportError("upload start failed: \(start.stderr)") }
        let location = line.dropFirst("location:".count).trimmingCharacters(in: .whitespaces)
        let url = (location.hasPrefix("/") ? "http://\(address)\(location)" : location) + (location.contains("?") ? "&" : "?") + "digest=\(digest)"
        let result = try curl(["-f", "-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", "@\(file.path)", url])
        guard result.status == 0 else { throw TestSupportError("blob upload failed: \(result.stderr)") }
        return digest
    }

    /// Puts a manifest by hand under `repository:tag`.
    public func putManifest(_ json: String, mediaType: String, repository: String, tag: String) throws {
        let result = try curl([
            "-f", "-X", "PUT", "-H", "Content-Type: \(mediaType)", "--data-binary", json,
            "http://\(address)/v2/\(repository)/manifests/\(tag)",
        ])
        guard result.status == 0 else { throw TestSupportError("manifest upload failed: \(result.stderr)") }
    }
}

/// SHA-256 of a file in lowercase hex, by `sha256sum` (independent of swash's own hashing).
public func sha256Hex(of file: URL) -> String {
    let result = try? runProcess(findProgram("sha256sum") ?? URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path], environment: [:])
    return String(result?.stdout.prefix(64) ?? "")
}

/// A real, signed provider archive (`swash par create --compress`) holding `size` random bytes as its
/// `x86_64-linux` binary; keys are generated under `<directory>/keys`.
public func makeTestArchive(in directory: URL, name: String = "provider.par.gz", size: Int = 4096) async throws -> URL {
    let binary = directory.appendingPathComponent("provider-\(UUID().uuidString).bin")
    let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
    defer { try? random.close() }
    try (random.read(upToCount: size) ?? Data()).write(to: binary)
    defer { try? FileManager.default.removeItem(at: binary) }
    let url = directory.appendingPathComponent(name)
    let result = try await runSwashAsync(
        [
            "par", "create", "-n", "Test Provider", "-v", "swash-tests", "--version", "0.1.0", "-a", "x86_64-linux",
            "-b", binary.path, "--compress", "--destination", url.path, "-d", directory.appendingPathComponent("keys").path,
        ], home: directory)
    guard result.status == 0 else { throw TestSupportError("swash par create failed: \(result.stderr)") }
    return url
}

/// Writes the `wasmcloud.toml` of a minimal Rust provider project (`p` 0.1.0) with a `[registry]` table.
/// - Parameters:
///   - directory: the project directory.
///   - registry: the table's lines, e.g. `url = "localhost:5000"`.
public func writeProviderProject(in directory: URL, registry: [String]) throws {
    let lines = ["name = \"p\"", "version = \"0.1.0\"", "language = \"rust\"", "type = \"provider\"", "", "[registry]"] + registry
    try Data(lines.joined(separator: "\n").utf8).write(to: directory.appendingPathComponent("wasmcloud.toml"))
}

// MARK: - A scripted HTTP server

/// One request received by `StubHTTPServer`.
public struct StubRequest: Sendable {
    /// `GET`, `HEAD`, …
    public var method: String
    /// The request target: path and query.
    public var target: String
    /// Header fields, names lowercased.
    public var headers: [String: String]
    /// The body (by `Content-Length`).
    public var body: Data
}

/// What `StubHTTPServer` answers.
public struct StubResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Extra header fields.
    public var headers: [String: String]
    /// The body sent.
    public var body: Data
    /// When set, `Content-Length` announces this many bytes but only `body` is sent before the connection
    /// is closed: an interrupted transfer.
    public var announcedLength: Int?

    /// When set, the body is produced by this function after the head (no `Content-Length` unless
    /// `announcedLength` gives one; the connection's end ends the body): it gets a writer that returns false
    /// once the client has gone. Endless and trickling bodies.
    public var stream: (@Sendable (_ write: (Data) -> Bool) -> Void)?

    /// A response from its parts.
    public init(
        status: Int, headers: [String: String] = [:], body: Data = Data(), announcedLength: Int? = nil,
        stream: (@Sendable (_ write: (Data) -> Bool) -> Void)? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.announcedLength = announcedLength
        self.stream = stream
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 answering each request (one per connection) with a handler, for
/// protocol situations a real registry will not produce: cut-off bodies, wrong bytes, token endpoints.
public final class StubHTTPServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let listener: Int32
    private let handler: @Sendable (StubRequest) -> StubResponse
    private let lock = NSLock()
    private var received: [StubRequest] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Starts listening on a free port.
    public init(handler: @escaping @Sendable (StubRequest) -> StubResponse) throws {
        self.handler = handler
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ready else {
            close(fd)
            throw TestSupportError("bind/listen: \(String(cString: strerror(errno)))")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// `127.0.0.1:<port>`.
    public var address: String { "127.0.0.1:\(port)" }

    /// The requests received so far.
    public var requests: [StubRequest] { lock.withLock { received } }

    /// Stops accepting and waits for the serving thread to end.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        finished.wait()
    }

    deinit { stop() }

    private func serve() {
        defer { finished.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ fd: Int32) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        func readMore() -> Bool {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil {
            guard readMore() else { return }
            // A TLS ClientHello (record type 0x16) gets a plain-HTTP 400, as real HTTP servers answer.
            if buffer.first == 0x16 {
                sendAll(fd, Data("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".utf8))
                return
            }
        }
        let headEnd = buffer.range(of: separator)!
        let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ").map(String.init)
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(buffer[headEnd.upperBound...])
        if headers["expect"]?.lowercased() == "100-continue" { sendAll(fd, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            buffer = Data()
            guard readMore() else { return }
            body.append(buffer)
        }
        let request = StubRequest(method: requestLine[0], target: requestLine[1], headers: headers, body: body)
        lock.withLock { received.append(request) }
        let response = handler(request)
        var text = "HTTP/1.1 \(response.status) Stub\r\nConnection: close\r\n"
        if response.stream == nil || response.announcedLength != nil {
            text += "Content-Length: \(response.announcedLength ?? response.body.count)\r\n"
        }
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        var output = Data(text.utf8)
        if request.method != "HEAD" { output.append(response.body) }
        guard sendAll(fd, output), request.method != "HEAD", let stream = response.stream else { return }
        stream { sendAll(fd, $0) }
    }

    @discardableResult
    private func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }
}
