import Foundation
import SwashTestSupport
import Testing

/// Seeds never reach the output (issue 8): every failure path reachable with a known seed — given by `-i/-s`,
/// `WASH_ISSUER_KEY`/`WASH_SUBJECT_KEY`, or key files, valid, mangled or of the wrong type — in text and JSON
/// mode and in `build --verbose`, and the successful runs too. Only `keys gen` and `keys get` print seeds.
/// Key files are 0600 and key directories 0700 even under `umask 000`.
@Suite("Hardening: secrets", .serialized)
struct HardeningSecretsTests {
    /// Known seeds, made by `swash keys gen`.
    struct Seeds {
        let account: String
        let otherAccount: String
        let service: String
        let user: String

        var all: [String] { [account, otherAccount, service, user] }

        init(home: URL) throws {
            func generate(_ type: String) throws -> String {
                let result = try runSwash(["keys", "gen", type, "-o", "json"], home: home)
                guard let seed = jsonObject(result.stdout)?["seed"] as? String else { throw TestSupportError("keys gen: \(result.stderr)") }
                return seed
            }
            account = try generate("account")
            otherAccount = try generate("account")
            service = try generate("service")
            user = try generate("user")
        }
    }

    /// Values derived from a seed that a user might mistype or mangle.
    static func mangled(_ seed: String) -> [String] {
        let characters = Array(seed)
        var changed = characters
        changed[30] = changed[30] == "A" ? "B" : "A"  // checksum mismatch
        return [
            String(changed), String(seed.dropLast()), String(seed.prefix(39)), String(seed.prefix(25)), seed.lowercased(),
            seed + "X", " \(seed)\n\n", "\(seed)\(seed)", String(seed.dropFirst(2)), "x" + seed, seed + "/",
            String(seed.prefix(29)) + "1" + String(seed.dropFirst(30)),  // a character outside base32
        ]
    }

    /// The 20-character windows of `seed` that appear (case-insensitively) in `text`.
    static func leaks(of seed: String, in text: String) -> [String] {
        let upper = text.uppercased()
        let characters = Array(seed.uppercased())
        return (0...(characters.count - 20)).map { String(characters[$0..<$0 + 20]) }.filter { upper.contains($0) }
    }

    /// One command to run and what its output must not contain.
    struct Case {
        var label: String
        var arguments: [String]
        var environment: [String: String] = [:]
    }

    /// Runs every case in text and JSON mode and reports the ones whose output holds part of a seed.
    static func expectNoSeedInOutput(_ cases: [Case], seeds: [String], home: URL) async throws {
        let findings = try await offCooperativePool { () -> [String] in
            var findings: [String] = []
            for item in cases {
                for json in [false, true] {
                    let result = try runSwash(item.arguments + (json ? ["-o", "json"] : []), home: home, extraEnvironment: item.environment)
                    for seed in seeds {
                        let found = leaks(of: seed, in: result.stdout + "\n" + result.stderr)
                        if !found.isEmpty {
                            findings.append("\(item.label)\(json ? " (json)" : ""), exit \(result.status): \(found.count) windows of a seed in: \(result.stderr)\(result.stdout)")
                        }
                    }
                }
            }
            return findings
        }
        #expect(findings.isEmpty, "\(findings.joined(separator: "\n"))")
    }

