import Foundation
import SwashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL at random moments (issue 8): each command runs once to completion to measure how long it takes, then
/// is killed again and again at a moment drawn uniformly from that window (plus 10 %), on inputs big enough
/// that most kills land while the archive is being written. After every kill the destination must hold the
/// previous file, untouched, or the complete new one (which verifies); nothing else may appear beside it but
/// hidden temporary files, which the next run removes once they are abandoned (here: backdated an hour).
///
/// `SWASH_KILL_ITERATIONS` sets the number of kills in all (default 200; see `KillPlan`). Each test prints its
/// tally and wall time.
@Suite("Hardening: SIGKILL at random moments", .serialized)
struct HardeningKillTests {
    /// A directory of inputs and keys, and an output directory that holds nothing but what swash writes.
    struct Workspace {
        let home: URL
        let output: URL
        let keys: URL

        init(_ label: String) throws {
            home = try makeTemporaryDirectory("kill-\(label)")
            output = home.appendingPathComponent("out")
            keys = home.appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        }

        var environment: [String: String] { swashEnvironment(home: home) }

        /// Whether an archive verifies (`swash inspect`).
        func archiveIsComplete(_ url: URL) throws -> Bool { try archiveVerifies(url, home: home) }

        func remove() { try? FileManager.default.removeItem(at: home) }
    }

    /// Kills `arguments` until `kills` kills have happened, checking `destination` after each run.
    /// - Parameters:
    ///   - window: how long a complete run takes; kill moments are drawn from 0…1.1 × window. A run that ends
    ///     before its kill sets the window to its own duration (the first measure may have run under more load).
    ///   - isComplete: whether a file that replaced the previous one is the complete, valid new one.
    ///   - prepare: runs before each attempt (e.g. touching a source file).
    static func killRepeatedly(
        _ tally: inout KillTally, kills: Int, arguments: [String], workspace: Workspace, destination: URL,
        window: TimeInterval, environment: [String: String]? = nil, isComplete: (URL) throws -> Bool,
        prepare: () throws -> Void = {}
    ) throws {
        let name = destination.lastPathComponent
        var window = window
        var attempts = 0
        while tally.kills < kills, attempts < kills * 3 {
            attempts += 1
            try prepare()
            let before = FileIdentity.of(destination)
            let run = try runSwashKilled(
                arguments, environment: environment ?? workspace.environment, in: workspace.home,
                after: Double.random(in: 0...(window * 1.1)))
            let after = FileIdentity.of(destination)
            if run.finishedFirst {
                window = run.elapsed
                tally.finishedFirst += 1
                if run.status != 0 { tally.failures.append("a run that was not killed failed (\(run.status ?? -1))") }
            } else {
                tally.kills += 1
            }
            if after == before {
                if !run.finishedFirst { tally.unchanged += 1 }
            } else if after == nil {
                tally.failures.append("kill \(tally.kills): the previous \(name) is gone")
            } else if try isComplete(destination) {
                if !run.finishedFirst { tally.replaced += 1 }
            } else {
                tally.failures.append("kill \(tally.kills): \(name) is corrupt or partial")
            }
            let stray = try unexpectedFiles(in: destination.deletingLastPathComponent(), expected: [name])
            if !stray.isEmpty { tally.failures.append("kill \(tally.kills): stray files \(stray)") }
            let temporaries = try temporaryFiles(in: destination.deletingLastPathComponent(), of: name)
            if !temporaries.isEmpty {
                tally.leftTemporaries += 1
                try backdate(temporaries)  // abandoned: the next run that gets far enough removes them
            }
        }
    }

    /// After the kills: one complete run succeeds, writes a valid file and leaves no temporary file behind
    /// (the abandoned ones are removed). Failures go to the tally, which is printed.
    static func finishCleanly(
        _ tally: inout KillTally, arguments: [String], workspace: Workspace, destination: URL,
        environment: [String: String]? = nil, isComplete: (URL) throws -> Bool
    ) throws {
        let result = try runProcess(
            swashExecutable, arguments, environment: environment ?? workspace.environment, in: workspace.home)
        if result.status != 0 { tally.failures.append("the last, complete run failed: \(result.stderr)") }
        if try !isComplete(destination) { tally.failures.append("the last, complete run left no valid file") }
        let left = try temporaryFiles(in: destination.deletingLastPathComponent(), of: destination.lastPathComponent)
        if !left.isEmpty { tally.failures.append("abandoned temporary files were not removed: \(left.map(\.lastPathComponent))") }
        print(tally)
    }

    /// Measures one complete run, kills `kills` more at random moments, then checks a last complete run.
    static func measureKillAndFinish(
        _ tally: inout KillTally, kills: Int, arguments: [String], workspace: Workspace, destination: URL,
        environment: [String: String]? = nil, isComplete: (URL) throws -> Bool, prepare: () throws -> Void = {}
    ) throws {
        let environment = environment ?? workspace.environment
        let window = try measure {
            try prepare()
            return try runProcess(swashExecutable, arguments, environment: environment, in: workspace.home)
        }
        try killRepeatedly(
            &tally, kills: kills, arguments: arguments, workspace: workspace, destination: destination, window: window,
            environment: environment, isComplete: isComplete, prepare: prepare)
        try prepare()
        try finishCleanly(
            &tally, arguments: arguments, workspace: workspace, destination: destination, environment: environment,
            isComplete: isComplete)
    }

