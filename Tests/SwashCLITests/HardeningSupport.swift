import Foundation
import SwashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// Shared by the Hardening*.swift suites (issue 8): files of random bytes, file identities, swash killed at a
// chosen moment, and what may be left in a destination directory afterwards (docs/hardening.md).

/// Writes the `wasmcloud.toml` of a Rust provider project that `swash build --binary` packages without compiling.
/// - Parameters:
///   - build: the `build` directory, if not the default `<project>/build`.
///   - extra: more lines for the `[provider]` table.
func writeManifest(
    in directory: URL, name: String, version: String = "0.1.0", binName: String? = nil, build: String? = nil,
    extra: [String] = []
) throws {
    var lines = ["language = \"rust\"", "type = \"provider\"", "name = \"\(name)\"", "version = \"\(version)\""]
    if let build { lines.append("build = \"\(build)\"") }
    lines += ["", "[provider]", "vendor = \"swash-tests\""] + (binName.map { ["bin_name = \"\($0)\""] } ?? []) + extra
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: directory.appendingPathComponent("wasmcloud.toml"))
}

/// Writes `size` bytes from /dev/urandom to `url`.
func writeRandomFile(_ url: URL, size: Int) throws {
    let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
    defer { try? random.close() }
    FileManager.default.createFile(atPath: url.path, contents: nil)
    let out = try FileHandle(forWritingTo: url)
    defer { try? out.close() }
    var left = size
    while left > 0 {
        let chunk = try random.read(upToCount: min(left, 4 << 20)) ?? Data()
        try out.write(contentsOf: chunk)
        left -= chunk.count
    }
}

/// A file as the directory entry names it: a rename puts another inode there, a write in place changes
/// size or time. Equal identities mean the file was left alone.
struct FileIdentity: Equatable {
    var inode: UInt64
    var size: Int64
    var modified: Int64  // nanoseconds

    static func of(_ url: URL) -> FileIdentity? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        return FileIdentity(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}

/// The permission bits of a file (`0o600`, …).
func permissions(_ url: URL) -> Int {
    var info = stat()
    guard lstat(url.path, &info) == 0 else { return -1 }
    return Int(info.st_mode & 0o7777)
}

/// The environment `runSwash` gives the executable.
func swashEnvironment(home: URL, extra: [String: String] = [:]) -> [String: String] {
    ["HOME": home.path, "USER": "tester", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        .merging(extra) { $1 }
}

/// How a killed run went.
struct KilledRun {
    /// The run ended by itself before the kill.
    var finishedFirst: Bool
    /// Its exit status, when it did.
    var status: Int32?
    /// Seconds from the start to its end.
    var elapsed: TimeInterval
}

/// Runs swash and SIGKILLs it — with its whole process group, so a compiler it started dies too — `delay`
/// seconds after the start, unless it ended before. Output is discarded. Blocking: call off the pool.
func runSwashKilled(
    _ arguments: [String], environment: [String: String], in directory: URL, after delay: TimeInterval
) throws -> KilledRun {
    let process = Process()
    process.executableURL = swashExecutable
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = directory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let start = ProcessInfo.processInfo.systemUptime  // monotonic: the wall clock may be set back meanwhile
    try process.run()
    let pid = process.processIdentifier  // Foundation starts it in a process group of its own
    let deadline = start + delay
    while process.isRunning, ProcessInfo.processInfo.systemUptime < deadline { usleep(2_000) }
    let finishedFirst = !process.isRunning
    if !finishedFirst { kill(-pid, SIGKILL) }
    process.waitUntilExit()
    return KilledRun(
        finishedFirst: finishedFirst, status: finishedFirst ? process.terminationStatus : nil,
        elapsed: ProcessInfo.processInfo.systemUptime - start)
}

/// Seconds a successful, complete run takes (the kill window): the slowest of `runs` runs.
func measure(runs: Int = 1, _ run: () throws -> CommandResult) throws -> TimeInterval {
    var slowest: TimeInterval = 0
    for _ in 0..<runs {
        let start = ProcessInfo.processInfo.systemUptime
        let result = try run()
        guard result.status == 0 else { throw TestSupportError("the run to measure failed: \(result.stderr)") }
        slowest = max(slowest, ProcessInfo.processInfo.systemUptime - start)
    }
    return slowest
}

/// The names in `directory` that are neither `expected` nor hidden temporary files of one of them
/// (`.<name>.<random>.tmp` or `.partial`, docs/hardening.md).
func unexpectedFiles(in directory: URL, expected: Set<String>) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { name in
        !expected.contains(name) && !expected.contains { isTemporaryFile(name, of: $0) }
    }
}

/// Whether `name` is a temporary file swash writes before renaming it to `destination`.
func isTemporaryFile(_ name: String, of destination: String) -> Bool {
    let prefix = "." + destination + "."
    return name.hasPrefix(prefix) && (name.hasSuffix(".tmp") || name.hasSuffix(".partial"))
        && name.count > prefix.count + 4
}

/// The temporary files of `destination` in `directory`.
func temporaryFiles(in directory: URL, of destination: String) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { isTemporaryFile($0, of: destination) }
        .map { directory.appendingPathComponent($0) }
}

