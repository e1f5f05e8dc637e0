import Foundation
import NKeys
import SwashTestSupport
import Testing
import Wascap

@testable import ProviderArchiveKit

/// The gzip index (`GzipIndex`) and the parallel reader (`IndexedGzipInflater`): archives swash writes carry an
/// index and are read on every core; other readers still see one ordinary gzip member; and an index that lies in
/// any way is caught — the archive is then read again without it, and only the data decides.
@Suite("Indexed gzip")
struct IndexedGzipTests {
    static let metadata = ArchiveMetadata(name: "Indexed", vendor: "swash")

    /// An archive of two targets big enough for several 1 MiB pieces, and its bytes.
    static func archive(in directory: URL) throws -> (url: URL, bytes: [UInt8]) {
        let first = try write(fakeBinary(2_500_000, seed: 3), to: "first", in: directory)
        let second = try write(fakeBinary(1_300_000, seed: 9), to: "second", in: directory)
        let url = directory.appendingPathComponent("indexed.par.gz")
        try ProviderArchiveWriter().write(
            metadata: metadata,
            targets: [try TargetName("x86_64-linux"): .file(first), try TargetName("aarch64-linux"): .file(second)],
            signing: ArchiveSigning(issuer: testAccount, subject: testService.publicKey, issuedAt: 1_700_000_000, reproducible: true),
            to: url)
        return (url, [UInt8](try Data(contentsOf: url)))
    }

    /// The index of `bytes` (it must have one).
    static func index(_ bytes: [UInt8]) throws -> (headerLength: Int, pieces: [GzipIndex.Piece]) {
        try #require(GzipIndex.parse(bytes))
    }

    /// `bytes` with the index's data replaced by `pieces` (the room stays the same).
    static func withIndex(_ bytes: [UInt8], _ pieces: [GzipIndex.Piece]) -> [UInt8] {
        var copy = bytes
        let data = GzipIndex.data(pieces: pieces)
        copy.replaceSubrange(16..<(16 + data.count), with: data)
        return copy
    }

    @Test func swashsArchivesCarryAnIndexThatDescribesTheWholeMember() async throws {
        let directory = try makeTemporaryDirectory("indexed")
        let (url, bytes) = try Self.archive(in: directory)
        let (headerLength, pieces) = try Self.index(bytes)
        #expect(pieces.count >= 5, "claims' tar header, the claims, several 1 MiB chunks, the final block")
        #expect(headerLength + pieces.reduce(0) { $0 + Int($1.compressed) } + 8 == bytes.count)
        let archive = try ProviderArchive(verifying: url)
        #expect(archive.readThroughIndex)
        #expect(archive.targetNames.map(\.rawValue) == ["aarch64-linux", "x86_64-linux"])

        // Other readers see one ordinary member: gzip, Python's gzip/tarfile, Go's compress/gzip + archive/tar.
        let gzip = try await runProcessAsync(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc \"$0\" | tar t", url.path], environment: ProcessInfo.processInfo.environment)
        #expect(gzip.status == 0 && gzip.stdout.split(separator: "\n") == ["claims.jwt", "aarch64-linux.bin", "x86_64-linux.bin"], "\(gzip.stderr)")
        let python = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import sys, tarfile; print(' '.join(tarfile.open(sys.argv[1]).getnames()))", url.path],
            environment: ProcessInfo.processInfo.environment)
        #expect(python.stdout == "claims.jwt aarch64-linux.bin x86_64-linux.bin\n", "\(python.stderr)")
        if findProgram("go") != nil {
            let program = directory.appendingPathComponent("read.go")
            try Data("""
                package main

                import ("archive/tar"; "compress/gzip"; "fmt"; "io"; "os")

                func main() {
                \tf, _ := os.Open(os.Args[1])
                \tz, err := gzip.NewReader(f)
                \tif err != nil { panic(err) }
                \tz.Multistream(false)
                \tt := tar.NewReader(z)
                \tfor {
                \t\th, err := t.Next()
                \t\tif err == io.EOF { break }
                \t\tif err != nil { panic(err) }
                \t\tn, err := io.Copy(io.Discard, t)
                \t\tif err != nil { panic(err) }
                \t\tfmt.Println(h.Name, n)
                \t}
                \tif _, err := io.Copy(io.Discard, z); err != nil { panic(err) }
                \tif len(z.Header.Extra) == 0 { panic("no extra field") }
                }
                """.utf8).write(to: program)
            var environment = ProcessInfo.processInfo.environment
            environment["GOFLAGS"] = "-mod=mod"
            let go = try await runProcessAsync(URL(fileURLWithPath: "/usr/bin/env"), ["go", "run", program.path, url.path], environment: environment, in: directory)
            #expect(go.status == 0, "\(go.stderr)")
            let names: [String] = go.stdout.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
            #expect(names == ["claims.jwt", "aarch64-linux.bin", "x86_64-linux.bin"], "\(go.stdout)")
        } else {
            print("note: go is not installed; skipping Go's compress/gzip check of the indexed archive")
        }
    }

    /// Each way an index can lie; the data itself is intact, so the archive still verifies, without the index.
    @Test(arguments: ["truncated", "overlong", "out-of-order", "uncompressed length", "moved boundary", "no pieces", "huge piece"])
    func aLyingIndexIsCaughtAndTheArchiveIsReadWithoutIt(_ lie: String) throws {
        let directory = try makeTemporaryDirectory("lying-index")
        let (_, bytes) = try Self.archive(in: directory)
        var pieces = try Self.index(bytes).pieces
        switch lie {
        case "truncated": pieces.removeLast()
        case "overlong": pieces.append(GzipIndex.Piece(compressed: 100, uncompressed: 100))
        case "out-of-order": pieces.swapAt(2, 4)
        case "uncompressed length": pieces[3].uncompressed += 1
        case "moved boundary":
            pieces[2].compressed += 7
            pieces[3].compressed -= 7
        case "huge piece": pieces[2].uncompressed = 64 << 20  // buffers would exceed the memory bound: not used
        default: pieces = []
        }
        let url = try write(Self.withIndex(bytes, pieces), to: "lying.par.gz", in: directory)
        let archive = try ProviderArchive(verifying: url)
        #expect(!archive.readThroughIndex, "the \(lie) index was not used")
        #expect(archive.targetNames.count == 2)
    }

    @Test func damagedDataIsRejectedWhateverTheIndexSays() throws {
        let directory = try makeTemporaryDirectory("damaged-indexed")
        let (_, bytes) = try Self.archive(in: directory)
        let (headerLength, pieces) = try Self.index(bytes)
        var damaged = bytes
        // A byte in the middle of the third piece (a compressed chunk of the first binary).
        let offset = headerLength + Int(pieces[0].compressed + pieces[1].compressed + pieces[2].compressed / 2)
        damaged[offset] ^= 0x5A
        let url = try write(damaged, to: "damaged.par.gz", in: directory)
        let error = archiveError { _ = try ProviderArchive(verifying: url) }
        #expect(error != nil)
        #expect(error.map { "\($0)".contains("gzip index") } == false, "the streaming path's verdict: \(String(describing: error))")
    }

    @Test func aGrowingFileIsReadThroughTheIndexAsItArrives() async throws {
        let directory = try makeTemporaryDirectory("growing-indexed")
        let (_, bytes) = try Self.archive(in: directory)
        let url = directory.appendingPathComponent("arriving.par.gz")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let growing = GrowingFile()
        let handle = try FileHandle(forWritingTo: url)
        let writer = Task.detached {
            var offset = 0
            while offset < bytes.count {
                let piece = Array(bytes[offset..<min(offset + 300_000, bytes.count)])
                try handle.write(contentsOf: piece)
                growing.grew(by: piece.count)
                offset += piece.count
                try await Task.sleep(for: .milliseconds(5))
            }
            try handle.close()
            growing.end()
        }
        let archive = try await Task.detached { try ProviderArchive(verifying: url, growing: growing) }.value
        try await writer.value
        #expect(archive.readThroughIndex)
        #expect(archive.targetNames.count == 2)
    }
}

