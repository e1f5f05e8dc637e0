import Foundation

/// Runs blocking work on a Dispatch thread and awaits it.
///
/// Swift Testing runs tests on the cooperative thread pool, which has one thread per core (two here).
/// A test that blocks one of them for seconds — waiting for a subprocess, or grinding through a large
/// archive — starves every async test running beside it. Blocking work goes through here instead.
///
/// Keep `#expect`/`#require` out of `work`: on a Dispatch thread Swift Testing does not know the current
/// test, so a failed expectation there is recorded against «unknown» and the test still passes. Return what
/// to check and check it after the `await`.
public func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// `runSwash`, awaited without holding a cooperative thread.
public func runSwashAsync(
    _ arguments: [String], home: URL, extraEnvironment: [String: String] = [:], in directory: URL? = nil
) async throws -> CommandResult {
    try await offCooperativePool { try runSwash(arguments, home: home, extraEnvironment: extraEnvironment, in: directory) }
}

/// `runProcess`, awaited without holding a cooperative thread.
public func runProcessAsync(
    _ executable: URL, _ arguments: [String], environment: [String: String], in directory: URL? = nil
) async throws -> CommandResult {
    try await offCooperativePool { try runProcess(executable, arguments, environment: environment, in: directory) }
}