    /// Runs the blocking kill loop off the cooperative pool, then checks its tally here, where Swift Testing
    /// knows the current test (an expectation on a Dispatch thread is not attributed to it).
    static func expectNoFailures(_ work: @escaping @Sendable () throws -> KillTally) async throws {
        let tally = try await offCooperativePool(work)
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        #expect(tally.kills >= KillPlan.kills(tally.command), "only \(tally.kills) kills landed")
    }

    @Test func parCreate() async throws {
        let workspace = try Workspace("create")
        defer { workspace.remove() }
        try await Self.expectNoFailures {
            var total = KillTally(command: "par create")
            let kills = KillPlan.kills("par create")
            // Half the kills on a plain .par of a 32 MiB binary, half on a .par.gz of a 16 MiB one (slower to write).
            for (size, compress) in [(32 << 20, false), (16 << 20, true)] {
                var tally = KillTally(command: "par create" + (compress ? " --compress (16 MiB)" : " (32 MiB)"))
                let binary = workspace.home.appendingPathComponent("provider-\(size >> 20)")
                try writeRandomFile(binary, size: size)
                let output = workspace.output.appendingPathComponent(compress ? "gz" : "plain")
                try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
                let destination = output.appendingPathComponent("provider.par" + (compress ? ".gz" : ""))
                let arguments = ["par", "create", "-n", "Killed", "-v", "swash", "-b", binary.path, "-d", workspace.keys.path,
                    "--destination", destination.path] + (compress ? ["--compress"] : [])
                try Self.measureKillAndFinish(
                    &tally, kills: compress ? kills - kills / 2 : kills / 2, arguments: arguments, workspace: workspace,
                    destination: destination, isComplete: workspace.archiveIsComplete)
                total.kills += tally.kills
                total.failures += tally.failures
            }
            return total
        }
    }

    @Test func parInsert() async throws {
        let workspace = try Workspace("insert")
        defer { workspace.remove() }
        try await Self.expectNoFailures {
            var tally = KillTally(command: "par insert")
            let base = workspace.home.appendingPathComponent("base")
            let added = workspace.home.appendingPathComponent("added")
            try writeRandomFile(base, size: 32 << 20)
            try writeRandomFile(added, size: 16 << 20)
            let archive = workspace.output.appendingPathComponent("provider.par")
            let create = try runSwash(
                ["par", "create", "-n", "Killed", "-v", "swash", "-b", base.path, "-d", workspace.keys.path,
                 "--destination", archive.path], home: workspace.home)
            if create.status != 0 { tally.failures.append("par create failed: \(create.stderr)") }
            let arguments = ["par", "insert", archive.path, "-b", added.path, "-a", "aarch64-linux", "-d", workspace.keys.path]
            try Self.measureKillAndFinish(
                &tally, kills: KillPlan.kills("par insert"), arguments: arguments, workspace: workspace,
                destination: archive, isComplete: workspace.archiveIsComplete)
            return tally
        }
    }

    @Test func buildWithBinary() async throws {
        let workspace = try Workspace("build")
        defer { workspace.remove() }
        try await Self.expectNoFailures {
            var tally = KillTally(command: "build --binary")
            let binary = workspace.home.appendingPathComponent("big-provider")
            try writeRandomFile(binary, size: 16 << 20)
            try writeManifest(in: workspace.home, name: "Big Provider", binName: "big-provider", build: "out")
            let destination = workspace.output.appendingPathComponent("big-provider.par.gz")
            let arguments = ["build", "-p", workspace.home.path, "--binary", binary.path, "-d", workspace.keys.path]
            try Self.measureKillAndFinish(
                &tally, kills: KillPlan.kills("build --binary"), arguments: arguments, workspace: workspace,
                destination: destination, isComplete: workspace.archiveIsComplete)
            return tally
        }
    }

