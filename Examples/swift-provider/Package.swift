// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "swift-provider",
    products: [
        // The one executable product: `swash build` packages it as the provider binary.
        .executable(name: "example-swift-provider", targets: ["ExampleSwiftProvider"])
    ],
    dependencies: [
        // swash itself, so its SwiftPM plugin can be used here (`swift package build-provider`).
        // The provider target below does not depend on any swash product.
        .package(name: "swash", path: "../..")
    ],
    targets: [
        .executableTarget(name: "ExampleSwiftProvider")
    ]
)
