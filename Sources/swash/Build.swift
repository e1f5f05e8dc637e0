import ArgumentParser
import Foundation
import ProviderArchiveKit
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

                Several targets: --target (repeated) or [provider] targets builds once per target (Go: GOOS/GOARCH; \
                Rust: cargo build --target TRIPLE; Swift: --swift-sdk) and writes ONE archive holding them all. \
                Each binary's header must agree with its target. Targets another machine must build (macOS binaries \
                need a Mac) are joined afterwards with `swash par merge`.

                Example: swash build --target x86_64-linux --target aarch64-linux --target x86_64-windows
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
            name: .customLong("target"),
            help: ArgumentHelp(
                "Build for this target (<arch>-<os>); repeat for several, packaged into one archive.",
                discussion: "Default: [provider] targets of wasmcloud.toml, else this machine's (or rust_target's) one target.",
                valueName: "target"),
            transform: Convert.target)
        var targets: [TargetName] = []

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
            if binary != nil, targets.count > 1 {
                throw ValidationError("--binary packages one file, so give at most one --target with it (it names the file's target)")
            }
        }

        func run() async throws {
            let context = SwashContext.cli
            let result = try await BuildWorkflow.build(
                BuildWorkflow.Request(
                    path: path ?? context.currentDirectory, keys: keys.options, binary: binary, verbose: verbose,
                    witDirectory: try witDirectory ?? Convert.environmentPath("WIT_DIR"), targets: targets),
                context: context)
            var json: [String: Any] = ["path": result.path.path, "target": result.target.rawValue, "world": result.hasWorld, "success": true]
            var text = "Provider built and signed: \(result.path.path)"
            if let all = result.targets {
                json["targets"] = all.map(\.rawValue)
                text += " (\(all.count) targets: \(all.map(\.rawValue).joined(separator: ", ")))"
            }
            try output.print(json: json, text: text)
        }
    }
}
