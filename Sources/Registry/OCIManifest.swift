import Foundation

/// The media types swash writes and recognises.
public enum OCIMediaType {
    /// An OCI image manifest, the kind swash pushes.
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image index (a list of manifests, e.g. a multi-platform image).
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    /// A Docker image manifest, schema 2.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker manifest list.
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// The config blob of a provider archive artifact (content `{}` unless `--config`).
    public static let providerArchiveConfig = "application/vnd.wasmcloud.provider.archive.config"
    /// The single layer of a provider archive artifact: the `.par.gz` bytes as they are.
    public static let providerArchiveLayer = "application/vnd.wasmcloud.provider.archive.layer.v1+par"

    /// What `GET /v2/<repo>/manifests/<ref>` asks for: every manifest kind, so a foreign artifact is
    /// recognised and named instead of failing content negotiation.
    static let acceptedManifests = [imageManifest, dockerManifest, imageIndex, dockerManifestList]
}

/// A content descriptor: the media type, digest and size of a blob.
public struct OCIDescriptor: Codable, Sendable, Hashable {
    /// What the blob is.
    public var mediaType: String
    /// `sha256:<hex>` of the blob's bytes.
    public var digest: String
    /// The blob's length in bytes.
    public var size: Int64
    /// Optional annotations.
    public var annotations: [String: String]?

    /// A descriptor from its parts.
    public init(mediaType: String, digest: OCIDigest, size: Int64) {
        self.mediaType = mediaType
        self.digest = digest.description
        self.size = size
    }
}

/// An OCI image manifest (`schemaVersion` 2), as pushed for a provider archive.
public struct OCIManifest: Codable, Sendable, Hashable {
    /// Always 2.
    public var schemaVersion: Int
    /// `application/vnd.oci.image.manifest.v1+json`.
    public var mediaType: String?
    /// The config blob.
    public var config: OCIDescriptor
    /// The layers; a provider archive has exactly one.
    public var layers: [OCIDescriptor]
    /// Manifest annotations (`-a key=value`), omitted when empty.
    public var annotations: [String: String]?

    /// The manifest of a provider archive: the config blob and the archive as its one layer.
    /// - Parameters:
    ///   - config: the config blob's descriptor (media type `…provider.archive.config`).
    ///   - layer: the archive's descriptor (media type `…provider.archive.layer.v1+par`).
    ///   - annotations: manifest annotations; empty means none.
    public static func providerArchive(config: OCIDescriptor, layer: OCIDescriptor, annotations: [String: String])
        -> OCIManifest
    {
        OCIManifest(
            schemaVersion: 2, mediaType: OCIMediaType.imageManifest, config: config, layers: [layer],
            annotations: annotations.isEmpty ? nil : annotations)
    }

    /// The bytes pushed: compact JSON with sorted keys and unescaped slashes, so the same inputs always
    /// give the same manifest digest.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        return try! encoder.encode(self)
    }

    /// The provider archive layer of a fetched manifest.
    ///
    /// The layer decides: exactly one layer of media type `…provider.archive.layer.v1+par`. The config's
    /// media type is not checked (other tools push provider archives with their own config types).
    /// - Parameters:
    ///   - data: the manifest bytes as received.
    ///   - contentType: the response's `Content-Type`, used when the manifest has no `mediaType`.
    ///   - reference: the reference, for messages.
    /// - Throws: `RegistryError.notAProviderArchive` saying what the manifest describes instead.
    public static func providerLayer(in data: Data, contentType: String?, reference: String) throws(RegistryError)
        -> OCIDescriptor
    {
        let manifest: FetchedManifest
        do { manifest = try JSONDecoder().decode(FetchedManifest.self, from: data) } catch {
            throw .notAProviderArchive(reference: reference, found: "not a JSON manifest (\(data.count) bytes)")
        }
        let parLayers = (manifest.layers ?? []).filter { $0.mediaType == OCIMediaType.providerArchiveLayer }
        if manifest.schemaVersion == 2, manifest.manifests == nil, let layers = manifest.layers, layers.count == 1,
            let layer = parLayers.first, layer.size >= 0, OCIDigest(parsing: layer.digest) != nil
        {
            return layer
        }
        throw .notAProviderArchive(reference: reference, found: manifest.summary(contentType: contentType))
    }
}

/// Whatever a registry returned for a manifest, decoded leniently so it can be described.
private struct FetchedManifest: Decodable {
    struct Blob: Decodable {
        var mediaType: String?
        var digest: String?
        var size: Int64?
    }
    var schemaVersion: Int?
    var mediaType: String?
    var config: Blob?
    var layers: [OCIDescriptor]?
    var manifests: [Blob]?

    /// A phrase naming what this manifest describes, for `notAProviderArchive`.
    func summary(contentType: String?) -> String {
        let type = mediaType ?? contentType?.split(separator: ";").first.map(String.init)
        if manifests != nil || type == OCIMediaType.imageIndex || type == OCIMediaType.dockerManifestList {
            return "an image index of \(manifests?.count ?? 0) manifests (a multi-platform image?)"
        }
        if schemaVersion == 1 { return "a Docker schema 1 image manifest" }
        let layerTypes = Array(Set((layers ?? []).map(\.mediaType))).sorted()
        let layersText = layerTypes.isEmpty ? "no layers" : "\(layers?.count ?? 0) layer(s) of type \(layerTypes.joined(separator: ", "))"
        let configType = config?.mediaType ?? "none"
        let kind: String
        switch configType {
        case "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json":
            kind = "a container image"
        case "application/vnd.wasm.config.v0+json":
            kind = "a WebAssembly component"
        case "application/vnd.wasmcloud.actor.archive.config":
            kind = "a wasmCloud actor"
        case OCIMediaType.providerArchiveConfig:
            kind = "a malformed provider archive manifest (it needs exactly one provider archive layer)"
        default:
            kind = "an artifact"
        }
        return "\(kind) with config \(configType) and \(layersText)"
    }
}

extension OCIDescriptor {
    /// The digest as a value; descriptors swash builds or accepted always hold a valid one.
    public var digestValue: OCIDigest { OCIDigest(parsing: digest) ?? OCIDigest(hex: String(repeating: "0", count: 64)) }
}
