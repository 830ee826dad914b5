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
        if n < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        if magnitude < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        // Digits come out least significant first: collect them in a register-sized
        // scratch (20 digits fit an Int64) rather than reversing an array slice.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            while magnitude > 0 {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                count += 1
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    /// Swift's shortest round-trip form is valid JSON for finite values ("1.0", "1e-05",
    /// "1e+16"); JSON has no infinities or NaN, so those become null.
    static func appendDouble(_ d: Double, to buffer: inout [UInt8]) {
        guard d.isFinite else { return appendWord("null", to: &buffer) }
        buffer.append(contentsOf: d.description.utf8)
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
