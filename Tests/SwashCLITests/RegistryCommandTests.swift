import Foundation
import SwashTestSupport
import Testing

private func json(_ text: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// A fresh home with a test archive pushed to `registry` under `path` (`-o json`): checks the JSON answer
/// and returns the manifest digest it printed.
private func pushFixture(_ registry: RegistryServer, _ path: String) async throws -> (home: URL, archive: URL, reference: String, digest: String) {
    let home = try makeTemporaryDirectory()
    let archive = try await makeTestArchive(in: home)
    let reference = "\(registry.address)/\(path)"
    let push = try await runSwashAsync(["push", reference, archive.path, "--insecure", "-o", "json"], home: home)
    #expect(push.status == 0, "\(push.stderr)")
    let pushed = try json(push.stdout)
    #expect(pushed["reference"] as? String == reference)
    #expect(pushed["success"] as? Bool == true)
    return (home, archive, reference, try #require(pushed["digest"] as? String))
}

private func files(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

/// `swash push` / `swash pull` through the built executable against `docker-registry` on 127.0.0.1 (SPEC §6).
@Suite("swash push and pull", .enabled(if: RegistryServer.isAvailable), .timeLimit(.minutes(1)))
struct RegistryCommandTests {
    @Test func pushThenPullIsByteIdentical() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory()
        let archive = try await makeTestArchive(in: home, size: 20_000)
        let reference = "\(registry.address)/providers/http-server:0.1.0"

        let push = try await runSwashAsync(["push", reference, archive.path, "--insecure", "-a", "org.opencontainers.image.version=0.1.0"], home: home)
        #expect(push.status == 0, "\(push.stderr)")
        let lines = push.stdout.split(separator: "\n")
        #expect(lines.first == "Successfully pushed \(reference)")
        let digest = try #require(lines.last.map(String.init)?.replacingOccurrences(of: "Digest: ", with: ""))
        #expect(digest.hasPrefix("sha256:") && digest.count == 71)

        // The manifest, read by hand: swash's media types, one layer of the archive's size and digest.
        let raw = try await offCooperativePool { try registry.manifest("providers/http-server", "0.1.0") }
        let manifest = try json(String(decoding: raw, as: UTF8.self))
        #expect(manifest["schemaVersion"] as? Int == 2)
        #expect(manifest["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        let config = try #require(manifest["config"] as? [String: Any])
        #expect(config["mediaType"] as? String == "application/vnd.wasmcloud.provider.archive.config")
        #expect(config["size"] as? Int == 2)
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        #expect(layers.first?["mediaType"] as? String == "application/vnd.wasmcloud.provider.archive.layer.v1+par")
        #expect(layers.first?["size"] as? Int == (try Data(contentsOf: archive)).count)
        #expect(layers.first?["digest"] as? String == "sha256:" + sha256Hex(of: archive))
        #expect((manifest["annotations"] as? [String: String]) == ["org.opencontainers.image.version": "0.1.0"])

        // Pull into an empty working directory: <last segment>.par.gz, byte-identical, JSON output.
        let work = try makeTemporaryDirectory()
        let homeBefore = try files(in: home)
        let pull = try await runSwashAsync(["pull", reference, "--insecure", "-o", "json"], home: home, in: work)
        #expect(pull.status == 0, "\(pull.stderr)")
        let pulled = try json(pull.stdout)
        #expect(pulled["success"] as? Bool == true)
        #expect(pulled["digest"] as? String == digest)
        #expect(try files(in: work) == ["http-server.par.gz"])
        // Nothing else written anywhere: the home holds what it held before the pull (no caches, no state).
        let homeAfter = try files(in: home)
        #expect(homeAfter == homeBefore, "\(homeAfter)")
        #expect(try Data(contentsOf: work.appendingPathComponent("http-server.par.gz")) == Data(contentsOf: archive))
    }

    @Test func pushJSONAndDigestCheckOnPull() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let (home, _, reference, digest) = try await pushFixture(registry, "demo/p:1.0.0")

        let work = try makeTemporaryDirectory()
        let good = try await runSwashAsync(["pull", reference, "--insecure", "--digest", digest, "--destination", "out.par.gz"], home: home, in: work)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try files(in: work) == ["out.par.gz"])

        // By digest, too.
        let byDigest = try await runSwashAsync(["pull", "\(registry.address)/demo/p@\(digest)", "--insecure", "--destination", "d.par.gz"], home: home, in: work)
        #expect(byDigest.status == 0, "\(byDigest.stderr)")

        let wrong = "sha256:" + String(repeating: "0", count: 64)
        let bad = try await runSwashAsync(["pull", reference, "--insecure", "--digest", wrong, "--destination", "bad.par.gz"], home: home, in: work)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("digest mismatch for the manifest of \(reference) (--digest): expected \(wrong), got \(digest)"))
        #expect(try files(in: work) == ["d.par.gz", "out.par.gz"])

        #expect(try await runSwashAsync(["pull", reference, "--digest", "sha256:nope"], home: home).status == 64)
        let missing = try await runSwashAsync(["pull", "\(registry.address)/demo/p:9.9.9", "--insecure"], home: home, in: work)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(registry.address)/demo/p:9.9.9 not found"))
    }

    @Test func latestNeedsAllowLatest() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory()
        let archive = try await makeTestArchive(in: home)
        for reference in ["\(registry.address)/demo/p", "\(registry.address)/demo/p:latest"] {
            let refused = try await runSwashAsync(["push", reference, archive.path, "--insecure"], home: home)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--allow-latest"))
        }
        let allowed = try await runSwashAsync(["push", "\(registry.address)/demo/p", archive.path, "--insecure", "--allow-latest"], home: home)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.hasPrefix("Successfully pushed \(registry.address)/demo/p:latest\n"))
        // Pull without a tag means latest, which needs --allow-latest too (as in wash), for pull and inspect.
        let work = try makeTemporaryDirectory()
        for command in [["pull"], ["inspect"]] {
            for reference in ["\(registry.address)/demo/p", "\(registry.address)/demo/p:latest"] {
                let refused = try await runSwashAsync(command + [reference, "--insecure"], home: home, in: work)
                #expect(refused.status == 1)
                #expect(refused.stderr.contains("refusing to pull \"\(reference)\" by tag latest"), "\(refused.stderr)")
            }
        }
        #expect(try files(in: work).isEmpty)
        #expect(try await runSwashAsync(["pull", "\(registry.address)/demo/p", "--insecure", "--allow-latest"], home: home, in: work).status == 0)
        #expect(try await runSwashAsync(["inspect", "\(registry.address)/demo/p", "--insecure", "--allow-latest"], home: home, in: work).status == 0)
    }

    @Test func invalidInputsAreRefusedBeforeAnyUpload() async throws {
        let home = try makeTemporaryDirectory()
        let notArchive = home.appendingPathComponent("notes.txt")
        try Data(String(repeating: "plain text, not a provider archive\n", count: 20).utf8).write(to: notArchive)
        // Nothing listens on this port: the archive is checked before the network is touched.
        let port = try freeLoopbackPort()
        let invalid = try await runSwashAsync(["push", "127.0.0.1:\(port)/demo/p:1", notArchive.path, "--insecure"], home: home)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("\"\(notArchive.path)\" is not a valid provider archive"))

        #expect(try await runSwashAsync(["push", "127.0.0.1:\(port)/de..mo/p:1", notArchive.path], home: home).status == 64)
        #expect(try await runSwashAsync(["push", "127.0.0.1:\(port)/demo/p:1", notArchive.path, "-a", "novalue"], home: home).status == 64)
        #expect(try await runSwashAsync(["push", "127.0.0.1:\(port)/demo/p:1", notArchive.path, "-u", "alice"], home: home).status == 64)
        #expect(try await runSwashAsync(["pull", "127.0.0.1:\(port)/demo/p:1", "-p", "secret"], home: home).status == 64)

        let archive = try await makeTestArchive(in: home)
        let refused = try await runSwashAsync(["push", "127.0.0.1:\(port)/demo/p:1", archive.path, "--insecure", "-o", "json"], home: home)
        #expect(refused.status == 1)
        let error = try json(refused.stderr)
        #expect(error["success"] as? Bool == false)
        #expect((error["error"] as? String)?.hasPrefix("cannot reach registry 127.0.0.1:\(port): connection refused") == true)
    }

    @Test(.enabled(if: RegistryServer.canAuthenticate)) func basicAuthentication() async throws {
        let user = (name: "alice", password: "s3cret")
        let registry = try await RegistryServer.start(user: user)
        defer { registry.stop() }
        let home = try makeTemporaryDirectory()
        let archive = try await makeTestArchive(in: home)
        let reference = "\(registry.address)/private/p:0.1.0"

        let anonymous = try await runSwashAsync(["push", reference, archive.path, "--insecure"], home: home)
        #expect(anonymous.status == 1)
        #expect(
            anonymous.stderr.contains(
                "registry \(registry.address) (realm \"\(RegistryServer.realm)\") requires authentication (HTTP 401); give credentials with -u/-p"))

        let wrong = try await runSwashAsync(["push", reference, archive.path, "--insecure", "-u", "alice", "-p", "nope"], home: home)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("rejected the credentials (HTTP 401); check the user name and password"))

        let pushed = try await runSwashAsync(["push", reference, archive.path, "--insecure", "-u", user.name, "-p", user.password], home: home)
        #expect(pushed.status == 0, "\(pushed.stderr)")

        let work = try makeTemporaryDirectory()
        let refused = try await runSwashAsync(["pull", reference, "--insecure"], home: home, in: work)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("realm \"\(RegistryServer.realm)\""))
        let pulled = try await runSwashAsync(
            ["pull", reference, "--insecure"], home: home,
            extraEnvironment: ["WASH_REG_USER": user.name, "WASH_REG_PASSWORD": user.password], in: work)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try Data(contentsOf: work.appendingPathComponent("p.par.gz")) == Data(contentsOf: archive))
    }

    @Test(.enabled(if: RegistryServer.canAuthenticate)) func projectRegistryDefaults() async throws {
        let registry = try await RegistryServer.start(user: (name: "bob", password: "pw"))
        defer { registry.stop() }
        let project = try makeTemporaryDirectory()
        try writeProviderProject(
            in: project,
            registry: ["url = \"\(registry.address)\"", "credentials = \"registry-credentials.json\"", "push_insecure = true"])
        try Data(#"{"\#(registry.address)": {"username": "bob", "password": "pw"}}"#.utf8)
            .write(to: project.appendingPathComponent("registry-credentials.json"))
        let archive = try await makeTestArchive(in: project)
        // No registry in the reference, no --insecure, no -u/-p: all from [registry].
        let push = try await runSwashAsync(["push", "team/p:0.1.0", archive.path], home: project, in: project)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.hasPrefix("Successfully pushed \(registry.address)/team/p:0.1.0\n"))
        // push_insecure is for push only: pull says --insecure itself.
        let pull = try await runSwashAsync(["pull", "team/p:0.1.0", "--insecure", "--destination", "out.par.gz"], home: project, in: project)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(try Data(contentsOf: project.appendingPathComponent("out.par.gz")) == Data(contentsOf: archive))
    }

    @Test func inspectReadsAReferenceThroughTheCache() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let (home, archive, reference, _) = try await pushFixture(registry, "providers/inspect-me:0.1.0")
        let inspect = try await runSwashAsync(["inspect", reference, "--insecure", "-o", "json"], home: home)
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let report = try json(inspect.stdout)
        #expect(report["name"] as? String == "Test Provider")
        #expect(report["targets"] as? [String] == ["x86_64-linux"])
        #expect(report["signature_valid"] as? Bool == true)
        let cache = home.appendingPathComponent(".wash/cache/swash")
        // The layer, by digest, beside the list of archives swash vouched for (par create, push, this inspect).
        #expect(try files(in: cache) == ["sha256-\(sha256Hex(of: archive)).par.gz", "verified-archives"])

        let jwt = try await runSwashAsync(["inspect", reference, "--insecure", "--jwt-only"], home: home)
        #expect(jwt.status == 0, "\(jwt.stderr)")
        #expect(jwt.stdout.hasPrefix("eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0."))
        // The same command still reads files; a missing one is a file error, not a registry lookup.
        #expect(try await runSwashAsync(["inspect", archive.path], home: home).status == 0)
        let missing = try await runSwashAsync(["inspect", "providers/nothing-here.par.gz"], home: home)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nothing-here.par.gz"))
        #expect(!missing.stderr.contains("registry"))
    }

    @Test func tamperedArchiveInTheRegistryIsNotPulled() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory()
        var bytes = [UInt8](try Data(contentsOf: try await makeTestArchive(in: home, size: 20_000)))
        bytes[bytes.count / 2] ^= 0xFF
        let tampered = Data(bytes)
        let config = Data("{}".utf8)
        let configDigest = try await offCooperativePool { try registry.putBlob(config, repository: "providers/tampered") }
        let layerDigest = try await offCooperativePool { try registry.putBlob(tampered, repository: "providers/tampered") }
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.wasmcloud.provider.archive.config","digest":"\(configDigest)","size":2},\
            "layers":[{"mediaType":"application/vnd.wasmcloud.provider.archive.layer.v1+par","digest":"\(layerDigest)","size":\(tampered.count)}]}
            """
        try await offCooperativePool {
            try registry.putManifest(manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "providers/tampered", tag: "1")
        }
        let work = try makeTemporaryDirectory()
        let pull = try await runSwashAsync(["pull", "\(registry.address)/providers/tampered:1", "--insecure"], home: home, in: work)
        #expect(pull.status == 1)
        #expect(pull.stderr.contains("\"\(registry.address)/providers/tampered:1\" is not a valid provider archive: "))
        #expect(try files(in: work).isEmpty)
    }

    @Test func foreignArtifactIsNotPulled() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let layer = Data("not really a layer".utf8)
        let configDigest = try await offCooperativePool { try registry.putBlob(config, repository: "images/busybox") }
        let layerDigest = try await offCooperativePool { try registry.putBlob(layer, repository: "images/busybox") }
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(config.count)},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(layerDigest)","size":\(layer.count)}]}
            """
        try await offCooperativePool {
            try registry.putManifest(manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "images/busybox", tag: "1.36")
        }
        let home = try makeTemporaryDirectory()
        let work = try makeTemporaryDirectory()
        let pull = try await runSwashAsync(["pull", "\(registry.address)/images/busybox:1.36", "--insecure"], home: home, in: work)
        #expect(pull.status == 1)
        #expect(
            pull.stderr.contains(
                "is not a wasmCloud provider archive: it is a container image with config application/vnd.oci.image.config.v1+json and 1 layer(s) of type application/vnd.oci.image.layer.v1.tar+gzip"))
        #expect(try files(in: work).isEmpty)
    }

    @Test(.enabled(if: findProgram("skopeo") != nil)) func skopeoReadsWhatSwashPushed() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let (home, _, reference, digest) = try await pushFixture(registry, "providers/skopeo-check:0.2.0")

        let program = try #require(findProgram("skopeo"))
        let skopeo = try await offCooperativePool {
            try runProcess(
                program, ["inspect", "--raw", "--tls-verify=false", "docker://\(reference)"],
                environment: ["PATH": "/usr/bin:/bin", "HOME": home.path])
        }
        #expect(skopeo.status == 0, "\(skopeo.stderr)")
        let manifest = try json(skopeo.stdout)
        #expect(manifest["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        #expect((manifest["config"] as? [String: Any])?["mediaType"] as? String == "application/vnd.wasmcloud.provider.archive.config")
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        #expect(layers.map { $0["mediaType"] as? String } == ["application/vnd.wasmcloud.provider.archive.layer.v1+par"])
        // skopeo's raw bytes are the ones swash pushed: their digest is the one swash printed.
        let raw = home.appendingPathComponent("raw-manifest.json")
        try Data(skopeo.stdout.utf8).write(to: raw)
        #expect("sha256:" + sha256Hex(of: raw) == digest)
    }

    @Test(.enabled(if: findProgram("skopeo") != nil)) func swashReadsWhatSkopeoPushed() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory()
        let archive = try await makeTestArchive(in: home, size: 30_000)
        // An OCI image layout of a provider archive artifact (SPEC §6 media types), copied into the registry by skopeo.
        let layout = home.appendingPathComponent("layout")
        let blobs = layout.appendingPathComponent("blobs/sha256")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        func blob(_ data: Data) throws -> String {
            let file = blobs.appendingPathComponent("incoming")
            try data.write(to: file)
            let hex = sha256Hex(of: file)
            try FileManager.default.moveItem(at: file, to: blobs.appendingPathComponent(hex))
            return "sha256:" + hex
        }
        let layerData = try Data(contentsOf: archive)
        let manifest = Data("""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.wasmcloud.provider.archive.config","digest":"\(try blob(Data("{}".utf8)))","size":2},\
            "layers":[{"mediaType":"application/vnd.wasmcloud.provider.archive.layer.v1+par","digest":"\(try blob(layerData))","size":\(layerData.count)}]}
            """.utf8)
        let manifestDigest = try blob(manifest)
        try Data("""
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(manifestDigest)",\
            "size":\(manifest.count),"annotations":{"org.opencontainers.image.ref.name":"1"}}]}
            """.utf8).write(to: layout.appendingPathComponent("index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: layout.appendingPathComponent("oci-layout"))
        let program = try #require(findProgram("skopeo"))
        let copied = try await offCooperativePool {
            try runProcess(
                program, ["copy", "-q", "--dest-tls-verify=false", "oci:\(layout.path):1", "docker://\(registry.address)/from/skopeo:0.1.0"],
                environment: ["PATH": "/usr/bin:/bin", "HOME": home.path])
        }
        #expect(copied.status == 0, "\(copied.stderr)")

        let work = try makeTemporaryDirectory()
        let pulled = try await runSwashAsync(["pull", "\(registry.address)/from/skopeo:0.1.0", "--insecure", "-o", "json"], home: home, in: work)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try json(pulled.stdout)["file"] as? String == work.appendingPathComponent("skopeo.par.gz").path)
        #expect(try Data(contentsOf: work.appendingPathComponent("skopeo.par.gz")) == layerData)
    }
}

