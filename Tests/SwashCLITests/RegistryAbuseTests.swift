import Foundation
import SwashTestSupport
import Testing

/// A registry that misbehaves — by malice or by bug — against `swash pull` and `swash push`, each case on a
/// scripted server on 127.0.0.1: exit 1, a message naming what happened, peak RSS under 64 MiB, nothing written,
/// and no credentials where they must not go.
@Suite("Misbehaving registries", .serialized, .timeLimit(.minutes(5)))
struct RegistryAbuseTests {
    static let layerType = "application/vnd.wasmcloud.provider.archive.layer.v1+par"
    static let configType = "application/vnd.wasmcloud.provider.archive.config"

    /// An OCI manifest naming one provider-archive layer of `size` bytes with `digest`.
    static func manifest(layerDigest: String, size: Int64) -> Data {
        let config = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"  // sha256 of "{}"
        return Data("""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"\(configType)","digest":"\(config)","size":2},\
            "layers":[{"mediaType":"\(layerType)","digest":"\(layerDigest)","size":\(size)}]}
            """.utf8)
    }

    /// A registry whose manifest names one layer `layer` of `size` bytes, and whose blob answer is `blob`.
    static func layerServer(layer: String, size: Int64, blob: StubResponse) throws -> StubHTTPServer {
        try StubHTTPServer { request in
            guard request.target.contains("/manifests/") else { return blob }
            return StubResponse(
                status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"],
                body: Self.manifest(layerDigest: layer, size: size))
        }
    }

    /// Runs swash under GNU time in a fresh home: the result and the peak RSS in KiB (nil without GNU time).
    static func swash(_ arguments: [String], home: URL, environment extra: [String: String] = [:]) async throws
        -> (result: CommandResult, peakKiB: Int?)
    {
        var environment = ["HOME": home.path, "USER": "tester", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        environment.merge(extra) { $1 }
        let time = URL(fileURLWithPath: "/usr/bin/time")
        guard FileManager.default.isExecutableFile(atPath: time.path) else {
            return (try await runProcessAsync(swashExecutable, arguments, environment: environment, in: home), nil)
        }
        var result = try await runProcessAsync(time, ["-f", "maxrss=%M", swashExecutable.path] + arguments, environment: environment, in: home)
        let line = result.stderr.split(separator: "\n").last { $0.hasPrefix("maxrss=") }
        result.stderr = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("maxrss=") }.joined(separator: "\n")
        return (result, line.flatMap { Int($0.dropFirst("maxrss=".count)) })
    }

    /// Every file below `directory`, relative.
    static func files(_ directory: URL) -> [String] {
        (FileManager.default.subpaths(atPath: directory.path) ?? []).sorted()
    }

