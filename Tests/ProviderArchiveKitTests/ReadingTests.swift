import Foundation
import NKeys
import SwashTestSupport
import Testing
import Wascap

@testable import ProviderArchiveKit

@Suite("The real archive made by wash (corpora/par/fakepay.par.gz)")
struct CorpusArchiveTests {
    @Test(.enabled(if: Corpora.available, "../shared/corpora is absent"))
    func fakepayVerifies() throws {
        let url = try #require(Corpora.file("par/fakepay.par.gz"))
        let archive = try ProviderArchive(verifying: url)
        let claims = archive.claims
        #expect(claims.name == "Fake Payments")
        #expect(claims.vendor == "wasmCloud")
        #expect(claims.capabilityContractID == "examples:payments")
        #expect(claims.revision == 1)
        #expect(claims.version == "1.0")
        #expect(claims.issuer == "ABNLQZLJFBAWP4KJR63PYCA4Y655OZOOHTGRW6FNFGEVUE5RN4PO2RXR")
        #expect(claims.subject == "VAN5FE2JCYMZFHZZWS2KNKVEIIU5SH5E5SD3IIF6BWA25XKFKCHXEMDU")
        #expect(claims.wascapRevision == nil)
        #expect(archive.targetNames.map(\.rawValue) == ["x86_64-linux"])
        #expect(archive.targets[try TargetName("x86_64-linux")]?.size == 4_261_184)
        #expect(archive.compression == .gzip)
        #expect(archive.world == nil)
        #expect(archive.validation(at: UInt64(Date().timeIntervalSince1970)).isValid)
        #expect(throws: Never.self) { try archive.requireTrusted(at: 1_700_000_000) }
    }

    @Test(.enabled(if: Corpora.available, "../shared/corpora is absent"))
    func fakepayTokenOnly() throws {
        let url = try #require(Corpora.file("par/fakepay.par.gz"))
        let token = try ProviderArchive.readToken(from: url)
        #expect(token.encoded.hasPrefix(ClaimsToken.encodedHeader + ".eyJqdGkiOiJGdG9zM05uZHFvdjdldGFRd3o1TnRsIi"))
        #expect(token.signatureIsValid)
    }
}

@Suite("Archives written the way wash writes them")
struct WashStyleArchiveTests {
    let binary = fakeBinary(70_000)
    let arm = fakeBinary(3_000, seed: 9)
    let world = Array("\0asm fake world".utf8)

    func archive(_ build: (inout TarBuilder) -> Void) -> [UInt8] {
        var tar = TarBuilder()
        build(&tar)
        tar.end()
        return tar.bytes
    }

    @Test(arguments: [true, false])
    func gzipOrPlainWithAndWithoutCapid(compressed: Bool) throws {
        let directory = try makeTemporaryDirectory()
        for capid in ["examples:payments", nil] {
            let token = washToken(hashes: ["x86_64-linux": sha256Hex(binary)], capid: capid)
            let tar = archive {
                $0.add("claims.jwt", Array(token.utf8))
                $0.add("x86_64-linux.bin", binary)
            }
            let url = try write(compressed ? GzipBuilder.compress(tar) : tar, to: "p.par", in: directory)
            let read = try ProviderArchive(verifying: url)
            #expect(read.compression == (compressed ? .gzip : .none))
            #expect(read.claims.capabilityContractID == capid)
            #expect(read.token.encoded == token)
            #expect(read.validation(at: 1_700_000_000).isValid)
        }
    }

