/// The parser's cursor over one document.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    let count: Int
    let maxDepth: Int
    var position = 0
    var depth = 0
    /// Where escaped strings are decoded.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.count = bytes.count
        self.maxDepth = maxDepth
    }

    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        guard count > 0 else { throw failure(at: 0, "empty input") }
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        if position < count { throw failure("unexpected \(describeByte(at: position)) after the value") }
        return value
    }

    mutating func readValue() throws(JSONParseError) -> JSONValue {
        guard position < count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        default: throw unexpectedByte(at: position, expected: "a value")
        }
    }

    mutating func readArray() throws(JSONParseError) -> JSONValue {
        guard try opens(closingWith: UInt8(ascii: "]")) else { return .array([]) }
        // Reserving a little up front means small containers, the usual case, cost one
        // allocation. (Building on a shared stack and copying out cost more: two
        // allocations and a copy per container.)
        var elements: [JSONValue] = []
        elements.reserveCapacity(4)
        while true {
            elements.append(try readValue())
            if try !continues(the: "array", closingWith: UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return .array(elements)
    }

    mutating func readObject() throws(JSONParseError) -> JSONValue {
        guard try opens(closingWith: UInt8(ascii: "}")) else { return .object(JSONObject()) }
        var members: [JSONObject.Member] = []
        members.reserveCapacity(4)
        var index: [UTF8Key: Int]? = nil
        while true {
            guard position < count else { throw failure("unterminated object") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw unexpectedByte(at: position, expected: "a string key") }
            let key = try readString()
            skipWhitespace()
            guard position < count, bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after an object key")
            }
            position += 1
            skipWhitespace()
            let value = try readValue()
            JSONObject.insert(key, value, into: &members, index: &index)
            if try !continues(the: "object", closingWith: UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return .object(JSONObject(uniqueMembers: members))
    }

    /// After an element or member: whitespace, then ',' (true: another follows) or
    /// the closing byte (false). A trailing comma is an error. Shared by the readers
    /// and the skippers, so they reject exactly the same inputs.
    @inline(__always)
    mutating func continues(the container: String, closingWith close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard position < count else { throw failure("unterminated \(container)") }
        let byte = bytes[position]
        position += 1
        if byte == close { return false }
        guard byte == UInt8(ascii: ",") else {
            throw unexpectedByte(at: position - 1, expected: close == UInt8(ascii: "]") ? "',' or ']' in array" : "',' or '}' in object")
        }
        skipWhitespace()
        if position < count, bytes[position] == close { throw failure("trailing comma in \(container)") }
        return true
    }

    /// Enters the array or object whose opening byte is at `position`: false, with the
    /// container read, when `close` follows at once (it is empty); true, with
    /// `position` at its first element or member, when the caller reads on and
    /// leaves it (`depth -= 1`). Recursion is bounded here, so hostile nesting fails
    /// instead of overflowing the stack.
    mutating func opens(closingWith close: UInt8) throws(JSONParseError) -> Bool {
        depth += 1
        if depth > maxDepth { throw nestedTooDeeply() }
        position += 1
        skipWhitespace()
        guard position < count, bytes[position] == close else { return true }
        position += 1
        depth -= 1
        return false
    }

    mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let length = word.utf8CodeUnitCount
        let start = word.utf8Start
        for i in 0..<length {
            guard position + i < count, bytes[position + i] == start[i] else {
                throw failure("invalid literal, expected '\(word)'")
            }
        }
        position += length
    }

    /// Inlined: it runs between every two tokens, and is smaller than a call.
    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    // Errors are built out of line: string interpolation inlined into the recursive
    // functions would swell their stack frames, and with them the stack deep documents need.

    @inline(never)
    func unexpectedByte(at offset: Int, expected: StaticString) -> JSONParseError {
        failure(at: offset, "expected \(expected), got \(describeByte(at: offset))")
    }

    @inline(never)
    func nestedTooDeeply() -> JSONParseError { failure("nesting deeper than \(maxDepth) levels") }

    @inline(never)
    func failure(_ reason: String) -> JSONParseError { failure(at: position, reason) }

    @inline(never)
    func failure(at offset: Int, _ reason: String) -> JSONParseError {
        JSONParseError(offset: offset, reason: reason)
    }

    func describeByte(at offset: Int) -> String {
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(byte < 0x10 ? "0" : "")\(hex)"
    }
}
