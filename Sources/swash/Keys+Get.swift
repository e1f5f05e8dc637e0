import ArgumentParser
import SwashCore

extension Swash.Keys {
    /// `swash keys get NAME`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a stored key: its public key and seed.",
            discussion: "Reads <keys-directory>/NAME.nk, or <keys-directory>/NAME when that is the file's name.")

        @Argument(help: "Key name, e.g. user_account (see `swash keys list`).")
        var name: String

        @OptionGroup var directory: KeyDirectoryOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try output.printKey(try KeyWorkflows.key(named: name, keysDirectory: directory.keysDirectory, context: .cli))
        }
    }
}
