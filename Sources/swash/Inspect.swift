import ArgumentParser
import Foundation
import Registry
import SwashCore
import UntrustedText

extension Swash {
    /// `swash inspect`.
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a provider archive and show its claims.",
            discussion: ArchiveInspectOptions.discussion)

        @OptionGroup var inspect: ArchiveInspectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await inspect.run(output: output)
        }
    }
}

/// The argument and flag of `inspect` and `par inspect`, and what they do.
struct ArchiveInspectOptions: ParsableArguments {
    static let discussion = """
        Reads the whole archive without extracting anything: every binary's SHA-256 is checked against \
        the claims, the gzip trailer is checked, and the claims' Ed25519 signature is verified against the \
        issuer. A damaged, tampered or unsigned archive exits 1 saying what failed. --jwt-only prints \
        the raw claims token and reads no further than it. An OCI reference (registry/repository:tag) is \
        pulled into ~/.wash/cache/swash first (--insecure, -u/-p as for pull).
        """

    @Argument(
        help: ArgumentHelp("The archive (.par.gz or .par), or an OCI reference such as localhost:5000/p/http:0.1.0.", valueName: "archive|reference"),
        transform: Convert.nonBlank)
    var archive: String

    @OptionGroup var registry: RegistryFlags

    @Option(
        name: [.customShort("d"), .customLong("digest")],
        help: ArgumentHelp("For a reference: the manifest digest the artifact must have.", valueName: "sha256:…"),
        transform: Convert.digest)
    var digest: OCIDigest?

    @Flag(name: .customLong("allow-latest"), help: "For a reference: allow the tag latest (or no tag).")
    var allowLatest = false

    @Flag(name: .customLong("no-cache"), help: "For a reference: download the archive even when the cache holds it.")
    var noCache = false

    @Flag(name: .long, help: "Print only the raw claims token (claims.jwt).")
    var jwtOnly = false

    @Flag(
        name: [.customLong("wit"), .customLong("world")],
        help: "Print the WIT of the embedded world.wasm (decoded by wasm-tools).")
    var wit = false

    func validate() throws {
        if jwtOnly, wit { throw ValidationError("give --jwt-only or --wit, not both") }
    }

    func run(output: OutputOptions) async throws {
        let context = SwashContext.cli
        let options = PullOptions(registry: registry.options, digest: digest, allowLatest: allowLatest)
        let url = try await RegistryWorkflows.archiveForInspection(archive, options: options, noCache: noCache, context: context)
        if wit {
            let text = try await WitWorkflows.text(of: url, context: context)
            try output.print(json: ["wit": text, "success": true], text: text.hasSuffix("\n") ? String(text.dropLast()) : text, essential: true)
            return
        }
        if jwtOnly {
            let token = try await ArchiveWorkflows.token(url)
            try output.print(json: ["token": token.encoded, "success": true], text: token.encoded, essential: true)
            return
        }
        let report = try await ArchiveWorkflows.inspect(url)
        try output.print(json: Self.json(report), text: Self.text(report), essential: true)
        if let problem = report.trustProblem { throw InspectionFailure(description: problem) }
    }

    /// `<name> - Capability Provider`, the rows, then the targets. Text read from the archive is escaped.
    static func text(_ report: ArchiveReport) -> String {
        func shown(_ text: String?) -> String { text.map { UntrustedText.escape($0) } ?? "None" }
        var rows: [(String, String)] = [
            ("Account", report.issuer), ("Service", report.service), ("Vendor", shown(report.vendor)),
            ("Version", shown(report.version)), ("Revision", report.revision.map(String.init) ?? "None"),
        ]
        if let capid = report.capabilityContractID { rows.append(("Capability Contract ID", shown(capid))) }
        rows.append(("Signature", report.signatureValid ? "valid" : "INVALID"))
        if let expired = report.expiredAt { rows.append(("Expired", "\(expired) (unix seconds)")) }
        if let notBefore = report.notValidBefore { rows.append(("Not valid before", "\(notBefore) (unix seconds)")) }
        let width = rows.map(\.0.count).max() ?? 0
        var lines = ["\(shown(report.name)) - Capability Provider"]
        lines += rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        lines.append("Supported Architecture Targets")
        lines += report.targets.map { "  " + UntrustedText.escape($0.rawValue) }
        return lines.joined(separator: "\n")
    }

    /// `name, issuer, service, vendor, version, revision, targets, capability_contract_id?, schema?,
    /// signature_valid, success` (JSON escapes control characters itself).
    static func json(_ report: ArchiveReport) -> [String: Any] {
        var object: [String: Any] = [
            "name": report.name ?? "None", "issuer": report.issuer, "service": report.service,
            "vendor": report.vendor, "version": report.version ?? "None",
            "revision": report.revision.map(String.init) ?? "None",
            "targets": report.targets.map(\.rawValue),
            "signature_valid": report.signatureValid, "success": report.isValid,
        ]
        if let capid = report.capabilityContractID { object["capability_contract_id"] = capid }
        if let schema = report.schema,
            let value = try? JSONSerialization.jsonObject(with: Data(schema.utf8), options: [.fragmentsAllowed])
        {
            object["schema"] = value
        }
        return object
    }
}

/// An archive whose claims cannot be trusted: its report was printed, and this ends the command with exit 1.
struct InspectionFailure: Error, CustomStringConvertible {
    var description: String
}
