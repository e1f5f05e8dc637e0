import ArgumentParser

@main
struct Swash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swash",
        abstract: "Build, sign, inspect and ship wasmCloud capability provider archives.",
        subcommands: [Build.self, Inspect.self, Par.self, Keys.self, New.self]
    )
}
