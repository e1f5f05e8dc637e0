import FileIO
import Foundation
import ProviderArchiveKit
import Registry

/// Registry settings a project supplies: the `[registry]` table of wasmcloud.toml.
///
/// Filled from `<RegistryOptions.projectDirectory>/wasmcloud.toml` by the workflows; callers may also set
/// values themselves (those win over the file's).
public struct RegistryDefaults: Sendable, Hashable {
    /// The registry for references that name none (`localhost:5000`); `nil` means `docker.io`.
    public var url: String?
    /// Credentials used when neither `-u/-p` nor `WASH_REG_USER`/`WASH_REG_PASSWORD` give any.
    public var credentials: RegistryCredentials?
    /// A wash registry credentials file (`[registry] credentials`), consulted after `credentials`.
    public var credentialsFile: URL?
    /// Push over plain HTTP even without `--insecure`.
    public var pushInsecure: Bool

    /// Defaults from their parts; all empty by default.
    public init(url: String? = nil, credentials: RegistryCredentials? = nil, credentialsFile: URL? = nil, pushInsecure: Bool = false) {
        self.url = url
        self.credentials = credentials
        self.credentialsFile = credentialsFile
        self.pushInsecure = pushInsecure
    }
}

/// How to reach a registry: transport security and credentials.
public struct RegistryOptions: Sendable {
    /// Plain HTTP instead of HTTPS (`--insecure`).
    public var insecure: Bool
    /// HTTPS without verifying the registry's certificate (`--insecure-skip-tls-verify`, as in wash).
    public var skipTLSVerify: Bool
    /// `-u/--user`; with `password`, overrides the environment and the defaults.
    public var username: String?
    /// `-p/--password`.
    public var password: String?
    /// Registry defaults given by the caller.
    public var defaults: RegistryDefaults
    /// Where to look for `wasmcloud.toml`, whose `[registry]` table completes `defaults` (the CLI passes the
    /// current directory); `nil` reads no project.
    public var projectDirectory: URL?
    /// Blobs are uploaded in `PATCH`es of at most this size (1 GiB: one for any archive in practice, as docker
    /// and skopeo upload), each streamed from disk.
    var chunkSize = 1 << 30
    /// Blobs are downloaded in `Range` requests of this size (1 GiB: one request for any archive in practice;
    /// a download streams to disk whatever the size, so this bounds only how much one request may carry).
    var rangeSize = 1 << 30
    /// Runs Docker credential helpers (a fake in tests).
    public var runner: any CommandRunner = SystemCommandRunner()
    /// Seconds without progress (less than `OCIHTTPTransport.minimumRate` bytes/s) before a transfer fails;
    /// `SWASH_REGISTRY_TIMEOUT` sets it.
    public var timeout: TimeInterval = 60

    /// Options from the command line's flags.
    public init(
        insecure: Bool = false, skipTLSVerify: Bool = false, username: String? = nil, password: String? = nil,
        defaults: RegistryDefaults = .init(), projectDirectory: URL? = nil
    ) {
        self.insecure = insecure
        self.skipTLSVerify = skipTLSVerify
        self.username = username
        self.password = password
        self.defaults = defaults
        self.projectDirectory = projectDirectory
    }
}

extension RegistryOptions {
    /// The transport's settings: the timeout (`SWASH_REGISTRY_TIMEOUT` seconds wins), TLS verification, and the
    /// CA locations of the environment (`SSL_CERT_FILE`, `SSL_CERT_DIR`).
    func transport(_ context: SwashContext) -> OCITransportOptions {
        let seconds = context.environment["SWASH_REGISTRY_TIMEOUT"].flatMap(TimeInterval.init).flatMap { $0 > 0 ? $0 : nil }
        return .from(environment: context.environment, timeout: seconds ?? timeout, skipTLSVerify: skipTLSVerify)
    }
}

/// What `swash push` does besides reaching the registry.
public struct PushOptions: Sendable {
    /// Registry access.
    public var registry: RegistryOptions
    /// Allow the tag `latest` (or no tag).
    public var allowLatest: Bool
    /// Manifest annotations (`-a key=value`, parsed by `RegistryWorkflows.annotations(parsing:)`).
    public var annotations: [String: String]
    /// A JSON file to push as the config blob instead of `{}` (`-c/--config`).
    public var configFile: URL?
    /// Upload the archive in one `PUT` instead of `PATCH` chunks (`--monolithic-push`; registries such as
    /// Artifactory corrupt chunked uploads).
    public var monolithic = false

