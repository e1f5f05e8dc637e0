import Foundation
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// A provider archive artifact served by `StubHTTPServer`: what a registry would answer for `demo/p:1`.
private struct StubArtifact: Sendable {
    let archive: Data
    let manifest: Data
    let layerPath: String

    /// The artifact of a fresh signed archive whose binary is `size` random bytes.
    static func make(size: Int) async throws -> StubArtifact {
        let directory = try makeTemporaryDirectory()
        return StubArtifact(archive: try Data(contentsOf: try await makeTestArchive(in: directory, size: size)))
    }

    init(archive: Data) {
        self.archive = archive
        let config = Data("{}".utf8)
        let layer = OCIDescriptor(mediaType: OCIMediaType.providerArchiveLayer, digest: OCIDigest.of(archive), size: Int64(archive.count))
        manifest = OCIManifest.providerArchive(
            config: OCIDescriptor(mediaType: OCIMediaType.providerArchiveConfig, digest: OCIDigest.of(config), size: 2),
            layer: layer, annotations: [:]
        ).encoded()
        layerPath = "/v2/demo/p/blobs/\(layer.digest)"
    }

    /// Answers the manifest and blob requests; `blob` shapes the blob response.
    func answer(_ request: StubRequest, blob: (Data) -> StubResponse = { StubResponse(status: 200, body: $0) }) -> StubResponse {
        switch request.target {
        case "/v2/demo/p/manifests/1":
            return StubResponse(status: 200, headers: ["Content-Type": OCIMediaType.imageManifest], body: manifest)
        case layerPath:
            return blob(archive)
        default:
            return StubResponse(status: 404, body: Data(#"{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}"#.utf8))
        }
    }
}

private func randomData(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255) }) }

private func pullOptions(to directory: URL, user: String? = nil, password: String? = nil) -> PullOptions {
    PullOptions(registry: RegistryOptions(insecure: true, username: user, password: password), destination: directory)
}

/// Pulls `demo/p:1` from a scripted server into the test's home.
private func pullDemo(_ server: StubHTTPServer, _ test: TestContext, user: String? = nil, password: String? = nil)
    async throws -> PullResult
{
    try await RegistryWorkflows.pull(
        reference: "\(server.address)/demo/p:1", options: pullOptions(to: test.home, user: user, password: password),
        context: test.context())
}

private func visibleAndHiddenFiles(_ directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path)
}

