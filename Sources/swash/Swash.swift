import ArgumentParser
import FileIO
import Foundation
import SwashCore

@main
struct Swash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swash",
        abstract: "Build, sign, inspect and ship wasmCloud capability provider archives.",
        version: "swash \(SwashVersion.current)",
        subcommands: [Build.self, New.self, Inspect.self, Par.self, Push.self, Pull.self, Keys.self, Reg.self]
    )

    /// Parses, runs one command, and prints every failure through `Failure`: usage errors exit 64 (as JSON with
    /// `-o json`), other failures exit 1. SIGINT and SIGTERM remove the temporary files in use first.
    static func main() async {
        _ = Console.shared  // fills closed standard descriptors before anything opens a file
        InterruptCleanup.install()
        // Decoded from argv without loss: a file name that is not UTF-8 keeps its bytes (SystemPath).
        let arguments = (1..<Int(CommandLine.argc)).map { index -> String in
            guard let argument = CommandLine.unsafeArgv[index] else { return "" }
            return SystemPath.decode(Array(UnsafeBufferPointer(start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument))))
        }
        let json = Failure.wantsJSON(arguments)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if json, code == .validationFailure { Failure.exit(message(for: error), code: code.rawValue, json: true) }
            exit(withError: error)  // help, version, and usage errors in ArgumentParser's own words
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as UsageError {
            if json { Failure.exit(error.description, code: ExitCode.validationFailure.rawValue, json: true) }
            type(of: command).exit(withError: ValidationError(error.description))
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // Help and version requests (run by ArgumentParser's own commands), CleanExit, ValidationError.
            if json, exitCode(for: error) == .validationFailure {
                Failure.exit(message(for: error), code: ExitCode.validationFailure.rawValue, json: true)
            }
            exit(withError: error)
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            Failure.exit(message, code: ExitCode.failure.rawValue, json: json)
        }
    }
}
