import FileIO
import Foundation
import TOMLLite

/// Turns a parsed `wasmcloud.toml` into a ``ProviderManifest``: checks types, resolves paths, fills defaults.
struct ManifestReader {
    let table: TOMLTable
    let source: [UInt8]
    let fileURL: URL
    private(set) var notes: [String] = []
    private(set) var positions: [String: TOMLPosition] = [:]

    init(table: TOMLTable, source: [UInt8], fileURL: URL) {
        self.table = table
        self.source = source
        self.fileURL = fileURL
    }

    var directory: URL { fileURL.deletingLastPathComponent() }

    /// Keys swash reads, by table (`""` is the top level).
    static let known: [String: Set<String>] = [
        "": [
            "language", "type", "name", "version", "revision", "path", "build", "wit", "provider", "rust", "swift", "go",
            "registry",
        ],
        "provider": ["vendor", "bin_name", "capability_id", "rust_target", "key_directory", "wit_world", "os", "arch", "targets"],
        "rust": ["cargo_path", "target_path", "debug", "targets"],
        "swift": ["swift_path", "product", "configuration", "swift_sdk", "triple", "sdks"],
        "go": ["go_path", "disable_go_generate"],
        "registry": ["url", "credentials", "push_insecure", "pull"],
    ]

    mutating func read() throws(ManifestError) -> ProviderManifest {
        // What kind of project comes first: a component file fails here whatever its other keys are.
        let type = try required("type", reason: "add type = \"provider\"")
        switch type.word {
        case "provider": break
        case "component", "actor": throw .notAProvider(type: type.word, location(type.entry.valuePosition))
        default: throw .unknownProjectType(type.raw, location(type.entry.valuePosition))
        }
        let languageValue = try required("language", reason: "add language = \"rust\", \"swift\" or \"go\"")
        guard let language = ProviderManifest.Language(rawValue: languageValue.word) else {
            throw .unsupportedLanguage(languageValue.raw, location(languageValue.entry.valuePosition))
        }

        let name = try string("name")
        let version = try string("version")
        let revision = try readRevision()
        let path = try string("path", expected: "a string (the project directory)")
        let buildTableHint =
            "a [build] table is not part of wasmcloud.toml; remove it, and write build = \"dir\" to choose where the archive goes"
        let build = try string(
            "build", expected: "a string (the output directory)",
            hint: table["build"]?.tableValue == nil ? nil : buildTableHint)
        let wit = try string("wit", expected: "a string (the WIT directory)")

        let provider = try readProvider()
        let rust = try readRust()
        let swift = try readSwift()
        let go = try readGo()
        let registry = try readRegistry()
        noteUnknownKeys()

        let projectDirectory = path.map { resolve($0.value, isDirectory: true) } ?? directory
        if let path {
            try requireDirectory(projectDirectory, key: "path", at: path.entry)
        } else {
            try requireDirectory(projectDirectory, key: "path", at: nil)
        }
        let buildDirectory =
            build.map { resolve($0.value, isDirectory: true) }
            ?? projectDirectory.appendingPathComponent("build", isDirectory: true)
        let witDirectory =
            wit.map { resolve($0.value, isDirectory: true) }
            ?? projectDirectory.appendingPathComponent("wit", isDirectory: true)

        var resolvedName = name?.value
        var resolvedVersion = version?.value
        if language == .rust, resolvedName == nil || resolvedVersion == nil {
            let cargo = try CargoPackage(projectDirectory: projectDirectory)
            if resolvedName == nil, let fromCargo = cargo.name {
                resolvedName = fromCargo
                notes.append("name \"\(fromCargo)\" comes from [package] of \(cargo.fileURL.path)")
            }
            if resolvedVersion == nil, let fromCargo = cargo.version {
                resolvedVersion = fromCargo
                notes.append("version \(fromCargo) comes from [package] of \(cargo.fileURL.path)")
            }
            guard let finalName = resolvedName else {
                throw missing("name", example: "name = \"my-provider\"", cargoReason: cargo.unavailable("name"))
            }
            guard let finalVersion = resolvedVersion else {
                throw missing("version", example: "version = \"0.1.0\"", cargoReason: cargo.unavailable("version"))
            }
            resolvedName = finalName
            resolvedVersion = finalVersion
        }
        guard let finalName = resolvedName else { throw missing("name", example: "name = \"my-provider\"") }
        guard let finalVersion = resolvedVersion else { throw missing("version", example: "version = \"0.1.0\"") }
        if let version, !SemanticVersion.isValid(version.value) {
            throw .invalidValue(
                key: "version", reason: "\"\(version.value)\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. \"0.1.0\")",
                location(version.entry.valuePosition))
        }
        guard !finalName.isEmpty else {
            throw .invalidValue(key: "name", reason: "the name is empty", location(name?.entry.valuePosition))
        }

        return ProviderManifest(
            fileURL: fileURL, language: language, name: finalName, version: finalVersion, revision: revision,
            projectDirectory: projectDirectory, buildDirectory: buildDirectory, witDirectory: witDirectory,
            witDirectoryIsExplicit: wit != nil, provider: provider, rust: rust,
            swift: swift, go: go, registry: registry, notes: notesInFileOrder(), keyPositions: positions)
    }

