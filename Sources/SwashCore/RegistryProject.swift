import FileIO
import Foundation
import Registry
import WasmCloudManifest

extension RegistryWorkflows {
    /// The defaults in force: `options.defaults`, completed by the `[registry]` table of
    /// `<projectDirectory>/wasmcloud.toml` when there is such a file (explicit values win).
    ///
    /// The project file is a convenience: when it does not load (a component project, a syntax error),
    /// a note says so and push or pull go on without it.
    static func effectiveDefaults(_ options: RegistryOptions, context: SwashContext) -> RegistryDefaults {
        guard let directory = options.projectDirectory else { return options.defaults }
        let file = directory.appendingPathComponent("wasmcloud.toml")
        guard FileManager.default.fileExists(atPath: file.path) else { return options.defaults }
        let section: RegistrySection?
        do { section = try ProviderManifest.load(from: file).registry } catch {
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            context.notice("note: not using the [registry] settings of \(file.path): \(first)")
            return options.defaults
        }
        guard let section else { return options.defaults }
        var defaults = options.defaults
        defaults.url = defaults.url ?? section.url
        defaults.pushInsecure = defaults.pushInsecure || section.pushInsecure
        defaults.credentialsFile = defaults.credentialsFile ?? section.credentials
        return defaults
    }

    /// The entry of a wash registry credentials file (`[registry] credentials`) for a reference.
    ///
    /// The file is a JSON object from registry URL (`localhost:5000`, `https://ghcr.io/org`) to
    /// `{"username": …, "password": …}`, as wash keeps it. The longest key that is the reference's registry, or
    /// a `/`-bounded prefix of `registry/repository`, applies. Entries holding only a `token` are not supported.
    /// - Returns: `nil` when no entry applies.
    /// - Throws: `RegistryError.fileUnreadable`, or `.invalidRegistryOption` for a file that is not such a map.
    static func credentials(fromFile file: URL, for reference: OCIReference) throws(RegistryError) -> RegistryCredentials? {
        struct Entry: Decodable {
            var username: String?
            var password: String?
            var token: String?
        }
        let data: Data
        do { data = Data(try FileStatus.readSmallFile(file, limit: 1 << 20, what: "a credentials file")) } catch {
            throw .file(error)
        }
        let entries: [String: Entry]
        do { entries = try JSONDecoder().decode([String: Entry].self, from: data) } catch {
            throw .invalidOption(
                option: "[registry] credentials", reason: "\"\(file.path)\" is not a JSON object of registry → {\"username\", \"password\"}")
        }
        let name = "\(reference.registry)/\(reference.repository)"
        let matches = entries.compactMap { key, entry -> (Int, Entry)? in
            var prefix = Substring(key)
            for scheme in ["oci://", "https://", "http://"] where prefix.hasPrefix(scheme) { prefix = prefix.dropFirst(scheme.count) }
            while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
            guard !prefix.isEmpty, name == prefix || name.hasPrefix(prefix + "/") else { return nil }
            return (prefix.count, entry)
        }
        guard let (_, entry) = matches.max(by: { $0.0 < $1.0 }) else { return nil }
        guard let username = entry.username, let password = entry.password else {
            throw .invalidOption(
                option: "[registry] credentials",
                reason: "the entry for \(reference.registry) in \"\(file.path)\" needs a username and a password (tokens are not supported)")
        }
        return RegistryCredentials(username: username, password: password)
    }
}
