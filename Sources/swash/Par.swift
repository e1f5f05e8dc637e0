import ArgumentParser
import ProviderArchiveKit
import SwashCore

extension Swash {
    /// `swash par …`: provider archives.
    struct Par: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, extend and inspect capability provider archives (.par.gz).",
            discussion: """
                A provider archive is a tar stream (usually gzip-compressed) holding a signed claims token \
                (claims.jwt), an optional WIT package (world.wasm) and one native binary per target \
                (<arch>-<os>.bin). It is signed with an account key (the issuer) and names the provider's \
                service key (the subject); both are generated under ~/.wash/keys on first use.
                """,
            subcommands: [Create.self, Insert.self, Inspect.self, Merge.self])
    }
}

/// `-a/--arch`, the target a binary is for (`create` and `insert`).
struct TargetOption: ParsableArguments {
    @Option(
        name: [.customShort("a"), .customLong("arch")],
        help: ArgumentHelp(
            "Target the binary runs on, as <arch>-<os>.",
            discussion: "Default: the one the binary's ELF, Mach-O or PE header names, else this machine's (e.g. x86_64-linux). A name the header contradicts is refused.",
            valueName: "target"),
        transform: Convert.target)
    var arch: TargetName?
}
