import Streamz

/// The open-window state of one partition as bytes, for `streamz_window_state`: every
/// open (key, window) with its partial, and for sliding windows the records later
/// windows may still need. Little-endian, length-prefixed; a version byte first so a
/// later format can still read this one.
enum WindowStateCoding {
    static let version: UInt8 = 1

    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    static func encode<Key: WindowTableKey>(_ checkpoint: WindowCheckpoint<Key, ColumnAggregation.Partial>) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.append(version)
        writer.int(checkpoint.watermark)
        writer.int(Int64(checkpoint.windows.count))
        for entry in checkpoint.windows {
            writer.key(entry.key.columnValues)
            writer.int(entry.window.start)
            writer.int(entry.window.end)
            writer.partial(entry.partial)
        }
        writer.int(Int64(checkpoint.slidingRecords.count))
        for records in checkpoint.slidingRecords {
            writer.key(records.key.columnValues)
            writer.int(Int64(records.times.count))
            for time in records.times { writer.int(time) }
            writer.int(Int64(records.partials.count))
            for partial in records.partials { writer.partial(partial) }
        }
        return writer.bytes
    }

    static func decode<Key: WindowTableKey>(_ bytes: [UInt8], as: Key.Type = Key.self) throws -> WindowCheckpoint<Key, ColumnAggregation.Partial> {
        var reader = ByteReader(bytes: bytes)
        guard try reader.byte() == version else { throw DecodingError(description: "unknown window state version") }
        let watermark = try reader.int()
        var windows: [WindowCheckpoint<Key, ColumnAggregation.Partial>.Entry] = []
        for _ in 0..<(try reader.count()) {
            let key = try Key(columnValues: try reader.key())
            let bounds = WindowBounds(start: try reader.int(), end: try reader.int())
            windows.append(.init(key: key, window: bounds, partial: try reader.partial()))
        }
        var sliding: [WindowCheckpoint<Key, ColumnAggregation.Partial>.SlidingRecords] = []
        for _ in 0..<(try reader.count()) {
            let key = try Key(columnValues: try reader.key())
            var times: [Int64] = []
            for _ in 0..<(try reader.count()) { times.append(try reader.int()) }
            var partials: [ColumnAggregation.Partial] = []
            for _ in 0..<(try reader.count()) { partials.append(try reader.partial()) }
            sliding.append(.init(key: key, times: times, partials: partials))
        }
        guard reader.atEnd else { throw DecodingError(description: "trailing bytes after the window state") }
        return WindowCheckpoint(watermark: watermark, windows: windows, slidingRecords: sliding)
    }
}

private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func int(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func double(_ value: Double) { int(Int64(bitPattern: value.bitPattern)) }

    mutating func key(_ columns: [String]) {
        int(Int64(columns.count))
        for column in columns {
            int(Int64(column.utf8.count))
            bytes.append(contentsOf: column.utf8)
        }
    }

    mutating func partial(_ partial: ColumnAggregation.Partial) {
        int(partial.count)
        for lane in 0..<ColumnAggregation.maxInputs {
            double(partial.sum[lane])
            double(partial.min[lane])
            double(partial.max[lane])
        }
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    var atEnd: Bool { position == bytes.count }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw WindowStateCoding.DecodingError(description: "truncated window state") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func int() throws -> Int64 {
        guard bytes.count - position >= 8 else { throw WindowStateCoding.DecodingError(description: "truncated window state") }
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[position..<position + 8]) }
        position += 8
        return Int64(littleEndian: value)
    }

    /// A count, checked against what is left so corrupt input cannot ask for a huge array.
    mutating func count() throws -> Int {
        let value = try int()
        guard value >= 0, value <= bytes.count - position else {
            throw WindowStateCoding.DecodingError(description: "corrupt count in window state")
        }
        return Int(value)
    }

    mutating func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: try int())) }

    mutating func key() throws -> [String] {
        var columns: [String] = []
        for _ in 0..<(try count()) {
            let length = try count()
            columns.append(String(decoding: bytes[position..<position + length], as: UTF8.self))
            position += length
        }
        return columns
    }

    mutating func partial() throws -> ColumnAggregation.Partial {
        var partial = ColumnAggregation.Partial()
        partial.count = try int()
        for lane in 0..<ColumnAggregation.maxInputs {
            partial.sum[lane] = try double()
            partial.min[lane] = try double()
            partial.max[lane] = try double()
        }
        return partial
    }
}
