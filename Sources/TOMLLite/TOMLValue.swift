/// A TOML value.
///
/// Equality is structural; tables compare without regard to key order or source positions, and
/// `.float(.nan)` is not equal to itself (as with `Double`).
public enum TOMLValue: Sendable, Equatable {
    /// A string (any of the four TOML string kinds, escapes resolved).
    case string(String)
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A binary64 float, including `inf`, `-inf`, `nan` and `-0.0`.
    case float(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// An offset date-time (`1979-05-27T07:32:00Z`).
    indirect case offsetDateTime(TOMLOffsetDateTime)
    /// A local date-time (`1979-05-27T07:32:00`).
    indirect case localDateTime(TOMLLocalDateTime)
    /// A local date (`1979-05-27`).
    indirect case localDate(TOMLLocalDate)
    /// A local time (`07:32:00`).
    indirect case localTime(TOMLLocalTime)
    /// An array: a static `[…]` array or an array of tables (`[[…]]`).
    case array([TOMLValue])
    /// A table: the document, a `[header]` table, a dotted-key table or an inline table.
    case table(TOMLTable)

    /// The TOML name of the value's type, for messages: `string`, `integer`, `float`, `boolean`,
    /// `offset date-time`, `local date-time`, `local date`, `local time`, `array` or `table`.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "boolean"
        case .offsetDateTime: return "offset date-time"
        case .localDateTime: return "local date-time"
        case .localDate: return "local date"
        case .localTime: return "local time"
        case .array: return "array"
        case .table: return "table"
        }
    }

    /// The string, or `nil` for any other type.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, or `nil` for any other type.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The float, or `nil` for any other type (integers are not converted).
    public var floatValue: Double? {
        if case .float(let value) = self { return value }
        return nil
    }

    /// The boolean, or `nil` for any other type.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The array's elements, or `nil` for any other type.
    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The table, or `nil` for any other type.
    public var tableValue: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// The value stored under `key` when this value is a table; `nil` otherwise or when the key is absent.
    /// - Parameter key: The key, compared byte for byte.
    public subscript(key: String) -> TOMLValue? {
        tableValue?[key]
    }
}

extension TOMLValue: ExpressibleByStringLiteral {
    /// A `.string` value.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension TOMLValue: ExpressibleByIntegerLiteral {
    /// An `.integer` value.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension TOMLValue: ExpressibleByFloatLiteral {
    /// A `.float` value.
    public init(floatLiteral value: Double) { self = .float(value) }
}

extension TOMLValue: ExpressibleByBooleanLiteral {
    /// A `.bool` value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TOMLValue: ExpressibleByArrayLiteral {
    /// An `.array` value.
    public init(arrayLiteral elements: TOMLValue...) { self = .array(elements) }
}

extension TOMLValue: ExpressibleByDictionaryLiteral {
    /// A `.table` value with the keys in the literal's order (a repeated key keeps its last value).
    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        var table = TOMLTable()
        for (key, value) in elements { table[key] = value }
        self = .table(table)
    }
}
