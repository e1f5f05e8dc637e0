import Foundation
import SwashTestSupport
import TOMLLite
import Testing
import WasmCloudManifest

@Suite("wasmcloud.toml: values and defaults")
struct ManifestTests {
    @Test func minimalSwiftProviderGetsTheDefaults() throws {
        let project = try Project(
            """
            name = "hello"
            version = "0.1.0"
            language = "swift"
            type = "provider"
            """)
        let manifest = try project.load()
        #expect(manifest.fileURL == project.manifestURL.standardizedFileURL)
        #expect(manifest.language == .swift)
        #expect(manifest.name == "hello")
        #expect(manifest.version == "0.1.0")
        #expect(manifest.revision == 0)
        #expect(manifest.projectDirectory == project.directory.standardizedFileURL)
        #expect(manifest.buildDirectory == project.subdirectory("build"))
        #expect(manifest.provider == ProviderSection())
        #expect(manifest.provider.vendor == "NoVendor")
        #expect(manifest.provider.binName == nil)
        #expect(manifest.rust == nil && manifest.swift == nil && manifest.go == nil && manifest.registry == nil)
        #expect(manifest.notes.isEmpty)
        #expect(manifest.keyPositions["name"] == TOMLPosition(line: 1, column: 1))
        #expect(manifest.keyPositions["type"] == TOMLPosition(line: 4, column: 1))
    }

