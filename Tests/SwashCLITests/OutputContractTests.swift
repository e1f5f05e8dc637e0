import Foundation
import SwashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a `sh` script in `home` with swash's test environment, the swash binary as `$SWASH`.
private func runShell(_ script: String, home: URL) throws -> CommandResult {
    try runProcess(
        URL(fileURLWithPath: "/bin/sh"), ["-c", "SWASH=\"$0\"; \(script)", swashExecutable.path],
        environment: swashEnvironment(home: home), in: home)
}

/// The output contract when the terminal or pipe misbehaves, interrupts, untrusted text, usage errors in JSON,
/// and what a terminal shows (issue 12).
@Suite("Output contract")
struct OutputContractTests {
    /// Runs `swash ARGS REDIRECTIONS` through `sh`, printing `status=N` (128+signal when a signal ended it).
    func shell(_ arguments: String, home: URL) throws -> CommandResult {
        try runShell("\"$SWASH\" \(arguments); echo status=$?", home: home)
    }

    @Test func closedOrFullStderrNeverCrashes() async throws {
        let home = try makeTemporaryDirectory()
        for redirection in ["2>&-", "2>/dev/full"] {
            let result = try await offCooperativePool { try shell("inspect missing.par.gz \(redirection)", home: home) }
            #expect(result.stdout == "status=1\n", "\(redirection): \(result)")
        }
        // A command that succeeds still says so by its exit code when it cannot talk.
        let quiet = try await offCooperativePool { try shell("keys list 2>&- >/dev/null", home: home) }
        #expect(quiet.stdout == "status=0\n")
    }

    @Test func outputThatIsTheOnlyProductFailsWhenItCannotBeWritten() async throws {
        let home = try makeTemporaryDirectory()
        for redirection in [">/dev/full", ">&-"] {
            let result = try await offCooperativePool { try shell("keys gen account \(redirection)", home: home) }
            let reason = redirection == ">&-" ? "Bad file descriptor" : "No space left on device"
            #expect(result.stdout == "status=1\n", "\(redirection)")
            #expect(result.stderr == "error: cannot write to standard output: \(reason)\n", "\(redirection)")
        }
        let inspect = try await offCooperativePool { try shell("inspect nope.par.gz -o json >/dev/full 2>/dev/null", home: home) }
        #expect(inspect.stdout == "status=1\n")
    }

    @Test func badReferenceIsAJSONUsageError() async throws {
        let home = try makeTemporaryDirectory()
        let result = try await runSwashAsync(["pull", "BAD REF", "-o", "json"], home: home)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        let object = try #require(jsonObject(result.stderr), "\(result.stderr)")
        #expect(object["success"] as? Bool == false)
        #expect((object["error"] as? String)?.contains("invalid OCI reference \"BAD REF\": it contains whitespace") == true)
        // The same error in text mode is ArgumentParser's usage error.
        let text = try await runSwashAsync(["pull", "BAD REF"], home: home)
        #expect(text.status == 64 && text.stderr.hasPrefix("Error: "))
        // A usage error found after parsing (annotations) honours -o json too.
        let annotation = try await runSwashAsync(["push", "localhost:5000/p:1", "x.par.gz", "-a", "novalue", "-o", "json"], home: home)
        #expect(annotation.status == 64)
        #expect(jsonObject(annotation.stderr)?["error"] as? String == "-a/--annotation: \"novalue\" is not of the form key=value")
    }

    static let hostile = "\u{1B}]0;X\u{07}\u{1B}[2J"
    static let shown = "\\u{1B}]0;X\\u{7}\\u{1B}[2J"

    @Test func namesFromArchivesPrintEscaped() async throws {
        let home = try makeTemporaryDirectory()
        try writeRandomFile(home.appendingPathComponent("prov"), size: 1000)
        let created = try await runSwashAsync(
            ["par", "create", "-n", Self.hostile + "Demo", "-v", "v\nfake line", "-b", "prov", "--compress"], home: home)
        #expect(created.status == 0, "\(created.stderr)")
        let inspect = try await runSwashAsync(["inspect", "prov.par.gz"], home: home)
        #expect(inspect.status == 0)
        #expect(!inspect.stdout.contains("\u{1B}") && !inspect.stdout.contains("\u{07}"))
        #expect(inspect.stdout.hasPrefix("\(Self.shown)Demo - Capability Provider\n"))
        #expect(inspect.stdout.contains("  Vendor     v\\u{A}fake line\n"))
        // JSON carries the real text, escaped by JSON itself.
        let json = try await runSwashAsync(["inspect", "prov.par.gz", "-o", "json"], home: home)
        #expect(jsonObject(json.stdout)?["name"] as? String == Self.hostile + "Demo")
        #expect(!json.stdout.contains("\u{1B}"))
    }

