import Foundation
import NKeys
import SwashTestSupport
import Testing
import Wascap

@testable import ProviderArchiveKit

/// The catalogue's binary and its token, signed by the test account.
let hostileBinary = fakeBinary(5_000, seed: 3)
let hostileToken = washToken(hashes: ["x86_64-linux": sha256Hex(hostileBinary)])
let hostileCases = HostileArchives.all(token: hostileToken, binary: hostileBinary)

@Suite("Hostile archives")
struct HostileArchiveTests {
    @Test func catalogueIsLargeAndTheBaselineIsValid() throws {
        #expect(hostileCases.count >= 20)
        var tar = TarBuilder()
        tar.add("claims.jwt", Array(hostileToken.utf8))
        tar.add("x86_64-linux.bin", hostileBinary)
        tar.end()
        let directory = try makeTemporaryDirectory()
        let archive = try ProviderArchive(verifying: try write(GzipBuilder.compress(tar.bytes), to: "ok.par.gz", in: directory))
        try archive.requireTrusted(at: 1_700_000_000)
    }

    @Test(arguments: hostileCases)
    func rejectedWithATypedErrorInBoundedTime(hostile: HostileArchive) throws {
        let directory = try makeTemporaryDirectory()
        let url = try write(hostile.bytes, to: hostile.name + ".par.gz", in: directory)
        let clock = ContinuousClock()
        let start = clock.now
        let error = archiveError {
            let archive = try ProviderArchive(verifying: url)
            try archive.requireTrusted(at: 1_700_000_000)
        }
        let elapsed = clock.now - start
        let thrown = try #require(error, "\(hostile.name) was accepted")
        #expect(label(thrown) == (hostile.failsOnlyTrust ? "untrustedClaims" : label(thrown)))
        if !hostile.failsOnlyTrust {
            guard case .invalidArchive(let archive, _) = thrown else {
                Issue.record("\(hostile.name): expected invalidArchive, got \(thrown)")
                return
            }
            #expect(archive == url.path)
        }
        #expect(thrown.description.contains(hostile.expectedMessage), "\(hostile.name): \(thrown)")
        #expect(elapsed < .seconds(5), "\(hostile.name) took \(elapsed)")
        // Nothing was written beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [url.lastPathComponent])
    }

    @Test func specificDefects() throws {
        let directory = try makeTemporaryDirectory()
        func defect(_ name: String) throws -> ArchiveDefect? {
            let hostile = try #require(hostileCases.first { $0.name == name })
            let url = try write(hostile.bytes, to: name, in: directory)
            guard case .invalidArchive(_, let defect)? = archiveError({ _ = try ProviderArchive(verifying: url) }) else { return nil }
            return defect
        }
        #expect(try defect("symlink") == .unsupportedEntryType("evil.bin", type: "symbolic link"))
        #expect(try defect("traversal") == .unsafeEntryName("../x86_64-linux.bin", reason: "'..' component"))
        #expect(try defect("absolute") == .unsafeEntryName("/etc/evil.bin", reason: "absolute path"))
        #expect(try defect("duplicate-target") == .duplicateEntry("x86_64-linux.bin", role: "binary for target x86_64-linux"))
        #expect(try defect("missing-claims") == .missingClaims)
        #expect(try defect("no-targets") == .noTargets)
        #expect(try defect("target-without-hash") == .missingHash(entry: "aarch64-linux.bin", target: "aarch64-linux"))
        #expect(try defect("claims-not-utf8") == .claimsNotUTF8("claims.jwt"))
        #expect(try defect("bomb-declared-3GiB") == .entryTooLarge("x86_64-linux.bin", size: 3 << 30, limit: 2 << 30))
        #expect(try defect("absurd-size-base256") == .entryTooLarge("evil.bin", size: 1 << 62, limit: 2 << 30))
        if case .hashMismatch(let entry, let expected, let actual)? = try defect("wrong-hash") {
            #expect(entry == "x86_64-linux.bin" && expected == sha256Hex(hostileBinary) && actual == sha256Hex(hostileBinary + [0]))
        } else {
            Issue.record("wrong-hash: expected a hash mismatch")
        }
        if case .gzipTrailerMismatch(let detail)? = try defect("gzip-bad-crc") {
            #expect(detail.hasPrefix("the data's CRC-32 is 0x"))
        } else {
            Issue.record("gzip-bad-crc: expected a trailer mismatch")
        }
    }

