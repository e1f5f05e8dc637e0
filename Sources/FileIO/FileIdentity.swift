import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `stat(2)` says identifies a file's current contents without reading them: device, inode, size, and
/// the modification and status-change times to the nanosecond. Any write, truncation, `touch`, or
/// replacement by rename changes at least one of them — except a same-size rewrite within one tick of the
/// kernel's timestamp clock, so an identity can predict contents, never prove them.
public struct FileIdentity: Sendable, Hashable, CustomStringConvertible {
    /// `st_dev`.
    public var device: UInt64
    /// `st_ino`.
    public var inode: UInt64
    /// `st_size`.
    public var size: Int64
    /// `st_mtim` in nanoseconds since the epoch.
    public var modified: Int64
    /// `st_ctim` in nanoseconds since the epoch.
    public var changed: Int64

    /// The identity of the regular file at `url` (symbolic links followed); `nil` when there is none.
    public init?(of url: URL) {
        var info = stat()
        guard SystemPath.withBytes(url.path, { stat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
            modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
            changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
        #else
            modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        #endif
    }

    /// Parses `description`'s form; `nil` for anything else.
    public init?(parsing text: some StringProtocol) {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 5, let device = UInt64(fields[0]), let inode = UInt64(fields[1]), let size = Int64(fields[2]),
            let modified = Int64(fields[3]), let changed = Int64(fields[4])
        else { return nil }
        (self.device, self.inode, self.size, self.modified, self.changed) = (device, inode, size, modified, changed)
    }

    /// `device:inode:size:mtime-ns:ctime-ns`.
    public var description: String { "\(device):\(inode):\(size):\(modified):\(changed)" }
}
