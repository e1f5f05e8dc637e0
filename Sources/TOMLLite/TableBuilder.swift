/// A table under construction. Reference type so that `[a.b]` headers and dotted keys can reach a table
/// deep in the document and add to it in place; converted once to ``TOMLTable`` values at the end.
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

    /// What a key holds while the document is being read.
    enum Item {
        /// A finished value: scalar, static array or inline table. Never extended.
        case value(TOMLValue)
        /// A table that may still grow.
        case table(TableBuilder)
        /// An array of tables (`[[a]]`) that may still grow.
        case tables(TableArrayBuilder)
    }

    struct Slot {
        var key: String
        var item: Item
        var keyPosition: TOMLPosition
        var valuePosition: TOMLPosition
    }

    var origin: Origin
    /// Nesting depth in the value tree (the root is 0).
    let depth: Int
    /// The table's full key path, for messages.
    let path: [String]
    private(set) var slots: [Slot] = []
    private var index = KeyIndex()

    init(origin: Origin, depth: Int, path: [String]) {
        self.origin = origin
        self.depth = depth
        self.path = path
    }

    /// The slot number of a key, if present.
    func find(_ key: String) -> Int? {
        index.find(key, count: slots.count) { slots[$0].key }
    }

    func append(_ key: String, _ item: Item, keyPosition: TOMLPosition, valuePosition: TOMLPosition) {
        slots.append(Slot(key: key, item: item, keyPosition: keyPosition, valuePosition: valuePosition))
        index.didAppend(key, at: slots.count - 1) { slots[$0].key }
    }

    func setValuePosition(_ position: TOMLPosition, at slot: Int) {
        slots[slot].valuePosition = position
    }

    /// The finished table. Each builder is frozen once, so freezing the document is linear in its size.
    func freeze() -> TOMLTable {
        var entries: [TOMLTable.Entry] = []
        entries.reserveCapacity(slots.count)
        for slot in slots {
            let value: TOMLValue
            switch slot.item {
            case .value(let finished): value = finished
            case .table(let table): value = .table(table.freeze())
            case .tables(let array): value = .array(array.tables.map { .table($0.freeze()) })
            }
            entries.append(
                TOMLTable.Entry(
                    key: slot.key, value: value, keyPosition: slot.keyPosition, valuePosition: slot.valuePosition))
        }
        return TOMLTable(entries: entries, index: index)
    }
}

/// An array of tables (`[[a]]`) under construction.
final class TableArrayBuilder {
    var tables: [TableBuilder]

    init(first: TableBuilder) {
        tables = [first]
    }
}
