import CCurl
import FileIO
import Foundation

// HTTP stack: libcurl's easy interface (through CCurl), one blocking transfer at a time on a thread of its own
// (`BlockingIO`), never on the cooperative pool. Chosen over the toolchain's URLSession and over
// async-http-client (docs/oci.md has the comparison) because it gives control over every byte and costs no
// build time (a system library; FoundationNetworking links the same libcurl already):
// - response bytes reach the sink from curl's write callback, synchronously: a slow disk slows the socket
//   (backpressure), nothing queues in memory, whether or not the registry honours Range;
// - no automatic decompression (no Accept-Encoding is sent, nothing is inflated), no cookies, no cache, no
//   files written anywhere;
// - limits decided before reading: a collected body is cut off at its cap, a streamed one at its size;
// - no progress for `timeout` seconds (less than `minimumRate` bytes/s over that window) ends a transfer,
//   so a trickle cannot keep it alive;
// - redirects are not followed here: the client follows them itself with its credential rules;
// - TLS: the system's CAs, `SSL_CERT_FILE`/`SSL_CERT_DIR`, or no verification (`--insecure-skip-tls-verify`).

/// One HTTP exchange's answer. Header names are lowercased.
struct OCIHTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    /// The body, unless it went to a sink (then empty).
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Receives a successful response's body as it arrives, straight from the transport's buffer (valid only
/// during the call); throwing cancels the transfer.
typealias OCIBodySink = @Sendable (UnsafeRawBufferPointer) throws -> Void

/// A request: method, URL, headers, and a body from memory (at most one upload chunk) or streamed from a file.
struct OCIHTTPRequest: Sendable {
    var method: String
    var url: URL
    var headers: [String: String] = [:]
    var body: Data?
    /// A stretch of a file sent as the body, read from disk as curl asks for it; wins over `body`.
    var bodyFile: OCIFileBody?
}

/// `size` bytes of a file from `offset`, streamed as a request body.
struct OCIFileBody: Sendable {
    var url: URL
    var offset: Int64
    var size: Int64
}

/// How the transport treats TLS and stalls.
public struct OCITransportOptions: Sendable, Hashable {
    /// Seconds a transfer may go without progress (and the connect timeout).
    public var timeout: TimeInterval
    /// Do not verify the server's certificate (`--insecure-skip-tls-verify`).
    public var skipTLSVerify: Bool
    /// A PEM bundle of trusted CAs (`SSL_CERT_FILE`), replacing the system's.
    public var caFile: String?
    /// A directory of hashed CA certificates (`SSL_CERT_DIR`).
    public var caDirectory: String?

    /// Options from explicit values.
    public init(timeout: TimeInterval = 60, skipTLSVerify: Bool = false, caFile: String? = nil, caDirectory: String? = nil) {
        self.timeout = timeout
        self.skipTLSVerify = skipTLSVerify
        self.caFile = caFile
        self.caDirectory = caDirectory
    }

    /// Options with the CA locations of `environment` (`SSL_CERT_FILE`, `SSL_CERT_DIR`), as OpenSSL reads them.
    public static func from(environment: [String: String], timeout: TimeInterval, skipTLSVerify: Bool) -> Self {
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return Self(timeout: timeout, skipTLSVerify: skipTLSVerify, caFile: nonEmpty("SSL_CERT_FILE"), caDirectory: nonEmpty("SSL_CERT_DIR"))
    }
}

/// A failure below HTTP: no connection, TLS, a stall, a transfer cut short, a cap, or a sink that threw.
struct OCITransportFailure: Error {
    enum Kind {
        case refused, unknownHost, stalled, tlsUntrusted, tlsFailed, closed, tooLarge(limit: Int64), other(String)
        /// The file streamed as the body could not be read, or ended before its announced size.
        case bodyFile(FileSystemError)
    }
    var kind: Kind
    /// The sink's error, when writing the body failed.
    var sinkError: Error?
    /// Bytes of the body received before the failure.
    var received: Int64
    /// The response status, when one arrived before the failure.
    var status: Int?
}

/// Sends requests with libcurl; one easy handle, reused (keep-alive) by consecutive requests.
final class OCIHTTPTransport: @unchecked Sendable {
    /// Below this many bytes per second over `timeout` seconds a transfer counts as stalled.
    static let minimumRate = 256

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    let options: OCITransportOptions
    private let lock = NSLock()
    private var idle: UnsafeMutableRawPointer?

    init(options: OCITransportOptions) {
        self.options = options
    }

    deinit {
        if let idle { curl_easy_cleanup(idle) }
    }

    /// Sends one request.
    /// - Parameters:
    ///   - request: the request, body included.
    ///   - collectLimit: the most body bytes collected in memory (a manifest, a token, an error): more ends
    ///     the transfer with `.tooLarge`.
    ///   - sink: receives a 2xx response's body instead of collecting it.
    /// - Throws: `OCITransportFailure`.
    func send(_ request: OCIHTTPRequest, collectLimit: Int, sink: OCIBodySink? = nil) async throws(OCITransportFailure)
        -> OCIHTTPResponse
    {
        try await BlockingIO.run { () throws(OCITransportFailure) -> OCIHTTPResponse in
            try self.perform(request, collectLimit: collectLimit, sink: sink)
        }
    }

    private func takeHandle() -> UnsafeMutableRawPointer? {
        let reused = lock.withLock { () -> UnsafeMutableRawPointer? in
            defer { idle = nil }
            return idle
        }
        guard Self.initialized else { return nil }
        return reused ?? curl_easy_init()
    }

    private func giveBack(_ handle: UnsafeMutableRawPointer) {
        let surplus = lock.withLock { () -> UnsafeMutableRawPointer? in
            if idle == nil {
                idle = handle
                return nil
            }
            return handle
        }
        if let surplus { curl_easy_cleanup(surplus) }
    }

    private func perform(_ request: OCIHTTPRequest, collectLimit: Int, sink: OCIBodySink?) throws(OCITransportFailure)
        -> OCIHTTPResponse
    {
        guard let handle = takeHandle() else {
            throw OCITransportFailure(kind: .other("libcurl could not be initialised"), received: 0)
        }
        defer { giveBack(handle) }
        curl_easy_reset(handle)
        let exchange: Exchange
        do { exchange = try Exchange(request: request, collectLimit: collectLimit, sink: sink) } catch {
            throw OCITransportFailure(kind: .other("cannot read \(request.bodyFile?.url.path ?? "the body"): \(error)"), received: 0)
        }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        _ = swash_curl_set_string(handle, CURLOPT_URL, request.url.absoluteString)
        _ = swash_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = swash_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = swash_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = swash_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, max(1, Int(options.timeout.rounded(.up))))
        _ = swash_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, Self.minimumRate)
        _ = swash_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(options.timeout.rounded(.up))))
        _ = swash_curl_set_string(handle, CURLOPT_USERAGENT, "swash")
        _ = swash_curl_set_long(handle, CURLOPT_BUFFERSIZE, 512 << 10)
        _ = swash_curl_set_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, 2 << 20)
        if options.skipTLSVerify {
            _ = swash_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = swash_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caFile = options.caFile { _ = swash_curl_set_string(handle, CURLOPT_CAINFO, caFile) }
        if let caDirectory = options.caDirectory { _ = swash_curl_set_string(handle, CURLOPT_CAPATH, caDirectory) }

        // No "Expect: 100-continue" round trip; every other header as given.
        for line in ["Expect:"] + request.headers.sorted(by: { $0.key < $1.key }).map({ "\($0.key): \($0.value)" }) {
            headerList = curl_slist_append(headerList, line)
        }
        _ = swash_curl_set_list(handle, CURLOPT_HTTPHEADER, headerList)
        _ = swash_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = swash_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, Exchange.headerCallback)
        _ = swash_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = swash_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, Exchange.writeCallback)

        switch request.method {
        case "HEAD":
            _ = swash_curl_set_long(handle, CURLOPT_NOBODY, 1)
        case "GET":
            _ = swash_curl_set_long(handle, CURLOPT_HTTPGET, 1)
        default:
            // Every body-carrying method as an upload (from memory or the file), under its own name.
            _ = swash_curl_set_long(handle, CURLOPT_UPLOAD, 1)
            _ = swash_curl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.bodyFile?.size ?? Int64(request.body?.count ?? 0)))
            _ = swash_curl_set_pointer(handle, CURLOPT_READDATA, context)
            _ = swash_curl_set_callback(handle, CURLOPT_READFUNCTION, Exchange.readCallback)
            _ = swash_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }

        let code = curl_easy_perform(handle)
        var status = 0
        _ = swash_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if code != CURLE_OK {
            if let uploadError = exchange.uploadError {
                throw OCITransportFailure(kind: .bodyFile(uploadError), received: exchange.received)
            }
            throw OCITransportFailure(
                kind: exchange.overflow.map { .tooLarge(limit: $0) } ?? Self.kind(of: code),
                sinkError: exchange.sinkError, received: exchange.received, status: status == 0 ? nil : status)
        }
        return OCIHTTPResponse(status: status, headers: exchange.headers, body: exchange.body)
    }

    private static func kind(of code: CURLcode) -> OCITransportFailure.Kind {
        switch code {
        case CURLE_COULDNT_CONNECT: return .refused
        case CURLE_COULDNT_RESOLVE_HOST: return .unknownHost
        case CURLE_OPERATION_TIMEDOUT: return .stalled
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: return .tlsUntrusted
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER: return .tlsFailed
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: return .closed
        case CURLE_FILESIZE_EXCEEDED: return .tooLarge(limit: -1)
        default: return .other(String(cString: curl_easy_strerror(code)))
        }
    }
}

