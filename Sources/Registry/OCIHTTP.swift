import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

// HTTP stack: the toolchain's URLSession (FoundationNetworking, libcurl underneath on Linux).
// It does everything the distribution protocol needs — HEAD, PATCH with Content-Range, bodies from
// memory, streaming delivery of response bytes through a delegate, redirects (with a hook to drop
// credentials when the host changes), TLS, timeouts — and costs no new dependency, where
// async-http-client would add SwiftNIO and minutes of build time. Request bodies are at most one
// upload chunk (8 MiB by default), so nothing ever holds a whole archive in memory.

/// One HTTP exchange's answer. Header names are lowercased.
struct OCIHTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    /// The body, unless it went to a sink (then empty).
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Receives a successful response's body as it arrives; throwing cancels the transfer.
typealias OCIBodySink = @Sendable (Data) throws -> Void

/// A failure below HTTP: no connection, TLS, timeout, a transfer cut short, or a sink that threw.
struct OCITransportFailure: Error {
    /// The URL error, when the failure came from the network.
    var urlError: URLError?
    /// The sink's error, when writing the body failed.
    var sinkError: Error?
    /// Bytes of the body received before the failure.
    var received: Int64
    /// The response head, when one arrived before the failure.
    var status: Int?
}

/// A URLSession whose delegate streams bodies into sinks and drops `Authorization` on cross-host redirects.
final class OCIHTTPTransport: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// Error bodies and manifests are collected in memory up to this size; larger ones are refused.
    static let collectLimit = 4 << 20

    private final class Exchange {
        let continuation: CheckedContinuation<OCIHTTPResponse, Error>
        let sink: OCIBodySink?
        var response: HTTPURLResponse?
        var body = Data()
        var received: Int64 = 0
        var sinkError: Error?
        /// Set when FoundationNetworking turned a `401` into an authentication challenge that was cancelled.
        var challenged = false

        init(continuation: CheckedContinuation<OCIHTTPResponse, Error>, sink: OCIBodySink?) {
            self.continuation = continuation
            self.sink = sink
        }

        var streams: Bool { sink != nil && (200..<300).contains(response?.statusCode ?? 0) }
    }

    private let lock = NSLock()
    private var exchanges: [Int: Exchange] = [:]
    private var session: URLSession!

    /// A transport whose requests fail after `timeout` seconds without progress.
    init(timeout: TimeInterval) {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = 24 * 60 * 60
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    /// Ends the session (it holds this delegate strongly until then); running requests finish first.
    func close() { session.finishTasksAndInvalidate() }

    /// Sends one request.
    /// - Parameters:
    ///   - request: the request, body included.
    ///   - sink: receives a 2xx response's body instead of collecting it.
    /// - Throws: `OCITransportFailure`.
    func send(_ request: URLRequest, sink: OCIBodySink? = nil) async throws -> OCIHTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request)
            lock.withLock { exchanges[task.taskIdentifier] = Exchange(continuation: continuation, sink: sink) }
            task.resume()
        }
    }

    private func exchange(_ task: URLSessionTask) -> Exchange? {
        lock.withLock { exchanges[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        exchange(dataTask)?.response = response as? HTTPURLResponse
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(dataTask), exchange.sinkError == nil else { return }
        exchange.received += Int64(data.count)
        if exchange.streams, let sink = exchange.sink {
            do { try sink(data) } catch {
                exchange.sinkError = error
                dataTask.cancel()
            }
        } else if exchange.body.count + data.count > Self.collectLimit {
            exchange.sinkError = URLError(.dataLengthExceedsMaximum)
            dataTask.cancel()
        } else {
            exchange.body.append(data)
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        // Blob downloads may be redirected to storage elsewhere: credentials stay with the registry.
        var next = request
        if request.url?.host != task.originalRequest?.url?.host || request.url?.port != task.originalRequest?.url?.port {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(next)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        // TLS trust stays with the system. A 401 is for OCIRegistryClient to answer (URLSession knows neither
        // Bearer tokens nor the registry's scopes); FoundationNetworking only hands the 401 back when its
        // challenge is cancelled, so cancel, remember why, and deliver the response already received.
        #if canImport(FoundationNetworking)
            exchange(task)?.challenged = true
            completionHandler(.cancelAuthenticationChallenge, nil)
        #else
            if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust {
                completionHandler(.performDefaultHandling, nil)
            } else {
                completionHandler(.rejectProtectionSpace, nil)
            }
        #endif
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let exchange = lock.withLock({ exchanges.removeValue(forKey: task.taskIdentifier) }) else { return }
        let status = exchange.response?.statusCode
        let error = exchange.challenged && exchange.response != nil ? nil : error
        if exchange.sinkError != nil || error != nil {
            exchange.continuation.resume(
                throwing: OCITransportFailure(
                    urlError: exchange.sinkError == nil ? (error as? URLError ?? URLError(.unknown)) : nil,
                    sinkError: exchange.sinkError, received: exchange.received, status: status))
            return
        }
        guard let response = exchange.response else {
            exchange.continuation.resume(throwing: OCITransportFailure(urlError: URLError(.badServerResponse), received: 0))
            return
        }
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        exchange.continuation.resume(returning: OCIHTTPResponse(status: response.statusCode, headers: headers, body: exchange.body))
    }
}
