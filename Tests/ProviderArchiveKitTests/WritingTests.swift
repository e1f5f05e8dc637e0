import Foundation
import NKeys
import SwashTestSupport
import Testing
import Wascap

@testable import ProviderArchiveKit

private let metadata = ArchiveMetadata(
    name: "Fake Payments", vendor: "wasmCloud", capabilityContractID: "examples:payments", revision: 1, version: "1.0",
    configSchema: try! JSONValue(parsing: Array(#"{"type":"object","required":["key"]}"#.utf8), source: "schema"))

private func signing(at time: UInt64 = 1_700_000_000, reproducible: Bool = false, issuer: KeyPair = testAccount) -> ArchiveSigning {
    ArchiveSigning(issuer: issuer, subject: testService.publicKey, issuedAt: time, reproducible: reproducible)
}

/// Parses a plain tar stream's headers by hand: (name, mode field, uid field, mtime, typeflag, magic, size).
private func headers(_ tar: [UInt8]) -> [(name: String, mode: String, uid: String, mtime: String, type: UInt8, magic: [UInt8], size: Int)] {
    var result: [(String, String, String, String, UInt8, [UInt8], Int)] = []
    var offset = 0
    func field(_ range: Range<Int>) -> String {
        String(decoding: tar[(offset + range.lowerBound)..<(offset + range.upperBound)].prefix { $0 != 0 }, as: UTF8.self)
    }
    while offset + 512 <= tar.count, tar[offset..<(offset + 512)].contains(where: { $0 != 0 }) {
        let size = Int(field(124..<136).trimmingCharacters(in: .whitespaces), radix: 8) ?? -1
        result.append((field(0..<100), field(100..<108), field(108..<116), field(136..<148), tar[offset + 156], Array(tar[(offset + 257)..<(offset + 265)]), size))
        offset += 512 + (size + 511) / 512 * 512
    }
    #expect(tar.count == offset + 1024, "the stream ends with exactly two zero blocks")
    return result
}

@Suite("Writing archives")
struct WritingTests {
    @Test func layoutIsClaimsThenWorldThenSortedTargets() throws {
        let directory = try makeTemporaryDirectory()
        let x86 = try write(fakeBinary(10_000), to: "x86", in: directory)
        let arm = try write(fakeBinary(600, seed: 2), to: "arm", in: directory)
        let world = try write(Array("\0asm world".utf8), to: "world.wasm", in: directory)
        let destination = directory.appendingPathComponent("out.par")
        let writer = ProviderArchiveWriter(compression: .none, modificationTime: 1_234_567)
        let written = try writer.write(
            metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(x86), try TargetName("aarch64-macos"): .file(arm)],
            world: .file(world), signing: signing(), to: destination)
        let token = written.token

        let bytes = [UInt8](try Data(contentsOf: destination))
        // The digest reported is the SHA-256 of the file's bytes as committed.
        #expect(written.sha256 == sha256Hex(bytes).lowercased())
        let entries = headers(bytes)
        #expect(entries.map(\.name) == ["claims.jwt", "world.wasm", "aarch64-macos.bin", "x86_64-linux.bin"])
        #expect(entries.map(\.mode) == ["0000644", "0000755", "0000755", "0000755"])
        #expect(entries.allSatisfy { $0.uid == "0000000" && $0.type == UInt8(ascii: "0") && $0.mtime == "00004553207" })
        #expect(entries.allSatisfy { $0.magic == Array("ustar  ".utf8) + [0] })
        #expect(entries.map(\.size) == [token.encoded.utf8.count, 10, 600, 10_000])
        // The claims name every binary, in sorted order, with uppercase hashes.
        #expect(token.claims.targetHashes == [
            "x86_64-linux": sha256Hex(fakeBinary(10_000)), "aarch64-macos": sha256Hex(fakeBinary(600, seed: 2)),
            "world.wasm": sha256Hex(Array("\0asm world".utf8)),
        ])
        #expect(token.claims.json.compactText.contains(#""target_hashes":{"aarch64-macos":"#))
        let read = try ProviderArchive(verifying: destination)
        #expect(read.token == token)
        #expect(read.validation(at: 1_700_000_001).isValid)
        #expect(read.metadata == metadata)
    }

    @Test func gzipOutputIsOneMemberWithoutTimestamp() throws {
        let directory = try makeTemporaryDirectory()
        let binary = try write(fakeBinary(200_000), to: "bin", in: directory)
        let destination = directory.appendingPathComponent("out.par.gz")
        try ProviderArchiveWriter().write(
            metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)], signing: signing(), to: destination)
        let bytes = [UInt8](try Data(contentsOf: destination))
        // FEXTRA (swash's piece index, `S W`) is the only flag; no timestamp.
        #expect(Array(bytes.prefix(8)) == [0x1F, 0x8B, 0x08, 0x04, 0, 0, 0, 0])
        #expect(Array(bytes[12..<14]) == [0x53, 0x57])
        let read = try ProviderArchive(verifying: destination)  // checks CRC-32 and length of the single member
        #expect(read.compression == .gzip)
        #expect(read.readThroughIndex)
        #expect(bytes.count < 200_000 + 4096)
    }

    @Test func reproducibleWhenAskedTo() throws {
        let directory = try makeTemporaryDirectory()
        // Several compression chunks, so the bytes must not depend on which thread finishes first.
        let binary = try write(fakeBinary(2 * ParallelGzipWriter.defaultChunkSize + 12_345), to: "bin", in: directory)
        var outputs: [[UInt8]] = []
        for index in 0..<2 {
            let destination = directory.appendingPathComponent("r\(index).par.gz")
            try ProviderArchiveWriter(modificationTime: 1_600_000_000).write(
                metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)],
                signing: signing(at: 1_600_000_000, reproducible: true), to: destination)
            outputs.append([UInt8](try Data(contentsOf: destination)))
        }
        #expect(outputs[0] == outputs[1])
        // Without it, the jti differs.
        let a = try ProviderArchiveWriter().write(metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)], signing: signing(), to: directory.appendingPathComponent("a"))
        let b = try ProviderArchiveWriter().write(metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)], signing: signing(), to: directory.appendingPathComponent("b"))
        #expect(a.token.claims.id != b.token.claims.id)
    }

    @Test func carriesMembersOverFromAnExistingArchive() throws {
        let directory = try makeTemporaryDirectory()
        let x86 = try write(fakeBinary(30_000), to: "x86", in: directory)
        let world = try write(Array("\0asm".utf8), to: "world.wasm", in: directory)
        let original = directory.appendingPathComponent("p.par.gz")
        try ProviderArchiveWriter().write(
            metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(x86)], world: .file(world),
            signing: signing(), to: original)
        let old = try ProviderArchive(verifying: original)

        // Insert two targets, one sorting before and one after the existing one, writing over the original.
        var targets = old.targetSources
        targets[try TargetName("aarch64-linux")] = .file(try write(fakeBinary(700, seed: 5), to: "arm", in: directory))
        targets[try TargetName("zz-test")] = .file(try write(fakeBinary(800, seed: 6), to: "zz", in: directory))
        let written = try ProviderArchiveWriter(compression: old.compression).write(
            metadata: old.metadata, targets: targets, world: old.worldSource, signing: signing(at: 1_700_000_500), to: original)
        let token = written.token
        let new = try ProviderArchive(verifying: original)
        // Written over its own input (a compressed archive, its pieces spliced): the digest is still the file's.
        #expect(written.sha256 == sha256Hex([UInt8](try Data(contentsOf: original))).lowercased())
        #expect(new.token == token)
        #expect(new.targetNames.map(\.rawValue) == ["aarch64-linux", "x86_64-linux", "zz-test"])
        #expect(new.targets[try TargetName("x86_64-linux")]?.sha256 == sha256Hex(fakeBinary(30_000)))
        #expect(new.world?.sha256 == old.world?.sha256)
        #expect(new.metadata == old.metadata)
        #expect(new.claims.issuedAt == 1_700_000_500 && new.claims.id != old.claims.id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func anArchiveThatChangesUnderneathFailsWithoutWriting() throws {
        let directory = try makeTemporaryDirectory()
        let x86 = try write(fakeBinary(30_000), to: "x86", in: directory)
        let original = directory.appendingPathComponent("p.par")
        try ProviderArchiveWriter(compression: .none).write(
            metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(x86)], signing: signing(), to: original)
        let old = try ProviderArchive(verifying: original)
        // Replace the archive after it was read: a binary of the same size, other bytes.
        try ProviderArchiveWriter(compression: .none).write(
            metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(try write(fakeBinary(30_000, seed: 99), to: "y", in: directory))],
            signing: signing(), to: original)
        let before = try Data(contentsOf: original)
        let destination = directory.appendingPathComponent("new.par")
        #expect(archiveError {
            try ProviderArchiveWriter().write(metadata: old.metadata, targets: old.targetSources, signing: signing(), to: destination)
        } == .inputChanged(path: original.path))
        #expect(!FileManager.default.fileExists(atPath: destination.path))
        #expect(try Data(contentsOf: original) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func failuresLeaveTheDestinationAlone() throws {
        let directory = try makeTemporaryDirectory()
        let destination = try write(Array("previous archive".utf8), to: "p.par.gz", in: directory)
        let missing = directory.appendingPathComponent("missing")
        #expect(archiveError {
            try ProviderArchiveWriter().write(metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(missing)], signing: signing(), to: destination)
        }.map(label) == "cannotRead")
        let binary = try write([1, 2, 3], to: "bin", in: directory)
        #expect(archiveError {
            try ProviderArchiveWriter(limits: ArchiveLimits(maximumEntrySize: 2)).write(
                metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)], signing: signing(), to: destination)
        } == .inputTooLarge(path: binary.path, size: 3, limit: 2))
        #expect(try String(contentsOf: destination, encoding: .utf8) == "previous archive")
        #expect(archiveError {
            try ProviderArchiveWriter().write(metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)], signing: signing(), to: directory.appendingPathComponent("no/such/dir.par"))
        }.map(label) == "cannotWrite")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["bin", "p.par.gz"])
    }

    @Test func resigningPolicy() throws {
        let directory = try makeTemporaryDirectory()
        let binary = try write([1, 2, 3], to: "bin", in: directory)
        let url = directory.appendingPathComponent("p.par.gz")
        try ProviderArchiveWriter().write(metadata: metadata, targets: [try TargetName("x86_64-linux"): .file(binary)], signing: signing(), to: url)
        let archive = try ProviderArchive(verifying: url)
        let other = try KeyPair.generate(.account)
        #expect(throws: Never.self) { try archive.checkResigning(by: testAccount.publicKey, force: false) }
        #expect(throws: ProviderArchiveError.issuerMismatch(archive: url.path, archiveIssuer: testAccount.publicKey.encoded, givenIssuer: other.publicKey.encoded)) {
            try archive.checkResigning(by: other.publicKey, force: false)
        }
        #expect(throws: Never.self) { try archive.checkResigning(by: other.publicKey, force: true) }
        let message = ProviderArchiveError.issuerMismatch(archive: "a", archiveIssuer: "A1", givenIssuer: "A2").description
        #expect(message.contains("--force-resign") && message.contains("--issuer"))
    }

    @Test func independentPythonCheck() async throws {
        let directory = try makeTemporaryDirectory()
        let x86 = try write(fakeBinary(100_000), to: "x86", in: directory)
        let arm = try write(fakeBinary(1000, seed: 4), to: "arm", in: directory)
        let world = try write(Array("\0asm".utf8), to: "w.wasm", in: directory)
        for compression in [ArchiveCompression.gzip, .none] {
            let destination = directory.appendingPathComponent("p-\(compression.rawValue).par")
            try ProviderArchiveWriter(compression: compression).write(
                metadata: metadata,
                targets: [try TargetName("x86_64-linux"): .file(x86), try TargetName("aarch64-linux"): .file(arm)],
                world: .file(world), signing: signing(), to: destination)
            let script = PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_par.py")
            let result = try await runProcessAsync(
                URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, destination.path],
                environment: ProcessInfo.processInfo.environment)
            if result.status == 3 || result.status == 127 {
                print("note: python3 with nkeys is not available; skipping the independent check (\(result.stderr))")
                return
            }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains(#""targets": ["aarch64-linux", "x86_64-linux"]"#))
            #expect(result.stdout.contains(#""world": true"#))
        }
        // The script is not vacuous: a forged claim or a changed byte in a binary of the plain archive fails it.
        let plain = directory.appendingPathComponent("p-none.par")
        let bytes = [UInt8](try Data(contentsOf: plain))
        let token = try ProviderArchive(verifying: plain).token.encoded
        let forgedToken = HostileArchives.forgeClaims(token) { $0.replacingOccurrences(of: "wasmCloud", with: "wasmCl0ud") }
        #expect(forgedToken.utf8.count == token.utf8.count)
        let start = try #require(bytes.firstRange(of: Array(token.utf8))).lowerBound
        var forged = bytes
        forged.replaceSubrange(start..<(start + token.utf8.count), with: Array(forgedToken.utf8))
        var flipped = bytes
        flipped[bytes.count - 1024 - 700] ^= 1
        for (name, tampered, reason) in [("forged", forged, "signature does not verify"), ("flipped", flipped, "SHA-256")] {
            let url = try write(tampered, to: name + ".par", in: directory)
            let result = try await runProcessAsync(
                URL(fileURLWithPath: "/usr/bin/env"), ["python3", PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_par.py").path, url.path],
                environment: ProcessInfo.processInfo.environment)
            #expect(result.status == 1 && result.stderr.contains(reason), "\(name): \(result.stderr)")
        }
    }
}