    /// The chunk size for `OCIRegistryClient.uploadBlob(file:…)`: `nil` (one `PUT`) with `monolithic`.
    var uploadChunkSize: Int? { monolithic ? nil : registry.chunkSize }

    /// Push options from the command line's flags.
    public init(
        registry: RegistryOptions = .init(), allowLatest: Bool = false, annotations: [String: String] = [:], configFile: URL? = nil
    ) {
        self.registry = registry
        self.allowLatest = allowLatest
        self.annotations = annotations
        self.configFile = configFile
    }
}

/// What `swash pull` does besides reaching the registry.
public struct PullOptions: Sendable {
    /// Registry access.
    public var registry: RegistryOptions
    /// Where to write the archive: a file, or an existing directory (default: the current directory).
    public var destination: URL?
    /// The manifest digest the artifact must have (`-d/--digest sha256:…`).
    public var digest: OCIDigest?
    /// Allow the tag `latest` (or no tag); a reference pinned by digest needs no permission.
    public var allowLatest: Bool

    /// Pull options from the command line's flags.
    public init(registry: RegistryOptions = .init(), destination: URL? = nil, digest: OCIDigest? = nil, allowLatest: Bool = false) {
        self.registry = registry
        self.destination = destination
        self.digest = digest
        self.allowLatest = allowLatest
    }

    /// Refuses `latest` or no tag without `allowLatest`, unless a digest pins the reference.
    func requireTagAllowed(_ reference: OCIReference) throws(RegistryError) {
        guard !allowLatest, reference.digest == nil, reference.tag == nil || reference.tag == "latest" else { return }
        throw .latestTagRefused(reference: reference.description, pulling: true)
    }
}

/// The outcome of a push.
public struct PushResult: Sendable {
    /// Where the archive went.
    public var reference: OCIReference
    /// The manifest's digest: pull with `--digest` (or `@digest`) to get exactly these bytes.
    public var digest: OCIDigest
    /// The manifest pushed.
    public var manifest: OCIManifest
    /// Blobs the registry already had (skipped after `HEAD`).
    public var existingBlobs: [OCIDigest]
    /// Whether this push verified the archive's contents in full; `false` when swash had written or verified
    /// these exact bytes before (`VerifiedArchives`) and checked only the claims' signature and validity.
    public var verifiedNow: Bool
}

/// The outcome of a pull.
public struct PullResult: Sendable {
    /// The archive written.
    public var file: URL
    /// Where it came from.
    public var reference: OCIReference
    /// The manifest's digest.
    public var digest: OCIDigest
    /// The archive's size in bytes.
    public var size: Int64
}

/// The `swash push`, `swash pull` and `swash inspect REF` workflows.
public enum RegistryWorkflows {
    /// The annotation holding the creation time, written only when `SOURCE_DATE_EPOCH` is set.
    public static let createdAnnotation = "org.opencontainers.image.created"

    /// The reference a push goes to: `text` resolved against the project's default registry, with the
    /// `latest` rule applied.
    /// - Parameters:
    ///   - text: the reference as typed.
    ///   - allowLatest: allow tag `latest` or no tag (which means `latest`).
    ///   - defaults: the project's registry defaults.
    /// - Throws: `RegistryError.invalidReference` or `.latestTagRefused`.
    public static func pushReference(_ text: OCIReferenceText, allowLatest: Bool, defaults: RegistryDefaults = .init())
        throws(RegistryError) -> OCIReference
    {
        var reference = try text.resolved(defaultRegistry: defaults.url)
        if reference.digest != nil {
            throw .invalidReference(text.text, reason: "a push names a tag, not a digest (the digest is computed and printed)")
        }
        if reference.isLatest {
            guard allowLatest else { throw .latestTagRefused(reference: text.text) }
            reference.tag = "latest"
        }
        return reference
    }

