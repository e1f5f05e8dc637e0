// A minimal wasmCloud capability provider in Swift, Foundation only.
//
// A wasmCloud host starts a provider with one line on its standard input: the host data, a JSON
// object encoded in base64. This provider decodes it, logs its provider key and lattice to stderr,
// then keeps reading stdin and exits cleanly (status 0) when the host closes it. With no host data
// it says so and exits 0; with malformed host data it logs an error and exits 1.
import Foundation

let name = "example-swift-provider"

/// The fields of wasmCloud's `HostData` this provider uses.
struct HostData: Decodable {
    var hostID: String?
    var lattice: String
    var providerKey: String
    var linkName: String?
    var instanceID: String?
    var config: [String: String]?

    enum CodingKeys: String, CodingKey {
        case hostID = "host_id"
        case lattice = "lattice_rpc_prefix"
        case providerKey = "provider_key"
        case linkName = "link_name"
        case instanceID = "instance_id"
        case config
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
}

enum HostDataError: Error, CustomStringConvertible {
    case notBase64
    case notJSON(String)

    var description: String {
        switch self {
        case .notBase64: return "host data is not valid base64"
        case .notJSON(let reason): return "host data is not the expected JSON object: \(reason)"
        }
    }
}

func decodeHostData(_ line: String) throws(HostDataError) -> HostData {
    var text = line
    while text.count % 4 != 0 { text += "=" }  // accept unpadded input too
    guard let bytes = Data(base64Encoded: text) else { throw .notBase64 }
    do {
        return try JSONDecoder().decode(HostData.self, from: bytes)
    } catch {
        throw .notJSON("\(error)")
    }
}

let line = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
if line.isEmpty {
    log("no host data given on stdin; exiting")
    exit(0)
}
do {
    let data = try decodeHostData(line)
    log("started with provider key \(data.providerKey) on lattice \(data.lattice)")
} catch {
    log("error: malformed host data: \(error)")
    exit(1)
}
// Serve until the host closes stdin.
while readLine() != nil {}
log("stdin closed; shutting down")
