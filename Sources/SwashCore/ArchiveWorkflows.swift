import FileIO
import Foundation
import NKeys
import ProviderArchiveKit
import Wascap

/// The `swash par create | insert | inspect` and `swash inspect` workflows (SPEC §3, §5).
///
/// They take resolved URLs and parsed target names (the CLI checks the syntax of its input once, when it
/// parses it), judge the files they are given, and do their reading, hashing and writing on a thread of
/// their own (`BlockingIO`).
public enum ArchiveWorkflows {
    /// The largest `-j` schema file accepted: the claims token must stay under the reader's 1 MiB limit.
    public static let maximumSchemaSize: Int64 = 512 << 10

    // MARK: create

    /// What `par create` was asked to build.
    public struct CreateRequest: Sendable {
        /// `-n`: the provider's display name.
        public var name: String
        /// `-v`: the vendor.
        public var vendor: String
        /// `-b`: the provider binary.
        public var binary: URL
        /// `-a`: the target name (default: the one the binary's header names, else the host's, e.g. `x86_64-linux`).
        public var target: TargetName?
        /// `--version`.
        public var version: String?
        /// `-r`.
        public var revision: Int?
        /// `--capid`: written as `capid`, for 0.x hosts.
        public var capabilityContractID: String?
        /// `-j`: a JSON file with the configuration schema.
        public var schema: URL?
        /// `--wit`: a pre-encoded WIT package, stored as `world.wasm`.
        public var wit: URL?
        /// `--wit-directory` / `WIT_DIR`: a WIT directory, encoded with wasm-tools and stored as `world.wasm`
        /// (takes the place of `wit`).
        public var witDirectory: URL?
        /// `--destination`: the archive path, or an existing directory to put it in.
        public var destination: URL?
        /// `--compress`: write gzip (`.par.gz`).
        public var compress: Bool
        /// The name the service key file is found under (`<stem>_service.nk`); default: the binary's stem.
        /// `build` passes the project's `bin_name` so a `--binary` artifact signs with the project's key.
        public var subjectStem: String?

        /// A request from the flags' values.
        public init(
            name: String, vendor: String, binary: URL, target: TargetName? = nil, version: String? = nil,
            revision: Int? = nil, capabilityContractID: String? = nil, schema: URL? = nil, wit: URL? = nil,
            witDirectory: URL? = nil, destination: URL? = nil, compress: Bool = false, subjectStem: String? = nil
        ) {
            self.witDirectory = witDirectory
            self.name = name
            self.vendor = vendor
            self.binary = binary
            self.target = target
            self.version = version
            self.revision = revision
            self.capabilityContractID = capabilityContractID
            self.schema = schema
            self.wit = wit
            self.destination = destination
            self.compress = compress
            self.subjectStem = subjectStem
        }
    }

    /// A written archive.
    public struct Written: Sendable, Codable {
        /// Where it was written (the real path, `.gz` included).
        public var path: URL
        /// The target written (for `insert`), or the only target (for `create`).
        public var target: TargetName
        /// The signed claims token it carries (`claims.jwt`).
        public var token: String
    }

    /// Builds, signs and writes a provider archive with one target.
    ///
    /// The destination defaults to `<binary stem>.par` (`.par.gz` with `compress`) in the current
    /// directory; with `compress`, a destination not ending in `.gz` gets `.gz` appended. With
    /// `SOURCE_DATE_EPOCH` set, `iat` and entry mtimes take its value and `jti` is derived from the
    /// claims, so the same inputs give the same bytes.
    /// - Throws: `FileSystemError` for a missing or unreadable input, `KeyError` for key problems,
    ///   `SourceDateEpochError`, `WascapError.invalidJSON` for a bad schema, `WitError`/`BuildError` when the
    ///   WIT directory cannot be encoded, `ProviderArchiveError` for a failed write.
    public static func create(
        _ request: CreateRequest, keys: SigningKeys, context: SwashContext, runner: any CommandRunner = SystemCommandRunner()
    ) async throws -> Written {
        _ = try FileStatus.requireReadableFile(request.binary)
        if let wit = request.wit { _ = try FileStatus.requireReadableFile(wit) }
        let (target, warning) = try judgeTarget(of: request.binary, requested: request.target)
        let written = try await createArchive(request, targets: [target: request.binary], keys: keys, context: context, runner: runner)
        if let warning { context.notice(warning) }
        return written
    }