    @Test func registryErrorBodiesPrintEscaped() async throws {
        let home = try makeTemporaryDirectory()
        let plain = try StubHTTPServer { _ in
            StubResponse(status: 400, body: Data("\(OutputContractTests.hostile)\nSuccessfully pulled everything".utf8))
        }
        defer { plain.stop() }
        let result = try await runSwashAsync(["pull", "\(plain.address)/demo/p:1", "--insecure"], home: home)
        #expect(result.status == 1)
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{07}"))
        #expect(result.stderr.contains("HTTP 400 to GET manifest 1: \(Self.shown)\\u{A}Successfully pulled everything"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)

        let structured = try StubHTTPServer { _ in
            let body = #"{"errors":[{"code":"DENIED","message":"\u001b]0;X\u0007\u001b[2J"}]}"#
            return StubResponse(status: 403, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        }
        defer { structured.stop() }
        let denied = try await runSwashAsync(["pull", "\(structured.address)/demo/p:1", "--insecure", "-o", "json"], home: home)
        #expect(denied.status == 1)
        #expect(!denied.stderr.contains("\u{1B}"))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func interruptedCreateLeavesNoTemporaryFileAndThePreviousArchive(_ signal: Int32) async throws {
        let home = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let small = home.appendingPathComponent("small/prov")
        try FileManager.default.createDirectory(at: small.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeRandomFile(small, size: 4096)
        let big = home.appendingPathComponent("big/prov")
        try FileManager.default.createDirectory(at: big.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeRandomFile(big, size: 200 << 20)
        let out = home.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let archive = out.appendingPathComponent("prov.par.gz")
        let first = try await runSwashAsync(
            ["par", "create", "-n", "N", "-v", "V", "-b", small.path, "--compress", "--destination", archive.path], home: home)
        #expect(first.status == 0, "\(first.stderr)")
        let previous = try Data(contentsOf: archive)

        let environment = swashEnvironment(home: home)
        let ended = try await offCooperativePool { () -> (Process.TerminationReason, Int32, Bool) in
            let started = try StartedSwash(
                ["par", "create", "-n", "N", "-v", "V", "-b", big.path, "--compress", "--destination", archive.path],
                environment: environment, in: home)
            // Interrupt while the temporary file is being written.
            let deadline = Date().addingTimeInterval(60)
            var sawTemporary = false
            while started.process.isRunning, Date() < deadline {
                if let names = try? FileManager.default.contentsOfDirectory(atPath: out.path),
                    names.contains(where: { isTemporaryFile($0, of: "prov.par.gz") })
                {
                    sawTemporary = true
                    break
                }
                usleep(5_000)
            }
            usleep(100_000)
            kill(started.process.processIdentifier, signal)
            _ = try started.wait()
            return (started.process.terminationReason, started.process.terminationStatus, sawTemporary)
        }
        #expect(ended.2, "the temporary file appeared before the signal")
        #expect(ended.0 == .uncaughtSignal && ended.1 == signal, "ended by the signal itself: \(ended.0.rawValue) \(ended.1)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["prov.par.gz"])
        #expect(try Data(contentsOf: archive) == previous)
    }

    /// On a terminal the status line is redrawn in place; the first-run key notice, printed while the packaging
    /// phase shows, must clear it and take a line of its own.
    @Test func keygenNoticeAndStatusLineNeverShareALine() async throws {
        guard let script = findProgram("script") else {
            Issue.record("script (bsdutils) is not installed")
            return
        }
        let home = try makeTemporaryDirectory()
        let project = home.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try writeManifest(in: project, name: "Tty", binName: "tty-provider")
        try writeRandomFile(project.appendingPathComponent("artifact"), size: 64 << 10)
        let command = "'\(swashExecutable.path)' build --binary artifact"
        let environment = swashEnvironment(home: home, extra: ["TERM": "xterm"])
        let result = try await offCooperativePool {
            try runProcess(script, ["-qec", command, "/dev/null"], environment: environment, in: project)
        }
        #expect(result.status == 0, "\(result.stdout)")
        let output = result.stdout
        #expect(output.contains("⠋ packaging tty-provider.par.gz"), "a status line was drawn: \(output.debugDescription)")
        let clear = "\r\u{1B}[2K"
        // The pty turns each "\n" into "\r\n"; drop that "\r" to see what each line holds.
        let lines = output.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        let noticeLines = lines.filter { $0.contains("No keypair found") }
        #expect(noticeLines.count == 2, "\(output.debugDescription)")
        for line in noticeLines {
            let before = line.components(separatedBy: "No keypair found")[0]
            #expect(before.isEmpty || before.hasSuffix(clear), "the notice starts a cleared line: \(line.debugDescription)")
            let visible = line.components(separatedBy: "\r").last ?? ""
            #expect(!visible.contains("packaging"), "\(line.debugDescription)")
        }
    }
}

/// Every kind of output swash writes, under `umask 000`: modes, the one temporary naming scheme, and the sweep of
/// what a killed run abandoned.
@Suite("Outputs under umask 000")
struct UmaskOutputTests {
    func shell(_ script: String, home: URL) throws -> CommandResult {
        try runShell("umask 000; \(script)", home: home)
    }

    @Test func modesNamesAndTheSweep() async throws {
        let home = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try writeRandomFile(home.appendingPathComponent("prov"), size: 64 << 20)

        // Keys (0600 in 0700 directories) and an archive (0644, not 0666).
        let created = try await offCooperativePool { try shell(#""$SWASH" par create -n N -v V -b prov --compress"#, home: home) }
        #expect(created.status == 0, "\(created.stderr)")
        let keys = home.appendingPathComponent(".wash/keys")
        #expect(permissions(home.appendingPathComponent(".wash")) == 0o700)
        #expect(permissions(keys) == 0o700)
        #expect(permissions(keys.appendingPathComponent("tester_account.nk")) == 0o600)
        #expect(permissions(keys.appendingPathComponent("prov_service.nk")) == 0o600)
        #expect(permissions(home.appendingPathComponent("prov.par.gz")) == 0o644)

        // A new project: directories 0755, files 0644.
        let project = try await offCooperativePool { try shell(#""$SWASH" new provider demo --template rust"#, home: home) }
        #expect(project.status == 0, "\(project.stderr)")
        #expect(permissions(home.appendingPathComponent("demo")) == 0o755)
        #expect(permissions(home.appendingPathComponent("demo/src/main.rs")) == 0o644)

        // A run killed while writing leaves its temporary file under the one naming scheme, 0644 like the archive.
        let environment = swashEnvironment(home: home)
        var leftover: [URL] = []
        for delay in [0.3, 0.6, 1.0, 1.5] where leftover.isEmpty {
            let arguments = ["par", "create", "-n", "N", "-v", "V", "-b", "prov", "--compress"]
            _ = try await offCooperativePool {
                try runProcess(
                    URL(fileURLWithPath: "/bin/sh"),
                    ["-c", "umask 000; exec \"$0\" \"$@\" & pid=$!; sleep \(delay); kill -9 $pid; wait $pid; true", swashExecutable.path]
                        + arguments,
                    environment: environment, in: home)
            }
            leftover = try temporaryFiles(in: home, of: "prov.par.gz")
        }
        let killed = try #require(leftover.first, "a SIGKILL during the write left a temporary file")
        #expect(killed.lastPathComponent.range(of: #"^\.prov\.par\.gz\.[0-9a-z]+\.tmp$"#, options: .regularExpression) != nil)
        #expect(permissions(killed) == 0o644)

        // Abandoned temporaries of every kind — an archive's, a key's, a staged project, a go build's (0.1's
        // `.partial` included) — go with the next write of their destination once untouched for 10 minutes.
        let keyTemporary = keys.appendingPathComponent(".prov_service.nk.abc123.tmp")
        try Data("seed".utf8).write(to: keyTemporary)
        let staged = home.appendingPathComponent(".demo2.k3y.tmp")
        try FileManager.default.createDirectory(at: staged.appendingPathComponent("src"), withIntermediateDirectories: true)
        let goPartial = home.appendingPathComponent(".prov.par.gz.0B8E6F9A-6C1B-4F5E-9D2A-1A2B3C4D5E6F.partial")
        try Data("go".utf8).write(to: goPartial)
        try backdate(leftover + [keyTemporary, staged, goPartial])
        let again = try await offCooperativePool { try shell(#""$SWASH" par create -n N -v V -b prov --compress"#, home: home) }
        #expect(again.status == 0)
        let newProject = try await offCooperativePool { try shell(#""$SWASH" new provider demo2 --template rust"#, home: home) }
        #expect(newProject.status == 0)
        for url in leftover + [keyTemporary, staged, goPartial] {
            #expect(!FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent) was swept")
        }
    }
}
