import ArgumentParser

@main
struct Swash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swash",
        abstract: "Build, sign, inspect and ship wasmCloud capability provider archives.",
        subcommands: [Build.self, New.self, Inspect.self, Par.self, Push.self, Pull.self, Keys.self]
    )
}
