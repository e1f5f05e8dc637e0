import ArgumentParser

extension Swash {
    /// `swash reg push|pull`: wash 0.22–0.26's spelling of `push` and `pull`, still found in scripts.
    struct Reg: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push and pull provider archives (the older `wash reg` spelling of `swash push|pull`).",
            subcommands: [Push.self, Pull.self])
    }
}
