import Foundation
import NKeys
import ProviderArchiveKit
import SwashTestSupport
import Testing
import Wascap

@testable import FileIO
@testable import Registry
@testable import SwashCore

private func digest(_ character: Character) -> OCIDigest {
    OCIDigest(parsing: "sha256:" + String(repeating: character, count: 64))!
}

private func fileDigest(_ url: URL) throws -> OCIDigest { try OCIDigest.ofFile(at: url).digest }

@Suite("Verified archives (the cache of digests swash vouched for)")
struct VerifiedArchivesTests {
    @Test func remembersDigestsAndPredictsThemFromFileIdentity() throws {
        let test = try TestContext()
        let list = VerifiedArchives(context: test.context())
        let file = test.home.appendingPathComponent("a.par.gz")
        try Data("archive".utf8).write(to: file)
        #expect(!list.contains(digest("a")))
        #expect(list.predictedDigest(of: file) == nil)

        list.record(digest("a"), file: file)
        #expect(list.contains(digest("a")))
        #expect(list.predictedDigest(of: file) == digest("a"))
        #expect(list.file.path == test.home.appendingPathComponent(".wash/cache/swash/verified-archives").path)

        // A copy has the same bytes but another identity: no prediction, yet its digest is remembered.
        let copy = test.home.appendingPathComponent("copy.par.gz")
        try FileManager.default.copyItem(at: file, to: copy)
        #expect(list.predictedDigest(of: copy) == nil)
        list.record(digest("a"), file: copy)
        #expect(list.predictedDigest(of: copy) == digest("a"))
        #expect(list.predictedDigest(of: file) == digest("a"))  // both files are remembered

        // Rewriting the file changes its identity: the old prediction no longer applies.
        try Data("archivE".utf8).write(to: file)
        #expect(list.predictedDigest(of: file) == nil)
        list.record(digest("b"), file: file)
        #expect(list.predictedDigest(of: file) == digest("b"))
    }

    @Test func keepsTheNewestUpToItsCapacityAndSkipsDamagedLines() throws {
        let test = try TestContext()
        let list = VerifiedArchives(context: test.context())
        try Directories.createPrivate(list.file.deletingLastPathComponent())
        try Data("garbage\nsha256:XYZ\n\(digest("c")) not-an-identity\n\(digest("d"))\n".utf8).write(to: list.file)
        #expect(list.contains(digest("d")))
        #expect(!list.contains(digest("c")))

        var hexes: [OCIDigest] = []
        for index in 0..<(VerifiedArchives.capacity + 10) {
            let hex = String(format: "%064x", index)
            hexes.append(OCIDigest(parsing: "sha256:\(hex)")!)
            list.record(hexes.last!)
        }
        let lines = try String(contentsOf: list.file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == VerifiedArchives.capacity)
        #expect(!list.contains(hexes[9]))
        #expect(list.contains(hexes[10]))
        #expect(list.contains(hexes.last!))
        #expect(!list.contains(digest("d")))
    }

    @Test func anUnwritableCacheCostsOnlyTheMemory() throws {
        let test = try TestContext()
        // ~/.wash/cache is a file: nothing can be recorded, and nothing fails.
        try FileManager.default.createDirectory(at: test.home.appendingPathComponent(".wash"), withIntermediateDirectories: true)
        try Data().write(to: test.home.appendingPathComponent(".wash/cache"))
        let list = VerifiedArchives(context: test.context())
        list.record(digest("e"))
        #expect(!list.contains(digest("e")))
    }
}

/// What `push` trusts, against the real distribution registry on 127.0.0.1.
@Suite("Push trusts only what swash vouched for (docker-registry)", .enabled(if: RegistryServer.isAvailable), .timeLimit(.minutes(2)))
struct PushVerificationTests {
    let options = PushOptions(registry: RegistryOptions(insecure: true))

    private func push(_ archive: URL, to reference: String, context: SwashContext) async throws -> PushResult {
        try await RegistryWorkflows.push(
            reference: try OCIReferenceText(parsing: reference), archive: archive, options: options, context: context)
    }