    // MARK: - Sections

    mutating func readRevision() throws(ManifestError) -> Int {
        guard let revision = try integer("revision") else { return 0 }
        guard let value = Int32(exactly: revision.value) else {
            throw .invalidValue(
                key: "revision", reason: "\(revision.value) does not fit in a 32-bit integer, as wash requires",
                location(revision.entry.valuePosition))
        }
        return Int(value)
    }

    mutating func readProvider() throws(ManifestError) -> ProviderSection {
        var section = ProviderSection()
        if let vendor = try string("provider", "vendor") { section.vendor = vendor.value }
        if let binName = try string("provider", "bin_name") {
            let value = binName.value
            if let problem = Self.binNameProblem(value) {
                throw .invalidValue(key: "provider.bin_name", reason: problem, location(binName.entry.valuePosition))
            }
            section.binName = value
        }
        section.capabilityID = try string("provider", "capability_id")?.value
        section.rustTarget = try string("provider", "rust_target")?.value
        section.targets = try targetList("provider", "targets")
        section.keyDirectory = try string("provider", "key_directory").map { resolve($0.value, isDirectory: true) }
        for key in ["wit_world", "os", "arch"] where try string("provider", key) != nil {
            note("provider.\(key)", "is read and ignored, as wash does")
        }
        return section
    }

    mutating func readRust() throws(ManifestError) -> RustSection? {
        guard try section("rust") else { return nil }
        return RustSection(
            cargoPath: try string("rust", "cargo_path").map { program($0.value) },
            targetPath: try string("rust", "target_path").map { resolve($0.value, isDirectory: true) },
            debug: try bool("rust", "debug")?.value ?? false,
            targets: try targetTable("rust", "targets", values: "target triples"))
    }

    mutating func readSwift() throws(ManifestError) -> SwiftSection? {
        guard try section("swift") else { return nil }
        var section = SwiftSection(
            swiftPath: try string("swift", "swift_path").map { program($0.value) },
            product: try string("swift", "product")?.value,
            swiftSDK: try string("swift", "swift_sdk")?.value,
            triple: try string("swift", "triple")?.value,
            sdks: try targetTable("swift", "sdks", values: "Swift SDK ids"))
        if let configuration = try string("swift", "configuration") {
            guard configuration.value == "release" || configuration.value == "debug" else {
                throw .invalidValue(
                    key: "swift.configuration", reason: "\"\(configuration.value)\" is neither \"release\" nor \"debug\"",
                    location(configuration.entry.valuePosition))
            }
            section.configuration = configuration.value
        }
        return section
    }

    mutating func readGo() throws(ManifestError) -> GoSection? {
        guard try section("go") else { return nil }
        return GoSection(
            goPath: try string("go", "go_path").map { program($0.value) },
            disableGoGenerate: try bool("go", "disable_go_generate")?.value ?? false)
    }

    mutating func readRegistry() throws(ManifestError) -> RegistrySection? {
        guard try section("registry") else { return nil }
        if try entry(["registry", "pull"]) != nil {
            note("registry.pull", "is ignored (WIT dependency sources; swash does not fetch WIT)")
        }
        return RegistrySection(
            url: try string("registry", "url")?.value,
            credentials: try string("registry", "credentials").map { resolve($0.value, isDirectory: false) },
            pushInsecure: try bool("registry", "push_insecure")?.value ?? false)
    }

    mutating func noteUnknownKeys() {
        for entry in table {
            let known = Self.known[""]!
            if !known.contains(entry.key) {
                notes.append("line \(entry.keyPosition?.line ?? 0): \(entry.key) is ignored (not used for providers)")
                continue
            }
            guard let keys = Self.known[entry.key], case .table(let sub) = entry.value else { continue }
            for child in sub where !keys.contains(child.key) {
                notes.append(
                    "line \(child.keyPosition?.line ?? 0): unknown key \(entry.key).\(child.key) is ignored")
            }
        }
    }

    // MARK: - Typed access

    struct Found<Value> {
        var value: Value
        var entry: TOMLTable.Entry
    }

