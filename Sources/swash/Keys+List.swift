import ArgumentParser
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
            try await output.run {
                let listing = try KeyWorkflows.list(keysDirectory: directory.keysDirectory, context: .current())
                output.print(json: listing.json, text: listing.text)
            }
        }
    }
}
