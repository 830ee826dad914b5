#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a text file like `tail -f` and emits each complete line without its
/// newline (streamz's `from_textfile`).
///
/// It reads what is there, then polls every `pollInterval` for more. A partial last
/// line waits for its newline. If the file shrinks (truncated or rotated in place),
/// it starts again from the beginning. Invalid UTF-8 is repaired with U+FFFD rather
/// than dropped.
public final class TextFileSource: Source<String> {
    public let path: String
    public let pollInterval: Duration
    private let descriptor: Int32
    private var offset: off_t
    private var partial: [UInt8] = []
    private var lines = ElementQueue<String>()
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    init(path: String, fromEnd: Bool, pollInterval: Duration, clock: StreamClock) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw StreamzError.cannotOpenFile(path: path, errno: errno) }
        self.descriptor = descriptor
        self.path = path
        self.pollInterval = pollInterval
        self.offset = fromEnd ? lseek(descriptor, 0, SEEK_END) : 0
        super.init(name: "fromTextFile", clock: clock)
    }

    deinit { close(descriptor) }

    public override func run() {
        if lines.isEmpty { readAvailable() }
        while isRunning, let (line, _) = lines.pop() {
            let ack = emit(line)
            if !ack.isReady { return resume(after: ack) }
        }
        guard isRunning else { return }
        clock.schedule(after: pollInterval) { [weak self] in
            guard let self, self.isRunning else { return }
            self.run()
        }
    }

    private func readAvailable() {
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_size < offset {
            offset = 0
            partial = []
        }
        while true {
            let count = readBuffer.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress, buffer.count, offset)
            }
            if count <= 0 { return }
            offset += off_t(count)
            splitLines(readBuffer[0..<count])
        }
    }

    private func splitLines(_ bytes: ArraySlice<UInt8>) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial.append(contentsOf: bytes[start..<newline])
            if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
            lines.push(String(decoding: partial, as: UTF8.self), .none)
            partial.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        partial.append(contentsOf: bytes[start...])
    }
}

extension Stream where Element == String {
    /// A source following `path` like `tail -f`; call `start()`.
    /// - Parameter fromEnd: skip what the file already holds.
    public static func fromTextFile(
        _ path: String, fromEnd: Bool = false, pollInterval: Duration = .milliseconds(100),
        clock: StreamClock = DefaultClock.shared
    ) throws -> TextFileSource {
        try TextFileSource(path: path, fromEnd: fromEnd, pollInterval: pollInterval, clock: clock)
    }
}
