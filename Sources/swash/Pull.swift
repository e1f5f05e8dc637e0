import ArgumentParser
import Foundation
import Registry
import SwashCore

extension Swash {
    /// `swash pull REF`.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull a provider archive from an OCI registry.",
            discussion: """
                Writes <repository's last component>.par.gz in the current directory (or --destination), \
                after checking the manifest is a provider archive's, the layer's digest, --digest when \
                given, and the archive itself. On any failure no file is left behind. Run in a project, \
                [registry] of wasmcloud.toml supplies the default registry and a credentials file.
                """)

        @Argument(help: "What to pull: registry/repository[:tag][@sha256:…]; no tag means latest (needs --allow-latest).", transform: Convert.reference)
        var reference: OCIReferenceText

        @Option(
            name: .customLong("destination"), help: ArgumentHelp("File to write, or an existing directory.", valueName: "path"),
            transform: Convert.path)
        var destination: URL?

        @Option(
            name: [.customShort("d"), .customLong("digest")],
            help: ArgumentHelp("The manifest digest the artifact must have (as push printed it).", valueName: "sha256:…"),
            transform: Convert.digest)
        var digest: OCIDigest?

        @Flag(name: .customLong("allow-latest"), help: "Allow the tag latest (also implied by a reference without a tag or digest).")
        var allowLatest = false

        @OptionGroup var registry: RegistryFlags
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let options = PullOptions(registry: registry.options, destination: destination, digest: digest, allowLatest: allowLatest)
            let result = try await RegistryWorkflows.pull(reference: reference, options: options, context: .cli)
            try output.print(
                json: ["file": result.file.path, "reference": result.reference.description, "digest": result.digest.description, "success": true],
                text: "Successfully pulled \(result.reference) to \(result.file.path)\nDigest: \(result.digest)")
        }
    }
}