    /// The entry at a key path, checking that the tables on the way are tables.
    mutating func entry(_ path: [String]) throws(ManifestError) -> TOMLTable.Entry? {
        var current = table
        for (n, key) in path.enumerated() {
            guard let entry = current.entry(forKey: key) else { return nil }
            if n == path.count - 1 {
                if let position = entry.keyPosition { positions[path.joined(separator: ".")] = position }
                return entry
            }
            guard case .table(let next) = entry.value else {
                throw wrongType(path[...n].joined(separator: "."), entry, expected: "a table")
            }
            current = next
        }
        return nil
    }

    /// Whether a top-level table is present (and is a table).
    mutating func section(_ name: String) throws(ManifestError) -> Bool {
        guard let entry = try entry([name]) else { return false }
        guard case .table = entry.value else { throw wrongType(name, entry, expected: "a table") }
        return true
    }

    mutating func string(
        _ path: String..., expected: String = "a string", hint: String? = nil
    ) throws(ManifestError) -> Found<String>? {
        guard let entry = try entry(path) else { return nil }
        guard case .string(let value) = entry.value else {
            throw wrongType(path.joined(separator: "."), entry, expected: expected, hint: hint)
        }
        return Found(value: value, entry: entry)
    }

    mutating func bool(_ path: String...) throws(ManifestError) -> Found<Bool>? {
        guard let entry = try entry(path) else { return nil }
        guard case .bool(let value) = entry.value else {
            throw wrongType(path.joined(separator: "."), entry, expected: "a boolean (true or false)")
        }
        return Found(value: value, entry: entry)
    }

    mutating func integer(_ path: String...) throws(ManifestError) -> Found<Int64>? {
        guard let entry = try entry(path) else { return nil }
        guard case .integer(let value) = entry.value else {
            throw wrongType(path.joined(separator: "."), entry, expected: "an integer")
        }
        return Found(value: value, entry: entry)
    }

    /// A list of target names (`[provider] targets`): strings, each a portable name, none twice.
    mutating func targetList(_ path: String...) throws(ManifestError) -> [String] {
        let key = path.joined(separator: ".")
        guard let entry = try entry(path) else { return [] }
        guard case .array(let values) = entry.value else {
            throw wrongType(key, entry, expected: "an array of target names such as [\"x86_64-linux\", \"aarch64-linux\"]")
        }
        var names: [String] = []
        for value in values {
            guard case .string(let name) = value else {
                throw .invalidValue(key: key, reason: "it holds a \(value.typeName); every element is a target name string", location(entry.valuePosition))
            }
            if let problem = Self.targetNameProblem(name) {
                throw .invalidValue(key: key, reason: problem, location(entry.valuePosition))
            }
            guard !names.contains(name) else {
                throw .invalidValue(key: key, reason: "\"\(name)\" is listed twice", location(entry.valuePosition))
            }
            names.append(name)
        }
        return names
    }

    /// A table from target names to strings (`[rust] targets`, `[swift] sdks`).
    mutating func targetTable(_ path: String..., values what: String) throws(ManifestError) -> [String: String] {
        let key = path.joined(separator: ".")
        guard let entry = try entry(path) else { return [:] }
        guard case .table(let table) = entry.value else {
            throw wrongType(key, entry, expected: "a table from target names to \(what), such as { \"aarch64-linux\" = \"…\" }")
        }
        var result: [String: String] = [:]
        for child in table {
            guard case .string(let value) = child.value, !value.isEmpty else {
                throw .invalidValue(
                    key: "\(key).\(child.key)", reason: "give one of the \(what) as a non-empty string",
                    location(child.valuePosition ?? child.keyPosition))
            }
            if let problem = Self.targetNameProblem(child.key) {
                throw .invalidValue(key: "\(key).\(child.key)", reason: problem, location(child.keyPosition))
            }
            result[child.key] = value
        }
        return result
    }

