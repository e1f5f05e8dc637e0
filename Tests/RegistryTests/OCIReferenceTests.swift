import Foundation
import SwashTestSupport
import Testing

@testable import Registry

private let digestHex = String(repeating: "ab", count: 32)

/// OCI reference parsing: Docker's rules, as documented on `OCIReference` and in docs/oci.md.
@Suite("OCI references")
struct OCIReferenceTests {
    struct Case: Sendable, CustomStringConvertible {
        var text: String
        var registry: String
        var repository: String
        var tag: String?
        var digest: String?
        var description: String { text }
    }

    @Test(arguments: [
        Case(text: "localhost:5000/x/y:0.1.0", registry: "localhost:5000", repository: "x/y", tag: "0.1.0"),
        Case(text: "127.0.0.1:5000/providers/http-server:1.2.3-rc.1", registry: "127.0.0.1:5000", repository: "providers/http-server", tag: "1.2.3-rc.1"),
        Case(text: "ghcr.io/wasmcloud/http-server:0.23.0", registry: "ghcr.io", repository: "wasmcloud/http-server", tag: "0.23.0"),
        Case(text: "localhost/p", registry: "localhost", repository: "p", tag: nil),
        Case(text: "wasmcloud/http", registry: "docker.io", repository: "wasmcloud/http", tag: nil),
        Case(text: "alpine:3", registry: "docker.io", repository: "library/alpine", tag: "3"),
        Case(text: "[::1]:5000/a/b:c", registry: "[::1]:5000", repository: "a/b", tag: "c"),
        Case(text: "reg.example.com/a__b/c-d/e.f:V_1", registry: "reg.example.com", repository: "a__b/c-d/e.f", tag: "V_1"),
        // Repository names are lowercased as wash does; the tag keeps its case.
        Case(text: "ghcr.io/64BitAsura/Http-Server:V1", registry: "ghcr.io", repository: "64bitasura/http-server", tag: "V1"),
        Case(text: "localhost:5000/x@sha256:\(digestHex)", registry: "localhost:5000", repository: "x", tag: nil, digest: "sha256:\(digestHex)"),
        Case(text: "localhost:5000/x:1@sha256:\(digestHex)", registry: "localhost:5000", repository: "x", tag: "1", digest: "sha256:\(digestHex)"),
    ])
    func parses(_ item: Case) throws {
        let reference = try OCIReference(parsing: item.text)
        #expect(reference.registry == item.registry)
        #expect(reference.repository == item.repository)
        #expect(reference.tag == item.tag)
        #expect(reference.digest?.description == item.digest)
        // The normalized form parses back to the same reference.
        #expect(try OCIReference(parsing: reference.description) == reference)
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("https://localhost:5000/x:1", "without a scheme"),
        ("localhost:5000//x:1", "empty path component"),
        ("localhost:5000/x/:1", "empty path component"),
        ("localhost:5000/x:-1", "\"-1\" is not a valid tag"),
        ("localhost:5000/x:\(String(repeating: "a", count: 129))", "is not a valid tag"),
        ("localhost:5000/x@sha256:abc", "is not a digest"),
        ("localhost:5000/x@md5:\(digestHex)", "is not a digest"),
        ("localhost:99999/x:1", "\"localhost:99999\" is not a valid host[:port]"),
        ("localhost:5000/x y:1", "whitespace"),
        ("localhost:5000/a..b:1", "\"a..b\" is not a valid repository component"),
    ])
    func rejects(_ text: String, _ reason: String) {
        #expect {
            try OCIReference(parsing: text)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("invalid OCI reference \"\(text)\": ") && message.contains(reason)
        }
    }

    @Test func manifestReferenceAndName() throws {
        let tagged = try OCIReference(parsing: "localhost:5000/providers/http-server:0.1.0")
        #expect(tagged.manifestReference == "0.1.0")
        #expect(tagged.name == "http-server")
        #expect(tagged.apiBase(insecure: true).absoluteString == "http://localhost:5000/v2/")
        #expect(tagged.apiBase(insecure: false).absoluteString == "https://localhost:5000/v2/")
        #expect(try OCIReference(parsing: "localhost:5000/x").manifestReference == "latest")
        #expect(try OCIReference(parsing: "localhost:5000/x:1@sha256:\(digestHex)").manifestReference == "sha256:\(digestHex)")
        #expect(try OCIReference(parsing: "alpine").apiHost == "registry-1.docker.io")
    }

    @Test func projectDefaultRegistryReplacesDockerHub() throws {
        let reference = try OCIReference(parsing: "providers/http:1", defaultRegistry: "http://localhost:5000/")
        #expect(reference.description == "localhost:5000/providers/http:1")
        // A single name is not an official Docker image there: no library/ prefix.
        #expect(try OCIReference(parsing: "http:1", defaultRegistry: "localhost:5000").description == "localhost:5000/http:1")
        // An explicit registry wins over the default.
        #expect(try OCIReference(parsing: "ghcr.io/a/b:1", defaultRegistry: "localhost:5000").registry == "ghcr.io")
    }

    @Test func digests() {
        #expect(OCIDigest(parsing: "sha256:\(digestHex)")?.hex == digestHex)
        #expect(OCIDigest(parsing: "sha256:\(digestHex.uppercased())") == nil)
        #expect(OCIDigest(parsing: "sha512:\(digestHex)") == nil)
        #expect(OCIDigest(parsing: "sha256:\(digestHex)0") == nil)
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        #expect(OCIDigest.of(Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
