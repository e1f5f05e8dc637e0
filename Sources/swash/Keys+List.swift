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

        /// `{"keys":[{"name","public_key"}], "directory", "success"}`; unusable files carry `error`.
        static func json(_ listing: KeyWorkflows.Listing) -> [String: Any] {
            let keys: [[String: Any]] = listing.entries.map { entry in
                var item: [String: Any] = ["name": entry.name]
                if let key = entry.publicKey { item["public_key"] = key }
                if let problem = entry.problem { item["error"] = problem }
                return item
            }
            return ["keys": keys, "directory": listing.directory.path, "success": true]
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
