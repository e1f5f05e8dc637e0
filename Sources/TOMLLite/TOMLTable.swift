/// A TOML table: keys in the order they were first defined, each with its value and, for parsed
/// documents, where the key and the value are in the source.
///
/// Lookups by key are O(1) (a hash index sits beside the ordered entries once a table has more than a few
/// keys). Keys compare byte for byte (no Unicode normalisation), as TOML requires. Iterating a table
/// yields its ``Entry`` values in order. Two tables are equal when they hold the same keys with equal
/// values, whatever the order and positions.
public struct TOMLTable: Sendable, RandomAccessCollection, Equatable, ExpressibleByDictionaryLiteral {
    /// One key of a table, with its value and source positions.
    public struct Entry: Sendable, Equatable {
        /// The key (one segment: `b` in `a.b = 1` is a key of the table `a`).
        public var key: String
        /// The value.
        public var value: TOMLValue
        /// Where the key is written (for a table created implicitly by `[a.b]`, where `a` is written);
        /// `nil` for a table built in code.
        public var keyPosition: TOMLPosition?
        /// Where the value starts (for a `[header]` table, the header's `[`); `nil` for a table built in code.
        public var valuePosition: TOMLPosition?

        /// Creates an entry.
        /// - Parameters:
        ///   - key: The key.
        ///   - value: The value.
        ///   - keyPosition: Where the key is written, if known.
        ///   - valuePosition: Where the value starts, if known.
        public init(key: String, value: TOMLValue, keyPosition: TOMLPosition? = nil, valuePosition: TOMLPosition? = nil) {
            self.key = key
            self.value = value
            self.keyPosition = keyPosition
            self.valuePosition = valuePosition
        }
    }

    private var entries: [Entry]
    private var index: KeyIndex

    /// An empty table.
    public init() {
        entries = []
        index = KeyIndex()
    }

    /// Used by the parser: entries already checked for distinct keys, with their index.
    init(entries: [Entry], index: KeyIndex) {
        self.entries = entries
        self.index = index
    }

    /// A table with the keys in the literal's order (a repeated key keeps its last value).
    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }

    /// The keys, in definition order.
    public var keys: [String] { entries.map(\.key) }

    /// The position of the first entry (always 0).
    public var startIndex: Int { 0 }
    /// One past the position of the last entry.
    public var endIndex: Int { entries.count }

    /// The entry at a position (0 is the first key defined).
    /// - Parameter position: A valid index of the table.
    public subscript(position: Int) -> Entry { entries[position] }

    /// The entry for a key, or `nil` when the table does not have it.
    /// - Parameter key: The key, compared byte for byte.
    public func entry(forKey key: String) -> Entry? {
        lookup(key).map { entries[$0] }
    }

    /// Whether the table has a key.
    /// - Parameter key: The key, compared byte for byte.
    public func contains(key: String) -> Bool { lookup(key) != nil }

    /// The value for a key; setting `nil` removes the key, setting a new key appends it (without positions).
    /// - Parameter key: The key, compared byte for byte.
    public subscript(key: String) -> TOMLValue? {
        get { lookup(key).map { entries[$0].value } }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets the value for a key, appending the key when it is new; returns the value it replaced.
    ///
    /// Replacing keeps the key's place in the order; positions given as `nil` keep the recorded ones.
    /// - Parameters:
    ///   - value: The new value.
    ///   - key: The key.
    ///   - keyPosition: Where the key is written, if known.
    ///   - valuePosition: Where the value starts, if known.
    @discardableResult
    public mutating func updateValue(
        _ value: TOMLValue, forKey key: String, keyPosition: TOMLPosition? = nil, valuePosition: TOMLPosition? = nil
    ) -> TOMLValue? {
        if let at = lookup(key) {
            let old = entries[at].value
            entries[at].value = value
            if let keyPosition { entries[at].keyPosition = keyPosition }
            if let valuePosition { entries[at].valuePosition = valuePosition }
            return old
        }
        entries.append(Entry(key: key, value: value, keyPosition: keyPosition, valuePosition: valuePosition))
        let current = entries
        index.didAppend(key, at: current.count - 1) { current[$0].key }
        return nil
    }

    /// Removes a key and returns its value (O(n): the keys after it move up).
    /// - Parameter key: The key, compared byte for byte.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> TOMLValue? {
        guard let at = lookup(key) else { return nil }
        let old = entries.remove(at: at).value
        let current = entries
        index.rebuild(count: current.count) { current[$0].key }
        return old
    }

    /// Whether both tables hold the same keys with equal values (order and positions aside).
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for entry in lhs.entries {
            guard let other = rhs[entry.key], other == entry.value else { return false }
        }
        return true
    }

    private func lookup(_ key: String) -> Int? {
        index.find(key, count: entries.count) { entries[$0].key }
    }
}

/// The key → position index beside an ordered list of keys: a linear scan while the list is short, a
/// dictionary once it grows. Keys are compared by their UTF-8 bytes.
struct KeyIndex: Sendable {
    private static let threshold = 16
    private var map: [ExactKey: Int]?

    func find(_ key: String, count: Int, keyAt: (Int) -> String) -> Int? {
        if let map { return map[ExactKey(key)] }
        for at in 0..<count where ExactKey.same(keyAt(at), key) { return at }
        return nil
    }

    /// Records the key just appended at `position`, unless an earlier key is the same: then records
    /// nothing and returns the earlier key's position. One hash in the usual case.
    mutating func addLast(at position: Int, keyAt: (Int) -> String) -> Int? {
        let key = keyAt(position)
        if map != nil {
            let exact = ExactKey(key)
            if let earlier = map!.updateValue(position, forKey: exact) {
                map![exact] = earlier
                return earlier
            }
            return nil
        }
        for at in 0..<position where ExactKey.same(keyAt(at), key) { return at }
        if position >= Self.threshold { rebuild(count: position + 1, keyAt: keyAt) }
        return nil
    }

    mutating func didAppend(_ key: String, at position: Int, keyAt: (Int) -> String) {
        if map != nil {
            map![ExactKey(key)] = position
        } else if position >= Self.threshold {
            rebuild(count: position + 1, keyAt: keyAt)
        }
    }

    mutating func rebuild(count: Int, keyAt: (Int) -> String) {
        guard count > Self.threshold else {
            map = nil
            return
        }
        var fresh = [ExactKey: Int](minimumCapacity: count * 2)
        for at in 0..<count { fresh[ExactKey(keyAt(at))] = at }
        map = fresh
    }
}

/// A string hashed and compared by its UTF-8 bytes, not by Unicode canonical equivalence.
struct ExactKey: Hashable, Sendable {
    let string: String

    init(_ string: String) { self.string = string }

    static func same(_ a: String, _ b: String) -> Bool {
        // Byte-equal strings are always `==`; `==` is a fast memory comparison for ASCII and NFC text, and
        // only canonically equivalent strings need the byte check.
        a == b && a.utf8.elementsEqual(b.utf8)
    }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { same(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) {
        // Consistent with `==`: byte-equal strings hash alike.
        hasher.combine(string)
    }
}