    /// Real zlib deflate at level 9 (dynamic Huffman, several blocks), as flate2 writes for wash.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/gzip"), "gzip is not installed"))
    func zlibLevel9() async throws {
        let directory = try makeTemporaryDirectory()
        let big = fakeBinary(600_000) + [UInt8](repeating: 0x90, count: 400_000)
        let token = washToken(hashes: ["x86_64-linux": sha256Hex(big)])
        let tar = archive {
            $0.add("claims.jwt", Array(token.utf8))
            $0.add("x86_64-linux.bin", big)
        }
        let plain = try write(tar, to: "p.par", in: directory)
        let result = try await runProcessAsync(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "/bin/gzip -9 -n -c \"$0\" > \"$0.gz\"", plain.path], environment: [:])
        #expect(result.status == 0)
        let read = try ProviderArchive(verifying: URL(fileURLWithPath: plain.path + ".gz"))
        #expect(read.compression == .gzip)
        #expect(read.targets.values.first?.sha256 == sha256Hex(big))
    }

    @Test func worldPackageAndSeveralTargetsInAnyOrder() throws {
        let directory = try makeTemporaryDirectory()
        let token = washToken(hashes: [
            "x86_64-linux": sha256Hex(binary), "aarch64-linux": sha256Hex(arm).lowercased(), "world.wasm": sha256Hex(world),
        ])
        let tar = archive {
            $0.add("x86_64-linux.bin", binary)
            $0.add("world.wasm", world)
            $0.add("claims.jwt", Array(token.utf8))
            $0.add("aarch64-linux.bin", arm)
        }
        let read = try ProviderArchive(verifying: try write(GzipBuilder.compress(tar), to: "w.par.gz", in: directory))
        #expect(read.targetNames.map(\.rawValue) == ["aarch64-linux", "x86_64-linux"])
        #expect(read.world?.sha256 == sha256Hex(world))
        #expect(read.world?.entryName == "world.wasm")
    }

    @Test func unknownClaimKeysAreIgnored() throws {
        let directory = try makeTemporaryDirectory()
        let token = washToken(
            hashes: ["x86_64-linux": sha256Hex(binary)],
            extraClaims: #","wascap_revision":3,"future":{"nested":[1,2,{"x":null}]},"nbf":null"#)
        let tar = archive {
            $0.add("claims.jwt", Array(token.utf8))
            $0.add("x86_64-linux.bin", binary)
        }
        let read = try ProviderArchive(verifying: try write(tar, to: "u.par", in: directory))
        #expect(read.claims.wascapRevision == 3)
        #expect(read.validation(at: 1).isValid)
    }

    @Test func otherDialectsDirectoriesAndDotSlashNames() throws {
        let directory = try makeTemporaryDirectory()
        let token = washToken(hashes: ["x86_64-linux": sha256Hex(binary)])
        let tar = archive {
            $0.add("./", style: .ustar, typeflag: UInt8(ascii: "5"))
            $0.add("./claims.jwt", Array(token.utf8), style: .ustar)
            $0.addPax([("path", "x86_64-linux.bin"), ("mtime", "1700000000.5")])
            $0.add("ignored-by-pax", binary, style: .ustar)
        }
        let read = try ProviderArchive(verifying: try write(GzipBuilder.compress(tar), to: "d.par.gz", in: directory))
        #expect(read.targetNames.map(\.rawValue) == ["x86_64-linux"])
    }

    @Test func jwtOnlyStopsAtTheToken() throws {
        let directory = try makeTemporaryDirectory()
        let token = washToken(hashes: ["x86_64-linux": sha256Hex(binary)])
        // The binary after the token is garbage: a verifying read fails, --jwt-only never gets there.
        var tar = TarBuilder()
        tar.add("claims.jwt", Array(token.utf8))
        tar.add("x86_64-linux.bin", binary)
        let truncated = Array(tar.bytes.prefix(2048))
        let url = try write(truncated, to: "t.par", in: directory)
        #expect(try ProviderArchive.readToken(from: url).encoded == token)
        #expect(archiveError { _ = try ProviderArchive(verifying: url) }.map(label) == "corrupt")
    }

    @Test func largeBinaryStreamsThrough() async throws {
        let size = 24 << 20
        let read = try await offCooperativePool { try Self.zeroArchive(size: size) }
        #expect(read == Int64(size))
    }

    /// Reads a gzip'd archive whose binary is `size` zero bytes; returns the binary's size.
    static func zeroArchive(size: Int) throws -> Int64? {
        let directory = try makeTemporaryDirectory()
        var gzip = GzipBuilder()
        var headerTar = TarBuilder()
        var zeros = SHA256()
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<(size >> 20) { zeros.update(chunk) }
        let token = washToken(hashes: ["x86_64-linux": zeros.finalizeHex()])
        headerTar.add("claims.jwt", Array(token.utf8))
        gzip.append(headerTar.bytes)
        gzip.append(TarBuilder.header(name: Array("x86_64-linux.bin".utf8), size: size, style: .washGNU, typeflag: nil, linkName: "", sizeField: nil))
        gzip.appendZeros(size + 1024)
        let url = try write(gzip.finish(), to: "big.par.gz", in: directory)
        return try ProviderArchive(verifying: url).targets.values.first?.size
    }
}

