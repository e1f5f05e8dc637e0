import ArgumentParser
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

        @Argument(help: "What to pull: registry/repository[:tag][@sha256:…]; no tag means latest.")
        var reference: String

        @Option(name: .customLong("destination"), help: ArgumentHelp("File to write, or an existing directory.", valueName: "path"))
        var destination: String?

        @Option(name: .customLong("digest"), help: ArgumentHelp("The manifest digest the artifact must have (as push printed it).", valueName: "sha256:…"))
        var digest: String?

        @OptionGroup var registry: RegistryFlags
        @OptionGroup var output: OutputOptions

        func validate() throws {
            do { _ = try OCIReference(parsing: reference) } catch { throw ValidationError(error.description) }
            if let digest, OCIDigest(parsing: digest) == nil {
                throw ValidationError("--digest: \"\(digest)\" is not of the form sha256:<64 lowercase hex digits>")
            }
        }

        func run() async throws {
            try await output.run {
                let options = PullOptions(registry: registry.options, destination: destination, digest: digest)
                let result = try await RegistryWorkflows.pull(reference: reference, options: options, context: .current())
                output.print(json: result.json, text: result.text)
            }
        }
    }
}
