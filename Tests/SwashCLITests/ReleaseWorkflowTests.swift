import Foundation
import SwashTestSupport
import Testing

/// The `.github/workflows/release.yml` that `swash new provider` writes: parsed with Python's yaml, and every
/// swash command line in it run in order, locally — each matrix runner simulated by its own project copy (a Go
/// cross build standing in for the native one), the merge and push against a real registry on 127.0.0.1 — so the
/// workflow cannot drift from the CLI.
@Suite("Release workflow of new projects", .serialized)
struct ReleaseWorkflowTests {
    /// The workflow as JSON, through PyYAML.
    static func parse(_ file: URL) throws -> [String: Any]? {
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file.path],
            environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else {
            print("note: python3 with PyYAML is not available; skipping the workflow check (\(result.stderr))")
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }

    /// The steps of a job: `(run, env)` for each step with a `run`.
    static func runSteps(_ workflow: [String: Any], job: String) throws -> [(run: String, env: [String: String])] {
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let steps = try #require((jobs[job] as? [String: Any])?["steps"] as? [[String: Any]])
        return steps.compactMap { step in
            (step["run"] as? String).map { ($0, step["env"] as? [String: String] ?? [:]) }
        }
    }

    /// Replaces `${{ name }}` expressions from `values`; an expression without a value fails the test.
    static func expand(_ text: String, _ values: [String: String]) -> String {
        var output = text
        while let open = output.range(of: "${{"), let close = output[open.upperBound...].range(of: "}}") {
            let name = output[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = values[name]
            #expect(value != nil, "the test does not know the expression ${{ \(name) }}")
            output.replaceSubrange(open.lowerBound..<close.upperBound, with: value ?? "")
        }
        return output
    }

    @Test(arguments: ["rust", "swift"])
    func everySwashCommandOfTheWorkflowRunsInOrder(template: String) async throws {
        guard BuildCommandTests.hasTool("go") else {
            print("note: go is not installed; skipping the release workflow run (make test installs golang-go)")
            return
        }
        let root = try makeTemporaryDirectory("release")
        let home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let created = try await runSwashAsync(["new", "provider", "relprov", "--template", template], home: home, in: root)
        #expect(created.status == 0, "\(created.stderr)")
        let file = root.appendingPathComponent("relprov/.github/workflows/release.yml")
        #expect(FileManager.default.fileExists(atPath: file.path))
        guard let workflow = try Self.parse(file) else { return }

        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let matrix = try #require(((jobs["build"] as? [String: Any])?["strategy"] as? [String: Any])?["matrix"] as? [String: Any])
        let include = try #require(matrix["include"] as? [[String: String]])
        let targets = include.compactMap { $0["target"] }
        #expect(targets.sorted() == MultiArchitectureTests.fiveTargets.sorted())
        #expect((jobs["release"] as? [String: Any])?["needs"] as? String == "build")

        // Keys from "repository secrets".
        let account = try await runSwashAsync(["keys", "gen", "account", "-o", "json"], home: home)
        let service = try await runSwashAsync(["keys", "gen", "service", "-o", "json"], home: home)
        func seed(_ result: CommandResult) throws -> String {
            try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["seed"] as? String)
        }
        let registry = try await RegistryServer.start(user: ("ci", "s3cret"))
        defer { registry.stop() }
        var values = [
            "secrets.WASH_ISSUER_KEY": try seed(account), "secrets.WASH_SUBJECT_KEY": try seed(service),
            "secrets.REGISTRY_USER": "ci", "secrets.REGISTRY_PASSWORD": "s3cret",
            "vars.REGISTRY": "\(registry.address)/acme", "github.ref_name": "v0.1.0",
        ]

        let swashDirectory = swashExecutable.deletingLastPathComponent().path
        var environment = MultiArchitectureTests.environment
        environment["PATH"] = swashDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = home.path
        environment["USER"] = "tester"
        environment["WASH_KEYS"] = root.appendingPathComponent("no-keys-here").path

        /// Runs the swash lines of a job's steps in `directory`; returns how many ran.
        func runJob(_ job: String, in directory: URL) async throws -> Int {
            var count = 0
            for step in try Self.runSteps(workflow, job: job) {
                let lines = step.run.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("swash ") }
                for line in lines {
                    var command = Self.expand(line, values)
                    // The test registry speaks plain HTTP on loopback.
                    if command.hasPrefix("swash push ") { command += " --insecure" }
                    var env = environment
                    for (name, value) in step.env { env[name] = Self.expand(value, values) }
                    let result = try await runProcessAsync(URL(fileURLWithPath: "/bin/sh"), ["-c", command], environment: env, in: directory)
                    #expect(result.status == 0, "`\(command)` in \(job): \(result.stderr)")
                    count += 1
                }
            }
            return count
        }

        // The build job, once per matrix entry, each "runner" in its own copy of a project named relprov.
        let artifacts = root.appendingPathComponent("release-runner/artifacts")
        for target in targets {
            let project = try BuildCommandTests.copyExample("go-provider")
            let manifest = project.appendingPathComponent("wasmcloud.toml")
            let text = try String(contentsOf: manifest, encoding: .utf8)
                .replacingOccurrences(of: "bin_name = \"example-go-provider\"", with: "bin_name = \"relprov\"")
            try Data(text.utf8).write(to: manifest)
            values["matrix.target"] = target
            #expect(try await runJob("build", in: project) == 1)
            // upload-artifact, then download-artifact into artifacts/<artifact name>/.
            let name = Self.expand("par-${{ matrix.target }}", values)
            let folder = artifacts.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: project.appendingPathComponent("build/relprov.par.gz"), to: folder.appendingPathComponent("relprov.par.gz"))
        }
        values["matrix.target"] = nil

        // The release job: merge, inspect, push.
        let runner = artifacts.deletingLastPathComponent()
        #expect(try await runJob("release", in: runner) == 3)
        let pulled = try await runSwashAsync(
            ["pull", "\(registry.address)/acme/relprov:v0.1.0", "--insecure", "-u", "ci", "-p", "s3cret", "--destination", "pulled.par.gz"],
            home: home, in: root)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let inspected = try await runSwashAsync(["inspect", "pulled.par.gz", "-o", "json"], home: home, in: root)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        #expect(object["targets"] as? [String] == targets.sorted())
        #expect(object["issuer"] as? String == (try JSONSerialization.jsonObject(with: Data(account.stdout.utf8)) as? [String: Any])?["public_key"] as? String)
    }
}
