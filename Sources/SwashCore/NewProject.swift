import FileIO
import Foundation

/// `swash new provider`: a new provider project from one of the templates shipped inside swash.
///
/// The templates live in `Templates/<template>-provider/` and are embedded in the binary
/// (`NewProjectTemplates.swift`, written by `Scripts/embed-templates`), so an installed swash needs no files
/// beside it. Paths and contents hold `{{placeholder}}`s that `render` fills in.
public enum NewProject {
    /// A project template.
    public enum Template: String, CaseIterable, Sendable, Codable {
        /// A Swift package whose only executable product is the provider; it depends on swash for the
        /// `build-provider` plugin.
        case swift
        /// A Cargo package, standard library only.
        case rust
    }

    /// One file of a template: its path relative to the project and its contents, both with placeholders.
    public struct TemplateFile: Sendable, Equatable {
        /// The relative path, `/`-separated.
        public var path: String
        /// The text.
        public var contents: String
    }

    /// How a new Swift project depends on swash (the `{{swash_dependency}}` placeholder).
    public enum SwashDependency: Sendable, Equatable {
        /// A released swash: `.package(url: URL, from: VERSION)`.
        case remote(url: String, from: String)
        /// A local checkout: `.package(path: PATH)`, for trying unreleased swash.
        case path(String)

        /// The default: swash's canonical repository, from its first release.
        public static let canonical = SwashDependency.remote(url: "https://github.com/swash-dev/swash", from: "0.1.0")

        /// The `.package(…)` line of Package.swift.
        public var packageLine: String {
            switch self {
            case .remote(let url, let version): return ".package(url: \(swiftString(url)), from: \(swiftString(version)))"
            case .path(let path): return ".package(path: \(swiftString(path)))"
            }
        }

        private func swiftString(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }

    /// A project name checked against a template's rules (`validate(name:template:)`): holding one is proof
    /// of the check.
    public struct Name: Sendable, Hashable {
        /// The name.
        public let text: String
        /// The template it was checked for.
        public let template: Template

        /// Checks `text` as the name of a project made from `template`.
        /// - Throws: `ProjectError.invalidProjectName` saying which rule it breaks.
        public init(_ text: String, template: Template) throws(ProjectError) {
            try NewProject.validate(name: text, template: template)
            self.text = text
            self.template = template
        }
    }

    /// What `swash new provider` was asked to do.
    public struct Request: Sendable {
        /// The project's name (its directory, package and binary name) and template.
        public var name: Name
        /// The template.
        public var template: Template { name.template }
        /// `--path`: the directory to create the project in.
        public var parent: URL
        /// `--swash-path`: a swash checkout for the Swift template's dependency (default: `SwashDependency.canonical`).
        public var swashPath: URL?

        /// A request from the command's arguments.
        public init(name: Name, parent: URL, swashPath: URL? = nil) {
            self.name = name
            self.parent = parent
            self.swashPath = swashPath
        }
    }

    /// A project that was created.
    public struct Created: Sendable, Codable {
        /// The project directory.
        public var path: URL
        /// The template it came from.
        public var template: Template
        /// The commands to run next, to be shown to the user.
        public var nextCommands: [String]
    }

    /// Names a new project must not take: they collide with a package, product or module in swash's own
    /// package graph (which a Swift project depends on) or with Swift's own modules, or Cargo forbids them
    /// as binary names. Compared case-insensitively.
    static let reservedNames: [Template: Set<String>] = [
        .swift: [
            // swash's package, products and targets
            // (a test checks every name declared in Package.swift is here)
            "swash", "swashcore", "tomllite", "nkeys", "wascap", "providerarchivekit", "wasmcloudmanifest",
            "fileio", "registry", "untrustedtext", "toml-decoder", "toml_decoder", "csodium", "carchive", "cdeflate",
            "czlib", "ccurl", "ccrypto", "buildproviderplugin", "swashprebuilt", "swashtestsupport", "tomllitetests", "nkeystests", "wascaptests",
            "providerarchivekittests", "wasmcloudmanifesttests", "swashcoretests", "swashclitests", "fileiotests",
            "registrytests", "swashcommandtests",
            // its dependencies' packages, products and targets
            "swift-argument-parser", "argumentparser", "argumentparsertoolinfo", "generatemanual",
            "generatedoccreference", "generate-manual", "generate-docc-reference", "swift-subprocess", "subprocess",
            "_subprocesscshims", "swift-system", "systempackage", "csystem",
            // Swift's modules
            "swift", "foundation", "foundationessentials", "foundationinternationalization", "dispatch", "glibc",
            "musl", "darwin", "xctest", "testing", "packagedescription", "packageplugin", "observation",
            "synchronization", "distributed", "regexbuilder", "_concurrency", "_stringprocessing", "cxx", "os",
        ],
        .rust: ["build", "deps", "examples", "incremental"],
    ]

