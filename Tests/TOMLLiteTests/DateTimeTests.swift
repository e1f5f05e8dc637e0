import Testing
import TOMLLite

@Suite("Dates and times")
struct DateTimeTests {
    @Test func offsetDateTimes() throws {
        let doc = try parse(
            """
            a = 1979-05-27T07:32:00Z
            b = 1979-05-27T00:32:00-07:00
            c = 1979-05-27T00:32:00.999999+05:30
            d = 1979-05-27 07:32:00z
            e = 1979-05-27t07:32:00.5Z
            """)
        let a = TOMLOffsetDateTime(
            date: .init(year: 1979, month: 5, day: 27), time: .init(hour: 7, minute: 32, second: 0), offset: .utc)
        #expect(doc["a"] == .offsetDateTime(a))
        guard case .offsetDateTime(let b) = doc["b"], case .offsetDateTime(let c) = doc["c"] else {
            Issue.record("not offset date-times")
            return
        }
        #expect(b.offset == .minutes(-420))
        #expect(b.description == "1979-05-27T00:32:00-07:00")
        #expect(c.time.fractionalDigits == "999999")
        #expect(c.time.nanosecond == 999_999_000)
        #expect(c.offset.totalMinutes == 330)
        #expect(c.description == "1979-05-27T00:32:00.999999+05:30")
        #expect(doc["d"] == .offsetDateTime(a))
        guard case .offsetDateTime(let e) = doc["e"] else { return }
        #expect(e.description == "1979-05-27T07:32:00.5Z")
    }

    @Test func localKinds() throws {
        let doc = try parse(
            """
            ldt = 1979-05-27T07:32:00.123456789123
            ld = 1979-05-27
            lt = 00:32:00.000001
            leap = 2000-02-29
            second = 23:59:60
            """)
        guard case .localDateTime(let ldt) = doc["ldt"], case .localTime(let lt) = doc["lt"] else {
            Issue.record("wrong kinds: \(String(describing: doc["ldt"])), \(String(describing: doc["lt"]))")
            return
        }
        #expect(ldt.description == "1979-05-27T07:32:00.123456789123")
        #expect(ldt.time.nanosecond == 123_456_789)
        #expect(doc["ld"] == .localDate(TOMLLocalDate(year: 1979, month: 5, day: 27)))
        #expect(lt.description == "00:32:00.000001")
        #expect(doc["leap"] == .localDate(TOMLLocalDate(year: 2000, month: 2, day: 29)))
        #expect(doc["second"]?.typeName == "local time")
    }

    @Test func dateFollowedByCommentIsADate() throws {
        let doc = try parse("d = 1979-05-27 # a comment\narr = [1979-05-27 , 1979-05-28]")
        #expect(doc["d"] == .localDate(TOMLLocalDate(year: 1979, month: 5, day: 27)))
        #expect(doc["arr"]?.arrayValue?.count == 2)
    }

    @Test(arguments: [
        ("1900-02-29", "day 29 does not exist in month 2 of 1900"),
        ("2023-02-29", "day 29 does not exist in month 2 of 2023"),
        ("2023-04-31", "day 31 does not exist in month 4 of 2023"),
        ("2023-00-10", "the month must be 01-12"),
        ("2023-13-10", "the month must be 01-12"),
        ("2023-01-00", "day 0 does not exist"),
        ("2023-1-01", "invalid date or time"),
        ("10000-01-01", "invalid date or time \"10000-01-01\": expected YYYY-MM-DD, HH:MM:SS or both"),
        ("1979-05-27T24:00:00", "hour must be 00-23"),
        ("1979-05-27T07:60:00", "minute 00-59"),
        ("07:32:61", "second 00-60"),
        ("07:32", "seconds are required"),
        ("1979-05-27T07:32Z", "seconds are required"),
        ("1979-05-27T07:32:00.", "a decimal point must be followed by digits"),
        ("1979-05-27T07:32:00+24:00", "the offset must be between"),
        ("1979-05-27T07:32:00+05", "the offset must be Z or ±HH:MM"),
        ("1979-05-27T07:32:00Zx", "unexpected text after the offset"),
        ("1979-05-27X07:32:00", "expected 'T' or a space"),
        ("7:32:00", "invalid date or time"),
    ])
    func rejected(text: String, messageFragment: String) {
        expectRejected("d = \(text)", withMessageContaining: messageFragment)
    }

    @Test func leapYearRule() throws {
        #expect(parseError("d = 2024-02-29") == nil)
        #expect(parseError("d = 2400-02-29") == nil)
        #expect(parseError("d = 2100-02-29") != nil)
    }
}