    private func isTagged(_ reference: String, context: SwashContext) async throws -> Bool {
        do {
            _ = try await RegistryWorkflows.pull(
                reference: try OCIReferenceText(parsing: reference),
                options: PullOptions(registry: RegistryOptions(insecure: true), destination: try makeTemporaryDirectory()),
                context: context)
            return true
        } catch RegistryError.manifestNotFound {
            return false
        }
    }

    @Test func anArchiveSwashWroteIsNotVerifiedAgain() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let test = try TestContext()
        let archive = try await makeTestArchive(in: test.home, size: 200_000)
        let list = VerifiedArchives(context: test.context())
        #expect(list.predictedDigest(of: archive) == (try fileDigest(archive)))  // par create remembered it

        let pushed = try await push(archive, to: "\(registry.address)/trust/written:1", context: test.context())
        #expect(!pushed.verifiedNow)
        #expect(pushed.manifest.layers.first?.digest == (try fileDigest(archive)).description)

        // Pulled back: the copy is verified (pull always does) and remembered as that file too.
        let out = try makeTemporaryDirectory()
        let pulled = try await RegistryWorkflows.pull(
            reference: try OCIReferenceText(parsing: "\(registry.address)/trust/written:1"),
            options: PullOptions(registry: RegistryOptions(insecure: true), destination: out), context: test.context())
        #expect(try Data(contentsOf: pulled.file) == Data(contentsOf: archive))
        #expect(list.predictedDigest(of: pulled.file) == (try fileDigest(archive)))
    }

    @Test func anArchiveNewToSwashIsVerifiedThenRemembered() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let maker = try TestContext()
        let archive = try await makeTestArchive(in: maker.home, size: 200_000)
        let test = try TestContext()  // another home: an empty cache

        let first = try await push(archive, to: "\(registry.address)/trust/new:1", context: test.context())
        #expect(first.verifiedNow)
        #expect(VerifiedArchives(context: test.context()).contains(try fileDigest(archive)))
        let second = try await push(archive, to: "\(registry.address)/trust/new:2", context: test.context())
        #expect(!second.verifiedNow)
        #expect(second.existingBlobs.count == 2)
    }

    /// The file identity only predicts: an archive changed behind swash's back (simulated by a cache line naming
    /// the damaged file's identity with the original's digest) is uploaded under the remembered digest, which
    /// the registry refuses (DIGEST_INVALID); swash then hashes it, verifies it in full, and refuses it before
    /// its tag is written.
    @Test func aWrongPredictionNeverSkipsVerification() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let test = try TestContext()
        let archive = try await makeTestArchive(in: test.home, size: 300_000)
        let original = try fileDigest(archive)
        var bytes = [UInt8](try Data(contentsOf: archive))
        bytes[bytes.count / 2] ^= 0x55
        try Data(bytes).write(to: archive)
        let identity = try #require(FileIdentity(of: archive))
        let list = VerifiedArchives(context: test.context())
        try Data("\(original) \(identity)\n".utf8).write(to: list.file)
        #expect(list.predictedDigest(of: archive) == original)

        let reference = "\(registry.address)/trust/changed:1"
        await #expect {
            _ = try await push(archive, to: reference, context: test.context())
        } throws: { error in
            guard case RegistryError.invalidArchive(let path, _) = error else { return false }
            return path == archive.path
        }
        #expect(try await !isTagged(reference, context: test.context()))
        #expect(!list.contains(try fileDigest(archive)))
    }

    /// The same with another valid archive in place of the remembered one: pushed under its own digest,
    /// verified in full, then remembered.
    @Test func aWrongPredictionOfAValidArchivePushesItsOwnDigest() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let test = try TestContext()
        let remembered = try await makeTestArchive(in: test.home, name: "remembered.par.gz", size: 100_000)
        let elsewhere = try TestContext()
        let other = try await makeTestArchive(in: elsewhere.home, size: 150_000)
        let identity = try #require(FileIdentity(of: other))
        let list = VerifiedArchives(context: test.context())
        try Data("\(try fileDigest(remembered)) \(identity)\n".utf8).write(to: list.file)

        let pushed = try await push(other, to: "\(registry.address)/trust/replaced:1", context: test.context())
        #expect(pushed.verifiedNow)
        #expect(pushed.manifest.layers.first?.digest == (try fileDigest(other)).description)
        #expect(list.predictedDigest(of: other) == (try fileDigest(other)))
    }

    /// A registry that stores other bytes than it is sent in a chunked upload (Artifactory, wasmCloud#3405)
    /// refuses the remembered digest and then the computed one: the error names the way out.
    @Test func aRegistryThatCorruptsChunkedUploadsIsToldApart() async throws {
        let server = try StubHTTPServer { request in
            switch request.method {
            case "HEAD": return StubResponse(status: 404, headers: [:], body: Data())
            case "POST", "PATCH": return StubResponse(status: 202, headers: ["Location": "/v2/trust/corrupt/blobs/uploads/1"], body: Data())
            case "PUT" where request.target.contains(OCIDigest.of(Data("{}".utf8)).hex):  // the config arrives intact
                return StubResponse(status: 201, headers: [:], body: Data())
            case "PUT" where request.target.contains("/blobs/uploads/"):
                return StubResponse(
                    status: 400, headers: ["Content-Type": "application/json"],
                    body: Data(#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}"#.utf8))
            default: return StubResponse(status: 500, headers: [:], body: Data())
            }
        }
        defer { server.stop() }
        let test = try TestContext()
        let archive = try await makeTestArchive(in: test.home, size: 50_000)
        await #expect {
            _ = try await push(archive, to: "127.0.0.1:\(server.port)/trust/corrupt:1", context: test.context())
        } throws: { error in
            guard case RegistryError.requestFailed(_, let request, 400, let detail) = error else { return false }
            return request.hasPrefix("PUT blob") && detail.hasPrefix("DIGEST_INVALID: provided digest did not match uploaded content; ")
                && detail.hasSuffix("push again with --monolithic-push (or WASH_MONOLITHIC_PUSH=true)")
        }
        // Both ways were tried: under the remembered digest, then under the one computed from the file.
        let configHex = OCIDigest.of(Data("{}".utf8)).hex
        #expect(server.requests.filter { $0.method == "PUT" && !$0.target.contains(configHex) }.count == 2)
    }

    /// A remembered digest vouches for the contents, never for the claims: their signature and validity window
    /// are checked on every push.
    @Test func aRememberedArchiveWithAForgedSignatureIsRefused() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let test = try TestContext()
        let binary = test.home.appendingPathComponent("bin")
        try Data(repeating: 7, count: 10_000).write(to: binary)
        let archive = test.home.appendingPathComponent("forged.par")
        let token = try ProviderArchiveWriter(compression: .none).write(
            metadata: ArchiveMetadata(name: "Forged", vendor: "wasmCloud"), targets: [try TargetName("x86_64-linux"): .file(binary)],
            signing: ArchiveSigning(
                issuer: try KeyPair.generate(.account), subject: try KeyPair.generate(.service).publicKey, issuedAt: 1_700_000_000),
            to: archive
        ).token.encoded
        let forgedToken = HostileArchives.forgeClaims(token) { $0.replacingOccurrences(of: "wasmCloud", with: "wasmCl0ud") }
        var bytes = [UInt8](try Data(contentsOf: archive))
        let start = try #require(bytes.firstRange(of: Array(token.utf8))).lowerBound
        bytes.replaceSubrange(start..<(start + token.utf8.count), with: Array(forgedToken.utf8))
        try Data(bytes).write(to: archive)
        VerifiedArchives(context: test.context()).record(try fileDigest(archive), file: archive)

        let reference = "\(registry.address)/trust/forged:1"
        await #expect {
            _ = try await push(archive, to: reference, context: test.context())
        } throws: { error in
            guard case RegistryError.invalidArchive(_, let reason) = error else { return false }
            return reason.contains("its claims cannot be trusted")
        }
        #expect(try await !isTagged(reference, context: test.context()))
    }
}
