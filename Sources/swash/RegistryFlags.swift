import ArgumentParser
import SwashCore

/// `--insecure`, `--insecure-skip-tls-verify`, `-r/--registry`, `-u/--user`, `-p/--password`: how `push`, `pull`
/// and `inspect REF` reach a registry.
struct RegistryFlags: ParsableArguments {
    @Flag(name: .customLong("insecure"), help: "Talk plain HTTP instead of HTTPS (a local registry such as localhost:5000).")
    var insecure = false

    @Flag(
        name: .customLong("insecure-skip-tls-verify"),
        help: ArgumentHelp(
            "Talk HTTPS without verifying the registry's certificate.",
            discussion: "To trust a private CA instead, name its PEM file in SSL_CERT_FILE (or a hashed directory in SSL_CERT_DIR)."))
    var skipTLSVerify = false

    @Option(
        name: [.customShort("r"), .customLong("registry")],
        help: ArgumentHelp(
            "The registry for a reference that names none (host[:port]).",
            discussion: "Default: $WASH_REG_URL, else [registry] url of wasmcloud.toml, else docker.io.", valueName: "registry"))
    var registryURL: String?

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
        let context = SwashContext.cli
        let registry = registryURL ?? context.environment["WASH_REG_URL"].flatMap { $0.isEmpty ? nil : $0 }
        return RegistryOptions(
            insecure: insecure, skipTLSVerify: skipTLSVerify, username: user, password: password,
            defaults: RegistryDefaults(url: registry), projectDirectory: context.currentDirectory)
    }
}
