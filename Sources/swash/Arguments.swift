import ArgumentParser
import Foundation
import ProviderArchiveKit
import Registry
import SwashCore

extension SwashContext {
    /// The running process's context, reporting to the console.
    static let cli = SwashContext.current(reporter: Console.shared)
}

/// Argument conversions: each turns the text of one argument into the typed value a workflow takes, checking it
/// once, at parse time (a failure is a usage error, exit 64).
enum Convert {
    /// A path as typed: `~` expanded, relative to the current directory.
    static func path(_ text: String) throws -> URL {
        guard !text.isEmpty else { throw ValidationError("the path is empty") }
        return SwashContext.cli.resolve(path: text)
    }

    /// A path from an environment variable (`WIT_DIR`), or `nil` when it is unset or empty.
    static func environmentPath(_ variable: String) throws -> URL? {
        guard let value = SwashContext.cli.environment[variable], !value.isEmpty else { return nil }
        return SwashContext.cli.resolve(path: value)
    }

    /// A target name such as `x86_64-linux`.
    static func target(_ text: String) throws -> TargetName {
        let name: TargetName
        do { name = try TargetName(text) } catch { throw ValidationError(error.description) }
        if let reason = name.unportableReason {
            throw ValidationError(ProviderArchiveError.invalidTargetName(text, reason: reason).description)
        }
        return name
    }

    /// An OCI reference's syntax.
    static func reference(_ text: String) throws -> OCIReferenceText {
        do { return try OCIReferenceText(parsing: text) } catch { throw ValidationError(error.description) }
    }

    /// A manifest digest, `sha256:<64 lowercase hex digits>`.
    static func digest(_ text: String) throws -> OCIDigest {
        guard let digest = OCIDigest(parsing: text) else {
            throw ValidationError("\"\(text)\" is not of the form sha256:<64 lowercase hex digits>")
        }
        return digest
    }

    /// A boolean environment variable as clap reads wash's (`WASH_MONOLITHIC_PUSH`): unset, empty, `0`, `false`,
    /// `no`, `off`, `n` or `f` (any case) are false; anything else is true.
    static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.trimmingCharacters(in: .whitespaces).lowercased(), !value.isEmpty else { return false }
        return !["0", "false", "no", "off", "n", "f"].contains(value)
    }

    /// Text that must not be blank.
    static func nonBlank(_ text: String) throws -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("it must not be empty") }
        return text
    }
}
