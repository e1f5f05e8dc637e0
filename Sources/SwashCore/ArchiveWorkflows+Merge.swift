import FileIO
import Foundation
import NKeys
import ProviderArchiveKit
import Wascap

extension ArchiveWorkflows {
    /// What `par merge` was asked to do.
    public struct MergeRequest: Sendable {
        /// The archives to merge (at least two).
        public var inputs: [URL]
        /// `--destination`: the archive to write; gzip when it ends in `.gz`.
        public var destination: URL
        /// `--force-resign`: allow signing with another issuer than the inputs'.
        public var forceResign: Bool

        /// A request from the flags' values.
        public init(inputs: [URL], destination: URL, forceResign: Bool = false) {
            self.inputs = inputs
            self.destination = destination
            self.forceResign = forceResign
        }
    }

    /// A merged archive.
    public struct Merged: Sendable, Codable {
        /// Where it was written.
        public var path: URL
        /// Its targets, sorted.
        public var targets: [TargetName]
        /// The inputs merged.
        public var inputs: [URL]
        /// The signed claims token it carries.
        public var token: String
    }

    /// Merges single- or multi-target archives of one provider into one archive holding the union of their targets,
    /// signed once (SPEC §7).
    ///
    /// Every input is verified (hashes, signature, validity). They must agree on name, vendor, version, revision,
    /// capid, config_schema, world.wasm and subject, and a target held by two inputs must be the same binary. The
    /// issuer is the inputs' (they must share one) unless explicit keys name another, which needs `forceResign`.
    /// Binaries are copied across without being extracted. Nothing is written on any failure.
    /// - Throws: `ProviderArchiveError` (an invalid or untrusted input, `.mergeConflict`, `.mergeTargetConflict`,
    ///   `.issuerMismatch`, a failed write), `KeyError`, `SourceDateEpochError`.
    public static func merge(_ request: MergeRequest, keys: SigningKeys, context: SwashContext) async throws -> Merged {
        let epoch = try context.sourceDateEpoch()
        var archives: [ProviderArchive] = []
        for url in request.inputs {
            let archive = try await BlockingIO.run { () throws(ProviderArchiveError) in try ProviderArchive(verifying: url) }
            try archive.requireTrusted(at: now())
            archives.append(archive)
        }
        try requireAgreement(archives, explicitSubject: try keys.explicitSubject() != nil, forceResign: request.forceResign)
        let targets = try unionOfTargets(archives)

        let issuer = try keys.issuer()
        for archive in archives { try archive.checkResigning(by: issuer.publicKey, force: request.forceResign) }
        let subject: PublicKey
        if let explicit = try keys.explicitSubject() {
            subject = explicit.publicKey
        } else {
            do { subject = try PublicKey(archives[0].claims.subject, expecting: .service) } catch {
                throw ProviderArchiveError.signingFailed(.invalidKey(claim: "sub", error))
            }
        }
        let compression: ArchiveCompression = request.destination.pathExtension == "gz" ? .gzip : .none
        let writer = ProviderArchiveWriter(compression: compression, modificationTime: Int64(epoch ?? 0))
        let signing = ArchiveSigning(issuer: issuer, subject: subject, issuedAt: epoch ?? now(), reproducible: epoch != nil)
        let first = archives[0]
        let destination = request.destination
        let written = try await BlockingIO.run { () throws(ProviderArchiveError) in
            try writer.write(metadata: first.metadata, targets: targets, world: first.worldSource, signing: signing, to: destination)
        }
        VerifiedArchives(context: context).record(sha256: written.sha256, file: destination)
        return Merged(path: destination, targets: targets.keys.sorted(), inputs: request.inputs, token: written.token.encoded)
    }

    /// Throws the first claim (or world.wasm) on which the archives disagree.
    static func requireAgreement(_ archives: [ProviderArchive], explicitSubject: Bool, forceResign: Bool) throws(ProviderArchiveError) {
        func quoted(_ text: String?) -> String { text.map { "\"\($0)\"" } ?? "(none)" }
        var fields: [(String, (ProviderArchive) -> String)] = [
            ("name", { quoted($0.claims.name) }),
            ("vendor", { quoted($0.claims.vendor) }),
            ("version", { quoted($0.claims.version) }),
            ("revision", { $0.claims.revision.map(String.init) ?? "(none)" }),
            ("capid", { quoted($0.claims.capabilityContractID) }),
            ("config_schema", { $0.claims.configSchema?.compactText ?? "(none)" }),
            ("world.wasm", { $0.world.map { "sha256:" + $0.sha256 } ?? "(none)" }),
        ]
        // An explicit subject key replaces the inputs' subjects, as an explicit issuer with --force-resign
        // replaces their issuers; otherwise they must share them.
        if !explicitSubject { fields.append(("sub (the provider's service key)", { $0.claims.subject })) }
        if !forceResign { fields.append(("iss (the signing account)", { $0.claims.issuer })) }
        for (field, value) in fields {
            let values = archives.map { MergeInput(path: $0.url.path, value: value($0)) }
            guard let differing = values.first(where: { $0.value != values[0].value }) else { continue }
            throw .mergeConflict(field: field, values: [values[0], differing])
        }
    }

    /// The union of the archives' targets; a target two archives hold with different hashes is a conflict.
    static func unionOfTargets(_ archives: [ProviderArchive]) throws(ProviderArchiveError) -> [TargetName: EntrySource] {
        var union: [TargetName: (member: ArchiveMember, archive: ProviderArchive)] = [:]
        for archive in archives {
            for (target, member) in archive.targets.sorted(by: { $0.key < $1.key }) {
                if let held = union[target] {
                    guard held.member.sha256 == member.sha256 else {
                        throw .mergeTargetConflict(
                            target: target.rawValue,
                            values: [
                                MergeInput(path: held.archive.url.path, value: "sha256:" + held.member.sha256),
                                MergeInput(path: archive.url.path, value: "sha256:" + member.sha256),
                            ])
                    }
                    continue
                }
                union[target] = (member, archive)
            }
        }
        return union.mapValues { .member($0.member, of: $0.archive) }
    }
}
