import Foundation
import SwashTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// wash 0.43 command lines for providers, run unchanged against swash (issue 15, SPEC §8): each test runs the
/// line as wash's docs, Makefiles, CI workflows or tests write it and checks the file wash would produce, the JSON
/// fields scripts read, and the exit code.
@Suite("wash command lines")
struct WashCompatibilityTests {
    /// A home with a provider binary in it.
    func home() throws -> URL {
        let home = try makeTemporaryDirectory("wash-compat")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: home.appendingPathComponent("testrunner.so"))
        return home
    }

    func run(_ arguments: [String], _ home: URL, environment: [String: String] = [:]) async throws -> CommandResult {
        try await runSwashAsync(arguments, home: home, extraEnvironment: environment)
    }


    /// wash's own CLI-stability test (`test_par_create_comprehensive`), long flags: `--directory` included.
    @Test func parCreateWithEveryLongFlag() async throws {
        let home = try home()
        try FileManager.default.createDirectory(at: home.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        let result = try await run(
            [
                "par", "create", "--arch", "x86_64-testrunner", "--binary", "./testrunner.so", "--name", "CreateTest",
                "--vendor", "TestRunner", "--destination", "./test.par.gz", "--revision", "1", "--version", "1.11.111",
                "--directory", "./fixtures", "--compress", "-o", "json",
            ], home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(jsonObject(result.stdout)?["file"] as? String == home.appendingPathComponent("test.par.gz").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("fixtures").path).sorted()
            == ["tester_account.nk", "testrunner_service.nk"])
        let inspect = try await run(["inspect", "test.par.gz", "-o", "json"], home)
        #expect(jsonObject(inspect.stdout)?["targets"] as? [String] == ["x86_64-testrunner"])
        #expect(jsonObject(inspect.stdout)?["version"] as? String == "1.11.111")
    }

    /// The same with short flags, `-d`, `-i` as a seed and `-c` for the capability id.
    @Test func parCreateWithShortFlags() async throws {
        let home = try home()
        let account = try #require(jsonObject(try await run(["keys", "gen", "account", "-o", "json"], home).stdout))
        let result = try await run(
            [
                "par", "create", "-a", "x86_64-testrunner", "-b", "./testrunner.so", "-n", "CreateTest", "-v", "TestRunner",
                "--destination", "./test.par.gz", "-r", "1", "--version", "1.11.111", "-d", "./keys", "-i", account["seed"] as! String,
                "-c", "wasmcloud:testing",
            ], home)
        #expect(result.status == 0, "\(result.stderr)")
        let inspect = try await run(["inspect", "test.par.gz", "-o", "json"], home)
        #expect(jsonObject(inspect.stdout)?["capability_contract_id"] as? String == "wasmcloud:testing")
        #expect(jsonObject(inspect.stdout)?["issuer"] as? String == account["public_key"] as? String)
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("keys/testrunner_service.nk").path))
    }

    /// `par insert ARCHIVE -a … -b … -d DIR --disable-keygen` (wash's `test_par_insert_comprehensive`).
    @Test func parInsertWithDirectory() async throws {
        let home = try home()
        _ = try await run(["par", "create", "-n", "N", "-v", "V", "-b", "testrunner.so", "--compress", "-d", "keys"], home)
        let result = try await run(
            ["par", "insert", "testrunner.par.gz", "-a", "aarch64-testrunner", "-b", "./testrunner.so", "-d", "keys", "--disable-keygen", "-o", "json"], home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(jsonObject(result.stdout)?["file"] as? String == home.appendingPathComponent("testrunner.par.gz").path)
    }

    /// `WASH_JSON_SCHEMA=schema.json wash par create …`.
    @Test func schemaFromTheEnvironment() async throws {
        let home = try home()
        try Data(#"{"type":"object"}"#.utf8).write(to: home.appendingPathComponent("schema.json"))
        let result = try await run(
            ["par", "create", "-n", "N", "-v", "V", "-b", "testrunner.so"], home, environment: ["WASH_JSON_SCHEMA": "schema.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let inspect = try await run(["inspect", "testrunner.par", "-o", "json"], home)
        #expect((jsonObject(inspect.stdout)?["schema"] as? [String: Any])?["type"] as? String == "object")
    }

    /// `wash keys gen TYPE` in any case and with wash's aliases, `-o json` → `{"public_key","seed"}`.
    @Test(arguments: [
        ("Cluster", "C"), ("acCount", "A"), ("usEr", "U"), ("COMPONENT", "M"), ("actor", "M"), ("provider", "V"),
        ("SERVICE", "V"), ("HOST", "N"), ("server", "N"), ("operator", "O"), ("curve", "X"), ("x25519", "X"),
    ])
    func keysGen(_ type: String, _ letter: String) async throws {
        let home = try home()
        let result = try await run(["keys", "gen", type, "-o", "json"], home)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(jsonObject(result.stdout))
        #expect((object["public_key"] as? String)?.hasPrefix(letter) == true)
        #expect((object["seed"] as? String)?.hasPrefix("S" + letter) == true)
        #expect((object["public_key"] as? String)?.count == 56 && (object["seed"] as? String)?.count == 58)
    }

    /// `SEED=$(wash keys get NAME -d DIR)`: the seed alone; `.nk` may be given; `--directory` too.
    @Test func keysGetPrintsTheSeed() async throws {
        let home = try home()
        _ = try await run(["par", "create", "-n", "N", "-v", "V", "-b", "testrunner.so", "-d", "keys"], home)
        let seed = try String(contentsOf: home.appendingPathComponent("keys/tester_account.nk"), encoding: .utf8)
        for arguments in [["keys", "get", "tester_account", "-d", "keys"], ["keys", "get", "tester_account.nk", "--directory", "keys"]] {
            let result = try await run(arguments, home)
            #expect(result.status == 0)
            #expect(result.stdout == seed + "\n")
        }
        let json = try await run(["keys", "get", "tester_account", "-d", "keys", "-o", "json"], home)
        #expect(jsonObject(json.stdout)?["seed"] as? String == seed)
        // WASH_KEYS instead of -d.
        let variable = try await run(["keys", "get", "tester_account"], home, environment: ["WASH_KEYS": home.appendingPathComponent("keys").path])
        #expect(variable.stdout == seed + "\n")
    }

    /// `wash keys list --directory DIR -o json` → `{"keys":[names…]}`.
    @Test func keysListWithDirectory() async throws {
        let home = try home()
        _ = try await run(["par", "create", "-n", "N", "-v", "V", "-b", "testrunner.so", "-d", "keys"], home)
        let result = try await run(["keys", "list", "--directory", "keys", "-o", "json"], home)
        #expect(result.status == 0)
        let object = try #require(jsonObject(result.stdout))
        #expect(object["keys"] as? [String] == ["tester_account", "testrunner_service"])
        #expect((object["public_keys"] as? [String: String])?["tester_account"]?.hasPrefix("A") == true)
    }

    /// `wash reg push` / `wash reg pull` (wash 0.22–0.26): the same commands as `push` / `pull`.
    @Test func regAliases() async throws {
        let home = try home()
        let push = try await run(["reg", "push", "localhost:5000/p:latest", "x.par.gz", "-o", "json"], home)
        #expect(push.status == 64, "the latest rule applies as in push: \(push.stderr)")
        let pull = try await run(["reg", "pull", "127.0.0.1:9/demo/p:1", "--insecure", "-o", "json"], home)
        #expect(pull.status == 1)
        #expect((jsonObject(pull.stderr)?["error"] as? String)?.hasPrefix("cannot reach registry 127.0.0.1:9") == true)
        let help = try await run(["reg", "--help"], home)
        #expect(help.stdout.contains("push") && help.stdout.contains("pull"))
    }

    @Test func version() async throws {
        let result = try await run(["--version"], try home())
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^swash [0-9]+\.[0-9]+\.[0-9]+\n$"#, options: .regularExpression) != nil, "\(result.stdout)")
    }
}

/// The input contract: each bad input gets a message naming it and what to do, and nothing is written.
@Suite("Input contract")
struct InputContractTests {
    func home() throws -> URL {
        let home = try makeTemporaryDirectory("contract")
        try Data(repeating: 1, count: 1024).write(to: home.appendingPathComponent("prov"))
        return home
    }

    func entries(_ home: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: home.path).sorted()
    }

    @Test(arguments: [
        (["-i", ""], [String: String](), "--issuer is empty; give a seed or a seed file, or leave it unset to use the keys directory"),
        (["-s", ""], [:], "--subject is empty; give a seed or a seed file, or leave it unset to use the keys directory"),
        ([], ["WASH_ISSUER_KEY": ""], "WASH_ISSUER_KEY is empty; give a seed or a seed file, or leave it unset to use the keys directory"),
        ([], ["WASH_SUBJECT_KEY": " "], "WASH_SUBJECT_KEY is empty; give a seed or a seed file, or leave it unset to use the keys directory"),
    ])
    func emptyKeysAreErrors(_ flags: [String], _ environment: [String: String], _ message: String) async throws {
        let home = try home()
        let result = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", "prov"] + flags, home: home, extraEnvironment: environment)
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(message)\n")
        #expect(try entries(home) == ["prov"], "no key generated, no archive")
    }

    @Test func targetNamesAreSafe() async throws {
        let home = try home()
        let result = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", "prov", "-a", "bad target"], home: home)
        #expect(result.status == 64)
        #expect(result.stderr.contains("invalid target name \"bad target\": it contains whitespace; use only ASCII letters, digits, '_', '-' and '.'"))
        #expect(try entries(home) == ["prov"])
    }

    /// `bin_name` is checked where wasmcloud.toml is read, with its position, before any key or directory exists.
    @Test(arguments: [
        (String(repeating: "b", count: 300), "the value is 300 bytes long; a file name it makes must stay under 255 bytes, so use at most 200"),
        ("bad\\u0007name", "\"bad\u{07}name\" contains a control character; a bin_name is a file name of ASCII letters, digits, '_', '-' and '.'"),
        ("../escape", "\"../escape\" contains \"/\"; a bin_name is a file name of ASCII letters, digits, '_', '-' and '.'"),
        ("-flag", "\"-flag\" starts with '-'; a bin_name must start with a letter, digit or '_'"),
    ])
    func binNamesAreCheckedFirst(_ value: String, _ reason: String) async throws {
        let home = try home()
        let manifest = "language = \"rust\"\ntype = \"provider\"\nname = \"P\"\nversion = \"0.1.0\"\n[provider]\nbin_name = \"\(value)\"\n"
        try Data(manifest.utf8).write(to: home.appendingPathComponent("wasmcloud.toml"))
        let result = try await runSwashAsync(["build", "--binary", "prov"], home: home)
        #expect(result.status == 1)
        let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        let shownReason = reason.replacingOccurrences(of: "\u{07}", with: "\\u{7}")
        #expect(first == "error: \(home.path)/wasmcloud.toml:6:12: invalid `provider.bin_name`: \(shownReason)", "\(result.stderr)")
        #expect(try entries(home) == ["prov", "wasmcloud.toml"], "no keys, no build directory")
    }

    /// A name, vendor, version and schema that fit the command line and the schema limit one by one, but make
    /// claims over the 1 MiB readers accept.
    @Test func hugeClaimsAreRefusedBeforeWriting() async throws {
        let home = try home()
        let text = String(repeating: "n", count: 100_000)
        try Data(text.utf8).write(to: home.appendingPathComponent("text.txt"))
        let schema = "{\"description\":\"" + String(repeating: "d", count: 500_000) + "\"}"
        try Data(schema.utf8).write(to: home.appendingPathComponent("schema.json"))
        let script = "t=$(cat text.txt); \"$0\" par create -n \"$t\" -v \"$t\" --version \"$t\" -j schema.json -b prov -d keys"
        let result = try await runProcessAsync(
            URL(fileURLWithPath: "/bin/sh"), ["-c", script, swashExecutable.path], environment: swashEnvironment(home: home), in: home)
        #expect(result.status == 1)
        #expect(result.stderr.contains("over the 1048576-byte limit archive readers accept; shorten the name, vendor, version or configuration schema"), "\(result.stderr.prefix(500))")
        #expect(try entries(home) == ["keys", "prov", "schema.json", "text.txt"], "no archive")
    }

    @Test func aParseErrorOnAHugeLineStaysShort() async throws {
        let home = try home()
        let line = "name = \"" + String(repeating: "x", count: 5 << 20) + " = oops\n"
        try Data(("language = \"rust\"\ntype = \"provider\"\n" + line).utf8).write(to: home.appendingPathComponent("wasmcloud.toml"))
        let result = try await runSwashAsync(["build", "--binary", "prov"], home: home)
        #expect(result.status == 1)
        #expect(result.stderr.utf8.count < 2_000, "\(result.stderr.utf8.count) bytes of stderr")
        #expect(result.stderr.hasPrefix("error: \(home.path)/wasmcloud.toml:3:"))
        #expect(result.stderr.contains("…"))
    }

    @Test func aBuildDirectoryThatCannotBeMadeLeavesNothing() async throws {
        let home = try home()
        let deep = Array(repeating: "d", count: 2_100).joined(separator: "/")
        let manifest = "language = \"rust\"\ntype = \"provider\"\nname = \"P\"\nversion = \"0.1.0\"\nbuild = \"\(deep)\"\n[provider]\nbin_name = \"p\"\n"
        try Data(manifest.utf8).write(to: home.appendingPathComponent("wasmcloud.toml"))
        let result = try await runSwashAsync(["build", "--binary", "prov"], home: home)
        #expect(result.status == 1)
        #expect(result.stderr.contains("File name too long"), "\(result.stderr.prefix(300))")
        #expect(try entries(home) == ["prov", "wasmcloud.toml"], "no directories, no keys")
    }

    @Test func specialFilesSaySoWhereAFileIsExpected() async throws {
        let home = try home()
        #expect(mkfifo(home.appendingPathComponent("fifo").path, 0o600) == 0)
        try FileManager.default.createDirectory(at: home.appendingPathComponent("dir"), withIntermediateDirectories: true)
        for (input, what) in [("fifo", "it is a FIFO (named pipe), not a regular file"), ("dir", "it is a directory, not a file"), ("/dev/null", "it is a character device, not a regular file")] {
            let result = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", input], home: home)
            let path = input.hasPrefix("/") ? input : home.appendingPathComponent(input).path
            #expect(result.status == 1)
            #expect(result.stderr == "error: cannot read \"\(path)\": \(what)\n")
        }
        #expect(try entries(home) == ["dir", "fifo", "prov"])
    }

    /// A binary and a destination whose names are not UTF-8 keep their bytes (today's Foundation would make them
    /// U+FFFD and "No such file").
    @Test func fileNamesThatAreNotUTF8Work() async throws {
        let home = try home()
        let script = #"""
            n=$(printf 'caf\351')
            cp prov "$n" && "$0" par create -n N -v V -b "$n" --destination "$n.par" -d keys >out.txt 2>&1 || exit 10
            test -f "$n.par" || exit 11
            test -f "keys/${n}_service.nk" || exit 12
            "$0" inspect "$n.par" -o json >/dev/null || exit 13
            grep -q "$n.par" out.txt || exit 14
            """#
        let result = try await runProcessAsync(
            URL(fileURLWithPath: "/bin/sh"), ["-c", script, swashExecutable.path], environment: swashEnvironment(home: home), in: home)
        #expect(result.status == 0, "step \(result.status): \(result.stderr)")
    }

    /// As ssh does: warnings naming the path and the fix; the key is still used.
    @Test func openKeyPermissionsAreWarnedAbout() async throws {
        let home = try home()
        let keys = home.appendingPathComponent("keys")
        _ = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", "prov", "-d", "keys"], home: home)
        chmod(keys.path, 0o777)
        let account = keys.appendingPathComponent("tester_account.nk")
        chmod(account.path, 0o644)
        let result = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", "prov", "-d", "keys", "--destination", "again.par"], home: home)
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: the keys directory \"\(keys.path)\" is writable by other users, who could replace its keys; run chmod 700 \"\(keys.path)\""))
        #expect(result.stderr.contains("warning: the key file \"\(account.path)\" is accessible by other users, who could copy its seed; run chmod 600 \"\(account.path)\""))
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("again.par").path))

        // A seed file given with -s is judged early (before any key is made) and again when used: warned once.
        let seed = try #require(jsonObject(try await runSwashAsync(["keys", "gen", "service", "-o", "json"], home: home).stdout)?["seed"] as? String)
        let seedFile = home.appendingPathComponent("service.seed")
        try Data(seed.utf8).write(to: seedFile)
        chmod(seedFile.path, 0o644)
        let explicit = try await runSwashAsync(
            ["par", "create", "-n", "N", "-v", "V", "-b", "prov", "-d", "keys", "-s", "service.seed", "--destination", "third.par"], home: home)
        #expect(explicit.status == 0)
        #expect(explicit.stderr.components(separatedBy: "the key file \"\(seedFile.path)\" is accessible by other users").count == 2, "\(explicit.stderr)")
    }
}