@Suite("Target names")
struct TargetNameTests {
    @Test(arguments: [
        ("x86_64-unknown-linux-gnu", "x86_64-linux"), ("x86_64-unknown-linux-musl", "x86_64-linux"),
        ("aarch64-unknown-linux-gnu", "aarch64-linux"), ("aarch64-unknown-linux-musl", "aarch64-linux"),
        ("aarch64-apple-darwin", "aarch64-macos"), ("x86_64-apple-darwin", "x86_64-macos"),
        ("x86_64-pc-windows-msvc", "x86_64-windows"), ("x86_64-pc-windows-gnu", "x86_64-windows"),
        ("armv7-unknown-linux-gnueabihf", "arm-linux"), ("riscv64gc-unknown-linux-gnu", "riscv64-linux"),
        ("x86_64-unknown-freebsd", "x86_64-freebsd"), ("aarch64-linux-android", "aarch64-android"),
        ("arm64-apple-macosx14.0", "aarch64-macos"),
    ])
    func rustTriples(triple: String, target: String) {
        #expect(TargetName(rustTriple: triple)?.rawValue == target)
    }

    @Test func unknownTriplesAndHost() {
        #expect(TargetName(rustTriple: "nonsense") == nil)
        #expect(TargetName(rustTriple: "z80-unknown-cpm") == nil)
        #if arch(x86_64) && os(Linux)
            #expect(TargetName.host.rawValue == "x86_64-linux")
        #endif
    }

    @Test(arguments: ["claims", "world", "", ".", "..", "../x", "a/b", "/x", ".hidden", "-rf", "a\\b", "x\u{0}y", "tab\there", "x86_64-linux.bin", "C:evil"])
    func rejected(name: String) {
        #expect(throws: ProviderArchiveError.self) { try TargetName(name) }
    }

    @Test(arguments: ["x86_64-linux", "aarch64-macos", "wasm32-wasi", "my.custom_target+1", "ünïcode"])
    func accepted(name: String) throws {
        #expect(try TargetName(name).entryName == name + ".bin")
    }

    @Test func stems() {
        #expect(EntryName.stem("x86_64-linux.bin") == "x86_64-linux")
        #expect(EntryName.stem("a.b.bin") == "a.b")
        #expect(EntryName.stem("noext") == "noext")
        #expect(EntryName.role(of: "claims.jwt") == .claims)
        #expect(EntryName.role(of: "world.wasm") == .world)
    }
}

@Suite("CRC-32")
struct CRC32Tests {
    @Test func matchesReference() {
        let data = fakeBinary(100_003)
        var fast = CRC32()
        data.withUnsafeBytes { fast.update($0) }
        var reference = CRC32Reference()
        reference.update(data)
        #expect(fast.value == reference.value)
        var check = CRC32()
        Array("123456789".utf8).withUnsafeBytes { check.update($0) }
        #expect(check.value == 0xCBF4_3926)
    }

    @Test func zeroRunShortcut() {
        var slow = CRC32Reference()
        slow.update([1, 2, 3] + [UInt8](repeating: 0, count: 5000))
        var fast = CRC32Reference()
        fast.update([1, 2, 3])
        fast.updateZeros(5000)
        #expect(slow.value == fast.value)
    }
}
