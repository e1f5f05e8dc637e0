import Foundation
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

/// `cargo metadata --format-version 1 --no-deps` output for packages `(name, directory, bin targets)`.
private func cargoMetadata(_ packages: [(String, URL, [String])], targetDirectory: URL) -> String {
    let list: [[String: Any]] = packages.map { name, directory, bins in
        [
            "name": name, "version": "1.2.3",
            "manifest_path": directory.appendingPathComponent("Cargo.toml").path,
            "targets": [["name": "\(name)-lib", "kind": ["lib"]]]
                + bins.map { ["name": $0, "kind": ["bin"], "crate_types": ["bin"]] },
        ]
    }
    let object: [String: Any] = ["packages": list, "target_directory": targetDirectory.path, "version": 1]
    let data = try! JSONSerialization.data(withJSONObject: object)
    return String(decoding: data, as: UTF8.self)
}

private let metadataArguments = "metadata --format-version 1 --no-deps"

@Suite("Toolchain: Rust builds with a fake runner")
struct ToolchainRustTests {
    let project: URL
    let target: URL

    init() throws {
        project = try makeTemporaryDirectory("rust-project")
        target = project.appendingPathComponent("target")
    }

    @Test func releaseBuildRunsMetadataThenCargoBuildAndFindsTheFirstBin() async throws {
        let elsewhere = project.appendingPathComponent("other")
        let metadata = cargoMetadata(
            [("other", elsewhere, ["other-bin"]), ("my-provider", project, ["my-provider", "helper"])],
            targetDirectory: target)
        let binary = target.appendingPathComponent("release/my-provider")
        let runner = FakeRunner([metadataArguments: .init(stdout: metadata)]) { command in
            if command.arguments.first == "build" { touchBinary(binary) }
        }
        let text = WrittenText()
        let built = try await fakeToolchain(runner, text).buildRust(RustBuildSettings(projectDirectory: project))

        #expect(built == binary)
        #expect(runner.calls.map(\.kind) == [.capture, .run])
        #expect(runner.lines == ["cargo metadata --format-version 1 --no-deps", "cargo build --release"])
        #expect(runner.calls.allSatisfy { $0.command.directory == project && $0.command.environment == fakeEnvironment })
        #expect(text.text.hasPrefix("swash: compiling with cargo…\n"))
        #expect(text.text.contains("swash: compiled\n"))
    }

    struct Variant: Sendable, CustomTestStringConvertible {
        var settings: @Sendable (URL) -> RustBuildSettings
        var arguments: [String]
        var binary: String
        var testDescription: String
    }

    @Test(arguments: [
        Variant(settings: { RustBuildSettings(projectDirectory: $0, debug: true) },
            arguments: ["build"], binary: "target/debug/my-provider", testDescription: "debug"),
        Variant(settings: { RustBuildSettings(projectDirectory: $0, target: "aarch64-unknown-linux-gnu") },
            arguments: ["build", "--release", "--target", "aarch64-unknown-linux-gnu"],
            binary: "target/aarch64-unknown-linux-gnu/release/my-provider", testDescription: "target triple"),
        Variant(settings: { RustBuildSettings(projectDirectory: $0, target: "x86_64-pc-windows-gnu", debug: true) },
            arguments: ["build", "--target", "x86_64-pc-windows-gnu"],
            binary: "target/x86_64-pc-windows-gnu/debug/my-provider.exe", testDescription: "windows triple"),
        Variant(settings: { RustBuildSettings(projectDirectory: $0, binName: "helper") },
            arguments: ["build", "--release"], binary: "target/release/helper", testDescription: "bin_name"),
        Variant(settings: { RustBuildSettings(projectDirectory: $0, targetPath: $0.appendingPathComponent("elsewhere")) },
            arguments: ["build", "--release"], binary: "elsewhere/release/my-provider", testDescription: "target_path"),
        Variant(settings: { RustBuildSettings(projectDirectory: $0, cargoPath: "/opt/rust/bin/cargo") },
            arguments: ["build", "--release"], binary: "target/release/my-provider", testDescription: "cargo_path"),
    ])
    func settingsShapeTheCommandAndTheBinaryPath(_ variant: Variant) async throws {
        let metadata = cargoMetadata([("my-provider", project, ["my-provider", "helper"])], targetDirectory: target)
        let binary = project.appendingPathComponent(variant.binary)
        let runner = FakeRunner([metadataArguments: .init(stdout: metadata)]) { command in
            if command.arguments.first == "build" { touchBinary(binary) }
        }
        let settings = variant.settings(project)
        let built = try await fakeToolchain(runner).buildRust(settings)

        #expect(built == binary)
        #expect(runner.calls.last?.command.arguments == variant.arguments)
        #expect(runner.calls.allSatisfy { $0.command.executable == (settings.cargoPath ?? "cargo") })
    }

