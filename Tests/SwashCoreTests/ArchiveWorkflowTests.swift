import Foundation
import SwashCore
import SwashTestSupport
import Testing

/// The archive workflows against a temporary home: never the real `~/.wash`.
@Suite("Archive workflows")
struct ArchiveWorkflowTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    func context(_ home: URL, environment: [String: String] = [:], log: Log = Log()) -> SwashContext {
        SwashContext(
            environment: ["USER": "tester"].merging(environment) { $1 }, homeDirectory: home, currentDirectory: home,
            log: { log.append($0) })
    }

    func setUp() throws -> (URL, SwashContext, SigningKeys) {
        let home = try makeTemporaryDirectory()
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0) }).write(to: home.appendingPathComponent("prov.so"))
        let context = context(home)
        return (home, context, SigningKeys(options: KeyOptions(), context: context))
    }

    @Test func destinationRules() throws {
        let (home, context, keys) = try setUp()
        func create(_ destination: String?, compress: Bool) throws -> String {
            try ArchiveWorkflows.create(
                .init(name: "N", vendor: "V", binary: "prov.so", destination: destination, compress: compress),
                keys: keys, context: context
            ).path.path
        }
        #expect(try create(nil, compress: false) == home.path + "/prov.par")
        #expect(try create(nil, compress: true) == home.path + "/prov.par.gz")
        #expect(try create("x.par", compress: true) == home.path + "/x.par.gz")
        #expect(try create("y.par.gz", compress: true) == home.path + "/y.par.gz")
        #expect(try create("z.par", compress: false) == home.path + "/z.par")
        #expect(try create(".", compress: true) == home.path + "/prov.par.gz")
        #expect(try create(home.path + "/abs.par", compress: false) == home.path + "/abs.par")
    }

    @Test func sourceDateEpochFixesTimeAndID() throws {
        let (home, _, _) = try setUp()
        let log = Log()
        let fixed = context(home, environment: ["SOURCE_DATE_EPOCH": "1234567890"], log: log)
        let keys = SigningKeys(options: KeyOptions(), context: fixed)
        let a = try ArchiveWorkflows.create(.init(name: "N", vendor: "V", binary: "prov.so", destination: "a.par"), keys: keys, context: fixed)
        let b = try ArchiveWorkflows.create(.init(name: "N", vendor: "V", binary: "prov.so", destination: "b.par"), keys: keys, context: fixed)
        #expect(a.token.claims.issuedAt == 1_234_567_890)
        #expect(a.token.encoded == b.token.encoded)
        #expect(try Data(contentsOf: a.path) == Data(contentsOf: b.path))

        let malformed = context(home, environment: ["SOURCE_DATE_EPOCH": "yesterday"], log: log)
        let c = try ArchiveWorkflows.create(.init(name: "N", vendor: "V", binary: "prov.so", destination: "c.par"), keys: keys, context: malformed)
        #expect(c.token.claims.issuedAt > 1_600_000_000)
        #expect(log.all.contains { $0.contains("SOURCE_DATE_EPOCH=\"yesterday\"") })
    }

    @Test func insertKeepsSubjectUnlessGivenAndFollowsCompression() throws {
        let (home, context, keys) = try setUp()
        let created = try ArchiveWorkflows.create(.init(name: "N", vendor: "V", binary: "prov.so", compress: true), keys: keys, context: context)
        let inserted = try ArchiveWorkflows.insert(.init(archive: "prov.par.gz", binary: "prov.so", arch: "aarch64-linux"), keys: keys, context: context)
        #expect(inserted.token.claims.subject == created.token.claims.subject)
        #expect(inserted.token.claims.issuer == created.token.claims.issuer)
        #expect(inserted.token.claims.id != created.token.claims.id)
        #expect(Array(try Data(contentsOf: home.appendingPathComponent("prov.par.gz")).prefix(2)) == [0x1F, 0x8B])

        // An explicit subject replaces the archive's.
        let service = try KeyWorkflows.generate(.service)
        let explicit = SigningKeys(options: KeyOptions(subject: service.seed), context: context)
        let replaced = try ArchiveWorkflows.insert(.init(archive: "prov.par.gz", binary: "prov.so"), keys: explicit, context: context)
        #expect(replaced.token.claims.subject == service.publicKey.encoded)

        let inspection = try ArchiveWorkflows.inspect("prov.par.gz", context: context)
        #expect(inspection.archive.targetNames.map(\.rawValue) == ["aarch64-linux", "x86_64-linux"])
        #expect(inspection.validation.isValid)
        try inspection.requireValid()
        #expect(inspection.text.hasPrefix("N - Capability Provider\n  Account    A"))
    }

    @Test func targetNameProblems() {
        #expect(ArchiveWorkflows.targetNameProblem("x86_64-linux") == nil)
        #expect(ArchiveWorkflows.targetNameProblem("claims")?.contains("reserved") == true)
        #expect(ArchiveWorkflows.targetNameProblem("a/b")?.contains("nested path") == true)
    }
}