    /// Validates an archive and pushes it as a provider archive artifact: config blob, the archive as the
    /// only layer (each skipped when the registry has it), then the manifest under the tag.
    ///
    /// The archive's structure and claims (signature, validity window) are checked before the network is
    /// touched (a few kilobytes read). Its contents (every hash, the gzip trailer) are verified in full unless
    /// its digest is one swash remembers (`VerifiedArchives`: an archive it wrote, or verified before):
    /// - when the file is, by its identity, one swash remembers and the registry lacks that digest, the layer
    ///   is uploaded under the remembered digest (the file read once), which the registry checks against the
    ///   bytes it received; if it refuses them, the file is pushed the other way:
    /// - the digest is computed first (for `HEAD` and the manifest), and the full verification runs on a
    ///   thread of its own while the layer uploads.
    /// The config blob goes up on a second connection while the layer does.
    /// The manifest — what makes the push visible under its tag — is written only once the archive has passed.
    /// - Parameters:
    ///   - reference: `registry/repository:tag`.
    ///   - archive: path of the `.par.gz` (or `.par`).
    ///   - options: flags.
    ///   - context: environment (credentials, `SOURCE_DATE_EPOCH`), home directory and path resolution.
    /// - Throws: `RegistryError` — a bad reference or flag, an invalid archive, or a registry failure
    ///   (unreachable, authentication, unexpected answer); `SourceDateEpochError`.
    public static func push(reference: OCIReferenceText, archive archiveURL: URL, options: PushOptions, context: SwashContext)
        async throws -> PushResult
    {
        let defaults = effectiveDefaults(options.registry, context: context)
        let target = try pushReference(reference, allowLatest: options.allowLatest, defaults: defaults)
        var annotations = options.annotations
        if annotations[createdAnnotation] == nil, let seconds = try context.sourceDateEpoch() {
            annotations[createdAnnotation] = createdTimestamp(seconds)
        }
        let credentials = try await credentials(options.registry, defaults: defaults, for: target, context: context)
        try await checkStructure(of: archiveURL)
        let config = try configBlob(options.configFile)
        let verified = VerifiedArchives(context: context)
        let predicted = verified.predictedDigest(of: archiveURL)
        // Without a prediction, the digest and the verification start before any network.
        var prepared = predicted == nil ? try await PreparedLayer(archiveURL, verified: verified) : nil
        do {
            let client = OCIRegistryClient(
                reference: target, insecure: options.registry.insecure || defaults.pushInsecure, credentials: credentials,
                push: true, transport: options.registry.transport(context))
            let configDescriptor = OCIDescriptor(
                mediaType: OCIMediaType.providerArchiveConfig, digest: OCIDigest.of(config), size: Int64(config.count))
            // The config goes up beside the layer, once the layer's HEAD has settled the authorization: its round
            // trips overlap the long upload instead of preceding it.
            var configUpload: Task<Result<Bool, RegistryError>, Never>?
            func startConfigUpload() {
                configUpload = Task {
                    do throws(RegistryError) {
                        if try await client.blobExists(configDescriptor.digestValue) { return .success(true) }
                        try await client.uploadBlob(config, digest: configDescriptor.digestValue)
                        return .success(false)
                    } catch { return .failure(error) }
                }
            }
            let layer: UploadedLayer
            do {
                var remembered: UploadedLayer?
                if let predicted, try await !client.blobExists(predicted) {
                    startConfigUpload()
                    remembered = try await uploadRemembered(archiveURL, predicted: predicted, to: client, options: options)
                }
                if let remembered {
                    layer = remembered
                } else {
                    if prepared == nil { prepared = try await PreparedLayer(archiveURL, verified: verified) }
                    let existed = try await client.blobExists(prepared!.digest)
                    if configUpload == nil { startConfigUpload() }
                    layer = try await prepared!.upload(to: client, existed: existed, options: options)
                }
            } catch {
                _ = await configUpload?.value
                throw error
            }
            var existing: [OCIDigest] = []
            if try await configUpload!.value.get() { existing.append(configDescriptor.digestValue) }
            if layer.existed { existing.append(layer.digest) }
            let manifest = OCIManifest.providerArchive(
                config: configDescriptor,
                layer: OCIDescriptor(mediaType: OCIMediaType.providerArchiveLayer, digest: layer.digest, size: layer.size),
                annotations: annotations)
            let digest = try await client.putManifest(manifest.encoded(), tag: target.tag ?? "latest")
            return PushResult(
                reference: target, digest: digest, manifest: manifest, existingBlobs: existing, verifiedNow: layer.verifiedNow)
        } catch {
            // An archive that fails verification is the first thing to fix, whatever else failed meanwhile.
            if let failure = await prepared?.verification?.value { throw failure }
            throw error
        }
    }