/// The distribution protocol against a scripted server: token flow, cut-off and corrupted downloads,
/// unreachable registries.
@Suite("OCI client (scripted server)")
struct OCIClientStubTests {
    @Test func bearerTokenFlowWithBasicCredentials() async throws {
        let artifact = try await StubArtifact.make(size: 5000)
        let server = try StubHTTPServer { request in
            let host = request.headers["host"] ?? ""
            if request.target.hasPrefix("/token?") {
                guard request.headers["authorization"] == "Basic YWxpY2U6czNjcmV0" else { return StubResponse(status: 401) }
                return StubResponse(status: 200, body: Data(#"{"token":"T-123","expires_in":300}"#.utf8))
            }
            guard request.headers["authorization"] == "Bearer T-123" else {
                return StubResponse(
                    status: 401,
                    headers: ["WWW-Authenticate": #"Bearer realm="http://\#(host)/token",service="stub-registry",scope="repository:demo/p:pull""#])
            }
            return artifact.answer(request)
        }
        defer { server.stop() }
        let test = try TestContext()
        let result = try await pullDemo(server, test, user: "alice", password: "s3cret")
        #expect(try Data(contentsOf: result.file) == artifact.archive)
        #expect(result.file.lastPathComponent == "p.par.gz")
        #expect(result.digest == OCIDigest.of(artifact.manifest))
        let tokenRequest = try #require(server.requests.first { $0.target.hasPrefix("/token?") })
        #expect(tokenRequest.target.contains("service=stub-registry"))
        #expect(tokenRequest.target.contains("scope=repository:demo/p:pull"))
        // One token for the whole pull: challenged once, then every request carries it.
        #expect(server.requests.filter { $0.target.hasPrefix("/token?") }.count == 1)
    }

    @Test func refusedTokenNamesTheRealm() async throws {
        let server = try StubHTTPServer { request in
            let host = request.headers["host"] ?? ""
            if request.target.hasPrefix("/token") { return StubResponse(status: 401) }
            return StubResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="http://\#(host)/token",service="s""#])
        }
        defer { server.stop() }
        let test = try TestContext()
        let error = await #expect(throws: RegistryError.self) { try await pullDemo(server, test) }
        #expect(
            error?.description
                == "registry \(server.address) (realm \"http://\(server.address)/token\") requires authentication (HTTP 401); give credentials with -u/-p or WASH_REG_USER/WASH_REG_PASSWORD")
    }

    @Test func downloadsInRanges() async throws {
        let artifact = try await StubArtifact.make(size: 150_000)
        let server = try StubHTTPServer { request in
            artifact.answer(request) { bytes in
                // bytes=a-b → 206 with those bytes.
                guard let range = request.headers["range"]?.dropFirst("bytes=".count).split(separator: "-"),
                    let start = Int(range[0]), let end = Int(range[1])
                else { return StubResponse(status: 200, body: bytes) }
                let last = min(end, bytes.count - 1)
                return StubResponse(
                    status: 206, headers: ["Content-Range": "bytes \(start)-\(last)/\(bytes.count)"], body: bytes[start...last])
            }
        }
        defer { server.stop() }
        let test = try TestContext()
        var options = pullOptions(to: test.home)
        options.registry.rangeSize = 64 << 10
        let result = try await RegistryWorkflows.pull(reference: "\(server.address)/demo/p:1", options: options, context: test.context())
        #expect(try Data(contentsOf: result.file) == artifact.archive)
        let ranges = server.requests.filter { $0.target == artifact.layerPath }.map { $0.headers["range"] ?? "none" }
        let size = artifact.archive.count
        #expect(size > 2 * 65536 && size < 3 * 65536)
        #expect(ranges == ["bytes=0-65535", "bytes=65536-131071", "bytes=131072-\(size - 1)"])
    }

    @Test func interruptedDownloadLeavesNoFile() async throws {
        let artifact = try await StubArtifact.make(size: 200_000)
        let server = try StubHTTPServer { request in
            artifact.answer(request) { StubResponse(status: 200, body: $0.prefix(50_000), announcedLength: $0.count) }
        }
        defer { server.stop() }
        let test = try TestContext()
        let error = await #expect(throws: RegistryError.self) { try await pullDemo(server, test) }
        #expect(error?.description.contains("was interrupted after") == true)
        #expect(error?.description.contains("of \(artifact.archive.count) bytes") == true)
        #expect(try visibleAndHiddenFiles(test.home).isEmpty)
    }

    @Test func corruptedBlobIsRejectedAndNothingWritten() async throws {
        let artifact = try await StubArtifact.make(size: 10_000)
        let server = try StubHTTPServer { request in
            artifact.answer(request) { StubResponse(status: 200, body: randomData($0.count)) }
        }
        defer { server.stop() }
        let test = try TestContext()
        // An older file at the destination survives the failed pull.
        let previous = test.home.appendingPathComponent("p.par.gz")
        try Data("previous".utf8).write(to: previous)
        let error = await #expect(throws: RegistryError.self) { try await pullDemo(server, test) }
        #expect(error?.description.hasPrefix("digest mismatch for blob sha256:") == true)
        #expect(try visibleAndHiddenFiles(test.home) == ["p.par.gz"])
        #expect(try Data(contentsOf: previous) == Data("previous".utf8))
    }

    @Test func unreachableRegistryIsNamed() async throws {
        let test = try TestContext()
        let port = try freeLoopbackPort()
        let refused = await #expect(throws: RegistryError.self) {
            try await RegistryWorkflows.pull(
                reference: "127.0.0.1:\(port)/demo/p:1", options: pullOptions(to: test.home), context: test.context())
        }
        #expect(
            refused?.description
                == "cannot reach registry 127.0.0.1:\(port): connection refused (nothing listens there); check the address and that the registry is running")

        // HTTPS against a plain-HTTP port: the message suggests --insecure.
        let server = try StubHTTPServer { _ in StubResponse(status: 400) }
        defer { server.stop() }
        let tls = await #expect(throws: RegistryError.self) {
            try await RegistryWorkflows.pull(
                reference: "\(server.address)/demo/p:1", options: PullOptions(registry: RegistryOptions(), destination: test.home),
                context: test.context())
        }
        #expect(tls?.description.hasPrefix("cannot reach registry \(server.address): ") == true)
        #expect(tls?.description.hasSuffix("if \(server.address) serves plain HTTP (a local registry, say), add --insecure") == true)
    }
}