/// One transfer's state, reached from curl's callbacks through their context pointer.
private final class Exchange {
    let collectLimit: Int
    let sink: OCIBodySink?
    let upload: Data
    /// A descriptor of the file streamed as the body.
    let uploadFile: Int32?
    var uploadLeft: Int64
    /// The file offset just past the body's last byte.
    let uploadEnd: Int64
    let uploadPath: String
    var uploadError: FileSystemError?
    var uploaded = 0
    var status = 0
    var headers: [String: String] = [:]
    var body = Data()
    var received: Int64 = 0
    var sinkError: Error?
    var overflow: Int64?

    init(request: OCIHTTPRequest, collectLimit: Int, sink: OCIBodySink?) throws {
        self.collectLimit = collectLimit
        self.sink = sink
        self.upload = request.body ?? Data()
        self.uploadFile = try request.bodyFile.map { body in
            let descriptor = SystemPath.withBytes(body.url.path) { open($0, O_RDONLY | O_CLOEXEC) }
            guard descriptor >= 0 else { throw FileSystemError(.read, path: body.url.path) }
            return descriptor
        }
        self.uploadLeft = request.bodyFile?.size ?? 0
        self.uploadEnd = (request.bodyFile?.offset ?? 0) + uploadLeft
        self.uploadPath = request.bodyFile?.url.path ?? ""
    }

