import ArgumentParser
import SwashCore

extension Swash.New {
    /// `swash new provider NAME`.
    struct Provider: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a capability provider project in <path>/<name>, ready to build.",
            discussion: """
                The swift template is a Swift package with one executable product and a dependency on swash \
                for `swift package build-provider`; the rust template is a Cargo package (std only). Both have a \
                wasmcloud.toml, so `swash build` works in either. An existing directory is never overwritten.
                """)

        @Argument(help: "Project name: letters, digits, '-' and '_', starting with a letter. Also the binary's name.")
        var name: String

        @Option(help: "Project template: swift or rust.")
        var template: NewProject.Template = .swift

        @Option(help: ArgumentHelp("Directory to create the project in.", discussion: "Default: the current directory.", valueName: "dir"))
        var path: String?

        @Option(help: ArgumentHelp(
            "A swash checkout for the swift template's dependency (`.package(path:)`).",
            discussion: "Default: the released swash, by URL and version.", valueName: "path"))
        var swashPath: String?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            do {
                try NewProject.validate(name: name, template: template)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            try await output.run {
                let created = try NewProject.create(
                    NewProject.Request(name: name, template: template, parent: path, swashPath: swashPath),
                    context: .current())
                output.print(json: created.json, text: created.text)
            }
        }
    }
}

extension NewProject.Template: ExpressibleByArgument {}
