import Foundation
import SwashTestSupport
import Testing

/// `swash push` / `pull` against `docker-registry` serving HTTPS with a CA made in the test (trusted through
/// `SSL_CERT_FILE`, or skipped with `--insecure-skip-tls-verify`), and against one that checks bearer tokens
/// issued by a token service written here (the registry verifies them; swash gets them through the challenge).
@Suite(
    "Registries with TLS and token authentication",
    .enabled(if: RegistryServer.isAvailable && TestCertificateAuthority.isAvailable), .timeLimit(.minutes(3)))
struct RegistryTLSAndTokenTests {
    static func swash(_ arguments: [String], home: URL, environment: [String: String] = [:]) async throws -> CommandResult {
        try await runSwashAsync(arguments, home: home, extraEnvironment: environment)
    }

    @Test func httpsWithAPrivateCA() async throws {
        let authority = try await offCooperativePool { try TestCertificateAuthority() }
        let registry = try await RegistryServer.start(tls: authority)
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("tls")
        let archive = try await makeTestArchive(in: home, size: 50_000)
        let reference = "\(registry.address)/tls/p:0.1.0"
        // Point SSL_CERT_FILE elsewhere for the untrusted case, so the machine's own store cannot matter.
        let untrusted = try await Self.swash(["push", reference, archive.path], home: home, environment: ["SSL_CERT_FILE": "/dev/null"])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("its TLS certificate is not trusted"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("SSL_CERT_FILE") && untrusted.stderr.contains("--insecure-skip-tls-verify"))

        let trusted = try await Self.swash(["push", reference, archive.path], home: home, environment: ["SSL_CERT_FILE": authority.certificate.path])
        #expect(trusted.status == 0, "\(trusted.stderr)")

        let out = try makeTemporaryDirectory("tls-out")
        let skipped = try await Self.swash(
            ["pull", reference, "--insecure-skip-tls-verify", "--destination", out.appendingPathComponent("p.par.gz").path],
            home: home, environment: ["SSL_CERT_FILE": "/dev/null"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("p.par.gz")) == Data(contentsOf: archive))

        // Plain HTTP to the TLS port fails, naming the registry.
        let plain = try await Self.swash(["pull", reference, "--insecure"], home: home)
        #expect(plain.status == 1)
        #expect(plain.stderr.contains(registry.address))
    }

    @Test func aRedirectFromHTTPSToPlainHTTPIsNotFollowed() async throws {
        let authority = try await offCooperativePool { try TestCertificateAuthority() }
        let plain = try StubHTTPServer { _ in StubResponse(status: 200, body: Data("{}".utf8)) }
        defer { plain.stop() }
        // A small HTTPS server (Python's ssl, the test CA's certificate) answering every GET with a 307 to plain http.
        let portFile = authority.directory.appendingPathComponent("port")
        let script = """
            import http.server, ssl, sys
            port_file, cert, key, target = sys.argv[1:5]
            class Redirect(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(307)
                    self.send_header("Location", target + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
            open(port_file, "w").write(str(server.server_address[1]))
            server.serve_forever()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, portFile.path, authority.serverCertificate.path, authority.serverKey.path, "http://\(plain.address)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var port: String?
        for _ in 0..<250 where port == nil {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
            if port == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let address = "127.0.0.1:\(try #require(port))"
        let home = try makeTemporaryDirectory("redirect")
        let refused = try await Self.swash(
            ["pull", "\(address)/demo/p:1", "-u", "ci", "-p", "s3cret"], home: home, environment: ["SSL_CERT_FILE": authority.certificate.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("redirects from https to plain http"), "\(refused.stderr)")
        #expect(plain.requests.isEmpty, "nothing was sent over plain http")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: home.path)) == [])
    }

    @Test func bearerTokensThroughTheChallengeFlow() async throws {
        let authority = try await offCooperativePool { try TestCertificateAuthority() }
        let tokens = try TestTokenService(authority: authority, user: ("ci", "s3cret"))
        defer { tokens.stop() }
        let registry = try await RegistryServer.start(token: tokens.auth)
        defer { registry.stop() }
        let home = try makeTemporaryDirectory("token")
        let archive = try await makeTestArchive(in: home, size: 30_000)

        // Without credentials the registry's challenge is answered with a token that grants nothing.
        let anonymous = try await Self.swash(["push", "\(registry.address)/team/p:0.1.0", archive.path, "--insecure"], home: home)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("registry \(registry.address)"), "\(anonymous.stderr)")

        let wrong = try await Self.swash(
            ["push", "\(registry.address)/team/p:0.1.0", archive.path, "--insecure", "-u", "ci", "-p", "nope"], home: home)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("rejected the credentials"), "\(wrong.stderr)")

        for repository in ["team/p", "public/p"] {
            let pushed = try await Self.swash(
                ["push", "\(registry.address)/\(repository):0.1.0", archive.path, "--insecure", "-u", "ci", "-p", "s3cret"], home: home)
            #expect(pushed.status == 0, "\(pushed.stderr)")
        }
        #expect(tokens.server.requests.contains { $0.target.contains("scope=repository%3Ateam/p%3Apull,push") || $0.target.contains("scope=repository:team/p:pull,push") })

        let out = try makeTemporaryDirectory("token-out")
        let pulled = try await Self.swash(
            ["pull", "\(registry.address)/team/p:0.1.0", "--insecure", "-u", "ci", "-p", "s3cret", "--destination", out.appendingPathComponent("team.par.gz").path],
            home: home)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("team.par.gz")) == Data(contentsOf: archive))

        // Anonymous pull: allowed for the public repository, refused for the private one.
        let publicPull = try await Self.swash(
            ["pull", "\(registry.address)/public/p:0.1.0", "--insecure", "--destination", out.appendingPathComponent("public.par.gz").path], home: home)
        #expect(publicPull.status == 0, "\(publicPull.stderr)")
        let privatePull = try await Self.swash(
            ["pull", "\(registry.address)/team/p:0.1.0", "--insecure", "--destination", out.appendingPathComponent("private.par.gz").path], home: home)
        #expect(privatePull.status == 1)
        #expect(privatePull.stderr.contains("requires authentication") || privatePull.stderr.contains("denied"), "\(privatePull.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("private.par.gz").path))
    }
}
