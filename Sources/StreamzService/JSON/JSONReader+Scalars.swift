extension JSONReader {
    /// For the scalar path: reads a document that is a top-level object into `scalars`,
    /// one per key of `projection`, when every member it keeps is a scalar without
    /// escapes; members it does not keep are validated as `skipValue` does. Returns
    /// false for anything else: not an object, a kept member that is an array, an
    /// object or a string with an escape, a key with an escape, or an invalid document.
    /// The general parse then reads the record again and gives its value or its error,
    /// so this scan only has to be right about what it accepts.
    ///
    /// Plain ASCII keys and strings, and integers, are read by the loops here; anything
    /// else goes through the general reader's functions.
    mutating func readScalarMembers(_ projection: JSONProjection, into scalars: UnsafeMutablePointer<Scalar?>) -> Bool {
        do { return try scanScalarMembers(projection, into: scalars) } catch { return false }
    }

    private mutating func scanScalarMembers(
        _ projection: JSONProjection, into scalars: UnsafeMutablePointer<Scalar?>
    ) throws(JSONParseError) -> Bool {
        skipBlanks()
        guard position < count, bytes[position] == UInt8(ascii: "{") else { return false }
        position += 1
        depth = 1
        skipBlanks()
        if position < count, bytes[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                guard position < count, bytes[position] == UInt8(ascii: "\"") else { return false }
                guard let key = try plainString() else { return false }
                let found = projection.index(of: key)
                skipBlanks()
                guard position < count, bytes[position] == UInt8(ascii: ":") else { return false }
                position += 1
                skipBlanks()
                if let found {
                    guard let scalar = try readScalar() else { return false }
                    scalars[found] = scalar  // a later duplicate replaces an earlier one, as in a parse
                } else {
                    try skipValue()
                }
                skipBlanks()
                guard position < count else { return false }
                let next = bytes[position]
                position += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { return false }
                skipBlanks()
            }
        }
        skipBlanks()
        return position == count
    }

    /// `skipWhitespace`, inlined: it runs between every two tokens.
    @inline(__always)
    private mutating func skipBlanks() {
        while position < count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The bytes of the string whose opening quote is at `position`, moving past it;
    /// nil for a string with an escape. ASCII is scanned here, anything else validated
    /// by `skipString`.
    @inline(__always)
    private mutating func plainString() throws(JSONParseError) -> UnsafeRawBufferPointer? {
        let start = position + 1
        var i = start
        while i < count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            }
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\\") { break }
            i += 1
        }
        guard let end = try skipString() else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The scalar at `position`; nil for an array, an object, or a string with an escape.
    private mutating func readScalar() throws(JSONParseError) -> Scalar? {
        guard position < count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return try plainString().map(Scalar.text)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let n = readPlainInteger() { return .int(n) }
            switch try readNumber() {
            case .int(let n): return .int(n)
            case .double(let d): return .double(d)
            default: return nil
            }
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        default: return nil
        }
    }

    /// The common number, an integer of up to 18 digits, read in one tight loop; nil
    /// (nothing read) for anything else: a fraction, an exponent, more digits, a leading
    /// zero, no digit at all. `readNumber` reads those.
    @inline(__always)
    private mutating func readPlainInteger() -> Int64? {
        var i = position
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let start = i
        var magnitude: Int64 = 0
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
}
