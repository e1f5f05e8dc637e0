/// The kinds of nkey, each identified by a prefix byte whose base32 letter starts the encoded public key.
public enum KeyType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case account, cluster, module, server, `operator`, user, service, curve

    /// The prefix byte: the base32 index of the type's letter, shifted left by three.
    public var prefixByte: UInt8 {
        switch self {
        case .account: 0  // A
        case .cluster: 16  // C
        case .module: 96  // M
        case .server: 104  // N
        case .operator: 112  // O
        case .user: 160  // U
        case .service: 168  // V
        case .curve: 184  // X
        }
    }

    /// The letter that starts a public key of this type (`A` for accounts, `V` for services, …).
    public var letter: Character {
        Character(Unicode.Scalar(Base32.alphabet[Int(prefixByte >> 3)]))
    }

    /// The type with the given prefix byte, or `nil` when no type has it.
    /// - Parameter prefixByte: a public-key prefix byte.
    public init?(prefixByte: UInt8) {
        guard let type = KeyType.allCases.first(where: { $0.prefixByte == prefixByte }) else { return nil }
        self = type
    }

    /// The type a name means, as wash reads it: case-insensitive, with wash's aliases (`provider` = service,
    /// `host` = server, `component` and `actor` = module, `x25519` and `xkey` = curve).
    /// - Parameter name: e.g. `Account`, `provider`, `CURVE`.
    public init?(name: String) {
        let aliases: [String: KeyType] = [
            "provider": .service, "host": .server, "component": .module, "actor": .module, "x25519": .curve, "xkey": .curve,
        ]
        let lower = name.lowercased()
        guard let type = KeyType(rawValue: lower) ?? aliases[lower] else { return nil }
        self = type
    }

    /// The type's lowercase name, as the CLI spells it.
    public var description: String { rawValue }

    /// The name with its indefinite article: "an account", "a user".
    var withArticle: String { (self == .account || self == .operator ? "an " : "a ") + rawValue }

    /// Prefix byte of an encoded seed (`S`).
    static let seedPrefixByte: UInt8 = 144
    /// Prefix byte of an encoded private key (`P`).
    static let privatePrefixByte: UInt8 = 120
}