    @Test func defaultBinNameAndPackageComeFromMetadata() async throws {
        let metadata = cargoMetadata(
            [("first", project.appendingPathComponent("a"), ["first-bin"]), ("mine", project, ["mine-bin", "x"])],
            targetDirectory: target)
        let toolchain = fakeToolchain(FakeRunner([metadataArguments: .init(stdout: metadata)]))

        #expect(try await toolchain.rustDefaultBinName(projectDirectory: project) == "mine-bin")
        let package = try await toolchain.cargoPackage(in: project)
        #expect(package == CargoPackage(name: "mine", version: "1.2.3", binTargets: ["mine-bin", "x"], targetDirectory: target))
    }

    @Test func virtualWorkspaceFallsBackToTheFirstMemberWithABin() async throws {
        let metadata = cargoMetadata(
            [("lib-only", project.appendingPathComponent("a"), []), ("svc", project.appendingPathComponent("b"), ["svc"])],
            targetDirectory: target)
        let toolchain = fakeToolchain(FakeRunner([metadataArguments: .init(stdout: metadata)]))
        #expect(try await toolchain.rustDefaultBinName(projectDirectory: project) == "svc")
    }

    @Test func packageWithoutBinTargetFailsBeforeCompiling() async throws {
        let runner = FakeRunner([metadataArguments: .init(stdout: cargoMetadata([("just-a-lib", project, [])], targetDirectory: target))])
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildRust(RustBuildSettings(projectDirectory: project))
        }
        #expect(error?.description == "found no executable to build in the Rust project \"\(project.path)\"; package just-a-lib has no bin target; add src/main.rs or a [[bin]] section to Cargo.toml")
        #expect(runner.lines == ["cargo metadata --format-version 1 --no-deps"])
    }

    @Test func failingCompileReportsExitCodeAndTheLastLines() async throws {
        let output = (1...250).map { "line \($0)" }
        let runner = FakeRunner([
            metadataArguments: .init(stdout: cargoMetadata([("p", project, ["p"])], targetDirectory: target)),
            "build --release": .init(exit: .exited(101), lines: output),
        ])
        let text = WrittenText()
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner, text).buildRust(RustBuildSettings(projectDirectory: project))
        }
        guard case .toolFailed(let command, let directory, let exit, let tail) = error else {
            Issue.record("expected toolFailed, got \(String(describing: error))")
            return
        }
        #expect(command == "cargo build --release")
        #expect(directory == project.path)
        #expect(exit == .exited(101))
        #expect(tail == Array(output.suffix(200)))
        let message = try #require(error?.description)
        #expect(message.hasPrefix("`cargo build --release` failed (exit code 101) in \"\(project.path)\"; the last 200 lines of its output:\n    line 51\n"))
        #expect(message.hasSuffix("\n    line 250"))
        // The whole output was shown live, then the phase was closed as failed.
        #expect(text.text.contains("line 1\nline 2\n"))
        #expect(text.text.contains("swash: compiling with cargo failed\n"))
    }

    @Test func binaryMissingAfterASuccessfulBuildIsReported() async throws {
        let runner = FakeRunner([metadataArguments: .init(stdout: cargoMetadata([("p", project, ["p"])], targetDirectory: target))])
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildRust(RustBuildSettings(projectDirectory: project, binName: "nope"))
        }
        #expect(error?.description == "`cargo build --release` succeeded but the binary is not at \"\(target.path)/release/nope\"; check that [provider] bin_name in wasmcloud.toml names a bin target, and [rust] target_path")
    }

    @Test func unreadableMetadataIsReported() async throws {
        let runner = FakeRunner([metadataArguments: .init(stdout: "warning: not JSON")])
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).rustDefaultBinName(projectDirectory: project)
        }
        #expect(error?.description.hasPrefix("cannot understand the output of `cargo metadata --format-version 1 --no-deps`: ") == true)
    }

    @Test func metadataFailureShowsCargosStderr() async throws {
        let runner = FakeRunner([metadataArguments: .init(exit: .exited(101), lines: ["error: could not find `Cargo.toml`"])])
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildRust(RustBuildSettings(projectDirectory: project))
        }
        #expect(error?.description == "`cargo metadata --format-version 1 --no-deps` failed (exit code 101) in \"\(project.path)\"; the last line of its output:\n    error: could not find `Cargo.toml`")
    }
}

