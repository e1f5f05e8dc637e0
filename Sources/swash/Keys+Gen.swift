import ArgumentParser
import NKeys
import SwashCore

extension Swash.Keys {
    /// `swash keys gen TYPE`.
    struct Gen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new key pair and print its public key and seed.",
            discussion: "Nothing is written to disk. Keep the seed secret; the public key is safe to share.")

        @Argument(help: "Key type.")
        var type: KeyType

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if type == .curve { throw ValidationError("curve (X25519) keys cannot sign; choose account, service, module, user, server, cluster or operator") }
        }

        func run() async throws {
            try output.printKey(try KeyWorkflows.generate(type))
        }
    }
}
