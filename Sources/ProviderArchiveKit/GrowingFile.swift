import Foundation

/// A file another thread is still writing (a download): the verifying reader reads it as it grows, waiting for
/// bytes that have not arrived yet, so downloading and verifying overlap and the file is read once, from the
/// page cache. The writer reports each append (`grew(by:)`), then `end()` — or `abandon()` when it fails, which
/// makes the reader stop with `ProviderArchiveError.cannotRead`.
public final class GrowingFile: @unchecked Sendable {
    private let condition = NSCondition()
    private var length: Int64 = 0
    private var ended = false
    private var abandoned = false

    /// A file with no bytes yet.
    public init() {}

    /// `count` more bytes are in the file.
    public func grew(by count: Int) {
        condition.withLock {
            length += Int64(count)
            condition.broadcast()
        }
    }

    /// No more bytes will come.
    public func end() {
        condition.withLock {
            ended = true
            condition.broadcast()
        }
    }

    /// The writer failed: readers stop.
    public func abandon() {
        condition.withLock {
            abandoned = true
            condition.broadcast()
        }
    }

    /// Waits until the file holds more than `position` bytes, or will not grow any more.
    /// - Returns: how many bytes past `position` can be read now (0: the end).
    /// - Throws: `.cannotRead` once the writer abandoned the file.
    func available(after position: Int64, path: String) throws(ProviderArchiveError) -> Int64 {
        condition.lock()
        defer { condition.unlock() }
        while length <= position, !ended, !abandoned { condition.wait() }
        if abandoned { throw .cannotRead(path: path, reason: "its download failed") }
        return max(0, length - position)
    }
}
