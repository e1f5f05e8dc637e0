import ArgumentParser
import Foundation
import Registry
import SwashCore

extension Swash {
    /// `swash push REF ARCHIVE`.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push a provider archive to an OCI registry.",
            discussion: """
                Validates the archive, uploads it as the single layer of an OCI artifact \
                (application/vnd.wasmcloud.provider.archive.layer.v1+par), tags it, and prints the \
                manifest digest. Credentials: -u/-p, else $WASH_REG_USER and $WASH_REG_PASSWORD. \
                Run in a project, [registry] of wasmcloud.toml supplies the default registry, \
                push_insecure and a credentials file.
                """)

        @Argument(help: "Where to push: registry/repository:tag, e.g. localhost:5000/providers/http:0.1.0.", transform: Convert.reference)
        var reference: OCIReferenceText

        @Argument(help: "The provider archive (.par.gz or .par).", transform: Convert.path)
        var archive: URL

        @Flag(name: .customLong("allow-latest"), help: "Allow the tag latest (also implied by a reference without a tag).")
        var allowLatest = false

        @Option(
            name: [.customShort("a"), .customLong("annotation")],
            help: ArgumentHelp("A manifest annotation; repeatable.", valueName: "key=value"))
        var annotations: [String] = []

        @Option(name: .customLong("config"), help: ArgumentHelp("JSON file pushed as the config blob instead of {}.", valueName: "file"), transform: Convert.path)
        var config: URL?

        @OptionGroup var registry: RegistryFlags
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let parsed = try UsageError.check { try RegistryWorkflows.annotations(parsing: annotations) }
            // The workflow's own rule (a tag, not a digest; latest only when allowed), checked here to be a usage error.
            _ = try UsageError.check { try RegistryWorkflows.pushReference(reference, allowLatest: allowLatest) }
            let options = PushOptions(registry: registry.options, allowLatest: allowLatest, annotations: parsed, configFile: config)
            let result = try await RegistryWorkflows.push(reference: reference, archive: archive, options: options, context: .cli)
            try output.print(
                json: ["reference": result.reference.description, "digest": result.digest.description, "success": true],
                text: "Successfully pushed \(result.reference)\nDigest: \(result.digest)")
        }
    }
}