    deinit { uploadFile.map { _ = close($0) } }

    static func of(_ context: UnsafeMutableRawPointer?) -> Exchange {
        Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
    }

    /// A header line; a status line starts a new response (after a `100 Continue`).
    static let headerCallback: swash_curl_data_callback = { buffer, size, count, context in
        let exchange = Exchange.of(context)
        let length = size * count
        guard let buffer, length <= 64 << 10 else { return 0 }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            exchange.headers = [:]
            exchange.status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        } else if let colon = line.firstIndex(of: ":") {
            guard exchange.headers.count < 200 else { return 0 }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            exchange.headers[name] = exchange.headers[name].map { "\($0), \(value)" } ?? value
        }
        return length
    }

    /// Body bytes: to the sink for a 2xx answer with one, else collected up to the cap.
    static let writeCallback: swash_curl_data_callback = { buffer, size, count, context in
        let exchange = Exchange.of(context)
        let length = size * count
        guard let buffer else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        exchange.received += Int64(length)
        if let sink = exchange.sink, (200..<300).contains(exchange.status) {
            do { try sink(bytes) } catch {
                exchange.sinkError = error
                return 0
            }
        } else if exchange.body.count + length > exchange.collectLimit {
            exchange.overflow = Int64(exchange.collectLimit)
            return 0
        } else {
            exchange.body.append(contentsOf: bytes)
        }
        return length
    }

    /// Request body bytes, from the file or from memory.
    static let readCallback: swash_curl_data_callback = { buffer, size, count, context in
        let exchange = Exchange.of(context)
        guard let buffer else { return 0 }
        if let file = exchange.uploadFile {
            // Read straight into curl's buffer.
            let offset = exchange.uploadEnd - exchange.uploadLeft
            let wanted = Int(min(Int64(size * count), exchange.uploadLeft))
            guard wanted > 0 else { return 0 }
            var got: Int
            repeat { got = pread(file, buffer, wanted, off_t(offset)) } while got < 0 && errno == EINTR
            guard got > 0 else {
                // A file shorter than announced changed after it was measured: stop, do not stall.
                exchange.uploadError =
                    got < 0
                    ? FileSystemError(.read, path: exchange.uploadPath)
                    : FileSystemError(
                        .read, path: exchange.uploadPath,
                        detail: "it ended \(exchange.uploadLeft) bytes early: it changed while being pushed; push it again")
                return Int(CURL_READFUNC_ABORT)
            }
            exchange.uploadLeft -= Int64(got)
            return got
        }
        let length = min(size * count, exchange.upload.count - exchange.uploaded)
        guard length > 0 else { return 0 }
        exchange.upload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(
                from: bytes.baseAddress!.advanced(by: exchange.uploaded), byteCount: length)
        }
        exchange.uploaded += length
        return length
    }
}
