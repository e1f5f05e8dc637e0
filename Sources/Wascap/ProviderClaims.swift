import NKeys

/// The claims a capability provider archive carries in `claims.jwt` (SPEC §2).
///
/// Written compact in this key order: `jti, iat, iss, sub, wascap{name, capid?, vendor, rev?, ver?,
/// target_hashes, config_schema?}, wascap_revision` (`exp` before `jti` and `nbf` after `sub` when set,
/// where wascap puts them; swash itself never sets them). Read leniently: unknown keys are ignored and
/// only `jti, iat, iss, sub, wascap.vendor, wascap.target_hashes` are required.
public struct ProviderClaims: Sendable, Hashable {
    /// `jti`: a unique token id, 22 alphanumerics when swash writes it.
    public var id: String
    /// `iat`: issue time in unix seconds.
    public var issuedAt: UInt64
    /// `iss`: the issuer's account public key (`A…`).
    public var issuer: String
    /// `sub`: the provider's service public key (`V…`).
    public var subject: String
    /// `wascap.name`: the provider's display name.
    public var name: String?
    /// `wascap.capid`: the capability contract id, written only when the user gave one (0.x hosts need it).
    public var capabilityContractID: String?
    /// `wascap.vendor`.
    public var vendor: String
    /// `wascap.rev`: the revision number.
    public var revision: Int?
    /// `wascap.ver`: the version string.
    public var version: String?
    /// `wascap.target_hashes`: target name (or `world.wasm`) → SHA-256 hex. Written sorted by name.
    public var targetHashes: [String: String]
    /// `wascap.config_schema`: any JSON value.
    public var configSchema: JSONValue?
    /// `exp`: expiry time in unix seconds.
    public var expires: UInt64?
    /// `nbf`: not-before time in unix seconds.
    public var notBefore: UInt64?
    /// `wascap_revision`: the claims format revision.
    public var wascapRevision: Int?

    /// The `wascap_revision` swash writes.
    public static let currentWascapRevision = 3
    /// The `target_hashes` key of an embedded WIT package.
    public static let worldHashKey = "world.wasm"

    /// Claims from their parts; `wascapRevision` defaults to the current revision.
    public init(
        id: String, issuedAt: UInt64, issuer: String, subject: String, name: String?,
        capabilityContractID: String? = nil, vendor: String, revision: Int? = nil, version: String? = nil,
        targetHashes: [String: String], configSchema: JSONValue? = nil, expires: UInt64? = nil,
        notBefore: UInt64? = nil, wascapRevision: Int? = ProviderClaims.currentWascapRevision
    ) {
        self.id = id
        self.issuedAt = issuedAt
        self.issuer = issuer
        self.subject = subject
        self.name = name
        self.capabilityContractID = capabilityContractID
        self.vendor = vendor
        self.revision = revision
        self.version = version
        self.targetHashes = targetHashes
        self.configSchema = configSchema
        self.expires = expires
        self.notBefore = notBefore
        self.wascapRevision = wascapRevision
    }

    /// Whether `digest` (hex, any case) is the recorded hash of `target`.
    /// - Returns: `false` when the target has no hash.
    public func hash(of target: String, matches digest: String) -> Bool {
        guard let recorded = targetHashes[target] else { return false }
        return recorded.uppercased() == digest.uppercased()
    }

    // MARK: Identifiers

    static let idAlphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    /// Length of the `jti` swash writes.
    public static let idLength = 22

