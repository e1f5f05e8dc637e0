import Foundation
import SwashTestSupport
import Testing

@testable import ProviderArchiveKit

/// Inputs `Scripts/fuzz fuzz-archive` found, kept so the bugs stay fixed (see docs/hardening.md).
@Suite("Fuzz regressions")
struct ArchiveFuzzRegressionTests {
    /// The process's virtual size in bytes (`/proc/self/statm`), which counts memory allocated but never
    /// touched: a leaked read buffer shows here even though it never becomes resident.
    static func virtualSize() throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = try #require(text.split(separator: " ").first.flatMap { Int($0) })
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// fuzz-archive, leak-e99d575c (the seed `truncated.par.gz`): a gzip stream that libarchive rejects while
    /// opening it. `GzipSource`'s initializer threw, so `TarReader`'s initializer threw before all its stored
    /// properties were set; Swift then skips `deinit`, and the 1 MiB read buffer allocated as a property's
    /// initial value leaked on every such read. The buffers are now allocated once nothing can throw.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/statm")))
    func damagedGzipDoesNotLeakTheReadBuffer() throws {
        let directory = try makeTemporaryDirectory("fuzz-regression")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A gzip header and deflate bytes that stop after 300 bytes of a valid archive's 600.
        let damaged = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0x03] + fakeBinary(290)
        let url = try write(damaged, to: "damaged.par.gz", in: directory)
        for _ in 0..<8 {  // warm up the allocator
            _ = try? ProviderArchive(verifying: url)
        }
        let before = try Self.virtualSize()
        for _ in 0..<1_000 {
            let verifying = archiveError { _ = try ProviderArchive(verifying: url) }
            let token = archiveError { _ = try ProviderArchive.readToken(from: url) }
            #expect(verifying.map(label) == "corrupt")
            #expect(token.map(label) == "corrupt")
        }
        // 2,000 reads leaked 2,000 MiB before the fix. The virtual size is the whole test process's, so other
        // tests running beside this one (threads with 8 MiB stacks, child processes' pipes) add to it: once
        // 208 MiB; 600 keeps a wide margin on both sides.
        let growth = try Self.virtualSize() - before
        #expect(growth < 600 << 20, "virtual size grew by \(growth >> 20) MiB")
    }
}