    /// A few kills during a real `cargo build` of the Rust example (the source is touched before each run,
    /// so cargo compiles again); the process group goes, cargo and rustc with swash.
    @Test(.enabled(if: BuildCommandTests.hasTool("cargo")))
    func buildWithCargo() async throws {
        let project = try BuildCommandTests.copyExample("rust-provider")
        let workspace = try Workspace("cargo")
        defer {
            workspace.remove()
            try? FileManager.default.removeItem(at: project.deletingLastPathComponent())
        }
        try await Self.expectNoFailures {
            var tally = KillTally(command: "build (cargo)")
            let environment = workspace.environment.merging(BuildCommandTests.toolchainEnvironment) { $1 }
            let build = project.appendingPathComponent("build")
            let destination = build.appendingPathComponent("example-rust-provider.par.gz")
            let arguments = ["build", "-p", project.path, "-d", workspace.keys.path]
            let source = project.appendingPathComponent("src/main.rs")
            let touch = { try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: source.path) }
            try Self.measureKillAndFinish(
                &tally, kills: KillPlan.kills("build (cargo)"), arguments: arguments, workspace: workspace,
                destination: destination, environment: environment, isComplete: workspace.archiveIsComplete, prepare: touch)
            return tally
        }
    }

    @Test(.enabled(if: RegistryServer.isAvailable))
    func pull() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let workspace = try Workspace("pull")
        defer { workspace.remove() }
        let pushed = try await makeTestArchive(in: workspace.home, size: 16 << 20)
        let reference = "\(registry.address)/hardening/killed:1.0.0"
        let push = try await runSwashAsync(["push", reference, pushed.path, "--insecure"], home: workspace.home)
        #expect(push.status == 0, "\(push.stderr)")
        try await Self.expectNoFailures {
            var tally = KillTally(command: "pull")
            let expected = sha256Hex(of: pushed)
            let destination = workspace.output.appendingPathComponent("killed.par.gz")
            let arguments = ["pull", reference, "--insecure", "--destination", destination.path]
            try Self.measureKillAndFinish(
                &tally, kills: KillPlan.kills("pull"), arguments: arguments, workspace: workspace,
                destination: destination, isComplete: { sha256Hex(of: $0) == expected })
            return tally
        }
    }

    /// First-run key generation: each attempt starts with an empty keys directory; a key file that exists
    /// after the kill is complete (58 characters, no newline, a valid seed of its type) and 0600, in a 0700
    /// directory, and nothing but hidden temporary files lies beside it.
    @Test func keyGeneration() async throws {
        let workspace = try Workspace("keys")
        defer { workspace.remove() }
        try await Self.expectNoFailures {
            var tally = KillTally(command: "key generation")
            let binary = workspace.home.appendingPathComponent("tiny")
            try writeRandomFile(binary, size: 1024)
            let names = ["tester_account.nk": "SA", "tiny_service.nk": "SV"]
            func arguments(_ keys: URL) -> [String] {
                ["par", "create", "-n", "K", "-v", "swash", "-b", binary.path, "-d", keys.path,
                 "--destination", workspace.output.appendingPathComponent("tiny.par").path]
            }
            var window = try measure {
                try runSwash(arguments(workspace.home.appendingPathComponent("keys-\(UUID().uuidString)")), home: workspace.home)
            }
            var attempt = 0
            while tally.kills < KillPlan.kills("key generation"), attempt < 200 {
                attempt += 1
                let keys = workspace.home.appendingPathComponent("keys-\(attempt)")
                let run = try runSwashKilled(
                    arguments(keys), environment: workspace.environment, in: workspace.home,
                    after: Double.random(in: 0...(window * 1.1)))
                if run.finishedFirst {
                    window = run.elapsed  // as in killRepeatedly
                    tally.finishedFirst += 1
                } else {
                    tally.kills += 1
                }
                guard FileManager.default.fileExists(atPath: keys.path) else {
                    if !run.finishedFirst { tally.unchanged += 1 }
                    continue
                }
                if permissions(keys) != 0o700 { tally.failures.append("\(keys.lastPathComponent) has mode \(String(permissions(keys), radix: 8))") }
                let present = names.keys.filter { FileManager.default.fileExists(atPath: keys.appendingPathComponent($0).path) }
                for name in present {
                    let file = keys.appendingPathComponent(name)
                    let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
                    if text.count != 58 || !text.hasPrefix(names[name]!) || permissions(file) != 0o600 {
                        tally.failures.append("\(name) after kill \(tally.kills): \(text.count) characters, mode \(String(permissions(file), radix: 8))")
                    }
                }
                let listed = try runSwash(["keys", "list", "-d", keys.path, "-o", "json"], home: workspace.home)
                let object = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
                let listedNames = object?["keys"] as? [String]
                let publicKeys = object?["public_keys"] as? [String: String] ?? [:]
                if listedNames?.count != present.count || listedNames?.contains(where: { publicKeys[$0] == nil }) != false {
                    tally.failures.append("keys list after kill \(tally.kills): \(listed.stdout)")
                }
                let stray = try unexpectedFiles(in: keys, expected: Set(names.keys))
                if !stray.isEmpty { tally.failures.append("stray files in \(keys.lastPathComponent): \(stray)") }
                if !run.finishedFirst {
                    if present.count == names.count { tally.replaced += 1 } else if present.isEmpty { tally.unchanged += 1 } else { tally.partlyDone += 1 }
                }
                if stray.isEmpty, names.keys.contains(where: { name in (try? temporaryFiles(in: keys, of: name))?.isEmpty == false }) {
                    tally.leftTemporaries += 1
                }
            }
            print(tally)
            return tally
        }
    }
}