    /// Writes a new archive of the given targets (already judged), named and signed as `create` does; the request's
    /// `binary` only gives the default stem.
    static func createArchive(
        _ request: CreateRequest, targets: [TargetName: URL], keys: SigningKeys, context: SwashContext,
        runner: any CommandRunner = SystemCommandRunner()
    ) async throws -> Written {
        if let wit = request.wit { _ = try FileStatus.requireReadableFile(wit) }
        let stem = request.binary.deletingPathExtension().lastPathComponent
        let schema = try request.schema.map(readSchema)
        let epoch = try context.sourceDateEpoch()
        let destination = destinationURL(request, stem: stem, context: context)
        // Encoded before any key is looked up, so a WIT error never generates a key file.
        var encoded: TemporaryPath?
        if let directory = request.witDirectory {
            encoded = try await WitWorkflows.encode(directory, beside: destination, context: context, runner: runner)
        }
        let world = encoded?.url ?? request.wit
        // Inputs are checked before keys are looked up, so a typo never generates a key file.
        let issuer = try keys.issuer()
        let subject = try keys.subject(binaryStem: request.subjectStem ?? stem)
        let metadata = ArchiveMetadata(
            name: request.name, vendor: request.vendor, capabilityContractID: request.capabilityContractID,
            revision: request.revision, version: request.version, configSchema: schema)
        let writer = ProviderArchiveWriter(compression: request.compress ? .gzip : .none, modificationTime: Int64(epoch ?? 0))
        let signing = ArchiveSigning(issuer: issuer, subject: subject.publicKey, issuedAt: epoch ?? now(), reproducible: epoch != nil)
        let written = try await BlockingIO.run { () throws(ProviderArchiveError) in
            try writer.write(
                metadata: metadata, targets: targets.mapValues { .file($0) }, world: world.map { .file($0) },
                signing: signing, to: destination)
        }
        withExtendedLifetime(encoded) {}
        VerifiedArchives(context: context).record(sha256: written.sha256, file: destination)
        return Written(path: destination, target: targets.keys.min()!, token: written.token.encoded)
    }