/// Workflows against the real distribution registry (`docker-registry`) on 127.0.0.1.
@Suite("OCI workflows (docker-registry)", .enabled(if: RegistryServer.isAvailable), .timeLimit(.minutes(1)))
struct OCIRegistryWorkflowTests {
    @Test func chunkedUploadRoundTripAndSkippedBlobs() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let test = try TestContext()
        let archive = try await makeTestArchive(in: test.home, size: 300_000)
        var options = PushOptions(registry: RegistryOptions(insecure: true))
        options.registry.chunkSize = 64 << 10  // five PATCHes for ~300 kB
        let reference = "\(registry.address)/demo/chunked:0.1.0"
        let first = try await RegistryWorkflows.push(reference: reference, archive: archive.path, options: options, context: test.context())
        #expect(first.existingBlobs.isEmpty)

        let second = try await RegistryWorkflows.push(reference: reference, archive: archive.path, options: options, context: test.context())
        #expect(second.existingBlobs.count == 2)  // config and layer found by HEAD, not uploaded again
        #expect(second.digest == first.digest)  // same archive, same manifest digest

        let out = try makeTemporaryDirectory()
        let pulled = try await RegistryWorkflows.pull(
            reference: reference, options: PullOptions(registry: RegistryOptions(insecure: true), destination: out, digest: first.digest),
            context: test.context())
        #expect(try Data(contentsOf: pulled.file) == Data(contentsOf: archive))
        #expect(pulled.file.path == out.appendingPathComponent("chunked.par.gz").path)
        #expect(try visibleAndHiddenFiles(out) == ["chunked.par.gz"])
    }

    /// A file that ends before the size announced for it (it changed after it was measured) ends the upload
    /// at once with a file error naming it, monolithic or chunked; the registry keeps no blob.
    @Test func aFileShorterThanAnnouncedEndsTheUpload() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("blob")
        let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
        try bytes.write(to: file)
        let reference = try OCIReferenceText(parsing: "\(registry.address)/demo/short:1").resolved(defaultRegistry: nil)
        let client = OCIRegistryClient(reference: reference, insecure: true, credentials: nil, push: true, transport: OCITransportOptions())
        func endedEarly(_ error: any Error) -> Bool {
            guard case RegistryError.file(let failure) = error else { return false }
            return failure.path == file.path && failure.description.contains("ended 10 bytes early: it changed while being pushed")
        }
        for chunkSize in [nil, 64 << 10] as [Int?] {
            await #expect(performing: {
                try await client.uploadBlob(file: file, digest: OCIDigest.of(bytes), size: 100_010, chunkSize: chunkSize)
            }, throws: endedEarly)
        }
        #expect(try await !client.blobExists(OCIDigest.of(bytes)))
    }

    @Test func inspectionCacheHoldsTheLayerByDigest() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let test = try TestContext()
        let archive = try await makeTestArchive(in: test.home)
        let reference = "\(registry.address)/demo/inspect:1.0.0"
        let options = RegistryOptions(insecure: true)
        _ = try await RegistryWorkflows.push(
            reference: reference, archive: archive.path, options: PushOptions(registry: options), context: test.context())
        let cached = try await RegistryWorkflows.fetchForInspection(reference: reference, options: options, context: test.context())
        let hex = sha256Hex(of: archive)
        #expect(cached.path == test.home.appendingPathComponent(".wash/cache/swash/sha256-\(hex).par.gz").path)
        #expect(try Data(contentsOf: cached) == Data(contentsOf: archive))
        // A damaged cache entry is fetched again.
        try Data("damaged".utf8).write(to: cached)
        let again = try await RegistryWorkflows.fetchForInspection(reference: reference, options: options, context: test.context())
        #expect(again == cached)
        #expect(try Data(contentsOf: again) == Data(contentsOf: archive))
    }
}

/// The workflows with references and paths as text, as these tests write them (the CLI parses them first).
extension RegistryWorkflows {
    fileprivate static func pull(reference: String, options: PullOptions, context: SwashContext) async throws -> PullResult {
        try await pull(reference: try OCIReferenceText(parsing: reference), options: options, context: context)
    }

    fileprivate static func push(reference: String, archive: String, options: PushOptions, context: SwashContext) async throws
        -> PushResult
    {
        try await push(
            reference: try OCIReferenceText(parsing: reference), archive: URL(fileURLWithPath: archive), options: options,
            context: context)
    }

    fileprivate static func fetchForInspection(reference: String, options: RegistryOptions, context: SwashContext) async throws -> URL {
        try await fetchForInspection(
            reference: try OCIReferenceText(parsing: reference), options: PullOptions(registry: options, allowLatest: true), context: context)
    }
}