@Suite("Toolchain: a missing toolchain is named, with what to do")
struct ToolchainMissingToolTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var build: @Sendable (Toolchain, URL) async throws -> URL
        var message: String
        var testDescription: String
    }

    // The real runner over an empty PATH: nothing is compiled, the lookup itself fails.
    @Test(arguments: [
        Case(build: { try await $0.buildRust(RustBuildSettings(projectDirectory: $1)) },
            message: "cargo not found on PATH; install Rust (https://rustup.rs) or set [rust] cargo_path in wasmcloud.toml",
            testDescription: "cargo"),
        Case(build: { try await $0.buildSwift(SwiftBuildSettings(projectDirectory: $1)) },
            message: "swift not found on PATH; install Swift (https://www.swift.org/install) or set [swift] swift_path in wasmcloud.toml",
            testDescription: "swift"),
        Case(build: { try await $0.buildGo(GoBuildSettings(projectDirectory: $1, outputDirectory: $1, binName: "p")) },
            message: "go not found on PATH; install Go (https://go.dev/dl) or set [go] go_path in wasmcloud.toml",
            testDescription: "go"),
        Case(build: { try await $0.buildRust(RustBuildSettings(projectDirectory: $1, cargoPath: "/opt/none/cargo")) },
            message: "cargo not found at \"/opt/none/cargo\"; fix [rust] cargo_path in wasmcloud.toml, or remove it to use cargo from PATH",
            testDescription: "configured cargo_path"),
    ])
    func missingToolchain(_ test: Case) async throws {
        let project = try makeTemporaryDirectory("no-toolchain")
        let text = WrittenText()
        let toolchain = Toolchain(environment: ["PATH": project.path], progress: text.display())
        let error = await #expect(throws: BuildError.self) { try await test.build(toolchain, project) }
        #expect(error?.description == test.message)
        // Nothing is left behind in the project.
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.path) == [])
    }
}

/// `swift package dump-package` output with products `(name, kind)`.
private func packageDump(_ products: [(String, String)]) -> String {
    let list: [[String: Any]] = products.map { name, kind in
        ["name": name, "targets": [name], "settings": [] as [Any],
         "type": kind == "library" ? ["library": ["automatic"]] : [kind: NSNull()]]
    }
    let data = try! JSONSerialization.data(withJSONObject: ["name": "pkg", "products": list])
    return String(decoding: data, as: UTF8.self)
}

@Suite("Toolchain: Swift builds with a fake runner")
struct ToolchainSwiftTests {
    let project: URL
    let bin: URL

    init() throws {
        project = try makeTemporaryDirectory("swift-project")
        bin = project.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release")
    }

    private func runner(products: [(String, String)], binPath: String? = nil, building product: String) -> FakeRunner {
        let printed = "warning: a note first\n\(binPath ?? bin.path)\n"
        let binary = bin.appendingPathComponent(product)
        return FakeRunner { command in
            let arguments = command.arguments
            if arguments.last == "dump-package" { return .init(stdout: packageDump(products)) }
            if arguments.last == "--show-bin-path" { return .init(stdout: printed) }
            touchBinary(binary)
            return .init(lines: ["Compiling \(product)"])
        }
    }

