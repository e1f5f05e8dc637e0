import Foundation
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

private let hexA = String(repeating: "a", count: 64)
private let hexB = String(repeating: "b", count: 64)

/// The manifest swash writes (SPEC §6), how foreign manifests are named, annotations, auth challenges,
/// credentials, and the archive check.
@Suite("OCI manifests and settings")
struct OCIManifestTests {
    @Test func providerManifestBytesAreFixed() throws {
        let config = OCIDescriptor(mediaType: OCIMediaType.providerArchiveConfig, digest: OCIDigest(hex: hexA), size: 2)
        let layer = OCIDescriptor(mediaType: OCIMediaType.providerArchiveLayer, digest: OCIDigest(hex: hexB), size: 1234)
        let manifest = OCIManifest.providerArchive(config: config, layer: layer, annotations: ["k": "v"])
        let expected = """
            {"annotations":{"k":"v"},\
            "config":{"digest":"sha256:\(hexA)","mediaType":"application/vnd.wasmcloud.provider.archive.config","size":2},\
            "layers":[{"digest":"sha256:\(hexB)","mediaType":"application/vnd.wasmcloud.provider.archive.layer.v1+par","size":1234}],\
            "mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}
            """
        #expect(String(decoding: manifest.encoded(), as: UTF8.self) == expected)
        // No annotations: the key is left out.
        let bare = OCIManifest.providerArchive(config: config, layer: layer, annotations: [:])
        #expect(!String(decoding: bare.encoded(), as: UTF8.self).contains("annotations"))
        // What swash writes, swash accepts.
        #expect(try OCIManifest.providerLayer(in: manifest.encoded(), contentType: nil, reference: "r") == layer)
    }

