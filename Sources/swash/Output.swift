import ArgumentParser
import Foundation
import UntrustedText

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// The `-o/--output` flag every command takes, and the printing of results that goes with it.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (JSON goes to stdout).")
    var format: OutputFormat = .text

    var isJSON: Bool { format == .json }

    /// Prints a result: `json` as one JSON object on stdout in JSON mode, else `text` (when not empty).
    /// - Parameters:
    ///   - json: the JSON object (keys sorted when printed).
    ///   - text: the text form.
    ///   - essential: whether the output is the command's only product (a new seed, an inspection): then a
    ///     failure to write it is an error (exit 1); otherwise it is a warning on stderr.
    /// - Throws: `ConsoleError` when essential output cannot be written.
    func print(json: [String: Any], text: @autoclosure () -> String, essential: Bool = false) throws {
        let body = isJSON ? Self.json(json) : text()
        guard !body.isEmpty else { return }
        do { try Console.shared.printResult(body) } catch {
            if essential { throw error }
            Console.shared.printError("warning: \(error); the command itself succeeded")
        }
    }

    /// One JSON object on one line, keys sorted, slashes unescaped.
    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// A usage error found while turning arguments into a workflow's input (exit 64, like ArgumentParser's own).
struct UsageError: Error, CustomStringConvertible {
    var description: String

    /// Runs `body`, turning what it throws into a usage error with the same message.
    static func check<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as UsageError { throw error } catch {
            throw UsageError(description: (error as? LocalizedError)?.errorDescription ?? String(describing: error))
        }
    }
}

/// What `main` does with a failure: the one place errors are printed and exit codes chosen.
enum Failure {
    /// Whether the raw arguments ask for JSON output (`-o json`, `--output json`, `--output=json`, `-ojson`).
    static func wantsJSON(_ arguments: [String]) -> Bool {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { return false }
            if argument == "--output=json" || argument == "-ojson" { return true }
            if argument == "-o" || argument == "--output", index + 1 < arguments.count, arguments[index + 1] == "json" {
                return true
            }
        }
        return false
    }

    /// Prints `message` as an error — `error: …` on stderr, or `{"success":false,"error":…}` in JSON mode — and
    /// exits with `code`. Control characters other than line breaks and tabs are escaped, whatever their origin.
    static func exit(_ message: String, code: Int32, json: Bool) -> Never {
        let safe = message.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.split(separator: "\t", omittingEmptySubsequences: false).map { UntrustedText.escape($0, limit: .max) }.joined(separator: "\t") }
            .joined(separator: "\n")
        if json {
            Console.shared.printError(OutputOptions.json(["success": false, "error": safe]))
        } else {
            Console.shared.printError("error: \(safe)")
        }
        Foundation.exit(code)
    }
}