/// Splicing: a member of an indexed archive whose entry is a run of whole pieces is copied into a new archive
/// compressed, byte for byte, and checked against the CRC-32 its bytes had when verified.
@Suite("Splicing pieces")
struct SpliceTests {
    static func write(_ targets: [TargetName: EntrySource], to url: URL) throws {
        try ProviderArchiveWriter().write(
            metadata: IndexedGzipTests.metadata, targets: targets,
            signing: ArchiveSigning(issuer: testAccount, subject: testService.publicKey, issuedAt: 1_700_000_000, reproducible: true),
            to: url)
    }

    @Test func carriedOverTargetsAreCopiedCompressed() async throws {
        let directory = try makeTemporaryDirectory("splice")
        let (url, bytes) = try IndexedGzipTests.archive(in: directory)
        let original = try ProviderArchive(verifying: url)
        let x86 = try TargetName("x86_64-linux")
        let pieces = try #require(original.splices["x86_64-linux.bin"])
        #expect(original.splices["aarch64-linux.bin"] != nil, "every entry is a run of whole pieces")
        let compressed = pieces.flatMap { bytes[Int($0.offset)..<Int($0.offset + $0.compressed)] }

        let replacement = try ProviderArchiveKitTests.write(fakeBinary(700_000, seed: 21), to: "replacement", in: directory)
        let spliced = directory.appendingPathComponent("spliced.par.gz")
        try Self.write([x86: .member(try #require(original.targets[x86]), of: original), try TargetName("aarch64-linux"): .file(replacement)], to: spliced)
        let output = [UInt8](try Data(contentsOf: spliced))
        #expect(output.count > compressed.count)
        #expect(Data(output).range(of: Data(compressed)) != nil, "x86_64-linux's compressed bytes, as they were")
        let read = try ProviderArchive(verifying: spliced)
        #expect(read.readThroughIndex)
        #expect(read.targets[x86]?.sha256 == original.targets[x86]?.sha256)
        #expect(read.splices["x86_64-linux.bin"] != nil && read.splices["aarch64-linux.bin"] != nil)
        let python = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_par.py").path, spliced.path],
            environment: ProcessInfo.processInfo.environment)
        #expect(python.status == 0 || python.stderr.contains("No module named"), "\(python.stdout) \(python.stderr)")
    }

    @Test func aPieceChangedSinceVerificationStopsTheWrite() throws {
        let directory = try makeTemporaryDirectory("splice-changed")
        let (url, bytes) = try IndexedGzipTests.archive(in: directory)
        let original = try ProviderArchive(verifying: url)
        let x86 = try TargetName("x86_64-linux")
        let piece = try #require(original.splices["x86_64-linux.bin"]?.first)
        var changed = bytes
        changed[Int(piece.offset + piece.compressed / 2)] ^= 0x01
        try Data(changed).write(to: url)
        let destination = directory.appendingPathComponent("out.par.gz")
        let error = archiveError { try Self.write([x86: .member(try #require(original.targets[x86]), of: original)], to: destination) }
        #expect(error.map(label) == "inputChanged")
        #expect(!FileManager.default.fileExists(atPath: destination.path))
    }
}
