import Foundation
import NKeys
import ProviderArchiveKit
import SwashTestSupport
import Testing
import WasmCloudManifest

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// `swash build`'s workflow with a fake toolchain: what gets packaged, named and signed, and what a
/// failure leaves behind. Real compiles are in SwashCLITests/BuildCommandTests.
@Suite("Build workflow")
struct BuildWorkflowTests {
    /// A project directory with the given wasmcloud.toml, and a context whose home and keys are temporary.
    func project(_ toml: String) throws -> (dir: URL, test: TestContext, context: SwashContext) {
        let test = try TestContext()
        let dir = test.home.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(toml.utf8).write(to: dir.appendingPathComponent("wasmcloud.toml"))
        return (dir, test, test.context(["PATH": "/usr/bin:/bin"]))
    }

    /// A fake `go` whose `go build -o FILE` writes `content` to FILE.
    func fakeGo(writing content: Data, exit: CommandExit = .exited(0), lines: [String] = []) -> FakeRunner {
        FakeRunner { command in
            if command.arguments.first == "build", let index = command.arguments.firstIndex(of: "-o"), exit == .exited(0) {
                FileManager.default.createFile(atPath: command.arguments[index + 1], contents: content)
            }
            return FakeRunner.Reply(exit: command.arguments.first == "build" ? exit : .exited(0), lines: lines)
        }
    }

    let goToml = """
        language = "go"
        type = "provider"
        name = "Go Thing"
        version = "1.2.3"
        revision = 7

        [provider]
        vendor = "acme"
        bin_name = "go-thing"
        capability_id = "acme:thing"
        """

    @Test func compilesPackagesAndSigns() async throws {
        let (dir, test, context) = try project(goToml)
        let binary = Data((0..<10_000).map { UInt8($0 % 251) })
        let runner = fakeGo(writing: binary)
        let result = try await BuildWorkflow.build(
            BuildWorkflow.Request(path: dir), context: context,
            runner: runner)

        #expect(result.path == dir.appendingPathComponent("build/go-thing.par.gz"))
        #expect(runner.calls.map { $0.command.arguments.first } == ["generate", "build"])
        let archive = try ProviderArchive(verifying: result.path)
        #expect(archive.claims.name == "Go Thing")
        #expect(archive.claims.vendor == "acme")
        #expect(archive.claims.version == "1.2.3")
        #expect(archive.claims.revision == 7)
        #expect(archive.claims.capabilityContractID == "acme:thing")
        #expect(archive.targetNames.map(\.rawValue) == [TargetName.host.rawValue])
        #expect(archive.targets[TargetName.host]?.size == Int64(binary.count))
        #expect(archive.validation(at: UInt64(Date().timeIntervalSince1970)).signatureValid)

        // Signed with the keys generated in ~/.wash/keys: <user>_account.nk and <bin_name>_service.nk.
        let keys = test.home.appendingPathComponent(".wash/keys")
        let account = try KeyPair(seed: String(contentsOf: keys.appendingPathComponent("tester_account.nk"), encoding: .utf8))
        let service = try KeyPair(seed: String(contentsOf: keys.appendingPathComponent("go-thing_service.nk"), encoding: .utf8))
        #expect(archive.claims.issuer == account.publicKey.encoded)
        #expect(archive.claims.subject == service.publicKey.encoded)
    }

    @Test func givenBinarySkipsTheToolchainAndUsesManifestKeyDirectory() async throws {
        let (dir, _, context) = try project("""
            language = "swift"
            type = "provider"
            name = "Swifty"
            version = "0.1.0"
            [provider]
            bin_name = "swifty"
            key_directory = "keys"
            """)
        let artifact = dir.appendingPathComponent("artifact-named-otherwise")
        try Data("binary bytes".utf8).write(to: artifact)
        let runner = FakeRunner { _ in Issue.record("no command may run"); return FakeRunner.Reply() }
        let result = try await BuildWorkflow.build(
            BuildWorkflow.Request(path: dir.appendingPathComponent("wasmcloud.toml"), binary: artifact),
            context: context, runner: runner)
        #expect(result.path.lastPathComponent == "swifty.par.gz")
        #expect(runner.calls.isEmpty)
        // [provider] key_directory is honoured, and the service key is named after bin_name.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("keys").path).sorted()
        #expect(names == ["swifty_service.nk", "tester_account.nk"])
        #expect(try ProviderArchive(verifying: result.path).claims.vendor == "NoVendor")
    }

