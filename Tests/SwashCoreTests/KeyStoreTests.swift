import Foundation
import NKeys
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// A context over a temporary home whose log lines are collected.
final class TestContext: @unchecked Sendable {
    let home: URL
    private let lock = NSLock()
    private var lines: [String] = []

    init() throws { home = try makeTemporaryDirectory("swash-home") }

    var messages: [String] { lock.withLock { lines } }

    func context(_ environment: [String: String] = [:]) -> SwashContext {
        SwashContext(
            environment: ["USER": "tester"].merging(environment) { $1 }, homeDirectory: home,
            currentDirectory: home, log: { [self] line in lock.withLock { lines.append(line) } })
    }
}

private func mode(_ url: URL) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

@Suite("Key directory resolution")
struct KeyDirectoryTests {
    @Test func defaultIsHomeWashKeys() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        #expect(keys.directory.path == test.home.appendingPathComponent(".wash/keys").path)
    }

    @Test func orderIsFlagThenEnvironmentThenManifest() throws {
        let test = try TestContext()
        let manifestDir = URL(fileURLWithPath: "/manifest/keys")
        let env = ["WASH_KEYS": "/env/keys"]
        #expect(SigningKeys(options: KeyOptions(keysDirectory: test.home.appendingPathComponent("flag")), context: test.context(env), manifestKeyDirectory: manifestDir).directory.path
            == test.home.appendingPathComponent("flag").path)
        #expect(SigningKeys(options: KeyOptions(), context: test.context(env), manifestKeyDirectory: manifestDir).directory.path == "/env/keys")
        #expect(SigningKeys(options: KeyOptions(), context: test.context(), manifestKeyDirectory: manifestDir).directory.path == "/manifest/keys")
    }

    @Test func accountFileUsesUserOrFallback() throws {
        let test = try TestContext()
        var context = test.context()
        context.environment["USER"] = nil
        let keys = SigningKeys(options: KeyOptions(), context: context)
        _ = try keys.issuer()
        #expect(FileManager.default.fileExists(atPath: keys.directory.appendingPathComponent("user_account.nk").path))
    }
}

@Suite("Key files")
struct KeyFileTests {
    /// A `kill -9` between `link` and `unlink` leaves a hidden copy of the seed; the key is never made again,
    /// so the copies go whenever the key is loaded (once abandoned), not only when one is made.
    @Test func loadingAKeyRemovesAbandonedCopiesOfItsSeed() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        let issuer = try keys.issuer()
        let stale = keys.directory.appendingPathComponent(".tester_account.nk.0B8E6F9A.tmp")
        let fresh = keys.directory.appendingPathComponent(".tester_account.nk.1C9F7A0B.tmp")
        for url in [stale, fresh] { try Data(issuer.seed.utf8).write(to: url) }
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-TemporaryFiles.staleAge - 60)], ofItemAtPath: stale.path)
        #expect(try keys.issuer().seed == issuer.seed)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: fresh.path))  // perhaps a live writer's
    }

    @Test func firstRunGeneratesWithModesNoNewlineAndMessage() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        let issuer = try keys.issuer()
        let subject = try keys.subject(binaryStem: "my-provider")
        #expect(issuer.type == .account)
        #expect(subject.type == .service)

        let accountFile = keys.directory.appendingPathComponent("tester_account.nk")
        let serviceFile = keys.directory.appendingPathComponent("my-provider_service.nk")
        let contents = try Data(contentsOf: accountFile)
        #expect(contents.count == 58)
        #expect(contents.last != UInt8(ascii: "\n"))
        #expect(String(decoding: contents, as: UTF8.self) == issuer.seed)
        #expect(try mode(accountFile) == 0o600)
        #expect(try mode(serviceFile) == 0o600)
        #expect(try mode(keys.directory) == 0o700)
        #expect(try mode(keys.directory.deletingLastPathComponent()) == 0o700)  // ~/.wash, created here too

        #expect(test.messages.count == 2)
        #expect(test.messages[0] == "No keypair found in \"\(accountFile.path)\". We will generate one for you and place it there. If you'd like to use alternative keys, you can supply them as a flag.")
        #expect(test.messages[1].contains(serviceFile.path))

        // The second run reuses the files and says nothing.
        #expect(try keys.issuer().seed == issuer.seed)
        #expect(try keys.subject(binaryStem: "my-provider").seed == subject.seed)
        #expect(test.messages.count == 2)
    }

    @Test func modesHoldUnderPermissiveUmask() throws {
        let test = try TestContext()
        let old = umask(0)
        defer { umask(old) }
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        _ = try keys.issuer()
        #expect(try mode(keys.directory.appendingPathComponent("tester_account.nk")) == 0o600)
        #expect(try mode(keys.directory) == 0o700)
    }

    @Test func existingKeyIsNeverOverwritten() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        let file = keys.directory.appendingPathComponent("tester_account.nk")
        try keys.store.createDirectory()
        let existing = try KeyPair.generate(.account)
        try Data("  \(existing.seed)\n".utf8).write(to: file)  // surrounding whitespace is tolerated
        #expect(try keys.issuer().publicKey == existing.publicKey)
        #expect(try String(contentsOf: file, encoding: .utf8) == "  \(existing.seed)\n")

        // Exclusive creation refuses to replace it.
        #expect(try AtomicFile.create(Array("other".utf8), at: file, access: .private) == false)
        #expect(try String(contentsOf: file, encoding: .utf8) == "  \(existing.seed)\n")
    }

    @Test func wrongTypeInKeyFileIsAnErrorNamingTheFile() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        try keys.store.createDirectory()
        let file = keys.directory.appendingPathComponent("tester_account.nk")
        try Data(KeyPair.generate(.user).seed.utf8).write(to: file)
        let error = #expect(throws: KeyError.self) { try keys.issuer() }
        #expect(error?.description.contains(file.path) == true)
        #expect(error?.description.contains("expected an account key, got a user key") == true)
    }

    @Test func disabledKeygenNamesPathAndFlags() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(disableKeygen: true), context: test.context())
        let error = #expect(throws: KeyError.self) { try keys.subject(binaryStem: "prov") }
        let text = error?.description ?? ""
        #expect(text.contains(keys.directory.appendingPathComponent("prov_service.nk").path))
        #expect(text.contains("--subject/-s or WASH_SUBJECT_KEY"))
        #expect(!FileManager.default.fileExists(atPath: keys.directory.path))
    }

    @Test func concurrentFirstRunsShareOneKey() async throws {
        let test = try TestContext()
        let context = test.context()
        let seeds = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try SigningKeys(options: KeyOptions(), context: context).issuer().seed
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        let directory = SigningKeys(options: KeyOptions(), context: context).directory
        #expect(Set(seeds).count == 1)
        let onDisk = try String(contentsOf: directory.appendingPathComponent("tester_account.nk"), encoding: .utf8)
        #expect(seeds.first == onDisk)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["tester_account.nk"])
    }
}