    @Test func signedButIncompleteOrExpired() throws {
        let directory = try makeTemporaryDirectory()
        func archive(_ token: String, world: Bool = false) throws -> URL {
            var tar = TarBuilder()
            tar.add("claims.jwt", Array(token.utf8))
            if world { tar.add("world.wasm", [0, 0x61, 0x73, 0x6D]) }
            tar.add("x86_64-linux.bin", hostileBinary)
            tar.end()
            return try write(tar.bytes, to: "a\(UUID().uuidString).par", in: directory)
        }
        let hash = sha256Hex(hostileBinary)
        let missing = try archive(washToken(hashes: ["x86_64-linux": hash, "aarch64-linux": hash]))
        #expect(archiveError { _ = try ProviderArchive(verifying: missing) } == .invalidArchive(archive: missing.path, .missingEntry(target: "aarch64-linux.bin")))
        let unhashedWorld = try archive(washToken(hashes: ["x86_64-linux": hash]), world: true)
        #expect(archiveError { _ = try ProviderArchive(verifying: unhashedWorld) } == .invalidArchive(archive: unhashedWorld.path, .missingHash(entry: "world.wasm", target: "world.wasm")))
        let noWorld = try archive(washToken(hashes: ["x86_64-linux": hash, "world.wasm": hash]))
        #expect(archiveError { _ = try ProviderArchive(verifying: noWorld) } == .invalidArchive(archive: noWorld.path, .missingEntry(target: "world.wasm")))

        let expired = try ProviderArchive(verifying: try archive(washToken(hashes: ["x86_64-linux": hash], extraClaims: #","exp":1600000000"#)))
        #expect(expired.validation(at: 1_700_000_000).signatureValid)
        #expect(archiveError { try expired.requireTrusted(at: 1_700_000_000) } == .untrustedClaims(archive: expired.url.path, .expired(at: 1_600_000_000)))
        let early = try ProviderArchive(verifying: try archive(washToken(hashes: ["x86_64-linux": hash], extraClaims: #","nbf":1800000000"#)))
        #expect(archiveError { try early.requireTrusted(at: 1_700_000_000) } == .untrustedClaims(archive: early.url.path, .notYetValid(until: 1_800_000_000)))
    }

    @Test func decompressionBombStopsAtTheTotalLimit() async throws {
        // Each entry is under the per-entry limit; together (and with zeros hidden after the end
        // marker) they exceed the total. The reader stops as soon as the total is passed.
        let limits = ArchiveLimits(maximumEntrySize: 4 << 20, maximumTotalSize: 16 << 20)
        let (many, trailing) = try await offCooperativePool { try Self.bombs() }
        #expect(archiveError { _ = try ProviderArchive(verifying: many, limits: limits) } == .invalidArchive(archive: many.path, .archiveTooLarge(limit: 16 << 20)))
        #expect(archiveError { _ = try ProviderArchive(verifying: trailing, limits: limits) } == .invalidArchive(archive: trailing.path, .archiveTooLarge(limit: 16 << 20)))
        // Within the limits the same stream is fine: zeros after the end marker are padding.
        let fine = try await offCooperativePool { try ProviderArchive(verifying: trailing, limits: ArchiveLimits(maximumTotalSize: 128 << 20)).targetNames }
        #expect(fine.map(\.rawValue) == ["x86_64-linux"])
    }

    /// Eight 3 MiB entries; and a valid archive followed by 64 MiB of zeros inside the gzip stream.
    static func bombs() throws -> (URL, URL) {
        let directory = try makeTemporaryDirectory()
        var gzip = GzipBuilder()
        var head = TarBuilder()
        head.add("claims.jwt", Array(hostileToken.utf8))
        gzip.append(head.bytes)
        for index in 0..<8 {
            gzip.append(TarBuilder.header(name: Array("t\(index).bin".utf8), size: 3 << 20, style: .washGNU, typeflag: nil, linkName: "", sizeField: nil))
            gzip.appendZeros(3 << 20)
        }
        let many = try write(gzip.finish(), to: "many.par.gz", in: directory)
        var hidden = GzipBuilder()
        var valid = TarBuilder()
        valid.add("claims.jwt", Array(hostileToken.utf8))
        valid.add("x86_64-linux.bin", hostileBinary)
        valid.end()
        hidden.append(valid.bytes)
        hidden.appendZeros(64 << 20)
        return (many, try write(hidden.finish(), to: "hidden.par.gz", in: directory))
    }

    @Test(arguments: [4, 8, 9, 200_000])
    func largeArchiveTruncatedNearTheEnd(cut: Int) throws {
        // Big enough that libarchive recognises the format before reaching the damage.
        let binary = fakeBinary(300_000)
        var tar = TarBuilder()
        tar.add("claims.jwt", Array(washToken(hashes: ["x86_64-linux": sha256Hex(binary)]).utf8))
        tar.add("x86_64-linux.bin", binary)
        tar.end()
        let gzip = GzipBuilder.compress(tar.bytes)
        let directory = try makeTemporaryDirectory()
        let url = try write(Array(gzip.dropLast(cut)), to: "cut.par.gz", in: directory)
        let error = try #require(archiveError { _ = try ProviderArchive(verifying: url) })
        #expect(["corrupt", "gzipTrailerMismatch"].contains(label(error)), "\(error)")
        #expect(error.description.contains("gzip"), "\(error)")
    }

    @Test func entryCountIsBounded() throws {
        let directory = try makeTemporaryDirectory()
        var tar = TarBuilder()
        tar.add("claims.jwt", Array(hostileToken.utf8))
        for index in 0..<40 { tar.add("d\(index)/", typeflag: UInt8(ascii: "5")) }
        tar.end()
        let url = try write(tar.bytes, to: "dirs.par", in: directory)
        #expect(archiveError { _ = try ProviderArchive(verifying: url, limits: ArchiveLimits(maximumEntries: 32)) } == .invalidArchive(archive: url.path, .tooManyEntries(limit: 32)))
    }

    @Test func unreadableInputs() throws {
        let directory = try makeTemporaryDirectory()
        #expect(archiveError { _ = try ProviderArchive(verifying: directory.appendingPathComponent("missing.par.gz")) }.map(label) == "cannotRead")
        #expect(archiveError { _ = try ProviderArchive(verifying: directory) } == .cannotRead(path: directory.path, reason: "it is a directory"))
        let fifo = directory.appendingPathComponent("fifo.par.gz")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(archiveError { _ = try ProviderArchive(verifying: fifo) } == .cannotRead(path: fifo.path, reason: "not a regular file"))
    }
}
