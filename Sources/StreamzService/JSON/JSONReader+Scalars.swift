extension JSONReader {
    /// For the scalar path: reads a document that is a top-level object into `scalars`,
    /// one per key of `projection`, when every member it keeps is a scalar without
    /// escapes; members it does not keep are validated as `skipValue` does. Returns
    /// false for anything else: not an object, a kept member that is an array, an
    /// object or a string with an escape, a key with an escape, or an invalid document.
    /// The general parse then reads the record again and gives its value or its error,
    /// so this scan only has to be right about what it accepts.
    ///
    /// Everything but plain strings is read by the general reader's functions.
    ///
    /// An integer's text goes to `integerTexts` too when it is exactly what `JSONWriter`
    /// writes for it (every integer but `-0`), else an empty buffer.
    mutating func readScalarMembers(
        _ projection: JSONProjection, into scalars: UnsafeMutablePointer<Scalar?>,
        integerTexts: UnsafeMutablePointer<UnsafeRawBufferPointer>
    ) -> Bool {
        do { return try scanScalarMembers(projection, into: scalars, integerTexts: integerTexts) } catch { return false }
    }

    private mutating func scanScalarMembers(
        _ projection: JSONProjection, into scalars: UnsafeMutablePointer<Scalar?>,
        integerTexts: UnsafeMutablePointer<UnsafeRawBufferPointer>
    ) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard position < count, bytes[position] == UInt8(ascii: "{") else { return false }
        if try opens(closingWith: UInt8(ascii: "}")) {
            while true {
                guard position < count, bytes[position] == UInt8(ascii: "\"") else { return false }
                guard let key = try plainString() else { return false }
                let found = projection.index(of: key, readableTo: bytes.baseAddress! + count)
                skipWhitespace()
                guard position < count, bytes[position] == UInt8(ascii: ":") else { return false }
                position += 1
                skipWhitespace()
                if let found {
                    let start = position
                    guard let scalar = try readScalar() else { return false }
                    scalars[found] = scalar  // a later duplicate replaces an earlier one, as in a parse
                    if case .int(let n) = scalar {
                        integerTexts[found] = JSONWriter.writesIntegerAsRead(n, textCount: position - start)
                            ? UnsafeRawBufferPointer(rebasing: bytes[start..<position]) : UnsafeRawBufferPointer(start: nil, count: 0)
                    }
                } else {
                    try skipValue()
                }
                if try !continues(the: "object", closingWith: UInt8(ascii: "}")) { break }
            }
            depth -= 1
        }
        skipWhitespace()
        return position == count
    }

    /// The bytes of the string whose opening quote is at `position`, moving past it;
    /// nil for a string with an escape. Keys and values are mostly short ASCII, which a
    /// plain loop reads faster than `skipString`'s eight-byte steps; that reads the rest.
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
}
