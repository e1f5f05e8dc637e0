import ArgumentParser
import Foundation
import SwashCore

extension Swash {
    /// `swash build`.
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile a provider project and package it as a signed <build>/<bin_name>.par.gz.",
            discussion: """
                Reads wasmcloud.toml (language rust, swift or go; type provider), runs the project's toolchain \
                in the project directory (cargo build --release, swift build -c release, go build), and signs \
                the binary with the account and service keys (generated on first run in the keys directory). \
                An existing archive is replaced only when the new one is complete.
                """)

        @Option(name: [.customShort("p"), .customLong("config-path")], help: ArgumentHelp(
            "wasmcloud.toml, or the directory holding it.", discussion: "Default: the current directory.", valueName: "path"),
            transform: Convert.path)
        var path: URL?

        @Option(help: ArgumentHelp(
            "Package this binary instead of compiling (used by the build-provider plugin).", valueName: "path"),
            transform: Convert.path)
        var binary: URL?

        @Option(
            name: .customLong("wit-directory"),
            help: ArgumentHelp(
                "WIT directory to embed as world.wasm (failing to encode it is then an error).",
                discussion: "Default: $WIT_DIR, else the wit key of wasmcloud.toml (default <project>/wit), which only warns.",
                valueName: "dir"),
            transform: Convert.path)
        var witDirectory: URL?

        @Flag(name: .customLong("skip-fetch"), help: "Accepted as wash accepts it: swash never fetches WIT dependencies.")
        var skipFetch = false

        @Flag(name: .customLong("build-only"), help: ArgumentHelp("Accepted and ignored for providers, as wash does.", visibility: .hidden))
        var buildOnly = false

        @Flag(name: .customLong("sign-only"), help: ArgumentHelp("Accepted and ignored for providers, as wash does.", visibility: .hidden))
        var signOnly = false

        @Flag(name: .long, help: "Also show the wasmcloud.toml keys that were read and ignored.")
        var verbose = false

        @OptionGroup(title: "Keys") var keys: KeyFlags
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if buildOnly, signOnly { throw ValidationError("give --build-only or --sign-only, not both") }
        }

        func run() async throws {
            let context = SwashContext.cli
            let result = try await BuildWorkflow.build(
                BuildWorkflow.Request(
                    path: path ?? context.currentDirectory, keys: keys.options, binary: binary, verbose: verbose,
                    witDirectory: try witDirectory ?? Convert.environmentPath("WIT_DIR")),
                context: context)
            try output.print(
                json: ["path": result.path.path, "target": result.target.rawValue, "world": result.hasWorld, "success": true],
                text: "Provider built and signed: \(result.path.path)")
        }
    }
}
