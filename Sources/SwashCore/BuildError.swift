import Foundation

/// Failures of compiling a provider with its toolchain (`cargo`, `swift`, `go`).
public enum BuildError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// A toolchain program is not on `PATH`, or not at its configured path; `advice` says how to get it or
    /// where to configure it.
    case toolNotFound(tool: String, configuredPath: String?, advice: String)
    /// A command could not be started, or its output could not be read.
    case toolLaunchFailed(command: String, reason: String)
    /// A command ran and ended unsuccessfully; `outputTail` holds the last lines of its output.
    case toolFailed(command: String, directory: String, exit: CommandExit, outputTail: [String])
    /// A command succeeded but its machine-readable output (`cargo metadata`, `swift package dump-package`,
    /// `--show-bin-path`) is not what swash expected.
    case toolOutputUnreadable(command: String, reason: String)
    /// No binary to package could be chosen: the project has no executable, or several and none was named.
    case executableUndetermined(language: String, directory: String, candidates: [String], advice: String)
    /// The build succeeded but the binary is not where the toolchain's own settings say it is.
    case builtBinaryMissing(command: String, path: String, advice: String)
    /// A configured target triple (`rust_target`, `[swift] triple`, `GOOS/GOARCH`) maps to no target name.
    case unknownTargetTriple(String, key: String)
    /// The language's toolchain has no known way to build for a target; `advice` says what to configure.
    case unsupportedTarget(target: String, language: String, advice: String)
    /// The Rust standard library for a cross triple is not installed.
    case rustTargetNotInstalled(triple: String, target: String, libraryDirectory: String)
    /// No Swift SDK for a target is configured or installed; `installed` lists what `swift sdk list` printed.
    case swiftSDKMissing(target: String, installed: [String])
    /// One target of a build of several failed; nothing was written.
    case targetFailed(target: String, index: Int, count: Int, reason: String)

    public var description: String {
        switch self {
        case .toolNotFound(let tool, let configuredPath, let advice):
            let place = configuredPath.map { "at \"\($0)\"" } ?? "on PATH"
            return "\(tool) not found \(place); \(advice)"
        case .toolLaunchFailed(let command, let reason):
            return "cannot run `\(command)`: \(reason)"
        case .toolFailed(let command, let directory, let exit, let outputTail):
            let heading = "`\(command)` failed (\(exit)) in \"\(directory)\""
            guard !outputTail.isEmpty else { return heading + " without any output" }
            let lines = outputTail.map { "    " + $0 }.joined(separator: "\n")
            let which = outputTail.count == 1 ? "line" : "\(outputTail.count) lines"
            return heading + "; the last \(which) of its output:\n" + lines
        case .toolOutputUnreadable(let command, let reason):
            return "cannot understand the output of `\(command)`: \(reason)"
        case .executableUndetermined(let language, let directory, let candidates, let advice):
            let what = candidates.isEmpty
                ? "found no executable to build"
                : "found several executables (\(candidates.joined(separator: ", ")))"
            return "\(what) in the \(language) project \"\(directory)\"; \(advice)"
        case .builtBinaryMissing(let command, let path, let advice):
            return "`\(command)` succeeded but the binary is not at \"\(path)\"; \(advice)"
        case .unsupportedTarget(let target, let language, let advice):
            return "swash cannot build the \(language) provider for \(target): \(advice)"
        case .rustTargetNotInstalled(let triple, let target, let directory):
            return "the Rust standard library for \(triple) (target \(target)) is not installed (nothing in \"\(directory)\"); run `rustup target add \(triple)`, or set [rust] targets = { \"\(target)\" = \"<triple>\" } to an installed one"
        case .swiftSDKMissing(let target, let installed):
            let listed = installed.isEmpty ? "`swift sdk list` shows none" : "installed: \(installed.joined(separator: ", "))"
            return "no Swift SDK for \(target) (\(listed)); install one with `swift sdk install <bundle URL or path>` (e.g. the Static Linux SDK from swift.org), or name one with [swift] sdks = { \"\(target)\" = \"<sdk id>\" } in wasmcloud.toml"
        case .targetFailed(let target, let index, let count, let reason):
            return "target \(target) (\(index) of \(count)) failed, so nothing was written and the previous archive is unchanged: \(reason)"
        case .unknownTargetTriple(let triple, let key):
            return "\(key) \"\(triple)\" is not a target triple swash can name (expected <arch>-<vendor>-<os>[-<env>], e.g. x86_64-unknown-linux-gnu or aarch64-apple-darwin); fix the value, or package the binary with `swash par create -a <arch>-<os>`"
        }
    }

    public var errorDescription: String? { description }
}