    /// The layer as pushed.
    private struct UploadedLayer {
        var digest: OCIDigest
        var size: Int64
        /// The registry had it: not uploaded.
        var existed: Bool
        /// Verified in full by this push.
        var verifiedNow: Bool
    }

    /// Uploads an archive whose identity predicts a remembered digest, naming that digest in the closing `PUT`:
    /// the registry checks it against the bytes it received, so its acceptance proves the bytes sent are the
    /// remembered ones — the file is read once, by the upload, and not hashed here.
    /// - Returns: `nil` when the registry found other bytes (the file changed behind swash's back since it was
    ///   remembered): the caller then pushes it the long way, digest first and verified in full.
    private static func uploadRemembered(
        _ archiveURL: URL, predicted: OCIDigest, to client: OCIRegistryClient, options: PushOptions
    ) async throws(RegistryError) -> UploadedLayer? {
        let size: Int64
        do { size = try FileStatus.requireReadableFile(archiveURL) } catch { throw .file(error) }
        do {
            try await client.uploadBlob(
                file: archiveURL, digest: predicted, size: size, chunkSize: options.uploadChunkSize)
        } catch .requestFailed(_, let request, 400, _) where request.hasPrefix("PUT blob") {
            return nil  // DIGEST_INVALID, in the distribution spec's words
        }
        return UploadedLayer(digest: predicted, size: size, existed: false, verifiedNow: false)
    }

    /// An archive's digest, computed before the upload, and its full verification running on a thread of its
    /// own unless the digest is remembered.
    private struct PreparedLayer {
        var archiveURL: URL
        var digest: OCIDigest
        var size: Int64
        /// The verification under way; `nil` when the digest is remembered.
        var verification: Task<RegistryError?, Never>?

        init(_ archiveURL: URL, verified: VerifiedArchives) async throws(RegistryError) {
            self.archiveURL = archiveURL
            (digest, size) = try await BlockingIO.run { () throws(RegistryError) in
                do throws(FileSystemError) { return try OCIDigest.ofFile(at: archiveURL) } catch { throw .file(error) }
            }
            let digest = digest
            verification =
                verified.contains(digest)
                ? nil
                : taskFailure { () throws(RegistryError) in
                    try await validateArchive(at: archiveURL)
                    verified.record(digest, file: archiveURL)
                }
        }

        /// Uploads the archive unless the registry has it (`existed`, from a `HEAD`), then waits for the
        /// verification.
        func upload(to client: OCIRegistryClient, existed: Bool, options: PushOptions) async throws(RegistryError) -> UploadedLayer {
            if !existed {
                do {
                    try await client.uploadBlob(
                        file: archiveURL, digest: digest, size: size, chunkSize: options.uploadChunkSize)
                } catch .requestFailed(let registry, let request, 400, let detail) where request.hasPrefix("PUT blob") && !options.monolithic {
                    // The digest was computed from the file just now: the registry stored other bytes than were sent.
                    throw .requestFailed(
                        registry: registry, request: request, status: 400,
                        detail: detail + (detail.isEmpty ? "" : "; ")
                            + "it received other bytes than swash sent; registries such as Artifactory corrupt chunked uploads:"
                            + " push again with --monolithic-push (or WASH_MONOLITHIC_PUSH=true)")
                }
            }
            if let failure = await verification?.value { throw failure }
            return UploadedLayer(digest: digest, size: size, existed: existed, verifiedNow: verification != nil)
        }
    }

    /// The checks that need only the archive's first entries: gzip or tar, safe first entries, a claims
    /// token that decodes, its signature and its validity window. Reads a few kilobytes.
    static func checkStructure(of url: URL) async throws(RegistryError) {
        let failure = await BlockingIO.run { () -> ProviderArchiveError? in
            do throws(ProviderArchiveError) {
                _ = try ProviderArchive.readTrustedToken(from: url, at: ArchiveWorkflows.now())
                return nil
            } catch { return error }
        }
        if let failure { throw registryError(failure, shownAs: url.path) }
    }

