import Foundation
import SwashTestSupport
import Testing

/// Many swash processes at once (issue 8): first runs racing to generate the same keys, and inserts side by side.
@Suite("Hardening: concurrent processes", .serialized)
struct HardeningConcurrencyTests {
    /// The issuer and service keys of an archive, as `inspect -o json` reports them.
    static func signers(of archive: URL, home: URL) throws -> (issuer: String, service: String)? {
        let result = try runSwash(["inspect", archive.path, "-o", "json"], home: home)
        guard result.status == 0, let object = jsonObject(result.stdout), object["signature_valid"] as? Bool == true,
            let issuer = object["issuer"] as? String, let service = object["service"] as? String
        else { return nil }
        return (issuer, service)
    }

    /// The `.nk` files of a keys directory with their public keys (`keys list -o json`), and whatever else is there.
    static func storedKeys(_ keys: URL, home: URL) throws -> (keys: [String: String], files: [String]) {
        let listed = jsonObject(try runSwash(["keys", "list", "-d", keys.path, "-o", "json"], home: home).stdout)
        var result: [String: String] = [:]
        let publicKeys = listed?["public_keys"] as? [String: String] ?? [:]
        for name in listed?["keys"] as? [String] ?? [] { result[name] = publicKeys[name] ?? "unusable" }
        return (result, try FileManager.default.contentsOfDirectory(atPath: keys.path).sorted())
    }

    /// Every archive verifies and is signed by the one account key and the one service key in `keys`.
    static func expectSignedByTheStoredKeys(_ archives: [URL], keys: URL, service: String, home: URL) async throws {
        let (stored, files) = try await offCooperativePool { try storedKeys(keys, home: home) }
        #expect(files == ["\(service).nk", "tester_account.nk"].sorted(), "exactly one account and one service key")
        let found = try await offCooperativePool { try archives.map { try signers(of: $0, home: home) } }
        for (archive, signer) in zip(archives, found) {
            let signer = try #require(signer, "\(archive.lastPathComponent) does not verify")
            #expect(signer.issuer == stored["tester_account"])
            #expect(signer.service == stored[service])
        }
    }

    @Test func parCreatesShareFreshKeys() async throws {
        let home = try makeTemporaryDirectory("concurrent-create")
        defer { try? FileManager.default.removeItem(at: home) }
        let keys = home.appendingPathComponent("keys")  // does not exist yet: every process races to create it
        let binary = home.appendingPathComponent("provider")
        try writeRandomFile(binary, size: 256 << 10)
        let count = 16
        let archives = (0..<count).map { home.appendingPathComponent("provider-\($0).par.gz") }
        let results = try await runSwashConcurrently(
            archives.map { ["par", "create", "-n", "Race", "-v", "swash", "-b", binary.path, "-d", keys.path, "--compress",
                            "--destination", $0.path] },
            environment: swashEnvironment(home: home), in: home)
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        // Some processes announced generating a key; all ended up with the one that won.
        #expect(results.contains { $0.stderr.contains("No keypair found in \"\(keys.path)/tester_account.nk\"") })
        try await Self.expectSignedByTheStoredKeys(archives, keys: keys, service: "provider_service", home: home)
    }

    @Test func buildsShareFreshKeys() async throws {
        let home = try makeTemporaryDirectory("concurrent-build")
        defer { try? FileManager.default.removeItem(at: home) }
        let keys = home.appendingPathComponent("keys")
        let binary = home.appendingPathComponent("provider-binary")
        try writeRandomFile(binary, size: 256 << 10)
        let count = 6
        var projects: [URL] = []
        for index in 0..<count {
            let project = home.appendingPathComponent("project-\(index)")
            try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
            try writeManifest(in: project, name: "Project \(index)", version: "0.1.\(index)", binName: "shared-provider")
            projects.append(project)
        }
        let results = try await runSwashConcurrently(
            projects.map { ["build", "-p", $0.path, "--binary", binary.path, "-d", keys.path, "-o", "json"] },
            environment: swashEnvironment(home: home), in: home)
        var archives: [URL] = []
        for (project, result) in zip(projects, results) {
            #expect(result.status == 0, "\(result.stderr)")
            let path = try #require(jsonObject(result.stdout)?["path"] as? String)
            #expect(path == project.appendingPathComponent("build/shared-provider.par.gz").path)
            archives.append(URL(fileURLWithPath: path))
        }
        try await Self.expectSignedByTheStoredKeys(archives, keys: keys, service: "shared-provider_service", home: home)
    }

