import Foundation
import SwashTestSupport
import TOMLLite
import Testing
import WasmCloudManifest

/// Errors, with their whole text (location and caret snippet included).
@Suite("wasmcloud.toml: errors")
struct ManifestErrorTests {
    @Test func missingFileNamesThePath() throws {
        let directory = try makeTemporaryDirectory("swash-manifest-empty")
        let expected = directory.appendingPathComponent("wasmcloud.toml").standardizedFileURL
        #expect(throws: ManifestError.notFound(expected)) { try ProviderManifest.load(from: directory) }
        let error = ManifestError.notFound(expected)
        #expect(
            error.description
                == "no wasmcloud.toml at \(expected.path): pass the project directory or its wasmcloud.toml with -p PATH")
        let missingFile = directory.appendingPathComponent("nope.toml")
        #expect(throws: ManifestError.notFound(missingFile.standardizedFileURL)) {
            try ProviderManifest.load(from: missingFile)
        }
    }

    @Test func unsupportedLanguage() throws {
        let project = try Project("name = \"x\"\ntype = \"provider\"\nlanguage = \"typescript\"\n")
        let error = try #require(project.loadError())
        #expect(
            error.description == """
                \(project.manifestURL.path):3:12: unsupported language for providers: "typescript" (swash builds providers in rust, swift or go)
                language = "typescript"
                           ^
                """)
        #expect(error.fileURL == project.manifestURL.standardizedFileURL)
    }

    @Test(arguments: [
        ("component", "this is a component project"),
        ("actor", "this is an actor project (actors are now called components)"),
    ])
    func componentsAreRefused(type: String, what: String) throws {
        let project = try Project("language = \"rust\"\ntype = \"\(type)\"\nname = \"c\"\n")
        let error = try #require(project.loadError())
        #expect(
            error.description == """
                \(project.manifestURL.path):2:8: type = "\(type)": \(what); swash builds capability providers only (type = "provider"), build components with wash
                type = "\(type)"
                       ^
                """)
    }

    @Test func unknownProjectType() throws {
        let project = try Project("language = \"go\"\ntype = \"Library\"\n")
        #expect(
            project.loadError()
                == .unknownProjectType(
                    "Library",
                    ManifestLocation(
                        fileURL: project.manifestURL.standardizedFileURL, position: TOMLPosition(line: 2, column: 8),
                        sourceLine: "type = \"Library\"")))
        #expect(project.loadError()?.description.contains("unknown project type \"Library\"") == true)
    }

    @Test func buildTableIsTheWrongType() throws {
        let project = try Project(
            "name = \"WebSocket\"\nlanguage = \"rust\"\ntype = \"provider\"\nversion = \"0.1.0\"\n\n[build]\ncommand = \"cargo build --release\"\n")
        let error = try #require(project.loadError())
        #expect(
            error.description == """
                \(project.manifestURL.path):6:2: `build` must be a string (the output directory), but it is a table; a [build] table is not part of wasmcloud.toml; remove it, and write build = "dir" to choose where the archive goes
                [build]
                 ^
                """)
    }

    @Test(arguments: [
        ("[provider]\nvendor = 42", "`provider.vendor` must be a string, but it is an integer", 6, 1),
        ("provider = \"acme\"", "`provider` must be a table, but it is a string", 5, 1),
        ("[[provider]]", "`provider` must be a table, but it is an array", 5, 3),
        ("revision = \"1\"", "`revision` must be an integer, but it is a string", 5, 1),
        ("build = 3", "`build` must be a string (the output directory), but it is an integer", 5, 1),
        ("[rust]\ndebug = \"yes\"", "`rust.debug` must be a boolean (true or false), but it is a string", 6, 1),
        ("[registry]\npush_insecure = 1", "`registry.push_insecure` must be a boolean (true or false), but it is an integer", 6, 1),
        ("[provider]\nwit_world = [\"a\"]", "`provider.wit_world` must be a string, but it is an array", 6, 1),
        ("[go]\ngo_path = { p = 1 }", "`go.go_path` must be a string, but it is a table", 6, 1),
        ("[swift]\ntriple = 1979-05-27", "`swift.triple` must be a string, but it is a local date", 6, 1),
    ])
    func knownKeysWithTheWrongType(extra: String, message: String, line: Int, column: Int) throws {
        let project = try Project("language = \"rust\"\ntype = \"provider\"\nname = \"n\"\nversion = \"0.1.0\"\n" + extra)
        let error = try #require(project.loadError())
        #expect(error.description.hasPrefix("\(project.manifestURL.path):\(line):\(column): \(message)\n"), "\(error)")
    }

    @Test(arguments: [
        ("version = \"1.0\"", "invalid `version`: \"1.0\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"0.1.0\")"),
        ("version = \"01.2.3\"", "is not a semantic version"),
        ("version = \"1.2.3-\"", "is not a semantic version"),
        ("version = \"1.2.3\"\nrevision = 3000000000", "invalid `revision`: 3000000000 does not fit in a 32-bit integer"),
        ("version = \"1.2.3\"\nname = \"\"", "invalid `name`: the name is empty"),
        ("version = \"1.2.3\"\n[provider]\nbin_name = \"bin/x\"", "invalid `provider.bin_name`: \"bin/x\" contains \"/\"; a bin_name is a file name of ASCII letters, digits, '_', '-' and '.'"),
        ("version = \"1.2.3\"\n[swift]\nconfiguration = \"fast\"", "invalid `swift.configuration`: \"fast\" is neither \"release\" nor \"debug\""),
    ])
    func unusableValues(extra: String, message: String) throws {
        let project = try Project("language = \"swift\"\ntype = \"provider\"\n" + (extra.contains("name =") ? "" : "name = \"n\"\n") + extra)
        let error = try #require(project.loadError())
        #expect(error.description.contains(message), "\(error)")
        guard case .invalidValue = error else {
            Issue.record("expected invalidValue, got \(error)")
            return
        }
    }

    @Test func missingProjectDirectory() throws {
        let project = try Project("language = \"go\"\ntype = \"provider\"\nname = \"n\"\nversion = \"1.0.0\"\npath = \"gone\"\n")
        let error = try #require(project.loadError())
        #expect(
            error.description == """
                \(project.manifestURL.path):5:8: `path` is \(project.subdirectory("gone").path), which is not an existing directory; fix the path or create it
                path = "gone"
                       ^
                """)
    }

    @Test(arguments: [
        ("type = \"provider\"", "language", "add language = \"rust\", \"swift\" or \"go\""),
        ("language = \"go\"", "type", "add type = \"provider\""),
        ("language = \"go\"\ntype = \"provider\"\nversion = \"1.0.0\"", "name", "add name = \"my-provider\" to wasmcloud.toml"),
        ("language = \"swift\"\ntype = \"provider\"\nname = \"s\"", "version", "add version = \"0.1.0\" to wasmcloud.toml"),
    ])
    func missingKeys(text: String, key: String, reason: String) throws {
        let project = try Project(text)
        let error = try #require(project.loadError())
        #expect(error == .missingKey(key, ManifestLocation(fileURL: project.manifestURL.standardizedFileURL), reason: reason))
        #expect(error.description == "\(project.manifestURL.path): missing required key `\(key)`: \(reason)")
    }

    @Test func syntaxErrorsKeepTheirPosition() throws {
        let project = try Project("language = \"go\"\ntype = \"provider\"\n[provider]\nvendor = \"a\"\nvendor = \"b\"\n")
        let error = try #require(project.loadError())
        guard case .syntax(let tomlError) = error else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(tomlError.position == TOMLPosition(line: 5, column: 1))
        #expect(
            error.description == """
                \(project.manifestURL.path):5:1: duplicate key "vendor" (first defined at line 4)
                vendor = "b"
                ^
                """)
    }
}
