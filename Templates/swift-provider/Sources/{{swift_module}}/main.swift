// {{name}}: a wasmCloud capability provider.
//
// A wasmCloud host starts a provider with one line on its standard input: the host data, a JSON object
// encoded in base64. This provider logs its provider key and lattice to stderr, then serves until the host
// closes stdin, and exits 0. Replace the serving loop with your capability.
import Foundation

/// The fields of wasmCloud's `HostData` this provider uses.
struct HostData: Decodable {
    var providerKey: String
    var lattice: String

    enum CodingKeys: String, CodingKey {
        case providerKey = "provider_key"
        case lattice = "lattice_rpc_prefix"
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("{{bin_name}}: \(message)\n".utf8))
}

/// Decodes the host data line (padded or unpadded base64 of a JSON object).
func decodeHostData(_ line: String) -> HostData? {
    let padded = line + String(repeating: "=", count: (4 - line.count % 4) % 4)
    guard let json = Data(base64Encoded: padded) else { return nil }
    return try? JSONDecoder().decode(HostData.self, from: json)
}

let line = (readLine() ?? "").trimmingCharacters(in: .whitespaces)
if line.isEmpty {
    log("no host data given on stdin; exiting")
    exit(0)
}
guard let hostData = decodeHostData(line) else {
    log("error: malformed host data")
    exit(1)
}
log("started with provider key \(hostData.providerKey) on lattice \(hostData.lattice)")
while readLine() != nil {}  // Serve until the host closes stdin.
log("stdin closed; shutting down")
