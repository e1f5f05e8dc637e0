import FileIO
import Foundation
import Registry

extension RegistryWorkflows {
    /// Credentials, first that applies: `-u/-p`, `WASH_REG_USER`/`WASH_REG_PASSWORD`, `defaults.credentials`,
    /// the `[registry] credentials` file, then Docker's configuration (`dockerCredentials`), so a
    /// `docker login` is enough.
    static func credentials(
        _ options: RegistryOptions, defaults: RegistryDefaults, for reference: OCIReference, context: SwashContext
    ) async throws(RegistryError) -> RegistryCredentials? {
        if let explicit = try resolveCredentials(options, defaults: defaults, for: reference, environment: context.environment) {
            return explicit
        }
        return try await dockerCredentials(for: reference, context: context, runner: options.runner)
    }

    /// The keys Docker files a registry's credentials under, most specific first: Docker Hub's is
    /// `https://index.docker.io/v1/`; others are the host (with port), with or without `https://`.
    static func dockerServerKeys(for registry: String) -> [String] {
        if [OCIReference.dockerHub, "index.docker.io", "registry-1.docker.io"].contains(registry) {
            return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"]
        }
        return [registry, "https://\(registry)", "http://\(registry)"]
    }

    /// Credentials from Docker's configuration: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    ///
    /// `credHelpers[registry]` names a helper for that registry, else `credsStore` one for all; a helper is run
    /// as `docker-credential-<name> get` with the server on stdin and answers `{"Username","Secret"}` (the
    /// protocol Docker documents). Without a helper, `auths[registry]` holds `auth` (base64 `user:password`) or
    /// `username`/`password`. A helper that is not installed, or knows no credentials, means none (with a notice
    /// for the former); identity tokens (`Username` `<token>`) are not supported and are skipped with a notice.
    /// - Returns: `nil` when nothing applies.
    /// - Throws: `RegistryError.invalidOption` for a configuration that is not JSON, or a helper that fails.
    static func dockerCredentials(for reference: OCIReference, context: SwashContext, runner: any CommandRunner)
        async throws(RegistryError) -> RegistryCredentials?
    {
        let directory = context.environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? context.homeDirectory.appendingPathComponent(".docker")
        let file = directory.appendingPathComponent("config.json")
        guard FileStatus.exists(file) else { return nil }
        struct Config: Decodable {
            struct Auth: Decodable {
                var auth: String?
                var username: String?
                var password: String?
            }
            var auths: [String: Auth]?
            var credHelpers: [String: String]?
            var credsStore: String?
        }
        let data: Data
        do { data = Data(try FileStatus.readSmallFile(file, limit: 1 << 20, what: "Docker's config.json")) } catch {
            throw .file(error)
        }
        let config: Config
        do { config = try JSONDecoder().decode(Config.self, from: data) } catch {
            throw .invalidOption(option: "Docker credentials", reason: "\"\(file.path)\" is not Docker's config.json (JSON with auths, credHelpers, credsStore)")
        }
        let keys = dockerServerKeys(for: reference.registry)
        let helper = keys.lazy.compactMap { config.credHelpers?[$0] }.first ?? config.credsStore
        if let helper, !helper.isEmpty {
            return try await helperCredentials(helper, server: keys[0], config: file, context: context, runner: runner)
        }
        guard let entry = keys.lazy.compactMap({ config.auths?[$0] }).first else { return nil }
        if let user = entry.username, let password = entry.password, !user.isEmpty {
            return RegistryCredentials(username: user, password: password)
        }
        guard let encoded = entry.auth, let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return RegistryCredentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
    }

    /// Runs `docker-credential-<helper> get` with `server` on stdin.
    private static func helperCredentials(
        _ helper: String, server: String, config: URL, context: SwashContext, runner: any CommandRunner
    ) async throws(RegistryError) -> RegistryCredentials? {
        let program = "docker-credential-\(helper)"
        var command = Command(program, ["get"], in: context.currentDirectory, environment: context.environment)
        command.standardInput = Data(server.utf8)
        let outcome: CommandOutcome
        do { outcome = try await runner.capture(command, limit: 64 << 10) } catch {
            if case .toolNotFound = error {
                context.notice("note: \(program), the credential helper \(config.path) names, is not installed; going on without Docker's credentials")
                return nil
            }
            throw .invalidOption(option: "Docker credential helper \(program)", reason: "\(error)")
        }
        let said = (outcome.tail + [String(decoding: outcome.standardOutput, as: UTF8.self)]).joined(separator: " ")
        guard outcome.exit.isSuccess else {
            if said.lowercased().contains("not found") { return nil }
            let last = outcome.tail.last ?? String(decoding: outcome.standardOutput.prefix(200), as: UTF8.self)
            throw .invalidOption(option: "Docker credential helper \(program)", reason: "`\(program) get` failed (\(outcome.exit)): \(last)")
        }
        struct Answer: Decodable {
            var Username: String?
            var Secret: String?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: outcome.standardOutput),
            let user = answer.Username, let secret = answer.Secret, !user.isEmpty
        else {
            throw .invalidOption(option: "Docker credential helper \(program)", reason: "`\(program) get` did not answer {\"Username\",\"Secret\"}")
        }
        if user == "<token>" {
            context.notice("note: \(program) gave an identity token for \(server), which swash does not support; going on without it")
            return nil
        }
        return RegistryCredentials(username: user, password: secret)
    }
}
