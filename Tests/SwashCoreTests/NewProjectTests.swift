import Foundation
import SwashTestSupport
import Testing

@testable import FileIO
@testable import Registry
@testable import SwashCore

@Suite("New project: templates and rendering")
struct NewProjectTemplateTests {
    /// The files under `Templates/<template>-provider/`, sorted by path.
    func filesOnDisk(_ template: NewProject.Template) throws -> [NewProject.TemplateFile] {
        let root = PackageRoot.url.appendingPathComponent("Templates/\(template.rawValue)-provider")
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
        var files: [NewProject.TemplateFile] = []
        for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            let path = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files.append(NewProject.TemplateFile(path: path, contents: try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test(arguments: NewProject.Template.allCases)
    func embeddedCopyMatchesTemplatesDirectory(_ template: NewProject.Template) throws {
        let onDisk = try filesOnDisk(template)
        #expect(template.files.map(\.path) == onDisk.map(\.path), "run Scripts/embed-templates")
        for (embedded, disk) in zip(template.files, onDisk) where embedded.path == disk.path {
            #expect(embedded.contents == disk.contents, "\(disk.path) differs from its embedded copy: run Scripts/embed-templates")
        }
    }

    @Test(arguments: NewProject.Template.allCases)
    func renderingFillsEveryPlaceholder(_ template: NewProject.Template) throws {
        let values = NewProject.placeholders(name: "my-provider", swashDependency: .path("/src/swash"))
        let files = try NewProject.render(template, values: values)
        #expect(files.count == template.files.count)
        for file in files {
            // `${{ … }}` is GitHub Actions' own expression syntax (release.yml) and passes through verbatim.
            let contents = file.contents.replacingOccurrences(of: "${{", with: "")
            #expect(!file.path.contains("{{") && !contents.contains("{{"), "\(file.path) keeps a placeholder")
        }
        let toml = try #require(files.first { $0.path == "wasmcloud.toml" })
        #expect(toml.contents.contains("name = \"my-provider\"\n"))
        #expect(toml.contents.contains("language = \"\(template.rawValue)\"\n"))
        switch template {
        case .swift:
            #expect(files.contains { $0.path == "Sources/MyProvider/main.swift" })
            let manifest = try #require(files.first { $0.path == "Package.swift" })
            #expect(manifest.contents.contains(".executable(name: \"my-provider\", targets: [\"MyProvider\"])"))
            #expect(manifest.contents.contains("        .package(path: \"/src/swash\")\n"))
        case .rust:
            let cargo = try #require(files.first { $0.path == "Cargo.toml" })
            #expect(cargo.contents.contains("name = \"my-provider\"\n"))
            #expect(try #require(files.first { $0.path == "src/main.rs" }).contents.hasPrefix("//! my_provider: "))
        }
    }

    @Test func anUnknownPlaceholderIsReported() throws {
        let error = #expect(throws: ProjectError.self) {
            try NewProject.render(.swift, values: ["name": "x"])
        }
        #expect(error?.description.contains("unknown placeholder {{") == true)
    }

    @Test func swashDependencyLines() {
        #expect(NewProject.SwashDependency.canonical.packageLine == #".package(url: "https://github.com/swash-dev/swash", from: "0.1.0")"#)
        #expect(NewProject.SwashDependency.path(#"/a "b"\c"#).packageLine == #".package(path: "/a \"b\"\\c")"#)
    }

    @Test(arguments: [
        ("my-provider", "MyProvider"), ("my_provider", "MyProvider"), ("myProvider", "MyProvider"),
        ("HTTPServer", "HTTPServer"), ("a--b__c", "ABC"), ("p2p-link", "P2pLink"),
    ])
    func swiftModuleName(_ name: String, _ module: String) {
        #expect(NewProject.swiftModuleName(name) == module)
    }
}

@Suite("New project: names")
struct NewProjectNameTests {
    @Test(arguments: ["p", "my-provider", "my_provider", "Provider2", "a-1_b"])
    func acceptedNames(_ name: String) throws {
        for template in NewProject.Template.allCases { try NewProject.validate(name: name, template: template) }
    }

    @Test(arguments: [
        ("", NewProject.Template.swift, "it is empty"),
        ("1provider", .swift, "must start with a letter"),
        ("-provider", .rust, "must start with a letter"),
        ("_provider", .swift, "must start with a letter"),
        ("my provider", .swift, "only ASCII letters, digits"),
        ("my.provider", .rust, "only ASCII letters, digits"),
        ("../evil", .swift, "only ASCII letters, digits"),
        ("prövider", .swift, "only ASCII letters, digits"),
        (String(repeating: "p", count: 65), .swift, "longer than 64"),
        ("swash", .swift, "\"swash\" is already a package, product or module name"),
        ("NKeys", .swift, "\"nkeys\" is already"),
        ("argument-parser", .swift, "\"argumentparser\" is already"),
        ("foundation", .swift, "\"foundation\" is already"),
        ("build", .rust, "Cargo reserves \"build\""),
    ])
    func rejectedNames(_ name: String, _ template: NewProject.Template, _ reason: String) {
        let error = #expect(throws: ProjectError.self) { try NewProject.validate(name: name, template: template) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("\"\(name)\" cannot name a project: ") == true)
    }
}

@Suite("New project: writing")
struct NewProjectWritingTests {
    func context(_ directory: URL) -> SwashContext {
        SwashContext(environment: [:], homeDirectory: directory, currentDirectory: directory, log: { _ in })
    }

    /// A request as the CLI makes it: the name checked, paths resolved against `directory`.
    func request(
        _ name: String, template: NewProject.Template = .swift, parent: String = ".", swashPath: String? = nil, in directory: URL
    ) throws -> NewProject.Request {
        let context = context(directory)
        return NewProject.Request(
            name: try NewProject.Name(name, template: template), parent: context.resolve(path: parent),
            swashPath: swashPath.map(context.resolve(path:)))
    }

    /// Every path below `directory`, relative, sorted.
    func listing(_ directory: URL) -> [String] {
        (FileManager.default.subpaths(atPath: directory.path) ?? []).sorted()
    }

    @Test func createsTheProjectAndSaysWhatToRunNext() throws {
        let directory = try makeTemporaryDirectory()
        let created = try NewProject.create(try request("demo", template: .rust, in: directory), context: context(directory))
        #expect(created.path.path == directory.appendingPathComponent("demo").path)
        #expect(listing(directory) == ["demo", "demo/.github", "demo/.github/workflows", "demo/.github/workflows/release.yml", "demo/.gitignore", "demo/Cargo.toml", "demo/README.md", "demo/src", "demo/src/main.rs", "demo/wasmcloud.toml", "demo/wit", "demo/wit/provider.wit"])
        #expect(created.nextCommands == ["cd demo", "swash build"])
        #expect(created.template == .rust)
    }

    @Test func theDefaultDependencyIsTheCanonicalPackageAndSwashPathIsAbsolute() throws {
        let directory = try makeTemporaryDirectory()
        let checkout = directory.appendingPathComponent("checkout")
        try FileManager.default.createDirectory(at: checkout, withIntermediateDirectories: true)
        try Data("// swash\n".utf8).write(to: checkout.appendingPathComponent("Package.swift"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("out"), withIntermediateDirectories: true)
        _ = try NewProject.create(try request("remote", parent: "out", in: directory), context: context(directory))
        let local = try NewProject.create(try request("local", parent: "out", swashPath: "checkout", in: directory), context: context(directory))
        let remoteManifest = try String(contentsOf: directory.appendingPathComponent("out/remote/Package.swift"), encoding: .utf8)
        let localManifest = try String(contentsOf: local.path.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(remoteManifest.contains(NewProject.SwashDependency.canonical.packageLine))
        #expect(localManifest.contains(".package(path: \"\(checkout.path)\")"))
        #expect(local.nextCommands.first == "cd out/local")
    }

    @Test func anExistingDirectoryOrFileIsNeverTouched() throws {
        let directory = try makeTemporaryDirectory()
        let existing = directory.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: existing.appendingPathComponent("notes.txt"))
        try Data("file\n".utf8).write(to: directory.appendingPathComponent("file"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("dangling").path, withDestinationPath: "/nonexistent")
        let before = listing(directory)
        for name in ["taken", "file", "dangling"] {
            let error = #expect(throws: ProjectError.self) {
                try NewProject.create(try request(name, in: directory), context: context(directory))
            }
            #expect(error?.description == "\"\(directory.appendingPathComponent(name).path)\" already exists; choose another name or --path, or remove it first (swash new never overwrites)")
        }
        #expect(listing(directory) == before)  // nothing added, no staging directory left
        #expect(try String(contentsOf: existing.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine\n")
    }

    @Test func aMissingParentOrCheckoutIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        let parent = #expect(throws: ProjectError.self) {
            try NewProject.create(try request("p", parent: "missing/dir", in: directory), context: context(directory))
        }
        #expect(parent?.description.contains("no such directory; create it or choose another --path") == true)
        let checkout = #expect(throws: ProjectError.self) {
            try NewProject.create(try request("p", swashPath: ".", in: directory), context: context(directory))
        }
        #expect(checkout?.description == "--swash-path \"\(directory.standardizedFileURL.path)\" holds no Package.swift; give the directory of a swash checkout")
        #expect(listing(directory) == [])
    }
}

@Suite("New project: reserved names follow Package.swift")
struct ReservedNamesTests {
    /// Every package, product and target name swash's Package.swift declares is reserved for Swift projects
    /// (a project named after one fails to build), so adding a module cannot let the list drift again.
    @Test func everyNameInPackageSwiftIsReserved() throws {
        let manifest = try String(contentsOf: PackageRoot.url.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"name: "([^"]+)""#)
        let names = pattern.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest)).compactMap {
            Range($0.range(at: 1), in: manifest).map { String(manifest[$0]).lowercased() }
        }
        #expect(names.count > 20)
        let reserved = NewProject.reservedNames[.swift] ?? []
        #expect(Set(names).subtracting(reserved).sorted() == [])
        for name in ["CZlib", "FileIO", "Registry"] {
            #expect(throws: ProjectError.self) { try NewProject.Name(name, template: .swift) }
        }
    }
}
