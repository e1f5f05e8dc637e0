// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "{{name}}",
    products: [
        // The provider binary. `swift package build-provider` and `swash build` package the only executable product.
        .executable(name: "{{bin_name}}", targets: ["{{swift_module}}"])
    ],
    dependencies: [
        // swash, for its `build-provider` command plugin; the provider links nothing from it.
        {{swash_dependency}}
    ],
    targets: [
        .executableTarget(name: "{{swift_module}}")
    ]
)
