import Foundation
import SwashTestSupport
import Testing

/// wash's registry flags and credential sources, against a scripted registry on 127.0.0.1 that records what it
/// is sent: `-r/--registry` and `WASH_REG_URL`, `-c/--config`, `--monolithic-push` and `WASH_MONOLITHIC_PUSH`,
/// lowercased repository names, wash's push JSON, and credentials from Docker's `config.json` (`auths`, and a
/// credential helper run with the server on stdin).
@Suite("Registry flags and credentials as wash has them", .serialized, .timeLimit(.minutes(3)))
struct RegistryDropInTests {
    /// A registry that accepts any upload: HEAD blob → 404, POST → 202 with a Location, PATCH → 202, PUT → 201.
    /// With `credentials`, every request without exactly that Basic authorization gets a 401 challenge.
    static func acceptingRegistry(credentials: String? = nil) throws -> StubHTTPServer {
        try StubHTTPServer { request in
            if let credentials, request.headers["authorization"] != "Basic " + Data(credentials.utf8).base64EncodedString() {
                return StubResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="stub""#])
            }
            switch request.method {
            case "HEAD": return StubResponse(status: 404)
            case "POST": return StubResponse(status: 202, headers: ["Location": "/v2/upload/\(UUID().uuidString)"])
            case "PATCH": return StubResponse(status: 202, headers: ["Location": request.target])
            case "PUT": return StubResponse(status: 201)
            default: return StubResponse(status: 405)
            }
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func registryFlagLowercasingConfigAndWashJSON() async throws {
        let registry = try Self.acceptingRegistry()
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("dropin")
        let archive = try await makeTestArchive(in: home, size: 10_000)
        let config = home.appendingPathComponent("config.json")
        try Data(#"{"note":"from -c"}"#.utf8).write(to: config)

        let pushed = try await runSwashAsync(
            ["push", "Team/Provider:V1", archive.path, "-r", registry.address, "-c", config.path, "--insecure", "-o", "json"], home: home)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let object = try Self.json(pushed.stdout)
        #expect(object["url"] as? String == "\(registry.address)/team/provider:V1")
        #expect(object["tag"] as? String == "V1")
        #expect((object["digest"] as? String)?.hasPrefix("sha256:") == true)
        #expect(registry.requests.contains { $0.method == "PUT" && $0.target == "/v2/team/provider/manifests/V1" })
        #expect(registry.requests.contains { $0.method == "PUT" && $0.body == Data(#"{"note":"from -c"}"#.utf8) }, "the config blob")

        // WASH_REG_URL does what -r does.
        let viaEnvironment = try await runSwashAsync(
            ["push", "env/p:1", archive.path, "--insecure"], home: home, extraEnvironment: ["WASH_REG_URL": registry.address])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
        #expect(registry.requests.contains { $0.target == "/v2/env/p/manifests/1" })
    }

    @Test func monolithicPushIsOnePut() async throws {
        let home = try makeTemporaryDirectory("monolithic")
        let archive = try await makeTestArchive(in: home, size: 9 << 20)
        let size = try Data(contentsOf: archive).count
        for (flags, environment, chunked) in [
            ([String](), [String: String](), true), (["--monolithic-push"], [:], false), ([], ["WASH_MONOLITHIC_PUSH": "true"], false),
        ] {
            let registry = try Self.acceptingRegistry()
            defer { registry.stop() }
            let pushed = try await runSwashAsync(
                ["push", "\(registry.address)/m/p:1", archive.path, "--insecure"] + flags, home: home, extraEnvironment: environment)
            #expect(pushed.status == 0, "\(pushed.stderr)")
            let patches = registry.requests.filter { $0.method == "PATCH" }
            let layerPut = registry.requests.first { $0.method == "PUT" && $0.body.count == size }
            if chunked {
                // One PATCH streaming the whole archive, then an empty PUT ?digest=.
                #expect(patches.count == 1 && patches.first?.body.count == size, "\(flags) \(environment)")
                #expect(layerPut == nil)
            } else {
                #expect(patches.isEmpty, "\(flags) \(environment)")
                #expect(layerPut != nil, "the whole archive in one PUT")
            }
        }
    }

    @Test func credentialsFromDockersConfig() async throws {
        let registry = try Self.acceptingRegistry(credentials: "docker-user:docker-pass")
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("docker-auths")
        let archive = try await makeTestArchive(in: home, size: 10_000)
        let dockerDirectory = home.appendingPathComponent(".docker")
        try FileManager.default.createDirectory(at: dockerDirectory, withIntermediateDirectories: true)
        let auth = Data("docker-user:docker-pass".utf8).base64EncodedString()
        try Data(#"{"auths":{"\#(registry.address)":{"auth":"\#(auth)"}}}"#.utf8).write(to: dockerDirectory.appendingPathComponent("config.json"))

        let pushed = try await runSwashAsync(["push", "\(registry.address)/d/p:1", archive.path, "--insecure"], home: home)
        #expect(pushed.status == 0, "\(pushed.stderr)")

        // Flags win over Docker's file.
        let flagged = try await runSwashAsync(["push", "\(registry.address)/d/p:1", archive.path, "--insecure", "-u", "x", "-p", "y"], home: home)
        #expect(flagged.status == 1)
        #expect(flagged.stderr.contains("rejected the credentials"))
    }

    @Test func credentialsFromACredentialHelper() async throws {
        let registry = try Self.acceptingRegistry(credentials: "helper-user:helper-secret")
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("docker-helper")
        let archive = try await makeTestArchive(in: home, size: 10_000)
        let bin = home.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = home.appendingPathComponent("helper.log")
        let helper = bin.appendingPathComponent("docker-credential-test")
        try Data("""
            #!/bin/sh
            server=$(cat)
            echo "$1 $server" >> "\(log.path)"
            if [ "$1" = get ] && [ "$server" = "\(registry.address)" ]; then
              printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server"
            else
              echo "credentials not found in native keychain"; exit 1
            fi
            """.utf8).write(to: helper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper.path)
        let dockerConfig = home.appendingPathComponent("docker-config")
        try FileManager.default.createDirectory(at: dockerConfig, withIntermediateDirectories: true)
        try Data(#"{"credHelpers":{"\#(registry.address)":"test"},"auths":{"\#(registry.address)":{"auth":"bm86bm8="}}}"#.utf8)
            .write(to: dockerConfig.appendingPathComponent("config.json"))
        let environment = [
            "DOCKER_CONFIG": dockerConfig.path,
            "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        let pushed = try await runSwashAsync(["push", "\(registry.address)/h/p:1", archive.path, "--insecure"], home: home, extraEnvironment: environment)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("get \(registry.address)"), "the helper got the server on stdin")

        // A helper that knows nothing means no credentials: the registry's 401 is reported.
        try Data(#"{"credsStore":"test"}"#.utf8).write(to: dockerConfig.appendingPathComponent("config.json"))
        let other = try Self.acceptingRegistry(credentials: "a:b")
        defer { other.stop() }
        let anonymous = try await runSwashAsync(["push", "\(other.address)/h/p:1", archive.path, "--insecure"], home: home, extraEnvironment: environment)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("requires authentication"), "\(anonymous.stderr)")
    }
}
