import Foundation
import SwashTestSupport
import Testing

/// A Swift package that uses the plugin, built once per test run with
/// `swift package --allow-writing-to-package-directory build-provider` and shared by the tests.
///
/// The first plugin run in a package compiles swash itself (the plugin's tool) into that package's `.build`,
/// which takes a minute or more; every later run there reuses it.
struct PluginPackage: Sendable {
    let sandbox: Sandbox
    /// The package directory.
    let directory: URL
    /// The executable product, also the archive's bin name.
    let product: String
    /// The first plugin run.
    let build: CommandResult
    /// The archive right after the first run (later tests may rewrite the one in `build/`).
    let archive: URL

    static let checkout = PackageRoot.url.standardizedFileURL

    /// `swash new provider plug-demo --swash-path <checkout>`, then the plugin.
    static func newProject() async throws -> PluginPackage? {
        guard let swift = programOnPath("swift") else { return nil }
        let sandbox = try Sandbox("swash-plugin-new")
        let created = try await sandbox.swash(["new", "provider", "plug-demo", "--swash-path", checkout.path], in: sandbox.root)
        guard created.status == 0 else { throw SetupFailure("swash new failed: \(created.stderr)") }
        return try await built(sandbox.root.appendingPathComponent("plug-demo"), product: "plug-demo", sandbox: sandbox, swift: swift)
    }

    /// A copy of `Examples/swift-provider` whose `../..` dependency names the checkout, then the plugin.
    static func example() async throws -> PluginPackage? {
        guard let swift = programOnPath("swift") else { return nil }
        let sandbox = try Sandbox("swash-plugin-example")
        let directory = sandbox.root.appendingPathComponent("swift-provider")
        try FileManager.default.copyItem(at: checkout.appendingPathComponent("Examples/swift-provider"), to: directory)
        for leftover in [".build", "build", ".swiftpm", "Package.resolved"] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover))
        }
        let manifest = directory.appendingPathComponent("Package.swift")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        guard text.contains("path: \"../..\"") else { throw SetupFailure("Examples/swift-provider no longer depends on ../..") }
        try Data(text.replacingOccurrences(of: "path: \"../..\"", with: "path: \"\(checkout.path)\"").utf8).write(to: manifest)
        return try await built(directory, product: "example-swift-provider", sandbox: sandbox, swift: swift)
    }

    private static func built(_ directory: URL, product: String, sandbox: Sandbox, swift: URL) async throws -> PluginPackage {
        // Pin the checkout's own dependency versions, so resolving needs nothing new.
        if let resolved = try? Data(contentsOf: checkout.appendingPathComponent("Package.resolved")) {
            try resolved.write(to: directory.appendingPathComponent("Package.resolved"))
        }
        let build = try await run(swift, [], in: directory, sandbox: sandbox)
        let archive = sandbox.root.appendingPathComponent("\(product)-first.par.gz")
        try? FileManager.default.copyItem(at: directory.appendingPathComponent("build/\(product).par.gz"), to: archive)
        return PluginPackage(sandbox: sandbox, directory: directory, product: product, build: build, archive: archive)
    }

    /// `swift package --allow-writing-to-package-directory build-provider ARGUMENTS` in the package. SwiftPM
    /// keeps its dependency cache in the real user's cache (it holds no keys), everything else in the sandbox.
    static func run(
        _ swift: URL, _ arguments: [String], in directory: URL, sandbox: Sandbox, fromSource: Bool = true
    ) async throws -> CommandResult {
        var global = ["package"]
        if let home = ProcessInfo.processInfo.environment["HOME"] {
            let cache = URL(fileURLWithPath: home).appendingPathComponent(".cache/org.swift.swiftpm")
            if FileManager.default.fileExists(atPath: cache.path) { global += ["--cache-path", cache.path] }
        }
        return try await sandbox.run(
            swift, global + ["--allow-writing-to-package-directory", "build-provider"] + arguments, in: directory,
            fromSource: fromSource)
    }

    /// Runs the plugin again in this package.
    func plugin(_ arguments: [String]) async throws -> CommandResult {
        try await Self.run(try #require(programOnPath("swift")), arguments, in: directory, sandbox: sandbox)
    }

    /// The shared package, or the test is skipped when swift is not installed.
    static func shared(_ task: Task<PluginPackage?, any Error>) async throws -> PluginPackage {
        guard let package = try await task.value else { try Test.cancel("swift is not on PATH") }
        return package
    }
}

private let newProjectPackage = Task { try await PluginPackage.newProject() }
// Built after the first, not beside it: two compiles of swash at once would only fight over two cores.
private let examplePackage = Task {
    _ = try? await newProjectPackage.value
    return try await PluginPackage.example()
}