    @Test func insertsIntoDistinctArchives() async throws {
        let home = try makeTemporaryDirectory("concurrent-insert")
        defer { try? FileManager.default.removeItem(at: home) }
        let keys = home.appendingPathComponent("keys")
        let binary = home.appendingPathComponent("provider")
        let added = home.appendingPathComponent("added")
        try writeRandomFile(binary, size: 1 << 20)
        try writeRandomFile(added, size: 1 << 20)
        let count = 10
        let archives = (0..<count).map { home.appendingPathComponent("provider-\($0)" + ($0 % 2 == 0 ? ".par.gz" : ".par")) }
        for archive in archives {
            let created = try await runSwashAsync(
                ["par", "create", "-n", "Insert", "-v", "swash", "-b", binary.path, "-d", keys.path, "--destination", archive.path]
                    + (archive.pathExtension == "gz" ? ["--compress"] : []), home: home)
            #expect(created.status == 0, "\(created.stderr)")
        }
        let results = try await runSwashConcurrently(
            archives.map { ["par", "insert", $0.path, "-b", added.path, "-a", "aarch64-linux", "-d", keys.path] },
            environment: swashEnvironment(home: home), in: home)
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        for archive in archives {
            let inspected = try await runSwashAsync(["inspect", archive.path, "-o", "json"], home: home)
            let object = try #require(jsonObject(inspected.stdout), "\(inspected.stderr)")
            #expect(object["signature_valid"] as? Bool == true)
            #expect(object["targets"] as? [String] == ["aarch64-linux", "x86_64-linux"])
        }
        // Hidden names are temporary files, except ~/.wash (the cache of verified archives, written concurrently).
        let left = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0.hasPrefix(".") && $0 != ".wash" }
        #expect(left.isEmpty, "temporary files left: \(left)")
        let cache = home.appendingPathComponent(".wash/cache/swash")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path) == ["verified-archives"])
    }

    /// Inserts into one archive at once are not serialised. Each either writes a complete archive (the last
    /// rename wins; the others' targets are lost) or, when another one replaced the archive while it was
    /// copying the existing targets out of it, fails saying so and writes nothing. The archive is never corrupt.
    @Test func insertsIntoOneArchiveLeaveAValidArchive() async throws {
        let home = try makeTemporaryDirectory("concurrent-insert-one")
        defer { try? FileManager.default.removeItem(at: home) }
        let keys = home.appendingPathComponent("keys")
        let binary = home.appendingPathComponent("provider")
        try writeRandomFile(binary, size: 1 << 20)
        let archive = home.appendingPathComponent("shared.par.gz")
        let created = try await runSwashAsync(
            ["par", "create", "-n", "Shared", "-v", "swash", "-b", binary.path, "-d", keys.path, "--compress",
             "--destination", archive.path], home: home)
        #expect(created.status == 0, "\(created.stderr)")
        let targets = ["aarch64-linux", "arm-linux", "riscv64-linux", "x86_64-macos", "aarch64-macos", "x86_64-windows"]
        let results = try await runSwashConcurrently(
            targets.map { ["par", "insert", archive.path, "-b", binary.path, "-a", $0, "-d", keys.path] },
            environment: swashEnvironment(home: home), in: home)
        for result in results where result.status != 0 {
            #expect(result.stderr.contains("changed while the archive was being written; nothing was written"), "\(result.stderr)")
        }
        #expect(results.contains { $0.status == 0 })
        let inspected = try await runSwashAsync(["inspect", archive.path, "-o", "json"], home: home)
        let object = try #require(jsonObject(inspected.stdout), "\(inspected.stderr)")
        #expect(object["signature_valid"] as? Bool == true)
        let found = try #require(object["targets"] as? [String])
        #expect(found.contains("x86_64-linux") && found.count >= 2)
    }
}
