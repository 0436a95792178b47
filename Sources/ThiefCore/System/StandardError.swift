import Glibc

/// Text to stderr with write(2): FileHandle.standardError needs full
/// Foundation (and with it ICU's 34 MB of data), and its write traps when
/// the write fails (EPIPE, a closed stderr). A failed write is dropped.
public enum StandardError {
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
