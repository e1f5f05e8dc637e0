import Foundation

/// A certificate authority made with `openssl` for one test: a self-signed RSA CA, a server certificate for
/// 127.0.0.1 and localhost signed by it, and RS256 JWTs signed with the CA's key (its certificate in `x5c`), as
/// the distribution registry's token authentication checks them.
public struct TestCertificateAuthority: Sendable {
    /// The directory holding the keys and certificates.
    public let directory: URL
    /// The CA certificate (PEM): what `SSL_CERT_FILE` and the registry's `rootcertbundle` name.
    public var certificate: URL { directory.appendingPathComponent("ca.crt") }
    /// The CA's private key (PEM).
    public var key: URL { directory.appendingPathComponent("ca.key") }
    /// The server certificate for 127.0.0.1 (PEM).
    public var serverCertificate: URL { directory.appendingPathComponent("server.crt") }
    /// The server's private key (PEM).
    public var serverKey: URL { directory.appendingPathComponent("server.key") }

    /// True when `openssl` is installed.
    public static var isAvailable: Bool { findProgram("openssl") != nil }

    /// Makes the CA and the server certificate in a new temporary directory.
    public init() throws {
        directory = try makeTemporaryDirectory("swash-ca")
        let script = """
            set -e
            cd "$0"
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=swash test CA" \
              -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
            """
        let result = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", script, directory.path],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        guard result.status == 0 else { throw TestSupportError("openssl failed: \(result.stderr)") }
    }

    /// An RS256 JWT of `claims`, signed with the CA key, the CA certificate (DER, base64) in its `x5c` header.
    public func signJWT(_ claims: [String: Any]) throws -> String {
        let pem = try String(contentsOf: certificate, encoding: .utf8)
        let der = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let header: [String: Any] = ["typ": "JWT", "alg": "RS256", "x5c": [der]]
        func encoded(_ object: Any) throws -> String {
            base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }
        let signingInput = try encoded(header) + "." + encoded(claims)
        let input = directory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try Data(signingInput.utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "openssl dgst -sha256 -sign \"$0\" \"$1\" | base64 -w0", key.path, input.path],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        guard result.status == 0, let signature = Data(base64Encoded: result.stdout) else {
            throw TestSupportError("openssl dgst failed: \(result.stderr)")
        }
        return signingInput + "." + base64URL(signature)
    }

    private func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A token service for the distribution registry's token authentication, on 127.0.0.1: it answers
/// `GET /token?service=…&scope=repository:<name>:<actions>` with `{"token": …}` — a JWT granting the asked
/// actions when the basic credentials are `user`, and `pull` alone on repositories under `public/` to anyone.
public final class TestTokenService: @unchecked Sendable {
    /// The HTTP server.
    public let server: StubHTTPServer
    /// The registry configuration that trusts this service.
    public let auth: RegistryServer.TokenAuth

    /// Starts the service.
    public init(authority: TestCertificateAuthority, user: (name: String, password: String)) throws {
        let service = "swash-test-registry"
        let issuer = "swash-test-token-service"
        let expected = "Basic " + Data("\(user.name):\(user.password)".utf8).base64EncodedString()
        server = try StubHTTPServer { request in
            let query = URLComponents(string: "http://x" + request.target)?.queryItems ?? []
            let authenticated = request.headers["authorization"] == expected
            if request.headers["authorization"] != nil, !authenticated {
                return StubResponse(status: 401, body: Data(#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#.utf8))
            }
            var access: [[String: Any]] = []
            for scope in query.filter({ $0.name == "scope" }).compactMap(\.value) {
                let parts = scope.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, parts[0] == "repository" else { continue }
                let asked = parts[2].split(separator: ",").map(String.init)
                let granted = authenticated ? asked : (parts[1].hasPrefix("public/") ? asked.filter { $0 == "pull" } : [])
                access.append(["type": "repository", "name": parts[1], "actions": granted])
            }
            let now = Int(Date().timeIntervalSince1970)
            let claims: [String: Any] = [
                "iss": issuer, "sub": authenticated ? user.name : "", "aud": service, "exp": now + 600, "nbf": now - 10,
                "iat": now, "jti": UUID().uuidString, "access": access,
            ]
            guard let token = try? authority.signJWT(claims) else { return StubResponse(status: 500) }
            return StubResponse(
                status: 200, headers: ["Content-Type": "application/json"],
                body: Data("{\"token\":\"\(token)\",\"expires_in\":600}".utf8))
        }
        auth = RegistryServer.TokenAuth(
            realm: "http://\(server.address)/token", service: service, issuer: issuer, rootBundle: authority.certificate)
    }

    /// Stops the service.
    public func stop() { server.stop() }
}
