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
            try await output.run {
                let pair = try KeyWorkflows.generate(type)
                output.printKey(pair)
            }
        }
    }
}

extension OutputOptions {
    /// Prints a key pair as `gen` and `get` do: public key and seed.
    func printKey(_ pair: KeyPair) {
        print(
            json: ["public_key": pair.publicKey.encoded, "seed": pair.seed],
            text: """
                Public Key: \(pair.publicKey.encoded)
                Seed: \(pair.seed)

                Remember that the seed is private, treat it as a secret.
                """)
    }
}
