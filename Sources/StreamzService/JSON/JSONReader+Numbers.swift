extension JSONReader {
    /// Reads `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: integers that fit Int64
    /// become `.int`, everything else `.double`.
    mutating func readNumber() throws(JSONParseError) -> JSONValue {
        if let integer = readPlainInteger() { return .int(integer) }
        let start = position
        var i = position
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < count, isDigit(bytes[i]) else { throw failure(at: i, "expected a digit in number") }

        // Integer part, accumulated as a magnitude; `significand` keeps up to 19 digits
        // (including fraction digits) for the exact fast path to Double.
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < count, isDigit(bytes[i]) { throw failure(at: start, "leading zero in number") }
        } else {
            while i < count, isDigit(bytes[i]) {
                let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                if o1 || o2 { overflow = true } else { magnitude = sum }
                i += 1
            }
        }

        var isInteger = true
        var significand = magnitude
        var significandExact = !overflow
        var exponent = 0
        if i < count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < count, isDigit(bytes[i]) else { throw failure(at: i, "expected a digit after '.' in number") }
            while i < count, isDigit(bytes[i]) {
                if significandExact {
                    let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
                    let (times10, o1) = significand.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(digit)
                    if o1 || o2 { significandExact = false } else { significand = sum; exponent -= 1 }
                }
                i += 1
            }
        }
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, isDigit(bytes[i]) else { throw failure(at: i, "expected a digit in exponent") }
            var written = 0
            while i < count, isDigit(bytes[i]) {
                // Beyond this the value is 0 or out of range anyway; the slow path decides.
                if written < 100_000 { written = written * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += exponentNegative ? -written : written
        }
        position = i

        if isInteger && !overflow {
            if negative {
                if magnitude <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- magnitude)) }
            } else if magnitude <= UInt64(Int64.max) {
                return .int(Int64(magnitude))
            }
        }
        // Clinger's fast path: both operands exact, so one correctly rounded operation.
        if significandExact && significand < 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(significand)
            value = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
            return .double(negative ? -value : value)
        }
        return try .double(slowDouble(start, i))
    }

    /// The common number, an integer of up to 18 digits, read in one tight loop; nil
    /// (nothing read) for anything else: a fraction, an exponent, more digits, a leading
    /// zero, no digit at all, which the general loop below reads (and rejects).
    @inline(__always)
    private mutating func readPlainInteger() -> Int64? {
        var i = position
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let start = i
        var magnitude: Int64 = 0
        // Eight digits at a time while they last (an epoch-milliseconds timestamp is 13),
        // at most 16 so that the 18 below still bound the magnitude.
        while i - start < 16, count - i >= 8 {
            let chunk = UInt64(littleEndian: (bytes.baseAddress! + i).loadUnaligned(as: UInt64.self))
            guard let eight = Self.eightDigits(chunk) else { break }
            magnitude = magnitude &* 100_000_000 &+ Int64(eight)
            i += 8
        }
        while i < count, i - start < 18 {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            magnitude = magnitude &* 10 &+ Int64(digit)
            i += 1
        }
        guard i > start, bytes[start] != UInt8(ascii: "0") || i == start + 1 else { return nil }
        if i < count {
            let next = bytes[i]
            guard next &- UInt8(ascii: "0") >= 10, next != UInt8(ascii: "."), next | 0x20 != UInt8(ascii: "e") else {
                return nil
            }
        }
        position = i
        return negative ? -magnitude : magnitude
    }

    /// The value of eight ASCII digits loaded little-endian (first digit in the low
    /// byte), nil unless all eight are digits: digits pair into two-digit numbers, those
    /// into four-digit ones, those into one, three multiplications in all.
    @inline(__always)
    static func eightDigits(_ chunk: UInt64) -> UInt64? {
        let values = chunk &- 0x3030_3030_3030_3030
        // Every byte 0...9: no byte borrowed below '0', and none reaches 10 when 6 is added.
        guard chunk & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
              (values &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0 else { return nil }
        let pairs = (values &* 10 &+ (values >> 8)) & 0x00FF_00FF_00FF_00FF
        let quads = (pairs &* 100 &+ (pairs >> 16)) & 0x0000_FFFF_0000_FFFF
        return (quads &* 10_000 &+ (quads >> 32)) & 0xFFFF_FFFF
    }

    private func slowDouble(_ start: Int, _ end: Int) throws(JSONParseError) -> Double {
        let pointer = bytes.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self)
        let text = String(decoding: UnsafeBufferPointer(start: pointer, count: end - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw failure(at: start, "number out of range") }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