    /// Why `name` cannot be a target name in wasmcloud.toml, or `nil`.
    static func targetNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "a target name is empty; use <arch>-<os> such as x86_64-linux" }
        if let what = PortableName.firstUnportable(in: name) {
            return "\"\(name)\" contains \(what); a target name is <arch>-<os> of ASCII letters, digits, '_', '-' and '.'"
        }
        if name.hasPrefix(".") || name.hasPrefix("-") || name == "claims" || name == "world" || name.hasSuffix(".bin") {
            return "\"\(name)\" cannot be a target name; use <arch>-<os> such as x86_64-linux"
        }
        return nil
    }

    /// A required string compared case-insensitively and without surrounding blanks (as wash does).
    mutating func required(_ key: String, reason: String) throws(ManifestError) -> (word: String, raw: String, entry: TOMLTable.Entry) {
        guard let found = try string(key) else { throw .missingKey(key, location(nil), reason: reason) }
        let word = found.value.trimmingCharacters(in: .whitespaces).lowercased()
        return (word, found.value, found.entry)
    }

    // MARK: - Helpers

    func location(_ position: TOMLPosition?) -> ManifestLocation {
        guard let position else { return ManifestLocation(fileURL: fileURL) }
        let line = TOMLError(message: "", at: position, in: source).sourceLine
        return ManifestLocation(fileURL: fileURL, position: position, sourceLine: line)
    }

    func wrongType(_ key: String, _ entry: TOMLTable.Entry, expected: String, hint: String? = nil) -> ManifestError {
        .wrongType(key: key, expected: expected, found: entry.value.typeName, location(entry.keyPosition), hint: hint)
    }

    func missing(_ key: String, example: String, cargoReason: String? = nil) -> ManifestError {
        var reason = "add \(example) to wasmcloud.toml"
        if let cargoReason { reason += "; it cannot come from Cargo.toml: \(cargoReason)" }
        return .missingKey(key, location(nil), reason: reason)
    }

    /// The notes sorted by the line they are about (notes about no line, such as Cargo.toml values, last).
    func notesInFileOrder() -> [String] {
        func line(_ note: String) -> Int {
            guard note.hasPrefix("line "), let number = Int(note.dropFirst(5).prefix { $0 != ":" }) else { return .max }
            return number
        }
        return notes.enumerated().sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }.map(\.element)
    }

    mutating func note(_ key: String, _ what: String) {
        let line = positions[key].map { "line \($0.line): " } ?? ""
        notes.append(line + key + " " + what)
    }

    /// A path from the file, absolute or relative to the file's directory. Directories get a trailing `/`
    /// (`hasDirectoryPath`), files do not, whether or not they exist yet.
    func resolve(_ path: String, isDirectory: Bool) -> URL {
        let url =
            path.hasPrefix("/")
            ? URL(fileURLWithPath: path, isDirectory: isDirectory)
            : directory.appendingPathComponent(path, isDirectory: isDirectory)
        return url.standardizedFileURL
    }

    /// A program: a name to look up on PATH (no '/'), else a path resolved like other paths.
    func program(_ value: String) -> String {
        value.contains("/") ? resolve(value, isDirectory: false).path : value
    }

    func requireDirectory(_ url: URL, key: String, at entry: TOMLTable.Entry?) throws(ManifestError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryNotFound(key: key, url, location(entry?.valuePosition))
        }
    }
}

/// Semantic Versioning 2.0.0 syntax (`1.2.3`, `1.0.0-rc.1+build.5`).
enum SemanticVersion {
    static func isValid(_ text: String) -> Bool {
        var rest = Substring(text)
        var build: Substring?
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...]
            rest = rest[..<plus]
        }
        var prerelease: Substring?
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, core.allSatisfy(isNumeric) else { return false }
        if let prerelease {
            let parts = prerelease.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ isIdentifier($0) && (!$0.allSatisfy(\.isASCIIDigit) || isNumeric($0)) }) else {
                return false
            }
        }
        if let build {
            guard build.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isIdentifier) else {
                return false
            }
        }
        return true
    }

    /// Digits without a leading zero (`0` itself is fine).
    static func isNumeric(_ part: Substring) -> Bool {
        !part.isEmpty && part.allSatisfy(\.isASCIIDigit) && (part == "0" || part.first != "0")
    }

    static func isIdentifier(_ part: Substring) -> Bool {
        !part.isEmpty && part.allSatisfy { $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}

extension ManifestReader {
    /// The longest `bin_name`: `<bin_name>.par.gz`, `<bin_name>_service.nk` and their temporary names must fit
    /// in a file name (255 bytes).
    static let maximumBinNameLength = 200

    /// Why `name` cannot be `[provider] bin_name` — it names files (the binary, `<bin_name>.par.gz`, the service
    /// key) — or `nil`. Checked where wasmcloud.toml is read, before any key or directory is made.
    static func binNameProblem(_ name: String) -> String? {
        let shown = name.unicodeScalars.count > 40 ? "the value" : "\"\(name)\""
        if name.isEmpty { return "the value is empty; give the binary's file name" }
        if name.utf8.count > maximumBinNameLength {
            return "the value is \(name.utf8.count) bytes long; a file name it makes must stay under 255 bytes, so use at most \(maximumBinNameLength)"
        }
        if let what = PortableName.firstUnportable(in: name) {
            return "\(shown) contains \(what); a bin_name is a file name of ASCII letters, digits, '_', '-' and '.'"
        }
        if name.hasPrefix(".") || name.hasPrefix("-") { return "\(shown) starts with '\(name.first!)'; a bin_name must start with a letter, digit or '_'" }
        return nil
    }
}

