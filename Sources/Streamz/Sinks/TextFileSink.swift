#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each element as a line of text (streamz's `sink_to_textfile`).
///
/// Lines are flushed as they are written, so a `tail -f` (or `Stream.fromTextFile`)
/// sees them at once. Newlines inside an element are written as they are.
public final class TextFileSink<Element>: Sink<Element> {
    public let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private let format: (Element) -> String

    init(upstream: Stream<Element>, path: String, append: Bool, format: @escaping (Element) -> String) throws {
        guard let file = fopen(path, append ? "a" : "w") else {
            throw StreamzError.cannotOpenFile(path: path, errno: errno)
        }
        setvbuf(file, nil, _IOLBF, 1 << 16)
        self.path = path
        self.file = file
        self.format = format
        super.init(name: "sinkToTextFile", upstream: upstream)
        upstream.subscribe(self) { element, _ in
            self.write(element)
            return .ready
        }
    }

    private func write(_ element: Element) {
        guard let file else { return }
        var line = format(element)
        line.append("\n")
        fputs(line, file)
    }

    /// Flushes and closes the file; later elements are not written.
    public func close() {
        if let file { fclose(file) }
        file = nil
    }

    deinit { close() }
}

extension Stream {
    /// Writes every element, as `format` renders it, as one line of `path`.
    public final func sinkToTextFile(
        _ path: String, append: Bool = false,
        format: @escaping (Element) -> String = { "\($0)" }
    ) throws -> TextFileSink<Element> {
        try TextFileSink(upstream: self, path: path, append: append, format: format)
    }
}