    /// Checks that `name` can name a project made from `template`.
    /// - Throws: `ProjectError.invalidProjectName` saying which rule it breaks.
    public static func validate(name: String, template: Template) throws(ProjectError) {
        func invalid(_ reason: String) -> ProjectError { .invalidProjectName(name, reason: reason) }
        guard let first = name.unicodeScalars.first else { throw invalid("it is empty") }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && (isLetter($0) || isDigit($0) || $0 == "-" || $0 == "_") }) else {
            throw invalid("use only ASCII letters, digits, '-' and '_'")
        }
        guard isLetter(first) else { throw invalid("it must start with a letter") }
        guard name.count <= 64 else { throw invalid("it is longer than 64 characters") }
        let forms = [name.lowercased(), swiftModuleName(name).lowercased()]
        if let clash = forms.first(where: { reservedNames[template, default: []].contains($0) }) {
            throw invalid(
                template == .swift
                    ? "\"\(clash)\" is already a package, product or module name in swash's package graph or in Swift"
                    : "Cargo reserves \"\(clash)\" for its own build directories")
        }
    }

    /// The values of the placeholders for a project named `name`.
    ///
    /// `{{name}}` and `{{bin_name}}` are the name as given; `{{swift_module}}` is its UpperCamelCase Swift
    /// identifier (`my-provider` → `MyProvider`); `{{crate_name}}` is the Rust crate name (`my_provider`);
    /// `{{swash_dependency}}` is the Swift package dependency on swash; `{{wit_name}}` is the WIT package name
    /// (`witName`).
    public static func placeholders(name: String, swashDependency: SwashDependency) -> [String: String] {
        [
            "name": name, "bin_name": name, "swift_module": swiftModuleName(name),
            "crate_name": name.replacingOccurrences(of: "-", with: "_"),
            "swash_dependency": swashDependency.packageLine, "wit_name": witName(name),
        ]
    }

    /// `My_Provider-2` → `my-provider-n2`: a WIT package name (lowercase words joined by `-`, each starting with a
    /// letter).
    static func witName(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" })
            .map { $0.first?.isLetter == true ? String($0) : "n" + $0 }.joined(separator: "-")
    }

    /// A template's files with every `{{placeholder}}` in paths and contents replaced (a `${{ … }}` GitHub Actions
    /// expression is left as it is).
    /// - Throws: `ProjectError.templateInvalid` when a file names a placeholder that `values` lacks.
    public static func render(_ template: Template, values: [String: String]) throws(ProjectError) -> [TemplateFile] {
        var rendered: [TemplateFile] = []
        for file in template.files {
            rendered.append(
                TemplateFile(
                    path: try fill(file.path, values, template: template, file: file.path),
                    contents: try fill(file.contents, values, template: template, file: file.path)))
        }
        return rendered
    }

    /// Creates `<parent>/<name>` from the template: rendered into a temporary directory beside it, then
    /// moved into place, so a failure leaves no half-made project and an existing one is never touched.
    /// - Parameters:
    ///   - request: name, template, parent directory and swash dependency.
    ///   - context: resolves relative paths.
    /// - Returns: the project's path and the commands to run next.
    /// - Throws: `ProjectError.projectExists` when the destination exists,
    ///   `.swashCheckoutNotFound` for a `--swash-path` without Package.swift, `.projectWriteFailed` when the
    ///   parent directory is missing or unwritable.
    public static func create(_ request: Request, context: SwashContext) throws(ProjectError) -> Created {
        var dependency = SwashDependency.canonical
        if let checkout = request.swashPath {
            guard FileStatus.exists(checkout.appendingPathComponent("Package.swift")) else {
                throw .swashCheckoutNotFound(path: checkout.path)
            }
            dependency = .path(checkout.path)
        }
        let files = try render(request.template, values: placeholders(name: request.name.text, swashDependency: dependency))

        let destination = request.parent.appendingPathComponent(request.name.text)
        try ProjectDirectory.write(files, to: destination)
        return Created(
            path: destination, template: request.template,
            nextCommands: nextCommands(destination, template: request.template, currentDirectory: context.currentDirectory))
    }

    /// `cd` (relative when below the current directory), then the build command.
    static func nextCommands(_ project: URL, template: Template, currentDirectory: URL) -> [String] {
        let base = currentDirectory.standardizedFileURL.path
        let path = project.standardizedFileURL.path
        let shown = path.hasPrefix(base == "/" ? "/" : base + "/") ? String(path.dropFirst(base == "/" ? 1 : base.count + 1)) : path
        switch template {
        case .swift:
            return ["cd \(shown)", "swift package --allow-writing-to-package-directory build-provider   # or: swash build"]
        case .rust:
            return ["cd \(shown)", "swash build"]
        }
    }

    /// `my-provider` → `MyProvider`: the parts between `-` and `_`, each with its first letter uppercased.
    static func swiftModuleName(_ name: String) -> String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// Replaces each `{{key}}` in `text` with `values[key]`.
    private static func fill(
        _ text: String, _ values: [String: String], template: Template, file: String
    ) throws(ProjectError) -> String {
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw .templateInvalid(template: template.rawValue, file: file, reason: "\"{{\" without \"}}\"")
            }
            // `${{ … }}` is a GitHub Actions expression (the release workflow): copied as it is.
            if output.hasSuffix("$") {
                output += rest[open.lowerBound..<close.upperBound]
                rest = rest[close.upperBound...]
                continue
            }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[key] else {
                throw .templateInvalid(template: template.rawValue, file: file, reason: "unknown placeholder {{\(key)}}")
            }
            output += value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }
}
