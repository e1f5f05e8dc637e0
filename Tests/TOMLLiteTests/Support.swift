import Testing
import TOMLLite

/// Parses a document written in a test.
func parse(_ text: String, file: String? = nil) throws -> TOMLTable {
    try TOMLTable(parsing: text, fileName: file)
}

/// The error a document written in a test is rejected with, or `nil` when it parses.
func parseError(_ text: String, file: String? = nil) -> TOMLError? {
    do {
        _ = try TOMLTable(parsing: text, fileName: file)
        return nil
    } catch {
        return error
    }
}

/// Parses raw bytes (for BOM, CR and invalid UTF-8 cases).
func parseError(bytes: [UInt8]) -> TOMLError? {
    do {
        _ = try TOMLTable(parsing: bytes)
        return nil
    } catch {
        return error
    }
}

/// Checks that a document is rejected with a message containing `fragment`.
func expectRejected(
    _ document: String, withMessageContaining fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = parseError(document) else {
        Issue.record("parsed without error: \(document)", sourceLocation: sourceLocation)
        return
    }
    #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
}
