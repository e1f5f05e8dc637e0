import ArgumentParser
import Foundation
import SwashCore

extension Swash.Keys {
    /// `swash keys list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the keys in the keys directory with their public keys.",
            discussion: "Seeds are never printed here; use `swash keys get NAME` for one key's seed.")

        @OptionGroup var directory: KeyDirectoryOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let listing = try KeyWorkflows.list(keysDirectory: directory.keysDirectory, context: .cli)
            try output.print(json: Self.json(listing), text: Self.text(listing), essential: true)
        }

        /// wash's `{"keys":[names…]}`, plus `directory`, `public_keys` (name → public key) and `errors` (name → why the
        /// file is not a usable key).
        static func json(_ listing: KeyWorkflows.Listing) -> [String: Any] {
            var publicKeys: [String: String] = [:]
            var errors: [String: String] = [:]
            for entry in listing.entries {
                if let key = entry.publicKey { publicKeys[entry.name] = key }
                if let problem = entry.problem { errors[entry.name] = problem }
            }
            return [
                "keys": listing.entries.map(\.name), "directory": listing.directory.path, "public_keys": publicKeys,
                "errors": errors, "success": true,
            ]
        }

        /// One line per key: name, then public key (or what is wrong with the file).
        static func text(_ listing: KeyWorkflows.Listing) -> String {
            guard !listing.entries.isEmpty else { return "No keys in \(listing.directory.path)" }
            let width = listing.entries.map(\.name.count).max() ?? 0
            let rows = listing.entries.map { entry in
                entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + (entry.publicKey ?? "(unusable: \(entry.problem ?? "unknown"))")
            }
            return (["Keys in \(listing.directory.path):"] + rows).joined(separator: "\n")
        }
    }
}