    @Test func onlyExecutableProductIsBuiltInRelease() async throws {
        let runner = runner(products: [("Lib", "library"), ("provider", "executable"), ("Plug", "plugin")], building: "provider")
        let text = WrittenText()
        let built = try await fakeToolchain(runner, text).buildSwift(SwiftBuildSettings(projectDirectory: project))

        #expect(built == bin.appendingPathComponent("provider"))
        #expect(runner.calls.map(\.kind) == [.capture, .run, .capture])
        #expect(runner.lines == [
            "swift package dump-package",
            "swift build -c release --product provider",
            "swift build -c release --product provider --show-bin-path",
        ])
        #expect(runner.calls.allSatisfy { $0.command.directory == project })
        #expect(text.text.contains("swash: compiling with swift…\nCompiling provider\nswash: compiled\n"))
    }

    @Test func namedProductAndOptionsGoOnEveryBuildCommand() async throws {
        let scratch = project.appendingPathComponent("scratch")
        let runner = runner(products: [], building: "svc")
        let settings = SwiftBuildSettings(
            projectDirectory: project, product: "svc", configuration: "debug", swiftSDK: "x86_64-swift-linux-musl",
            triple: "x86_64-unknown-linux-musl", swiftPath: "/opt/swift/bin/swift", scratchPath: scratch)
        _ = try await fakeToolchain(runner).buildSwift(settings)

        let options = "-c debug --product svc --swift-sdk x86_64-swift-linux-musl --triple x86_64-unknown-linux-musl --scratch-path \(scratch.path)"
        #expect(runner.lines == [
            "/opt/swift/bin/swift build \(options)",
            "/opt/swift/bin/swift build \(options) --show-bin-path",
        ])
    }

    @Test func scratchPathAlsoGoesToDumpPackage() async throws {
        let scratch = project.appendingPathComponent("scratch")
        let runner = runner(products: [("p", "executable")], building: "p")
        let product = try await fakeToolchain(runner).swiftDefaultProduct(projectDirectory: project, scratchPath: scratch)
        #expect(product == "p")
        #expect(runner.lines == ["swift package --scratch-path \(scratch.path) dump-package"])
    }

    @Test(arguments: [
        ([("a", "executable"), ("b", "executable"), ("lib", "library")], "found several executables (a, b) in the Swift project \"%@\"; name the one to package with [swift] product in wasmcloud.toml"),
        ([("lib", "library")], "found no executable to build in the Swift project \"%@\"; add an .executable product to Package.swift"),
    ])
    func productMustBeUnambiguous(_ products: [(String, String)], _ message: String) async throws {
        let runner = runner(products: products, building: "a")
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildSwift(SwiftBuildSettings(projectDirectory: project))
        }
        #expect(error?.description == message.replacingOccurrences(of: "%@", with: project.path))
        #expect(runner.lines == ["swift package dump-package"])
    }

    @Test func binPathWithoutAPathIsUnreadable() async throws {
        let runner = runner(products: [("p", "executable")], binPath: "", building: "p")
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildSwift(SwiftBuildSettings(projectDirectory: project))
        }
        #expect(error?.description == "cannot understand the output of `swift build -c release --product p --show-bin-path`: it printed no absolute path")
    }

    @Test func binaryMissingFromTheBinPathIsReported() async throws {
        let runner = runner(products: [("p", "executable")], binPath: "/nonexistent/bin", building: "p")
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildSwift(SwiftBuildSettings(projectDirectory: project))
        }
        #expect(error?.description == "`swift build -c release --product p` succeeded but the binary is not at \"/nonexistent/bin/p\"; check that p is an executable product of the package")
    }
}

@Suite("Toolchain: Go builds with a fake runner")
struct ToolchainGoTests {
    let project: URL
    let output: URL

    init() throws {
        project = try makeTemporaryDirectory("go-project")
        output = project.appendingPathComponent("build/nested")
    }

    /// A fake go whose `build -o PATH` writes PATH, and whose build exits with `buildExit`.
    private func goRunner(buildExit: CommandExit = .exited(0)) -> FakeRunner {
        FakeRunner { command in
            guard command.arguments.first == "build" else { return .init() }
            touchBinary(URL(fileURLWithPath: command.arguments[2]))
            return .init(exit: buildExit, lines: ["./main.go:3:2: undefined: nope"])
        }
    }

