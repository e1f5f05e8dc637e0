import ArgumentParser
import NKeys
import SwashCore

extension Swash.Keys {
    /// `swash keys gen TYPE`.
    struct Gen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new key pair and print its public key and seed.",
            discussion: "Nothing is written to disk. Keep the seed secret; the public key is safe to share. Curve keys are X25519 keys (public key X…, seed SX…) for encryption, as wasmCloud's secrets use; they cannot sign archives.")

        @Argument(help: ArgumentHelp(
            "Key type: account, user, module (or component), service (or provider), server (or host), operator, cluster, curve (x25519); any case.",
            valueName: "keytype"))
        var type: KeyType

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try output.printKey(try KeyWorkflows.generate(type))
        }
    }
}
