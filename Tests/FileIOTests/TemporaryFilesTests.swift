import Foundation
import SwashTestSupport
import Testing

@testable import FileIO

@Suite("Temporary files: one naming scheme, the sweep, live paths")
struct TemporaryFilesTests {
    @Test func namesBelongToTheirDestination() {
        #expect(TemporaryFiles.isTemporary(".x.par.gz.1a2b3c.tmp", for: "x.par.gz"))
        #expect(TemporaryFiles.isTemporary(".x.par.gz.0B8E6F9A-6C1B-4F5E-9D2A-1A2B3C4D5E6F.partial", for: "x.par.gz"))
        #expect(TemporaryFiles.isTemporary(".tester_account.nk.0B8E6F9A.tmp", for: "tester_account.nk"))
        #expect(!TemporaryFiles.isTemporary(".x.par.gz..tmp", for: "x.par.gz"))  // no random part
        #expect(!TemporaryFiles.isTemporary(".y.par.gz.1a2b.tmp", for: "x.par.gz"))
        #expect(!TemporaryFiles.isTemporary("x.par.gz.1a2b.tmp", for: "x.par.gz"))  // not hidden
        #expect(!TemporaryFiles.isTemporary(".x.par.gz.1a2b.bak", for: "x.par.gz"))
        #expect(!TemporaryFiles.isTemporary(".x.par.gz.a/b.tmp", for: "x.par.gz"))
    }

    @Test func freshPathsFollowTheScheme() {
        let destination = URL(fileURLWithPath: "/tmp/dir/x.par.gz")
        let first = TemporaryFiles.path(beside: destination)
        #expect(first.deletingLastPathComponent().path == "/tmp/dir")
        #expect(TemporaryFiles.isTemporary(first.lastPathComponent, for: "x.par.gz"))
        #expect(first != TemporaryFiles.path(beside: destination))
    }

    @Test func sweepsOnlyOldFilesAndDirectoriesOfTheDestination() throws {
        let directory = try makeTemporaryDirectory("stale")
        defer { try? FileManager.default.removeItem(at: directory) }
        let destination = directory.appendingPathComponent("x.par.gz")
        let old = Date().addingTimeInterval(-TemporaryFiles.staleAge - 60)
        func make(_ name: String, modified: Date? = nil) throws {
            let url = directory.appendingPathComponent(name)
            try Data("partial".utf8).write(to: url)
            if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path) }
        }
        try make("x.par.gz", modified: old)
        try make(".x.par.gz.old1.tmp", modified: old)
        try make(".x.par.gz.old2.partial", modified: old)
        try make(".x.par.gz.fresh.tmp")  // a live writer's
        try make(".y.par.gz.old3.tmp", modified: old)  // another destination's
        let staged = directory.appendingPathComponent(".x.par.gz.olddir.tmp")
        try FileManager.default.createDirectory(at: staged.appendingPathComponent("src"), withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: staged.path)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent(".x.par.gz.link.tmp").path, withDestinationPath: "/etc/hostname")

        let removed = TemporaryFiles.sweep(beside: destination)
        #expect(removed.sorted() == [".x.par.gz.old1.tmp", ".x.par.gz.old2.partial", ".x.par.gz.olddir.tmp"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
            ".x.par.gz.fresh.tmp", ".x.par.gz.link.tmp", ".y.par.gz.old3.tmp", "x.par.gz",
        ])
    }

    @Test func livePathsAreRegisteredUntilSettled() throws {
        let directory = try makeTemporaryDirectory("live")
        defer { try? FileManager.default.removeItem(at: directory) }
        let destination = directory.appendingPathComponent("out.bin")
        let file = try AtomicFile(destination: destination)
        #expect(TemporaryFiles.livePaths.contains(file.temporary.url.path))
        try file.append(Array("data".utf8))
        try file.commit()
        #expect(!TemporaryFiles.livePaths.contains(file.temporary.url.path))
        #expect(try String(contentsOf: destination, encoding: .utf8) == "data")

        let abandoned = TemporaryPath(beside: directory.appendingPathComponent("gone.bin"))
        FileManager.default.createFile(atPath: abandoned.url.path, contents: Data("x".utf8))
        #expect(TemporaryFiles.livePaths.contains(abandoned.url.path))
        abandoned.remove()
        #expect(!FileManager.default.fileExists(atPath: abandoned.url.path))
        #expect(!TemporaryFiles.livePaths.contains(abandoned.url.path))
    }
}
