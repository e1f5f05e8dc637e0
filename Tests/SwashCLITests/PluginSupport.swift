import Foundation
import SwashTestSupport
import Testing

/// A program on `PATH`, or `nil` (with a note on stderr) when it is not installed.
func programOnPath(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    FileHandle.standardError.write(Data("note: \(name) is not on PATH; the tests that need it are skipped\n".utf8))
    return nil
}

/// A temporary home and keys directory for one end-to-end run; the real `~/.wash` is never used.
struct Sandbox: Sendable {
    let root: URL
    let home: URL
    let keys: URL

    init(_ label: String) throws {
        root = try makeTemporaryDirectory(label)
        home = root.appendingPathComponent("home")
        keys = root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    /// `WASH_KEYS`, plus where rustup and cargo keep their toolchains: with `HOME` moved, rustup would
    /// otherwise find no default toolchain. Neither holds keys.
    var toolEnvironment: [String: String] {
        var environment = ["WASH_KEYS": keys.path, "CARGO_NET_OFFLINE": "true"]
        let real = ProcessInfo.processInfo.environment
        for (variable, folder) in [("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo")] {
            if let value = real[variable] ?? real["HOME"].map({ $0 + "/" + folder }) { environment[variable] = value }
        }
        return environment
    }

    /// Runs `swash` with `HOME` and `WASH_KEYS` pointing into the sandbox.
    func swash(_ arguments: [String], in directory: URL? = nil) async throws -> CommandResult {
        try await runSwashAsync(arguments, home: home, extraEnvironment: toolEnvironment, in: directory)
    }

    /// Runs a program with the sandbox's `HOME`, `USER=tester`, `WASH_KEYS` and the inherited `PATH`.
    /// - Parameter fromSource: sets `SWASH_PLUGIN_FROM_SOURCE`, so the plugin compiles its tool even when the
    ///   swash package holds a prebuilt artifact bundle (a developer's `make artifactbundle`).
    func run(_ program: URL, _ arguments: [String], in directory: URL, fromSource: Bool = true) async throws -> CommandResult {
        var environment = toolEnvironment
        environment["HOME"] = home.path
        environment["USER"] = "tester"
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if fromSource { environment["SWASH_PLUGIN_FROM_SOURCE"] = "1" }
        return try await runProcessAsync(program, arguments, environment: environment, in: directory)
    }

    /// Checks an archive the way a user would: `swash inspect -o json` must verify hashes and signature,
    /// and the issuer and service must be the keys in the sandbox's keys directory.
    /// - Returns: the inspect JSON and the packaged `x86_64-linux` binary.
    func verify(_ archive: URL, service: String) async throws -> (inspect: [String: Any], binary: Data) {
        let inspected = try await swash(["inspect", archive.path, "-o", "json"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        #expect(object["signature_valid"] as? Bool == true)
        #expect(object["targets"] as? [String] == ["x86_64-linux"])

        let listed = try await swash(["keys", "list", "-d", keys.path, "-o", "json"])
        let keyList = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let publicKeys = try #require(keyList["public_keys"] as? [String: String])
        let publicKey = { (name: String) in publicKeys[name] }
        #expect(object["issuer"] as? String != nil && object["issuer"] as? String == publicKey("tester_account"))
        #expect(object["service"] as? String != nil && object["service"] as? String == publicKey("\(service)_service"))

        let extracted = try makeTemporaryDirectory("swash-extract")
        let tar = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"), ["tar", "-xzf", archive.path, "-C", extracted.path, "x86_64-linux.bin"],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(tar.status == 0, "\(tar.stderr)")
        return (object, try Data(contentsOf: extracted.appendingPathComponent("x86_64-linux.bin")))
    }
}

/// `data` (the packaged binary) is byte-identical to the file at `path`.
func isSameFile(_ data: Data, _ path: URL) -> Bool {
    (try? Data(contentsOf: path)) == data && !data.isEmpty
}

/// A shared fixture could not be set up; every test that needs it fails with this message.
struct SetupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