    /// Pulls a provider archive: fetches the manifest, checks it is one (and has `--digest` when given),
    /// downloads the layer with its digest verified into a temporary file beside the destination,
    /// validates it, and renames it into place.
    /// - Parameters:
    ///   - reference: `registry/repository[:tag][@digest]`; no tag means `latest`.
    ///   - options: flags.
    ///   - context: environment (credentials) and path resolution.
    /// - Returns: where the archive was written — `<repository's last component>.par.gz` in the current
    ///   directory unless `destination` says otherwise.
    /// - Throws: `RegistryError`; on any failure nothing is left at the destination.
    public static func pull(reference: OCIReferenceText, options: PullOptions, context: SwashContext) async throws(RegistryError)
        -> PullResult
    {
        let defaults = effectiveDefaults(options.registry, context: context)
        let source = try reference.resolved(defaultRegistry: defaults.url)
        try options.requireTagAllowed(source)
        let fileName = "\(source.name).par.gz"
        var destination = options.destination ?? context.currentDirectory.appendingPathComponent(fileName)
        if FileStatus.isDirectory(destination) { destination.appendPathComponent(fileName) }
        let fetched = try await fetch(source, options: options.registry, defaults: defaults, expectedDigest: options.digest, context: context)
        try await fetched.download(to: destination)
        VerifiedArchives(context: context).record(fetched.layer.digestValue, file: destination)
        return PullResult(file: destination, reference: source, digest: fetched.digest, size: fetched.layer.size)
    }

    /// Pulls an archive into the inspection cache and returns its path, for `swash inspect REF`.
    ///
    /// The cache is `~/.wash/cache/swash/sha256-<layer digest>.par.gz`: the manifest is always fetched
    /// (tags move), the layer only when the cache lacks it or its bytes no longer have their digest, or
    /// `noCache` asks for a fresh download (which then replaces the cached copy).
    /// - Parameters:
    ///   - reference: `registry/repository[:tag][@digest]`.
    ///   - options: registry access, `--digest` and `--allow-latest` (the destination is not used).
    ///   - noCache: download the layer even when the cache holds it (`--no-cache`).
    ///   - context: home directory and environment.
    /// - Throws: `RegistryError`, as `pull`.
    public static func fetchForInspection(
        reference: OCIReferenceText, options: PullOptions, noCache: Bool = false, context: SwashContext
    ) async throws(RegistryError) -> URL {
        let defaults = effectiveDefaults(options.registry, context: context)
        let source = try reference.resolved(defaultRegistry: defaults.url)
        try options.requireTagAllowed(source)
        let fetched = try await fetch(source, options: options.registry, defaults: defaults, expectedDigest: options.digest, context: context)
        let directory = context.homeDirectory.appendingPathComponent(".wash/cache/swash", isDirectory: true)
        let digest = fetched.layer.digestValue
        let cached = directory.appendingPathComponent("sha256-\(digest.hex).par.gz")
        let cachedDigest = noCache ? nil : await BlockingIO.run { () -> OCIDigest? in try? OCIDigest.ofFile(at: cached).digest }
        if cachedDigest == digest { return cached }
        do { try Directories.createPrivate(directory) } catch { throw .file(error) }
        try await fetched.download(to: cached)
        VerifiedArchives(context: context).record(digest, file: cached)
        return cached
    }

    /// What `swash inspect ARGUMENT` reads: the argument itself when it names an existing file (or looks like
    /// one: it ends in `.par`/`.par.gz`, or its first component is no registry host), else the archive of
    /// that OCI reference, fetched into the cache by `fetchForInspection`.
    /// - Parameters:
    ///   - argument: a path or a reference such as `localhost:5000/providers/http:0.1.0`.
    ///   - options: registry access, `--digest` and `--allow-latest` for a reference.
    ///   - noCache: download even when the cache holds the layer.
    ///   - context: path resolution, home directory, environment.
    /// - Returns: the path to inspect.
    /// - Throws: `RegistryError` from fetching; a missing file is left for the inspector to report.
    public static func archiveForInspection(
        _ argument: String, options: PullOptions, noCache: Bool = false, context: SwashContext
    ) async throws(RegistryError) -> URL {
        let file = context.resolve(path: argument)
        guard !FileStatus.exists(file), !argument.hasSuffix(".par"), !argument.hasSuffix(".par.gz"),
            let slash = argument.firstIndex(of: "/"), OCIReference.looksLikeRegistry(String(argument[..<slash])),
            let reference = try? OCIReferenceText(parsing: argument)
        else { return file }
        return try await fetchForInspection(reference: reference, options: options, noCache: noCache, context: context)
    }