/// Makes files look untouched for an hour, so that the next run treats them as abandoned.
func backdate(_ urls: [URL]) throws {
    for url in urls {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: url.path)
    }
}

/// Whether `swash inspect -o json` finds the archive intact and validly signed.
func archiveVerifies(_ url: URL, home: URL) throws -> Bool {
    let result = try runSwash(["inspect", url.path, "-o", "json"], home: home)
    guard result.status == 0,
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    else { return false }
    return object["signature_valid"] as? Bool == true && object["success"] as? Bool == true
}

/// A tally of one command's kills, printed as the suite's record (docs/hardening.md).
struct KillTally: CustomStringConvertible {
    var command: String
    var kills = 0
    var finishedFirst = 0
    var unchanged = 0
    var replaced = 0
    /// Kills after which some of several files were complete and the others not yet made (key generation).
    var partlyDone = 0
    var leftTemporaries = 0
    var failures: [String] = []
    let started = Date()

    var description: String {
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        let partly = partlyDone > 0 ? ", \(partlyDone) the account key only" : ""
        return "kill test \(command): \(kills) kills (\(unchanged) left the previous file, \(replaced) the complete new one\(partly); "
            + "\(leftTemporaries) left a hidden temporary file), \(finishedFirst) runs finished before their kill, "
            + "\(failures.count) corrupt or partial; \(seconds) s"
    }
}

/// Kills per command for the kill suite: `SWASH_KILL_ITERATIONS` kills in all (default 200), shared out in
/// these proportions; at least one each.
enum KillPlan {
    static let total: Int = {
        let value = ProcessInfo.processInfo.environment["SWASH_KILL_ITERATIONS"].flatMap { Int($0) } ?? 200
        return max(value, 1)
    }()

    static let shares: [String: Double] = [
        "par create": 0.30, "par insert": 0.20, "build --binary": 0.20, "build (cargo)": 0.025, "pull": 0.15,
        "key generation": 0.125,
    ]

    static func kills(_ command: String) -> Int { max(1, Int((Double(total) * (shares[command] ?? 0)).rounded())) }
}

/// Whether this process may mount a tmpfs (root in a container that allows it); checked once.
let canMountTmpfs: Bool = {
    guard getuid() == 0, let mount = findProgram("mount"), findProgram("umount") != nil,
        let directory = try? makeTemporaryDirectory("tmpfs-probe")
    else { return false }
    defer { try? FileManager.default.removeItem(at: directory) }
    guard let result = try? runProcess(mount, ["-t", "tmpfs", "-o", "size=64k", "tmpfs", directory.path], environment: [:]),
        result.status == 0
    else { return false }
    _ = try? runProcess(findProgram("umount")!, [directory.path], environment: [:])
    return true
}()

/// Runs `body` with a fresh tmpfs of `size` (e.g. `"2m"`) mounted on a temporary directory, unmounted after,
/// whatever happens.
func withTmpfs<T>(size: String, _ body: (URL) async throws -> T) async throws -> T {
    let directory = try makeTemporaryDirectory("tmpfs")
    let mounted = try runProcess(try #require(findProgram("mount")), ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", directory.path], environment: [:])
    guard mounted.status == 0 else { throw TestSupportError("mount failed: \(mounted.stderr)") }
    defer {
        _ = try? runProcess(findProgram("umount")!, ["-l", directory.path], environment: [:])
        try? FileManager.default.removeItem(at: directory)
    }
    return try await body(directory)
}

/// Fills the file system holding `directory` until a write fails.
func fillFileSystem(_ directory: URL) throws {
    let url = directory.appendingPathComponent("filler")
    FileManager.default.createFile(atPath: url.path, contents: nil)
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    let block = Data(count: 64 << 10)
    while (try? handle.write(contentsOf: block)) != nil {}
    // A last smaller write takes what is left of a partial block.
    while (try? handle.write(contentsOf: Data(count: 512))) != nil {}
}

/// A swash process started with its output going to files, so that many can run at once without a thread
/// each to drain their pipes.
struct StartedSwash {
    let process: Process
    let stdout: URL
    let stderr: URL

    /// Starts swash now.
    init(_ arguments: [String], environment: [String: String], in directory: URL) throws {
        let outputs = try makeTemporaryDirectory("swash-output")
        stdout = outputs.appendingPathComponent("stdout")
        stderr = outputs.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process = Process()
        process.executableURL = swashExecutable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
    }

    /// Waits for it to end (blocking: call off the pool) and collects its output.
    func wait() throws -> CommandResult {
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: stdout.deletingLastPathComponent()) }
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: stdout), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderr), as: UTF8.self))
    }
}

/// Starts every command at once, then waits for all of them (off the cooperative pool).
func runSwashConcurrently(_ commands: [[String]], environment: [String: String], in directory: URL) async throws
    -> [CommandResult]
{
    try await offCooperativePool {
        let started = try commands.map { try StartedSwash($0, environment: environment, in: directory) }
        return try started.map { try $0.wait() }
    }
}

/// The JSON object a command printed.
func jsonObject(_ text: String) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
}