@Suite("Explicit keys")
struct ExplicitKeyTests {
    @Test func flagTakesSeedOrPath() throws {
        let test = try TestContext()
        let account = try KeyPair.generate(.account)
        let service = try KeyPair.generate(.service)
        let seedFile = test.home.appendingPathComponent("issuer.seed")
        try Data(account.seed.utf8).write(to: seedFile)
        chmod(seedFile.path, 0o600)  // a seed file others can read gets a warning (tested below)

        let bySeed = SigningKeys(options: KeyOptions(issuer: account.seed, subject: service.seed), context: test.context())
        #expect(try bySeed.issuer().publicKey == account.publicKey)
        #expect(try bySeed.subject(binaryStem: "x").publicKey == service.publicKey)
        let byPath = SigningKeys(options: KeyOptions(issuer: "issuer.seed"), context: test.context())
        #expect(try byPath.issuer().publicKey == account.publicKey)
        // Explicit keys generate nothing.
        #expect(!FileManager.default.fileExists(atPath: bySeed.directory.path))
        #expect(test.messages.isEmpty)

        // A seed file others can read still works, with a warning naming it and the fix.
        chmod(seedFile.path, 0o644)
        #expect(try byPath.issuer().publicKey == account.publicKey)
        #expect(test.messages == [
            "warning: the key file \"\(seedFile.path)\" is accessible by other users, who could copy its seed; run chmod 600 \"\(seedFile.path)\""
        ])
    }

    @Test func environmentIsUsedWhenNoFlag() throws {
        let test = try TestContext()
        let account = try KeyPair.generate(.account)
        let other = try KeyPair.generate(.account)
        let env = ["WASH_ISSUER_KEY": account.seed]
        #expect(try SigningKeys(options: KeyOptions(), context: test.context(env)).issuer().publicKey == account.publicKey)
        #expect(try SigningKeys(options: KeyOptions(issuer: other.seed), context: test.context(env)).issuer().publicKey == other.publicKey)
        #expect(try SigningKeys(options: KeyOptions(), context: test.context()).explicitIssuer() == nil)
    }

    @Test func wrongTypeAndGarbageAreErrorsWithoutSeeds() throws {
        let test = try TestContext()
        let user = try KeyPair.generate(.user)
        let wrongType = #expect(throws: KeyError.self) {
            try SigningKeys(options: KeyOptions(issuer: user.seed), context: test.context()).issuer()
        }
        #expect(wrongType?.description.contains("expected an account key, got a user key") == true)
        #expect(wrongType?.description.contains(user.seed) == false)

        let mangled = String(user.seed.dropLast())
        let bad = #expect(throws: KeyError.self) {
            try SigningKeys(options: KeyOptions(subject: mangled), context: test.context()).subject(binaryStem: "x")
        }
        #expect(bad?.description.contains(mangled) == false)
        #expect(bad?.description.hasPrefix("--subject:") == true)

        let missingPath = #expect(throws: KeyError.self) {
            try SigningKeys(options: KeyOptions(issuer: "keys/nope.nk"), context: test.context()).issuer()
        }
        #expect(missingPath?.description.contains("\"keys/nope.nk\" is neither an existing file nor a valid seed") == true)
    }

    /// Found by HardeningSecretsTests: a seed cut short (39 characters) or lowercased was echoed whole, since
    /// only values starting with "S" and at least 40 long counted as seeds. Now no run of 20 base32 characters
    /// is ever echoed.
    @Test func partialSeedsAreNeverEchoed() throws {
        let test = try TestContext()
        let seed = try KeyPair.generate(.account).seed
        let windows = (0...38).map { String(Array(seed)[$0..<$0 + 20]) }
        let mangled = [
            String(seed.prefix(39)), String(seed.prefix(25)), seed.lowercased(), "x" + seed, String(seed.dropFirst(2)),
            seed + "/", String(seed.prefix(29)) + "1" + String(seed.dropFirst(30)),
        ]
        for value in mangled {
            let error = #expect(throws: KeyError.self) {
                try SigningKeys(options: KeyOptions(issuer: value), context: test.context()).issuer()
            }
            let text = try #require(error?.description).uppercased()
            #expect(!windows.contains { text.contains($0) }, "\(text)")
            #expect(text.hasPrefix("--ISSUER: THE VALUE IS NOT AN EXISTING FILE"))
        }
    }

    /// A key file is judged before it is read: a huge one was read whole into memory first, and a FIFO
    /// depended on Foundation refusing it.
    @Test func hugeAndSpecialKeyFilesAreRefusedUnread() throws {
        let directory = try makeTemporaryDirectory("odd-keys")
        defer { try? FileManager.default.removeItem(at: directory) }
        let huge = directory.appendingPathComponent("huge.nk")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 1 << 30)  // sparse: 1 GiB that costs no disk
        try handle.close()
        let fifo = directory.appendingPathComponent("fifo.nk")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for (url, reason) in [(huge, "1073741824 bytes is far too large for a seed file"), (fifo, "it is a FIFO (named pipe), not a regular file")] {
            let error = #expect(throws: KeyError.self) { try KeyStore.readSeedFile(url, expecting: nil) }
            #expect(error?.description == "cannot read key file \"\(url.path)\": \(reason)")
        }
    }

    @Test func pathsAreEchoed() {
        #expect(!SigningKeys.mightHoldSeed("./keys/acount.nk"))
        #expect(!SigningKeys.mightHoldSeed("/home/user/.wash/keys/tester_account.nk"))
        #expect(SigningKeys.mightHoldSeed("SAAAABYOCUOCGKRRHA7U"))
        #expect(SigningKeys.mightHoldSeed("/keys/aaaabyocuocgkrrha7umtk"))
    }
}

