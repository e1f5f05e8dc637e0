import ArgumentParser
import Foundation
import NKeys
import SwashCore

/// `-d/--keys-directory`, shared by every command that reads or writes the key store.
struct KeyDirectoryOption: ParsableArguments {
    @Option(
        name: [.customShort("d"), .customLong("keys-directory"), .customLong("directory")],
        help: ArgumentHelp(
            "Directory holding the .nk key files.",
            discussion: "Default: $WASH_KEYS, else ~/.wash/keys.", valueName: "dir"),
        transform: Convert.path)
    var keysDirectory: URL?
}

/// The signing-key flags of `build`, `par create` and `par insert`.
struct KeyFlags: ParsableArguments {
    @OptionGroup var directory: KeyDirectoryOption

    @Option(
        name: [.customShort("i"), .customLong("issuer")],
        help: ArgumentHelp(
            "Account key that signs: a seed file path, or the seed itself.",
            discussion: "Default: $WASH_ISSUER_KEY, else <keys-directory>/<$USER>_account.nk.",
            valueName: "seed|path"))
    var issuer: String?

    @Option(
        name: [.customShort("s"), .customLong("subject")],
        help: ArgumentHelp(
            "Service key of the provider: a seed file path, or the seed itself.",
            discussion: "Default: $WASH_SUBJECT_KEY, else <keys-directory>/<binary>_service.nk.",
            valueName: "seed|path"))
    var subject: String?

    @Flag(name: .customLong("disable-keygen"), help: "Fail instead of generating a missing key.")
    var disableKeygen = false

    var options: KeyOptions {
        KeyOptions(keysDirectory: directory.keysDirectory, issuer: issuer, subject: subject, disableKeygen: disableKeygen)
    }
}

extension KeyType: ExpressibleByArgument {
    /// A key type as wash reads it: any case, with wash's aliases (`provider`, `host`, `component`, `actor`,
    /// `x25519`).
    public init?(argument: String) { self.init(name: argument) }

    /// The types offered on the command line.
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension OutputOptions {
    /// Prints a key pair as `gen` and `get` do: public key and seed. Its only copy may be this output, so a
    /// failure to write it is an error.
    func printKey(_ pair: KeyPair) throws {
        try print(
            json: ["public_key": pair.publicKey.encoded, "seed": pair.seed],
            text: """
                Public Key: \(pair.publicKey.encoded)
                Seed: \(pair.seed)

                Remember that the seed is private, treat it as a secret.
                """,
            essential: true)
    }
}