@Suite("swift package build-provider", .serialized, .timeLimit(.minutes(30)))
struct PluginTests {
    @Test func aNewSwiftProjectBuildsASignedArchive() async throws {
        let package = try await PluginPackage.shared(newProjectPackage)
        #expect(package.build.status == 0, "\(package.build.stdout)\n\(package.build.stderr)")
        let archive = package.directory.appendingPathComponent("build/plug-demo.par.gz")
        #expect(package.build.stdout.contains("Provider built and signed: \(archive.path)\n"))
        let (inspect, binary) = try await package.sandbox.verify(package.archive, service: "plug-demo")
        #expect(inspect["name"] as? String == "plug-demo")
        #expect(inspect["vendor"] as? String == "NoVendor")
        #expect(isSameFile(binary, package.directory.appendingPathComponent(".build/release/plug-demo")))
        // The keys came from WASH_KEYS: none were written under HOME's .wash (only its cache of verified archives).
        #expect(!FileManager.default.fileExists(atPath: package.sandbox.home.appendingPathComponent(".wash/keys").path))

        // The packaged provider behaves as the template says.
        let hostData = Data(#"{"lattice_rpc_prefix":"default","provider_key":"VKEY","config":{}}"#.utf8).base64EncodedString()
        let provider = package.directory.appendingPathComponent(".build/release/plug-demo")
        let ran = try await offCooperativePool {
            try runProcess(provider, [], environment: [:], input: Data((hostData + "\n").utf8))
        }
        #expect(ran.status == 0)
        #expect(ran.stderr == "plug-demo: started with provider key VKEY on lattice default\nplug-demo: stdin closed; shutting down\n")
    }

    @Test func theSwiftExampleBuildsASignedArchive() async throws {
        let package = try await PluginPackage.shared(examplePackage)
        #expect(package.build.status == 0, "\(package.build.stdout)\n\(package.build.stderr)")
        let (inspect, binary) = try await package.sandbox.verify(package.archive, service: "example-swift-provider")
        #expect(inspect["name"] as? String == "Example Swift Provider")
        #expect(inspect["vendor"] as? String == "swash")
        #expect(isSameFile(binary, package.directory.appendingPathComponent(".build/release/example-swift-provider")))
    }

    @Test func helpShowsThePluginsOptionsAndSwashBuilds() async throws {
        let package = try await PluginPackage.shared(newProjectPackage)
        let help = try await package.plugin(["--help"])
        #expect(help.status == 0, "\(help.stderr)")
        for option in ["--product <product>", "--configuration <configuration>", "USAGE: swash build", "--keys-directory", "--disable-keygen", "--issuer"] {
            #expect(help.stdout.contains(option), "help lacks \(option)")
        }
    }

    @Test func anUnknownProductFailsAndNamesTheCandidates() async throws {
        let package = try await PluginPackage.shared(newProjectPackage)
        let result = try await package.plugin(["--product", "nope"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("error: this package has no executable product named \"nope\"; choose one of: plug-demo"), "\(result.stderr)")
        // SwiftPM itself checks --configuration (and still passes it on); either message names the choices.
        let configuration = try await package.plugin(["--configuration", "fast"])
        #expect(configuration.status != 0)
        #expect(configuration.stderr.contains("fast") && configuration.stderr.contains("release"), "\(configuration.stderr)")
    }

    @Test func aCompileErrorShowsTheBuildLogAndFails() async throws {
        let package = try await PluginPackage.shared(newProjectPackage)
        let source = package.directory.appendingPathComponent("Sources/PlugDemo/main.swift")
        let original = try Data(contentsOf: source)
        defer { try? original.write(to: source) }
        try (original + Data("let broken: Int = \"no\"\n".utf8)).write(to: source)
        let result = try await package.plugin([])
        #expect(result.status != 0)
        #expect(result.stdout.contains("error: cannot convert value of type 'String' to specified type 'Int'"), "\(result.stdout)")
        #expect(result.stderr.contains("error: building product \"plug-demo\" failed; see the build log above"), "\(result.stderr)")
    }

    @Test func aFailingSwashBuildFailsThePluginAndKeepsTheArchive() async throws {
        let package = try await PluginPackage.shared(newProjectPackage)
        let archive = package.directory.appendingPathComponent("build/plug-demo.par.gz")
        let before = try Data(contentsOf: archive)
        let empty = try makeTemporaryDirectory("swash-no-keys")
        let result = try await package.plugin(["--disable-keygen", "--keys-directory", empty.path])
        #expect(result.status != 0)
        let output = result.stdout + result.stderr
        #expect(output.contains("key generation is disabled"), "\(output)")
        #expect(output.contains("failed (exit status 1); see its message above"), "\(output)")
        #expect(try Data(contentsOf: archive) == before)
    }

    @Test func debugConfigurationPackagesTheDebugBinary() async throws {
        let package = try await PluginPackage.shared(newProjectPackage)
        let result = try await package.plugin(["--configuration", "debug", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let archive = package.directory.appendingPathComponent("build/plug-demo.par.gz")
        #expect(result.stdout.contains(#""path":"\#(archive.path)""#), "\(result.stdout)")
        let (_, binary) = try await package.sandbox.verify(archive, service: "plug-demo")
        #expect(isSameFile(binary, package.directory.appendingPathComponent(".build/debug/plug-demo")))
    }
}
