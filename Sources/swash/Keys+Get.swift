import ArgumentParser
import SwashCore

extension Swash.Keys {
    /// `swash keys get NAME`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a stored key's seed (as wash does; -o json adds its public key).",
            discussion: "Reads <keys-directory>/NAME.nk, or <keys-directory>/NAME when that is the file's name.")

        @Argument(help: "Key name, e.g. user_account (see `swash keys list`).")
        var name: String

        @OptionGroup var directory: KeyDirectoryOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let pair = try KeyWorkflows.key(named: name, keysDirectory: directory.keysDirectory, context: .cli)
            // As wash: the seed alone, so that SEED=$(swash keys get NAME) works; JSON adds the public key.
            try output.print(json: ["seed": pair.seed, "public_key": pair.publicKey.encoded], text: pair.seed, essential: true)
        }
    }
}
