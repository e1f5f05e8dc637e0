import Foundation
import Testing

@testable import Registry

@Suite("Digest of an upload, from the bytes sent")
struct OCIUploadHasherTests {
    let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    func feed(_ hasher: OCIUploadHasher, _ range: Range<Int>) {
        bytes[range].withUnsafeBytes { hasher.feed($0, at: Int64(range.lowerBound)) }
    }

    @Test func bytesSentAgainAreHashedOnce() {
        let hasher = OCIUploadHasher()
        feed(hasher, 0..<40_000)
        feed(hasher, 0..<30_000)  // a request repeated after a challenge starts over
        feed(hasher, 30_000..<70_000)  // overlapping what was hashed
        feed(hasher, 70_000..<100_000)
        #expect(hasher.finalize(size: 100_000) == OCIDigest.of(Data(bytes)))
    }

    @Test func aGapOrAShortBodyLeavesNoDigest() {
        let gap = OCIUploadHasher()
        feed(gap, 0..<10_000)
        feed(gap, 20_000..<100_000)
        #expect(gap.finalize(size: 100_000) == nil)

        let short = OCIUploadHasher()
        feed(short, 0..<90_000)
        #expect(short.finalize(size: 100_000) == nil)
    }
}
