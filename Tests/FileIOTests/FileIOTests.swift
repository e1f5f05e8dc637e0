import Foundation
import SwashTestSupport
import Testing

@testable import FileIO

#if canImport(Glibc)
    import Glibc
#endif

@Suite("FileIO: atomic files, private directories, errno-keeping errors")
struct FileIOTests {
    @Test func atomicFileReplacesOnlyOnCommit() throws {
        let directory = try makeTemporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let destination = directory.appendingPathComponent("a.txt")
        try Data("old".utf8).write(to: destination)
        do {
            let file = try AtomicFile(destination: destination)
            try file.append(Array("new".utf8))
            #expect(try String(contentsOf: destination, encoding: .utf8) == "old")
        }  // dropped uncommitted
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.txt"])
        try AtomicFile.write(Array("new".utf8), to: destination)
        #expect(try String(contentsOf: destination, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.txt"])
    }

    @Test func createNeverReplaces() throws {
        let directory = try makeTemporaryDirectory("create")
        defer { try? FileManager.default.removeItem(at: directory) }
        let destination = directory.appendingPathComponent("k.nk")
        #expect(try AtomicFile.create(Array("first".utf8), at: destination, access: .private))
        #expect(try !AtomicFile.create(Array("second".utf8), at: destination, access: .private))
        #expect(try String(contentsOf: destination, encoding: .utf8) == "first")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["k.nk"])
    }

    @Test func modesHoldUnderAnyUmask() throws {
        let directory = try makeTemporaryDirectory("modes")
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = umask(0)
        defer { umask(previous) }
        let secret = directory.appendingPathComponent("p/q/secret")
        try Directories.createPrivate(secret.deletingLastPathComponent())
        _ = try AtomicFile.create(Array("s".utf8), at: secret, access: .private)
        let ordinary = directory.appendingPathComponent("plain")
        try AtomicFile.write(Array("o".utf8), to: ordinary)
        func mode(_ url: URL) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(secret) == 0o600)
        #expect(try mode(directory.appendingPathComponent("p")) == 0o700)
        #expect(try mode(directory.appendingPathComponent("p/q")) == 0o700)
        #expect(try mode(ordinary) == 0o644)
    }

    @Test func failedCreationLeavesNoDirectories() throws {
        let directory = try makeTemporaryDirectory("mkdirs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let long = String(repeating: "d", count: 300)  // over NAME_MAX: mkdir fails after its parents were made
        let target = directory.appendingPathComponent("a/b/\(long)/c")
        let error = #expect(throws: FileSystemError.self) { try Directories.create(target) }
        #expect(error?.code == ENAMETOOLONG)
        #expect(error?.description == "cannot create directory \"\(directory.path)/a/b/\(long)\": File name too long")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    @Test func statFailuresKeepTheirErrno() throws {
        let directory = try makeTemporaryDirectory("stat")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("nope")
        #expect(throws: FileSystemError(.read, path: missing.path, code: ENOENT)) { try FileStatus.requireReadableFile(missing) }
        let file = directory.appendingPathComponent("file")
        try Data().write(to: file)
        let below = file.appendingPathComponent("x")
        #expect(throws: FileSystemError(.read, path: below.path, code: ENOTDIR)) { try FileStatus.requireReadableFile(below) }
        let fifo = directory.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let error = #expect(throws: FileSystemError.self) { try FileStatus.requireReadableFile(fifo) }
        #expect(error?.description == "cannot read \"\(fifo.path)\": it is a FIFO (named pipe), not a regular file")
        let dirError = #expect(throws: FileSystemError.self) { try FileStatus.requireReadableFile(directory) }
        #expect(dirError?.reason == "it is a directory, not a file")
    }

    @Test func foundationErrorsGiveTheSystemsWords() throws {
        let directory = try makeTemporaryDirectory("words")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("nope")
        do {
            _ = try Data(contentsOf: missing)
            Issue.record("reading a missing file succeeded")
        } catch {
            #expect(FileSystemError(.read, path: missing.path, from: error).reason == "No such file or directory")
        }
    }

    @Test func blockingWorkRunsOffTheCooperativePool() async throws {
        let onMain = await BlockingIO.run { Thread.isMainThread }
        #expect(!onMain)
        let error = await #expect(throws: FileSystemError.self) {
            try await BlockingIO.run { () throws(FileSystemError) in throw FileSystemError(.read, path: "/x", detail: "no") }
        }
        #expect(error?.detail == "no")
    }
}

@Suite("File identity")
struct FileIdentityTests {
    @Test func changesWithEveryWriteAndRoundTripsAsText() throws {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("f")
        try Data("one".utf8).write(to: file)
        let first = try #require(FileIdentity(of: file))
        #expect(FileIdentity(of: file) == first)  // reading changes nothing
        #expect(first.size == 3)
        #expect(FileIdentity(parsing: first.description) == first)
        #expect(FileIdentity(parsing: "1:2:3:4") == nil)
        #expect(FileIdentity(parsing: "1:2:3:4:x") == nil)

        // Same size, mtime set back: the status-change time still moves.
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data("two".utf8))
        try handle.close()
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: TimeInterval(first.modified) / 1e9)], ofItemAtPath: file.path)
        let second = try #require(FileIdentity(of: file))
        #expect(second != first)
        #expect(second.changed != first.changed)

        #expect(FileIdentity(of: directory) == nil)
        #expect(FileIdentity(of: directory.appendingPathComponent("missing")) == nil)
    }
}
