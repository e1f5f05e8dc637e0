import Foundation
import SwashTestSupport
import Testing
import WasmCloudManifest

/// Every real wasmcloud.toml of the shared corpus (read in place), with what reading it must give.
@Suite("wasmcloud.toml corpus", .enabled(if: Corpora.available, "needs ../shared/corpora"))
struct CorpusTests {
    enum Outcome: Sendable {
        /// Loads; `targetPath` is `[rust] target_path` relative to the corpus directory.
        case loads(
            ProviderManifest.Language, name: String, version: String, vendor: String, binName: String?,
            targetPath: String? = nil)
        /// A Rust provider without `version` and no Cargo.toml beside it in the corpus.
        case missingVersion
        /// A component or actor project.
        case notAProvider(String)
        /// `[build]` is a table where `build` must be a path.
        case buildIsATable
    }

    static let expectations: [String: Outcome] = [
        "64BitAsura__WasmCloud-websocket-client-provider__wasmcloud.toml": .buildIsATable,
        "Mattilsynet__h8s-provider__wasmcloud.toml":
            .loads(.go, name: "h8s-provider", version: "0.1.0", vendor: "mattilsynet", binName: "h8s-provider"),
        "couchbaselabs__wasmcloud-provider-couchbase__wasmcloud.toml":
            .loads(.go, name: "Couchbase", version: "0.1.0", vendor: "wasmCloud", binName: "wasmcloud-provider-couchbase"),
        "jamesstocktonj1__ticker-provider__wasmcloud.toml":
            .loads(.go, name: "Ticker", version: "0.1.0", vendor: "jamesstocktonj1", binName: "wasmcloud-ticker-provider"),
        "lxfontes__unprovider__wasmcloud.toml":
            .loads(.go, name: "Unprovider", version: "0.1.0", vendor: "wasmCloud", binName: "unprovider"),
        "thomastaylor312__ollama-provider__wasmcloud.toml": .missingVersion,
        "wasmCloud__examples__actor__echo__wasmcloud.toml": .notAProvider("actor"),
        "wasmCloud__examples__actor__kvcounter-tinygo__wasmcloud.toml": .notAProvider("actor"),
        "wasmCloud__examples__petclinic__actors__ui__wasmcloud.toml": .notAProvider("actor"),
        "wasmCloud__wasmCloud__crates__providers__blobstore-azure__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__crates__providers__blobstore-fs__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__crates__providers__http-server__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__crates__providers__kv-redis__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__crates__providers__messaging-nats__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__crates__wash__tests__fixtures__integrated-wkg-extended__wasmcloud.toml":
            .notAProvider("component"),
        "wasmCloud__wasmCloud__crates__wash__tests__parser__files__rust_provider_claims_metadata.toml":
            .loads(.rust, name: "testprovider", version: "0.1.0", vendor: "wayne-industries", binName: nil, targetPath: "target"),
        "wasmCloud__wasmCloud__examples__golang__components__http-hello-world__wasmcloud.toml": .notAProvider("component"),
        "wasmCloud__wasmCloud__examples__golang__providers__custom-template__wasmcloud.toml":
            .loads(.go, name: "KeyValue Go", version: "0.1.0", vendor: "wasmCloud", binName: "custom-template"),
        "wasmCloud__wasmCloud__examples__rust__actors__http-hello-world__wasmcloud.toml": .notAProvider("actor"),
        "wasmCloud__wasmCloud__examples__rust__components__http-hello-world__wasmcloud.toml": .notAProvider("component"),
        "wasmCloud__wasmCloud__examples__rust__components__sqldb-postgres-query__wasmcloud.toml": .notAProvider("component"),
        "wasmCloud__wasmCloud__examples__rust__providers__blank-slate__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__examples__rust__providers__custom-template__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__examples__rust__providers__messaging-nats__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__examples__security__secrets__provider-keyvalue-redis-auth__wasmcloud.toml": .missingVersion,
        "wasmCloud__wasmCloud__examples__typescript__components__http-hello-world__wasmcloud.toml": .notAProvider("component"),
        "wasmCloud__wasmCloud__src__bin__blobstore-azure-provider__wasmcloud.toml":
            .loads(.rust, name: "Blobstore Azure", version: "0.6.1", vendor: "wasmCloud", binName: "blobstore-azure-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__src__bin__blobstore-fs-provider__wasmcloud.toml":
            .loads(.rust, name: "Blobstore FS", version: "0.11.1", vendor: "wasmCloud", binName: "blobstore-fs-provider"),
        "wasmCloud__wasmCloud__src__bin__blobstore-nats-provider__wasmcloud.toml":
            .loads(.rust, name: "Blobstore NATS", version: "0.1.0", vendor: "wasmCloud", binName: "blobstore-nats-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__src__bin__blobstore-s3-provider__wasmcloud.toml":
            .loads(.rust, name: "Blobstore S3", version: "0.12.1", vendor: "wasmCloud", binName: "blobstore-s3-provider"),
        "wasmCloud__wasmCloud__src__bin__http-client-provider__wasmcloud.toml":
            .loads(.rust, name: "HTTP Client", version: "0.14.0", vendor: "wasmCloud", binName: "http-client-provider"),
        "wasmCloud__wasmCloud__src__bin__http-server-provider__wasmcloud.toml":
            .loads(.rust, name: "HTTP Server", version: "0.26.1", vendor: "wasmCloud", binName: "http-server-provider"),
        "wasmCloud__wasmCloud__src__bin__keyvalue-nats-provider__wasmcloud.toml":
            .loads(.rust, name: "KV Nats", version: "0.4.1", vendor: "wasmCloud", binName: "keyvalue-nats-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__src__bin__keyvalue-redis-provider__wasmcloud.toml":
            .loads(.rust, name: "KV Redis", version: "0.30.0", vendor: "wasmCloud", binName: "keyvalue-redis-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__src__bin__keyvalue-vault-provider__wasmcloud.toml":
            .loads(.rust, name: "KV Vault", version: "0.12.1", vendor: "wasmCloud", binName: "keyvalue-vault-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__src__bin__messaging-kafka-provider__wasmcloud.toml":
            .loads(.rust, name: "Messaging Kafka", version: "0.6.1", vendor: "wasmCloud", binName: "messaging-kafka-provider"),
        "wasmCloud__wasmCloud__src__bin__messaging-nats-provider__wasmcloud.toml":
            .loads(.rust, name: "Messaging NATS", version: "0.27.0", vendor: "wasmCloud", binName: "messaging-nats-provider"),
        "wasmCloud__wasmCloud__src__bin__sqldb-postgres-provider__wasmcloud.toml":
            .loads(.rust, name: "SQLDB Postgres", version: "0.10.0", vendor: "wasmCloud", binName: "sqldb-postgres-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__src__bin__wadm-provider__wasmcloud.toml":
            .loads(.rust, name: "wadm", version: "0.1.0", vendor: "wasmCloud", binName: "wadm-provider",
                targetPath: "../../../target"),
        "wasmCloud__wasmCloud__tests__components__rust__workload-identity-component__wasmcloud.toml":
            .notAProvider("component"),
    ]

    static let directory = Corpora.file("wasmcloud-toml")

    static let files: [String] = {
        guard let directory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".toml") }.sorted()
    }()

    @Test func everyFileIsAccountedFor() {
        #expect(Self.files.count == 40)
        #expect(Set(Self.files) == Set(Self.expectations.keys), "unlisted: \(Set(Self.files).subtracting(Self.expectations.keys))")
    }

    @Test(arguments: files)
    func readsAsExpected(file: String) throws {
        let outcome = try #require(Self.expectations[file], "\(file) is not in the expectations table")
        let directory = try #require(Self.directory).standardizedFileURL
        let url = directory.appendingPathComponent(file)
        let result = Result { () throws(ManifestError) in try ProviderManifest.load(from: url) }
        switch outcome {
        case .loads(let language, let name, let version, let vendor, let binName, let targetPath):
            let manifest = try result.get()
            #expect(manifest.language == language)
            #expect(manifest.name == name)
            #expect(manifest.version == version)
            #expect(manifest.provider.vendor == vendor)
            #expect(manifest.provider.binName == binName)
            #expect(manifest.projectDirectory == directory)
            #expect(manifest.buildDirectory == directory.appendingPathComponent("build", isDirectory: true))
            #expect(manifest.rust?.targetPath == targetPath.map { directory.appendingPathComponent($0, isDirectory: true).standardizedFileURL })
        case .missingVersion:
            guard case .failure(.missingKey("version", let location, let reason)) = result else {
                Issue.record("expected a missing version, got \(result)")
                return
            }
            #expect(location.fileURL == url)
            #expect(reason.hasSuffix("there is no Cargo.toml at \(directory.appendingPathComponent("Cargo.toml").path)"))
        case .notAProvider(let type):
            guard case .failure(.notAProvider(let found, let location)) = result else {
                Issue.record("expected a component error, got \(result)")
                return
            }
            #expect(found == type)
            #expect(location.position?.line != nil)
        case .buildIsATable:
            guard case .failure(let error) = result,
                case .wrongType("build", _, "table", let location, .some) = error
            else {
                Issue.record("expected `build` of the wrong type, got \(result)")
                return
            }
            #expect(location.position?.line == 5)
            #expect(error.description.contains("`build` must be a string (the output directory), but it is a table"))
        }
    }

    @Test func notesOfARealFile() throws {
        let url = try #require(Self.directory).appendingPathComponent(
            "wasmCloud__wasmCloud__src__bin__messaging-nats-provider__wasmcloud.toml")
        let manifest = try ProviderManifest.load(from: url)
        #expect(
            manifest.notes == [
                "line 8: unknown key rust.target_dir is ignored",
                "line 13: provider.wit_world is read and ignored, as wash does",
            ])
    }
}