    @Test func seedsNeverAppearInOutput() async throws {
        let home = try makeTemporaryDirectory("secrets")
        defer { try? FileManager.default.removeItem(at: home) }
        let seeds = try await offCooperativePool { try Seeds(home: home) }
        let binary = home.appendingPathComponent("provider")
        try writeRandomFile(binary, size: 4096)
        let files = home.appendingPathComponent("seed-files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        func seedFile(_ name: String, _ content: String) throws -> String {
            let url = files.appendingPathComponent(name)
            try Data(content.utf8).write(to: url)
            return url.path
        }
        let create = ["par", "create", "-n", "Secret", "-v", "swash", "-b", binary.path, "--destination", home.appendingPathComponent("out.par").path]
        let keys = home.appendingPathComponent("keys")
        var cases: [Case] = [
            Case(label: "valid -i/-s", arguments: create + ["-i", seeds.account, "-s", seeds.service]),
            Case(label: "valid env", arguments: create, environment: ["WASH_ISSUER_KEY": seeds.account, "WASH_SUBJECT_KEY": seeds.service]),
            Case(label: "service as -i", arguments: create + ["-i", seeds.service]),
            Case(label: "user as -s", arguments: create + ["-i", seeds.account, "-s", seeds.user]),
            Case(label: "account as -s", arguments: create + ["-s", seeds.account, "-d", keys.path]),
            Case(label: "user as env issuer", arguments: create, environment: ["WASH_ISSUER_KEY": seeds.user]),
            Case(label: "service file as -i", arguments: create + ["-i", try seedFile("service.nk", seeds.service)]),
            Case(label: "missing binary with seeds", arguments: create.map { $0 == binary.path ? "/nonexistent" : $0 } + ["-i", seeds.account]),
            Case(label: "unwritable destination", arguments: create.map { $0.hasSuffix("out.par") ? "/nonexistent/dir/out.par" : $0 } + ["-i", seeds.account, "-s", seeds.service]),
            Case(label: "disable-keygen with env seed", arguments: create + ["--disable-keygen", "-d", home.appendingPathComponent("none").path], environment: ["WASH_SUBJECT_KEY": seeds.service]),
        ]
        for (index, value) in (Self.mangled(seeds.account) + Self.mangled(seeds.service)).enumerated() {
            cases.append(Case(label: "mangled -i #\(index)", arguments: create + ["-i", value, "-s", seeds.service]))
            cases.append(Case(label: "mangled -s #\(index)", arguments: create + ["-i", seeds.account, "-s", value]))
            cases.append(Case(label: "mangled env #\(index)", arguments: create, environment: ["WASH_ISSUER_KEY": value]))
            cases.append(Case(label: "mangled file #\(index)", arguments: create + ["-i", try seedFile("mangled-\(index).nk", value)]))
        }
        // Key files in the keys directory: mangled, of the wrong type; `keys list` reads them all.
        let badKeys = home.appendingPathComponent("bad-keys")
        try FileManager.default.createDirectory(at: badKeys, withIntermediateDirectories: true)
        try Data(Self.mangled(seeds.account)[0].utf8).write(to: badKeys.appendingPathComponent("tester_account.nk"))
        try Data(seeds.user.utf8).write(to: badKeys.appendingPathComponent("provider_service.nk"))
        try Data((seeds.service + "\n" + seeds.account).utf8).write(to: badKeys.appendingPathComponent("two_seeds.nk"))
        cases += [
            Case(label: "mangled account file", arguments: create + ["-d", badKeys.path]),
            Case(label: "user seed as service file", arguments: create + ["-d", badKeys.path, "-i", seeds.account]),
            Case(label: "keys list", arguments: ["keys", "list", "-d", badKeys.path]),
        ]
        // insert: another issuer, and mangled keys.
        let archive = home.appendingPathComponent("signed.par.gz")
        let made = try await runSwashAsync(
            ["par", "create", "-n", "Signed", "-v", "swash", "-b", binary.path, "--compress", "--destination", archive.path,
             "-i", seeds.account, "-s", seeds.service], home: home)
        #expect(made.status == 0, "\(made.stderr)")
        let insert = ["par", "insert", archive.path, "-b", binary.path, "-a", "aarch64-linux"]
        cases += [
            Case(label: "insert, other issuer", arguments: insert + ["-i", seeds.otherAccount]),
            Case(label: "insert, mangled issuer", arguments: insert + ["-i", Self.mangled(seeds.account)[0]]),
            Case(label: "insert, service as issuer", arguments: insert, environment: ["WASH_ISSUER_KEY": seeds.service]),
        ]
        // build, verbose, with seeds given every way.
        try writeManifest(in: home, name: "Secret", extra: ["wit_world = \"ignored\""])  // a note in verbose output
        let build = ["build", "-p", home.path, "--binary", binary.path, "--verbose"]
        cases += [
            Case(label: "build", arguments: build + ["-i", seeds.account, "-s", seeds.service]),
            Case(label: "build, env", arguments: build, environment: ["WASH_ISSUER_KEY": seeds.account, "WASH_SUBJECT_KEY": seeds.service]),
            Case(label: "build, wrong types", arguments: build + ["-i", seeds.user, "-s", seeds.account]),
            Case(label: "build, mangled", arguments: build + ["-i", Self.mangled(seeds.account)[4]]),
            Case(label: "build, no binary", arguments: ["build", "-p", home.path, "--verbose", "-i", seeds.account]),
        ]
        try await Self.expectNoSeedInOutput(cases, seeds: seeds.all, home: home)
    }

