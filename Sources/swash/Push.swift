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

        @Option(
            name: [.customShort("c"), .customLong("config")],
            help: ArgumentHelp("JSON file pushed as the config blob instead of {}.", valueName: "file"), transform: Convert.path)
        var config: URL?

        @Flag(
            name: .customLong("monolithic-push"),
            help: ArgumentHelp(
                "Upload the archive in one PUT instead of chunks (default: $WASH_MONOLITHIC_PUSH).",
                discussion: "For registries that corrupt chunked uploads, such as Artifactory."))
        var monolithic = false

        @OptionGroup var registry: RegistryFlags
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let parsed = try UsageError.check { try RegistryWorkflows.annotations(parsing: annotations) }
            // The workflow's own rule (a tag, not a digest; latest only when allowed), checked here to be a usage error.
            _ = try UsageError.check { try RegistryWorkflows.pushReference(reference, allowLatest: allowLatest) }
            var options = PushOptions(registry: registry.options, allowLatest: allowLatest, annotations: parsed, configFile: config)
            options.monolithic = monolithic || Convert.isTrue(SwashContext.cli.environment["WASH_MONOLITHIC_PUSH"])
            let result = try await RegistryWorkflows.push(reference: reference, archive: archive, options: options, context: .cli)
            // wash's shape {"url","digest","tag"}, and swash's reference and success beside it.
            try output.print(
                json: [
                    "url": result.reference.description, "digest": result.digest.description,
                    "tag": result.reference.tag ?? "latest", "reference": result.reference.description, "success": true,
                ],
                text: "Successfully pushed \(result.reference)\nDigest: \(result.digest)")
        }
    }
}
