import FileIO
import Foundation
import NKeys

/// The key-related flags every signing command takes.
public struct KeyOptions: Sendable, Equatable {
    /// `-d/--keys-directory`, resolved.
    public var keysDirectory: URL?
    /// `-i/--issuer`: a path to an account seed file, or the seed itself.
    public var issuer: String?
    /// `-s/--subject`: a path to a service seed file, or the seed itself.
    public var subject: String?
    /// `--disable-keygen`: a missing key file is an error instead of being generated.
    public var disableKeygen: Bool

    /// Key options from the flags' values.
    public init(keysDirectory: URL? = nil, issuer: String? = nil, subject: String? = nil, disableKeygen: Bool = false) {
        self.keysDirectory = keysDirectory
        self.issuer = issuer
        self.subject = subject
        self.disableKeygen = disableKeygen
    }
}

/// Finds the keys that sign an archive, as wash does (SPEC §1).
///
/// Directory, first that applies: `--keys-directory` → `$WASH_KEYS` → `[provider] key_directory` →
/// `~/.wash/keys`. The issuer is `--issuer`, else `$WASH_ISSUER_KEY`, else `<dir>/<user>_account.nk`;
/// the subject is `--subject`, else `$WASH_SUBJECT_KEY`, else `<dir>/<binary stem>_service.nk`.
public struct SigningKeys: Sendable {
    /// The flags as given.
    public let options: KeyOptions
    /// The context keys are resolved in.
    public let context: SwashContext
    /// The resolved keys directory.
    public let directory: URL

    /// Resolves the keys directory from flags, environment and manifest.
    /// - Parameters:
    ///   - options: the key flags.
    ///   - context: environment, home and working directory.
    ///   - manifestKeyDirectory: `[provider] key_directory` of wasmcloud.toml, already resolved (build only).
    public init(options: KeyOptions, context: SwashContext, manifestKeyDirectory: URL? = nil) {
        self.options = options
        self.context = context
        if let flag = options.keysDirectory {
            directory = flag
        } else if let env = context.environment["WASH_KEYS"], !env.isEmpty {
            directory = context.resolve(path: env)
        } else if let manifestKeyDirectory {
            directory = manifestKeyDirectory
        } else {
            directory = context.homeDirectory.appendingPathComponent(".wash/keys", isDirectory: true)
        }
    }

    /// The key store over the resolved directory.
    public var store: KeyStore { KeyStore(directory: directory) }

    /// The account key that signs: explicit, else `<dir>/<user>_account.nk` (generated on first run).
    /// - Throws: `KeyError` when the key is invalid, of another type, or missing with keygen disabled.
    public func issuer() throws(KeyError) -> KeyPair {
        // Both explicit values are judged before any key is generated: an empty -s must not leave a new account key.
        // (Quietly: `subject` judges it again and gives its permission warnings once.)
        _ = try explicitKey(
            flag: options.subject, flagName: "--subject", variable: "WASH_SUBJECT_KEY", type: .service, notice: { _ in })
        if let explicit = try explicitIssuer() { return explicit }
        return try store.loadOrCreate(
            fileName: "\(context.userName)_account.nk", type: .account, allowGenerate: !options.disableKeygen,
            flags: "--issuer/-i or WASH_ISSUER_KEY", notice: context.notice)
    }

    /// The service key of a binary: explicit, else `<dir>/<stem>_service.nk` (generated on first run).
    /// - Parameter binaryStem: the binary's file name without extension.
    /// - Throws: `KeyError` when the key is invalid, of another type, or missing with keygen disabled.
    public func subject(binaryStem: String) throws(KeyError) -> KeyPair {
        if let explicit = try explicitSubject() { return explicit }
        return try store.loadOrCreate(
            fileName: "\(binaryStem)_service.nk", type: .service, allowGenerate: !options.disableKeygen,
            flags: "--subject/-s or WASH_SUBJECT_KEY", notice: context.notice)
    }

    /// The issuer given by `--issuer` or `$WASH_ISSUER_KEY`, or `nil` when neither is set.
    /// - Throws: `KeyError` when the value is neither a seed file nor a valid account seed.
    public func explicitIssuer() throws(KeyError) -> KeyPair? {
        try explicitKey(flag: options.issuer, flagName: "--issuer", variable: "WASH_ISSUER_KEY", type: .account, notice: context.notice)
    }

    /// The subject given by `--subject` or `$WASH_SUBJECT_KEY`, or `nil` when neither is set.
    /// - Throws: `KeyError` when the value is neither a seed file nor a valid service seed.
    public func explicitSubject() throws(KeyError) -> KeyPair? {
        try explicitKey(flag: options.subject, flagName: "--subject", variable: "WASH_SUBJECT_KEY", type: .service, notice: context.notice)
    }

    private func explicitKey(
        flag: String?, flagName: String, variable: String, type: KeyType, notice: (String) -> Void
    ) throws(KeyError) -> KeyPair?
    {
        let source: String
        let value: String
        if let flag {
            (source, value) = (flagName, flag)
        } else if let env = context.environment[variable] {
            (source, value) = (variable, env)
        } else {
            return nil
        }
        // An unset CI secret arrives as an empty value: never sign with a freshly generated key instead.
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .emptyKeyValue(source: source) }
        let url = context.resolve(path: value)
        if FileStatus.exists(url), !FileStatus.isDirectory(url) {
            KeyStore.permissionWarnings(for: url).forEach(notice)
            return try KeyStore.readSeedFile(url, expecting: type)
        }
        do {
            return try KeyPair(seed: value, expecting: type)
        } catch {
            throw .invalidKeyValue(source: source, shown: Self.mightHoldSeed(value) ? nil : value, error)
        }
    }

    /// Whether a value that is neither a seed file nor a valid seed may still hold part of a seed (truncated,
    /// lowercased, with a typo or extra text): it has a run of 20 or more characters of the base32 alphabet,
    /// either case. Such a value is never echoed in a message; a path like `./keys/acount.nk` is.
    static func mightHoldSeed(_ value: String) -> Bool {
        var run = 0
        for scalar in value.unicodeScalars {
            let isBase32 = ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("2"..."7").contains(scalar)
            run = isBase32 ? run + 1 : 0
            if run >= 20 { return true }
        }
        return false
    }
}
