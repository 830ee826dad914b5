/// Compact JSON output, appended to a byte buffer the caller can reuse across records.
enum JSONWriter {
    static func write(_ value: JSONValue, into buffer: inout [UInt8]) {
        switch value {
        case .null: appendWord("null", to: &buffer)
        case .bool(let b): appendWord(b ? "true" : "false", to: &buffer)
        case .int(let n): appendInt(n, to: &buffer)
        case .double(let d): appendDouble(d, to: &buffer)
        case .string(let s): appendString(s, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                write(element, into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                appendString(member.key, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                write(member.value, into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    static func appendWord(_ word: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    static func appendInt(_ n: Int64, to buffer: inout [UInt8]) {
        append(to: &buffer, atMost: maxIntLength) { writeInt(n, to: $0) }
    }

    /// Runs `write` on scratch memory of `maxLength` bytes (the stack, not an array)
    /// and appends the bytes it says it wrote.
    static func append(to buffer: inout [UInt8], atMost maxLength: Int, _ write: (UnsafeMutableRawPointer) -> Int) {
        withUnsafeTemporaryAllocation(byteCount: maxLength, alignment: 1) { scratch in
            let count = write(scratch.baseAddress!)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]).assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Whether an integer's JSON text as a reader accepted it (no `+`, no leading zero),
    /// `count` bytes long, is the text `writeInt` writes for `n`: always, but for `-0`.
    static func writesIntegerAsRead(_ n: Int64, textCount count: Int) -> Bool { n != 0 || count == 1 }

    /// Copies `count` bytes that do not overlap. The scalar path copies short runs (a
    /// member's `,"name":`, a short string, an integer's text), for which a call to
    /// `memmove` cost more than the copy: up to 16 bytes are two loads and two stores.
    @inline(__always)
    static func copyBytes(_ count: Int, from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer) {
        if count >= 8 && count <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (target + count - 8).storeBytes(of: (source + count - 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
        } else if count >= 4 && count < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (target + count - 4).storeBytes(of: (source + count - 4).loadUnaligned(as: UInt32.self), as: UInt32.self)
        } else if count < 4 {
            for i in 0..<count { target.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        } else {
            target.copyMemory(from: source, byteCount: count)
        }
    }

    /// Room for any Int64 with its sign.
    static let maxIntLength = 20
    /// Room for any double: the shortest round-trip form is at most 24 bytes
    /// ("-2.2250738585072014e-308").
    static let maxDoubleLength = 32

    /// Writes `n` in decimal at `target`, which has room for `maxIntLength`; returns how many
    /// it wrote. The digits are counted first, so they can be written back to front in
    /// place.
    static func writeInt(_ n: Int64, to target: UnsafeMutableRawPointer) -> Int {
        var magnitude = n.magnitude
        let sign = n < 0 ? 1 : 0
        var digits = 1
        var scan = magnitude
        while scan >= 10 {
            scan /= 10
            digits += 1
        }
        if sign == 1 { target.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
        var i = sign + digits
        repeat {
            i -= 1
            target.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10), toByteOffset: i, as: UInt8.self)
            magnitude /= 10
        } while magnitude > 0
        return sign + digits
    }

    /// Swift's shortest round-trip form is valid JSON for finite values ("1.0", "1e-05",
    /// "1e+16"); JSON has no infinities or NaN, so those become null.
    static func appendDouble(_ d: Double, to buffer: inout [UInt8]) {
        append(to: &buffer, atMost: maxDoubleLength) { writeDouble(d, to: $0) }
    }

    /// `appendWord`, at `target`; returns the word's length.
    static func writeWord(_ word: StaticString, to target: UnsafeMutableRawPointer) -> Int {
        target.copyMemory(from: word.utf8Start, byteCount: word.utf8CodeUnitCount)
        return word.utf8CodeUnitCount
    }

    /// `appendDouble`, at `target`, which has room for `maxDoubleLength`; returns how many
    /// it wrote.
    static func writeDouble(_ d: Double, to target: UnsafeMutableRawPointer) -> Int {
        guard d.isFinite else { return writeWord("null", to: target) }
        var text = d.description
        return text.withUTF8 { utf8 in
            target.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            return utf8.count
        }
    }

    static func appendString(_ s: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &buffer) }
        if done == nil { Array(s.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &buffer) } }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Whether JSON text must escape `byte` in a string.
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Copies runs that need no escaping in one go.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        var runStart = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            if !needsEscape(byte) { continue }
            if runStart < i { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            runStart = i + 1
            buffer.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer.append(byte)
            case 0x08: buffer.append(UInt8(ascii: "b"))
            case 0x0C: buffer.append(UInt8(ascii: "f"))
            case 0x0A: buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                buffer.append(UInt8(ascii: "u"))
                buffer.append(UInt8(ascii: "0"))
                buffer.append(UInt8(ascii: "0"))
                buffer.append(hex.utf8Start[Int(byte >> 4)])
                buffer.append(hex.utf8Start[Int(byte & 0xF)])
            }
        }
        if runStart < bytes.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }
}