    static func destinationURL(_ request: CreateRequest, stem: String, context: SwashContext) -> URL {
        let fileName = stem + (request.compress ? ".par.gz" : ".par")
        guard var url = request.destination else { return context.currentDirectory.appendingPathComponent(fileName) }
        if FileStatus.isDirectory(url) { return url.appendingPathComponent(fileName) }
        if request.compress, url.pathExtension != "gz" {
            url = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".gz")
        }
        return url
    }

    /// Reads and validates a `-j` schema file.
    /// - Throws: `FileSystemError` (missing, too large, unreadable), `WascapError.invalidJSON`.
    static func readSchema(_ url: URL) throws -> JSONValue {
        let bytes = try FileStatus.readSmallFile(url, limit: Int(maximumSchemaSize), what: "a configuration schema")
        return try JSONValue(parsing: bytes, source: url.path)
    }

    // MARK: insert

    /// What `par insert` was asked to do.
    public struct InsertRequest: Sendable {
        /// The archive to change in place.
        public var archive: URL
        /// `-b`: the binary to add.
        public var binary: URL
        /// `-a`: its target name (default: the one the binary's header names, else the host's).
        public var target: TargetName?
        /// `--force-resign`: allow re-signing with another issuer than the archive's.
        public var forceResign: Bool

        /// A request from the flags' values.
        public init(archive: URL, binary: URL, target: TargetName? = nil, forceResign: Bool = false) {
            self.archive = archive
            self.binary = binary
            self.target = target
            self.forceResign = forceResign
        }
    }

    /// Adds or replaces one target of an archive and re-signs it, in place.
    ///
    /// The archive is verified first (hashes, signature, validity times); name, vendor, capid, rev, ver,
    /// config_schema and world.wasm carry over; the issuer and subject stay unless keys are given
    /// explicitly, and another issuer needs `forceResign`. Compression follows the input. On any
    /// failure the archive is left byte for byte as it was.
    /// - Throws: `FileSystemError` for a missing binary, `ProviderArchiveError` (invalid or untrusted archive,
    ///   `.issuerMismatch`, I/O), `KeyError` for key problems, `SourceDateEpochError`.
    public static func insert(_ request: InsertRequest, keys: SigningKeys, context: SwashContext) async throws -> Written {
        let url = request.archive
        _ = try FileStatus.requireReadableFile(request.binary)
        let (target, warning) = try judgeTarget(of: request.binary, requested: request.target)
        let epoch = try context.sourceDateEpoch()
        let archive = try await BlockingIO.run { () throws(ProviderArchiveError) in try ProviderArchive(verifying: url) }
        try archive.requireTrusted(at: now())
        let issuer = try keys.issuer()
        try archive.checkResigning(by: issuer.publicKey, force: request.forceResign)
        let subject: PublicKey
        if let explicit = try keys.explicitSubject() {
            subject = explicit.publicKey
        } else {
            do { subject = try PublicKey(archive.claims.subject, expecting: .service) } catch {
                throw ProviderArchiveError.signingFailed(.invalidKey(claim: "sub", error))
            }
        }
        var targets = archive.targetSources
        targets[target] = .file(request.binary)
        let writer = ProviderArchiveWriter(compression: archive.compression, modificationTime: Int64(epoch ?? 0))
        let signing = ArchiveSigning(issuer: issuer, subject: subject, issuedAt: epoch ?? now(), reproducible: epoch != nil)
        let written = try await BlockingIO.run { [targets] () throws(ProviderArchiveError) in
            try writer.write(metadata: archive.metadata, targets: targets, world: archive.worldSource, signing: signing, to: url)
        }
        VerifiedArchives(context: context).record(sha256: written.sha256, file: url)
        if let warning { context.notice(warning) }
        return Written(path: url, target: target, token: written.token.encoded)
    }

    // MARK: inspect

    /// Verifies an archive (every hash, the gzip trailer) and judges its claims.
    /// - Parameter url: a `.par.gz`/`.par` file (`swash inspect REF` fetches a reference into the cache first,
    ///   with `RegistryWorkflows.archiveForInspection`).
    /// - Returns: the report; `report.trustProblem` says why its claims cannot be trusted, if they cannot.
    /// - Throws: `ProviderArchiveError` when the archive is unreadable or invalid.
    public static func inspect(_ url: URL) async throws -> ArchiveReport {
        let archive = try await BlockingIO.run { () throws(ProviderArchiveError) in try ProviderArchive(verifying: url) }
        return ArchiveReport(archive: archive, validation: archive.validation(at: now()))
    }

    /// The raw claims token of an archive, reading no further than `claims.jwt` (`--jwt-only`).
    /// - Throws: `ProviderArchiveError` when the archive is unreadable or has no valid token.
    public static func token(_ url: URL) async throws -> ClaimsToken {
        try await BlockingIO.run { () throws(ProviderArchiveError) in try ProviderArchive.readToken(from: url) }
    }

    // MARK: Time

    static func now() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }
}

/// What `inspect` found in an archive (SPEC §5): its claims, targets and the verdict on its signature.
public struct ArchiveReport: Sendable, Codable {
    /// The archive's path.
    public var path: URL
    /// `name` (absent in some archives).
    public var name: String?
    /// `iss`: the account that signed.
    public var issuer: String
    /// `sub`: the provider's service key.
    public var service: String
    /// `vendor`.
    public var vendor: String
    /// `ver`.
    public var version: String?
    /// `rev`.
    public var revision: Int?
    /// `capid`, for 0.x hosts.
    public var capabilityContractID: String?
    /// `config_schema` as compact JSON text.
    public var schema: String?
    /// The targets, sorted.
    public var targets: [TargetName]
    /// Whether the Ed25519 signature verifies against the issuer.
    public var signatureValid: Bool
    /// `exp`, when it has passed.
    public var expiredAt: UInt64?
    /// `nbf`, when it is still ahead.
    public var notValidBefore: UInt64?
    /// Why the claims cannot be trusted (bad signature, expired, not yet valid), or `nil` when they can.
    public var trustProblem: String?

    /// Whether the claims can be trusted.
    public var isValid: Bool { trustProblem == nil }

    init(archive: ProviderArchive, validation: TokenValidation) {
        let claims = archive.claims
        path = archive.url
        name = claims.name
        issuer = claims.issuer
        service = claims.subject
        vendor = claims.vendor
        version = claims.version
        revision = claims.revision
        capabilityContractID = claims.capabilityContractID
        schema = claims.configSchema?.compactText
        targets = archive.targetNames
        signatureValid = validation.signatureValid
        expiredAt = validation.expiredAt
        notValidBefore = validation.notValidUntil
        do {
            try validation.check(issuer: claims.issuer)
            trustProblem = nil
        } catch {
            trustProblem = ProviderArchiveError.untrustedClaims(archive: archive.url.path, error).description
        }
    }
}
