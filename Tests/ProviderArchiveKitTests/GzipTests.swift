import Foundation
import SwashTestSupport
import Testing

@testable import ProviderArchiveKit

/// Compresses `data` with `ParallelGzipWriter`, handing it over in pieces of `piece` bytes; returns the file.
private func parallelGzip(
    _ data: [UInt8], chunkSize: Int, workers: Int = 2, piece: Int = 7_919, in directory: URL, name: String = "out.gz"
) throws -> URL {
    let url = directory.appendingPathComponent(name)
    let file = try ArchiveFile(destination: url)
    let writer = try ParallelGzipWriter(file: file, chunkSize: chunkSize, workers: workers)
    try data.withUnsafeBytes { bytes in
        var offset = 0
        repeat {
            let end = min(offset + piece, bytes.count)
            try writer.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        } while offset < bytes.count
    }
    try writer.finish()
    try file.commit()
    return url
}

/// Inflates a one-member gzip file with swash's own reader (zlib, header, trailer and end checks).
private func gunzip(_ url: URL) throws -> [UInt8] {
    let inflater = GzipInflater(file: try FileSource(url: url))
    var output: [UInt8] = []
    while case let block = try inflater.nextBlock(), block.count > 0 { output += block }
    return output
}

/// What Python's zlib makes of a file: its SHA-256 (lowercase hex) if it is exactly one gzip member.
private func pythonOneMemberSHA256(_ url: URL) throws -> String? {
    let script = """
        import hashlib, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        d = zlib.decompressobj(31)
        out = d.decompress(data) + d.flush()
        assert d.eof, 'the member does not end'
        assert d.unused_data == b'', 'bytes follow the first member'
        print(hashlib.sha256(out).hexdigest())
        """
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, url.path], environment: ProcessInfo.processInfo.environment)
    guard result.status == 0 else { return result.status == 127 ? nil : "python: \(result.stderr)" }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// `gzip -dc FILE | sha256sum`.
private func gzipToolSHA256(_ url: URL) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc \"$0\" | sha256sum", url.path], environment: ["PATH": "/usr/bin:/bin"])
    return String(result.stdout.prefix(64))
}

/// Bytes that compress like an executable: runs of code-like noise, text and zero padding.
private func mixedBytes(_ size: Int, seed: UInt8 = 11) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(size)
    var part = 0
    while bytes.count < size {
        switch part % 3 {
        case 0: bytes += fakeBinary(3_000 + part * 37 % 5_000, seed: seed &+ UInt8(truncatingIfNeeded: part)).map { $0 & 0x3F }
        case 1: bytes += Array("_ZN5swash7Archive4nameE entry \(part) of the symbol table\n".utf8)
        default: bytes += [UInt8](repeating: 0, count: part * 13 % 700)
        }
        part += 1
    }
    return Array(bytes.prefix(size))
}

@Suite("Parallel gzip", .serialized)
struct ParallelGzipTests {
    static let chunk = 64 << 10

