import Foundation
import NKeys
import ProviderArchiveKit
import Wascap

/// The `swash par create | insert | inspect` and `swash inspect` workflows (SPEC §3, §5).
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
        public var binary: String
        /// `-a`: the target name (default: the host's, e.g. `x86_64-linux`).
        public var arch: String?
        /// `--version`.
        public var version: String?
        /// `-r`.
        public var revision: Int?
        /// `--capid`: written as `capid`, for 0.x hosts.
        public var capabilityContractID: String?
        /// `-j`: a JSON file with the configuration schema.
        public var schema: String?
        /// `--wit`: a pre-encoded WIT package, stored as `world.wasm`.
        public var wit: String?
        /// `--destination`: the archive path, or an existing directory to put it in.
        public var destination: String?
        /// `--compress`: write gzip (`.par.gz`).
        public var compress: Bool
        /// The name the service key file is found under (`<stem>_service.nk`); default: the binary's stem.
        /// `build` passes the project's `bin_name` so a `--binary` artifact signs with the project's key.
        public var subjectStem: String?

        /// A request from the flags' values.
        public init(
            name: String, vendor: String, binary: String, arch: String? = nil, version: String? = nil,
            revision: Int? = nil, capabilityContractID: String? = nil, schema: String? = nil, wit: String? = nil,
            destination: String? = nil, compress: Bool = false, subjectStem: String? = nil
        ) {
            self.subjectStem = subjectStem
            self.name = name
            self.vendor = vendor
            self.binary = binary
            self.arch = arch
            self.version = version
            self.revision = revision
            self.capabilityContractID = capabilityContractID
            self.schema = schema
            self.wit = wit
            self.destination = destination
            self.compress = compress
        }
    }

    /// A written archive.
    public struct Written: Sendable {
        /// Where it was written (the real path, `.gz` included).
        public var path: URL
        /// The signed claims it carries.
        public var token: ClaimsToken
        /// The target written (for `insert`), or the only target (for `create`).
        public var target: TargetName
    }

    /// Builds, signs and writes a provider archive with one target.
    ///
    /// The destination defaults to `<binary stem>.par` (`.par.gz` with `compress`) in the current
    /// directory; with `compress`, a destination not ending in `.gz` gets `.gz` appended. With
    /// `SOURCE_DATE_EPOCH` set, `iat` and entry mtimes take its value and `jti` is derived from the
    /// claims, so the same inputs give the same bytes.
    /// - Throws: `SwashCoreError` for key problems, `WascapError.invalidJSON` for a bad schema,
    ///   `ProviderArchiveError` for unreadable inputs, a bad target name, or a failed write.
    public static func create(_ request: CreateRequest, keys: SigningKeys, context: SwashContext) throws -> Written {
        let binary = try existingFile(request.binary, context: context)
        let world = try request.wit.map { try existingFile($0, context: context) }
        let target = try request.arch.map { name throws(ProviderArchiveError) in try TargetName(name) } ?? TargetName.host
        let stem = binary.deletingPathExtension().lastPathComponent
        let schema = try request.schema.map { try readSchema(context.resolve(path: $0)) }
        // Inputs are checked before keys are looked up, so a typo never generates a key file.
        let issuer = try keys.issuer()
        let subject = try keys.subject(binaryStem: request.subjectStem ?? stem)
        let epoch = sourceDateEpoch(context)
        let destination = destinationURL(request, stem: stem, context: context)
        let metadata = ArchiveMetadata(
            name: request.name, vendor: request.vendor, capabilityContractID: request.capabilityContractID,
            revision: request.revision, version: request.version, configSchema: schema)
        let writer = ProviderArchiveWriter(compression: request.compress ? .gzip : .none, modificationTime: Int64(epoch ?? 0))
        TemporaryFiles.removeStale(beside: destination)
        let token = try writer.write(
            metadata: metadata, targets: [target: .file(binary)],
            world: world.map { .file($0) },
            signing: ArchiveSigning(
                issuer: issuer, subject: subject.publicKey, issuedAt: epoch ?? now(), reproducible: epoch != nil),
            to: destination)
        return Written(path: destination, token: token, target: target)
    }

    static func destinationURL(_ request: CreateRequest, stem: String, context: SwashContext) -> URL {
        let fileName = stem + (request.compress ? ".par.gz" : ".par")
        guard let given = request.destination, !given.isEmpty else {
            return context.currentDirectory.appendingPathComponent(fileName)
        }
        var url = context.resolve(path: given)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url.appendingPathComponent(fileName)
        }
        if request.compress, url.pathExtension != "gz" {
            url = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".gz")
        }
        return url
    }

    /// The URL of an input file, checked to be a readable regular file.
    static func existingFile(_ path: String, context: SwashContext) throws(ProviderArchiveError) -> URL {
        let url = context.resolve(path: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .cannotRead(path: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .cannotRead(path: url.path, reason: "it is a directory") }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw .cannotRead(path: url.path, reason: "permission denied")
        }
        return url
    }

    /// Reads and validates a `-j` schema file.
    static func readSchema(_ url: URL) throws -> JSONValue {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw ProviderArchiveError.cannotRead(path: url.path, reason: "no such file")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= maximumSchemaSize else {
            throw ProviderArchiveError.inputTooLarge(path: url.path, size: size, limit: maximumSchemaSize)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ProviderArchiveError.cannotRead(path: url.path, reason: error.localizedDescription)
        }
        return try JSONValue(parsing: data, source: url.path)
    }

    // MARK: insert

    /// What `par insert` was asked to do.
    public struct InsertRequest: Sendable {
        /// The archive to change in place.
        public var archive: String
        /// `-b`: the binary to add.
        public var binary: String
        /// `-a`: its target name (default: the host's).
        public var arch: String?
        /// `--force-resign`: allow re-signing with another issuer than the archive's.
        public var forceResign: Bool

        /// A request from the flags' values.
        public init(archive: String, binary: String, arch: String? = nil, forceResign: Bool = false) {
            self.archive = archive
            self.binary = binary
            self.arch = arch
            self.forceResign = forceResign
        }
    }

    /// Adds or replaces one target of an archive and re-signs it, in place.
    ///
    /// The archive is verified first (hashes, signature, validity times); name, vendor, capid, rev, ver,
    /// config_schema and world.wasm carry over; the issuer and subject stay unless keys are given
    /// explicitly, and another issuer needs `forceResign`. Compression follows the input. On any
    /// failure the archive is left byte for byte as it was.
    /// - Throws: `ProviderArchiveError` (invalid or untrusted archive, `.issuerMismatch`, I/O),
    ///   `SwashCoreError` for key problems.
    public static func insert(_ request: InsertRequest, keys: SigningKeys, context: SwashContext) throws -> Written {
        let url = context.resolve(path: request.archive)
        let binary = try existingFile(request.binary, context: context)
        let target = try request.arch.map { name throws(ProviderArchiveError) in try TargetName(name) } ?? TargetName.host
        let archive = try ProviderArchive(verifying: url)
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
        targets[target] = .file(binary)
        let epoch = sourceDateEpoch(context)
        let writer = ProviderArchiveWriter(compression: archive.compression, modificationTime: Int64(epoch ?? 0))
        TemporaryFiles.removeStale(beside: url)
        let token = try writer.write(
            metadata: archive.metadata, targets: targets, world: archive.worldSource,
            signing: ArchiveSigning(issuer: issuer, subject: subject, issuedAt: epoch ?? now(), reproducible: epoch != nil),
            to: url)
        return Written(path: url, token: token, target: target)
    }

    // MARK: inspect

    /// Verifies an archive (every hash, the gzip trailer) and judges its claims.
    /// - Parameters:
    ///   - source: a path to a `.par.gz`/`.par` file (`swash inspect REF` resolves a reference to its cached
    ///     file first, with `RegistryWorkflows.archiveForInspection`).
    ///   - context: where relative paths are resolved.
    /// - Returns: the report; check `inspection.validation` (or call `requireValid()`) for the signature.
    /// - Throws: `ProviderArchiveError` when the archive is unreadable or invalid.
    public static func inspect(_ source: String, context: SwashContext) throws -> ArchiveInspection {
        let archive = try ProviderArchive(verifying: context.resolve(path: source))
        return ArchiveInspection(archive: archive, validation: archive.validation(at: now()))
    }

    /// The raw claims token of an archive, reading no further than `claims.jwt` (`--jwt-only`).
    /// - Throws: `ProviderArchiveError` when the archive is unreadable or has no valid token.
    public static func token(_ source: String, context: SwashContext) throws -> ClaimsToken {
        try ProviderArchive.readToken(from: context.resolve(path: source))
    }

    /// Why `name` cannot be a target name (the message for a usage error), or `nil` when it can.
    public static func targetNameProblem(_ name: String) -> String? {
        do {
            _ = try TargetName(name)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: Time

    /// `SOURCE_DATE_EPOCH` when set to a number of seconds; a malformed value is reported and ignored.
    static func sourceDateEpoch(_ context: SwashContext) -> UInt64? {
        guard let text = context.environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return nil }
        guard let seconds = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            context.log("warning: SOURCE_DATE_EPOCH=\"\(text)\" is not a number of seconds; ignoring it")
            return nil
        }
        return seconds
    }

    static func now() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }
}