    /// A fresh random `jti`: 22 characters from `[0-9A-Za-z]`, from the system's secure random source.
    public static func randomID() -> String {
        let bytes = (0..<idLength).map { _ in idAlphabet[Int(SodiumLibrary.uniform(UInt32(idAlphabet.count)))] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `jti` that depends only on the claims' content, for reproducible archives:
    /// SHA-256 of these claims' JSON written with an empty `jti`; its first 22 bytes, each taken
    /// modulo 62, index `0-9A-Za-z`.
    public var deterministicID: String {
        var copy = self
        copy.id = ""
        let digest = SHA256.hash(Array(copy.json.compactText.utf8))
        let characters = digest.prefix(Self.idLength).map { Self.idAlphabet[Int($0) % Self.idAlphabet.count] }
        return String(decoding: characters, as: UTF8.self)
    }

    // MARK: JSON

    /// The claims as a JSON object in the order SPEC §2 gives.
    public var json: JSONValue {
        var wascap: [JSONMember] = []
        if let name { wascap.append(JSONMember("name", .string(name))) }
        if let capabilityContractID { wascap.append(JSONMember("capid", .string(capabilityContractID))) }
        wascap.append(JSONMember("vendor", .string(vendor)))
        if let revision { wascap.append(JSONMember("rev", .number(String(revision)))) }
        if let version { wascap.append(JSONMember("ver", .string(version))) }
        let hashes = targetHashes.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        wascap.append(JSONMember("target_hashes", .object(hashes.map { JSONMember($0.key, .string($0.value)) })))
        if let configSchema { wascap.append(JSONMember("config_schema", configSchema)) }

        var members: [JSONMember] = []
        if let expires { members.append(JSONMember("exp", .number(String(expires)))) }
        members.append(JSONMember("jti", .string(id)))
        members.append(JSONMember("iat", .number(String(issuedAt))))
        members.append(JSONMember("iss", .string(issuer)))
        members.append(JSONMember("sub", .string(subject)))
        if let notBefore { members.append(JSONMember("nbf", .number(String(notBefore)))) }
        members.append(JSONMember("wascap", .object(wascap)))
        if let wascapRevision { members.append(JSONMember("wascap_revision", .number(String(wascapRevision)))) }
        return .object(members)
    }

    /// Reads claims from a decoded JSON object, leniently (see the type's documentation).
    /// - Throws: `WascapError.missingClaim` / `.invalidClaim` naming the claim.
    public init(json: JSONValue) throws(WascapError) {
        guard case .object = json else { throw .invalidClaim("claims", expected: "a JSON object") }
        let reader = ClaimReader(object: json, path: "")
        guard let wascap = json["wascap"], wascap != .null else { throw .missingClaim("wascap") }
        guard case .object = wascap else { throw .invalidClaim("wascap", expected: "an object") }
        let metadata = ClaimReader(object: wascap, path: "wascap.")
        guard let hashesValue = wascap["target_hashes"], hashesValue != .null else {
            throw .missingClaim("wascap.target_hashes")
        }
        guard case .object(let hashMembers) = hashesValue else {
            throw .invalidClaim("wascap.target_hashes", expected: "an object of target name to hash")
        }
        var hashes: [String: String] = [:]
        for member in hashMembers {
            guard case .string(let hash) = member.value, hash.utf8.count == 64, hash.utf8.allSatisfy(\.isHexDigit) else {
                throw .invalidClaim("wascap.target_hashes.\(member.key)", expected: "64 hexadecimal characters (a SHA-256)")
            }
            hashes[member.key] = hash
        }
        self.init(
            id: try reader.requiredString("jti"),
            issuedAt: try reader.requiredUnsigned("iat"),
            issuer: try reader.requiredString("iss"),
            subject: try reader.requiredString("sub"),
            name: try metadata.string("name"),
            capabilityContractID: try metadata.string("capid"),
            vendor: try metadata.requiredString("vendor"),
            revision: try metadata.integer("rev"),
            version: try metadata.string("ver"),
            targetHashes: hashes,
            configSchema: wascap["config_schema"].flatMap { $0 == .null ? nil : $0 },
            expires: try reader.unsigned("exp"),
            notBefore: try reader.unsigned("nbf"),
            wascapRevision: try reader.integer("wascap_revision"))
    }
}

/// Typed access to the members of a claims object; `null` counts as absent, as serde's `Option` does.
private struct ClaimReader {
    let object: JSONValue
    let path: String

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(WascapError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw .invalidClaim(path + key, expected: "a string") }
        return text
    }

    func requiredString(_ key: String) throws(WascapError) -> String {
        guard let text = try string(key) else { throw .missingClaim(path + key) }
        return text
    }

    func unsigned(_ key: String) throws(WascapError) -> UInt64? {
        guard let value = value(key) else { return nil }
        guard case .number(let literal) = value, let number = UInt64(literal) else {
            throw .invalidClaim(path + key, expected: "an unsigned integer (unix seconds)")
        }
        return number
    }

    func requiredUnsigned(_ key: String) throws(WascapError) -> UInt64 {
        guard let number = try unsigned(key) else { throw .missingClaim(path + key) }
        return number
    }

    func integer(_ key: String) throws(WascapError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let literal) = value, let number = Int32(literal) else {
            throw .invalidClaim(path + key, expected: "an integer")
        }
        return Int(number)
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
