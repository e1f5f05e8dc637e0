import Foundation
import SwashTestSupport
import Testing

/// A full disk (issue 8): a 2 MiB tmpfs mounted for the test (root only; skipped with a note otherwise). Every
/// write that runs out of space exits 1 with a message naming the path and "No space left on device", and
/// leaves no partial file — an earlier file at the destination stays as it was.
@Suite("Hardening: disk full", .serialized)
struct HardeningDiskFullTests {
    static let noSpace = "No space left on device"

    /// The files in a directory, hidden ones included.
    static func contents(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    static func skipUnlessMountable() -> Bool {
        if !canMountTmpfs { print("note: cannot mount a tmpfs here (not root, or not permitted); skipping the disk-full test") }
        return canMountTmpfs
    }

    @Test func parCreateKeepsThePreviousArchive() async throws {
        guard Self.skipUnlessMountable() else { return }
        let home = try makeTemporaryDirectory("disk-full-create")
        defer { try? FileManager.default.removeItem(at: home) }
        let big = home.appendingPathComponent("big")
        let small = home.appendingPathComponent("big-small")  // another binary; same destination name below
        try writeRandomFile(big, size: 8 << 20)
        try writeRandomFile(small, size: 64 << 10)
        let keys = home.appendingPathComponent("keys")
        try await withTmpfs(size: "2m") { disk in
            let destination = disk.appendingPathComponent("provider.par.gz")
            let create = { (binary: URL, json: Bool) in
                try await runSwashAsync(
                    ["par", "create", "-n", "Full", "-v", "swash", "-b", binary.path, "-d", keys.path, "--compress",
                     "--destination", destination.path] + (json ? ["-o", "json"] : []), home: home)
            }
            // Nothing there yet: no file appears.
            let first = try await create(big, false)
            #expect(first.status == 1)
            #expect(first.stderr.contains("error: cannot write \"\(destination.path)\""), "\(first.stderr)")
            #expect(first.stderr.contains(Self.noSpace), "\(first.stderr)")
            #expect(try Self.contents(disk) == [])

            // An earlier archive stays, byte for byte; JSON mode reports the same on stderr.
            #expect(try await create(small, false).status == 0)
            let before = try Data(contentsOf: destination)
            let second = try await create(big, true)
            #expect(second.status == 1)
            let error = try #require(jsonObject(second.stderr))
            #expect(error["success"] as? Bool == false)
            #expect((error["error"] as? String)?.contains(Self.noSpace) == true, "\(second.stderr)")
            #expect(second.stdout.isEmpty)
            #expect(try Data(contentsOf: destination) == before)
            #expect(try Self.contents(disk) == ["provider.par.gz"])
        }
    }

    @Test func buildAndInsertKeepThePreviousArchive() async throws {
        guard Self.skipUnlessMountable() else { return }
        let home = try makeTemporaryDirectory("disk-full-build")
        defer { try? FileManager.default.removeItem(at: home) }
        let keys = home.appendingPathComponent("keys")
        let small = home.appendingPathComponent("small")
        let big = home.appendingPathComponent("big")
        try writeRandomFile(small, size: 64 << 10)
        try writeRandomFile(big, size: 8 << 20)
        try await withTmpfs(size: "2m") { disk in
            try writeManifest(in: home, name: "Full", binName: "full", build: disk.path)
            let archive = disk.appendingPathComponent("full.par.gz")
            let built = try await runSwashAsync(["build", "-p", home.path, "--binary", small.path, "-d", keys.path], home: home)
            #expect(built.status == 0, "\(built.stderr)")
            let before = try Data(contentsOf: archive)

            let bigBuild = try await runSwashAsync(["build", "-p", home.path, "--binary", big.path, "-d", keys.path], home: home)
            #expect(bigBuild.status == 1)
            #expect(bigBuild.stderr.contains(archive.path) && bigBuild.stderr.contains(Self.noSpace), "\(bigBuild.stderr)")

            let insert = try await runSwashAsync(["par", "insert", archive.path, "-b", big.path, "-a", "aarch64-linux", "-d", keys.path], home: home)
            #expect(insert.status == 1)
            #expect(insert.stderr.contains(archive.path) && insert.stderr.contains(Self.noSpace), "\(insert.stderr)")
            #expect(try Data(contentsOf: archive) == before)
            #expect(try Self.contents(disk) == ["full.par.gz"])
        }
    }

    @Test func keyGenerationOnAFullDisk() async throws {
        guard Self.skipUnlessMountable() else { return }
        let home = try makeTemporaryDirectory("disk-full-keys")
        defer { try? FileManager.default.removeItem(at: home) }
        let binary = home.appendingPathComponent("provider")
        try writeRandomFile(binary, size: 4096)
        try await withTmpfs(size: "1m") { disk in
            try fillFileSystem(disk)
            let keys = disk.appendingPathComponent("keys")
            let result = try await runSwashAsync(
                ["par", "create", "-n", "Keys", "-v", "swash", "-b", binary.path, "--destination", home.appendingPathComponent("out.par").path],
                home: home, extraEnvironment: ["WASH_KEYS": keys.path])
            #expect(result.status == 1)
            #expect(result.stderr.contains("cannot write key file \"\(keys.path)/tester_account.nk\": \(Self.noSpace)"), "\(result.stderr)")
            // The directory may have been made (it needs no data blocks), but holds no key and no temporary file.
            if FileManager.default.fileExists(atPath: keys.path) { #expect(try Self.contents(keys) == []) }
            #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("out.par").path))
        }
    }

    @Test(.enabled(if: RegistryServer.isAvailable))
    func pullOntoAFullDisk() async throws {
        guard Self.skipUnlessMountable() else { return }
        let registry = try await RegistryServer.start()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("disk-full-pull")
        defer { try? FileManager.default.removeItem(at: home) }
        let archive = try await makeTestArchive(in: home, size: 4 << 20)
        let reference = "\(registry.address)/hardening/full:1.0.0"
        #expect(try await runSwashAsync(["push", reference, archive.path, "--insecure"], home: home).status == 0)
        try await withTmpfs(size: "2m") { disk in
            let destination = disk.appendingPathComponent("full.par.gz")
            let previous = Data("an older pull".utf8)
            try previous.write(to: destination)
            let pull = try await runSwashAsync(["pull", reference, "--insecure", "--destination", destination.path], home: home)
            #expect(pull.status == 1)
            #expect(pull.stderr.contains("cannot write \"\(destination.path)\"") && pull.stderr.contains(Self.noSpace), "\(pull.stderr)")
            #expect(try Data(contentsOf: destination) == previous)
            #expect(try Self.contents(disk) == ["full.par.gz"])
        }
    }
}
