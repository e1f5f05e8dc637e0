import Foundation
import SwashTestSupport
import Testing

/// `swash new provider …` through the built executable (SPEC §5).
@Suite("swash new provider", .serialized)
struct NewCommandTests {
    func listing(_ directory: URL) -> [String] {
        (FileManager.default.subpaths(atPath: directory.path) ?? []).sorted()
    }

    @Test func createsASwiftProjectAndPrintsTheNextCommands() async throws {
        let sandbox = try Sandbox("swash-new")
        let result = try await sandbox.swash(["new", "provider", "my-provider", "--swash-path", PackageRoot.url.path], in: sandbox.root)
        #expect(result.status == 0, "\(result.stderr)")
        let project = sandbox.root.appendingPathComponent("my-provider")
        #expect(result.stdout == """
            Created swift provider project \(project.path)

            Next:
              cd my-provider
              swift package --allow-writing-to-package-directory build-provider   # or: swash build

            """)
        #expect(listing(project) == [
            ".github", ".github/workflows", ".github/workflows/release.yml", ".gitignore", "Package.swift", "README.md", "Sources", "Sources/MyProvider", "Sources/MyProvider/main.swift",
            "wasmcloud.toml", "wit", "wit/provider.wit",
        ])
    }

    @Test func jsonOutputAndTheParentDirectory() async throws {
        let sandbox = try Sandbox("swash-new")
        let result = try await sandbox.swash(["new", "provider", "r", "--template", "rust", "--path", "sub", "-o", "json"], in: sandbox.home)
        #expect(result.status == 1)  // sub does not exist
        #expect(result.stderr.contains("no such directory"))
        try FileManager.default.createDirectory(at: sandbox.home.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let created = try await sandbox.swash(["new", "provider", "r", "--template", "rust", "--path", "sub", "-o", "json"], in: sandbox.home)
        #expect(created.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        #expect(object["path"] as? String == sandbox.home.appendingPathComponent("sub/r").path)
        #expect(object["template"] as? String == "rust")
        #expect(object["success"] as? Bool == true)
    }

    @Test func anExistingDirectoryIsRefusedAndLeftAsItWas() async throws {
        let sandbox = try Sandbox("swash-new")
        let existing = sandbox.root.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: existing.appendingPathComponent("src"), withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: existing.appendingPathComponent("src/main.rs"))
        let before = listing(sandbox.root)
        let result = try await sandbox.swash(["new", "provider", "taken", "--template", "rust"], in: sandbox.root)
        #expect(result.status == 1)
        #expect(result.stderr == "error: \"\(existing.path)\" already exists; choose another name or --path, or remove it first (swash new never overwrites)\n")
        #expect(listing(sandbox.root) == before)
        #expect(try String(contentsOf: existing.appendingPathComponent("src/main.rs"), encoding: .utf8) == "keep me\n")
    }

    @Test(arguments: [
        (["new", "provider", "9lives"], "must start with a letter"),
        (["new", "provider", "has space"], "only ASCII letters"),
        (["new", "provider", "swash"], "already a package, product or module name"),
        (["new", "provider", "x", "--template", "go"], "--template"),
        (["new", "provider"], "Missing expected argument '<name>'"),
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String], _ message: String) async throws {
        let sandbox = try Sandbox("swash-new")
        let result = try await sandbox.swash(arguments, in: sandbox.root)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(listing(sandbox.root) == ["home"])
    }

    @Test func aSwashPathWithoutAPackageFails() async throws {
        let sandbox = try Sandbox("swash-new")
        let result = try await sandbox.swash(["new", "provider", "p", "--swash-path", sandbox.home.path], in: sandbox.root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("holds no Package.swift"))
    }

    /// The rust template, rendered, then built by `swash build` with real cargo (offline: it is std only).
    @Test func theRustTemplateBuildsWithSwashBuild() async throws {
        guard programOnPath("cargo") != nil else { try Test.cancel("cargo is not on PATH") }
        let sandbox = try Sandbox("swash-new-rust")
        #expect(try await sandbox.swash(["new", "provider", "rusty", "--template", "rust"], in: sandbox.root).status == 0)
        let project = sandbox.root.appendingPathComponent("rusty")
        let build = try await sandbox.swash(["build", "-o", "json"], in: project)
        #expect(build.status == 0, "\(build.stderr)")
        let archive = project.appendingPathComponent("build/rusty.par.gz")
        #expect(build.stdout.contains(#""path":"\#(archive.path)""#))
        let (inspect, binary) = try await sandbox.verify(archive, service: "rusty")
        #expect(inspect["name"] as? String == "rusty")
        let built = project.appendingPathComponent("target/release/rusty")
        #expect(isSameFile(binary, built))

        let hostData = Data(#"{"provider_key":"VKEY","lattice_rpc_prefix":"default","n":[1,{"a":null}]}"#.utf8).base64EncodedString()
        let ran = try await offCooperativePool { try runProcess(built, [], environment: [:], input: Data((hostData + "\n").utf8)) }
        #expect(ran.status == 0)
        #expect(ran.stderr == "rusty: started with provider key VKEY on lattice default\nrusty: stdin closed; shutting down\n")
        let empty = try await offCooperativePool { try runProcess(built, [], environment: [:]) }
        #expect(empty.status == 0 && empty.stderr == "rusty: no host data given on stdin; exiting\n")
        let malformed = try await offCooperativePool { try runProcess(built, [], environment: [:], input: Data("WzEsMl0=\n".utf8)) }
        #expect(malformed.status == 1 && malformed.stderr.hasPrefix("rusty: error: malformed host data: "))
    }
}
