import Foundation
import Testing
import WasmCloudManifest

/// Rust projects may leave `name` and `version` to their `Cargo.toml`.
@Suite("wasmcloud.toml: Rust name and version from Cargo.toml")
struct CargoFallbackTests {
    let rustHeader = "language = \"rust\"\ntype = \"provider\"\n"

    @Test func bothFromCargo() throws {
        let project = try Project(
            rustHeader + "[provider]\nvendor = \"v\"\n",
            files: ["Cargo.toml": "[package]\nname = \"kv-redis\"\nversion = \"0.30.0\"\nedition = \"2021\"\n"])
        let manifest = try project.load()
        #expect(manifest.name == "kv-redis")
        #expect(manifest.version == "0.30.0")
        let cargo = project.file("Cargo.toml").path
        #expect(
            manifest.notes == [
                "name \"kv-redis\" comes from [package] of \(cargo)", "version 0.30.0 comes from [package] of \(cargo)",
            ])
    }

    @Test func onlyTheMissingOneComesFromCargo() throws {
        let project = try Project(
            rustHeader + "name = \"Pretty Name\"\n",
            files: ["Cargo.toml": "[package]\nname = \"crate-name\"\nversion = \"2.0.0\"\n"])
        let manifest = try project.load()
        #expect(manifest.name == "Pretty Name")
        #expect(manifest.version == "2.0.0")
    }

    @Test func cargoIsNotReadWhenBothAreGiven() throws {
        let project = try Project(
            rustHeader + "name = \"n\"\nversion = \"1.0.0\"\n", files: ["Cargo.toml": "this is not TOML"])
        #expect(try project.load().version == "1.0.0")
    }

    @Test func cargoIsReadFromTheProjectDirectory() throws {
        let project = try Project(
            rustHeader + "path = \"crate\"\n", files: ["crate/Cargo.toml": "[package]\nname = \"c\"\nversion = \"0.2.0\"\n"])
        #expect(try project.load().version == "0.2.0")
    }

    @Test func noCargoToml() throws {
        let project = try Project(rustHeader + "name = \"Ollama\"\n")
        let error = try #require(project.loadError())
        #expect(
            error.description
                == "\(project.manifestURL.path): missing required key `version`: add version = \"0.1.0\" to wasmcloud.toml; it cannot come from Cargo.toml: there is no Cargo.toml at \(project.file("Cargo.toml").path)"
        )
    }

    @Test(arguments: [
        ("[package]\nname = \"x\"\nversion.workspace = true\n", "inherits it from the workspace (version.workspace = true), which swash does not read"),
        ("[workspace]\nmembers = [\"a\"]\n", "has no [package] table (a workspace manifest?)"),
        ("[package]\nname = \"x\"\n", "has no [package] version"),
        ("[package]\nname = \"x\"\nversion = 3\n", "[package] version in"),
    ])
    func unusableCargoToml(cargo: String, reason: String) throws {
        let project = try Project(rustHeader + "name = \"n\"\n", files: ["Cargo.toml": cargo])
        let error = try #require(project.loadError())
        guard case .missingKey("version", _, let fullReason) = error else {
            Issue.record("expected missing version, got \(error)")
            return
        }
        #expect(fullReason.contains(reason), "\(fullReason)")
    }

    @Test func brokenCargoTomlIsASyntaxErrorInThatFile() throws {
        let project = try Project(rustHeader, files: ["Cargo.toml": "[package\nname = 1\n"])
        let error = try #require(project.loadError())
        guard case .syntax(let tomlError) = error else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(tomlError.fileName == project.file("Cargo.toml").path)
        #expect(tomlError.line == 1)
    }

    @Test func swiftAndGoCannotUseCargo() throws {
        let project = try Project(
            "language = \"go\"\ntype = \"provider\"\nversion = \"1.0.0\"\n",
            files: ["Cargo.toml": "[package]\nname = \"x\"\nversion = \"1.0.0\"\n"])
        #expect(project.loadError()?.description.hasSuffix("missing required key `name`: add name = \"my-provider\" to wasmcloud.toml") == true)
    }
}
