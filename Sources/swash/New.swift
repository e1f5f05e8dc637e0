import ArgumentParser

extension Swash {
    /// `swash new …`: new projects from the templates built into swash.
    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new project from a template built into swash.",
            subcommands: [Provider.self])
    }
}