    static let cases: [(String, [UInt8])] = {
        let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17]
        return sizes.flatMap { size in
            [
                ("random \(size)", fakeBinary(size, seed: 5)),
                ("zeros \(size)", [UInt8](repeating: 0, count: size)),
                ("mixed \(size)", mixedBytes(size)),
            ]
        }
    }()

    @Test(arguments: cases)
    func oneMemberThatDecodesToTheInput(label: String, data: [UInt8]) throws {
        let directory = try makeTemporaryDirectory()
        let url = try parallelGzip(data, chunkSize: Self.chunk, in: directory)
        #expect(try gunzip(url) == data, "\(label)")
        let expected = sha256Hex(data).lowercased()
        #expect(try gzipToolSHA256(url) == expected, "\(label): gzip -dc")
        if let python = try pythonOneMemberSHA256(url) {
            #expect(python == expected, "\(label): Python zlib")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(Array(bytes.prefix(10)) == [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3], "no name, no timestamp")
    }

    @Test func defaultChunksOfExecutableLikeData() throws {
        let directory = try makeTemporaryDirectory()
        let data = mixedBytes(5 * ParallelGzipWriter.defaultChunkSize / 2)
        let url = try parallelGzip(data, chunkSize: ParallelGzipWriter.defaultChunkSize, piece: 1 << 20, in: directory)
        #expect(try gunzip(url) == data)
        if let python = try pythonOneMemberSHA256(url) { #expect(python == sha256Hex(data).lowercased()) }
    }

    @Test func outputDoesNotDependOnThreads() throws {
        let directory = try makeTemporaryDirectory()
        let data = mixedBytes(700_000) + fakeBinary(300_000)
        let outputs = try [1, 2, 5].map { workers in
            try Data(contentsOf: parallelGzip(data, chunkSize: 50_000, workers: workers, piece: 1_000 * workers + 1, in: directory, name: "w\(workers).gz"))
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test func reservedStretchIsPatchedInPlace() throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("patched.gz")
        let before = mixedBytes(100_000)
        let placeholder = [UInt8](repeating: UInt8(ascii: "0"), count: 70_000)  // two stored blocks
        let patch = fakeBinary(70_000, seed: 3)
        let after = mixedBytes(150_000, seed: 4)
        let file = try ArchiveFile(destination: url)
        let writer = try ParallelGzipWriter(file: file, chunkSize: 32 << 10)
        try before.withUnsafeBytes { try writer.write($0) }
        try writer.beginReserved()
        try placeholder.withUnsafeBytes { try writer.write($0) }
        let reservation = try writer.endReserved()
        try after.withUnsafeBytes { try writer.write($0) }
        try writer.patch(reservation, with: patch)
        try writer.finish()
        try file.commit()
        let expected = before + patch + after
        #expect(try gunzip(url) == expected)  // the trailer's CRC-32 covers the patched bytes
        #expect(try gzipToolSHA256(url) == sha256Hex(expected).lowercased())
    }

    /// Every way a stream can end inside its last byte is padded differently; joining each to a second
    /// stream must decode to both inputs.
    @Test func joiningCoversEveryPadding() throws {
        let deflater = RawDeflater(level: ParallelGzipWriter.defaultLevel)
        let walker = DeflateBlockWalker()
        let tail = mixedBytes(5_000, seed: 99)
        var appended: Set<Int> = []
        for index in 0..<300 {
            let data = index % 2 == 0 ? mixedBytes(index * 53 % 20_000, seed: UInt8(index % 200)) : fakeBinary(index * 7, seed: UInt8(index % 250))
            var joined = [UInt8](repeating: 0, count: RawDeflater.bound(data.count) + 8)
            let count = try data.withUnsafeBytes { input in
                try joined.withUnsafeMutableBytes { output in
                    let compressed = deflater.compress(input, into: output)
                    let length = try makeJoinable(output, count: compressed, walker: walker)
                    appended.insert(length - compressed)
                    return length
                }
            }
            var second = [UInt8](repeating: 0, count: RawDeflater.bound(tail.count))
            let secondCount = tail.withUnsafeBytes { input in second.withUnsafeMutableBytes { deflater.compress(input, into: $0) } }
            let stream = Array(joined.prefix(count)) + second.prefix(secondCount)
            #expect(try inflateRaw(stream) == data + tail, "input \(index)")
        }
        #expect(appended == [0, 1, 2, 3, 4, 5], "each padding case was exercised")
    }

    /// The walker finds the same last block and end bit as zlib's inflate stopping at block boundaries, on
    /// streams from libdeflate at every level and from zlib with every strategy (fixed, stored and
    /// dynamic blocks, long codes, empty blocks from flushes).
    @Test func walkerAgreesWithZlib() async throws {
        let walker = DeflateBlockWalker()
        var streams: [(String, [UInt8])] = []
        let inputs = [("mixed", mixedBytes(300_000)), ("random", fakeBinary(70_000)), ("zeros", [UInt8](repeating: 0, count: 100_000)),
                      ("text", Array(String(repeating: "the quick brown fox jumps over the lazy dog 0123456789\n", count: 3_000).utf8)),
                      ("tiny", [42]), ("empty", [])]
        for (name, data) in inputs {
            for level in [1, 4, 6, 9, 12] {
                var output = [UInt8](repeating: 0, count: RawDeflater.bound(data.count))
                let count = data.withUnsafeBytes { input in output.withUnsafeMutableBytes { RawDeflater(level: level).compress(input, into: $0) } }
                streams.append(("libdeflate \(level) \(name)", Array(output.prefix(count))))
            }
        }
        let directory = try makeTemporaryDirectory()
        let input = try write(mixedBytes(200_000, seed: 8) + [UInt8](repeating: 7, count: 30_000), to: "input", in: directory)
        let script = """
            import sys, zlib
            data = open(sys.argv[1], 'rb').read()
            for strategy in (zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED):
                for level in (1, 9):
                    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
                    out = c.compress(data[:50000]) + c.flush(zlib.Z_FULL_FLUSH) + c.compress(data[50000:]) + c.flush()
                    open(sys.argv[1] + '.%d.%d' % (strategy, level), 'wb').write(out)
            """
        let python = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, input.path], environment: ProcessInfo.processInfo.environment)
        if python.status == 0 {
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasPrefix("input.") {
                streams.append(("zlib \(file)", [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))))
            }
            #expect(streams.count == 30 + 10)
        }
        for (label, stream) in streams {
            let expected = try zlibBlockLayout(stream)
            let found = try stream.withUnsafeBytes { try walker.walk($0) }
            #expect(found.lastHeader == expected.lastHeader && found.end == expected.end, "\(label)")
        }
        var garbage = fakeBinary(5_000)
        garbage[0] = 0b110  // a dynamic block whose header is noise
        #expect(throws: InflateError.self) { try garbage.withUnsafeBytes { try walker.walk($0) } }
        #expect(throws: InflateError.self) { try [UInt8]([0x07]).withUnsafeBytes { try walker.walk($0) } }  // block type 3
    }

    /// The last block's header and the end of a deflate stream, in bits, found by zlib's inflate(Z_BLOCK).
    private func zlibBlockLayout(_ stream: [UInt8]) throws -> (lastHeader: Int, end: Int) {
        let inflater = RawInflater()
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        var lastHeader = stream[0] & 1 == 1 ? 0 : -1
        var consumed = 0
        while true {
            let step = try stream.withUnsafeBytes { input in
                try scratch.withUnsafeMutableBytes {
                    try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[consumed...]), into: $0, stopAtBlocks: true)
                }
            }
            consumed += step.consumed
            let position = consumed * 8 - step.unusedBits
            if step.atBlockBoundary && step.inFinalBlock { return (lastHeader, position) }
            if step.atBlockBoundary, stream[position >> 3] >> (position & 7) & 1 == 1 { lastHeader = position }
            if step.consumed == 0 && step.produced == 0 { throw InflateError(message: "stuck") }
        }
    }

    private func inflateRaw(_ stream: [UInt8]) throws -> [UInt8] {
        let inflater = RawInflater()
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var offset = 0
        while true {
            let step = try stream.withUnsafeBytes { input in
                try buffer.withUnsafeMutableBytes { try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[offset...]), into: $0) }
            }
            offset += step.consumed
            output += buffer.prefix(step.produced)
            if step.finished { return output }
            if step.consumed == 0 && step.produced == 0 { throw InflateError(message: "stuck") }
        }
    }
}