    /// `swash pull <server>/demo/p:1 --insecure` in a fresh home: exit 1, a message containing `message`,
    /// peak RSS < 64 MiB, nothing written into the home.
    static func expectRefusedPull(
        _ server: StubHTTPServer, message: String, environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let home = try makeTemporaryDirectory("abuse")
        let (result, peak) = try await swash(["pull", "\(server.address)/demo/p:1", "--insecure"], home: home, environment: environment)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
        if let peak { #expect(peak < 64 << 10, "peak RSS \(peak) KiB", sourceLocation: sourceLocation) }
        #expect(files(home).isEmpty, "nothing written: \(files(home))", sourceLocation: sourceLocation)
    }

    /// A body written forever in 64 KiB pieces (until the client goes).
    static let endless: @Sendable ((Data) -> Bool) -> Void = { write in
        let piece = Data(repeating: 0x7B, count: 64 << 10)
        var sent = 0
        while sent < 8 << 30, write(piece) { sent += piece.count }
    }

    @Test func anEndlessManifestIsCutOffAtItsCap() async throws {
        let server = try StubHTTPServer { _ in
            StubResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], stream: Self.endless)
        }
        defer { server.stop() }
        try await Self.expectRefusedPull(server, message: "more than 4194304 bytes for manifest of")
    }

    @Test func aGzipBombIsNeverInflated() async throws {
        // 256 MiB of zeros as a gzip body of about 256 KiB, announced as Content-Encoding: gzip.
        let bomb = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "head -c 268435456 /dev/zero | gzip -1 | base64 -w0"],
            environment: ProcessInfo.processInfo.environment)
        let body = try #require(Data(base64Encoded: bomb.stdout))
        #expect(body.count < 2 << 20)
        let layer = "sha256:" + String(repeating: "a", count: 64)
        let server = try StubHTTPServer { request in
            if request.target.contains("/manifests/") {
                return StubResponse(status: 200, headers: ["Content-Encoding": "gzip", "Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: body)
            }
            return StubResponse(status: 200, headers: ["Content-Encoding": "gzip"], body: body)
        }
        defer { server.stop() }
        try await Self.expectRefusedPull(server, message: "it is not a JSON manifest (\(body.count) bytes)")
        #expect(server.requests.allSatisfy { $0.headers["accept-encoding"] == nil }, "swash asks for no compression")

        // The same bomb as the layer of a valid manifest: its bytes are checked as they are, never inflated.
        let layered = try Self.layerServer(
            layer: layer, size: Int64(body.count), blob: StubResponse(status: 200, headers: ["Content-Encoding": "gzip"], body: body))
        defer { layered.stop() }
        try await Self.expectRefusedPull(layered, message: "digest mismatch for blob \(layer)")
    }

    @Test func aLayerLargerThanItsDescriptorIsCutOffEvenWhenRangeIsIgnored() async throws {
        let layer = "sha256:" + String(repeating: "b", count: 64)
        // Range ignored: 200 and far more than 1 MiB.
        let server = try Self.layerServer(layer: layer, size: 1 << 20, blob: StubResponse(status: 200, stream: Self.endless))
        defer { server.stop() }
        try await Self.expectRefusedPull(server, message: "more than 1048576 bytes for blob \(layer)")
    }

    @Test func aDescriptorOfOneTebibyteIsRefusedBeforeDownloading() async throws {
        let layer = "sha256:" + String(repeating: "c", count: 64)
        let server = try Self.layerServer(layer: layer, size: 1 << 40, blob: StubResponse(status: 200, stream: Self.endless))
        defer { server.stop() }
        try await Self.expectRefusedPull(server, message: "its layer claims 1099511627776 bytes")
        #expect(!server.requests.contains { $0.target.contains("/blobs/") }, "no download started")
    }

    @Test func aTrickleEndsAfterTheProgressTimeout() async throws {
        let server = try StubHTTPServer { _ in
            StubResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], announcedLength: 10_000) { write in
                for _ in 0..<60 {
                    guard write(Data("{".utf8)) else { return }
                    Thread.sleep(forTimeInterval: 1)
                }
            }
        }
        defer { server.stop() }
        let started = ContinuousClock.now
        try await Self.expectRefusedPull(server, message: "no progress for 3 s", environment: ["SWASH_REGISTRY_TIMEOUT": "3"])
        #expect(ContinuousClock.now - started < .seconds(30), "the trickle did not keep the pull alive")
    }

    @Test func credentialsNeverFollowAnUploadLocationToAnotherHost() async throws {
        let elsewhere = try StubHTTPServer { _ in StubResponse(status: 500) }
        defer { elsewhere.stop() }
        let registry = try StubHTTPServer { request in
            guard request.headers["authorization"] != nil else {
                return StubResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="stub""#])
            }
            if request.method == "HEAD" { return StubResponse(status: 404) }
            if request.method == "POST" {
                return StubResponse(status: 202, headers: ["Location": "http://\(elsewhere.address)/upload?session=1"])
            }
            return StubResponse(status: 500)
        }
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("abuse-push")
        let archive = try await makeTestArchive(in: home, size: 20_000)
        let (result, _) = try await Self.swash(
            ["push", "\(registry.address)/demo/p:0.1.0", archive.path, "--insecure", "-u", "user", "-p", "secret"], home: home)
        #expect(result.status == 1)
        #expect(registry.requests.contains { $0.headers["authorization"] != nil }, "the registry itself got the credentials")
        #expect(!elsewhere.requests.isEmpty, "the upload went to the Location")
        #expect(elsewhere.requests.allSatisfy { $0.headers["authorization"] == nil }, "\(elsewhere.requests.map(\.headers))")
    }
}
