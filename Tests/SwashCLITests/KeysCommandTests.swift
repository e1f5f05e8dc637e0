import Foundation
import SwashTestSupport
import Testing

/// `swash keys …` through the built executable: output formats and exit codes (SPEC §5).
@Suite("swash keys")
struct KeysCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: ["account", "service", "module", "user", "server", "cluster", "operator"])
    func genPrintsAKeyPair(type: String) async throws {
        let home = try makeTemporaryDirectory()
        let result = try await runSwashAsync(["keys", "gen", type, "-o", "json"], home: home)
        #expect(result.status == 0)
        let object = try json(result.stdout)
        let publicKey = try #require(object["public_key"] as? String)
        let seed = try #require(object["seed"] as? String)
        #expect(publicKey.count == 56 && seed.count == 58)
        #expect(seed.hasPrefix("S" + String(publicKey.first!)))
        // Nothing was written.
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(".wash").path))

        let text = try await runSwashAsync(["keys", "gen", type], home: home)
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("Public Key: "))
        #expect(text.stdout.contains("\nSeed: S"))
    }

    @Test func usageErrorsExit64() async throws {
        let home = try makeTemporaryDirectory()
        #expect(try await runSwashAsync(["keys", "gen", "bogus"], home: home).status == 64)
        #expect(try await runSwashAsync(["keys", "gen"], home: home).status == 64)
        #expect(try await runSwashAsync(["keys", "gen", "xkeys"], home: home).status == 64)
        #expect(try await runSwashAsync(["keys", "list", "--nope"], home: home).status == 64)
    }

    @Test func getAndListAgreeWithStoredFile() async throws {
        let home = try makeTemporaryDirectory()
        let generated = try await json(runSwashAsync(["keys", "gen", "account", "-o", "json"], home: home).stdout)
        let dir = home.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data((generated["seed"] as! String).utf8).write(to: dir.appendingPathComponent("me_account.nk"))

        let got = try await runSwashAsync(["keys", "get", "me_account", "-d", dir.path, "-o", "json"], home: home)
        #expect(got.status == 0)
        #expect(try json(got.stdout)["public_key"] as? String == generated["public_key"] as? String)
        #expect(try json(got.stdout)["seed"] as? String == generated["seed"] as? String)

        // WASH_KEYS is honoured when -d is absent.
        let listed = try await runSwashAsync(["keys", "list", "-o", "json"], home: home, extraEnvironment: ["WASH_KEYS": dir.path])
        #expect(listed.status == 0)
        #expect(try json(listed.stdout)["keys"] as? [String] == ["me_account"])
        let publicKeys = try #require(try json(listed.stdout)["public_keys"] as? [String: String])
        #expect(publicKeys["me_account"] == generated["public_key"] as? String)
        #expect(!listed.stdout.contains(generated["seed"] as! String))
    }

    @Test func failureExits1WithMessageOnStderr() async throws {
        let home = try makeTemporaryDirectory()
        let text = try await runSwashAsync(["keys", "get", "missing", "-d", home.path], home: home)
        #expect(text.status == 1)
        #expect(text.stdout.isEmpty)
        #expect(text.stderr.hasPrefix("error: no key named \"missing\""))

        let json = try await runSwashAsync(["keys", "get", "missing", "-d", home.path, "-o", "json"], home: home)
        #expect(json.status == 1)
        let object = try self.json(json.stderr)
        #expect(object["success"] as? Bool == false)
        #expect((object["error"] as? String)?.contains("missing") == true)
    }
}

/// Keys made by swash, checked by independent Python code (PyPI `nkeys` and PyNaCl).
@Suite("Independent nkeys check")
struct IndependentKeyCheckTests {
    @Test(arguments: ["account", "user", "service", "module", "Cluster", "HOST", "operator", "curve", "x25519"])
    func pythonAcceptsGeneratedKey(type: String) async throws {
        let home = try makeTemporaryDirectory()
        let generated = try await runSwashAsync(["keys", "gen", type, "-o", "json"], home: home)
        #expect(generated.status == 0)
        let input = home.appendingPathComponent("key.json")
        try Data(generated.stdout.utf8).write(to: input)
        let script = PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_nkey.py").path
        let check = try await runProcessAsync(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "python3 \"$0\" < \"$1\"", script, input.path],
            environment: ProcessInfo.processInfo.environment)
        if check.status == 3 {
            print("note: PyNaCl is not installed; skipping the independent key check (\(check.stderr))")
            return
        }
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("ok "))
        if type.lowercased() == "curve" || type == "x25519" {
            #expect(check.stdout.hasSuffix("(PyNaCl X25519)\n"), "checked as an X25519 key: \(check.stdout)")
            #expect(jsonObject(generated.stdout)?["seed"].flatMap { $0 as? String }?.hasPrefix("SX") == true)
        }
    }
}
