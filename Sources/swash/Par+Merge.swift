import ArgumentParser
import Foundation
import SwashCore

extension Swash.Par {
    /// `swash par merge`.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge archives of one provider built on several machines into one archive, signed once.",
            discussion: """
                Every input is verified (hashes and signature). They must agree on name, vendor, version, \
                revision, capid, config_schema, world.wasm and subject; a target held by two inputs must be the \
                same binary. The union of their targets is written to --destination (gzip when it ends in .gz) \
                and signed with the inputs' account (the same seed, e.g. from WASH_ISSUER_KEY); another account \
                needs --force-resign. Binaries are copied across unchanged. On any failure nothing is written.

                Example: swash par merge --destination build/fakepay.par.gz linux/fakepay.par.gz mac/fakepay.par.gz
                """)

        @Argument(help: ArgumentHelp("The archives to merge (.par.gz or .par), two or more.", valueName: "archive"), transform: Convert.path)
        var inputs: [URL]

        @Option(name: .long, help: ArgumentHelp("The archive to write; gzip when it ends in .gz.", valueName: "path"), transform: Convert.path)
        var destination: URL

        @Flag(name: .long, help: "Allow signing with an issuer other than the inputs'.")
        var forceResign = false

        @OptionGroup var keys: KeyFlags
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if inputs.count < 2 { throw ValidationError("give at least two archives to merge (got \(inputs.count))") }
        }

        func run() async throws {
            let context = SwashContext.cli
            let merged = try await ArchiveWorkflows.merge(
                ArchiveWorkflows.MergeRequest(inputs: inputs, destination: destination, forceResign: forceResign),
                keys: SigningKeys(options: keys.options, context: context), context: context)
            let targets = merged.targets.map(\.rawValue)
            try output.print(
                json: ["file": merged.path.path, "targets": targets, "inputs": merged.inputs.map(\.path), "success": true],
                text: "Merged \(merged.inputs.count) archives into \(merged.path.path) (\(targets.count) targets: \(targets.joined(separator: ", ")))")
        }
    }
}
