/// A table under construction. Reference type so that `[a.b]` headers and dotted keys can reach a table
/// deep in the document and add to it in place. Finished values are stored as the final
/// ``TOMLTable/Entry`` values straight away; only entries that hold a table or an array of tables that may
/// still grow point at a child builder, filled in when the table is frozen at the end.
final class TableBuilder {
    /// How the table came to exist, which decides how it may be extended later (TOML 1.0 §Table).
    enum Origin {
        /// The document itself.
        case root
        /// Created as a parent by a header (`a` in `[a.b]`); a later `[a]` header may still define it.
        case implicit
        /// Defined by a `[header]`.
        case header
        /// Created by a dotted key (`a` in `a.b = 1`); only dotted keys may add to it.
        case dotted
        /// An inline table being read; frozen into a value when its `}` is reached.
        case inline
        /// One element of an array of tables (`[[a]]`).
        case arrayElement
    }

    /// A table or array of tables that may still grow.
    enum Child {
        case table(TableBuilder)
        case tables(TableArrayBuilder)
    }

    /// What a key holds while the document is being read.
    enum Item {
        /// A finished value: scalar, static array or inline table. Never extended.
        case value(TOMLValue)
        /// A table or array of tables that may still grow.
        case child(Child)
    }

    var origin: Origin
    /// Nesting depth in the value tree (the root is 0).
    let depth: Int
    private unowned let parent: TableBuilder?
    private let key: String?
    @exclusivity(unchecked) private var entries: [TOMLTable.Entry] = []
    @exclusivity(unchecked) private var index = KeyIndex()
    /// For each entry, its index in `children` or -1; left empty until the table gets its first child.
    @exclusivity(unchecked) private var childOf: [Int32] = []
    @exclusivity(unchecked) private var children: [Child] = []

    init(origin: Origin, depth: Int, parent: TableBuilder?, key: String?) {
        self.origin = origin
        self.depth = depth
        self.parent = parent
        self.key = key
    }

    /// The table's full key path, for messages.
    var path: [String] {
        guard let parent, let key else { return [] }
        return parent.path + [key]
    }

    func item(at slot: Int) -> Item {
        if !childOf.isEmpty, childOf[slot] >= 0 { return .child(children[Int(childOf[slot])]) }
        return .value(entries[slot].value)
    }

    /// The line where the key of a slot is written.
    func keyLine(at slot: Int) -> Int { entries[slot].keyPosition?.line ?? 0 }

    /// Appends `key` with a placeholder value (set it with ``setValue(_:at:)`` or ``setChild(_:at:)``),
    /// unless the table already has the key.
    /// - Returns: The key's slot, and whether it was just appended.
    func appendIfAbsent(
        _ key: String, keyPosition: TOMLPosition, valuePosition: TOMLPosition
    ) -> (slot: Int, isNew: Bool) {
        entries.append(TOMLTable.Entry(key: key, value: .bool(false), keyPosition: keyPosition, valuePosition: valuePosition))
        if let earlier = index.addLast(at: entries.count - 1, keyAt: { entries[$0].key }) {
            entries.removeLast()
            return (earlier, false)
        }
        if !childOf.isEmpty { childOf.append(-1) }
        return (entries.count - 1, true)
    }

    func setValue(_ value: TOMLValue, at slot: Int) {
        entries[slot].value = value
    }

    func setChild(_ child: Child, at slot: Int) {
        if childOf.isEmpty { childOf = Array(repeating: -1, count: entries.count) }
        childOf[slot] = Int32(children.count)
        children.append(child)
    }

    func setValuePosition(_ position: TOMLPosition, at slot: Int) {
        entries[slot].valuePosition = position
    }

    /// The finished table; the builder is empty afterwards. Each builder is frozen once, so freezing the
    /// document is linear in its size.
    func freeze() -> TOMLTable {
        var finished = entries
        entries = []
        for (slot, child) in childOf.enumerated() where child >= 0 {
            switch children[Int(child)] {
            case .table(let table): finished[slot].value = .table(table.freeze())
            case .tables(let array): finished[slot].value = .array(array.tables.map { .table($0.freeze()) })
            }
        }
        return TOMLTable(entries: finished, index: index)
    }
}

/// An array of tables (`[[a]]`) under construction.
final class TableArrayBuilder {
    var tables: [TableBuilder]

    init(first: TableBuilder) {
        tables = [first]
    }
}
