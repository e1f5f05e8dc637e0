import ArgumentParser
import SwashCore

/// `--insecure`, `-u/--user`, `-p/--password`: how `push` and `pull` reach a registry.
struct RegistryFlags: ParsableArguments {
    @Flag(name: .customLong("insecure"), help: "Talk plain HTTP instead of HTTPS (a local registry such as localhost:5000).")
    var insecure = false

    @Option(
        name: [.customShort("u"), .customLong("user")],
        help: ArgumentHelp("Registry user name.", discussion: "Default: $WASH_REG_USER.", valueName: "user"))
    var user: String?

    @Option(
        name: [.customShort("p"), .customLong("password")],
        help: ArgumentHelp("Registry password or token.", discussion: "Default: $WASH_REG_PASSWORD.", valueName: "password"))
    var password: String?

    func validate() throws {
        if (user == nil) != (password == nil) {
            throw ValidationError("give -u/--user and -p/--password together (or set WASH_REG_USER and WASH_REG_PASSWORD)")
        }
    }

    /// The flags as SwashCore options; `[registry]` of the current directory's wasmcloud.toml supplies defaults.
    var options: RegistryOptions {
        RegistryOptions(insecure: insecure, username: user, password: password, projectDirectory: SwashContext.cli.currentDirectory)
    }
}
