import Foundation
import SwashTestSupport
import Testing

/// `swash par …` and `swash inspect` through the built executable (SPEC §5).
@Suite("swash par and inspect", .serialized)
struct ParCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    /// A temporary home holding a fake provider binary; returns (home, binary path).
    func project(binarySize: Int = 20_000) throws -> (URL, URL) {
        let home = try makeTemporaryDirectory()
        let binary = home.appendingPathComponent("fakepay")
        try Data((0..<binarySize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }).write(to: binary)
        return (home, binary)
    }

    func files(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test(.enabled(if: Corpora.available, "../shared/corpora is absent"))
    func fakepayInspectsAsWashMadeIt() async throws {
        let corpus = try #require(Corpora.file("par/fakepay.par.gz"))
        let home = try makeTemporaryDirectory()
        for command in [["inspect"], ["par", "inspect"]] {
            let text = try await runSwashAsync(command + [corpus.path], home: home)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout == """
                Fake Payments - Capability Provider
                  Account                 ABNLQZLJFBAWP4KJR63PYCA4Y655OZOOHTGRW6FNFGEVUE5RN4PO2RXR
                  Service                 VAN5FE2JCYMZFHZZWS2KNKVEIIU5SH5E5SD3IIF6BWA25XKFKCHXEMDU
                  Vendor                  wasmCloud
                  Version                 1.0
                  Revision                1
                  Capability Contract ID  examples:payments
                  Signature               valid
                Supported Architecture Targets
                  x86_64-linux

                """)
        }
        let result = try await runSwashAsync(["inspect", corpus.path, "-o", "json"], home: home)
        #expect(result.status == 0)
        let object = try json(result.stdout)
        #expect(object["name"] as? String == "Fake Payments")
        #expect(object["issuer"] as? String == "ABNLQZLJFBAWP4KJR63PYCA4Y655OZOOHTGRW6FNFGEVUE5RN4PO2RXR")
        #expect(object["service"] as? String == "VAN5FE2JCYMZFHZZWS2KNKVEIIU5SH5E5SD3IIF6BWA25XKFKCHXEMDU")
        #expect(object["vendor"] as? String == "wasmCloud")
        #expect(object["version"] as? String == "1.0")
        #expect(object["revision"] as? String == "1")
        #expect(object["targets"] as? [String] == ["x86_64-linux"])
        #expect(object["capability_contract_id"] as? String == "examples:payments")
        #expect(object["signature_valid"] as? Bool == true)
        #expect(object["success"] as? Bool == true)
        #expect(object["schema"] == nil)
        let token = try await runSwashAsync(["inspect", corpus.path, "--jwt-only"], home: home)
        #expect(token.status == 0)
        #expect(token.stdout.hasPrefix("eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.") && token.stdout.split(separator: ".").count == 3)
        #expect(try files(in: home).isEmpty, "inspect wrote nothing")
    }

    @Test func createDefaultsAndDestinations() async throws {
        let (home, binary) = try project()
        let plain = try await runSwashAsync(["par", "create", "-n", "Fake Payments", "-v", "wasmCloud", "-b", binary.path], home: home)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout == "Successfully created archive \(home.path)/fakepay.par\n")
        #expect(plain.stderr.contains("tester_account.nk") && plain.stderr.contains("fakepay_service.nk"))
        #expect(try files(in: home.appendingPathComponent(".wash/keys")) == ["fakepay_service.nk", "tester_account.nk"])

        let compressed = try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", "fakepay", "--compress", "-o", "json"], home: home)
        #expect(compressed.status == 0)
        #expect(try json(compressed.stdout)["file"] as? String == home.path + "/fakepay.par.gz")
        #expect(try json(compressed.stdout)["success"] as? Bool == true)
        #expect(!compressed.stderr.contains(".nk"), "keys are reused: \(compressed.stderr)")
        #expect(compressed.stderr.contains("is no recognised executable"), "the fake binary is stored with a warning")

        let renamed = try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", "fakepay", "--compress", "--destination", "out/x.par"], home: home, in: home)
        #expect(renamed.status == 1, "the directory does not exist")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("out"), withIntermediateDirectories: true)
        let again = try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", "fakepay", "--compress", "--destination", "out/x.par"], home: home, in: home)
        #expect(again.stdout == "Successfully created archive \(home.path)/out/x.par.gz\n")
        let inDirectory = try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", "fakepay", "--destination", "out"], home: home, in: home)
        #expect(inDirectory.stdout == "Successfully created archive \(home.path)/out/fakepay.par\n")
        #expect(try files(in: home.appendingPathComponent("out")) == ["fakepay.par", "x.par.gz"])
        #expect(Array(try Data(contentsOf: home.appendingPathComponent("out/x.par.gz")).prefix(2)) == [0x1F, 0x8B])
        #expect(Array(try Data(contentsOf: home.appendingPathComponent("out/fakepay.par")).prefix(2)) != [0x1F, 0x8B])
    }

    @Test func createWithEverythingAndInspect() async throws {
        let (home, binary) = try project()
        try Data(#"{"type": "object", "properties": {"region": {"type": "string"}}}"#.utf8).write(to: home.appendingPathComponent("schema.json"))
        try Data("\0asm\u{1}\0\0\0".utf8).write(to: home.appendingPathComponent("world.wasm"))
        let created = try await runSwashAsync([
            "par", "create", "-n", "Fake Payments", "-v", "wasmCloud", "-b", binary.path, "-a", "aarch64-linux",
            "--version", "1.0", "-r", "3", "--capid", "examples:payments", "-j", "schema.json", "--wit", "world.wasm",
            "--compress", "-d", "keys",
        ], home: home)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try files(in: home.appendingPathComponent("keys")) == ["fakepay_service.nk", "tester_account.nk"])
        let inspected = try await runSwashAsync(["par", "inspect", "fakepay.par.gz", "-o", "json"], home: home)
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let object = try json(inspected.stdout)
        #expect(object["targets"] as? [String] == ["aarch64-linux"])
        #expect(object["revision"] as? String == "3")
        #expect(object["capability_contract_id"] as? String == "examples:payments")
        let schema = try #require(object["schema"] as? [String: Any])
        #expect(schema["type"] as? String == "object")
        // Independent check (Python tarfile/gzip, nkeys CRC, cryptography Ed25519, hashlib).
        let check = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_par.py").path, home.path + "/fakepay.par.gz"],
            environment: ProcessInfo.processInfo.environment)
        if check.status == 3 || check.status == 127 {
            print("note: python3 with nkeys is not available; skipping the independent check (\(check.stderr))")
        } else {
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains(#""targets": ["aarch64-linux"], "world": true"#), "\(check.stdout)")
        }

        let bare = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", binary.path, "--destination", "bare.par"], home: home)
        #expect(bare.status == 0)
        let text = try await runSwashAsync(["inspect", "bare.par"], home: home)
        #expect(text.stdout.contains("  Version    None\n  Revision   None\n  Signature  valid\n"))
        #expect(!text.stdout.contains("Capability Contract ID"))
        let plainJSON = try json(try await runSwashAsync(["inspect", "bare.par", "-o", "json"], home: home).stdout)
        #expect(plainJSON["version"] as? String == "None" && plainJSON["revision"] as? String == "None")
        #expect(plainJSON["capability_contract_id"] == nil && plainJSON["schema"] == nil)
    }

    @Test func sourceDateEpochMakesIdenticalBytes() async throws {
        let (home, binary) = try project(binarySize: 300_000)
        let environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        for name in ["a", "b"] {
            let result = try await runSwashAsync(
                ["par", "create", "-n", "F", "-v", "V", "-b", binary.path, "--compress", "--destination", "\(name).par.gz"],
                home: home, extraEnvironment: environment)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let first = try Data(contentsOf: home.appendingPathComponent("a.par.gz"))
        #expect(first == (try Data(contentsOf: home.appendingPathComponent("b.par.gz"))))
        let token = try await runSwashAsync(["inspect", "a.par.gz", "--jwt-only", "-o", "json"], home: home)
        let claims = HostileArchives.base64URLDecode(String(try #require(try json(token.stdout)["token"] as? String).split(separator: ".")[1]))
        #expect(String(decoding: claims, as: UTF8.self).contains(#""iat":1700000000,"#))
        // Without it, two runs differ (new jti and iat).
        _ = try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", binary.path, "--compress", "--destination", "c.par.gz"], home: home)
        _ = try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", binary.path, "--compress", "--destination", "d.par.gz"], home: home)
        #expect(try Data(contentsOf: home.appendingPathComponent("c.par.gz")) != (try Data(contentsOf: home.appendingPathComponent("d.par.gz"))))
    }

    @Test func insertCarriesOverAndGuardsTheIssuer() async throws {
        let (home, binary) = try project()
        #expect(try await runSwashAsync(["par", "create", "-n", "F", "-v", "V", "-b", binary.path, "--capid", "c:d", "-r", "4"], home: home).status == 0)
        let before = try json(try await runSwashAsync(["inspect", "fakepay.par", "-o", "json"], home: home).stdout)

        let inserted = try await runSwashAsync(["par", "insert", "fakepay.par", "-b", binary.path, "-a", "aarch64-macos"], home: home)
        #expect(inserted.status == 0, "\(inserted.stderr)")
        #expect(inserted.stdout == "Successfully inserted \(binary.path) into archive \(home.path)/fakepay.par as aarch64-macos\n")
        let after = try json(try await runSwashAsync(["inspect", "fakepay.par", "-o", "json"], home: home).stdout)
        #expect(after["targets"] as? [String] == ["aarch64-macos", "x86_64-linux"])
        for key in ["issuer", "service", "vendor", "name", "revision", "capability_contract_id"] {
            #expect(after[key] as? String == before[key] as? String, "\(key)")
        }
        #expect(Array(try Data(contentsOf: home.appendingPathComponent("fakepay.par")).prefix(2)) != [0x1F, 0x8B], "stays plain tar")

        // Another account: refused, file untouched, message says how to override.
        let other = try json(try await runSwashAsync(["keys", "gen", "account", "-o", "json"], home: home).stdout)
        let seed = try #require(other["seed"] as? String)
        let original = try Data(contentsOf: home.appendingPathComponent("fakepay.par"))
        let refused = try await runSwashAsync(["par", "insert", "fakepay.par", "-b", binary.path, "-a", "arm-linux", "-i", seed], home: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--force-resign") && refused.stderr.contains(before["issuer"] as! String))
        #expect(!refused.stderr.contains(seed), "seeds never appear in messages")
        #expect(try Data(contentsOf: home.appendingPathComponent("fakepay.par")) == original)
        let forced = try await runSwashAsync(["par", "insert", "fakepay.par", "-b", binary.path, "-a", "arm-linux", "-i", seed, "--force-resign", "-o", "json"], home: home)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try json(forced.stdout)["target"] as? String == "arm-linux")
        let resigned = try json(try await runSwashAsync(["inspect", "fakepay.par", "-o", "json"], home: home).stdout)
        #expect(resigned["issuer"] as? String == other["public_key"] as? String)
        #expect(resigned["service"] as? String == before["service"] as? String)
        #expect(try files(in: home).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func usageErrorsExit64() async throws {
        let (home, binary) = try project()
        for arguments in [
            ["par", "create", "-v", "V", "-b", binary.path],
            ["par", "create", "-n", "", "-v", "V", "-b", binary.path],
            ["par", "create", "-n", "N", "-v", "V", "-b", binary.path, "-a", "../evil"],
            ["par", "create", "-n", "N", "-v", "V", "-b", binary.path, "-a", "world"],
            ["par", "create", "-n", "N", "-v", "V", "-b", binary.path, "-r", "-1"],
            ["par", "insert", "x.par"],
            ["par", "inspect"],
            ["inspect", "a", "b"],
        ] {
            let result = try await runSwashAsync(arguments, home: home)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
        #expect(try files(in: home) == ["fakepay"], "usage errors generate no keys")
    }

    @Test func domainErrorsExit1WithAClearMessage() async throws {
        let (home, binary) = try project()
        try Data("{\n  \"type\": \"object\",\n}\n".utf8).write(to: home.appendingPathComponent("bad.json"))
        let schema = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", binary.path, "-j", "bad.json"], home: home)
        #expect(schema.status == 1)
        #expect(schema.stderr.hasPrefix("error: \(home.path)/bad.json:3:1: expected a string key"))
        let missing = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", "nope", "-o", "json"], home: home)
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(try json(missing.stderr)["error"] as? String == "cannot read \"\(home.path)/nope\": No such file or directory")
        let noKeys = try await runSwashAsync(["par", "create", "-n", "N", "-v", "V", "-b", binary.path, "--disable-keygen"], home: home)
        #expect(noKeys.status == 1 && noKeys.stderr.contains("--disable-keygen"))
        #expect(try files(in: home) == ["bad.json", "fakepay"], "nothing written on failure")
    }

    @Test func helpTextsExist() async throws {
        let home = try makeTemporaryDirectory()
        for arguments in [["par", "--help"], ["par", "create", "--help"], ["par", "insert", "--help"], ["par", "inspect", "--help"], ["inspect", "--help"]] {
            let result = try await runSwashAsync(arguments, home: home)
            #expect(result.status == 0)
            #expect(result.stdout.contains("USAGE: swash"), "\(arguments)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "GNU time is not installed"))
    func largeBinariesStreamInBoundedMemory() async throws {
        let (home, _) = try project()
        let big = home.appendingPathComponent("big")
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 64 << 20)  // sparse: 64 MiB of zeros
        try handle.close()
        for arguments in [
            ["par", "create", "-n", "N", "-v", "V", "-b", big.path, "--compress"],
            ["par", "insert", "big.par.gz", "-b", big.path, "-a", "aarch64-linux"], ["inspect", "big.par.gz"],
        ] {
            let result = try await runProcessAsync(
                URL(fileURLWithPath: "/usr/bin/time"), ["-f", "maxrss=%M", swashExecutable.path] + arguments,
                environment: ["HOME": home.path, "USER": "tester", "PATH": "/usr/bin:/bin"], in: home)
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.stderr.split(separator: "\n").last { $0.hasPrefix("maxrss=") })
            let kilobytes = try #require(Int(line.dropFirst("maxrss=".count)))
            #expect(kilobytes < 56 << 10, "\(arguments.prefix(2).joined(separator: " ")) used \(kilobytes) KiB for a 64 MiB binary")
        }
    }
}

/// Hostile archives through the CLI: exit 1, a clear message, bounded time, nothing written,
/// and `insert` leaves the file byte for byte as it was.
@Suite("Hostile archives through the CLI", .serialized)
struct HostileCLITests {
    /// A valid token for `binary`, made by swash itself, and the hostile catalogue built from it.
    static let catalogue: (binary: [UInt8], cases: [HostileArchive]) = {
        let home = try! makeTemporaryDirectory()
        let binary = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try! Data(binary).write(to: home.appendingPathComponent("provider"))
        _ = try! runSwash(["par", "create", "-n", "N", "-v", "V", "-b", "provider"], home: home)
        let token = try! runSwash(["inspect", "provider.par", "--jwt-only"], home: home).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (binary, HostileArchives.all(token: token, binary: binary))
    }()

    @Test(arguments: catalogue.cases)
    func inspectAndInsertRefuse(hostile: HostileArchive) async throws {
        let home = try makeTemporaryDirectory()
        let archive = home.appendingPathComponent("hostile.par.gz")
        try Data(hostile.bytes).write(to: archive)
        try Data(Self.catalogue.binary).write(to: home.appendingPathComponent("provider"))
        let keys = home.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        let listing = try FileManager.default.contentsOfDirectory(atPath: home.path).sorted()

        let clock = ContinuousClock()
        let start = clock.now
        let inspected = try await runSwashAsync(["inspect", archive.path], home: home)
        #expect(inspected.status == 1, "\(hostile.name): \(inspected.stdout)")
        #expect(inspected.stderr.hasPrefix("error: "), "\(hostile.name): \(inspected.stderr)")
        #expect(inspected.stderr.contains(hostile.expectedMessage), "\(hostile.name): \(inspected.stderr)")
        if hostile.failsOnlyTrust {
            #expect(inspected.stdout.contains("  Signature               INVALID\n") || inspected.stdout.contains("Signature  INVALID"))
        } else {
            #expect(inspected.stdout.isEmpty)
        }
        let json = try await runSwashAsync(["inspect", archive.path, "-o", "json"], home: home)
        #expect(json.status == 1)
        let error = try #require(JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any])
        #expect(error["success"] as? Bool == false && (error["error"] as? String)?.isEmpty == false)

        let inserted = try await runSwashAsync(["par", "insert", archive.path, "-b", "provider", "-d", keys.path], home: home)
        #expect(inserted.status == 1, "\(hostile.name): \(inserted.stdout)")
        #expect(inserted.stderr.contains(hostile.expectedMessage), "\(hostile.name): \(inserted.stderr)")
        // A guard against hangs, not a benchmark: beside the other suites (the kill test among them) on two
        // cores, these three runs took up to 21 s of wall time.
        #expect(clock.now - start < .seconds(60), "\(hostile.name)")
        #expect(try Data(contentsOf: archive) == Data(hostile.bytes), "\(hostile.name): the archive changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).sorted() == listing, "\(hostile.name): files appeared")
        #expect(try FileManager.default.contentsOfDirectory(atPath: keys.path).isEmpty, "\(hostile.name): keys were generated")
    }
}