/// `swash pull` against a scripted server whose blob download is cut off mid-way.
@Suite("swash pull (interrupted)")
struct InterruptedPullTests {
    @Test func interruptedPullLeavesNoFile() async throws {
        let home = try makeTemporaryDirectory()
        let archive = try await makeTestArchive(in: home, size: 300_000)
        let bytes = try Data(contentsOf: archive)
        let layerDigest = "sha256:" + sha256Hex(of: archive)
        let manifest = Data(
            """
            {"config":{"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","mediaType":"application/vnd.wasmcloud.provider.archive.config","size":2},\
            "layers":[{"digest":"\(layerDigest)","mediaType":"application/vnd.wasmcloud.provider.archive.layer.v1+par","size":\(bytes.count)}],\
            "mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}
            """.utf8)
        let server = try StubHTTPServer { request in
            switch request.target {
            case "/v2/demo/cut/manifests/1":
                return StubResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: manifest)
            case "/v2/demo/cut/blobs/\(layerDigest)":
                return StubResponse(status: 200, body: bytes.prefix(100_000), announcedLength: bytes.count)
            default:
                return StubResponse(status: 404)
            }
        }
        defer { server.stop() }
        let work = try makeTemporaryDirectory()
        let pull = try await runSwashAsync(["pull", "\(server.address)/demo/cut:1", "--insecure"], home: home, in: work)
        #expect(pull.status == 1)
        #expect(pull.stderr.contains("was interrupted after"))
        #expect(pull.stderr.contains("nothing was written"))
        #expect(try files(in: work).isEmpty)
    }
}