    @Test func everySwiftKeyIsRead() throws {
        let project = try Project(
            """
            language = "swift"
            type = "provider"
            name = "Weather"
            version = "1.2.3-rc.1+build.7"
            revision = 4
            path = "src/../pkg"
            build = "out/par"

            [provider]
            vendor = "Acme"
            bin_name = "weather-provider"
            capability_id = "acme:weather"
            key_directory = "../keys"

            [swift]
            swift_path = "tools/swift"
            product = "WeatherProvider"
            configuration = "debug"
            swift_sdk = "x86_64-swift-linux-musl"
            triple = "aarch64-unknown-linux-gnu"
            """, directories: ["pkg"])
        let manifest = try project.load()
        #expect(manifest.version == "1.2.3-rc.1+build.7")
        #expect(manifest.revision == 4)
        #expect(manifest.projectDirectory == project.subdirectory("pkg"))
        #expect(manifest.buildDirectory == project.subdirectory("out/par"))
        #expect(
            manifest.provider
                == ProviderSection(
                    vendor: "Acme", binName: "weather-provider", capabilityID: "acme:weather",
                    keyDirectory: project.directory.deletingLastPathComponent().appendingPathComponent("keys", isDirectory: true)
                        .standardizedFileURL))
        #expect(
            manifest.swift
                == SwiftSection(
                    swiftPath: project.file("tools/swift").path, product: "WeatherProvider", configuration: "debug",
                    swiftSDK: "x86_64-swift-linux-musl", triple: "aarch64-unknown-linux-gnu"))
    }

    @Test func swiftSectionDefaults() throws {
        let project = try Project("language = 'swift'\ntype = 'provider'\nname = 'a'\nversion = '0.0.1'\n[swift]\n")
        #expect(try project.load().swift == SwiftSection(configuration: "release"))
    }

    @Test func rustSectionAndProgramsOnThePath() throws {
        let project = try Project(
            """
            language = "rust"
            type = "provider"
            name = "r"
            version = "0.1.0"
            [provider]
            rust_target = "aarch64-unknown-linux-gnu"
            [rust]
            cargo_path = "cargo-nightly"
            target_path = "../target"
            debug = true
            """)
        let manifest = try project.load()
        #expect(manifest.provider.rustTarget == "aarch64-unknown-linux-gnu")
        #expect(
            manifest.rust
                == RustSection(
                    cargoPath: "cargo-nightly",
                    targetPath: project.directory.deletingLastPathComponent().appendingPathComponent("target", isDirectory: true)
                        .standardizedFileURL,
                    debug: true))
    }

    @Test func goAndRegistrySections() throws {
        let project = try Project(
            """
            language = "go"
            type = "provider"
            name = "g"
            version = "0.1.0"
            [go]
            go_path = "/usr/local/go/bin/go"
            disable_go_generate = true
            [registry]
            url = "localhost:5000/providers/g"
            credentials = "creds.json"
            push_insecure = true
            [[registry.pull.sources]]
            target = "wasi:http"
            source = "builtin"
            """)
        let manifest = try project.load()
        #expect(manifest.go == GoSection(goPath: "/usr/local/go/bin/go", disableGoGenerate: true))
        #expect(
            manifest.registry
                == RegistrySection(url: "localhost:5000/providers/g", credentials: project.file("creds.json"), pushInsecure: true))
        #expect(manifest.notes == ["line 12: registry.pull is ignored (WIT dependency sources; swash does not fetch WIT)"])
    }

    @Test func languageAndTypeAreCaseInsensitive() throws {
        let project = try Project("language = \" Rust \"\ntype = \"Provider\"\nname = \"n\"\nversion = \"1.0.0\"")
        let manifest = try project.load()
        #expect(manifest.language == .rust)
    }

    @Test func absolutePathsStayAbsolute() throws {
        let elsewhere = try makeTemporaryDirectory("swash-manifest-elsewhere")
        let project = try Project(
            "language = 'go'\ntype = 'provider'\nname = 'n'\nversion = '1.0.0'\npath = '\(elsewhere.path)'\nbuild = '/tmp/out'")
        let manifest = try project.load()
        #expect(manifest.projectDirectory == elsewhere.standardizedFileURL)
        #expect(manifest.buildDirectory == URL(fileURLWithPath: "/tmp/out", isDirectory: true))
        #expect(manifest.buildDirectory != manifest.projectDirectory.appendingPathComponent("build", isDirectory: true))
    }

    @Test func loadTakesTheFileOrItsDirectory() throws {
        let project = try Project("language = 'go'\ntype = 'provider'\nname = 'n'\nversion = '1.0.0'")
        let fromDirectory = try ProviderManifest.load(from: project.directory)
        let fromFile = try ProviderManifest.load(from: project.manifestURL)
        #expect(fromDirectory == fromFile)
        let other = project.directory.appendingPathComponent("other.toml")
        try FileManager.default.copyItem(at: project.manifestURL, to: other)
        #expect(try ProviderManifest.load(from: other).fileURL == other.standardizedFileURL)
    }

    @Test func parseResolvesAgainstTheGivenFile() throws {
        let project = try Project("", directories: ["p"])
        let manifest = try ProviderManifest.parse(
            Array("language = 'go'\ntype = 'provider'\nname = 'n'\nversion = '1.0.0'\npath = 'p'".utf8),
            fileURL: project.directory.appendingPathComponent("sub/../wasmcloud.toml"))
        #expect(manifest.projectDirectory == project.subdirectory("p"))
        #expect(manifest.fileURL == project.manifestURL.standardizedFileURL)
    }

    @Test func ignoredAndUnknownKeysAreNoted() throws {
        let project = try Project(
            """
            name = "n"
            version = "0.1.0"
            language = "rust"
            type = "provider"
            wit = "../wit"

            [provider]
            wit_world = "wasmcloud:messaging"
            os = "linux"
            arch = "x86_64"
            colour = "blue"

            [rust]
            target_dir = "../"

            [actor]
            claims = ["wasmcloud:httpserver"]
            """)
        let manifest = try project.load()
        #expect(
            manifest.notes == [
                "line 8: provider.wit_world is read and ignored, as wash does",
                "line 9: provider.os is read and ignored, as wash does",
                "line 10: provider.arch is read and ignored, as wash does",
                "line 11: unknown key provider.colour is ignored",
                "line 14: unknown key rust.target_dir is ignored",
                "line 16: actor is ignored (not used for providers)",
            ])
        #expect(manifest.rust == RustSection())
        // `wit` names the WIT directory, relative to the file.
        #expect(manifest.witDirectory.path == manifest.fileURL.deletingLastPathComponent().appendingPathComponent("../wit").standardizedFileURL.path)
        #expect(manifest.witDirectoryIsExplicit)
    }
}