    // MARK: Pieces

    /// A provider archive's manifest, fetched and checked, ready to download its layer.
    private struct FetchedArtifact {
        var client: OCIRegistryClient
        var digest: OCIDigest
        var layer: OCIDescriptor
        /// Bytes per `Range` request of the download.
        var rangeSize: Int

        /// Streams the layer into a temporary file beside `destination` (digest checked on the way) while the
        /// archive verifier reads the same bytes as they arrive (one pass: socket → digest → file → verifier),
        /// and renames it into place only when the digest, the hashes and the signature all hold; on any
        /// failure nothing is left at `destination`.
        func download(to destination: URL) async throws(RegistryError) {
            let file: AtomicFile
            do { file = try AtomicFile(destination: destination) } catch { throw .file(error) }
            let writer = LockedFile(file)
            let growing = GrowingFile()
            let temporary = file.temporary.url
            let shown = await client.reference.description
            let verification = taskFailure { () throws(RegistryError) in
                try await validateArchive(at: temporary, shownAs: shown, growing: growing)
            }
            do {
                try await client.downloadBlob(layer, rangeSize: rangeSize) { data throws(RegistryError) in
                    do throws(FileSystemError) { try writer.append(data) } catch { throw .file(error) }
                    growing.grew(by: data.count)
                }
            } catch {
                growing.abandon()
                _ = await verification.value
                file.discard()
                throw error
            }
            growing.end()
            // The data reaches the disk while the verifier finishes: the commit's sync has little left to do.
            let synced = taskFailure { () throws(FileSystemError) in
                try await BlockingIO.run { () throws(FileSystemError) in try file.sync() }
            }
            let failure = await verification.value
            let syncFailure = await synced.value
            if let failure = failure ?? syncFailure.map(RegistryError.file) {
                file.discard()
                throw failure
            }
            do { try file.commit() } catch {
                file.discard()
                throw .file(error)
            }
        }
    }

    private static func fetch(
        _ source: OCIReference, options: RegistryOptions, defaults: RegistryDefaults, expectedDigest: OCIDigest?,
        context: SwashContext
    ) async throws(RegistryError) -> FetchedArtifact {
        let credentials = try await credentials(options, defaults: defaults, for: source, context: context)
        let client = OCIRegistryClient(
            reference: source, insecure: options.insecure, credentials: credentials, push: false,
            transport: options.transport(context))
        let manifest = try await client.manifest()
        if let expectedDigest, expectedDigest != manifest.digest {
            throw .digestMismatch(what: "the manifest of \(source) (--digest)", expected: expectedDigest.description, actual: manifest.digest.description)
        }
        let layer = try OCIManifest.providerLayer(in: manifest.data, contentType: manifest.contentType, reference: source.description)
        return FetchedArtifact(client: client, digest: manifest.digest, layer: layer, rangeSize: options.rangeSize)
    }

    /// Credentials, first that applies: `-u/-p`, `WASH_REG_USER`/`WASH_REG_PASSWORD`, `defaults.credentials`,
    /// the entry of `defaults.credentialsFile` for the reference.
    static func resolveCredentials(
        _ options: RegistryOptions, defaults: RegistryDefaults, for reference: OCIReference, environment: [String: String]
    ) throws(RegistryError) -> RegistryCredentials? {
        func pair(_ user: String?, _ password: String?, _ names: String) throws(RegistryError) -> RegistryCredentials? {
            let user = user.flatMap { $0.isEmpty ? nil : $0 }
            let password = password.flatMap { $0.isEmpty ? nil : $0 }
            switch (user, password) {
            case (nil, nil): return nil
            case (let user?, let password?): return RegistryCredentials(username: user, password: password)
            default: throw .invalidOption(option: names, reason: "give both the user name and the password, or neither")
            }
        }
        if let flags = try pair(options.username, options.password, "-u/--user and -p/--password") { return flags }
        let variables = "WASH_REG_USER and WASH_REG_PASSWORD"
        if let environment = try pair(environment["WASH_REG_USER"], environment["WASH_REG_PASSWORD"], variables) {
            return environment
        }
        if let credentials = defaults.credentials { return credentials }
        return try defaults.credentialsFile.flatMap { file throws(RegistryError) in try credentials(fromFile: file, for: reference) }
    }

