// swift-tools-version: 6.2
import Foundation
import PackageDescription

/// The tool `swift package build-provider` runs. Built from source, it costs a package's first plugin run the
/// compilation of all of swash (ArgumentParser, swift-subprocess, swift-system and every module, in debug).
/// When `Artifacts/swash.artifactbundle` exists — a release's prebuilt binary, or `make artifactbundle` — the
/// plugin runs that instead (SwiftLint's model), unless `SWASH_PLUGIN_FROM_SOURCE` is set. docs/plugin.md.
let prebuiltTool =
    FileManager.default.fileExists(atPath: Context.packageDirectory + "/Artifacts/swash.artifactbundle/info.json")
    && Context.environment["SWASH_PLUGIN_FROM_SOURCE"] == nil

let package = Package(
    name: "swash",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swash", targets: ["swash"]),
        .executable(name: "toml-decoder", targets: ["toml-decoder"]),
        .library(name: "TOMLLite", targets: ["TOMLLite"]),
        .library(name: "NKeys", targets: ["NKeys"]),
        .library(name: "Wascap", targets: ["Wascap"]),
        .library(name: "ProviderArchiveKit", targets: ["ProviderArchiveKit"]),
        .library(name: "WasmCloudManifest", targets: ["WasmCloudManifest"]),
        .library(name: "SwashCore", targets: ["SwashCore"]),
        // `swift package build-provider` for packages that depend on swash. Named like its target, not like
        // its verb: product names share one namespace across the package graph, and `build-provider` is a
        // plausible name for a user's own executable product.
        .plugin(name: "BuildProviderPlugin", targets: ["BuildProviderPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // C libraries, kept behind Swift APIs.
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]),
        .systemLibrary(
            name: "CArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]),
        .systemLibrary(
            name: "CDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

        // The one file layer: atomic writes, temporary files and their sweep, private directories, errno-keeping
        // errors, blocking work off the cooperative pool.
        .target(name: "FileIO"),
        // Untrusted text made safe for a terminal.
        .target(name: "UntrustedText"),

        // Format modules: bytes in, values out. No I/O policy.
        .target(name: "TOMLLite"),
        .target(name: "NKeys", dependencies: ["CSodium"]),
        .target(name: "Wascap", dependencies: ["NKeys", "CSodium", "CCrypto"]),
        .target(name: "ProviderArchiveKit", dependencies: ["Wascap", "NKeys", "FileIO", "CArchive", "CDeflate", "CZlib"]),
        .target(name: "WasmCloudManifest", dependencies: ["TOMLLite", "FileIO"]),

        // The OCI distribution protocol: reference, digest, manifest, auth, transport, client.
        .target(name: "Registry", dependencies: ["Wascap", "FileIO", "UntrustedText", "CCurl"]),

        // Workflows: paths, environment, key directories, subprocesses, network.
        .target(
            name: "SwashCore",
            dependencies: [
                "NKeys", "Wascap", "ProviderArchiveKit", "WasmCloudManifest", "Registry", "FileIO", "TOMLLite",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),

        // Thin executables.
        .executableTarget(
            name: "swash",
            dependencies: [
                "SwashCore", "NKeys", "ProviderArchiveKit", "Registry", "FileIO", "UntrustedText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "toml-decoder", dependencies: ["TOMLLite"]),

        // Thin plugin: builds the provider product through SwiftPM, then runs `swash build --binary`.
        .plugin(
            name: "BuildProviderPlugin",
            capability: .command(
                intent: .custom(
                    verb: "build-provider",
                    description: "Build a provider product and package it as a signed build/<bin_name>.par.gz"),
                permissions: [
                    .writeToPackageDirectory(
                        reason: "swash writes the signed provider archive to build/ in the package directory")
                ]),
            dependencies: [prebuiltTool ? "SwashPrebuilt" : "swash"]),

        // Tests mirror the modules.
        .target(name: "SwashTestSupport", path: "Tests/SwashTestSupport"),
        .testTarget(name: "TOMLLiteTests", dependencies: ["TOMLLite", "SwashTestSupport"]),
        .testTarget(name: "NKeysTests", dependencies: ["NKeys", "SwashTestSupport"]),
        .testTarget(name: "WascapTests", dependencies: ["Wascap", "NKeys"]),
        .testTarget(
            name: "ProviderArchiveKitTests",
            dependencies: ["ProviderArchiveKit", "Wascap", "NKeys", "SwashTestSupport"]),
        .testTarget(
            name: "WasmCloudManifestTests",
            dependencies: ["WasmCloudManifest", "TOMLLite", "SwashTestSupport"]),
        .testTarget(
            name: "SwashCoreTests",
            dependencies: [
                "SwashCore", "ProviderArchiveKit", "Wascap", "NKeys", "WasmCloudManifest", "Registry", "FileIO", "SwashTestSupport",
            ]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "SwashTestSupport"]),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "SwashTestSupport"]),
        .testTarget(name: "SwashCommandTests", dependencies: ["swash", "SwashCore", "SwashTestSupport"]),
        .testTarget(
            name: "SwashCLITests", dependencies: ["SwashTestSupport"]),
    ]
)

if prebuiltTool {
    package.targets.append(.binaryTarget(name: "SwashPrebuilt", path: "Artifacts/swash.artifactbundle"))
}
