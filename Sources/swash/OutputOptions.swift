import ArgumentParser
import Foundation

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// The `-o/--output` flag every command takes, and the printing that goes with it.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (JSON goes to stdout).")
    var format: OutputFormat = .text

    var isJSON: Bool { format == .json }

    /// Runs a command body; on failure prints the error (text, or `{"success":false,"error":…}` in JSON
    /// mode) to stderr and exits 1. Usage errors never reach here: ArgumentParser exits 64 for them.
    func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            if isJSON {
                Self.writeStderr(Self.json(["success": false, "error": message]) + "\n")
            } else {
                Self.writeStderr("error: \(message)\n")
            }
            throw ExitCode.failure
        }
    }

    /// Prints a result: `json` as one JSON object on stdout in JSON mode, else `text` (when not empty).
    func print(json: [String: Any], text: @autoclosure () -> String) {
        if isJSON {
            Swift.print(Self.json(json))
        } else {
            let body = text()
            if !body.isEmpty { Swift.print(body) }
        }
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