    /// `keys gen` and `keys get` print seeds — that is what they are for.
    @Test func keysGenAndGetPrintTheSeed() async throws {
        let home = try makeTemporaryDirectory("secrets-get")
        defer { try? FileManager.default.removeItem(at: home) }
        let seeds = try await offCooperativePool { try Seeds(home: home) }
        let keys = home.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try Data(seeds.account.utf8).write(to: keys.appendingPathComponent("mine.nk"))
        let got = try await runSwashAsync(["keys", "get", "mine", "-d", keys.path, "-o", "json"], home: home)
        #expect(jsonObject(got.stdout)?["seed"] as? String == seeds.account)
    }

    /// `umask 000` through a shell: key files 0600, every directory swash creates for keys 0700.
    @Test func keyFilesArePrivateUnderUmask000() async throws {
        let home = try makeTemporaryDirectory("umask")
        defer { try? FileManager.default.removeItem(at: home) }
        let binary = home.appendingPathComponent("provider")
        try writeRandomFile(binary, size: 4096)
        let keys = home.appendingPathComponent("nested/deeper/keys")
        let output = home.appendingPathComponent("provider.par.gz")
        let result = try await runProcessAsync(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "umask 000; exec \"$0\" \"$@\"", swashExecutable.path, "par", "create", "-n", "U", "-v", "swash",
             "-b", binary.path, "-d", keys.path, "--compress", "--destination", output.path],
            environment: swashEnvironment(home: home), in: home)
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["tester_account.nk", "provider_service.nk"] {
            #expect(permissions(keys.appendingPathComponent(name)) == 0o600, "\(name)")
        }
        for directory in [keys, keys.deletingLastPathComponent(), keys.deletingLastPathComponent().deletingLastPathComponent()] {
            #expect(permissions(directory) == 0o700, "\(directory.path)")
        }
        // The archive is no secret, but is not made world-writable either.
        #expect(permissions(output) & 0o022 == 0, "archive mode \(String(permissions(output), radix: 8))")

        // The default keys directory, ~/.wash/keys, the same.
        let second = try await runProcessAsync(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "umask 000; exec \"$0\" \"$@\"", swashExecutable.path, "par", "create", "-n", "U", "-v", "swash",
             "-b", binary.path, "--destination", home.appendingPathComponent("second.par").path],
            environment: swashEnvironment(home: home), in: home)
        #expect(second.status == 0, "\(second.stderr)")
        let defaultKeys = home.appendingPathComponent(".wash/keys")
        #expect(permissions(defaultKeys) == 0o700)
        #expect(permissions(defaultKeys.deletingLastPathComponent()) == 0o700)
        #expect(permissions(defaultKeys.appendingPathComponent("tester_account.nk")) == 0o600)
    }

    /// Under `umask 000`, a pulled archive is 0644 as a created one is (FileManager asked for 0666), and
    /// `inspect REF` makes its cache — and `~/.wash`, when it comes first — 0700, so that no other user can
    /// swap `~/.wash/keys` for a directory of their own keys.
    @Test(.enabled(if: RegistryServer.isAvailable))
    func pullAndCacheUnderUmask000() async throws {
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("umask-pull")
        defer { try? FileManager.default.removeItem(at: home) }
        let work = try makeTemporaryDirectory("umask-work")
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try await makeTestArchive(in: work)
        let reference = "\(registry.address)/hardening/umask:1.0.0"
        #expect(try await runSwashAsync(["push", reference, archive.path, "--insecure"], home: work).status == 0)
        func underUmask000(_ arguments: [String]) async throws -> CommandResult {
            try await runProcessAsync(
                URL(fileURLWithPath: "/bin/sh"), ["-c", "umask 000; exec \"$0\" \"$@\"", swashExecutable.path] + arguments,
                environment: swashEnvironment(home: home), in: work)
        }
        let pulled = try await underUmask000(["pull", reference, "--insecure", "--destination", "pulled.par.gz"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(permissions(work.appendingPathComponent("pulled.par.gz")) == 0o644)
        let inspected = try await underUmask000(["inspect", reference, "--insecure"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        for path in [".wash", ".wash/cache", ".wash/cache/swash"] {
            #expect(permissions(home.appendingPathComponent(path)) == 0o700, "\(path)")
        }
    }
}