@Suite("Listing and reading")
struct KeyListingTests {
    @Test func listShowsNamesAndPublicKeysAndFlagsBadFiles() throws {
        let test = try TestContext()
        let keys = SigningKeys(options: KeyOptions(), context: test.context())
        let issuer = try keys.issuer()
        let subject = try keys.subject(binaryStem: "prov")
        try Data("garbage".utf8).write(to: keys.directory.appendingPathComponent("broken.nk"))
        try Data("not a key".utf8).write(to: keys.directory.appendingPathComponent("notes.txt"))

        let listing = try KeyWorkflows.list(keysDirectory: nil, context: test.context())
        #expect(listing.entries.map(\.name) == ["broken", "prov_service", "tester_account"])
        #expect(listing.entries[1].publicKey == subject.publicKey.encoded)
        #expect(listing.entries[2].publicKey == issuer.publicKey.encoded)
        #expect(listing.entries[0].publicKey == nil && listing.entries[0].problem != nil)
        let encoded = String(decoding: try JSONEncoder().encode(listing), as: UTF8.self)
        #expect(!encoded.contains(issuer.seed))
        #expect(encoded.contains(issuer.publicKey.encoded))
    }

    @Test func getReadsNameWithOrWithoutExtension() throws {
        let test = try TestContext()
        let dir = try makeTemporaryDirectory()
        let pair = try KeyPair.generate(.module)
        try Data(pair.seed.utf8).write(to: dir.appendingPathComponent("mod.nk"))
        try Data(pair.seed.utf8).write(to: dir.appendingPathComponent("plain"))
        #expect(try KeyWorkflows.key(named: "mod", keysDirectory: dir, context: test.context()).seed == pair.seed)
        #expect(try KeyWorkflows.key(named: "plain", keysDirectory: dir, context: test.context()).seed == pair.seed)
        #expect(throws: KeyError.self) { try KeyWorkflows.key(named: "absent", keysDirectory: dir, context: test.context()) }
    }
}
