import Foundation

/// Runs blocking work (reading, hashing and writing whole archives, `fsync`) on a thread of its own, so it
/// never occupies one of the few threads of Swift's cooperative pool (two on a two-core machine), as
/// swift-nio's `NonBlockingFileIO` keeps file work on its own thread pool.
public enum BlockingIO {
    /// Runs `body` on a new thread and returns its result to the awaiting task.
    /// - Parameter body: the blocking work.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    public static func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(Failure) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try result.get()
    }
}
