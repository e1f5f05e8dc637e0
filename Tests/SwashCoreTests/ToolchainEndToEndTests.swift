import Foundation
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// The example providers in `Examples/`, each built once per test run with its real toolchain, into
/// temporary directories (the source tree only gains the ignored `Package.resolved` of the Swift example).
enum ExampleProvider: String, CaseIterable, Sendable {
    case rust, swift, go

    /// The binary's name, which its log lines start with.
    var binName: String { "example-\(rawValue)-provider" }
    var tool: String { self == .rust ? "cargo" : rawValue }
    var directory: URL { PackageRoot.url.appendingPathComponent("Examples/\(rawValue)-provider") }

    /// The build of this example: started on first use, shared by every test that needs it.
    var build: Task<ExampleBuild?, any Error> {
        switch self {
        case .rust: rustBuild
        case .swift: swiftBuild
        case .go: goBuild
        }
    }

    /// The built binary, or the test is cancelled (skipped) when the toolchain is not installed.
    func binary() async throws -> URL {
        guard let build = try await build.value else {
            try Test.cancel("\(tool) is not on PATH; skipping the \(rawValue) example")
        }
        return build.binary
    }

    fileprivate func compile() async throws -> ExampleBuild? {
        let environment = ProcessInfo.processInfo.environment
        guard SystemCommandRunner.locate(tool, environment: environment) != nil else {
            FileHandle.standardError.write(Data("note: \(tool) is not on PATH; the \(rawValue) example is not built\n".utf8))
            return nil
        }
        let scratch = try makeTemporaryDirectory("swash-example-\(rawValue)")
        let text = WrittenText()
        var toolchain = Toolchain(environment: environment, progress: text.display(.plain))
        let binary: URL
        switch self {
        case .rust:
            // An empty crates registry must do: the example is std only.
            toolchain.environment.merge(["CARGO_TARGET_DIR": scratch.path, "CARGO_NET_OFFLINE": "true"]) { $1 }
            binary = try await toolchain.buildRust(RustBuildSettings(projectDirectory: directory))
        case .swift:
            binary = try await toolchain.buildSwift(SwiftBuildSettings(projectDirectory: directory, scratchPath: scratch))
        case .go:
            binary = try await toolchain.buildGo(
                GoBuildSettings(projectDirectory: directory, outputDirectory: scratch, binName: binName))
        }
        return ExampleBuild(binary: binary, scratch: scratch, log: text.text)
    }
}

struct ExampleBuild: Sendable {
    var binary: URL
    var scratch: URL
    var log: String
}

private let rustBuild = Task { try await ExampleProvider.rust.compile() }
private let swiftBuild = Task { try await ExampleProvider.swift.compile() }
private let goBuild = Task { try await ExampleProvider.go.compile() }

