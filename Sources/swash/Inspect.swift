import ArgumentParser
import SwashCore

extension Swash {
    /// `swash inspect`.
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a provider archive and show its claims.",
            discussion: ArchiveInspectOptions.discussion)

        @OptionGroup var inspect: ArchiveInspectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await inspect.run(output: output)
        }
    }
}

/// The argument and flag of `inspect` and `par inspect`, and what they do.
struct ArchiveInspectOptions: ParsableArguments {
    static let discussion = """
        Reads the whole archive without extracting anything: every binary's SHA-256 is checked against \
        the claims, the gzip trailer is checked, and the claims' Ed25519 signature is verified against the \
        issuer. A damaged, tampered or unsigned archive exits 1 saying what failed. --jwt-only prints \
        the raw claims token and reads no further than it. An OCI reference (registry/repository:tag) is \
        pulled into ~/.wash/cache/swash first (--insecure, -u/-p as for pull).
        """

    @Argument(help: ArgumentHelp("The archive (.par.gz or .par), or an OCI reference such as localhost:5000/p/http:0.1.0.", valueName: "archive|reference"))
    var archive: String

    @OptionGroup var registry: RegistryFlags

    @Flag(name: .long, help: "Print only the raw claims token (claims.jwt).")
    var jwtOnly = false

    func validate() throws {
        try requireText(archive, "ARCHIVE")
    }

    func run(output: OutputOptions) async throws {
        try await output.run {
            let context = SwashContext.current()
            let archive = try await RegistryWorkflows.archiveForInspection(archive, options: registry.options, context: context)
            if jwtOnly {
                let token = try ArchiveWorkflows.token(archive, context: context)
                output.print(json: ["token": token.encoded, "success": true], text: token.encoded)
                return
            }
            let inspection = try ArchiveWorkflows.inspect(archive, context: context)
            output.print(json: inspection.json, text: inspection.text)
            try inspection.requireValid()
        }
    }
}
