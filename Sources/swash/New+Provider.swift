import ArgumentParser
import Foundation
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

        @Option(
            help: ArgumentHelp("Directory to create the project in.", discussion: "Default: the current directory.", valueName: "dir"),
            transform: Convert.path)
        var path: URL?

        @Option(
            help: ArgumentHelp(
                "A swash checkout for the swift template's dependency (`.package(path:)`).",
                discussion: "Default: the released swash, by URL and version.", valueName: "path"),
            transform: Convert.path)
        var swashPath: URL?

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let context = SwashContext.cli
            let projectName = try UsageError.check { try NewProject.Name(name, template: template) }
            let created = try NewProject.create(
                NewProject.Request(name: projectName, parent: path ?? context.currentDirectory, swashPath: swashPath),
                context: context)
            try output.print(
                json: ["path": created.path.path, "template": created.template.rawValue, "success": true],
                text: (["Created \(created.template.rawValue) provider project \(created.path.path)", "", "Next:"]
                    + created.nextCommands.map { "  " + $0 }).joined(separator: "\n"))
        }
    }
}

extension NewProject.Template: ExpressibleByArgument {}