/// One line of host data as a wasmCloud host writes it: base64 of the `HostData` JSON, then a newline.
private let hostDataLine: Data = {
    let json = #"""
        {"host_id":"NBHOSTID","lattice_rpc_prefix":"default","lattice_rpc_url":"nats://127.0.0.1:4222","provider_key":"VPROVIDERKEY","link_name":"default","instance_id":"01J0INSTANCE","env_values":{},"link_definitions":[],"cluster_issuers":["CISSUER"],"config":{"greeting":"h\u00e9llo"},"default_rpc_timeout_ms":2000,"structured_logging":false,"log_level":null,"otel_config":{"enable_observability":false}}
        """#
    return Data((Data(json.utf8).base64EncodedString() + "\n").utf8)
}()

/// Runs a built provider on a plain thread, so its blocking wait does not hold one of the few threads that
/// run the other tests' async work (the builds among them).
private func run(_ binary: URL, input: Data?) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runProcess(binary, [], environment: ["PATH": "/usr/bin:/bin"], input: input) })
        }
    }
}

@Suite("Toolchain: building the examples with real toolchains")
struct ToolchainEndToEndTests {
    @Test(arguments: ExampleProvider.allCases)
    func exampleBuildsAndStreamsTheToolsOutput(_ example: ExampleProvider) async throws {
        let binary = try await example.binary()
        let build = try #require(try await example.build.value)
        #expect(binary.lastPathComponent == example.binName)
        #expect(binary.path.hasPrefix(build.scratch.resolvingSymlinksInPath().path) || binary.path.hasPrefix(build.scratch.path))
        #expect(FileManager.default.isExecutableFile(atPath: binary.path))
        let tool = example == .rust ? "cargo" : example.rawValue
        #expect(build.log.hasPrefix("swash: "))
        #expect(build.log.contains("swash: compiling with \(tool)…\n"))
        #expect(build.log.contains("swash: compiled\n"))
        if example == .rust { #expect(build.log.contains("Compiling example-rust-provider v0.1.0")) }
        if example == .swift { #expect(build.log.contains("Compiling ExampleSwiftProvider")) }
    }

    @Test(arguments: ExampleProvider.allCases)
    func providerLogsItsHostDataAndExitsWhenStdinCloses(_ example: ExampleProvider) async throws {
        let result = try await run(try await example.binary(), input: hostDataLine)
        #expect(result.status == 0)
        #expect(result.stderr.contains("\(example.binName): started with provider key VPROVIDERKEY on lattice default\n"))
        #expect(result.stderr.hasSuffix("\(example.binName): stdin closed; shutting down\n"))
    }

    @Test(arguments: ExampleProvider.allCases)
    func providerWithoutHostDataSaysSoAndExitsZero(_ example: ExampleProvider) async throws {
        let result = try await run(try await example.binary(), input: nil)
        #expect(result.status == 0)
        #expect(result.stderr == "\(example.binName): no host data given on stdin; exiting\n")
    }

    @Test(arguments: ExampleProvider.allCases, ["not base64!\n", "WzEsMl0=\n"])
    func providerRejectsMalformedHostData(_ example: ExampleProvider, _ line: String) async throws {
        let result = try await run(try await example.binary(), input: Data(line.utf8))
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(example.binName): error: malformed host data: "))
    }

    @Test(arguments: [ExampleProvider.rust, .go])
    func aRealCompileErrorCarriesTheToolsOutput(_ example: ExampleProvider) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard SystemCommandRunner.locate(example.tool, environment: environment) != nil else {
            try Test.cancel("\(example.tool) is not on PATH")
        }
        let project = try makeTemporaryDirectory("broken-\(example.rawValue)")
        let toolchain = Toolchain(environment: environment, progress: WrittenText().display(.silent))
        let error: BuildError?
        switch example {
        case .rust:
            try Data("[package]\nname = \"broken\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".utf8)
                .write(to: project.appendingPathComponent("Cargo.toml"))
            try FileManager.default.createDirectory(at: project.appendingPathComponent("src"), withIntermediateDirectories: true)
            try Data("fn main() { let x: u32 = \"no\"; }\n".utf8).write(to: project.appendingPathComponent("src/main.rs"))
            error = await #expect(throws: BuildError.self) {
                try await toolchain.buildRust(RustBuildSettings(projectDirectory: project))
            }
        default:
            try Data("module broken\n\ngo 1.19\n".utf8).write(to: project.appendingPathComponent("go.mod"))
            try Data("package main\n\nfunc main() { undefinedThing() }\n".utf8).write(to: project.appendingPathComponent("main.go"))
            error = await #expect(throws: BuildError.self) {
                try await toolchain.buildGo(GoBuildSettings(projectDirectory: project, outputDirectory: project.appendingPathComponent("build"), binName: "broken"))
            }
            // No half-written binary is left in the output directory.
            #expect(try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("build").path) == [])
        }
        guard case .toolFailed(let command, _, let exit, let tail) = error else {
            Issue.record("expected toolFailed, got \(String(describing: error))")
            return
        }
        #expect(command.hasPrefix(example == .rust ? "cargo build --release" : "go build -o "))
        #expect(!exit.isSuccess)
        #expect(tail.contains { $0.contains(example == .rust ? "mismatched types" : "undefined: undefinedThing") })
    }
}
