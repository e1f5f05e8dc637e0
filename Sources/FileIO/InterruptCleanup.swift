import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Removes the temporary files in use when SIGINT or SIGTERM ends the process, then lets the signal end it
/// as it would have (so the parent sees the signal).
///
/// The handler itself only writes the signal's number to a pipe (async-signal-safe); a thread waiting on the
/// pipe does the removal (`TemporaryFiles.removeLive()`) and re-raises the signal with its default action.
/// A handler, unlike an ignored signal, is reset to the default in child processes at `exec`, so tools swash
/// runs (cargo, go) still stop on Ctrl-C.
public enum InterruptCleanup {
    /// Installs the handlers for SIGINT and SIGTERM; later calls do nothing.
    public static func install() {
        guard installed.claim() else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipe = fds[1]
        let reader = fds[0]
        let thread = Thread {
            var number: Int32 = 0
            while true {
                let got = read(reader, &number, MemoryLayout<Int32>.size)
                if got < 0, errno == EINTR { continue }
                guard got == MemoryLayout<Int32>.size else { return }
                TemporaryFiles.removeLive()
                // End the process by the signal itself: default action, unblocked on this thread (a parent may
                // have started swash with signals blocked, and handlers still run on threads that unblock them).
                signal(number, SIG_DFL)
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, number)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                raise(number)
                return
            }
        }
        thread.start()
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            #if canImport(Darwin)
                action.__sigaction_u.__sa_handler = forwardSignal
            #else
                action.__sigaction_handler.sa_handler = forwardSignal
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(number, &action, nil)
        }
    }

    private static let installed = Once()
}

/// The write end of the pipe the handler signals through (set before the handlers are installed).
nonisolated(unsafe) private var signalPipe: Int32 = -1

/// The signal handler: async-signal-safe, it only writes the signal number to the pipe.
private func forwardSignal(_ number: Int32) {
    var value = number
    _ = withUnsafeBytes(of: &value) { write(signalPipe, $0.baseAddress, $0.count) }
}

/// A flag that is claimed once.
private final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}
