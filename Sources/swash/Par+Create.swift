import ArgumentParser
import Foundation
import SwashCore

extension Swash.Par {
    /// `swash par create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a signed provider archive from a native binary.",
            discussion: """
                Writes <binary>.par (or <binary>.par.gz with --compress) in the current directory unless \
                --destination says otherwise. Set SOURCE_DATE_EPOCH for a reproducible archive: the same \
                inputs then give the same bytes.

                Example: swash par create -n "Fake Payments" -v wasmCloud -b ./target/release/fakepay --compress
                """)

        @Option(name: .shortAndLong, help: "Display name of the provider.", transform: Convert.nonBlank)
        var name: String

        @Option(name: .shortAndLong, help: "Vendor of the provider.", transform: Convert.nonBlank)
        var vendor: String

        @Option(name: .shortAndLong, help: ArgumentHelp("The provider's native binary.", valueName: "path"), transform: Convert.path)
        var binary: URL

        @OptionGroup var target: TargetOption

        @Option(name: .long, help: "Version string of the provider (ver).")
        var version: String?

        @Option(name: [.customShort("r"), .customLong("revision")], help: "Revision number of the provider (rev).")
        var revision: Int?

        @Option(
            name: [.customShort("c"), .long], help: "Capability contract id (capid), for wasmCloud 0.x hosts that require one.",
            transform: Convert.nonBlank)
        var capid: String?

        @Option(
            name: [.customShort("j"), .customLong("schema")],
            help: ArgumentHelp("JSON file with the provider's configuration schema.", discussion: "Default: $WASH_JSON_SCHEMA.", valueName: "schema.json"),
            transform: Convert.path)
        var schema: URL?

        @Option(name: .long, help: ArgumentHelp("Pre-encoded WIT package to embed as world.wasm.", valueName: "world.wasm"), transform: Convert.path)
        var wit: URL?

        @Option(
            name: .customLong("wit-directory"),
            help: ArgumentHelp(
                "WIT directory to encode with wasm-tools and embed as world.wasm.", discussion: "Default: $WIT_DIR.",
                valueName: "dir"),
            transform: Convert.path)
        var witDirectory: URL?

        @Option(
            name: .long, help: ArgumentHelp("Where to write the archive (a file, or an existing directory).", valueName: "path"),
            transform: Convert.path)
        var destination: URL?

        @Flag(name: .long, help: "Compress with gzip; a destination not ending in .gz gets .gz appended.")
        var compress = false

        @OptionGroup var keys: KeyFlags
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if wit != nil, witDirectory != nil {
                throw ValidationError("give --wit (a pre-encoded world.wasm) or --wit-directory (a WIT directory), not both")
            }
            if let revision, !(0...Int(Int32.max)).contains(revision) {
                throw ValidationError("--revision must be between 0 and \(Int32.max)")
            }
        }

        func run() async throws {
            let context = SwashContext.cli
            let request = ArchiveWorkflows.CreateRequest(
                name: name, vendor: vendor, binary: binary, target: target.arch, version: version, revision: revision,
                capabilityContractID: capid, schema: try schema ?? Convert.environmentPath("WASH_JSON_SCHEMA"), wit: wit,
                witDirectory: wit == nil ? try witDirectory ?? Convert.environmentPath("WIT_DIR") : nil,
                destination: destination, compress: compress)
            let written = try await ArchiveWorkflows.create(
                request, keys: SigningKeys(options: keys.options, context: context), context: context)
            try output.print(
                json: ["file": written.path.path, "success": true],
                text: "Successfully created archive \(written.path.path)")
        }
    }
}