/// The report `inspect` prints (SPEC §5).
public struct ArchiveInspection: Sendable {
    /// The verified archive.
    public let archive: ProviderArchive
    /// The claims' signature and validity times.
    public let validation: TokenValidation

    /// `<name> - Capability Provider`, the rows, then the targets.
    public var text: String {
        let claims = archive.claims
        var rows: [(String, String)] = [
            ("Account", claims.issuer), ("Service", claims.subject), ("Vendor", claims.vendor),
            ("Version", claims.version ?? "None"), ("Revision", claims.revision.map(String.init) ?? "None"),
        ]
        if let capid = claims.capabilityContractID { rows.append(("Capability Contract ID", capid)) }
        rows.append(("Signature", validation.signatureValid ? "valid" : "INVALID"))
        if let expired = validation.expiredAt { rows.append(("Expired", "\(expired) (unix seconds)")) }
        if let notBefore = validation.notValidUntil { rows.append(("Not valid before", "\(notBefore) (unix seconds)")) }
        let width = rows.map(\.0.count).max() ?? 0
        var lines = ["\(claims.name ?? "None") - Capability Provider"]
        lines += rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        lines.append("Supported Architecture Targets")
        lines += archive.targetNames.map { "  " + $0.rawValue }
        return lines.joined(separator: "\n")
    }

    /// `name, issuer, service, vendor, version, revision, targets, capability_contract_id?, schema?,
    /// signature_valid, success`.
    public var json: [String: Any] {
        let claims = archive.claims
        var object: [String: Any] = [
            "name": claims.name ?? "None", "issuer": claims.issuer, "service": claims.subject,
            "vendor": claims.vendor, "version": claims.version ?? "None",
            "revision": claims.revision.map(String.init) ?? "None",
            "targets": archive.targetNames.map(\.rawValue),
            "signature_valid": validation.signatureValid, "success": validation.isValid,
        ]
        if let capid = claims.capabilityContractID { object["capability_contract_id"] = capid }
        if let schema = claims.configSchema,
            let value = try? JSONSerialization.jsonObject(with: Data(schema.compactText.utf8), options: [.fragmentsAllowed])
        {
            object["schema"] = value
        }
        return object
    }

    /// Throws unless the signature is valid and the claims are within their validity window.
    /// - Throws: `ProviderArchiveError.untrustedClaims` saying what failed.
    public func requireValid() throws(ProviderArchiveError) {
        do { try validation.check(issuer: archive.claims.issuer) } catch {
            throw .untrustedClaims(archive: archive.url.path, error)
        }
    }
}
