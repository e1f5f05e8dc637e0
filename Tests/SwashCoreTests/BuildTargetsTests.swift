import Foundation
import ProviderArchiveKit
import SwashTestSupport
import Testing

@testable import FileIO
@testable import SwashCore

/// Builds of several targets (SPEC §7) with fake toolchains: the exact commands, environments and errors for
/// every target of each language. Real cross builds are in SwashCLITests/MultiArchitectureTests.
@Suite("Build workflow: several targets")
struct BuildTargetsTests {
    func project(_ toml: String, path: String = "/usr/bin:/bin") throws -> (dir: URL, test: TestContext, context: SwashContext) {
        let test = try TestContext()
        let dir = test.home.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(toml.utf8).write(to: dir.appendingPathComponent("wasmcloud.toml"))
        return (dir, test, test.context(["PATH": path]))
    }

    /// The first bytes of an x86-64 Linux executable.
    static let x86ELF: Data = {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...7] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]
        bytes[16] = 2
        bytes[18] = 62
        return Data(bytes)
    }()

    static let rustToml = """
        language = "rust"
        type = "provider"
        name = "Rusty"
        version = "0.1.0"
        [provider]
        bin_name = "rusty"
        """

    /// A fake cargo and rustc: metadata names `target`, `rustc --print target-libdir` prints `libdir` (created with
    /// a libstd when `installed`), and `cargo build --target T` writes the binary where cargo would.
    func fakeRust(target: URL, libdir: URL, installed: Bool) -> FakeRunner {
        if installed {
            try? FileManager.default.createDirectory(at: libdir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: libdir.appendingPathComponent("libstd-0123.rlib").path, contents: Data())
        }
        let metadata = """
            {"packages":[{"name":"rusty","version":"0.1.0","manifest_path":"/nowhere/Cargo.toml","targets":[{"name":"rusty","kind":["bin"]}]}],"target_directory":"\(target.path)"}
            """
        return FakeRunner { command in
            let arguments = command.arguments
            if arguments.first == "metadata" { return .init(stdout: metadata) }
            if arguments.starts(with: ["--print", "target-libdir"]) { return .init(stdout: libdir.path + "\n") }
            if arguments.first == "build", let index = arguments.firstIndex(of: "--target") {
                let triple = arguments[index + 1]
                touchBinary(target.appendingPathComponent("\(triple)/release/rusty\(triple.contains("windows") ? ".exe" : "")"))
            }
            return .init()
        }
    }

    @Test(arguments: [
        ("x86_64-linux", "x86_64-unknown-linux-gnu"),
        ("aarch64-linux", "aarch64-unknown-linux-gnu"),
        ("x86_64-macos", "x86_64-apple-darwin"),
        ("aarch64-macos", "aarch64-apple-darwin"),
        ("x86_64-windows", "x86_64-pc-windows-gnu"),
    ])
    func rustBuildsEachTargetWithItsTriple(target: String, triple: String) async throws {
        let (dir, test, context) = try project(Self.rustToml)
        let runner = fakeRust(target: test.home.appendingPathComponent("target"), libdir: test.home.appendingPathComponent("lib"), installed: true)
        let result = try await BuildWorkflow.build(
            BuildWorkflow.Request(path: dir, targets: [try TargetName(target)]), context: context, runner: runner)
        #expect(runner.lines == [
            "cargo metadata --format-version 1 --no-deps",
            "rustc --print target-libdir --target \(triple)",
            "cargo build --release --target \(triple)",
        ])
        #expect(result.targets == [try TargetName(target)])
        let archive = try ProviderArchive(verifying: result.path)
        #expect(archive.targetNames.map(\.rawValue) == [target])
    }

    @Test func rustTargetsOverridesTheTripleAndAMissingStandardLibraryStopsBeforeCompiling() async throws {
        let toml = Self.rustToml + "\n[rust]\ntargets = { \"aarch64-linux\" = \"aarch64-unknown-linux-musl\" }\n"
        let (dir, test, context) = try project(toml)
        let runner = fakeRust(target: test.home.appendingPathComponent("target"), libdir: test.home.appendingPathComponent("empty"), installed: false)
        await #expect {
            try await BuildWorkflow.build(BuildWorkflow.Request(path: dir, targets: [try TargetName("aarch64-linux")]), context: context, runner: runner)
        } throws: { error in
            "\(error)" == "target aarch64-linux (1 of 1) failed, so nothing was written and the previous archive is unchanged: the Rust standard library for aarch64-unknown-linux-musl (target aarch64-linux) is not installed (nothing in \"\(test.home.appendingPathComponent("empty").path)\"); run `rustup target add aarch64-unknown-linux-musl`, or set [rust] targets = { \"aarch64-linux\" = \"<triple>\" } to an installed one"
        }
        #expect(!runner.lines.contains { $0.hasPrefix("cargo build") })
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("build").path))
    }

    @Test func aLinuxCrossTripleGetsTheGnuLinkerOnlyWhenItIsOnPathAndNotConfigured() async throws {
        let bin = try makeTemporaryDirectory("cross-gcc")
        let gcc = bin.appendingPathComponent("aarch64-linux-gnu-gcc")
        FileManager.default.createFile(atPath: gcc.path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        let variable = "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"

        func buildCommand(path: String, cargoConfig: String? = nil, environment: [String: String] = [:]) async throws -> Command {
            let (dir, test, _) = try project(Self.rustToml)
            if let cargoConfig {
                try FileManager.default.createDirectory(at: dir.appendingPathComponent(".cargo"), withIntermediateDirectories: true)
                try Data(cargoConfig.utf8).write(to: dir.appendingPathComponent(".cargo/config.toml"))
            }
            let context = test.context(["PATH": path].merging(environment) { $1 })
            let runner = fakeRust(target: test.home.appendingPathComponent("target"), libdir: test.home.appendingPathComponent("lib"), installed: true)
            _ = try await BuildWorkflow.build(BuildWorkflow.Request(path: dir, targets: [try TargetName("aarch64-linux")]), context: context, runner: runner)
            return try #require(runner.calls.last { $0.command.arguments.first == "build" }?.command)
        }
        #expect(try await buildCommand(path: "\(bin.path):/usr/bin:/bin").environment[variable] == "aarch64-linux-gnu-gcc")
        #expect(try await buildCommand(path: "/nonexistent").environment[variable] == nil)
        #expect(try await buildCommand(path: bin.path, environment: [variable: "clang"]).environment[variable] == "clang")
        let configured = "[target.aarch64-unknown-linux-gnu]\nlinker = \"my-ld\"\n"
        #expect(try await buildCommand(path: bin.path, cargoConfig: configured).environment[variable] == nil)
    }

    static let swiftToml = """
        language = "swift"
        type = "provider"
        name = "Swifty"
        version = "0.1.0"
        [provider]
        bin_name = "swifty"
        """

    /// A fake swift: `swift sdk list` prints `sdks`; builds print a bin path holding the product.
    func fakeSwift(sdks: [String], bin: URL) -> FakeRunner {
        touchBinary(bin.appendingPathComponent("swifty"))
        return FakeRunner { command in
            if command.arguments == ["sdk", "list"] {
                return .init(stdout: sdks.isEmpty ? "No Swift SDKs are currently installed.\n" : sdks.joined(separator: "\n") + "\n")
            }
            if command.arguments.last == "--show-bin-path" { return .init(stdout: bin.path + "\n") }
            return .init()
        }
    }

    @Test(arguments: [
        (["aarch64-swift-linux-musl", "x86_64-swift-linux-musl"], "aarch64-swift-linux-musl"),
        (["swift-6.3.1-RELEASE_static-linux-0.0.1"], "aarch64-swift-linux-musl"),
    ])
    func swiftPicksTheInstalledSDKForALinuxTarget(sdks: [String], expected: String) async throws {
        let (dir, test, context) = try project(Self.swiftToml)
        let runner = fakeSwift(sdks: sdks, bin: test.home.appendingPathComponent("bin"))
        let target = try TargetName("aarch64-linux")
        _ = try await BuildWorkflow.build(BuildWorkflow.Request(path: dir, targets: [target]), context: context, runner: runner)
        #expect(runner.lines == [
            "swift sdk list",
            "swift build -c release --product swifty --swift-sdk \(expected)",
            "swift build -c release --product swifty --swift-sdk \(expected) --show-bin-path",
        ])
    }

    @Test func swiftTakesConfiguredSDKsAndBuildsTheHostWithoutOne() async throws {
        let toml = Self.swiftToml + "\n[swift]\nsdks = { \"aarch64-linux\" = \"my-sdk\" }\n"
        let (dir, test, context) = try project(toml)
        let runner = fakeSwift(sdks: [], bin: test.home.appendingPathComponent("bin"))
        _ = try await BuildWorkflow.build(
            BuildWorkflow.Request(path: dir, targets: [TargetName.host, try TargetName("aarch64-linux")]), context: context, runner: runner)
        #expect(runner.lines.filter { !$0.hasSuffix("--show-bin-path") } == [
            "swift build -c release --product swifty",
            "swift build -c release --product swifty --swift-sdk my-sdk",
        ])
    }

    @Test func aMissingSwiftSDKNamesSwiftSdkInstall() async throws {
        let (dir, test, context) = try project(Self.swiftToml)
        let runner = fakeSwift(sdks: ["wasm32-unknown-wasi"], bin: test.home.appendingPathComponent("bin"))
        await #expect {
            try await BuildWorkflow.build(BuildWorkflow.Request(path: dir, targets: [try TargetName("aarch64-linux")]), context: context, runner: runner)
        } throws: { error in
            "\(error)".hasSuffix("no Swift SDK for aarch64-linux (installed: wasm32-unknown-wasi); install one with `swift sdk install <bundle URL or path>` (e.g. the Static Linux SDK from swift.org), or name one with [swift] sdks = { \"aarch64-linux\" = \"<sdk id>\" } in wasmcloud.toml")
        }
        #expect(!runner.lines.contains { $0.hasPrefix("swift build") })
    }

    static let goToml = """
        language = "go"
        type = "provider"
        name = "Go Thing"
        version = "1.2.3"
        [provider]
        bin_name = "go-thing"
        targets = ["x86_64-linux", "aarch64-macos", "x86_64-windows"]
        """

    /// A fake go writing `content` to `-o`.
    func fakeGo(_ content: Data) -> FakeRunner {
        FakeRunner { command in
            if command.arguments.first == "build", let index = command.arguments.firstIndex(of: "-o") {
                FileManager.default.createFile(atPath: command.arguments[index + 1], contents: content)
            }
            return .init()
        }
    }

    @Test func goTakesProviderTargetsAndSetsGoosGoarchAndCgoForCrossTargets() async throws {
        let (dir, _, context) = try project(Self.goToml)
        let runner = fakeGo(Data("not an executable".utf8))
        let result = try await BuildWorkflow.build(BuildWorkflow.Request(path: dir), context: context, runner: runner)
        let builds = runner.calls.filter { $0.command.arguments.first == "build" }.map(\.command.environment)
        #expect(builds.map { $0["GOOS"] } == ["linux", "darwin", "windows"])
        #expect(builds.map { $0["GOARCH"] } == ["amd64", "arm64", "amd64"])
        #expect(builds.map { $0["CGO_ENABLED"] } == [TargetName.host.rawValue == "x86_64-linux" ? nil : "0", "0", "0"])
        #expect(result.targets?.map(\.rawValue) == ["aarch64-macos", "x86_64-linux", "x86_64-windows"])
        #expect(try ProviderArchive(verifying: result.path).targetNames == result.targets)
        // The per-target binaries were temporary: only the archive is left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("build").path) == ["go-thing.par.gz"])
    }

    @Test func anEnvironmentCgoSettingIsKept() async throws {
        let (dir, test, _) = try project(Self.goToml)
        let runner = fakeGo(Data("x".utf8))
        _ = try await BuildWorkflow.build(
            BuildWorkflow.Request(path: dir, targets: [try TargetName("aarch64-linux")]),
            context: test.context(["PATH": "/usr/bin:/bin", "CGO_ENABLED": "1"]), runner: runner)
        #expect(runner.calls.last?.command.environment["CGO_ENABLED"] == "1")
    }

    @Test func aBinaryContradictingItsTargetFailsNamingItAndKeepsThePreviousArchive() async throws {
        let (dir, _, context) = try project(Self.goToml)
        let first = try await BuildWorkflow.build(
            BuildWorkflow.Request(path: dir, targets: [try TargetName("x86_64-linux")]), context: context, runner: fakeGo(Self.x86ELF))
        let before = try Data(contentsOf: first.path)
        await #expect {
            try await BuildWorkflow.build(
                BuildWorkflow.Request(path: dir, targets: [try TargetName("x86_64-linux"), try TargetName("aarch64-linux")]),
                context: context, runner: fakeGo(Self.x86ELF))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("target aarch64-linux (2 of 2) failed, so nothing was written")
                && text.contains("is an ELF executable for x86_64-linux, not aarch64-linux")
        }
        #expect(try Data(contentsOf: first.path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("build").path) == ["go-thing.par.gz"])
    }

    @Test func unknownTargetsAreRefusedWithAdvice() async throws {
        let (dir, _, context) = try project(Self.goToml)
        await #expect {
            try await BuildWorkflow.build(BuildWorkflow.Request(path: dir, targets: [try TargetName("mips-plan9")]), context: context, runner: fakeGo(Data()))
        } throws: { error in
            "\(error)".contains("swash cannot build the Go provider for mips-plan9")
        }
        let (rust, _, rustContext) = try project(Self.rustToml)
        await #expect {
            try await BuildWorkflow.build(BuildWorkflow.Request(path: rust, targets: [try TargetName("mips-plan9")]), context: rustContext, runner: FakeRunner([:]))
        } throws: { error in
            "\(error)".contains("name its triple in wasmcloud.toml: [rust] targets = { \"mips-plan9\" = \"<triple>\" }")
        }
    }
}
