/// A calendar date without a time or offset (`1979-05-27`).
public struct TOMLLocalDate: Sendable, Hashable, CustomStringConvertible {
    /// The year, 0–9999.
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, 1–31 (checked against the month and leap years when parsed).
    public var day: Int

    /// Creates a date. No validation is done; the parser only produces valid dates.
    /// - Parameters:
    ///   - year: The year, 0–9999.
    ///   - month: The month, 1–12.
    ///   - day: The day of the month.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD`.
    public var description: String { pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) }

    /// Whether `year` is a Gregorian leap year.
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in a month of a year (0 for a month outside 1–12).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }
}

/// A time of day without a date or offset (`07:32:00.999`).
public struct TOMLLocalTime: Sendable, Hashable, CustomStringConvertible {
    /// The hour, 0–23.
    public var hour: Int
    /// The minute, 0–59.
    public var minute: Int
    /// The second, 0–60 (60 for a leap second).
    public var second: Int
    /// The digits after the decimal point of the seconds exactly as written (`"999"`, `"000001"`), or `""`
    /// when there is no fraction. Kept as text so that no precision is lost and the value prints as written.
    public var fractionalDigits: String

    /// Creates a time of day. No validation is done; the parser only produces valid times.
    /// - Parameters:
    ///   - hour: The hour, 0–23.
    ///   - minute: The minute, 0–59.
    ///   - second: The second, 0–60.
    ///   - fractionalDigits: The digits of the fractional seconds, `""` for none.
    public init(hour: Int, minute: Int, second: Int, fractionalDigits: String = "") {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fractionalDigits = fractionalDigits
    }

    /// The fractional seconds in nanoseconds (digits beyond the ninth are truncated).
    public var nanosecond: Int {
        var value = 0
        var count = 0
        for digit in fractionalDigits.utf8 where count < 9 {
            value = value * 10 + Int(digit - 0x30)
            count += 1
        }
        while count < 9 {
            value *= 10
            count += 1
        }
        return value
    }

    /// `HH:MM:SS` or `HH:MM:SS.fraction`.
    public var description: String {
        let base = pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
        return fractionalDigits.isEmpty ? base : base + "." + fractionalDigits
    }
}

/// A date and time of day without an offset (`1979-05-27T07:32:00`).
public struct TOMLLocalDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part.
    public var date: TOMLLocalDate
    /// The time part.
    public var time: TOMLLocalTime

    /// Creates a local date-time.
    /// - Parameters:
    ///   - date: The date part.
    ///   - time: The time part.
    public init(date: TOMLLocalDate, time: TOMLLocalTime) {
        self.date = date
        self.time = time
    }

    /// RFC 3339 without offset, with an uppercase `T`.
    public var description: String { date.description + "T" + time.description }
}

/// The offset of an ``TOMLOffsetDateTime`` from UTC.
public enum TOMLTimeOffset: Sendable, Hashable, CustomStringConvertible {
    /// Written `Z` (or `z`): UTC.
    case utc
    /// Written `+HH:MM` or `-HH:MM`: the offset in minutes east of UTC (`-08:00` is `-480`).
    case minutes(Int)

    /// The offset in minutes east of UTC (0 for ``utc``).
    public var totalMinutes: Int {
        switch self {
        case .utc: return 0
        case .minutes(let minutes): return minutes
        }
    }

    /// `Z`, or `+HH:MM` / `-HH:MM`.
    public var description: String {
        switch self {
        case .utc:
            return "Z"
        case .minutes(let minutes):
            let sign = minutes < 0 ? "-" : "+"
            let magnitude = abs(minutes)
            return sign + pad(magnitude / 60, 2) + ":" + pad(magnitude % 60, 2)
        }
    }
}

/// A date and time of day at an offset from UTC (`1979-05-27T07:32:00-08:00`): an instant.
public struct TOMLOffsetDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part, as written (local to the offset).
    public var date: TOMLLocalDate
    /// The time part, as written (local to the offset).
    public var time: TOMLLocalTime
    /// The offset from UTC.
    public var offset: TOMLTimeOffset

    /// Creates an offset date-time.
    /// - Parameters:
    ///   - date: The date part, local to the offset.
    ///   - time: The time part, local to the offset.
    ///   - offset: The offset from UTC.
    public init(date: TOMLLocalDate, time: TOMLLocalTime, offset: TOMLTimeOffset) {
        self.date = date
        self.time = time
        self.offset = offset
    }

    /// RFC 3339 with an uppercase `T` and the offset as written (`Z` or `±HH:MM`).
    public var description: String { date.description + "T" + time.description + offset.description }
}

/// `value` in decimal, left-padded with zeros to `width` digits.
private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
