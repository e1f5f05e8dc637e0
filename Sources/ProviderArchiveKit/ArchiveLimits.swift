/// Bounds on what a reader accepts, so a hostile archive costs bounded time, memory and disk (none).
public struct ArchiveLimits: Sendable, Hashable {
    /// Largest size of one entry (declared or actual), in bytes. Default 2 GiB.
    public var maximumEntrySize: Int64
    /// Largest size of the whole (decompressed) tar stream, in bytes. Default 8 GiB.
    public var maximumTotalSize: Int64
    /// Largest `claims.jwt`, which is read into memory. Default 1 MiB.
    public var maximumClaimsSize: Int64
    /// Most entries, directories included. Default 1024.
    public var maximumEntries: Int

    /// Limits from their parts; each defaults to the standard value.
    public init(
        maximumEntrySize: Int64 = 2 << 30, maximumTotalSize: Int64 = 8 << 30,
        maximumClaimsSize: Int64 = 1 << 20, maximumEntries: Int = 1024
    ) {
        self.maximumEntrySize = maximumEntrySize
        self.maximumTotalSize = maximumTotalSize
        self.maximumClaimsSize = maximumClaimsSize
        self.maximumEntries = maximumEntries
    }

    /// The standard limits.
    public static let standard = ArchiveLimits()
}

/// How an archive's tar stream is stored.
public enum ArchiveCompression: String, Sendable, Hashable {
    /// One gzip member (`.par.gz`).
    case gzip
    /// A plain tar stream (`.par`).
    case none
}