    /// `-a key=value` flags as a dictionary.
    /// - Throws: `RegistryError.invalidOption` for a flag without `=` or a key given twice.
    public static func annotations(parsing flags: [String]) throws(RegistryError) -> [String: String] {
        var annotations: [String: String] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw .invalidOption(option: "-a/--annotation", reason: "\"\(flag)\" is not of the form key=value")
            }
            let key = String(flag[..<equals])
            guard annotations[key] == nil else {
                throw .invalidOption(option: "-a/--annotation", reason: "\"\(key)\" is given twice")
            }
            annotations[key] = String(flag[flag.index(after: equals)...])
        }
        return annotations
    }

    /// The creation annotation's value for `SOURCE_DATE_EPOCH` seconds: ISO 8601 in UTC. Without
    /// `SOURCE_DATE_EPOCH` no time is written, so pushing the same archive twice gives the same manifest digest.
    static func createdTimestamp(_ seconds: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The config blob: `{}`, or the `--config` file's bytes once they parse as JSON.
    private static func configBlob(_ url: URL?) throws(RegistryError) -> Data {
        guard let url else { return Data("{}".utf8) }
        let data: Data
        do { data = Data(try FileStatus.readSmallFile(url, limit: 4 << 20, what: "a config blob")) } catch { throw .file(error) }
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
            throw .invalidOption(option: "--config", reason: "\"\(url.path)\" is not JSON")
        }
        return data
    }

    /// The one place push and pull validate a provider archive: ProviderArchiveKit's verifying reader (every
    /// entry read, hashes and gzip trailer checked) and the claims' signature and validity window.
    /// - Parameters:
    ///   - url: the file.
    ///   - name: how messages name it (a pulled archive is named by its reference, not its temporary file).
    ///   - growing: the download's progress, when the file is still being written.
    /// - Throws: `RegistryError.invalidArchive` saying what is wrong, or `.file`.
    static func validateArchive(at url: URL, shownAs name: String? = nil, growing: GrowingFile? = nil) async throws(RegistryError) {
        let failure = await BlockingIO.run { () -> ProviderArchiveError? in
            do throws(ProviderArchiveError) {
                let archive = try ProviderArchive(verifying: url, growing: growing)
                try archive.requireTrusted(at: ArchiveWorkflows.now())
                return nil
            } catch { return error }
        }
        if let failure { throw registryError(failure, shownAs: name ?? url.path) }
    }

    /// A verification failure in the registry workflows' words; `shown` names the archive.
    private static func registryError(_ failure: ProviderArchiveError, shownAs shown: String) -> RegistryError {
        switch failure {
        case .cannotRead(_, let reason):
            return .file(FileSystemError(.read, path: shown, detail: reason))
        case .invalidArchive(_, let defect):
            return .invalidArchive(path: shown, reason: "\(defect)")
        case .untrustedClaims(_, let problem):
            return .invalidArchive(path: shown, reason: "its claims cannot be trusted: \(problem)")
        default:
            return .invalidArchive(path: shown, reason: failure.description)
        }
    }
}

/// Starts `work` in a task whose value is the error it threw, or `nil` once it succeeded: a failure to await
/// later, whatever else fails meanwhile.
private func taskFailure<Failure: Error>(_ work: @escaping @Sendable () async throws(Failure) -> Void) -> Task<Failure?, Never> {
    Task {
        do throws(Failure) {
            try await work()
            return nil
        } catch { return error }
    }
}

/// An `AtomicFile` appended to from the transport's callbacks.
private final class LockedFile: @unchecked Sendable {
    private let lock = NSLock()
    private let file: AtomicFile

    init(_ file: AtomicFile) { self.file = file }

    func append(_ data: UnsafeRawBufferPointer) throws(FileSystemError) {
        lock.lock()
        defer { lock.unlock() }
        try file.append(data)
    }
}
