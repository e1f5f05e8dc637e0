import Foundation
import ProviderArchiveKit
import SwashCore
import SwashTestSupport
import Testing
import Wascap

/// The archive workflows against a temporary home: never the real `~/.wash`.
@Suite("Archive workflows")
struct ArchiveWorkflowTests {
    func context(_ home: URL, environment: [String: String] = [:]) -> SwashContext {
        SwashContext(
            environment: ["USER": "tester"].merging(environment) { $1 }, homeDirectory: home, currentDirectory: home,
            log: { _ in })
    }

    func setUp() throws -> (URL, SwashContext, SigningKeys) {
        let home = try makeTemporaryDirectory()
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0) }).write(to: home.appendingPathComponent("prov.so"))
        let context = context(home)
        return (home, context, SigningKeys(options: KeyOptions(), context: context))
    }

    /// The claims of the archive a workflow wrote.
    func claims(_ written: ArchiveWorkflows.Written) throws -> ProviderClaims {
        let token = try ProviderArchive.readToken(from: written.path)
        #expect(token.encoded == written.token)
        return token.claims
    }

    @Test func destinationRules() async throws {
        let (home, context, keys) = try setUp()
        func create(_ destination: String?, compress: Bool) async throws -> String {
            try await ArchiveWorkflows.create(
                .init(
                    name: "N", vendor: "V", binary: context.resolve(path: "prov.so"),
                    destination: destination.map(context.resolve(path:)), compress: compress),
                keys: keys, context: context
            ).path.path
        }
        #expect(try await create(nil, compress: false) == home.path + "/prov.par")
        #expect(try await create(nil, compress: true) == home.path + "/prov.par.gz")
        #expect(try await create("x.par", compress: true) == home.path + "/x.par.gz")
        #expect(try await create("y.par.gz", compress: true) == home.path + "/y.par.gz")
        #expect(try await create("z.par", compress: false) == home.path + "/z.par")
        #expect(try await create(".", compress: true) == home.path + "/prov.par.gz")
        #expect(try await create(home.path + "/abs.par", compress: false) == home.path + "/abs.par")
    }

    @Test func sourceDateEpochFixesTimeAndID() async throws {
        let (home, _, _) = try setUp()
        let fixed = context(home, environment: ["SOURCE_DATE_EPOCH": "1234567890"])
        let keys = SigningKeys(options: KeyOptions(), context: fixed)
        func request(_ name: String) -> ArchiveWorkflows.CreateRequest {
            .init(name: "N", vendor: "V", binary: home.appendingPathComponent("prov.so"), destination: home.appendingPathComponent(name))
        }
        let a = try await ArchiveWorkflows.create(request("a.par"), keys: keys, context: fixed)
        let b = try await ArchiveWorkflows.create(request("b.par"), keys: keys, context: fixed)
        #expect(try claims(a).issuedAt == 1_234_567_890)
        #expect(a.token == b.token)
        #expect(try Data(contentsOf: a.path) == Data(contentsOf: b.path))

        // One reading of SOURCE_DATE_EPOCH for archives and manifests: a malformed value is an error naming it,
        // and nothing is written.
        let malformed = context(home, environment: ["SOURCE_DATE_EPOCH": "yesterday"])
        let error = await #expect(throws: SourceDateEpochError.self) {
            try await ArchiveWorkflows.create(request("c.par"), keys: keys, context: malformed)
        }
        #expect(error?.description.hasPrefix("SOURCE_DATE_EPOCH: \"yesterday\" is not a number of seconds") == true)
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("c.par").path))
        #expect(try context(home, environment: ["SOURCE_DATE_EPOCH": " 42 "]).sourceDateEpoch() == 42)
        #expect(try context(home, environment: ["SOURCE_DATE_EPOCH": ""]).sourceDateEpoch() == nil)
    }

    @Test func insertKeepsSubjectUnlessGivenAndFollowsCompression() async throws {
        let (home, context, keys) = try setUp()
        let binary = home.appendingPathComponent("prov.so")
        let archive = home.appendingPathComponent("prov.par.gz")
        let created = try claims(
            await ArchiveWorkflows.create(.init(name: "N", vendor: "V", binary: binary, compress: true), keys: keys, context: context))
        let inserted = try claims(
            await ArchiveWorkflows.insert(
                .init(archive: archive, binary: binary, target: try TargetName("aarch64-linux")), keys: keys, context: context))
        #expect(inserted.subject == created.subject)
        #expect(inserted.issuer == created.issuer)
        #expect(inserted.id != created.id)
        #expect(Array(try Data(contentsOf: archive).prefix(2)) == [0x1F, 0x8B])

        // An explicit subject replaces the archive's.
        let service = try KeyWorkflows.generate(.service)
        let explicit = SigningKeys(options: KeyOptions(subject: service.seed), context: context)
        let replaced = try await ArchiveWorkflows.insert(.init(archive: archive, binary: binary), keys: explicit, context: context)
        #expect(try claims(replaced).subject == service.publicKey.encoded)

        let report = try await ArchiveWorkflows.inspect(archive)
        #expect(report.targets.map(\.rawValue) == ["aarch64-linux", "x86_64-linux"])
        #expect(report.isValid && report.signatureValid)
        #expect(report.name == "N" && report.vendor == "V" && report.issuer.hasPrefix("A"))
        let encoded = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(ArchiveReport.self, from: encoded).targets == report.targets)
    }

    @Test func missingInputsSayWhatTheSystemSaid() async throws {
        let (home, context, keys) = try setUp()
        let missing = home.appendingPathComponent("nope")
        let error = await #expect(throws: (any Error).self) {
            try await ArchiveWorkflows.create(.init(name: "N", vendor: "V", binary: missing), keys: keys, context: context)
        }
        #expect("\(error!)" == "cannot read \"\(missing.path)\": No such file or directory")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(".wash").path), "no key generated")
    }
}
