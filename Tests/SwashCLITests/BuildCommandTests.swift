import Foundation
import SwashTestSupport
import Testing

/// `swash build` end to end, with the real toolchains, on temporary copies of the examples (so the
/// checkout is never written to). Each language is skipped, with a note, when its toolchain is absent.
@Suite("swash build (real toolchains)", .serialized)
struct BuildCommandTests {
    static func hasTool(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }

    /// A copy of `Examples/<name>` without build output; the Swift example's `../..` dependency points back
    /// at this checkout.
    static func copyExample(_ name: String) throws -> URL {
        let source = PackageRoot.url.appendingPathComponent("Examples/\(name)")
        let copy = try makeTemporaryDirectory("example").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for item in try FileManager.default.contentsOfDirectory(atPath: source.path)
        where ![".build", "build", "target", "Package.resolved"].contains(item) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: copy.appendingPathComponent(item))
        }
        let manifest = copy.appendingPathComponent("Package.swift")
        if FileManager.default.fileExists(atPath: manifest.path) {
            let text = try String(contentsOf: manifest, encoding: .utf8)
                .replacingOccurrences(of: "path: \"../..\"", with: "path: \"\(PackageRoot.url.path)\"")
            try Data(text.utf8).write(to: manifest)
        }
        return copy
    }

    /// The member `name` of a `.par.gz`, extracted with the system's tar (an independent reader).
    static func member(_ name: String, of archive: URL) throws -> Data {
        let result = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "tar -xzOf \"$0\" \"$1\" | base64 -w0", archive.path, name],
            environment: ProcessInfo.processInfo.environment)
        return try #require(Data(base64Encoded: result.stdout))
    }

    /// Where rustup and cargo keep their toolchains: the real ones, since the tests give swash a temporary HOME.
    static let toolchainEnvironment: [String: String] = {
        let env = ProcessInfo.processInfo.environment
        let realHome = env["HOME"] ?? NSHomeDirectory()
        return [
            "RUSTUP_HOME": env["RUSTUP_HOME"] ?? "\(realHome)/.rustup",
            "CARGO_HOME": env["CARGO_HOME"] ?? "\(realHome)/.cargo",
            "CARGO_NET_OFFLINE": "true",
        ]
    }()

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    @Test(arguments: [
        ("rust-provider", "cargo", "target/release/example-rust-provider", "example-rust-provider"),
        ("go-provider", "go", "build/example-go-provider", "example-go-provider"),
        ("swift-provider", "swift", ".build/release/example-swift-provider", "example-swift-provider"),
    ])
    func buildsTheExample(example: String, tool: String, builtBinary: String, binName: String) async throws {
        guard Self.hasTool(tool) else {
            print("note: \(tool) is not installed; skipping the \(example) build")
            return
        }
        let project = try Self.copyExample(example)
        let home = try makeTemporaryDirectory("build-home")
        let keys = home.appendingPathComponent("keys")
        let result = try await runSwashAsync(
            ["build", "-p", project.path, "-o", "json"], home: home,
            extraEnvironment: Self.toolchainEnvironment.merging(["WASH_KEYS": keys.path]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        let path = try #require(try json(result.stdout)["path"] as? String)
        #expect(path == project.appendingPathComponent("build/\(binName).par.gz").path)
        // The first run announced the keys it generated.
        #expect(result.stderr.contains("No keypair found in \"\(keys.path)/tester_account.nk\""))

        let inspected = try await runSwashAsync(["inspect", path, "-o", "json"], home: home)
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let report = try json(inspected.stdout)
        #expect(report["signature_valid"] as? Bool == true)
        #expect(report["targets"] as? [String] == ["x86_64-linux"])
        let listed = try json(try await runSwashAsync(["keys", "list", "-d", keys.path, "-o", "json"], home: home).stdout)
        #expect(report["issuer"] as? String == (listed["public_keys"] as? [String: String])?["tester_account"])

        // The packaged binary is byte for byte what the toolchain produced.
        let packaged = try Self.member("x86_64-linux.bin", of: URL(fileURLWithPath: path))
        let built = try Data(contentsOf: project.appendingPathComponent(builtBinary))
        #expect(packaged == built)
        #expect(packaged.count > 1000)
    }

    @Test func failingCompileShowsTheCompilerAndKeepsTheOldArchive() async throws {
        guard Self.hasTool("cargo") else {
            print("note: cargo is not installed; skipping the failing-compile test")
            return
        }
        let project = try Self.copyExample("rust-provider")
        let build = project.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        let old = build.appendingPathComponent("example-rust-provider.par.gz")
        try Data("previous archive".utf8).write(to: old)
        let main = project.appendingPathComponent("src/main.rs")
        try Data((try String(contentsOf: main, encoding: .utf8) + "\nfn broken( {\n").utf8).write(to: main)

        let home = try makeTemporaryDirectory("build-home")
        let result = try await runSwashAsync(["build", "-p", project.path], home: home, extraEnvironment: Self.toolchainEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: `cargo build --release` failed"), "\(result.stderr)")
        #expect(result.stderr.contains("src/main.rs"))  // the compiler's own message is shown
        #expect(try Data(contentsOf: old) == Data("previous archive".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: build.path) == ["example-rust-provider.par.gz"])
    }

    @Test func manifestSyntaxErrorPointsAtTheSpot() async throws {
        let project = try makeTemporaryDirectory("bad-toml")
        try Data("language = \"rust\"\ntype = \"provider\"\n[provider\nvendor = \"x\"\n".utf8)
            .write(to: project.appendingPathComponent("wasmcloud.toml"))
        let result = try await runSwashAsync(["build", "-p", project.path], home: project)
        #expect(result.status == 1)
        #expect(result.stderr.contains("wasmcloud.toml:3:10:"), "\(result.stderr)")
        #expect(result.stderr.contains("^"))  // the caret snippet
    }

    @Test func missingManifestIsNamed() async throws {
        let empty = try makeTemporaryDirectory("no-toml")
        let result = try await runSwashAsync(["build", "-p", empty.path, "-o", "json"], home: empty)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\"success\":false"))
        #expect(result.stderr.contains("wasmcloud.toml"))
    }
}
