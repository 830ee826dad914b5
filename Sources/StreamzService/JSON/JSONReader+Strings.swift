extension JSONReader {
    /// Reads the string whose opening quote is at `position`. Strings without escapes
    /// (nearly all of them) become a String straight from the input bytes.
    mutating func readString() throws(JSONParseError) -> String {
        let start = position + 1
        if let end = try skipString() { return makeString(start, end) }
        return try readEscapedString(start: start)
    }

    /// Validates the string whose opening quote is at `position` as `readString` does,
    /// building nothing: returns the index of its closing quote and moves past it. A
    /// string with an escape returns nil and leaves `position` alone, for `readString`
    /// (escapes are rare; decoding them checks them).
    mutating func skipString() throws(JSONParseError) -> Int? {
        let start = position + 1
        var i = start
        while true {
            i = skipPlainASCII(from: i)
            guard i < count else { throw failure(at: start - 1, "unterminated string") }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return i
            }
            if byte == UInt8(ascii: "\\") { return nil }
            if byte < 0x20 { throw failure(at: i, "unescaped control character in string") }
            i = try skipUTF8Sequence(at: i)
        }
    }

    /// The slow path, for a string with an escape: decodes into `scratch`, from the
    /// start again (`skipString` stopped at the first backslash without saying where).
    private mutating func readEscapedString(start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var i = start
        while true {
            let run = i
            i = skipPlainASCII(from: i)
            while i < count, bytes[i] >= 0x80 { i = try skipUTF8Sequence(at: i) }
            if i > run {
                appendBytes(run, i)
                continue
            }
            guard i < count else { throw failure(at: start - 1, "unterminated string") }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte < 0x20 { throw failure(at: i, "unescaped control character in string") }
            // A backslash.
            i = try decodeEscape(at: i)
        }
    }

    /// Decodes the escape whose backslash is at `i` into `scratch`; returns the index after it.
    private mutating func decodeEscape(at i: Int) throws(JSONParseError) -> Int {
        guard i + 1 < count else { throw failure(at: i, "unterminated string") }
        let simple: UInt8
        switch bytes[i + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: i)
        default: throw failure(at: i, "invalid escape in string")
        }
        scratch.append(simple)
        return i + 2
    }

    private mutating func decodeUnicodeEscape(at i: Int) throws(JSONParseError) -> Int {
        let unit = try hexQuad(at: i + 2)
        var scalarValue = UInt32(unit)
        var next = i + 6
        if unit >= 0xD800 && unit <= 0xDBFF {
            guard next + 1 < count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u") else {
                throw failure(at: i, "lone surrogate in \\u escape")
            }
            let low = try hexQuad(at: next + 2)
            guard low >= 0xDC00 && low <= 0xDFFF else { throw failure(at: i, "lone surrogate in \\u escape") }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        } else if unit >= 0xDC00 && unit <= 0xDFFF {
            throw failure(at: i, "lone surrogate in \\u escape")
        }
        // Not a surrogate, so a valid scalar.
        for unit in UTF8.encode(Unicode.Scalar(scalarValue)!)! { scratch.append(unit) }
        return next
    }

    private func hexQuad(at start: Int) throws(JSONParseError) -> UInt16 {
        guard start + 4 <= count else { throw failure(at: start - 2, "truncated \\u escape") }
        var value: UInt16 = 0
        for i in start..<start + 4 {
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure(at: start - 2, "invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Skips bytes that need no attention (printable ASCII but quote and backslash),
    /// eight at a time while it can: long string values are common in events.
    private func skipPlainASCII(from start: Int) -> Int {
        var i = start
        let base = bytes.baseAddress!
        while i + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if Self.needsAttention(word) { break }
            i += 8
        }
        while i < count {
            let byte = bytes[i]
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            i += 1
        }
        return i
    }

    /// Whether any of the eight bytes is a control character, non-ASCII, '"' or '\'.
    private static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let nonASCII = word & highs != 0
        let control = (word &- ones &* 0x20) & ~word & highs != 0
        return nonASCII || control
            || hasZeroByte(word ^ (ones &* 0x22))
            || hasZeroByte(word ^ (ones &* 0x5C))
    }

    /// Validates the multi-byte UTF-8 sequence at `i` strictly (no overlongs, no encoded
    /// surrogates, nothing beyond U+10FFFF) and returns the index after it.
    private func skipUTF8Sequence(at i: Int) throws(JSONParseError) -> Int {
        let lead = bytes[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw failure(at: i, "invalid UTF-8")
        }
        guard i + length <= count else { throw failure(at: i, "invalid UTF-8") }
        let second = bytes[i + 1]
        guard second >= low && second <= high else { throw failure(at: i, "invalid UTF-8") }
        for j in i + 2 ..< i + length where bytes[j] & 0xC0 != 0x80 {
            throw failure(at: i, "invalid UTF-8")
        }
        return i + length
    }

    private func makeString(_ start: Int, _ end: Int) -> String {
        let pointer = bytes.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self)
        return String(decoding: UnsafeBufferPointer(start: pointer, count: end - start), as: UTF8.self)
    }

    private mutating func appendBytes(_ start: Int, _ end: Int) {
        guard end > start else { return }
        let pointer = bytes.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self)
        scratch.append(contentsOf: UnsafeBufferPointer(start: pointer, count: end - start))
    }
}
