import Foundation
import SwashTestSupport
import Testing

/// The plugin with a prebuilt tool: a copy of the checkout with `Artifacts/swash.artifactbundle` (made by
/// `Scripts/artifactbundle` from the swash under test, as `make artifactbundle` makes it from a release build),
/// used by a new project through a local path. Its first `build-provider` must package without compiling swash.
@Suite("build-provider with a prebuilt artifact bundle", .timeLimit(.minutes(20)))
struct PluginArtifactBundleTests {
    /// The checkout's files as git sees them (tracked and untracked, not ignored), copied to `destination`.
    static func copyCheckout(to destination: URL) throws {
        let script = """
            git -C "$0" ls-files -co --exclude-standard -z | grep -zv '^Artifacts/' | (cd "$0" && tar --null -T - -cf -) \
            | (mkdir -p "$1" && cd "$1" && tar -xf -)
            """
        let copy = try runProcess(
            URL(fileURLWithPath: "/bin/bash"), ["-c", "set -o pipefail; " + script, PluginPackage.checkout.path, destination.path],
            environment: ProcessInfo.processInfo.environment)
        guard copy.status == 0 else { throw SetupFailure("copying the checkout failed: \(copy.stderr)") }
    }

    @Test func aNewProjectPackagesWithThePrebuiltToolWithoutCompilingSwash() async throws {
        guard let swift = programOnPath("swift"), programOnPath("git") != nil else { return }
        guard FileManager.default.fileExists(atPath: PluginPackage.checkout.appendingPathComponent(".git").path) else {
            print("note: the checkout is not a git clone; skipping the artifact bundle test")
            return
        }
        let sandbox = try Sandbox("swash-plugin-bundle")
        let swashCopy = sandbox.root.appendingPathComponent("swash")
        try await offCooperativePool { try Self.copyCheckout(to: swashCopy) }
        let bundled = try await runProcessAsync(
            swashCopy.appendingPathComponent("Scripts/artifactbundle"),
            [swashExecutable.path, swashCopy.appendingPathComponent("Artifacts").path],
            environment: ProcessInfo.processInfo.environment, in: swashCopy)
        #expect(bundled.status == 0, "\(bundled.stderr)")
        let info = swashCopy.appendingPathComponent("Artifacts/swash.artifactbundle/info.json")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: info)) as? [String: Any])
        let artifact = try #require((manifest["artifacts"] as? [String: Any])?["swash"] as? [String: Any])
        #expect(artifact["type"] as? String == "executable")

        let created = try await sandbox.swash(["new", "provider", "bundled", "--swash-path", swashCopy.path], in: sandbox.root)
        #expect(created.status == 0, "\(created.stderr)")
        let project = sandbox.root.appendingPathComponent("bundled")
        if let resolved = try? Data(contentsOf: PluginPackage.checkout.appendingPathComponent("Package.resolved")) {
            try resolved.write(to: project.appendingPathComponent("Package.resolved"))
        }

        let help = try await PluginPackage.run(swift, ["--help"], in: project, sandbox: sandbox, fromSource: false)
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.stdout.contains("--product") && help.stdout.contains("--disable-keygen"), "plugin and swash build options")

        let built = try await PluginPackage.run(swift, [], in: project, sandbox: sandbox, fromSource: false)
        #expect(built.status == 0, "\(built.stdout)\n\(built.stderr)")
        let log = built.stdout + built.stderr
        for module in ["SwashCore", "ArgumentParser", "Subprocess", "ProviderArchiveKit"] {
            #expect(!log.contains("Compiling \(module)"), "the prebuilt tool is used, \(module) is not compiled")
        }
        let (inspect, _) = try await sandbox.verify(project.appendingPathComponent("build/bundled.par.gz"), service: "bundled")
        #expect(inspect["name"] as? String != nil)
    }
}
