#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import FuzzSupport
import ProviderArchiveKit

/// Small limits, so that every input costs bounded time and memory (a gzip bomb stops at 4 MiB).
let limits = ArchiveLimits(
    maximumEntrySize: 1 << 20, maximumTotalSize: 4 << 20, maximumClaimsSize: 64 << 10, maximumEntries: 64)

/// The input lives in an unlinked file in /dev/shm (memory, never a disk), reopened by the readers
/// through `/proc/self/fd/N` as a regular file, as an archive on disk would be.
let file: (descriptor: Int32, url: URL) = {
    let path = "/dev/shm/swash-fuzz-archive-\(getpid())"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(fd >= 0, "cannot create \(path): \(String(cString: strerror(errno)))")
    unlink(path)
    return (fd, URL(fileURLWithPath: "/proc/self/fd/\(fd)"))
}()

/// Any bytes given to the verifying reader and to the `--jwt-only` reader must be accepted or rejected
/// with `ProviderArchiveError` — no crash, hang, unbounded allocation or file written. An archive that
/// verifies has a token that `readToken` finds too, identical.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    precondition(ftruncate(file.descriptor, 0) == 0)
    if let data, size > 0 {
        precondition(pwrite(file.descriptor, data, size, 0) == size)
    }
    let verified: ProviderArchive?
    do { verified = try ProviderArchive(verifying: file.url, limits: limits) } catch {
        _ = error.description
        verified = nil
    }
    let token = try? ProviderArchive.readToken(from: file.url, limits: limits)
    if let verified {
        precondition(token == verified.token, "readToken disagrees with the verifying read")
        _ = verified.validation(at: 1_700_000_000)
        _ = verified.metadata
    }
    return 0
}

runFuzzer(testOneInput)
