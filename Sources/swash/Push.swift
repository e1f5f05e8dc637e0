import ArgumentParser
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

        @Argument(help: "Where to push: registry/repository:tag, e.g. localhost:5000/providers/http:0.1.0.")
        var reference: String

        @Argument(help: "The provider archive (.par.gz or .par).")
        var archive: String

        @Flag(name: .customLong("allow-latest"), help: "Allow the tag latest (also implied by a reference without a tag).")
        var allowLatest = false

        @Option(
            name: [.customShort("a"), .customLong("annotation")],
            help: ArgumentHelp("A manifest annotation; repeatable.", valueName: "key=value"))
        var annotations: [String] = []

        @Option(name: .customLong("config"), help: ArgumentHelp("JSON file pushed as the config blob instead of {}.", valueName: "file"))
        var config: String?

        @OptionGroup var registry: RegistryFlags
        @OptionGroup var output: OutputOptions

        func validate() throws {
            do {
                _ = try RegistryWorkflows.pushReference(reference, allowLatest: allowLatest)
                _ = try RegistryWorkflows.manifestAnnotations(annotations, environment: [:])
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            try await output.run {
                let options = PushOptions(
                    registry: registry.options, allowLatest: allowLatest, annotations: annotations, configFile: config)
                let result = try await RegistryWorkflows.push(reference: reference, archive: archive, options: options, context: .current())
                output.print(json: result.json, text: result.text)
            }
        }
    }
}