    @Test func failedCompileLeavesTheOldArchiveAndNoKeys() async throws {
        let (dir, test, context) = try project(goToml)
        let build = dir.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        let old = build.appendingPathComponent("go-thing.par.gz")
        try Data("the previous archive".utf8).write(to: old)
        let runner = fakeGo(writing: Data(), exit: .exited(2), lines: ["./main.go:3:1: syntax error: non-declaration statement"])
        let error = await #expect(throws: BuildError.self) {
            try await BuildWorkflow.build(
                BuildWorkflow.Request(path: dir), context: context,
                runner: runner)
        }
        #expect(error?.description.contains("syntax error: non-declaration statement") == true)
        #expect(try Data(contentsOf: old) == Data("the previous archive".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: build.path) == ["go-thing.par.gz"])
        #expect(!FileManager.default.fileExists(atPath: test.home.appendingPathComponent(".wash").path))
    }

    @Test func syntaxErrorNamesFileLineAndColumn() async throws {
        let (dir, _, context) = try project("language = \"rust\"\ntype = \"provider\"\nname = = \"x\"\n")
        let error = await #expect(throws: ManifestError.self) {
            try await BuildWorkflow.build(
                BuildWorkflow.Request(path: dir), context: context,
                runner: FakeRunner([:]))
        }
        #expect(error?.description.hasPrefix(dir.appendingPathComponent("wasmcloud.toml").path + ":3:8:") == true)
    }

    @Test(arguments: [
        ("rust", "[provider]\nrust_target = \"aarch64-unknown-linux-gnu\"", [String: String](), "aarch64-linux"),
        ("rust", "[provider]\nrust_target = \"x86_64-apple-darwin\"", [:], "x86_64-macos"),
        ("rust", "[provider]\nrust_target = \"armv7-unknown-linux-gnueabihf\"", [:], "arm-linux"),
        ("swift", "[swift]\ntriple = \"aarch64-unknown-linux-gnu\"", [:], "aarch64-linux"),
        ("swift", "[swift]\nswift_sdk = \"x86_64-swift-linux-musl\"", [:], "x86_64-linux"),
        ("go", "[provider]\nbin_name = \"x\"", ["GOOS": "darwin", "GOARCH": "arm64"], "aarch64-macos"),
        ("go", "[provider]\nbin_name = \"x\"", ["GOOS": "windows"], "x86_64-windows"),
    ])
    func targetNameFollowsTheTriple(language: String, section: String, env: [String: String], expected: String) throws {
        let (dir, _, _) = try project("language = \"\(language)\"\ntype = \"provider\"\nname = \"n\"\nversion = \"1.0.0\"\n\(section)\n")
        let manifest = try ProviderManifest.load(from: dir)
        #expect(try BuildWorkflow.targetName(manifest, environment: env).rawValue == expected)
    }

    @Test func unknownTripleIsAnError() throws {
        let (dir, _, _) = try project("language = \"rust\"\ntype = \"provider\"\nname = \"n\"\nversion = \"1.0.0\"\n[provider]\nrust_target = \"banana\"\n")
        let manifest = try ProviderManifest.load(from: dir)
        let error = #expect(throws: BuildError.self) { try BuildWorkflow.targetName(manifest, environment: [:]) }
        #expect(error?.description.hasPrefix("[provider] rust_target \"banana\" is not a target triple") == true)
    }

    @Test func hostIsTheDefault() throws {
        let (dir, _, _) = try project(goToml)
        #expect(try BuildWorkflow.targetName(ProviderManifest.load(from: dir), environment: [:]) == TargetName.host)
    }
}
