// swift-tools-version: 6.2
// libFuzzer targets for swash's parsers. A separate package so the main build never needs the fuzzer
// runtime. Run them with `Scripts/fuzz <target> <seconds>`.
import PackageDescription

let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
let fuzzLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]

let package = Package(
    name: "swash-fuzz",
    dependencies: [.package(name: "swash", path: "..")],
    targets: [
        .target(name: "FuzzSupport", swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]),
        .executableTarget(
            name: "fuzz-nkeys", dependencies: ["FuzzSupport", .product(name: "NKeys", package: "swash")],
            swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        .executableTarget(
            name: "fuzz-toml", dependencies: ["FuzzSupport", .product(name: "TOMLLite", package: "swash")],
            swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        .executableTarget(
            name: "fuzz-jwt", dependencies: ["FuzzSupport", .product(name: "Wascap", package: "swash")],
            swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        .executableTarget(
            name: "fuzz-archive",
            dependencies: ["FuzzSupport", .product(name: "ProviderArchiveKit", package: "swash")],
            swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
    ]
)