@Suite("Reading gzip")
struct GzipReadingTests {
    /// A member with every optional header field: FEXTRA, FNAME, FCOMMENT, FHCRC.
    @Test func optionalHeaderFieldsAreSkipped() throws {
        let data = mixedBytes(40_000)
        var deflated = [UInt8](repeating: 0, count: RawDeflater.bound(data.count))
        let count = data.withUnsafeBytes { input in deflated.withUnsafeMutableBytes { RawDeflater(level: 6).compress(input, into: $0) } }
        var crc = CRC32()
        data.withUnsafeBytes { crc.update($0) }
        let size = UInt32(data.count)
        let header: [UInt8] = [0x1F, 0x8B, 8, 4 | 8 | 16 | 2, 1, 2, 3, 4, 0, 3] + [3, 0, 0xAA, 0xBB, 0xCC]
            + Array("name.tar".utf8) + [0] + Array("a comment".utf8) + [0] + [0x12, 0x34]
        let trailer = (0..<4).map { UInt8(truncatingIfNeeded: crc.value >> ($0 * 8)) } + (0..<4).map { UInt8(truncatingIfNeeded: size >> ($0 * 8)) }
        let directory = try makeTemporaryDirectory()
        let url = try write(header + deflated.prefix(count) + trailer, to: "fields.gz", in: directory)
        #expect(try gunzip(url) == data)
    }

    /// Cut anywhere, a member is an error with a message, never a crash or a silent success.
    @Test func everyTruncationIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        let data = mixedBytes(2_000)
        let full = [UInt8](try Data(contentsOf: parallelGzip(data, chunkSize: 1_000, in: directory)))
        for cut in 1..<full.count {
            let url = try write(Array(full.prefix(cut)), to: "cut.gz", in: directory)
            let error = try #require(archiveError { _ = try gunzip(url) }, "cut at \(cut) of \(full.count)")
            #expect(["corrupt", "gzipTrailerMismatch"].contains(label(error)), "cut at \(cut): \(error)")
        }
    }

    @Test func aSecondMemberIsNamed() throws {
        let directory = try makeTemporaryDirectory()
        let one = [UInt8](try Data(contentsOf: parallelGzip(mixedBytes(2_000), chunkSize: 1 << 20, in: directory)))
        let url = try write(one + one, to: "two.gz", in: directory)
        #expect(archiveError { _ = try gunzip(url) } == .invalidArchive(
            archive: url.path, .gzipTrailerMismatch("a second gzip member follows the first (wash reads only the first)")))
    }

    /// `--jwt-only` reads a few kilobytes: with everything after the first 32 KiB cut off, the token
    /// still reads, while a verifying read fails.
    @Test func tokenOnlyReadsTheBeginning() throws {
        let directory = try makeTemporaryDirectory()
        let binary = try write(fakeBinary(4 << 20), to: "bin", in: directory)
        let url = directory.appendingPathComponent("p.par.gz")
        let token = try ProviderArchiveWriter().write(
            metadata: ArchiveMetadata(name: "N", vendor: "V"), targets: [try TargetName("x86_64-linux"): .file(binary)],
            signing: ArchiveSigning(issuer: testAccount, subject: testService.publicKey, issuedAt: 1_700_000_000), to: url).token
        let cut = try write(Array([UInt8](try Data(contentsOf: url)).prefix(32 << 10)), to: "cut.par.gz", in: directory)
        #expect(try ProviderArchive.readToken(from: cut) == token)
        #expect(archiveError { _ = try ProviderArchive(verifying: cut) }.map(label) == "corrupt")
    }
}
