import Foundation
import PackagePlugin

/// `swift package build-provider`: builds the package's provider product with SwiftPM, then hands the
/// binary to `swash build --binary`, which reads wasmcloud.toml, signs, and writes `build/<bin_name>.par.gz`.
///
/// The plugin only picks the product and the configuration; every other argument goes to `swash build`.
/// It never runs `swift build` itself: SwiftPM holds the build lock while a plugin runs.
@main
struct BuildProviderPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let swash = try context.tool(named: "swash").url
        let package = context.package.directoryURL
        var extractor = ArgumentExtractor(arguments)
        if extractor.extractFlag(named: "help") > 0 || extractor.remainingArguments.contains("-h") {
            print(Self.help)
            try run(swash, ["build", "--help"], in: package)
            return
        }
        let configuration = try Self.configuration(extractor.extractOption(named: "configuration"))
        let product = try Self.product(extractor.extractOption(named: "product"), in: context.package)

        let result = try packageManager.build(
            .product(product), parameters: .init(configuration: configuration, logging: .concise))
        guard result.succeeded else {
            print(result.logText)
            throw BuildProviderError.buildFailed(product: product)
        }
        guard
            let artifact = result.builtArtifacts.first(where: { $0.kind == .executable && $0.url.lastPathComponent == product })
                ?? result.builtArtifacts.first(where: { $0.kind == .executable })
        else {
            throw BuildProviderError.noExecutable(product: product, built: result.builtArtifacts.map(\.url.path))
        }
        try run(swash, ["build", "--binary", artifact.url.path, "-p", package.path] + extractor.remainingArguments, in: package)
    }

    static let help = """
        OVERVIEW: Build a provider product with SwiftPM and package it as a signed build/<bin_name>.par.gz.

        USAGE: swift package --allow-writing-to-package-directory build-provider [--product <product>] [--configuration <configuration>] [<swash build options>]

        PLUGIN OPTIONS:
          --product <product>     The executable product to package (default: the package's only executable product).
          --configuration <configuration>
                                  release or debug (default: release).

        Every other option is passed to `swash build --binary <built product> -p <package directory>`:

        """

    /// The build configuration from `--configuration` (release when absent).
    static func configuration(_ values: [String]) throws -> PackageManager.BuildConfiguration {
        switch values.last {
        case nil, "release": return .release
        case "debug": return .debug
        case let other?: throw BuildProviderError.badConfiguration(other)
        }
    }

    /// The product from `--product`, else the package's only executable product.
    static func product(_ values: [String], in package: Package) throws -> String {
        let executables = package.products(ofType: ExecutableProduct.self).map(\.name).sorted()
        if let named = values.last {
            guard executables.contains(named) else { throw BuildProviderError.unknownProduct(named, candidates: executables) }
            return named
        }
        guard executables.count == 1, let only = executables.first else {
            throw BuildProviderError.productUndetermined(candidates: executables)
        }
        return only
    }

    /// Runs `swash` with the plugin's standard output and error, and fails unless it exits 0.
    func run(_ tool: URL, _ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.currentDirectoryURL = directory
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit
                ? "exit status \(process.terminationStatus)" : "signal \(process.terminationStatus)"
            throw BuildProviderError.swashFailed(command: (["swash"] + arguments).joined(separator: " "), how: how)
        }
    }
}

/// Why `build-provider` stopped; each message says what to do next.
enum BuildProviderError: Error, CustomStringConvertible {
    case badConfiguration(String)
    case unknownProduct(String, candidates: [String])
    case productUndetermined(candidates: [String])
    case buildFailed(product: String)
    case noExecutable(product: String, built: [String])
    case swashFailed(command: String, how: String)

    var description: String {
        switch self {
        case .badConfiguration(let value):
            return "--configuration \(value) is not supported; use release or debug"
        case .unknownProduct(let name, let candidates):
            return "this package has no executable product named \"\(name)\"; \(Self.choices(candidates))"
        case .productUndetermined(let candidates) where candidates.isEmpty:
            return "this package has no executable product to package; add an .executable product to Package.swift"
        case .productUndetermined(let candidates):
            return "this package has several executable products; choose one with --product (\(candidates.joined(separator: ", ")))"
        case .buildFailed(let product):
            return "building product \"\(product)\" failed; see the build log above"
        case .noExecutable(let product, let built):
            return "building product \"\(product)\" produced no executable (built: \(built.joined(separator: ", ")))"
        case .swashFailed(let command, let how):
            return "`\(command)` failed (\(how)); see its message above"
        }
    }

    private static func choices(_ candidates: [String]) -> String {
        candidates.isEmpty
            ? "it has no executable products; add an .executable product to Package.swift"
            : "choose one of: \(candidates.joined(separator: ", "))"
    }
}