    @Test func generateThenBuildIntoTheOutputDirectory() async throws {
        let runner = goRunner()
        let built = try await fakeToolchain(runner).buildGo(
            GoBuildSettings(projectDirectory: project, outputDirectory: output, binName: "my-provider"))

        #expect(built == output.appendingPathComponent("my-provider"))
        #expect(FileManager.default.isExecutableFile(atPath: built.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["my-provider"])
        let calls = runner.calls
        #expect(calls.map(\.kind) == [.run, .run])
        #expect(calls.allSatisfy { $0.command.directory == project && $0.command.executable == "go" })
        #expect(calls[0].command.arguments == ["generate", "./..."])
        // go writes a temporary name beside the destination; swash renames it into place.
        let build = calls[1].command.arguments
        #expect(build.count == 3 && build[0] == "build" && build[1] == "-o")
        let partial = URL(fileURLWithPath: build[2])
        #expect(partial.deletingLastPathComponent().path == output.path)
        #expect(partial.lastPathComponent.hasPrefix(".my-provider.") && partial.lastPathComponent.hasSuffix(".tmp"))
    }

    @Test func disabledGenerateAndGoPath() async throws {
        let runner = goRunner()
        _ = try await fakeToolchain(runner).buildGo(
            GoBuildSettings(projectDirectory: project, outputDirectory: output, binName: "p", disableGoGenerate: true, goPath: "/usr/lib/go/bin/go"))
        #expect(runner.calls.map(\.command.executable) == ["/usr/lib/go/bin/go"])
        #expect(runner.calls.map { $0.command.arguments.first } == ["build"])
    }

    @Test(arguments: [["CGO_ENABLED": "0"], [:]])
    func environmentIsPassedAsItIs(_ extra: [String: String]) async throws {
        let runner = goRunner()
        let environment = fakeEnvironment.merging(extra) { $1 }
        _ = try await fakeToolchain(runner, environment: environment).buildGo(
            GoBuildSettings(projectDirectory: project, outputDirectory: output, binName: "p"))
        #expect(runner.calls.allSatisfy { $0.command.environment == environment })
    }

    @Test(arguments: [nil, "", "a/b"])
    func binNameIsRequired(_ binName: String?) async throws {
        let runner = goRunner()
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildGo(GoBuildSettings(projectDirectory: project, outputDirectory: output, binName: binName))
        }
        #expect(error?.description == "found no executable to build in the Go project \"\(project.path)\"; set [provider] bin_name in wasmcloud.toml to the binary's file name")
        #expect(runner.calls.isEmpty)
    }

    @Test func failedBuildKeepsThePreviousBinaryAndLeavesNoPartialFile() async throws {
        let previous = output.appendingPathComponent("p")
        touchBinary(previous)
        try Data("previous".utf8).write(to: previous)
        let runner = goRunner(buildExit: .exited(1))
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildGo(GoBuildSettings(projectDirectory: project, outputDirectory: output, binName: "p"))
        }
        guard case .toolFailed(let command, _, .exited(1), let tail) = error else {
            Issue.record("expected toolFailed, got \(String(describing: error))")
            return
        }
        #expect(command.hasPrefix("go build -o \(output.path)/.p."))
        #expect(tail == ["./main.go:3:2: undefined: nope"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["p"])
        #expect(try Data(contentsOf: previous) == Data("previous".utf8))
    }

    @Test func failedGenerateStopsBeforeBuilding() async throws {
        let runner = FakeRunner(["generate ./...": .init(exit: .exited(1), lines: ["main.go:1: running \"stringer\": exec: not found"])])
        let error = await #expect(throws: BuildError.self) {
            try await fakeToolchain(runner).buildGo(GoBuildSettings(projectDirectory: project, outputDirectory: output, binName: "p"))
        }
        #expect(error?.description == "`go generate ./...` failed (exit code 1) in \"\(project.path)\"; the last line of its output:\n    main.go:1: running \"stringer\": exec: not found")
        #expect(runner.lines == ["go generate ./..."])
    }
}
