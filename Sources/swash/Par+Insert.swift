import ArgumentParser
import Foundation
import SwashCore

extension Swash.Par {
    /// `swash par insert`.
    struct Insert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace one target's binary in an archive, and re-sign it.",
            discussion: """
                The archive is verified first and rewritten in place (compressed if it was): name, vendor, \
                version, revision, capid, schema and world.wasm carry over; the signature is new. The \
                archive's issuer and subject are kept unless -i/-s are given; re-signing with another \
                account than the archive's needs --force-resign. On failure the archive is left untouched.

                Example: swash par insert fakepay.par.gz -b ./aarch64/fakepay -a aarch64-linux
                """)

        @Argument(help: ArgumentHelp("The archive to extend (.par.gz or .par).", valueName: "archive"), transform: Convert.path)
        var archive: URL

        @Option(name: .shortAndLong, help: ArgumentHelp("The native binary to add.", valueName: "path"), transform: Convert.path)
        var binary: URL

        @OptionGroup var target: TargetOption

        @Flag(name: .long, help: "Allow re-signing with an issuer other than the archive's.")
        var forceResign = false

        @OptionGroup var keys: KeyFlags
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let context = SwashContext.cli
            let request = ArchiveWorkflows.InsertRequest(archive: archive, binary: binary, target: target.arch, forceResign: forceResign)
            let written = try await ArchiveWorkflows.insert(
                request, keys: SigningKeys(options: keys.options, context: context), context: context)
            try output.print(
                json: ["file": written.path.path, "target": written.target.rawValue, "success": true],
                text: "Successfully inserted \(binary.path) into archive \(written.path.path) as \(written.target)")
        }
    }
}