    @Test(arguments: [
        (
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(hexA)","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:\#(hexB)","size":3}]}"#,
            "a container image with config application/vnd.oci.image.config.v1+json and 1 layer(s) of type application/vnd.oci.image.layer.v1.tar+gzip"
        ),
        (
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(hexA)","size":2}]}"#,
            "an image index of 1 manifests"
        ),
        (
            #"{"schemaVersion":2,"config":{"mediaType":"application/vnd.wasm.config.v0+json","digest":"sha256:\#(hexA)","size":2},"layers":[{"mediaType":"application/wasm","digest":"sha256:\#(hexB)","size":3}]}"#,
            "a WebAssembly component with config application/vnd.wasm.config.v0+json"
        ),
        (
            #"{"schemaVersion":2,"config":{"mediaType":"application/vnd.wasmcloud.provider.archive.config","digest":"sha256:\#(hexA)","size":2},"layers":[{"mediaType":"application/vnd.wasmcloud.provider.archive.layer.v1+par","digest":"sha256:\#(hexB)","size":3},{"mediaType":"application/vnd.wasmcloud.provider.archive.layer.v1+par","digest":"sha256:\#(hexA)","size":3}]}"#,
            "a malformed provider archive manifest (it needs exactly one provider archive layer)"
        ),
        ("not json", "not a JSON manifest (8 bytes)"),
    ])
    func foreignManifestsAreNamed(_ json: String, _ found: String) {
        #expect {
            try OCIManifest.providerLayer(in: Data(json.utf8), contentType: nil, reference: "localhost:5000/x:1")
        } throws: { error in
            "\(error)".hasPrefix("localhost:5000/x:1 is not a wasmCloud provider archive: it is \(found)")
        }
    }

    @Test func annotationsAndCreationTime() throws {
        let flags = ["org.opencontainers.image.source=https://example.com/p", "empty=", "with=equals=sign"]
        let plain = try RegistryWorkflows.annotations(parsing: flags)
        #expect(plain == ["org.opencontainers.image.source": "https://example.com/p", "empty": "", "with": "equals=sign"])
        // The creation time comes only from SOURCE_DATE_EPOCH (added by push), so pushes stay reproducible.
        #expect(RegistryWorkflows.createdTimestamp(1_700_000_000) == "2023-11-14T22:13:20Z")
        for bad in [["novalue"], ["=v"], ["k=1", "k=2"]] {
            #expect(throws: RegistryError.self) { try RegistryWorkflows.annotations(parsing: bad) }
        }
    }

    @Test func challenges() throws {
        let bearer = try #require(
            OCIAuthChallenge(
                header: #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push""#))
        #expect(bearer.scheme == "bearer")
        #expect(bearer.realm == "https://auth.example.com/token")
        #expect(bearer.parameters["service"] == "registry.example.com")
        #expect(bearer.parameters["scope"] == "repository:a/b:pull,push")
        let basic = try #require(OCIAuthChallenge(header: #"Basic realm="Registry Realm", charset=UTF-8"#))
        #expect(basic.scheme == "basic" && basic.realm == "Registry Realm" && basic.parameters["charset"] == "UTF-8")
        let escaped = try #require(OCIAuthChallenge(header: #"Basic realm="a \"quoted\" realm""#))
        #expect(escaped.realm == #"a "quoted" realm"#)
        #expect(OCIAuthChallenge(header: "") == nil)
    }

    @Test func credentialsComeFromFlagsThenEnvironmentThenProject() throws {
        let reference = try OCIReference(parsing: "localhost:5000/team/p:1")
        func resolve(_ options: RegistryOptions, _ environment: [String: String] = [:]) throws -> RegistryCredentials? {
            try RegistryWorkflows.resolveCredentials(options, defaults: options.defaults, for: reference, environment: environment)
        }
        let project = RegistryDefaults(credentials: RegistryCredentials(username: "p", password: "pp"))
        let environment = ["WASH_REG_USER": "e", "WASH_REG_PASSWORD": "ee"]
        #expect(try resolve(RegistryOptions(username: "f", password: "ff", defaults: project), environment)?.username == "f")
        #expect(try resolve(RegistryOptions(defaults: project), environment)?.username == "e")
        #expect(try resolve(RegistryOptions(defaults: project))?.username == "p")
        #expect(try resolve(RegistryOptions()) == nil)
        #expect(throws: RegistryError.self) { try resolve(RegistryOptions(username: "f")) }
        #expect(throws: RegistryError.self) { try resolve(RegistryOptions(), ["WASH_REG_USER": "e"]) }
        #expect(RegistryCredentials(username: "alice", password: "s3cret").basicAuthorization == "Basic YWxpY2U6czNjcmV0")

        // A wash credentials file: the longest matching registry or registry/repository prefix applies.
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("credentials.json")
        try Data(
            #"""
            {"localhost:5000": {"username": "any", "password": "1"},
             "https://localhost:5000/team/": {"username": "team", "password": "2"},
             "localhost:5000/te": {"username": "not-a-component-prefix", "password": "3"},
             "ghcr.io": {"token": "t"}}
            """#.utf8
        ).write(to: file)
        let fromFile = RegistryOptions(defaults: RegistryDefaults(credentialsFile: file))
        #expect(try resolve(fromFile)?.username == "team")
        let other = try OCIReference(parsing: "localhost:5000/x:1")
        #expect(try RegistryWorkflows.credentials(fromFile: file, for: other)?.username == "any")
        #expect(try RegistryWorkflows.credentials(fromFile: file, for: OCIReference(parsing: "quay.io/x:1")) == nil)
        #expect(throws: RegistryError.self) { try RegistryWorkflows.credentials(fromFile: file, for: OCIReference(parsing: "ghcr.io/x:1")) }
    }

    @Test func projectRegistrySectionFillsTheDefaults() throws {
        let test = try TestContext()
        let project = try makeTemporaryDirectory()
        var options = RegistryOptions(projectDirectory: project)
        // No wasmcloud.toml: the given defaults.
        #expect(RegistryWorkflows.effectiveDefaults(options, context: test.context()) == RegistryDefaults())
        try writeProviderProject(
            in: project, registry: ["url = \"localhost:5000\"", "credentials = \"creds.json\"", "push_insecure = true"])
        let defaults = RegistryWorkflows.effectiveDefaults(options, context: test.context())
        #expect(defaults.url == "localhost:5000")
        #expect(defaults.pushInsecure)
        #expect(defaults.credentialsFile?.path == project.appendingPathComponent("creds.json").path)
        // Explicit defaults win over the file.
        options.defaults.url = "127.0.0.1:6000"
        #expect(RegistryWorkflows.effectiveDefaults(options, context: test.context()).url == "127.0.0.1:6000")
        // A file that does not load is noted and skipped.
        try Data("type = \"component\"\nlanguage = \"rust\"\n".utf8).write(to: project.appendingPathComponent("wasmcloud.toml"))
        #expect(RegistryWorkflows.effectiveDefaults(RegistryOptions(projectDirectory: project), context: test.context()) == RegistryDefaults())
        #expect(test.messages.last?.hasPrefix("note: not using the [registry] settings of ") == true)
    }

    @Test func archiveCheckIsTheVerifyingReader() async throws {
        let directory = try makeTemporaryDirectory()
        let archive = try await makeTestArchive(in: directory)
        try await RegistryWorkflows.validateArchive(at: archive)

        // One byte changed in the middle of the compressed stream: the reader finds it.
        var bytes = [UInt8](try Data(contentsOf: archive))
        bytes[bytes.count / 2] ^= 0xFF
        let damaged = directory.appendingPathComponent("damaged.par.gz")
        try Data(bytes).write(to: damaged)
        let gzipLike = directory.appendingPathComponent("gzip-like.par.gz")
        try (Data([0x1F, 0x8B]) + Data(repeating: 7, count: 1000)).write(to: gzipLike)
        let empty = directory.appendingPathComponent("empty")
        try Data().write(to: empty)
        for url in [damaged, gzipLike, empty] {
            let error = await #expect(throws: RegistryError.self) { try await RegistryWorkflows.validateArchive(at: url) }
            #expect("\(error!)".hasPrefix("\"\(url.path)\" is not a valid provider archive: "))
        }
        // A pulled file is named by its reference in messages.
        let error = await #expect(throws: RegistryError.self) {
            try await RegistryWorkflows.validateArchive(at: empty, shownAs: "localhost:5000/x:1")
        }
        #expect("\(error!)".hasPrefix("\"localhost:5000/x:1\" is not a valid provider archive: "))
    }
}

private let digestHex = String(repeating: "ab", count: 32)

@Suite("Push references")
struct PushReferenceTests {
    @Test func pushRefusesLatestUnlessAllowed() throws {
        for text in ["localhost:5000/x", "localhost:5000/x:latest"] {
            #expect(throws: RegistryError.self) { try RegistryWorkflows.pushReference(try OCIReferenceText(parsing: text), allowLatest: false) }
            #expect(try RegistryWorkflows.pushReference(try OCIReferenceText(parsing: text), allowLatest: true).tag == "latest")
        }
        #expect(try RegistryWorkflows.pushReference(try OCIReferenceText(parsing: "localhost:5000/x:0.1.0"), allowLatest: false).tag == "0.1.0")
        let error = #expect(throws: RegistryError.self) {
            try RegistryWorkflows.pushReference(try OCIReferenceText(parsing: "localhost:5000/x"), allowLatest: false)
        }
        #expect(error?.description.contains("--allow-latest") == true)
        #expect(throws: RegistryError.self) {
            try RegistryWorkflows.pushReference(try OCIReferenceText(parsing: "localhost:5000/x@sha256:\(digestHex)"), allowLatest: true)
        }
    }
}
